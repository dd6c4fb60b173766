# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Who may do what in the service department, checked as each user.

The database is a copy of the roles layer (tests/layers.py,
tests/role_data.py): the three modules with their extras, a company with a
chart of accounts and a second company with records of its own.  Each role of the department is a user of the first
company: the desk agent (*Service Desk*), the dispatcher (*Service
Dispatcher*), the technician Liu Yang (*Service Technician*, linked to his
employee), the warehouse clerk (stock's *Stock*), the accountant (account's
*Accounting*) and the service manager (*Service Manager*); ``other`` is a user
of the second company in all these groups at once.

Every call is made as that user the way the RPC dispatcher makes it
(``trytond.protocols.dispatcher._dispatch``): a transaction started with the
user's id and the context the client sends (the user's preferences), the
arguments converted by the method's ``RPC`` so that access is checked, then
rolled back.  The administrator is never used for a check: it bypasses the
rules.

``MODELS`` is the expected matrix, least privilege for what each role does:
for each stored model of the three modules (read from ``ir.model``, so that a
new model without a row fails) the operations each role may do on the first
company's records.  ``r`` reads the record and opens its form
(``fields_view_get`` then ``read`` as the client does), ``w`` writes a field,
``c`` creates, ``d`` deletes.  The records are those of a draft work order
of Liu Yang, so the technician's column is about his own work; the desk
writes only done work orders (``FIELDS``: when the signed report came back).
The models a client reaches only through a field of another model
(``THROUGH``) are tried through it: adding (``c``) or removing (``d``) a
link, writing the company's configuration value (``w``).  The KPIs are read
as their list, with the first company in the context.  ``BUTTONS`` (the
group check, clicked on no record), ``WIZARDS`` and ``REPORTS`` say who may
click, run and print what, enumerated from the models and the modules'
actions.  Every cell is compared with what the server does and each
difference is reported as role / model / operation.

