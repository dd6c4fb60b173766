# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Faults in the middle of the department's work leave nothing half done.

A server dies, a scheduled task fails: what a user or a task was writing
must be either all in the database or not at all, and doing the work again
must do it exactly once.  The demo database is served by a real ``trytond``
process on PostgreSQL, configured as docs/deploy.md says (the machinery of
test_multiworker.py), and the department works through it over JSON-RPC as
the demo's users (`scripts/demo.py` USERS):

- the warehouse clerk clicks Issue Parts on a work order with two parts and
  the server is killed (SIGKILL) while that transaction, having already
  created and done the stock moves, waits to save its last rows: no move of
  the parts is left, the stock is what it was.  On a new server the clerk
  clicks again: one done move per part, the stock lower by the parts once;
  a third click issues nothing more;
- the accountant invoices a done, out-of-warranty work order and the server
  is killed the same way once the invoice and its lines are written: no
  invoice, no invoice line, the work order still to invoice.  On a new
  server the accountant invoices again: one invoice line for the part, the
  labour and the travel each; invoicing once more creates nothing;
- the follow-up calls task runs in ``trytond-cron --once`` while the
  table of the scheduled tasks' log is locked and the cron process's
  connections have a short ``lock_timeout``: having created the follow-up
  calls, each attempt (trytond-cron retries it within the run) fails on
  saving its log and is rolled back; no call is left.  Made due again, the
  task's next run creates one call per resolved request; a third run none.

The kill is made to land in the middle of the transaction deterministically:
a separate connection locks ``ir_model_log``, the table of the records'
history that Tryton writes at commit, last; the test waits until the
server's backend is blocked on that lock and checks in ``pg_locks`` that it
has already written the stock moves (the invoice lines), kills the server,
then releases the lock.  PostgreSQL rolls the transaction back when it finds
its client gone.  Every check of what is left is made directly in the
database.

