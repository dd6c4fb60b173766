# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Helpers for the service modules' tests."""
import pathlib
import re
import unittest

import polib
import pytest

from trytond.i18n import gettext
from trytond.modules import get_module_info
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    ModuleTestCase, _DBTestCase, activate_module, drop_db, load_doc_tests,
    with_transaction)
from trytond.transaction import Transaction

# The service modules with every extra they are tested with.  One database
# of these (built once per backend: tests/layers.py) serves service_kpi's
# module test, the module tests with extras, the unit, translation and view
# tests; with a company and a chart of accounts, every scenario:
#   activate_modules(TESTED_MODULES, create_company, create_chart)
TESTED_MODULES = ['service_kpi', 'stock_lot', 'sale', 'sale_complaint',
    'notification_email']
# A 1x1 PNG: a customer's signature as a tablet sends it
SIGNATURE = bytes.fromhex(
    '89504e470d0a1a0a0000000d4948445200000001000000010806000000'
    '1f15c4890000000d49444154789c6360000002000001e221bc3300000000'
    '49454e44ae426082')


def activate_tested_modules():
    "Make the test database one with TESTED_MODULES activated"
    drop_db()
    activate_module(TESTED_MODULES)


class ExtrasModuleTestCase(ModuleTestCase):
    """Tryton's checks of a module, on the database of TESTED_MODULES

    So that the classes a module registers for its extras are checked too;
    a ModuleTestCase with the module alone checks its dependencies."""

    @classmethod
    def setUpClass(cls):
        super(_DBTestCase, cls).setUpClass()
        activate_tested_modules()


def scenario_tests(name, path):
    """Return load_tests (for unittest) and a pytest test per scenario

    pytest ignores the load_tests protocol, so without the second the
    scenario_*.rst files would silently not run under pytest."""
    def load_tests(loader, tests, pattern):
        return load_doc_tests(name, path, loader, tests, pattern)

    scenarios = sorted(
        p.name for p in pathlib.Path(path).parent.glob('scenario_*.rst'))

    @pytest.mark.parametrize('scenario', scenarios)
    def test_scenario(scenario):
        loader = unittest.TestLoader()
        loader.testNamePatterns = [scenario]
        suite = load_doc_tests(name, path, loader, unittest.TestSuite(), None)
        result = unittest.TestResult()
        suite.run(result)
        assert result.testsRun >= 1, f"{scenario} did not run"
        problems = result.failures + result.errors
        assert not problems, '\n'.join(text for _, text in problems)
    return load_tests, test_scenario


# Translation tests: tests/test_translation.py combines these mixins with a
# test case class for each module and sets `module`.

PLACEHOLDER = re.compile(r'%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]')


def placeholders(text):
    "Return the sorted names of the %(name)s placeholders of the text"
    return sorted(PLACEHOLDER.findall(text))


class _TranslationMixin:
    "The module whose translation is tested and where its .po file is"
    module = None
    language = 'zh_CN'
    # The .po file; by default locale/<language>.po of the module
    po_path = None

    @classmethod
    def translation_file(cls):
        if cls.po_path:
            return pathlib.Path(cls.po_path)
        directory = pathlib.Path(get_module_info(cls.module)['directory'])
        return directory / 'locale' / f'{cls.language}.po'

    @classmethod
    def hint(cls):
        return ("\nRun scripts/update_translations.py %s and translate them."
            % cls.module)


