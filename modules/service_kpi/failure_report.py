# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"The monthly report to the factory of which products fail and why"
import datetime as dt
from collections import defaultdict

from trytond.model import ModelView
from trytond.modules.company import CompanyReport
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wizard import Button, StateReport, StateView, Wizard

from .kpi import PeriodMixin

TOP_CAUSES = 3


def previous_month(date):
    "Return the first and the last day of the month before the date's"
    last = date.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


class FailureReport(Wizard):
    "Print the product failure report of a period"
    __name__ = 'service.kpi.failure_report'
    __string__ = "Product Failure Report"

    start = StateView('service.kpi.failure_report.start',
        'service_kpi.failure_report_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'print_', 'tryton-print', default=True),
            ])
    print_ = StateReport('service.kpi.failure_report')

    def do_print_(self, action):
        return action, {
            'company': self.start.company.id,
            'from_date': self.start.from_date,
            'to_date': self.start.to_date,
            }


class FailureReportStart(PeriodMixin, ModelView):
    __name__ = 'service.kpi.failure_report.start'
    __string__ = "Product Failure Report"

    @classmethod
    def default_from_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return previous_month(Date.today())[0]

    @classmethod
    def default_to_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return previous_month(Date.today())[1]


class FailureReportReport(CompanyReport):
    "Which products failed in the period, how often and why"
    __name__ = 'service.kpi.failure_report'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Company = pool.get('company.company')
        ProductKPI = pool.get('service.kpi.product')
        ProductCause = pool.get('service.kpi.product.cause')
        context = super().get_context(records, header, data)
        context['company'] = Company(data['company'])
        context['from_date'] = data['from_date']
        context['to_date'] = data['to_date']
        # The whole department: no filter of the KPI windows applies
        with Transaction().set_context(
                company=data['company'],
                from_date=data['from_date'], to_date=data['to_date'],
                technician=None, product=None, party=None):
            products = ProductKPI.search(
                [], order=[('repairs', 'DESC'), ('id', 'ASC')])
            causes = ProductCause.search(
                [('product_kpi', 'in', [p.id for p in products])],
                order=[('count', 'DESC'), ('cause', 'ASC')])
        product_causes = defaultdict(list)
        for cause in causes:
            product_causes[cause.product_kpi.id].append(cause)
        context['products'] = products
        context['top_causes'] = (
            lambda kpi: product_causes[kpi.id][:TOP_CAUSES])
        return context
