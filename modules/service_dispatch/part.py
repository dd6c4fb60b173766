# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
import datetime as dt

from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce

from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.product import price_digits, round_price
from trytond.modules.service_desk.client import ClientValueMixin
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .dispatch import QUOTED, STATES, WorkOrderLineMixin, reference
from .exceptions import (
    DispatchDeleteError, DispatchModificationError, PartReturnError,
    PartValidationError)

# What the stock issues is fixed once moves were requested for the part
_quoted_or_requested = {
    'readonly': QUOTED | Bool(Eval('moves', [])),
    }


class Part(WorkOrderLineMixin, ClientValueMixin, ModelSQL, ModelView):
    __name__ = 'service.dispatch.part'
    __string__ = "Work Order Part"

    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company', searcher='search_dispatch_field')
    product = fields.Many2One(
        'product.product', "Product", required=True,
        domain=[('type', 'in', ['goods', 'assets'])],
        context={
            'company': Eval('company', -1),
            },
        states=_quoted_or_requested,
        depends={'company'})
    product_uom_category = fields.Function(
        fields.Many2One('product.uom.category', "Product UoM Category"),
        'on_change_with_product_uom_category')
    quantity = fields.Float(
        "Quantity", digits='unit', required=True,
        states={
            'readonly': QUOTED,
            },
        help="The quantity requested for the job.")
    unit = fields.Many2One(
        'product.uom', "Unit", required=True,
        domain=[
            If(Eval('product_uom_category'),
                ('category', '=', Eval('product_uom_category', -1)),
                ()),
            ],
        states=_quoted_or_requested)
    unit_price = fields.Numeric(
        "Unit Price", digits=price_digits, states=_quoted_or_requested)
    chargeable = fields.Boolean("Chargeable", states=_quoted_or_requested)
    moves = fields.One2Many('stock.move', 'origin', "Moves", readonly=True)
    quantity_issued = fields.Function(
        fields.Float(
            "Issued", digits='unit',
            help="What the stock issued for the job, returns included."),
        'get_quantities', searcher='search_quantity')
    quantity_returned = fields.Function(
        fields.Float(
            "Returned", digits='unit',
            help="What came back from the job, defective parts included."),
        'get_quantities', searcher='search_quantity')
    quantity_defective = fields.Function(
        fields.Float(
            "Defective", digits='unit',
            help="What came back to another location than the work order's "
            "parts location: the defective parts."),
        'get_quantities', searcher='search_quantity')
    quantity_to_issue = fields.Function(
        fields.Float(
            "To Issue", digits='unit',
            help="What the job needs and the stock has not issued yet."),
        'get_quantities', searcher='search_quantity')
    quantity_out = fields.Function(
        fields.Float(
            "Out", digits='unit',
            help="What was issued and has not come back."),
        'get_quantities', searcher='search_quantity')
    description = fields.Char("Description")
    technician = fields.Function(
        fields.Many2One('company.employee', "Technician"),
        'on_change_with_technician', searcher='search_dispatch_field')
    planned_start = fields.Function(
        fields.DateTime("Planned Start"),
        'on_change_with_planned_start', searcher='search_dispatch_field')
    parts_location = fields.Function(
        fields.Many2One('stock.location', "Parts Location"),
        'on_change_with_parts_location', searcher='search_dispatch_field')
    dispatch_state = fields.Function(
        fields.Selection(STATES, "Work Order State"),
        'on_change_with_dispatch_state', searcher='search_dispatch_field')

    @fields.depends('dispatch', '_parent_dispatch.company')
    def on_change_with_company(self, name=None):
        return self.dispatch.company if self.dispatch else None

    @fields.depends('product')
    def on_change_with_product_uom_category(self, name=None):
        return self.product.default_uom_category if self.product else None

    @fields.depends('product', 'unit')
    def on_change_product(self):
        if self.product:
            default_uom = self.product.default_uom
            if not self.unit or self.unit.category != default_uom.category:
                self.unit = default_uom
            self.unit_price = self.product.list_price_used

    @fields.depends('dispatch', '_parent_dispatch.request')
    def on_change_with_chargeable(self):
        if self.dispatch and self.dispatch.request:
            return self.dispatch._coverage()[0]
        return False

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Dispatch = pool.get('service.dispatch')
        Product = pool.get('product.product')
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            if values.get('dispatch'):
                values.setdefault(
                    'chargeable', Dispatch(values['dispatch']).charge_parts)
            if values.get('product'):
                product = Product(values['product'])
                values.setdefault('unit', product.default_uom.id)
                if values.get('unit_price') is None:
                    values['unit_price'] = product.list_price_used
        return values

    @fields.depends('dispatch', '_parent_dispatch.technician')
    def on_change_with_technician(self, name=None):
        return self.dispatch.technician if self.dispatch else None

    @fields.depends('dispatch', '_parent_dispatch.planned_start')
    def on_change_with_planned_start(self, name=None):
        return self.dispatch.planned_start if self.dispatch else None

    @fields.depends('dispatch', '_parent_dispatch.parts_location')
    def on_change_with_parts_location(self, name=None):
        return self.dispatch.parts_location if self.dispatch else None

    @classmethod
    def order_planned_start(cls, tables):
        pool = Pool()
        Dispatch = pool.get('service.dispatch')
        table, _ = tables[None]
        if 'dispatch' not in tables:
            dispatch = Dispatch.__table__()
            tables['dispatch'] = {
                None: (dispatch, table.dispatch == dispatch.id),
                }
        return Dispatch.planned_start.convert_order(
            'planned_start', tables['dispatch'], Dispatch)

    @fields.depends('dispatch', '_parent_dispatch.state')
    def on_change_with_dispatch_state(self, name=None):
        return self.dispatch.state if self.dispatch else None

    @classmethod
    def search_dispatch_field(cls, name, clause):
        nested = clause[0][len(name):]
        if name == 'dispatch_state':
            name = 'state'
        return [('dispatch.' + name + nested, *clause[1:])]

    @classmethod
    def quantities_query(cls):
        """Return the SQL query of the quantities of the parts, from their
        done moves: to the customer issued, back returned, back elsewhere
        than the parts location defective

        The moves of a part are in its unit: it is fixed once requested."""
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        Dispatch = pool.get('service.dispatch')
        part = cls.__table__()
        dispatch = Dispatch.__table__()
        move = Move.__table__()
        from_location = Location.__table__()
        to_location = Location.__table__()
        done = move.state == 'done'
        issued = done & (to_location.type == 'customer')
        returned = done & (from_location.type == 'customer')
        defective = returned & (move.to_location != dispatch.parts_location)

        def total(condition):
            return Coalesce(Sum(Case((condition, move.quantity), else_=0)), 0)
        query = (part
            .join(dispatch, condition=part.dispatch == dispatch.id)
            .join(move, 'LEFT', condition=(
                    move.origin == reference(cls, part.id)))
            .join(from_location, 'LEFT',
                condition=move.from_location == from_location.id)
            .join(to_location, 'LEFT',
                condition=move.to_location == to_location.id)
            .select(
                part.id.as_('id'),
                part.quantity.as_('quantity'),
                total(issued).as_('quantity_issued'),
                total(returned).as_('quantity_returned'),
                total(defective).as_('quantity_defective'),
                group_by=[part.id, part.quantity]))
        return query.select(
            query.id, query.quantity_issued, query.quantity_returned,
            query.quantity_defective,
            (query.quantity - query.quantity_issued).as_('quantity_to_issue'),
            (query.quantity_issued - query.quantity_returned).as_(
                'quantity_out'))

    @classmethod
    def get_quantities(cls, parts, names):
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        result = {n: {p.id: 0.0 for p in parts} for n in names}
        units = {p.id: p.unit for p in parts}
        query = cls.quantities_query()
        columns = [getattr(query, n) for n in names]
        in_ = fields.SQL_OPERATORS['in']
        for sub_ids in grouped_slice(
                [p.id for p in parts], backend.MAX_QUERY_PARAMS):
            cursor.execute(*query.select(query.id, *columns,
                    where=in_(query.id, sub_ids)))
            for id_, *values in cursor:
                for name, value in zip(names, values):
                    result[name][id_] = units[id_].round(float(value or 0))
        return result

    @classmethod
    def search_quantity(cls, name, clause):
        _, operator, value = clause[:3]
        Operator = fields.SQL_OPERATORS[operator]
        query = cls.quantities_query()
        return [('id', 'in', query.select(
                    query.id, where=Operator(getattr(query, name), value)))]

    @property
    def quantity_to_request(self):
        "The quantity not yet covered by an outgoing move"
        pool = Pool()
        Uom = pool.get('product.uom')
        requested = sum(
            Uom.compute_qty(m.unit, m.quantity, self.unit, round=False)
            for m in self.moves
            if m.state != 'cancelled' and m.to_location.type == 'customer')
        return self.unit.round(self.quantity - requested)

    def get_move(self):
        "Return the draft move that requests the rest, or None"
        pool = Pool()
        Move = pool.get('stock.move')
        quantity = self.quantity_to_request
        if quantity <= 0:
            return None
        dispatch = self.dispatch
        return Move(
            product=self.product,
            unit=self.unit,
            quantity=quantity,
            from_location=dispatch.parts_location,
            to_location=dispatch.party.customer_location,
            planned_date=dt.date.today(),
            company=dispatch.company,
            unit_price=round_price(self.unit_price or 0),
            currency=dispatch.company.currency,
            origin=self,
            )

    def get_return_move(self, quantity, location):
        pool = Pool()
        Move = pool.get('stock.move')
        dispatch = self.dispatch
        return Move(
            product=self.product,
            unit=self.unit,
            quantity=quantity,
            from_location=dispatch.party.customer_location,
            to_location=location,
            planned_date=dt.date.today(),
            company=dispatch.company,
            unit_price=round_price(self.unit_price or 0),
            currency=dispatch.company.currency,
            origin=self,
            )

    def get_rec_name(self, name):
        return f'{self.product.rec_name} @ {self.dispatch.rec_name}'

    @classmethod
    def _readonly_error(cls, part, name):
        if part.dispatch.state in {'done', 'cancelled'}:
            return super()._readonly_error(part, name)
        return DispatchModificationError(gettext(
                'service_dispatch.msg_part_fixed',
                part=part.rec_name, **cls.__names__(name)))

    @classmethod
    def validate_fields(cls, parts, field_names):
        pool = Pool()
        Lang = pool.get('ir.lang')
        super().validate_fields(parts, field_names)
        lang = Lang.get()
        if 'quantity' in field_names:
            for part in parts:
                if part.quantity <= 0:
                    raise PartValidationError(gettext(
                            'service_dispatch.msg_part_quantity_positive',
                            part=part.rec_name))
                requested = part.quantity - part.quantity_to_request
                if part.quantity < requested:
                    raise PartValidationError(gettext(
                            'service_dispatch.msg_part_quantity_requested',
                            part=part.rec_name,
                            requested=lang.format_number_symbol(
                                requested, part.unit)))

    @classmethod
    def copy(cls, parts, default=None):
        # A copy is a part still to request from stock
        default = default.copy() if default is not None else {}
        default.setdefault('moves', None)
        return super().copy(parts, default=default)

    @classmethod
    def check_modification(cls, mode, parts, values=None, external=False):
        if mode == 'delete':
            for part in parts:
                if any(m.state != 'cancelled' for m in part.moves):
                    raise DispatchDeleteError(gettext(
                            'service_dispatch.msg_part_delete_moves',
                            part=part.rec_name))
        super().check_modification(
            mode, parts, values=values, external=external)


