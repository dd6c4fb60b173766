#!/usr/bin/env python3
# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Regenerate the translation file of modules, the Tryton way.

    .venv/bin/python scripts/update_translations.py service_desk [...]

In a scratch SQLite database (a temporary folder, outside the repository) it
activates the modules, with the extras found installed, makes the language
translatable loading the current locale/<LANG>.po files, and runs Tryton's own
translation wizards: set (view strings), clean (obsolete entries), update
(the language's entries for each source string) and export.  The exported
file replaces locale/<LANG>.po of each module: every translatable string with
its msgctxt, the existing translations kept, the entries of strings the
module no longer has dropped; a string whose English changed comes back
empty or flagged fuzzy (a fuzzy translation is not used by Tryton).

It then prints the msgids that lack a translation (empty or fuzzy) and exits
with status 1 if there are any: fill them in and run it again.
"""
import argparse
import os
import pathlib
import subprocess
import sys
import tempfile

import polib

DATABASE = 'translations'
PASSWORD = 'translations-admin'


def clean_environ():
    "Keep the scratch database out of reach of a configured one"
    for key in list(os.environ):
        if key.startswith('TRYTOND_') or key in {'DB_NAME', 'DB_CACHE'}:
            del os.environ[key]


def module_directory(module):
    from trytond.modules import get_module_info
    return pathlib.Path(get_module_info(module)['directory'])


def modules_to_activate(modules):
    "The modules and the extras they depend on that are installed"
    from trytond.modules import get_module_info, get_modules
    available = get_modules()
    activate = list(modules)
    for module in modules:
        for extra in get_module_info(module).get('extras_depend', []):
            if extra in available and extra not in activate:
                activate.append(extra)
    return activate


def trytond_admin(config_file, *args):
    admin = pathlib.Path(sys.executable).with_name('trytond-admin')
    with tempfile.NamedTemporaryFile('w', suffix='.pass') as passfile:
        passfile.write(PASSWORD)
        passfile.flush()
        env = dict(os.environ, TRYTONPASSFILE=passfile.name)
        subprocess.run(
            [str(admin), '-c', str(config_file), '-d', DATABASE, *args],
            env=env, check=True)


def create_database(workdir, modules):
    config_file = workdir / 'trytond.conf'
    config_file.write_text(
        "[database]\n"
        "uri = sqlite://\n"
        f"path = {workdir}\n")
    (workdir / f'{DATABASE}.sqlite').touch()
    trytond_admin(config_file, '--all', '--email', 'admin@example.com')
    trytond_admin(
        config_file, '-u', *modules_to_activate(modules),
        '--activate-dependencies')
    return config_file


def export(config_file, modules, language):
    "Return the exported .po content per module"
    from proteus import Model, Wizard
    from proteus import config as pconfig
    pconfig.set_trytond(DATABASE, config_file=str(config_file))

    Lang = Model.get('ir.lang')
    Module = Model.get('ir.module')
    lang, = Lang.find([('code', '=', language)])
    # The language's "Load translations" button: it makes it translatable
    # and loads the current <language>.po of every activated module
    lang.click('load_translations')

    Wizard('ir.translation.set').execute('set_')
    Wizard('ir.translation.clean').execute('clean')
    update = Wizard('ir.translation.update')
    update.form.language = lang
    update.execute('update')

    result = {}
    for name in modules:
        module, = Module.find([('name', '=', name)])
        wizard = Wizard('ir.translation.export')
        wizard.form.language = lang
        wizard.form.module = module
        wizard.execute('export')
        result[name] = wizard.form.file
    return result


def untranslated(path):
    "Return the entries of the .po file that lack a translation"
    return [e for e in polib.pofile(str(path))
        if not e.obsolete and e.msgid and (e.fuzzy or not e.msgstr)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('modules', nargs='+', metavar='MODULE')
    parser.add_argument('-l', '--language', default='zh_CN')
    parser.add_argument(
        '--workdir', type=pathlib.Path,
        help="folder of the scratch database (default: a temporary one)")
    args = parser.parse_args(argv)
    clean_environ()

    with tempfile.TemporaryDirectory(prefix='tryton-translations-') as tmp:
        workdir = (args.workdir or pathlib.Path(tmp)).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        database = workdir / f'{DATABASE}.sqlite'
        if database.exists():
            database.unlink()
        config_file = create_database(workdir, args.modules)
        contents = export(config_file, args.modules, args.language)

    missing = 0
    for module, content in contents.items():
        path = module_directory(module) / 'locale' / f'{args.language}.po'
        if not content:
            print(f"{module}: nothing to translate")
            continue
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        entries = polib.pofile(str(path))
        todo = untranslated(path)
        missing += len(todo)
        print(f"{module}: {len(entries)} entries written to {path}, "
            f"{len(todo)} without translation")
        for entry in todo:
            flag = ' (fuzzy)' if entry.fuzzy else ''
            print(f"  {entry.msgctxt}{flag}\n    {entry.msgid!r}")
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
