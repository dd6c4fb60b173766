# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
import datetime as dt
import unittest
from decimal import Decimal
from fractions import Fraction

from lxml import etree

from trytond.modules.company.tests import CompanyTestMixin
from trytond.modules.service_desk.tests.tools import ExtrasModuleTestCase
from trytond.modules.service_kpi.bonus import quarter_dates, split
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction


class ServiceKPITestCase(CompanyTestMixin, ExtrasModuleTestCase):
    "Test Service KPI module, with the extras of the modules below"
    module = 'service_kpi'

    @with_transaction()
    def test_dashboard_actions(self):
        "The dashboard shows the KPI actions, read only by managers"
        pool = Pool()
        ActWindow = pool.get('ir.action.act_window')
        View = pool.get('ir.ui.view')
        ModelData = pool.get('ir.model.data')
        Group = pool.get('res.group')

        dashboard = ActWindow.get('service_kpi.act_kpi_dashboard')
        (view_id, view_type), = dashboard['views']
        self.assertEqual(view_type, 'board')
        arch = etree.fromstring(View(view_id).arch)
        names = [a.get('name') for a in arch.iter('action')]
        self.assertEqual(names, [
                'service_kpi.act_kpi_period',
                'service_kpi.act_kpi_technician',
                'service_kpi.act_kpi_customer',
                'service_kpi.act_kpi_product',
                ])
        for name in names:
            action = ActWindow.get(name)
            self.assertTrue(action['res_model'].startswith('service.kpi.'))
            self.assertEqual(action['context_model'], 'service.kpi.context')

        manager = Group(ModelData.get_id(
                'service_desk', 'group_service_manager'))
        self.assertEqual(
            [g.id for g in ActWindow(dashboard['id']).groups], [manager.id])


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
