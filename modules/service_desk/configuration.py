# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.modules.company.model import (
    CompanyMultiValueMixin, CompanyValueMixin)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id
from trytond.transaction import Transaction, without_check_access

from .client import ClientValueMixin
from .exceptions import ClientRecordError

request_sequence = fields.Many2One(
    'ir.sequence', "Request Sequence", required=True,
    domain=[
        ('company', 'in', [Eval('company', -1), None]),
        ('sequence_type', '=',
            Id('service_desk', 'sequence_type_service_request')),
        ])
contract_sequence = fields.Many2One(
    'ir.sequence', "Contract Sequence", required=True,
    domain=[
        ('company', 'in', [Eval('company', -1), None]),
        ('sequence_type', '=',
            Id('service_desk', 'sequence_type_service_contract')),
        ])
default_sla = fields.Many2One(
    'service.sla', "Default SLA",
    domain=[
        ('company', '=', Eval('company', -1)),
        ],
    help="The service level of requests whose contract and customer "
    "name none.")
acceptance_hours = fields.Integer(
    "Acceptance Hours", required=True,
    domain=[('acceptance_hours', '>', 0), ('acceptance_hours', '<=', 8760)],
    help="A request by phone, at the counter or in the field must be "
    "accepted within this many hours of its report.")
acceptance_hours_written = fields.Integer(
    "Acceptance Hours (Written)", required=True,
    domain=[
        ('acceptance_hours_written', '>', 0),
        ('acceptance_hours_written', '<=', 8760),
        ],
    help="A request by letter, e-mail or from the web must be accepted "
    "within this many hours of its report.")
follow_up_days = fields.Integer(
    "Follow-up Days", required=True,
    domain=[('follow_up_days', '>=', 0), ('follow_up_days', '<=', 365)],
    help="The customer is called back this many days after resolution.")
inspection_interval_months = fields.Integer(
    "Inspection Interval",
    domain=['OR',
        ('inspection_interval_months', '=', None),
        [
            ('inspection_interval_months', '>', 0),
            ('inspection_interval_months', '<=', 120),
            ],
        ],
    help="The months between two scheduled inspections that a new "
    "maintenance contract proposes (the regulations: a monthly round).\n"
    "Leave empty to propose none.")
status_link_days = fields.Integer(
    "Status Link Days", required=True,
    domain=[('status_link_days', '>', 0), ('status_link_days', '<=', 3660)],
    help="A link for the customer to follow a request (in the e-mail and "
    "on the printed acknowledgement) expires after this many days.")
survey_link_days = fields.Integer(
    "Survey Link Days", required=True,
    domain=[('survey_link_days', '>', 0), ('survey_link_days', '<=', 366)],
    help="A link for the customer to answer a survey expires after this "
    "many days.")


def _default(field_name):
    @classmethod
    def default(cls, **pattern):
        return getattr(
            cls.multivalue_model(field_name),
            'default_%s' % field_name, lambda: None)()
    return default


def set_number(cls, values, sequence_field):
    """Number the values of a new record of cls from the company's sequence
    in the configuration's sequence_field, unless they carry one"""
    pool = Pool()
    Configuration = pool.get('service.configuration')
    company_id = values.get('company', cls.default_company())
    if values.get('number') or company_id is None:
        return
    sequence = Configuration(1).get_multivalue(
        sequence_field, company=company_id)
    if sequence:
        values['number'] = sequence.get()


