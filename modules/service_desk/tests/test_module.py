# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
import datetime as dt

from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.service_desk.contract import last_due_date
from trytond.modules.service_desk.exceptions import (
    RequestComplaintError, RequestValidationError)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

from .tools import ExtrasModuleTestCase


class ServiceDeskTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Service Desk module alone"
    module = 'service_desk'
    # Without the extras their views are unused: the test below checks the
    # views with them
    test_view = None


class ServiceDeskExtrasTestCase(CompanyTestMixin, ExtrasModuleTestCase):
    "Test Service Desk module with the other modules and the extras"
    module = 'service_desk'

    def test_last_due_date(self):
        "The last inspection due by a date, counted from the start"
        start = dt.date(2026, 1, 31)
        for date, expected in [
                (dt.date(2026, 1, 31), None),
                (dt.date(2026, 4, 29), None),
                (dt.date(2026, 4, 30), dt.date(2026, 4, 30)),
                (dt.date(2026, 7, 30), dt.date(2026, 4, 30)),
                (dt.date(2026, 7, 31), dt.date(2026, 7, 31)),
                (dt.date(2027, 2, 1), dt.date(2027, 1, 31)),
                (dt.date(2025, 12, 1), None),
                ]:
            with self.subTest(date=date):
                self.assertEqual(last_due_date(start, 3, date), expected)

    @with_transaction()
    def test_inspection_once_per_due_date(self):
        "An equipment gets one inspection request per contract due date"
        pool = Pool()
        Party = pool.get('party.party')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        Equipment = pool.get('service.equipment')
        Contract = pool.get('service.contract')
        Request = pool.get('service.request')
        RequestType = pool.get('service.request.type')

        company = create_company()
        with set_company(company):
            unit, = Uom.search([('name', '=', 'Unit')])
            template, = Template.create([{
                        'name': "Chiller", 'type': 'goods',
                        'default_uom': unit.id,
                        'products': [('create', [{}])],
                        }])
            product, = template.products
            party, = Party.create([{'name': "Hotel"}])
            equipment, = Equipment.create([{
                        'party': party.id, 'product': product.id,
                        'serial_number': 'CH-1',
                        }])
            contract, = Contract.create([{
                        'party': party.id, 'kind': 'maintenance',
                        'start_date': dt.date(2026, 1, 1),
                        'visit_interval_months': 3,
                        'equipments': [('add', [equipment.id])],
                        }])
            Contract.activate([contract])
            inspection, = RequestType.search([('code', '=', 'inspection')])

            requests = contract.inspection_requests(
                inspection, dt.date(2026, 5, 1))
            Request.save(requests)
            request, = requests
            self.assertEqual(request.inspection_due_date, dt.date(2026, 4, 1))
            self.assertEqual(
                contract.inspection_requests(
                    inspection, dt.date(2026, 6, 30)), [])

            with self.assertRaises(RequestValidationError):
                Request.create([{
                            'party': party.id, 'type': inspection.id,
                            'equipment': equipment.id,
                            'description': "Again",
                            'inspection_contract': contract.id,
                            'inspection_due_date': dt.date(2026, 4, 1),
                            }])

            other, = Request.create([{
                        'party': party.id, 'type': inspection.id,
                        'equipment': equipment.id,
                        'description': "Next one",
                        'inspection_contract': contract.id,
                        'inspection_due_date': dt.date(2026, 7, 1),
                        }])
            self.assertEqual(other.inspection_due_date, dt.date(2026, 7, 1))

    @with_transaction()
    def test_raise_complaint_refused(self):
        "Only a complaint request raises a sale complaint, and only once"
        pool = Pool()
        Party = pool.get('party.party')
        Request = pool.get('service.request')
        RequestType = pool.get('service.request.type')
        ComplaintType = pool.get('sale.complaint.type')
        Configuration = pool.get('service.configuration')
        IrModel = pool.get('ir.model')

        company = create_company()
        with set_company(company):
            party, = Party.create([{'name': "Customer"}])
            complaint, = RequestType.search([('code', '=', 'complaint')])
            repair, = RequestType.search([('code', '=', 'repair')])
            requests = Request.create([{
                        'party': party.id, 'type': type_.id,
                        'description': "Unhappy",
                        } for type_ in [complaint, repair]])
            to_raise, not_complaint = requests

            with self.assertRaisesRegex(
                    RequestComplaintError, 'complaint type'):
                Request.raise_complaint([to_raise])

            sale_model, = IrModel.search([('name', '=', 'sale.sale')])
            complaint_type, = ComplaintType.create([{
                        'name': "Sale", 'origin': sale_model.id,
                        }])
            Configuration.write(
                [Configuration(1)], {'complaint_type': complaint_type.id})

            with self.assertRaisesRegex(
                    RequestComplaintError, 'not a complaint'):
                Request.raise_complaint([not_complaint])

            Request.raise_complaint([to_raise])
            self.assertEqual(to_raise.complaint.customer, party)
            self.assertIsNone(to_raise.complaint.origin)
            self.assertEqual(
                list(to_raise.complaint.service_requests), [to_raise])
            with self.assertRaisesRegex(
                    RequestComplaintError, 'already raised'):
                Request.raise_complaint([to_raise])


del ModuleTestCase, ExtrasModuleTestCase
