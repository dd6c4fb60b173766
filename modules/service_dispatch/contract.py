# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Agreements billed as they are sold

A resident agreement is invoiced its monthly fee for each month of the
agreement, counted from its start date: a scheduled task (and the
accountant's wizard, up to a date) makes one draft invoice per contract and
month, recorded as a fee whose (contract, start date) is unique, so that no
month is ever invoiced twice, even by two runs at once.
"""
import logging

from dateutil.relativedelta import relativedelta

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.modules.service_desk.access import check_readable
from trytond.modules.service_desk.client import ClientValueMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .dispatch import customer_invoice, customer_invoice_line
from .exceptions import ContractFeeError, InvoiceError

logger = logging.getLogger(__name__)


def fee_periods(start_date, end_date, date):
    """Yield the (start, end) of the monthly periods of an agreement from
    start_date (to end_date) that have begun by date"""
    count = 0
    while True:
        start = start_date + relativedelta(months=count)
        if start > date or (end_date and start > end_date):
            return
        end = start_date + relativedelta(months=count + 1, days=-1)
        if end_date:
            end = min(end, end_date)
        yield start, end
        count += 1


class Contract(metaclass=PoolMeta):
    __name__ = 'service.contract'

    fees = fields.One2Many(
        'service.contract.fee', 'contract', "Fees", readonly=True,
        states={
            'invisible': Eval('kind') != 'resident',
            },
        help="The months of the agreement invoiced.")

    @classmethod
    def copy(cls, contracts, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('fees', None)
        return super().copy(contracts, default=default)

    @classmethod
    def invoice_fees(cls, date=None):
        """Invoice the fees of the resident agreements due by the date
        (today in each company): the scheduled task"""
        transaction = Transaction()
        contracts = cls.search([
                ('kind', '=', 'resident'),
                ('state', 'in', ['active', 'expired']),
                ])
        # Each contract in a transaction of its own, so that one whose data
        # is wrong does not prevent the invoices of the others; the
        # transaction starts with the lock create_fee_invoices takes (no
        # caller retries a lock asked for later, as RPC calls do)
        for contract_id in map(int, contracts):
            try:
                with transaction.new_transaction(
                        _lock_records={cls._table: [contract_id]}):
                    cls.create_fee_invoices([cls(contract_id)], date)
            except Exception:
                logger.exception(
                    "Could not invoice the fees of service contract %d",
                    contract_id)

    @classmethod
    def create_fee_invoices(cls, contracts, date=None):
        """Create a draft invoice for each month of the resident agreements
        begun by the date and not invoiced yet; return the invoices"""
        pool = Pool()
        Date = pool.get('ir.date')
        Fee = pool.get('service.contract.fee')
        Invoice = pool.get('account.invoice')
        contracts = [c for c in contracts
            if c.kind == 'resident' and c.state in {'active', 'expired'}]
        if not contracts:
            return []
        # Two runs for the same agreements wait for each other; the unique
        # constraint of the fees refuses what would still slip through
        cls.lock(contracts)
        fees, invoices = [], []
        for contract in contracts:
            with Transaction().set_context(company=contract.company.id):
                until = date or Date.today()
            invoiced = {f.start_date for f in contract.fees}
            for start, end in fee_periods(
                    contract.start_date, contract.end_date, until):
                if start in invoiced:
                    continue
                fees.append(Fee(
                        contract=contract, start_date=start, end_date=end,
                        amount=contract.monthly_fee))
        # The fees first: they are the origin of the invoice lines
        Fee.save(fees)
        invoices = [fee.contract._get_fee_invoice(fee) for fee in fees]
        Invoice.save(invoices)
        Invoice.update_taxes(invoices)
        for fee, invoice in zip(fees, invoices):
            fee.invoice_line, = invoice.lines
        Fee.save(fees)
        return invoices

    def _get_fee_invoice(self, fee):
        pool = Pool()
        Configuration = pool.get('service.configuration')
        Lang = pool.get('ir.lang')
        configuration = Configuration(1)
        product = configuration.get_multivalue(
            'contract_fee_product', company=self.company.id)
        if not product:
            raise InvoiceError(gettext(
                    'service_dispatch.msg_contract_fee_product',
                    contract=self.rec_name))
        with Transaction().set_context(company=self.company.id):
            product = product.__class__(product.id)
            if not product.account_revenue_used:
                raise InvoiceError(gettext(
                        'service_dispatch.msg_contract_fee_product_account',
                        contract=self.rec_name, product=product.rec_name))
        party = self.party
        invoice = customer_invoice(self.company, party, self.number)
        lang = party.lang or Lang.get()
        with Transaction().set_context(language=lang.code):
            description = gettext(
                'service_dispatch.msg_contract_fee_description',
                contract=self.number,
                start=lang.strftime(fee.start_date),
                end=lang.strftime(fee.end_date))
        invoice.lines = [customer_invoice_line(
                self.company, fee, product, 1, product.default_uom,
                fee.amount, description)]
        return invoice


class ContractFee(ClientValueMixin, ModelSQL, ModelView):
    __name__ = 'service.contract.fee'
    __string__ = "Service Contract Fee"

    contract = fields.Many2One(
        'service.contract', "Contract", required=True, readonly=True,
        ondelete='RESTRICT')
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company', searcher='search_company')
    start_date = fields.Date("Start Date", required=True, readonly=True)
    end_date = fields.Date("End Date", required=True, readonly=True)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    amount = fields.Numeric(
        "Amount", digits='currency', required=True, readonly=True)
    invoice_line = fields.Many2One(
        'account.invoice.line', "Invoice Line", readonly=True,
        ondelete='RESTRICT')
    invoice = fields.Function(
        fields.Many2One('account.invoice', "Invoice"), 'get_invoice')
    invoice_state = fields.Function(
        fields.Selection([
                (None, ""),
                ('draft', "Draft"),
                ('validated', "Validated"),
                ('posted', "Posted"),
                ('paid', "Paid"),
                ('cancelled', "Cancelled"),
                ], "Invoice State"),
        'get_invoice_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('contract_start_unique', Unique(t, t.contract, t.start_date),
                'service_dispatch.msg_contract_fee_unique'),
            ]
        cls._order = [
            ('contract', 'ASC'), ('start_date', 'DESC'), ('id', 'DESC')]

    @fields.depends('contract', '_parent_contract.company')
    def on_change_with_company(self, name=None):
        return self.contract.company if self.contract else None

    @classmethod
    def search_company(cls, name, clause):
        return [('contract.' + clause[0], *clause[1:])]

    @fields.depends('contract', '_parent_contract.company')
    def on_change_with_currency(self, name=None):
        if self.contract and self.contract.company:
            return self.contract.company.currency

    def get_invoice(self, name):
        if self.invoice_line and self.invoice_line.invoice:
            return self.invoice_line.invoice.id

    def get_invoice_state(self, name):
        if self.invoice_line and self.invoice_line.invoice:
            return self.invoice_line.invoice.state

    def get_rec_name(self, name):
        pool = Pool()
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        return '%s @ %s' % (
            self.contract.rec_name, lang.strftime(self.start_date))

    @classmethod
    def check_modification(cls, mode, fees, values=None, external=False):
        super().check_modification(
            mode, fees, values=values, external=external)
        if mode == 'delete' or (mode == 'write' and external):
            for fee in fees:
                raise ContractFeeError(gettext(
                        'service_dispatch.msg_contract_fee_modify',
                        fee=fee.rec_name))


class InvoiceFees(Wizard):
    "Invoice the resident agreements' fees of the months begun by a date"
    __name__ = 'service.contract.invoice_fees'
    __string__ = "Invoice Agreement Fees"

    start = StateView('service.contract.invoice_fees.start',
        'service_dispatch.contract_invoice_fees_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Invoice", 'invoice', 'tryton-ok', default=True),
            ])
    invoice = StateAction('account_invoice.act_invoice_out_form')

    def default_start(self, fields):
        pool = Pool()
        Date = pool.get('ir.date')
        Contract = pool.get('service.contract')
        if self.model and self.model.__name__ == 'service.contract':
            contracts = [c for c in self.records if c.kind == 'resident']
        else:
            contracts = Contract.search([
                    ('kind', '=', 'resident'),
                    ('state', 'in', ['active', 'expired']),
                    ], order=[('number', 'ASC')])
        return {
            'date': Date.today(),
            'contracts': [c.id for c in contracts],
            }

    def do_invoice(self, action):
        pool = Pool()
        Contract = pool.get('service.contract')
        contracts = list(self.start.contracts)
        if not contracts:
            raise InvoiceError(gettext(
                    'service_dispatch.msg_contract_fee_choose'))
        check_readable(self.start.__class__,
            {'contracts': [c.id for c in contracts]})
        invoices = Contract.create_fee_invoices(contracts, self.start.date)
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [i.id for i in invoices])])
        return action, {}


class InvoiceFeesStart(ModelView):
    __name__ = 'service.contract.invoice_fees.start'
    __string__ = "Invoice Agreement Fees"

    date = fields.Date(
        "Date", required=True,
        help="The months of the agreements begun by this date are "
        "invoiced, each once.")
    contracts = fields.Many2Many(
        'service.contract', None, None, "Agreements",
        domain=[
            ('kind', '=', 'resident'),
            ('state', 'in', ['active', 'expired']),
            ],
        help="The resident agreements to invoice.")
