# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Every view of the modules opens in the web client.

The web client (tryton-sao 8.0) builds a list column or a form widget from
a fixed table of widgets, and stops with a JavaScript error on a view that
asks for one it does not have: a date-and-time field in a list, say, must be
shown as a `date` and a `time` column.  The browser test opens only a few
screens; this test reads every view of the modules as the client receives
it."""
import unittest

from lxml import etree

from trytond.modules.service_desk.tests.tools import activate_tested_modules
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

MODULES = ['service_desk', 'service_dispatch', 'service_kpi']

# Sao.View.TreeXMLViewParser.WIDGETS and Sao.View.FormXMLViewParser.WIDGETS
# of tryton-sao 8.0 (src/view/tree.js and src/view/form.js)
SAO_WIDGETS = {
    'tree': {
        'binary', 'boolean', 'callto', 'char', 'date', 'dict', 'email',
        'float', 'image', 'integer', 'many2many', 'many2one', 'numeric',
        'one2many', 'one2one', 'progressbar', 'reference', 'selection',
        'multiselection', 'sip', 'text', 'time', 'timedelta', 'url'},
    'form': {
        'binary', 'boolean', 'callto', 'char', 'color', 'date', 'datetime',
        'dict', 'document', 'email', 'float', 'html', 'image', 'integer',
        'many2many', 'many2one', 'multiselection', 'numeric', 'one2many',
        'one2one', 'password', 'progressbar', 'pyson', 'reference',
        'richtext', 'selection', 'sip', 'text', 'time', 'timedelta',
        'timestamp', 'url'},
    }


class ViewWidgetTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        # With the extras: they add the views they extend
        activate_tested_modules()

    @with_transaction()
    def test_views_use_web_client_widgets(self):
        "Every list and form of the modules uses widgets the web client has"
        pool = Pool()
        View = pool.get('ir.ui.view')
        views = View.search([('module', 'in', MODULES)])
        # An inheriting view changes its parent: check the parent as the
        # client receives it, with every extension applied
        checked = {v.inherit or v for v in views}
        self.assertTrue(checked)
        problems = []
        for view in sorted(checked, key=lambda v: v.id):
            if view.type not in SAO_WIDGETS:
                continue
            Model = pool.get(view.model)
            result = Model.fields_view_get(view.id, view.type)
            arch = etree.fromstring(result['arch'])
            for node in arch.iter('field'):
                name = node.get('name')
                field = result['fields'].get(name)
                if not field:
                    continue
                widget = node.get('widget') or field['type']
                if widget not in SAO_WIDGETS[view.type]:
                    problems.append(
                        f"{view.module}/{view.name} ({view.model}): "
                        f"{name} as {widget}")
        self.assertEqual(problems, [])
