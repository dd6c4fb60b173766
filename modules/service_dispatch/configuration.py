# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id

dispatch_sequence = fields.Many2One(
    'ir.sequence', "Work Order Sequence", required=True,
    domain=[
        ('company', 'in', [Eval('company', -1), None]),
        ('sequence_type', '=',
            Id('service_dispatch', 'sequence_type_service_dispatch')),
        ])
report_days = fields.Integer(
    "Report Days", required=True,
    domain=[('report_days', '>=', 0), ('report_days', '<=', 365)],
    help="The technician hands the signed work order back to the desk "
    "within this many days.")
defective_location = fields.Many2One(
    'stock.location', "Defective Parts Location",
    domain=[('type', '=', 'storage')],
    help="Where defective parts brought back from customers go.")
labour_product = fields.Many2One(
    'product.product', "Labour Product",
    domain=[('type', '=', 'service')],
    context={
        'company': Eval('company', -1),
        },
    depends={'company'},
    help="The service product that prices an hour of labour, proposed on "
    "new labour lines.")

contract_fee_product = fields.Many2One(
    'product.product', "Agreement Fee Product",
    domain=[('type', '=', 'service')],
    context={
        'company': Eval('company', -1),
        },
    depends={'company'},
    help="The service product of the monthly fee of resident agreements "
    "on invoices.")
visit_product = fields.Many2One(
    'product.product', "Visit Product",
    domain=[('type', '=', 'service')],
    context={
        'company': Eval('company', -1),
        },
    depends={'company'},
    help="The service product of a visit under a per-visit agreement on "
    "invoices, priced by the agreement's time band.")
signing_link_hours = fields.Integer(
    "Signing Link Hours", required=True,
    domain=[('signing_link_hours', '>', 0),
        ('signing_link_hours', '<=', 24 * 31)],
    help="A link for the customer to sign a work order on a device "
    "expires after this many hours.")
signing_link_grace_hours = fields.Integer(
    "Signing Link Grace Hours", required=True,
    domain=[('signing_link_grace_hours', '>=', 0),
        ('signing_link_grace_hours', '<=', 24 * 31)],
    help="Once the work order is done, its signing link still shows the "
    "signed work order this many hours.")
quotation_link_days = fields.Integer(
    "Quotation Link Days", required=True,
    domain=[('quotation_link_days', '>', 0),
        ('quotation_link_days', '<=', 366)],
    help="A link for the customer to answer a quotation expires after this "
    "many days.")
COMPANY_VALUES = {'contract_fee_product', 'visit_product',
    'signing_link_hours', 'signing_link_grace_hours', 'quotation_link_days'}


class Configuration(metaclass=PoolMeta):
    __name__ = 'service.configuration'

    dispatch_sequence = fields.MultiValue(fields.Many2One(
            'ir.sequence', "Work Order Sequence", required=True,
            domain=[
                ('company', 'in',
                    [Eval('context', {}).get('company', -1), None]),
                ('sequence_type', '=',
                    Id('service_dispatch', 'sequence_type_service_dispatch')),
                ]))
    report_days = fields.MultiValue(report_days)
    defective_location = fields.MultiValue(fields.Many2One(
            'stock.location', "Defective Parts Location",
            domain=[('type', '=', 'storage')],
            help="Where defective parts brought back from customers go."))
    labour_product = fields.MultiValue(fields.Many2One(
            'product.product', "Labour Product",
            domain=[('type', '=', 'service')],
            help="The service product that prices an hour of labour, "
            "proposed on new labour lines."))
    signing_link_hours = fields.MultiValue(signing_link_hours)
    signing_link_grace_hours = fields.MultiValue(signing_link_grace_hours)
    quotation_link_days = fields.MultiValue(quotation_link_days)
    contract_fee_product = fields.MultiValue(fields.Many2One(
            'product.product', "Agreement Fee Product",
            domain=[('type', '=', 'service')],
            help="The service product of the monthly fee of resident "
            "agreements on invoices."))
    visit_product = fields.MultiValue(fields.Many2One(
            'product.product', "Visit Product",
            domain=[('type', '=', 'service')],
            help="The service product of a visit under a per-visit "
            "agreement on invoices, priced by the agreement's time band."))

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field in {'dispatch_sequence', 'report_days', 'defective_location',
                'labour_product'} | COMPANY_VALUES:
            return pool.get('service.configuration.company')
        return super().multivalue_model(field)

    @classmethod
    def default_dispatch_sequence(cls, **pattern):
        return cls.multivalue_model(
            'dispatch_sequence').default_dispatch_sequence()

    @classmethod
    def default_report_days(cls, **pattern):
        return cls.multivalue_model('report_days').default_report_days()

    @classmethod
    def default_signing_link_hours(cls, **pattern):
        return cls.multivalue_model(
            'signing_link_hours').default_signing_link_hours()

    @classmethod
    def default_signing_link_grace_hours(cls, **pattern):
        return cls.multivalue_model(
            'signing_link_grace_hours').default_signing_link_grace_hours()

    @classmethod
    def default_quotation_link_days(cls, **pattern):
        return cls.multivalue_model(
            'quotation_link_days').default_quotation_link_days()


class ConfigurationCompany(metaclass=PoolMeta):
    __name__ = 'service.configuration.company'

    dispatch_sequence = dispatch_sequence
    report_days = report_days
    defective_location = defective_location
    labour_product = labour_product
    contract_fee_product = contract_fee_product
    visit_product = visit_product
    signing_link_hours = signing_link_hours
    signing_link_grace_hours = signing_link_grace_hours
    quotation_link_days = quotation_link_days

    @classmethod
    def default_signing_link_hours(cls, **pattern):
        return 48

    @classmethod
    def default_signing_link_grace_hours(cls, **pattern):
        return 24

    @classmethod
    def default_quotation_link_days(cls, **pattern):
        return 7

    @classmethod
    def default_dispatch_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id(
                'service_dispatch', 'sequence_service_dispatch')
        except KeyError:
            return None

    @classmethod
    def default_report_days(cls):
        return 2