Beside the matrix: the technician sees only his own work orders (with their
repair logs, parts and labour) and only his own KPI row; the other company's
user sees none of the first company's records, even with the first company
in its context, and the first company's users none of the second's.  One
hole is known and marked as an expected failure: a user sending another
company in the context writes that company's configuration values.
"""
import io
import pathlib
import textwrap
import zipfile

import layers
import pytest
from rpc import dispatch
from role_data import (
    COMPANY_PATHS, KPI_MODELS, SERVICE_MODULES, USERS, Records)

from trytond.tests.test_tryton import DB_NAME, drop_db
from trytond.modules.service_desk.exceptions import ClientRecordError
from trytond.model import ModelStorage, fields
from trytond.model.exceptions import (
    AccessButtonError, AccessError, ValidationError)
from trytond.pool import Pool
from trytond.transaction import Transaction

ROOT = pathlib.Path(__file__).resolve().parent.parent
ROLES = ['desk', 'dispatcher', 'technician', 'warehouse', 'accountant',
    'manager', 'other']


def table(text):
    "Parse a table: a model per row, a role per column"
    header, *rows = textwrap.dedent(text).strip().splitlines()
    roles = header.split()[1:]
    result = {}
    for row in rows:
        key, *cells = row.split()
        assert len(cells) == len(roles), row
        for role, cell in zip(roles, cells):
            result.setdefault(role, {})[key] = (
                set() if cell == '-' else set(cell))
    return result


# r: read (open the form), w: write, c: create, d: delete
MODELS = table('''
    model                               desk dispatcher technician warehouse accountant manager other
    service.configuration               r    r    r    r    r    rwcd rwcd
    service.configuration.company       r    r    r    r    r    rw   rw
    service.sla                         r    r    r    r    r    rwcd -
    party.party.service_sla             r    r    r    r    r    rw   rw
    service.sla.line                    r    r    r    r    r    rwcd -
    service.sla.hour                    r    r    r    r    r    rwcd -
    service.sla.holiday                 r    r    r    r    r    rwcd -
    service.request.type                r    r    r    r    r    rwcd rwcd
    service.complaint.category          r    r    r    r    r    rwcd rwcd
    service.request                     rwcd r    r    -    -    rwcd -
    service.request.pause               rwc  r    r    -    -    rwcd -
    service.equipment                   rwc  r    r    r    -    rwcd -
    service.contract                    r    r    r    -    r    rwcd -
    service.contract.time_band          r    r    r    -    r    rwcd -
    service.contract.fee                -    -    -    -    r    r    -
    service.renewal                     rw   -    -    -    -    rw   -
    service.link                        -    -    -    -    -    -    -
    service.contract-service.equipment  r    r    r    -    -    rcd  -
    service.skill                       r    r    r    r    r    rwcd rwcd
    company.employee-service.skill      r    r    r    r    r    r    r
    service.request.type-service.skill  r    r    r    r    r    rcd  rcd
    service.dispatch                    r    rwcd rw   r    r    rwcd -
    service.repair.log                  r    rwcd rwcd r    r    rwcd -
    service.dispatch.finding            r    rwcd rwcd r    r    rwcd -
    service.inspection.checklist        r    r    r    -    -    rwcd rwcd
    service.inspection.checklist.item   r    r    r    -    -    rwcd rwcd
    service.dispatch.labour             r    rwcd rwcd -    r    rwcd -
    service.dispatch.part               r    rwcd rwcd r    r    rwcd -
    service.survey                      rwc  -    -    -    -    rwcd -
    service.survey.reason               r    -    -    -    -    rwcd rwcd
    service.kpi.technician              -    -    r    -    -    r    -
    service.kpi.period                  -    -    -    -    -    r    -
    service.kpi.product                 -    -    -    -    -    r    -
    service.kpi.product.cause           -    -    -    -    -    r    -
    service.kpi.customer                -    -    -    -    -    r    -
    service.survey.level                -    -    -    -    -    r    -
    service.survey.reason.share         -    -    -    -    -    r    -
    service.bonus                       -    -    -    -    -    rwcd -
    service.management.report.recipient -    -    -    -    -    rwcd -
    service.management.report           -    -    -    -    -    r    -
    service.bonus.line                  -    -    -    -    -    rwcd -
    service.bonus.agreement             -    -    -    -    -    r    -
    service.fine                        -    -    r    -    -    rwcd -
    ''')

# x: may click (tried on no record: the group check alone)
BUTTONS = table('''
    button                              desk dispatcher technician warehouse accountant manager
    service.request:open                x    -    -    -    -    x
    service.request:start               x    -    -    -    -    x
    service.request:wait                x    -    -    -    -    x
    service.request:resume              x    -    -    -    -    x
    service.request:resolve             x    -    -    -    -    x
    service.request:close               x    -    -    -    -    x
    service.request:reopen              x    -    -    -    -    x
    service.request:cancel              x    -    -    -    -    x
    service.request:draft               x    -    -    -    -    x
    service.request:raise_complaint     x    -    -    -    -    x
    service.request:answer_complaint    x    -    -    -    -    x
    service.request:transfer_complaint  x    -    -    -    -    x
    service.request:status_link         x    -    -    -    -    x
    service.equipment:create_request    x    -    -    -    -    x
    service.contract:activate           -    -    -    -    -    x
    service.contract:cancel             -    -    -    -    -    x
    service.contract:draft              -    -    -    -    -    x
    service.renewal:accept              x    -    -    -    -    x
    service.renewal:decline             x    -    -    -    -    x
    service.renewal:to_contact          x    -    -    -    -    x
    service.renewal:renew               x    -    -    -    -    x
    service.dispatch:assign             -    x    -    -    -    x
    service.dispatch:suggest_technician -    x    -    -    -    x
    service.dispatch:confirm            -    x    x    -    -    x
    service.dispatch:start              -    x    x    -    -    x
    service.dispatch:done               -    x    x    -    -    x
    service.dispatch:signing_link       -    x    x    -    -    x
    service.dispatch:cancel             -    x    -    -    -    x
    service.dispatch:draft              -    x    -    -    -    x
    service.dispatch:send_quotation     x    x    -    -    -    x
    service.dispatch:accept_quotation   x    x    -    -    -    x
    service.dispatch:refuse_quotation   x    x    -    -    -    x
    service.dispatch:quotation_link     x    x    x    -    -    x
    service.dispatch:request_parts      -    x    x    -    -    x
    service.dispatch:issue_parts        -    -    -    x    -    -
    service.dispatch:return_parts       -    x    x    x    -    x
    service.dispatch:invoice            -    -    -    -    x    -
    service.survey:answer               x    -    -    -    -    x
    service.survey:no_answer            x    -    -    -    -    x
    service.survey:cancel               x    -    -    -    -    x
    service.survey:pending              x    -    -    -    -    x
    service.survey:survey_link          x    -    -    -    -    x
    service.bonus:compute               -    -    -    -    -    x
    service.bonus:confirm               -    -    -    -    -    x
    service.bonus:cancel                -    -    -    -    -    x
    service.bonus:draft                 -    -    -    -    -    x
    ''')

# x: may start the wizard on the record it is made for
WIZARDS = table('''
    wizard                              desk dispatcher technician warehouse accountant manager
    service.equipment.create_request    x    -    -    -    -    x
    service.renewal.renew               x    -    -    -    -    x
    service.complaint.register          x    -    -    -    -    x
    service.dispatch.suggest_technician -    x    -    -    -    x
    service.dispatch.return_parts       -    x    x    x    -    x
    service.dispatch.create_invoices    -    -    -    -    x    -
    service.contract.invoice_fees       -    -    -    -    x    -
    service.kpi.failure_report          -    -    -    -    -    x
    service.management.summary          -    -    -    -    -    x
    service.kpi.dashboard.open          -    -    -    -    -    x
    service.product.set_warranty        -    -    -    -    -    x
    service.equipment.build             -    -    -    -    -    x
    ''')

# x: may print
REPORTS = table('''
    report                              desk dispatcher technician warehouse accountant manager
    service.request.acknowledgement     x    -    -    -    -    x
    service.complaint.register          x    -    -    -    -    x
    service.request.email_complaint_escalated x x x - -  x
    service.dispatch                    -    x    x    -    -    x
    service.dispatch.blank              -    x    x    -    -    x
    service.dispatch.quotation          x    x    x    -    -    x
    service.dispatch.inspection_report  x    x    x    -    -    x
    service.kpi.failure_report          -    -    -    -    -    x
    service.management.summary          -    -    -    -    -    x
    service.bonus                       -    -    -    -    -    x
    service.request.email_accepted      x    x    x    -    -    x
    service.dispatch.email_confirmed    x    x    x    x    x    x
    service.dispatch.email_assigned     x    x    x    x    x    x
    ''')

# x: may write the field (on a done work order of Liu Yang)
FIELDS = table('''
    field                                  desk dispatcher technician warehouse accountant manager
    service.dispatch:report_received_date  x    x    -    -    -    x
    service.dispatch:notes                 x    x    x    -    -    x
    ''')




# The server -----------------------------------------------------------------

class Session:
    "A user calling the server as the RPC dispatcher does"

    def __init__(self, login):
        with Transaction().start(DB_NAME, 0):
            User = Pool().get('res.user')
            self.user, = User.search([('login', '=', login)])
            self.user = self.user.id
        self.login = login
        self.context = {}
        self.context = self.call('res.user', 'get_preferences', True)

    def call(self, name, method, *args, type='model', context=None):
        "Call like the dispatcher, then roll back"
        return dispatch(DB_NAME, self.user, name, method, *args, type=type,
            context=dict(self.context, **(context or {})), commit=False)

    def allowed(self, name, method, *args, **kwargs):
        "Return whether the server lets the call through its access checks"
        try:
            self.call(name, method, *args, **kwargs)
        except AccessButtonError as exception:
            if 'not allowed' in exception.message:
                return False
            raise
        except AccessError as exception:
            # Modules raise subclasses for their business rules; a record
            # set in a field that the user may not see is refused as the
            # record itself is
            if type(exception) in {AccessError, ClientRecordError}:
                return False
            raise
        return True


def open_form(session, name, id_, context=None):
    "Read a record as the client opens its form"
    view = session.call(
        name, 'fields_view_get', None, 'form', context=context)
    names = ['rec_name']
    for fname, definition in view['fields'].items():
        names.append(fname)
        if definition['type'] in {'many2one', 'one2one', 'reference'}:
            names.append(f'{fname}.rec_name')
    return session.call(name, 'read', [id_], names, context=context)


# The models the client reaches only through a field of another model
THROUGH = {
    'service.configuration.company': (
        'service.configuration', 'acceptance_hours'),
    'party.party.service_sla': ('party.party', 'service_sla'),
    'service.contract-service.equipment': ('service.contract', 'equipments'),
    'company.employee-service.skill': ('company.employee', 'service_skills'),
    'service.request.type-service.skill': (
        'service.request.type', 'skills'),
    }
# The company-dependent values of a record, written through its field
COMPANY_VALUES = {'service.configuration.company', 'party.party.service_sla'}
# Shared by the companies
SHARED = {
    'service.configuration', 'service.request.type', 'service.skill',
    'service.request.type-service.skill', 'service.survey.reason',
    'service.complaint.category', 'service.inspection.checklist',
    'service.inspection.checklist.item'}


# The tests ------------------------------------------------------------------

@pytest.fixture(scope='module')
def db():
    layers.use('roles')
    records = Records()
    sessions = {login: Session(login) for login in USERS}
    yield records, sessions
    drop_db()


def test_models_enumerated(db):
    "Every stored model of the modules has a row and a company path"
    with Transaction().start(DB_NAME, 0):
        pool = Pool(DB_NAME)
        IrModel = pool.get('ir.model')
        stored = {m.name for m in IrModel.search(
                    [('module', 'in', SERVICE_MODULES)])
            if issubclass(pool.get(m.name), ModelStorage)}
        without_rpc = {n for n in stored if 'read' not in pool.get(n).__rpc__}
    for role in ROLES:
        assert set(MODELS[role]) == stored, role
    assert set(COMPANY_PATHS) | set(KPI_MODELS) | SHARED == stored
    assert without_rpc == set(THROUGH)


def _expected_differences(expected, actual):
    return [f"{role} / {key} / {op}: expected "
        f"{'allowed' if op in expected[role][key] else 'refused'}, "
        f"the server {'allows' if op in actual[role][key] else 'refuses'}"
        for role in sorted(expected) for key in sorted(expected[role])
        for op in sorted(expected[role][key] ^ actual[role][key])]


def _read(session, name, id_, problems):
    """Return whether the role reads the record's columns, and note in
    problems when it does but cannot open its form"""
    Model = Pool(DB_NAME).get(name)
    stored = [f for f, field in Model._fields.items()
        if not isinstance(field, (
                    fields.Function, fields.One2Many, fields.Many2Many))]
    if not session.allowed(name, 'read', [id_], stored):
        return False
    try:
        open_form(session, name, id_)
    except AccessError as exception:
        problems.append(f"{session.login} / {name} / r: reads the record "
            f"but its form fails: {exception.message}")
    return True


def _read_report(session, name, company_id):
    "Return whether the role lists the company's rows (whatever its company)"
    context = {'company': company_id}
    try:
        view = session.call(
            name, 'fields_view_get', None, 'tree', context=context)
        rows = session.call(
            name, 'search_read', [], 0, None, None,
            list(view['fields']) + ['company'],
            context=context)
    except AccessError as exception:
        if type(exception) is not AccessError:
            raise
        return False
    return any(row['company'] == company_id for row in rows)


def _operations(session, name, target, problems):
    "Return the operations the server lets the session do on the model"
    if name in THROUGH:
        parent_name, field = THROUGH[name]
        parent, added, removed = target
        ops = set()
        try:
            session.call(parent_name, 'read', [parent.id], [field])
        except AccessError as exception:
            if type(exception) is not AccessError:
                raise
        else:
            ops.add('r')
        if added is None:
            value = session.call(
                parent_name, 'read', [parent.id], [field])[0][field]
            if session.allowed(
                    parent_name, 'write', [parent.id], {field: value}):
                ops.add('w')
        else:
            if session.allowed(parent_name, 'write', [parent.id],
                    {field: [('add', [added])]}):
                ops.add('c')
            if session.allowed(parent_name, 'write', [parent.id],
                    {field: [('remove', [removed])]}):
                ops.add('d')
        return ops
    record, write, create = target
    if name in KPI_MODELS:
        return {'r'} if _read_report(session, name, write) else set()
    ops = {'r'} if _read(session, name, record.id, problems) else set()
    if session.allowed(name, 'write', [record.id], write):
        ops.add('w')
    if session.allowed(name, 'create', [create]):
        ops.add('c')
    if session.allowed(name, 'delete', [record.id]):
        ops.add('d')
    return ops


def test_matrix_shape():
    "The matrix asks only what the server can do"
    for role in ROLES:
        for name, ops in MODELS[role].items():
            if name in KPI_MODELS:
                assert ops <= {'r'}, f"{role}: {name} is read-only SQL"
            elif name in COMPANY_VALUES:
                assert not ops & {'c', 'd'}, (
                    f"{role}: {name} is a value of the company")
            elif name in THROUGH:
                assert 'w' not in ops, f"{role}: {name} rows are only linked"


@pytest.mark.parametrize('role', ROLES)
def test_models(db, role):
    "What each role may do with each model, as the server answers"
    records, sessions = db
    session = sessions[role]
    problems = []
    actual = {
        name: _operations(session, name, records.targets[name], problems)
        for name in MODELS[role]}
    differences = problems + _expected_differences(
        {role: MODELS[role]}, {role: actual})
    assert not differences, '\n'.join(differences)


def _model_data(model, module_names):
    "Return the records of model the modules create"
    pool = Pool(DB_NAME)
    ModelData = pool.get('ir.model.data')
    Model = pool.get(model)
    return Model.browse([d.db_id for d in ModelData.search([
                    ('module', 'in', module_names),
                    ('model', '=', model),
                    ])])


def test_buttons(db):
    "Who may click each button of the modules' models"
    records, sessions = db
    pool = Pool(DB_NAME)
    with Transaction().start(DB_NAME, 0):
        IrModel = pool.get('ir.model')
        buttons = {f'{m.name}:{b}'
            for m in IrModel.search([('module', 'in', SERVICE_MODULES)])
            for b in getattr(pool.get(m.name), '_buttons', {})}
    expected = {r: BUTTONS[r] for r in BUTTONS}
    assert set(BUTTONS['desk']) == buttons
    actual = {}
    for role in BUTTONS:
        session = sessions[role]
        actual[role] = {}
        for key in BUTTONS[role]:
            name, button = key.split(':')
            actual[role][key] = (
                {'x'} if session.allowed(name, button, []) else set())
    differences = _expected_differences(expected, actual)
    assert not differences, '\n'.join(differences)


# The products a wizard of the products is tried on
PRODUCTS = {
    'product.product': lambda pool, records: pool.get('product.product')(
        records.air_conditioner.id),
    'product.template': lambda pool, records: pool.get('product.product')(
        records.air_conditioner.id).template,
    }


def _wizard_contexts(records):
    "Return the context the client starts each wizard with"
    contexts = {}
    with Transaction().start(DB_NAME, 0):
        for action in _model_data('ir.action.wizard', SERVICE_MODULES):
            if action.model in PRODUCTS:
                record = PRODUCTS[action.model](Pool(DB_NAME), records)
            elif action.model:
                record = records.targets[action.model][0]
            if action.model:
                contexts[action.wiz_name] = {
                    'action_id': action.action.id,
                    'active_model': action.model,
                    'active_id': record.id, 'active_ids': [record.id]}
            else:
                contexts.setdefault(action.wiz_name, {
                        'action_id': action.action.id,
                        'active_model': 'ir.ui.menu'})
    return contexts


def test_wizards(db):
    "Who may run each wizard of the modules, on the record it is made for"
    records, sessions = db
    contexts = _wizard_contexts(records)
    assert set(WIZARDS['desk']) == set(contexts)
    actual = {role: {
            name: {'x'} if sessions[role].allowed(
                name, 'create', type='wizard', context=contexts[name])
            else set()
            for name in WIZARDS[role]}
        for role in WIZARDS}
    differences = _expected_differences(WIZARDS, actual)
    assert not differences, '\n'.join(differences)


def _report_data(records, report):
    "Return the ids and data the client sends to print the report"
    if report.model:
        return [records.targets[report.model][0].id], {
            'action_id': report.action.id, 'model': report.model}
    today = records.today
    return [], {
        'action_id': report.action.id, 'company': records.main.id,
        'from_date': today.replace(day=1), 'to_date': today}


def test_reports(db):
    "Who may print each report of the modules"
    records, sessions = db
    with Transaction().start(DB_NAME, 0):
        reports = {r.report_name: r for r in _model_data(
                'ir.action.report', SERVICE_MODULES)}
        data = {n: _report_data(records, r) for n, r in reports.items()}
    assert set(REPORTS['desk']) == set(reports)
    actual = {role: {
            name: {'x'} if sessions[role].allowed(
                name, 'execute', *data[name], type='report') else set()
            for name in REPORTS[role]}
        for role in REPORTS}
    differences = _expected_differences(REPORTS, actual)
    assert not differences, '\n'.join(differences)


def test_fields(db):
    "Who may record what on a done work order of the technician"
    records, sessions = db
    values = {
        'report_received_date': records.today,
        'notes': "Signed report received.",
        }
    actual = {}
    for role in FIELDS:
        actual[role] = {}
        for key in FIELDS[role]:
            name, field = key.split(':')
            actual[role][key] = {'x'} if sessions[role].allowed(
                name, 'write', [records.done_dispatch.id],
                {field: values[field]}) else set()
    differences = _expected_differences(FIELDS, actual)
    assert not differences, '\n'.join(differences)


def _visible(session, name, context=None):
    "Return the ids of the model the session finds"
    try:
        return set(session.call(name, 'search', [], context=context))
    except AccessError as exception:
        if type(exception) is not AccessError:
            raise
        return set()


def test_technician_sees_own_work(db):
    "Liu Yang sees and works only his own work orders and KPI row"
    records, sessions = db
    liu, chen = sessions['technician'], sessions['chen']
    ids = records.by_company[records.main.id]
    liu_id = records.employees["Liu Yang"]
    chen_id = records.employees["Chen Jie"]
    own = {records.dispatch.id, records.done_dispatch.id}
    assert _visible(liu, 'service.dispatch') == own
    assert _visible(chen, 'service.dispatch') == {records.chen_dispatch.id}
    lines = ['service.repair.log', 'service.dispatch.labour',
        'service.dispatch.part', 'service.dispatch.finding']
    with Transaction().start(DB_NAME, 0):
        pool = Pool()
        mine = {name: {r.id for r in pool.get(name).search(
                        [('dispatch', 'in', list(own))])}
            for name in lines}
    for name in lines:
        assert mine[name]
        assert _visible(liu, name) == mine[name], name
    assert {r.id for r in ids['service.dispatch']} - own >= {
        records.chen_dispatch.id}

    other_order = records.chen_dispatch.id
    assert not liu.allowed(
        'service.dispatch', 'read', [other_order], ['number'])
    assert not liu.allowed(
        'service.dispatch', 'write', [other_order], {'notes': "Mine?"})
    assert not liu.allowed('service.dispatch', 'start', [other_order])
    assert not liu.allowed('service.repair.log', 'create', [{
                'dispatch': other_order, 'symptom': "Noise.",
                'result': 'fixed'}])
    assert not liu.allowed('service.dispatch', 'execute', [other_order],
        {'model': 'service.dispatch'}, type='report')
    assert liu.allowed('service.dispatch', 'execute', [records.dispatch.id],
        {'model': 'service.dispatch'}, type='report')
    # Nor does he hand his work order to a colleague
    assert not liu.allowed('service.dispatch', 'write', [records.dispatch.id],
        {'technician': chen_id})

    for context in [{}, {'technician': chen_id}]:
        rows = liu.call('service.kpi.technician', 'search_read', [], 0,
            None, None, ['technician'], context=context)
        assert {r['technician'] for r in rows} <= {liu_id}
    rows = liu.call('service.kpi.technician', 'search_read', [], 0,
        None, None, ['technician'])
    assert [r['technician'] for r in rows] == [liu_id]
    assert not liu.allowed(
        'service.kpi.technician', 'read', [chen_id], ['work_orders'])
    rows = sessions['manager'].call('service.kpi.technician', 'search_read',
        [], 0, None, None, ['technician'])
    assert {r['technician'] for r in rows} == {liu_id, chen_id}


def _users_of(sessions, company):
    return [s for login, s in sessions.items()
        if USERS[login][1] == company]


def test_companies_apart(db):
    "The companies' users see none of the other company's records"
    records, sessions = db
    main_ids = records.by_company[records.main.id]
    other_ids = records.by_company[records.other.id]
    pool = Pool(DB_NAME)
    leaks = []
    for company, users, theirs in [
            (records.main.id, _users_of(sessions, 'main'), other_ids),
            (records.other.id, _users_of(sessions, 'other'), main_ids),
            ]:
        forged = records.other.id if company == records.main.id else (
            records.main.id)
        for session in users:
            for name in COMPANY_PATHS:
                if 'search' not in pool.get(name).__rpc__:
                    continue
                their_ids = {r.id for r in theirs[name]}
                assert their_ids, name
                for context in [None, {'company': forged}]:
                    seen = _visible(session, name, context=context)
                    if seen & their_ids:
                        leaks.append(
                            f"{session.login} / {name} / search: "
                            f"{sorted(seen & their_ids)} with {context}")
            for name in KPI_MODELS:
                if _read_report(session, name, forged):
                    leaks.append(f"{session.login} / {name} / rows of "
                        f"company {forged}")
    assert not leaks, '\n'.join(leaks)


def test_other_company_changes_nothing(db):
    "Whatever the context it sends, the other company touches none of ours"
    records, sessions = db
    other = sessions['other']
    # Configuration values are per company
    assert other.allowed(
        'service.configuration', 'write', [1], {'acceptance_hours': 48})
    # Neither our contract covers its equipment nor its contract ours
    for name, id_, field, added in [
            ('service.equipment', records.other_equipment, 'contracts',
                records.targets['service.contract'][0].id),
            ('service.contract', records.other_contract, 'equipments',
                records.targets['service.equipment'][0].id),
            ]:
        with pytest.raises((AccessError, ValidationError)):
            other.call(name, 'write', [id_], {field: [('add', [added])]})
    with Transaction().start(DB_NAME, 0):
        reports = [r for r in _model_data('ir.action.report', SERVICE_MODULES)
            if r.model]
        prints = [(r.report_name, *_report_data(records, r)) for r in reports]
    # (the products are shared by the companies: their warranty months too)
    wizards = {n: c for n, c in _wizard_contexts(records).items()
        if c['active_model'] not in {'ir.ui.menu', *PRODUCTS}}
    for context in [{}, {'company': records.main.id}]:
        for name, (record, *_) in records.targets.items():
            if name in THROUGH or name in KPI_MODELS or name in SHARED:
                continue
            assert not other.allowed(name, 'read', [record.id], ['id'],
                context=context), name
        for key in BUTTONS['manager']:
            name, button = key.split(':')
            record = records.targets[name][0]
            assert not other.allowed(
                name, button, [record.id], context=context), key
        for name, wizard_context in wizards.items():
            assert not other.allowed(name, 'create', type='wizard',
                context=dict(context, **wizard_context)), name
        for name, ids, data in prints:
            assert not other.allowed(name, 'execute', ids, data,
                type='report', context=context), name
    # Nor does it print our failure report
    with Transaction().start(DB_NAME, 0):
        report, = [r for r in _model_data(
                'ir.action.report', ['service_kpi'])
            if r.report_name == 'service.kpi.failure_report']
        ids, data = _report_data(records, report)
    for session, shown in [(sessions['manager'], True), (other, False)]:
        content = _text(session.call(
                'service.kpi.failure_report', 'execute', ids, data,
                type='report')[1])
        assert ("Air Conditioner" in content) == shown, session.login


def _text(content):
    "Return the text of an OpenDocument, flat or zipped"
    if isinstance(content, str):
        return content
    if content[:2] == b'PK':
        with zipfile.ZipFile(io.BytesIO(content)) as document:
            return document.read('content.xml').decode()
    return content.decode()


def test_other_company_configuration(db):
    """The other company does not read or change our configuration from its
    context (Tryton trusts the company of the context for company-dependent
    values: their getter and setter run without access checks)"""
    records, sessions = db
    other = sessions['other']
    main = {'company': records.main.id}
    assert not other.allowed(
        'service.configuration', 'write', [1], {'acceptance_hours': 48},
        context=main)
    assert not other.allowed(
        'service.configuration', 'read', [1], ['acceptance_hours'],
        context=main)
    # Its own company's values it reads and writes
    assert other.allowed(
        'service.configuration', 'write', [1], {'acceptance_hours': 48})
    assert other.allowed(
        'service.configuration', 'read', [1], ['acceptance_hours'])
