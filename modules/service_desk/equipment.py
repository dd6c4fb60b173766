# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from dateutil.relativedelta import relativedelta

from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction


class Equipment(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'service.equipment'
    __string__ = "Customer Equipment"
    _history = True

    company = fields.Many2One('company.company', "Company", required=True)
    party = fields.Many2One(
        'party.party', "Customer", required=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    product = fields.Many2One(
        'product.product', "Product", required=True,
        domain=[('type', 'in', ['goods', 'assets'])],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    serial_number = fields.Char("Serial Number")
    address = fields.Many2One(
        'party.address', "Address",
        domain=[('party', '=', Eval('party', -1))],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Where the equipment is installed.")
    sale_date = fields.Date("Sale Date")
    installation_date = fields.Date("Installation Date")
    warranty_end = fields.Date(
        "Warranty End",
        help="Computed from the sale (or installation) date and the "
        "product's warranty; may be overridden.")
    contracts = fields.Many2Many(
        'service.contract-service.equipment', 'equipment', 'contract',
        "Contracts", readonly=True)
    contract = fields.Function(fields.Many2One(
            'service.contract', "Contract",
            help="The active contract covering the equipment today."),
        'get_contract', searcher='search_contract')
    requests = fields.One2Many(
        'service.request', 'equipment', "Requests", readonly=True)
    notes = fields.Text("Notes")

    @classmethod
    def __setup__(cls):
        cls.serial_number.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('serial_unique',
                Unique(t, t.company, t.product, t.serial_number),
                'service_desk.msg_equipment_serial_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.serial_number, Index.Similarity())))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @fields.depends('product', 'sale_date', 'installation_date')
    def on_change_with_warranty_end(self):
        start = self.sale_date or self.installation_date
        if self.product and start:
            months = self.product.service_warranty_months
            if months:
                return start + relativedelta(months=months)

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Product = pool.get('product.product')
        values = super().preprocess_values(mode, values)
        start = values.get('sale_date') or values.get('installation_date')
        if (mode == 'create' and 'warranty_end' not in values
                and start and values.get('product')):
            months = Product(values['product']).service_warranty_months
            if months:
                values['warranty_end'] = start + relativedelta(months=months)
        return values

    def get_rec_name(self, name):
        if self.serial_number:
            return f'{self.product.rec_name} [{self.serial_number}]'
        return self.product.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('serial_number', operator, operand, *extra),
            ('product.rec_name', operator, operand, *extra),
            ]

    def covering_contract(self, date):
        for contract in self.contracts:
            if contract.covers(date):
                return contract

    def get_contract(self, name):
        pool = Pool()
        Date = pool.get('ir.date')
        with Transaction().set_context(company=self.company.id):
            today = Date.today()
        contract = self.covering_contract(today)
        return contract.id if contract else None

    @classmethod
    def search_contract(cls, name, clause):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        _, operator, operand, *extra = clause
        nested = clause[0][len(name) + 1:] or 'id'
        return [('contracts', 'where', [
                    (nested, operator, operand, *extra),
                    ('state', '=', 'active'),
                    ('start_date', '<=', today),
                    ['OR',
                        ('end_date', '=', None),
                        ('end_date', '>=', today),
                        ],
                    ])]


class EquipmentLot(metaclass=PoolMeta):
    __name__ = 'service.equipment'

    lot = fields.Many2One(
        'stock.lot', "Lot",
        domain=[('product', '=', Eval('product', -1))],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})

    @fields.depends('lot', 'serial_number')
    def on_change_lot(self):
        if self.lot and not self.serial_number:
            self.serial_number = self.lot.number
