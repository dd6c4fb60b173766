# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from dateutil.relativedelta import relativedelta
from sql import Literal, Null

from trytond import backend
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateAction, StateView, Wizard

from .client import ClientValueMixin


class Equipment(ClientValueMixin, DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'service.equipment'
    __string__ = "Customer Equipment"
    _history = True

    company = fields.Many2One('company.company', "Company", required=True)
    party = fields.Many2One(
        'party.party', "Customer", required=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    product = fields.Many2One(
        'product.product', "Product", required=True,
        domain=[('type', 'in', ['goods', 'assets'])],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    serial_number = fields.Char("Serial Number")
    address = fields.Many2One(
        'party.address', "Address",
        domain=[('party', '=', Eval('party', -1))],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Where the equipment is installed.")
    sale_date = fields.Date("Sale Date")
    delivery_date = fields.Date(
        "Delivery Date",
        help="The day the unit reached the customer: the warranty starts "
        "then.")
    installation_date = fields.Date("Installation Date")
    sold_by_company = fields.Boolean(
        "Sold by the Company",
        help="Within the company's sales range: delivered by the company's "
        "own shipments (they set it) or set by hand. The department's fund "
        "takes another share of the parts profit made on it.")
    warranty_end = fields.Date(
        "Warranty End",
        help="Computed from the delivery (else sale, else installation) date "
        "and the product's warranty months, and again when they change; "
        "may be overridden.")
    contracts = fields.Many2Many(
        'service.contract-service.equipment', 'equipment', 'contract',
        "Contracts", readonly=True)
    contract = fields.Function(fields.Many2One(
            'service.contract', "Contract",
            help="The active contract covering the equipment today."),
        'get_contract', searcher='search_contract')
    requests = fields.One2Many(
        'service.request', 'equipment', "Requests", readonly=True)
    notes = fields.Text("Notes")

    @classmethod
    def __setup__(cls):
        cls.serial_number.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('serial_unique',
                Unique(t, t.company, t.product, t.serial_number),
                'service_desk.msg_equipment_serial_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.serial_number, Index.Similarity())))
        cls._buttons.update({
                'create_request': {},
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_sold_by_company(cls):
        return False

    @staticmethod
    def warranty_start(values):
        "The day the warranty starts from, in the values of a unit"
        return (values.get('delivery_date') or values.get('sale_date')
            or values.get('installation_date'))

    @staticmethod
    def compute_warranty_end(start, months):
        if start and months:
            return start + relativedelta(months=months)

    @fields.depends('sale_date', 'delivery_date', 'installation_date')
    def get_warranty_start(self):
        "The day the warranty of the unit starts from"
        return self.warranty_start({
                'delivery_date': self.delivery_date,
                'sale_date': self.sale_date,
                'installation_date': self.installation_date,
                })

    @fields.depends('product', methods=['get_warranty_start'])
    def on_change_with_warranty_end(self):
        if self.product:
            return self.compute_warranty_end(
                self.get_warranty_start(),
                self.product.service_warranty_months)

    def takes_warranty_from(self, months):
        """Whether the warranty end is the one the months give (or none):
        a warranty end set by hand is kept when the months change"""
        return (not self.warranty_end
            or self.warranty_end == self.compute_warranty_end(
                self.get_warranty_start(), months))

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Product = pool.get('product.product')
        values = super().preprocess_values(mode, values)
        start = cls.warranty_start(values)
        if (mode == 'create' and 'warranty_end' not in values
                and start and values.get('product')):
            warranty_end = cls.compute_warranty_end(
                start, Product(values['product']).service_warranty_months)
            if warranty_end:
                values['warranty_end'] = warranty_end
        return values

    @classmethod
    def write(cls, *args):
        # A unit given another product takes that product's warranty,
        # unless its warranty end was set by hand
        follow = []
        actions = iter(args)
        for equipments, values in zip(actions, actions):
            if 'product' in values and 'warranty_end' not in values:
                follow.extend(e for e in equipments
                    if e.takes_warranty_from(
                        e.product.service_warranty_months))
        super().write(*args)
        if follow:
            cls.update_warranty_end(cls.browse(follow))

    @classmethod
    def update_warranty_end(cls, equipments):
        "Compute again the warranty end of the units from their product"
        to_write = []
        for equipment in equipments:
            warranty_end = equipment.on_change_with_warranty_end()
            if warranty_end != equipment.warranty_end:
                to_write.extend(([equipment], {'warranty_end': warranty_end}))
        if to_write:
            super().write(*to_write)

    @classmethod
    def follow_warranty_months(cls, templates, old_months):
        """Compute again the warranty end of the units of the templates
        whose warranty months changed from old_months (by template id),
        those that took it from the product"""
        follow = []
        with Transaction().set_context(active_test=False):
            for sub_templates in grouped_slice(templates):
                for equipment in cls.search([
                            ('product.template', 'in',
                                [t.id for t in sub_templates]),
                            ]):
                    template = equipment.product.template
                    if equipment.takes_warranty_from(
                            old_months.get(template.id)):
                        follow.append(equipment)
        cls.update_warranty_end(follow)

    def get_rec_name(self, name):
        if self.serial_number:
            return f'{self.product.rec_name} [{self.serial_number}]'
        return self.product.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('serial_number', operator, operand, *extra),
            ('product.rec_name', operator, operand, *extra),
            ]

    @classmethod
    @ModelView.button_action('service_desk.wizard_equipment_create_request')
    def create_request(cls, equipments):
        pass

    def covering_contract(self, date):
        for contract in self.contracts:
            if contract.covers(date):
                return contract

    def get_contract(self, name):
        pool = Pool()
        Date = pool.get('ir.date')
        with Transaction().set_context(company=self.company.id):
            today = Date.today()
        contract = self.covering_contract(today)
        return contract.id if contract else None

    @classmethod
    def search_contract(cls, name, clause):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        _, operator, operand, *extra = clause
        nested = clause[0][len(name) + 1:] or 'id'
        return [('contracts', 'where', [
                    (nested, operator, operand, *extra),
                    ('state', '=', 'active'),
                    ('start_date', '<=', today),
                    ['OR',
                        ('end_date', '=', None),
                        ('end_date', '>=', today),
                        ],
                    ])]


class EquipmentLot(metaclass=PoolMeta):
    __name__ = 'service.equipment'

    lot = fields.Many2One(
        'stock.lot', "Lot",
        domain=[('product', '=', Eval('product', -1))],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})

    @fields.depends('lot', 'serial_number')
    def on_change_lot(self):
        if self.lot and not self.serial_number:
            self.serial_number = self.lot.number


class EquipmentSale(metaclass=PoolMeta):
    __name__ = 'service.equipment'

    origin_move = fields.Many2One(
        'stock.move', "Origin Move", readonly=True,
        states={
            'invisible': ~Eval('origin_move'),
            },
        help="The delivery to the customer that added the equipment "
        "to the installed base.")
    shipment = fields.Function(fields.Many2One(
            'stock.shipment.out', "Delivery",
            states={
                'invisible': ~Eval('shipment'),
                },
            help="The customer shipment that delivered the unit."),
        'get_origin', searcher='search_shipment')
    sale = fields.Function(fields.Many2One(
            'sale.sale', "Sale",
            states={
                'invisible': ~Eval('sale'),
                },
            help="The sale the unit was delivered for."),
        'get_origin', searcher='search_sale')
    # What the service roles, who do not read every delivery and sale of
    # the company, see of them
    delivery_number = fields.Function(fields.Char(
            "Delivery Number",
            states={
                'invisible': ~Eval('delivery_number'),
                }),
        'get_origin')
    sale_number = fields.Function(fields.Char(
            "Sale Number",
            states={
                'invisible': ~Eval('sale_number'),
                }),
        'get_origin')

    @classmethod
    def __register__(cls, module):
        table = cls.__table__()
        table_h = cls.__table_handler__(module)
        filled = table_h.column_exist('delivery_date')
        sold = table_h.column_exist('sold_by_company')
        super().__register__(module)
        cursor = Transaction().connection.cursor()
        if not filled:
            # Before 8.0.1 the delivery date was kept as the sale date
            cursor.execute(*table.update(
                    [table.delivery_date], [table.sale_date],
                    where=table.origin_move != Null))
        if not sold:
            # The units the company's deliveries recorded
            cursor.execute(*table.update(
                    [table.sold_by_company], [Literal(True)],
                    where=table.origin_move != Null))

    @classmethod
    def copy(cls, equipments, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('origin_move', None)
        return super().copy(equipments, default=default)

    @classmethod
    def get_origin(cls, equipments, names):
        pool = Pool()
        SaleLine = pool.get('sale.line')
        ShipmentOut = pool.get('stock.shipment.out')
        result = {n: {e.id: None for e in equipments} for n in names}
        # The number of the delivery and of the sale of a unit the user may
        # read, not the records
        with without_check_access():
            for equipment in cls.browse(equipments):
                move = equipment.origin_move
                if not move:
                    continue
                shipment = move.shipment
                if isinstance(shipment, ShipmentOut):
                    if 'shipment' in result:
                        result['shipment'][equipment.id] = shipment.id
                    if 'delivery_number' in result:
                        result['delivery_number'][equipment.id] = (
                            shipment.number)
                if isinstance(move.origin, SaleLine):
                    sale = move.origin.sale
                    if 'sale' in result:
                        result['sale'][equipment.id] = sale.id
                    if 'sale_number' in result:
                        result['sale_number'][equipment.id] = sale.number
        return result

    @classmethod
    def _search_origin(cls, name, clause, path, model):
        _, operator, operand, *extra = clause
        nested = clause[0][len(name):]
        if not nested:
            if isinstance(operand, str) or (
                    isinstance(operand, (list, tuple))
                    and any(isinstance(o, str) for o in operand)):
                nested = '.rec_name'
            else:
                nested = '.id'
        return [(f'origin_move.{path}{nested}', operator, operand, model)]

    @classmethod
    def search_shipment(cls, name, clause):
        return cls._search_origin(
            name, clause, 'shipment', 'stock.shipment.out')

    @classmethod
    def search_sale(cls, name, clause):
        return cls._search_origin(name, clause, 'origin.sale', 'sale.line')

    @classmethod
    def record_delivered(cls, moves):
        """Add to the installed base the units with warranty and lot
        that the moves delivered to customers

        A unit already known is not added twice: if it had come back, it
        is active again with its new owner."""
        moves = [m for m in moves
            if m.state == 'done' and m.lot
            and m.to_location.type == 'customer'
            and m.product.service_warranty_months is not None]
        known = cls._known_units(moves)
        equipments = []
        for move in moves:
            key = (move.company.id, move.product.id, move.lot.number)
            equipment = (known.get((move.company.id, move.lot.id))
                or known.get(key))
            if equipment is None:
                equipment = known[key] = cls(
                    company=move.company, product=move.product,
                    serial_number=move.lot.number)
            elif equipment.active:
                if not equipment.lot:
                    equipment.lot = move.lot
                    equipments.append(equipment)
                continue
            cls._set_delivery(equipment, move)
            equipments.append(equipment)
        cls.save(equipments)

    @classmethod
    def _set_delivery(cls, equipment, move):
        for name, value in cls._delivery_values(move).items():
            setattr(equipment, name, value)
        equipment.warranty_end = equipment.on_change_with_warranty_end()

    @classmethod
    def _known_units(cls, moves):
        "Return the equipment of the moved units by company and lot or serial"
        known = {}
        with Transaction().set_context(active_test=False):
            for sub_moves in grouped_slice(
                    moves, backend.MAX_QUERY_PARAMS // 4):
                sub_moves = list(sub_moves)
                for equipment in cls.search([
                            ('company', 'in',
                                list({m.company.id for m in sub_moves})),
                            ['OR',
                                ('lot', 'in', [m.lot.id for m in sub_moves]),
                                [
                                    ('product', 'in', [
                                            m.product.id for m in sub_moves]),
                                    ('serial_number', 'in', [
                                            m.lot.number for m in sub_moves]),
                                    ],
                                ],
                            ]):
                    known[(equipment.company.id, equipment.product.id,
                            equipment.serial_number)] = equipment
                    if equipment.lot:
                        known[(equipment.company.id, equipment.lot.id)] = (
                            equipment)
        return known

    @classmethod
    def _delivery_values(cls, move):
        pool = Pool()
        SaleLine = pool.get('sale.line')
        shipment = move.shipment
        address = shipment.delivery_address
        if address and address.party != shipment.customer:
            # Picked up at the warehouse: the address is not the customer's
            address = None
        delivery_date = shipment.effective_date or move.effective_date
        sale_date = delivery_date
        if isinstance(move.origin, SaleLine):
            sale_date = move.origin.sale.sale_date or delivery_date
        return {
            'active': True,
            'party': shipment.customer,
            'address': address,
            'lot': move.lot,
            'sale_date': sale_date,
            'delivery_date': delivery_date,
            'origin_move': move,
            'sold_by_company': True,
            }

    @classmethod
    def record_delivery_cancelled(cls, moves):
        "Retire from the installed base the units of cancelled deliveries"
        equipments = []
        for sub_moves in grouped_slice(moves, backend.MAX_QUERY_PARAMS):
            equipments.extend(cls.search([
                        ('origin_move', 'in', [m.id for m in sub_moves]),
                        ]))
        if equipments:
            cls.write(equipments, {'active': False})

    @classmethod
    def record_returned(cls, moves):
        "Retire from the installed base the units that customers returned"
        moves = [m for m in moves
            if m.state == 'done' and m.lot
            and m.from_location.type == 'customer']
        equipments = []
        for sub_moves in grouped_slice(moves, backend.MAX_QUERY_PARAMS // 2):
            sub_moves = list(sub_moves)
            equipments.extend(cls.search([
                        ('company', 'in',
                            list({m.company.id for m in sub_moves})),
                        ('lot', 'in', [m.lot.id for m in sub_moves]),
                        ]))
        if equipments:
            cls.write(equipments, {'active': False})


class EquipmentCreateRequestStart(ModelView):
    __name__ = 'service.equipment.create_request.start'
    __string__ = "Create Service Request"

    type = fields.Many2One('service.request.type', "Type", required=True)
    channel = fields.Selection('get_channels', "Channel", required=True)
    priority = fields.Selection(
        'get_priorities', "Priority", required=True, sort=False)
    description = fields.Text("Description", required=True)

    @classmethod
    def get_channels(cls):
        pool = Pool()
        Request = pool.get('service.request')
        return Request.fields_get(['channel'])['channel']['selection']

    @classmethod
    def get_priorities(cls):
        pool = Pool()
        Request = pool.get('service.request')
        return Request.fields_get(['priority'])['priority']['selection']

    @classmethod
    def default_channel(cls):
        pool = Pool()
        Request = pool.get('service.request')
        return Request.default_channel()

    @classmethod
    def default_priority(cls):
        pool = Pool()
        Request = pool.get('service.request')
        return Request.default_priority()


class EquipmentCreateRequest(Wizard):
    "Open a draft service request for each equipment"
    __name__ = 'service.equipment.create_request'

    start = StateView('service.equipment.create_request.start',
        'service_desk.equipment_create_request_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Create", 'create_', 'tryton-ok', default=True),
            ])
    create_ = StateAction('service_desk.act_request_form')

    def do_create_(self, action):
        pool = Pool()
        Request = pool.get('service.request')
        requests = [self.get_request(e) for e in self.records]
        Request.save(requests)
        if len(requests) == 1:
            action['views'].reverse()
        return action, {'res_id': [r.id for r in requests]}

    def get_request(self, equipment):
        pool = Pool()
        Request = pool.get('service.request')
        request = Request(
            company=equipment.company,
            equipment=equipment,
            type=self.start.type,
            channel=self.start.channel,
            priority=self.start.priority,
            description=self.start.description)
        # Fills the customer, the address and the product from the equipment
        request.on_change_equipment()
        return request