class Configuration(
        ClientValueMixin,
        ModelSingleton, ModelSQL, ModelView, CompanyMultiValueMixin):
    __name__ = 'service.configuration'

    request_sequence = fields.MultiValue(fields.Many2One(
            'ir.sequence', "Request Sequence", required=True,
            domain=[
                ('company', 'in',
                    [Eval('context', {}).get('company', -1), None]),
                ('sequence_type', '=',
                    Id('service_desk', 'sequence_type_service_request')),
                ]))
    contract_sequence = fields.MultiValue(fields.Many2One(
            'ir.sequence', "Contract Sequence", required=True,
            domain=[
                ('company', 'in',
                    [Eval('context', {}).get('company', -1), None]),
                ('sequence_type', '=',
                    Id('service_desk', 'sequence_type_service_contract')),
                ]))
    default_sla = fields.MultiValue(fields.Many2One(
            'service.sla', "Default SLA",
            domain=[
                ('company', '=', Eval('context', {}).get('company', -1)),
                ],
            help="The service level of requests whose contract and "
            "customer name none."))
    acceptance_hours = fields.MultiValue(acceptance_hours)
    acceptance_hours_written = fields.MultiValue(acceptance_hours_written)
    follow_up_days = fields.MultiValue(follow_up_days)
    status_link_days = fields.MultiValue(status_link_days)
    inspection_interval_months = fields.MultiValue(
        inspection_interval_months)
    survey_link_days = fields.MultiValue(survey_link_days)

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field in {'request_sequence', 'contract_sequence', 'default_sla',
                'acceptance_hours', 'acceptance_hours_written',
                'follow_up_days', 'status_link_days',
                'survey_link_days', 'inspection_interval_months'}:
            return pool.get('service.configuration.company')
        return super().multivalue_model(field)

    default_request_sequence = _default('request_sequence')
    default_contract_sequence = _default('contract_sequence')
    default_acceptance_hours = _default('acceptance_hours')
    default_acceptance_hours_written = _default('acceptance_hours_written')
    default_inspection_interval_months = _default(
        'inspection_interval_months')
    default_follow_up_days = _default('follow_up_days')
    default_status_link_days = _default('status_link_days')
    default_survey_link_days = _default('survey_link_days')

    @classmethod
    def read(cls, ids, fields_names):
        if Transaction().check_access:
            cls.check_context_company()
        if not ids:
            # Tryton's singleton answers the first id asked for: none asked,
            # none answered
            return []
        return super().read(ids, fields_names)

    @classmethod
    def write(cls, *args):
        if Transaction().check_access:
            cls.check_context_company()
            # Tryton creates the singleton a write finds missing without
            # the access checks, so without the client's: made here, as for
            # a write (what the client sent is a write: no read-only field,
            # not even one equal to its default, as the user's own id)
            if not cls.get_singleton():
                actions = iter(args)
                cls._check_readonly(
                    [values for _, values in zip(actions, actions)])
        super().write(*args)

    @classmethod
    def check_context_company(cls):
        """Refuse the company of the context when it is not the user's: the
        values of each company are read and written for the company of the
        context, without access checks"""
        pool = Pool()
        User = pool.get('res.user')
        Company = pool.get('company.company')
        transaction = Transaction()
        company = transaction.context.get('company')
        if company is None or not transaction.user:
            return
        with without_check_access():
            user = User(transaction.user)
            if company not in {c.id for c in user.companies}:
                companies = Company.search([('id', '=', company)]
                    if isinstance(company, int) and 0 < company < 2**31
                    else [('id', '=', -1)])
                name = companies[0].rec_name if companies else company
                raise ClientRecordError(gettext(
                        'service_desk.msg_configuration_company',
                        company=name))


class ConfigurationCompany(ClientValueMixin, ModelSQL, CompanyValueMixin):
    __name__ = 'service.configuration.company'
    __string__ = "Service Configuration per Company"

    request_sequence = request_sequence
    contract_sequence = contract_sequence
    default_sla = default_sla
    acceptance_hours = acceptance_hours
    acceptance_hours_written = acceptance_hours_written
    follow_up_days = follow_up_days
    status_link_days = status_link_days
    survey_link_days = survey_link_days
    inspection_interval_months = inspection_interval_months

    @classmethod
    def default_request_sequence(cls):
        return cls._default_sequence('sequence_service_request')

    @classmethod
    def default_contract_sequence(cls):
        return cls._default_sequence('sequence_service_contract')

    @staticmethod
    def _default_sequence(xml_id):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('service_desk', xml_id)
        except KeyError:
            return None

    @classmethod
    def default_acceptance_hours(cls):
        return 24

    @classmethod
    def default_acceptance_hours_written(cls):
        return 72

    @classmethod
    def default_follow_up_days(cls):
        return 3

    @classmethod
    def default_inspection_interval_months(cls):
        return 1

    @classmethod
    def default_status_link_days(cls):
        return 90

    @classmethod
    def default_survey_link_days(cls):
        return 14


class ConfigurationComplaint(metaclass=PoolMeta):
    __name__ = 'service.configuration'

    complaint_type = fields.Many2One(
        'sale.complaint.type', "Complaint Type",
        help="The type of the sale complaints that complaint requests "
        "raise.")
