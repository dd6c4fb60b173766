# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('service.contract|expire_ended',
                    "Expire Service Contracts"),
                ('service.contract|create_inspections',
                    "Create Inspection Requests"),
                ('service.renewal|list_due',
                    "List Renewals Due"),
                ('service.request|escalate_complaints',
                    "Escalate Complaints"),
                ])
