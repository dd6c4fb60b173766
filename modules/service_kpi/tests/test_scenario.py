# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.modules.service_desk.tests.tools import scenario_tests

load_tests, test_scenario = scenario_tests(__name__, __file__)
