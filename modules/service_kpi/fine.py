# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Fines of the department's regulation, deducted on the bonus statement

A work order report handed back late or lost (20 each), a justified
complaint about a technician's attitude (50), damage to or unauthorised use
of customer property (50 to 200, set by the manager): each with its date,
reason, the work order or request it comes from and who recorded it.  Once
a confirmed statement counts a fine, the fine stays as it was.
"""
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.service_desk.client import ClientValueMixin
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .bonus import quarter_of
from .exceptions import FineError, FineModificationError

# The configuration field of the amount proposed for each kind
KIND_AMOUNTS = {
    'late_report': 'fine_late_report',
    'lost_report': 'fine_lost_report',
    'attitude': 'fine_attitude',
    'property': 'fine_property_min',
    }


class Fine(ClientValueMixin, ModelSQL, ModelView):
    __name__ = 'service.fine'
    __string__ = "Service Fine"

    company = fields.Many2One('company.company', "Company", required=True)
    employee = fields.Many2One(
        'company.employee', "Employee", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    date = fields.Date("Date", required=True)
    kind = fields.Selection([
            ('late_report', "Report Handed Back Late"),
            ('lost_report', "Report Lost"),
            ('attitude', "Attitude Complaint"),
            ('property', "Customer Property"),
            ('other', "Other"),
            ], "Kind", required=True, sort=False)
    kind_string = kind.translated('kind')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    amount = fields.Numeric(
        "Amount", digits='currency', required=True,
        domain=[('amount', '>', 0)],
        help="Deducted from the employee's bonus of the date's quarter.")
    dispatch = fields.Many2One(
        'service.dispatch', "Work Order",
        domain=[
            ('company', '=', Eval('company', -1)),
            If(Eval('kind').in_(['late_report', 'lost_report']),
                ('technician', '=', Eval('employee', -1)),
                ()),
            ],
        states={
            'required': Eval('kind').in_(['late_report', 'lost_report']),
            },
        help="The work order the fine comes from.")
    request = fields.Many2One(
        'service.request', "Request",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="The request, or the complaint, the fine comes from.")
    reason = fields.Text("Reason", required=True)
    recorded_by = fields.Many2One(
        'res.user', "Recorded By", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today()

    @staticmethod
    def default_kind():
        return 'late_report'

    @classmethod
    def default_amount(cls):
        # The kind's amount, the kind given by the context (a fine recorded
        # from a complaint is for attitude)
        kind = Transaction().context.get('default_kind') or cls.default_kind()
        return cls._kind_amount(kind, cls.default_company())

    @staticmethod
    def default_recorded_by():
        return Transaction().user

    @classmethod
    def _kind_amount(cls, kind, company_id):
        pool = Pool()
        Configuration = pool.get('service.configuration')
        if kind not in KIND_AMOUNTS or company_id is None:
            return None
        return Configuration(1).get_multivalue(
            KIND_AMOUNTS[kind], company=company_id)

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('kind', 'company')
    def on_change_kind(self):
        if self.company:
            self.amount = self._kind_amount(self.kind, self.company.id)

    @fields.depends('dispatch', 'employee', 'request',
        '_parent_dispatch.technician', '_parent_dispatch.request')
    def on_change_dispatch(self):
        if self.dispatch:
            if self.dispatch.technician:
                self.employee = self.dispatch.technician
            self.request = self.dispatch.request

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            # Who recorded it is the user who did, whatever is sent
            values['recorded_by'] = Transaction().user or None
        return values

    def get_rec_name(self, name):
        pool = Pool()
        Lang = pool.get('ir.lang')
        return '%s, %s @ %s' % (
            self.kind_string, self.employee.rec_name,
            Lang.get().strftime(self.date))

    @classmethod
    def validate_fields(cls, fines, field_names):
        super().validate_fields(fines, field_names)
        if field_names & {'kind', 'amount', 'company'}:
            cls.check_property_amount(fines)
        if field_names & {'kind', 'dispatch'}:
            cls.check_report_once(fines)

    @classmethod
    def check_property_amount(cls, fines):
        "A property fine within the configured range"
        pool = Pool()
        Configuration = pool.get('service.configuration')
        Lang = pool.get('ir.lang')
        configuration = Configuration(1)
        lang = Lang.get()
        for fine in fines:
            if fine.kind != 'property':
                continue
            least, greatest = (
                configuration.get_multivalue(name, company=fine.company.id)
                for name in ['fine_property_min', 'fine_property_max'])
            if not least <= fine.amount <= greatest:
                raise FineError(gettext(
                        'service_kpi.msg_fine_property_amount',
                        fine=fine.rec_name,
                        least=lang.currency(least, fine.company.currency),
                        greatest=lang.currency(
                            greatest, fine.company.currency)))

    @classmethod
    def check_report_once(cls, fines):
        "One fine for the report of a work order"
        for fine in fines:
            if fine.kind not in {'late_report', 'lost_report'}:
                continue
            others = cls.search([
                    ('dispatch', '=', fine.dispatch.id),
                    ('kind', 'in', ['late_report', 'lost_report']),
                    ('id', '!=', fine.id),
                    ], limit=1)
            if others:
                raise FineError(gettext(
                        'service_kpi.msg_fine_report_once',
                        dispatch=fine.dispatch.rec_name,
                        fine=others[0].rec_name))

    @classmethod
    def check_modification(cls, mode, fines, values=None, external=False):
        super().check_modification(
            mode, fines, values=values, external=external)
        if mode in {'create', 'delete'} or (
                mode == 'write' and values):
            cls.check_quarter_open(fines)
            if mode == 'write':
                # Moved into a quarter already paid
                cls.check_quarter_open(fines, values)

    @classmethod
    def check_quarter_open(cls, fines, values=None):
        "Refuse a fine of a quarter whose statement is confirmed"
        pool = Pool()
        Bonus = pool.get('service.bonus')
        Company = pool.get('company.company')
        keys = set()
        for fine in fines:
            company = fine.company
            date = fine.date
            if values:
                if 'company' in values:
                    company = Company(values['company'])
                date = values.get('date', date)
            keys.add((company.id, *quarter_of(date)))
        for company_id, year, quarter in keys:
            confirmed = Bonus.search([
                    ('company', '=', company_id),
                    ('year', '=', year),
                    ('quarter', '=', quarter),
                    ('state', '=', 'confirmed'),
                    ], limit=1)
            if confirmed:
                raise FineModificationError(gettext(
                        'service_kpi.msg_fine_quarter_confirmed',
                        bonus=confirmed[0].rec_name))