It needs PostgreSQL: without TRYTOND_DATABASE_URI=postgresql://... the test
is skipped with the reason; with SERVICE_CONCURRENCY_TEST=required it fails
instead.  The demo database is restored from the dump that
test_multiworker.py keeps (DEMO_CACHE or var/cache; built the first time, in
minutes).  The database is ``test_faults_<pid>_<random>``; the processes are
stopped and the database dropped whatever happens.  When something fails,
the processes' logs are shown with the failure.
"""
import datetime as dt
import os
import re
import signal
import threading
import time
import urllib.parse
from decimal import Decimal

import pytest
from pg_required import require_postgresql
from cluster import (
    BIN, CALL_TIMEOUT, SIGNATURE, START_TIMEOUT, Cluster, Process, Records,
    User, _answers, demo_served, free_port, wait_for, write_config)

PREFIX = 'test_faults_'
# The history of the records: Tryton inserts its rows at commit, after
# everything else the transaction wrote
LAST_WRITTEN = 'ir_model_log'
# How long a cron process's statement waits for a lock before it fails
CRON_LOCK_TIMEOUT = 300
FOLLOW_UPS = 'service.survey|create_follow_ups'


class Site:
    """The demo database served by one trytond at a time, killed and
    started again; the scheduled tasks run by trytond-cron --once"""
    # What the two servers' cluster of test_multiworker does the same way
    logs = Cluster.logs
    errors = Cluster.errors
    sql = Cluster.sql
    reporting = Cluster.reporting

    def __init__(self, server, database, var, filestore):
        self.server = server
        self.database = database
        self.var = var
        self.filestore = filestore
        self.processes = []
        self.urls = []
        self.running = None
        self.users = {}
        self._records = None

    def serve(self):
        "Start a new trytond on the database; the users' sessions go on"
        name = 'server-{}'.format(1 + sum(
                p.name.startswith('server-') for p in self.processes))
        port = free_port()
        config = write_config(self.var / f'{name}.conf', self.server.uri,
            self.filestore, listen=f'127.0.0.1:{port}')
        process = Process(name,
            [str(BIN / 'trytond'), '-c', str(config), '-d', self.database,
                '-v', '-v'],
            self.var / f'{name}.log')
        self.processes.append(process)
        process.start(self.var)
        url = f'http://127.0.0.1:{port}/'
        wait_for(lambda: _answers(url), START_TIMEOUT,
            f"{name} did not answer at {url}", [process])
        self.running = process
        # User calls server 0 or 1: both are this one
        self.urls[:] = [url, url]

    # What demo_served starts
    start = serve

    def kill(self):
        "Kill the server: no rollback, no answer, no cleaning"
        process, self.running = self.running, None
        os.killpg(process.popen.pid, signal.SIGKILL)
        process.popen.wait(10)

    def stop(self):
        for process in self.processes:
            process.stop()

    def user(self, login):
        "The user logged in once, its session kept across the servers"
        if login not in self.users:
            self.users[login] = User(self, login, 0)
        return self.users[login]

    @property
    def records(self):
        "The demo's records, with slots of time shared by the tests"
        if self._records is None:
            self._records = Records(self.user('admin'))
        return self._records

    def kill_during(self, call, written):
        """Run call on the server while LAST_WRITTEN is locked; once the
        server's transaction waits for that lock, having written the table
        written, kill the server and release the lock.  The call must end
        with its connection, unanswered"""
        outcome = {}

        def run():
            try:
                outcome['result'] = call()
            except Exception as error:
                outcome['error'] = error
        thread = threading.Thread(target=run, daemon=True)
        with self.server.connect(
                self.database, autocommit=False) as connection:
            connection.execute(
                f'LOCK TABLE "{LAST_WRITTEN}" IN EXCLUSIVE MODE')
            thread.start()
            deadline = time.monotonic() + CALL_TIMEOUT
            while not (waiting := self.waiting(LAST_WRITTEN)):
                assert thread.is_alive(), (
                    f"the call ended before waiting for {LAST_WRITTEN}: "
                    f"{outcome}")
                assert time.monotonic() < deadline, (
                    f"the call did not wait for {LAST_WRITTEN}")
                time.sleep(0.05)
            ((pid, _), tables), = waiting.items()
            # Else the kill would not be in the middle of anything
            assert written in tables, (
                f"the transaction waits for {LAST_WRITTEN} without having "
                f"written {written}: it wrote {sorted(tables)}")
            self.kill()
            connection.rollback()
        thread.join(CALL_TIMEOUT)
        assert not thread.is_alive(), "the call did not end with the server"
        assert isinstance(outcome.get('error'), OSError), (
            f"the call was answered despite the kill: {outcome}")
        # PostgreSQL ends the backend when it finds its client gone: what
        # is checked next is what it left
        wait_for(lambda: not self.sql(
                'SELECT 1 FROM pg_stat_activity WHERE pid = %s', (pid,)),
            30, f"the backend {pid} of the killed server did not end")

    def waiting(self, table, application_name='trytond'):
        """The transactions of the application waiting for a lock on table,
        as (backend, transaction): the tables each has written"""
        rows = self.sql(
            "SELECT a.pid, a.backend_xid::text, "
            "ARRAY(SELECT w.relation::regclass::text "
                "FROM pg_locks w WHERE w.pid = a.pid AND w.granted "
                "AND w.locktype = 'relation' "
                "AND w.mode = 'RowExclusiveLock') "
            "FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
            "WHERE a.datname = %s AND a.application_name = %s "
            "AND a.wait_event_type = 'Lock' AND NOT l.granted "
            "AND l.locktype = 'relation' AND l.relation = %s::regclass",
            (self.database, application_name, table))
        return {(pid, xid): set(tables) for pid, xid, tables in rows}

    def run_cron(self, name, lock=None):
        """Run the due scheduled tasks with trytond-cron --once, its
        statements waiting CRON_LOCK_TIMEOUT ms at most for a lock; while
        lock (a table) is locked if given.  Return, for each of its
        attempts seen waiting for that lock, the tables it had written"""
        # The server's own setting, for the cron process's connections only
        uri = self.server.uri + '?' + urllib.parse.urlencode(
            {'options': f'-c lock_timeout={CRON_LOCK_TIMEOUT}'},
            quote_via=urllib.parse.quote)
        config = write_config(self.var / f'{name}.conf', uri, self.filestore)
        process = Process(name,
            [str(BIN / 'trytond-cron'), '-c', str(config), '-d',
                self.database, '-n', '1', '--once', '-v', '-v'],
            self.var / f'{name}.log')
        self.processes.append(process)
        attempts = {}
        with self.server.connect(
                self.database, autocommit=False) as connection:
            if lock:
                connection.execute(f'LOCK TABLE "{lock}" IN EXCLUSIVE MODE')
            process.start(self.var)
            deadline = time.monotonic() + START_TIMEOUT
            while process.popen.poll() is None:
                assert time.monotonic() < deadline, f"{name} did not end"
                if lock:
                    for attempt, tables in self.waiting(
                            lock, 'trytond-cron').items():
                        attempts.setdefault(attempt, set()).update(tables)
                time.sleep(0.02)
            connection.rollback()
        assert process.popen.returncode == 0, (
            f"{name} ended with {process.popen.returncode}")
        return process, list(attempts.values())


@pytest.fixture(scope='module')
def postgresql():
    "The server's URI; skip, or fail when SERVICE_CONCURRENCY_TEST=required"
    return require_postgresql("the fault tests need")


@pytest.fixture(scope='module')
def site(postgresql, tmp_path_factory):
    "The demo database served by a trytond; stopped and dropped after"
    with demo_served(postgresql, tmp_path_factory, PREFIX, Site) as site:
        yield site


# The department's records

def _open_request(site, description, warranty):
    "A request of the desk, accepted, on equipment with the warranty"
    desk, records = site.user('desk'), site.records
    for equipment in sorted(
            records.equipment.values(), key=lambda e: e['id']):
        covered = (equipment['warranty_end'] is not None
            and equipment['warranty_end'] >= records.today)
        if covered != (warranty == 'in_warranty'):
            continue
        request_id, = desk.call(0, 'model.service.request.create',
            [records.request(equipment, description)])
        desk.call(0, 'model.service.request.open', [request_id])
        request, = desk.call(0, 'model.service.request.read', [request_id],
            ['party', 'equipment', 'contact', 'warranty'])
        # A maintenance contract may cover the equipment
        if request['warranty'] == warranty:
            return request
    raise AssertionError(f"no equipment gives a request {warranty}")


def _parts(site, work_order):
    "The parts of the work order and their moves, read in the database"
    return site.sql(
        "SELECT p.id, p.product, p.quantity, m.id, m.state, m.quantity, "
        "t.type FROM service_dispatch_part p "
        "LEFT JOIN stock_move m "
        "ON m.origin = 'service.dispatch.part,' || p.id "
        "LEFT JOIN stock_location t ON t.id = m.to_location "
        "WHERE p.dispatch = %s ORDER BY p.id, m.id", (work_order,))


def _stock(site, location, products):
    """The quantity of each product in the location and its children, from
    the done moves (the parts are all counted in units)"""
    inside = ('{0}."left" >= r."left" AND {0}."right" <= r."right"')
    rows = dict(site.sql(
            "SELECT m.product, SUM(CASE WHEN " + inside.format('t')
            + " THEN m.quantity ELSE -m.quantity END) FROM stock_move m "
            "JOIN stock_location f ON f.id = m.from_location "
            "JOIN stock_location t ON t.id = m.to_location "
            "JOIN stock_location r ON r.id = %s "
            "WHERE m.state = 'done' AND m.product = ANY(%s) "
            "AND (" + inside.format('t') + ") <> (" + inside.format('f')
            + ") GROUP BY m.product", (location, products)))
    return {p: rows.get(p, 0) for p in products}


def _moves(site):
    "Every stock move as it stands"
    return site.sql('SELECT id, product, quantity, from_location, '
        'to_location, state, origin FROM stock_move ORDER BY id')


INVOICE_TABLES = ['account_invoice', 'account_invoice_line',
    'account_invoice_tax', 'account_invoice_line-account_tax']


def _invoicing(site):
    "The rows of the customer invoices"
    return {t: site.sql(f'SELECT COUNT(*), MAX(id) FROM "{t}"')[0]
        for t in INVOICE_TABLES}


def _invoice_lines(site, origins):
    "The invoice lines of the origins, those of cancelled invoices aside"
    return site.sql("SELECT l.origin, l.quantity, l.invoice "
        "FROM account_invoice_line l "
        "LEFT JOIN account_invoice i ON i.id = l.invoice "
        "WHERE l.origin = ANY(%s) AND COALESCE(i.state, '') != 'cancelled' "
        "ORDER BY l.origin, l.id", (origins,))


# The tests

def test_server_killed_while_issuing_parts(site):
    "Killed mid-issue: no move left; issued again: issued once"
    with site.reporting():
        _issue_killed(site)


def _issue_killed(site):
    dispatcher, warehouse = site.user('dispatcher'), site.user('warehouse')
    records = site.records
    request = _open_request(site, "Faults: fan and gasket", 'in_warranty')
    work_order, = dispatcher.call(0, 'model.service.dispatch.create', [
            records.work_order(request, 'Liu',
                parts=[('P-FAN', 2), ('P-GASKET', 1)])])
    dispatcher.call(0, 'model.service.dispatch.assign', [work_order])
    (location,), = site.sql('SELECT parts_location FROM service_dispatch '
        'WHERE id = %s', (work_order,))
    parts = _parts(site, work_order)
    assert [p[3] for p in parts] == [None, None], (
        f"the parts have moves before the issue: {parts}")
    requested = {p[1]: p[2] for p in parts}
    moves, stock = _moves(site), _stock(site, location, list(requested))
    assert all(stock[p] >= q for p, q in requested.items()), (
        f"not enough stock for the parts {requested}: {stock}")

    # The transaction has created the moves of both parts, assigned and
    # done them before it writes the history: the kill leaves all of it
    # uncommitted.  Were any of it committed apart (a move requested in a
    # transaction of its own, say) the moves would differ below.
    site.kill_during(lambda: warehouse.call(0,
            'model.service.dispatch.issue_parts', [work_order]),
        'stock_move')
    assert _moves(site) == moves, (
        "the killed issue left stock moves: "
        f"{sorted(set(_moves(site)) - set(moves))}")
    assert _parts(site, work_order) == parts
    assert _stock(site, location, list(requested)) == stock

    site.serve()
    # The clerk, not knowing what happened, clicks again, and once more
    for _ in range(2):
        warehouse.call(0, 'model.service.dispatch.issue_parts', [work_order])
        issued = _parts(site, work_order)
        assert sorted((p[1], p[4], p[5], p[6]) for p in issued) == sorted(
            (product, 'done', quantity, 'customer')
            for product, quantity in requested.items()), (
            f"the parts are not issued once each: {issued}")
        assert _stock(site, location, list(requested)) == {
            p: stock[p] - q for p, q in requested.items()}
    read = warehouse.call(0, 'model.service.dispatch.part.read',
        [p[0] for p in parts], ['quantity', 'quantity_issued'])
    assert all(p['quantity_issued'] == p['quantity'] for p in read), read


def test_server_killed_while_invoicing(site):
    "Killed mid-invoice: no invoice left; invoiced again: invoiced once"
    with site.reporting():
        _invoice_killed(site)


def _done_out_of_warranty(site):
    """An out-of-warranty repair done, its quotation accepted, its part
    issued, with labour and travel: the accountant's work"""
    desk, dispatcher, warehouse = (site.user(u) for u in [
            'desk', 'dispatcher', 'warehouse'])
    records = site.records
    request = _open_request(site, "Faults: no ignition", 'out_of_warranty')
    values = records.work_order(request, 'Zhao', parts=[('P-IGN', 1)])
    values['labour'] = [['create', [{
                    'employee': values['technician'], 'hours': Decimal('1.5'),
                    'product': records.products['S-LABOUR']}]]]
    values.update(travel_product=records.products['S-TRAVEL'],
        travel_quantity=1, travel_unit_price=Decimal(50))
    work_order, = dispatcher.call(0, 'model.service.dispatch.create',
        [values])
    for user, button in [
            (desk, 'send_quotation'), (desk, 'accept_quotation'),
            (dispatcher, 'assign'), (dispatcher, 'confirm'),
            (warehouse, 'issue_parts'), (dispatcher, 'start')]:
        user.call(0, f'model.service.dispatch.{button}', [work_order])
    dispatcher.call(0, 'model.service.dispatch.write', [work_order], {
            'repair_logs': [['create', [{'symptom': "No ignition",
                            'result': 'fixed'}]]],
            'signed_by': "Customer", 'signature': SIGNATURE})
    dispatcher.call(0, 'model.service.dispatch.done', [work_order])
    part, = site.sql('SELECT id FROM service_dispatch_part '
        'WHERE dispatch = %s', (work_order,))
    labour, = site.sql('SELECT id FROM service_dispatch_labour '
        'WHERE dispatch = %s', (work_order,))
    # The travel is invoiced with the work order as origin
    origins = {f'service.dispatch.part,{part[0]}': 1,
        f'service.dispatch.labour,{labour[0]}': 1.5,
        f'service.dispatch,{work_order}': 1}
    return work_order, origins


