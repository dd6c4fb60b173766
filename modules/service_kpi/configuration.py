# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import BonusError

BONUS_RATES = [
    'bonus_manager_rate', 'bonus_deputy_rate', 'bonus_technician_rate']
# The department's fund: its share of the parts profit, by equipment kind,
# and of the resident agreements' profit, with the salesperson's commission
FUND_RATES = ['bonus_fund_own_rate', 'bonus_fund_other_rate',
    'bonus_commission_business_rate', 'bonus_agreement_fund_business_rate',
    'bonus_commission_other_rate', 'bonus_agreement_fund_other_rate']
# The fines of the regulation, by kind, and the range of a property fine
FINES = ['fine_late_report', 'fine_lost_report', 'fine_attitude',
    'fine_property_min', 'fine_property_max']
DEFAULTS = {
    'bonus_fund_own_rate': Decimal('0.25'),
    'bonus_fund_other_rate': Decimal('0.40'),
    'bonus_commission_business_rate': Decimal('0.10'),
    'bonus_agreement_fund_business_rate': Decimal('0.15'),
    'bonus_commission_other_rate': Decimal('0.20'),
    'bonus_agreement_fund_other_rate': Decimal('0.20'),
    'fine_late_report': Decimal(20),
    'fine_lost_report': Decimal(20),
    'fine_attitude': Decimal(50),
    'fine_property_min': Decimal(50),
    'fine_property_max': Decimal(200),
    }
# The revisit calls of the regulation: every 6 months for an important
# customer, every 12 for any other
REVISITS = ['revisit_important_months', 'revisit_other_months']
DEFAULTS.update({
        'revisit_important_months': 6,
        'revisit_other_months': 12,
        })
BONUS_FIELDS = {
    'bonus_allowance', 'bonus_manager', 'bonus_deputy'} | set(
    BONUS_RATES) | set(FUND_RATES) | set(FINES) | set(REVISITS)


def rate_field(string, help):
    return fields.Numeric(string, digits=(16, 4), required=True, help=help)


bonus_allowance = fields.Numeric(
    "Per-visit Allowance", digits=(16, 2), required=True,
    domain=[('bonus_allowance', '>=', 0)],
    help="Paid for each valid work order: done and signed by the customer.")
bonus_manager_rate = rate_field(
    "Manager Share", "The manager's share of the parts-profit pool.")
bonus_deputy_rate = rate_field(
    "Deputy Share", "The deputy manager's share of the parts-profit pool.")
bonus_technician_rate = rate_field(
    "Technicians Share",
    "The technicians' share of the parts-profit pool, split in proportion "
    "to their valid work orders.")
bonus_fund_own_rate = rate_field(
    "Fund Rate (Own Equipment)",
    "The share of the net parts profit made on equipment the company sold "
    "that goes to the department's fund.")
bonus_fund_other_rate = rate_field(
    "Fund Rate (Other Equipment)",
    "The share of the net parts profit made on other equipment that goes to "
    "the department's fund.")
bonus_commission_business_rate = rate_field(
    "Commission (Company's Customers)",
    "The salesperson's commission on the quarter's net profit of a resident "
    "agreement with a customer of the company's business.")
bonus_agreement_fund_business_rate = rate_field(
    "Agreement Fund Rate (Company's Customers)",
    "The share of the quarter's net profit of a resident agreement with a "
    "customer of the company's business that goes to the department's "
    "fund.")
bonus_commission_other_rate = rate_field(
    "Commission (Other Customers)",
    "The salesperson's commission on the quarter's net profit of a resident "
    "agreement with another customer.")
bonus_agreement_fund_other_rate = rate_field(
    "Agreement Fund Rate (Other Customers)",
    "The share of the quarter's net profit of a resident agreement with "
    "another customer that goes to the department's fund.")


def fine_field(name, string, help):
    return fields.Numeric(
        string, digits=(16, 2), required=True,
        domain=[(name, '>=', 0)], help=help)


