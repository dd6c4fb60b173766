# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The values a client may send

Tryton checks what a value means (domains, required fields, selections,
sizes, access rights and rules) but not what it is: a string sent for an
integer, a number beyond the database's integer, a Decimal NaN, a NUL
character, a date at the end of the calendar or the id of no record ends in
a traceback, and a field the forms show read only (the state, the numbers,
the dates the workflow fills in, the stock moves of a part) is written as
sent.  Tryton's clients never send a read-only field nor such values:
``ClientValueMixin`` refuses them, with a message, from any call made with
access checked (a user's create, write or copy over RPC), and leaves the
modules' own code (buttons, wizards, the scheduler) alone.
"""
import datetime as dt
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .exceptions import (
    ClientReadonlyError, ClientRecordError, ClientValueError)

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
        return None if isinstance(value, bool) else invalid
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
        for data in selection:
            # Negative ids are the client's unsaved records
            if isinstance(data, (list, tuple)) and all(map(_is_id, data)):
                continue
            if _is_id(data) or isinstance(data, dict):
                continue
            context = kwargs.get('context', args[-1] if args else None)
            language = (context.get('language')
                if isinstance(context, dict) else None)
            with Transaction().set_context(
                    language=language if isinstance(language, str) else None):
                raise ClientValueError(gettext(
                        'service_desk.msg_client_id_invalid',
                        value=_show(data), model=obj.__names__()['model']))
        return super().convert(obj, *args, **kwargs)


class ClientValueMixin:
    "Refuse from clients the values no form could send"
    __slots__ = ()

    @classmethod
    def __post_setup__(cls):
        super().__post_setup__()
        for name, rpc in list(cls.__rpc__.items()):
            if rpc.instantiate is not None and not isinstance(rpc, ClientRPC):
                cls.__rpc__[name] = ClientRPC.of(rpc)

    @classmethod
    def read(cls, ids, fields_names):
        if not ids:
            # ModelSingleton fails on no ids
            return []
        return super().read(ids, fields_names)

    @classmethod
    def create(cls, vlist):
        if Transaction().check_access:
            cls._check_client_values(vlist, creating=True)
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        if Transaction().check_access:
            cls._check_client_values(args[1:None:2])
        super().write(*args)

    @classmethod
    def _check_client_values(cls, vlist, creating=False):
        pool = Pool()
        defaults = {}
        if creating:
            names = {n for v in vlist for n in v
                if n in cls._fields and cls._fields[n].readonly is True}
            if names:
                defaults = cls.default_get(list(names), with_rec_name=False)
        targets = {}
        for values in vlist:
            if not isinstance(values, dict):
                raise ClientValueError(gettext(
                        'service_desk.msg_client_value_invalid',
                        value=_show(values), field='',
                        model=cls.__names__()['model']))
            for name, value in values.items():
                field = cls._fields.get(name)
                if field is None:
                    raise ClientValueError(gettext(
                            'service_desk.msg_client_field_unknown',
                            field=_show(name),
                            model=cls.__names__()['model']))
                computed = (
                    isinstance(field, fields.Function) and not field.setter)
                if computed or field.readonly is True and not (
                        value in EMPTY and (creating or field._type in {
                                'one2many', 'many2many'})
                        or (creating and value == defaults.get(name))):
                    raise ClientReadonlyError(gettext(
                            'service_desk.msg_client_field_readonly',
                            **cls.__names__(name)))
                message = _value_ok(field, value)
                if message:
                    raise ClientValueError(gettext(
                            message, value=_show(value),
                            **cls.__names__(name)))
                if field._type in {'many2one', 'one2one'} and value:
                    targets.setdefault(
                        (field.model_name, name), set()).add(value)
        for (model_name, name), ids in targets.items():
            Target = pool.get(model_name)
            with Transaction().set_context(active_test=False):
                found = {r.id for r in Target.search(
                            [('id', 'in', list(ids))])}
            missing = ids - found
            if missing:
                raise ClientRecordError(gettext(
                        'service_desk.msg_client_record_missing',
                        value=_show(min(missing)), **cls.__names__(name)))


def _show(value):
    "The value as the message shows it"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + '...'
