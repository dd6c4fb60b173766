# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The PostgreSQL server the concurrency, multi-worker and fault tests need.

Without TRYTOND_DATABASE_URI=postgresql://... they are skipped with the
reason; with SERVICE_CONCURRENCY_TEST=required (as CI sets it on its
PostgreSQL pass) they fail instead."""
import os

import pytest


def require_postgresql(subject):
    """Skip, or fail when SERVICE_CONCURRENCY_TEST=required, without
    PostgreSQL; return the server's URI.  subject names the tests and their
    verb: "the concurrency tests need"."""
    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    if not uri.startswith(('postgresql:', 'postgres:')):
        reason = (f"{subject} PostgreSQL: set "
            "TRYTOND_DATABASE_URI=postgresql://USER@HOST:PORT/ "
            f"(it is {uri or 'not set'})")
        if os.environ.get('SERVICE_CONCURRENCY_TEST') == 'required':
            pytest.fail(f"SERVICE_CONCURRENCY_TEST=required but {reason}",
                pytrace=False)
        pytest.skip(reason)
    return uri.split('?')[0].rstrip('/') + '/'
