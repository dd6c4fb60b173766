# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The inspection (巡检) report: the checklist of the equipment's product
category, a finding per item, the recommendations to the customer"""
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.modules.service_desk.client import ClientValueMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from .dispatch import WorkOrderLineMixin, WorkOrderReport
from .exceptions import DispatchValidationError


class Checklist(ClientValueMixin, DeactivableMixin, ModelSQL, ModelView):
    "The items an inspection checks on the equipment of a product category"
    __name__ = 'service.inspection.checklist'
    __string__ = "Inspection Checklist"

    name = fields.Char("Name", required=True, translate=True)
    category = fields.Many2One(
        'product.category', "Product Category", ondelete='RESTRICT',
        help="The equipment of this category (or of a category under it) "
        "is inspected with this checklist; leave empty for the checklist of "
        "equipment of no other checklist's category.")
    items = fields.One2Many(
        'service.inspection.checklist.item', 'checklist', "Items")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def for_product(cls, product):
        """Return the active checklist of the product's categories (the
        nearest first), else the one of no category, else None"""
        checklists = cls.search([])
        by_category = {c.category.id if c.category else None: c
            for c in reversed(checklists)}
        if product:
            for category in product.template.categories:
                while category:
                    if category.id in by_category:
                        return by_category[category.id]
                    category = category.parent
        return by_category.get(None)


class ChecklistItem(
        ClientValueMixin, sequence_ordered(), ModelSQL, ModelView):
    "A point an inspection checks"
    __name__ = 'service.inspection.checklist.item'
    __string__ = "Inspection Checklist Item"

    checklist = fields.Many2One(
        'service.inspection.checklist', "Checklist", required=True,
        ondelete='CASCADE')
    name = fields.Char("Item", required=True, translate=True)


class Finding(
        WorkOrderLineMixin, ClientValueMixin, sequence_ordered(), ModelSQL,
        ModelView):
    "What the technician found on an item of the inspection's checklist"
    __name__ = 'service.dispatch.finding'
    __string__ = "Inspection Finding"

    item = fields.Many2One(
        'service.inspection.checklist.item', "Item", required=True,
        ondelete='RESTRICT')
    result = fields.Selection([
            (None, ""),
            ('ok', "OK"),
            ('attention', "Needs Attention"),
            ('fault', "Fault"),
            ], "Result", sort=False)
    result_string = result.translated('result')
    note = fields.Text("Finding")


class Dispatch(metaclass=PoolMeta):
    __name__ = 'service.dispatch'

    is_inspection = fields.Function(
        fields.Boolean("Inspection"), 'on_change_with_is_inspection')
    findings = fields.One2Many(
        'service.dispatch.finding', 'dispatch', "Findings",
        states={
            'invisible': ~Eval('is_inspection'),
            'readonly': Eval('state').in_(['done', 'cancelled']),
            },
        help="A finding per item of the checklist of the equipment's "
        "product category.")
    recommendation = fields.Text(
        "Recommendations",
        states={
            'invisible': ~Eval('is_inspection'),
            'readonly': Eval('state').in_(['done', 'cancelled']),
            },
        help="What the customer is advised to do, printed on the "
        "inspection report.")

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('//page[@id="inspection"]', 'states', {
                    'invisible': ~Eval('is_inspection'),
                    }),
            ]

    @fields.depends('request', '_parent_request.type')
    def on_change_with_is_inspection(self, name=None):
        return bool(self.request and self.request.type
            and self.request.type.code == 'inspection')

    @classmethod
    def create(cls, vlist):
        dispatches = super().create(vlist)
        cls.fill_findings(dispatches)
        return dispatches

    @classmethod
    def fill_findings(cls, dispatches):
        "Give the inspections without findings their checklist's items"
        pool = Pool()
        Checklist = pool.get('service.inspection.checklist')
        Finding = pool.get('service.dispatch.finding')
        findings = []
        for dispatch in dispatches:
            if not dispatch.is_inspection or dispatch.findings:
                continue
            product = (dispatch.equipment.product if dispatch.equipment
                else dispatch.request.product)
            checklist = Checklist.for_product(product)
            if not checklist:
                continue
            findings.extend(
                Finding(dispatch=dispatch, item=item, sequence=item.sequence)
                for item in checklist.items)
        Finding.save(findings)

    @classmethod
    def done(cls, dispatches):
        for dispatch in dispatches:
            if not dispatch.is_inspection:
                continue
            if not dispatch.findings:
                raise DispatchValidationError(gettext(
                        'service_dispatch.msg_inspection_no_findings',
                        dispatch=dispatch.rec_name))
            missing = [f.item.name for f in dispatch.findings
                if not f.result]
            if missing:
                raise DispatchValidationError(gettext(
                        'service_dispatch.msg_inspection_finding_result',
                        dispatch=dispatch.rec_name,
                        items=', '.join(missing)))
        super().done(dispatches)

    @classmethod
    def copy(cls, dispatches, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('findings', None)
        return super().copy(dispatches, default=default)


class InspectionReport(WorkOrderReport):
    "The inspection report, in the customer's language"
    __name__ = 'service.dispatch.inspection_report'
