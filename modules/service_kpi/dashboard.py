# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The manager's dashboard: the department's figures of one window on one
page, the window set once at its top

A board view would show each KPI window with its own context bar, so that
the period is set once per panel, and the web client shows no context bar
over a form.  Here a wizard asks the window once (the form of the KPIs'
context) and shows the dashboard of it: the totals, and the rows of each
KPI list, which the client reads with the same window (the lists'
context); Change Window goes back to the first step."""
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateView, Wizard

from trytond.modules.service_desk.access import works_for

from .exceptions import DashboardAccessError
from .kpi import PERIODS, KPIMixin, PeriodMixin

_WINDOW = ['company', 'from_date', 'to_date', 'period', 'technician',
    'product', 'party']
_CONTEXT = {
    'company': Eval('company', -1),
    'from_date': Eval('from_date'),
    'to_date': Eval('to_date'),
    'period': Eval('period'),
    'technician': Eval('technician'),
    'product': Eval('product'),
    'party': Eval('party'),
    }


class Dashboard(PeriodMixin, KPIMixin, ModelView):
    __name__ = 'service.kpi.dashboard'
    __string__ = "Service Dashboard"

    period = fields.Selection(PERIODS, "Period", readonly=True,
        help="What each row of the list per period counts.")
    technician = fields.Many2One(
        'company.employee', "Technician", readonly=True)
    product = fields.Many2One('product.product', "Product", readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    party = fields.Many2One('party.party', "Customer", readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    periods = fields.Many2Many(
        'service.kpi.period', None, None, "Per Period", readonly=True,
        context=_CONTEXT, depends=_WINDOW,
        help="The requests reported in each day, month, quarter or year of "
        "the window.")
    technicians = fields.Many2Many(
        'service.kpi.technician', None, None, "Per Technician",
        readonly=True, context=_CONTEXT, depends=_WINDOW)
    customers = fields.Many2Many(
        'service.kpi.customer', None, None, "Per Customer", readonly=True,
        context=_CONTEXT, depends=_WINDOW)
    products = fields.Many2Many(
        'service.kpi.product', None, None, "Per Product", readonly=True,
        context=_CONTEXT, depends=_WINDOW)

    _rows = {
        'periods': 'service.kpi.period',
        'technicians': 'service.kpi.technician',
        'customers': 'service.kpi.customer',
        'products': 'service.kpi.product',
        }

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # What the window shows, chosen in the wizard's first step
        for name in dir(cls):
            field = getattr(cls, name, None)
            if isinstance(field, fields.Field):
                field.readonly = True

    @classmethod
    def of_window(cls, window):
        """Return the values of the dashboard of the window (a dict of the
        context's fields), computed in its context"""
        pool = Pool()
        with Transaction().set_context(**window):
            values = cls.totals()
            for name, model in cls._rows.items():
                values[name] = [r.id for r in pool.get(model).search([])]
        values.update({name: window[name] for name in _WINDOW})
        return values

    @classmethod
    def totals(cls):
        "The figures of the requests of the context's window, in SQL"
        facts = cls.request_facts()
        columns = cls.request_columns(facts)
        cls.plan_without_jit()
        cursor = Transaction().connection.cursor()
        cursor.execute(*facts.select(*columns))
        row = cursor.fetchone()
        totals = dict(zip((c.output_name for c in columns), row or ()))
        for name in ['requests', 'resolved_requests', 'repairs',
                'repeat_repairs']:
            totals[name] = totals.get(name) or 0
        return totals


class OpenDashboard(Wizard):
    """The window asked once (the KPIs' context), then the dashboard of it,
    as often as the manager changes it"""
    __name__ = 'service.kpi.dashboard.open'
    __string__ = "Service Dashboard"

    start = StateView('service.kpi.context',
        'service_kpi.kpi_context_view_form', [
            Button("Close", 'end', 'tryton-cancel'),
            Button("Show", 'show', 'tryton-ok', default=True),
            ])
    show = StateView('service.kpi.dashboard',
        'service_kpi.kpi_dashboard_view', [
            Button("Change Window", 'start', 'tryton-back'),
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_show(self, fields):
        pool = Pool()
        Dashboard = pool.get('service.kpi.dashboard')
        window = {}
        for name in _WINDOW:
            value = getattr(self.start, name, None)
            window[name] = getattr(value, 'id', value)
        # The totals are read in SQL: the company must be one the user may
        # read (the lists keep to them by their record rules)
        if not works_for(window['company']):
            raise DashboardAccessError(gettext(
                    'service_kpi.msg_dashboard_company_access',
                    company=self.start.company.rec_name))
        values = Dashboard.of_window(window)
        return {name: values.get(name) for name in fields if name in values}
