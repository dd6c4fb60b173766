#!/usr/bin/env python3
# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Keep the cached test databases of PostgreSQL in step with the sources.

On PostgreSQL `make test` has Tryton keep the databases its tests start
from as template databases on the server (DB_CACHE=postgresql://...):
copying one takes a fraction of a second where restoring a dump takes
seconds, and the suite restores one per test class and scenario.  Tryton
names them after the modules they hold (test-<hash>), not after the
modules' sources, so they would outlive a change of the modules.  This
script, given the hash of the sources, keeps it in the name of an empty
database, test-cache-<hash>: when that database is missing, every cached
database is dropped and the marker created, and the tests build them again.

Usage: DB_CACHE=postgresql://USER@HOST:PORT/ test_db_cache.py SOURCE_HASH
Without a postgresql:// DB_CACHE it does nothing."""
import os
import re
import sys
from urllib.parse import urlsplit, urlunsplit

CACHED = re.compile(r'^test-([0-9a-f]{40}|cache-[0-9a-f]+)$')


def main(digest):
    cache = os.environ.get('DB_CACHE', '')
    if not cache.startswith(('postgresql://', 'postgres://')):
        return
    import psycopg
    uri = urlunsplit(urlsplit(cache)._replace(path='/postgres'))
    marker = f'test-cache-{digest}'
    with psycopg.connect(uri, autocommit=True) as connection:
        names = [name for name, in connection.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'test-%'")
            if CACHED.match(name)]
        if marker in names:
            return
        for name in names:
            print(f"Dropping the cached test database {name}: "
                "the modules changed")
            connection.execute(f'DROP DATABASE "{name}"')
        connection.execute(f'CREATE DATABASE "{marker}"')


if __name__ == '__main__':
    main(*sys.argv[1:])
