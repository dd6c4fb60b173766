# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The zh_CN translation is complete, current and well formed.

When it fails after a change of the module, regenerate the file with
`scripts/update_translations.py service_desk` and translate what it lists.
The checks are in tools.py (TranslationFileTestMixin, TranslationTestMixin).
"""
import unittest

from trytond.tests.test_tryton import TestCase

from .tools import TranslationFileTestMixin, TranslationTestMixin

MODULE = 'service_desk'
EXTRAS = ['stock_lot', 'sale', 'sale_complaint', 'notification_email']
LANG = 'zh_CN'


class TranslationFileTestCase(TranslationFileTestMixin, unittest.TestCase):
    "Test the zh_CN .po file on its own"
    module = MODULE
    extras = EXTRAS
    language = LANG


class TranslationTestCase(TranslationTestMixin, TestCase):
    "Test the zh_CN translation against the module's translatable strings"
    module = MODULE
    extras = EXTRAS
    language = LANG


del TestCase
