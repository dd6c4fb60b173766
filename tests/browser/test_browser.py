# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The web client of `make demo`, driven in a real browser.

The demo database is served with the web client (tryton-sao) as `make demo`
does, and `service.cjs` clicks through it in Debian's chromium as the
service desk and the dispatcher would.  It needs node, chromium,
playwright-core (installed by `make test` in tests/browser) and the web
client (`make web`): without them the test is skipped with the reason, and
with SERVICE_BROWSER_TEST=required (as CI sets it) it fails instead.
"""
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))
import layers  # noqa: E402
SAO = pathlib.Path(os.environ.get('SAO', ROOT / 'var' / 'sao'))
CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')


def missing():
    "Return what the test needs and this machine lacks"
    lacks = []
    if not shutil.which('node'):
        lacks.append("node (Debian: apt-get install nodejs npm)")
    if not os.access(CHROMIUM, os.X_OK):
        lacks.append(f"chromium at {CHROMIUM} (Debian: apt-get install "
            "chromium)")
    if not (HERE / 'node_modules' / 'playwright-core').is_dir():
        lacks.append("playwright-core (`make test` installs it with npm)")
    if not (SAO / 'index.html').is_file():
        lacks.append(f"the web client in {SAO} (`make web`)")
    return lacks


def free_port():
    with socket.socket() as sock:
        sock.bind(('localhost', 0))
        return sock.getsockname()[1]


def wait_http(url, server, log, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the demo server stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return response.read().decode('utf-8', 'replace')
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the demo server did not answer at {url}:\n"
        f"{log.read_text()}")


def test_desk_and_dispatcher_in_the_web_client(tmp_path):
    lacks = missing()
    if lacks:
        reason = "the browser test needs " + "; ".join(lacks)
        if os.environ.get('SERVICE_BROWSER_TEST') == 'required':
            pytest.fail(reason)
        pytest.skip(reason)

    var = tmp_path / 'demo'
    layers.demo(var)
    port = free_port()
    url = f'http://localhost:{port}/'
    log = tmp_path / 'server.log'
    shots = ROOT / 'var' / 'screenshots'
    shots.mkdir(parents=True, exist_ok=True)
    with open(log, 'w') as log_file:
        server = subprocess.Popen(
            [sys.executable, str(ROOT / 'scripts' / 'demo.py'),
                '--var', str(var), '--port', str(port),
                '--web-root', str(SAO), '--no-update'],
            stdout=log_file, stderr=subprocess.STDOUT)
    try:
        # The server serves the web client itself
        page = wait_http(url, server, log)
        assert 'sao' in page.lower()

        result = subprocess.run(
            ['node', str(HERE / 'service.cjs'), url, layers.DEMO, str(shots)],
            capture_output=True, text=True, timeout=600,
            env=dict(os.environ, CHROMIUM=CHROMIUM))
        assert result.returncode == 0, (
            f"{result.stderr}\nscreenshots in {shots}\n"
            f"server log:\n{log.read_text()[-3000:]}")
        seen = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    # The requests list opens on the draft requests, with the domain tabs
    assert seen['request_rows'] >= 1
    assert [re.sub(r'\s*\d+$', '', t).strip() for t in seen['tabs']] == [
        "Draft", "Open", "Waiting", "In Progress", "Resolved", "All"]
    # The new request got its number when saved
    assert re.fullmatch(r'SR\d+', seen['number']), seen
    assert seen['party'] == "Jinjiang Garden Hotel"
    assert seen['type'] == "Repair"
    # Accepting a repair without equipment is refused with a clear message
    assert seen['refusal'] == (
        f'To accept service request "{seen["number"]}" of type "Repair" '
        "you must set the customer's equipment."), seen
    # Accepted with the equipment: the hotel's contract covers it and the
    # server fixed the response deadline
    assert seen['equipment'], seen
    assert seen['state'] == "Open", seen
    assert seen['warranty'] == "Contract", seen
    assert re.match(r'\d\d/\d\d/\d{4} \d\d:\d\d', seen['response_deadline'])
    # The dispatcher sees the work orders
    assert seen['work_order_rows'] >= 1
