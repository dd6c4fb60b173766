# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.model import ModelView, Workflow
from trytond.pool import Pool, PoolMeta


class ShipmentOut(metaclass=PoolMeta):
    __name__ = 'stock.shipment.out'

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, shipments):
        pool = Pool()
        Equipment = pool.get('service.equipment')
        super().do(shipments)
        # Read again for the effective date that done has just set
        shipments = cls.browse([s.id for s in shipments])
        Equipment.record_delivered([
                m for s in shipments for m in s.outgoing_moves])

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, shipments):
        pool = Pool()
        Equipment = pool.get('service.equipment')
        # Done deliveries can be cancelled: their units never reached the
        # customer
        moves = [m for s in shipments if s.state == 'done'
            for m in s.outgoing_moves if m.state == 'done']
        super().cancel(shipments)
        Equipment.record_delivery_cancelled(moves)


class ShipmentOutReturn(metaclass=PoolMeta):
    __name__ = 'stock.shipment.out.return'

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, shipments):
        pool = Pool()
        Equipment = pool.get('service.equipment')
        super().do(shipments)
        Equipment.record_returned([
                m for s in shipments for m in s.incoming_moves])
