# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
import datetime as dt
import logging

from dateutil.relativedelta import relativedelta

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields, sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from trytond.modules.product import price_digits

from .client import ClientValueMixin
from .configuration import set_number
from .exceptions import ContractDeleteError, ContractValidationError
from .sla import WEEKDAYS

logger = logging.getLogger(__name__)


def last_due_date(start, months, date):
    "Return the last of start + k × months (k = 1, 2...) not after date"
    elapsed = (date.year - start.year) * 12 + date.month - start.month
    count = elapsed // months
    if count > 0 and start + relativedelta(months=count * months) > date:
        count -= 1
    if count > 0:
        return start + relativedelta(months=count * months)


class Contract(ClientValueMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'service.contract'
    _rec_name = 'number'
    _history = True

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    party = fields.Many2One(
        'party.party', "Customer", required=True, states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    kind = fields.Selection([
            ('warranty_extension', "Warranty Extension"),
            ('resident', "On-site Resident"),
            ('per_visit', "Per-visit Response"),
            ('maintenance', "Maintenance"),
            ], "Kind", required=True, states=_states)
    start_date = fields.Date("Start Date", required=True, states=_states)
    end_date = fields.Date(
        "End Date", states=_states,
        help="Leave empty for a contract without end.")
    covers_parts = fields.Boolean("Covers Parts", states=_states)
    covers_labour = fields.Boolean("Covers Labour", states=_states)
    sla = fields.Many2One(
        'service.sla', "SLA", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    equipments = fields.Many2Many(
        'service.contract-service.equipment', 'contract', 'equipment',
        "Equipment",
        domain=[
            ('party', '=', Eval('party', -1)),
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': Eval('state').in_(['expired', 'cancelled']),
            })
    visit_interval_months = fields.Integer(
        "Inspection Interval",
        states={
            'invisible': Eval('kind') != 'maintenance',
            'readonly': Eval('state').in_(['expired', 'cancelled']),
            },
        help="The months between two scheduled inspections of each "
        "equipment, counted from the start date.\n"
        "Leave empty for no scheduled inspection.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    monthly_fee = fields.Numeric(
        "Monthly Fee", digits='currency',
        domain=['OR',
            ('monthly_fee', '=', None),
            ('monthly_fee', '>=', 0),
            ],
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('kind') != 'resident',
            'required': Eval('kind') == 'resident',
            },
        help="Invoiced to the customer for each month of the agreement, "
        "counted from the start date.")
    resident_technician = fields.Many2One(
        'company.employee', "Resident Technician",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': Eval('state').in_(['expired', 'cancelled']),
            'invisible': Eval('kind') != 'resident',
            },
        help="The technician stationed at the customer's site.")
    resident_days = fields.MultiSelection(
        WEEKDAYS, "Days on Site", sort=False,
        states={
            'readonly': Eval('state').in_(['expired', 'cancelled']),
            'invisible': Eval('kind') != 'resident',
            },
        help="The days of the week the technician is on site: Monday to "
        "Friday full time, two or three days part time.")
    salesperson = fields.Many2One(
        'company.employee', "Salesperson",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states=_states,
        help="Who signed the agreement: paid a commission on its profit.")
    company_business = fields.Boolean(
        "Customer of the Company's Business", states=_states,
        help="The customer buys from the company's business: the "
        "agreement's commission and fund rates are those of the company's "
        "customers.")
    time_bands = fields.One2Many(
        'service.contract.time_band', 'contract', "Time Bands",
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('kind') != 'per_visit',
            },
        help="The price of a visit by when it is made: the first band "
        "that covers the arrival time.")
    description = fields.Text("Description")
    state = fields.Selection([
            ('draft', "Draft"),
            ('active', "Active"),
            ('expired', "Expired"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        cls.number.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.state, Index.Equality(cardinality='low')),
                where=t.state == 'active'))
        cls._order.insert(0, ('start_date', 'DESC'))
        cls._transitions |= {
            ('draft', 'active'),
            ('active', 'expired'),
            ('draft', 'cancelled'),
            ('active', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'activate': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'active']),
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_kind():
        return 'warranty_extension'

    @staticmethod
    def default_covers_parts():
        return True

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('kind', 'covers_parts', 'covers_labour', 'resident_days',
        'company', 'visit_interval_months')
    def on_change_kind(self):
        if self.kind == 'maintenance':
            if not self.visit_interval_months:
                self.visit_interval_months = (
                    self.company_inspection_interval(
                        self.company.id if self.company else None))
        else:
            # Only maintenance contracts schedule inspections
            self.visit_interval_months = None
        if self.kind == 'per_visit':
            # Each visit is billed, its parts and labour too by default
            self.covers_parts = False
            self.covers_labour = False
        elif self.kind == 'resident' and not self.resident_days:
            self.resident_days = ['0', '1', '2', '3', '4']

    @staticmethod
    def default_covers_labour():
        return True

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            set_number(cls, values, 'contract_sequence')
            if (values.get('kind') == 'maintenance'
                    and 'visit_interval_months' not in values):
                values['visit_interval_months'] = (
                    cls.company_inspection_interval(values.get('company')))
        return values

    @classmethod
    def company_inspection_interval(cls, company=None):
        "The company's inspection interval of a new maintenance contract"
        pool = Pool()
        Configuration = pool.get('service.configuration')
        if company is None:
            company = Transaction().context.get('company')
        if company is None:
            return None
        return Configuration(1).get_multivalue(
            'inspection_interval_months', company=company)

    @classmethod
    def validate_fields(cls, contracts, field_names):
        super().validate_fields(contracts, field_names)
        if field_names & {'start_date', 'end_date'}:
            for contract in contracts:
                if (contract.end_date
                        and contract.end_date < contract.start_date):
                    raise ContractValidationError(gettext(
                            'service_desk.msg_contract_end_before_start',
                            contract=contract.rec_name))
        if 'visit_interval_months' in field_names:
            for contract in contracts:
                if (contract.visit_interval_months is not None
                        and contract.visit_interval_months <= 0):
                    raise ContractValidationError(gettext(
                            'service_desk'
                            '.msg_contract_visit_interval_positive',
                            contract=contract.rec_name))

    @classmethod
    def check_modification(cls, mode, contracts, values=None, external=False):
        super().check_modification(
            mode, contracts, values=values, external=external)
        if mode == 'delete':
            for contract in contracts:
                if contract.state not in {'draft', 'cancelled'}:
                    raise ContractDeleteError(gettext(
                            'service_desk.msg_contract_delete_draft',
                            contract=contract.rec_name))

    @classmethod
    def copy(cls, contracts, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        return super().copy(contracts, default=default)

    def time_band(self, when, holidays=()):
        """Return the first time band that covers the local datetime when
        (the holidays: dates on which only the holiday bands apply)"""
        holiday = when.date() in holidays
        for band in self.time_bands:
            if band.covers(when, holiday):
                return band

    def covers(self, date):
        return (self.state in {'active', 'expired'}
            and self.start_date <= date
            and (not self.end_date or date <= self.end_date))

    @classmethod
    @ModelView.button
    @Workflow.transition('active')
    def activate(cls, contracts):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, contracts):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, contracts):
        pass

    @classmethod
    @Workflow.transition('expired')
    def expire(cls, contracts):
        pass

    @classmethod
    def expire_ended(cls, date=None):
        "Expire the active contracts whose end date has passed"
        pool = Pool()
        Date = pool.get('ir.date')
        if date is None:
            date = Date.today()
        cls.expire(cls.search([
                    ('state', '=', 'active'),
                    ('end_date', '<', date),
                    ]))

    @classmethod
    def create_inspections(cls, date=None):
        "Create the inspection requests due on the maintenance contracts"
        pool = Pool()
        Request = pool.get('service.request')
        RequestType = pool.get('service.request.type')
        transaction = Transaction()
        types = RequestType.search([('code', '=', 'inspection')], limit=1)
        if not types:
            logger.warning("No active request type with code 'inspection'")
            return
        type_, = types
        contracts = cls.search([
                ('state', '=', 'active'),
                ('kind', '=', 'maintenance'),
                ('visit_interval_months', '!=', None),
                ])
        # Each contract in a transaction of its own, so that one whose data
        # is wrong does not prevent the inspections of the others.  The
        # task's own transaction is never committed here: it keeps the lock
        # that stops another trytond-cron process from running the task at
        # the same time and creating the same inspections again.
        for contract_id in map(int, contracts):
            try:
                with transaction.new_transaction():
                    Request.save(cls(contract_id).inspection_requests(
                            RequestType(type_.id), date))
            except Exception:
                logger.exception(
                    "Could not create the inspections of service contract %d",
                    contract_id)

    def inspection_requests(self, type_, date=None):
        "Return the inspection requests due by the date not yet created"
        pool = Pool()
        Date = pool.get('ir.date')
        Request = pool.get('service.request')
        if date is None:
            with Transaction().set_context(company=self.company.id):
                date = Date.today()
        if self.end_date:
            date = min(date, self.end_date)
        due_date = last_due_date(
            self.start_date, self.visit_interval_months, date)
        if not due_date:
            return []
        inspected = {r.equipment for r in Request.search([
                    ('inspection_contract', '=', self.id),
                    ('inspection_due_date', '=', due_date),
                    ])}
        return [self.inspection_request(type_, equipment, due_date)
            for equipment in self.equipments
            if equipment.active and equipment not in inspected]

    def inspection_request(self, type_, equipment, due_date):
        pool = Pool()
        Lang = pool.get('ir.lang')
        Request = pool.get('service.request')
        request = Request(
            company=self.company, party=self.party, type=type_,
            channel='field', priority='normal', quantity=1,
            equipment=equipment, address=None, contact=None,
            inspection_contract=self, inspection_due_date=due_date)
        request.on_change_party()
        request.on_change_equipment()
        lang = Lang.get()
        request.description = gettext(
            'service_desk.msg_contract_inspection_description',
            contract=self.rec_name,
            equipment=equipment.rec_name,
            date=lang.strftime(due_date))
        return request


