# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The role data: the users of each role and two companies' records.

One company (the company layer: the modules with a chart of accounts) gets
the users of each role of the department, Liu Yang's and Chen Jie's work,
and every kind of service record; a second company, "Other Company", gets
records of its own and a user in every group.  `populate()` loads it in
the test database, as the roles layer of tests/layers.py; `Records` finds
it again.  Used by the role test and the fuzz test."""
import datetime as dt
from decimal import Decimal

from trytond.modules.service_desk.tests.tools import SIGNATURE
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction, TransactionError

SERVICE_MODULES = ['service_desk', 'service_dispatch', 'service_kpi']
# login: groups, company ('main' or 'other'), employee
USERS = {
    'desk': (["Service Desk"], 'main', None),
    'dispatcher': (["Service Dispatcher"], 'main', None),
    'technician': (["Service Technician"], 'main', 'liu'),
    'chen': (["Service Technician"], 'main', 'chen'),
    'warehouse': (["Stock"], 'main', None),
    'accountant': (["Accounting"], 'main', None),
    'manager': (["Service Manager"], 'main', None),
    'other': (["Service Desk", "Service Manager", "Service Dispatcher",
            "Service Technician", "Stock", "Accounting"], 'other', 'wang'),
    }

KPI_MODELS = [
    'service.kpi.technician', 'service.kpi.period', 'service.kpi.product',
    'service.kpi.product.cause', 'service.kpi.customer',
    'service.survey.level', 'service.survey.reason.share']


# The data -------------------------------------------------------------------

def _populate():
    "Create the users and both companies' records"
    pool = Pool()
    Company = pool.get('company.company')
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    User = pool.get('res.user')
    Group = pool.get('res.group')
    Uom = pool.get('product.uom')
    Template = pool.get('product.template')
    SLA = pool.get('service.sla')
    PartySLA = pool.get('party.party.service_sla')
    RequestType = pool.get('service.request.type')
    Skill = pool.get('service.skill')
    Equipment = pool.get('service.equipment')
    Contract = pool.get('service.contract')
    Request = pool.get('service.request')
    Pause = pool.get('service.request.pause')
    Dispatch = pool.get('service.dispatch')
    Survey = pool.get('service.survey')
    Bonus = pool.get('service.bonus')
    Fee = pool.get('service.contract.fee')
    Fine = pool.get('service.fine')
    Link = pool.get('service.link')
    Renewal = pool.get('service.renewal')

    def agreement(contract, **values):
        return dict({
                'contract': contract.id, 'fees': Decimal(2000),
                'cost': Decimal(0), 'profit': Decimal(2000),
                'commission_rate': Decimal('0.2'),
                'fund_rate': Decimal('0.2'), 'commission': Decimal(400),
                'fund': Decimal(400)}, **values)
    Configuration = pool.get('service.configuration')

    main, = Company.search([])
    other = Company(party=Party(name="Other Company"), currency=main.currency)
    other.party.save()
    other.save()
    now = dt.datetime.now().replace(microsecond=0)
    today = now.date()

    unit, = Uom.search([('name', '=', "Unit")])
    hour, = Uom.search([('name', '=', "Hour")])
    air_conditioner, heat_pump = [t.products[0] for t in Template.create([{
                    'name': name, 'type': 'goods',
                    'default_uom': unit.id, 'service_warranty_months': 12,
                    'products': [('create', [{}])],
                    } for name in ["Air Conditioner", "Heat Pump"]])]
    fan, = Template.create([{
                'name': "Fan Motor", 'type': 'goods', 'default_uom': unit.id,
                'list_price': Decimal(120), 'products': [('create', [{}])],
                }])[0].products
    Template.create([{
                'name': "Labour Hour", 'type': 'service',
                'default_uom': hour.id, 'list_price': Decimal(50),
                'products': [('create', [{}])],
                }])
    customer, = Party.create([{
                'name': "Zhang Wei",
                'contact_mechanisms': [('create', [{
                                'type': 'phone', 'value': '13800000001'}])],
                }])
    repair, = RequestType.search([('code', '=', 'repair')])
    consultation, = RequestType.search([('code', '=', 'consultation')])
    skill, _ = Skill.create([{'name': "Refrigeration"}, {'name': "Electrics"}])
    pool.get('service.inspection.checklist').create([{
                'name': "Boilers",
                'items': [('create', [{'name': "Burner"}])]}])
    RequestType.create([{
                'name': "Audit", 'code': 'audit',
                'skills': [('add', [skill.id])]}])

    def employee(name, company, skills):
        party, = Party.create([{'name': name}])
        return Employee.create([{
                    'party': party.id, 'company': company.id,
                    'service_technician': True,
                    'service_skills': [('add', [s.id for s in skills])],
                    }])[0]
    employees = {
        'liu': employee("Liu Yang", main, [skill]),
        'chen': employee("Chen Jie", main, []),
        'wang': employee("Wang Fang", other, [skill]),
        }

    groups = {g.name: g for g in Group.search([])}
    for login, (group_names, company, employee_name) in USERS.items():
        company = main if company == 'main' else other
        values = {
            'login': login, 'name': login,
            'groups': [('add', [groups[n].id for n in group_names])],
            'companies': [('add', [company.id])],
            'company': company.id,
            'email': f'{login}@example.com',
            }
        if employee_name:
            values['employees'] = [('add', [employees[employee_name].id])]
            values['employee'] = employees[employee_name].id
        User.create([values])

    def company_records(company, technicians, product, tag):
        "The records of a company, the technician's first work order first"
        with Transaction().set_context(company=company.id):
            configuration = Configuration(1)
            configuration.acceptance_hours = 24
            configuration.save()
            sla, _ = SLA.create([{
                        'name': f"Standard {tag}", 'company': company.id,
                        'lines': [('create', [{
                                        'priority': 'normal',
                                        'response_hours': Decimal(4),
                                        'resolution_hours': Decimal(16)}])],
                        'hours': [('create', [{
                                        'weekday': '0',
                                        'start': dt.time(9),
                                        'end': dt.time(17)}])],
                        'holidays': [('create', [{
                                        'date': dt.date(2026, 1, 1),
                                        'name': "New Year"}])],
                        }, {
                        'name': f"Spare {tag}", 'company': company.id,
                        }])
            # The service level each company agreed with the customer
            PartySLA.create([{
                        'party': customer.id, 'company': company.id,
                        'service_sla': sla.id}])
            equipment, _ = Equipment.create([{
                        'company': company.id, 'party': customer.id,
                        'product': product.id,
                        'serial_number': f'SN-{tag}-1', 'sale_date': today,
                        }, {
                        'company': company.id, 'party': customer.id,
                        'product': product.id,
                        'serial_number': f'SN-{tag}-2', 'sale_date': today,
                        }])
            maintenance, per_visit, resident = Contract.create([{
                        'company': company.id, 'party': customer.id,
                        'kind': 'maintenance', 'start_date': today,
                        'equipments': [('add', [equipment.id])],
                        }, {
                        'company': company.id, 'party': customer.id,
                        'kind': 'per_visit', 'start_date': today,
                        'covers_parts': False, 'covers_labour': False,
                        'time_bands': [('create', [{
                                        'name': "Working hours",
                                        'start': dt.time(8),
                                        'end': dt.time(18),
                                        'price': Decimal(180)}])],
                        }, {
                        'company': company.id, 'party': customer.id,
                        'kind': 'resident', 'start_date': today,
                        'monthly_fee': Decimal(2000),
                        'salesperson': technicians[-1].id,
                        }])
            Renewal.create([{
                        'company': company.id, 'party': customer.id,
                        'kind': 'contract', 'contract': maintenance.id,
                        'end_date': today + dt.timedelta(days=30),
                        }])
            Fee.create([{
                        'contract': resident.id, 'start_date': today,
                        'end_date': today + dt.timedelta(days=27),
                        'amount': Decimal(2000),
                        }])
            Fine.create([{
                        'company': company.id,
                        'employee': technicians[0].id,
                        'date': today, 'kind': 'other',
                        'amount': Decimal(5), 'reason': "Late.",
                        }])
            _, request, second_request = Request.create([{
                        'company': company.id, 'party': customer.id,
                        'type': consultation.id,
                        'description': "How do I reset the unit?",
                        }] + [{
                        'company': company.id, 'party': customer.id,
                        'type': repair.id, 'equipment': equipment.id,
                        'product': product.id, 'sla': sla.id,
                        'description': "The unit does not start.",
                        }] * 2)
            Request.open([request, second_request])
            Pause.create([{
                        'request': request.id,
                        'start': now - dt.timedelta(hours=2),
                        'end': now - dt.timedelta(hours=1),
                        'reason': "Customer away",
                        }])

            # An item of the shipped checklist, found on the work orders
            inspection_item = pool.get(
                'service.inspection.checklist.item').search(
                [], order=[('id', 'ASC')], limit=1)[0]

            def work_order(request, technician, **values):
                return dict({
                        'company': company.id, 'request': request.id,
                        'party': customer.id, 'equipment': equipment.id,
                        'technician': technician.id,
                        'planned_start': now + dt.timedelta(days=1),
                        'planned_end': now + dt.timedelta(days=1, hours=2),
                        'repair_logs': [('create', [{
                                        'symptom': "Does not start.",
                                        'cause': "Burnt fan motor.",
                                        'action': "Replaced it.",
                                        }])],
                        'labour': [('create', [{
                                        'employee': technician.id,
                                        'hours': Decimal(1)}])],
                        'parts': [('create', [{
                                        'product': fan.id, 'quantity': 1}])],
                        'findings': [('create', [{
                                        'item': inspection_item.id,
                                        'result': 'ok'}])],
                        }, **values)
            dispatches = Dispatch.create(
                [work_order(request, t) for t in technicians]
                + [work_order(request, technicians[0],
                        state='done', signed_by="Zhang Wei",
                        signature=SIGNATURE, departure_date=now,
                        report_due_date=today)])
            # A signing link of the work order done
            Link.issue(dispatches[-1], 'sign', now + dt.timedelta(days=1))
            Survey.create([{
                        'company': company.id, 'party': customer.id,
                        'request': request.id, 'dispatch': dispatches[0].id,
                        'technician': technicians[0].id,
                        'kind': 'follow_up', 'due_date': today,
                        }, {
                        # An answer with a reason, for the survey report
                        'company': company.id, 'party': customer.id,
                        'request': request.id, 'kind': 'periodic',
                        'due_date': today, 'date': today, 'overall': 3,
                        # (the last: the first is the one a role deletes)
                        'reason': pool.get('service.survey.reason').search(
                            [], order=[('id', 'DESC')], limit=1)[0].id,
                        'state': 'done', 'answered_from': 'desk',
                        }])
            Bonus.create([{
                        'company': company.id, 'year': today.year,
                        'quarter': (today.month - 1) // 3 + 1,
                        'lines': [('create', [{
                                        'employee': technicians[0].id,
                                        'role': 'technician',
                                        'valid_work_orders': 1,
                                        'allowance': Decimal(10),
                                        'pool_share': Decimal(0)}])],
                        'agreements': [('create', [
                                    agreement(resident)])],
                        }])

            # The management's reports: a recipient and a summary sent
            recipient_login = 'manager' if company == main else 'other'
            pool.get('service.management.report.recipient').create([{
                        'company': company.id,
                        'user': User.search(
                            [('login', '=', recipient_login)])[0].id,
                        }])
            pool.get('service.management.report').create([{
                        'company': company.id, 'kind': 'summary',
                        'from_date': today - dt.timedelta(days=14),
                        'to_date': today - dt.timedelta(days=8),
                        'recipients': f'{recipient_login}@example.com',
                        }])

    company_records(
        main, [employees['liu'], employees['chen']], air_conditioner, 'M')
    company_records(other, [employees['wang']], heat_pump, 'O')


def populate():
    "Load the role data in the test database, as the administrator"
    with Transaction().start(DB_NAME, 0) as transaction:
        Company = Pool().get('company.company')
        company, = Company.search([])
    extras = {}
    while True:
        with Transaction().start(DB_NAME, 0,
                context={'company': company.id},
                **extras) as transaction:
            try:
                _populate()
            except TransactionError as exception:
                transaction.rollback()
                exception.fix(extras)
                continue
            transaction.commit()
            break


# The records each operation is tried on -------------------------------------

class Records:
    "Find the records of both companies"

    def __init__(self):
        with Transaction().start(DB_NAME, 0):
            self._find()

    def _find(self):
        pool = Pool(DB_NAME)
        Company = pool.get('company.company')
        Employee = pool.get('company.employee')
        Party = pool.get('party.party')
        Product = pool.get('product.product')
        RequestType = pool.get('service.request.type')
        Dispatch = pool.get('service.dispatch')

        self.main, = Company.search([('party.name', '!=', "Other Company")])
        self.other, = Company.search([('party.name', '=', "Other Company")])
        self.employees = {e.party.name: e.id for e in Employee.search([])}
        self.users = {u.login: u.id
            for u in pool.get('res.user').search([])}
        self.customer, = Party.search([('name', '=', "Zhang Wei")])
        self.fan, = Product.search([('name', '=', "Fan Motor")])
        self.air_conditioner, = Product.search(
            [('name', '=', "Air Conditioner")])
        self.consultation, = RequestType.search(
            [('code', '=', 'consultation')])
        self.audit, = RequestType.search([('code', '=', 'audit')])
        self.today = dt.date.today()
        self.now = dt.datetime.now().replace(microsecond=0)

        # company -> model -> ids
        self.by_company = {}
        for company in [self.main, self.other]:
            self.by_company[company.id] = {
                name: set(pool.get(name).search([(path, '=', company.id)]))
                for name, path in COMPANY_PATHS.items()}
        ids = self.by_company[self.main.id]
        self.draft_request, = [
            r for r in ids['service.request'] if r.state == 'draft']
        liu = self.employees["Liu Yang"]
        chen = self.employees["Chen Jie"]
        self.dispatch, = Dispatch.search([
                ('id', 'in', [d.id for d in ids['service.dispatch']]),
                ('technician', '=', liu), ('state', '=', 'draft')])
        self.done_dispatch, = Dispatch.search([
                ('id', 'in', [d.id for d in ids['service.dispatch']]),
                ('technician', '=', liu), ('state', '=', 'done')])
        self.chen_dispatch, = Dispatch.search([
                ('id', 'in', [d.id for d in ids['service.dispatch']]),
                ('technician', '=', chen)])
        self.request = self.dispatch.request
        self.other_equipment, = [e.id
            for e in self.by_company[self.other.id]['service.equipment']
            if e.serial_number.endswith('-1')]
        self.other_contract, = [
            c.id for c in self.by_company[self.other.id]['service.contract']
            if c.kind == 'maintenance']
        self.targets = self._targets(pool, ids)

    def _targets(self, pool, ids):
        """Return model -> (record, values to write, values to create);
        through a parent: (parent, id added, id removed); for the KPIs:
        (a row, the company of the rows, None)"""
        def first(name, *domain):
            Model = pool.get(name)
            records = Model.search(
                [('id', 'in', [r.id for r in ids[name]]), *domain]
                if name in ids else list(domain), order=[('id', 'ASC')])
            return records[0]
        main = self.main.id
        dispatch = self.dispatch
        request = self.request
        sla = first('service.sla', ('name', 'like', 'Standard%'))
        spare_sla = first('service.sla', ('name', 'like', 'Spare%'))
        equipment = first(
            'service.equipment', ('serial_number', 'like', '%-1'))
        spare_equipment = first(
            'service.equipment', ('serial_number', 'like', '%-2'))
        contract = first('service.contract', ('kind', '=', 'maintenance'))
        per_visit = first('service.contract', ('kind', '=', 'per_visit'))
        resident = first('service.contract', ('kind', '=', 'resident'))
        bonus = first('service.bonus')
        skill = first('service.skill', ('name', '=', "Refrigeration"))
        electrics = first('service.skill', ('name', '=', "Electrics"))
        chen = self.employees["Chen Jie"]
        liu = self.employees["Liu Yang"]
        log, = dispatch.repair_logs
        finding, = dispatch.findings
        # A checklist no work order uses: the one a role may delete
        Checklist = pool.get('service.inspection.checklist')
        spare_checklist, = Checklist.search([('name', '=', "Boilers")])
        labour, = dispatch.labour
        part, = dispatch.parts
        targets = {
            'service.configuration': (
                pool.get('service.configuration')(1),
                {'acceptance_hours': 24}, {'acceptance_hours': 24}),
            'service.sla': (
                spare_sla, {'name': "Spare"},
                {'name': "New", 'company': main}),
            'service.sla.line': (
                sla.lines[0], {'response_hours': Decimal(4)},
                {'sla': sla.id, 'priority': 'high',
                    'response_hours': Decimal(2),
                    'resolution_hours': Decimal(8)}),
            'service.sla.hour': (
                sla.hours[0], {'weekday': '0'},
                {'sla': sla.id, 'weekday': '1', 'start': dt.time(9),
                    'end': dt.time(17)}),
            'service.sla.holiday': (
                sla.holidays[0], {'name': "New Year"},
                {'sla': sla.id, 'date': dt.date(2026, 10, 1)}),
            'service.request.type': (
                self.audit, {'name': "Audit"},
                {'name': "Recall", 'code': 'recall'}),
            'service.complaint.category': (
                first('service.complaint.category'), {'name': "Delivery"},
                {'name': "Billing", 'code': 'billing'}),
            'service.request': (
                self.draft_request, {'description': "Reset?"},
                {'company': main, 'party': self.customer.id,
                    'type': self.consultation.id,
                    'description': "Noise."}),
            'service.request.pause': (
                request.pauses[0], {'reason': "Away"},
                {'request': request.id,
                    'start': self.now - dt.timedelta(hours=6),
                    'end': self.now - dt.timedelta(hours=5)}),
            'service.equipment': (
                spare_equipment, {'notes': "Roof"},
                {'company': main, 'party': self.customer.id,
                    'product': self.air_conditioner.id,
                    'serial_number': 'SN-NEW'}),
            'service.contract': (
                contract, {'covers_parts': True},
                {'company': main, 'party': self.customer.id,
                    'kind': 'maintenance', 'start_date': self.today}),
            'service.skill': (
                skill, {'name': "Refrigeration"}, {'name': "Welding"}),
            'service.dispatch': (
                dispatch, {'notes': "Call first."},
                {'company': main, 'request': request.id,
                    'party': self.customer.id, 'technician': liu}),
            'service.repair.log': (
                log, {'cause': "Burnt fan motor."},
                {'dispatch': dispatch.id, 'symptom': "Noise.",
                    'result': 'fixed'}),
            'service.dispatch.labour': (
                labour, {'description': "Diagnosis"},
                {'dispatch': dispatch.id, 'employee': liu,
                    'hours': Decimal(2)}),
            'service.dispatch.part': (
                part, {'description': "Spare"},
                {'dispatch': dispatch.id, 'product': self.fan.id,
                    'quantity': 1}),
            'service.survey': (
                first('service.survey'), {'comment': "Call after 6 pm."},
                {'company': main, 'party': self.customer.id,
                    'kind': 'periodic', 'due_date': self.today}),
            'service.bonus': (
                first('service.bonus'), {'quarter': (
                        self.today.month - 1) // 3 + 1},
                {'company': main, 'year': 2020, 'quarter': 1}),
            'service.contract.time_band': (
                per_visit.time_bands[0], {'name': "Day"},
                {'contract': per_visit.id, 'name': "Night",
                    'start': dt.time(18), 'end': dt.time(8),
                    'price': Decimal(300)}),
            'service.contract.fee': (
                resident.fees[0], {'amount': Decimal(1)},
                {'contract': resident.id,
                    'start_date': self.today + dt.timedelta(days=28),
                    'end_date': self.today + dt.timedelta(days=56),
                    'amount': Decimal(2000)}),
            'service.inspection.checklist': (
                spare_checklist, {'name': "Boilers"}, {'name': "Pumps"}),
            'service.inspection.checklist.item': (
                spare_checklist.items[0], {'name': "Valves"},
                {'checklist': spare_checklist.id, 'name': "Seals"}),
            'service.dispatch.finding': (
                finding, {'note': "Checked."},
                {'dispatch': dispatch.id, 'item': finding.item.id}),
            'service.management.report.recipient': (
                first('service.management.report.recipient'),
                {'summary': False},
                {'company': main, 'user': self.users['desk']}),
            'service.management.report': (
                first('service.management.report'),
                {'recipients': "someone@example.com"},
                {'company': main, 'kind': 'failure',
                    'from_date': self.today.replace(day=1),
                    'to_date': self.today}),
            'service.survey.reason': (
                first('service.survey.reason'), {'name': "Too slow"},
                {'name': "Noisy", 'code': 'noisy'}),
            'service.renewal': (
                first('service.renewal'), {'answer_note': "Call back."},
                {'company': main, 'party': self.customer.id,
                    'kind': 'contract', 'contract': contract.id,
                    'end_date': self.today}),
            'service.fine': (
                first('service.fine'), {'reason': "Late again."},
                {'company': main, 'employee': liu, 'date': self.today,
                    'kind': 'other', 'amount': Decimal(5),
                    'reason': "Late."}),
            'service.link': (
                first('service.link'), {'expiry': self.now},
                {'company': main, 'purpose': 'sign',
                    'resource': str(dispatch), 'token_digest': '0' * 64,
                    'expiry': self.now}),
            'service.bonus.agreement': (
                bonus.agreements[0], {'fees': Decimal(1)},
                {'bonus': bonus.id, 'contract': resident.id,
                    'fees': Decimal(0), 'cost': Decimal(0),
                    'profit': Decimal(0), 'commission_rate': Decimal(0),
                    'fund_rate': Decimal(0), 'commission': Decimal(0),
                    'fund': Decimal(0)}),
            'service.bonus.line': (
                first('service.bonus.line'), {'valid_work_orders': 1},
                {'bonus': first('service.bonus').id, 'employee': chen,
                    'role': 'technician', 'valid_work_orders': 0,
                    'allowance': Decimal(0), 'pool_share': Decimal(0)}),
            }
        # Through the parent: the record, the ids added and removed
        targets.update({
                'service.configuration.company': (
                    targets['service.configuration'][0], None, None),
                'party.party.service_sla': (self.customer, None, None),
                'service.contract-service.equipment': (
                    contract, spare_equipment.id, equipment.id),
                'company.employee-service.skill': (
                    pool.get('company.employee')(liu), electrics.id,
                    skill.id),
                'service.request.type-service.skill': (
                    self.audit, electrics.id, skill.id),
                })
        with Transaction().set_context(company=main):
            for name in KPI_MODELS:
                Model = pool.get(name)
                domain = (
                    [('technician', '=', liu)]
                    if name == 'service.kpi.technician' else [])
                records = Model.search(domain, limit=1)
                assert records, name
                targets[name] = (records[0], main, None)
        return targets



# Where each model's records get their company
COMPANY_PATHS = {
    'service.configuration.company': 'company',
    'service.sla': 'company',
    'party.party.service_sla': 'company',
    'service.sla.line': 'sla.company',
    'service.sla.hour': 'sla.company',
    'service.sla.holiday': 'sla.company',
    'service.request': 'company',
    'service.request.pause': 'request.company',
    'service.equipment': 'company',
    'service.contract': 'company',
    'service.contract-service.equipment': 'contract.company',
    'service.contract.time_band': 'contract.company',
    'service.contract.fee': 'contract.company',
    'service.renewal': 'company',
    'service.fine': 'company',
    'service.link': 'company',
    'service.bonus.agreement': 'bonus.company',
    'company.employee-service.skill': 'employee.company',
    'service.dispatch': 'company',
    'service.repair.log': 'dispatch.company',
    'service.dispatch.finding': 'dispatch.company',
    'service.dispatch.labour': 'dispatch.company',
    'service.dispatch.part': 'dispatch.company',
    'service.survey': 'company',
    'service.management.report.recipient': 'company',
    'service.management.report': 'company',
    'service.bonus': 'company',
    'service.bonus.line': 'bonus.company',
    }
