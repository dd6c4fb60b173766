# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from itertools import groupby

import puremagic
from sql import Cast, Literal, Null, Union
from sql.aggregate import Count, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import CharLength, Trim
from sql.operators import Concat, Exists

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.company import CompanyReport
from trytond.modules.currency.fields import Monetary
from trytond.modules.product import price_digits
from trytond.modules.service_desk.access import check_readable
from trytond.modules.service_desk.client import ClientValueMixin
from trytond.modules.service_desk.configuration import set_number
from trytond.modules.service_desk.sla import (
    company_timezone, day_bounds, status_column, status_domain, to_local,
    today_condition)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If, PYSONEncoder
from trytond.tools import grouped_slice
from trytond.transaction import Transaction
from trytond.wizard import (
    Button, StateAction, StateTransition, StateView, Wizard)

from .exceptions import (
    DispatchDeleteError, DispatchModificationError, DispatchValidationError,
    DispatchWorkflowError, InvoiceError, PartIssueError, PlannedLateWarning,
    TechnicianBookedError, TechnicianSkillError)

BOOKED_STATES = {'assigned', 'confirmed', 'in_progress'}


STATES = [
    ('draft', "Draft"),
    ('assigned', "Assigned"),
    ('confirmed', "Confirmed"),
    ('in_progress', "In Progress"),
    ('done', "Done"),
    ('cancelled', "Cancelled"),
    ]


def reference(Model, column):
    """The SQL of the value of a reference field to the record of Model
    whose id is column, typed for PostgreSQL"""
    return Concat(
        Cast(Literal(Model.__name__ + ','), 'VARCHAR'),
        Cast(column, 'VARCHAR'))


# The times a technician reports, bounded by the clock
REPORTED_TIMES = ['arrival_date', 'departure_date', 'signed_date']
# How far ahead a tablet's clock may run
CLOCK_SKEW = dt.timedelta(minutes=5)
# What the signature pads and tablets send
SIGNATURE_TYPES = {'image/png', 'image/jpeg', 'image/gif', 'image/webp'}


def is_image(data):
    "Whether data is a picture of a signature"
    try:
        return puremagic.from_string(data, mime=True) in SIGNATURE_TYPES
    except (puremagic.PureError, ValueError):
        return False


def customer_invoice(company, party, reference=None):
    "A new draft customer invoice of the company to the party"
    pool = Pool()
    Invoice = pool.get('account.invoice')
    invoice = Invoice(
        company=company,
        type='out',
        party=party,
        invoice_address=party.address_get(type='invoice'),
        currency=company.currency,
        account=party.account_receivable_used,
        payment_term=party.customer_payment_term,
        reference=reference,
        lines=[],
        )
    invoice.set_journal()
    return invoice


def customer_invoice_line(
        company, origin, product, quantity, unit, unit_price, description):
    """A line of a customer invoice: the product's revenue account and
    taxes (the caller checks the product has a revenue account)"""
    pool = Pool()
    InvoiceLine = pool.get('account.invoice.line')
    return InvoiceLine(
        type='line',
        invoice_type='out',
        company=company,
        currency=company.currency,
        product=product,
        quantity=unit.round(quantity),
        unit=unit,
        unit_price=unit_price or Decimal(0),
        account=product.account_revenue_used,
        taxes=product.customer_taxes_used,
        description=description,
        origin=origin,
        )


