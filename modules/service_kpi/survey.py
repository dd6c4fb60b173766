# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
import datetime as dt

from dateutil.relativedelta import relativedelta
from sql import Null
from sql.aggregate import Max, Min

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Workflow, fields,
    sequence_ordered)
from trytond.modules.service_desk.client import ClientValueMixin
from trytond.modules.service_desk.sla import company_timezone, to_local
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .exceptions import SurveyDeleteError, SurveyValidationError

SCORES = ['attitude', 'timeliness', 'quality', 'overall']
LOW_SCORE = 2
# The complaint category of the complaint a survey's reason opens
REASON_CATEGORIES = {
    'waiting': 'timeliness',
    'communication': 'timeliness',
    'attitude': 'attitude',
    'price': 'price',
    'not_fixed': 'product_quality',
    }


def score_field(string, help):
    return fields.Integer(
        string, help=help,
        states={
            'readonly': Eval('state') != 'pending',
            })


def as_datetime(value):
    "Return the timestamp of a value read by SQL (SQLite gives text)"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value


def as_date(value):
    "Return the date of a value read by SQL (SQLite gives aggregates as text)"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


class SurveyReason(
        ClientValueMixin, DeactivableMixin, sequence_ordered(), ModelSQL,
        ModelView):
    "Why the customer is unhappy: the list the manager keeps"
    __name__ = 'service.survey.reason'
    __string__ = "Survey Reason"

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", strip=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(1, ('name', 'ASC'))


