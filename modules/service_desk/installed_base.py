# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The installed base of a company that delivered before the service
modules were activated: its done customer shipments and returns replayed
in date order, as the delivery hooks would have recorded them.

The service manager runs it as the wizard *Build Installed Base* (Service >
Configuration), the administrator as a command::

    service-build-installed-base -c trytond.conf -d DATABASE [--dry-run]
"""
import argparse
import datetime as dt
import sys
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Eval, PYSONEncoder
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateAction, StateView, Wizard

from .access import works_for


class Plan:
    """What the replay of the deliveries and returns changes in the
    installed base: the units to save, each with the moves it took"""

    def __init__(self):
        self.deliveries = 0
        self.returns = 0
        self.created = []
        self.updated = []
        self.retired = []
        self.recorded = 0
        self.without_warranty = set()

    @property
    def equipments(self):
        seen, result = set(), []
        for equipment in self.created + self.updated + self.retired:
            if id(equipment) not in seen:
                seen.add(id(equipment))
                result.append(equipment)
        return result

    def counts(self):
        "The units by what the replay does to them, as they end"
        created = {id(e) for e in self.created}
        known = [e for e in self.equipments if id(e) not in created]
        return {
            'deliveries': self.deliveries,
            'returns': self.returns,
            'to_create': len(self.created),
            'to_update': len([e for e in known if e.active]),
            'to_retire': len([e for e in known if not e.active]),
            'created_retired': len([e for e in self.created if not e.active]),
            'recorded': self.recorded,
            }


def _move_domain(company, from_date, to_date, products):
    domain = [
        ('company', '=', company.id),
        ('state', '=', 'done'),
        ('lot', '!=', None),
        ['OR',
            [
                ('to_location.type', '=', 'customer'),
                ('shipment', 'like', 'stock.shipment.out,%'),
                ],
            [
                ('from_location.type', '=', 'customer'),
                ('shipment', 'like', 'stock.shipment.out.return,%'),
                ],
            ],
        ]
    if from_date:
        domain.append(('effective_date', '>=', from_date))
    if to_date:
        domain.append(('effective_date', '<=', to_date))
    if products:
        domain.append(('product', 'in', [p.id for p in products]))
    return domain


@without_check_access
def plan(company, from_date=None, to_date=None, products=None,
        customers=None):
    """Replay the done deliveries and returns of the company's lots, in
    date order, filtered; return the Plan (nothing saved).

    A move already reflected by a unit (its delivery, or an earlier move of
    its lot) is not replayed: a second run finds nothing to do."""
    pool = Pool()
    Equipment = pool.get('service.equipment')
    Move = pool.get('stock.move')
    ShipmentOut = pool.get('stock.shipment.out')

    customer_ids = {c.id for c in customers} if customers else None
    moves = Move.search(
        _move_domain(company, from_date, to_date, products),
        order=[('effective_date', 'ASC'), ('id', 'ASC')])
    by_lot = defaultdict(list)
    for move in moves:
        if (customer_ids is not None
                and move.shipment.customer.id not in customer_ids):
            continue
        by_lot[move.lot].append(move)

    # The units known by lot, or by product and serial number, as the
    # delivery hook finds them
    known = Equipment._known_units([m[0] for m in by_lot.values()])

    result = Plan()
    for lot, lot_moves in by_lot.items():
        equipment = (known.get((company.id, lot.id))
            or known.get((company.id, lot.product.id, lot.number)))
        reached = None
        if equipment and equipment.id and equipment.origin_move:
            origin = equipment.origin_move
            reached = (origin.effective_date, origin.id)
        for move in lot_moves:
            delivery = isinstance(move.shipment, ShipmentOut)
            if delivery:
                result.deliveries += 1
            else:
                result.returns += 1
            if reached and (move.effective_date, move.id) <= reached:
                result.recorded += 1
                continue
            if delivery:
                if move.product.service_warranty_months is None:
                    result.without_warranty.add(move.product)
                    continue
                if equipment is None:
                    equipment = Equipment(
                        company=company, product=move.product,
                        serial_number=lot.number)
                    result.created.append(equipment)
                elif equipment.active:
                    # As the delivery hook: a unit known and in use stays
                    # with its owner, registered by hand it gets its lot
                    if not equipment.lot:
                        equipment.lot = lot
                        result.updated.append(equipment)
                    else:
                        result.recorded += 1
                    continue
                else:
                    result.updated.append(equipment)
                Equipment._set_delivery(equipment, move)
            elif equipment is not None:
                if equipment.active:
                    equipment.active = False
                    result.retired.append(equipment)
                else:
                    result.recorded += 1
    return result


@without_check_access
def apply(plan):
    "Save the units of the plan; return them"
    pool = Pool()
    Equipment = pool.get('service.equipment')
    equipments = plan.equipments
    Equipment.save(equipments)
    return equipments


def check_company(company):
    if not works_for(company.id):
        raise AccessError(gettext(
                'service_desk.msg_installed_base_company',
                company=company.rec_name))


class BuildInstalledBaseStart(ModelView):
    __name__ = 'service.equipment.build.start'
    __string__ = "Build Installed Base"

    company = fields.Many2One(
        'company.company', "Company", required=True,
        domain=[
            ('id', 'in', Eval('context', {}).get('companies', [])),
            ])
    from_date = fields.Date(
        "From Date",
        domain=['OR',
            ('from_date', '<=', Eval('to_date', None)),
            ('from_date', '=', None),
            ],
        help="Replay the deliveries and returns done from this day.")
    to_date = fields.Date(
        "To Date",
        domain=['OR',
            ('to_date', '>=', Eval('from_date', None)),
            ('to_date', '=', None),
            ],
        help="Replay the deliveries and returns done until this day.")
    products = fields.Many2Many(
        'product.product', None, None, "Products",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Only the units of these products (all if empty).")
    customers = fields.Many2Many(
        'party.party', None, None, "Customers",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Only the deliveries to and returns from these customers "
        "(all if empty).")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')


class BuildInstalledBasePreview(ModelView):
    __name__ = 'service.equipment.build.preview'
    __string__ = "Build Installed Base"

    company = fields.Many2One('company.company', "Company", readonly=True)
    deliveries = fields.Integer("Deliveries Read", readonly=True,
        help="The units delivered with a lot by customer shipments.")
    returns = fields.Integer("Returns Read", readonly=True,
        help="The units customers returned with a lot.")
    to_create = fields.Integer("Units to Create", readonly=True)
    created_retired = fields.Integer("Of Which Returned", readonly=True,
        help="Units created retired: the customer returned them.")
    to_update = fields.Integer("Units Delivered Again", readonly=True,
        help="Known units that go to their new owner.")
    to_retire = fields.Integer("Units to Retire", readonly=True,
        help="Known units that the customer returned.")
    recorded = fields.Integer("Moves Already Recorded", readonly=True,
        help="Deliveries and returns the installed base already holds.")
    without_warranty = fields.Many2Many(
        'product.product', None, None, "Products without Warranty Months",
        readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Delivered with a lot but not part of the installed base: set "
        "their warranty months first if they are equipment.")


class BuildInstalledBase(Wizard):
    "Replay the past deliveries and returns into the installed base"
    __name__ = 'service.equipment.build'

    start = StateView('service.equipment.build.start',
        'service_desk.equipment_build_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Preview", 'preview', 'tryton-forward', default=True),
            ])
    preview = StateView('service.equipment.build.preview',
        'service_desk.equipment_build_preview_view_form', [
            Button("Back", 'start', 'tryton-back'),
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Build", 'build', 'tryton-ok', default=True),
            ])
    build = StateAction('service_desk.act_equipment_form')

    def _plan(self):
        check_company(self.start.company)
        return plan(self.start.company, self.start.from_date,
            self.start.to_date, self.start.products, self.start.customers)

    def default_preview(self, fields):
        result = self._plan()
        values = result.counts()
        values['company'] = self.start.company.id
        values['without_warranty'] = [
            p.id for p in sorted(result.without_warranty, key=lambda p: p.id)]
        return values

    def do_build(self, action):
        equipments = apply(self._plan())
        # The units built, the retired ones too
        action['name'] = gettext('service_desk.msg_installed_base_built')
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [e.id for e in equipments])])
        action['pyson_context'] = PYSONEncoder().encode(
            {'active_test': False})
        return action, {}

    def transition_build(self):
        return 'end'


def main(argv=None):
    "The command: the wizard's replay for the administrator"
    parser = argparse.ArgumentParser(
        prog='service-build-installed-base',
        description="Replay the done customer shipments and returns of a "
        "company into its installed base (service.equipment), as the "
        "wizard Build Installed Base does.")
    parser.add_argument('-c', '--config', dest='configfile',
        help="the trytond configuration file")
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--company', type=int,
        help="the company's id (the only company if omitted)")
    parser.add_argument('--from-date', type=dt.date.fromisoformat)
    parser.add_argument('--to-date', type=dt.date.fromisoformat)
    parser.add_argument('--product', action='append', default=[],
        metavar='CODE', help="a product's code (repeat for more)")
    parser.add_argument('--customer', action='append', default=[],
        metavar='CODE', help="a customer's code (repeat for more)")
    parser.add_argument('--dry-run', action='store_true',
        help="show what would be done, change nothing")
    args = parser.parse_args(argv)

    from trytond import config
    config.update_etc(args.configfile)
    from trytond.pool import Pool as Pool_
    pool = Pool_(args.database)
    pool.init()
    with Transaction().start(args.database, 0,
            readonly=args.dry_run) as transaction:
        Company = pool.get('company.company')
        Product = pool.get('product.product')
        Party = pool.get('party.party')
        if args.company:
            company = Company(args.company)
        else:
            companies = Company.search([])
            if len(companies) != 1:
                parser.error("--company is needed: the database has "
                    f"{len(companies)} companies")
            company, = companies
        products = Product.search([('code', 'in', args.product)])
        customers = Party.search([('code', 'in', args.customer)])
        for kind, codes, found in [
                ('product', args.product, products),
                ('customer', args.customer, customers)]:
            missing = set(codes) - {r.code for r in found}
            if missing:
                parser.error(f"unknown {kind} codes: {', '.join(missing)}")
        with transaction.set_context(company=company.id):
            result = plan(company, args.from_date, args.to_date,
                products, customers)
            for name, value in result.counts().items():
                print(f"{name}: {value}")
            for product in sorted(result.without_warranty,
                    key=lambda p: p.id):
                print(f"without warranty months: {product.rec_name}")
            if args.dry_run:
                print("dry run: nothing changed")
            else:
                apply(result)
                transaction.commit()
    return 0


if __name__ == '__main__':
    sys.exit(main())
