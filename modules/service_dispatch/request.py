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

    def customer_status(self, lang):
        """Add the appointment and the technician's name of the work order
        under way (the last one not cancelled)"""
        from trytond.modules.service_desk.sla import (
            company_timezone, to_local)
        rows = super().customer_status(lang)
        dispatches = [d for d in self.dispatches
            if d.state not in {'draft', 'cancelled'}]
        if not dispatches:
            return rows
        dispatch = max(dispatches,
            key=lambda d: (d.planned_start or d.create_date, d.id))
        timezone = company_timezone(self.company)

        def date(value, format='%x %H:%M'):
            if not value:
                return ''
            return lang.strftime(to_local(value, timezone), format)
        if dispatch.planned_start and dispatch.state in {
                'assigned', 'confirmed', 'in_progress'}:
            appointment = date(dispatch.planned_start)
            if dispatch.planned_end:
                same_day = (to_local(dispatch.planned_start, timezone).date()
                    == to_local(dispatch.planned_end, timezone).date())
                appointment += ' - ' + date(
                    dispatch.planned_end, '%H:%M' if same_day else '%x %H:%M')
            if dispatch.appointment_confirmed_date:
                appointment += ' · ' + gettext(
                    'service_dispatch.msg_status_confirmed')
            rows.append((gettext('service_dispatch.msg_status_appointment'),
                    appointment))
        if dispatch.technician:
            rows.append((gettext('service_dispatch.msg_status_technician'),
                    dispatch.technician.party.name))
        if dispatch.arrival_date:
            rows.append((gettext('service_dispatch.msg_status_arrival'),
                    date(dispatch.arrival_date)))
        return rows
