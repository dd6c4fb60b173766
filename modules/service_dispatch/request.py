# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.modules.service_desk.client import ClientValueMixin
from trytond.pool import PoolMeta

from .exceptions import DispatchWorkflowError


class RequestTypeSkill(ClientValueMixin, ModelSQL):
    __name__ = 'service.request.type-service.skill'
    __string__ = "Request Type - Service Skill"

    type = fields.Many2One(
        'service.request.type', "Type", required=True, ondelete='CASCADE')
    skill = fields.Many2One(
        'service.skill', "Skill", required=True, ondelete='CASCADE')


class RequestType(metaclass=PoolMeta):
    __name__ = 'service.request.type'

    skills = fields.Many2Many(
        'service.request.type-service.skill', 'type', 'skill',
        "Required Skills",
        help="A technician needs all these skills to be assigned.")


class Request(metaclass=PoolMeta):
    __name__ = 'service.request'

    dispatches = fields.One2Many(
        'service.dispatch', 'request', "Work Orders", readonly=True)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, requests):
        # A technician may be on the way, or parts out of the stock: the
        # dispatcher cancels the work orders first
        for request in requests:
            for dispatch in request.dispatches:
                if dispatch.state in {'assigned', 'confirmed', 'in_progress'}:
                    raise DispatchWorkflowError(gettext(
                            'service_dispatch.msg_request_cancel_dispatched',
                            request=request.rec_name,
                            dispatch=dispatch.rec_name))
        super().cancel(requests)
