#!/usr/bin/env python3
# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Create the demo database once, then serve it: what `make demo` runs.

The SQLite database lives in var/demo/.  A second run updates the modules
and keeps the data it finds: it never loads the demo data twice.  With
``--database-uri postgresql://USER@HOST:PORT/`` the database is created on
that PostgreSQL server instead (the upgrade test uses it).
"""
import argparse
import datetime as dt
import os
import pathlib
import subprocess
import sys
import tempfile
from decimal import Decimal

ROOT = pathlib.Path(__file__).resolve().parent.parent
# The service modules with the extras a company running Tryton has: lots,
# sales, complaints, e-mail notifications (as the tests' layers have them)
MODULES = ['service_desk', 'service_dispatch', 'service_kpi', 'stock_lot',
    'sale', 'sale_complaint', 'notification_email']
DATABASE = 'service_demo'
USERS = [
    # login, name, password, groups
    ('admin', "Administrator", 'demo-admin', None),
    ('desk', "Chen Jing (service desk)", 'demo-desk', ["Service Desk"]),
    ('manager', "Zhou Qiang (service manager)", 'demo-manager',
        ["Service Manager"]),
    ('dispatcher', "Sun Li (dispatcher)", 'demo-dispatcher',
        ["Service Dispatcher"]),
    ('liu', "Liu Yang (technician)", 'demo-technician',
        ["Service Technician"]),
    ('warehouse', "Ma Jun (warehouse)", 'demo-warehouse', ["Stock"]),
    ('accountant', "Hu Min (accountant)", 'demo-accountant',
        ["Accounting"]),
    ]
# Public holidays of 2026 in China, the days the SLA clock stands still
HOLIDAYS = [dt.date(2026, 1, 1), dt.date(2026, 1, 2)]
HOLIDAYS += [dt.date(2026, 2, 16) + dt.timedelta(days=i) for i in range(7)]
HOLIDAYS += [dt.date(2026, 4, 6), dt.date(2026, 6, 19)]
HOLIDAYS += [dt.date(2026, 5, 1) + dt.timedelta(days=i) for i in range(5)]
HOLIDAYS += [dt.date(2026, 10, 1) + dt.timedelta(days=i) for i in range(7)]


def write_config(var, port, web_root=None, uri='sqlite://'):
    path = var / 'trytond.conf'
    web = f"root = {web_root}\n" if web_root else ""
    path.write_text(
        "[database]\n"
        f"uri = {uri}\n"
        f"path = {var}\n"
        "[web]\n"
        f"listen = localhost:{port}\n" + web)
    return path


def trytond_admin(config_file, *args):
    admin = pathlib.Path(sys.executable).with_name('trytond-admin')
    with tempfile.NamedTemporaryFile('w', suffix='.pass') as passfile:
        passfile.write(USERS[0][2])
        passfile.flush()
        env = dict(os.environ, TRYTONPASSFILE=passfile.name)
        subprocess.run(
            [str(admin), '-c', str(config_file), '-d', DATABASE, *args],
            env=env, check=True)


def is_postgresql(uri):
    return uri.startswith(('postgresql:', 'postgres:'))


def _postgresql(uri, statement):
    "Run statement on the server of uri, outside any database"
    import psycopg
    base = uri.split('?')[0].rstrip('/')
    with psycopg.connect(base + '/postgres', autocommit=True) as connection:
        cursor = connection.execute(statement)
        return cursor.fetchall() if cursor.description else None


def database_exists(var, uri):
    if is_postgresql(uri):
        return bool(_postgresql(uri,
                "SELECT 1 FROM pg_database "
                f"WHERE datname = '{DATABASE}'"))
    return (var / f'{DATABASE}.sqlite').exists()


def drop_database(var, uri):
    if is_postgresql(uri):
        _postgresql(uri, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    else:
        (var / f'{DATABASE}.sqlite').unlink(missing_ok=True)


def create_database(var, config_file, uri='sqlite://', update=True):
    if database_exists(var, uri):
        if not update:
            return
    else:
        if is_postgresql(uri):
            _postgresql(uri, f'CREATE DATABASE "{DATABASE}" '
                "TEMPLATE template0 ENCODING 'unicode'")
        else:
            (var / f'{DATABASE}.sqlite').touch()
        print(f"Creating the database {DATABASE}", flush=True)
        try:
            trytond_admin(
                config_file, '--all', '--email', 'admin@example.com')
        except BaseException:
            drop_database(var, uri)
            raise
    print("Activating " + ', '.join(MODULES), flush=True)
    trytond_admin(config_file, '-u', *MODULES, '--activate-dependencies')


def populate(config_file):
    "Load the demo data unless it is there already; return True if loaded"
    from proteus import Model
    from proteus import config as pconfig
    config = pconfig.set_trytond(DATABASE, config_file=str(config_file))
    Request = Model.get('service.request')
    if Request.find([], limit=1):
        print("The demo data is already loaded", flush=True)
        return False
    print("Loading the demo data", flush=True)
    # The demo's past dispatcher confirmed the plans made after the arrival
    # deadline
    config.skip_warning = True
    _chinese()
    company = _company()
    employees = _users(company)
    slas = _slas()
    products = _products()
    configuration = Model.get('service.configuration')(1)
    configuration.labour_product = products['S-LABOUR']
    configuration.contract_fee_product = products['S-RESIDENT']
    configuration.visit_product = products['S-VISIT']
    # Proposed on the quarter's bonus statement
    configuration.bonus_manager = employees['manager']
    configuration.bonus_deputy = employees['dispatcher']
    configuration.save()
    parties = _parties(slas)
    equipment = _equipment(parties, products)
    _contracts(parties, equipment, slas)
    _stock(company, products)
    _past_deliveries(parties)
    technicians = _technicians(company, employees)
    _requests(parties, equipment, products, technicians)
    _complaints(parties)
    scores = _history(parties, equipment, products, technicians)
    _surveys(scores)
    _agreements(parties, employees)
    _management_reports()
    _renewals()
    return True


def _chinese():
    "Load Tryton's and the service modules' Chinese translations"
    from proteus import Model
    Lang = Model.get('ir.lang')
    chinese, = Lang.find([('code', '=', 'zh_CN')])
    Lang.click([chinese], 'load_translations')


# Who reads the web client and the documents in Chinese: the technician of
# the demo's journey in Chinese, and the customers
CHINESE_USERS = {'liu'}


def _company():
    from proteus import Model
    from trytond.modules.account.tests.tools import (
        create_chart, create_fiscalyear)
    from trytond.modules.account_invoice.tests.tools import (
        set_fiscalyear_invoice_sequences)
    from trytond.modules.company.tests.tools import create_company
    from trytond.modules.currency.tests.tools import get_currency
    Party = Model.get('party.party')
    Company = Model.get('company.company')
    if not Company.find([]):
        party = Party(name="Shanghai Cool Air Service Co., Ltd.")
        party.save()
        create_company(party, get_currency('CNY'))
    company, = Company.find([])
    company.timezone = 'Asia/Shanghai'
    company.save()
    create_chart(company)
    fiscalyear = set_fiscalyear_invoice_sequences(create_fiscalyear(company))
    fiscalyear.click('create_period')
    return company


def _users(company):
    from proteus import Model
    User = Model.get('res.user')
    Group = Model.get('res.group')
    Lang = Model.get('ir.lang')
    Employee = Model.get('company.employee')
    Party = Model.get('party.party')
    employees = {}
    for login, name, password, groups in USERS:
        user, = User.find([('login', '=', login)]) or [User(login=login)]
        # The administrator's too: a database the tests copy from a
        # template was not created with it
        user.password = password
        if login != 'admin':
            user.name = name
            user.groups.extend(Group.find([('name', 'in', groups)]))
        if login in CHINESE_USERS:
            user.language, = Lang.find([('code', '=', 'zh_CN')])
        employee = Employee(party=Party(name=name), company=company)
        employee.party.save()
        employee.save()
        if company not in user.companies:
            user.companies.append(company)
        user.company = company
        user.employees.append(employee)
        user.employee = employee
        user.save()
        employees[login] = employee
    return employees


def _slas():
    from proteus import Model
    SLA = Model.get('service.sla')
    Configuration = Model.get('service.configuration')
    slas = {}
    for name, targets in [
            ("Standard", {
                    'low': (8, 40), 'normal': (4, 24),
                    'high': (2, 16), 'urgent': (1, 8)}),
            ("Premium", {
                    'low': (4, 16), 'normal': (2, 8),
                    'high': (1, 6), 'urgent': (Decimal('0.5'), 4)}),
            ]:
        sla = SLA(name=name, batch_units=10, batch_days=1)
        for weekday in '012345':
            ranges = [(8, 30, 12, 0), (13, 0, 17, 30)]
            if weekday == '5':
                ranges = [(9, 0, 12, 0)]
            for sh, sm, eh, em in ranges:
                hour = sla.hours.new(weekday=weekday)
                hour.start = dt.time(sh, sm)
                hour.end = dt.time(eh, em)
        for date in HOLIDAYS:
            sla.holidays.new(date=date)
        for priority, (response, resolution) in targets.items():
            line = sla.lines.new(priority=priority)
            line.response_hours = Decimal(response)
            line.resolution_hours = Decimal(resolution)
        sla.save()
        slas[name] = sla
    configuration = Configuration(1)
    configuration.default_sla = slas["Standard"]
    configuration.save()
    return slas


def _products():
    from proteus import Model
    from trytond.modules.account.tests.tools import create_tax, get_accounts
    Uom = Model.get('product.uom')
    Template = Model.get('product.template')
    Category = Model.get('product.category')
    Account = Model.get('account.account')
    accounts = get_accounts()
    # Goods (appliances and spare parts) carry 13% VAT, repair and travel
    # services 6%, each category with its own revenue account
    service_revenue, = Account.duplicate([accounts['revenue']], {
            'name': "Service Revenue",
            'code': (accounts['revenue'].code or '') + '.S',
            })
    categories = {}
    for type_, name, rate, revenue in [
            ('goods', "Appliances and Spare Parts (VAT 13%)", '0.13',
                accounts['revenue']),
            ('service', "Repair Services (VAT 6%)", '0.06',
                service_revenue),
            ]:
        tax = create_tax(Decimal(rate))
        tax.name = tax.description = f"VAT {int(Decimal(rate) * 100)}%"
        tax.save()
        category = Category(name=name, accounting=True)
        category.account_revenue = revenue
        category.account_expense = accounts['expense']
        category.customer_taxes.append(tax)
        category.save()
        categories[type_] = category
    unit, = Uom.find([('name', '=', 'Unit')])
    hour, = Uom.find([('name', '=', 'Hour')])
    products = {}
    for name, code, months, price, type_, uom in [
            ("Split Air Conditioner KF-35GW", 'KF35', 12, 3299, 'goods', unit),
            ("Gas Water Heater JSQ-24", 'JSQ24', 24, 2199, 'goods', unit),
            ("Refrigerator BCD-470", 'BCD470', 36, 4599, 'goods', unit),
            ("Compressor QXA-B141", 'P-COMP', None, 860, 'goods', unit),
            ("Indoor Fan Motor", 'P-FAN', None, 120, 'goods', unit),
            ("Igniter Assembly", 'P-IGN', None, 65, 'goods', unit),
            ("Door Gasket", 'P-GASKET', None, 90, 'goods', unit),
            ("Repair Labour", 'S-LABOUR', None, 150, 'service', hour),
            ("Travel (per visit)", 'S-TRAVEL', None, 50, 'service', unit),
            ("Resident Service Fee", 'S-RESIDENT', None, 0, 'service', unit),
            ("On-site Visit", 'S-VISIT', None, 0, 'service', unit),
            ]:
        template = Template(name=name, code=code, type=type_)
        template.default_uom = uom
        template.account_category = categories[type_]
        template.list_price = Decimal(price)
        template.service_warranty_months = months
        template.save()
        product, = template.products
        if type_ == 'goods':
            # What the company pays for a unit: 60% of its price
            product.cost_price = Decimal(price) * Decimal('0.6')
            product.save()
        products[code] = product
    return products


def _stock(company, products):
    "Put spare parts in the warehouse"
    from proteus import Model
    Location = Model.get('stock.location')
    Move = Model.get('stock.move')
    storage, = Location.find([('code', '=', 'STO')])
    supplier, = Location.find([('code', '=', 'SUP')])
    moves = []
    for code, quantity in [
            ('P-COMP', 4), ('P-FAN', 12), ('P-IGN', 20), ('P-GASKET', 6)]:
        product = products[code]
        moves.append(Move(
                product=product, quantity=quantity, unit=product.default_uom,
                from_location=supplier, to_location=storage,
                unit_price=product.cost_price,
                currency=company.currency))
    Move.click(moves, 'do')


def _past_deliveries(parties):
    """Water purifiers sold and delivered with their serial numbers before
    the product had warranty months: the installed base does not hold them
    until the manager sets the months and builds it (Service >
    Configuration)"""
    from proteus import Model
    from proteus import config as pconfig
    Template = Model.get('product.template')
    Category = Model.get('product.category')
    Uom = Model.get('product.uom')
    Lot = Model.get('stock.lot')
    Sale = Model.get('sale.sale')
    unit, = Uom.find([('name', '=', 'Unit')])
    category, = Category.find([('accounting', '=', True)], limit=1)
    template = Template(name="Water Purifier RO-500", code='RO500')
    template.type = 'goods'
    template.default_uom = unit
    template.salable = True
    template.list_price = Decimal('2999')
    template.account_category = category
    template.lot_required = ['customer']
    template.save()
    purifier, = template.products
    today = dt.date.today()
    for party, days_ago, numbers in [
            ('zhang', 200, ['RO500-2025-0001', 'RO500-2025-0002']),
            ('hotel', 150, ['RO500-2025-0003']),
            ]:
        day = today - dt.timedelta(days=days_ago)
        sale = Sale(party=parties[party], sale_date=day)
        sale.invoice_method = 'manual'
        line = sale.lines.new(product=purifier)
        line.quantity = len(numbers)
        sale.click('quote')
        sale.click('confirm')
        shipment, = sale.shipments
        shipment.effective_date = day
        shipment.save()
        # A move per unit, each with its serial number
        move, = shipment.inventory_moves
        move.quantity = 1
        move.save()
        with pconfig.get_config().set_context(_stock_move_split=True):
            for _ in numbers[1:]:
                move.duplicate(default={'quantity': 1})
        shipment.reload()
        shipment.click('assign_force')
        lots = [Lot(number=n, product=purifier) for n in numbers]
        Lot.save(lots)
        for move, lot in zip(shipment.inventory_moves, lots):
            move.lot = lot
        shipment.save()
        shipment.click('pick')
        shipment.click('pack')
        shipment.click('do')


def _technicians(company, employees):
    from proteus import Model
    Employee = Model.get('company.employee')
    Party = Model.get('party.party')
    Skill = Model.get('service.skill')
    RequestType = Model.get('service.request.type')
    skills = {}
    for name in ["Air conditioning", "Refrigeration", "Gas appliances"]:
        skills[name] = Skill(name=name)
        skills[name].save()
    installation, = RequestType.find([('code', '=', 'installation')])
    installation.skills.append(Skill(skills["Gas appliances"].id))
    installation.save()
    technicians = {}
    for key, employee, names in [
            ('liu', employees['liu'],
                ["Air conditioning", "Refrigeration"]),
            ('zhao', None, ["Gas appliances", "Air conditioning"]),
            ('chen', None, ["Refrigeration"]),
            ]:
        if employee is None:
            name = {'zhao': "Zhao Lei", 'chen': "Chen Gang"}[key]
            employee = Employee(company=company, party=Party(name=name))
            employee.party.save()
        employee.service_technician = True
        for name in names:
            employee.service_skills.append(Skill(skills[name].id))
        employee.save()
        technicians[key] = employee
    return technicians


def _parties(slas):
    from proteus import Model
    Party = Model.get('party.party')
    Lang = Model.get('ir.lang')
    chinese, = Lang.find([('code', '=', 'zh_CN')])
    parties = {}
    for key, name, phone, street, city in [
            ('zhang', "Zhang Wei", '13800000001', "88 Huaihai Road",
                "Shanghai"),
            ('li', "Li Na", '13800000002', "12 Wuning Road", "Shanghai"),
            ('wang', "Wang Fang", '13800000003', "5 Zhongshan Road", "Suzhou"),
            ('hotel', "Jinjiang Garden Hotel", '02164150000',
                "59 Maoming Road", "Shanghai"),
            ('school', "Xuhui Experimental School", '02164870000',
                "200 Tianyaoqiao Road", "Shanghai"),
            ('clinic', "Kangning Clinic", '02154110000',
                "7 Yan'an Road", "Shanghai"),
            ]:
        party = Party(name=name)
        party.lang = chinese
        party.contact_mechanisms.new(type='phone', value=phone)
        address, = party.addresses
        address.street = street
        address.city = city
        parties[key] = party
    parties['clinic'].service_sla = slas["Premium"]
    Party.save(list(parties.values()))
    return parties


def _equipment(parties, products):
    from proteus import Model
    Equipment = Model.get('service.equipment')
    today = dt.date.today()
    equipment = {}
    for key, party, product, serial, sold_days_ago in [
            ('zhang_ac', 'zhang', 'KF35', 'KF35-2026-0001', 120),
            ('zhang_heater', 'zhang', 'JSQ24', 'JSQ24-2022-0310', 1500),
            ('li_fridge', 'li', 'BCD470', 'BCD470-2025-1021', 400),
            ('wang_ac', 'wang', 'KF35', 'KF35-2024-0420', 800),
            ('hotel_ac1', 'hotel', 'KF35', 'KF35-2023-1203', 1000),
            ('hotel_ac2', 'hotel', 'KF35', 'KF35-2023-1204', 1000),
            ('school_heater', 'school', 'JSQ24', 'JSQ24-2025-0901', 300),
            ('clinic_fridge', 'clinic', 'BCD470', 'BCD470-2024-0101', 700),
            ('school_ac', 'school', 'KF35', 'KF35-2024-0102', 1000),
            ]:
        record = Equipment(party=parties[party], product=products[product])
        record.serial_number = serial
        record.sale_date = today - dt.timedelta(days=sold_days_ago)
        record.address = parties[party].addresses[0]
        equipment[key] = record
    Equipment.save(list(equipment.values()))
    return equipment


def _contracts(parties, equipment, slas):
    from proteus import Model
    Contract = Model.get('service.contract')
    Equipment = Model.get('service.equipment')
    today = dt.date.today()
    contract = Contract(party=parties['hotel'], kind='maintenance')
    contract.start_date = today.replace(month=1, day=1)
    contract.end_date = today.replace(month=12, day=31)
    contract.sla = slas["Premium"]
    contract.covers_parts = False
    contract.description = "Quarterly maintenance of the guest room units."
    for key in ['hotel_ac1', 'hotel_ac2']:
        contract.equipments.append(Equipment(equipment[key].id))
    contract.save()
    contract.click('activate')
    # The school's air conditioner: a warranty extension that ends in
    # three weeks, on the desk's renewal list
    extension = Contract(party=parties['school'], kind='warranty_extension')
    extension.start_date = today - dt.timedelta(days=345)
    extension.end_date = today + dt.timedelta(days=20)
    extension.price = Decimal('480.00')
    extension.description = "A year more on the staff room's unit."
    extension.equipments.append(Equipment(equipment['school_ac'].id))
    extension.save()
    extension.click('activate')
    draft = Contract(party=parties['school'], kind='warranty_extension')
    draft.start_date = today
    draft.end_date = today + dt.timedelta(days=365 * 2)
    draft.equipments.append(Equipment(equipment['school_heater'].id))
    draft.save()


def _agreements(parties, employees):
    """The agreements billed as sold, signed once the history's requests
    were taken (a contract that lists no equipment covers every request of
    its customer from then on)"""
    from dateutil.relativedelta import relativedelta
    from proteus import Model
    Contract = Model.get('service.contract')
    today = dt.date.today()
    # The clinic pays for Liu on site Monday to Friday, by the month, since
    # three months; its months are invoiced by the accountant's wizard
    resident = Contract(party=parties['clinic'], kind='resident')
    resident.start_date = today - relativedelta(months=3)
    resident.end_date = resident.start_date + relativedelta(years=1, days=-1)
    resident.monthly_fee = Decimal('3000.00')
    resident.salesperson = employees['manager']
    resident.company_business = True
    resident.resident_technician = employees['liu']
    resident.description = "Liu Yang on site at the clinic."
    resident.save()
    resident.click('activate')
    # Wang calls when needed and pays each visit by when it is made
    per_visit = Contract(party=parties['wang'], kind='per_visit')
    per_visit.start_date = today.replace(month=1, day=1)
    per_visit.end_date = today.replace(month=12, day=31)
    for name, weekdays, holidays, start, end, price in [
            ("Working hours", ['0', '1', '2', '3', '4'], False, 8, 18, 180),
            ("Evenings and weekends", ['0', '1', '2', '3', '4', '5', '6'],
                True, 18, 8, 320),
            ("Weekend days", ['5', '6'], True, 8, 18, 260),
            ]:
        band = per_visit.time_bands.new(name=name)
        band.weekdays = weekdays
        band.holidays = holidays
        band.start = dt.time(start)
        band.end = dt.time(end)
        band.price = Decimal(price)
    per_visit.save()
    per_visit.click('activate')


def _management_reports():
    """The service manager receives the reports to the management: last
    week's summary and last month's failure report were sent to him"""
    from unittest.mock import patch

    from proteus import Model
    from trytond.ir import email_ as email_module
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    User = Model.get('res.user')
    manager, = User.find([('login', '=', 'manager')])
    manager.email = 'zhou.qiang@example.com'
    manager.save()
    Recipient = Model.get('service.management.report.recipient')
    Recipient(user=manager).save()
    configuration = Model.get('service.configuration')(1)
    # As ODT: the demo is built without LibreOffice
    configuration.management_report_format = 'odt'
    configuration.save()
    context = pconfig_context()
    # Sent as the scheduled task sends them, to no mail server
    with patch.object(email_module, 'send_message_transactional'), \
            Transaction().start(DATABASE, 0, context=context):
        Report = Pool().get('service.management.report')
        Report.send_company_reports(context['company'])


def _renewals():
    """The warranties and contracts that end soon, listed for the desk as
    the scheduled task lists them"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    with Transaction().start(DATABASE, 0, context=pconfig_context()):
        Pool().get('service.renewal').list_due()


