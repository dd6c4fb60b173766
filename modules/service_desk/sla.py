# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
import datetime as dt
import math

from sql import Literal, Null
from sql.conditionals import Case
from sql.operators import Or

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.model.fields.field import SQL_OPERATORS
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools.timezone import UTC, get_tzinfo
from trytond.transaction import Transaction

from .client import ClientValueMixin
from .exceptions import SLAValidationError
from .sla_clock import MIDNIGHT, BusinessCalendar

# The longest targets: ten years round the clock, ten years of working days
MAX_HOURS = 87_600
MAX_WORKING_DAYS = 2_600
PRIORITIES = [
    ('low', "Low"),
    ('normal', "Normal"),
    ('high', "High"),
    ('urgent', "Urgent"),
    ]
WEEKDAYS = [
    ('0', "Monday"),
    ('1', "Tuesday"),
    ('2', "Wednesday"),
    ('3', "Thursday"),
    ('4', "Friday"),
    ('5', "Saturday"),
    ('6', "Sunday"),
    ]
ROUND_THE_CLOCK = [(d, MIDNIGHT, MIDNIGHT) for d in range(7)]


def company_timezone(company):
    return get_tzinfo(company.timezone) if company.timezone else UTC


def to_local(value, tzinfo):
    "Convert a naive UTC datetime as stored by Tryton into local time"
    return value.replace(tzinfo=UTC).astimezone(tzinfo).replace(tzinfo=None)


def to_utc(value, tzinfo):
    return value.replace(tzinfo=tzinfo).astimezone(UTC).replace(tzinfo=None)


def today_condition(company_column, moment):
    """Return the SQL condition of moment (naive UTC, may be NULL) falling
    today in the time zone of the row's company (company_column), for the
    companies of the context (all when it names none)"""
    pool = Pool()
    Company = pool.get('company.company')
    Date = pool.get('ir.date')
    context = Transaction().context
    ids = set(context.get('companies') or [])
    if context.get('company'):
        ids.add(context['company'])
    companies = Company.browse(sorted(ids)) if ids else Company.search([])
    condition = Literal(False)
    for company in companies:
        with Transaction().set_context(company=company.id):
            date = Date.today()
        start, end = day_bounds(company, date, date)
        condition |= ((company_column == company.id) & (moment != Null)
            & (moment >= start) & (moment < end))
    return condition


def status_column(conditions):
    """Return the SQL CASE of a status from its conditions ({status:
    condition}, exclusive, never NULL; the None status is the CASE's else)"""
    return Case(*((c, v) for v, c in conditions.items() if v), else_=Null)


def status_domain(conditions, domain):
    """Return the SQL of a domain clause on a status of those conditions:
    =, !=, in and not in as the conditions themselves (which an index on
    their dates may serve), any other operator on the CASE"""
    _, operator, value = domain[:3]
    if operator not in {'=', '!=', 'in', 'not in'}:
        return SQL_OPERATORS[operator](status_column(conditions), value)
    values = {value} if operator in {'=', '!='} else set(value)
    if operator in {'!=', 'not in'}:
        values = set(conditions) - values
    found = [c for v, c in conditions.items() if v in values]
    return Or(found) if found else Literal(False)


def day_bounds(company, from_date, to_date):
    """Return the start of from_date and the start of the day after to_date
    in the company's time zone, as Tryton stores timestamps (naive UTC)"""
    tzinfo = company_timezone(company) if company else UTC
    return (
        to_utc(dt.datetime.combine(from_date, dt.time()), tzinfo),
        to_utc(dt.datetime.combine(
                to_date + dt.timedelta(days=1), dt.time()), tzinfo))


