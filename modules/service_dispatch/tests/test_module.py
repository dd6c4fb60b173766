# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class ServiceDispatchTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Service Dispatch module"
    module = 'service_dispatch'
    # As the translation test: one database for both
    extras = ['notification_email']


del ModuleTestCase
