# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Renewals: the warranties and contracts coming to their end.

A scheduled task lists, once, each equipment warranty and each active
contract that ends within the company's ``renewal_window_days`` (60) of its
date.  The desk calls the customer, records the answer (accepted or
declined) and, from the list, renews in one step: a new draft contract
copied from the old one, from the day after its end for the same duration,
at the price agreed; or the warranty of the equipment extended by some
months, at the price charged.  What ended without renewal stays listed."""
import datetime as dt

from dateutil.relativedelta import relativedelta

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .client import ClientValueMixin
from .exceptions import RenewalError

ONE_DAY = dt.timedelta(days=1)

renewal_window_days = fields.Integer(
    "Renewal Window", required=True,
    domain=[
        ('renewal_window_days', '>', 0),
        ('renewal_window_days', '<=', 366),
        ],
    help="The warranties and contracts that end within this many days are "
    "listed for renewal.")


class Configuration(metaclass=PoolMeta):
    __name__ = 'service.configuration'

    renewal_window_days = fields.MultiValue(renewal_window_days)

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field == 'renewal_window_days':
            return pool.get('service.configuration.company')
        return super().multivalue_model(field)

    @classmethod
    def default_renewal_window_days(cls, **pattern):
        return cls.multivalue_model(
            'renewal_window_days').default_renewal_window_days()


class ConfigurationCompany(metaclass=PoolMeta):
    __name__ = 'service.configuration.company'

    renewal_window_days = renewal_window_days

    @classmethod
    def default_renewal_window_days(cls):
        return 60


class Contract(metaclass=PoolMeta):
    __name__ = 'service.contract'

    price = fields.Numeric(
        "Price", digits='currency',
        domain=['OR',
            ('price', '=', None),
            ('price', '>=', 0),
            ],
        states={
            'readonly': Eval('state') != 'draft',
            },
        help="The price the customer pays for the agreement over its "
        "term.")
    renewal_of = fields.Many2One(
        'service.contract', "Renewal of", readonly=True,
        states={
            'invisible': ~Eval('renewal_of'),
            },
        help="The contract this one renews.")

    @classmethod
    def copy(cls, contracts, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('renewal_of', None)
        return super().copy(contracts, default=default)


class Renewal(ClientValueMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'service.renewal'
    __string__ = "Renewal"

    _states = {
        'readonly': Eval('state') == 'renewed',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    party = fields.Many2One(
        'party.party', "Customer", required=True, readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    kind = fields.Selection([
            ('warranty', "Warranty"),
            ('contract', "Contract"),
            ], "Kind", required=True, readonly=True)
    equipment = fields.Many2One(
        'service.equipment', "Equipment", readonly=True,
        ondelete='CASCADE',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'invisible': Eval('kind') != 'warranty',
            'required': Eval('kind') == 'warranty',
            })
    contract = fields.Many2One(
        'service.contract', "Contract", readonly=True,
        ondelete='CASCADE',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'invisible': Eval('kind') != 'contract',
            'required': Eval('kind') == 'contract',
            })
    end_date = fields.Date(
        "End Date", required=True, readonly=True,
        help="The last day of the warranty or contract.")
    ended = fields.Function(
        fields.Boolean("Ended", help="The end date has passed."),
        'get_ended', searcher='search_ended')
    answer_date = fields.Date(
        "Answer Date", readonly=True,
        help="When the customer answered.")
    answer_note = fields.Text(
        "Answer", states=_states,
        help="What the customer said.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    price = fields.Numeric(
        "Price", digits='currency', readonly=True,
        domain=['OR',
            ('price', '=', None),
            ('price', '>=', 0),
            ],
        help="The price the customer pays for the renewal.")
    new_contract = fields.Many2One(
        'service.contract', "New Contract", readonly=True,
        states={
            'invisible': ~Eval('new_contract'),
            })
    warranty_extended_until = fields.Date(
        "Warranty Extended Until", readonly=True,
        states={
            'invisible': ~Eval('warranty_extended_until'),
            },
        help="The new end of the equipment's warranty.")
    state = fields.Selection([
            ('to_contact', "To Contact"),
            ('accepted', "Accepted"),
            ('declined', "Declined"),
            ('renewed', "Renewed"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('contract_unique', Unique(t, t.contract, t.end_date),
                'service_desk.msg_renewal_unique'),
            ('equipment_unique', Unique(t, t.equipment, t.end_date),
                'service_desk.msg_renewal_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.state, Index.Equality(cardinality='low')),
                where=t.state.in_(['to_contact', 'accepted'])))
        cls._order = [
            ('end_date', 'ASC'),
            ('id', 'ASC'),
            ]
        cls._transitions |= {
            ('to_contact', 'accepted'),
            ('to_contact', 'declined'),
            ('accepted', 'declined'),
            ('declined', 'accepted'),
            ('accepted', 'to_contact'),
            ('declined', 'to_contact'),
            ('to_contact', 'renewed'),
            ('accepted', 'renewed'),
            }
        cls._buttons.update({
                'accept': {
                    'invisible': ~Eval('state').in_(
                        ['to_contact', 'declined']),
                    'depends': ['state'],
                    },
                'decline': {
                    'invisible': ~Eval('state').in_(
                        ['to_contact', 'accepted']),
                    'depends': ['state'],
                    },
                'to_contact': {
                    'invisible': ~Eval('state').in_(['accepted', 'declined']),
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'renew': {
                    'invisible': ~Eval('state').in_(
                        ['to_contact', 'accepted']),
                    'icon': If(Eval('state') == 'accepted',
                        'tryton-ok', 'tryton-forward'),
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'to_contact'

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @classmethod
    def _today(cls, company):
        pool = Pool()
        Date = pool.get('ir.date')
        with Transaction().set_context(company=company.id):
            return Date.today()

    def get_ended(self, name):
        return self.end_date < self._today(self.company)

    @classmethod
    def search_ended(cls, name, clause):
        pool = Pool()
        Company = pool.get('company.company')
        _, operator, value = clause[:3]
        ended = (operator == '=') == bool(value)
        context = Transaction().context
        ids = set(context.get('companies') or [])
        if context.get('company'):
            ids.add(context['company'])
        companies = Company.browse(sorted(ids)) if ids else Company.search([])
        # Each company's rows against the company's own date
        domain = ['OR']
        for company in companies:
            domain.append([
                    ('company', '=', company.id),
                    ('end_date', '<' if ended else '>=',
                        cls._today(company)),
                    ])
        return domain

    def get_rec_name(self, name):
        record = self.contract if self.kind == 'contract' else self.equipment
        return record.rec_name if record else str(self.id)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('contract.rec_name', operator, operand, *extra),
            ('equipment.rec_name', operator, operand, *extra),
            ('party.rec_name', operator, operand, *extra),
            ]

    @classmethod
    def check_modification(cls, mode, renewals, values=None, external=False):
        super().check_modification(
            mode, renewals, values=values, external=external)
        if mode == 'delete':
            for renewal in renewals:
                if renewal.state == 'renewed':
                    raise RenewalError(gettext(
                            'service_desk.msg_renewal_delete_renewed',
                            renewal=renewal.rec_name))

    @classmethod
    def _answer(cls, renewals):
        for renewal in renewals:
            renewal.answer_date = cls._today(renewal.company)
        cls.save(renewals)

    @classmethod
    @ModelView.button
    @Workflow.transition('accepted')
    def accept(cls, renewals):
        cls._answer(renewals)

    @classmethod
    @ModelView.button
    @Workflow.transition('declined')
    def decline(cls, renewals):
        cls._answer(renewals)

    @classmethod
    @ModelView.button
    @Workflow.transition('to_contact')
    def to_contact(cls, renewals):
        cls.write(renewals, {'answer_date': None})

    @classmethod
    @ModelView.button_action('service_desk.wizard_renewal_renew')
    def renew(cls, renewals):
        pass

    @classmethod
    @Workflow.transition('renewed')
    def renewed(cls, renewals):
        pass

    def check_renewable(self):
        if self.state == 'renewed':
            raise RenewalError(gettext(
                    'service_desk.msg_renewal_renewed',
                    renewal=self.rec_name))
        if self.state == 'declined':
            raise RenewalError(gettext(
                    'service_desk.msg_renewal_declined',
                    renewal=self.rec_name))

    @classmethod
    def list_due(cls, date=None):
        """List, once, the warranties and contracts of the companies ending
        within their window (a scheduled task)"""
        pool = Pool()
        Company = pool.get('company.company')
        context = Transaction().context
        if context.get('company'):
            companies = Company.browse([context['company']])
        else:
            companies = Company.search([])
        renewals = []
        for company in companies:
            with Transaction().set_context(company=company.id):
                renewals.extend(cls.due_renewals(company, date))
        cls.save(renewals)
        return renewals

    @classmethod
    def due_renewals(cls, company, date=None):
        "Return the new renewals of the company due by its date"
        pool = Pool()
        Configuration = pool.get('service.configuration')
        if date is None:
            date = cls._today(company)
        window = Configuration(1).get_multivalue(
            'renewal_window_days', company=company.id)
        # Since the last window: what ended while the task did not run is
        # listed still, what ended long before activation is not
        start, end = date - dt.timedelta(days=window), (
            date + dt.timedelta(days=window))
        return (cls._due_contracts(company, start, end)
            + cls._due_warranties(company, start, end))

    @classmethod
    def _due_contracts(cls, company, start, end):
        pool = Pool()
        Contract = pool.get('service.contract')
        contracts = Contract.search([
                ('company', '=', company.id),
                ('state', 'in', ['active', 'expired']),
                ('end_date', '>=', start),
                ('end_date', '<=', end),
                ])
        listed = set()
        for sub_contracts in grouped_slice(contracts, 1000):
            listed.update((r.contract.id, r.end_date) for r in cls.search([
                        ('contract', 'in', [c.id for c in sub_contracts]),
                        ]))
            # Renewed by hand: the new contract says so
            listed.update((c.renewal_of.id, c.renewal_of.end_date)
                for c in Contract.search([
                        ('renewal_of', 'in',
                            [c.id for c in sub_contracts]),
                        ('state', '!=', 'cancelled'),
                        ]))
        return [cls(company=company, party=c.party, kind='contract',
                contract=c, end_date=c.end_date)
            for c in contracts if (c.id, c.end_date) not in listed]

    @classmethod
    def _due_warranties(cls, company, start, end):
        pool = Pool()
        Equipment = pool.get('service.equipment')
        equipments = Equipment.search([
                ('company', '=', company.id),
                ('warranty_end', '>=', start),
                ('warranty_end', '<=', end),
                ])
        listed = set()
        for sub_equipments in grouped_slice(equipments, 1000):
            listed.update((r.equipment.id, r.end_date) for r in cls.search([
                        ('equipment', 'in', [e.id for e in sub_equipments]),
                        ]))
        return [cls(company=company, party=e.party, kind='warranty',
                equipment=e, end_date=e.warranty_end)
            for e in equipments if (e.id, e.warranty_end) not in listed]

    def renew_contract(self, start_date, end_date, price):
        "Return the new draft contract that renews the contract"
        pool = Pool()
        Contract = pool.get('service.contract')
        contract, = Contract.copy([self.contract], default={
                'start_date': start_date,
                'end_date': end_date,
                'price': price,
                'renewal_of': self.contract.id,
                'state': 'draft',
                })
        return contract

    def extend_warranty(self, warranty_end):
        "Extend the equipment's warranty to warranty_end"
        pool = Pool()
        Equipment = pool.get('service.equipment')
        Equipment.write([self.equipment], {'warranty_end': warranty_end})


class RenewalRenewStart(ModelView):
    __name__ = 'service.renewal.renew.start'
    __string__ = "Renew"

    kind = fields.Selection('get_kinds', "Kind", readonly=True)
    end_date = fields.Date("Current End", readonly=True)
    start_date = fields.Date(
        "Start Date",
        domain=[
            If(Eval('kind') == 'contract',
                ('start_date', '>', Eval('end_date', None)),
                ()),
            ],
        states={
            'invisible': Eval('kind') != 'contract',
            'required': Eval('kind') == 'contract',
            },
        help="The first day of the new contract.")
    new_end_date = fields.Date(
        "New End Date",
        domain=[
            If(Eval('kind') == 'contract',
                ('new_end_date', '>=', Eval('start_date', None)),
                ('new_end_date', '>', Eval('end_date', None))),
            ],
        states={
            'required': True,
            },
        help="The last day of the new contract or of the extended "
        "warranty.")
    months = fields.Integer(
        "Months",
        domain=[
            If(Eval('kind') == 'warranty',
                ('months', '>', 0),
                ()),
            ],
        states={
            'invisible': Eval('kind') != 'warranty',
            'required': Eval('kind') == 'warranty',
            },
        help="The months the warranty is extended by.")
    currency = fields.Many2One('currency.currency', "Currency", readonly=True)
    price = fields.Numeric(
        "Price", digits='currency', required=True,
        domain=[('price', '>=', 0)],
        help="The price the customer agreed to.")

    @classmethod
    def get_kinds(cls):
        pool = Pool()
        Renewal = pool.get('service.renewal')
        return Renewal.fields_get(['kind'])['kind']['selection']

    @fields.depends('kind', 'end_date', 'months')
    def on_change_months(self):
        if self.kind == 'warranty' and self.end_date and self.months:
            self.new_end_date = self.end_date + relativedelta(
                months=self.months)


class RenewalRenew(Wizard):
    "Create the renewal of a warranty or contract"
    __name__ = 'service.renewal.renew'

    start = StateView('service.renewal.renew.start',
        'service_desk.renewal_renew_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Renew", 'renew', 'tryton-ok', default=True),
            ])
    renew = StateTransition()

    def default_start(self, fields):
        renewal = self.record
        renewal.check_renewable()
        values = {
            'kind': renewal.kind,
            'end_date': renewal.end_date,
            'currency': renewal.company.currency.id,
            }
        if renewal.kind == 'contract':
            contract = renewal.contract
            start_date = renewal.end_date + ONE_DAY
            # The same duration: a year from January 1st ends on December
            # 31st again
            duration = relativedelta(
                renewal.end_date + ONE_DAY, contract.start_date)
            values.update({
                    'start_date': start_date,
                    'new_end_date': start_date + duration - ONE_DAY,
                    'price': contract.price,
                    })
        else:
            months = (
                renewal.equipment.product.service_warranty_months or 12)
            values.update({
                    'months': months,
                    'new_end_date': renewal.end_date + relativedelta(
                        months=months),
                    })
        return values

    def transition_renew(self):
        pool = Pool()
        Renewal = pool.get('service.renewal')
        renewal = self.record
        # Two clerks renewing the same at once: the second waits, then is
        # refused
        Renewal.lock([renewal])
        renewal = Renewal(renewal.id)
        renewal.check_renewable()
        start = self.start
        if start.price is None or start.price < 0:
            raise RenewalError(gettext(
                    'service_desk.msg_renewal_price',
                    renewal=renewal.rec_name))
        if not start.new_end_date:
            raise RenewalError(gettext(
                    'service_desk.msg_renewal_end_date',
                    renewal=renewal.rec_name))
        if renewal.kind == 'contract':
            if not start.start_date or start.start_date <= renewal.end_date:
                raise RenewalError(gettext(
                        'service_desk.msg_renewal_start_after_end',
                        renewal=renewal.rec_name))
            renewal.new_contract = renewal.renew_contract(
                start.start_date, start.new_end_date, start.price)
        else:
            if start.new_end_date <= renewal.end_date:
                raise RenewalError(gettext(
                        'service_desk.msg_renewal_extend_after_end',
                        renewal=renewal.rec_name))
            renewal.extend_warranty(start.new_end_date)
            renewal.warranty_extended_until = start.new_end_date
        renewal.price = start.price
        if not renewal.answer_date:
            renewal.answer_date = Renewal._today(renewal.company)
        renewal.save()
        Renewal.renewed([renewal])
        return 'end'
