# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""What a logged-in user reaches around the rules, over JSON-RPC.

The calls of issue 21, each as the role that tried it, with the demo
logins of the role test's data (``role_data``): each is refused with its
message and leaves the database as it was (the fuzz test's fingerprint), and
the legitimate path next to it still works.
"""
import datetime as dt
from decimal import Decimal

import pytest

import layers
from test_fuzz_rpc import PASSWORD, Server, fingerprint
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction

LOGINS = ['manager', 'desk', 'dispatcher', 'technician', 'chen',
    'warehouse', 'accountant', 'other']


class Site:
    "The server with every role logged in, and the records of the tests"

    def __init__(self):
        self.server = Server()
        for login in LOGINS:
            self.server.login(login)
        self.server.contexts = {
            login: self.server.post('model.res.user.get_preferences',
                [True, {}], login=login)[1]['result']
            for login in LOGINS}

    def ok(self, login, model, method, *args):
        "Return the result of the call, which must be accepted"
        kind, answer = self.server.call(login, model, method, *args)
        assert kind == 'result', (login, model, method, args, answer)
        return answer['result']

    def refused(self, login, model, method, *args):
        "Return the message of the refused call, the database unchanged"
        before = fingerprint()
        kind, answer = self.server.call(login, model, method, *args)
        assert kind == 'refused', (login, model, method, args, answer)
        assert fingerprint() == before, (login, model, method, args)
        return answer['error'][1][0]


@pytest.fixture(scope='module')
def site():
    layers.use('roles')
    with Transaction().start(DB_NAME, 0) as transaction:
        pool = Pool()
        User = pool.get('res.user')
        Dispatch = pool.get('service.dispatch')
        RepairLog = pool.get('service.repair.log')
        User.write(User.search([('login', 'in', LOGINS)]),
            {'password': PASSWORD})
        # What only Chen's work order says
        chen, = Dispatch.search([
                ('technician.party.name', '=', "Chen Jie")])
        RepairLog.write(list(chen.repair_logs),
            {'cause': "Compressor seized."})
        transaction.commit()
    yield Site()


def records(**domains):
    "Return the ids of the only record of each model matching its domain"
    with Transaction().start(DB_NAME, 0, readonly=True):
        pool = Pool()
        result = {}
        for key, (model, domain) in domains.items():
            record, = pool.get(model).search(domain)
            result[key] = record.id
        return result


def test_nested_search_keeps_to_readable_records(site):
    """A search through relations answers only about the records the user
    may read at each step"""
    ids = records(
        chen_dispatch=('service.dispatch',
            [('technician.party.name', '=', "Chen Jie")]),
        main_customer=('party.party', [
                ('service_equipments.serial_number', '=', 'SN-M-1')]))
    with Transaction().start(DB_NAME, 0, readonly=True):
        chen_number = Pool().get('service.dispatch')(
            ids['chen_dispatch']).number

    by_chen = [
        [('dispatches.repair_logs.cause', 'ilike', 'Compressor%')],
        [('dispatches.technician.party.name', '=', "Chen Jie")],
        [('dispatches.parts.unit_price', '>=', 0),
            ('dispatches.technician.party.name', '=', "Chen Jie")],
        [('dispatches', 'ilike', chen_number)],
        [('dispatches', 'where', [('number', '=', chen_number)])],
        ['OR', ('dispatches.labour.hours', '=', Decimal(-1)),
            ('dispatches.repair_logs.cause', 'ilike', 'Compressor%')],
        ]
    for domain in by_chen:
        # The technician of the other work order is told nothing ...
        assert site.ok('technician', 'service.request', 'search_count',
            domain) == 0, domain
        assert site.ok('technician', 'service.request', 'search',
            domain) == [], domain
        # ... its own technician and the dispatcher find it
        assert site.ok('chen', 'service.request', 'search_count',
            domain) == 1, domain
        assert site.ok('dispatcher', 'service.request', 'search_count',
            domain) == 1, domain
    # Through a field the searched model computes (the line's company)
    assert site.ok('technician', 'service.dispatch.labour', 'search_count',
        [('dispatch.repair_logs.cause', 'ilike', 'Compressor%')]) == 0
    assert site.ok('technician', 'service.dispatch.labour', 'search_count',
        [('company.id', '!=', None)]) == 2

    # The second company's user finds the customer the two companies share
    # by none of the first company's records, the first company's manager
    # does
    for domain in [
            [('service_equipments.serial_number', 'ilike', 'SN-M-%')],
            [('service_equipments.requests.dispatches.technician.party.name',
                    '=', "Liu Yang")],
            [('service_equipments', 'ilike', '%SN-M-1%')]]:
        assert ids['main_customer'] not in site.ok(
            'other', 'party.party', 'search', domain), domain
        assert ids['main_customer'] in site.ok(
            'manager', 'party.party', 'search', domain), domain
    # Nor through an employee's party
    assert site.ok('other', 'company.employee', 'search_count',
        [('party.service_equipments.serial_number', 'ilike', 'SN-M-%')]) == 0


def test_on_change_reads_only_readable_records(site):
    """An on_change sent with a record the user may not read is refused;
    with the user's own it answers"""
    ids = records(
        chen_dispatch=('service.dispatch',
            [('technician.party.name', '=', "Chen Jie")]),
        own_dispatch=('service.dispatch', [
                ('technician.party.name', '=', "Liu Yang"),
                ('state', '=', 'draft')]),
        liu=('company.employee', [('party.name', '=', "Liu Yang")]),
        other_request=('service.request', [
                ('description', '=', "How do I reset the unit?"),
                ('company.party.name', '=', "Other Company"),
                ]))
    chen_labour = records(labour=('service.dispatch.labour',
            [('dispatch', '=', ids['chen_dispatch'])]))['labour']
    message = site.refused('technician', 'service.dispatch.labour',
        'on_change', {'dispatch': ids['chen_dispatch']}, ['dispatch'])
    assert 'not allowed to read' in message
    assert "Work Order" in message
    # A parent's values named as the client names them
    assert 'not allowed to read' in site.refused(
        'technician', 'service.dispatch.part', 'on_change_with',
        {'_parent_dispatch.request': ids['other_request']}, ['chargeable'])
    # The record itself
    assert 'not allowed to read' in site.refused(
        'technician', 'service.dispatch.labour', 'on_change',
        {'id': chen_labour, 'dispatch': ids['own_dispatch']}, ['dispatch'])
    # The technician's own work order
    changes = site.ok('technician', 'service.dispatch.labour', 'on_change',
        {'dispatch': ids['own_dispatch']}, ['dispatch'])
    assert changes['employee'] == ids['liu']
