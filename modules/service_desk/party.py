# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from .access import RuleSearchMixin


class Party(RuleSearchMixin, metaclass=PoolMeta):
    __name__ = 'party.party'

    service_sla = fields.Many2One(
        'service.sla', "Service Level",
        domain=[
            ('company', '=', Eval('context', {}).get('company', -1)),
            ],
        help="The SLA of this customer's requests not under a contract.")
    service_equipments = fields.One2Many(
        'service.equipment', 'party', "Installed Base", readonly=True)
