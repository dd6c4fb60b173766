# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The quarterly bonus statement

- allowance: the technician's valid work orders times the per-visit
  allowance;
- parts profit: the chargeable parts issued, less those returned, on the
  work orders done in the quarter, at their price less their cost, apart on
  the equipment the company sold and on other equipment (or none);
- the department's fund: a share of each (25 % and 40 % by default, the
  department's regulation; nothing of one that is a loss);
- resident agreements: each one's net profit of the quarter (the fees of
  the months begun in the quarter and invoiced, less the cost of what it
  consumed: the parts it covered at their cost and the labour it covered at
  the labour product's cost price); of it, the salesperson's commission
  and the fund's share, at the rates of a customer of the company's
  business (10 % and 15 %) or of another (20 % and 20 %); nothing of a loss;
- the fund goes to the manager, the deputy and the technicians at their
  configured shares, the technicians' share split in proportion to their
  valid work orders;
- each line: the share of the fund, the allowance and the commission, less
  the fines of the quarter.

The figures are stored when computed, so a confirmed statement keeps them
whatever happens to the work orders afterwards.
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from dateutil.relativedelta import relativedelta
from sql import Cast, Literal, Null
from sql.aggregate import Count, Sum
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.modules.company import CompanyReport
from trytond.modules.service_desk.client import ClientValueMixin
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .exceptions import BonusError, BonusModificationError
from .kpi import part_moves

RATES = {
    'fund_own_rate': 'bonus_fund_own_rate',
    'fund_other_rate': 'bonus_fund_other_rate',
    'commission_business_rate': 'bonus_commission_business_rate',
    'agreement_fund_business_rate': 'bonus_agreement_fund_business_rate',
    'commission_other_rate': 'bonus_commission_other_rate',
    'agreement_fund_other_rate': 'bonus_agreement_fund_other_rate',
    'allowance_rate': 'bonus_allowance',
    'manager_rate': 'bonus_manager_rate',
    'deputy_rate': 'bonus_deputy_rate',
    'technician_rate': 'bonus_technician_rate',
    }


def quarter_dates(year, quarter):
    "Return the first and the last day of the quarter"
    start = dt.date(year, 3 * (quarter - 1) + 1, 1)
    return start, start + relativedelta(months=3, days=-1)


def quarter_of(date):
    "Return the year and the quarter of the date"
    return date.year, (date.month - 1) // 3 + 1


def split(amount, weights, round_):
    """Return the amount times each weight, rounded by round_

    The shares sum to the amount times the sum of the weights, rounded: the
    rounding difference goes to the largest share (the first of them)."""
    def rounded(value):
        return round_(Decimal(value.numerator) / Decimal(value.denominator))
    exact = [Fraction(amount) * Fraction(w) for w in weights]
    shares = [rounded(e) for e in exact]
    if shares:
        largest = shares.index(max(shares))
        shares[largest] += rounded(sum(exact)) - sum(shares)
    return shares


def as_decimal(value):
    "Return the SQL sum as Decimal (SQLite gives numbers as float or int)"
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


