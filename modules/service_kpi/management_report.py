# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The reports the department sends its management by scheduled task.

- the product failure report of each month (the report printed from the
  KPI menu), sent in the first days of the next month;
- the department summary of each week, Monday to Sunday: requests in and
  out, the requests handled late and those left open past their deadline,
  the share of the SLA met, the complaints and the customers' satisfaction.

Periods are those of the company's time zone.  The recipients are the users
set in the configuration (``service.management.report.recipient``), each for
the reports he wants.  A report is sent once per period: a record of
``service.management.report`` is kept for each, unique per company, kind and
period, with the file sent; the task sends every period ended since the last
one sent (not more than a year), or only the last ended period the first
time.  The file is rendered in each recipient's language, as PDF (converted
by LibreOffice, Tryton's ``report`` ``convert_command``; the ODT file when
it cannot) or ODT, and sent through Tryton's e-mail queue (``ir.email``),
so that each e-mail is kept, with its attachment, beside the report.
"""
import datetime as dt
import logging
import types
from collections import defaultdict

from sql import Null
from sql.aggregate import Avg, Count, Max, Sum
from sql.conditionals import Case

from trytond.i18n import gettext
from trytond.tools import slugify
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.modules.company import CompanyReport
from trytond.modules.service_desk.access import works_for
from trytond.modules.service_desk.client import ClientValueMixin
from trytond.modules.service_desk.sla import day_bounds
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateReport, StateView, Wizard

from .exceptions import ManagementReportError
from .failure_report import previous_month
from .kpi import PeriodMixin, as_float

logger = logging.getLogger(__name__)

KINDS = [
    ('failure', "Product Failure Report (Monthly)"),
    ('summary', "Department Summary (Weekly)"),
    ]
REPORT_NAMES = {
    'failure': 'service.kpi.failure_report',
    'summary': 'service.management.summary',
    }
RECIPIENT_FIELDS = {
    'failure': 'failure_report',
    'summary': 'summary',
    }
# The periods the task catches up at most, when it did not run
MAX_PERIODS = 12
FORMATS = [
    ('pdf', "PDF"),
    ('odt', "ODT"),
    ]

management_report_format = fields.Selection(
    FORMATS, "Management Report Format", required=True,
    help="The format of the reports sent to the management.  A PDF file is "
    "converted by LibreOffice on the server; the ODT file is sent when it "
    "cannot be.")


def previous_week(date):
    "Return the Monday and the Sunday of the week before the date's"
    monday = date - dt.timedelta(days=date.weekday())
    return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)


def next_period(kind, from_date):
    "Return the first and the last day of the period after from_date's"
    if kind == 'failure':
        first = (from_date.replace(day=28) + dt.timedelta(days=4)).replace(
            day=1)
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(
            day=1) - dt.timedelta(days=1)
        return first, last
    first = from_date + dt.timedelta(days=7)
    return first, first + dt.timedelta(days=6)


def last_period(kind, today):
    "Return the last period of the kind ended before today"
    if kind == 'failure':
        return previous_month(today)
    return previous_week(today)


class Configuration(metaclass=PoolMeta):
    __name__ = 'service.configuration'

    management_report_format = fields.MultiValue(management_report_format)

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field == 'management_report_format':
            return pool.get('service.configuration.company')
        return super().multivalue_model(field)

    @classmethod
    def default_management_report_format(cls, **pattern):
        return cls.multivalue_model(
            'management_report_format').default_management_report_format()


class ConfigurationCompany(metaclass=PoolMeta):
    __name__ = 'service.configuration.company'

    management_report_format = management_report_format

    @classmethod
    def default_management_report_format(cls):
        return 'pdf'


class Recipient(ClientValueMixin, ModelSQL, ModelView):
    "A user who receives reports of the company's service department"
    __name__ = 'service.management.report.recipient'
    __string__ = "Management Report Recipient"

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='CASCADE')
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE',
        domain=[('companies', '=', Eval('company', -1))],
        help="Receives the reports at the e-mail address of his "
        "preferences, in his language.")
    failure_report = fields.Boolean(
        "Product Failure Report",
        help="Receives the product failure report of each month.")
    summary = fields.Boolean(
        "Department Summary",
        help="Receives the department summary of each week.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('company_user_unique', Unique(t, t.company, t.user),
                'service_kpi.msg_management_recipient_unique'),
            ]
        cls._order.insert(0, ('user', 'ASC'))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_failure_report():
        return True

    @staticmethod
    def default_summary():
        return True

    @classmethod
    def validate_fields(cls, recipients, field_names):
        super().validate_fields(recipients, field_names)
        if 'user' in field_names:
            for recipient in recipients:
                if not recipient.user.email:
                    raise ManagementReportError(gettext(
                            'service_kpi.msg_management_recipient_email',
                            user=recipient.user.rec_name))


class ManagementReport(ModelSQL, ModelView):
    "A report sent to the management for a period"
    __name__ = 'service.management.report'
    __string__ = "Management Report"
    _rec_name = 'file_name'

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    kind = fields.Selection(KINDS, "Report", required=True, readonly=True)
    from_date = fields.Date("From Date", required=True, readonly=True)
    to_date = fields.Date("To Date", required=True, readonly=True)
    date = fields.DateTime("Sent", readonly=True)
    recipients = fields.Text("Recipients", readonly=True)
    file_name = fields.Char("File Name", readonly=True)
    file = fields.Binary("File", filename='file_name', readonly=True)
    emails = fields.One2Many(
        'ir.email', 'resource', "E-mails", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('period_unique', Unique(t, t.company, t.kind, t.from_date),
                'service_kpi.msg_management_report_unique'),
            ]
        cls._order = [
            ('from_date', 'DESC'), ('kind', 'ASC'), ('id', 'DESC')]

    @classmethod
    def send_reports(cls, date=None):
        """Send each company's reports of the periods ended and not sent
        yet (a scheduled task)"""
        pool = Pool()
        Recipient = pool.get('service.management.report.recipient')
        transaction = Transaction()
        recipient = Recipient.__table__()
        cursor = transaction.connection.cursor()
        cursor.execute(*recipient.select(
                recipient.company, group_by=[recipient.company]))
        companies = [c for c, in cursor]
        # Each company in a transaction of its own, so that one whose
        # report cannot be made does not keep the others' from being sent
        for company_id in sorted(companies):
            try:
                # The reports of the whole department, as the system makes
                # them, whoever runs the task
                with transaction.new_transaction() as new, \
                        new.set_user(0), without_check_access():
                    cls.send_company_reports(company_id, date)
                    new.commit()
            except Exception:
                logger.exception(
                    "Could not send the management reports of company %d",
                    company_id)

    @classmethod
    def send_company_reports(cls, company_id, date=None):
        "Send the company's reports due by the date (today by default)"
        pool = Pool()
        Company = pool.get('company.company')
        Date = pool.get('ir.date')
        Recipient = pool.get('service.management.report.recipient')
        company = Company(company_id)
        if date is None:
            with Transaction().set_context(company=company.id):
                date = Date.today()
        reports = []
        for kind in [k for k, _ in KINDS]:
            recipients = Recipient.search([
                    ('company', '=', company.id),
                    (RECIPIENT_FIELDS[kind], '=', True),
                    ])
            if not recipients:
                continue
            for from_date, to_date in cls.due_periods(company, kind, date):
                reports.append(cls.send(
                        company, kind, from_date, to_date, recipients))
        return reports

    @classmethod
    def due_periods(cls, company, kind, date):
        """Return the periods of the kind ended by the date and not sent:
        those after the last one sent, or the last one ended"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(Max(table.from_date),
                where=(table.company == company.id) & (table.kind == kind)))
        last_sent, = cursor.fetchone()
        if isinstance(last_sent, str):
            last_sent = dt.date.fromisoformat(last_sent)
        last = last_period(kind, date)
        if last_sent is None:
            return [last]
        periods = []
        period = next_period(kind, last_sent)
        while period[0] <= last[0]:
            periods.append(period)
            period = next_period(kind, period[0])
        return periods[-MAX_PERIODS:]

    @classmethod
    def send(cls, company, kind, from_date, to_date, recipients):
        """Render the report of the period in each recipient's language,
        send it to them and keep it"""
        pool = Pool()
        Email = pool.get('ir.email')
        Configuration = pool.get('service.configuration')
        ConfigurationIr = pool.get('ir.configuration')
        format_ = Configuration(1).get_multivalue(
            'management_report_format', company=company.id)
        by_language = defaultdict(list)
        for recipient in recipients:
            language = (recipient.user.language.code
                if recipient.user.language
                else ConfigurationIr.get_language())
            by_language[language].append(recipient.user)
        # Created first: the unique period refuses a second task sending
        # the same report (its transaction is rolled back, nothing sent)
        report = cls(company=company, kind=kind,
            from_date=from_date, to_date=to_date,
            date=dt.datetime.now(),
            recipients=', '.join(sorted(
                    u.email for u in sum(by_language.values(), []))))
        report.save()
        for language, users in sorted(by_language.items()):
            with Transaction().set_context(language=language):
                name, content = cls.render(
                    company, kind, from_date, to_date, format_)
                subject = gettext(
                    'service_kpi.msg_management_report_subject',
                    report=dict(cls.fields_get(['kind'])['kind'][
                            'selection'])[kind],
                    company=company.rec_name,
                    from_date=from_date.isoformat(),
                    to_date=to_date.isoformat())
                body = gettext('service_kpi.msg_management_report_body',
                    from_date=from_date.isoformat(),
                    to_date=to_date.isoformat())
            if report.file is None:
                report.file_name, report.file = name, content
            Email.send(
                to=', '.join(sorted(u.email for u in users)),
                subject=subject, body=body,
                files=[(name, content)], record=(cls.__name__, report.id))
        report.save()
        return report

    @classmethod
    def render(cls, company, kind, from_date, to_date, format_):
        "Return the file name and the content of the report of the period"
        pool = Pool()
        report_name = REPORT_NAMES[kind]
        Report = pool.get(report_name, type='report')
        ActionReport = pool.get('ir.action.report')
        action, = ActionReport.search(
            [('report_name', '=', report_name)], limit=1)
        data = {
            'company': company.id,
            'from_date': from_date,
            'to_date': to_date,
            'action_id': action.id,
            }
        with Transaction().set_context(with_rec_name=False):
            ext, content, _, title = Report.execute([], data)
        if format_ != ext:
            # Tryton's own conversion, which keeps the file as it is when
            # LibreOffice cannot convert it
            template = types.SimpleNamespace(
                report_name=report_name, template_extension=ext,
                extension=format_)
            ext, content = Report.convert(template, content)
        if isinstance(content, str):
            content = content.encode('utf-8')
        name = '%s-%s-%s.%s' % (
            slugify(title), from_date.isoformat(), to_date.isoformat(), ext)
        return name, bytes(content)


