# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The SQLite demo database of `make demo`, for the tests that serve it.

Building it takes a minute: the first test that needs it builds it from
nothing, as `make demo` does on a fresh machine, and keeps a copy in
DEMO_CACHE (which `make test` names after a hash of the modules' sources and
of scripts/demo.py, so that a change never reuses a stale copy); the others
start from that copy, and scripts/demo.py then updates it as a second
`make demo` would."""
import os
import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATABASE = 'service_demo'


def clean_env():
    "The environment without the test run's database settings"
    return {k: v for k, v in os.environ.items()
        if not k.startswith(('TRYTOND_', 'DB_'))}


def run_demo(var):
    "Run scripts/demo.py without serving and return what it printed"
    result = subprocess.run(
        [sys.executable, str(ROOT / 'scripts' / 'demo.py'), '--no-serve',
            '--var', str(var)],
        capture_output=True, text=True, env=clean_env())
    if result.returncode:
        raise AssertionError(
            f"scripts/demo.py failed:\n{result.stdout[-2000:]}\n"
            f"{result.stderr[-4000:]}")
    return result.stdout


def prepare_demo(var):
    """Prepare the demo database in var (a new folder) and return what
    scripts/demo.py printed"""
    cache = os.environ.get('DEMO_CACHE')
    cached = pathlib.Path(cache) / f'{DATABASE}.sqlite' if cache else None
    var.mkdir(parents=True)
    if cached and cached.exists():
        shutil.copy(cached, var / cached.name)
    output = run_demo(var)
    if cached and not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f'.{os.getpid()}.tmp')
        shutil.copy(var / cached.name, tmp)
        tmp.rename(cached)
    return output
