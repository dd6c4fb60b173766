# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Several Tryton processes on one PostgreSQL database (docs/deploy.md).

This is how a company outgrows one machine: the demo database is served by
two ``trytond`` processes, each with its own configuration file and port as
behind a load balancer, with two ``trytond-cron`` processes and a
``trytond-worker`` for the queued tasks, all configured as docs/deploy.md
says (``[cache] clean_timeout = 0``, ``[queue] worker = True``, a shared
filestore, a raised ``[database] retry``).  The department then works
through both servers over JSON-RPC, as the demo's users (`scripts/demo.py`
USERS), each logged in once and its calls spread over both servers as a load
balancer would spread them:

- the desk takes requests from eight threads at once on both servers
  (numbers unique, none lost) and accepts them alternately on each;
- a configuration change, a new request type and a user's new group made
  through one server hold at once on the other (the caches are invalidated
  between processes);
- work orders are created on one server and assigned, confirmed, started,
  signed and done on the other, their parts issued, the signature read back
  through the other server (shared filestore), the requests resolved;
- two dispatchers book one technician twice at once, two warehouse clerks
  issue the last compressors at once, two accountants invoice one work order
  at once: one wins, the other is refused, nothing is done twice;
- the invoice posted on one server is printed by the worker (a queued task);
- every scheduled task is made due and run by the two cron processes exactly
  once (also when both start together), giving one follow-up call per
  resolved request and one inspection per contract, due date and equipment;
  the inspections task holds the lock that shuts the other cron process
  out for as long as it runs;
- a session closed on one server is refused by the other.

Finally the database is checked directly: nothing lost, nothing twice, no
queued task left, no error in the processes' logs.