def _requests(parties, equipment, products, technicians):
    from proteus import Model
    Request = Model.get('service.request')
    RequestType = Model.get('service.request.type')
    types = {t.code: t for t in RequestType.find([])}
    now = dt.datetime.now().replace(minute=0, second=0, microsecond=0)
    slots = appointments()
    # party, equipment, type, channel, priority, hours ago, quantity,
    # description, the buttons to click, the work orders as
    # (technician, state to reach, parts, labour hours)
    for (party, item, kind, channel, priority, hours, quantity,
            description, clicks, dispatches) in [
            ('li', 'li_fridge', 'repair', 'phone', 'normal', 2, 1,
                "Freezer compartment not cold.", ['open', 'start'],
                [('liu', 'in_progress', [('P-GASKET', 1)], 0)]),
            ('li', 'li_fridge', 'repair', 'phone', 'low', 1, 1,
                "Ice builds up on the back wall.", [], []),
            ('wang', None, 'consultation', 'web', 'low', 40, 1,
                "Asks how to clean the filters.", [], []),
            ('zhang', 'zhang_ac', 'repair', 'phone', 'high', 5, 1,
                "Indoor unit drips water onto the floor.", ['open'],
                [('liu', 'assigned', [('P-FAN', 1)], 0),
                    ('chen', 'draft', [], 0)]),
            ('hotel', 'hotel_ac1', 'maintenance', 'email', 'normal', 30, 1,
                "Quarterly maintenance, rooms 1201-1210.",
                ['open', 'start'],
                [('liu', 'in_progress', [('P-GASKET', 2)], 3)]),
            ('clinic', 'clinic_fridge', 'repair', 'phone', 'urgent', 3, 1,
                "Vaccine refrigerator alarm: temperature rising.",
                ['open', 'start', 'wait'],
                [('chen', 'confirmed', [], 0),
                    ('zhao', 'cancelled', [], 0)]),
            ('zhang', 'zhang_heater', 'repair', 'walk_in', 'normal', 72, 1,
                "Heater does not ignite.",
                ['open', 'start', 'resolve'],
                [('zhao', 'done', [('P-IGN', 1)], 1.5)]),
            ('school', 'school_heater', 'installation', 'field', 'normal',
                200, 12, "Install 12 heaters in the dormitory.",
                ['open', 'start', 'resolve', 'close'],
                [('zhao', 'done', [], 6)]),
            ('wang', 'wang_ac', 'repair', 'phone', 'low', 100, 1,
                "Noise at night.", ['cancel'], []),
            # The clinic's vaccine refrigerator inspected this month: Liu
            # records the checklist's findings
            ('clinic', 'clinic_fridge', 'inspection', 'field', 'normal', 6,
                1, "Monthly inspection of the vaccine refrigerator.",
                ['open', 'start'], [('liu', 'in_progress', [], 0)]),
            # Out of warranty: the quotation waits for the customer
            ('zhang', 'zhang_heater', 'repair', 'phone', 'normal', 4, 1,
                "Heater shuts off after a few minutes.", ['open'],
                [('zhao', 'assigned', [('P-IGN', 1)], 1, 'sent')]),
            ]:
        request = Request(party=parties[party], type=types[kind])
        if item:
            request.equipment = equipment[item]
        request.channel = channel
        request.priority = priority
        request.quantity = quantity
        request.reported_date = now - dt.timedelta(hours=hours)
        request.description = description
        request.save()
        for button in clicks:
            if button == 'open':
                request.click('open')
                for dispatch in dispatches:
                    _dispatch(request, next(slots), products, technicians,
                        *dispatch)
                request.reload()
                continue
            if button == 'start' and request.state != 'open':
                continue
            if button == 'wait':
                request.wait_reason = "Spare compressor on order"
            if button == 'resolve':
                request.resolution = "Repaired and tested with the customer."
            request.click(button)
    _invoice()


