# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Databases, clients and records for the concurrency tests.

The tests need PostgreSQL: SQLite lets one writer at a time, so nothing
races there.  Without TRYTOND_DATABASE_URI pointing at PostgreSQL they are
skipped with the reason; with SERVICE_CONCURRENCY_TEST=required (as CI sets
it on its PostgreSQL run) they fail instead.

Each test gets a database of its own, ``test_conc_<pid>_<n>_<random>``,
copied from the template database of the concurrency layer (tests/layers.py:
the modules, a company, a chart of accounts, and tests/concurrency_data.py's
fiscal year, users, technicians, customers and products) and dropped after
the test.

`Tryton.call` runs a method as a client's request does, with the loop of
trytond's RPC dispatcher (tests/rpc.py, as trytond/protocols/dispatcher.py
`_dispatch`): a
transaction of its own, access checked for the user, restarted when the code
asks for a lock it does not hold yet (``Model.lock`` raises a
TransactionError and the transaction starts again taking the lock first, so
it reads all that was committed before it got the lock), and retried on
DatabaseOperationalError (a row lock held by another transaction, or a
serialization failure).  The number of retries is trytond's ``[database]
retry``; the tests raise it from 5 to `RETRY` so that a transaction waiting
for a lock on a busy machine still gets it, where a real client would get
the "database busy" error after about 0.3 s.
"""
import contextlib
import datetime as dt
import itertools
import os
import pathlib
import sys
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'tests'))
from pg_required import require_postgresql  # noqa: E402
from rpc import dispatch  # noqa: E402

PREFIX = 'test_conc_'
RETRY = 20
# A thread that never comes fails the test instead of hanging it
TIMEOUT = 120

_counter = itertools.count(1)


@pytest.fixture(scope='session')
def postgresql():
    "Skip, or fail when SERVICE_CONCURRENCY_TEST=required, without PostgreSQL"
    require_postgresql("the concurrency tests need")


# Databases

@contextlib.contextmanager
def _server():
    "A cursor on the server, outside any database, in autocommit"
    from trytond.transaction import Transaction
    with Transaction().start(None, 0, autocommit=True) as transaction:
        with transaction.connection.cursor() as cursor:
            yield cursor


def _create(name, template='template0'):
    from trytond import backend
    with _server() as cursor:
        backend.Database.create(cursor.connection, name, template)


def _release(name):
    "Close this process's connections to the database and forget it"
    from trytond import backend
    from trytond.cache import Cache
    from trytond.pool import Pool
    database = backend.Database._databases[os.getpid()].get(name)
    if database:
        database.close()
    Pool.stop(name)
    Cache.drop(name)


def _drop(name):
    from trytond import backend
    _release(name)
    with _server() as cursor:
        # FORCE: a connection a failed thread left open does not keep it
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    backend.Database.clear_cache()


@pytest.fixture(scope='session')
def template(postgresql):
    "The name of the database the tests' databases are copied from"
    import layers
    return layers.template('concurrency')


def _run(database, func):
    """Return func() run as the administrator in the company, committed;
    restarted as trytond.tests.test_tryton.with_transaction does to lock.
    The data is prepared as a script does, without the warnings a user
    confirms (a plan after the SLA's deadline)"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError
    extras = {}
    while True:
        with Transaction().start(database, 1, **extras) as transaction:
            Company = Pool().get('company.company')
            company, = Company.search([])
            try:
                with transaction.set_context(
                        company=company.id, _skip_warnings=True):
                    result = func()
            except TransactionError as e:
                transaction.rollback()
                e.fix(extras)
                continue
            transaction.commit()
            return result


# Clients

class Outcome:
    "What one concurrent call returned or raised"

    def __init__(self, result=None, error=None):
        self.result = result
        self.error = error

    def __repr__(self):
        if self.error is not None:
            return f'<raised {self.error!r}>'
        return f'<returned {self.result!r}>'


class Tryton:
    "A test's database as the department's clients use it"

    def __init__(self, database):
        self.database = database
        self.restarts = 0
        self._lock = threading.Lock()
        self._contexts = {}

    def setup(self, func):
        "Return func() run as the administrator in the company, committed"
        return _run(self.database, func)

    def user(self, login):
        "Return the id of the user, whose client context is then known"
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        with Transaction().start(self.database, 0):
            User = Pool().get('res.user')
            user, = User.search([('login', '=', login)])
        with Transaction().start(self.database, user.id):
            self._contexts[user.id] = User.get_preferences(
                context_only=True)
        return user.id

    def call(self, user, name, method, *args, type='model', before=None,
            context=None):
        """Call method of the model (or wizard) name as user, as trytond's
        RPC dispatcher does; before() runs in the first attempt's
        transaction just ahead of the method"""
        from trytond.rpc import RPC
        # Buttons are not all in __rpc__; the dispatcher finds them there
        return dispatch(self.database, user, name, method, *args, type=type,
            context={**self._contexts[user], **(context or {})},
            before=before, restarted=self._restarted,
            default_rpc=RPC(readonly=False, instantiate=0))

    def _restarted(self):
        with self._lock:
            self.restarts += 1

    @staticmethod
    def barrier(parties):
        return threading.Barrier(parties, timeout=TIMEOUT)

    @staticmethod
    def event():
        return threading.Event()

    @staticmethod
    def reading(model, ids, *waits):
        """Return a before() for call that reads the records, as the
        method's own checks do first, so that the transaction's snapshot is
        taken, then waits for each barrier or event of waits"""
        def before():
            from trytond.pool import Pool
            Pool().get(model).read(ids, ['rec_name'])
            for wait in waits:
                if isinstance(wait, threading.Event):
                    assert wait.wait(TIMEOUT), "the other call never ended"
                else:
                    wait.wait()
        return before

    @staticmethod
    def concurrently(*calls):
        """Run each call (a function without argument) in a thread of its
        own, all at once, and return their outcomes in the same order"""
        def run(call):
            try:
                return Outcome(result=call())
            except Exception as error:
                return Outcome(error=error)
        with ThreadPoolExecutor(max_workers=len(calls)) as executor:
            futures = [executor.submit(run, c) for c in calls]
            return [f.result(timeout=TIMEOUT) for f in futures]

    def interleaved(self, interleaving, first, second):
        """Run first(waits) and second(waits) at once, each passing its
        waits to reading(), and return their outcomes: 'together', neither
        goes on before both have taken their snapshot; 'one_after_commit',
        the second goes on only once the first has ended"""
        barrier = self.barrier(2)
        first_done = self.event()
        waits = {
            'together': [[barrier], [barrier]],
            'one_after_commit': [[barrier], [barrier, first_done]],
            }[interleaving]

        def run_first():
            try:
                return first(waits[0])
            finally:
                first_done.set()
        return self.concurrently(
            run_first, lambda: second(waits[1]))


    # The department's records, made by the administrator in setup

    @staticmethod
    def get(model, **values):
        "Return the only record of model with the values"
        from trytond.pool import Pool
        record, = Pool().get(model).search(
            [(f, '=', v) for f, v in values.items()])
        return record

    @classmethod
    def accepted_request(cls, customer):
        "Return a repair request of the customer's air conditioner, accepted"
        from trytond.pool import Pool
        Request = Pool().get('service.request')
        equipment = cls.get('service.equipment', **{'party.name': customer})
        request = Request(party=equipment.party, equipment=equipment,
            type=cls.get('service.request.type', code='repair'),
            contact=equipment.party.contact_mechanisms[0],
            description="Not cooling")
        request.save()
        Request.open([request])
        return request

    @classmethod
    def work_order(cls, customer, technician, start, hours=2, parts=(),
            labour=None, travel=False):
        """Return a draft work order for a new request of the customer,
        planned from start for hours, with parts as (product name,
        quantity), labour hours and the travel"""
        from trytond.pool import Pool
        Dispatch = Pool().get('service.dispatch')
        request = cls.accepted_request(customer)
        technician = cls.get('company.employee', **{'party.name': technician})
        dispatch = Dispatch(request=request, party=request.party,
            equipment=request.equipment, appointment_contact=request.contact,
            technician=technician, planned_start=start,
            planned_end=start + dt.timedelta(hours=hours))
        dispatch.parts = [{
                'product': cls.get('product.product', name=name).id,
                'quantity': quantity,
                } for name, quantity in parts]
        if labour:
            dispatch.labour = [{
                    'employee': technician.id,
                    'hours': Decimal(labour),
                    'product': cls.get(
                        'product.product', name="Repair Labour").id,
                    }]
        if travel:
            dispatch.travel_product = cls.get(
                'product.product', name="Travel")
            dispatch.travel_quantity = 1
            dispatch.travel_unit_price = Decimal(50)
        dispatch.save()
        return dispatch

    @classmethod
    def receive(cls, name, quantity):
        "Put quantity of the product name in the warehouse's storage"
        from trytond.pool import Pool
        pool = Pool()
        Move = pool.get('stock.move')
        Company = pool.get('company.company')
        company, = Company.search([])
        product = cls.get('product.product', name=name)
        move = Move(product=product, unit=product.default_uom,
            quantity=quantity,
            from_location=cls.get('stock.location', code='SUP'),
            to_location=cls.get('stock.location', code='STO'),
            unit_price=Decimal(100), currency=company.currency,
            company=company)
        move.save()
        Move.do([move])

    @classmethod
    def on_hand(cls, name):
        "Return the quantity of the product name in the warehouse's storage"
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        Product = Pool().get('product.product')
        storage = cls.get('stock.location', code='STO')
        product = cls.get('product.product', name=name)
        with Transaction().set_context(locations=[storage.id]):
            return Product(product.id).quantity

    @staticmethod
    def tomorrow(hour):
        return dt.datetime.combine(
            dt.date.today() + dt.timedelta(days=1), dt.time(hour))


@pytest.fixture
def tryton(template, tmp_path):
    "A database of its own for the test, dropped after it"
    import trytond.config as config
    from trytond.pool import Pool
    name = f'{PREFIX}{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}'
    saved = {o: config.get('database', o) for o in ['retry', 'path']}
    _create(name, template)
    try:
        Pool(name).init()
        config.set('database', 'retry', str(RETRY))
        # The customers' signatures go to the filestore
        config.set('database', 'path', str(tmp_path))
        yield Tryton(name)
    finally:
        for option, value in saved.items():
            config.set('database', option, value)
        _drop(name)

