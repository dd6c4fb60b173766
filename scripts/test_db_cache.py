#!/usr/bin/env python3
# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Remove every cached test database: what `make clean` runs.

The files under ~/.cache/tryton-service and, when the PostgreSQL server of
TRYTOND_DATABASE_URI answers, the template databases kept there
(tests/layers.py).  A test run drops the caches of other sources itself."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent
        / 'tests'))
import layers  # noqa: E402


def main():
    try:
        layers.clean()
    except ImportError:
        # No psycopg (make clean before make install): only the files
        layers.shutil.rmtree(layers.cache_dir(), ignore_errors=True)
    except Exception as exception:
        layers.shutil.rmtree(layers.cache_dir(), ignore_errors=True)
        print(f"The PostgreSQL caches were not dropped: {exception}",
            file=sys.stderr)


if __name__ == '__main__':
    main()
