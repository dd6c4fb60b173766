# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The survey report: the share of each satisfaction level and of each
reason of the answered surveys, per period of the context, in SQL"""
from sql import Null
from sql.aggregate import Count, Max, Min

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool

from .kpi import date_period_of, read_only, share


class SurveyReportMixin:
    __slots__ = ()

    company = fields.Many2One('company.company', "Company")
    date = fields.Date(
        "Period", help="The first day of the period (the day, month, "
        "quarter or year of the context) the surveys were answered in.")
    surveys = fields.Integer("Surveys")
    share = fields.Float("Share", digits=(1, 4))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        read_only(cls)
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def answered(cls):
        """Return the surveys answered in the context's window, their
        period and the context"""
        pool = Pool()
        Survey = pool.get('service.survey')
        Period = pool.get('service.kpi.period')
        context = Period.kpi_context()
        survey = Survey.__table__()
        where = ((survey.company == context['company'])
            & (survey.state == 'done')
            & (survey.date >= context['from_date'])
            & (survey.date <= context['to_date']))
        if context['party']:
            where &= survey.party == context['party']
        if context['technician']:
            where &= survey.technician == context['technician']
        period = date_period_of(survey.date, context['period'])
        return survey, where, period

    @classmethod
    def grouped(cls, name, column, with_reason=False):
        """Return the query of the answered surveys grouped by period and
        the survey's column, as name, with their share of the period's
        surveys (of those with a reason when with_reason)"""
        survey, where, period = cls.answered()
        if with_reason:
            where &= survey.reason != Null
        # The period computed below the grouping: PostgreSQL compares the
        # expressions of GROUP BY with their parameters
        facts = survey.select(
            survey.id, survey.company, period.as_('date'),
            getattr(survey, column).as_(name),
            where=where)
        total = facts.select(
            facts.date, Count(facts.id).as_('count'),
            group_by=[facts.date])
        key = getattr(facts, name)
        counted = facts.select(
            Min(facts.id).as_('id'),
            Max(facts.company).as_('company'),
            facts.date,
            key.as_(name),
            Count(facts.id).as_('surveys'),
            group_by=[facts.date, key])
        return counted.join(total,
            condition=counted.date == total.date).select(
            counted.id, counted.company, counted.date,
            getattr(counted, name), counted.surveys,
            share(counted.surveys, total.count).as_('share'))


class SurveyLevel(SurveyReportMixin, ModelSQL, ModelView):
    "The answered surveys of each period by overall score"
    __name__ = 'service.survey.level'
    __string__ = "Satisfaction by Score"

    level = fields.Integer(
        "Overall Score", help="The overall satisfaction, 1 to 5.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'ASC'), ('level', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        return cls.grouped('level', 'overall')


class SurveyReasonShare(SurveyReportMixin, ModelSQL, ModelView):
    """The answered surveys of each period by the reason the customer gave
    for being unhappy, as a share of the surveys with a reason"""
    __name__ = 'service.survey.reason.share'
    __string__ = "Reasons for Dissatisfaction"

    reason = fields.Many2One('service.survey.reason', "Reason")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'ASC'), ('surveys', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        return cls.grouped('reason', 'reason', with_reason=True)
