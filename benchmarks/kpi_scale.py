#!/usr/bin/env python3
# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""How reading the technicians' KPIs scales with the number of requests.

On the PostgreSQL server named by TRYTOND_DATABASE_URI, the script creates
the database `bench_kpi` with service_kpi activated, makes the company, its
200 technicians, the products and the admin's preferences through the ORM,
then bulk-loads with set-based SQL N requests (default 1,000,000) spread
over 2023-2025 with what they lead to: customers and equipment, work orders
(about 1.2 a request), their repair logs, labour, parts and the stock moves
that issue and return them, waiting periods and follow-up surveys (on about
30% of the resolved requests).  It loads in steps (a tenth, three tenths,
all of N) and, after each, times (a) and (b) (median of 3) so that
their growth shows.

For the year 2024 it then times, each the median of 5 runs:
(a) `service.kpi.technician` read through the ORM: `search_read` as the
    admin, with the context of the KPI window (company, from_date, to_date,
    period);
(b) the same figures from one hand-written SQL query, the floor;
(c) the same figures computed the naive way, looping in Python over the
    records read through the ORM, on a sample of 10,000 of the year's
    requests (their work orders, labour, parts, pauses and surveys); its
    time is scaled by the year's requests over the sample (when the sample
    is the whole year its figures are checked against (a)).
(f) the floor: one scan of the year's work orders joined to their
    requests, grouped by technician (count, mean response and resolution
    hours, deadlines met);
and (a) and (f) again for a month (January).
It checks that (a) and (b) give the same figures.  The last three lines
are `kpi_vs_scan_ratio=<a/f>`, `kpi_vs_sql_ratio=<a/b>` and
`naive_vs_kpi_ratio=<c/a>`.