def _complaints(parties):
    """A complaint entered in the register a week ago and not answered
    since: overdue in the desk's complaint register"""
    from proteus import Model
    Request = Model.get('service.request')
    RequestType = Model.get('service.request.type')
    Category = Model.get('service.complaint.category')
    complaint, = RequestType.find([('code', '=', 'complaint')])
    attitude, = Category.find([('code', '=', 'attitude')])
    now = dt.datetime.now().replace(minute=0, second=0, microsecond=0)
    request = Request(party=parties['wang'], type=complaint)
    request.channel = 'phone'
    request.priority = 'high'
    request.reported_date = now - dt.timedelta(days=7)
    request.complaint_category = attitude
    request.description = (
        "The technician left the old unit's packaging in the stairwell "
        "and would not take it away.")
    request.save()
    request.click('open')


def appointments():
    """Yield the appointments of the coming working days, in UTC: 09:00 and
    14:00 Shanghai time, Monday to Friday, holidays aside"""
    import zoneinfo
    tzinfo = zoneinfo.ZoneInfo('Asia/Shanghai')
    day = dt.datetime.now(tzinfo).date()
    while True:
        day += dt.timedelta(days=1)
        if day.weekday() >= 5 or day in HOLIDAYS:
            continue
        for hour in [9, 14]:
            start = dt.datetime.combine(day, dt.time(hour), tzinfo)
            yield start.astimezone(dt.timezone.utc).replace(tzinfo=None)


