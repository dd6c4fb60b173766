# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The department's KPIs, computed in SQL from the context's period

Definitions (the README repeats them):
- response: accepted - reported, in hours;
- resolution: resolved - reported minus the waiting periods, in hours;
- SLA compliance: share of the resolved requests resolved by their
  resolution deadline;
- first-time fix: share of the resolved requests with one done work order
  and never reopened;
- repeat repair: a request on the same equipment reported within 30 days
  after a previous one was resolved;
- valid work order: done and signed by the customer;
- allowance: valid work orders times the per-visit allowance.
"""
import datetime as dt
from decimal import Decimal

from sql import Cast, Column, Literal, Null, With
from sql.aggregate import Avg, Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import AtTimeZone, DateTrunc, Extract, Function
from sql.operators import Exists

from trytond import backend
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.service_desk.sla import company_timezone, day_bounds
from trytond.modules.service_dispatch.dispatch import reference
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

REPEAT_HOURS = 30 * 24
# What a row of the KPIs per period counts
PERIODS = [
    ('day', "Day"),
    ('month', "Month"),
    ('quarter', "Quarter"),
    ('year', "Year"),
    ]
# A technician sees the mean of his follow-up scores only over this many
# answers: over fewer (a one-day window) it would tell a customer's answer
MIN_SURVEYS = 3


class JulianDay(Function):
    __slots__ = ()
    _function = 'JULIANDAY'


class StrfTime(Function):
    __slots__ = ()
    _function = 'STRFTIME'


def hours_between(end, start):
    "Return the SQL expression of the hours from start to end"
    if backend.name == 'sqlite':
        return (JulianDay(end) - JulianDay(start)) * 24
    return Extract('EPOCH', end - start) / 3600


class Printf(Function):
    __slots__ = ()
    _function = 'PRINTF'


def period_of(column, period, timezone, start):
    """Return the SQL expression of the first day of the period (day, month,
    quarter or year) of the timestamp column, in the company's time zone

    On SQLite, which has no time zones, the offset of the zone at start
    shifts the timestamps (exact where the zone keeps one offset, as
    China's)."""
    if backend.name == 'sqlite':
        offset = timezone.utcoffset(start) if timezone else None
        shift = f'{int(offset.total_seconds()) if offset else 0:+d} seconds'
        if period == 'quarter':
            month = Cast(StrfTime('%m', column, shift), 'INTEGER')
            return Printf('%s-%02d-01', StrfTime('%Y', column, shift),
                ((month - 1) / 3) * 3 + 1)
        return StrfTime({
                'day': '%Y-%m-%d',
                'month': '%Y-%m-01',
                'year': '%Y-01-01',
                }[period], column, shift)
    if timezone:
        column = AtTimeZone(AtTimeZone(column, 'UTC'), str(timezone))
    return Cast(DateTrunc(period, column), 'DATE')


def date_period_of(column, period):
    "Return the SQL expression of the first day of the period of a date"
    if backend.name == 'sqlite':
        if period == 'quarter':
            month = Cast(StrfTime('%m', column), 'INTEGER')
            return Printf('%s-%02d-01', StrfTime('%Y', column),
                ((month - 1) / 3) * 3 + 1)
        return StrfTime({
                'day': '%Y-%m-%d',
                'month': '%Y-%m-01',
                'year': '%Y-01-01',
                }[period], column)
    return Cast(DateTrunc(period, column), 'DATE')


def part_moves():
    """Return the stock moves of work-order parts joined to their part, work
    order and destination, and the sign of each: issued to the customer 1,
    returned from them -1

    As (join, move, part, dispatch, sign)."""
    pool = Pool()
    Dispatch = pool.get('service.dispatch')
    Part = pool.get('service.dispatch.part')
    Move = pool.get('stock.move')
    Location = pool.get('stock.location')
    dispatch = Dispatch.__table__()
    part = Part.__table__()
    move = Move.__table__()
    to_location = Location.__table__()
    join = (move
        .join(part, condition=move.origin == reference(Part, part.id))
        .join(dispatch, condition=part.dispatch == dispatch.id)
        .join(to_location, condition=move.to_location == to_location.id))
    sign = Case((to_location.type == 'customer', 1), else_=-1)
    return join, move, part, dispatch, sign


def as_float(expression):
    "PostgreSQL computes averages and epochs as numeric: Float fields want"
    return Cast(expression, 'FLOAT')


def read_only(cls):
    """Keep a client from creating, changing or deleting the figures of the
    reporting model: they are computed, and Tryton answers with a traceback"""
    for method in ['create', 'write', 'delete', 'copy']:
        cls.__rpc__.pop(method, None)


def share(numerator, denominator):
    "Return the SQL ratio, NULL when the denominator is zero"
    return Case(
        (denominator > 0, as_float(numerator) / as_float(denominator)),
        else_=Null)


class PeriodMixin:
    "A company and the dates of a period, the first one before the last"
    __slots__ = ()

    company = fields.Many2One('company.company', "Company", required=True)
    from_date = fields.Date(
        "From Date", required=True,
        domain=[
            If(Eval('to_date') & Eval('from_date'),
                ('from_date', '<=', Eval('to_date')),
                ()),
            ])
    to_date = fields.Date(
        "To Date", required=True,
        domain=[
            If(Eval('from_date') & Eval('to_date'),
                ('to_date', '>=', Eval('from_date')),
                ()),
            ])

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')


class Context(PeriodMixin, ModelView):
    __name__ = 'service.kpi.context'
    __string__ = "Service KPI Context"

    period = fields.Selection(PERIODS, "Period", required=True)
    technician = fields.Many2One(
        'company.employee', "Technician",
        domain=[('service_technician', '=', True)])
    product = fields.Many2One(
        'product.product', "Product",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    party = fields.Many2One(
        'party.party', "Customer",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})

    @classmethod
    def default_from_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        context = Transaction().context
        if 'from_date' in context:
            return context['from_date']
        return Date.today().replace(month=1, day=1)

    @classmethod
    def default_to_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Transaction().context.get('to_date', Date.today())

    @classmethod
    def default_period(cls):
        return Transaction().context.get('period', 'month')


class KPIMixin:
    "Read the reporting context and build the facts the KPIs share"
    __slots__ = ()

    company = fields.Many2One('company.company', "Company")
    requests = fields.Integer("Requests")
    resolved_requests = fields.Integer("Resolved Requests")
    response_hours = fields.Float(
        "Mean Response Hours", digits=(16, 2),
        help="Accepted minus reported.")
    resolution_hours = fields.Float(
        "Mean Resolution Hours", digits=(16, 2),
        help="Resolved minus reported, less the waiting periods.")
    sla_compliance = fields.Float(
        "SLA Compliance", digits=(1, 4),
        help="Share of the resolved requests resolved by their deadline.")
    first_time_fix = fields.Float(
        "First-time Fix", digits=(1, 4),
        help="Share of the resolved requests fixed by one work order and "
        "never reopened.")
    repairs = fields.Integer("Repairs")
    repeat_repairs = fields.Integer(
        "Repeat Repairs",
        help="Repairs of equipment repaired less than 30 days before.")
    repeat_repair = fields.Float(
        "Repeat Repair", digits=(1, 4),
        help="Share of the repairs of equipment repaired less than 30 days "
        "before.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        read_only(cls)
        # A search selects the eager columns of the query (to cache them)
        # and the read that follows runs the query again: the figures are
        # lazy, so that a search selects only the keys (PostgreSQL then
        # leaves the subqueries of the figures out of its plan) and
        # search_read, as the clients call it, computes them once
        for name in dir(cls):
            if name.startswith('_'):
                continue
            field = getattr(cls, name)
            if isinstance(field, (fields.Integer, fields.Float)):
                field.loading = 'lazy'

    @classmethod
    def search(cls, domain, offset=0, limit=None, order=None, count=False,
            query=False):
        cls.plan_without_jit()
        return super().search(domain, offset=offset, limit=limit,
            order=order, count=count, query=query)

    @classmethod
    def read(cls, ids, fields_names):
        cls.plan_without_jit()
        return super().read(ids, fields_names)

    @staticmethod
    def plan_without_jit():
        """Keep PostgreSQL from compiling the KPI queries: their many
        subqueries make the planner's estimate large enough for its JIT,
        which then takes longer to compile them (seconds) than the
        database takes to run them (measured: benchmarks/kpi_scale.py).
        For the transaction only."""
        if backend.name == 'postgresql':
            Transaction().connection.cursor().execute('SET LOCAL jit = off')

    @classmethod
    def kpi_context(cls):
        """The window of the context: its company, its days (from_date,
        to_date and end_date, the day after) in the company's time zone and
        the timestamps that bound them (start, end), the period to group by
        and the filters"""
        pool = Pool()
        Company = pool.get('company.company')
        Date = pool.get('ir.date')
        context = Transaction().context
        company = context.get('company')
        company = Company(company) if company is not None else None
        with Transaction().set_context(company=company and company.id):
            today = Date.today()
        from_date = context.get('from_date') or today.replace(month=1, day=1)
        to_date = context.get('to_date') or today
        start, end = day_bounds(company, from_date, to_date)
        return {
            'company': company.id if company else None,
            'company_record': company,
            'timezone': company_timezone(company) if company else None,
            'from_date': from_date,
            'to_date': to_date,
            'end_date': to_date + dt.timedelta(days=1),
            'start': start,
            'end': end,
            'period': context.get('period') or 'month',
            'technician': context.get('technician'),
            'product': context.get('product'),
            'party': context.get('party'),
            }

    @classmethod
    def request_facts(cls, done=None):
        """Return a query with a row per request reported in the period:
        its measures ready to be aggregated

        done, if given, is the query of the done work orders of each
        request of the window (columns request and count)."""
        pool = Pool()
        Request = pool.get('service.request')
        Pause = pool.get('service.request.pause')
        Dispatch = pool.get('service.dispatch')
        RequestType = pool.get('service.request.type')
        context = cls.kpi_context()
        request = Request.__table__()
        type_ = RequestType.__table__()
        pause = Pause.__table__()
        dispatch = Dispatch.__table__()
        previous = Request.__table__()

        # Only the pauses and work orders of the window's requests: not an
        # aggregate of the whole history joined to the window
        paused = pause.select(
            pause.request,
            Sum(hours_between(pause.end, pause.start)).as_('hours'),
            where=(pause.end != Null)
            & pause.request.in_(cls.window_requests(context)),
            group_by=[pause.request])
        if done is None:
            done = dispatch.select(
                dispatch.request, Count(dispatch.id).as_('count'),
                where=(dispatch.state == 'done')
                & dispatch.request.in_(cls.window_requests(context)),
                group_by=[dispatch.request])
        # Only repairs count as repeats: a complaint or an inspection of
        # the same equipment is no second failure
        repair = (type_.code == 'repair') & (request.equipment != Null)
        # The window's repeat repairs, found once and joined: the figures
        # that use them do not repeat the lookup of the previous repairs
        repeated = Request.__table__()
        repeated_type = RequestType.__table__()
        repeats = (repeated
            .join(repeated_type,
                condition=repeated.type == repeated_type.id)
            .select(
                repeated.id.as_('request'),
                where=cls.request_where(repeated, context)
                & (repeated_type.code == 'repair')
                & (repeated.equipment != Null)
                & Exists(previous.select(
                        Literal(1),
                        where=(previous.equipment == repeated.equipment)
                        & (previous.id != repeated.id)
                        & (previous.resolved_date != Null)
                        & (previous.resolved_date <= repeated.reported_date)
                        & (hours_between(
                                repeated.reported_date,
                                previous.resolved_date)
                            <= REPEAT_HOURS)))))

        resolved = request.resolved_date != Null
        query = (request
            .join(type_, condition=request.type == type_.id)
            .join(paused, 'LEFT', condition=paused.request == request.id)
            .join(done, 'LEFT', condition=done.request == request.id)
            .join(repeats, 'LEFT', condition=repeats.request == request.id)
            .select(
                request.id.as_('request'),
                request.company.as_('company'),
                request.party.as_('party'),
                request.product.as_('product'),
                request.reported_date.as_('reported_date'),
                period_of(request.reported_date, context['period'],
                    context['timezone'], context['start']).as_('month'),
                Case((resolved, 1), else_=0).as_('resolved'),
                hours_between(request.accepted_date, request.reported_date)
                .as_('response'),
                (hours_between(request.resolved_date, request.reported_date)
                    - Coalesce(paused.hours, 0)).as_('resolution'),
                Case((resolved & (request.resolution_deadline != Null)
                        & (request.resolved_date
                            <= request.resolution_deadline), 1),
                    else_=0).as_('met'),
                Case((resolved & (request.resolution_deadline != Null), 1),
                    else_=0).as_('with_deadline'),
                Case((resolved & (Coalesce(done.count, 0) == 1)
                        & (Coalesce(request.reopen_count, 0) == 0), 1),
                    else_=0).as_('first_time_fix'),
                Case((repair, 1), else_=0).as_('repairs'),
                Case((repeats.request != Null, 1), else_=0).as_('repeat'),
                where=cls.request_where(request, context)))
        return query

    @classmethod
    def window_requests(cls, context):
        "Return the query of the ids of the requests of the window"
        Request = Pool().get('service.request')
        request = Request.__table__()
        return request.select(
            request.id, where=cls.request_where(request, context))

    @classmethod
    def request_where(cls, request, context):
        "Return the SQL condition of the requests reported in the period"
        where = ((request.company == context['company'])
            & (request.reported_date >= context['start'])
            & (request.reported_date < context['end'])
            & (request.state != 'cancelled'))
        if context['product']:
            where &= request.product == context['product']
        if context['party']:
            where &= request.party == context['party']
        return where

    @classmethod
    def request_columns(cls, facts):
        "Return the request KPI columns aggregated over the facts"
        return [
            Count(facts.request).as_('requests'),
            Sum(facts.resolved).as_('resolved_requests'),
            as_float(Avg(facts.response)).as_('response_hours'),
            as_float(Avg(Case((facts.resolved == 1, facts.resolution),
                        else_=Null))).as_('resolution_hours'),
            share(Sum(facts.met), Sum(facts.with_deadline)
                ).as_('sla_compliance'),
            share(Sum(facts.first_time_fix), Sum(facts.resolved)
                ).as_('first_time_fix'),
            Sum(facts.repairs).as_('repairs'),
            Sum(facts.repeat).as_('repeat_repairs'),
            share(Sum(facts.repeat), Sum(facts.repairs)
                ).as_('repeat_repair'),
            ]

    @classmethod
    def dispatch_in_period(cls, dispatch, context):
        "The SQL condition of the work orders of the context's window"
        Dispatch = Pool().get('service.dispatch')
        company = context['company_record']
        if company is None:
            return Literal(False)
        return Dispatch.period_condition(
            dispatch, company, context['from_date'], context['to_date'])


class KPITechnician(KPIMixin, ModelSQL, ModelView):
    __name__ = 'service.kpi.technician'
    __string__ = "Service KPI per Technician"

    technician = fields.Many2One('company.employee', "Technician")
    work_orders = fields.Integer("Work Orders")
    valid_work_orders = fields.Integer(
        "Valid Work Orders", help="Done and signed by the customer.")
    late_work_orders = fields.Integer(
        "Late Work Orders",
        help="Signed work order handed back to the desk after its due date.")
    labour_hours = fields.Float("Labour Hours", digits=(16, 2))
    parts_revenue = fields.Numeric("Parts Revenue", digits=(16, 2))
    satisfaction = fields.Float(
        "Mean Satisfaction", digits=(1, 2),
        help="Mean overall score of the answered surveys, 1 to 5; "
        "a technician sees it over 3 answers or more.")
    complaints = fields.Integer(
        "Complaints", help="Surveys with a low score that opened a complaint.")
    allowance = fields.Numeric("Allowance", digits=(16, 2))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('technician', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Employee = pool.get('company.employee')
        Dispatch = pool.get('service.dispatch')
        Labour = pool.get('service.dispatch.labour')
        Survey = pool.get('service.survey')
        context = cls.kpi_context()
        employee = Employee.__table__()
        dispatch = Dispatch.__table__()
        labour_dispatch = Dispatch.__table__()
        labour = Labour.__table__()
        survey = Survey.__table__()
        pairs = Dispatch.__table__()

        in_period = (cls.dispatch_in_period(dispatch, context)
            & (dispatch.state != 'cancelled'))
        valid = Dispatch.valid_condition(dispatch)
        with Transaction().set_context(company=context['company']):
            late = Dispatch.report_late_condition(dispatch)
        orders = dispatch.select(
            dispatch.technician.as_('technician'),
            Count(dispatch.id).as_('work_orders'),
            Sum(Case((valid, 1), else_=0)).as_('valid_work_orders'),
            Sum(Case((late, 1), else_=0)).as_('late_work_orders'),
            where=in_period, group_by=[dispatch.technician])

        hours = (labour
            .join(labour_dispatch,
                condition=labour.dispatch == labour_dispatch.id)
            .select(
                labour.employee.as_('technician'),
                Sum(labour.hours).as_('hours'),
                where=cls.dispatch_in_period(labour_dispatch, context)
                & (labour_dispatch.state == 'done'),
                group_by=[labour.employee]))

        revenue = cls.parts_revenue_query(context)

        answered = ((survey.state == 'done')
            & (survey.company == context['company'])
            & (survey.date >= context['from_date'])
            & (survey.date < context['end_date']))
        scores = survey.select(
            survey.technician.as_('technician'),
            Case((Count(survey.id) >= cls.survey_threshold(),
                    Avg(survey.overall)),
                else_=Null).as_('satisfaction'),
            Sum(Case((survey.complaint != Null, 1), else_=0)
                ).as_('complaints'),
            where=answered, group_by=[survey.technician])

        # The done work orders of the window's requests, grouped once by
        # request and technician: the technicians of each request, and
        # summed by request, its done work orders (first-time fix)
        done_pairs = With('request', 'technician', 'count',
            query=pairs.select(
                pairs.request, pairs.technician, Count(pairs.id),
                where=(pairs.state == 'done')
                & pairs.request.in_(cls.window_requests(context)),
                group_by=[pairs.request, pairs.technician]))
        done = done_pairs.select(
            done_pairs.request, Sum(done_pairs.count).as_('count'),
            group_by=[done_pairs.request])
        facts = cls.request_facts(done=done)
        per_request = (facts
            .join(done_pairs, condition=done_pairs.request == facts.request)
            .select(
                done_pairs.technician.as_('technician'),
                *cls.request_columns(facts),
                group_by=[done_pairs.technician],
                with_=[done_pairs]))

        allowance = cls.allowance_rate(context['company'])
        where = ((employee.company == context['company'])
            & (employee.service_technician == Literal(True)))
        if context['technician']:
            where &= employee.id == context['technician']
        columns = [
            employee.id.as_('id'),
            employee.company.as_('company'),
            employee.id.as_('technician'),
            Coalesce(orders.work_orders, 0).as_('work_orders'),
            Coalesce(orders.valid_work_orders, 0).as_('valid_work_orders'),
            Coalesce(orders.late_work_orders, 0).as_('late_work_orders'),
            as_float(Coalesce(hours.hours, 0)).as_('labour_hours'),
            Coalesce(revenue.amount, 0).as_('parts_revenue'),
            as_float(scores.satisfaction).as_('satisfaction'),
            Coalesce(scores.complaints, 0).as_('complaints'),
            (Coalesce(orders.valid_work_orders, 0) * allowance
                ).as_('allowance'),
            Coalesce(per_request.requests, 0).as_('requests'),
            Coalesce(per_request.resolved_requests, 0
                ).as_('resolved_requests'),
            per_request.response_hours.as_('response_hours'),
            per_request.resolution_hours.as_('resolution_hours'),
            per_request.sla_compliance.as_('sla_compliance'),
            per_request.first_time_fix.as_('first_time_fix'),
            Coalesce(per_request.repairs, 0).as_('repairs'),
            Coalesce(per_request.repeat_repairs, 0).as_('repeat_repairs'),
            per_request.repeat_repair.as_('repeat_repair'),
            ]
        return (employee
            .join(orders, 'LEFT', condition=orders.technician == employee.id)
            .join(hours, 'LEFT', condition=hours.technician == employee.id)
            .join(revenue, 'LEFT',
                condition=revenue.technician == employee.id)
            .join(scores, 'LEFT', condition=scores.technician == employee.id)
            .join(per_request, 'LEFT',
                condition=per_request.technician == employee.id)
            .select(*columns, where=where))

    @staticmethod
    def survey_threshold():
        "The fewest answered surveys whose mean score the user sees"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        if not Transaction().user:
            return 1
        manager = ModelData.get_id('service_desk', 'group_service_manager')
        return 1 if manager in User.get_groups() else MIN_SURVEYS

    @classmethod
    def parts_revenue_query(cls, context):
        """Return per technician the chargeable parts issued, less those
        returned, at their price, on the work orders done in the period"""
        join, move, part, dispatch, sign = part_moves()
        return (join
            .select(
                dispatch.technician.as_('technician'),
                Sum(sign * move.quantity * part.unit_price).as_('amount'),
                where=(move.state == 'done')
                & (part.chargeable == Literal(True))
                & cls.dispatch_in_period(dispatch, context)
                & (dispatch.state == 'done'),
                group_by=[dispatch.technician]))

    @classmethod
    def allowance_rate(cls, company_id):
        pool = Pool()
        Configuration = pool.get('service.configuration')
        configuration = Configuration(1)
        if 'bonus_allowance' in Configuration._fields:
            rate = configuration.get_multivalue(
                'bonus_allowance', company=company_id)
        else:
            rate = None
        return rate if rate is not None else Decimal(10)


class KPIPeriod(KPIMixin, ModelSQL, ModelView):
    __name__ = 'service.kpi.period'
    __string__ = "Service KPI per Period"

    date = fields.Date(
        "Period", help="The first day of the period (the day, month, "
        "quarter or year of the context) the figures are of.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    follow_up_calls = fields.Integer(
        "Calls Made",
        help="Follow-up and revisit calls due in the period and made "
        "(answered or not).")
    late_calls = fields.Integer(
        "Calls Made Late",
        help="Follow-up and revisit calls due in the period and made after "
        "their due date.")

    @classmethod
    def table_query(cls):
        facts = cls.request_facts()
        columns = cls.request_columns(facts)
        by_period = facts.select(
            Min(facts.request).as_('id'),
            Max(facts.company).as_('company'),
            facts.month.as_('date'),
            *columns,
            group_by=[facts.month])
        calls = cls.call_facts()
        return by_period.join(calls, 'LEFT',
            condition=calls.month == by_period.date).select(
            *[Column(by_period, name) for name in ['id', 'company', 'date']
                + [c.output_name for c in columns]],
            Coalesce(calls.calls, 0).as_('follow_up_calls'),
            Coalesce(calls.late, 0).as_('late_calls'))

    @classmethod
    def call_facts(cls):
        """Return the calls due in the context's window by period: made,
        and made after their due date"""
        pool = Pool()
        Survey = pool.get('service.survey')
        Request = pool.get('service.request')
        context = cls.kpi_context()
        survey = Survey.__table__()
        request = Request.__table__()
        made = survey.state.in_(['done', 'no_answer'])
        where = ((survey.company == context['company'])
            & (survey.due_date >= context['from_date'])
            & (survey.due_date <= context['to_date'])
            & (survey.kind.in_(['follow_up', 'periodic'])))
        if context['party']:
            where &= survey.party == context['party']
        if context['product']:
            where &= survey.request.in_(request.select(
                    request.id,
                    where=request.product == context['product']))
        # The period computed below the grouping: PostgreSQL compares the
        # expressions of GROUP BY with their parameters
        facts = survey.select(
            date_period_of(survey.due_date, context['period']).as_('month'),
            Case((made, 1), else_=0).as_('made'),
            Case((made & (survey.date > survey.due_date), 1),
                else_=0).as_('late'),
            where=where)
        return facts.select(
            facts.month,
            Sum(facts.made).as_('calls'),
            Sum(facts.late).as_('late'),
            group_by=[facts.month])
