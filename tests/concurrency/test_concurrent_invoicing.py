# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Two accountants invoice the same done work orders at once, one with the
Invoice button on the work orders, the other with the Create Service
Invoices wizard for all of them.

`Dispatch.create_invoices` (service_dispatch/invoice.py) locks the work
orders before it looks for what is invoiced already: the second accountant
waits for the first and finds everything invoiced.
"""
import functools
from collections import Counter

import pytest

from trytond.modules.service_desk.tests.tools import SIGNATURE
from trytond.pool import Pool

ORDERS = 'service.dispatch'
WIZARD = 'service.dispatch.create_invoices'


@pytest.mark.parametrize('interleaving', ['together', 'one_after_commit'])
def test_invoice_same_work_orders(tryton, interleaving):
    """Each part, labour and travel ends on exactly one invoice line;
    together: both click at once, one_after_commit: the second's transaction
    started before the first committed"""
    def prepare():
        Dispatch = Pool().get(ORDERS)
        tryton.receive("Compressor", 2)
        orders = [tryton.work_order("Zhang Wei", "Liu Yang",
                tryton.tomorrow(hour), parts=[("Compressor", 1)], labour=2,
                travel=True)
            for hour in [9, 13]]
        Dispatch.send_quotation(orders)
        Dispatch.accept_quotation(orders)
        Dispatch.assign(orders)
        Dispatch.confirm(orders)
        Dispatch.start(orders)
        Dispatch.issue_parts(orders)
        for order in orders:
            order.repair_logs = [{'symptom': "No cooling"}]
            order.signed_by = "Zhang Wei"
            order.signature = SIGNATURE
        Dispatch.save(orders)
        return [o.id for o in orders]
    orders = tryton.setup(prepare)

    def done():
        "As the technician's client: done, once the signature is saved"
        Dispatch = Pool().get(ORDERS)
        Dispatch.done(Dispatch.browse(orders))
    tryton.setup(done)
    accountants = [tryton.user('accountant1'), tryton.user('accountant2')]

    def with_button(user, waits):
        "Return the invoices the button opens"
        action = tryton.call(user, ORDERS, 'invoice', orders,
            before=tryton.reading(ORDERS, orders, *waits))
        return action['res_id']

    def with_wizard(user, waits):
        "Return the invoices the wizard opens, invoicing both work orders"
        session, _, _ = tryton.call(user, WIZARD, 'create', type='wizard')
        result = tryton.call(user, WIZARD, 'execute',
            session, {'start': {'dispatches': orders}}, 'create_',
            type='wizard',
            before=tryton.reading(ORDERS, orders, *waits))
        action, = result['actions']
        return action[0]['pyson_domain']
    outcomes = tryton.interleaved(interleaving,
        functools.partial(with_button, accountants[0]),
        functools.partial(with_wizard, accountants[1]))
    assert all(o.error is None for o in outcomes), outcomes

    def invoiced():
        pool = Pool()
        Dispatch = pool.get(ORDERS)
        Line = pool.get('account.invoice.line')
        Invoice = pool.get('account.invoice')
        dispatches = Dispatch.browse(orders)
        origins = [str(o) for d in dispatches
            for o in [d, *d.parts, *d.labour]]
        lines = Line.search([('origin', 'in', origins)])
        return (origins, Counter(str(l.origin) for l in lines),
            sum(l.quantity for l in lines), len(Invoice.search([])))
    origins, lines, quantity, invoices = tryton.setup(invoiced)
    assert lines == Counter(origins)
    # 1 compressor, 2 hours and 1 travel per work order
    assert quantity == 2 * (1 + 2 + 1)
    # One invoice for the customer, made by only one of them
    assert invoices == 1