class TranslationFileTestMixin(_TranslationMixin):
    """Test the .po file on its own

    To combine with unittest.TestCase."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pofile = polib.pofile(
            str(cls.translation_file()), check_for_duplicates=True)

    def entries(self):
        return [e for e in self.pofile if not e.obsolete]

    def test_not_empty(self):
        "The file has entries"
        self.assertTrue(self.entries())

    def test_every_msgstr_filled(self):
        "No entry is left empty or fuzzy"
        missing = ['%s %r' % (e.msgctxt, e.msgid) for e in self.entries()
            if not e.msgstr.strip() or e.fuzzy]
        self.assertFalse(missing,
            msg="Untranslated or fuzzy entries:\n" + '\n'.join(missing))

    def test_every_entry_has_context(self):
        "Every entry has the msgctxt Tryton needs to load it"
        missing = [repr(e.msgid) for e in self.entries()
            if not e.msgctxt or e.msgctxt.count(':') != 2]
        self.assertFalse(missing,
            msg="Entries without a valid msgctxt:\n" + '\n'.join(missing))

    def test_placeholders_kept(self):
        "The msgstr uses exactly the %(name)s placeholders of its msgid"
        wrong = []
        for entry in self.entries():
            source, translated = (
                placeholders(entry.msgid), placeholders(entry.msgstr))
            if source != translated:
                wrong.append('%s %r: %s != %s' % (
                        entry.msgctxt, entry.msgid, source, translated))
                continue
            if source:
                try:
                    entry.msgstr % {name: 'x' for name in source}
                except (KeyError, ValueError, TypeError) as exception:
                    wrong.append('%s %r: %s' % (
                            entry.msgctxt, entry.msgstr, exception))
        self.assertFalse(wrong,
            msg="Placeholders not kept:\n" + '\n'.join(wrong))


class TranslationTestMixin(_TranslationMixin):
    """Test the translation against the module's translatable strings

    To combine with trytond.tests.test_tryton.TestCase."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_tested_modules()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    def describe(self, translation, fs_ids):
        "Return the translation as its msgctxt and msgid in the .po file"
        model = translation.name.split(',')[0]
        return '%s:%s:%s %r' % (
            translation.type, translation.name,
            fs_ids.get((model, translation.res_id), ''), translation.src)

    def model_data_ids(self):
        "Return the database id per (model, fs_id) of the module's records"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Translation = pool.get('ir.translation')
        db_ids = {}
        for data in ModelData.search([('module', '=', self.module)]):
            db_ids[data.model, data.fs_id] = data.db_id
            for model in Translation.extra_model_data(data):
                db_ids[model, data.fs_id] = data.db_id
        return db_ids

    def load_translation(self):
        """Register the view strings and load the .po file, as a module
        update does for a translatable language; return the sources"""
        pool = Pool()
        Lang = pool.get('ir.lang')
        Translation = pool.get('ir.translation')
        TranslationSet = pool.get('ir.translation.set', type='wizard')

        lang, = Lang.search([('code', '=', self.language)])
        lang.translatable = True
        lang.save()

        session_id, _, _ = TranslationSet.create()
        TranslationSet.execute(session_id, {}, 'set_')
        TranslationSet.delete(session_id)

        # Only the file must count, not what an earlier load left behind
        Translation.delete(Translation.search([
                    ('lang', '=', self.language),
                    ('module', '=', self.module),
                    ]))
        Translation.translation_import(
            self.language, self.module, [str(self.translation_file())])

        sources = Translation.search([
                ('lang', '=', 'en'),
                ('module', '=', self.module),
                ('src', '!=', None),
                ('src', '!=', ''),
                ])
        self.assertTrue(sources)
        return sources

    @with_transaction()
    def test_every_source_translated(self):
        "Every translatable string of the module has a translation"
        pool = Pool()
        Translation = pool.get('ir.translation')
        sources = self.load_translation()

        translated = {
            (t.name, t.type, t.res_id, t.src)
            for t in Translation.search([
                    ('lang', '=', self.language),
                    ('module', '=', self.module),
                    ('fuzzy', '=', False),
                    ('value', '!=', None),
                    ('value', '!=', ''),
                    ])
            if t.value.strip()}
        fs_ids = {(model, db_id): fs_id
            for (model, fs_id), db_id in self.model_data_ids().items()}
        missing = sorted(self.describe(s, fs_ids) for s in sources
            if (s.name, s.type, s.res_id, s.src) not in translated)
        self.assertFalse(missing,
            msg="%d of %d strings have no %s translation:\n%s%s" % (
                len(missing), len(sources), self.language,
                '\n'.join(missing), self.hint()))

    @with_transaction()
    def test_no_obsolete_entry(self):
        "Every entry of the file translates a current string of the module"
        pool = Pool()
        Translation = pool.get('ir.translation')
        sources = self.load_translation()

        db_ids = self.model_data_ids()
        current = {(s.name, s.type, s.res_id, s.src) for s in sources}

        obsolete = []
        for entry in polib.pofile(str(self.translation_file())):
            if entry.obsolete:
                continue
            translation, fs_id = Translation.from_poentry(entry)
            model = translation.name.split(',')[0]
            res_id = db_ids.get((model, fs_id)) if fs_id else -1
            if (translation.name, translation.type, res_id,
                    translation.src) not in current:
                obsolete.append('%s %r' % (entry.msgctxt, entry.msgid))
        self.assertFalse(obsolete,
            msg="Entries for strings the module no longer has:\n"
            + '\n'.join(obsolete) + self.hint())

    @with_transaction()
    def test_messages_in_chinese(self):
        "The module's messages come out translated with their values"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Message = pool.get('ir.message')
        self.load_translation()

        expected = {}
        for entry in polib.pofile(str(self.translation_file())):
            if entry.msgctxt.startswith('model:ir.message,text:'):
                expected[entry.msgctxt.rsplit(':', 1)[1]] = entry
        messages = ModelData.search([
                ('module', '=', self.module),
                ('model', '=', Message.__name__),
                ])
        self.assertTrue(messages)
        wrong = []
        with Transaction().set_context(language=self.language):
            for data in messages:
                entry = expected.get(data.fs_id)
                if not entry:
                    wrong.append('%s: not in the file' % data.fs_id)
                    continue
                variables = {
                    name: '<%s>' % name
                    for name in placeholders(entry.msgid)}
                try:
                    text = gettext(
                        '%s.%s' % (self.module, data.fs_id), **variables)
                    if text != entry.msgstr % variables:
                        wrong.append('%s: %r' % (data.fs_id, text))
                except (KeyError, ValueError, TypeError) as exception:
                    wrong.append('%s: %r' % (data.fs_id, exception))
        self.assertFalse(wrong,
            msg="Messages not shown in %s:\n%s" % (
                self.language, '\n'.join(wrong)))

    @with_transaction()
    def test_field_strings_in_chinese(self):
        "The field labels, helps and selections the client gets are translated"
        pool = Pool()
        self.load_translation()

        expected = {}
        for entry in polib.pofile(str(self.translation_file())):
            type_, name, _ = entry.msgctxt.split(':')
            if type_ in {'field', 'help', 'selection'}:
                expected.setdefault((type_, name), {})[entry.msgid] = (
                    entry.msgstr)
        self.assertTrue(expected)
        wrong = []
        with Transaction().set_context(language=self.language):
            for (type_, name), strings in sorted(expected.items()):
                model, field_name = name.split(',')
                definition = pool.get(model).fields_get(
                    [field_name])[field_name]
                if type_ == 'field':
                    values = [definition['string']]
                elif type_ == 'help':
                    values = [definition['help']]
                else:
                    values = [v for k, v in definition['selection'] if v]
                    # a selection value of another module is not ours
                    values = [v for v in values if v in strings.values()
                        or v in strings]
                for value in values:
                    if value not in strings.values():
                        wrong.append('%s:%s: %r' % (type_, name, value))
        self.assertFalse(wrong,
            msg="Strings not shown in %s:\n%s" % (
                self.language, '\n'.join(wrong)))