Loading a million requests takes several minutes: `--keep` keeps the
database at the end and `--reuse` times again a kept database loaded with
the same number of requests (its indexes brought up to date, as
`trytond-admin --indexes` does); the growth figures are then those timed
when it was loaded.  Without `--keep` or `--reuse` the database is dropped.
"""
import argparse
import datetime as dt
import math
import statistics
import sys
import time
from collections import defaultdict
from decimal import Decimal

from trytond import backend
from trytond.pool import Pool
from trytond.transaction import Transaction

DEFAULT_REQUESTS = 1_000_000
STEPS = (0.1, 0.3, 1.0)
TECHNICIANS = 200
DESK_EMPLOYEES = 10
FIRST_DAY = dt.date(2023, 1, 1)
DAYS = (dt.date(2026, 1, 1) - FIRST_DAY).days
YEAR = 2024
REPEATS = 5
GROWTH_REPEATS = 3
SAMPLE = 10_000
REQUESTS_PER_CUSTOMER = 50
REQUESTS_PER_EQUIPMENT = 5
PART_PRICES = [
    Decimal(p) for p in (
        '4.50', '7.90', '12.00', '15.50', '18.00', '22.40', '29.90',
        '35.00', '42.00', '48.50', '55.00', '64.90', '75.00', '89.00',
        '99.00', '120.00', '145.00', '180.00', '240.00', '310.00')]
LABOUR_PRICE = Decimal('60.00')
REPEAT_HOURS = 30 * 24
FLOAT_FIELDS = [
    'labour_hours', 'satisfaction', 'response_hours', 'resolution_hours',
    'sla_compliance', 'first_time_fix', 'repeat_repair']
NUMERIC_FIELDS = ['parts_revenue', 'allowance']
INTEGER_FIELDS = [
    'work_orders', 'valid_work_orders', 'late_work_orders', 'complaints',
    'requests', 'resolved_requests', 'repairs', 'repeat_repairs']
FIGURES = INTEGER_FIELDS + FLOAT_FIELDS + NUMERIC_FIELDS
TABLES = [
    'party_party', 'service_equipment', 'service_request',
    'service_request_pause', 'service_dispatch', 'service_repair_log',
    'service_dispatch_labour', 'service_dispatch_part', 'stock_move',
    'service_survey']


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--requests', type=int, default=DEFAULT_REQUESTS, metavar='N',
        help="requests to load (default %(default)s)")
    parser.add_argument(
        '--database', default='bench_kpi',
        help="database name, starting with bench_kpi (default %(default)s)")
    parser.add_argument(
        '--keep', action='store_true',
        help="keep the database at the end, for --reuse")
    parser.add_argument(
        '--reuse', action='store_true',
        help="reuse the database kept loaded with N requests")
    args = parser.parse_args()
    if not args.database.startswith('bench_kpi'):
        parser.error("the database name must start with bench_kpi")
    if args.requests < 100:
        parser.error("load at least 100 requests")
    return args


def main():
    args = parse_args()
    if backend.name != 'postgresql':
        sys.exit("Set TRYTOND_DATABASE_URI to a PostgreSQL server, "
            "e.g. postgresql://postgres@127.0.0.1:5432/")
    name = args.database
    Pool.start()
    loaded = args.reuse and loaded_requests(name)
    if loaded == args.requests:
        print(f"Reusing {name}: {loaded:,} requests, indexes updated")
        Pool(name).init(indexes=True)
        growth = read_growth(name)
        setup = read_setup(name)
    else:
        if args.reuse:
            print(f"No {name} loaded with {args.requests:,} requests: "
                "loading it")
        setup, growth = create_and_load(name, args.requests)
    try:
        report(name, setup, growth)
    finally:
        if not (args.keep or args.reuse):
            drop_database(name)


# Database and set-up through the ORM


def database_exists(name):
    with Transaction().start(
            None, 0, close=True, autocommit=True) as transaction:
        return name in transaction.database.list()


def drop_database(name):
    backend.Database(name).close()
    with Transaction().start(
            None, 0, close=True, autocommit=True) as transaction:
        if name in transaction.database.list():
            transaction.database.drop(transaction.connection, name)
    Pool.stop(name)


def loaded_requests(name):
    "Return the requests of a complete load of the database, else None"
    if not database_exists(name):
        return None
    database = backend.Database(name)
    connection = database.get_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_kpi_info')")
            if cursor.fetchone()[0] is None:
                return None
            cursor.execute(
                "SELECT value FROM bench_kpi_info WHERE key = 'loaded'")
            row = cursor.fetchone()
            return int(row[0]) if row else None
    finally:
        database.put_connection(connection)


def create_and_load(name, requests):
    if database_exists(name):
        drop_database(name)
    begin = time.perf_counter()
    with Transaction().start(
            None, 0, close=True, autocommit=True) as transaction:
        transaction.database.create(transaction.connection, name)
    database = backend.Database(name)
    database.connect()
    database.init()
    Pool(name).init(update=['service_kpi'], lang=['en'], activatedeps=True)
    setup = set_up(name)
    print(f"Created {name} with service_kpi activated "
        f"in {time.perf_counter() - begin:.0f} s")
    sys.stdout.flush()

    growth = []
    done = 0
    for share in STEPS:
        target = max(int(requests * share), 1)
        if target <= done:
            continue
        begin = time.perf_counter()
        load(name, setup, target - done, seed=len(growth) + 1)
        vacuum(name)
        done = target
        loading = time.perf_counter() - begin
        year = year_requests(name, setup)
        orm = median_time(lambda: run_orm(name, setup), GROWTH_REPEATS)
        sql = median_time(lambda: run_sql(name, setup), GROWTH_REPEATS)
        growth.append((done, year, loading, orm, sql))
        print(f"  loaded {done:>10,} requests in {loading:6.0f} s: "
            f"(a) {orm:.3f} s, (b) {sql:.3f} s")
        sys.stdout.flush()
    save_info(name, setup, growth)
    return setup, growth


def set_up(name):
    "Create through the ORM what the loaded rows refer to"
    with Transaction().start(name, 0) as transaction:
        pool = Pool()
        Company = pool.get('company.company')
        Currency = pool.get('currency.currency')
        Employee = pool.get('company.employee')
        ModelData = pool.get('ir.model.data')
        Party = pool.get('party.party')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        User = pool.get('res.user')

        currency = Currency(
            name="Euro", code='EUR', symbol="€", digits=2,
            rounding=Decimal('0.01'))
        currency.save()
        company = Company(party=Party(name="Bench Service"), currency=currency)
        company.party.save()
        company.save()
        admin, = User.search([('login', '=', 'admin')])
        User.write([admin], {
                'companies': [('add', [company.id])],
                'company': company.id,
                })

        with transaction.set_context(company=company.id):
            parties = Party.create(
                [{'name': f"Technician {i + 1}"} for i in range(TECHNICIANS)]
                + [{'name': f"Desk {i + 1}"} for i in range(DESK_EMPLOYEES)])
            employees = Employee.create([{
                        'party': p.id,
                        'company': company.id,
                        'service_technician': i < TECHNICIANS,
                        } for i, p in enumerate(parties)])

            unit = Uom(ModelData.get_id('product', 'uom_unit'))
            hour = Uom(ModelData.get_id('product', 'uom_hour'))

            def products(names, type_, uom, prices):
                templates = Template.create([{
                            'name': name,
                            'type': type_,
                            'default_uom': uom.id,
                            'list_price': price,
                            'products': [('create', [{}])],
                            } for name, price in zip(names, prices)])
                return [t.products[0].id for t in templates]
            equipment_products = products(
                [f"Boiler {m}" for m in 'ABCDE'], 'goods', unit,
                [Decimal(1500)] * 5)
            part_products = products(
                [f"Part {i + 1}" for i in range(len(PART_PRICES))],
                'goods', unit, PART_PRICES)
            labour_product, = products(
                ["Labour"], 'service', hour, [LABOUR_PRICE])

        setup = {
            'company': company.id,
            'currency': currency.id,
            'technicians': [e.id for e in employees[:TECHNICIANS]],
            'unit': unit.id,
            'equipment_products': equipment_products,
            'part_products': part_products,
            'part_prices': PART_PRICES,
            'labour_product': labour_product,
            'storage': ModelData.get_id('stock', 'location_storage'),
            'customer': ModelData.get_id('stock', 'location_customer'),
            }
        cursor = transaction.connection.cursor()
        cursor.execute("SELECT code, id FROM service_request_type")
        setup['types'] = dict(cursor)
        cursor.execute(
            "CREATE TABLE bench_kpi_info (key VARCHAR PRIMARY KEY, "
            "value VARCHAR)")
        transaction.commit()
    return setup


def save_info(name, setup, growth):
    with Transaction().start(name, 0) as transaction:
        cursor = transaction.connection.cursor()
        cursor.execute("DELETE FROM bench_kpi_info")
        rows = [('setup', repr(setup)), ('growth', repr(growth)),
            ('loaded', str(growth[-1][0]))]
        cursor.executemany(
            "INSERT INTO bench_kpi_info (key, value) VALUES (%s, %s)", rows)
        transaction.commit()


def read_info(name, key):
    with Transaction().start(name, 0, readonly=True) as transaction:
        cursor = transaction.connection.cursor()
        cursor.execute(
            "SELECT value FROM bench_kpi_info WHERE key = %s", (key,))
        value, = cursor.fetchone()
    return eval(value, {'Decimal': Decimal})


def read_setup(name):
    return read_info(name, 'setup')


def read_growth(name):
    return read_info(name, 'growth')


# Bulk load with set-based SQL

LOAD_SQL = [
    # Customers and their equipment
    """CREATE TEMPORARY TABLE bench_customer ON COMMIT DROP AS
    SELECT nextval('party_party_id_seq') AS id, g - 1 AS k
    FROM generate_series(1, %(customers)s) AS g""",
    """INSERT INTO party_party (id, code, name, active, create_uid,
        create_date)
    SELECT id, 'BENCH-' || id, 'Customer ' || id, TRUE, 0, now()
    FROM bench_customer""",
    """CREATE TEMPORARY TABLE bench_equipment ON COMMIT DROP AS
    SELECT nextval('service_equipment_id_seq') AS id, g - 1 AS k
    FROM generate_series(1, %(equipment)s) AS g""",
    """INSERT INTO service_equipment (id, company, party, product,
        serial_number, sale_date, active, create_uid, create_date)
    SELECT e.id, %(company)s, c.id,
        (%(equipment_products)s::INTEGER[])[1 + e.k %% 5],
        'SN-' || e.id, DATE '2021-01-01' + (e.k %% 700), TRUE, 0, now()
    FROM bench_equipment AS e
    JOIN bench_customer AS c ON c.k = e.k %% %(customers)s""",
    # Requests: reported uniformly over the three years in the daytime,
    # accepted after about 4 hours, resolved about 30 hours later
    """CREATE TEMPORARY TABLE bench_request ON COMMIT DROP AS
    SELECT nextval('service_request_id_seq') AS id,
        %(first_day)s::TIMESTAMP
            + floor(random() * %(days)s) * INTERVAL '1 day'
            + (7 + random() * 12) * INTERVAL '1 hour' AS reported,
        random() AS u_state, random() AS u_type, random() AS u_equipment,
        floor(random() * %(equipment)s)::INTEGER AS equipment_k,
        -ln(1 - random()) * 4 AS response,
        0.5 - ln(1 - random()) * 30 AS resolve,
        random() AS u_deadline, random() AS u_reopen
    FROM generate_series(1, %(requests)s)""",
    """INSERT INTO service_request (id, company, party, type, equipment,
        product, number, channel, priority, quantity, description,
        reported_date, accepted_date, response_deadline, resolution_deadline,
        resolved_date, closed_date, resolution, reopen_count, state,
        create_uid, create_date)
    SELECT r.id, %(company)s, e.party, r.type,
        CASE WHEN r.u_equipment >= 0.08 THEN e.id END,
        e.product, 'SR' || r.id, 'phone', 'normal', 1, 'Boiler fault',
        r.reported,
        CASE WHEN r.state NOT IN ('draft', 'cancelled')
            THEN r.reported + r.response * INTERVAL '1 hour' END,
        CASE WHEN r.state NOT IN ('draft', 'cancelled')
            THEN r.reported + INTERVAL '8 hours' END,
        CASE WHEN r.state NOT IN ('draft', 'cancelled')
                AND r.u_deadline < 0.9
            THEN r.reported + INTERVAL '48 hours' END,
        CASE WHEN r.state IN ('resolved', 'closed')
            THEN r.reported + (r.response + r.resolve) * INTERVAL '1 hour'
            END,
        CASE WHEN r.state = 'closed'
            THEN r.reported + (r.response + r.resolve) * INTERVAL '1 hour'
                + INTERVAL '2 days' END,
        CASE WHEN r.state IN ('resolved', 'closed') THEN 'Repaired' END,
        CASE WHEN r.u_reopen < 0.05 THEN 1
            WHEN r.u_reopen < 0.06 THEN 2
            WHEN r.u_reopen < 0.16 THEN NULL
            ELSE 0 END,
        r.state, 0, r.reported
    FROM (SELECT *,
            CASE WHEN u_state < 0.01 THEN 'draft'
                WHEN u_state < 0.04 THEN 'cancelled'
                WHEN u_state < 0.06 THEN 'open'
                WHEN u_state < 0.07 THEN 'waiting'
                WHEN u_state < 0.09 THEN 'in_progress'
                WHEN u_state < 0.24 THEN 'resolved'
                ELSE 'closed' END AS state,
            (%(types)s::INTEGER[])[CASE WHEN u_type < 0.70 THEN 1
                WHEN u_type < 0.80 THEN 2
                WHEN u_type < 0.87 THEN 3
                WHEN u_type < 0.93 THEN 4
                WHEN u_type < 0.97 THEN 5
                ELSE 6 END] AS type
        FROM bench_request) AS r
    JOIN (SELECT e.id, e.party, e.product, b.k
        FROM bench_equipment AS b
        JOIN service_equipment AS e ON e.id = b.id) AS e
        ON e.k = r.equipment_k""",
    # Waiting periods: within the working time of 15% of the resolved
    # requests (3% wait twice), still open for the waiting requests
    """INSERT INTO service_request_pause (id, request, start, "end",
        reason, create_uid, create_date)
    SELECT nextval('service_request_pause_id_seq'), r.id,
        r.accepted_date + w.hours * ((j - 1 + 0.1 * random()) / w.count)
            * INTERVAL '1 hour',
        r.accepted_date + w.hours * ((j - 1 + 0.2 + 0.3 * random())
            / w.count) * INTERVAL '1 hour',
        'Customer absent', 0, r.accepted_date
    FROM (SELECT id, accepted_date, resolved_date, random() AS u
        FROM service_request
        WHERE id IN (SELECT id FROM bench_request)
            AND state IN ('resolved', 'closed')) AS r
    CROSS JOIN LATERAL (SELECT
            extract(EPOCH FROM r.resolved_date - r.accepted_date) / 3600
            AS hours,
            CASE WHEN r.u < 0.03 THEN 2 ELSE 1 END AS count) AS w
    CROSS JOIN LATERAL generate_series(1, w.count) AS j
    WHERE r.u < 0.15""",
    """INSERT INTO service_request_pause (id, request, start, reason,
        create_uid, create_date)
    SELECT nextval('service_request_pause_id_seq'), id,
        accepted_date + INTERVAL '1 hour', 'Parts on order', 0,
        accepted_date
    FROM service_request
    WHERE id IN (SELECT id FROM bench_request) AND state = 'waiting'""",
    # Work orders: 17% of the requests need a second visit, 3% a third;
    # the technicians are not equally busy; the last visit of an unresolved
    # request is still planned or in progress
    """CREATE TEMPORARY TABLE bench_dispatch ON COMMIT DROP AS
    SELECT nextval('service_dispatch_id_seq') AS id, r.id AS request,
        r.party, r.equipment, r.state AS request_state, r.accepted_date,
        j, r.visits,
        CASE WHEN r.state IN ('resolved', 'closed')
            THEN extract(EPOCH FROM r.resolved_date - r.accepted_date) / 3600
            ELSE 48 END AS hours,
        (%(technicians)s::INTEGER[])[1 + CASE
            WHEN j = 1 OR r.u_same < 0.6 THEN r.main ELSE r.other END]
            AS technician,
        random() AS u_state, random() AS u_departure,
        random() AS u_signature, random() AS u_report,
        random() AS planned, random() AS arrival, random() AS visit,
        floor(random() * 6)::INTEGER AS report_days
    FROM (SELECT id, party, equipment, state, accepted_date, resolved_date,
            1 + (random() < 0.17)::INTEGER + (random() < 0.03)::INTEGER
            AS visits,
            floor(%(n_technicians)s * power(random(), 1.3))::INTEGER
            AS main,
            floor(%(n_technicians)s * random())::INTEGER AS other,
            random() AS u_same
        FROM service_request
        WHERE id IN (SELECT id FROM bench_request)
            AND state NOT IN ('draft', 'cancelled')) AS r
    CROSS JOIN LATERAL generate_series(1, r.visits) AS j""",
    """INSERT INTO service_dispatch (id, company, request, party, equipment,
        technician, number, planned_start, planned_end, arrival_date,
        departure_date, signed_by, signature_id, signed_date,
        report_due_date, report_received_date, parts_location,
        quotation_state, state, create_uid, create_date)
    SELECT d.id, %(company)s, d.request, d.party, d.equipment, d.technician,
        'WO' || d.id, d.planned_start, d.planned_start + INTERVAL '2 hours',
        CASE WHEN d.state IN ('done', 'in_progress') THEN d.arrival_at END,
        CASE WHEN d.state = 'done' AND d.u_departure >= 0.05
            THEN d.departure END,
        CASE WHEN d.state = 'done' AND d.u_signature < 0.93
            THEN 'Customer' END,
        CASE WHEN d.state = 'done' AND d.u_signature < 0.90
            THEN 'signature-' || d.id END,
        CASE WHEN d.state = 'done' AND d.u_signature < 0.93
            THEN d.departure END,
        CASE WHEN d.state = 'done'
            THEN CAST(d.departure AS DATE) + 3 END,
        CASE WHEN d.state = 'done' AND d.u_report < 0.85
            THEN CAST(d.departure AS DATE) + 1 + d.report_days END,
        %(storage)s, 'none', d.state, 0, d.accepted_date
    FROM (SELECT *,
            CASE WHEN request_state IN ('resolved', 'closed')
                    OR j < visits THEN
                    CASE WHEN j < visits AND u_state < 0.1
                        THEN 'cancelled' ELSE 'done' END
                WHEN request_state = 'in_progress' THEN 'in_progress'
                WHEN u_state < 0.5 THEN 'assigned'
                ELSE 'confirmed' END AS state,
            accepted_date + hours * ((j - 1 + 0.3 * planned) / visits)
                * INTERVAL '1 hour' AS planned_start,
            accepted_date + (hours * ((j - 1 + 0.3 * planned) / visits)
                + 0.5 * arrival) * INTERVAL '1 hour' AS arrival_at,
            accepted_date + (hours * ((j - 1 + 0.3 * planned) / visits)
                + 0.5 * arrival + 0.5 + 2.5 * visit) * INTERVAL '1 hour'
                AS departure
        FROM bench_dispatch) AS d""",
    # What the technicians record on their done work orders
    """INSERT INTO service_repair_log (id, dispatch, date, equipment,
        symptom, cause, action, result, create_uid, create_date)
    SELECT nextval('service_repair_log_id_seq'), d.id,
        COALESCE(d.departure_date, d.planned_start), d.equipment,
        (ARRAY['No heat', 'Leak', 'Noise', 'Error code', 'No hot water'])
            [1 + floor(random() * 5)::INTEGER],
        (ARRAY['Thermostat worn', 'Seal worn', 'Pump seized',
                'Sensor faulty', 'Scale'])[1 + floor(random() * 5)::INTEGER],
        'Replaced', CASE WHEN random() < 0.9 THEN 'fixed' ELSE 'not_fixed' END,
        0, d.planned_start
    FROM service_dispatch AS d
    WHERE d.id IN (SELECT id FROM bench_dispatch) AND d.state = 'done'""",
    """INSERT INTO service_dispatch_labour (id, dispatch, employee, hours,
        product, unit_price, chargeable, create_uid, create_date)
    SELECT nextval('service_dispatch_labour_id_seq'), d.id,
        CASE WHEN j = 1 THEN d.technician
            ELSE (%(technicians)s::INTEGER[])[
                1 + floor(random() * %(n_technicians)s)::INTEGER] END,
        round(CAST(0.5 + random() * (3.5 - j * 1.5) AS NUMERIC), 2),
        %(labour_product)s, %(labour_price)s, d.chargeable, 0,
        d.planned_start
    FROM (SELECT id, technician, planned_start, random() < 0.4 AS chargeable,
            CASE WHEN random() < 0.12 THEN 2 ELSE 1 END AS lines
        FROM service_dispatch
        WHERE id IN (SELECT id FROM bench_dispatch) AND state = 'done') AS d
    CROSS JOIN LATERAL generate_series(1, d.lines) AS j""",
    # Parts on 35% of the done work orders, issued to the customer and
    # some returned
    """CREATE TEMPORARY TABLE bench_part ON COMMIT DROP AS
    SELECT nextval('service_dispatch_part_id_seq') AS id, d.id AS dispatch,
        CAST(COALESCE(d.departure_date, d.planned_start) AS DATE) AS date,
        d.planned_start,
        1 + floor(random() * %(n_parts)s)::INTEGER AS product_k,
        1 + floor(random() * 3) AS quantity,
        random() < 0.5 AS chargeable, random() AS u_move
    FROM (SELECT id, departure_date, planned_start, random() AS u
        FROM service_dispatch
        WHERE id IN (SELECT id FROM bench_dispatch) AND state = 'done') AS d
    CROSS JOIN LATERAL generate_series(1,
        CASE WHEN d.u < 0.035 THEN 2 ELSE 1 END) AS j
    WHERE d.u < 0.35""",
    """INSERT INTO service_dispatch_part (id, dispatch, product, quantity,
        unit, unit_price, chargeable, create_uid, create_date)
    SELECT id, dispatch, (%(part_products)s::INTEGER[])[product_k],
        quantity, %(unit)s, (%(part_prices)s::NUMERIC[])[product_k],
        chargeable, 0, planned_start
    FROM bench_part""",
    """INSERT INTO stock_move (id, company, product, unit, quantity,
        internal_quantity, from_location, to_location, planned_date,
        effective_date, unit_price, currency, origin, state, create_uid,
        create_date)
    SELECT nextval('stock_move_id_seq'), %(company)s,
        (%(part_products)s::INTEGER[])[p.product_k], %(unit)s, m.quantity,
        m.quantity, m.from_location, m.to_location, p.date, p.date,
        (%(part_prices)s::NUMERIC[])[p.product_k], %(currency)s,
        'service.dispatch.part,' || p.id,
        CASE WHEN m.issue AND p.u_move < 0.02 THEN 'draft' ELSE 'done' END,
        0, p.planned_start
    FROM bench_part AS p
    CROSS JOIN LATERAL (
        VALUES (TRUE, p.quantity, %(storage)s, %(customer)s),
            (FALSE, 1, %(customer)s, %(storage)s))
        AS m (issue, quantity, from_location, to_location)
    WHERE m.issue OR p.u_move >= 0.94""",
    # Follow-up surveys of 30% of the resolved requests, about the last
    # technician; low scores open complaints
    """INSERT INTO service_survey (id, company, party, request, dispatch,
        technician, kind, due_date, date, attitude, timeliness, quality,
        overall, complaint, state, create_uid, create_date)
    SELECT nextval('service_survey_id_seq'), %(company)s, s.party,
        s.request, s.dispatch, s.technician, 'follow_up', s.due_date,
        CASE WHEN s.state <> 'pending'
            THEN s.due_date - 6 + s.delay END,
        CASE WHEN s.state = 'done'
            THEN greatest(1, least(5, s.overall + s.shift)) END,
        CASE WHEN s.state = 'done' THEN s.overall END,
        CASE WHEN s.state = 'done'
            THEN greatest(1, least(5, s.overall - s.shift)) END,
        CASE WHEN s.state = 'done' THEN s.overall END,
        -- The complaint request opened: the KPI only counts that there is
        CASE WHEN s.state = 'done' AND s.overall <= 2
                AND s.u_complaint < 0.6
            THEN s.request END,
        s.state, 0, s.due_date
    FROM (SELECT r.id AS request, r.party, d.id AS dispatch, d.technician,
            CAST(r.resolved_date AS DATE) + 7 AS due_date,
            floor(random() * 10)::INTEGER AS delay,
            CASE WHEN u < 0.05 THEN 1 WHEN u < 0.13 THEN 2
                WHEN u < 0.25 THEN 3 WHEN u < 0.55 THEN 4
                ELSE 5 END AS overall,
            floor(random() * 3)::INTEGER - 1 AS shift,
            CASE WHEN u_state < 0.8 THEN 'done'
                WHEN u_state < 0.95 THEN 'no_answer'
                ELSE 'pending' END AS state,
            random() AS u_complaint
        FROM (SELECT *, random() AS u, random() AS u_state, random() AS u_take
            FROM service_request
            WHERE id IN (SELECT id FROM bench_request)
                AND state IN ('resolved', 'closed')) AS r
        JOIN LATERAL (SELECT id, technician FROM service_dispatch
            WHERE request = r.id AND state = 'done'
            ORDER BY id DESC LIMIT 1) AS d ON TRUE
        WHERE r.u_take < 0.3) AS s""",
    ]


def load(name, setup, requests, seed):
    "Load the requests and what they lead to, spread over the years"
    types = setup['types']
    params = {
        'company': setup['company'],
        'currency': setup['currency'],
        'requests': requests,
        'customers': max(requests // REQUESTS_PER_CUSTOMER, 1),
        'equipment': max(requests // REQUESTS_PER_EQUIPMENT, 1),
        'first_day': FIRST_DAY,
        'days': DAYS,
        'types': [types[c] for c in [
                'repair', 'maintenance', 'installation', 'inspection',
                'complaint', 'consultation']],
        'technicians': setup['technicians'],
        'n_technicians': len(setup['technicians']),
        'equipment_products': setup['equipment_products'],
        'part_products': setup['part_products'],
        'part_prices': setup['part_prices'],
        'n_parts': len(setup['part_products']),
        'unit': setup['unit'],
        'labour_product': setup['labour_product'],
        'labour_price': LABOUR_PRICE,
        'storage': setup['storage'],
        'customer': setup['customer'],
        }
    with Transaction().start(name, 0) as transaction:
        cursor = transaction.connection.cursor()
        cursor.execute("SELECT setseed(%s)", (1 / (seed + 1),))
        # The rows are consistent by construction: skip the triggers of
        # the foreign keys
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        for query in LOAD_SQL:
            cursor.execute(query, params)
        transaction.commit()


def vacuum(name):
    with Transaction().start(name, 0, autocommit=True) as transaction:
        cursor = transaction.connection.cursor()
        for table in TABLES:
            cursor.execute(f'VACUUM ANALYZE "{table}"')


def counts(name):
    with Transaction().start(name, 0, readonly=True) as transaction:
        cursor = transaction.connection.cursor()
        result = {}
        for table in TABLES:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            result[table], = cursor.fetchone()
    return result


def year_requests(name, setup):
    "Return the requests of the year the KPIs read"
    start, end = period()
    with Transaction().start(name, 0, readonly=True) as transaction:
        cursor = transaction.connection.cursor()
        cursor.execute(
            "SELECT count(*) FROM service_request "
            "WHERE company = %s AND reported_date >= %s "
            "AND reported_date < %s AND state <> 'cancelled'",
            (setup['company'], start, end))
        return cursor.fetchone()[0]


# The three ways of computing the figures


def period():
    return (dt.datetime(YEAR, 1, 1), dt.datetime(YEAR + 1, 1, 1))


def kpi_context(setup):
    return {
        'company': setup['company'],
        'from_date': dt.date(YEAR, 1, 1),
        'to_date': dt.date(YEAR, 12, 31),
        'period': 'year',
        'technician': None,
        'product': None,
        'party': None,
        }


def user_context(name):
    with Transaction().start(name, 1, readonly=True):
        User = Pool().get('res.user')
        return User.get_preferences(context_only=True)


def median_time(function, repeats=REPEATS):
    samples = []
    for _ in range(repeats):
        begin = time.perf_counter()
        function()
        samples.append(time.perf_counter() - begin)
    return statistics.median(samples)


def run_orm(name, setup):
    "(a) The figures read through the ORM as the client does"
    context = user_context(name)
    context.update(kpi_context(setup))
    with Transaction().start(name, 1, readonly=True, context=context):
        KPI = Pool().get('service.kpi.technician')
        rows = KPI.search_read([], fields_names=['technician'] + FIGURES)
    return {r['technician']: {f: r[f] for f in FIGURES} for r in rows}


SQL = """
WITH done_in_period AS (
    SELECT d.id, d.technician
    FROM service_dispatch AS d
    WHERE d.company = %(company)s AND d.state = 'done'
        AND COALESCE(d.departure_date, d.planned_start) >= %(start)s
        AND COALESCE(d.departure_date, d.planned_start) < %(end)s),
