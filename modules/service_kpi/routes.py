# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The customer answers the satisfaction survey:
GET/POST /<database>/service/survey/<token>

The page asks the four scores (1 to 5), why when the customer is unhappy
(the reasons the manager keeps) and a comment; the answer is the survey's
as if the desk had typed it: its scores feed the KPIs and a low score opens
a complaint.  Once answered the link thanks and asks nothing more.  A token
that opens nothing gets the same "link not valid" page; scores out of
range, an unknown reason, a missing reason for a low score or a comment too
long are refused with a message in the page's language, nothing written."""
import datetime as dt
import html
from http import HTTPStatus

from trytond.modules.service_desk import pages
from trytond.protocols.wrappers import (
    allow_null_origin, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

from .survey import LOW_SCORE, SCORES

COMMENT_MAX = 2000

SCRIPT = '''
(function(){
var r=document.getElementById('reasons'),f=document.getElementById('form');
function low(){var o=f.querySelector('input[name=overall]:checked');
return o&&parseInt(o.value,10)<=%(low)d;}
function show(){r.hidden=!low();
document.getElementById('reason').required=low();}
f.addEventListener('change',show);show();
})();
''' % {'low': LOW_SCORE}


def _text(message, **kwargs):
    return pages.text('service_kpi', message, **kwargs)


def _survey_page(request, survey, language, error=None, values=None,
        status=None):
    from trytond.pool import Pool
    pool = Pool()
    Reason = pool.get('service.survey.reason')
    Survey = pool.get('service.survey')
    values = values or {}
    e = html.escape
    with Transaction().set_context(language=language):
        title = _text('msg_survey_page_title')
        body = [f'<h1>{title}</h1>']
        about = [e(survey.company.rec_name)]
        if survey.request:
            about.append(e(survey.request.number or ''))
            if survey.request.product:
                about.append(e(survey.request.product.rec_name))
        if survey.technician:
            about.append(e(survey.technician.rec_name))
        if survey.state != 'pending':
            body.append('<div class="done">' + _text(
                    'msg_survey_page_answered' if survey.state == 'done'
                    else 'msg_survey_page_closed') + '</div>')
            return pages.page(title, ''.join(body), language)
        if error:
            body.append(f'<div class="error" role="alert">{error}</div>')
        strings = Survey.fields_get(SCORES)
        fieldsets = []
        for name in SCORES:
            boxes = ''.join(
                f'<label><input type="radio" name="{name}" value="{i}"'
                + (' checked' if values.get(name) == i else '')
                + (' required' if i == 1 else '')
                + f'><span>{i}</span></label>' for i in range(1, 6))
            fieldsets.append(
                f'<fieldset><legend>{e(strings[name]["string"])}</legend>'
                f'<div class="scores">{boxes}</div></fieldset>')
        options = ''.join(
            f'<option value="{r.id}"'
            + (' selected' if values.get('reason') == r.id else '')
            + f'>{e(r.name)}</option>'
            for r in Reason.search([]))
        body.append(
            f'<section><p>{" · ".join(about)}</p>'
            f'<p>{_text("msg_survey_page_intro")}</p>'
            f'<p class="hint">{_text("msg_survey_page_scale")}</p>'
            '</section>'
            '<form id="form" method="post"><section>'
            + ''.join(fieldsets) +
            '<div id="reasons">'
            f'<label for="reason">{_text("msg_survey_page_reason")}</label>'
            f'<select id="reason" name="reason"><option value=""></option>'
            f'{options}</select></div>'
            f'<label for="comment">{_text("msg_survey_page_comment")}</label>'
            f'<textarea id="comment" name="comment" rows="4" '
            f'maxlength="{COMMENT_MAX}">{e(values.get("comment") or "")}'
            '</textarea>'
            '<div class="buttons"><button type="submit" id="submit">'
            f'{_text("msg_survey_page_submit")}</button></div>'
            '</section></form>')
        if status is None:
            status = HTTPStatus.BAD_REQUEST if error else HTTPStatus.OK
        return pages.page(title, ''.join(body), language, status=status,
            script=SCRIPT)


def _integer(value):
    if isinstance(value, str) and value.isascii() and value.isdigit() \
            and len(value) < 10:
        return int(value)
    return None


@app.route('/<database_name>/service/survey/<token>', methods=['GET', 'POST'])
@allow_null_origin
@with_pool
@with_transaction(user=0)
def survey(request, pool, token):
    Link = pool.get('service.link')
    Survey = pool.get('service.survey')
    Reason = pool.get('service.survey.reason')
    link = Link.find(token, 'survey')
    refused = pages.body_refused(request, link)
    if refused:
        return refused
    if not link or link.resource.__name__ != 'service.survey':
        return pages.not_valid(request)
    record = Survey(link.resource.id)
    language = pages.language(request, record.party)
    if request.method == 'GET' or record.state != 'pending':
        return _survey_page(request, record, language)

    form = pages.form(request)
    values = {name: _integer(form.get(name)) for name in SCORES}
    reason = form.get('reason')
    values['reason'] = _integer(reason)
    # A reason posted that is not one of the list's
    unknown_reason = bool(reason) and values['reason'] is None
    comment = form.get('comment') or ''
    comment = comment.strip() if isinstance(comment, str) else ''
    values['comment'] = comment[:COMMENT_MAX]
    with Transaction().set_context(language=language):
        error = None
        if any(values[n] is None or not 1 <= values[n] <= 5
                for n in SCORES):
            error = _text('msg_survey_page_scores')
        elif len(comment) > COMMENT_MAX:
            error = _text('msg_survey_page_comment_long', max=COMMENT_MAX)
        elif unknown_reason or (values['reason'] is not None
                and not Reason.search([('id', '=', values['reason'])])):
            error = _text('msg_survey_page_reason_invalid')
        elif values['overall'] <= LOW_SCORE and values['reason'] is None:
            error = _text('msg_survey_page_reason_required')
        if error:
            return _survey_page(request, record, language, error=error,
                values=values)

    # One answer: a second post waits for the first and finds it answered
    Link.lock([link])
    Survey.lock([record])
    record = Survey(record.id)
    if record.state != 'pending':
        return _survey_page(request, record, language)
    now = dt.datetime.now()
    # The day answered is the company's, as when the desk records it
    with Transaction().set_context(company=record.company.id):
        record = Survey(record.id)
        for name in SCORES:
            setattr(record, name, values[name])
        record.reason = values['reason']
        record.comment = comment or None
        record.answered_from = 'link'
        record.save()
        Survey.answer([record])
    link.used_date = now
    link.save()
    return _survey_page(request, Survey(record.id), language)
