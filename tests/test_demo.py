# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""`make demo` prepares its database twice without failing or duplicating.

The first preparation is a copy of the demo layer (tests/layers.py: the
demo data loaded by scripts/demo.py on a copy of the modules' database,
built by the first test that needs it); the second runs scripts/demo.py as
a second `make demo` does, updating the modules."""
import pathlib
import sqlite3
import tempfile
import unittest

import layers

STATES = {'draft', 'open', 'waiting', 'in_progress', 'resolved', 'closed',
    'cancelled'}
DISPATCH_STATES = {'draft', 'assigned', 'confirmed', 'in_progress', 'done',
    'cancelled'}


class DemoTestCase(unittest.TestCase):

    def count(self, var, table):
        with sqlite3.connect(var / 'service_demo.sqlite') as connection:
            return connection.execute(
                f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]

    def test_demo_twice(self):
        with tempfile.TemporaryDirectory() as var:
            var = pathlib.Path(var) / 'demo'
            first = layers.demo(var)
            self.assertRegex(first, "Loading the demo data|already loaded")
            self.assertRegex(first, r"desk +password demo-desk")
            counts = {t: self.count(var, t) for t in [
                    'service_request', 'service_equipment',
                    'service_contract', 'party_party', 'company_company',
                    'service_dispatch', 'stock_move', 'account_invoice']}
            self.assertEqual(counts['company_company'], 1)
            with sqlite3.connect(var / 'service_demo.sqlite') as connection:
                states = {s for s, in connection.execute(
                        'SELECT state FROM service_request')}
                warranties = {w for w, in connection.execute(
                        'SELECT warranty FROM service_request')}
                dispatch_states = {s for s, in connection.execute(
                        'SELECT state FROM service_dispatch')}
                issued = connection.execute(
                    "SELECT COUNT(*) FROM stock_move WHERE state = 'done' "
                    "AND origin LIKE 'service.dispatch.part,%'").fetchone()[0]
                invoiced = connection.execute(
                    "SELECT COUNT(*) FROM account_invoice_line "
                    "WHERE origin LIKE 'service.dispatch%'").fetchone()[0]
            self.assertEqual(states, STATES)
            self.assertEqual(dispatch_states, DISPATCH_STATES)
            self.assertGreater(issued, 0)
            self.assertGreater(invoiced, 0)
            self.assertLessEqual(
                {'in_warranty', 'out_of_warranty', 'contract'}, warranties)

            second = layers.demo_command(var)
            self.assertIn("already loaded", second)
            self.assertEqual(
                {t: self.count(var, t) for t in counts}, counts)