class Survey(ClientValueMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'service.survey'
    __string__ = "Service Survey"

    _pending = {
        'readonly': Eval('state') != 'pending',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_pending)
    party = fields.Many2One(
        'party.party', "Customer", required=True, states=_pending,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    request = fields.Many2One(
        'service.request', "Request", states=_pending,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('party', '=', Eval('party', -1)),
            ])
    dispatch = fields.Many2One(
        'service.dispatch', "Work Order", states=_pending,
        domain=[('request', '=', Eval('request', -1))])
    technician = fields.Many2One(
        'company.employee', "Technician", states=_pending,
        domain=[('company', '=', Eval('company', -1))])
    kind = fields.Selection([
            ('follow_up', "Follow-up"),
            ('periodic', "Periodic Revisit"),
            ('complaint', "Complaint"),
            ], "Kind", required=True, states=_pending)
    due_date = fields.Date("Due Date", required=True, states=_pending)
    date = fields.Date("Date", states=_pending, help="When the call was made.")
    attitude = score_field("Attitude", "The technician's attitude, 1 to 5.")
    timeliness = score_field("Timeliness", "On time, 1 to 5.")
    quality = score_field("Quality", "Quality of the repair, 1 to 5.")
    overall = score_field("Overall", "Overall satisfaction, 1 to 5.")
    reason = fields.Many2One(
        'service.survey.reason', "Reason", states=_pending,
        ondelete='RESTRICT',
        help="Why the customer is unhappy.")
    comment = fields.Text("Comment", states=_pending)
    answered_from = fields.Selection([
            (None, ""),
            ('desk', "Desk"),
            ('link', "Customer's Link"),
            ], "Answered From", readonly=True,
        help="Who recorded the answer: the desk after a call, or the "
        "customer on the survey's page.")
    complaint = fields.Many2One(
        'service.request', "Complaint", readonly=True,
        help="The complaint request opened for a low score.")
    overdue = fields.Function(fields.Boolean(
            "Overdue",
            help="The call is not made and its due date has passed."),
        'get_timeliness', searcher='search_overdue')
    late = fields.Function(fields.Boolean(
            "Made Late", help="The call was made after its due date."),
        'get_timeliness', searcher='search_late')
    state = fields.Selection([
            ('pending', "Pending"),
            ('done', "Done"),
            ('no_answer', "No Answer"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.request, Index.Range()),
                    (t.kind, Index.Equality(cardinality='low'))),
                Index(t, (t.party, Index.Range()),
                    (t.kind, Index.Equality(cardinality='low'))),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'pending'),
                })
        cls._order = [('due_date', 'ASC'), ('id', 'ASC')]
        cls._transitions |= {
            ('pending', 'done'),
            ('pending', 'no_answer'),
            ('pending', 'cancelled'),
            ('no_answer', 'pending'),
            ('cancelled', 'pending'),
            }
        cls._buttons.update({
                'answer': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                'no_answer': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                'pending': {
                    'invisible': ~Eval('state').in_(
                        ['no_answer', 'cancelled']),
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                'survey_link': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'pending'

    @staticmethod
    def default_kind():
        return 'follow_up'

    @classmethod
    def default_due_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today()

    @fields.depends('request', 'party', 'dispatch', 'technician')
    def on_change_request(self):
        if self.request:
            self.party = self.request.party
            dispatch = self.request.last_dispatch()
            if dispatch:
                self.dispatch = dispatch
                self.technician = dispatch.technician

    def get_rec_name(self, name):
        return f'{self.party.rec_name} @ {self.due_date}'

    @classmethod
    def _today(cls, company_id=None):
        "Today in the company's time zone"
        pool = Pool()
        Date = pool.get('ir.date')
        if company_id is None:
            company_id = Transaction().context.get('company')
        with Transaction().set_context(company=company_id):
            return Date.today()

    @classmethod
    def get_timeliness(cls, surveys, names):
        result = {name: {} for name in names}
        todays = {}
        for survey in surveys:
            company = survey.company.id
            if company not in todays:
                todays[company] = cls._today(company)
            if 'overdue' in result:
                result['overdue'][survey.id] = bool(
                    survey.state == 'pending'
                    and survey.due_date < todays[company])
            if 'late' in result:
                result['late'][survey.id] = bool(
                    survey.state in {'done', 'no_answer'} and survey.date
                    and survey.date > survey.due_date)
        return result

    @classmethod
    def _boolean_clause(cls, clause, condition):
        "The domain of a boolean searcher given the SQL of the true rows"
        _, operator, value = clause[:3]
        if operator not in {'=', '!='}:
            return [('id', '=', -1)]
        table = cls.__table__()
        positive = (operator == '=') == bool(value)
        return [('id', 'in' if positive else 'not in',
                table.select(table.id, where=condition(table)))]

    @classmethod
    def search_overdue(cls, name, clause):
        today = cls._today()
        return cls._boolean_clause(clause, lambda t: (
                (t.state == 'pending') & (t.due_date < today)))

    @classmethod
    def search_late(cls, name, clause):
        return cls._boolean_clause(clause, lambda t: (
                t.state.in_(['done', 'no_answer']) & (t.date != Null)
                & (t.date > t.due_date)))

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('overdue', False), 'danger', '')),
            ]

    @classmethod
    def validate_fields(cls, surveys, field_names):
        super().validate_fields(surveys, field_names)
        if field_names & set(SCORES):
            for survey in surveys:
                for name in SCORES:
                    score = getattr(survey, name)
                    if score is not None and not 1 <= score <= 5:
                        raise SurveyValidationError(gettext(
                                'service_kpi.msg_survey_score_range',
                                survey=survey.rec_name,
                                field=cls.fields_get(
                                    [name])[name]['string']))

    @classmethod
    def check_modification(cls, mode, surveys, values=None, external=False):
        super().check_modification(
            mode, surveys, values=values, external=external)
        if mode == 'delete':
            for survey in surveys:
                if survey.state == 'done':
                    raise SurveyDeleteError(gettext(
                            'service_kpi.msg_survey_delete_done',
                            survey=survey.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def answer(cls, surveys):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        for survey in surveys:
            if survey.overall is None:
                raise SurveyValidationError(gettext(
                        'service_kpi.msg_survey_overall_required',
                        survey=survey.rec_name))
            if not survey.date:
                survey.date = today
            if not survey.answered_from:
                survey.answered_from = 'desk'
        cls.save(surveys)
        cls.open_complaints([s for s in surveys if s.overall <= LOW_SCORE])

    @classmethod
    @ModelView.button
    @Workflow.transition('no_answer')
    def no_answer(cls, surveys):
        "The call was made, and the customer did not answer"
        today = cls._today()
        for survey in surveys:
            if not survey.date:
                survey.date = today
        cls.save(surveys)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, surveys):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('pending')
    def pending(cls, surveys):
        # A call not answered is made again: its date is the next call's
        unanswered = [s for s in surveys if s.state == 'no_answer']
        for survey in unanswered:
            survey.date = None
        cls.save(unanswered)

    @classmethod
    @ModelView.button_action('service_kpi.url_survey_link')
    def survey_link(cls, surveys):
        """Open the page where the customer answers the survey: a new link,
        for this survey only, to send the customer"""
        pool = Pool()
        Configuration = pool.get('service.configuration')
        Link = pool.get('service.link')
        if not surveys:
            return
        survey = surveys[0]
        if survey.state != 'pending':
            raise SurveyValidationError(gettext(
                    'service_kpi.msg_survey_link_state',
                    survey=survey.rec_name))
        days = Configuration(1).get_multivalue(
            'survey_link_days', company=survey.company.id)
        return {'url': Link.issue_url(
                survey, 'survey',
                dt.datetime.now() + dt.timedelta(days=days))}

    @classmethod
    def open_complaints(cls, surveys):
        "Open a complaint request for each survey with a low score"
        pool = Pool()
        Request = pool.get('service.request')
        RequestType = pool.get('service.request.type')
        Category = pool.get('service.complaint.category')
        surveys = [s for s in surveys if not s.complaint]
        if not surveys:
            return
        complaint_type, = RequestType.search([('code', '=', 'complaint')])
        categories = {c.code: c for c in Category.search([])}
        requests = []
        for survey in surveys:
            description = gettext(
                'service_kpi.msg_complaint_description',
                survey=survey.rec_name, overall=survey.overall,
                comment=survey.comment or '')
            # What the customer was unhappy about sets the deadlines
            code = REASON_CATEGORIES.get(
                survey.reason.code if survey.reason else None, 'other')
            requests.append(Request(
                    company=survey.company,
                    party=survey.party,
                    type=complaint_type,
                    complaint_category=categories.get(code),
                    channel='phone',
                    priority='high',
                    equipment=survey.request.equipment
                    if survey.request else None,
                    description=description))
        Request.save(requests)
        for survey, request in zip(surveys, requests):
            survey.complaint = request
        cls.save(surveys)

    @classmethod
    def create_follow_ups(cls, date=None):
        """Create one follow-up call per resolved request, due
        follow_up_days after its resolution"""
        pool = Pool()
        Request = pool.get('service.request')
        Configuration = pool.get('service.configuration')
        request = Request.__table__()
        survey = cls.__table__()
        cursor = Transaction().connection.cursor()
        configuration = Configuration(1)
        already = survey.select(survey.request,
            where=(survey.kind == 'follow_up') & (survey.request != Null))
        cursor.execute(*request.select(request.id,
                where=request.state.in_(['resolved', 'closed'])
                & (request.resolved_date != Null)
                & ~request.id.in_(already)))
        request_ids = [i for i, in cursor]
        surveys = []
        for sub_ids in grouped_slice(request_ids):
            for record in Request.browse(sub_ids):
                days = configuration.get_multivalue(
                    'follow_up_days', company=record.company.id)
                resolved = to_local(
                    record.resolved_date,
                    company_timezone(record.company)).date()
                dispatch = record.last_dispatch()
                surveys.append(cls(
                        company=record.company,
                        party=record.party,
                        request=record,
                        dispatch=dispatch,
                        technician=dispatch.technician if dispatch else None,
                        kind='follow_up',
                        due_date=resolved + dt.timedelta(days=days)))
        cls.save(surveys)
        return surveys

    @classmethod
    def create_periodic(cls, date=None):
        """Create the revisit calls due: every so many months (the
        company's settings: 6 for important customers, 12 for the others)
        after the last revisit call, else after the customer's first
        resolved request, in the company's time zone

        A call is created once: the next one is due the set months after
        it.  A customer whose calls were not made for several periods gets
        one call, due at the last period's date."""
        pool = Pool()
        Date = pool.get('ir.date')
        Company = pool.get('company.company')
        Configuration = pool.get('service.configuration')
        Request = pool.get('service.request')
        Party = pool.get('party.party')
        request = Request.__table__()
        survey = cls.__table__()
        cursor = Transaction().connection.cursor()
        configuration = Configuration(1)
        # The first resolution of each customer who had service, and the
        # latest revisit call of each
        cursor.execute(*request.select(
                request.company, request.party, Min(request.resolved_date),
                where=request.resolved_date != Null,
                group_by=[request.company, request.party]))
        first = {(c, p): as_datetime(d) for c, p, d in cursor}
        cursor.execute(*survey.select(
                survey.company, survey.party, Max(survey.due_date),
                where=(survey.kind == 'periodic')
                & (survey.state != 'cancelled'),
                group_by=[survey.company, survey.party]))
        last_call = {(c, p): as_date(d) for c, p, d in cursor}
        parties = {p.id: p for p in Party.browse(list({p for _, p in first}))}
        surveys = []
        for company in Company.browse(list({c for c, _ in first})):
            if date is None:
                with Transaction().set_context(company=company.id):
                    today = Date.today()
            else:
                today = date
            timezone = company_timezone(company)
            months = {
                important: configuration.get_multivalue(
                    'revisit_important_months' if important
                    else 'revisit_other_months', company=company.id)
                for important in [True, False]}
            for (company_id, party_id), resolved in first.items():
                if company_id != company.id:
                    continue
                party = parties[party_id]
                step = relativedelta(months=months[
                        bool(party.service_important)])
                last = last_call.get((company_id, party_id))
                if last is None:
                    last = to_local(resolved, timezone).date()
                due = last + step
                if due > today:
                    continue
                while due + step <= today:
                    due += step
                surveys.append(cls(
                        company=company, party=party, kind='periodic',
                        due_date=due))
        cls.save(surveys)
        return surveys


class Request(metaclass=PoolMeta):
    __name__ = 'service.request'

    surveys = fields.One2Many(
        'service.survey', 'request', "Surveys", readonly=True)

    def last_dispatch(self):
        "Return the last done work order of the request or None"
        done = [d for d in self.dispatches if d.state == 'done']
        if done:
            return max(done, key=lambda d: (d.departure_date, d.id))
