# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""One pool per set of activated modules in a test process.

Tryton's test helpers initialise the pool (every model class built, set up
and its mixins applied) each time a test database is restored, and proteus
initialises it once more for every scenario: about a second of the CPU per
initialisation, most of a scenario's run.  The test database is a copy of a
layer (tests/layers.py) whose activated modules are the same from one test
to the next, and a pool initialised without an update reads nothing else
from the database (``trytond.modules.load_module_graph``: the classes are
filled, set up and mixed in from the module graph alone), so the classes
built for a set of modules are kept and given back to the next database
with the same set.

An initialisation that updates, loads languages or builds indexes is
Tryton's own, and its pool is not kept: an activation builds new classes.
"""
from trytond.pool import Pool
from trytond.transaction import Transaction

_kept = {}
_init = Pool.init


def _activated(database_name):
    from sql import Table
    ir_module = Table('ir_module')

    def read():
        cursor = Transaction().connection.cursor()
        cursor.execute(*ir_module.select(ir_module.name,
                where=ir_module.state.in_(
                    ('activated', 'to upgrade', 'to remove'))))
        return frozenset(name for name, in cursor)

    if Transaction().connection:
        with Transaction().new_transaction(readonly=True), \
                Transaction().set_user(0), Transaction().reset_context():
            return read()
    with Transaction().start(database_name, 0, readonly=True):
        return read()


def init(self, update=None, lang=None, activatedeps=False, indexes=None):
    if update or lang or activatedeps or indexes:
        return _init(self, update=update, lang=lang,
            activatedeps=activatedeps, indexes=indexes)
    key = (Pool.test, _activated(self.database_name))
    with self._lock:
        if key in _kept:
            pool, modules = _kept[key]
            self._pool = pool
            self._modules = modules
            self._pools[self.database_name] = pool
            self._pool_modules[self.database_name] = modules
            self._pool_instances.clear()
            self._pool_instances.add(self)
            self.ready = True
            return
        _init(self)
        _kept[key] = (self._pool, self._modules)


def install():
    Pool.init = init