def summary_figures(company, from_date, to_date):
    """Return the figures of the department's days from from_date to
    to_date (the company's time zone): requests in, out, late, the SLA met,
    complaints and satisfaction"""
    pool = Pool()
    Request = pool.get('service.request')
    RequestType = pool.get('service.request.type')
    Survey = pool.get('service.survey')
    request = Request.__table__()
    type_ = RequestType.__table__()
    survey = Survey.__table__()
    cursor = Transaction().connection.cursor()
    start, end = day_bounds(company, from_date, to_date)

    def count(condition):
        return Sum(Case((condition, 1), else_=0))

    reported = (request.reported_date >= start) & (
        request.reported_date < end)
    resolved = (request.resolved_date >= start) & (
        request.resolved_date < end)
    deadline = request.resolution_deadline
    open_at_end = (request.resolved_date == Null) | (
        request.resolved_date >= end)
    cursor.execute(*request.join(type_,
            condition=request.type == type_.id).select(
            count(reported),
            count(reported & (type_.code == 'complaint')),
            count(resolved),
            count(resolved & (deadline != Null)),
            count(resolved & (deadline != Null)
                & (request.resolved_date <= deadline)),
            count(resolved & (deadline != Null)
                & (request.resolved_date > deadline)),
            count(open_at_end),
            count(open_at_end & (deadline < end)),
            where=(request.company == company.id)
            & (request.state != 'cancelled')
            & (request.reported_date < end)
            & ((request.resolved_date == Null)
                | (request.resolved_date >= start))))
    (requests_in, complaints, requests_out, with_deadline, met, resolved_late,
        open_, open_late) = [v or 0 for v in cursor.fetchone()]
    cursor.execute(*survey.select(
            Count(survey.id),
            as_float(Avg(survey.overall)),
            Sum(Case((survey.overall <= 2, 1), else_=0)),
            where=(survey.company == company.id)
            & (survey.state == 'done')
            & (survey.overall != Null)
            & (survey.date >= from_date) & (survey.date <= to_date)))
    surveys, satisfaction, dissatisfied = cursor.fetchone()
    return {
        'requests_in': requests_in,
        'requests_out': requests_out,
        'resolved_late': resolved_late,
        'open': open_,
        'open_late': open_late,
        'with_deadline': with_deadline,
        'sla_met': met,
        'sla_compliance': (met / with_deadline) if with_deadline else None,
        'complaints': complaints,
        'surveys': surveys or 0,
        'satisfaction': satisfaction,
        'dissatisfied': dissatisfied or 0,
        }