STEPS = ['assigned', 'confirmed', 'in_progress', 'done']
BUTTONS = {
    'assigned': 'assign', 'confirmed': 'confirm', 'in_progress': 'start',
    'done': 'done'}


def _dispatch(request, start, products, technicians, technician, state,
        parts, hours, quotation='accepted', cause="Worn part"):
    "Create a work order and take it to state"
    from proteus import Model
    Dispatch = Model.get('service.dispatch')
    dispatch = Dispatch(request=request)
    dispatch.technician = technicians[technician]
    dispatch.planned_start = start
    dispatch.planned_end = start + dt.timedelta(hours=3)
    for code, quantity in parts:
        part = dispatch.parts.new()
        part.product = products[code]
        part.quantity = quantity
    if hours:
        labour = dispatch.labour.new()
        labour.product = products['S-LABOUR']
        labour.hours = Decimal(str(hours))
    if dispatch.chargeable:
        dispatch.travel_product = products['S-TRAVEL']
    dispatch.save()
    if state == 'cancelled':
        dispatch.click('cancel')
        return dispatch
    if dispatch.chargeable and state != 'draft':
        dispatch.click('send_quotation')
        if quotation == 'accepted':
            dispatch.click('accept_quotation')
    for step in STEPS[:STEPS.index(state) + 1] if state in STEPS else []:
        if step == 'in_progress' and dispatch.parts:
            dispatch.click('issue_parts')
        if step == 'done':
            log = dispatch.repair_logs.new(result='fixed')
            log.symptom = request.description
            log.cause = cause
            log.action = "Replaced the part and tested"
            dispatch.signed_by = request.party.name
            dispatch.signature = SIGNATURE
            dispatch.save()
        dispatch.click(BUTTONS[step])
    return dispatch


