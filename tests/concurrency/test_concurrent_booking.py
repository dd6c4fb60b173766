# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Two dispatchers assign the same technician to overlapping periods.

`Dispatch.check_booking` (service_dispatch/dispatch.py) locks the technician
(``Employee.lock``) before it looks for overlapping work orders: the two
assignments wait for each other, and the second reads the first's booking.
Without the lock each would look in its own snapshot, find nothing and book.
"""
import datetime as dt
import functools

import pytest

from trytond.modules.service_dispatch.exceptions import TechnicianBookedError
from trytond.pool import Pool

ORDERS = 'service.dispatch'


def confirm_late_plans(orders, users):
    """The customers asked for tomorrow: the dispatchers have confirmed,
    once for all, the warning that the technician arrives after the SLA's
    deadline (else the first click only shows the warning)"""
    pool = Pool()
    Warning = pool.get('res.user.warning')
    Dispatch = pool.get(ORDERS)
    Warning.create([{
                'user': user,
                'name': Warning.format(
                    'service_dispatch.planned_late', [Dispatch(order)]),
                'always': True,
                } for user in users for order in orders])


@pytest.mark.parametrize('interleaving', ['together', 'one_after_commit'])
def test_assign_same_technician(tryton, interleaving):
    """Exactly one work order gets the technician, the other dispatcher is
    told he is booked; together: both click at once, one_after_commit: the
    second's transaction started before the first committed"""
    def prepare():
        start = tryton.tomorrow(9)
        return [tryton.work_order(customer, "Liu Yang", start + offset).id
            for customer, offset in [
                ("Li Na", dt.timedelta(0)),
                ("Zhang Wei", dt.timedelta(hours=1)),
                ]]
    orders = tryton.setup(prepare)
    dispatchers = [tryton.user('dispatcher1'), tryton.user('dispatcher2')]
    tryton.setup(functools.partial(confirm_late_plans, orders, dispatchers))

    def assign(user, order, waits):
        return tryton.call(user, ORDERS, 'assign', [order],
            before=tryton.reading(ORDERS, [order], *waits))
    outcomes = tryton.interleaved(interleaving, *(
            functools.partial(assign, user, order)
            for user, order in zip(dispatchers, orders)))

    won = [o for o, r in zip(orders, outcomes) if r.error is None]
    refused = [r.error for r in outcomes if r.error is not None]
    assert len(won) == 1, outcomes
    assert len(refused) == 1 and isinstance(
        refused[0], TechnicianBookedError), outcomes
    assert "Liu Yang" in refused[0].message

    def states():
        Dispatch = Pool().get(ORDERS)
        return {d.id: d.state for d in Dispatch.browse(orders)}
    assert tryton.setup(states) == {
        o: 'assigned' if o in won else 'draft' for o in orders}
    if interleaving == 'one_after_commit':
        assert outcomes[0].error is None, outcomes
