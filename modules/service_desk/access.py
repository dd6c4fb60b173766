# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""What a client reaches around the record rules

Tryton 8.0 applies the record rules of the model a client searches, not
those of the models its domain goes through: the domain is converted
without access check, so ``('dispatches.labour.unit_price', '>', 10)``
answers about work orders the user may not read.  And the records an
``on_change`` is called on are read without access check: a client that
sends the id of a record it may not read gets back what depends on it.

``RuleSearchMixin`` rewrites a client's domain so that each relation it goes
through keeps to the records the user may read (``where`` with the target's
read rules, as Tryton's own fields intend); ``check_readable`` refuses the
ids of records the user may not read in the values of an ``on_change`` or
of a wizard's form.
"""
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.modelstorage import is_leaf
from trytond.pool import Pool
from trytond.transaction import (
    Transaction, check_access, without_check_access)

from .exceptions import ClientUnreadableError

RELATIONS = {'many2one', 'one2one', 'one2many', 'many2many'}


def works_for(company_id):
    """Whether the user of the transaction works for the company (the root
    user for all): what a query made without the record rules checks"""
    pool = Pool()
    User = pool.get('res.user')
    return (not Transaction().user
        or company_id in User.get_companies())
NEGATIVE = {'!=', 'not in', 'not like', 'not ilike'}


def restricted(Model, domain):
    """Return the domain with the read rules of the user on each model it
    goes through"""
    if not domain or isinstance(domain, str):
        return domain
    if not is_leaf(domain):
        return [restricted(Model, d) for d in domain]
    name, operator, value = domain[:3]
    fname, _, rest = name.partition('.')
    field = Model._fields.get(fname)
    if field is None:
        return domain
    if isinstance(field, fields.Function):
        if not field.searcher:
            return domain
        # As Tryton converts it, then through the fields it names
        with without_check_access():
            clause = getattr(Model, field.searcher)(fname, domain)
        return restricted(Model, clause)
    if field._type not in RELATIONS:
        return domain
    Target = field.get_target()
    Rule = Pool().get('ir.rule')
    rule = Rule.domain_get(Target.__name__, mode='read')
    if operator in {'where', 'not where'}:
        clause = restricted(Target, value)
    elif rest:
        clause = restricted(Target, [(rest, operator, value, *domain[3:])])
    elif value is None or operator in NEGATIVE or operator.endswith('_of'):
        # Whether there is a target, or which ids it is not: no rule can
        # be added without changing the meaning
        return domain
    else:
        target_name = 'id'
        if isinstance(value, str) or (isinstance(value, (list, tuple))
                and any(isinstance(v, str) for v in value)):
            target_name = 'rec_name'
        clause = [(target_name, operator, value)]
    if rule:
        clause = [clause, rule]
    elif rest and clause == [(rest, operator, value, *domain[3:])]:
        return domain
    return (fname, 'not where' if operator == 'not where' else 'where',
        clause)


class RuleSearchMixin:
    """Apply to a client's search the read rules of the models its domain
    goes through"""
    __slots__ = ()

    @classmethod
    def search(cls, domain, *args, **kwargs):
        if Transaction().check_access:
            domain = restricted(cls, domain)
        return super().search(domain, *args, **kwargs)


def _ids(value):
    "The ids of saved records in a value sent for a relation field"
    values = value if isinstance(value, (list, tuple)) else [value]
    return {v for v in values
        if isinstance(v, int) and not isinstance(v, bool) and v > 0}


def check_readable(Model, values, own=None):
    """Refuse the ids, in values sent for Model's relation fields (and
    for its parents' as ``_parent_<field>.<name>``), of records the user
    may not read by their record rules; own is the id of the record
    itself, for an ``on_change``"""
    pool = Pool()
    Rule = pool.get('ir.rule')
    wanted = defaultdict(set)
    if own:
        wanted[Model] |= _ids(own)
    for name, value in values.items():
        if not isinstance(name, str):
            continue
        Owner, fname = Model, name
        if name.startswith('_parent_'):
            parent, _, fname = name[len('_parent_'):].partition('.')
            field = Model._fields.get(parent)
            if field is None or field._type not in RELATIONS:
                continue
            Owner = field.get_target()
        field = Owner._fields.get(fname)
        if field is not None and field._type in RELATIONS:
            wanted[field.get_target()] |= _ids(value)
    for Target, ids in wanted.items():
        with check_access():
            rule = Rule.domain_get(Target.__name__, mode='read')
        if not ids or not rule:
            continue
        with without_check_access(), \
                Transaction().set_context(active_test=False):
            readable = Target.search(
                [('id', 'in', list(ids)), rule], order=[])
        unreadable = ids - {r.id for r in readable}
        if unreadable:
            raise ClientUnreadableError(gettext(
                    'service_desk.msg_client_record_unreadable',
                    id=min(unreadable), **Target.__names__()))