# The last months' repairs, so that the KPIs and the surveys have a history:
# (party, equipment, days ago, technician, hours to accept, hours to
# resolve, cause, overall score at the follow-up call)
HISTORY = [
    ('zhang', 'zhang_ac', 150, 'liu', 1, 20, "Drain pipe blocked", 5),
    ('li', 'li_fridge', 140, 'chen', 3, 50, "Thermostat worn", 4),
    ('wang', 'wang_ac', 125, 'zhao', 2, 30, "Fan bearing worn", 5),
    ('hotel', 'hotel_ac1', 110, 'liu', 1, 12, "Refrigerant leak", 4),
    ('hotel', 'hotel_ac2', 95, 'chen', 6, 80, "Refrigerant leak", 3),
    ('clinic', 'clinic_fridge', 85, 'zhao', 1, 6, "Thermostat worn", 5),
    ('school', 'school_heater', 70, 'liu', 2, 26, "Ignition electrode worn",
        4),
    ('clinic', 'clinic_fridge', 60, 'chen', 1, 10, "Thermostat worn", 2),
    ('zhang', 'zhang_heater', 45, 'zhao', 4, 40, "Ignition electrode worn",
        5),
    ('hotel', 'hotel_ac1', 35, 'liu', 1, 9, "Drain pipe blocked", 4),
    ('li', 'li_fridge', 25, 'zhao', 2, 28, "Door gasket torn", 5),
    ('wang', 'wang_ac', 15, 'chen', 3, 22, "Fan bearing worn", 1),
    ]