fine_late_report = fine_field(
    'fine_late_report', "Fine for a Late Report",
    "Deducted for a work order report handed back late.")
fine_lost_report = fine_field(
    'fine_lost_report', "Fine for a Lost Report",
    "Deducted for a work order report lost.")
fine_attitude = fine_field(
    'fine_attitude', "Fine for Attitude",
    "Deducted for a justified complaint about a technician's attitude.")
fine_property_min = fine_field(
    'fine_property_min', "Least Property Fine",
    "The least fine for damage to or unauthorised use of customer "
    "property; the manager sets each within the range.")
fine_property_max = fine_field(
    'fine_property_max', "Greatest Property Fine",
    "The greatest fine for damage to or unauthorised use of customer "
    "property.")


def months_field(name, string, help):
    return fields.Integer(
        string, required=True,
        domain=[(name, '>', 0), (name, '<=', 120)], help=help)


revisit_important_months = months_field(
    'revisit_important_months', "Revisit Months (Important Customers)",
    "An important customer is called back this many months after the last "
    "revisit call, or after the first repair.")
revisit_other_months = months_field(
    'revisit_other_months', "Revisit Months (Other Customers)",
    "Any other customer who had service is called back this many months "
    "after the last revisit call, or after the first repair.")
bonus_manager = fields.Many2One(
    'company.employee', "Manager",
    domain=[('company', '=', Eval('company', -1))],
    help="The manager proposed on new bonus statements.")
bonus_deputy = fields.Many2One(
    'company.employee', "Deputy Manager",
    domain=[('company', '=', Eval('company', -1))],
    help="The deputy manager proposed on new bonus statements.")


class Configuration(metaclass=PoolMeta):
    __name__ = 'service.configuration'

    bonus_allowance = fields.MultiValue(bonus_allowance)
    bonus_manager_rate = fields.MultiValue(bonus_manager_rate)
    bonus_deputy_rate = fields.MultiValue(bonus_deputy_rate)
    bonus_technician_rate = fields.MultiValue(bonus_technician_rate)
    bonus_fund_own_rate = fields.MultiValue(bonus_fund_own_rate)
    bonus_fund_other_rate = fields.MultiValue(bonus_fund_other_rate)
    bonus_commission_business_rate = fields.MultiValue(
        bonus_commission_business_rate)
    bonus_agreement_fund_business_rate = fields.MultiValue(
        bonus_agreement_fund_business_rate)
    bonus_commission_other_rate = fields.MultiValue(
        bonus_commission_other_rate)
    bonus_agreement_fund_other_rate = fields.MultiValue(
        bonus_agreement_fund_other_rate)
    fine_late_report = fields.MultiValue(fine_late_report)
    fine_lost_report = fields.MultiValue(fine_lost_report)
    fine_attitude = fields.MultiValue(fine_attitude)
    fine_property_min = fields.MultiValue(fine_property_min)
    fine_property_max = fields.MultiValue(fine_property_max)
    revisit_important_months = fields.MultiValue(revisit_important_months)
    revisit_other_months = fields.MultiValue(revisit_other_months)
    bonus_manager = fields.MultiValue(fields.Many2One(
            'company.employee', "Manager",
            domain=[
                ('company', '=', Eval('context', {}).get('company', -1)),
                ],
            help="The manager proposed on new bonus statements."))
    bonus_deputy = fields.MultiValue(fields.Many2One(
            'company.employee', "Deputy Manager",
            domain=[
                ('company', '=', Eval('context', {}).get('company', -1)),
                ],
            help="The deputy manager proposed on new bonus statements."))

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field in BONUS_FIELDS:
            return pool.get('service.configuration.company')
        return super().multivalue_model(field)

    @classmethod
    def default_bonus_allowance(cls, **pattern):
        return cls.multivalue_model(
            'bonus_allowance').default_bonus_allowance()

    @classmethod
    def default_bonus_manager_rate(cls, **pattern):
        return cls.multivalue_model(
            'bonus_manager_rate').default_bonus_manager_rate()

    @classmethod
    def default_bonus_deputy_rate(cls, **pattern):
        return cls.multivalue_model(
            'bonus_deputy_rate').default_bonus_deputy_rate()

    @classmethod
    def default_bonus_technician_rate(cls, **pattern):
        return cls.multivalue_model(
            'bonus_technician_rate').default_bonus_technician_rate()


    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        # The shares are written one by one, so they are checked together
        # only once all of them are
        if field_names & set(BONUS_RATES):
            cls.check_bonus_rates_total(configurations)

    @classmethod
    def check_bonus_rates_total(cls, configurations):
        "The shares of the company all together not more than the whole pool"
        pool = Pool()
        Company = pool.get('company.company')
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        company_id = Transaction().context.get('company')
        for configuration in configurations:
            total = sum(
                configuration.get_multivalue(name, company=company_id) or 0
                for name in BONUS_RATES)
            if total > 1:
                raise BonusError(gettext(
                        'service_kpi.msg_bonus_rates_total',
                        company=(
                            Company(company_id).rec_name
                            if company_id is not None else ''),
                        total=lang.format('%.2f', total * 100)))


