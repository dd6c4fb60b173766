# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The zh_CN translation of each module is complete, current and well formed.

One test, run for each of the three modules on the database of the tested
modules (service_desk's tests/tools.py: TESTED_MODULES), so that the
strings the modules register for their extras are checked too.  When it
fails after a change of a module, regenerate its file with
`scripts/update_translations.py MODULE` and translate what it lists.  The
checks are in service_desk's tests/tools.py (TranslationFileTestMixin,
TranslationTestMixin)."""
import unittest

from trytond.modules.service_desk.tests.tools import (
    TranslationFileTestMixin, TranslationTestMixin)
from trytond.tests.test_tryton import TestCase

LANG = 'zh_CN'

for _module in ['service_desk', 'service_dispatch', 'service_kpi']:
    _name = ''.join(w.title() for w in _module.split('_'))
    globals()[f'{_name}TranslationFileTestCase'] = type(
        f'{_name}TranslationFileTestCase',
        (TranslationFileTestMixin, unittest.TestCase), {
            '__doc__': f"Test the {LANG} .po file of {_module} on its own",
            'module': _module,
            'language': LANG,
            })
    globals()[f'{_name}TranslationTestCase'] = type(
        f'{_name}TranslationTestCase',
        (TranslationTestMixin, TestCase), {
            '__doc__': (f"Test the {LANG} translation of {_module} against "
                "its translatable strings"),
            'module': _module,
            'language': LANG,
            })

del TestCase