def _invoice_killed(site):
    accountant = site.user('accountant')
    work_order, origins = _done_out_of_warranty(site)
    before = _invoicing(site)

    # The transaction has created the invoice, its lines and taxes: the
    # kill leaves none of them committed
    site.kill_during(lambda: accountant.call(0,
            'model.service.dispatch.invoice', [work_order]),
        'account_invoice_line')
    assert _invoicing(site) == before, (
        f"the killed invoicing left rows: {before} -> {_invoicing(site)}")
    assert not _invoice_lines(site, list(origins))
    assert site.sql('SELECT state FROM service_dispatch WHERE id = %s',
        (work_order,)) == [('done',)]

    site.serve()
    result = accountant.call(0, 'model.service.dispatch.invoice',
        [work_order])
    invoice, = result['res_id']
    lines = _invoice_lines(site, list(origins))
    assert sorted((o, q) for o, q, _ in lines) == sorted(origins.items()), (
        f"not one invoice line per part, labour and travel: {lines}")
    assert {i for _, _, i in lines} == {invoice}, lines
    # Invoicing again finds nothing left to invoice
    again = accountant.call(0, 'model.service.dispatch.invoice',
        [work_order])
    assert again['res_id'] == [], f"invoiced twice: {again['res_id']}"
    assert _invoice_lines(site, list(origins)) == lines


