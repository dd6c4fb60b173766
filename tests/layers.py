# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The databases the tests start from: built once per backend, then copied.

Tryton's test helpers keep a database they built in DB_CACHE under a name
(a file per name in a folder on SQLite, a template database per name on
PostgreSQL) and copy it instead of building it again
(``trytond.tests.test_tryton.restore_db_cache``).  Here every such database
is a layer built on a copy of the one below it, so that the modules are
activated once per backend:

=========== ================================================ ===============
layer       on a copy of the layer above, adds               used by
=========== ================================================ ===============
desk        ``service_desk`` alone                           its ModuleTestCase
dispatch    ``service_dispatch`` (stock, accounting)         its ModuleTestCase
common      ``service_kpi`` and the extras (``COMMON``)      service_kpi's
                                                             ModuleTestCase,
                                                             unit, translation
                                                             and view tests
company     a company with a chart of accounts               every scenario
roles       users of each role, two companies' records       roles, fuzz
concurrency a fiscal year, the concurrency tests' records    concurrency
            (PostgreSQL)
demo        ``scripts/demo.py``'s data, on ``common``        demo, browser,
                                                             PDF, upgrade,
                                                             multi-worker,
                                                             faults
=========== ================================================ ===============

desk, dispatch, common and company carry the names Tryton's own helpers
look them up by (``activate_module`` for ``ModuleTestCase``,
``activate_modules`` for the scenarios), so those find them with no code of
ours; `prepare()` builds them at the start of a pytest session (conftest.py).
The data layers are built by the first test that needs them.