orders AS (
    SELECT d.technician,
        count(*) AS work_orders,
        count(*) FILTER (WHERE d.state = 'done'
            AND d.signed_by IS NOT NULL AND d.signature_id IS NOT NULL)
            AS valid_work_orders,
        count(*) FILTER (WHERE d.report_due_date IS NOT NULL
            AND COALESCE(d.report_received_date, %(today)s)
                > d.report_due_date) AS late_work_orders
    FROM service_dispatch AS d
    WHERE d.company = %(company)s AND d.state <> 'cancelled'
        AND COALESCE(d.departure_date, d.planned_start) >= %(start)s
        AND COALESCE(d.departure_date, d.planned_start) < %(end)s
    GROUP BY d.technician),
labour AS (
    SELECT l.employee AS technician, sum(l.hours) AS hours
    FROM service_dispatch_labour AS l
    JOIN done_in_period AS d ON d.id = l.dispatch
    GROUP BY l.employee),
revenue AS (
    SELECT d.technician,
        sum(CASE WHEN l.type = 'customer' THEN 1 ELSE -1 END
            * m.quantity * p.unit_price) AS amount
    FROM done_in_period AS d
    JOIN service_dispatch_part AS p ON p.dispatch = d.id
    JOIN stock_move AS m
        ON m.origin = 'service.dispatch.part,' || CAST(p.id AS VARCHAR)
    JOIN stock_location AS l ON l.id = m.to_location
    WHERE p.chargeable AND m.state = 'done'
    GROUP BY d.technician),