class Bonus(ClientValueMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'service.bonus'
    __string__ = "Bonus Statement"

    _draft = {
        'readonly': Eval('state') != 'draft',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_draft)
    year = fields.Integer(
        "Year", required=True, states=_draft,
        domain=[('year', '>=', 1900), ('year', '<=', 2999)])
    quarter = fields.Integer(
        "Quarter", required=True, states=_draft,
        domain=[('quarter', 'in', [1, 2, 3, 4])],
        help="1 for January to March, up to 4 for October to December.")
    start_date = fields.Function(
        fields.Date("Start Date"), 'on_change_with_start_date')
    end_date = fields.Function(
        fields.Date("End Date"), 'on_change_with_end_date')
    manager = fields.Many2One(
        'company.employee', "Manager", states=_draft,
        domain=[('company', '=', Eval('company', -1))])
    deputy = fields.Many2One(
        'company.employee', "Deputy Manager", states=_draft,
        domain=[('company', '=', Eval('company', -1))])
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    parts_revenue = fields.Numeric(
        "Parts Revenue", digits='currency', readonly=True,
        help="Chargeable parts issued, less those returned, at their price, "
        "on the work orders done in the quarter.")
    parts_cost = fields.Numeric(
        "Parts Cost", digits='currency', readonly=True,
        help="The cost of the same parts when they left the stock.")
    parts_profit = fields.Numeric(
        "Parts Profit", digits='currency', readonly=True,
        help="The revenue less the cost of the parts.")
    parts_profit_own = fields.Numeric(
        "Parts Profit (Own Equipment)", digits='currency', readonly=True,
        help="The parts profit made on equipment the company sold.")
    parts_profit_other = fields.Numeric(
        "Parts Profit (Other Equipment)", digits='currency', readonly=True,
        help="The parts profit made on other equipment, or with none.")
    fund_own_rate = fields.Numeric(
        "Fund Rate (Own Equipment)", digits=(16, 4), readonly=True)
    fund_other_rate = fields.Numeric(
        "Fund Rate (Other Equipment)", digits=(16, 4), readonly=True)
    agreement_profit = fields.Numeric(
        "Agreement Profit", digits='currency', readonly=True,
        help="The net profit of the resident agreements in the quarter: "
        "their fees less the cost of what they consumed.")
    agreement_fund = fields.Numeric(
        "Agreement Fund", digits='currency', readonly=True,
        help="The fund's share of the resident agreements' profit.")
    commission_business_rate = fields.Numeric(
        "Commission (Company's Customers)", digits=(16, 4), readonly=True)
    agreement_fund_business_rate = fields.Numeric(
        "Agreement Fund Rate (Company's Customers)", digits=(16, 4),
        readonly=True)
    commission_other_rate = fields.Numeric(
        "Commission (Other Customers)", digits=(16, 4), readonly=True)
    agreement_fund_other_rate = fields.Numeric(
        "Agreement Fund Rate (Other Customers)", digits=(16, 4),
        readonly=True)
    agreements = fields.One2Many(
        'service.bonus.agreement', 'bonus', "Agreements", readonly=True)
    fund = fields.Numeric(
        "Fund", digits='currency', readonly=True,
        help="The department's fund shared out: each parts profit (unless "
        "a loss) at its rate, rounded, and the agreements' share.")
    allowance_rate = fields.Numeric(
        "Per-visit Allowance", digits=(16, 2), readonly=True,
        help="Paid for each valid work order.")
    manager_rate = fields.Numeric(
        "Manager Share", digits=(16, 4), readonly=True)
    deputy_rate = fields.Numeric(
        "Deputy Share", digits=(16, 4), readonly=True)
    technician_rate = fields.Numeric(
        "Technicians Share", digits=(16, 4), readonly=True)
    lines = fields.One2Many(
        'service.bonus.line', 'bonus', "Lines", readonly=True)
    total_amount = fields.Function(
        fields.Numeric("Total", digits='currency'), 'get_total_amount')
    state = fields.Selection([
            ('draft', "Draft"),
            ('confirmed', "Confirmed"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('year', 'DESC'),
            ('quarter', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'confirmed'),
            ('draft', 'cancelled'),
            ('confirmed', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'compute': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'confirm': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') == 'cancelled',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def _last_quarter(cls):
        "The year and quarter before today's"
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        return divmod(today.year * 4 + (today.month - 1) // 3 - 1, 4)

    @classmethod
    def default_year(cls):
        return cls._last_quarter()[0]

    @classmethod
    def default_quarter(cls):
        return cls._last_quarter()[1] + 1

    @classmethod
    def _default_employee(cls, name, company_id):
        pool = Pool()
        Configuration = pool.get('service.configuration')
        if company_id is None:
            return None
        employee = Configuration(1).get_multivalue(name, company=company_id)
        return employee.id if employee else None

    @classmethod
    def default_manager(cls):
        return cls._default_employee('bonus_manager', cls.default_company())

    @classmethod
    def default_deputy(cls):
        return cls._default_employee('bonus_deputy', cls.default_company())

    @staticmethod
    def default_state():
        return 'draft'

    @fields.depends('company', 'manager', 'deputy')
    def on_change_company(self):
        if self.company:
            self.manager = self._default_employee(
                'bonus_manager', self.company.id)
            self.deputy = self._default_employee(
                'bonus_deputy', self.company.id)

    @fields.depends('year', 'quarter')
    def on_change_with_start_date(self, name=None):
        if self.year and self.quarter in {1, 2, 3, 4}:
            return quarter_dates(self.year, self.quarter)[0]

    @fields.depends('year', 'quarter')
    def on_change_with_end_date(self, name=None):
        if self.year and self.quarter in {1, 2, 3, 4}:
            return quarter_dates(self.year, self.quarter)[1]

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @classmethod
    def get_total_amount(cls, bonuses, name):
        return {b.id: sum((l.amount for l in b.lines), Decimal(0))
            for b in bonuses}

    def get_rec_name(self, name):
        return f'{self.year}-Q{self.quarter}'

    @classmethod
    def validate_fields(cls, bonuses, field_names):
        super().validate_fields(bonuses, field_names)
        if field_names & {'company', 'year', 'quarter', 'state'}:
            cls.check_unique_quarter(bonuses)

    @classmethod
    def check_unique_quarter(cls, bonuses):
        "One statement per company and quarter, the cancelled aside"
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        # Two managers creating the same quarter wait for each other
        cls.lock()
        table = cls.__table__()
        other = cls.__table__()
        for sub_bonuses in grouped_slice(bonuses, 500):
            cursor.execute(*table.join(other,
                    condition=(other.company == table.company)
                    & (other.year == table.year)
                    & (other.quarter == table.quarter)
                    & (other.id != table.id)
                    ).select(table.id,
                    where=reduce_ids(table.id, [b.id for b in sub_bonuses])
                    & (table.state != 'cancelled')
                    & (other.state != 'cancelled'),
                    limit=1))
            row = cursor.fetchone()
            if row:
                bonus = cls(row[0])
                raise BonusError(gettext(
                        'service_kpi.msg_bonus_unique_quarter',
                        bonus=bonus.rec_name,
                        company=bonus.company.rec_name))

    @classmethod
    def check_modification(cls, mode, bonuses, values=None, external=False):
        super().check_modification(
            mode, bonuses, values=values, external=external)
        if mode == 'delete':
            for bonus in bonuses:
                if bonus.state == 'confirmed':
                    raise BonusModificationError(gettext(
                            'service_kpi.msg_bonus_delete_confirmed',
                            bonus=bonus.rec_name))
        elif mode == 'write' and external:
            for bonus in bonuses:
                if bonus.state != 'draft':
                    raise BonusModificationError(gettext(
                            'service_kpi.msg_bonus_modify_not_draft',
                            bonus=bonus.rec_name))

    @classmethod
    def _readonly_error(cls, bonus, name):
        if bonus.state != 'draft':
            return BonusModificationError(gettext(
                    'service_kpi.msg_bonus_modify_not_draft',
                    bonus=bonus.rec_name))
        return super()._readonly_error(bonus, name)

    @classmethod
    def copy(cls, bonuses, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('lines', None)
        default.setdefault('agreements', None)
        for name in ['parts_revenue', 'parts_cost', 'parts_profit',
                'parts_profit_own', 'parts_profit_other', 'agreement_profit',
                'agreement_fund', 'fund']:
            default.setdefault(name, None)
        for name in RATES:
            default.setdefault(name, None)
        return super().copy(bonuses, default=default)

    @classmethod
    @ModelView.button
    def compute(cls, bonuses):
        "Compute the statements from the quarter's data and the rates"
        pool = Pool()
        Line = pool.get('service.bonus.line')
        Agreement = pool.get('service.bonus.agreement')
        for bonus in bonuses:
            if bonus.state != 'draft':
                raise BonusModificationError(gettext(
                        'service_kpi.msg_bonus_modify_not_draft',
                        bonus=bonus.rec_name))
        Line.delete([l for b in bonuses for l in b.lines])
        Agreement.delete([a for b in bonuses for a in b.agreements])
        lines, agreements = [], []
        for bonus in bonuses:
            bonus.set_rates()
            bonus.set_parts_profit()
            bonus_agreements = bonus.get_agreements()
            bonus.agreement_profit = sum(
                (a.profit for a in bonus_agreements), Decimal(0))
            bonus.agreement_fund = sum(
                (a.fund for a in bonus_agreements), Decimal(0))
            bonus.fund += bonus.agreement_fund
            agreements.extend(bonus_agreements)
            lines.extend(bonus.get_lines(bonus_agreements))
        cls.save(bonuses)
        Agreement.save(agreements)
        Line.save(lines)

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, bonuses):
        # What is confirmed is the quarter as it is now, not as it was when
        # last computed
        cls.compute(bonuses)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, bonuses):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, bonuses):
        pass

    def set_rates(self):
        "Copy the rates of the configuration, to show what was applied"
        pool = Pool()
        Configuration = pool.get('service.configuration')
        configuration = Configuration(1)
        for name, config_name in RATES.items():
            setattr(self, name, configuration.get_multivalue(
                    config_name, company=self.company.id))

    def _done_work_orders(self, dispatch):
        "The condition on the work orders done in the quarter"
        pool = Pool()
        Dispatch = pool.get('service.dispatch')
        return (Dispatch.period_condition(
                dispatch, self.company,
                *quarter_dates(self.year, self.quarter))
            & (dispatch.state == 'done'))

    def set_parts_profit(self):
        pool = Pool()
        Equipment = pool.get('service.equipment')
        cursor = Transaction().connection.cursor()
        # Returned parts come back from the customer: they are taken off
        join, move, part, dispatch, sign = part_moves()
        equipment = Equipment.__table__()
        # (no equipment: other equipment)
        own = equipment.sold_by_company
        cursor.execute(*join
            .join(equipment, 'LEFT',
                condition=dispatch.equipment == equipment.id)
            .select(
                own,
                Sum(sign * Cast(move.quantity, 'NUMERIC')
                    * Coalesce(part.unit_price, 0)),
                Sum(sign * Cast(move.internal_quantity, 'NUMERIC')
                    * Coalesce(move.cost_price, 0)),
                where=(move.state == 'done')
                & (part.chargeable == Literal(True))
                & self._done_work_orders(dispatch),
                group_by=[own]))
        currency = self.company.currency
        sums = {True: [Decimal(0), Decimal(0)],
            False: [Decimal(0), Decimal(0)]}
        for kind, revenue, cost in cursor:
            sums[bool(kind)][0] += as_decimal(revenue)
            sums[bool(kind)][1] += as_decimal(cost)
        (own_revenue, own_cost), (other_revenue, other_cost) = (
            map(currency.round, sums[True]), map(currency.round, sums[False]))
        self.parts_revenue = own_revenue + other_revenue
        self.parts_cost = own_cost + other_cost
        self.parts_profit = self.parts_revenue - self.parts_cost
        self.parts_profit_own = own_revenue - own_cost
        self.parts_profit_other = other_revenue - other_cost
        self.fund = (
            currency.round(max(self.parts_profit_own, 0) * self.fund_own_rate)
            + currency.round(
                max(self.parts_profit_other, 0) * self.fund_other_rate))

    def get_valid_work_orders(self):
        "Return the technicians and their valid work orders in the quarter"
        pool = Pool()
        Dispatch = pool.get('service.dispatch')
        cursor = Transaction().connection.cursor()
        dispatch = Dispatch.__table__()
        cursor.execute(*dispatch.select(
                dispatch.technician, Count(dispatch.id),
                where=self._done_work_orders(dispatch)
                & (dispatch.technician != Null)
                & Dispatch.valid_condition(dispatch),
                group_by=[dispatch.technician],
                order_by=[dispatch.technician]))
        return cursor.fetchall()

    def get_agreements(self):
        """Return the resident agreements of the quarter with their profit,
        the salesperson's commission and the fund's share"""
        pool = Pool()
        Agreement = pool.get('service.bonus.agreement')
        Contract = pool.get('service.contract')
        currency = self.company.currency
        fees = self._agreement_fees()
        costs = self._agreement_costs()
        agreements = []
        for contract in Contract.browse(sorted(set(fees) | set(costs))):
            fee = currency.round(fees.get(contract.id, Decimal(0)))
            cost = currency.round(costs.get(contract.id, Decimal(0)))
            profit = fee - cost
            if contract.company_business:
                commission_rate = self.commission_business_rate
                fund_rate = self.agreement_fund_business_rate
            else:
                commission_rate = self.commission_other_rate
                fund_rate = self.agreement_fund_other_rate
            gain = max(profit, Decimal(0))
            agreements.append(Agreement(
                    bonus=self, contract=contract,
                    salesperson=contract.salesperson,
                    company_business=contract.company_business,
                    fees=fee, cost=cost, profit=profit,
                    commission_rate=commission_rate, fund_rate=fund_rate,
                    commission=(
                        currency.round(gain * commission_rate)
                        if contract.salesperson else Decimal(0)),
                    fund=currency.round(gain * fund_rate)))
        return agreements

    def _resident_contracts(self, contract):
        "The condition on the company's resident agreements"
        return ((contract.company == self.company.id)
            & (contract.kind == 'resident'))

    def _agreement_fees(self):
        """Return the fees per resident agreement of the months begun in
        the quarter, on invoices not cancelled"""
        pool = Pool()
        Contract = pool.get('service.contract')
        Fee = pool.get('service.contract.fee')
        InvoiceLine = pool.get('account.invoice.line')
        Invoice = pool.get('account.invoice')
        cursor = Transaction().connection.cursor()
        contract = Contract.__table__()
        fee = Fee.__table__()
        line = InvoiceLine.__table__()
        invoice = Invoice.__table__()
        start, end = quarter_dates(self.year, self.quarter)
        cursor.execute(*fee
            .join(contract, condition=fee.contract == contract.id)
            .join(line, condition=fee.invoice_line == line.id)
            .join(invoice, condition=line.invoice == invoice.id)
            .select(fee.contract, Sum(fee.amount),
                where=self._resident_contracts(contract)
                & (fee.start_date >= start) & (fee.start_date <= end)
                & (invoice.state != 'cancelled'),
                group_by=[fee.contract]))
        return {c: as_decimal(a) for c, a in cursor}

    def _agreement_costs(self):
        """Return the cost per resident agreement of what it consumed on
        the work orders done in the quarter: the parts and the labour it
        covered (not chargeable), the parts at their cost, the hours at
        their product's cost price (the labour product's when none)"""
        pool = Pool()
        Contract = pool.get('service.contract')
        Request = pool.get('service.request')
        Labour = pool.get('service.dispatch.labour')
        Dispatch = pool.get('service.dispatch')
        Product = pool.get('product.product')
        Configuration = pool.get('service.configuration')
        cursor = Transaction().connection.cursor()
        costs = defaultdict(Decimal)

        join, move, part, dispatch, sign = part_moves()
        contract = Contract.__table__()
        request = Request.__table__()
        cursor.execute(*join
            .join(request, condition=dispatch.request == request.id)
            .join(contract, condition=request.contract == contract.id)
            .select(contract.id,
                Sum(sign * Cast(move.internal_quantity, 'NUMERIC')
                    * Coalesce(move.cost_price, 0)),
                where=(move.state == 'done')
                & (part.chargeable == Literal(False))
                & self._resident_contracts(contract)
                & self._done_work_orders(dispatch),
                group_by=[contract.id]))
        for contract_id, cost in cursor:
            costs[contract_id] += as_decimal(cost)

        labour = Labour.__table__()
        dispatch = Dispatch.__table__()
        contract = Contract.__table__()
        request = Request.__table__()
        cursor.execute(*labour
            .join(dispatch, condition=labour.dispatch == dispatch.id)
            .join(request, condition=dispatch.request == request.id)
            .join(contract, condition=request.contract == contract.id)
            .select(contract.id, labour.product, Sum(labour.hours),
                where=(labour.chargeable == Literal(False))
                & self._resident_contracts(contract)
                & self._done_work_orders(dispatch),
                group_by=[contract.id, labour.product]))
        hours = cursor.fetchall()
        default = Configuration(1).get_multivalue(
            'labour_product', company=self.company.id)
        with Transaction().set_context(company=self.company.id):
            products = {p.id: p for p in Product.browse(
                    {p for _, p, _ in hours if p}
                    | ({default.id} if default else set()))}
        for contract_id, product_id, quantity in hours:
            product = products.get(product_id or (default and default.id))
            cost_price = product.cost_price if product else None
            costs[contract_id] += (
                as_decimal(quantity) * (cost_price or Decimal(0)))
        return costs

    def get_fines(self):
        "Return the fines per employee of the quarter"
        pool = Pool()
        Fine = pool.get('service.fine')
        cursor = Transaction().connection.cursor()
        fine = Fine.__table__()
        start, end = quarter_dates(self.year, self.quarter)
        cursor.execute(*fine.select(
                fine.employee, Sum(fine.amount),
                where=(fine.company == self.company.id)
                & (fine.date >= start) & (fine.date <= end),
                group_by=[fine.employee]))
        return {e: as_decimal(a) for e, a in cursor}

    def get_lines(self, agreements=()):
        """Return the lines of the statement: the fund shared out, the
        allowances, the commissions and the fines"""
        pool = Pool()
        Line = pool.get('service.bonus.line')
        Employee = pool.get('company.employee')
        currency = self.company.currency
        orders = self.get_valid_work_orders()
        total = sum(c for _, c in orders)
        lines, weights = [], []
        for role, employee, rate in [
                ('manager', self.manager, self.manager_rate),
                ('deputy', self.deputy, self.deputy_rate)]:
            if employee:
                lines.append(Line(
                        employee=employee, role=role,
                        valid_work_orders=0, allowance=Decimal(0)))
                weights.append(rate)
        for employee, count in orders:
            lines.append(Line(
                    employee=employee, role='technician',
                    valid_work_orders=count,
                    allowance=currency.round(count * self.allowance_rate)))
            weights.append(Fraction(self.technician_rate) * count / total)
        shares = split(self.fund, weights, currency.round)
        for line, share in zip(lines, shares):
            line.pool_share = share

        # The commissions and the fines on the employee's first line, or
        # on a line of their own
        by_employee = {}
        for line in lines:
            by_employee.setdefault(int(line.employee), line)

        def line_of(employee_id, role):
            if employee_id not in by_employee:
                line = Line(
                    employee=employee_id, role=role, valid_work_orders=0,
                    allowance=Decimal(0), pool_share=Decimal(0))
                lines.append(line)
                by_employee[employee_id] = line
            return by_employee[employee_id]
        commissions = defaultdict(Decimal)
        for agreement in agreements:
            if agreement.salesperson and agreement.commission:
                commissions[agreement.salesperson.id] += agreement.commission
        for employee_id, commission in sorted(commissions.items()):
            line_of(employee_id, 'salesperson').commission = commission
        for employee_id, fines in sorted(self.get_fines().items()):
            employee = Employee(employee_id)
            role = 'technician' if employee.service_technician else 'staff'
            line_of(employee_id, role).fines = currency.round(fines)
        for line in lines:
            line.bonus = self
            if getattr(line, 'commission', None) is None:
                line.commission = Decimal(0)
            if getattr(line, 'fines', None) is None:
                line.fines = Decimal(0)
        return lines


class BonusLine(ClientValueMixin, ModelSQL, ModelView):
    __name__ = 'service.bonus.line'
    __string__ = "Bonus Statement Line"

    bonus = fields.Many2One(
        'service.bonus', "Statement", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True,
        domain=[
            ('company', '=', Eval('_parent_bonus', {}).get('company', -1)),
            ])
    role = fields.Selection([
            ('manager', "Manager"),
            ('deputy', "Deputy Manager"),
            ('technician', "Technician"),
            ('salesperson', "Salesperson"),
            ('staff', "Other Staff"),
            ], "Role", required=True, sort=False)
    role_string = role.translated('role')
    valid_work_orders = fields.Integer(
        "Valid Work Orders", required=True,
        domain=[('valid_work_orders', '>=', 0)],
        help="Done and signed by the customer.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    allowance = fields.Numeric(
        "Allowance", digits='currency', required=True)
    pool_share = fields.Numeric(
        "Pool Share", digits='currency', required=True,
        help="The share of the department's fund.")
    commission = fields.Numeric(
        "Commission", digits='currency', required=True,
        help="The salesperson's commission on the resident agreements' "
        "profit.")
    fines = fields.Numeric(
        "Fines", digits='currency', required=True,
        help="The fines of the quarter, deducted.")
    amount = fields.Function(
        fields.Numeric(
            "Amount", digits='currency',
            help="The share of the fund, the allowance and the commission, "
            "less the fines."),
        'get_amount')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('bonus')
        cls._order = [
            ('bonus', 'ASC'),
            ('role', 'ASC'),
            ('id', 'ASC'),
            ]

    @fields.depends('bonus', '_parent_bonus.currency')
    def on_change_with_currency(self, name=None):
        return self.bonus.currency if self.bonus else None

    @classmethod
    def default_commission(cls):
        return Decimal(0)

    @classmethod
    def default_fines(cls):
        return Decimal(0)

    def get_amount(self, name):
        # Also computed while a line being created is validated
        return ((self.allowance or 0) + (self.pool_share or 0)
            + (self.commission or 0) - (self.fines or 0))

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if external:
            for line in lines:
                if line.bonus.state != 'draft':
                    raise BonusModificationError(gettext(
                            'service_kpi.msg_bonus_modify_not_draft',
                            bonus=line.bonus.rec_name))

    def get_rec_name(self, name):
        return f'{self.employee.rec_name} @ {self.bonus.rec_name}'


class BonusAgreement(ClientValueMixin, ModelSQL, ModelView):
    __name__ = 'service.bonus.agreement'
    __string__ = "Bonus Statement Agreement"

    bonus = fields.Many2One(
        'service.bonus', "Statement", required=True, ondelete='CASCADE',
        readonly=True)
    contract = fields.Many2One(
        'service.contract', "Agreement", required=True, readonly=True)
    salesperson = fields.Many2One(
        'company.employee', "Salesperson", readonly=True)
    company_business = fields.Boolean(
        "Customer of the Company's Business", readonly=True)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    fees = fields.Numeric(
        "Fees", digits='currency', required=True, readonly=True,
        help="The fees of the months begun in the quarter, invoiced.")
    cost = fields.Numeric(
        "Cost", digits='currency', required=True, readonly=True,
        help="The parts and the labour the agreement covered on the work "
        "orders done in the quarter, at cost.")
    profit = fields.Numeric(
        "Net Profit", digits='currency', required=True, readonly=True)
    commission_rate = fields.Numeric(
        "Commission Rate", digits=(16, 4), required=True, readonly=True)
    fund_rate = fields.Numeric(
        "Fund Rate", digits=(16, 4), required=True, readonly=True)
    commission = fields.Numeric(
        "Commission", digits='currency', required=True, readonly=True)
    fund = fields.Numeric(
        "Fund", digits='currency', required=True, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('bonus', 'ASC'), ('contract', 'ASC'), ('id', 'ASC')]

    @fields.depends('bonus', '_parent_bonus.currency')
    def on_change_with_currency(self, name=None):
        return self.bonus.currency if self.bonus else None

    @classmethod
    def check_modification(cls, mode, agreements, values=None,
            external=False):
        super().check_modification(
            mode, agreements, values=values, external=external)
        if external:
            for agreement in agreements:
                if agreement.bonus.state != 'draft':
                    raise BonusModificationError(gettext(
                            'service_kpi.msg_bonus_modify_not_draft',
                            bonus=agreement.bonus.rec_name))


class BonusReport(CompanyReport):
    "The bonus statement the manager signs and hands to payroll"
    __name__ = 'service.bonus'
