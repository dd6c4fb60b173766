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
import datetime as dt
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from cluster import (
    CALL_TIMEOUT, SIGNATURE, START_TIMEOUT, Cluster, Records, RPCError, User,
    at_once, demo_served, refused, wait_for)
from dateutil.relativedelta import relativedelta
from pg_required import require_postgresql

PREFIX = 'test_mw_'


@pytest.fixture(scope='module')
def postgresql():
    "The server's URI; skip, or fail when SERVICE_CONCURRENCY_TEST=required"
    return require_postgresql("the multi-worker test needs")


@pytest.fixture(scope='module')
def cluster(postgresql, tmp_path_factory):
    "The demo database served by the processes; stopped and dropped after"
    with demo_served(postgresql, tmp_path_factory, PREFIX, Cluster) as cluster:
        yield cluster


# The steps: each a test, in this order, on the same cluster; what a step
# leaves for the next ones is kept in `department`

@pytest.fixture(scope='module')
def department(cluster):
    "The users logged in, the records, and what each step left"
    with cluster.reporting():
        users = _log_in(cluster)
        return {'users': users, 'records': Records(users['admin'])}


def _left(department, *names):
    "What earlier steps left; fail naming it when a step failed"
    missing = [n for n in names if n not in department]
    if missing:
        pytest.fail("an earlier step failed: no " + ', '.join(missing),
            pytrace=False)
    return [department[n] for n in names]


def test_scheduled_tasks_at_start(cluster, department):
    "Both cron processes started together ran each due task once"
    with cluster.reporting():
        _scheduled_tasks_at_start(cluster)


def test_intake(cluster, department):
    "Requests created by many clients through both servers"
    users, records = _left(department, 'users', 'records')
    with cluster.reporting():
        department['requests'] = _intake(users, records)


def test_configuration_seen_by_both(cluster, department):
    "A configuration change on one server is seen at once on the other"
    users, records = _left(department, 'users', 'records')
    with cluster.reporting():
        _configuration_seen_by_both(users, records)


def test_groups_seen_by_both(cluster, department):
    "A change of a user's groups is seen at once on the other server"
    users, records, requests = _left(
        department, 'users', 'records', 'requests')
    with cluster.reporting():
        _groups_seen_by_both(users, records, requests)


def test_work_orders(cluster, department):
    "Work orders created on one server and worked on the other"
    users, records, requests = _left(
        department, 'users', 'records', 'requests')
    with cluster.reporting():
        department['done'] = _work_orders(users, records, requests)


def test_scheduled_tasks_made_due(cluster, department):
    "Maintenance contracts whose inspections the cron processes will run"
    users, records = _left(department, 'users', 'records')
    with cluster.reporting():
        contracts = _maintenance_contracts(users, records)
        department['due'] = _make_tasks_due(cluster, users, contracts)
        department['contracts'] = contracts


def test_double_booking(cluster, department):
    "Two dispatchers book one technician through both servers"
    users, records, requests = _left(
        department, 'users', 'records', 'requests')
    with cluster.reporting():
        _double_booking(users, records, requests)


def test_last_compressors(cluster, department):
    "The last units issued through both servers at once"
    users, records, requests = _left(
        department, 'users', 'records', 'requests')
    with cluster.reporting():
        department['issued'] = _last_compressors(users, records, requests)


def test_invoicing(cluster, department):
    "Two accountants invoice the same work orders through both servers"
    users, records, requests = _left(
        department, 'users', 'records', 'requests')
    with cluster.reporting():
        department['invoice'] = _invoicing(
            cluster, users, records, requests)


def test_sessions(cluster, department):
    "The sessions are shared by the servers"
    with cluster.reporting():
        _sessions(cluster)


def test_scheduled_tasks_once(cluster, department):
    "Each due scheduled task ran once, queued printing by the worker"
    due, contracts = _left(department, 'due', 'contracts')
    with cluster.reporting():
        _scheduled_tasks_once(cluster, due, contracts)


def test_nothing_lost_nor_twice(cluster, department):
    "Nothing was lost or done twice"
    requests, done, issued, invoice = _left(
        department, 'requests', 'done', 'issued', 'invoice')
    with cluster.reporting():
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