class ConfigurationCompany(metaclass=PoolMeta):
    __name__ = 'service.configuration.company'

    bonus_allowance = bonus_allowance
    bonus_manager_rate = bonus_manager_rate
    bonus_deputy_rate = bonus_deputy_rate
    bonus_technician_rate = bonus_technician_rate
    bonus_fund_own_rate = bonus_fund_own_rate
    bonus_fund_other_rate = bonus_fund_other_rate
    bonus_commission_business_rate = bonus_commission_business_rate
    bonus_agreement_fund_business_rate = bonus_agreement_fund_business_rate
    bonus_commission_other_rate = bonus_commission_other_rate
    bonus_agreement_fund_other_rate = bonus_agreement_fund_other_rate
    fine_late_report = fine_late_report
    fine_lost_report = fine_lost_report
    fine_attitude = fine_attitude
    fine_property_min = fine_property_min
    fine_property_max = fine_property_max
    revisit_important_months = revisit_important_months
    revisit_other_months = revisit_other_months
    bonus_manager = bonus_manager
    bonus_deputy = bonus_deputy

    @classmethod
    def default_bonus_allowance(cls):
        return Decimal(10)

    @classmethod
    def default_bonus_manager_rate(cls):
        return Decimal('0.12')

    @classmethod
    def default_bonus_deputy_rate(cls):
        return Decimal('0.08')

    @classmethod
    def default_bonus_technician_rate(cls):
        return Decimal('0.80')


    @classmethod
    def validate_fields(cls, values, field_names):
        super().validate_fields(values, field_names)
        if field_names & (set(BONUS_RATES) | set(FUND_RATES)):
            cls.check_bonus_rate_range(values)
        if field_names & {'fine_property_min', 'fine_property_max'}:
            for value in values:
                if ((value.fine_property_min or 0)
                        > (value.fine_property_max or 0)):
                    raise BonusError(gettext(
                            'service_kpi.msg_fine_property_range',
                            company=(
                                value.company.rec_name if value.company
                                else '')))

    @classmethod
    def check_bonus_rate_range(cls, values):
        "Each share and rate from 0 to 1"
        names = BONUS_RATES + FUND_RATES
        strings = cls.fields_get(names)
        for value in values:
            for name in names:
                if not 0 <= (getattr(value, name) or 0) <= 1:
                    raise BonusError(gettext(
                            'service_kpi.msg_bonus_rate_range',
                            field=strings[name]['string'],
                            company=(
                                value.company.rec_name if value.company
                                else '')))


def _set_defaults(*classes):
    "The default_<field> methods of the rates and fines of DEFAULTS"
    for name, value in DEFAULTS.items():
        def default(cls, _value=value, **pattern):
            return _value
        for Class in classes:
            setattr(Class, 'default_' + name, classmethod(default))


_set_defaults(Configuration, ConfigurationCompany)
