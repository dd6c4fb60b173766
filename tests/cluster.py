# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""A served cluster of the demo on PostgreSQL and its users' clients.

The demo database (a copy of the demo layer of tests/layers.py) served by
real processes (`Cluster`: two `trytond` servers, two `trytond-cron` and a
`trytond-worker`, configured as docs/deploy.md says; or any other set of
`Process`), the demo's users calling them over JSON-RPC (`User`), and the
department's records read as they read them (`Records`).  Used by the
multi-worker and the fault tests."""
import base64
import contextlib
import datetime as dt
import importlib.util
import itertools
import json
import os
import pathlib
import re
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import layers
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEMO_SCRIPT = ROOT / 'scripts' / 'demo.py'
BIN = pathlib.Path(sys.executable).parent
# Waiting for a process, a thread or a scheduled task never hangs the test
START_TIMEOUT = 240
CALL_TIMEOUT = 120
# A 1x1 PNG: the customer's signature
SIGNATURE = bytes.fromhex(
    '89504e470d0a1a0a0000000d4948445200000001000000010806000000'
    '1f15c4890000000d49444154789c6360000002000001e221bc33'
    '0000000049454e44ae426082')


def _demo():
    "The demo script as a module, for its users and passwords"
    spec = importlib.util.spec_from_file_location('service_demo', DEMO_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PASSWORDS = {login: password
    for login, _, password, _ in _demo().USERS}



# The database

class Server:
    "The PostgreSQL server of the URI, outside any database"

    def __init__(self, uri):
        self.uri = uri
        parts = urllib.parse.urlparse(uri)
        self.options = []
        if parts.hostname:
            self.options += ['-h', parts.hostname]
        if parts.port:
            self.options += ['-p', str(parts.port)]
        if parts.username:
            self.options += ['-U', urllib.parse.unquote(parts.username)]
        self.env = dict(os.environ)
        if parts.password:
            self.env['PGPASSWORD'] = urllib.parse.unquote(parts.password)

    def connect(self, database='postgres', autocommit=True):
        import psycopg
        return psycopg.connect(self.uri + database, autocommit=autocommit)

    def execute(self, statement):
        with self.connect() as connection:
            connection.execute(statement)

    def run(self, program, *args):
        result = subprocess.run(
            [program, *self.options, *args], env=self.env,
            capture_output=True, text=True)
        assert result.returncode == 0, (
            f"{program} {' '.join(args)} failed:\n{result.stderr[-3000:]}")

    def drop(self, name):
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare_database(server, name, var, filestore):
    """Create the demo database name with its filestore: a copy of the demo
    layer (tests/layers.py)"""
    layers.demo(filestore, database=name)


# The processes

def _clean_env():
    "The environment without the TRYTOND_* settings of this process"
    return {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_')}


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class _SMTPHandler(socketserver.StreamRequestHandler):
    "Just enough SMTP to take a message"

    def reply(self, line):
        self.wfile.write(line.encode() + b'\r\n')

    def handle(self):
        self.reply('220 localhost')
        while line := self.rfile.readline():
            command = line.decode('ascii', 'replace').strip().upper()
            if command.startswith('DATA'):
                self.reply('354 go on')
                while self.rfile.readline() not in {b'.\r\n', b''}:
                    pass
                with MailSink.lock:
                    MailSink.received += 1
                self.reply('250 taken')
            elif command.startswith('QUIT'):
                self.reply('221 bye')
                return
            else:
                self.reply('250 ok')


class MailSink(socketserver.ThreadingTCPServer):
    """The mail server of the department, on the loopback: it takes the
    notifications the processes send and counts them"""
    daemon_threads = True
    lock = threading.Lock()
    received = 0
    _server = None

    @classmethod
    def uri(cls):
        "Start the sink once; return the [email] uri that reaches it"
        if cls._server is None:
            cls._server = cls(('127.0.0.1', 0), _SMTPHandler)
            threading.Thread(
                target=cls._server.serve_forever, daemon=True).start()
        return f'smtp://127.0.0.1:{cls._server.server_address[1]}'


def write_config(path, uri, filestore, listen=None):
    "A process's configuration, as docs/deploy.md describes it"
    text = (
        "[database]\n"
        f"uri = {uri}\n"
        f"path = {filestore}\n"
        "list = False\n"
        "retry = 20\n"
        "[cache]\n"
        "clean_timeout = 0\n"
        "[queue]\n"
        "worker = True\n"
        "[email]\n"
        f"uri = {MailSink.uri()}\n")
    if listen:
        text += f"[web]\nlisten = {listen}\n"
    path.write_text(text)
    return path


class Process:
    "A Tryton process started by the test, its output in a log file"

    def __init__(self, name, command, log):
        self.name = name
        self.command = command
        self.log = log
        self.popen = None

    def start(self, cwd):
        with open(self.log, 'wb') as log:
            # A session of its own: the pool workers of trytond-cron and
            # trytond-worker are stopped with it
            self.popen = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT,
                env=_clean_env(), cwd=cwd, start_new_session=True)

    def text(self):
        try:
            return self.log.read_text(errors='replace')
        except FileNotFoundError:
            return ''

    def count(self, pattern):
        return len(re.findall(pattern, self.text()))

    def check_running(self):
        if self.popen.poll() is not None:
            raise AssertionError(
                f"{self.name} stopped (exit code {self.popen.returncode})")

    def stop(self, timeout=20):
        if self.popen is None:
            return
        for sig, wait in [(signal.SIGTERM, timeout), (signal.SIGKILL, 10)]:
            if self.popen.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)
            try:
                self.popen.wait(wait)
            except subprocess.TimeoutExpired:
                pass
        # What the process left of its group
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)


def wait_for(condition, timeout, what, processes=()):
    "Wait until condition() is true; fail saying what did not happen"
    deadline = time.monotonic() + timeout
    while True:
        for process in processes:
            process.check_running()
        if condition():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout} s")
        time.sleep(0.5)


class Cluster:
    "Two servers, two cron processes and a worker on one database"

    def __init__(self, server, database, var, filestore):
        self.server = server
        self.database = database
        self.var = var
        self.processes = []
        self.urls = []
        for name in ['server-a', 'server-b']:
            port = free_port()
            config = write_config(var / f'{name}.conf', server.uri,
                filestore, listen=f'127.0.0.1:{port}')
            self.urls.append(f'http://127.0.0.1:{port}/')
            self.processes.append(Process(name,
                    [str(BIN / 'trytond'), '-c', str(config),
                        '-d', database, '-v', '-v'],
                    var / f'{name}.log'))
        self.servers = self.processes[:2]
        self.crons = []
        for name in ['cron-1', 'cron-2']:
            config = write_config(var / f'{name}.conf', server.uri, filestore)
            self.crons.append(Process(name,
                    [str(BIN / 'trytond-cron'), '-c', str(config),
                        '-d', database, '-n', '1', '-v', '-v'],
                    var / f'{name}.log'))
        config = write_config(var / 'worker.conf', server.uri, filestore)
        self.worker = Process('worker',
            [str(BIN / 'trytond-worker'), '-c', str(config),
                '-d', database, '-n', '1', '-v', '-v'],
            var / 'worker.log')
        self.processes += self.crons + [self.worker]

    def start(self):
        for process in self.processes:
            process.start(self.var)
        for process, url in zip(self.servers, self.urls):
            wait_for(lambda: _answers(url), START_TIMEOUT,
                f"{process.name} did not answer at {url}", self.processes)

    def stop(self):
        for process in self.processes:
            process.stop()

    def cron_runs(self, process):
        "How many runs of the due scheduled tasks the cron process started"
        return process.count(
            rf'cron started for "{re.escape(self.database)}"')

    def crons_done(self, started):
        """Whether each cron process started a run since it had started
        the numbers of runs in started, no scheduled task is due and no cron
        process is in a transaction: nothing can run a task again before its
        next call"""
        # A run does not always log its end: trytond's Cron.run does not
        # catch an error of its query for the next due task (a
        # serialization failure when another cron process has just run that
        # task) and the run then ends without a word
        if not all(self.cron_runs(c) > started.get(c.name, 0)
                for c in self.crons):
            return False
        (due,), = self.sql("SELECT COUNT(*) FROM ir_cron WHERE active "
            "AND COALESCE(next_call, NOW() AT TIME ZONE 'UTC') "
            "<= NOW() AT TIME ZONE 'UTC'")
        (busy,), = self.sql("SELECT COUNT(*) FROM pg_stat_activity "
            "WHERE datname = %s AND application_name = 'trytond-cron' "
            "AND state <> 'idle'", (self.database,))
        return not due and not busy

    def logs(self, lines=40):
        "The errors and the last lines of each process's log"
        text = []
        for process in self.processes:
            log = process.text().splitlines()
            errors = [line for line in log
                if re.search(r' (ERROR|CRITICAL) |Traceback', line)]
            text.append(f"----- {process.name} ({process.log}): "
                f"{len(errors)} error lines, last {lines} lines -----")
            text.extend(errors[:20])
            if errors:
                text.append("...")
            text.extend(log[-lines:])
        return '\n'.join(text)

    def errors(self):
        return {p.name: [line for line in p.text().splitlines()
                if re.search(r' (ERROR|CRITICAL) |Traceback', line)]
            for p in self.processes}

    def sql(self, query, params=()):
        "Rows of the query, read directly in the database"
        with self.server.connect(self.database) as connection:
            return connection.execute(query, params).fetchall()

    @contextlib.contextmanager
    def reporting(self):
        "Show the processes' logs with any failure"
        try:
            yield
        except AssertionError as error:
            raise AssertionError(
                f"{error}\n\nThe processes' logs:\n{self.logs()}") from None
        except Exception:
            pytest.fail(f"{traceback.format_exc()}\n"
                f"The processes' logs:\n{self.logs()}", pytrace=False)


def _answers(url):
    "Whether the server answers JSON-RPC"
    try:
        return _post(url + 'rpc/', 'common.server.version', []) is not None
    except (OSError, RPCError):
        return False


@contextlib.contextmanager
def demo_served(postgresql, tmp_path_factory, prefix, processes):
    """The demo in a new database, served by processes(server, database,
    var, filestore) once started; stopped and the database dropped after"""
    var = tmp_path_factory.mktemp(prefix.strip('_'))
    filestore = var / 'filestore'
    filestore.mkdir()
    server = Server(postgresql)
    database = f'{prefix}{os.getpid()}_{uuid.uuid4().hex[:8]}'
    served = processes(server, database, var, filestore)
    try:
        prepare_database(server, database, var, filestore)
        with served.reporting():
            served.start()
        yield served
    finally:
        served.stop()
        server.drop(database)



# The clients

class RPCError(Exception):
    "What the server answered instead of a result"

    def __init__(self, error):
        super().__init__(error)
        self.error = error

    @property
    def kind(self):
        return self.error[0]

    @property
    def message(self):
        if self.kind in {'UserError', 'UserWarning'}:
            return self.error[1][0]
        return str(self.error[1])


_ids = itertools.count(1)


def _post(url, method, params, authorization=None):
    from trytond.protocols.jsonrpc import JSONDecoder, JSONEncoder
    data = json.dumps({'id': next(_ids), 'method': method, 'params': params},
        cls=JSONEncoder).encode()
    request = urllib.request.Request(url, data=data,
        headers={'Content-Type': 'application/json'})
    if authorization:
        request.add_header('Authorization', authorization)
    try:
        with urllib.request.urlopen(request, timeout=CALL_TIMEOUT) as response:
            answer = json.loads(response.read(), object_hook=JSONDecoder())
    except urllib.error.HTTPError as error:
        raise RPCError(['HTTP', error.code]) from None
    if 'error' in answer:
        raise RPCError(answer['error'])
    return answer['result']


class User:
    """One login of a demo user, its calls sent to either server as a load
    balancer would: the session lives in the database"""

    def __init__(self, cluster, login, server=0):
        self.cluster = cluster
        self.login = login
        user_id, key, _ = _post(self.url(server), 'common.db.login',
            [login, {'password': PASSWORDS[login]}, 'en'])
        self.id = user_id
        self.authorization = 'Session ' + base64.b64encode(
            f'{login}:{user_id}:{key}'.encode()).decode()
        self.context = {}
        self.context = self.call(
            1 - server, 'model.res.user.get_preferences', True)

    def url(self, server):
        return f'{self.cluster.urls[server]}{self.cluster.database}/rpc/'

    def call(self, server, method, *args, context=None):
        """Call method on server 0 (A) or 1 (B) with the user's context;
        a warning (a plan after the SLA's deadline) is confirmed as the web
        client's user confirms it, and the call made again"""
        params = list(args)
        if method.startswith(('model.', 'wizard.', 'report.')):
            params.append({**self.context, **(context or {})})
        try:
            return _post(self.url(server), method, params, self.authorization)
        except RPCError as error:
            if error.kind != 'UserWarning':
                raise
            name = error.error[1][0]
        _post(self.url(server), 'model.res.user.warning.skip',
            [name, False, self.context], self.authorization)
        return _post(self.url(server), method, params, self.authorization)

    def logout(self, server):
        _post(self.url(server), 'common.db.logout', [], self.authorization)

    def search_read(self, server, model, domain, fields, **kwargs):
        return self.call(server, f'model.{model}.search_read',
            domain, 0, None, None, fields, **kwargs)


def at_once(*calls):
    """Run each call in a thread of its own, released together; return what
    each returned or the RPCError it raised, in order"""
    barrier = threading.Barrier(len(calls), timeout=CALL_TIMEOUT)

    def run(call):
        barrier.wait()
        try:
            return call()
        except RPCError as error:
            return error
    with ThreadPoolExecutor(max_workers=len(calls)) as executor:
        futures = [executor.submit(run, call) for call in calls]
        return [f.result(timeout=2 * CALL_TIMEOUT) for f in futures]


def refused(outcome, text):
    "Whether outcome is a user error whose message has text"
    return (isinstance(outcome, RPCError) and outcome.kind == 'UserError'
        and text in outcome.message)


# The department's records, read as its users read them

class Records:
    "The ids of the demo's records the flow needs"

    def __init__(self, admin):
        def ids(model, domain, key):
            return {r[key]: r['id'] for r in admin.search_read(
                    0, model, domain, [key])}
        self.today = dt.date.today()
        self.equipment = {r['serial_number']: r for r in admin.search_read(
                0, 'service.equipment', [],
                ['party', 'serial_number', 'warranty_end', 'address'])}
        self.contacts = {r['party']: r['id'] for r in admin.search_read(
                0, 'party.contact_mechanism', [('type', '=', 'phone')],
                ['party'])}
        self.types = ids('service.request.type', [], 'code')
        self.products = ids('product.product', [('code', '!=', None)], 'code')
        self.technicians = ids(
            'company.employee', [('service_technician', '=', True)],
            'rec_name')
        self.storage = ids('stock.location', [('code', '=', 'STO')], 'code')[
            'STO']
        self.hotel, = [r['id'] for r in admin.search_read(
                0, 'party.party', [('name', '=', "Jinjiang Garden Hotel")],
                ['id'])]
        self.slots = itertools.count()
        self.base = dt.datetime.combine(
            self.today + dt.timedelta(days=90), dt.time(1))

    def technician(self, name):
        key, = [k for k in self.technicians if k.startswith(name)]
        return self.technicians[key]

    def slot(self):
        "A free period of two hours for a work order, far ahead"
        start = self.base + dt.timedelta(hours=3 * next(self.slots))
        return start, start + dt.timedelta(hours=2)

    def request(self, equipment, description, type_='repair'):
        return {
            'party': equipment['party'],
            'equipment': equipment['id'],
            'address': equipment['address'],
            'contact': self.contacts.get(equipment['party']),
            'type': self.types[type_],
            'channel': 'phone',
            'description': description,
            }

    def work_order(self, request, technician, parts=(), start=None):
        if start is None:
            start, end = self.slot()
        else:
            end = start + dt.timedelta(hours=2)
        values = {
            'request': request['id'],
            'party': request['party'],
            'equipment': request['equipment'],
            'appointment_contact': request['contact'],
            'technician': self.technician(technician),
            'planned_start': start,
            'planned_end': end,
            }
        if parts:
            values['parts'] = [['create', [
                        {'product': self.products[code], 'quantity': quantity}
                        for code, quantity in parts]]]
        return values
