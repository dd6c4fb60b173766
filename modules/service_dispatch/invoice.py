# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.product import price_digits
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, PYSONEncoder
from trytond.wizard import Button, StateAction, StateView, Wizard

from .exceptions import InvoiceError


class Dispatch(metaclass=PoolMeta):
    __name__ = 'service.dispatch'

    travel_product = fields.Many2One(
        'product.product', "Travel Product",
        domain=[('type', '=', 'service')],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            },
        help="The service product that prices the travel.")
    travel_quantity = fields.Float(
        "Travel Quantity",
        domain=['OR',
            ('travel_quantity', '=', None),
            ('travel_quantity', '>=', 0),
            ],
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            'invisible': ~Eval('travel_product'),
            })
    travel_unit_price = fields.Numeric(
        "Travel Unit Price", digits=price_digits,
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            'invisible': ~Eval('travel_product'),
            })
    invoice_lines = fields.Function(fields.Many2Many(
            'account.invoice.line', None, None, "Invoice Lines"),
        'get_invoice_lines')
    invoice_state = fields.Function(fields.Selection([
                ('none', "None"),
                ('pending', "Pending"),
                ('invoiced', "Invoiced"),
                ('paid', "Paid"),
                ], "Invoice State"), 'get_invoice_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'invoice': {
                    'invisible': ((Eval('state') != 'done')
                        | ~Eval('chargeable')
                        | (Eval('quotation_state') == 'refused')),
                    'depends': ['state', 'chargeable', 'quotation_state'],
                    },
                })

    @fields.depends('travel_product', 'travel_quantity')
    def on_change_travel_product(self):
        if self.travel_product:
            self.travel_unit_price = self.travel_product.list_price_used
            if not self.travel_quantity:
                self.travel_quantity = 1

    def _invoice_origins(self):
        return ([str(self)] + [str(p) for p in self.parts]
            + [str(l) for l in self.labour])

    @classmethod
    def get_invoice_lines(cls, dispatches, name):
        pool = Pool()
        InvoiceLine = pool.get('account.invoice.line')
        origins = {}
        for dispatch in dispatches:
            for origin in dispatch._invoice_origins():
                origins[origin] = dispatch.id
        result = {d.id: [] for d in dispatches}
        for line in InvoiceLine.search([
                    ('origin', 'in', list(origins)),
                    ], order=[('id', 'ASC')]):
            result[origins[str(line.origin)]].append(line.id)
        return result

    def get_invoice_state(self, name):
        invoices = {l.invoice for l in self.invoice_lines
            if l.invoice and l.invoice.state != 'cancelled'}
        if not invoices:
            return 'none'
        if all(i.state == 'paid' for i in invoices):
            return 'paid'
        if all(i.state in {'posted', 'paid'} for i in invoices):
            return 'invoiced'
        return 'pending'

    @classmethod
    def copy(cls, dispatches, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('travel_product', None)
        default.setdefault('travel_quantity', None)
        default.setdefault('travel_unit_price', None)
        return super().copy(dispatches, default=default)

    @staticmethod
    def _invoiced_quantities(origins):
        "Return the quantity invoiced per origin, cancelled invoices aside"
        pool = Pool()
        InvoiceLine = pool.get('account.invoice.line')
        quantities = defaultdict(float)
        for line in InvoiceLine.search([
                    ('origin', 'in', [str(o) for o in origins]),
                    ['OR',
                        ('invoice', '=', None),
                        ('invoice.state', '!=', 'cancelled'),
                        ],
                    ]):
            quantities[str(line.origin)] += line.quantity
        return quantities

    def _get_invoice_line(self, origin, product, quantity, unit, unit_price,
            description=None):
        pool = Pool()
        InvoiceLine = pool.get('account.invoice.line')
        if not product.account_revenue_used:
            raise InvoiceError(gettext(
                    'service_dispatch.msg_invoice_product_account',
                    dispatch=self.rec_name,
                    product=product.rec_name))
        line = InvoiceLine(
            type='line',
            invoice_type='out',
            company=self.company,
            currency=self.company.currency,
            product=product,
            quantity=unit.round(quantity),
            unit=unit,
            unit_price=unit_price or Decimal(0),
            account=product.account_revenue_used,
            taxes=product.customer_taxes_used,
            description=description or product.rec_name,
            origin=origin,
            )
        return line

    def get_invoice_lines_to_create(self):
        "Return the invoice lines of what is chargeable and not invoiced"
        if (self.state != 'done' or not self.chargeable
                or self.quotation_state == 'refused'):
            return []
        origins = []
        if self.charge_parts:
            origins += [p for p in self.parts if p.chargeable]
        if self.charge_labour:
            origins += [l for l in self.labour if l.chargeable]
            if self.travel_product and self.travel_quantity:
                origins.append(self)
        invoiced = self._invoiced_quantities(origins)
        lines = []
        for origin in origins:
            if origin == self:
                quantity = self.travel_quantity
                product = self.travel_product
                unit = product.default_uom
                unit_price = self.travel_unit_price
                description = None
            elif origin.__name__ == 'service.dispatch.part':
                quantity = origin.quantity_issued - origin.quantity_returned
                product, unit = origin.product, origin.unit
                unit_price = origin.unit_price
                description = origin.description
            else:
                if not origin.product:
                    raise InvoiceError(gettext(
                            'service_dispatch.msg_invoice_labour_product',
                            dispatch=self.rec_name,
                            employee=origin.employee.rec_name))
                quantity = float(origin.hours)
                product, unit = origin.product, origin.product.default_uom
                unit_price = origin.unit_price
                description = origin.description
            quantity -= invoiced[str(origin)]
            if unit.round(quantity) > 0:
                lines.append(self._get_invoice_line(
                        origin, product, quantity, unit, unit_price,
                        description))
        return lines

    def _get_invoice(self):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        party = self.party
        invoice = Invoice(
            company=self.company,
            type='out',
            party=party,
            invoice_address=party.address_get(type='invoice'),
            currency=self.company.currency,
            account=party.account_receivable_used,
            payment_term=party.customer_payment_term,
            lines=[],
            )
        invoice.set_journal()
        return invoice

    @classmethod
    def create_invoices(cls, dispatches):
        """Create draft customer invoices, one per party and currency, from
        the chargeable parts, labour and travel not invoiced yet"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        for dispatch in dispatches:
            if dispatch.state != 'done':
                raise InvoiceError(gettext(
                        'service_dispatch.msg_dispatch_invoice_not_done',
                        dispatch=dispatch.rec_name))
        # Two accountants invoicing the same work orders wait for each other
        cls.lock(dispatches)
        invoices = {}
        for dispatch in sorted(dispatches, key=lambda d: d.number or ''):
            lines = dispatch.get_invoice_lines_to_create()
            if not lines:
                continue
            key = (dispatch.company, dispatch.party, dispatch.company.currency)
            if key not in invoices:
                invoices[key] = dispatch._get_invoice()
            invoice = invoices[key]
            invoice.lines = list(invoice.lines) + lines
        invoices = list(invoices.values())
        Invoice.save(invoices)
        Invoice.update_taxes(invoices)
        return invoices

    @classmethod
    @ModelView.button_action('service_dispatch.act_invoice_open')
    def invoice(cls, dispatches):
        invoices = cls.create_invoices(dispatches)
        return {
            'res_id': [i.id for i in invoices],
            'pyson_domain': PYSONEncoder().encode(
                [('id', 'in', [i.id for i in invoices])]),
            }


class InvoiceLine(metaclass=PoolMeta):
    __name__ = 'account.invoice.line'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + [
            'service.dispatch', 'service.dispatch.part',
            'service.dispatch.labour']


class CreateInvoices(Wizard):
    "Invoice the done work orders an accountant selects, or all of them"
    __name__ = 'service.dispatch.create_invoices'
    __string__ = "Create Service Invoices"

    start = StateView('service.dispatch.create_invoices.start',
        'service_dispatch.create_invoices_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Create", 'create_', 'tryton-ok', default=True),
            ])
    create_ = StateAction('account_invoice.act_invoice_out_form')

    def default_start(self, fields):
        if self.model and self.model.__name__ == 'service.dispatch':
            return {
                'dispatches': [d.id for d in self.records
                    if d.state == 'done'],
                }
        return {}

    def do_create_(self, action):
        pool = Pool()
        Dispatch = pool.get('service.dispatch')
        dispatches = list(self.start.dispatches)
        if not dispatches:
            dispatches = Dispatch.search([
                    ('state', '=', 'done'),
                    ('chargeable', '=', True),
                    ('quotation_state', '!=', 'refused'),
                    ])
        invoices = Dispatch.create_invoices(dispatches)
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [i.id for i in invoices])])
        return action, {}


class CreateInvoicesStart(ModelView):
    __name__ = 'service.dispatch.create_invoices.start'
    __string__ = "Create Service Invoices"

    dispatches = fields.Many2Many(
        'service.dispatch', None, None, "Work Orders",
        domain=[('state', '=', 'done')],
        help="Leave empty to invoice every done work order with something "
        "chargeable not invoiced yet.")