class SLA(ClientValueMixin, DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'service.sla'
    __string__ = "Service Level Agreement"

    name = fields.Char("Name", required=True, translate=True)
    company = fields.Many2One('company.company', "Company", required=True)
    lines = fields.One2Many(
        'service.sla.line', 'sla', "Targets",
        help="The response and resolution targets per priority.")
    hours = fields.One2Many(
        'service.sla.hour', 'sla', "Business Hours",
        help="The time the clock runs. Without any, it runs round the "
        "clock.")
    holidays = fields.One2Many('service.sla.holiday', 'sla', "Holidays")
    batch_units = fields.Integer(
        "Batch Units",
        domain=['OR',
            ('batch_units', '=', None),
            ('batch_units', '>', 0),
            ],
        help="Turnaround rule: requests for several units are due "
        "\"Batch Days\" working days per this many units.")
    batch_days = fields.Integer(
        "Batch Days",
        domain=['OR',
            ('batch_days', '=', None),
            [('batch_days', '>', 0), ('batch_days', '<=', 366)],
            ],
        states={
            'required': Eval('batch_units', 0) > 0,
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    def calendar(self):
        hours = [(int(h.weekday), h.start, h.end) for h in self.hours]
        return BusinessCalendar(
            hours or ROUND_THE_CLOCK, [h.date for h in self.holidays])

    def target(self, priority):
        "Return the line of the priority or None"
        for line in self.lines:
            if line.priority == priority:
                return line

    def batch_working_days(self, quantity):
        if self.batch_units and self.batch_days and (quantity or 1) > 1:
            return math.ceil(quantity / self.batch_units) * self.batch_days

    def deadlines(self, company, reported, priority, quantity, pauses=()):
        """Return the response and resolution deadlines in UTC

        reported and pauses are naive UTC datetimes as stored."""
        tzinfo = company_timezone(company)
        calendar = self.calendar()
        start = to_local(reported, tzinfo)
        pauses = [(to_local(s, tzinfo), to_local(e, tzinfo))
            for s, e in pauses]
        response = resolution = None
        line = self.target(priority)
        if line and line.response_hours:
            response = calendar.add(
                start, dt.timedelta(hours=float(line.response_hours)),
                pauses)
        days = self.batch_working_days(quantity)
        if days and days > MAX_WORKING_DAYS:
            raise SLAValidationError(gettext(
                    'service_desk.msg_sla_deadline_too_far',
                    sla=self.rec_name, quantity=quantity, days=days))
        if days:
            resolution = calendar.add_working_days(start, days, pauses)
        elif line and line.resolution_hours:
            resolution = calendar.add(
                start, dt.timedelta(hours=float(line.resolution_hours)),
                pauses)
        return tuple(to_utc(d, tzinfo) if d else None
            for d in (response, resolution))

    def response_deadline(self, company, reported, priority):
        "Return the response deadline in UTC of a report without pause"
        line = self.target(priority)
        if not (line and line.response_hours):
            return None
        tzinfo = company_timezone(company)
        response = self.calendar().add(
            to_local(reported, tzinfo),
            dt.timedelta(hours=float(line.response_hours)), [])
        return to_utc(response, tzinfo)

    def at_risk(self, company, start, deadline, share, pauses=()):
        """Return the naive UTC moment when all but share of the business
        time from start to deadline (naive UTC) has run, the pauses not
        counted: from then the deadline is at risk"""
        tzinfo = company_timezone(company)
        calendar = self.calendar()
        start = to_local(start, tzinfo)
        pauses = [(to_local(s, tzinfo), to_local(e, tzinfo))
            for s, e in pauses]
        allowed = calendar.elapsed(start, to_local(deadline, tzinfo), pauses)
        return to_utc(
            calendar.add(start, allowed * (1 - share), pauses), tzinfo)

    def business_time(self, company, start, end, pauses=()):
        "Return the business time between naive UTC datetimes"
        tzinfo = company_timezone(company)
        return self.calendar().elapsed(
            to_local(start, tzinfo), to_local(end, tzinfo),
            [(to_local(s, tzinfo), to_local(e, tzinfo)) for s, e in pauses])


class SLALine(ClientValueMixin, ModelSQL, ModelView):
    __name__ = 'service.sla.line'
    __string__ = "SLA Target"

    sla = fields.Many2One(
        'service.sla', "SLA", required=True, ondelete='CASCADE')
    priority = fields.Selection(PRIORITIES, "Priority", required=True)
    response_hours = fields.Numeric(
        "Response Hours", digits=(16, 2),
        domain=['OR',
            ('response_hours', '=', None),
            [('response_hours', '>', 0),
                ('response_hours', '<=', MAX_HOURS)],
            ],
        help="Business hours from the report to the acceptance.")
    resolution_hours = fields.Numeric(
        "Resolution Hours", digits=(16, 2),
        domain=['OR',
            ('resolution_hours', '=', None),
            [('resolution_hours', '>', 0),
                ('resolution_hours', '<=', MAX_HOURS)],
            ],
        help="Business hours from the report to the resolution.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('priority_unique', Unique(t, t.sla, t.priority),
                'service_desk.msg_sla_line_priority_unique'),
            ]


class SLAHour(ClientValueMixin, sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'service.sla.hour'
    __string__ = "SLA Business Hours"

    sla = fields.Many2One(
        'service.sla', "SLA", required=True, ondelete='CASCADE')
    weekday = fields.Selection(WEEKDAYS, "Weekday", required=True, sort=False)
    weekday_string = weekday.translated('weekday')
    start = fields.Time("Start", required=True)
    end = fields.Time(
        "End", required=True,
        help="00:00 means midnight at the end of the day.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('weekday', 'ASC'), ('start', 'ASC')] + cls._order

    @classmethod
    def validate_fields(cls, hours, field_names):
        super().validate_fields(hours, field_names)
        if field_names & {'start', 'end'}:
            for hour in hours:
                if hour.end != MIDNIGHT and hour.end <= hour.start:
                    raise SLAValidationError(gettext(
                            'service_desk.msg_sla_hour_end_before_start',
                            sla=hour.sla.rec_name,
                            weekday=hour.weekday_string,
                            start=hour.start.strftime('%H:%M'),
                            end=hour.end.strftime('%H:%M')))


class SLAHoliday(ClientValueMixin, ModelSQL, ModelView):
    __name__ = 'service.sla.holiday'
    __string__ = "SLA Holiday"

    sla = fields.Many2One(
        'service.sla', "SLA", required=True, ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    name = fields.Char("Name", translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date', 'ASC'))