surveys AS (
    SELECT s.technician, avg(s.overall) AS satisfaction,
        count(s.complaint) AS complaints
    FROM service_survey AS s
    WHERE s.company = %(company)s AND s.state = 'done'
        AND s.date >= %(start_date)s AND s.date < %(end_date)s
    GROUP BY s.technician),
facts AS (
    SELECT r.id, r.resolved_date IS NOT NULL AS resolved,
        extract(EPOCH FROM r.accepted_date - r.reported_date) / 3600
            AS response,
        extract(EPOCH FROM r.resolved_date - r.reported_date) / 3600
            - COALESCE((
                SELECT sum(extract(EPOCH FROM p."end" - p.start) / 3600)
                FROM service_request_pause AS p
                WHERE p.request = r.id AND p."end" IS NOT NULL), 0)
            AS resolution,
        r.resolved_date IS NOT NULL AND r.resolution_deadline IS NOT NULL
            AS with_deadline,
        r.resolved_date <= r.resolution_deadline AS met,
        r.resolved_date IS NOT NULL AND COALESCE(r.reopen_count, 0) = 0
            AND (SELECT count(*) FROM service_dispatch AS d
                WHERE d.request = r.id AND d.state = 'done') = 1
            AS first_time_fix,
        t.code = 'repair' AND r.equipment IS NOT NULL AS repair,
        t.code = 'repair' AND EXISTS (
            SELECT 1 FROM service_request AS q
            WHERE q.equipment = r.equipment AND q.id <> r.id
                AND q.resolved_date <= r.reported_date
                AND q.resolved_date >= r.reported_date
                    - %(repeat_hours)s * INTERVAL '1 hour')
            AS repeat
    FROM service_request AS r
    JOIN service_request_type AS t ON t.id = r.type
    WHERE r.company = %(company)s AND r.state <> 'cancelled'
        AND r.reported_date >= %(start)s AND r.reported_date < %(end)s),
