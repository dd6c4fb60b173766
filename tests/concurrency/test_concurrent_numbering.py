# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The desk registers 1,000 requests from 8 clients at once.

A request takes its number from the configured sequence
(`Request.preprocess_values`, service_desk/request.py), an ``ir.sequence``:
not a strict one.  On PostgreSQL Tryton draws it from a database sequence
(``nextval``), which hands each transaction its own numbers without a lock;
numbers are lost only when a transaction that drew them rolls back, which a
strict sequence would prevent by locking its row until the commit.  No
creation here is rolled back, so the numbers are unique and without gaps.
"""

from trytond.pool import Pool

REQUESTS = 'service.request'
THREADS = 8
CALLS = 25
PER_CALL = 5


def test_request_numbers(tryton):
    "1,000 requests created at once get the sequence's first 1,000 numbers"
    def prepare():
        pool = Pool()
        Configuration = pool.get('service.configuration')
        sequence = Configuration(1).get_multivalue('request_sequence')
        equipment = tryton.get('service.equipment', **{'party.name': "Li Na"})
        values = {
            'party': equipment.party.id,
            'equipment': equipment.id,
            'type': tryton.get('service.request.type', code='repair').id,
            'description': "Not cooling",
            }
        return sequence.__name__, sequence.prefix, sequence.padding, values
    kind, prefix, padding, values = tryton.setup(prepare)
    assert kind == 'ir.sequence'
    desk = tryton.user('desk')
    barrier = tryton.barrier(THREADS)

    def register():
        "Create the thread's share of the requests, a few per call"
        ids = []
        for call in range(CALLS):
            ids += tryton.call(desk, REQUESTS, 'create', [values] * PER_CALL,
                before=barrier.wait if call == 0 else None)
        return ids
    outcomes = tryton.concurrently(*[register] * THREADS)
    assert all(o.error is None for o in outcomes), outcomes
    # A rolled back creation would have lost its numbers
    assert tryton.restarts == 0

    def numbers():
        Request = Pool().get(REQUESTS)
        return [r.number for r in Request.search([])]
    numbers = tryton.setup(numbers)
    total = THREADS * CALLS * PER_CALL
    assert len(numbers) == total == 1000
    assert sorted(numbers) == [
        f'{prefix}{n:0{padding}d}' for n in range(1, total + 1)]