def _history(parties, equipment, products, technicians):
    """Repairs of the last months, run through the same buttons, then
    dated as they happened (as when a department imports its history)"""
    from proteus import Model
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Request = Model.get('service.request')
    RequestType = Model.get('service.request.type')
    repair, = RequestType.find([('code', '=', 'repair')])
    now = dt.datetime.now().replace(minute=0, second=0, microsecond=0)
    dates, scores = [], {}
    for (party, item, days, technician, accept, resolve, cause,
            score) in HISTORY:
        reported = now - dt.timedelta(days=days, hours=5)
        request = Request(party=parties[party], type=repair)
        request.equipment = equipment[item]
        request.channel = 'phone'
        request.reported_date = reported
        request.description = "Customer reports: %s." % cause.lower()
        request.save()
        request.click('open')
        # Planned now, so that the booking never clashes with the present
        start = now - dt.timedelta(days=400 - days)
        dispatch = _dispatch(request, start, products, technicians,
            technician, 'done', [], 1, cause=cause)
        request.reload()
        request.resolution = "%s: repaired and tested." % cause
        request.click('resolve')
        request.click('close')
        scores[request.id] = score
        dates.append((request.id, dispatch.id, reported,
                reported + dt.timedelta(hours=accept),
                reported + dt.timedelta(hours=resolve)))
    context = pconfig_context()
    with Transaction().start(DATABASE, 0, context=context):
        pool = Pool()
        PRequest = pool.get('service.request')
        Dispatch = pool.get('service.dispatch')
        Log = pool.get('service.repair.log')
        for request_id, dispatch_id, reported, accepted, resolved in dates:
            arrival = accepted + dt.timedelta(hours=2)
            departure = min(arrival + dt.timedelta(hours=2), resolved)
            PRequest.write([PRequest(request_id)], {
                    'accepted_date': accepted,
                    'resolved_date': resolved,
                    'closed_date': resolved + dt.timedelta(days=1),
                    })
            dispatch = Dispatch(dispatch_id)
            Dispatch.write([dispatch], {
                    'planned_start': arrival,
                    'planned_end': departure,
                    'arrival_date': arrival,
                    'departure_date': departure,
                    'signed_date': departure,
                    'report_due_date': (departure + dt.timedelta(days=2)
                        ).date(),
                    'report_received_date': (departure
                        + dt.timedelta(days=1)).date(),
                    })
            Log.write(list(dispatch.repair_logs), {'date': departure})
        PRequest.update_deadlines(
            PRequest.browse([d[0] for d in dates]))
    return scores


