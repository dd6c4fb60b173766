#!/usr/bin/env python3
# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""What searching the requests by SLA status costs against a plain search.

On a copy of the company layer (``tests/layers.py``; on the backend of
``TRYTOND_DATABASE_URI``, SQLite when unset) the script inserts, in SQL,
REQUESTS accepted requests that are not resolved: most on track, some at
risk, some breached, some waiting (with their running waiting period),
their deadlines and at-risk moments stored as the module stores them.

It then times, in the same run on the same database, as the administrator
of the company (record rules applied):

- the search the desk's At Risk tab makes,
  ``[('sla_status', '=', 'at_risk')]``;
- the baseline: a plain search on stored, indexed date columns,
  ``[('at_risk_date', '<=', now), ('resolution_deadline', '>', now)]``,
  which finds the running requests at risk without the status's other
  conditions.

Each figure is the median, over several repeats, of one search (the ids of
the requests found, in the model's order).  The last line is
``sla_search_ratio=`` the status search's time over the baseline's (the
goal: at most 2).
"""
import datetime as dt
import pathlib
import random
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tests'))

import layers  # noqa: E402

layers.configure()

REQUESTS = 100_000
REPEATS = 7
CHUNK = 1_000


def populate(pool, now):
    "Insert the open requests in SQL; return how many of each status"
    from trytond.transaction import Transaction
    Request = pool.get('service.request')
    Pause = pool.get('service.request.pause')
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    RequestType = pool.get('service.request.type')
    company, = Company.search([])
    party = Party(name="Benchmark Customer")
    party.save()
    type_, = RequestType.search([('code', '=', 'consultation')])
    request = Request.__table__()
    pause = Pause.__table__()
    cursor = Transaction().connection.cursor()
    hour = dt.timedelta(hours=1)
    random.seed(20261204)
    counts = {}
    columns = [request.company, request.party, request.channel,
        request.type, request.priority, request.quantity,
        request.description, request.reported_date, request.accepted_date,
        request.response_deadline, request.resolution_deadline,
        request.at_risk_date, request.state, request.number,
        request.create_uid, request.create_date]
    waiting = []
    for first in range(0, REQUESTS, CHUNK):
        values = []
        for i in range(first, min(first + CHUNK, REQUESTS)):
            draw = random.random()
            if draw < 0.85:
                status, resolution = 'on_track', now + hour * 30
            elif draw < 0.93:
                status, resolution = 'at_risk', now + hour * 2
            else:
                status, resolution = 'breached', now - hour * 2
            reported = resolution - hour * 24
            # Four fifths of the 24 hours (round the clock)
            at_risk = reported + hour * 24 * 0.8
            state = random.choice(['open', 'in_progress'])
            if i % 50 == 0:
                state = 'waiting'
                waiting.append(i)
            counts[status, state == 'waiting'] = counts.get(
                (status, state == 'waiting'), 0) + 1
            values.append([company.id, party.id, 'phone', type_.id,
                    'normal', 1, "Benchmark", reported,
                    reported + hour, reported + hour * 4, resolution,
                    at_risk, state, f'B{i:06d}', 0, now])
        cursor.execute(*request.insert(columns, values))
    # The running waiting period of the waiting ones, started now
    cursor.execute(*request.select(request.id,
            where=request.state == 'waiting'))
    ids = [i for i, in cursor]
    for first in range(0, len(ids), CHUNK):
        cursor.execute(*pause.insert(
                [pause.request, pause.start, pause.create_uid,
                    pause.create_date],
                [[i, now - hour, 0, now] for i in ids[first:first + CHUNK]]))
    return company, counts


def timed(search):
    samples = []
    found = None
    for _ in range(REPEATS):
        begin = time.perf_counter()
        found = search()
        samples.append(time.perf_counter() - begin)
    return statistics.median(samples), len(found)


def main():
    from trytond import backend
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, drop_db
    from trytond.transaction import Transaction

    layers.prune()
    layers.prepare()
    layers.restore(layers.COMPANY_NAME)
    pool = Pool(DB_NAME)
    pool.init()
    now = dt.datetime.now().replace(microsecond=0)
    with Transaction().start(DB_NAME, 0) as transaction:
        User = pool.get('res.user')
        company, counts = populate(pool, now)
        admin, = User.search([('login', '=', 'admin')])
        admin.companies = [company]
        admin.company = company
        admin.save()
        admin = admin.id
        if backend.name == 'postgresql':
            transaction.connection.cursor().execute('ANALYZE')
        transaction.commit()
    print(f"On {backend.name}, {REQUESTS} open requests "
        + ", ".join(f"{n} {s}{' waiting' if w else ''}"
            for (s, w), n in sorted(counts.items())))

    with Transaction().start(DB_NAME, admin, context={
                'company': company.id, 'companies': [company.id],
                }) as transaction:
        Request = pool.get('service.request')
        # Warm both paths (the caches of the model and of the rules)
        Request.search([('sla_status', '=', 'at_risk')])
        Request.search([('at_risk_date', '<=', now)])
        status, found = timed(lambda: Request.search(
                [('sla_status', '=', 'at_risk')]))
        plain, plain_found = timed(lambda: Request.search([
                    ('at_risk_date', '<=', now),
                    ('resolution_deadline', '>', dt.datetime.now()),
                    ]))
        expected = sum(n for (s, _), n in counts.items() if s == 'at_risk')
        assert found == expected, (found, expected)
    drop_db()
    print(f"SLA status at risk: {status * 1000:8.1f} ms, {found} found")
    print(f"plain date search:  {plain * 1000:8.1f} ms, "
        f"{plain_found} found")
    print(f"sla_search_ratio={status / plain:.2f}")


if __name__ == '__main__':
    main()
