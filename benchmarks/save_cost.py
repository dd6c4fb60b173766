#!/usr/bin/env python3
# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""What saving a request and a work order costs against plain Tryton.

On a copy of the role test's database (``tests/layers.py``: two companies,
users of each role, requests and work orders; on the backend of
``TRYTOND_DATABASE_URI``, SQLite when unset), the service manager of the
first company creates requests and work orders and writes three fields on
them, as the web client calls it (``tests/rpc.py``: the method's RPC
converts the arguments, access and record rules are checked).

The baseline, timed in the same run on the same database: for each of the
two models, a plain Tryton model (``ModelSQL, ModelView`` and nothing of
ours) built here with copies of the model's stored fields (their required,
size, digits, selection and domains), its own table and a copy of the
model's record rules, saved by the same user with the same values.

For each model and each operation (create, write) the script counts the SQL
statements one save sends (a cursor that counts what it executes) and
times saves (the median, over several repeats, of the mean time of a
repeat of many saves, each in its transaction, rolled back).  The last two
lines are the ratios of the service models' totals to the plain models':
``save_sql_ratio=`` (statements) and ``save_time_ratio=`` (time).
"""
import contextlib
import copy
import os
import datetime as dt
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tests'))

import layers  # noqa: E402

layers.configure()

REPEATS = 7
SAVES = 20
SKIPPED = {'id', 'create_uid', 'create_date', 'write_uid', 'write_date',
    'rec_name'}


def plain_model(pool, Model, name, module):
    "A ModelSQL with copies of the stored fields of Model, registered"
    from trytond.model import ModelSQL, ModelView, fields
    namespace = {'__name__': name, '__slots__': (),
        '_history': Model._history}
    stored = {n for n, f in Model._fields.items()
        if n not in SKIPPED and not isinstance(f, fields.Function)
        and f._type not in {'one2many', 'many2many'}}
    for field_name in stored:
        field = copy.deepcopy(Model._fields[field_name])
        # The client's calls, not the save's
        field.on_change = set()
        field.on_change_with = set()
        # A domain or state on a field left out cannot be evaluated
        if not set(field.validation_depends) <= stored:
            field.domain = []
            field.states = {}
        namespace[field_name] = field
        default = getattr(Model, 'default_' + field_name, None)
        if default:
            namespace['default_' + field_name] = classmethod(
                lambda cls, default=default: default())
    Plain = type(name.replace('.', '_'), (ModelSQL, ModelView), namespace)
    pool.add(Plain)
    pool.setup({'model': [Plain]})
    Plain.__register__(module)
    return Plain


def copy_rules(pool, Model, Plain):
    "Give the plain model the record rules of Model"
    RuleGroup = pool.get('ir.rule.group')
    groups = RuleGroup.search([('model', '=', Model.__name__)])
    RuleGroup.copy(groups, default={'model': Plain.__name__})
    return len(groups)


class Counter:
    "Count the statements the cursors of the connection execute"

    def __init__(self):
        self.count = 0
        # The statements, when SAVE_COST_LOG is set
        self.log = [] if os.environ.get('SAVE_COST_LOG') else None

    def wrap(self, connection):
        "Count on the class of connection; return what restores it"
        counter = self
        Connection = type(connection)

        class Cursor:
            def __init__(self, cursor):
                self._cursor = cursor

            def execute(self, *args, **kwargs):
                counter.count += 1
                if counter.log is not None:
                    counter.log.append(str(args[0])[:300])
                return self._cursor.execute(*args, **kwargs)

            def __getattr__(self, name):
                return getattr(self._cursor, name)

            def __iter__(self):
                return iter(self._cursor)

        cursor = Connection.cursor

        def counted(self, *args, **kwargs):
            return Cursor(cursor(self, *args, **kwargs))
        Connection.cursor = counted
        return lambda: setattr(Connection, 'cursor', cursor)


def main():
    from trytond import backend
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, drop_db
    from trytond.transaction import Transaction

    from role_data import Records
    from rpc import dispatch

    layers.prune()
    layers.prepare()
    layers.use('roles')
    records = Records()
    pool = Pool(DB_NAME)
    with Transaction().start(DB_NAME, 0) as transaction:
        User = pool.get('res.user')
        manager, = User.search([('login', '=', 'manager')])
        manager = manager.id
        Request = pool.get('service.request')
        Dispatch = pool.get('service.dispatch')
        PlainRequest = plain_model(
            pool, Request, 'bench.plain.request', 'service_desk')
        PlainDispatch = plain_model(
            pool, Dispatch, 'bench.plain.dispatch', 'service_dispatch')
        rules = (copy_rules(pool, Request, PlainRequest)
            + copy_rules(pool, Dispatch, PlainDispatch))
        transaction.commit()
    _, _, create_request = records.targets['service.request']
    _, _, create_dispatch = records.targets['service.dispatch']
    today = dt.datetime.combine(records.today, dt.time(10))
    write_request = {'description': "The fan is noisy again.",
        'priority': 'high', 'serial_number': 'SN-BENCH'}
    write_dispatch = {'notes': "Call first.",
        'planned_start': today + dt.timedelta(days=1),
        'planned_end': today + dt.timedelta(days=1, hours=2)}
    with Transaction().start(DB_NAME, manager) as transaction:
        context = User.get_preferences(context_only=True)
    cases = [
        ('request', 'service.request', 'bench.plain.request',
            create_request, write_request),
        ('work order', 'service.dispatch', 'bench.plain.dispatch',
            create_dispatch, write_dispatch),
        ]
    print(f"On {backend.name}, as the service manager; the plain "
        f"models carry {rules} record rules copied from the service models")
    kinds = ['service', 'unchecked', 'plain']
    totals = {kind: [0, 0.0] for kind in kinds}
    for label, name, plain, create, write in cases:
        for kind in kinds:
            model = plain if kind == 'plain' else name
            for operation in ['create', 'write']:
                with (unchecked() if kind == 'unchecked'
                        else contextlib.nullcontext()):
                    statements, seconds = measure(
                        dispatch, DB_NAME, manager, context, model,
                        operation, create, write)
                totals[kind][0] += statements
                totals[kind][1] += seconds
                print(f"{label:10} {kind:9} {operation:6} "
                    f"{statements:3d} statements "
                    f"{seconds * 1000:8.2f} ms")
    drop_db()
    for kind in ['plain', 'unchecked']:
        print(f"service against {kind}: "
            f"{totals['service'][0] / totals[kind][0]:.2f} statements, "
            f"{totals['service'][1] / totals[kind][1]:.2f} time")
    print("plain_sql_ratio="
        f"{totals['service'][0] / totals['plain'][0]:.2f}")
    print("plain_time_ratio="
        f"{totals['service'][1] / totals['plain'][1]:.2f}")
    print("save_sql_ratio="
        f"{totals['service'][0] / totals['unchecked'][0]:.2f}")
    print("save_time_ratio="
        f"{totals['service'][1] / totals['unchecked'][1]:.2f}")


@contextlib.contextmanager
def unchecked():
    """The service models as Tryton alone saves them: the checks of the
    values a client sends (service_desk/client.py) passed through"""
    from trytond.modules.service_desk import client
    from trytond.rpc import RPC
    Mixin = client.ClientValueMixin
    saved = {name: Mixin.__dict__[name]
        for name in ['create', 'preprocess_values', 'check_modification']}

    def through(name):
        def method(cls, *args, **kwargs):
            return getattr(super(Mixin, cls), name)(*args, **kwargs)
        return classmethod(method)
    convert = client.ClientRPC.__dict__['convert']
    for name in saved:
        setattr(Mixin, name, through(name))
    client.ClientRPC.convert = RPC.convert
    try:
        yield
    finally:
        for name, method in saved.items():
            setattr(Mixin, name, method)
        client.ClientRPC.convert = convert


def measure(dispatch, database, user, context, model, operation, create,
        write):
    """Return the statements of one save (caches warm) and its median time
    in seconds"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    ids = []
    if operation == 'write':
        # The record written, committed: each write is rolled back
        with Transaction().start(database, user, context=context) as transaction:
            Model = Pool().get(model)
            record, = Model.create([create])
            ids.append(record.id)
            transaction.commit()
    counter = Counter()
    restore = []
    begin = [0.0]

    def start():
        restore.append(counter.wrap(Transaction().connection))
        counter.count = 0
        begin[0] = time.perf_counter()

    def call():
        if operation == 'create':
            args = [[create]]
        else:
            args = [ids, write]
        dispatch(database, user, model, operation, *args,
            context=context, commit=False, before=start)

    times = []
    for repeat in range(REPEATS):
        elapsed = 0.0
        for _ in range(SAVES):
            call()
            elapsed += time.perf_counter() - begin[0]
            while restore:
                restore.pop()()
            statements = counter.count
            if counter.log is not None:
                if repeat == REPEATS - 1 and _ == SAVES - 1:
                    print(f"== {model} {operation}", *counter.log,
                        sep='\n', file=sys.stderr)
                counter.log = []
        times.append(elapsed / SAVES)
    return statements, statistics.median(times)


if __name__ == '__main__':
    main()
