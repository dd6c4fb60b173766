# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Complaints as the regulations ask.

A complaint is a service request of the type coded ``complaint``.  The
regulations give it three deadlines from the moment it is reported:

- investigated and entered in the complaint register (the desk accepts the
  request) within ``investigate_hours`` business hours (2);
- a first answer to the customer within one working day for a complaint
  about the product's quality ("24 hours"), two for any other ("48
  hours"): the hours of the days the company does not work do not count;
- handled (resolved) within ``resolve_working_days`` working days (1).

Business hours and working days are those of the company's default service
level (its opening hours and holidays), in the company's time zone; without
one the clock runs round the clock.  What the department cannot handle goes
to the administration department.  A scheduled task escalates, once, each
complaint with a deadline passed and its step not done: the date is kept
and, with ``notification_email``, the service managers of the company and
the user set in the configuration hear of it.  The register keeps the
outcome (the request's resolution), the customer's satisfaction with it and
who signed it off; a complaint is closed only with both.
"""
import datetime as dt

from sql import Null

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.model.exceptions import AccessError
from trytond.modules.company import CompanyReport
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction
from trytond.wizard import Button, StateReport, StateView, Wizard

from .access import works_for
from .client import ClientValueMixin
from .exceptions import RequestValidationError, RequestWorkflowError
from .sla import ROUND_THE_CLOCK, company_timezone, day_bounds, to_local, to_utc
from .sla_clock import BusinessCalendar

ONE_DAY = dt.timedelta(days=1)
COMPLAINT_STATES = ['draft', 'open', 'in_progress', 'waiting', 'resolved']
SATISFACTION = [
    (None, ""),
    ('satisfied', "Satisfied"),
    ('fairly_satisfied', "Fairly Satisfied"),
    ('dissatisfied', "Dissatisfied"),
    ]


def add_day_hours(calendar, start, hours):
    """Return the moment `hours` hours after start, the days the calendar
    does not work not counted (24 hours from a Friday at 15:00 are due on
    Monday at 15:00, on Tuesday if Monday is a holiday)"""
    remaining = dt.timedelta(hours=hours)
    moment = start

    def skip(moment):
        while not calendar.is_working_day(moment.date()):
            moment = dt.datetime.combine(
                moment.date() + ONE_DAY, dt.time(0))
        return moment
    moment = skip(moment)
    while True:
        midnight = dt.datetime.combine(moment.date() + ONE_DAY, dt.time(0))
        if moment + remaining <= midnight:
            return moment + remaining
        remaining -= midnight - moment
        moment = skip(midnight)


class ComplaintCategory(
        ClientValueMixin, DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'service.complaint.category'
    __string__ = "Complaint Category"

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code")
    product_quality = fields.Boolean(
        "Product Quality",
        help="A complaint about the product's quality is answered within "
        "24 hours, any other within 48 hours (the days the company does not "
        "work not counted).")
    investigate_hours = fields.Integer(
        "Investigate Hours", required=True,
        domain=[('investigate_hours', '>', 0),
            ('investigate_hours', '<=', 240)],
        help="The business hours to investigate the complaint and enter it "
        "in the register (accept it).")
    resolve_working_days = fields.Integer(
        "Resolve Working Days", required=True,
        domain=[('resolve_working_days', '>', 0),
            ('resolve_working_days', '<=', 60)],
        help="The working days to handle (resolve) the complaint.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'service_desk.msg_complaint_category_code_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))

    @staticmethod
    def default_product_quality():
        return False

    @staticmethod
    def default_investigate_hours():
        return 2

    @staticmethod
    def default_resolve_working_days():
        return 1

    @property
    def answer_hours(self):
        "The hours to the first answer"
        return 24 if self.product_quality else 48


class Configuration(metaclass=PoolMeta):
    __name__ = 'service.configuration'

    complaint_escalation_user = fields.MultiValue(fields.Many2One(
            'res.user', "Complaint Escalation",
            help="Who hears, beside the service managers, of a complaint "
            "whose deadline passed."))

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field == 'complaint_escalation_user':
            return pool.get('service.configuration.company')
        return super().multivalue_model(field)


class ConfigurationCompany(metaclass=PoolMeta):
    __name__ = 'service.configuration.company'

    complaint_escalation_user = fields.Many2One(
        'res.user', "Complaint Escalation")


class Request(metaclass=PoolMeta):
    __name__ = 'service.request'

    is_complaint = fields.Function(
        fields.Boolean("Complaint"), 'on_change_with_is_complaint',
        searcher='search_is_complaint')
    complaint_category = fields.Many2One(
        'service.complaint.category', "Complaint Category",
        ondelete='RESTRICT',
        states={
            'invisible': ~Eval('is_complaint'),
            'required': (Bool(Eval('is_complaint'))
                & ~Eval('state').in_(['draft', 'cancelled'])),
            'readonly': Eval('state').in_(['resolved', 'closed', 'cancelled']),
            },
        help="What the complaint is about: it sets its deadlines.")
    complaint_handler = fields.Selection([
            (None, ""),
            ('service', "Service Department"),
            ('administration', "Administration Department"),
            ], "Handled By",
        states={
            'invisible': ~Eval('is_complaint'),
            'readonly': Eval('state').in_(['resolved', 'closed', 'cancelled']),
            },
        help="What the service department cannot handle goes to the "
        "administration department, which organises its handling and "
        "follows it up.")
    complaint_responsible = fields.Many2One(
        'company.employee', "Responsible",
        domain=[('company', '=', Eval('company', -1))],
        states={
            'invisible': ~Eval('is_complaint'),
            'readonly': Eval('state').in_(['resolved', 'closed', 'cancelled']),
            },
        help="The person who handles the complaint.")
    complaint_transferred_date = fields.DateTime(
        "Transferred", readonly=True,
        states={
            'invisible': ~Eval('complaint_transferred_date'),
            },
        help="When the complaint went to the administration department.")
    complaint_investigate_deadline = fields.DateTime(
        "Register By", readonly=True,
        states={
            'invisible': ~Eval('is_complaint'),
            },
        help="The complaint is investigated and entered in the register "
        "(accepted) by then.")
    complaint_answer_deadline = fields.DateTime(
        "First Answer By", readonly=True,
        states={
            'invisible': ~Eval('is_complaint'),
            })
    complaint_resolve_deadline = fields.DateTime(
        "Handle By", readonly=True,
        states={
            'invisible': ~Eval('is_complaint'),
            },
        help="The complaint is handled (resolved) by then.")
    complaint_answer = fields.Text(
        "First Answer",
        states={
            'invisible': ~Eval('is_complaint'),
            'readonly': Bool(Eval('complaint_answered_date')),
            },
        help="What the customer was first told.")
    complaint_answered_date = fields.DateTime(
        "First Answered", readonly=True,
        states={
            'invisible': ~Eval('is_complaint'),
            })
    complaint_overdue = fields.Function(
        fields.Boolean("Complaint Overdue",
            help="A deadline of the complaint has passed and its step is "
            "not done."),
        'get_complaint_overdue', searcher='search_complaint_overdue')
    escalated_date = fields.DateTime(
        "Escalated", readonly=True,
        states={
            'invisible': ~Eval('escalated_date'),
            },
        help="When the complaint was escalated to the managers, a deadline "
        "having passed.")
    outcome_satisfaction = fields.Selection(
        SATISFACTION, "Outcome Satisfaction", sort=False,
        states={
            'invisible': ~Eval('is_complaint'),
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            },
        help="The customer's satisfaction with the outcome.")
    outcome_signed_by = fields.Char(
        "Outcome Signed By",
        states={
            'invisible': ~Eval('is_complaint'),
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            },
        help="The customer who signed off the outcome.")
    escalation_users = fields.Function(
        fields.Many2Many('res.user', None, None, "Escalation Users"),
        'get_escalation_users')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'answer_complaint': {
                    'invisible': (~Eval('is_complaint')
                        | Bool(Eval('complaint_answered_date'))
                        | Eval('state').in_(['draft', 'cancelled'])),
                    'depends': ['is_complaint', 'complaint_answered_date',
                        'state'],
                    },
                'transfer_complaint': {
                    'invisible': (~Eval('is_complaint')
                        | (Eval('complaint_handler') == 'administration')
                        | ~Eval('state').in_(
                            ['open', 'in_progress', 'waiting'])),
                    'depends': ['is_complaint', 'complaint_handler', 'state'],
                    },
                })

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('//page[@id="complaint"]', 'states', {
                    'invisible': ~Eval('is_complaint'),
                    }),
            ('/tree/field[@name="complaint_resolve_deadline"]', 'visual',
                If(Bool(Eval('complaint_overdue')), 'danger', '')),
            ('/tree/field[@name="complaint_answer_deadline"]', 'visual',
                If(Bool(Eval('complaint_overdue')), 'danger', '')),
            ]

    @fields.depends('type')
    def on_change_with_is_complaint(self, name=None):
        return bool(self.type and self.type.code == 'complaint')

    @classmethod
    def search_is_complaint(cls, name, clause):
        _, operator, value = clause[:3]
        positive = (operator == '=') == bool(value)
        return [('type.code', '=' if positive else '!=', 'complaint')]

    @staticmethod
    def default_complaint_handler():
        return 'service'

    @classmethod
    def _complaint_overdue_conditions(cls, table, now):
        "The SQL condition of a complaint with a deadline passed, undone"
        return (
            table.state.in_(COMPLAINT_STATES)
            & (((table.accepted_date == Null)
                    & (table.complaint_investigate_deadline < now))
                | ((table.complaint_answered_date == Null)
                    & (table.complaint_answer_deadline < now))
                | ((table.resolved_date == Null)
                    & (table.complaint_resolve_deadline < now))))

    def get_complaint_overdue(self, name):
        now = dt.datetime.now()
        if self.state not in COMPLAINT_STATES:
            return False
        return any(deadline and deadline < now and not done
            for deadline, done in [
                (self.complaint_investigate_deadline, self.accepted_date),
                (self.complaint_answer_deadline,
                    self.complaint_answered_date),
                (self.complaint_resolve_deadline, self.resolved_date),
                ])

    @classmethod
    def search_complaint_overdue(cls, name, clause):
        _, operator, value = clause[:3]
        table = cls.__table__()
        query = table.select(table.id,
            where=cls._complaint_overdue_conditions(
                table, dt.datetime.now()))
        positive = (operator == '=') == bool(value)
        return [('id', 'in' if positive else 'not in', query)]

    def get_escalation_users(self, name):
        "The company's service managers and the escalation user"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Configuration = pool.get('service.configuration')
        group = ModelData.get_id('service_desk', 'group_service_manager')
        users = User.search([
                ('groups', '=', group),
                ('companies', '=', self.company.id),
                ])
        extra = Configuration(1).get_multivalue(
            'complaint_escalation_user', company=self.company.id)
        ids = [u.id for u in users]
        if extra and extra.id not in ids:
            ids.append(extra.id)
        return ids

    def complaint_calendar(self):
        "The company's business calendar (its default service level's)"
        pool = Pool()
        Configuration = pool.get('service.configuration')
        sla = Configuration(1).get_multivalue(
            'default_sla', company=self.company.id)
        if sla:
            return sla.calendar()
        return BusinessCalendar(ROUND_THE_CLOCK)

    def compute_complaint_deadlines(self):
        """Return the deadlines (register, first answer, handle) in UTC
        counted from the report on the company's business calendar"""
        pool = Pool()
        Category = pool.get('service.complaint.category')
        if not (self.is_complaint and self.reported_date):
            return None, None, None
        category = self.complaint_category or Category(
            product_quality=False,
            investigate_hours=Category.default_investigate_hours(),
            resolve_working_days=Category.default_resolve_working_days())
        tzinfo = company_timezone(self.company)
        calendar = self.complaint_calendar()
        start = to_local(self.reported_date, tzinfo)
        investigate = calendar.add(
            start, dt.timedelta(hours=category.investigate_hours))
        answer = add_day_hours(calendar, start, category.answer_hours)
        resolve = calendar.add_working_days(
            start, category.resolve_working_days)
        return tuple(to_utc(d, tzinfo)
            for d in (investigate, answer, resolve))

    @classmethod
    def on_modification(cls, mode, requests, field_names=None):
        super().on_modification(mode, requests, field_names=field_names)
        if mode == 'create' or (mode == 'write' and field_names & {
                    'type', 'reported_date', 'complaint_category',
                    'company'}):
            cls._set_complaint_deadlines(requests)

    @classmethod
    def _set_complaint_deadlines(cls, requests):
        to_save = []
        for request in requests:
            deadlines = request.compute_complaint_deadlines()
            if deadlines != (request.complaint_investigate_deadline,
                    request.complaint_answer_deadline,
                    request.complaint_resolve_deadline):
                (request.complaint_investigate_deadline,
                    request.complaint_answer_deadline,
                    request.complaint_resolve_deadline) = deadlines
                to_save.append(request)
        if to_save:
            cls.save(to_save)

    @classmethod
    def copy(cls, requests, default=None):
        default = default.copy() if default is not None else {}
        for name in ['complaint_transferred_date', 'complaint_answer',
                'complaint_answered_date', 'escalated_date',
                'outcome_satisfaction', 'outcome_signed_by']:
            default.setdefault(name, None)
        return super().copy(requests, default=default)

    @classmethod
    def open(cls, requests):
        for request in requests:
            if request.is_complaint and not request.complaint_category:
                raise RequestValidationError(gettext(
                        'service_desk.msg_complaint_category_required',
                        request=request.rec_name))
        super().open(requests)

    @classmethod
    def close(cls, requests):
        for request in requests:
            if request.is_complaint and not (
                    request.outcome_satisfaction
                    and (request.outcome_signed_by or '').strip()):
                raise RequestValidationError(gettext(
                        'service_desk.msg_complaint_close_outcome',
                        request=request.rec_name))
        super().close(requests)

    @classmethod
    @ModelView.button
    def answer_complaint(cls, requests):
        "Record that the customer got the first answer, now"
        for request in requests:
            if not request.is_complaint:
                raise RequestValidationError(gettext(
                        'service_desk.msg_complaint_not_complaint',
                        request=request.rec_name))
            if request.state in {'draft', 'cancelled'}:
                raise RequestWorkflowError(gettext(
                        'service_desk.msg_complaint_answer_state',
                        request=request.rec_name))
            if not (request.complaint_answer or '').strip():
                raise RequestValidationError(gettext(
                        'service_desk.msg_complaint_answer_empty',
                        request=request.rec_name))
        cls.write([r for r in requests if not r.complaint_answered_date], {
                'complaint_answered_date': dt.datetime.now(),
                })

    @classmethod
    @ModelView.button
    def transfer_complaint(cls, requests):
        "Hand the complaint to the administration department"
        for request in requests:
            if not request.is_complaint:
                raise RequestValidationError(gettext(
                        'service_desk.msg_complaint_not_complaint',
                        request=request.rec_name))
            if request.state not in {'open', 'in_progress', 'waiting'}:
                raise RequestWorkflowError(gettext(
                        'service_desk.msg_complaint_transfer_state',
                        request=request.rec_name))
        cls.write([r for r in requests
                if r.complaint_handler != 'administration'], {
                'complaint_handler': 'administration',
                'complaint_transferred_date': dt.datetime.now(),
                })

    @classmethod
    def escalate_complaints(cls, now=None):
        """Escalate, once, the complaints with a deadline passed and its
        step not done (a scheduled task)"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        if now is None:
            now = dt.datetime.now()
        cursor.execute(*table.select(table.id,
                where=cls._complaint_overdue_conditions(table, now)
                & (table.escalated_date == Null)))
        ids = [i for i, in cursor]
        requests = cls.browse(ids)
        # Only complaints: a deadline is set on complaints alone
        requests = [r for r in requests if r.is_complaint]
        for request in requests:
            request.escalated_date = now
        cls.save(requests)
        return requests


class ComplaintRegisterStart(ModelView):
    __name__ = 'service.complaint.register.start'
    __string__ = "Print Complaint Register"

    company = fields.Many2One('company.company', "Company", required=True)
    from_date = fields.Date(
        "From Date", required=True,
        domain=[('from_date', '<=', Eval('to_date', None))])
    to_date = fields.Date(
        "To Date", required=True,
        domain=[('to_date', '>=', Eval('from_date', None))])

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_from_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_to_date(cls):
        return Pool().get('ir.date').today()


class ComplaintRegister(Wizard):
    "Print the complaint register of a day or period"
    __name__ = 'service.complaint.register'

    start = StateView('service.complaint.register.start',
        'service_desk.complaint_register_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'print_', 'tryton-print', default=True),
            ])
    print_ = StateReport('service.complaint.register')

    def do_print_(self, action):
        return action, {
            'company': self.start.company.id,
            'from_date': self.start.from_date,
            'to_date': self.start.to_date,
            }


class ComplaintRegisterReport(CompanyReport):
    """The complaint register: each complaint reported in the period (the
    company's days), with its time, content, category, who handled it, the
    deadlines met, the outcome and the customer's satisfaction with it"""
    __name__ = 'service.complaint.register'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Company = pool.get('company.company')
        Request = pool.get('service.request')
        Lang = pool.get('ir.lang')
        context = super().get_context(records, header, data)
        company = Company(data['company'])
        if not works_for(company.id):
            raise AccessError(gettext(
                    'service_desk.msg_complaint_register_company'))
        start, end = day_bounds(company, data['from_date'], data['to_date'])
        complaints = Request.search([
                ('company', '=', company.id),
                ('is_complaint', '=', True),
                ('reported_date', '>=', start),
                ('reported_date', '<', end),
                ('state', '!=', 'cancelled'),
                ], order=[('reported_date', 'ASC'), ('id', 'ASC')])
        tzinfo = company_timezone(company)
        lang = Lang.get()

        def local(value):
            if not value:
                return ''
            return lang.strftime(to_local(value, tzinfo), '%x %H:%M')

        def met(deadline, done):
            if not deadline:
                return ''
            if done:
                return gettext('service_desk.msg_complaint_register_met'
                    if done <= deadline
                    else 'service_desk.msg_complaint_register_late')
            return ''
        Satisfaction = dict(Request.fields_get(
                ['outcome_satisfaction'])['outcome_satisfaction'][
                'selection'])
        Handler = dict(Request.fields_get(
                ['complaint_handler'])['complaint_handler']['selection'])
        context['company'] = company
        context['from_date'] = data['from_date']
        context['to_date'] = data['to_date']
        context['complaints'] = [{
                'number': r.number,
                'reported': local(r.reported_date),
                'party': r.party.rec_name,
                'category': (r.complaint_category.rec_name
                    if r.complaint_category else ''),
                'content': r.description or '',
                'handler': Handler.get(r.complaint_handler) or '',
                'responsible': (r.complaint_responsible.rec_name
                    if r.complaint_responsible else ''),
                'registered': local(r.accepted_date),
                'registered_met': met(
                    r.complaint_investigate_deadline, r.accepted_date),
                'answered': local(r.complaint_answered_date),
                'answered_met': met(
                    r.complaint_answer_deadline, r.complaint_answered_date),
                'resolved': local(r.resolved_date),
                'resolved_met': met(
                    r.complaint_resolve_deadline, r.resolved_date),
                'outcome': r.resolution or '',
                'satisfaction': Satisfaction.get(r.outcome_satisfaction) or '',
                'signed_by': r.outcome_signed_by or '',
                'escalated': local(r.escalated_date),
                } for r in complaints]
        return context
