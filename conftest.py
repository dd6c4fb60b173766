# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The test run's databases: tests/layers.py builds them once per backend.

Before Tryton's test helpers are imported, the test database and DB_CACHE
are set for the backend (unless set); at the start of the session the
layers of other sources are dropped and the module layers built.

SERVICE_TEST_SHARD=demo runs only the tests served from the demo's layer
(DEMO_TESTS), SERVICE_TEST_SHARD=rest all the others: CI runs its
PostgreSQL pass as the two, the second with its own DB_NAME once the
SQLite pass has left its core (the first built the layers long before)."""
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / 'tests'))
import layers  # noqa: E402

layers.configure()
import pool_cache  # noqa: E402

pool_cache.install()
layers.force_drop()


DEMO_TESTS = {'test_multiworker.py', 'test_faults.py', 'test_upgrade.py',
    'test_no_error.py'}


def pytest_sessionstart(session):
    layers.prune()
    layers.prepare()


def pytest_collection_modifyitems(config, items):
    shard = os.environ.get('SERVICE_TEST_SHARD')
    if not shard:
        return
    assert shard in {'demo', 'rest'}, f"SERVICE_TEST_SHARD={shard}"
    keep, drop = [], []
    for item in items:
        if (item.path.name in DEMO_TESTS) == (shard == 'demo'):
            keep.append(item)
        else:
            drop.append(item)
    config.hook.pytest_deselected(items=drop)
    items[:] = keep