def pconfig_context():
    "The context of the proteus connection: the user's company"
    from proteus import config as pconfig
    return pconfig.get_config().context


def _surveys(scores):
    """The follow-up calls of the history: the scheduled task creates them,
    the desk records the answers on the day they were due; a low score
    opens a complaint"""
    from proteus import Model
    Cron = Model.get('ir.cron')
    Survey = Model.get('service.survey')
    Reason = Model.get('service.survey.reason')
    Party = Model.get('party.party')
    reasons = {r.code: r for r in Reason.find([])}
    cron, = Cron.find([
            ('method', '=', 'service.survey|create_follow_ups'),
            ])
    cron.click('run_once')
    for survey in Survey.find([
                ('kind', '=', 'follow_up'),
                ('state', '=', 'pending'),
                ('request', 'in', list(scores)),
                ]):
        overall = scores[survey.request.id]
        survey.date = survey.due_date
        survey.attitude = max(overall, 3)
        survey.timeliness = overall
        survey.quality = overall
        survey.overall = overall
        if overall <= 2:
            survey.comment = "The same fault came back within weeks."
        if overall <= 3:
            survey.reason = reasons['not_fixed' if overall <= 2 else 'waiting']
        survey.click('answer')
    # The hotel's revisit call, due four days ago and not made yet: overdue
    # in the desk's list
    hotel, = Party.find([('name', '=', "Jinjiang Garden Hotel")])
    Survey(party=hotel, kind='periodic',
        due_date=dt.date.today() - dt.timedelta(days=4)).save()


