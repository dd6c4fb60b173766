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
- the fund goes to the manager, the deputy and the technicians at their
  configured shares, the technicians' share split in proportion to their
  valid work orders.

The figures are stored when computed, so a confirmed statement keeps them
whatever happens to the work orders afterwards.
"""
import datetime as dt
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
    'allowance_rate': 'bonus_allowance',
    'manager_rate': 'bonus_manager_rate',
    'deputy_rate': 'bonus_deputy_rate',
    'technician_rate': 'bonus_technician_rate',
    }


def quarter_dates(year, quarter):
    "Return the first and the last day of the quarter"
    start = dt.date(year, 3 * (quarter - 1) + 1, 1)
    return start, start + relativedelta(months=3, days=-1)


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
    fund = fields.Numeric(
        "Fund", digits='currency', readonly=True,
        help="The department's fund shared out: each parts profit (unless "
        "a loss) at its rate, rounded.")
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
        for name in ['parts_revenue', 'parts_cost', 'parts_profit',
                'parts_profit_own', 'parts_profit_other', 'fund']:
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
        for bonus in bonuses:
            if bonus.state != 'draft':
                raise BonusModificationError(gettext(
                        'service_kpi.msg_bonus_modify_not_draft',
                        bonus=bonus.rec_name))
        Line.delete([l for b in bonuses for l in b.lines])
        lines = []
        for bonus in bonuses:
            bonus.set_rates()
            bonus.set_parts_profit()
            lines.extend(bonus.get_lines())
        cls.save(bonuses)
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

    def get_lines(self):
        "Return the lines of the statement, the pool shared out"
        pool = Pool()
        Line = pool.get('service.bonus.line')
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
            line.bonus = self
            line.pool_share = share
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
        help="The share of the parts-profit pool.")
    amount = fields.Function(
        fields.Numeric("Amount", digits='currency'), 'get_amount')

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

    def get_amount(self, name):
        # Also computed while a line being created is validated
        return (self.allowance or 0) + (self.pool_share or 0)

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


class BonusReport(CompanyReport):
    "The bonus statement the manager signs and hands to payroll"
    __name__ = 'service.bonus'
