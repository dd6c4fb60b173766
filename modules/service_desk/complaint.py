# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta

from .access import RuleSearchMixin


class Complaint(RuleSearchMixin, metaclass=PoolMeta):
    __name__ = 'sale.complaint'

    service_requests = fields.One2Many(
        'service.request', 'complaint', "Service Requests", readonly=True,
        help="The service requests that raised the complaint.")