class ReturnParts(Wizard):
    __name__ = 'service.dispatch.return_parts'
    __string__ = "Return Parts"

    start = StateView('service.dispatch.return_parts.start',
        'service_dispatch.return_parts_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Return", 'return_', 'tryton-ok', default=True),
            ])
    return_ = StateTransition()

    def default_start(self, fields):
        lines = []
        for part in self.record.parts:
            left = part.quantity_issued - part.quantity_returned
            if left > 0:
                lines.append({
                        'part': part.id,
                        'product': part.product.id,
                        'unit': part.unit.id,
                        'quantity': left,
                        'defective': False,
                        })
        return {'lines': lines}

    def transition_return_(self):
        pool = Pool()
        Move = pool.get('stock.move')
        Configuration = pool.get('service.configuration')
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        dispatch = self.record
        defective_location = Configuration(1).get_multivalue(
            'defective_location', company=dispatch.company.id)
        moves = []
        for line in self.start.lines:
            part = line.part
            # The lines come from the client: only the parts of the work
            # order the wizard was started on
            if not part or part.dispatch != dispatch:
                raise PartReturnError(gettext(
                        'service_dispatch.msg_part_return_other_work_order',
                        dispatch=dispatch.rec_name))
            if not line.quantity:
                continue
            left = part.quantity_issued - part.quantity_returned
            if line.quantity < 0 or line.quantity > left:
                raise PartReturnError(gettext(
                        'service_dispatch.msg_part_return_too_much',
                        part=part.rec_name,
                        quantity=lang.format_number_symbol(
                            line.quantity, part.unit),
                        left=lang.format_number_symbol(left, part.unit)))
            if line.defective:
                if not defective_location:
                    raise PartReturnError(gettext(
                            'service_dispatch.msg_part_no_defective_location',
                            part=part.rec_name))
                location = defective_location
            else:
                location = dispatch.parts_location
            moves.append(part.get_return_move(line.quantity, location))
        Move.save(moves)
        Move.do(moves)
        return 'end'


class ReturnPartsStart(ModelView):
    __name__ = 'service.dispatch.return_parts.start'
    __string__ = "Return Parts"

    lines = fields.One2Many(
        'service.dispatch.return_parts.line', None, "Parts")


class ReturnPartsLine(ModelView):
    __name__ = 'service.dispatch.return_parts.line'
    __string__ = "Return Parts Line"

    part = fields.Many2One('service.dispatch.part', "Part", readonly=True)
    product = fields.Many2One('product.product', "Product", readonly=True)
    unit = fields.Many2One('product.uom', "Unit", readonly=True)
    quantity = fields.Float(
        "Quantity", digits='unit',
        help="What comes back into stock.")
    defective = fields.Boolean(
        "Defective",
        help="Goes to the defective parts location instead of the stock.")
