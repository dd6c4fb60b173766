# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The concurrency tests' data: the concurrency layer of tests/layers.py.

On the company layer (the modules, a company with a chart of accounts): a
fiscal year with its invoice sequences, two users per role, two
technicians, the SLA, a customer whose air conditioner is in warranty and
one whose is not, spare parts, the labour hour and the travel."""
import datetime as dt
from decimal import Decimal


def populate():
    "Load the data in the test database"
    from proteus import config as pconfig

    from trytond.modules.account.tests.tools import create_fiscalyear
    from trytond.modules.account_invoice.tests.tools import (
        set_fiscalyear_invoice_sequences)
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME
    from trytond.transaction import Transaction, TransactionError

    config = pconfig.set_trytond()
    set_fiscalyear_invoice_sequences(create_fiscalyear(config=config))
    # Restarted to take the locks the code asks for, as with_transaction
    extras = {}
    while True:
        with Transaction().start(DB_NAME, 1, **extras) as transaction:
            Company = Pool().get('company.company')
            company, = Company.search([])
            try:
                with transaction.set_context(company=company.id):
                    _load()
            except TransactionError as exception:
                transaction.rollback()
                exception.fix(extras)
                continue
            transaction.commit()
            return


def _load():
    """Two users per role, two technicians, the SLA, a customer whose air
    conditioner is in warranty and one whose is not, spare parts, the labour
    hour and the travel"""
    from trytond.pool import Pool

    pool = Pool()
    Company = pool.get('company.company')
    User = pool.get('res.user')
    Group = pool.get('res.group')
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    Uom = pool.get('product.uom')
    Category = pool.get('product.category')
    Template = pool.get('product.template')
    Equipment = pool.get('service.equipment')
    Account = pool.get('account.account')
    Configuration = pool.get('service.configuration')
    SLA = pool.get('service.sla')

    company, = Company.search([])
    groups = {g.name: g for g in Group.search([])}
    User.save([User(login=login, name=login, groups=[groups[group]],
                companies=[company], company=company)
            for login, group in [
                ('dispatcher1', "Service Dispatcher"),
                ('dispatcher2', "Service Dispatcher"),
                ('warehouse1', "Stock"),
                ('warehouse2', "Stock"),
                ('accountant1', "Accounting"),
                ('accountant2', "Accounting"),
                ('desk', "Service Desk"),
                ]])

    technicians = [Employee(party=Party(name=name), company=company,
            service_technician=True) for name in ["Liu Yang", "Chen Jie"]]
    Party.save([t.party for t in technicians])
    Employee.save(technicians)

    sla = SLA(name="Round the clock", lines=[{
                'priority': 'normal',
                'response_hours': Decimal(4),
                'resolution_hours': Decimal(24),
                }])
    sla.save()
    configuration = Configuration(1)
    configuration.default_sla = sla
    configuration.save()

    revenue, expense = [Account.search([
                (f'type.{kind}', '=', True),
                ('closed', '!=', True),
                ], limit=1)[0] for kind in ['revenue', 'expense']]
    category = Category(name="Service", accounting=True,
        account_revenue=revenue, account_expense=expense)
    category.save()
    unit, = Uom.search([('name', '=', "Unit")])
    hour, = Uom.search([('name', '=', "Hour")])
    templates = [Template(name=name, type=type_, default_uom=uom,
            list_price=Decimal(price), account_category=category,
            service_warranty_months=warranty, products=[{}])
        for name, type_, uom, price, warranty in [
            ("Air Conditioner", 'goods', unit, 3000, 12),
            ("Compressor", 'goods', unit, 800, None),
            ("Fan Motor", 'goods', unit, 120, None),
            ("Repair Labour", 'service', hour, 150, None),
            ("Travel", 'service', unit, 50, None),
            ]]
    Template.save(templates)

    today = dt.date.today()
    customers = [Party(name=name, addresses=[{'city': "Shanghai"}],
            contact_mechanisms=[{'type': 'phone', 'value': '021-' + name}])
        for name in ["Li Na", "Zhang Wei"]]
    Party.save(customers)
    Equipment.save([Equipment(party=customer,
                product=templates[0].products[0],
                serial_number='SN-' + customer.name, sale_date=sale_date)
            for customer, sale_date in zip(customers, [
                    today, today - dt.timedelta(days=800)])])
