# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
import re

from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.modules.service_desk.access import RuleSearchMixin
from trytond.modules.service_desk.client import ClientValueMixin
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from .exceptions import EmployeeValidationError

COLOR = re.compile(r'#[0-9a-fA-F]{6}')

# Colours that white text reads on, far enough apart to tell the technicians
# of a week's schedule apart
PALETTE = [
    '#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#e377c2',
    '#17becf', '#7f7f7f', '#bcbd22', '#ff7f0e', '#393b79', '#637939',
    ]


class Skill(ClientValueMixin, DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'service.skill'
    __string__ = "Service Skill"

    name = fields.Char("Name", required=True, translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))


class EmployeeSkill(ClientValueMixin, ModelSQL):
    __name__ = 'company.employee-service.skill'
    __string__ = "Employee - Service Skill"

    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')
    skill = fields.Many2One(
        'service.skill', "Skill", required=True, ondelete='CASCADE')


class Employee(RuleSearchMixin, metaclass=PoolMeta):
    __name__ = 'company.employee'

    service_technician = fields.Boolean(
        "Service Technician",
        help="Check to dispatch work orders to this employee.")
    service_skills = fields.Many2Many(
        'company.employee-service.skill', 'employee', 'skill', "Skills",
        states={
            'invisible': ~Eval('service_technician'),
            })
    service_location = fields.Many2One(
        'stock.location', "Parts Location",
        domain=[('type', '=', 'storage')],
        states={
            'invisible': ~Eval('service_technician'),
            },
        help="The technician's van or bench stock, where parts are taken "
        "from when set.")
    service_color = fields.Char(
        "Schedule Colour",
        states={
            'invisible': ~Eval('service_technician'),
            },
        help="The colour of the technician's work orders on the schedule; "
        "left empty, one of the palette is given.")

    @classmethod
    def validate_fields(cls, employees, field_names):
        super().validate_fields(employees, field_names)
        if 'service_color' in field_names:
            for employee in employees:
                if (employee.service_color
                        and not COLOR.fullmatch(employee.service_color)):
                    raise EmployeeValidationError(gettext(
                            'service_dispatch.msg_employee_service_color',
                            employee=employee.rec_name))

    @property
    def service_color_used(self):
        "The colour of the technician on the schedule"
        if self.service_color:
            return self.service_color
        return PALETTE[self.id % len(PALETTE)] if self.id else None
