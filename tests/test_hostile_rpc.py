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
from trytond.modules.service_desk.tests.tools import SIGNATURE
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

    def wizard(self, login, name, record, data, state):
        """Run the wizard from its button on record with the data the
        client sends; return the kind of answer and the answer"""
        model, id_ = record
        context = dict(self.server.contexts[login],
            active_model=model, active_id=id_, active_ids=[id_])
        status, answer = self.server.post(
            f'wizard.{name}.create', [context], login=login)
        assert status == 200 and 'result' in answer, answer
        session = answer['result'][0]
        status, answer = self.server.post(f'wizard.{name}.execute',
            [session, data, state, context], login=login)
        assert status == 200, status
        if 'result' in answer:
            return 'result', answer
        assert answer['error'][0] in {'UserError', 'UserWarning'}, answer
        return 'refused', answer

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
        Move = pool.get('stock.move')
        User.write(User.search([('login', 'in', LOGINS)]),
            {'password': PASSWORD})
        # What only Chen's work order says
        chen, = Dispatch.search([
                ('technician.party.name', '=', "Chen Jie")])
        RepairLog.write(list(chen.repair_logs),
            {'cause': "Compressor seized."})
        # The parts of Liu's done work order and of Chen's were issued
        liu_done, = Dispatch.search([
                ('technician.party.name', '=', "Liu Yang"),
                ('state', '=', 'done')])
        moves = [p.get_move() for d in [liu_done, chen] for p in d.parts]
        Move.save(moves)
        Move.do(moves)
        # Liu's draft work order was quoted with travel and accepted
        liu_draft, = Dispatch.search([
                ('technician.party.name', '=', "Liu Yang"),
                ('state', '=', 'draft')])
        hour, = pool.get('product.product').search(
            [('name', '=', "Labour Hour")])
        Dispatch.write([liu_draft], {
                'quotation_state': 'accepted', 'travel_product': hour.id,
                'travel_quantity': 10, 'travel_unit_price': Decimal(2)})
        # Chen is at work on his
        Dispatch.write([chen], {'state': 'in_progress',
                'arrival_date': dt.datetime.now()})
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


def test_wizard_values_of_its_record(site):
    """Return Parts started on the technician's own work order returns only
    that work order's parts, whatever lines the client sends"""
    ids = records(
        own=('service.dispatch', [
                ('technician.party.name', '=', "Liu Yang"),
                ('state', '=', 'done')]),
        own_part=('service.dispatch.part', [
                ('dispatch.technician.party.name', '=', "Liu Yang"),
                ('dispatch.state', '=', 'done')]),
        chen_part=('service.dispatch.part', [
                ('dispatch.technician.party.name', '=', "Chen Jie")]))

    def line(part):
        return {'part': part, 'quantity': 1.0, 'defective': False}
    for lines in [[line(ids['chen_part'])],
            [line(ids['own_part']), line(ids['chen_part'])]]:
        before = fingerprint()
        kind, answer = site.wizard('technician',
            'service.dispatch.return_parts', ('service.dispatch', ids['own']),
            {'start': {'lines': lines}}, 'return_')
        assert kind == 'refused', answer
        assert 'only return the parts of work order' in (
            answer['error'][1][0])
        assert fingerprint() == before

    # The accountant invoices only work orders of his company
    other_done = records(d=('service.dispatch', [
                ('company.party.name', '=', "Other Company"),
                ('state', '=', 'done')]))['d']
    before = fingerprint()
    kind, answer = site.wizard('accountant',
        'service.dispatch.create_invoices', ('service.dispatch', ids['own']),
        {'start': {'dispatches': [other_done]}}, 'create_')
    assert kind == 'refused', answer
    assert 'not allowed to read' in answer['error'][1][0]
    assert fingerprint() == before

    # The technician's own part comes back
    kind, answer = site.wizard('technician',
        'service.dispatch.return_parts', ('service.dispatch', ids['own']),
        {'start': {'lines': [line(ids['own_part'])]}},
        'return_')
    assert kind == 'result', answer
    part, = site.ok('manager', 'service.dispatch.part', 'read',
        [ids['own_part']], ['quantity_returned'])
    assert part['quantity_returned'] == 1
    chen, = site.ok('manager', 'service.dispatch.part', 'read',
        [ids['chen_part']], ['quantity_returned'])
    assert chen['quantity_returned'] == 0


