# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
import datetime as dt
import unittest
from decimal import Decimal
from fractions import Fraction

from lxml import etree

from sql import Literal, Select

from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.service_desk.tests.tools import ExtrasModuleTestCase
from trytond.modules.service_kpi.bonus import quarter_dates, split
from trytond.modules.service_kpi.kpi import period_of
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction


class ServiceKPITestCase(CompanyTestMixin, ExtrasModuleTestCase):
    "Test Service KPI module, with the extras of the modules below"
    module = 'service_kpi'

    @with_transaction()
    def test_dashboard_actions(self):
        """The dashboard, a wizard of the managers, shows the KPI models' own
        list views with its window as their context"""
        pool = Pool()
        ActionWizard = pool.get('ir.action.wizard')
        ActWindow = pool.get('ir.action.act_window')
        View = pool.get('ir.ui.view')
        ModelData = pool.get('ir.model.data')
        Group = pool.get('res.group')
        Dashboard = pool.get('service.kpi.dashboard')

        wizard = ActionWizard(ModelData.get_id(
                'service_kpi', 'wizard_kpi_dashboard'))
        self.assertEqual(wizard.wiz_name, 'service.kpi.dashboard.open')
        manager = Group(ModelData.get_id(
                'service_desk', 'group_service_manager'))
        self.assertEqual(list(wizard.groups), [manager])

        view = View(ModelData.get_id('service_kpi', 'kpi_dashboard_view'))
        arch = etree.fromstring(view.arch)
        lists = {f.get('name'): f.get('view_ids')
            for f in arch.iter('field') if f.get('view_ids')}
        self.assertEqual(lists, {
                'periods': 'service_kpi.kpi_period_view_list',
                'technicians': 'service_kpi.kpi_technician_view_list',
                'customers': 'service_kpi.kpi_customer_view_list',
                'products': 'service_kpi.kpi_product_view_list',
                })
        context = ActWindow.get('service_kpi.act_kpi_technician')
        for name, model in Dashboard._rows.items():
            field = Dashboard._fields[name]
            self.assertEqual(field.get_target().__name__, model)
            self.assertEqual(
                set(field.context), {'company', 'from_date', 'to_date',
                    'period', 'technician', 'product', 'party'})
        self.assertEqual(context['context_model'], 'service.kpi.context')

    @with_transaction()
    def test_dashboard_of_the_window(self):
        "The dashboard computes its figures in its window"
        pool = Pool()
        Dashboard = pool.get('service.kpi.dashboard')
        company = create_company()
        with set_company(company):
            values = Dashboard.of_window({
                    'company': company.id,
                    'from_date': dt.date(2026, 1, 1),
                    'to_date': dt.date(2026, 1, 31),
                    'period': 'month', 'technician': None,
                    'product': None, 'party': None})
        self.assertEqual(values['company'], company.id)
        self.assertEqual(
            (values['requests'], values['sla_compliance'],
                values['periods'], values['from_date']),
            (0, None, [], dt.date(2026, 1, 1)))

    @with_transaction()
    def test_kpi_window_in_company_time_zone(self):
        "The KPI window and its periods are the days of the company"
        pool = Pool()
        KPI = pool.get('service.kpi.technician')
        Dispatch = pool.get('service.dispatch')
        company = create_company()
        company.timezone = 'Asia/Shanghai'
        company.save()
        first_quarter = {
            'from_date': dt.date(2026, 1, 1), 'to_date': dt.date(2026, 3, 31)}
        with set_company(company), \
                Transaction().set_context(period='quarter', **first_quarter):
            window = KPI.kpi_context()
        # Shanghai is 8 hours ahead of UTC
        self.assertEqual(
            (window['start'], window['end']),
            (dt.datetime(2025, 12, 31, 16), dt.datetime(2026, 3, 31, 16)))
        self.assertEqual(window['period'], 'quarter')

        # 2026-03-31 17:00 UTC is 2026-04-01 01:00 in Shanghai
        late = Literal(dt.datetime(2026, 3, 31, 17))
        cursor = Transaction().connection.cursor()
        for period, first_day in [
                ('day', '2026-04-01'), ('month', '2026-04-01'),
                ('quarter', '2026-04-01'), ('year', '2026-01-01')]:
            cursor.execute(*Select([period_of(
                            late, period, window['timezone'],
                            window['start'])]))
            day, = cursor.fetchone()
            self.assertEqual(str(day)[:10], first_day, period)

        # A work order leaving at 01:00 on 1 April in Shanghai is of the
        # second quarter, one leaving at 23:00 on 31 March of the first
        for departure, counted in [
                (dt.datetime(2026, 3, 31, 17), False),
                (dt.datetime(2026, 3, 31, 15), True),
                (dt.datetime(2025, 12, 31, 15), False),
                (dt.datetime(2025, 12, 31, 16), True)]:
            row = Select([
                    Literal(company.id).as_('company'),
                    Literal(departure).as_('departure_date'),
                    Literal(departure).as_('planned_start')])
            cursor.execute(*row.select(Dispatch.period_condition(
                        row, company, **first_quarter)))
            result, = cursor.fetchone()
            self.assertEqual(bool(result), counted, departure)


class BonusSplitTestCase(unittest.TestCase):
    "Test the split of the bonus pool"

    def round_(self, amount):
        return amount.quantize(Decimal('0.01'))

    def test_bonus_split_exact(self):
        "Shares that round exactly"
        self.assertEqual(
            split(Decimal('100.00'), [Decimal('0.12'), Decimal('0.08'),
                    Decimal('0.80')], self.round_),
            [Decimal('12.00'), Decimal('8.00'), Decimal('80.00')])

    def test_bonus_split_remainder_to_largest(self):
        "The rounding difference goes to the largest share"
        third = Fraction(1, 3)
        self.assertEqual(
            split(Decimal('100.00'), [third, third, third], self.round_),
            [Decimal('33.34'), Decimal('33.33'), Decimal('33.33')])
        self.assertEqual(
            split(Decimal('0.02'), [third, third, third], self.round_),
            [Decimal('0.00'), Decimal('0.01'), Decimal('0.01')])

    def test_bonus_split_part_of_amount(self):
        "Shares summing to less than the whole keep the rest out"
        shares = split(
            Decimal('10.00'), [Fraction(1, 6)] * 3, self.round_)
        self.assertEqual(sum(shares), Decimal('5.00'))
        self.assertEqual(
            shares, [Decimal('1.66'), Decimal('1.67'), Decimal('1.67')])

    def test_bonus_split_nothing(self):
        "No share, or nothing to share"
        self.assertEqual(split(Decimal('10.00'), [], self.round_), [])
        self.assertEqual(
            split(Decimal(0), [Decimal('0.2'), Decimal('0.8')], self.round_),
            [Decimal('0.00'), Decimal('0.00')])

    def test_bonus_quarter_dates(self):
        "The first and last day of the quarters"
        self.assertEqual(
            quarter_dates(2025, 1),
            (dt.date(2025, 1, 1), dt.date(2025, 3, 31)))
        self.assertEqual(
            quarter_dates(2024, 2),
            (dt.date(2024, 4, 1), dt.date(2024, 6, 30)))
        self.assertEqual(
            quarter_dates(2025, 4),
            (dt.date(2025, 10, 1), dt.date(2025, 12, 31)))


del ExtrasModuleTestCase
