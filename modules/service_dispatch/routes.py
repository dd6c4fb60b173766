# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The customer's pages of a work order: signing it and answering its
quotation, on the technician's phone or tablet or on the customer's own

GET /<database>/service/sign/<token> shows the work done (repair log,
parts, labour, travel, and the amount when chargeable) with a box to sign
in with a finger or a stylus and the signer's name; POST stores the
signature (PNG) on the work order with the name, the date and where it was
signed from.  Once signed the link shows the signed record and signs
nothing more.

GET /<database>/service/quotation/<token> shows the quotation sent (parts,
labour, travel, their amounts and the total) with Accept and Refuse; POST
sets the quotation's state as the work order's buttons do, with the name of
who answered.  Once answered the link shows the answer.

A wrong, expired, used or other-purpose token gets the same page, "link not
valid", and changes nothing; what is posted is checked (name, answer, image
type, size, blank) and refused with a message in the page's language,
nothing written.  The pages load nothing from outside the server."""
import base64
import binascii
import datetime as dt
import html
import struct
import zlib
from http import HTTPStatus

from trytond.i18n import gettext
from trytond.modules.service_desk import pages
from trytond.modules.service_desk.pages import not_valid
from trytond.protocols.wrappers import (
    allow_null_origin, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

__all__ = ['not_valid', 'png_problem', 'sign', 'quotation']

NAME_MAX = 80
# A signature drawn on a phone is a few kilobytes; a tablet's, a few tens
IMAGE_MAX = 256 * 1024
SIDE_MAX = 4000
PNG_MAGIC = b'\x89PNG\r\n\x1a\n'
DATA_URL = 'data:image/png;base64,'
# The work order's states where the customer signs or answers
ON_SITE = {'assigned', 'confirmed', 'in_progress'}

SCRIPT = '''
(function(){
var c=document.getElementById('pad'),f=document.getElementById('form'),
x=c.getContext('2d'),drawn=false,last=null;
function fit(){var r=c.getBoundingClientRect(),d=window.devicePixelRatio||1;
c.width=Math.round(r.width*d);c.height=Math.round(r.height*d);
x.setTransform(d,0,0,d,0,0);x.lineWidth=2.5;x.lineCap='round';
x.lineJoin='round';x.strokeStyle='#111';drawn=false;}
function at(e){var r=c.getBoundingClientRect();
return {x:e.clientX-r.left,y:e.clientY-r.top};}
function start(p){last=p;x.beginPath();x.arc(p.x,p.y,1.2,0,7);x.fill();
drawn=true;}
function move(p){if(!last)return;x.beginPath();x.moveTo(last.x,last.y);
x.lineTo(p.x,p.y);x.stroke();last=p;drawn=true;}
function end(){last=null;}
c.addEventListener('touchstart',function(e){e.preventDefault();
start(at(e.changedTouches[0]));},{passive:false});
c.addEventListener('touchmove',function(e){e.preventDefault();
move(at(e.changedTouches[0]));},{passive:false});
c.addEventListener('touchend',function(e){e.preventDefault();end();},
{passive:false});
c.addEventListener('mousedown',function(e){start(at(e));});
c.addEventListener('mousemove',function(e){if(e.buttons)move(at(e));});
window.addEventListener('mouseup',end);
document.getElementById('clear').addEventListener('click',function(){
fit();});
f.addEventListener('submit',function(e){
document.getElementById('signature').value=drawn?c.toDataURL('image/png'):'';
});
fit();
})();
'''


def _text(message, **kwargs):
    return pages.text('service_dispatch', message, **kwargs)


def png_problem(data):
    """Return the message of what is wrong with the PNG signature, None if
    it is a readable, not blank picture"""
    if len(data) > IMAGE_MAX:
        return 'msg_sign_image_too_large'
    if not data.startswith(PNG_MAGIC) or len(data) < 33:
        return 'msg_sign_image_invalid'
    try:
        position = len(PNG_MAGIC)
        chunks = []
        header = None
        while position < len(data):
            length, kind = struct.unpack(
                '>I4s', data[position:position + 8])
            chunk = data[position + 8:position + 8 + length]
            if len(chunk) != length:
                return 'msg_sign_image_invalid'
            if kind == b'IHDR':
                header = struct.unpack('>IIBBBBB', chunk)
            elif kind == b'IDAT':
                chunks.append(chunk)
            elif kind == b'IEND':
                break
            position += 12 + length
        if not header or not chunks:
            return 'msg_sign_image_invalid'
        width, height, depth, colour = header[:4]
        if not (0 < width <= SIDE_MAX and 0 < height <= SIDE_MAX):
            return 'msg_sign_image_invalid'
        decompress = zlib.decompressobj()
        # Never more than the picture's own size, whatever the stream says
        channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(colour)
        if channels is None or depth not in {1, 2, 4, 8, 16}:
            return 'msg_sign_image_invalid'
        row = (width * channels * depth + 7) // 8 + 1
        pixels = decompress.decompress(b''.join(chunks), row * height + 1)
        if len(pixels) < row * height:
            return 'msg_sign_image_invalid'
    except (struct.error, zlib.error, ValueError):
        return 'msg_sign_image_invalid'
    # Blank: every row the same bytes, the filter byte aside
    rows = {pixels[i * row + 1:(i + 1) * row] for i in range(height)}
    if len(rows) == 1 and len(set(next(iter(rows)))) <= 1:
        return 'msg_sign_blank'
    return None


def _charges(dispatch, lang):
    "The parts, labour and travel, their amounts and the total"
    from .dispatch import WorkOrderReport as Report
    e = html.escape

    def money(amount):
        if amount is None:
            return _text('msg_sign_free')
        return e(lang.currency(
            amount, dispatch.company.currency, grouping=True))

    def quantity(value, unit):
        return e(lang.format_number_symbol(value, unit, digits=unit.digits))
    parts = []
    rows = ''.join(
        f'<tr><td>{e(part.product.rec_name)}</td>'
        f'<td class="n">{quantity(Report.part_quantity(part), part.unit)}'
        f'</td><td class="n">{money(Report.part_amount(part))}</td></tr>'
        for part in dispatch.parts if Report.part_quantity(part))
    if rows:
        parts.append(f'<h2>{_text("msg_sign_parts")}</h2>'
            f'<table>{rows}</table>')
    rows = ''.join(
        f'<tr><td>{e(line.employee.rec_name)}</td>'
        f'<td class="n">{e(lang.format("%.2f", line.hours or 0))} h</td>'
        f'<td class="n">{money(Report.labour_amount(line))}</td>'
        '</tr>' for line in dispatch.labour)
    if rows:
        parts.append(f'<h2>{_text("msg_sign_labour")}</h2>'
            f'<table>{rows}</table>')
    if dispatch.travel_product and dispatch.travel_quantity:
        parts.append(f'<h2>{_text("msg_page_travel")}</h2><table><tr>'
            f'<td>{e(dispatch.travel_product.rec_name)}</td>'
            f'<td class="n">{e(lang.format("%.2f", dispatch.travel_quantity))}'
            f'</td><td class="n">{money(Report.travel_amount(dispatch))}</td>'
            '</tr></table>')
    if dispatch.visit_time_band:
        parts.append(f'<h2>{_text("msg_page_visit")}</h2><table><tr>'
            f'<td>{e(dispatch.visit_time_band.rec_name)}</td>'
            f'<td class="n">{money(Report.visit_amount(dispatch))}</td>'
            '</tr></table>')
    if dispatch.chargeable or dispatch.visit_time_band:
        parts.append(f'<p class="total">{_text("msg_sign_total")} '
            f'{money(Report.total_amount(dispatch))}</p>')
    else:
        parts.append(f'<p class="total">{_text("msg_sign_covered")}</p>')
    return ''.join(parts)


def _work_order(dispatch, lang):
    "The work done, as the customer reads it"
    e = html.escape
    parts = [f'<p>{e(dispatch.party.rec_name)}'
        + (f' · {e(dispatch.serial_number or "")}'
            if dispatch.serial_number else '') + '</p>']
    logs = ''.join(
        f'<tr><td>{e(log.symptom or "")}</td><td>{e(log.action or "")}'
        f'</td><td>{e(log.result_string or "")}</td></tr>'
        for log in dispatch.repair_logs)
    if logs:
        parts.append(f'<h2>{_text("msg_sign_work_done")}</h2>'
            f'<table><tr><th>{_text("msg_sign_symptom")}</th>'
            f'<th>{_text("msg_sign_action")}</th>'
            f'<th>{_text("msg_sign_result")}</th></tr>{logs}</table>')
    parts.append(_charges(dispatch, lang))
    return '<section>' + ''.join(parts) + '</section>'


def _name_input(name):
    return (f'<label for="name">{_text("msg_sign_name")}</label>'
        f'<input type="text" id="name" name="name" required '
        f'maxlength="{NAME_MAX}" autocomplete="name" '
        f'value="{html.escape(name)}">')


def _sign_page(request, dispatch, link, language, error=None, name='',
        status=None):
    from trytond.pool import Pool
    Lang = Pool().get('ir.lang')
    lang = Lang.get(language)
    with Transaction().set_context(language=language):
        title = _text('msg_sign_title', number=dispatch.number or '')
        body = [f'<h1>{title}</h1>']
        if dispatch.signature_id and dispatch.signed_by:
            body.append('<div class="done">' + _text(
                    'msg_sign_done', name=dispatch.signed_by,
                    date=pages.local_date(
                        dispatch.signed_date, dispatch.company, lang))
                + '</div>')
            body.append(_work_order(dispatch, lang))
            picture = base64.b64encode(dispatch.signature).decode('ascii')
            body.append('<section><img class="signature" alt="" '
                f'src="data:image/png;base64,{picture}"></section>')
            return pages.page(title, ''.join(body), language)
        if error:
            body.append(f'<div class="error" role="alert">{error}</div>')
        body.append(_work_order(dispatch, lang))
        body.append(
            '<form id="form" method="post"><section>'
            f'<p>{_text("msg_sign_intro")}</p>'
            '<canvas id="pad"></canvas>'
            '<input type="hidden" id="signature" name="signature">'
            + _name_input(name) +
            '<div class="buttons">'
            f'<button type="button" class="secondary" id="clear">'
            f'{_text("msg_sign_clear")}</button>'
            f'<button type="submit" id="submit">{_text("msg_sign_submit")}'
            '</button></div></section></form>')
        if status is None:
            status = HTTPStatus.BAD_REQUEST if error else HTTPStatus.OK
        return pages.page(title, ''.join(body), language, status=status,
            script=SCRIPT)


def _dispatch(pool, link):
    "The work order of the link, None if the link opens none"
    if not link or link.resource.__name__ != 'service.dispatch':
        return None
    return pool.get('service.dispatch')(link.resource.id)


@app.route('/<database_name>/service/sign/<token>', methods=['GET', 'POST'])
@allow_null_origin
@with_pool
@with_transaction(user=0)
def sign(request, pool, token):
    Link = pool.get('service.link')
    Dispatch = pool.get('service.dispatch')
    link = Link.find(token, 'sign')
    refused = pages.body_refused(request, link)
    if refused:
        return refused
    dispatch = _dispatch(pool, link)
    if not dispatch:
        return not_valid(request)
    language = pages.language(request, dispatch.party)
    signed = bool(dispatch.signature_id and dispatch.signed_by)
    if request.method == 'GET' or signed:
        if not signed and dispatch.state not in ON_SITE:
            return not_valid(request, language)
        return _sign_page(request, dispatch, link, language)
    if dispatch.state not in ON_SITE:
        return not_valid(request, language)

    form = pages.form(request)
    name = pages.field(form, 'name', NAME_MAX)
    with Transaction().set_context(language=language):
        if not name:
            return _sign_page(request, dispatch, link, language,
                error=_text('msg_sign_name_invalid', max=NAME_MAX),
                name=(pages.field(form, 'name') or '')[:NAME_MAX])
        value = form.get('signature') or ''
        if not isinstance(value, str) or not value.startswith(DATA_URL):
            problem = 'msg_sign_blank' if not value else (
                'msg_sign_image_invalid')
            return _sign_page(request, dispatch, link, language,
                error=_text(problem), name=name)
        try:
            data = base64.b64decode(value[len(DATA_URL):], validate=True)
        except (binascii.Error, ValueError):
            data = None
        problem = png_problem(data) if data else 'msg_sign_image_invalid'
        if problem:
            return _sign_page(request, dispatch, link, language,
                error=_text(problem), name=name,
                status=(HTTPStatus.REQUEST_ENTITY_TOO_LARGE
                    if problem == 'msg_sign_image_too_large' else None))

    # One signature: a second post waits for the first and finds it signed
    Link.lock([link])
    Dispatch.lock([dispatch])
    dispatch = Dispatch(dispatch.id)
    if dispatch.signature_id and dispatch.signed_by:
        return _sign_page(request, dispatch, link, language)
    now = dt.datetime.now()
    dispatch.signature = data
    dispatch.signed_by = name
    dispatch.signed_date = now
    dispatch.signed_from = _from(request, 'msg_signed_from_link')
    dispatch.save()
    link.used_date = now
    link.save()
    return _sign_page(request, dispatch, link, language)


def _from(request, message):
    "Where the page was answered from, as the work order keeps it"
    agent = (request.headers.get('User-Agent') or '')[:120]
    return gettext(f'service_dispatch.{message}',
        address=request.remote_addr or '', agent=agent)[:250]


def _answerable(dispatch):
    "The quotation waits for the customer's answer"
    return (dispatch.quotation_state == 'sent'
        and dispatch.state not in {'done', 'cancelled'})


def _quotation_page(request, dispatch, language, error=None, name='',
        status=None):
    from trytond.pool import Pool
    Lang = Pool().get('ir.lang')
    lang = Lang.get(language)
    with Transaction().set_context(language=language):
        title = _text('msg_quotation_title', number=dispatch.number or '')
        body = [f'<h1>{title}</h1>']
        answer = dispatch.quotation_state
        if answer in {'accepted', 'refused'}:
            message = ('msg_quotation_accepted' if answer == 'accepted'
                else 'msg_quotation_refused')
            body.append('<div class="done">' + _text(
                    message, name=dispatch.quotation_answered_by or '',
                    date=pages.local_date(
                        dispatch.quotation_answered_date, dispatch.company,
                        lang)) + '</div>')
        if error:
            body.append(f'<div class="error" role="alert">{error}</div>')
        e = html.escape
        body.append('<section>'
            f'<p>{e(dispatch.party.rec_name)}'
            + (f' · {e(dispatch.serial_number)}'
                if dispatch.serial_number else '') + '</p>'
            + (f'<p>{e(dispatch.request.description or "")}</p>'
                if dispatch.request.description else '')
            + _charges(dispatch, lang) + '</section>')
        if _answerable(dispatch):
            body.append(
                '<form id="form" method="post"><section>'
                f'<p>{_text("msg_quotation_intro")}</p>'
                + _name_input(name) +
                '<div class="buttons">'
                '<button type="submit" name="answer" value="refuse" '
                f'class="refuse" id="refuse">{_text("msg_quotation_refuse")}'
                '</button>'
                '<button type="submit" name="answer" value="accept" '
                f'id="accept">{_text("msg_quotation_accept")}</button>'
                '</div></section></form>')
        if status is None:
            status = HTTPStatus.BAD_REQUEST if error else HTTPStatus.OK
        return pages.page(title, ''.join(body), language, status=status)


@app.route('/<database_name>/service/quotation/<token>',
    methods=['GET', 'POST'])
@allow_null_origin
@with_pool
@with_transaction(user=0)
def quotation(request, pool, token):
    Link = pool.get('service.link')
    Dispatch = pool.get('service.dispatch')
    link = Link.find(token, 'quotation')
    refused = pages.body_refused(request, link)
    if refused:
        return refused
    dispatch = _dispatch(pool, link)
    if not dispatch or dispatch.quotation_state == 'none':
        return not_valid(request)
    language = pages.language(request, dispatch.party)
    if request.method == 'GET' or not _answerable(dispatch):
        return _quotation_page(request, dispatch, language)

    form = pages.form(request)
    name = pages.field(form, 'name', NAME_MAX)
    answer = form.get('answer')
    with Transaction().set_context(language=language):
        if answer not in {'accept', 'refuse'}:
            return _quotation_page(request, dispatch, language,
                error=_text('msg_quotation_answer_invalid'),
                name=name or '')
        if not name:
            return _quotation_page(request, dispatch, language,
                error=_text('msg_sign_name_invalid', max=NAME_MAX),
                name=(pages.field(form, 'name') or '')[:NAME_MAX])

    # One answer: a second post waits for the first and finds it answered
    Link.lock([link])
    Dispatch.lock([dispatch])
    dispatch = Dispatch(dispatch.id)
    if not _answerable(dispatch):
        return _quotation_page(request, dispatch, language)
    now = dt.datetime.now()
    if answer == 'accept':
        Dispatch.accept_quotation([dispatch])
    else:
        Dispatch.refuse_quotation([dispatch])
    dispatch = Dispatch(dispatch.id)
    dispatch.quotation_answered_by = name
    dispatch.quotation_answered_date = now
    dispatch.quotation_answered_from = _from(
        request, 'msg_quotation_from_link')
    dispatch.save()
    link.used_date = now
    link.save()
    return _quotation_page(request, dispatch, language)