def _invoice():
    """The accountant bills the done, chargeable work orders (the months of
    the resident agreements are left for the accountant's Invoice
    Agreement Fees, or the scheduled task)"""
    from proteus import Wizard
    Wizard('service.dispatch.create_invoices').execute('create_')


# A 1x1 PNG: the customer's signature as the demo's tablets would send it
SIGNATURE = bytes.fromhex(
    '89504e470d0a1a0a0000000d4948445200000001000000010806000000'
    '1f15c4890000000d49444154789c6360000002000001e221bc3300000000'
    '49454e44ae426082')


def serve(config_file):
    server = pathlib.Path(sys.executable).with_name('trytond')
    os.execv(str(server), [
            str(server), '-c', str(config_file), '-d', DATABASE])


def main():
    global DATABASE
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--port', type=int, default=8000)
    parser.add_argument(
        '--var', type=pathlib.Path, default=ROOT / 'var' / 'demo',
        help="where the database and the configuration go")
    parser.add_argument(
        '--web-root', type=pathlib.Path,
        help="the web client (tryton-sao) to serve, as `make web` installs "
        "it")
    parser.add_argument(
        '--no-serve', dest='serve', action='store_false',
        help="prepare the database and stop")
    parser.add_argument(
        '--database-uri', default='sqlite://',
        help="where the database lives: sqlite:// (in --var, the default) "
        "or postgresql://USER@HOST:PORT/")
    parser.add_argument(
        '--no-update', dest='update', action='store_false',
        help="use an existing database as it is, without updating its "
        "modules (the tests copy one whose modules are current)")
    parser.add_argument(
        '--database', default=DATABASE,
        help=f"the database's name ({DATABASE})")
    args = parser.parse_args()
    DATABASE = args.database
    var = args.var.resolve()
    var.mkdir(parents=True, exist_ok=True)
    web_root = None
    if args.web_root:
        web_root = args.web_root.resolve()
        if not (web_root / 'index.html').is_file():
            parser.error(f"no web client in {web_root}: run `make web`")
    config_file = write_config(var, args.port, web_root, args.database_uri)
    create_database(var, config_file, args.database_uri, args.update)
    try:
        populate(config_file)
    except BaseException:
        # Never leave half the demo data: the next run starts afresh
        drop_database(var, args.database_uri)
        raise
    print(
        f"\nService demo database '{DATABASE}' ready.\n"
        + (f"Web client: http://localhost:{args.port}/ (database "
            f"{DATABASE})\n" if web_root else
            f"Server: http://localhost:{args.port}/ (database {DATABASE}; "
            "JSON-RPC only, `make demo` serves the web client too)\n")
        + "Log in as:\n" + ''.join(
            f"  {login:10} password {password:16} {name}\n"
            for login, name, password, _ in USERS), flush=True)
    if args.serve:
        serve(config_file)


if __name__ == '__main__':
    main()
