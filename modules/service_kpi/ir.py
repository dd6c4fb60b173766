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
                ('service.survey|create_follow_ups',
                    "Create Follow-up Surveys"),
                ('service.survey|create_periodic',
                    "Create Periodic Revisit Surveys"),
                ('service.management.report|send_reports',
                    "Send Management Reports"),
                ])
