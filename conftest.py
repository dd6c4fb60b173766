# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The test run's databases: tests/layers.py builds them once per backend.

Before Tryton's test helpers are imported, the test database and DB_CACHE
are set for the backend (unless set); at the start of the session the
layers of other sources are dropped and the module layers built."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / 'tests'))
import layers  # noqa: E402

layers.configure()


def pytest_sessionstart(session):
    layers.prune()
    layers.prepare()
