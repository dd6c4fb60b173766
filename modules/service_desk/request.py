# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
import datetime as dt
from collections import defaultdict

from sql import Literal, Null
from sql.aggregate import Max
from sql.conditionals import Case, Coalesce
from sql.functions import CharLength

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.company import CompanyReport
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.report import Report
from trytond.tools import escape_wildcard
from trytond.transaction import Transaction

from .client import ClientValueMixin
from .configuration import set_number
from .exceptions import (
    RequestComplaintError, RequestDeleteError, RequestModificationError,
    RequestValidationError, RequestWorkflowError, SerialUnknownWarning)
from .sla import (
    PRIORITIES, company_timezone, status_column, status_domain, to_local,
    today_condition)

AT_RISK_SHARE = 0.2
# What the desk recorded at intake: it is the base of warranty and deadlines
# and may change only while the request is a draft.
INTAKE_FIELDS = {
    'company', 'party', 'channel', 'type', 'equipment', 'product',
    'serial_number', 'quantity', 'reported_date', 'priority',
    }


class RequestType(ClientValueMixin, DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'service.request.type'

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True)
    requires_equipment = fields.Boolean(
        "Requires Equipment",
        help="Requests of this type can be accepted only with the "
        "customer's equipment.")
    description = fields.Text("Description", translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'service_desk.msg_request_type_code_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))


# What the acceptance deadline is counted from: the report, and what
# chooses the SLA and its response target (the quantity changes only the
# resolution)
ACCEPTANCE_FIELDS = {
    'reported_date', 'priority', 'sla', 'party', 'equipment', 'company',
    'channel'}
# The channels of a written request: accepted within the written hours (3
# days), the others within the acceptance hours (24)
WRITTEN_CHANNELS = {'email', 'letter', 'web'}


class Request(ClientValueMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'service.request'
    _rec_name = 'number'
    _history = True

    _intake = {
        'readonly': Eval('state') != 'draft',
        }
    _active = {
        'readonly': Eval('state').in_(['closed', 'cancelled']),
        }

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_intake)
    party = fields.Many2One(
        'party.party', "Customer", required=True, states=_intake,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    contact = fields.Many2One(
        'party.contact_mechanism', "Contact", states=_active,
        domain=[
            If(Eval('party'), ('party', '=', Eval('party', -1)), ()),
            ],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="How to reach the person who reported the request.")
    address = fields.Many2One(
        'party.address', "Address", states=_active,
        domain=[
            If(Eval('party'), ('party', '=', Eval('party', -1)), ()),
            ],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Where the service takes place.")
    channel = fields.Selection([
            ('phone', "Phone"),
            ('email', "E-mail"),
            ('letter', "Letter"),
            ('web', "Web"),
            ('walk_in', "Walk-in"),
            ('field', "Field"),
            ], "Channel", required=True, states=_intake)
    type = fields.Many2One(
        'service.request.type', "Type", required=True, states=_intake)
    priority = fields.Selection(
        PRIORITIES, "Priority", required=True, sort=False, states=_intake)
    equipment = fields.Many2One(
        'service.equipment', "Equipment", states=_intake,
        domain=[
            ('company', '=', Eval('company', -1)),
            If(Eval('party'), ('party', '=', Eval('party', -1)), ()),
            ])
    product = fields.Many2One(
        'product.product', "Product", states=_intake,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    serial_number = fields.Char("Serial Number", states=_intake)
    quantity = fields.Integer(
        "Quantity", required=True, states=_intake,
        help="The units brought in: the turnaround rule counts them.")
    description = fields.Text("Description", required=True, states=_active)
    reported_date = fields.DateTime(
        "Reported", required=True,
        states={
            # The SLA counts from it: fixed at the first acceptance
            'readonly': (
                (Eval('state') != 'draft') | Bool(Eval('accepted_date'))),
            })
    acceptance_deadline = fields.DateTime(
        "Acceptance Deadline", readonly=True,
        states={
            'invisible': Eval('state') != 'draft',
            },
        help="By when the desk must accept the request: the acceptance hours "
        "from the report, or the SLA's response deadline if earlier. Shown "
        "until it is accepted.")
    acceptance_overdue = fields.Function(
        fields.Boolean("Acceptance Overdue"),
        'get_acceptance_overdue', searcher='search_acceptance_overdue')
    accepted_date = fields.DateTime("Accepted", readonly=True)
    resolved_date = fields.DateTime("Resolved", readonly=True)
    closed_date = fields.DateTime("Closed", readonly=True)
    warranty = fields.Selection([
            (None, ""),
            ('in_warranty', "In Warranty"),
            ('out_of_warranty', "Out of Warranty"),
            ('contract', "Contract"),
            ], "Warranty", readonly=True,
        help="Decided when the request is accepted.")
    warranty_string = warranty.translated('warranty')
    contract = fields.Many2One('service.contract', "Contract", readonly=True)
    sla = fields.Many2One(
        'service.sla', "SLA", states=_intake, ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="Leave empty to take the contract's, else the customer's, "
        "else the default one when the request is accepted.")
    response_deadline = fields.DateTime(
        "Response Deadline", readonly=True,
        help="The SLA's response target in business hours from the report, "
        "waiting periods left out.")
    resolution_deadline = fields.DateTime(
        "Resolution Deadline", readonly=True,
        help="The SLA's resolution target in business hours from the report, "
        "waiting periods left out.")
    at_risk_date = fields.DateTime(
        "At Risk From", readonly=True,
        help="When four fifths of the business time allowed to the "
        "resolution deadline have run, waiting periods left out: from then "
        "the request is at risk.")
    arrival_deadline = fields.DateTime(
        "Arrival Deadline", readonly=True,
        help="By when a technician must be on site: the SLA's response "
        "hours counted from the acceptance.")
    arrival_at_risk_date = fields.DateTime(
        "Arrival At Risk From", readonly=True,
        help="When four fifths of the business time from the acceptance to "
        "the arrival deadline have run: from then a work order not yet on "
        "site is at risk.")
    # The status and the next deadline are SQL expressions of the stored
    # dates and the time (column_*): the form, the lists, their searches,
    # counts and orders all read the same expression
    sla_status = fields.Function(fields.Selection([
                (None, ""),
                ('on_track', "On Track"),
                ('at_risk', "At Risk"),
                ('breached', "Breached"),
                ('met', "Met"),
                ], "SLA Status",
            help="Breached: accepted after the response deadline or not "
            "resolved by the resolution deadline. At risk: from the at-risk "
            "moment to the deadline. A waiting request keeps the status it "
            "had when its clock stopped."))
    next_deadline = fields.Function(fields.DateTime(
            "Next Deadline",
            help="What the desk must meet next: the acceptance deadline of "
            "a draft, the resolution deadline of an accepted request; none "
            "while it waits (the clock stands still) or once resolved."))
    due_today = fields.Function(fields.Boolean(
            "Due Today",
            help="The next deadline falls today in the company's time "
            "zone."))
    pauses = fields.One2Many(
        'service.request.pause', 'request', "Waiting Periods",
        states={
            'readonly': Eval('state').in_(['draft', 'closed', 'cancelled']),
            },
        help="The periods the SLA clock stood still. Correcting them "
        "moves the deadlines.")
    wait_reason = fields.Char(
        "Waiting Reason",
        states={
            'invisible': ~Eval('state').in_(['open', 'in_progress']),
            },
        help="Why the request waits (customer absent, parts on order...): "
        "kept with the waiting period.")
    state_before_wait = fields.Selection([
            (None, ""),
            ('open', "Open"),
            ('in_progress', "In Progress"),
            ], "State before Waiting", readonly=True)
    resolution = fields.Text(
        "Resolution",
        states={
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            'required': Eval('state').in_(['resolved', 'closed']),
            })
    reopen_count = fields.Integer("Reopened", readonly=True)
    inspection_contract = fields.Many2One(
        'service.contract', "Inspection Contract", readonly=True,
        states={
            'invisible': ~Eval('inspection_contract'),
            },
        help="The maintenance contract whose scheduled inspection "
        "this request is.")
    inspection_due_date = fields.Date(
        "Inspection Due Date", readonly=True,
        states={
            'invisible': ~Eval('inspection_contract'),
            })
    employee = fields.Many2One(
        'company.employee', "Responsible", states=_active,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    state = fields.Selection([
            ('draft', "Draft"),
            ('open', "Open"),
            ('waiting', "Waiting"),
            ('in_progress', "In Progress"),
            ('resolved', "Resolved"),
            ('closed', "Closed"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        cls.number.search_unaccented = False
        cls.serial_number.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.reported_date, Index.Range())),
                Index(t,
                    (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(
                        ['draft', 'open', 'waiting', 'in_progress'])),
                })
        # The desk's queue: the at-risk and the due requests
        cls._sql_indexes.update({
                Index(t, (t.at_risk_date, Index.Range())),
                Index(t, (t.resolution_deadline, Index.Range())),
                })
        cls._sql_indexes.add(
            Index(t,
                (t.inspection_contract, Index.Range()),
                (t.inspection_due_date, Index.Range()),
                where=t.inspection_contract != Null))
        cls._order = [
            ('reported_date', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'open'),
            ('open', 'in_progress'),
            ('in_progress', 'resolved'),
            ('resolved', 'closed'),
            ('open', 'waiting'),
            ('in_progress', 'waiting'),
            ('resolved', 'in_progress'),
            ('draft', 'cancelled'),
            ('open', 'cancelled'),
            ('waiting', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'open': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'status_link': {
                    'invisible': Eval('state').in_(['draft', 'cancelled']),
                    'depends': ['state'],
                    },
                'start': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'wait': {
                    'invisible': ~Eval('state').in_(['open', 'in_progress']),
                    'depends': ['state'],
                    },
                'resume': {
                    'invisible': Eval('state') != 'waiting',
                    'depends': ['state'],
                    },
                'resolve': {
                    'invisible': Eval('state') != 'in_progress',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'resolved',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'resolved',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'open', 'waiting']),
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
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
    def default_employee():
        return Transaction().context.get('employee')

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_channel():
        return 'phone'

    @staticmethod
    def default_priority():
        return 'normal'

    @staticmethod
    def default_quantity():
        return 1

    @staticmethod
    def default_reopen_count():
        return 0

    @staticmethod
    def default_reported_date():
        return dt.datetime.now()

    @fields.depends('party', 'address', 'contact')
    def on_change_party(self):
        if self.party:
            if not self.address or self.address.party != self.party:
                self.address = self.party.address_get()
            if not self.contact or self.contact.party != self.party:
                self.contact = self.party.contact_mechanism_get(
                    {'phone', 'mobile', 'email'})
        else:
            self.address = self.contact = None

    @fields.depends('equipment', 'party', 'address',
        methods=['on_change_party'])
    def on_change_equipment(self):
        if self.equipment:
            self.product = self.equipment.product
            self.serial_number = self.equipment.serial_number
            if not self.party:
                self.party = self.equipment.party
                self.on_change_party()
            if self.equipment.address:
                self.address = self.equipment.address

    @fields.depends('serial_number', 'equipment', 'company', 'party',
        methods=['on_change_equipment'])
    def on_change_serial_number(self):
        if (self.serial_number
                and (not self.equipment
                    or self.equipment.serial_number != self.serial_number)):
            equipment = self.find_equipment()
            if equipment:
                self.equipment = equipment
                self.on_change_equipment()

    def find_equipment(self):
        """The customer's unit (of any customer if none is set) with the
        serial number, if there is one and only one"""
        pool = Pool()
        Equipment = pool.get('service.equipment')
        if not self.serial_number or not self.company:
            return None
        serial = self.serial_number.strip()
        domain = [
            ('company', '=', self.company.id),
            ('serial_number', 'ilike', escape_wildcard(serial)),
            ]
        if self.party:
            domain.append(('party', '=', self.party.id))
        equipments = Equipment.search(domain, limit=2)
        if len(equipments) == 1:
            return equipments[0]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('sla_status') == 'breached', 'danger',
                    If(Eval('sla_status') == 'at_risk', 'warning',
                        If(Eval('state') == 'cancelled', 'muted', '')))),
            ('/tree/field[@name="acceptance_deadline"]', 'visual',
                If(Bool(Eval('acceptance_overdue')), 'danger', '')),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            set_number(cls, values, 'request_sequence')
        return values

    @classmethod
    def on_modification(cls, mode, requests, field_names=None):
        super().on_modification(mode, requests, field_names=field_names)
        if mode == 'create' or (
                mode == 'write' and field_names & ACCEPTANCE_FIELDS):
            cls._set_acceptance_deadline(
                [r for r in requests if r.state == 'draft'])

    @classmethod
    def _set_acceptance_deadline(cls, requests):
        """The acceptance hours of the channel from the report, or the
        SLA's response deadline if it comes first: accepting is the response the SLA
        measures, so the desk keeps to the earlier of the two"""
        pool = Pool()
        Configuration = pool.get('service.configuration')
        configuration = Configuration(1)
        for request in requests:
            hours = configuration.get_multivalue(
                'acceptance_hours_written'
                if request.channel in WRITTEN_CHANNELS
                else 'acceptance_hours', company=request.company.id)
            deadline = request.reported_date + dt.timedelta(hours=hours)
            sla = request.sla or request.applicable_sla(
                request.assess_warranty()[1])
            if sla:
                response = sla.response_deadline(
                    request.company, request.reported_date, request.priority)
                if response:
                    deadline = min(deadline, response)
            request.acceptance_deadline = deadline
        cls.save(requests)

    @classmethod
    def validate_fields(cls, requests, field_names):
        super().validate_fields(requests, field_names)
        if 'quantity' in field_names:
            for request in requests:
                if request.quantity is None or request.quantity < 1:
                    raise RequestValidationError(gettext(
                            'service_desk.msg_request_quantity_positive',
                            request=request.rec_name))
        if field_names & {
                'inspection_contract', 'inspection_due_date', 'equipment'}:
            cls.check_inspection_unique(requests)

    @classmethod
    def check_inspection_unique(cls, requests):
        "Refuse a second request for the same scheduled inspection"
        for request in requests:
            if not request.inspection_contract:
                continue
            others = cls.search([
                    ('id', '!=', request.id),
                    ('inspection_contract', '=',
                        request.inspection_contract.id),
                    ('inspection_due_date', '=', request.inspection_due_date),
                    ('equipment', '=',
                        request.equipment.id if request.equipment else None),
                    ], limit=1)
            if others:
                other, = others
                raise RequestValidationError(gettext(
                        'service_desk.msg_request_inspection_unique',
                        request=request.rec_name,
                        other=other.rec_name))

    @classmethod
    def check_modification(cls, mode, requests, values=None, external=False):
        super().check_modification(
            mode, requests, values=values, external=external)
        if mode == 'delete':
            for request in requests:
                if request.state not in {'draft', 'cancelled'}:
                    raise RequestDeleteError(gettext(
                            'service_desk.msg_request_delete_draft',
                            request=request.rec_name))
        elif mode == 'write' and external:
            changed = set(values) - {'state'}
            for request in requests:
                if request.state in {'closed', 'cancelled'} and changed:
                    raise RequestModificationError(gettext(
                            'service_desk.msg_request_modify_ended',
                            request=request.rec_name))
                if (request.state != 'draft'
                        and changed & INTAKE_FIELDS):
                    raise RequestModificationError(gettext(
                            'service_desk.msg_request_modify_intake',
                            request=request.rec_name))

    @classmethod
    def _readonly_error(cls, request, name):
        if request.state in {'closed', 'cancelled'}:
            return RequestModificationError(gettext(
                    'service_desk.msg_request_modify_ended',
                    request=request.rec_name))
        if name in INTAKE_FIELDS:
            return RequestModificationError(gettext(
                    'service_desk.msg_request_modify_intake',
                    request=request.rec_name))
        return super()._readonly_error(request, name)

    @classmethod
    def copy(cls, requests, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'accepted_date', 'resolved_date',
                'closed_date', 'warranty', 'contract', 'response_deadline',
                'resolution_deadline', 'at_risk_date', 'arrival_deadline',
                'arrival_at_risk_date', 'resolution',
                'wait_reason',
                'state_before_wait', 'acceptance_deadline',
                'inspection_contract', 'inspection_due_date']:
            default.setdefault(name, None)
        default.setdefault('pauses', None)
        default.setdefault('reopen_count', 0)
        default.setdefault('reported_date', dt.datetime.now())
        return super().copy(requests, default=default)

    def get_acceptance_overdue(self, name):
        return bool(self.state == 'draft'
            and self.acceptance_deadline
            and self.acceptance_deadline < dt.datetime.now())

    @classmethod
    def search_acceptance_overdue(cls, name, clause):
        _, operator, value = clause[:3]
        now = dt.datetime.now()
        if (operator == '=') == bool(value):
            return [
                ('state', '=', 'draft'),
                ('acceptance_deadline', '<', now),
                ]
        return ['OR',
            ('state', '!=', 'draft'),
            ('acceptance_deadline', '=', None),
            ('acceptance_deadline', '>=', now),
            ]

    def pause_intervals(self, now=None):
        "Return the waiting periods, the running one ending at now"
        now = now or dt.datetime.now()
        return [(p.start, p.end or now) for p in self.pauses]

    def compute_deadlines(self, now=None):
        if not self.sla:
            return None, None
        return self.sla.deadlines(
            self.company, self.reported_date, self.priority, self.quantity,
            self.pause_intervals(now))

    @classmethod
    def update_deadlines(cls, requests):
        "Count the deadlines of accepted requests again"
        requests = [r for r in requests
            if r.accepted_date and r.state not in {'draft', 'cancelled'}]
        now = dt.datetime.now()
        for request in requests:
            request.response_deadline, request.resolution_deadline = (
                request.compute_deadlines(now))
            request.at_risk_date = request.compute_at_risk_date(now)
        cls.save(requests)

    def compute_arrival(self):
        """Return the arrival deadline (the SLA's response hours from the
        acceptance, no waiting counted) and its at-risk moment"""
        if not (self.sla and self.accepted_date):
            return None, None
        deadline = self.sla.response_deadline(
            self.company, self.accepted_date, self.priority)
        if not deadline:
            return None, None
        return deadline, self.sla.at_risk(
            self.company, self.accepted_date, deadline, AT_RISK_SHARE)

    def compute_at_risk_date(self, now=None):
        """Return when four fifths of the business time to the resolution
        deadline have run, the waiting periods up to now not counted"""
        resolution = self.resolution_deadline
        if not (self.sla and resolution):
            return None
        return self.sla.at_risk(
            self.company, self.reported_date, resolution, AT_RISK_SHARE,
            self.pause_intervals(now))

    @classmethod
    def sla_status_conditions(cls, table, now=None):
        """Return the SQL condition of each SLA status on the request table,
        at now: exclusive, never NULL, one of them true on every row.

        Accepted after the response deadline or, open or in progress, past
        the resolution deadline: breached; past the at-risk moment: at
        risk.  A waiting request is judged at the start of its running
        waiting period (its clock stands still); a resolved or closed one
        at its resolution."""
        pool = Pool()
        Pause = pool.get('service.request.pause')
        pause = Pause.__table__()
        if now is None:
            now = dt.datetime.now()
        now = Literal(now)
        stopped = Coalesce(pause.select(Max(pause.start),
                where=(pause.request == table.id) & (pause.end == Null)),
            now)

        def passed(deadline, moment):
            "deadline is set and the moment has reached it"
            return (deadline != Null) & (moment >= deadline)

        response, resolution = (
            table.response_deadline, table.resolution_deadline)
        deadlines = (response != Null) | (resolution != Null)
        late_response = ((response != Null) & (table.accepted_date != Null)
            & (table.accepted_date > response))
        running = table.state.in_(['open', 'in_progress'])
        waiting = table.state == 'waiting'
        ended = table.state.in_(['resolved', 'closed'])
        late_end = late_response | (
            (resolution != Null) & (table.resolved_date != Null)
            & (table.resolved_date > resolution))
        late_running = late_response | passed(resolution, now)
        late_waiting = late_response | passed(resolution, stopped)
        risk_running = passed(table.at_risk_date, now)
        risk_waiting = passed(table.at_risk_date, stopped)
        return {
            'breached': deadlines & (
                (ended & late_end)
                | (running & late_running)
                | (waiting & late_waiting)),
            'met': deadlines & ended & ~late_end,
            'at_risk': deadlines & (
                (running & ~late_running & risk_running)
                | (waiting & ~late_waiting & risk_waiting)),
            'on_track': deadlines & (
                (running & ~late_running & ~risk_running)
                | (waiting & ~late_waiting & ~risk_waiting)),
            None: ~deadlines | ~(running | waiting | ended),
            }

    @classmethod
    def column_sla_status(cls, tables):
        table, _ = tables[None]
        return status_column(cls.sla_status_conditions(table))

    @classmethod
    def domain_sla_status(cls, domain, tables):
        "The conditions of the statuses searched, as the column's"
        table, _ = tables[None]
        return status_domain(cls.sla_status_conditions(table), domain)

    @classmethod
    def next_deadline_sql(cls, table):
        return Case(
            (table.state == 'draft', table.acceptance_deadline),
            (table.state.in_(['open', 'in_progress']),
                table.resolution_deadline),
            else_=Null)

    @classmethod
    def column_next_deadline(cls, tables):
        table, _ = tables[None]
        return cls.next_deadline_sql(table)

    @classmethod
    def order_next_deadline(cls, tables):
        table, _ = tables[None]
        return [cls.next_deadline_sql(table)]

    @classmethod
    def column_due_today(cls, tables):
        "The next deadline between the bounds of today of its company"
        table, _ = tables[None]
        return today_condition(table.company, cls.next_deadline_sql(table))

    def assess_warranty(self):
        "Return the warranty status and the covering contract"
        pool = Pool()
        Contract = pool.get('service.contract')
        date = to_local(
            self.reported_date, company_timezone(self.company)).date()
        contracts = Contract.search([
                ('company', '=', self.company.id),
                ('party', '=', self.party.id),
                ('state', 'in', ['active', 'expired']),
                ('start_date', '<=', date),
                ['OR',
                    ('end_date', '=', None),
                    ('end_date', '>=', date),
                    ],
                ], order=[('start_date', 'DESC')])
        # Expired contracts still cover what was reported while they ran.
        # A contract listing no equipment covers all the customer's requests
        for contract in contracts:
            if self.equipment and self.equipment in contract.equipments:
                return 'contract', contract
        for contract in contracts:
            if not contract.equipments:
                return 'contract', contract
        if (self.equipment and self.equipment.warranty_end
                and date <= self.equipment.warranty_end):
            return 'in_warranty', None
        return 'out_of_warranty', None

    def applicable_sla(self, contract=None):
        "The contract's SLA, else the customer's, else the company's default"
        pool = Pool()
        Configuration = pool.get('service.configuration')
        contract = contract or self.contract
        if contract and contract.sla:
            return contract.sla
        sla = self.party.get_multivalue('service_sla', company=self.company.id)
        if sla:
            return sla
        return Configuration(1).get_multivalue(
            'default_sla', company=self.company.id)

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def open(cls, requests):
        pool = Pool()
        Warning = pool.get('res.user.warning')
        now = dt.datetime.now()
        unknown = []
        for request in requests:
            if request.serial_number and not request.equipment:
                request.equipment = request.find_equipment()
                if request.equipment:
                    request.on_change_equipment()
                else:
                    unknown.append(request)
        if unknown:
            key = Warning.format('service_desk.serial_unknown', unknown)
            if Warning.check(key):
                raise SerialUnknownWarning(key, gettext(
                        'service_desk.msg_request_serial_unknown',
                        request=unknown[0].rec_name,
                        serial=unknown[0].serial_number))
        for request in requests:
            if request.type.requires_equipment and not request.equipment:
                raise RequestValidationError(gettext(
                        'service_desk.msg_request_equipment_required',
                        request=request.rec_name,
                        type=request.type.rec_name))
            request.warranty, request.contract = request.assess_warranty()
            if not request.sla:
                request.sla = request.applicable_sla()
            # Accepted again after a cancellation: the SLA counts from the
            # first acceptance
            if not request.accepted_date:
                request.accepted_date = now
            request.response_deadline, request.resolution_deadline = (
                request.compute_deadlines(request.accepted_date))
            request.at_risk_date = request.compute_at_risk_date(
                request.accepted_date)
            (request.arrival_deadline, request.arrival_at_risk_date) = (
                request.compute_arrival())
        cls.save(requests)

    @classmethod
    @ModelView.button_action('service_desk.url_request_status_link')
    def status_link(cls, requests):
        """Open the page where the customer follows the request: a new
        link, for this request only, to send the customer"""
        if not requests:
            return
        request = requests[0]
        if not request.accepted_date or request.state == 'cancelled':
            raise RequestWorkflowError(gettext(
                    'service_desk.msg_request_status_link_state',
                    request=request.rec_name))
        return {'url': request.issue_status_url()}

    def issue_status_url(self):
        """Return the address of a new page where the customer follows the
        request, valid the configured days; issued in a transaction of its
        own when the document that carries it is printed (a read-only one)"""
        pool = Pool()
        Configuration = pool.get('service.configuration')
        Link = pool.get('service.link')
        days = Configuration(1).get_multivalue(
            'status_link_days', company=self.company.id)
        expiry = dt.datetime.now() + dt.timedelta(days=days)
        return Link.issue_url(self, 'status', expiry)

    @property
    def customer_state(self):
        "The state as the customer's page says it"
        return gettext(f'service_desk.msg_status_{self.state}')

    def customer_status(self, lang):
        """Return the (label, value) the customer's page shows, in the
        company's time zone"""
        def date(value):
            if not value:
                return ''
            return lang.strftime(
                to_local(value, company_timezone(self.company)),
                '%x %H:%M')

        def label(name):
            return gettext(f'service_desk.msg_status_{name}')
        equipment = ''
        if self.product:
            equipment = self.product.rec_name
            if self.serial_number:
                equipment += f' ({self.serial_number})'
        rows = [
            (label('type'), self.type.rec_name),
            (label('equipment'), equipment),
            (label('reported'), date(self.reported_date)),
            (label('accepted'), date(self.accepted_date)),
            ]
        if self.state in {'open', 'waiting', 'in_progress'}:
            rows += [
                (label('response_deadline'), date(self.response_deadline)),
                (label('arrival_deadline'), date(self.arrival_deadline)),
                (label('resolution_deadline'),
                    date(self.resolution_deadline)),
                ]
        if self.state in {'resolved', 'closed'}:
            rows.append(
                (label('resolved_date'), date(self.resolved_date)))
        return rows

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, requests):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('waiting')
    def wait(cls, requests):
        pool = Pool()
        Pause = pool.get('service.request.pause')
        now = dt.datetime.now()
        Pause.save([
                Pause(request=r, start=now, reason=r.wait_reason)
                for r in requests])
        for request in requests:
            request.state_before_wait = request.state
            request.wait_reason = None
        cls.save(requests)

    @classmethod
    @ModelView.button
    def resume(cls, requests):
        selection = dict(cls.fields_get(['state'])['state']['selection'])
        for request in requests:
            if request.state != 'waiting':
                raise RequestWorkflowError(gettext(
                        'service_desk.msg_request_resume_not_waiting',
                        request=request.rec_name,
                        state=selection[request.state]))
        now = dt.datetime.now()
        cls._end_pauses(requests, now)
        by_state = defaultdict(list)
        for request in requests:
            by_state[request.state_before_wait or 'open'].append(request)
        for state, records in by_state.items():
            cls.write(records, {'state': state, 'state_before_wait': None})
            cls.log(records, 'transition', f'state:{state}')

    @classmethod
    def _end_pauses(cls, requests, now):
        pool = Pool()
        Pause = pool.get('service.request.pause')
        Pause.write(Pause.search([
                    ('request', 'in', [r.id for r in requests]),
                    ('end', '=', None),
                    ]), {'end': now})

    @classmethod
    @ModelView.button
    @Workflow.transition('resolved')
    def resolve(cls, requests):
        for request in requests:
            if not (request.resolution or '').strip():
                raise RequestValidationError(gettext(
                        'service_desk.msg_request_resolve_no_resolution',
                        request=request.rec_name))
        cls.write(requests, {'resolved_date': dt.datetime.now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, requests):
        cls.write(requests, {'closed_date': dt.datetime.now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def reopen(cls, requests):
        for request in requests:
            request.resolved_date = None
            request.reopen_count = (request.reopen_count or 0) + 1
        cls.save(requests)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, requests):
        cls._end_pauses(requests, dt.datetime.now())
        cls.write(requests, {'state_before_wait': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, requests):
        cls.write(requests, {
                'warranty': None,
                'contract': None,
                'response_deadline': None,
                'resolution_deadline': None,
                'at_risk_date': None,
                'arrival_deadline': None,
                'arrival_at_risk_date': None,
                })


class RequestPause(ClientValueMixin, ModelSQL, ModelView):
    __name__ = 'service.request.pause'
    __string__ = "Service Request Waiting Period"

    request = fields.Many2One(
        'service.request', "Request", required=True, ondelete='CASCADE')
    start = fields.DateTime("Start", required=True)
    end = fields.DateTime("End")
    reason = fields.Char("Reason")
    duration = fields.Function(
        fields.TimeDelta("Duration"), 'get_duration')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.request, Index.Range())))
        cls._order.insert(0, ('start', 'ASC'))

    @classmethod
    def check_modification(cls, mode, pauses, values=None, external=False):
        super().check_modification(
            mode, pauses, values=values, external=external)
        for pause in pauses:
            if pause.request.state in {'closed', 'cancelled'}:
                raise RequestModificationError(gettext(
                        'service_desk.msg_request_modify_ended',
                        request=pause.request.rec_name))
            # The open period is the request's waiting state: only the
            # Wait and Resume buttons start and end it
            if external and (not pause.end
                    or mode == 'write' and 'end' in values
                    and not values['end']):
                raise RequestModificationError(gettext(
                        'service_desk.msg_pause_open',
                        request=pause.request.rec_name))

    @classmethod
    def on_modification(cls, mode, pauses, field_names=None):
        pool = Pool()
        Request = pool.get('service.request')
        super().on_modification(mode, pauses, field_names=field_names)
        if mode in {'create', 'write'}:
            Request.update_deadlines(list({p.request for p in pauses}))

    @classmethod
    def on_delete(cls, pauses):
        pool = Pool()
        Request = pool.get('service.request')
        callback = super().on_delete(pauses)
        requests = list({p.request for p in pauses})
        if requests:
            callback.append(lambda: Request.update_deadlines(
                    Request.browse(requests)))
        return callback

    @classmethod
    def validate_fields(cls, pauses, field_names):
        super().validate_fields(pauses, field_names)
        if field_names & {'start', 'end'}:
            for pause in pauses:
                if pause.end and pause.end < pause.start:
                    raise RequestValidationError(gettext(
                            'service_desk.msg_pause_end_before_start',
                            request=pause.request.rec_name))

    def get_duration(self, name):
        if self.end:
            return self.end - self.start


class RequestAcknowledgement(CompanyReport):
    "The receipt the desk gives the customer for the request"
    __name__ = 'service.request.acknowledgement'

    @classmethod
    def execute(cls, ids, data):
        with Transaction().set_context(address_with_party=True):
            return super().execute(ids, data)

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['status_urls'] = cls.status_urls
        return context

    @classmethod
    def status_urls(cls, request):
        """The address of a new page where the customer follows the
        request, once accepted: printed with its code on the paper"""
        if request.accepted_date and request.state != 'cancelled':
            return [request.issue_status_url()]
        return []


class RequestAcceptedEmail(Report):
    "The e-mail the customer's contact gets when the request is accepted"
    __name__ = 'service.request.email_accepted'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['status_urls'] = RequestAcknowledgement.status_urls
        return context


class RequestComplaint(metaclass=PoolMeta):
    __name__ = 'service.request'

    complaint = fields.Many2One(
        'sale.complaint', "Complaint", readonly=True,
        states={
            'invisible': ~Eval('complaint'),
            },
        help="The sale complaint this request raised.")
    type_code = fields.Function(
        fields.Char("Type Code"), 'on_change_with_type_code')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'raise_complaint': {
                    'invisible': ((Eval('type_code') != 'complaint')
                        | Bool(Eval('complaint'))),
                    'depends': ['type_code', 'complaint'],
                    },
                })

    @fields.depends('type')
    def on_change_with_type_code(self, name=None):
        return self.type.code if self.type else None

    @classmethod
    def copy(cls, requests, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('complaint', None)
        return super().copy(requests, default=default)

    @classmethod
    @ModelView.button
    def raise_complaint(cls, requests):
        "Raise a sale complaint for each complaint request"
        pool = Pool()
        Complaint = pool.get('sale.complaint')
        Configuration = pool.get('service.configuration')
        complaint_type = Configuration(1).complaint_type
        for request in requests:
            if request.type.code != 'complaint':
                raise RequestComplaintError(gettext(
                        'service_desk.msg_request_complaint_type',
                        request=request.rec_name,
                        type=request.type.rec_name))
            if request.complaint:
                raise RequestComplaintError(gettext(
                        'service_desk.msg_request_complaint_raised',
                        request=request.rec_name,
                        complaint=request.complaint.rec_name))
            if not complaint_type:
                raise RequestComplaintError(gettext(
                        'service_desk.msg_request_complaint_no_type',
                        request=request.rec_name))
        complaints = [r.get_complaint(complaint_type) for r in requests]
        Complaint.save(complaints)
        for request, complaint in zip(requests, complaints):
            request.complaint = complaint
        cls.save(requests)

    def get_complaint(self, complaint_type):
        pool = Pool()
        Complaint = pool.get('sale.complaint')
        return Complaint(
            company=self.company,
            customer=self.party,
            type=complaint_type,
            origin=self._complaint_origin(complaint_type),
            reference=self.number,
            description=self.description)

    def _complaint_origin(self, complaint_type):
        "Return the sale or sale line of the equipment the type accepts"
        pool = Pool()
        SaleLine = pool.get('sale.line')
        # The equipment knows its delivery only with stock_lot activated
        move = getattr(self.equipment, 'origin_move', None)
        if not move or not isinstance(move.origin, SaleLine):
            return None
        line = move.origin
        if line.sale.party != self.party:
            return None
        return {
            'sale.line': line,
            'sale.sale': line.sale,
            }.get(complaint_type.origin.name)
