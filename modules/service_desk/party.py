# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from sql import Null

from trytond import backend
from trytond.model import ModelSQL, fields
from trytond.modules.company.model import (
    CompanyMultiValueMixin, CompanyValueMixin)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .access import RuleSearchMixin
from .client import ClientValueMixin


class Party(RuleSearchMixin, CompanyMultiValueMixin, metaclass=PoolMeta):
    __name__ = 'party.party'

    # Each company agrees its own service level with the customer
    service_sla = fields.MultiValue(fields.Many2One(
            'service.sla', "Service Level",
            domain=[
                ('company', '=', Eval('context', {}).get('company', -1)),
                ],
            help="The SLA of this customer's requests not under a "
            "contract."))
    service_slas = fields.One2Many(
        'party.party.service_sla', 'party', "Service Levels")
    service_equipments = fields.One2Many(
        'service.equipment', 'party', "Installed Base", readonly=True)

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field == 'service_sla':
            return pool.get('party.party.service_sla')
        return super().multivalue_model(field)


class PartyServiceSLA(ClientValueMixin, ModelSQL, CompanyValueMixin):
    __name__ = 'party.party.service_sla'
    __string__ = "Party Service Level"

    party = fields.Many2One(
        'party.party', "Party", ondelete='CASCADE',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    service_sla = fields.Many2One(
        'service.sla', "Service Level", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ])

    @classmethod
    def __register__(cls, module):
        exist = backend.TableHandler.table_exist(cls._table)
        super().__register__(module)
        if not exist:
            cls._migrate_party_column()

    @classmethod
    def _migrate_party_column(cls):
        "Move the SLA once set on the party for all companies to the SLA's"
        pool = Pool()
        Party = pool.get('party.party')
        SLA = pool.get('service.sla')
        party_h = backend.TableHandler(Party)
        if not party_h.column_exist('service_sla'):
            return
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        party = Party.__table__()
        sla = SLA.__table__()
        cursor.execute(*table.insert(
                [table.party, table.company, table.service_sla,
                    table.create_uid, table.create_date],
                party.join(sla, condition=party.service_sla == sla.id).select(
                    party.id, sla.company, sla.id,
                    party.create_uid, party.create_date,
                    where=party.service_sla != Null)))
        party_h.drop_column('service_sla')
