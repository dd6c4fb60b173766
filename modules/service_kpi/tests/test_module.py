# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from lxml import etree

from trytond.modules.company.tests import CompanyTestMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class ServiceKPITestCase(CompanyTestMixin, ModuleTestCase):
    "Test Service KPI module"
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


del ModuleTestCase