per_request AS (
    SELECT w.technician,
        count(*) AS requests,
        count(*) FILTER (WHERE f.resolved) AS resolved_requests,
        CAST(avg(f.response) AS FLOAT) AS response_hours,
        CAST(avg(f.resolution) FILTER (WHERE f.resolved) AS FLOAT)
            AS resolution_hours,
        CAST(count(*) FILTER (WHERE f.with_deadline AND f.met) AS FLOAT)
            / NULLIF(count(*) FILTER (WHERE f.with_deadline), 0)
            AS sla_compliance,
        CAST(count(*) FILTER (WHERE f.first_time_fix) AS FLOAT)
            / NULLIF(count(*) FILTER (WHERE f.resolved), 0)
            AS first_time_fix,
        count(*) FILTER (WHERE f.repair) AS repairs,
        count(*) FILTER (WHERE f.repeat) AS repeat_repairs,
        CAST(count(*) FILTER (WHERE f.repeat) AS FLOAT)
            / NULLIF(count(*) FILTER (WHERE f.repair), 0) AS repeat_repair
    FROM facts AS f
    JOIN LATERAL (
        SELECT DISTINCT d.technician FROM service_dispatch AS d
        WHERE d.request = f.id AND d.state = 'done') AS w ON TRUE
    GROUP BY w.technician)