A change of the sources never reuses a stale layer: `source_hash(layer)`
is the key of every layer, a hash of the files it is built from (the
modules, setup.cfg, this file, and a data layer's own builder).  `prune()`
drops every layer when the modules' key has changed; a data layer's name
carries its key, so that a change of its builder builds it again.
"""
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEMO_SCRIPT = ROOT / 'scripts' / 'demo.py'
DEMO = 'service_demo'


def _tested_modules():
    from trytond.modules.service_desk.tests.tools import TESTED_MODULES
    return TESTED_MODULES


# The service modules with every extra they are tested with
COMMON = ['service_kpi', 'stock_lot', 'sale', 'sale_complaint',
    'notification_email']
# Tryton's cache names of the module layers: activate_module joins the
# modules as given, activate_modules sorts them and adds its setup functions
DESK = 'service_desk'
DISPATCH = 'service_dispatch'
COMMON_NAME = '-'.join(COMMON)
COMPANY_NAME = '-'.join(sorted(COMMON)) + '--create_company|create_chart'

# What the layers are built from, besides the modules' own files: every
# layer, and each data layer's builder
SOURCES = ['setup.cfg', 'tests/layers.py']
BUILDERS = {
    'roles': ['tests/role_data.py'],
    'concurrency': ['tests/concurrency_data.py'],
    'demo': ['scripts/demo.py'],
    }


def cache_dir():
    "The folder of the caches kept as files, outside the working tree"
    base = os.environ.get('XDG_CACHE_HOME') or pathlib.Path.home() / '.cache'
    return pathlib.Path(base) / 'tryton-service'


def postgresql_uri():
    "The PostgreSQL server of the run, or None on SQLite"
    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    if uri.startswith(('postgresql:', 'postgres:')):
        return uri.split('?')[0].rstrip('/') + '/'
    return None


def configure():
    """Set the environment Tryton's test helpers read, unless set: the
    test database and DB_CACHE, where the layers are kept"""
    uri = postgresql_uri()
    if uri:
        os.environ.setdefault('DB_NAME', 'test_service')
        os.environ.setdefault('DB_CACHE', uri)
    else:
        os.environ.setdefault('DB_CACHE', str(cache_dir() / 'sqlite'))


def source_hash(layer=None):
    "The key of the layer: the files it is built from (the modules' layers)"
    import trytond
    digest = hashlib.sha1(trytond.__version__.encode())
    paths = [p for p in sorted((ROOT / 'modules').rglob('*'))
        if p.is_file() and 'tests' not in p.relative_to(ROOT).parts
        and '__pycache__' not in p.parts]
    paths += [ROOT / name for name in SOURCES + BUILDERS.get(layer, [])]
    for path in paths:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def files_dir():
    "Where the layers' files are kept on this backend (the demo's)"
    return cache_dir() / ('postgresql' if postgresql_uri() else 'sqlite')


# The cache ------------------------------------------------------------------

def _server():
    import psycopg
    return psycopg.connect(postgresql_uri() + 'postgres', autocommit=True)


def _cached_databases(connection):
    return [name for name, in connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'test-%'")]


def prune():
    """Drop every cached layer built from other sources; return the key"""
    key = source_hash()
    folder = files_dir()
    marker = folder / f'source-{key}'
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        marker.touch()
    if postgresql_uri():
        with _server() as connection:
            names = _cached_databases(connection)
            if f'test-cache-{key}' not in names:
                for name in names:
                    print(f"Dropping the cached test database {name}: "
                        "the sources changed", flush=True)
                    connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                connection.execute(f'CREATE DATABASE "test-cache-{key}"')
    return key


def force_drop():
    """Make Tryton's test helpers drop the test database WITH (FORCE) on
    PostgreSQL: a session some test left behind (seen once in a full run,
    never alone) must not fail the next test's restore with the database
    "being accessed by other users"."""
    if not postgresql_uri():
        return
    from psycopg.sql import SQL, Identifier

    from trytond.backend.postgresql.database import Database

    def drop(cls, connection, database_name):
        cursor = connection.cursor()
        cursor.execute(SQL("DROP DATABASE {} WITH (FORCE)")
            .format(Identifier(database_name)))
        cls.clear_cache()
    Database.drop = classmethod(drop)


def clean():
    "Drop every cached layer (make clean)"
    shutil.rmtree(cache_dir(), ignore_errors=True)
    if postgresql_uri():
        with _server() as connection:
            for name in _cached_databases(connection):
                connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def cache_file(name):
    "The file (SQLite) or template database (PostgreSQL) of a layer"
    from trytond.tests.test_tryton import DB_CACHE, _db_cache_file
    path = _db_cache_file(DB_CACHE, name)
    if postgresql_uri():
        return path[len(DB_CACHE) + 1:]
    return path


def is_cached(name):
    path = cache_file(name)
    if postgresql_uri():
        with _server() as connection:
            return path in _cached_databases(connection)
    return os.path.exists(path)


def restore(name, build=None):
    """Make the test database (DB_NAME) a copy of the layer, built first by
    build() when it is not cached (build leaves it in DB_NAME)"""
    from trytond.tests.test_tryton import (
        backup_db_cache, drop_db, restore_db_cache)
    drop_db()
    if restore_db_cache(name):
        return
    assert build, f"the layer {name} is not built"
    build()
    backup_db_cache(name)
    drop_db()
    assert restore_db_cache(name), f"the layer {name} was not kept"


def _activate(parent, modules):
    "Return a build of the modules' layer on the parent layer"
    def build():
        from trytond.tests.test_tryton import activate_module, drop_db
        if parent:
            restore(*LAYERS[parent])
        else:
            drop_db()
        # On an existing database Tryton's helper activates what is missing
        # and keeps the result under the modules' name
        activate_module(modules)
    return build


def _company():
    restore(*LAYERS[COMMON_NAME])
    from proteus import config as pconfig

    from trytond.modules.account.tests.tools import create_chart
    from trytond.modules.company.tests.tools import create_company
    config = pconfig.set_trytond()
    create_company(config=config)
    create_chart(config=config)


def _roles():
    import role_data
    restore(*LAYERS[COMPANY_NAME])
    role_data.populate()


def _concurrency():
    import concurrency_data
    restore(*LAYERS[COMPANY_NAME])
    concurrency_data.populate()


# name: (name, build); the module layers build themselves through Tryton's
# helpers, so restore() finds them after build() with no backup of ours
LAYERS = {
    DESK: (DESK, _activate(None, [DESK])),
    DISPATCH: (DISPATCH, _activate(DESK, [DISPATCH])),
    COMMON_NAME: (COMMON_NAME, _activate(DISPATCH, COMMON)),
    COMPANY_NAME: (COMPANY_NAME, _company),
    'roles': (lambda: f"service-roles-{source_hash('roles')}", _roles),
    'concurrency': (
        lambda: f"service-concurrency-{source_hash('concurrency')}",
        _concurrency),
    }


def prepare():
    "Build the module layers and the company layer, if not cached"
    assert _tested_modules() == COMMON, "the modules' tests name others"
    for name in [DESK, DISPATCH, COMMON_NAME, COMPANY_NAME]:
        if not is_cached(name):
            restore(*LAYERS[name])
    from trytond.tests.test_tryton import drop_db
    drop_db()


def _layer(layer):
    "The cache name and the build of a layer"
    name, build = LAYERS[layer]
    return (name() if callable(name) else name), build


def use(layer):
    "Make the test database a copy of a data layer ('roles', ...)"
    restore(*_layer(layer))


def template(layer):
    """The template database of a layer on PostgreSQL, built if needed, to
    copy with CREATE DATABASE ... TEMPLATE"""
    name, build = _layer(layer)
    if not is_cached(name):
        restore(name, build)
        from trytond.tests.test_tryton import drop_db
        drop_db()
    return cache_file(name)


# The demo -------------------------------------------------------------------

def clean_env():
    "The environment without the test run's database settings"
    return {k: v for k, v in os.environ.items()
        if not k.startswith(('TRYTOND_', 'DB_'))}


def demo_command(var, *args, uri=None, database=DEMO):
    "Run scripts/demo.py without serving on var; return what it printed"
    command = [sys.executable, str(DEMO_SCRIPT), '--no-serve',
        '--var', str(var), '--database', database, *args]
    if uri:
        command += ['--database-uri', uri]
    result = subprocess.run(
        command, capture_output=True, text=True, env=clean_env())
    if result.returncode:
        raise AssertionError(
            f"scripts/demo.py failed:\n{result.stdout[-2000:]}\n"
            f"{result.stderr[-4000:]}")
    return result.stdout


def _drop_database(connection, name):
    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def demo(var, database=DEMO):
    """Make var hold the demo database, a copy of the demo layer, and its
    configuration (var/trytond.conf, the filestore in var); return what
    scripts/demo.py printed.  The layer is built on a copy of the common
    layer, by scripts/demo.py as `make demo` loads the data."""
    var = pathlib.Path(var)
    var.mkdir(parents=True, exist_ok=True)
    uri = postgresql_uri()
    folder = files_dir()
    key = source_hash('demo')
    files = folder / f'demo-{key}.filestore.tar'
    if uri:
        layer = f'test-service-demo-{key}'
        with _server() as connection:
            if layer not in _cached_databases(connection):
                common = template(COMMON_NAME)
                _drop_database(connection, database)
                connection.execute(
                    f'CREATE DATABASE "{database}" TEMPLATE "{common}"')
                demo_command(
                    var, '--no-update', uri=uri, database=database)
                _keep_filestore(var / database, files)
                connection.execute(
                    f'CREATE DATABASE "{layer}" TEMPLATE "{database}"')
            else:
                _drop_database(connection, database)
                connection.execute(
                    f'CREATE DATABASE "{database}" TEMPLATE "{layer}"')
    else:
        cached = folder / f'demo-{key}.sqlite'
        if not cached.exists():
            _sqlite_common(var / f'{database}.sqlite')
            demo_command(var, '--no-update', database=database)
            _keep_filestore(var / database, files)
            tmp = cached.with_suffix(f'.{os.getpid()}.tmp')
            shutil.copy(var / f'{database}.sqlite', tmp)
            tmp.rename(cached)
        else:
            shutil.copy(cached, var / f'{database}.sqlite')
    _restore_filestore(files, var / database)
    return demo_command(var, '--no-update', uri=uri, database=database)


def _sqlite_common(path):
    "Copy the common layer's SQLite file to path"
    name = COMMON_NAME
    if not is_cached(name):
        restore(*LAYERS[name])
        from trytond.tests.test_tryton import drop_db
        drop_db()
    shutil.copy(cache_file(name), path)


def _keep_filestore(folder, files):
    tmp = files.with_suffix(f'.{os.getpid()}.tmp')
    with tarfile.open(tmp, 'w') as tar:
        if folder.exists():
            tar.add(folder, arcname='.')
    tmp.rename(files)


def _restore_filestore(files, folder):
    if folder.exists():
        return
    folder.mkdir(parents=True)
    with tarfile.open(files) as tar:
        tar.extractall(folder, filter='data')