class Dispatch(ClientValueMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'service.dispatch'
    __string__ = "Work Order"
    _rec_name = 'number'
    _history = True

    _draft = {
        'readonly': Eval('state') != 'draft',
        }
    _planning = {
        'readonly': ~Eval('state').in_(['draft', 'assigned']),
        }
    _working = {
        'readonly': ~Eval('state').in_(['confirmed', 'in_progress']),
        }

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_draft)
    request = fields.Many2One(
        'service.request', "Request", required=True, states=_draft,
        domain=[
            ('company', '=', Eval('company', -1)),
            If(Eval('state') == 'draft',
                ('state', 'in', ['open', 'in_progress', 'waiting']),
                ()),
            ])
    party = fields.Many2One(
        'party.party', "Customer", required=True, states=_draft,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    equipment = fields.Many2One(
        'service.equipment', "Equipment", states=_draft,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('party', '=', Eval('party', -1)),
            ])
    technician = fields.Many2One(
        'company.employee', "Technician", states=_planning,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('service_technician', '=', True),
            ])
    technician_color = fields.Function(
        fields.Char("Technician Colour"), 'get_technician_color')
    planned_start = fields.DateTime(
        "Planned Start", states=_planning,
        help="The appointment with the customer.")
    planned_end = fields.DateTime("Planned End", states=_planning)
    appointment_contact = fields.Many2One(
        'party.contact_mechanism', "Appointment Contact",
        domain=[('party', '=', Eval('party', -1))],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        states=_planning,
        help="Whom the technician called to make the appointment.")
    appointment_confirmed_date = fields.DateTime(
        "Appointment Confirmed", readonly=True)
    arrival_deadline = fields.Function(
        fields.DateTime("Arrival Deadline",
            help="The SLA's response target counted from the acceptance "
            "of the request."),
        'get_arrival_deadline')
    arrival_status = fields.Function(fields.Selection([
                (None, ""),
                ('on_track', "On Track"),
                ('at_risk', "At Risk"),
                ('breached', "Breached"),
                ('met', "Met"),
                ], "Arrival Status",
            help="Breached: on site after the arrival deadline, or not yet "
            "and the deadline passed. At risk: not yet on site, four fifths "
            "of the time to the deadline gone."))
    arrival_due_today = fields.Function(fields.Boolean(
            "Arrival Due Today",
            help="Not yet on site, the arrival deadline today in the "
            "company's time zone."))
    arrival_date = fields.DateTime("Arrival", states=_working)
    arrived_in_time = fields.Function(
        fields.Boolean("Arrived in Time"), 'get_arrived_in_time')
    departure_date = fields.DateTime("Departure", states=_working)
    repair_logs = fields.One2Many(
        'service.repair.log', 'dispatch', "Repair Logs", states=_working)
    parts = fields.One2Many(
        'service.dispatch.part', 'dispatch', "Parts",
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            })
    parts_location = fields.Many2One(
        'stock.location', "Parts Location",
        domain=[('type', '=', 'storage')],
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            },
        help="Where the parts are taken from: the technician's van or bench, "
        "else the warehouse.")
    labour = fields.One2Many(
        'service.dispatch.labour', 'dispatch', "Labour",
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            },
        help="The hours planned for the quotation, then those worked.")
    signed_by = fields.Char("Signed By", states=_working)
    signature = fields.Binary(
        "Customer Signature", states=_working,
        file_id='signature_id')
    signature_id = fields.Char("Signature ID", readonly=True)
    signed_date = fields.DateTime("Signed", states=_working)
    signed_from = fields.Char(
        "Signed From", readonly=True,
        help="Where the customer signed: on the device of the signing "
        "link (its address and browser).")
    form_complete = fields.Function(
        fields.Boolean(
            "Repair Form Complete",
            help="A repair log says the symptom, what was done and the "
            "result, and the equipment is known (the log's, the work "
            "order's or the product of the request)."),
        'get_form_complete', searcher='search_form_complete')
    valid = fields.Function(
        fields.Boolean(
            "Valid",
            help="Done, signed by the customer and with a complete repair "
            "form: a valid service, paid its allowance."),
        'get_valid', searcher='search_valid')
    report_due_date = fields.Date("Report Due", readonly=True)
    report_received_date = fields.Date(
        "Report Received",
        states={
            'readonly': Eval('state') != 'done',
            },
        help="When the desk got the signed work order back.")
    report_late = fields.Function(
        fields.Boolean("Report Late"), 'get_report_late',
        searcher='search_report_late')
    charge_parts = fields.Function(
        fields.Boolean("Charge Parts"), 'on_change_with_charge_parts')
    charge_labour = fields.Function(
        fields.Boolean("Charge Labour"), 'on_change_with_charge_labour')
    chargeable = fields.Function(
        fields.Boolean(
            "Chargeable",
            help="Out of warranty, or under a contract that does not "
            "cover parts or labour."),
        'on_change_with_chargeable', searcher='search_chargeable')
    quotation_state = fields.Selection([
            ('none', "None"),
            ('sent', "Sent"),
            ('accepted', "Accepted"),
            ('refused', "Refused"),
            ], "Quotation", readonly=True, sort=False)
    quotation_answered_by = fields.Char(
        "Quotation Answered By", readonly=True,
        states={
            'invisible': ~Eval('quotation_answered_by'),
            },
        help="Who answered the quotation on its page.")
    quotation_answered_date = fields.DateTime(
        "Quotation Answered", readonly=True,
        states={
            'invisible': ~Eval('quotation_state').in_(
                ['accepted', 'refused']),
            })
    quotation_answered_from = fields.Char(
        "Quotation Answered From", readonly=True,
        states={
            'invisible': ~Eval('quotation_answered_from'),
            },
        help="Where the customer answered the quotation: the device of its "
        "link (its address and browser).")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    total_amount = fields.Function(
        Monetary(
            "Total", currency='currency', digits='currency',
            help="What the customer pays for the parts, labour, travel and "
            "visit: the quotation's total, then the work order's."),
        'get_total_amount')
    travel_product = fields.Many2One(
        'product.product', "Travel Product",
        domain=[('type', '=', 'service')],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        states={
            'readonly': (Eval('state').in_(['done', 'cancelled'])
                | Eval('quotation_state').in_(['sent', 'accepted'])),
            },
        help="The service product that prices the travel.")
    travel_quantity = fields.Float(
        "Travel Quantity",
        domain=['OR',
            ('travel_quantity', '=', None),
            ('travel_quantity', '>=', 0),
            ],
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            'invisible': ~Eval('travel_product'),
            })
    travel_unit_price = fields.Numeric(
        "Travel Unit Price", digits=price_digits,
        states={
            'readonly': (Eval('state').in_(['done', 'cancelled'])
                | Eval('quotation_state').in_(['sent', 'accepted'])),
            'invisible': ~Eval('travel_product'),
            })
    visit_time_band = fields.Many2One(
        'service.contract.time_band', "Visit Time Band", readonly=True,
        states={
            'invisible': ~Eval('visit_time_band'),
            },
        help="The band of the per-visit agreement the visit was made in, "
        "fixed when the work order is done.")
    visit_price = fields.Numeric(
        "Visit Price", digits=price_digits, readonly=True,
        states={
            'invisible': ~Eval('visit_time_band'),
            },
        help="The price of the visit under the per-visit agreement.")
    has_charges = fields.Function(
        fields.Boolean(
            "Has Charges",
            help="Something to charge the customer: a chargeable part "
            "issued and not returned, chargeable labour or travel, a visit "
            "under a per-visit agreement."),
        'get_has_charges', searcher='search_has_charges')
    serial_number = fields.Function(
        fields.Char(
            "Serial Number",
            help="The serial number of the unit serviced: the equipment's, "
            "else the one the request gives."),
        'get_serial_number', searcher='search_serial_number')
    invoice_lines = fields.Function(fields.Many2Many(
            'account.invoice.line', None, None, "Invoice Lines"),
        'get_invoice_lines')
    invoice_state = fields.Function(fields.Selection([
                ('none', "None"),
                ('pending', "Pending"),
                ('invoiced', "Invoiced"),
                ('paid', "Paid"),
                ], "Invoice State",
            help="Whether what the work order charges is on a customer "
            "invoice: none yet, on a draft invoice, posted or paid."),
        'get_invoice_state', searcher='search_invoice_state')
    notes = fields.Text("Notes")
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        cls.number.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t,
                    (t.technician, Index.Range()),
                    (t.planned_start, Index.Range()),
                    where=t.state.in_(list(BOOKED_STATES))),
                Index(t,
                    (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(
                        ['draft', 'assigned', 'confirmed', 'in_progress'])),
                # The moment a work order counts at in a period (KPIs, bonus)
                Index(t, (cls.period_date_column(t), Index.Range())),
                })
        cls._order = [
            ('planned_start', 'DESC NULLS FIRST'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'assigned'),
            ('assigned', 'confirmed'),
            ('confirmed', 'in_progress'),
            ('in_progress', 'done'),
            ('draft', 'cancelled'),
            ('assigned', 'cancelled'),
            ('confirmed', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'assign': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'suggest_technician': {
                    'invisible': ~Eval('state').in_(['draft', 'assigned']),
                    'depends': ['state'],
                    },
                'confirm': {
                    'invisible': Eval('state') != 'assigned',
                    'depends': ['state'],
                    },
                'start': {
                    'invisible': Eval('state') != 'confirmed',
                    'depends': ['state'],
                    },
                'done': {
                    'invisible': Eval('state') != 'in_progress',
                    'depends': ['state'],
                    },
                'signing_link': {
                    'invisible': (~Eval('state').in_(
                            ['assigned', 'confirmed', 'in_progress'])
                        | Bool(Eval('signature_id'))),
                    'depends': ['state', 'signature_id'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'assigned', 'confirmed']),
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                'request_parts': {
                    'invisible': Eval('state').in_(['done', 'cancelled']),
                    'depends': ['state'],
                    },
                'issue_parts': {
                    'invisible': ~Eval('state').in_(
                        ['assigned', 'confirmed', 'in_progress']),
                    'depends': ['state'],
                    },
                'return_parts': {
                    'invisible': ~Eval('state').in_(
                        ['assigned', 'confirmed', 'in_progress', 'done',
                            'cancelled']),
                    'depends': ['state'],
                    },
                'send_quotation': {
                    'invisible': (~Eval('chargeable')
                        | ~Eval('quotation_state').in_(['none', 'refused'])
                        | Eval('state').in_(['done', 'cancelled'])),
                    'depends': ['chargeable', 'quotation_state', 'state'],
                    },
                'accept_quotation': {
                    'invisible': Eval('quotation_state') != 'sent',
                    'depends': ['quotation_state'],
                    },
                'quotation_link': {
                    'invisible': ((Eval('quotation_state') != 'sent')
                        | Eval('state').in_(['done', 'cancelled'])),
                    'depends': ['quotation_state', 'state'],
                    },
                'refuse_quotation': {
                    'invisible': Eval('quotation_state') != 'sent',
                    'depends': ['quotation_state'],
                    },
                'invoice': {
                    'invisible': ((Eval('state') != 'done')
                        | ((~Eval('chargeable')
                                | (Eval('quotation_state') == 'refused'))
                            & ~Eval('visit_time_band'))),
                    'depends': ['state', 'chargeable', 'quotation_state',
                        'visit_time_band'],
                    },
                })

    @classmethod
    def order_number(cls, tables):
        table, _ = tables[None]
        return [
            ~((table.state == 'cancelled') & (table.number == Null)),
            CharLength(table.number), table.number]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_quotation_state():
        return 'none'

    @classmethod
    def default_parts_location(cls):
        pool = Pool()
        Location = pool.get('stock.location')
        warehouses = Location.search([('type', '=', 'warehouse')], limit=1)
        if warehouses:
            return warehouses[0].storage_location.id

    @fields.depends('technician', 'parts_location')
    def on_change_technician(self):
        if self.technician and self.technician.service_location:
            self.parts_location = self.technician.service_location

    @fields.depends('request', '_parent_request.party',
        '_parent_request.equipment', '_parent_request.contact')
    def on_change_request(self):
        if self.request:
            self.party = self.request.party
            self.equipment = self.request.equipment
            if self.request.contact:
                self.appointment_contact = self.request.contact

    @fields.depends('request', '_parent_request.warranty',
        '_parent_request.contract')
    def _coverage(self):
        "Return whether parts and labour are charged"
        if not self.request:
            return False, False
        if self.request.warranty == 'out_of_warranty':
            return True, True
        if self.request.warranty == 'contract' and self.request.contract:
            contract = self.request.contract
            return not contract.covers_parts, not contract.covers_labour
        return False, False

    @fields.depends(methods=['_coverage'])
    def on_change_with_charge_parts(self, name=None):
        return self._coverage()[0]

    @fields.depends(methods=['_coverage'])
    def on_change_with_charge_labour(self, name=None):
        return self._coverage()[1]

    @fields.depends(methods=['_coverage'])
    def on_change_with_chargeable(self, name=None):
        return any(self._coverage())

    @classmethod
    def _coverage_domain(cls, covers):
        "The domain of the work orders whose request is charged for covers"
        return ['OR',
            ('request.warranty', '=', 'out_of_warranty'),
            [('request.warranty', '=', 'contract'),
                ('request.contract.' + covers, '=', False)],
            ]

    def get_has_charges(self, name):
        charge_parts, charge_labour = self._coverage()
        return bool(
            self.visit_time_band
            or (charge_parts and any(
                    p.chargeable and p.quantity_out > 0 for p in self.parts))
            or (charge_labour and (
                    any(line.chargeable for line in self.labour)
                    or (self.travel_product and self.travel_quantity))))

    @classmethod
    def search_has_charges(cls, name, clause):
        _, operator, value = clause[:3]
        domain = ['OR',
            ('visit_time_band', '!=', None),
            [cls._coverage_domain('covers_parts'),
                ('parts', 'where', [
                        ('chargeable', '=', True),
                        ('quantity_out', '>', 0),
                        ])],
            [cls._coverage_domain('covers_labour'),
                ['OR',
                    ('labour', 'where', [('chargeable', '=', True)]),
                    [('travel_product', '!=', None),
                        ('travel_quantity', '>', 0)],
                    ]],
            ]
        if (operator == '=') == bool(value):
            return domain
        return [('id', 'not in', cls.search(domain, query=True))]

    @classmethod
    def search_chargeable(cls, name, clause):
        _, operator, value = clause[:3]
        if (operator == '=') == bool(value):
            return ['OR',
                cls._coverage_domain('covers_parts'),
                cls._coverage_domain('covers_labour'),
                ]
        return ['OR',
            ('request.warranty', '=', 'in_warranty'),
            [('request.warranty', '=', 'contract'),
                ('request.contract.covers_parts', '=', True),
                ('request.contract.covers_labour', '=', True),
                ],
            ]

    def get_arrival_deadline(self, name):
        request = self.request
        if not request:
            return None
        if request.arrival_deadline:
            return request.arrival_deadline
        # Accepted before the deadline was kept with the request
        if not (request.accepted_date and request.sla):
            return None
        return request.compute_arrival()[0]

    @classmethod
    def arrival_columns(cls, table):
        "The arrival deadline and at-risk moment of the work order's request"
        pool = Pool()
        Request = pool.get('service.request')
        request = Request.__table__()
        # (a scalar subquery in an expression, for its operators)
        return tuple(
            Coalesce(
                request.select(column, where=request.id == table.request),
                Null)
            for column in [
                request.arrival_deadline, request.arrival_at_risk_date])

    @classmethod
    def arrival_status_conditions(cls, table, now=None):
        """Return the SQL condition of each arrival status on the work order
        table, at now: exclusive, never NULL, one of them true on every row

        On site (arrival recorded): met, or breached when after the
        deadline.  Not yet, neither done nor cancelled: breached past the
        deadline, at risk past the at-risk moment, else on track."""
        deadline, at_risk = cls.arrival_columns(table)
        if now is None:
            now = dt.datetime.now()
        now = Literal(now)
        arrived = table.arrival_date != Null
        pending = ~arrived & ~table.state.in_(['done', 'cancelled'])
        has = (deadline != Null) & (table.state != 'cancelled')
        late = table.arrival_date > deadline
        past = now >= deadline
        risk = (at_risk != Null) & (now >= at_risk)
        return {
            'met': has & arrived & ~late,
            'breached': has & ((arrived & late) | (pending & past)),
            'at_risk': has & pending & ~past & risk,
            'on_track': has & pending & ~past & ~risk,
            None: ~has | (~arrived & table.state.in_(['done', 'cancelled'])),
            }

    @classmethod
    def column_arrival_status(cls, tables):
        table, _ = tables[None]
        return status_column(cls.arrival_status_conditions(table))

    @classmethod
    def domain_arrival_status(cls, domain, tables):
        "The conditions of the statuses searched, as the column's"
        table, _ = tables[None]
        return status_domain(cls.arrival_status_conditions(table), domain)

    @classmethod
    def column_arrival_due_today(cls, tables):
        table, _ = tables[None]
        deadline, _ = cls.arrival_columns(table)
        pending = ((table.arrival_date == Null)
            & ~table.state.in_(['done', 'cancelled']))
        return pending & today_condition(table.company, deadline)

    @classmethod
    def order_arrival_deadline(cls, tables):
        table, _ = tables[None]
        deadline, _ = cls.arrival_columns(table)
        return [deadline]

    def get_technician_color(self, name):
        if self.technician:
            return self.technician.service_color_used

    def get_arrived_in_time(self, name):
        if self.arrival_date and self.arrival_deadline:
            return self.arrival_date <= self.arrival_deadline

    @classmethod
    def form_complete_condition(cls, table):
        """The SQL condition of a complete repair form on the work order's
        table: a repair log with the symptom, the action and the result,
        and the equipment known (the regulation: equipment, fault, method
        and result, or the visit loses its allowance)"""
        pool = Pool()
        RepairLog = pool.get('service.repair.log')
        Request = pool.get('service.request')
        log = RepairLog.__table__()
        request = Request.__table__()
        return Exists(log.select(log.id,
                where=(log.dispatch == table.id)
                & (log.symptom != Null) & (Trim(log.symptom) != '')
                & (log.action != Null) & (Trim(log.action) != '')
                & (log.result != Null)
                & ((log.equipment != Null) | (table.equipment != Null)
                    | Exists(request.select(request.id,
                            where=(request.id == table.request)
                            & (request.product != Null))))))

    @classmethod
    def valid_condition(cls, table):
        """The SQL condition of a valid work order on its table: done,
        signed by the customer (name and signature) and with a complete
        repair form.  The one definition of the rule: the field, the KPIs
        and the bonus use it."""
        return ((table.state == 'done') & (table.signed_by != Null)
            & (table.signature_id != Null)
            & cls.form_complete_condition(table))

    @classmethod
    def report_late_condition(cls, table):
        """The SQL condition of a late work order report on its table: it
        came back after its due date, or is still out past it, counted in
        the company's days (the company of the context)"""
        Date = Pool().get('ir.date')
        return ((table.report_due_date != Null)
            & (Coalesce(table.report_received_date, Date.today())
                > table.report_due_date))

    @classmethod
    def period_date_column(cls, table):
        """The SQL timestamp a work order counts at in a period: its
        departure, else its planned start"""
        return Coalesce(table.departure_date, table.planned_start)

    @classmethod
    def period_condition(cls, table, company, from_date, to_date):
        """The SQL condition of the company's work orders that count in the
        days from from_date to to_date, days of the company's time zone"""
        start, end = day_bounds(company, from_date, to_date)
        when = cls.period_date_column(table)
        return ((table.company == company.id)
            & (when >= start) & (when < end))

    @classmethod
    def _get_by_condition(cls, dispatches, condition):
        "Return whether each work order meets the SQL condition"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = dict.fromkeys(map(int, dispatches), False)
        for sub_ids in grouped_slice(result, 1000):
            cursor.execute(*table.select(table.id,
                    where=table.id.in_(list(sub_ids)) & condition(table)))
            result.update((id_, True) for id_, in cursor)
        return result

    @classmethod
    def _search_by_condition(cls, clause, condition):
        _, operator, value = clause[:3]
        table = cls.__table__()
        query = table.select(table.id, where=condition(table))
        if (operator == '=') == bool(value):
            return [('id', 'in', query)]
        return [('id', 'not in', query)]

    @classmethod
    def get_form_complete(cls, dispatches, name):
        return cls._get_by_condition(dispatches, cls.form_complete_condition)

    @classmethod
    def search_form_complete(cls, name, clause):
        return cls._search_by_condition(clause, cls.form_complete_condition)

    @classmethod
    def get_valid(cls, dispatches, name):
        return cls._get_by_condition(dispatches, cls.valid_condition)

    @classmethod
    def search_valid(cls, name, clause):
        return cls._search_by_condition(clause, cls.valid_condition)

    @classmethod
    def get_report_late(cls, dispatches, name):
        result = {}
        for company, records in groupby(
                sorted(dispatches, key=lambda d: d.company.id),
                key=lambda d: d.company.id):
            with Transaction().set_context(company=company):
                result.update(cls._get_by_condition(
                        list(records), cls.report_late_condition))
        return result

    @classmethod
    def search_report_late(cls, name, clause):
        return cls._search_by_condition(clause, cls.report_late_condition)

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('state') == 'cancelled', 'muted',
                    If(Bool(Eval('report_late')), 'danger', ''))),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            set_number(cls, values, 'dispatch_sequence')
        return values

    @classmethod
    def validate_fields(cls, dispatches, field_names):
        super().validate_fields(dispatches, field_names)
        if field_names & {'planned_start', 'planned_end'}:
            for dispatch in dispatches:
                if (dispatch.planned_start and dispatch.planned_end
                        and dispatch.planned_end <= dispatch.planned_start):
                    raise DispatchValidationError(gettext(
                            'service_dispatch.msg_dispatch_planned_end',
                            dispatch=dispatch.rec_name))
        if field_names & {'technician', 'planned_start', 'planned_end'}:
            # Rescheduling a booked work order is checked like assigning it
            booked = [d for d in dispatches if d.state in BOOKED_STATES]
            cls.check_booking(booked)
            if 'planned_start' in field_names:
                cls.check_arrival_deadline(booked)
        if field_names & {*REPORTED_TIMES, 'report_received_date'}:
            cls.check_reported_times(dispatches)
        if field_names & {'arrival_date', 'departure_date'}:
            for dispatch in dispatches:
                if (dispatch.arrival_date and dispatch.departure_date
                        and dispatch.departure_date < dispatch.arrival_date):
                    raise DispatchValidationError(gettext(
                            'service_dispatch.msg_dispatch_departure_before',
                            dispatch=dispatch.rec_name))
        if field_names & {'departure_date', 'report_received_date'}:
            for dispatch in dispatches:
                if (dispatch.report_received_date and dispatch.departure_date
                        and dispatch.report_received_date < to_local(
                            dispatch.departure_date,
                            company_timezone(dispatch.company)).date()):
                    raise DispatchValidationError(gettext(
                            'service_dispatch.msg_dispatch_report_before',
                            dispatch=dispatch.rec_name))
        if 'signature' in field_names:
            for dispatch in dispatches:
                if dispatch.signature and not is_image(dispatch.signature):
                    raise DispatchValidationError(gettext(
                            'service_dispatch.msg_dispatch_signature_image',
                            dispatch=dispatch.rec_name))

    @classmethod
    def check_reported_times(cls, dispatches):
        """The times the technician reports happened: none in the future
        (beyond the skew of a tablet's clock), no arrival before the
        request was accepted, no report back after today"""
        pool = Pool()
        Date = pool.get('ir.date')
        latest = dt.datetime.now() + CLOCK_SKEW
        for dispatch in dispatches:
            for name in REPORTED_TIMES:
                value = getattr(dispatch, name)
                if value and value > latest:
                    raise DispatchValidationError(gettext(
                            'service_dispatch.msg_dispatch_time_future',
                            dispatch=dispatch.rec_name,
                            **cls.__names__(name)))
            accepted = dispatch.request.accepted_date
            if (dispatch.arrival_date and accepted
                    and dispatch.arrival_date < accepted):
                raise DispatchValidationError(gettext(
                        'service_dispatch.msg_dispatch_arrival_before',
                        dispatch=dispatch.rec_name,
                        request=dispatch.request.rec_name))
            if dispatch.report_received_date:
                with Transaction().set_context(company=dispatch.company.id):
                    today = Date.today()
                if dispatch.report_received_date > today:
                    raise DispatchValidationError(gettext(
                            'service_dispatch.msg_dispatch_report_future',
                            dispatch=dispatch.rec_name))

    @classmethod
    def check_modification(
            cls, mode, dispatches, values=None, external=False):
        super().check_modification(
            mode, dispatches, values=values, external=external)
        if mode == 'delete':
            for dispatch in dispatches:
                if dispatch.state != 'draft':
                    raise DispatchDeleteError(gettext(
                            'service_dispatch.msg_dispatch_delete_draft',
                            dispatch=dispatch.rec_name))
        elif mode == 'write' and external:
            changed = set(values) - {'report_received_date', 'notes'}
            for dispatch in dispatches:
                if dispatch.state in {'done', 'cancelled'} and changed:
                    raise DispatchModificationError(gettext(
                            'service_dispatch.msg_dispatch_modify_done',
                            dispatch=dispatch.rec_name))

    @classmethod
    def _readonly_error(cls, dispatch, name):
        if dispatch.state in {'done', 'cancelled'}:
            return DispatchModificationError(gettext(
                    'service_dispatch.msg_dispatch_modify_done',
                    dispatch=dispatch.rec_name))
        if name in {'travel_product', 'travel_unit_price'}:
            return DispatchModificationError(gettext(
                    'service_dispatch.msg_dispatch_travel_quoted',
                    dispatch=dispatch.rec_name, **cls.__names__(name)))
        return super()._readonly_error(dispatch, name)

    @classmethod
    def copy(cls, dispatches, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'appointment_confirmed_date', 'arrival_date',
                'departure_date', 'signed_by', 'signature', 'signature_id',
                'signed_date', 'signed_from',
                'report_due_date', 'report_received_date',
                'quotation_answered_by', 'quotation_answered_date',
                'quotation_answered_from']:
            default.setdefault(name, None)
        default.setdefault('repair_logs', None)
        default.setdefault('labour', None)
        default.setdefault('parts', None)
        default.setdefault('quotation_state', 'none')
        default.setdefault('travel_product', None)
        default.setdefault('travel_quantity', None)
        default.setdefault('travel_unit_price', None)
        default.setdefault('visit_time_band', None)
        default.setdefault('visit_price', None)
        return super().copy(dispatches, default=default)

    @classmethod
    def check_booking(cls, dispatches):
        """Refuse technicians booked for an overlapping period or lacking a
        skill the request needs"""
        pool = Pool()
        Employee = pool.get('company.employee')
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        technicians = {d.technician for d in dispatches if d.technician}
        # Two dispatchers booking the same technician wait for each other
        Employee.lock(list(technicians))
        for dispatch in dispatches:
            if not (dispatch.technician and dispatch.planned_start
                    and dispatch.planned_end):
                raise DispatchValidationError(gettext(
                        'service_dispatch.msg_dispatch_assign_missing',
                        dispatch=dispatch.rec_name))
            missing = (set(dispatch.request.type.skills)
                - set(dispatch.technician.service_skills))
            if missing:
                raise TechnicianSkillError(gettext(
                        'service_dispatch.msg_technician_missing_skill',
                        technician=dispatch.technician.rec_name,
                        dispatch=dispatch.rec_name,
                        skills=', '.join(sorted(
                                s.rec_name for s in missing))))
            others = [d for d in dispatches
                if d != dispatch and d.technician == dispatch.technician]
            others += cls.search([
                    ('technician', '=', dispatch.technician.id),
                    ('state', 'in', list(BOOKED_STATES)),
                    ('planned_start', '<', dispatch.planned_end),
                    ('planned_end', '>', dispatch.planned_start),
                    ('id', 'not in', [d.id for d in dispatches]),
                    ])
            for other in others:
                if (other.planned_start < dispatch.planned_end
                        and other.planned_end > dispatch.planned_start):
                    tzinfo = company_timezone(dispatch.company)
                    raise TechnicianBookedError(gettext(
                            'service_dispatch.msg_technician_booked',
                            technician=dispatch.technician.rec_name,
                            dispatch=dispatch.rec_name,
                            other=other.rec_name,
                            start=lang.strftime(
                                to_local(other.planned_start, tzinfo)),
                            end=lang.strftime(
                                to_local(other.planned_end, tzinfo))))

    def rank_technicians(self):
        """Return the company's technicians best first: with the request's
        skills, free in the planned period, then the least loaded"""
        pool = Pool()
        Employee = pool.get('company.employee')
        cursor = Transaction().connection.cursor()
        table = self.__table__()
        technicians = Employee.search([
                ('company', '=', self.company.id),
                ('service_technician', '=', True),
                ])
        if not technicians:
            return []
        booked = table.state.in_(list(BOOKED_STATES))
        cursor.execute(*table.select(
                table.technician, Count(table.id),
                where=booked & (table.id != (self.id or -1)),
                group_by=[table.technician]))
        load = dict(cursor)
        busy = set()
        if self.planned_start and self.planned_end:
            cursor.execute(*table.select(
                    table.technician,
                    where=booked & (table.id != (self.id or -1))
                    & (table.planned_start < self.planned_end)
                    & (table.planned_end > self.planned_start),
                    group_by=[table.technician]))
            busy = {t for t, in cursor}
        required = set(self.request.type.skills) if self.request else set()
        candidates = [{
                'technician': t,
                'has_skills': required <= set(t.service_skills),
                'free': t.id not in busy,
                'load': load.get(t.id, 0),
                } for t in technicians]
        candidates.sort(key=lambda c: (
                not c['has_skills'], not c['free'], c['load'],
                c['technician'].rec_name))
        return candidates

    @classmethod
    @ModelView.button_action('service_dispatch.wizard_suggest_technician')
    def suggest_technician(cls, dispatches):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('assigned')
    def assign(cls, dispatches):
        cls.check_booking(dispatches)
        cls.check_arrival_deadline(dispatches)

    @classmethod
    def check_arrival_deadline(cls, dispatches):
        "Warn when the technician is planned to arrive after the deadline"
        pool = Pool()
        Warning = pool.get('res.user.warning')
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        late = [d for d in dispatches
            if d.planned_start and d.arrival_deadline
            and d.planned_start > d.arrival_deadline]
        if late:
            key = Warning.format('service_dispatch.planned_late', late)
            if Warning.check(key):
                dispatch = late[0]
                tzinfo = company_timezone(dispatch.company)
                raise PlannedLateWarning(key, gettext(
                        'service_dispatch.msg_dispatch_planned_late',
                        dispatch=dispatch.rec_name,
                        start=lang.strftime(
                            to_local(dispatch.planned_start, tzinfo)),
                        deadline=lang.strftime(
                            to_local(dispatch.arrival_deadline, tzinfo))))

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, dispatches):
        for dispatch in dispatches:
            if not dispatch.appointment_contact:
                raise DispatchValidationError(gettext(
                        'service_dispatch.msg_dispatch_confirm_contact',
                        dispatch=dispatch.rec_name))
        cls.write(dispatches, {
                'appointment_confirmed_date': dt.datetime.now(),
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, dispatches):
        pool = Pool()
        Request = pool.get('service.request')
        now = dt.datetime.now()
        for dispatch in dispatches:
            if not dispatch.arrival_date:
                dispatch.arrival_date = now
        cls.save(dispatches)
        Request.start(list({
                    d.request for d in dispatches
                    if d.request.state == 'open'}))

    @classmethod
    @ModelView.button_action('service_dispatch.url_dispatch_signing_link')
    def signing_link(cls, dispatches):
        """Open a page where the customer signs the work order on the
        technician's phone or tablet: a new link, for this work order only,
        that expires after the configured hours"""
        pool = Pool()
        Configuration = pool.get('service.configuration')
        Link = pool.get('service.link')
        if not dispatches:
            return
        # The work order shown: one page for one work order
        dispatch = dispatches[0]
        if dispatch.state not in {'assigned', 'confirmed', 'in_progress'}:
            raise DispatchWorkflowError(gettext(
                    'service_dispatch.msg_dispatch_signing_link_state',
                    dispatch=dispatch.rec_name))
        hours = Configuration(1).get_multivalue(
            'signing_link_hours', company=dispatch.company.id)
        _, token = Link.issue(
            dispatch, 'sign',
            dt.datetime.now() + dt.timedelta(hours=hours))
        return {'url': Link.url(token, 'sign')}

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def done(cls, dispatches):
        pool = Pool()
        Configuration = pool.get('service.configuration')
        Link = pool.get('service.link')
        configuration = Configuration(1)
        now = dt.datetime.now()
        for dispatch in dispatches:
            # A part not issued leaves no stock move and is never invoiced:
            # said first, as it sends the technician to the warehouse
            unissued = [p for p in dispatch.parts
                if p.quantity_issued < p.quantity]
            if unissued:
                raise DispatchValidationError(gettext(
                        'service_dispatch.msg_dispatch_done_unissued',
                        dispatch=dispatch.rec_name,
                        parts=', '.join(
                            p.product.rec_name for p in unissued)))
            if not dispatch.repair_logs:
                raise DispatchValidationError(gettext(
                        'service_dispatch.msg_dispatch_done_no_log',
                        dispatch=dispatch.rec_name))
            if not (dispatch.signed_by and dispatch.signature_id):
                raise DispatchValidationError(gettext(
                        'service_dispatch.msg_dispatch_done_no_signature',
                        dispatch=dispatch.rec_name))
            if not dispatch.departure_date:
                dispatch.departure_date = now
            if not dispatch.signed_date:
                dispatch.signed_date = now
            days = configuration.get_multivalue(
                'report_days', company=dispatch.company.id)
            departure = to_local(
                dispatch.departure_date,
                company_timezone(dispatch.company)).date()
            dispatch.report_due_date = departure + dt.timedelta(days=days)
            dispatch.set_visit_price()
        cls.save(dispatches)
        # The signing links show the signed work order a while, then end
        for dispatch in dispatches:
            grace = configuration.get_multivalue(
                'signing_link_grace_hours', company=dispatch.company.id)
            Link.shorten([dispatch], 'sign', now + dt.timedelta(hours=grace))

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, dispatches):
        pool = Pool()
        Move = pool.get('stock.move')
        for dispatch in dispatches:
            for part in dispatch.parts:
                if part.quantity_issued > part.quantity_returned:
                    raise DispatchWorkflowError(gettext(
                            'service_dispatch.msg_dispatch_cancel_issued',
                            dispatch=dispatch.rec_name,
                            product=part.product.rec_name))
        Move.cancel([m for d in dispatches for p in d.parts for m in p.moves
                if m.state in {'draft', 'assigned'}])

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, dispatches):
        cls.write(dispatches, {'appointment_confirmed_date': None})

    @classmethod
    @ModelView.button
    def send_quotation(cls, dispatches):
        pool = Pool()
        Link = pool.get('service.link')
        for dispatch in dispatches:
            if not dispatch.chargeable:
                raise DispatchWorkflowError(gettext(
                        'service_dispatch.msg_dispatch_quotation_free',
                        dispatch=dispatch.rec_name))
        # A quotation sent again is answered again: the links of the one
        # refused end
        Link.shorten(dispatches, 'quotation', dt.datetime.now())
        cls.write(dispatches, {
                'quotation_state': 'sent',
                'quotation_answered_by': None,
                'quotation_answered_date': None,
                'quotation_answered_from': None,
                })

    @classmethod
    @ModelView.button
    def accept_quotation(cls, dispatches):
        cls._check_quotation_sent(dispatches)
        cls.write(dispatches, {
                'quotation_state': 'accepted',
                'quotation_answered_date': dt.datetime.now(),
                })

    @classmethod
    @ModelView.button
    def refuse_quotation(cls, dispatches):
        cls._check_quotation_sent(dispatches)
        cls.write(dispatches, {
                'quotation_state': 'refused',
                'quotation_answered_date': dt.datetime.now(),
                })

    @classmethod
    @ModelView.button_action('service_dispatch.url_dispatch_quotation_link')
    def quotation_link(cls, dispatches):
        """Open the page where the customer accepts or refuses the
        quotation sent: a new link, for this work order only"""
        if not dispatches:
            return
        dispatch = dispatches[0]
        if (dispatch.quotation_state != 'sent'
                or dispatch.state in {'done', 'cancelled'}):
            raise DispatchWorkflowError(gettext(
                    'service_dispatch.msg_dispatch_quotation_link_state',
                    dispatch=dispatch.rec_name))
        return {'url': dispatch.issue_quotation_url()}

    def issue_quotation_url(self):
        """Return the address of a new page where the customer answers the
        quotation, valid the configured days; issued in a transaction of
        its own when the quotation is printed (a read-only one)"""
        pool = Pool()
        Configuration = pool.get('service.configuration')
        Link = pool.get('service.link')
        days = Configuration(1).get_multivalue(
            'quotation_link_days', company=self.company.id)
        expiry = dt.datetime.now() + dt.timedelta(days=days)
        return Link.issue_url(self, 'quotation', expiry)

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_total_amount(self, name):
        return WorkOrderReport.total_amount(self)

    @classmethod
    @ModelView.button
    def request_parts(cls, dispatches):
        "Create the stock moves of the parts not requested yet"
        pool = Pool()
        Move = pool.get('stock.move')
        Part = pool.get('service.dispatch.part')
        # Two requests of the same parts wait for each other and the second
        # sees the moves of the first: the lock is taken at the start of the
        # transaction
        Part.lock([p for d in dispatches for p in d.parts])
        moves = []
        for dispatch in dispatches:
            for part in dispatch.parts:
                move = part.get_move()
                if move:
                    moves.append(move)
        Move.save(moves)

    @classmethod
    @ModelView.button
    def issue_parts(cls, dispatches):
        "Issue all requested parts, or none when one is short"
        pool = Pool()
        Move = pool.get('stock.move')
        Product = pool.get('product.product')
        # Two issues of the same product wait for each other and the second
        # reads the stock the first left: Tryton takes this lock at the
        # start of the transaction, before anything is read
        Product.lock(list({p.product for d in dispatches for p in d.parts}))
        cls.request_parts(dispatches)
        moves = []
        for dispatch in dispatches:
            if (dispatch.charge_parts
                    and dispatch.quotation_state != 'accepted'
                    and any(p.chargeable for p in dispatch.parts)):
                raise DispatchWorkflowError(gettext(
                        'service_dispatch.msg_dispatch_issue_quotation',
                        dispatch=dispatch.rec_name))
            for part in dispatch.parts:
                moves.extend(m for m in part.moves
                    if m.state in {'draft', 'assigned'}
                    and m.to_location.type == 'customer')
        if not moves:
            return
        if not Move.assign_try(moves, grouping=('product',)):
            short = sorted({m.product.rec_name for m in moves
                    if m.state != 'assigned'})
            raise PartIssueError(gettext(
                    'service_dispatch.msg_part_short',
                    products=', '.join(short),
                    location=moves[0].from_location.rec_name))
        Move.do(moves)

    @classmethod
    @ModelView.button_action('service_dispatch.wizard_return_parts')
    def return_parts(cls, dispatches):
        pass

    @classmethod
    def _check_quotation_sent(cls, dispatches):
        for dispatch in dispatches:
            if dispatch.quotation_state != 'sent':
                raise DispatchWorkflowError(gettext(
                        'service_dispatch.msg_dispatch_quotation_not_sent',
                        dispatch=dispatch.rec_name))

    @property
    def per_visit_contract(self):
        "The per-visit agreement the work order's request is under"
        request = self.request
        if (request and request.warranty == 'contract' and request.contract
                and request.contract.kind == 'per_visit'):
            return request.contract

    def set_visit_price(self):
        """Fix the price of the visit by the time band of the per-visit
        agreement it was made in (arrival, else planned start, in the
        company's time zone)"""
        contract = self.per_visit_contract
        if not contract:
            self.visit_time_band = self.visit_price = None
            return
        when = self.arrival_date or self.planned_start or self.departure_date
        when = to_local(when, company_timezone(self.company))
        sla = contract.sla or self.request.sla
        holidays = {h.date for h in sla.holidays} if sla else set()
        band = contract.time_band(when, holidays)
        if not band:
            Lang = Pool().get('ir.lang')
            raise DispatchValidationError(gettext(
                    'service_dispatch.msg_dispatch_no_time_band',
                    dispatch=self.rec_name, contract=contract.rec_name,
                    date=Lang.get().strftime(when, '%x %H:%M')))
        self.visit_time_band = band
        self.visit_price = band.price

    @fields.depends('travel_product', 'travel_quantity')
    def on_change_travel_product(self):
        if self.travel_product:
            self.travel_unit_price = self.travel_product.list_price_used
            if not self.travel_quantity:
                self.travel_quantity = 1

    def _invoice_origins(self):
        return ([str(self)] + [str(p) for p in self.parts]
            + [str(l) for l in self.labour])

    @classmethod
    def get_invoice_lines(cls, dispatches, name):
        pool = Pool()
        InvoiceLine = pool.get('account.invoice.line')
        origins = {}
        for dispatch in dispatches:
            for origin in dispatch._invoice_origins():
                origins[origin] = dispatch.id
        result = {d.id: [] for d in dispatches}
        for line in InvoiceLine.search([
                    ('origin', 'in', list(origins)),
                    ], order=[('id', 'ASC')]):
            result[origins[str(line.origin)]].append(line.id)
        return result

    def get_invoice_state(self, name):
        invoices = {l.invoice for l in self.invoice_lines
            if l.invoice and l.invoice.state != 'cancelled'}
        if not invoices:
            return 'none'
        if all(i.state == 'paid' for i in invoices):
            return 'paid'
        if all(i.state in {'posted', 'paid'} for i in invoices):
            return 'invoiced'
        return 'pending'

    @classmethod
    def invoice_state_query(cls):
        "Return the SQL query of the invoice state of the work orders"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        InvoiceLine = pool.get('account.invoice.line')
        Part = pool.get('service.dispatch.part')
        Labour = pool.get('service.dispatch.labour')
        dispatch = cls.__table__()
        part = Part.__table__()
        labour = Labour.__table__()
        line = InvoiceLine.__table__()
        invoice = Invoice.__table__()
        # What the lines of a work order may have as origin
        origins = Union(
            dispatch.select(
                reference(cls, dispatch.id).as_('origin'),
                dispatch.id.as_('dispatch')),
            part.select(
                reference(Part, part.id).as_('origin'),
                part.dispatch.as_('dispatch')),
            labour.select(
                reference(Labour, labour.id).as_('origin'),
                labour.dispatch.as_('dispatch')),
            all_=True)
        lines = (origins
            .join(line, condition=line.origin == origins.origin)
            .join(invoice, condition=line.invoice == invoice.id))
        count = Count(line.id)

        def value(name):
            # Typed, so that PostgreSQL knows it in a subquery
            return Cast(Literal(name), 'VARCHAR')
        state = Case(
            (Sum(Case((invoice.state == 'paid', 1), else_=0)) == count,
                value('paid')),
            (Sum(Case((invoice.state.in_(['posted', 'paid']), 1),
                        else_=0)) == count,
                value('invoiced')),
            else_=value('pending'))
        invoiced = lines.select(
            origins.dispatch.as_('dispatch'), state.as_('state'),
            where=invoice.state != 'cancelled',
            group_by=[origins.dispatch])
        table = cls.__table__()
        return table.join(invoiced, 'LEFT',
            condition=invoiced.dispatch == table.id).select(
                table.id.as_('id'),
                Coalesce(invoiced.state, value('none')).as_('invoice_state'))

    @classmethod
    def search_invoice_state(cls, name, clause):
        _, operator, value = clause[:3]
        Operator = fields.SQL_OPERATORS[operator]
        query = cls.invoice_state_query()
        return [('id', 'in', query.select(
                    query.id,
                    where=Operator(query.invoice_state, value)))]

    @staticmethod
    def _invoiced_quantities(origins):
        "Return the quantity invoiced per origin, cancelled invoices aside"
        pool = Pool()
        InvoiceLine = pool.get('account.invoice.line')
        quantities = defaultdict(float)
        for line in InvoiceLine.search([
                    ('origin', 'in', [str(o) for o in origins]),
                    ['OR',
                        ('invoice', '=', None),
                        ('invoice.state', '!=', 'cancelled'),
                        ],
                    ]):
            # The work order is the origin of its travel and of its visit
            quantities[str(line.origin), line.product.id] += line.quantity
        return quantities

    def _get_invoice_line(self, origin, product, quantity, unit, unit_price,
            description=None):
        if not product.account_revenue_used:
            raise InvoiceError(gettext(
                    'service_dispatch.msg_invoice_product_account',
                    dispatch=self.rec_name,
                    product=product.rec_name))
        return customer_invoice_line(
            self.company, origin, product, quantity, unit, unit_price,
            self._invoice_line_description(description or product.rec_name))

    def _invoice_line_description(self, description):
        "The work order, request and serial number before the description"
        pool = Pool()
        Lang = pool.get('ir.lang')
        serial = self.serial_number_serviced
        lang = self.party.lang or Lang.get()
        with Transaction().set_context(language=lang.code):
            if serial:
                return gettext(
                    'service_dispatch.msg_invoice_line_description',
                    dispatch=self.number, request=self.request.number,
                    serial=serial, description=description)
            return gettext(
                'service_dispatch.msg_invoice_line_description_no_serial',
                dispatch=self.number, request=self.request.number,
                description=description)

    def get_serial_number(self, name):
        return self.serial_number_serviced

    @classmethod
    def search_serial_number(cls, name, clause):
        _, operator, value = clause[:3]
        return ['OR',
            ('equipment.serial_number', operator, value),
            [('equipment', '=', None),
                ('request.serial_number', operator, value)],
            ]

    @property
    def serial_number_serviced(self):
        "The serial number of the unit the work order serviced"
        if self.equipment:
            return self.equipment.serial_number
        return self.request.serial_number if self.request else None

    def get_invoice_lines_to_create(self):
        "Return the invoice lines of what is chargeable and not invoiced"
        if self.state != 'done':
            return []
        lines = []
        if self.visit_time_band:
            # The visit under a per-visit agreement is billed, whatever
            # the repair's quotation became
            lines.extend(self._get_visit_invoice_lines())
        if not self.chargeable or self.quotation_state == 'refused':
            return lines
        origins = []
        if self.charge_parts:
            origins += [p for p in self.parts if p.chargeable]
        if self.charge_labour:
            origins += [l for l in self.labour if l.chargeable]
            if self.travel_product and self.travel_quantity:
                origins.append(self)
        invoiced = self._invoiced_quantities(origins)
        for origin in origins:
            if origin == self:
                quantity = self.travel_quantity
                product = self.travel_product
                unit = product.default_uom
                unit_price = self.travel_unit_price
                description = None
            elif origin.__name__ == 'service.dispatch.part':
                quantity = origin.quantity_issued - origin.quantity_returned
                product, unit = origin.product, origin.unit
                unit_price = origin.unit_price
                description = origin.description
            else:
                if not origin.product:
                    raise InvoiceError(gettext(
                            'service_dispatch.msg_invoice_labour_product',
                            dispatch=self.rec_name,
                            employee=origin.employee.rec_name))
                quantity = float(origin.hours)
                product, unit = origin.product, origin.product.default_uom
                unit_price = origin.unit_price
                description = origin.description
            quantity -= invoiced[str(origin), product.id]
            if unit.round(quantity) > 0:
                lines.append(self._get_invoice_line(
                        origin, product, quantity, unit, unit_price,
                        description))
        return lines

    def _get_visit_invoice_lines(self):
        "The line of the visit under a per-visit agreement, if not invoiced"
        pool = Pool()
        Configuration = pool.get('service.configuration')
        product = Configuration(1).get_multivalue(
            'visit_product', company=self.company.id)
        if not product:
            raise InvoiceError(gettext(
                    'service_dispatch.msg_invoice_visit_product',
                    dispatch=self.rec_name))
        invoiced = self._invoiced_quantities([self])
        if invoiced[str(self), product.id] >= 1:
            return []
        return [self._get_invoice_line(
                self, product, 1, product.default_uom, self.visit_price,
                self.visit_time_band.name)]

    def _get_invoice(self):
        return customer_invoice(self.company, self.party)

    @classmethod
    def create_invoices(cls, dispatches):
        """Create draft customer invoices, one per party and currency, from
        the chargeable parts, labour and travel not invoiced yet"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        for dispatch in dispatches:
            if dispatch.state != 'done':
                raise InvoiceError(gettext(
                        'service_dispatch.msg_dispatch_invoice_not_done',
                        dispatch=dispatch.rec_name))
        # Two accountants invoicing the same work orders wait for each other
        cls.lock(dispatches)
        invoices = {}
        for dispatch in sorted(dispatches, key=lambda d: d.number or ''):
            lines = dispatch.get_invoice_lines_to_create()
            if not lines:
                continue
            key = (dispatch.company, dispatch.party, dispatch.company.currency)
            if key not in invoices:
                invoices[key] = dispatch._get_invoice()
            invoice = invoices[key]
            invoice.lines = list(invoice.lines) + lines
            # The customer's reference to the work orders invoiced
            invoice.reference = ', '.join(
                filter(None, [invoice.reference, dispatch.number]))
        invoices = list(invoices.values())
        Invoice.save(invoices)
        Invoice.update_taxes(invoices)
        return invoices

    @classmethod
    @ModelView.button_action('service_dispatch.act_invoice_open')
    def invoice(cls, dispatches):
        invoices = cls.create_invoices(dispatches)
        return {
            'res_id': [i.id for i in invoices],
            'pyson_domain': PYSONEncoder().encode(
                [('id', 'in', [i.id for i in invoices])]),
            }


# What the customer was quoted is fixed on a line of the work order once
# the quotation is sent
QUOTED = Eval('_parent_dispatch', {}).get(
    'quotation_state', 'none').in_(['sent', 'accepted'])


class WorkOrderLineMixin:
    """A line of a work order: its repair logs, labour and parts

    What the work order recorded once it is done or cancelled is fixed: a
    client no longer changes its lines."""
    __slots__ = ()

    dispatch = fields.Many2One(
        'service.dispatch', "Work Order", required=True, ondelete='CASCADE')

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if external:
            for line in lines:
                if line.dispatch.state in {'done', 'cancelled'}:
                    raise cls._done_error(line)

    @classmethod
    def _readonly_error(cls, line, name):
        if line.dispatch.state in {'done', 'cancelled'}:
            return cls._done_error(line)
        return super()._readonly_error(line, name)

    @staticmethod
    def _done_error(line):
        return DispatchModificationError(gettext(
                'service_dispatch.msg_dispatch_modify_done',
                dispatch=line.dispatch.rec_name))


class RepairLog(
        WorkOrderLineMixin, ClientValueMixin, ModelSQL, ModelView):
    __name__ = 'service.repair.log'
    __string__ = "Repair Log"

    date = fields.DateTime("Date", required=True)
    equipment = fields.Many2One(
        'service.equipment', "Equipment",
        domain=[
            ('company', '=',
                Eval('_parent_dispatch', {}).get('company', -1)),
            ('party', '=', Eval('_parent_dispatch', {}).get('party', -1)),
            ])
    symptom = fields.Text("Symptom", required=True)
    cause = fields.Text("Cause")
    action = fields.Text("Action", help="What was done.")
    result = fields.Selection([
            ('fixed', "Fixed"),
            ('not_fixed', "Not Fixed"),
            ('needs_parts', "Needs Parts"),
            ('returned_to_factory', "Returned to Factory"),
            ], "Result", required=True, sort=False)
    result_string = result.translated('result')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date', 'ASC'))

    @staticmethod
    def default_date():
        return dt.datetime.now()

    @staticmethod
    def default_result():
        return 'fixed'

    @fields.depends('dispatch', 'equipment', '_parent_dispatch.equipment')
    def on_change_dispatch(self):
        if self.dispatch and not self.equipment:
            self.equipment = self.dispatch.equipment


class Labour(WorkOrderLineMixin, ClientValueMixin, ModelSQL, ModelView):
    __name__ = 'service.dispatch.labour'
    __string__ = "Work Order Labour"

    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company', searcher='search_company')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True,
        domain=[
            ('company', '=',
                Eval('_parent_dispatch', {}).get('company', -1)),
            ])
    hours = fields.Numeric("Hours", digits=(16, 2), required=True)
    product = fields.Many2One(
        'product.product', "Product",
        domain=[('type', '=', 'service')],
        context={
            'company': Eval('company', -1),
            },
        states={
            'readonly': QUOTED,
            },
        depends={'company'},
        help="The service product that prices the hour.")
    unit_price = fields.Numeric(
        "Unit Price", digits=price_digits,
        states={
            'readonly': QUOTED,
            })
    chargeable = fields.Boolean(
        "Chargeable",
        states={
            'readonly': QUOTED,
            })
    description = fields.Char("Description")

    @fields.depends('dispatch', '_parent_dispatch.company')
    def on_change_with_company(self, name=None):
        return self.dispatch.company if self.dispatch else None

    @classmethod
    def search_company(cls, name, clause):
        return [('dispatch.' + clause[0], *clause[1:])]

    @classmethod
    def default_product(cls):
        pool = Pool()
        Configuration = pool.get('service.configuration')
        company = Transaction().context.get('company')
        if company is not None and company >= 0:
            product = Configuration(1).get_multivalue(
                'labour_product', company=company)
            return product.id if product else None

    @classmethod
    def default_unit_price(cls):
        pool = Pool()
        Product = pool.get('product.product')
        product = cls.default_product()
        if product:
            return Product(product).list_price_used

    @fields.depends('dispatch', '_parent_dispatch.technician',
        '_parent_dispatch.company', 'product', 'unit_price')
    def on_change_dispatch(self):
        if self.dispatch and self.dispatch.technician:
            self.employee = self.dispatch.technician
        # The company's labour product comes as a default, its price once
        # the work order, and so the company, is known
        if self.product and self.unit_price is None:
            self.unit_price = self._list_price()

    @fields.depends('dispatch', '_parent_dispatch.request')
    def on_change_with_chargeable(self):
        if self.dispatch and self.dispatch.request:
            return self.dispatch._coverage()[1]
        return False

    @fields.depends('product', 'dispatch', '_parent_dispatch.company')
    def on_change_product(self):
        if self.product:
            self.unit_price = self._list_price()

    def _list_price(self):
        "The product's list price for the company of the work order"
        pool = Pool()
        Product = pool.get('product.product')
        company = (self.dispatch.company.id
            if self.dispatch and self.dispatch.company
            else Transaction().context.get('company'))
        with Transaction().set_context(company=company):
            return Product(self.product.id).list_price_used

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Dispatch = pool.get('service.dispatch')
        Product = pool.get('product.product')
        Configuration = pool.get('service.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('dispatch'):
            dispatch = Dispatch(values['dispatch'])
            values.setdefault('chargeable', dispatch.charge_labour)
            if 'product' not in values:
                product = Configuration(1).get_multivalue(
                    'labour_product', company=dispatch.company.id)
                values['product'] = product.id if product else None
            if values.get('product') and values.get('unit_price') is None:
                values['unit_price'] = Product(
                    values['product']).list_price_used
        return values

    @classmethod
    def validate_fields(cls, labours, field_names):
        super().validate_fields(labours, field_names)
        if 'hours' in field_names:
            for labour in labours:
                if labour.hours <= 0:
                    raise DispatchValidationError(gettext(
                            'service_dispatch.msg_labour_hours_positive',
                            dispatch=labour.dispatch.rec_name))

    @property
    def amount(self):
        return (self.unit_price or Decimal(0)) * self.hours

    @classmethod
    def _readonly_error(cls, labour, name):
        if labour.dispatch.state in {'done', 'cancelled'}:
            return super()._readonly_error(labour, name)
        return DispatchModificationError(gettext(
                'service_dispatch.msg_labour_fixed',
                dispatch=labour.dispatch.rec_name, **cls.__names__(name)))


class SuggestTechnician(Wizard):
    "Rank the technicians for a work order"
    __name__ = 'service.dispatch.suggest_technician'
    __string__ = "Suggest Technician"

    start = StateView('service.dispatch.suggest_technician.start',
        'service_dispatch.suggest_technician_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Choose", 'choose', 'tryton-ok', default=True),
            ])
    choose = StateTransition()

    def default_start(self, fields):
        candidates = self.record.rank_technicians()
        return {
            'candidates': [{
                    'technician': c['technician'].id,
                    'has_skills': c['has_skills'],
                    'free': c['free'],
                    'load': c['load'],
                    'chosen': not i,
                    } for i, c in enumerate(candidates)],
            'technician': (
                candidates[0]['technician'].id if candidates else None),
            }

    def transition_choose(self):
        pool = Pool()
        Dispatch = pool.get('service.dispatch')
        dispatch = self.record
        if dispatch.state not in {'draft', 'assigned'}:
            raise DispatchWorkflowError(gettext(
                    'service_dispatch.msg_dispatch_suggest_state',
                    dispatch=dispatch.rec_name))
        dispatch.technician = self.start.technician
        dispatch.on_change_technician()
        Dispatch.save([dispatch])
        return 'end'


class SuggestTechnicianStart(ModelView):
    __name__ = 'service.dispatch.suggest_technician.start'
    __string__ = "Suggest Technician"

    candidates = fields.One2Many(
        'service.dispatch.suggest_technician.candidate', None,
        "Candidates",
        help="Best first: with the skills, free in the planned period, "
        "least busy. Tick one to choose it.")
    technician = fields.Many2One(
        'company.employee', "Technician", required=True,
        domain=[('service_technician', '=', True)])

    @fields.depends('candidates', 'technician')
    def on_change_candidates(self):
        "The candidate ticked last is the one chosen, alone ticked"
        candidates = list(self.candidates or [])
        ticked = [c for c in candidates
            if c.chosen and c.technician != self.technician]
        if ticked:
            self.technician = ticked[-1].technician
        self.on_change_technician()

    @fields.depends('candidates', 'technician')
    def on_change_technician(self):
        "The chosen technician's row alone ticked"
        candidates = list(self.candidates or [])
        for candidate in candidates:
            candidate.chosen = bool(
                self.technician and candidate.technician == self.technician)
        self.candidates = candidates


class SuggestTechnicianCandidate(ModelView):
    __name__ = 'service.dispatch.suggest_technician.candidate'
    __string__ = "Technician Candidate"

    technician = fields.Many2One(
        'company.employee', "Technician", readonly=True)
    has_skills = fields.Boolean("Has the Skills", readonly=True)
    free = fields.Boolean(
        "Free", readonly=True,
        help="Not booked in the planned period.")
    load = fields.Integer(
        "Load", readonly=True,
        help="Work orders assigned, confirmed or in progress.")
    chosen = fields.Boolean(
        "Choose", help="Tick to assign this technician.")


class WorkOrderReport(CompanyReport):
    "The work order the technician fills on site and the customer signs"
    __name__ = 'service.dispatch'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        for name in [
                'service_address', 'contact', 'product_serviced',
                'serial_number', 'part_quantity', 'part_amount',
                'labour_amount', 'travel_amount', 'visit_amount',
                'total_amount',
                'signature_image']:
            context[name] = getattr(cls, name)
        return context

    @classmethod
    def service_address(cls, dispatch):
        "Where the service takes place"
        if dispatch.request.address:
            return dispatch.request.address
        if dispatch.equipment:
            return dispatch.equipment.address

    @classmethod
    def contact(cls, dispatch):
        return dispatch.appointment_contact or dispatch.request.contact

    @classmethod
    def product_serviced(cls, dispatch):
        if dispatch.equipment:
            return dispatch.equipment.product
        return dispatch.request.product

    @classmethod
    def serial_number(cls, dispatch):
        return dispatch.serial_number_serviced

    @classmethod
    def part_quantity(cls, part):
        "What the customer got once issued, else what is planned"
        if part.quantity_issued:
            return part.quantity_issued - part.quantity_returned
        return part.quantity

    @classmethod
    def part_amount(cls, part):
        "Return the amount charged for the part, None when it is free"
        if part.dispatch.charge_parts and part.chargeable:
            return cls._amount(
                part.dispatch, cls.part_quantity(part), part.unit_price)

    @classmethod
    def labour_amount(cls, labour):
        "Return the amount charged for the labour, None when it is free"
        if labour.dispatch.charge_labour and labour.chargeable:
            return cls._amount(
                labour.dispatch, labour.hours, labour.unit_price)

    @classmethod
    def travel_amount(cls, dispatch):
        "Return the amount charged for the travel, None when it is free"
        if (dispatch.charge_labour and dispatch.travel_product
                and dispatch.travel_quantity):
            return cls._amount(
                dispatch, dispatch.travel_quantity,
                dispatch.travel_unit_price)

    @classmethod
    def _amount(cls, dispatch, quantity, unit_price):
        amount = Decimal(str(quantity)) * (unit_price or Decimal(0))
        return dispatch.company.currency.round(amount)

    @classmethod
    def visit_amount(cls, dispatch):
        "Return the price of the visit under a per-visit agreement"
        if dispatch.visit_time_band:
            return cls._amount(dispatch, 1, dispatch.visit_price)

    @classmethod
    def total_amount(cls, dispatch):
        amounts = [cls.part_amount(p) for p in dispatch.parts]
        amounts += [cls.labour_amount(l) for l in dispatch.labour]
        amounts.append(cls.travel_amount(dispatch))
        amounts.append(cls.visit_amount(dispatch))
        return sum(filter(None, amounts), Decimal(0))

    @classmethod
    def signature_image(cls, dispatch):
        "Return the signature and its MIME type for relatorio's image"
        try:
            mimetype = puremagic.from_string(dispatch.signature, mime=True)
        except puremagic.PureError:
            mimetype = None
        return dispatch.signature, mimetype or 'application/octet-stream'


class QuotationReport(WorkOrderReport):
    """The quotation of a chargeable work order: the parts, labour and
    travel with their amounts and the total, and while it waits for the
    customer's answer, the address (and its code) of the page to answer it"""
    __name__ = 'service.dispatch.quotation'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['quotation_urls'] = cls.quotation_urls
        return context

    @classmethod
    def quotation_urls(cls, dispatch):
        if (dispatch.quotation_state == 'sent'
                and dispatch.state not in {'done', 'cancelled'}):
            return [dispatch.issue_quotation_url()]
        return []