def test_failing_scheduled_task_retried(site):
    "A task failing after its writes leaves none; the next run does it once"
    with site.reporting():
        _task_retried(site)


def _resolved_requests(site, n):
    "Requests the desk resolved: each owes a follow-up call"
    desk = site.user('desk')
    requests = [_open_request(site, f"Faults: follow-up {i}", 'in_warranty')
        for i in range(n)]
    ids = [r['id'] for r in requests]
    desk.call(0, 'model.service.request.start', ids)
    desk.call(0, 'model.service.request.write', ids,
        {'resolution': "Adjusted on the phone."})
    desk.call(0, 'model.service.request.resolve', ids)
    return ids


def _make_due(site, method):
    """The administrator makes the task of the method due and the others
    not: the cron process runs that task alone"""
    admin = site.user('admin')
    crons = admin.call(0, 'model.ir.cron.search', [('active', '=', True)])
    task, = admin.call(0, 'model.ir.cron.search',
        [('method', '=', method)])
    # Tryton's clock: UTC
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    admin.call(0, 'model.ir.cron.write', [c for c in crons if c != task],
        {'next_call': now + dt.timedelta(days=1)}, [task],
        {'next_call': now - dt.timedelta(hours=1)})
    return task, now


def _follow_ups(site):
    "The follow-up calls per request"
    return dict(site.sql("SELECT request, COUNT(*) FROM service_survey "
            "WHERE kind = 'follow_up' GROUP BY request"))


