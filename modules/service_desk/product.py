# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'

    service_warranty_months = fields.Integer(
        "Warranty Months",
        domain=['OR',
            ('service_warranty_months', '=', None),
            [
                ('service_warranty_months', '>=', 0),
                ('service_warranty_months', '<=', 1200),
                ],
            ],
        help="The months of warranty from sale or installation.")


class Product(metaclass=PoolMeta):
    "Set up again so that the product shows the template's new fields"
    __name__ = 'product.product'