class BlankWorkOrderReport(WorkOrderReport):
    "The work order printed before the visit, filled by hand on site"
    __name__ = 'service.dispatch.blank'


class CreateInvoices(Wizard):
    "Invoice the done work orders an accountant selects, or all of them"
    __name__ = 'service.dispatch.create_invoices'
    __string__ = "Create Service Invoices"

    start = StateView('service.dispatch.create_invoices.start',
        'service_dispatch.create_invoices_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Create", 'create_', 'tryton-ok', default=True),
            ])
    create_ = StateAction('account_invoice.act_invoice_out_form')

    def default_start(self, fields):
        "The work orders selected, else all with something to invoice"
        pool = Pool()
        Dispatch = pool.get('service.dispatch')
        if self.model and self.model.__name__ == 'service.dispatch':
            dispatches = [d for d in self.records if d.state == 'done']
        else:
            dispatches = [d for d in Dispatch.search([
                        ('state', '=', 'done'),
                        ['OR',
                            [('chargeable', '=', True),
                                ('quotation_state', '!=', 'refused')],
                            ('visit_time_band', '!=', None),
                            ],
                        ], order=[('number', 'ASC')])
                if d.get_invoice_lines_to_create()]
        return {'dispatches': [d.id for d in dispatches]}

    def do_create_(self, action):
        pool = Pool()
        Dispatch = pool.get('service.dispatch')
        dispatches = list(self.start.dispatches)
        # Only what was shown and chosen, of the work orders the user may
        # read
        if not dispatches:
            raise InvoiceError(gettext(
                    'service_dispatch.msg_invoice_choose_dispatches'))
        check_readable(self.start.__class__,
            {'dispatches': [d.id for d in dispatches]})
        invoices = Dispatch.create_invoices(dispatches)
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [i.id for i in invoices])])
        return action, {}


class CreateInvoicesStart(ModelView):
    __name__ = 'service.dispatch.create_invoices.start'
    __string__ = "Create Service Invoices"

    dispatches = fields.Many2Many(
        'service.dispatch', None, None, "Work Orders",
        domain=[('state', '=', 'done')],
        help="The done work orders to invoice: those with something "
        "chargeable not invoiced yet are proposed.")