SELECT e.id AS technician,
    COALESCE(o.work_orders, 0), COALESCE(o.valid_work_orders, 0),
    COALESCE(o.late_work_orders, 0), COALESCE(s.complaints, 0),
    COALESCE(q.requests, 0), COALESCE(q.resolved_requests, 0),
    COALESCE(q.repairs, 0), COALESCE(q.repeat_repairs, 0),
    CAST(COALESCE(l.hours, 0) AS FLOAT), CAST(s.satisfaction AS FLOAT),
    q.response_hours, q.resolution_hours, q.sla_compliance,
    q.first_time_fix, q.repeat_repair,
    COALESCE(v.amount, 0), COALESCE(o.valid_work_orders, 0) * %(rate)s
FROM company_employee AS e
LEFT JOIN orders AS o ON o.technician = e.id
LEFT JOIN labour AS l ON l.technician = e.id
LEFT JOIN revenue AS v ON v.technician = e.id
LEFT JOIN surveys AS s ON s.technician = e.id
LEFT JOIN per_request AS q ON q.technician = e.id
WHERE e.company = %(company)s AND e.service_technician
"""


# (f) The floor: one scan of the window's work orders joined to their
# requests, grouped by technician once
SCAN_SQL = """
SELECT d.technician,
    count(*),
    avg(extract(EPOCH FROM r.accepted_date - r.reported_date) / 3600),
    avg(extract(EPOCH FROM r.resolved_date - r.reported_date) / 3600),
    count(*) FILTER (WHERE r.resolved_date <= r.resolution_deadline)
FROM service_dispatch AS d
JOIN service_request AS r ON r.id = d.request
WHERE d.company = %(company)s
    AND COALESCE(d.departure_date, d.planned_start) >= %(start)s
    AND COALESCE(d.departure_date, d.planned_start) < %(end)s