def test_quoted_and_issued_stay(site):
    """What the quotation priced and the stock issued stays on the work
    order; what the work records goes on being written"""
    ids = records(
        quoted=('service.dispatch', [
                ('technician.party.name', '=', "Liu Yang"),
                ('state', '=', 'draft')]),
        done=('service.dispatch', [
                ('technician.party.name', '=', "Liu Yang"),
                ('state', '=', 'done')]),
        quoted_labour=('service.dispatch.labour', [
                ('dispatch.technician.party.name', '=', "Liu Yang"),
                ('dispatch.state', '=', 'draft')]),
        quoted_part=('service.dispatch.part', [
                ('dispatch.technician.party.name', '=', "Liu Yang"),
                ('dispatch.state', '=', 'draft')]),
        issued_part=('service.dispatch.part', [
                ('dispatch.technician.party.name', '=', "Chen Jie")]),
        air_conditioner=('product.product', [
                ('name', '=', "Air Conditioner")]))
    Part = 'service.dispatch.part'
    Labour = 'service.dispatch.labour'

    def flipped(model, id_):
        "The chargeable flag the line has not"
        line, = site.ok('manager', model, 'read', [id_], ['chargeable'])
        return {'chargeable': not line['chargeable']}
    # A part issued from stock: what the stock move took
    for values in [{'unit_price': Decimal(0)},
            flipped(Part, ids['issued_part']),
            {'product': ids['air_conditioner']}]:
        assert 'requested from stock' in site.refused(
            'dispatcher', Part, 'write', [ids['issued_part']], values)
    site.ok('dispatcher', Part, 'write', [ids['issued_part']],
        {'quantity': 2.0, 'description': "One more fan"})
    # A quoted part and labour: what the customer accepted
    for values in [{'unit_price': Decimal(0)}, {'quantity': 50.0},
            flipped(Part, ids['quoted_part'])]:
        assert 'quoted to the customer' in site.refused(
            'technician', Part, 'write', [ids['quoted_part']], values)
    for values in [{'unit_price': Decimal(0)},
            flipped(Labour, ids['quoted_labour'])]:
        assert 'quoted to the customer' in site.refused(
            'technician', Labour, 'write', [ids['quoted_labour']], values)
    # ... also through the work order's lines
    assert 'quoted to the customer' in site.refused(
        'technician', 'service.dispatch', 'write', [ids['quoted']],
        {'labour': [('write', [ids['quoted_labour']],
                    {'unit_price': Decimal(0)})]})
    # The hours worked are recorded
    site.ok('technician', Labour, 'write', [ids['quoted_labour']],
        {'hours': Decimal('2.5')})
    # The travel quoted: its price, not the distance driven
    for values in [{'travel_unit_price': Decimal(0)},
            {'travel_product': None}]:
        assert 'travel has been quoted' in site.refused(
            'dispatcher', 'service.dispatch', 'write', [ids['quoted']],
            values)
    site.ok('dispatcher', 'service.dispatch', 'write', [ids['quoted']],
        {'travel_quantity': 12.0})
    # Done: the lines, the equipment and the request stay
    assert 'done or cancelled' in site.refused(
        'manager', Labour, 'create', [{'dispatch': ids['done'],
                'employee': records(e=('company.employee',
                        [('party.name', '=', "Chen Jie")]))['e'],
                'hours': Decimal(50)}])
    for values in [{'equipment': None}, {'travel_unit_price': Decimal(0)}]:
        assert 'done or cancelled' in site.refused(
            'manager', 'service.dispatch', 'write', [ids['done']], values)


def test_reported_times_and_signature(site):
    """The times a person reports keep the workflow's order, the signature
    is a picture; a request accepted again keeps its first acceptance"""
    ids = records(
        working=('service.dispatch', [
                ('technician.party.name', '=', "Chen Jie")]),
        done=('service.dispatch', [
                ('technician.party.name', '=', "Liu Yang"),
                ('state', '=', 'done')]),
        request=('service.request', [
                ('company.party.name', '!=', "Other Company"),
                ('state', '=', 'open'), ('dispatches', '=', None),
                ('description', '=', "The unit does not start.")]))
    working, = site.ok('chen', 'service.dispatch', 'read',
        [ids['working']], ['arrival_date'])
    arrival = working['arrival_date']

    # Any bytes are not a signature
    for data in [b'signature', b'<svg onload="alert(1)"/>', b'\x00' * 8]:
        assert 'must be a picture' in site.refused(
            'chen', 'service.dispatch', 'write', [ids['working']],
            {'signature': data})
    site.ok('chen', 'service.dispatch', 'write', [ids['working']],
        {'signature': SIGNATURE, 'signed_by': "Zhang Wei"})
    # Leaving before arriving
    assert 'cannot be before the arrival' in site.refused(
        'chen', 'service.dispatch', 'write', [ids['working']],
        {'departure_date': arrival - dt.timedelta(minutes=1)})
    site.ok('chen', 'service.dispatch', 'write', [ids['working']],
        {'departure_date': dt.datetime.now()})
    # Times to come: a departure in next year, a back-dated arrival before
    # the request was accepted
    for values in [{'departure_date': dt.datetime(2027, 12, 31, 9)},
            {'arrival_date': dt.datetime.now() + dt.timedelta(hours=1)},
            {'signed_date': dt.datetime.now() + dt.timedelta(days=1)}]:
        assert 'cannot be in the future' in site.refused(
            'chen', 'service.dispatch', 'write', [ids['working']], values)
    assert 'before service request' in site.refused(
        'chen', 'service.dispatch', 'write', [ids['working']],
        {'arrival_date': dt.datetime(2020, 1, 1, 9)})
    # A report back before the technician left, or after today
    assert 'cannot be received before' in site.refused(
        'desk', 'service.dispatch', 'write', [ids['done']],
        {'report_received_date': dt.date(1990, 1, 1)})
    assert 'cannot be received after today' in site.refused(
        'desk', 'service.dispatch', 'write', [ids['done']],
        {'report_received_date': dt.date.today() + dt.timedelta(days=2)})

    # Cancelled, set back to draft, re-dated and accepted again: the SLA
    # still counts from the first acceptance and the first report date
    first, = site.ok('desk', 'service.request', 'read', [ids['request']],
        ['accepted_date', 'reported_date', 'response_deadline',
            'resolution_deadline'])
    site.ok('desk', 'service.request', 'cancel', [ids['request']])
    site.ok('desk', 'service.request', 'draft', [ids['request']])
    assert 'once it has been accepted' in site.refused(
        'desk', 'service.request', 'write', [ids['request']],
        {'reported_date': dt.datetime.now()})
    site.ok('desk', 'service.request', 'open', [ids['request']])
    again, = site.ok('desk', 'service.request', 'read', [ids['request']],
        list(first))
    assert again == first


