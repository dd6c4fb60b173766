# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The customer signs the work order on the technician's phone or tablet

GET /<database>/service/sign/<token> shows the work done (repair log,
parts, labour, and the amount when chargeable) with a box to sign in with
a finger or a stylus and the signer's name; POST stores the signature (PNG)
on the work order with the name, the date and where it was signed from.
Once signed the link shows the signed record and signs nothing more.  A
wrong, expired or other-purpose token gets the same page, "link not valid",
and changes nothing; what is posted is checked (name, image type, size,
blank) and refused with a message in the page's language, nothing written.
The page loads nothing from outside the server."""
import base64
import binascii
import datetime as dt
import html
import logging
import struct
import zlib
from http import HTTPStatus

from werkzeug.wrappers import Response

from trytond.i18n import gettext
from trytond.modules.service_desk.sla import company_timezone, to_local
from trytond.protocols.wrappers import (
    allow_null_origin, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

logger = logging.getLogger(__name__)

NAME_MAX = 80
# A signature drawn on a phone is a few kilobytes; a tablet's, a few tens
IMAGE_MAX = 256 * 1024
BODY_MAX = 2 * IMAGE_MAX
SIDE_MAX = 4000
PNG_MAGIC = b'\x89PNG\r\n\x1a\n'
DATA_URL = 'data:image/png;base64,'
LANGUAGES = {'zh': 'zh_CN', 'en': 'en'}

STYLE = '''
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",
"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
color:#222;background:#f4f6f6}
main{max-width:40rem;margin:0 auto;padding:1rem}
h1{font-size:1.3rem;margin:.2rem 0 1rem}
h2{font-size:1.05rem;margin:1.2rem 0 .4rem}
section{background:#fff;border-radius:.5rem;padding:.8rem 1rem;
margin-bottom:.8rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
table{width:100%;border-collapse:collapse}
td,th{padding:.3rem .2rem;border-bottom:1px solid #eee;text-align:left;
vertical-align:top}
td.n,th.n{text-align:right;white-space:nowrap}
.total{font-weight:bold;font-size:1.1rem;text-align:right}
.error{background:#fdecea;color:#8a1c13;border-radius:.5rem;
padding:.6rem 1rem;margin-bottom:.8rem}
.done{background:#e7f5ec;color:#135c2e;border-radius:.5rem;
padding:.6rem 1rem;margin-bottom:.8rem}
canvas{width:100%;height:12rem;background:#fff;border:2px dashed #7a9;
border-radius:.5rem;touch-action:none;display:block}
label{display:block;font-weight:bold;margin:.6rem 0 .2rem}
input[type=text]{width:100%;font-size:1.1rem;padding:.5rem;
border:1px solid #aaa;border-radius:.4rem}
.buttons{display:flex;gap:.6rem;margin-top:.8rem}
button{flex:1;font-size:1.1rem;padding:.7rem;border-radius:.4rem;
border:0;background:#267f82;color:#fff}
button.secondary{background:#ccd;color:#222}
img.signature{max-width:100%;background:#fff;border:1px solid #ddd}
'''

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
    return html.escape(gettext('service_dispatch.' + message, **kwargs))


def _page(title, body, language, status=HTTPStatus.OK, script=False):
    lang = 'zh-CN' if language == 'zh_CN' else 'en'
    content = (
        '<!DOCTYPE html>'
        f'<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" '
        'content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f'<title>{title}</title><style>{STYLE}</style></head>'
        f'<body><main>{body}</main>'
        + (f'<script>{SCRIPT}</script>' if script else '')
        + '</body></html>')
    response = Response(
        content, status=status, content_type='text/html; charset=utf-8')
    # Only what the page itself brings: no script, style, font or image
    # from elsewhere, no frame
    response.headers['Content-Security-Policy'] = (
        "default-src 'none'; img-src 'self' data:; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    response.headers['Cache-Control'] = 'no-store'
    response.headers['Referrer-Policy'] = 'no-referrer'
    response.headers['X-Content-Type-Options'] = 'nosniff'
    return response


def _language(request, party=None):
    "The customer's language: the party's, else the browser's"
    if party and party.lang and party.lang.code in {'zh_CN', 'en'}:
        return party.lang.code
    best = request.accept_languages.best_match(['zh-CN', 'zh', 'en'])
    return 'zh_CN' if best and best.startswith('zh') else 'en'


def not_valid(request, language=None, message='msg_link_not_valid',
        status=HTTPStatus.NOT_FOUND):
    """The one answer to a token that opens nothing (and, with its message
    and status, to a body refused unread)"""
    language = language or _language(request)
    with Transaction().set_context(language=language):
        title = _text('msg_link_not_valid_title')
        body = (f'<h1>{title}</h1><section><p>'
            f'{_text(message)}</p></section>')
    return _page(title, body, language, status=status)


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


def _work_order(dispatch, lang):
    "The work done, as the customer reads it"
    from .dispatch import WorkOrderReport
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

    def money(amount):
        if amount is None:
            return _text('msg_sign_free')
        return e(lang.currency(amount, dispatch.company.currency))
    rows = ''.join(
        f'<tr><td>{e(part.product.rec_name)}</td>'
        f'<td class="n">{e(lang.format_number_symbol(part.quantity_out, part.unit, digits=part.unit.digits))}</td>'  # noqa: E501
        f'<td class="n">{money(WorkOrderReport.part_amount(part))}</td></tr>'
        for part in dispatch.parts if part.quantity_out)
    if rows:
        parts.append(f'<h2>{_text("msg_sign_parts")}</h2>'
            f'<table>{rows}</table>')
    rows = ''.join(
        f'<tr><td>{e(line.employee.rec_name)}</td>'
        f'<td class="n">{e(lang.format("%.2f", line.hours or 0))} h</td>'
        f'<td class="n">{money(WorkOrderReport.labour_amount(line))}</td>'
        '</tr>' for line in dispatch.labour)
    if rows:
        parts.append(f'<h2>{_text("msg_sign_labour")}</h2>'
            f'<table>{rows}</table>')
    if dispatch.chargeable or dispatch.visit_time_band:
        parts.append(f'<p class="total">{_text("msg_sign_total")} '
            f'{money(WorkOrderReport.total_amount(dispatch))}</p>')
    else:
        parts.append(f'<p class="total">{_text("msg_sign_covered")}</p>')
    return '<section>' + ''.join(parts) + '</section>'


def _sign_page(request, dispatch, link, language, error=None, name='',
        status=None):
    from trytond.pool import Pool
    Lang = Pool().get('ir.lang')
    lang = Lang.get(language)
    with Transaction().set_context(language=language):
        title = _text('msg_sign_title', number=dispatch.number or '')
        body = [f'<h1>{title}</h1>']
        if dispatch.signature_id and dispatch.signed_by:
            # The company's clock
            signed_date = to_local(
                dispatch.signed_date, company_timezone(dispatch.company)
                ) if dispatch.signed_date else None
            body.append('<div class="done">' + _text(
                    'msg_sign_done', name=dispatch.signed_by,
                    date=lang.strftime(signed_date, '%x %H:%M')
                    if signed_date else '') + '</div>')
            body.append(_work_order(dispatch, lang))
            picture = base64.b64encode(dispatch.signature).decode('ascii')
            body.append('<section><img class="signature" alt="" '
                f'src="data:image/png;base64,{picture}"></section>')
            return _page(title, ''.join(body), language)
        if error:
            body.append(f'<div class="error" role="alert">{error}</div>')
        body.append(_work_order(dispatch, lang))
        body.append(
            '<form id="form" method="post"><section>'
            f'<p>{_text("msg_sign_intro")}</p>'
            '<canvas id="pad"></canvas>'
            '<input type="hidden" id="signature" name="signature">'
            f'<label for="name">{_text("msg_sign_name")}</label>'
            f'<input type="text" id="name" name="name" required '
            f'maxlength="{NAME_MAX}" autocomplete="name" '
            f'value="{html.escape(name)}">'
            '<div class="buttons">'
            f'<button type="button" class="secondary" id="clear">'
            f'{_text("msg_sign_clear")}</button>'
            f'<button type="submit" id="submit">{_text("msg_sign_submit")}'
            '</button></div></section></form>')
        if status is None:
            status = HTTPStatus.BAD_REQUEST if error else HTTPStatus.OK
        return _page(title, ''.join(body), language, status=status,
            script=True)


@app.route('/<database_name>/service/sign/<token>', methods=['GET', 'POST'])
@allow_null_origin
@with_pool
@with_transaction(user=0)
def sign(request, pool, token):
    Link = pool.get('service.link')
    Dispatch = pool.get('service.dispatch')
    link = Link.find(token, 'sign')
    if request.method == 'POST' and (
            request.content_length is None
            or request.content_length > BODY_MAX):
        # Read nothing of a body too large or of unknown length
        if not link:
            return not_valid(request)
        return not_valid(request, message='msg_sign_image_too_large',
            status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    if not link or link.resource.__name__ != 'service.dispatch':
        return not_valid(request)
    dispatch = Dispatch(link.resource.id)
    language = _language(request, dispatch.party)
    signed = bool(dispatch.signature_id and dispatch.signed_by)
    if request.method == 'GET' or signed:
        if not signed and dispatch.state not in {
                'assigned', 'confirmed', 'in_progress'}:
            return not_valid(request, language)
        return _sign_page(request, dispatch, link, language)
    if dispatch.state not in {'assigned', 'confirmed', 'in_progress'}:
        return not_valid(request, language)

    try:
        form = request.form
        name = ' '.join((form.get('name') or '').split())
    except (ValueError, UnicodeError):
        form, name = {}, ''
    name = name if isinstance(name, str) else ''
    with Transaction().set_context(language=language):
        if not name or len(name) > NAME_MAX:
            return _sign_page(request, dispatch, link, language,
                error=_text('msg_sign_name_invalid', max=NAME_MAX),
                name=name[:NAME_MAX])
        value = form.get('signature') or ''
        if not value.startswith(DATA_URL):
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
    agent = (request.headers.get('User-Agent') or '')[:120]
    dispatch.signature = data
    dispatch.signed_by = name
    dispatch.signed_date = now
    dispatch.signed_from = gettext(
        'service_dispatch.msg_signed_from_link',
        address=request.remote_addr or '', agent=agent)[:250]
    dispatch.save()
    link.used_date = now
    link.save()
    return _sign_page(request, dispatch, link, language)

