# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""What Tryton does not check in the values a client sends

Tryton checks what a value means: access rights and record rules, domains
(another company's record, a record that does not exist), required fields,
selections, sizes and digits, buttons on records in the wrong state, bad
contexts and duplicate ids.  What it does not check, and what this module
keeps:

- the type and range of a value: a string sent for an integer, a number
  beyond the database's integer, a Decimal NaN, a NUL character, a date at
  the end of the calendar or an unknown field end in a traceback when the
  value is converted or stored; ``ClientValueMixin.preprocess_values``
  refuses them with a message before they reach the database, whoever
  sends them, without a query;
- the read-only fields: Tryton's clients never send them, but over RPC a
  read-only field (the state, the numbers, the dates the workflow fills in,
  the stock moves of a part) is stored as sent; they are refused from a
  client's create (unless empty or the default) and, in
  ``check_modification``, from its write;
- ids that are not a list of integers: Tryton's conversion of the records
  of a call fails on them (``ClientRPC``);
- the records named in the values of an ``on_change``: Tryton reads them
  without access check (``ClientRPC``, ``access.check_readable``); and the
  models a search goes through (``access.RuleSearchMixin``).
"""
import datetime as dt
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Model, fields
from trytond.model.modelstorage import EvalEnvironment
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder, PYSONEncoder
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .access import RuleSearchMixin, check_readable
from .exceptions import ClientReadonlyError, ClientValueError

INTEGER = (-2**31, 2**31 - 1)
BIGINTEGER = (-2**63, 2**63 - 1)
# Beyond these no repair is planned and the time zone arithmetic overflows
YEARS = (1900, 2999)
NUMBER = 10**15
EMPTY = (None, '', [], ())
ACTIONS = {
    'create': 'dicts', 'write': 'write', 'delete': 'ids', 'remove': 'ids',
    'add': 'ids', 'copy': 'copy',
    }


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_id(value):
    return _is_int(value) and 0 < value <= INTEGER[1]


def _is_ids(value):
    return (isinstance(value, (list, tuple))
        and all(_is_id(i) for i in value))


def _text_ok(value):
    if not isinstance(value, str) or '\x00' in value:
        return False
    try:
        value.encode('utf-8')
    except UnicodeEncodeError:
        return False
    return True


def _in_years(value):
    return YEARS[0] <= value.year <= YEARS[1]


def _actions_ok(value):
    "Whether value is a list of one2many or many2many actions"
    if not isinstance(value, (list, tuple)):
        return False
    for action in value:
        if (not isinstance(action, (list, tuple)) or not action
                or action[0] not in ACTIONS):
            return False
        kind, args = ACTIONS[action[0]], action[1:]
        if kind == 'dicts':
            if (len(args) != 1 or not isinstance(args[0], (list, tuple))
                    or not all(isinstance(v, dict) for v in args[0])):
                return False
        elif kind == 'ids':
            if len(args) != 1 or not _is_ids(args[0]):
                return False
        elif kind == 'write':
            if (len(args) < 2 or len(args) % 2
                    or not all(_is_ids(i) for i in args[::2])
                    or not all(isinstance(v, dict) for v in args[1::2])):
                return False
        elif kind == 'copy':
            if (len(args) not in {1, 2} or not _is_ids(args[0])
                    or (len(args) == 2 and not isinstance(args[1], dict))):
                return False
    return True


def _value_ok(field, value):
    """Return None if the value may be stored in the field, else the
    message that says why not"""
    invalid = 'service_desk.msg_client_value_invalid'
    out_of_range = 'service_desk.msg_client_value_out_of_range'
    type_ = field._type
    if value is None:
        return None
    if type_ in {'char', 'text'}:
        return None if _text_ok(value) else invalid
    if type_ == 'selection':
        if _is_int(value):
            return None
        return None if _text_ok(value) else invalid
    if type_ == 'multiselection':
        ok = isinstance(value, (list, tuple)) and all(map(_text_ok, value))
        return None if ok else invalid
    if type_ == 'boolean':
        # SQLite gives 0 and 1 for what copy reads back
        ok = isinstance(value, bool) or (_is_int(value) and value in {0, 1})
        return None if ok else invalid
    if type_ in {'integer', 'biginteger'}:
        if not _is_int(value):
            return invalid
        low, high = INTEGER if type_ == 'integer' else BIGINTEGER
        return None if low <= value <= high else out_of_range
    if type_ in {'float', 'numeric'}:
        if isinstance(value, bool) or not isinstance(
                value, (int, float, Decimal)):
            return invalid
        if isinstance(value, Decimal):
            if not value.is_finite():
                return invalid
            if value and (value.adjusted() >= 15
                    or value.as_tuple().exponent < -30):
                return out_of_range
            return None
        if value != value or value in {float('inf'), float('-inf')}:
            return invalid
        return None if abs(value) < NUMBER else out_of_range
    if type_ == 'date':
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            return invalid
        return None if _in_years(value) else out_of_range
    if type_ in {'datetime', 'timestamp'}:
        if not isinstance(value, dt.datetime):
            return invalid
        return None if _in_years(value) else out_of_range
    if type_ == 'time':
        return None if isinstance(value, dt.time) else invalid
    if type_ == 'timedelta':
        if not isinstance(value, dt.timedelta):
            return invalid
        return None if abs(value.days) <= 36_600 else out_of_range
    if type_ == 'binary':
        return None if isinstance(value, (bytes, bytearray)) else invalid
    if type_ in {'many2one', 'one2one'}:
        return None if _is_id(value) else invalid
    if type_ in {'one2many', 'many2many'}:
        return None if _actions_ok(value) else invalid
    if type_ == 'reference':
        if isinstance(value, (list, tuple)) and len(value) == 2:
            name, id_ = value
        elif isinstance(value, str):
            name, _, id_ = value.partition(',')
            try:
                id_ = int(id_) if id_ else None
            except ValueError:
                return invalid
        else:
            return invalid
        if not name or not _text_ok(name) or name not in field.get_models():
            return invalid
        return None if id_ is None or _is_int(id_) else invalid
    if type_ == 'dict':
        ok = isinstance(value, dict) and all(map(_text_ok, value))
        return None if ok else invalid
    return None


class ClientRPC(RPC):
    """The RPC of a method called on records, refusing with a message the
    ids no client sends (Tryton's conversion fails on them)"""
    __slots__ = ()

    @classmethod
    def of(cls, rpc):
        new = cls.__new__(cls)
        for name in RPC.__slots__:
            setattr(new, name, getattr(rpc, name))
        return new

    def convert(self, obj, *args, **kwargs):
        if isinstance(self.instantiate, slice):
            selection = args[self.instantiate]
        else:
            selection = args[self.instantiate:self.instantiate + 1]
        context = kwargs.get('context', args[-1] if args else None)
        language = (context.get('language')
            if isinstance(context, dict) else None)
        for data in selection:
            # Negative ids are the client's unsaved records
            if isinstance(data, (list, tuple)) and all(map(_is_id, data)):
                continue
            if _is_id(data):
                continue
            with Transaction().set_context(
                    language=language if isinstance(language, str) else None):
                if isinstance(data, dict):
                    # The values of an on_change: its records are read
                    # without access check
                    check_readable(obj, data, own=data.get('id'))
                    continue
                raise ClientValueError(gettext(
                        'service_desk.msg_client_id_invalid',
                        value=_show(data), model=obj.__names__()['model']))
        return super().convert(obj, *args, **kwargs)


class ClientValueMixin(RuleSearchMixin):
    """Refuse with a message the values Tryton's conversion or the database
    fails on, and from a client the fields it shows read only; keep its
    searches and on_change calls to the records it may read"""
    __slots__ = ()

    @classmethod
    def __post_setup__(cls):
        super().__post_setup__()
        for name, rpc in list(cls.__rpc__.items()):
            if rpc.instantiate is not None and not isinstance(rpc, ClientRPC):
                cls.__rpc__[name] = ClientRPC.of(rpc)

    @classmethod
    def preprocess_values(cls, mode, values):
        # Before the values reach the database, whoever sends them
        for name, value in values.items():
            field = cls._fields.get(name)
            if field is None:
                raise ClientValueError(gettext(
                        'service_desk.msg_client_field_unknown',
                        field=_show(name),
                        model=cls.__names__()['model']))
            message = _value_ok(field, value)
            if message:
                raise ClientValueError(gettext(
                        message, value=_show(value), **cls.__names__(name)))
        return super().preprocess_values(mode, values)

    @classmethod
    def create(cls, vlist):
        if Transaction().check_access:
            # Who may not create is told so, before what they send is read
            Pool().get('ir.model.access').check(cls.__name__, 'create')
            for values in vlist:
                if not isinstance(values, dict):
                    raise ClientValueError(gettext(
                            'service_desk.msg_client_value_invalid',
                            value=_show(values), field='',
                            model=cls.__names__()['model']))
            cls._check_readonly(vlist, creating=True)
        return super().create(vlist)

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode == 'write' and external:
            cls._check_readonly([values])
            cls._check_readonly_states(records, values)

    @classmethod
    def _check_readonly_states(cls, records, values):
        """Refuse a change of a field the form shows read only by its
        states, evaluated as the client does: on the record with the values
        written"""
        names = [n for n in values
            if n in cls._fields and cls._fields[n].states.get('readonly')]
        for name in names:
            field = cls._fields[name]
            pyson = _encoder.encode(field.states['readonly'])
            for record in records:
                if not _changes(field, getattr(record, name), values[name]):
                    continue
                env = _WrittenEnvironment(record, cls, values)
                env['context'] = Transaction().context
                env['active_model'] = cls.__name__
                env['active_id'] = record.id
                if PYSONDecoder(env).decode(pyson):
                    raise cls._readonly_error(record, name)

    @classmethod
    def _readonly_error(cls, record, name):
        """Return the error of a change of the field the form shows read
        only on the record: a model names its workflow's rule"""
        return ClientReadonlyError(gettext(
                'service_desk.msg_client_field_readonly_state',
                record=record.rec_name, **cls.__names__(name)))

    @classmethod
    def _check_readonly(cls, vlist, creating=False):
        """Refuse the read-only fields: a client may send them empty, and
        their defaults when it creates"""
        defaults = None
        for values in vlist:
            for name, value in values.items():
                field = cls._fields.get(name)
                if field is None:
                    continue
                computed = (
                    isinstance(field, fields.Function) and not field.setter)
                if not computed and field.readonly is not True:
                    continue
                if not computed and value in EMPTY and (creating
                        or field._type in {'one2many', 'many2many'}):
                    continue
                if creating and not computed:
                    if defaults is None:
                        defaults = cls.default_get(
                            [n for n in values if n in cls._fields],
                            with_rec_name=False)
                    if value == defaults.get(name):
                        continue
                raise ClientReadonlyError(gettext(
                        'service_desk.msg_client_field_readonly',
                        **cls.__names__(name)))


_encoder = PYSONEncoder()


class _WrittenEnvironment(EvalEnvironment):
    "The record's values for PYSON, with the values written over them"
    __slots__ = ('_values',)

    def __init__(self, record, Model, values):
        super().__init__(record, Model)
        self._values = values

    def __getitem__(self, item):
        field = self._model._fields.get(item)
        if (item in self._values and field is not None
                and field._type not in {'one2many', 'many2many'}):
            return self._values[item]
        return super().__getitem__(item)


def _changes(field, current, value):
    "Whether writing value changes the field's current value"
    if field._type in {'one2many', 'many2many'}:
        return bool(value)
    if isinstance(current, Model):
        current = str(current) if field._type == 'reference' else current.id
    return current != value


def _show(value):
    "The value as the message shows it"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + '...'