It needs PostgreSQL: without TRYTOND_DATABASE_URI=postgresql://... the test
is skipped with the reason; with SERVICE_CONCURRENCY_TEST=required (as CI sets
it on its PostgreSQL run) it fails instead.  The database, a copy of the
demo layer of tests/layers.py with its filestore, is
``test_mw_<pid>_<random>``; the processes are stopped and the database
dropped whatever happens.  When something fails, the processes' logs are
shown with the failure.
"""
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
from decimal import Decimal

import layers
import pytest
from pg_required import require_postgresql
from dateutil.relativedelta import relativedelta

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEMO_SCRIPT = ROOT / 'scripts' / 'demo.py'
BIN = pathlib.Path(sys.executable).parent
PREFIX = 'test_mw_'
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


@pytest.fixture(scope='module')
def postgresql():
    "The server's URI; skip, or fail when SERVICE_CONCURRENCY_TEST=required"
    return require_postgresql("the multi-worker test needs")


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
        "worker = True\n")
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


@pytest.fixture(scope='module')
def cluster(postgresql, tmp_path_factory):
    "The demo database served by the processes; stopped and dropped after"
    with demo_served(postgresql, tmp_path_factory, PREFIX, Cluster) as cluster:
        yield cluster


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
        "Call method on server 0 (A) or 1 (B) with the user's context"
        params = list(args)
        if method.startswith(('model.', 'wizard.', 'report.')):
            params.append({**self.context, **(context or {})})
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


# The test

def test_two_servers_one_database(cluster):
    "The department works through two servers, two crons and a worker"
    with cluster.reporting():
        _department(cluster)


def _department(cluster):
    users = _log_in(cluster)
    records = Records(users['admin'])
    _scheduled_tasks_at_start(cluster)
    requests = _intake(users, records)
    _configuration_seen_by_both(users, records)
    _groups_seen_by_both(users, records, requests)
    done = _work_orders(users, records, requests)
    contracts = _maintenance_contracts(users, records)
    due = _make_tasks_due(cluster, users, contracts)
    _double_booking(users, records, requests)
    issued = _last_compressors(users, records, requests)
    invoice = _invoicing(cluster, users, records, requests)
    _sessions(cluster)
    _scheduled_tasks_once(cluster, due, contracts)
    _nothing_lost_nor_twice(cluster, requests, done, issued, invoice)


def _log_in(cluster):
    """Each user logs in on one server and uses the session on both:
    get_preferences already went to the other one"""
    users = {}
    for server, login in enumerate([
            'admin', 'desk', 'manager', 'dispatcher', 'liu', 'warehouse',
            'accountant']):
        users[login] = User(cluster, login, server % 2)
    assert users['desk'].context.get('company'), users['desk'].context
    assert users['liu'].context.get('employee'), users['liu'].context
    return users


def _scheduled_tasks_at_start(cluster):
    """The demo's scheduled tasks were all due when both cron processes
    started together: each ran once"""
    wait_for(lambda: cluster.crons_done({}), START_TIMEOUT,
        "the cron processes did not run the scheduled tasks",
        cluster.processes)
    runs = dict(cluster.sql(
            'SELECT c.method, COUNT(l.id) FROM ir_cron c '
            'LEFT JOIN ir_cron_log l ON l.cron = c.id '
            'WHERE c.active GROUP BY c.method'))
    assert runs and all(n == 1 for n in runs.values()), (
        f"the scheduled tasks did not run once each at start: {runs}")


def _intake(users, records):
    """The desk takes requests from eight threads at once, four on each
    server, three each; they are accepted at once, alternately on each
    server"""
    desk = users['desk']
    equipment = sorted(records.equipment.values(), key=lambda e: e['id'])
    agents = 8
    barrier = threading.Barrier(agents, timeout=CALL_TIMEOUT)

    def agent(n):
        barrier.wait()
        ids = []
        for i in range(3):
            values = records.request(equipment[(3 * n + i) % len(equipment)],
                f"Multi-worker intake {n}.{i}")
            ids += desk.call(n % 2, 'model.service.request.create', [values])
        return ids
    with ThreadPoolExecutor(max_workers=agents) as executor:
        created = [i for ids in executor.map(agent, range(agents))
            for i in ids]
    assert len(created) == len(set(created)) == 3 * agents, created
    read = desk.call(1, 'model.service.request.read', created,
        ['number', 'state'])
    numbers = [r['number'] for r in read]
    assert len(read) == len(created), "requests were lost"
    assert all(re.fullmatch(r'SR\d+', n or '') for n in numbers), numbers
    assert len(set(numbers)) == len(numbers), (
        f"the same number was given twice: {sorted(numbers)}")

    outcomes = at_once(*[
            lambda i=i, r=r: desk.call(i % 2, 'model.service.request.open',
                [r])
            for i, r in enumerate(created)])
    assert all(o is None for o in outcomes), outcomes
    requests = {r['id']: r for r in desk.call(0, 'model.service.request.read',
            created, ['number', 'state', 'party', 'equipment', 'contact',
                'warranty', 'accepted_date', 'response_deadline'])}
    not_open = {r['number']: r['state'] for r in requests.values()
        if r['state'] != 'open' or not r['accepted_date']
        or not r['response_deadline']}
    assert not not_open, f"not accepted: {not_open}"
    return requests


def _configuration_seen_by_both(users, records):
    """The manager changes the acceptance hours and adds a request type on
    server A; the desk relies on both at once on server B"""
    manager, desk = users['manager'], users['desk']
    manager.call(0, 'model.service.configuration.write', [1],
        {'acceptance_hours': 8})
    equipment = next(iter(records.equipment.values()))
    request_id, = desk.call(1, 'model.service.request.create',
        [records.request(equipment, "Acceptance within 8 hours")])
    request, = desk.call(1, 'model.service.request.read', [request_id],
        ['reported_date', 'acceptance_deadline'])
    assert (request['acceptance_deadline'] - request['reported_date']
        == dt.timedelta(hours=8)), request

    type_id, = manager.call(0, 'model.service.request.type.create', [{
                'name': "Site Survey", 'code': 'mw_site_survey',
                'requires_equipment': True}])
    assert desk.call(1, 'model.service.request.type.search',
        [('code', '=', 'mw_site_survey')]) == [type_id]
    values = records.request(equipment, "Survey the plant room")
    values.update(type=type_id, equipment=None)
    request_id, = desk.call(1, 'model.service.request.create', [values])
    with pytest.raises(RPCError) as error:
        desk.call(1, 'model.service.request.open', [request_id])
    assert "you must set the customer's equipment" in error.value.message, (
        error.value.error)


def _groups_seen_by_both(users, records, requests):
    """The administrator gives the desk agent the dispatcher's group on
    server A: server B, which knew the agent's groups, lets the agent plan a
    work order at once; the group taken away on B, A refuses at once"""
    admin, desk = users['admin'], users['desk']
    group, = admin.call(1, 'model.res.group.search',
        [('name', '=', "Service Dispatcher")])
    request = next(iter(requests.values()))
    values = records.work_order(request, 'Chen')

    def plan(server):
        "Whether the desk agent may create a work order on server"
        try:
            desk.call(server, 'model.service.dispatch.create', [values])
        except RPCError as error:
            assert "not allowed" in error.message, error.error
            return False
        return True
    assert not plan(1), "the desk agent planned a work order"

    # The other server hears of the change when the listener thread of its
    # cache has read the notification: a matter of milliseconds, not the
    # minutes of [cache] clean_timeout
    admin.call(0, 'model.res.user.write', [desk.id],
        {'groups': [['add', [group]]]})
    assert _within(2, lambda: plan(1)), (
        "server B kept the desk agent's old groups")

    admin.call(1, 'model.res.user.write', [desk.id],
        {'groups': [['remove', [group]]]})
    assert _within(2, lambda: not plan(0)), (
        "server A kept the desk agent's old groups")


def _within(seconds, condition):
    "Whether condition() becomes true within the seconds"
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _work_orders(users, records, requests):
    """Three work orders run at once, one per technician, each created on
    one server and assigned, confirmed, issued, started, signed and done on
    the other in turn; the desk resolves their requests (closing one)"""
    dispatcher, liu, warehouse, desk = (users[k] for k in [
            'dispatcher', 'liu', 'warehouse', 'desk'])
    chosen = [r for r in requests.values()
        if r['warranty'] == 'in_warranty'][:3]
    assert len(chosen) == 3, "not enough requests in warranty"
    # Each its technician and its part: the races for one technician or one
    # part are played below, one pair at a time
    plans = [(n, request, technician, records.work_order(
                request, technician, parts=[(part, 1)]))
        for n, (request, technician, part) in enumerate(zip(chosen,
                ['Liu', 'Zhao', 'Chen'], ['P-FAN', 'P-IGN', 'P-GASKET']))]

    def run(plan):
        n, request, technician, values = plan
        first, other = n % 2, 1 - n % 2
        # The technician works his own work orders; the dispatcher those of
        # the technicians without a login
        on_site = liu if technician == 'Liu' else dispatcher
        work_order, = dispatcher.call(first, 'model.service.dispatch.create',
            [values])
        dispatcher.call(other, 'model.service.dispatch.assign', [work_order])
        on_site.call(first, 'model.service.dispatch.confirm', [work_order])
        warehouse.call(other, 'model.service.dispatch.issue_parts',
            [work_order])
        on_site.call(first, 'model.service.dispatch.start', [work_order])
        on_site.call(other, 'model.service.dispatch.write', [work_order], {
                'repair_logs': [['create', [{
                                'symptom': "Noisy", 'cause': "Worn part",
                                'action': "Replaced the part",
                                'result': 'fixed'}]]],
                'signed_by': "Customer",
                'signature': SIGNATURE,
                })
        on_site.call(first, 'model.service.dispatch.done', [work_order])
        desk.call(other, 'model.service.request.write', [request['id']],
            {'resolution': "Part replaced."})
        desk.call(first, 'model.service.request.resolve', [request['id']])
        if n % 2:
            desk.call(other, 'model.service.request.close', [request['id']])
        return work_order
    outcomes = at_once(*[lambda p=p: run(p) for p in plans])
    failed = [o for o in outcomes if isinstance(o, RPCError)]
    assert not failed, f"work orders failed: {failed}"
    done = dict(zip(outcomes, chosen))

    for server in [0, 1]:
        read = dispatcher.call(server, 'model.service.dispatch.read',
            list(done), ['state', 'valid', 'signature', 'parts'])
        assert {r['state'] for r in read} == {'done'}, read
        assert all(r['valid'] for r in read), read
        # The signature saved through one server is in the filestore both
        # read
        assert all(r['signature'] == SIGNATURE for r in read), (
            f"server {'AB'[server]} does not read the signatures")
    parts = dispatcher.call(1, 'model.service.dispatch.part.search_read',
        [('dispatch', 'in', list(done))], 0, None, None,
        ['quantity', 'quantity_issued'])
    assert len(parts) == len(done) and all(
        p['quantity_issued'] == p['quantity'] == 1 for p in parts), parts
    resolved = desk.call(0, 'model.service.request.read',
        [r['id'] for r in chosen], ['state', 'resolved_date'])
    assert all(r['state'] in {'resolved', 'closed'} and r['resolved_date']
        for r in resolved), resolved
    return done


def _maintenance_contracts(users, records):
    """The manager signs twenty maintenance contracts with the hotel, each
    covering its two air conditioners with an inspection every 3 months
    from 7 months ago: each owes an inspection per unit"""
    manager = users['manager']
    units = [e['id'] for e in records.equipment.values()
        if e['party'] == records.hotel]
    start = records.today - relativedelta(months=7)
    contracts = manager.call(0, 'model.service.contract.create', [{
                'party': records.hotel, 'kind': 'maintenance',
                'start_date': start, 'visit_interval_months': 3,
                'equipments': [['add', units]],
                } for _ in range(20)])
    manager.call(1, 'model.service.contract.activate', contracts)
    return {'ids': contracts, 'units': units}


def _make_tasks_due(cluster, users, contracts):
    """The administrator makes every scheduled task due: the next minute
    both cron processes wake at once.  The inspections task is watched
    while it runs"""
    admin = users['admin']
    crons = admin.call(1, 'model.ir.cron.search', [('active', '=', True)])
    started = {c.name: cluster.cron_runs(c) for c in cluster.crons}
    # Tryton's clock: UTC
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    admin.call(0, 'model.ir.cron.write', crons,
        {'next_call': now - dt.timedelta(hours=1)})
    inspections, = admin.call(1, 'model.ir.cron.search',
        [('method', '=', 'service.contract|create_inspections')])
    watch = TaskWatch(cluster, inspections, now, contracts)
    watch.start()
    return {'crons': crons, 'started': started, 'at': now, 'watch': watch}


class TaskWatch(threading.Thread):
    """Look at the row of the inspections task while a cron process is
    creating the inspections: it must stay locked until the task is done.

    trytond-cron keeps a running task from the other cron processes by
    that lock only; were it released before the task's next call is saved,
    another process could run the task again.  The inspections task runs
    for seconds with twenty contracts: enough to look many times.  Each look
    takes the lock without waiting and gives it back at once."""

    def __init__(self, cluster, cron, due, contracts):
        super().__init__(daemon=True)
        self.cluster = cluster
        self.cron = cron
        self.due = due
        self.contracts = contracts
        self.expected = len(contracts['ids']) * len(contracts['units'])
        self.locked = 0
        self.unlocked = []
        self.stopped = threading.Event()

    def run(self):
        import psycopg
        deadline = time.monotonic() + 180
        with self.cluster.server.connect(
                self.cluster.database, autocommit=False) as connection:
            while not self.stopped.is_set() and time.monotonic() < deadline:
                (created,), = connection.execute(
                    'SELECT COUNT(*) FROM service_request '
                    'WHERE inspection_contract = ANY(%s)',
                    (self.contracts['ids'],)).fetchall()
                if created >= self.expected:
                    break
                if created:
                    try:
                        (next_call,), = connection.execute(
                            'SELECT next_call FROM ir_cron WHERE id = %s '
                            'FOR UPDATE NOWAIT', (self.cron,)).fetchall()
                    except psycopg.errors.LockNotAvailable:
                        self.locked += 1
                    else:
                        # Unless the task just ended, it is due and free
                        if next_call is None or next_call <= self.due:
                            self.unlocked.append((created, next_call))
                connection.rollback()
                time.sleep(0.02)


def _double_booking(users, records, requests):
    """Two dispatchers, one on each server, book Zhao Lei at once for
    overlapping periods: one booking is refused"""
    dispatcher = users['dispatcher']
    request = list(requests.values())[-1]
    start, _ = records.slot()
    work_orders = [dispatcher.call(0, 'model.service.dispatch.create', [
                records.work_order(request, 'Zhao',
                    start=start + dt.timedelta(hours=h))])[0]
        for h in [0, 1]]
    outcomes = at_once(*[
            lambda s=s, w=w: dispatcher.call(
                s, 'model.service.dispatch.assign', [w])
            for s, w in enumerate(work_orders)])
    assert sorted(o is None for o in outcomes) == [False, True], (
        f"not one booking made and one refused: {outcomes}")
    assert any(refused(o, "already booked") for o in outcomes), outcomes
    states = dispatcher.call(1, 'model.service.dispatch.read', work_orders,
        ['state'])
    assert sorted(s['state'] for s in states) == ['assigned', 'draft'], states


def _last_compressors(users, records, requests):
    """Two warehouse clerks, one on each server, issue at once the
    compressors of two work orders that each need more than half of the
    stock: one is issued, the other refused, the stock never negative"""
    dispatcher, warehouse = users['dispatcher'], users['warehouse']
    compressor = records.products['P-COMP']

    def on_hand(server):
        product, = warehouse.call(server, 'model.product.product.read',
            [compressor], ['quantity'],
            context={'locations': [records.storage]})
        return product['quantity']
    before = on_hand(0)
    assert before >= 1, "no compressor in stock"
    quantity = before // 2 + 1
    chosen = [r for r in requests.values()
        if r['warranty'] == 'in_warranty'][-2:]
    work_orders = []
    for request, technician in zip(chosen, ['Liu', 'Chen']):
        work_order, = dispatcher.call(0, 'model.service.dispatch.create', [
                records.work_order(request, technician,
                    parts=[('P-COMP', quantity)])])
        dispatcher.call(1, 'model.service.dispatch.assign', [work_order])
        work_orders.append(work_order)
    outcomes = at_once(*[
            lambda s=s, w=w: warehouse.call(
                s, 'model.service.dispatch.issue_parts', [w])
            for s, w in enumerate(work_orders)])
    assert sorted(o is None for o in outcomes) == [False, True], (
        f"not one issue made and one refused: {outcomes}")
    assert any(refused(o, "Not enough stock") for o in outcomes), outcomes
    assert on_hand(1) == on_hand(0) == before - quantity
    return {'product': compressor, 'quantity': quantity,
        'work_orders': work_orders}


def _invoicing(cluster, users, records, requests):
    """An out-of-warranty repair: the desk sends and accepts the quotation,
    the parts are issued, the work order done; two accountants, one on each
    server, invoice it at once: one invoice.  Posted on server B, the
    invoice is printed by the worker, a queued task"""
    desk, dispatcher, warehouse, accountant = (users[k] for k in [
            'desk', 'dispatcher', 'warehouse', 'accountant'])
    request = next(r for r in requests.values()
        if r['warranty'] == 'out_of_warranty')
    values = records.work_order(request, 'Zhao', parts=[('P-IGN', 1)])
    values['labour'] = [['create', [{
                    'employee': values['technician'], 'hours': Decimal('1.5'),
                    'product': records.products['S-LABOUR']}]]]
    values.update(travel_product=records.products['S-TRAVEL'],
        travel_quantity=1, travel_unit_price=Decimal(50))
    work_order, = dispatcher.call(0, 'model.service.dispatch.create',
        [values])
    desk.call(1, 'model.service.dispatch.send_quotation', [work_order])
    desk.call(0, 'model.service.dispatch.accept_quotation', [work_order])
    for server, user, button in [
            (1, dispatcher, 'assign'), (0, dispatcher, 'confirm'),
            (1, warehouse, 'issue_parts'), (0, dispatcher, 'start')]:
        user.call(server, f'model.service.dispatch.{button}', [work_order])
    dispatcher.call(1, 'model.service.dispatch.write', [work_order], {
            'repair_logs': [['create', [{'symptom': "No ignition",
                            'result': 'fixed'}]]],
            'signed_by': "Customer", 'signature': SIGNATURE})
    dispatcher.call(0, 'model.service.dispatch.done', [work_order])

    second = User(cluster, 'accountant', 1)
    outcomes = at_once(
        lambda: accountant.call(0, 'model.service.dispatch.invoice',
            [work_order]),
        lambda: second.call(1, 'model.service.dispatch.invoice',
            [work_order]))
    assert not any(isinstance(o, RPCError) for o in outcomes), outcomes
    created = [i for o in outcomes for i in o['res_id']]
    assert len(created) == 1, f"invoiced {len(created)} times: {outcomes}"
    invoice, = created
    lines = accountant.call(0, 'model.account.invoice.line.search_read',
        [('invoice', '=', invoice)], 0, None, None, ['origin', 'quantity'])
    # the part, the labour and the travel
    assert len(lines) == 3, lines

    accountant.call(1, 'model.account.invoice.post', [invoice])

    def printed():
        read, = accountant.call(0, 'model.account.invoice.read', [invoice],
            ['state', 'invoice_report_format'])
        return read['state'] == 'posted' and read['invoice_report_format']
    wait_for(printed, 90, "the worker did not print the posted invoice",
        cluster.processes)
    tasks = cluster.sql("SELECT id, dequeued_at, finished_at FROM ir_queue "
        "WHERE data->>'method' = 'print_invoice' "
        "AND data->'instances' @> %s::jsonb", (json.dumps([invoice]),))
    assert len(tasks) == 1 and all(t[1] and t[2] for t in tasks), tasks
    task = rf'<Task {tasks[0][0]}@{re.escape(cluster.database)}>'
    ran = {p.name: p.count(task) for p in cluster.processes}
    # Run once, by the worker: a process with [queue] worker = False would
    # run it too, after its commit
    assert ran == {p.name: int(p is cluster.worker)
        for p in cluster.processes}, f"the print task ran: {ran}"
    return {'id': invoice, 'work_order': work_order}


def _sessions(cluster):
    "A session closed on server A is refused by server B"
    desk = User(cluster, 'desk', 0)
    assert desk.call(1, 'model.service.request.search', [], 0, 1, None)
    desk.logout(0)
    with pytest.raises(RPCError) as error:
        desk.call(1, 'model.service.request.search', [], 0, 1, None)
    assert error.value.error == ['HTTP', 401], error.value.error


def _scheduled_tasks_once(cluster, due, contracts):
    """Once each cron process had its chance and the tasks are no longer
    due: each task ran once, one follow-up call per resolved request, one
    inspection per contract, due date and unit"""
    wait_for(lambda: cluster.crons_done(due['started']), 150,
        "the cron processes did not run the due tasks", cluster.processes)
    watch = due['watch']
    watch.stopped.set()
    watch.join(10)
    assert not watch.unlocked, (
        "the inspections task was still due and no longer locked while it "
        "ran (inspections created then, next call): another cron process "
        f"could run it again: {watch.unlocked[:5]}")
    assert watch.locked, "the inspections task was never seen running"
    runs = dict(cluster.sql('SELECT c.method, COUNT(l.id) FROM ir_cron c '
            'LEFT JOIN ir_cron_log l ON l.cron = c.id AND l.started >= %s '
            'WHERE c.id = ANY(%s) GROUP BY c.method',
            (due['at'], due['crons'])))
    assert len(runs) == len(due['crons']) and all(
        n == 1 for n in runs.values()), (
        f"the scheduled tasks did not run once each: {runs}")

    twice = cluster.sql("SELECT request, COUNT(*) FROM service_survey "
        "WHERE kind = 'follow_up' GROUP BY request HAVING COUNT(*) > 1")
    assert not twice, f"requests called back twice: {twice}"
    missing = cluster.sql("SELECT r.number FROM service_request r "
        "WHERE r.state IN ('resolved', 'closed') "
        "AND r.resolved_date IS NOT NULL AND NOT EXISTS ("
        "SELECT 1 FROM service_survey s WHERE s.request = r.id "
        "AND s.kind = 'follow_up')")
    assert not missing, f"resolved requests without follow-up: {missing}"

    inspections = cluster.sql("SELECT inspection_contract, "
        "inspection_due_date, equipment, COUNT(*) FROM service_request "
        "WHERE inspection_contract = ANY(%s) "
        "GROUP BY inspection_contract, inspection_due_date, equipment",
        (contracts['ids'],))
    twice = [i for i in inspections if i[3] > 1]
    assert not twice, (
        f"inspections created twice (contract, due, unit, count): {twice}")
    assert len(inspections) == len(contracts['ids']) * len(
        contracts['units']), inspections


def _nothing_lost_nor_twice(cluster, requests, done, issued, invoice):
    "What the database holds at the end"
    numbers = dict(cluster.sql(
            'SELECT id, number FROM service_request WHERE id = ANY(%s)',
            (list(requests),)))
    assert numbers == {i: r['number'] for i, r in requests.items()}, (
        "requests lost or renumbered")
    for table in ['service_request', 'service_dispatch', 'service_contract']:
        twice = cluster.sql(f'SELECT number, COUNT(*) FROM "{table}" '
            'WHERE number IS NOT NULL GROUP BY number HAVING COUNT(*) > 1')
        assert not twice, f"numbers given twice in {table}: {twice}"

    # Each part issued once, none beyond what was asked
    moves = cluster.sql("SELECT p.dispatch, p.quantity, COALESCE(SUM("
        "m.quantity) FILTER (WHERE m.state = 'done'), 0) "
        "FROM service_dispatch_part p LEFT JOIN (stock_move m "
        "JOIN stock_location l ON l.id = m.to_location "
        "AND l.type = 'customer') "
        "ON m.origin = 'service.dispatch.part,' || p.id "
        "WHERE p.dispatch = ANY(%s) GROUP BY p.id, p.dispatch, p.quantity",
        (list(done) + issued['work_orders'] + [invoice['work_order']],))
    issued_twice = [m for m in moves if m[2] > m[1]]
    assert not issued_twice, f"parts issued beyond the request: {moves}"
    compressors = sorted(m[2] for m in moves
        if m[0] in issued['work_orders'])
    assert compressors == [0, issued['quantity']], moves

    twice = cluster.sql("SELECT l.origin, COUNT(*) FROM account_invoice_line "
        "l JOIN account_invoice i ON i.id = l.invoice "
        "WHERE i.state != 'cancelled' AND l.origin LIKE 'service.dispatch%%' "
        "GROUP BY l.origin HAVING COUNT(*) > 1")
    assert not twice, f"invoiced twice: {twice}"

    waiting = cluster.sql('SELECT id, name, data->>\'method\' FROM ir_queue '
        'WHERE finished_at IS NULL')
    assert not waiting, f"queued tasks not run: {waiting}"

    # The only error logged is the closed session's refusal
    closed = {k: [line for line in v if 'session failed' in line]
        for k, v in cluster.errors().items()}
    assert sum(map(len, closed.values())) == 1, closed
    errors = {k: [line for line in v if 'session failed' not in line]
        for k, v in cluster.errors().items()}
    errors = {k: v for k, v in errors.items() if v}
    assert not errors, f"errors in the logs: {errors}"