def test_customer_service_level_per_company(site):
    """The service level agreed with a customer is each company's, set by
    its service manager"""
    ids = records(
        customer=('party.party', [('name', '=', "Zhang Wei")]),
        main_sla=('service.sla', [
                ('company.party.name', '!=', "Other Company"),
                ('name', '=', "Spare M")]))
    with Transaction().start(DB_NAME, 0, readonly=True):
        other_sla, = Pool().get('service.sla').search(
            [('company.party.name', '=', "Other Company"),
                ('name', '=', "Spare O")])
        other_sla = other_sla.id
    customer = ids['customer']
    # The desk and the technician do not change what was agreed
    for login in ['desk', 'technician', 'dispatcher']:
        assert 'not allowed' in site.refused(
            login, 'party.party', 'write', [customer],
            {'service_sla': ids['main_sla']})
    # The other company's manager sets its own ...
    main, = site.ok('manager', 'party.party', 'read', [customer],
        ['service_sla'])
    assert main['service_sla'] not in {None, ids['main_sla']}
    site.ok('other', 'party.party', 'write', [customer],
        {'service_sla': other_sla})
    # ... which is not the first company's
    party, = site.ok('manager', 'party.party', 'read', [customer],
        ['service_sla'])
    assert party == main
    site.ok('manager', 'party.party', 'write', [customer],
        {'service_sla': ids['main_sla']})
    party, = site.ok('other', 'party.party', 'read', [customer],
        ['service_sla'])
    assert party['service_sla'] == other_sla
    # Nor can a manager set the other company's SLA as his
    assert 'domain' in site.refused(
        'manager', 'party.party', 'write', [customer],
        {'service_sla': other_sla})


def test_cancel_and_copy_work_orders(site):
    """The desk does not cancel a request under way; a part or labour line
    copies without its stock moves"""
    ids = records(
        working=('service.dispatch', [
                ('technician.party.name', '=', "Chen Jie")]),
        part=('service.dispatch.part', [
                ('dispatch.technician.party.name', '=', "Chen Jie")]),
        labour=('service.dispatch.labour', [
                ('dispatch.technician.party.name', '=', "Chen Jie")]))
    request, = site.ok('desk', 'service.dispatch', 'read',
        [ids['working']], ['request'])
    assert 'cancel the work order first' in site.refused(
        'desk', 'service.request', 'cancel', [request['request']])
    part, = site.ok('dispatcher', 'service.dispatch.part', 'copy',
        [ids['part']], {})
    with Transaction().start(DB_NAME, 0, readonly=True):
        copied = Pool().get('service.dispatch.part')(part)
        assert copied.moves == () and copied.quantity_issued == 0
        assert copied.dispatch.id == ids['working']
    site.ok('dispatcher', 'service.dispatch.labour', 'copy',
        [ids['labour']], {})


def test_one_day_kpi_window_tells_no_answer(site):
    """A technician does not read one customer's follow-up score from his
    KPI row over a day; the manager does"""
    ids = records(survey=('service.survey', [
                ('company.party.name', '!=', "Other Company"),
                ('state', '=', 'pending')]))
    site.ok('desk', 'service.survey', 'write', [ids['survey']],
        {'attitude': 1, 'timeliness': 2, 'quality': 2, 'overall': 1})
    site.ok('desk', 'service.survey', 'answer', [ids['survey']])
    survey, = site.ok('desk', 'service.survey', 'read', [ids['survey']],
        ['date', 'technician'])
    day = survey['date']

    def satisfaction(login):
        context = dict(site.server.contexts[login], from_date=day,
            to_date=day)
        status, answer = site.server.post(
            'model.service.kpi.technician.search_read',
            [[('technician', '=', survey['technician'])], 0, None, None,
                ['satisfaction', 'complaints'], context], login=login)
        assert status == 200 and 'result' in answer, answer
        row, = answer['result']
        return row['satisfaction']
    assert satisfaction('technician') is None
    assert satisfaction('manager') == 1
