# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.modules.service_desk.access import RuleSearchMixin
from trytond.modules.service_desk.client import ClientValueMixin
from trytond.pool import PoolMeta
from trytond.pyson import Eval


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
