# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"KPIs broken down per product and per customer"
from sql import Cast, Literal, Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Coalesce
from sql.operators import Like

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval

from .kpi import KPIMixin, as_float, part_moves, read_only


def free_of_charge(request, covers):
    """Return the SQL condition of the requests on which the warranty or the
    contract covers (parts or labour, as the column says): the work orders
    do not charge them"""
    return ((request.warranty == 'in_warranty')
        | ((request.warranty == 'contract')
            & ((request.contract == Null) | (covers == Literal(True)))))


class KPIProduct(KPIMixin, ModelSQL, ModelView):
    __name__ = 'service.kpi.product'
    __string__ = "Service KPI per Product"

    product = fields.Many2One('product.product', "Product",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    causes = fields.One2Many(
        'service.kpi.product.cause', 'product_kpi', "Causes",
        help="The causes recorded in the repair logs, most frequent first.")
    currency = fields.Many2One('currency.currency', "Currency")
    warranty_parts_cost = fields.Numeric(
        "Warranty Parts Cost", digits='currency',
        help="The parts issued, less those returned, at cost, free of "
        "charge under warranty or contract on the done work orders.")
    warranty_labour_hours = fields.Float(
        "Warranty Labour Hours", digits=(16, 2),
        help="The labour hours free of charge under warranty or contract "
        "on the done work orders.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('requests', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Company = pool.get('company.company')
        context = cls.kpi_context()
        facts = cls.request_facts()
        company = Company.__table__()
        per_product = facts.select(
            facts.product.as_('product'),
            Min(facts.company).as_('company'),
            *cls.request_columns(facts),
            where=facts.product != Null,
            group_by=[facts.product])
        parts = cls.warranty_parts_query(context)
        labour = cls.warranty_labour_query(context)
        columns = [
            per_product.product.as_('id'),
            per_product.company.as_('company'),
            per_product.product.as_('product'),
            per_product.requests, per_product.resolved_requests,
            per_product.response_hours, per_product.resolution_hours,
            per_product.sla_compliance, per_product.first_time_fix,
            per_product.repairs, per_product.repeat_repairs,
            per_product.repeat_repair,
            company.currency.as_('currency'),
            Coalesce(parts.cost, Cast(Literal(0), 'NUMERIC')
                ).as_('warranty_parts_cost'),
            as_float(Coalesce(labour.hours, 0)).as_('warranty_labour_hours'),
            ]
        return (per_product
            .join(company, condition=per_product.company == company.id)
            .join(parts, 'LEFT',
                condition=parts.product == per_product.product)
            .join(labour, 'LEFT',
                condition=labour.product == per_product.product)
            .select(*columns))

    @classmethod
    def warranty_parts_query(cls, context):
        """Return per product the parts issued, less those returned, at
        cost, free of charge on the done work orders of the requests"""
        pool = Pool()
        Request = pool.get('service.request')
        Contract = pool.get('service.contract')
        request = Request.__table__()
        contract = Contract.__table__()
        join, move, part, dispatch, sign = part_moves()
        cost = (sign * Cast(move.internal_quantity, 'NUMERIC')
            * Coalesce(move.cost_price, 0))
        return (join
            .join(request, condition=dispatch.request == request.id)
            .join(contract, 'LEFT', condition=request.contract == contract.id)
            .select(
                request.product.as_('product'),
                Sum(cost).as_('cost'),
                where=cls.request_where(request, context)
                & free_of_charge(request, contract.covers_parts)
                & (dispatch.state == 'done')
                & (move.state == 'done'),
                group_by=[request.product]))

    @classmethod
    def warranty_labour_query(cls, context):
        """Return per product the labour hours free of charge on the done
        work orders of the requests"""
        pool = Pool()
        Request = pool.get('service.request')
        Contract = pool.get('service.contract')
        Dispatch = pool.get('service.dispatch')
        Labour = pool.get('service.dispatch.labour')
        request = Request.__table__()
        contract = Contract.__table__()
        dispatch = Dispatch.__table__()
        labour = Labour.__table__()
        return (labour
            .join(dispatch, condition=labour.dispatch == dispatch.id)
            .join(request, condition=dispatch.request == request.id)
            .join(contract, 'LEFT', condition=request.contract == contract.id)
            .select(
                request.product.as_('product'),
                Sum(labour.hours).as_('hours'),
                where=cls.request_where(request, context)
                & free_of_charge(request, contract.covers_labour)
                & (dispatch.state == 'done'),
                group_by=[request.product]))


class KPIProductCause(ModelSQL, ModelView):
    __name__ = 'service.kpi.product.cause'
    __string__ = "Service KPI Failure Cause"

    product_kpi = fields.Many2One('service.kpi.product', "Product KPI")
    company = fields.Many2One('company.company', "Company")
    product = fields.Many2One('product.product', "Product",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    cause = fields.Char("Cause")
    count = fields.Integer("Repair Logs")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('count', 'DESC'), ('id', 'ASC')]
        read_only(cls)

    @classmethod
    def table_query(cls):
        pool = Pool()
        Log = pool.get('service.repair.log')
        Dispatch = pool.get('service.dispatch')
        Request = pool.get('service.request')
        context = KPIMixin.kpi_context()
        log = Log.__table__()
        dispatch = Dispatch.__table__()
        request = Request.__table__()
        where = ((request.company == context['company'])
            & (log.date >= context['start']) & (log.date < context['end'])
            & (log.cause != Null) & (request.product != Null))
        if context['product']:
            where &= request.product == context['product']
        return (log
            .join(dispatch, condition=log.dispatch == dispatch.id)
            .join(request, condition=dispatch.request == request.id)
            .select(
                Min(log.id).as_('id'),
                Min(request.company).as_('company'),
                request.product.as_('product_kpi'),
                request.product.as_('product'),
                log.cause.as_('cause'),
                Count(log.id).as_('count'),
                where=where,
                group_by=[request.product, log.cause]))


class KPICustomer(KPIMixin, ModelSQL, ModelView):
    __name__ = 'service.kpi.customer'
    __string__ = "Service KPI per Customer"

    party = fields.Many2One('party.party', "Customer",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    satisfaction = fields.Float(
        "Mean Satisfaction", digits=(1, 2),
        help="Mean overall score of the answered surveys, 1 to 5.")
    revenue = fields.Numeric(
        "Revenue", digits=(16, 2),
        help="Invoiced for service in the period, cancelled invoices aside.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('requests', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Survey = pool.get('service.survey')
        Invoice = pool.get('account.invoice')
        InvoiceLine = pool.get('account.invoice.line')
        context = cls.kpi_context()
        facts = cls.request_facts()
        survey = Survey.__table__()
        invoice = Invoice.__table__()
        line = InvoiceLine.__table__()

        per_party = facts.select(
            facts.party.as_('party'),
            Min(facts.company).as_('company'),
            *cls.request_columns(facts),
            group_by=[facts.party])
        scores = survey.select(
            survey.party.as_('party'),
            (as_float(Sum(survey.overall)) / as_float(Count(survey.id))
                ).as_('satisfaction'),
            where=(survey.state == 'done')
            & (survey.company == context['company'])
            & (survey.date >= context['from_date'])
            & (survey.date < context['end_date']),
            group_by=[survey.party])
        invoiced = (line
            .join(invoice, condition=line.invoice == invoice.id)
            .select(
                invoice.party.as_('party'),
                Sum(Cast(Coalesce(line.quantity, 0), 'NUMERIC')
                    * Coalesce(line.unit_price, 0)).as_('amount'),
                where=(invoice.company == context['company'])
                & (invoice.type == 'out')
                & (invoice.state != 'cancelled')
                & Like(line.origin, 'service.dispatch%')
                & (Coalesce(invoice.invoice_date, invoice.create_date)
                    >= context['from_date'])
                & (Coalesce(invoice.invoice_date, invoice.create_date)
                    < context['end_date']),
                group_by=[invoice.party]))
        columns = [
            per_party.party.as_('id'),
            per_party.company.as_('company'),
            per_party.party.as_('party'),
            per_party.requests, per_party.resolved_requests,
            per_party.response_hours, per_party.resolution_hours,
            per_party.sla_compliance, per_party.first_time_fix,
            per_party.repairs, per_party.repeat_repairs,
            per_party.repeat_repair,
            scores.satisfaction.as_('satisfaction'),
            Coalesce(
                invoiced.amount, Cast(Literal(0), 'NUMERIC')).as_('revenue'),
            ]
        return (per_party
            .join(scores, 'LEFT', condition=scores.party == per_party.party)
            .join(invoiced, 'LEFT',
                condition=invoiced.party == per_party.party)
            .select(*columns))

