# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.modules.service_desk.tests.tools import ExtrasModuleTestCase
from trytond.tests.test_tryton import ModuleTestCase


class ServiceDispatchTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Service Dispatch module alone"
    module = 'service_dispatch'


class ServiceDispatchExtrasTestCase(CompanyTestMixin, ExtrasModuleTestCase):
    "Test Service Dispatch module with service_kpi and the extras"
    module = 'service_dispatch'


del ModuleTestCase, ExtrasModuleTestCase