class ContractEquipment(ClientValueMixin, ModelSQL):
    __name__ = 'service.contract-service.equipment'
    __string__ = "Service Contract - Equipment"

    contract = fields.Many2One(
        'service.contract', "Contract", required=True, ondelete='CASCADE')
    equipment = fields.Many2One(
        'service.equipment', "Equipment", required=True, ondelete='CASCADE')


class ContractTimeBand(ClientValueMixin, sequence_ordered(), ModelSQL,
        ModelView):
    __name__ = 'service.contract.time_band'
    __string__ = "Service Contract Time Band"

    contract = fields.Many2One(
        'service.contract', "Contract", required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True, translate=True)
    weekdays = fields.MultiSelection(
        WEEKDAYS, "Weekdays", sort=False,
        help="The days of the week the band applies on, holidays aside.")
    holidays = fields.Boolean(
        "Holidays",
        help="The band applies on the holidays of the contract's SLA "
        "calendar (and only the holiday bands apply on them).")
    start = fields.Time("Start", required=True)
    end = fields.Time(
        "End", required=True,
        help="The band ends before this time; before the start, the band "
        "runs over midnight; the same as the start, all day.")
    price = fields.Numeric(
        "Price", digits=price_digits, required=True,
        domain=[('price', '>=', 0)],
        help="The price of a visit that starts in the band.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('contract')

    @classmethod
    def default_weekdays(cls):
        return ['0', '1', '2', '3', '4']

    @classmethod
    def default_start(cls):
        return dt.time(0)

    @classmethod
    def default_end(cls):
        return dt.time(0)

    def covers(self, when, holiday=False):
        "Whether a visit that starts at the local datetime is in the band"
        if holiday:
            if not self.holidays:
                return False
        elif str(when.weekday()) not in (self.weekdays or []):
            return False
        time = when.time()
        if self.start == self.end:
            return True
        if self.start < self.end:
            return self.start <= time < self.end
        return time >= self.start or time < self.end

    @classmethod
    def validate_fields(cls, bands, field_names):
        super().validate_fields(bands, field_names)
        if field_names & {'weekdays', 'holidays'}:
            for band in bands:
                if not band.weekdays and not band.holidays:
                    raise ContractValidationError(gettext(
                            'service_desk.msg_time_band_no_day',
                            band=band.rec_name,
                            contract=band.contract.rec_name))