GROUP BY d.technician
"""


def run_scan(name, setup, window=None):
    "(f) One scan of the window's work orders and their requests"
    start, end = window or period()
    with Transaction().start(name, 0, readonly=True) as transaction:
        cursor = transaction.connection.cursor()
        cursor.execute(SCAN_SQL, {
                'company': setup['company'], 'start': start, 'end': end})
        return cursor.fetchall()


def month():
    "The window of a month: January of the year"
    return (dt.datetime(YEAR, 1, 1), dt.datetime(YEAR, 2, 1))


def run_orm_month(name, setup):
    "(a) for a month: the KPIs of January as the client reads them"
    context = user_context(name)
    context.update(kpi_context(setup))
    context['to_date'] = dt.date(YEAR, 1, 31)
    context['period'] = 'month'
    with Transaction().start(name, 1, readonly=True, context=context):
        KPI = Pool().get('service.kpi.technician')
        return KPI.search_read([], fields_names=['technician'] + FIGURES)


def allowance_rate(name, setup):
    "The per-visit allowance is a setting, not a figure"
    with Transaction().start(name, 0, readonly=True):
        KPI = Pool().get('service.kpi.technician')
        return KPI.allowance_rate(setup['company'])


def run_sql(name, setup, rate=None):
    "(b) The figures from one hand-written query"
    if rate is None:
        rate = allowance_rate(name, setup)
    start, end = period()
    params = {
        'company': setup['company'],
        'start': start,
        'end': end,
        'start_date': start.date(),
        'end_date': end.date(),
        'today': dt.date.today(),
        'repeat_hours': REPEAT_HOURS,
        'rate': rate,
        }
    with Transaction().start(name, 0, readonly=True) as transaction:
        cursor = transaction.connection.cursor()
        cursor.execute(SQL, params)
        return {row[0]: dict(zip(FIGURES, row[1:])) for row in cursor}


def run_naive(name, setup, sample=None, rate=None):
    """(c) The figures computed by looping over the records in Python,
    those of the sample of requests if any"""
    if rate is None:
        rate = allowance_rate(name, setup)
    start, end = period()
    today = dt.date.today()
    context = user_context(name)
    context.update(kpi_context(setup))
    company = setup['company']

    def hours(delta):
        return delta.total_seconds() / 3600

    with Transaction().start(name, 1, readonly=True, context=context):
        pool = Pool()
        Dispatch = pool.get('service.dispatch')
        Employee = pool.get('company.employee')
        Request = pool.get('service.request')
        Survey = pool.get('service.survey')
        restrict = []
        if sample is not None:
            restrict = [('request', 'in', sample)]
        technicians = Employee.search([
                ('company', '=', company),
                ('service_technician', '=', True),
                ])
        figures = {t.id: defaultdict(int) for t in technicians}
        lists = {t.id: defaultdict(list) for t in technicians}

        dispatches = Dispatch.search([
                ('company', '=', company),
                ('state', '!=', 'cancelled'),
                ['OR', [
                        ('departure_date', '>=', start),
                        ('departure_date', '<', end),
                        ], [
                        ('departure_date', '=', None),
                        ('planned_start', '>=', start),
                        ('planned_start', '<', end),
                        ]],
                ] + restrict)
        for dispatch in dispatches:
            technician = dispatch.technician
            figure = figures.get(technician.id if technician else None)
            done = dispatch.state == 'done'
            if figure is not None:
                figure['work_orders'] += 1
                if (done and dispatch.signed_by
                        and dispatch.signature_id):
                    figure['valid_work_orders'] += 1
                if (dispatch.report_due_date
                        and (dispatch.report_received_date or today)
                        > dispatch.report_due_date):
                    figure['late_work_orders'] += 1
            if not done:
                continue
            for labour in dispatch.labour:
                if labour.employee.id in figures:
                    lists[labour.employee.id]['labour'].append(labour.hours)
            if figure is None:
                continue
            for part in dispatch.parts:
                if not part.chargeable:
                    continue
                for move in part.moves:
                    if move.state != 'done':
                        continue
                    sign = 1 if move.to_location.type == 'customer' else -1
                    lists[technician.id]['revenue'].append(
                        sign * move.quantity * float(part.unit_price))

        surveys = Survey.search([
                ('company', '=', company),
                ('state', '=', 'done'),
                ('date', '>=', start.date()),
                ('date', '<', end.date()),
                ] + restrict)
        for survey in surveys:
            if survey.technician and survey.technician.id in figures:
                if survey.overall is not None:
                    lists[survey.technician.id]['overall'].append(
                        survey.overall)
                if survey.complaint:
                    figures[survey.technician.id]['complaints'] += 1

        if sample is not None:
            restrict = [('id', 'in', sample)]
        requests = Request.search([
                ('company', '=', company),
                ('reported_date', '>=', start),
                ('reported_date', '<', end),
                ('state', '!=', 'cancelled'),
                ] + restrict)
        for request in requests:
            done = [d for d in request.dispatches if d.state == 'done']
            resolved = request.resolved_date is not None
            response = None
            if request.accepted_date:
                response = hours(
                    request.accepted_date - request.reported_date)
            resolution = None
            if resolved:
                paused = sum(
                    (hours(p.end - p.start) for p in request.pauses
                        if p.end), 0)
                resolution = hours(
                    request.resolved_date - request.reported_date) - paused
            with_deadline = resolved and bool(request.resolution_deadline)
            met = with_deadline and (
                request.resolved_date <= request.resolution_deadline)
            first_time_fix = (resolved and len(done) == 1
                and not request.reopen_count)
            repair = (request.type.code == 'repair'
                and request.equipment is not None)
            repeat = False
            if repair:
                previous = Request.search([
                        ('equipment', '=', request.equipment.id),
                        ('id', '!=', request.id),
                        ('resolved_date', '!=', None),
                        ('resolved_date', '<=', request.reported_date),
                        ])
                repeat = any(
                    hours(request.reported_date - p.resolved_date)
                    <= REPEAT_HOURS for p in previous)
            for technician in {d.technician for d in done}:
                if not technician or technician.id not in figures:
                    continue
                figure = figures[technician.id]
                figure['requests'] += 1
                figure['resolved_requests'] += resolved
                figure['met'] += met
                figure['with_deadline'] += with_deadline
                figure['first_time_fix'] += first_time_fix
                figure['repairs'] += repair
                figure['repeat_repairs'] += repeat
                if response is not None:
                    lists[technician.id]['response'].append(response)
                if resolution is not None:
                    lists[technician.id]['resolution'].append(resolution)

    def mean(values):
        return sum(values) / len(values) if values else None

    def share(numerator, denominator):
        return numerator / denominator if denominator else None

    result = {}
    for technician, figure in figures.items():
        values = lists[technician]
        result[technician] = {
            'work_orders': figure['work_orders'],
            'valid_work_orders': figure['valid_work_orders'],
            'late_work_orders': figure['late_work_orders'],
            'complaints': figure['complaints'],
            'requests': figure['requests'],
            'resolved_requests': figure['resolved_requests'],
            'repairs': figure['repairs'],
            'repeat_repairs': figure['repeat_repairs'],
            'labour_hours': float(sum(values['labour'])),
            'satisfaction': mean(values['overall']),
            'response_hours': mean(values['response']),
            'resolution_hours': mean(values['resolution']),
            'sla_compliance': share(
                figure['met'], figure['with_deadline']),
            'first_time_fix': share(
                figure['first_time_fix'], figure['resolved_requests']),
            'repeat_repair': share(
                figure['repeat_repairs'], figure['repairs']),
            'parts_revenue': sum(values['revenue']),
            'allowance': figure['valid_work_orders'] * rate,
            }
    return result


def sample_requests(name, setup, size):
    "Return a fixed sample of the year's requests, None for all"
    start, end = period()
    with Transaction().start(name, 0, readonly=True) as transaction:
        cursor = transaction.connection.cursor()
        cursor.execute(
            "SELECT id FROM service_request "
            "WHERE company = %s AND reported_date >= %s "
            "AND reported_date < %s AND state <> 'cancelled' "
            "ORDER BY md5(CAST(id AS VARCHAR))",
            (setup['company'], start, end))
        ids = [r[0] for r in cursor]
    if len(ids) <= size:
        return None, len(ids)
    return sorted(ids[:size]), len(ids)


def differences(expected, result):
    "Return the figures that differ between two results"
    found = []
    if expected.keys() != result.keys():
        found.append(("technicians", sorted(expected), sorted(result)))
    for technician in sorted(expected.keys() & result.keys()):
        for field in FIGURES:
            a = expected[technician][field]
            b = result[technician][field]
            if a is None or b is None:
                same = a is None and b is None
            else:
                same = math.isclose(
                    float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)
            if not same:
                found.append((technician, field, a, b))
    return found


# Report


def report(name, setup, growth):
    rate = allowance_rate(name, setup)
    rows = counts(name)
    year = year_requests(name, setup)
    print(f"Data: {rows['service_request']:,} requests over "
        f"{FIRST_DAY.year}-{FIRST_DAY.year + 2}, "
        f"{rows['service_dispatch']:,} work orders, "
        f"{rows['service_repair_log']:,} repair logs, "
        f"{rows['service_dispatch_labour']:,} labour lines, "
        f"{rows['service_dispatch_part']:,} parts, "
        f"{rows['stock_move']:,} stock moves, "
        f"{rows['service_request_pause']:,} waiting periods, "
        f"{rows['service_survey']:,} surveys, "
        f"{rows['service_equipment']:,} equipment, "
        f"{TECHNICIANS} technicians")
    print(f"KPI window: {YEAR}, {year:,} requests")

    orm = run_orm(name, setup)
    sql = run_sql(name, setup, rate)
    if not orm:
        sys.exit("(a) read no technician")
    if found := differences(sql, orm):
        for difference in found[:20]:
            print("  differs:", *difference)
        sys.exit(f"(a) and (b) differ on {len(found)} figures")
    print(f"(a) and (b) give the same figures for {len(orm)} technicians "
        f"({sum(r['requests'] for r in orm.values()):,} request-"
        f"technician pairs, {sum(r['work_orders'] for r in orm.values()):,}"
        " work orders)")

    orm_time = median_time(lambda: run_orm(name, setup))
    sql_time = median_time(lambda: run_sql(name, setup, rate))
    scan_time = median_time(lambda: run_scan(name, setup))
    month_time = median_time(lambda: run_orm_month(name, setup))
    month_scan_time = median_time(lambda: run_scan(name, setup, month()))
    sample, population = sample_requests(name, setup, SAMPLE)
    if sample is None:
        naive = run_naive(name, setup, None, rate)
        if found := differences(orm, naive):
            for difference in found[:20]:
                print("  differs:", *difference)
            sys.exit(f"(a) and (c) differ on {len(found)} figures")
        print(f"(c) covers all the {population:,} requests of the year "
            "and gives the same figures as (a)")
        sampled, scale = population, 1
    else:
        sampled, scale = len(sample), population / len(sample)
    naive_time = median_time(
        lambda: run_naive(name, setup, sample, rate)) * scale

    print("Growth (the year read holds a third of the requests):")
    print(f"{'requests':>12}{'in ' + str(YEAR):>12}{'load':>9}"
        f"{'(a) ORM':>11}{'(b) SQL':>11}{'a/b':>7}{'(a) x':>8}")
    first = growth[0][3]
    for loaded, in_year, loading, a, b in growth:
        print(f"{loaded:>12,}{in_year:>12,}{loading:>8.0f}s"
            f"{a:>10.3f}s{b:>10.3f}s{a / b:>7.2f}{a / first:>8.1f}")
    if len(growth) > 1:
        print(f"(a) grew x{growth[-1][3] / first:.1f} for "
            f"x{growth[-1][0] / growth[0][0]:.0f} requests")
    print(f"Median of {REPEATS} runs on {rows['service_request']:,} "
        "requests:")
    print(f"(a) ORM search_read     {orm_time:10.3f} s")
    print(f"(b) hand-written SQL    {sql_time:10.3f} s")
    print(f"(c) naive Python loop   {naive_time:10.3f} s "
        f"({sampled:,} requests timed, x{scale:.1f})")
    print(f"(f) one scan (floor)    {scan_time:10.3f} s")
    print(f"(a) for January         {month_time:10.3f} s "
        f"((f) for January {month_scan_time:.3f} s, "
        f"ratio {month_time / month_scan_time:.2f})")
    print(f"kpi_vs_scan_ratio={orm_time / scan_time:.2f}")
    print(f"kpi_vs_sql_ratio={orm_time / sql_time:.2f}")
    print(f"naive_vs_kpi_ratio={naive_time / orm_time:.1f}")


if __name__ == '__main__':
    main()