def _task_retried(site):
    requests = _resolved_requests(site, 3)
    task, since = _make_due(site, FOLLOW_UPS)
    calls = _follow_ups(site)
    assert not any(r in calls for r in requests), calls
    name = re.escape(f'<Cron {task}@{site.database} {FOLLOW_UPS}>')

    def logs(task_id):
        return site.sql('SELECT COUNT(*) FROM ir_cron_log WHERE cron = %s '
            'AND started >= %s', (task_id, since))[0][0]

    # Each attempt creates the calls then waits to log its run; its lock
    # wait times out and the attempt is rolled back.  Were the calls
    # committed apart (in transactions of their own, say) they would be
    # left below, and the next run would find them done.
    process, attempts = site.run_cron('cron-1', lock='ir_cron_log')
    assert process.count(rf'{name} failed') == 1, (
        f"{process.name} did not report the task failed")
    assert _follow_ups(site) == calls, "the failed task left follow-ups"
    assert not logs(task), "the failed task logged a run"
    # trytond-cron retries the task in its run ([database] retry)
    assert len(attempts) > 1 and all(
        'service_survey' in a for a in attempts), (
        "the task was not tried again, each attempt waiting for its log "
        f"having written the calls: {attempts}")

    # Its next run, when it is due again, and the one after
    for run in ['cron-2', 'cron-3']:
        _make_due(site, FOLLOW_UPS)
        process, _ = site.run_cron(run)
        assert process.count(rf'{name} in \d+ ms') == 1, (
            f"{process.name} did not run the task")
        after = _follow_ups(site)
        assert {r: after.get(r) for r in requests} == dict.fromkeys(
            requests, 1), f"not one follow-up call per new request: {after}"
        twice = {r: n for r, n in after.items() if n > 1}
        assert not twice, f"requests called back twice: {twice}"
        missing = site.sql("SELECT id FROM service_request "
            "WHERE state IN ('resolved', 'closed') "
            "AND resolved_date IS NOT NULL AND id != ALL(%s)",
            (list(after),))
        assert not missing, f"resolved requests without follow-up: {missing}"
    assert logs(task) == 2