class SummaryStart(PeriodMixin, ModelView):
    __name__ = 'service.management.summary.start'
    __string__ = "Department Summary"

    @classmethod
    def default_from_date(cls):
        return previous_week(Pool().get('ir.date').today())[0]

    @classmethod
    def default_to_date(cls):
        return previous_week(Pool().get('ir.date').today())[1]


class Summary(Wizard):
    "Print the department summary of a period"
    __name__ = 'service.management.summary'

    start = StateView('service.management.summary.start',
        'service_kpi.management_summary_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'print_', 'tryton-print', default=True),
            ])
    print_ = StateReport('service.management.summary')

    def do_print_(self, action):
        return action, {
            'company': self.start.company.id,
            'from_date': self.start.from_date,
            'to_date': self.start.to_date,
            }


class SummaryReport(CompanyReport):
    "The department's figures of a period, for its management"
    __name__ = 'service.management.summary'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Company = pool.get('company.company')
        context = super().get_context(records, header, data)
        company = Company(data['company'])
        if not works_for(company.id):
            raise AccessError(gettext(
                    'service_kpi.msg_management_summary_company'))
        context['company'] = company
        context['from_date'] = data['from_date']
        context['to_date'] = data['to_date']
        context['figures'] = summary_figures(
            company, data['from_date'], data['to_date'])
        return context
