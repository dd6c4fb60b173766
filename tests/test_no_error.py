# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""No #ERROR anywhere: what each demo user's menu opens, read as sao reads.

The web client shows #ERROR in a cell (and an error dialog) when a read it
makes raises.  This test logs in every user of ``scripts/demo.py`` but the
administrator, with the password a person types, over JSON-RPC to Tryton's
WSGI application, and walks the menu that user sees as the web client does
(``var/sao/src``):

- the menu: ``res.user.get_preferences`` gives the menu action, its tree
  view, the top-level entries and, level by level, their children;
- each entry clicked: ``ir.action.keyword.get_keyword('tree_open',
  ['ir.ui.menu', id])`` (``Sao.Action.exec_keyword``), each action it gives
  then executed as ``Sao.Action.exec_action`` does;
- a window (``ir.action.act_window``): its PYSON domain, context, order,
  search value and tabs decoded with the user's context, the defaults of its
  context model, the toolbar, its first view; for every tab the first rows
  (``search``, ``search_count`` when the page is full) read with the names
  ``Sao.Record.load`` asks for (the view's fields, ``x.rec_name`` of the
  relations, ``x:string`` of the selections, ``_timestamp``...), the tabs'
  counters; then the first row of each tab opened: its form read with every
  field of the form and the fields of its one2many and many2many lists (of
  every notebook page: sao reads those of the first page with the record,
  the others when their page is shown), the choices of its drop-downs
  searched, its attachments counted; a list opening on double-click
  (``keyword_open``) opens its related window instead; a dashboard opens
  each of its windows;
- a wizard (``ir.action.wizard``): ``create``, ``execute`` of its start
  state from the menu entry (active model ``ir.ui.menu``, as sao starts it)
  and what its start view shows: the records its lists name read with the
  lists' fields, the names of the records it names without one, the choices
  of its drop-downs; nothing further.  A wizard refusing to start with a
  message for the user ("nothing to invoice") is fine and printed; refused
  with an access error it fails.

