# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Equal, Eval, If
from trytond.transaction import without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard


def warranty_months(help):
    "The field of a product's warranty months: none, or 0 to 100 years"
    return fields.Integer(
        "Warranty Months",
        domain=['OR',
            ('service_warranty_months', '=', None),
            [
                ('service_warranty_months', '>=', 0),
                ('service_warranty_months', '<=', 1200),
                ],
            ],
        help=help)


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'

    service_warranty_months = warranty_months(
        "The months of warranty from sale or installation.")


class Product(metaclass=PoolMeta):
    "Set up again so that the product shows the template's new fields"
    __name__ = 'product.product'


class TemplateWarranty(metaclass=PoolMeta):
    __name__ = 'product.template'

    @classmethod
    def write(cls, *args):
        pool = Pool()
        Equipment = pool.get('service.equipment')
        old_months, changed = {}, []
        actions = iter(args)
        for templates, values in zip(actions, actions):
            if 'service_warranty_months' in values:
                for template in templates:
                    if (template.service_warranty_months
                            != values['service_warranty_months']):
                        old_months[template.id] = (
                            template.service_warranty_months)
                        changed.append(template)
        super().write(*args)
        if changed:
            # The units take the new months, unless their warranty end was
            # set by hand; who changes a product need not edit units
            with without_check_access():
                Equipment.follow_warranty_months(
                    cls.browse(changed), old_months)


class TemplateLot(metaclass=PoolMeta):
    __name__ = 'product.template'

    service_lot_tracked = fields.Function(fields.Boolean(
            "Tracked by Lot",
            help="A lot (serial number) is required on some moves: the "
            "units delivered enter the installed base if the product has "
            "warranty months."),
        'get_service_lot_tracked', searcher='search_service_lot_tracked')

    def get_service_lot_tracked(self, name):
        return bool(self.lot_required)

    @classmethod
    def search_service_lot_tracked(cls, name, clause):
        _, operator, value = clause[:3]
        types = [t for t, _ in cls.lot_required.selection]
        tracked = ('lot_required', 'in', types)
        if (operator == '=') == bool(value):
            return [tracked]
        return ['OR',
            ('lot_required', '=', None),
            ('lot_required', 'not in', types),
            ]

    @classmethod
    def view_attributes(cls):
        # A product tracked by lot without warranty months: its units do
        # not enter the installed base
        warning = If(Eval('service_lot_tracked', False)
            & Equal(Eval('service_warranty_months', None), None),
            'warning', '')
        return super().view_attributes() + [
            ('/tree/field[@name="service_lot_tracked"]', 'visual', warning),
            ('/tree/field[@name="service_warranty_months"]', 'visual',
                warning),
            ]


class SetWarrantyStart(ModelView):
    __name__ = 'service.product.set_warranty.start'
    __string__ = "Set Warranty Months"

    service_warranty_months = warranty_months(
        "The months of warranty of the products' units; empty: the "
        "products are not equipment of the installed base.")
    templates = fields.Many2Many(
        'product.template', None, None, "Products", readonly=True)


class SetWarranty(Wizard):
    "Set the warranty months of many products at once"
    __name__ = 'service.product.set_warranty'

    start = StateView('service.product.set_warranty.start',
        'service_desk.product_set_warranty_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Set", 'set_', 'tryton-ok', default=True),
            ])
    set_ = StateTransition()

    def default_start(self, fields):
        templates = self.templates
        months = {t.service_warranty_months for t in templates}
        return {
            'templates': [t.id for t in templates],
            'service_warranty_months': (
                months.pop() if len(months) == 1 else None),
            }

    @property
    def templates(self):
        pool = Pool()
        Template = pool.get('product.template')
        Product = pool.get('product.product')
        if self.model.__name__ == 'product.product':
            return Template.browse(list(
                    {p.template.id for p in self.records
                        if isinstance(p, Product)}))
        return list(self.records)

    def transition_set_(self):
        pool = Pool()
        Template = pool.get('product.template')
        templates = self.templates
        if templates:
            # The service manager sets this field of the products, and no
            # other: the wizard writes it for them
            with without_check_access():
                Template.write(Template.browse(templates), {
                        'service_warranty_months': (
                            self.start.service_warranty_months),
                        })
        return 'end'
