# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Upgrading the modules on a database full of demo data keeps the data.

The demo database (`scripts/demo.py`, what `make demo` serves) is upgraded
twice in a row with ``trytond-admin -u service_desk service_dispatch
service_kpi``, as a company does after installing a new release.  Each
upgrade must succeed and leave every row of the department's records as it
was (only ``write_date``/``write_uid`` may move), must not duplicate the
shipped menus, views, access rules, messages or scheduled tasks, and must
keep what the department changed in the shipped data (a renamed request
type, its own acceptance hours).

The database is a copy of the demo layer (tests/layers.py) on the backend of
the run: a file on SQLite; with TRYTOND_DATABASE_URI pointing at PostgreSQL
a database on that server, as production runs, dropped afterwards.
"""
import hashlib
import os
import pathlib
import subprocess
import sys
import uuid

import layers
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEMO = 'service_demo'
MODULES = ['service_desk', 'service_dispatch', 'service_kpi']
# The department's records and what they point at: every row compared
DATA_PREFIXES = ('service_', 'stock_move', 'stock_lot', 'account_invoice',
    'account_move', 'party_', 'company_', 'product_', 'ir_sequence')
# The shipped records: counted, so that an upgrade duplicates none
SHIPPED = ['ir_ui_menu', 'ir_ui_view', 'ir_action', 'ir_model_access',
    'ir_model_field_access', 'ir_rule', 'ir_rule_group', 'ir_message',
    'ir_cron', 'res_group', 'ir_model_button', 'ir_model_data',
    'ir_trigger', 'ir_model', 'ir_model_field']
MOVING = {'write_date', 'write_uid'}


class Database:
    "The demo database on the backend of TRYTOND_DATABASE_URI"

    def __init__(self, var):
        self.var = var
        self.uri = os.environ.get('TRYTOND_DATABASE_URI', 'sqlite://')
        self.postgresql = self.uri.startswith(('postgresql:', 'postgres:'))
        self.name = (f'test_upgrade_{os.getpid()}_{uuid.uuid4().hex[:6]}'
            if self.postgresql else DEMO)

    def prepare(self):
        "Make the database a copy of the demo; return its configuration file"
        layers.demo(self.var, database=self.name)
        return self.var / 'trytond.conf'

    def connect(self):
        if self.postgresql:
            import psycopg
            return psycopg.connect(
                self.uri.split('?')[0].rstrip('/') + '/' + self.name)
        import sqlite3
        return sqlite3.connect(self.var / f'{self.name}.sqlite')

    def drop(self):
        if self.postgresql:
            import psycopg
            with psycopg.connect(self.uri.split('?')[0].rstrip('/')
                    + '/postgres', autocommit=True) as connection:
                connection.execute(
                    f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def tables(self, cursor):
        if self.postgresql:
            cursor.execute("SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")
        return sorted(t for t, in cursor.fetchall())

    def columns(self, cursor, table):
        cursor.execute(f'SELECT * FROM "{table}" WHERE 1 = 0')
        return [d[0] for d in cursor.description]

    def snapshot(self):
        """Return, per table of the department's data, its row count and a
        digest of its rows; per table of shipped records, its row count"""
        connection = self.connect()
        try:
            cursor = connection.cursor()
            state = {}
            for table in self.tables(cursor):
                if table.startswith(DATA_PREFIXES):
                    columns = [c for c in self.columns(cursor, table)
                        if c not in MOVING]
                    select = ', '.join(f'"{c}"' for c in columns)
                    order = 'id' if 'id' in columns else select
                    cursor.execute(
                        f'SELECT {select} FROM "{table}" ORDER BY {order}')
                    rows = cursor.fetchall()
                    digest = hashlib.sha1()
                    for row in rows:
                        digest.update(repr(tuple(
                                    _normal(v) for v in row)).encode())
                    state[table] = (len(rows), digest.hexdigest())
                elif table in SHIPPED:
                    cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
                    state[table] = cursor.fetchone()[0]
            return state
        finally:
            connection.close()

    def execute(self, statement, params=()):
        connection = self.connect()
        try:
            cursor = connection.cursor()
            mark = '%s' if self.postgresql else '?'
            cursor.execute(statement.replace('%s', mark), params)
            rows = cursor.fetchall() if cursor.description else None
            connection.commit()
            return rows
        finally:
            connection.close()


def _normal(value):
    "The same value as both drivers return it"
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def upgrade(config_file, database):
    return subprocess.run(
        [str(pathlib.Path(sys.executable).with_name('trytond-admin')),
            '-c', str(config_file), '-d', database, '-u', *MODULES],
        capture_output=True, text=True)


@pytest.fixture
def demo(tmp_path):
    database = Database(tmp_path / 'demo')
    try:
        yield database, database.prepare()
    finally:
        database.drop()


def test_upgrade_twice_keeps_the_data(demo):
    database, config_file = demo
    # What the department changed in the shipped data
    database.execute("UPDATE service_request_type SET name = %s "
        "WHERE code = %s", ("Repair (on site)", 'repair'))
    database.execute(
        "UPDATE service_configuration_company SET acceptance_hours = %s",
        (8,))
    before = database.snapshot()
    assert before['service_request'][0] > 0
    assert before['service_dispatch'][0] > 0

    for attempt in [1, 2]:
        result = upgrade(config_file, database.name)
        assert result.returncode == 0, (
            f"upgrade {attempt} failed:\n{result.stderr[-4000:]}")
        after = database.snapshot()
        changed = {t: (before.get(t), after.get(t))
            for t in before.keys() | after.keys()
            if before.get(t) != after.get(t)}
        assert not changed, f"upgrade {attempt} changed {changed}"

    assert database.execute(
        "SELECT name FROM service_request_type WHERE code = %s",
        ('repair',)) == [("Repair (on site)",)]
    assert {h for h, in database.execute(
                "SELECT acceptance_hours FROM service_configuration_company")
            } == {8}