Every error is collected, the failing read narrowed down to its fields, and
the test fails once with all of them: user, menu entry, model, fields and
the message.  The walk runs on a copy of the demo layer (``layers.demo``:
a file on SQLite, a template database on PostgreSQL) in a database of its
own, dropped at the end, so that it runs on both backends and leaves the
other tests' databases alone.
"""
import base64
import itertools
import json
import logging
import os
from collections import defaultdict
from xml.etree import ElementTree

import pytest
from werkzeug.test import Client

import layers
from cluster import PASSWORDS
from trytond import config
from trytond.pool import Pool
from trytond.protocols.jsonrpc import JSONDecoder, JSONEncoder
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import drop_db
from trytond.wsgi import app

# Rows read of each list, as a first page shows them
LIMIT = 10
# Sao.config.display_size: the lines of a form's lists read with it
DISPLAY_SIZE = 20
# The exceptions that make a wizard refusing to start a failure
ACCESS_ERRORS = {'AccessError', 'AccessButtonError', 'RecordAccessError'}
REC_NAMED = {'many2one', 'one2one', 'reference'}
SELECTIONS = {'selection', 'multiselection'}
X2MANY = {'one2many', 'many2many'}
META = ['_timestamp', '_write', '_delete']


# The wire -------------------------------------------------------------------

class RPCError(Exception):
    "What the server answered instead of a result, with what it raised"

    def __init__(self, error, exception=None):
        super().__init__(error)
        self.error = error
        self.exception = exception

    @property
    def access(self):
        "Whether the server refused with an access error"
        return bool(ACCESS_ERRORS & {
                c.__name__ for c in type(self.exception).__mro__})

    @property
    def user_error(self):
        "Whether the client shows it as a message (not a traceback)"
        return (isinstance(self.error, list) and len(self.error) == 2
            and self.error[0] in {'UserError', 'UserWarning'})

    def __str__(self):
        if self.user_error:
            text = ' '.join(str(a) for a in self.error[1][:2] if a)
        elif isinstance(self.error, list):
            # The exception and its traceback
            text = str(self.error[0])
        else:
            text = str(self.error)
        if self.exception is not None:
            text = f'{type(self.exception).__name__}: {text}'
        return ' '.join(text.split())


class Raised(logging.Filter):
    """The exception behind the last error answered: over the wire an
    AccessError is a UserError like any other.  The dispatcher logs it (with
    the exception when at DEBUG); this filter keeps it and drops the record"""

    def __init__(self):
        super().__init__()
        self.last = None

    def filter(self, record):
        if record.exc_info:
            self.last = record.exc_info[1]
        return False


class Session:
    "A user logged in with a password, calling as the web client calls"

    _ids = itertools.count(1)

    def __init__(self, client, database, raised, login, password):
        self.client, self.database, self.raised = client, database, raised
        self.login = login
        self.authorization = None
        self.context = {}
        self.user_id, key = self._post(
            'common.db.login', [login, {'password': password}, 'en'])[:2]
        token = base64.b64encode(
            f'{login}:{self.user_id}:{key}'.encode()).decode()
        self.authorization = f'Session {token}'
        self.context = self.call('model.res.user.get_preferences', True)
        self.preferences = self.call('model.res.user.get_preferences', False)

    def call(self, method, *params, context=None):
        "Sao.rpc: the session's context updated by the call's"
        return self._post(
            method, [*params, dict(self.context, **(context or {}))])

    def _post(self, method, params):
        self.raised.last = None
        headers = {}
        if self.authorization:
            headers['Authorization'] = self.authorization
        body = json.dumps({'id': next(self._ids), 'method': method,
                'params': params}, cls=JSONEncoder)
        response = self.client.post(f'/{self.database}/rpc/', data=body,
            headers=headers, content_type='application/json')
        if response.status_code != 200:
            raise RPCError(f'HTTP {response.status_code}', self.raised.last)
        answer = json.loads(response.data, object_hook=JSONDecoder())
        if 'error' in answer:
            raise RPCError(answer['error'], self.raised.last)
        return answer['result']


# What sao asks for -----------------------------------------------------------

def decode(value, context, default='[]'):
    "Sao.PYSON.Decoder"
    return PYSONDecoder(context).decode(value or default)


def x2many_names(field, prefix):
    "get_x2m_sub_fields of sao: a form's list read with its record"
    if not field.get('views'):
        return []
    view, = list(field['views'].values())[:1]
    names = []
    for name, sub in view.get('fields', {}).items():
        names.append(f'{prefix}.{name}')
        if sub['type'] in REC_NAMED:
            names.append(f'{prefix}.{name}.rec_name')
        elif sub['type'] in SELECTIONS:
            names.append(f'{prefix}.{name}:string')
        elif sub['type'] in X2MANY:
            names += x2many_names(sub, f'{prefix}.{name}')
    return names + [f'{prefix}.{m}' for m in META]


def read_names(fields, lazy):
    """Sao.Record.load: the names read for the fields of a view, eager (a
    list) or lazy (a form)"""
    names = []
    for name, field in fields.items():
        names.append(name)
        if field['type'] in REC_NAMED:
            names.append(f'{name}.rec_name')
        elif field['type'] in SELECTIONS and not lazy:
            names.append(f'{name}:string')
        elif field['type'] in X2MANY and lazy:
            names += x2many_names(field, name)
    if 'rec_name' not in fields:
        names.append('rec_name')
    return names + META


def first_view(field):
    "The view of a one2many or many2many the form gives with it"
    views = list((field.get('views') or {}).values())
    return views[0] if views else None


# The walk --------------------------------------------------------------------

class Walk:
    "One user's menu, opened entry by entry; failures and notes kept"

    def __init__(self, session):
        self.session = session
        self.login = session.login
        self.failures = []
        self.notes = []
        self.views = {}
        self.toolbars = set()
        self.done = set()

    def fail(self, where, model, names, error):
        self.failures.append((self.login, where, model, names, str(error)))

    def note(self, where, text):
        self.notes.append(f'{self.login}: {where}: {text}')

    def call(self, where, model, names, method, *params, context=None):
        "The result of the call, or None and a failure"
        try:
            return self.session.call(method, *params, context=context)
        except RPCError as error:
            self.fail(where, model, names, error)

    def read(self, where, model, ids, names, context):
        """Read the names of the records as sao does; when it fails, find
        the names that fail alone"""
        if not ids:
            return []
        method = f'model.{model}.read'
        try:
            return self.session.call(method, ids, names, context=context)
        except RPCError as error:
            failed = []
            for name in names:
                try:
                    self.session.call(method, ids, [name], context=context)
                except RPCError as alone:
                    failed.append((name, alone))
            for name, alone in failed or [(', '.join(names), error)]:
                self.fail(where, model, name, alone)

    def view(self, where, model, view_id, view_type, context):
        key = (model, view_id, view_type)
        if key not in self.views:
            self.views[key] = self.call(where, model, '(view)',
                f'model.{model}.fields_view_get', view_id, view_type,
                context=dict(context, view_tree_width=True))
        return self.views[key]

    # The menu

    def menu(self):
        "The entries of the menu the user sees: [(id, path)]"
        where = 'menu'
        action = decode(self.session.preferences['pyson_menu'], {}, '{}')
        model = action['res_model']
        context = decode(action.get('pyson_context'), self.session.context,
            '{}')
        domain = decode(action.get('pyson_domain'), self.session.context)
        view_id = (action.get('views') or [[None]])[0][0]
        view = self.view(where, model, view_id, 'tree', context)
        ids = self.call(where, model, '(search)', f'model.{model}.search',
            domain, 0, None, None, context=context)
        if not view or ids is None:
            return []
        childs = view['field_childs']
        names = read_names(view['fields'], lazy=False)
        if childs not in names:
            names.append(childs)
        entries, level = [], [(i, ()) for i in ids]
        while level:
            paths = dict(level)
            rows = self.read(
                where, model, list(paths), names, context) or []
            level = []
            for row in sorted(rows, key=lambda r: list(paths).index(r['id'])):
                path = paths[row['id']] + (row['name'],)
                entries.append((row['id'], ' / '.join(path)))
                level += [(c, path) for c in row[childs]]
        return entries

    def walk(self):
        for menu_id, path in self.menu():
            actions = self.call(path, 'ir.ui.menu', '(tree_open)',
                'model.ir.action.keyword.get_keyword',
                'tree_open', ['ir.ui.menu', menu_id], context={}) or []
            for action in actions:
                self.execute(action, path,
                    {'model': 'ir.ui.menu', 'id': menu_id})

    def execute(self, action, where, data, follow=True):
        "Sao.Action.exec_action"
        if action['id'] in self.done:
            return
        self.done.add(action['id'])
        if action['type'] == 'ir.action.act_window':
            self.window(action, where, data, follow=follow)
        elif action['type'] == 'ir.action.wizard':
            self.wizard(action, where, data)
        else:
            self.note(where, f"{action['type']} not opened")

    # A window

    def window(self, action, where, data, context=None, follow=True):
        ctx = {
            'active_model': data.get('model'),
            'active_id': data.get('id'),
            'active_ids': data.get('ids', []),
            }
        ctx.update(self.session.context, _user=self.session.user_id)
        context = dict(context or {},
            **decode(action.get('pyson_context'), ctx, '{}'))
        ctx.update(context)
        ctx['context'] = ctx
        ctx['_actions'] = {}
        model = action.get('res_model') or data.get('res_model')
        views = [tuple(v) for v in action.get('views') or []]
        if not views and action.get('view_id'):
            views = [(action['view_id'][0], 'tree')]
        if not model:
            self.board(action, where, views, context)
            return
        if not views:
            views = [(None, 'tree'), (None, 'form')]
        domain = decode(action.get('pyson_domain'), ctx)
        search_value = decode(action.get('pyson_search_value'), ctx)
        order = decode(action.get('pyson_order'), ctx, 'null')
        tabs = [(name, decode(d, ctx), count)
            for name, d, count in action.get('domains') or []]
        if action.get('context_model'):
            values = self.context_values(
                where, action['context_model'], context)
            if values is None:
                return
            context.update(values, context_model=action['context_model'])
            if action.get('context_domain'):
                domain = ['AND', domain, decode(
                        action['context_domain'], context)]
        # Screen.search_domain, without the tab
        searched = [d for d in [search_value, domain] if d]
        searched = ['AND', *searched] if len(searched) > 1 else (
            searched[0] if searched else [])
        if model not in self.toolbars:
            self.toolbars.add(model)
            self.call(where, model, '(toolbar)',
                f'model.{model}.view_toolbar_get', context=context)
        for name, tab, count in tabs:
            if count:
                self.call(f'{where} [tab {name}]', model, '(tab counter)',
                    f'model.{model}.search_count',
                    ['AND', tab, searched], 0, 1000, context=context)
        for name, tab, _ in tabs or [(None, None, False)]:
            tab_where = f'{where} [tab {name}]' if name else where
            self.screen(tab_where, model, views, ['AND', searched, tab]
                if tab else searched, order, context, follow)

    def context_values(self, where, model, context):
        "What the context model's form proposes (the context screen)"
        view = self.view(where, model, None, 'form', context)
        if not view:
            return None
        defaults = self.call(where, model, '(defaults)',
            f'model.{model}.default_get', list(view['fields']),
            context=context)
        if defaults is None:
            return None
        return {n: v for n, v in defaults.items() if n in view['fields']}

    def screen(self, where, model, views, domain, order, context, follow):
        "The first page of a window and its first row opened"
        (view_id, view_type), *others = views
        view = self.view(where, model, view_id, view_type, context)
        ids = self.call(where, model, '(search)', f'model.{model}.search',
            domain, 0, LIMIT, order, context=context)
        if not view or not ids:
            return
        if len(ids) == LIMIT:
            self.call(where, model, '(count)',
                f'model.{model}.search_count', domain, 0, LIMIT * 100,
                context=context)
        if view['type'] == 'form':
            self.form(where, model, ids[0], view, context)
            return
        names = read_names(view['fields'], lazy=False)
        rows = self.read(where, model, ids, names, context)
        childs = view.get('field_childs')
        if rows and childs:
            children = [c for r in rows for c in r.get(childs) or []]
            self.read(f'{where} (children)', model, children[:LIMIT],
                names, context)
        arch = ElementTree.fromstring(view['arch'])
        if arch.get('keyword_open') == '1':
            if follow:
                self.open_related(where, model, ids[0], context)
            return
        form_id = next((i for i, t in others if t == 'form'), None)
        form = self.view(where, model, form_id, 'form', context)
        if form:
            self.form(where, model, ids[0], form, context)

    def form(self, where, model, id_, view, context):
        "The record in its form: every field, the lines of its lists"
        where = f'{where} (form of {model},{id_})'
        names = read_names(view['fields'], lazy=True)
        context = dict(context)
        for name, field in view['fields'].items():
            if field['type'] == 'binary':
                context[f'{model}.{name}'] = 'size'
            elif field['type'] in X2MANY and field.get('views'):
                context['related_read_limit'] = DISPLAY_SIZE
        row, = self.read(where, model, [id_], names, context) or [{}]
        self.choices(where, view, row, context)
        self.call(where, model, '(attachments)', f'model.{model}.resources',
            id_, context=context)

    def choices(self, where, view, values, context):
        """The records a relation shown as a drop-down offers (sao's
        selection_mixin: search_read with the field's domain)"""
        for node in ElementTree.fromstring(view['arch']).iter('field'):
            field = view['fields'].get(node.get('name'), {})
            if node.get('widget') != 'selection' or 'relation' not in field:
                continue
            env = dict(context, **values)
            env['context'] = context
            self.call(where, field['relation'], 'rec_name',
                f'model.{field["relation"]}.search_read',
                decode(field.get('domain'), env), 0, None, None,
                ['rec_name'], context=context)

    def open_related(self, where, model, id_, context):
        "A list whose double-click opens the records' related window"
        data = {'model': model, 'id': id_, 'ids': [id_]}
        actions = self.call(where, model, '(tree_open)',
            'model.ir.action.keyword.get_keyword', 'tree_open',
            [model, id_], context={}) or []
        for action in actions:
            self.execute(action, f'{where} > {action["name"]}', data,
                follow=False)

    def board(self, action, where, views, context):
        "A dashboard: each window of its board view"
        for view_id, _ in views:
            view = self.call(where, 'ir.ui.view', '(board)',
                'model.ir.ui.view.view_get', view_id, context=context)
            if not view:
                continue
            for node in ElementTree.fromstring(view['arch']).iter('action'):
                name = node.get('name')
                window = self.call(where, 'ir.action.act_window', name,
                    'model.ir.action.act_window.get', name, context={})
                if window:
                    self.window(window, f'{where} > {window["name"]}', {},
                        context=context)

    # A wizard

    def wizard(self, action, where, data):
        "Sao.Wizard.run up to its start view, then closed"
        name = action['wiz_name']
        where = f'{where} (wizard {name})'
        context = {'active_id': data.get('id'), 'active_model': data['model'],
            'action_id': action['id']}
        if 'ids' in data:
            context['active_ids'] = data['ids']
        try:
            session_id, start, _ = self.session.call(f'wizard.{name}.create')
        except RPCError as error:
            self.refused(where, name, error)
            return
        try:
            result = self.session.call(f'wizard.{name}.execute',
                session_id, {}, start, context=context)
        except RPCError as error:
            self.refused(where, name, error)
        else:
            if 'view' in result:
                self.start_view(where, result['view'], context)
            else:
                opens = [a[0]['type'] for a in result.get('actions') or []]
                self.note(where, "starts without a view, opening "
                    + (', '.join(opens) or "nothing"))
        self.call(where, name, '(close)', f'wizard.{name}.delete',
            session_id)

    def refused(self, where, name, error):
        """A wizard refusing to start: with a message for the user it may
        (nothing to do), with an access error (or a traceback) it fails"""
        if error.user_error and error.exception and not error.access:
            self.note(where, f"refused to start: {error}")
        else:
            self.fail(where, name, '(start)', error)

    def start_view(self, where, view, context):
        "What the start view shows: its records' names, its lists' rows"
        fields = view['fields_view']['fields']
        values = dict(view.get('defaults') or {}, **view.get('values') or {})
        self.choices(where, view['fields_view'], values, context)
        for name, field in fields.items():
            value = values.get(name)
            if not value:
                continue
            if field['type'] in REC_NAMED:
                self.name_of(where, field, value, values.get(f'{name}.'),
                    context)
            elif field['type'] in X2MANY:
                self.lines(where, name, field, value, context)

    def name_of(self, where, field, value, given, context):
        "A relation the client shows by the name it is given, or reads"
        if (given or {}).get('rec_name') is not None:
            return
        if field['type'] == 'reference':
            model, value = value.split(',')
            value = int(value or -1)
        else:
            model = field['relation']
        if value >= 0:
            self.read(where, model, [value], ['rec_name'], context)

    def lines(self, where, name, field, value, context):
        "The lines of a list of the view, read with the list's fields"
        model = field['relation']
        view = first_view(field) or self.view(
            where, model, None, 'tree', context)
        if not view:
            return
        ids = [v for v in value if isinstance(v, int)]
        self.read(f'{where} [{name}]', model, ids,
            read_names(view['fields'], lazy=False), context)
        for line in (v for v in value if isinstance(v, dict)):
            for sub, sub_field in view['fields'].items():
                if sub_field['type'] in REC_NAMED and line.get(sub):
                    self.name_of(f'{where} [{name}]', sub_field, line[sub],
                        line.get(f'{sub}.'), context)


# The test --------------------------------------------------------------------

@pytest.fixture(scope='module')
def demo(tmp_path_factory):
    """A database of its own holding a copy of the demo layer, served by
    Tryton's WSGI application with its filestore (in var, the database's
    folder on SQLite); dropped after"""
    var = tmp_path_factory.mktemp('no_error')
    database = layers.DEMO
    if layers.postgresql_uri():
        database = f'test_no_error_{os.getpid()}'
    path = config.get('database', 'path')
    logger = logging.getLogger('trytond.protocols.dispatcher')
    level, raised = logger.level, Raised()
    config.set('database', 'path', str(var))
    try:
        layers.demo(var, database=database)
        Pool(database).init()
        logger.addFilter(raised)
        logger.setLevel(logging.DEBUG)
        yield Client(app), database, raised
    finally:
        logger.removeFilter(raised)
        logger.setLevel(level)
        drop_db(database)
        config.set('database', 'path', path)


def report(failures):
    "The failures by user, then by model, fields and message"
    grouped = defaultdict(lambda: defaultdict(list))
    for login, where, model, names, error in failures:
        grouped[login][model, names, error].append(where)
    lines = [f"{len(failures)} errors a user meets in the menus:"]
    for login, errors in grouped.items():
        lines.append(f"{login}:")
        for (model, names, error), places in errors.items():
            lines.append(f"  {model} {names}: {error}")
            lines += [f"    in {p}" for p in dict.fromkeys(places)]
    return '\n'.join(lines)


def test_no_error(demo):
    "Every demo user but the administrator walks the menu without an error"
    client, database, raised = demo
    failures, notes = [], []
    for login, password in PASSWORDS.items():
        if login == 'admin':
            continue
        walk = Walk(Session(client, database, raised, login, password))
        walk.walk()
        failures += walk.failures
        notes += walk.notes
        print(f"{login}: {len(walk.done)} actions opened, "
            f"{len(walk.failures)} errors")
    print('\n'.join(notes))
    assert not failures, report(failures)
