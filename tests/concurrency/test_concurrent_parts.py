# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Two warehouse clerks issue the last compressor to two work orders; two
dispatchers request the parts of the same work order.

`Dispatch.issue_parts` (service_dispatch/dispatch.py) locks the products it
issues: the two issues wait for each other and the second finds the stock
short.  `Move.assign_try` locks the stock moves too, but only once the
transaction has read the database: it lets the second issue, if it started
before the first committed, read the stock as it was and issue the
compressor again.  `Dispatch.request_parts` locks the part lines: the second
request sees the move of the first and requests nothing more.
"""
import datetime as dt
import functools

import pytest

from trytond.modules.service_dispatch.exceptions import PartIssueError
from trytond.pool import Pool

ORDERS = 'service.dispatch'
ROUNDS = 3


@pytest.mark.parametrize('interleaving', ['together', 'one_after_commit'])
def test_issue_last_unit(tryton, interleaving):
    """One work order gets the compressor, the other clerk is told the stock
    is short and nothing is issued to it; the stock never goes below zero;
    together: both click at once, one_after_commit: the second's transaction
    started before the first committed.  Whether a missing lock lets both
    issue at once depends on timing: the race is run ROUNDS times."""
    clerks = [tryton.user('warehouse1'), tryton.user('warehouse2')]
    for day in range(ROUNDS):
        def prepare():
            Dispatch = Pool().get(ORDERS)
            tryton.receive("Compressor", 1)
            start = tryton.tomorrow(9) + dt.timedelta(days=day)
            orders = [tryton.work_order("Li Na", technician, start,
                    parts=[("Compressor", 1)])
                for technician in ["Liu Yang", "Chen Jie"]]
            Dispatch.assign(orders)
            return [o.id for o in orders]
        orders = tryton.setup(prepare)

        def issue(user, order, waits):
            return tryton.call(user, ORDERS, 'issue_parts', [order],
                before=tryton.reading(ORDERS, [order], *waits))
        outcomes = tryton.interleaved(interleaving, *(
                functools.partial(issue, user, order)
                for user, order in zip(clerks, orders)))

        won = [o for o, r in zip(orders, outcomes) if r.error is None]
        refused = [r.error for r in outcomes if r.error is not None]
        assert len(won) == 1, outcomes
        assert len(refused) == 1 and isinstance(
            refused[0], PartIssueError), outcomes
        assert "Compressor" in refused[0].message
        if interleaving == 'one_after_commit':
            assert outcomes[0].error is None, outcomes

        def stock():
            Dispatch = Pool().get(ORDERS)
            return tryton.on_hand("Compressor"), {
                d.id: (d.parts[0].quantity_issued,
                    sorted(m.state for m in d.parts[0].moves))
                for d in Dispatch.browse(orders)}
        on_hand, parts = tryton.setup(stock)
        assert on_hand == 0
        # The refused issue left no move: it was rolled back whole
        assert parts == {o: (1, ['done']) if o in won else (0, [])
            for o in orders}


@pytest.mark.parametrize('interleaving', ['together', 'one_after_commit'])
def test_request_parts_twice(tryton, interleaving):
    """The dispatcher and the technician request the parts of the same work
    order at once: the part is requested once, not issued twice later"""
    def prepare():
        Dispatch = Pool().get(ORDERS)
        order = tryton.work_order("Li Na", "Liu Yang", tryton.tomorrow(9),
            parts=[("Compressor", 1)])
        Dispatch.assign([order])
        return order.id
    order = tryton.setup(prepare)
    dispatchers = [tryton.user('dispatcher1'), tryton.user('dispatcher2')]

    def request(user, waits):
        return tryton.call(user, ORDERS, 'request_parts', [order],
            before=tryton.reading(ORDERS, [order], *waits))
    outcomes = tryton.interleaved(interleaving, *(
            functools.partial(request, user) for user in dispatchers))
    assert all(o.error is None for o in outcomes), outcomes

    def moves():
        Dispatch = Pool().get(ORDERS)
        part, = Dispatch(order).parts
        return [(m.quantity, m.state) for m in part.moves]
    assert tryton.setup(moves) == [(1, 'draft')]
