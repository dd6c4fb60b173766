# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""What the customer's pages share: the page, its language, its style

The pages are served by trytond itself (routes of the modules), mobile
first, in the customer's language, with nothing loaded from outside the
server; a token that opens nothing gets one answer, "link not valid"."""
import html
from http import HTTPStatus

from werkzeug.wrappers import Response

from trytond.i18n import gettext
from trytond.transaction import Transaction

LANGUAGES = {'zh_CN', 'en'}
# What a page's form may send: a signature is the largest
BODY_MAX = 512 * 1024

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
.state{font-weight:bold;font-size:1.1rem}
canvas{width:100%;height:12rem;background:#fff;border:2px dashed #7a9;
border-radius:.5rem;touch-action:none;display:block}
label{display:block;font-weight:bold;margin:.6rem 0 .2rem}
input[type=text],select,textarea{width:100%;font-size:1.1rem;padding:.5rem;
border:1px solid #aaa;border-radius:.4rem;background:#fff}
fieldset{border:0;padding:0;margin:.6rem 0}
legend{font-weight:bold;margin-bottom:.3rem}
.scores{display:flex;gap:.3rem}
.scores label{flex:1;margin:0;font-weight:normal}
.scores input{position:absolute;opacity:0}
.scores span{display:block;text-align:center;padding:.55rem 0;
border:1px solid #aaa;border-radius:.4rem;background:#fff;font-size:1.1rem}
.scores input:checked+span{background:#267f82;color:#fff;border-color:#267f82}
.scores input:focus+span{outline:2px solid #7a9}
.hint{color:#666;font-size:.9rem}
.buttons{display:flex;gap:.6rem;margin-top:.8rem}
button{flex:1;font-size:1.1rem;padding:.7rem;border-radius:.4rem;
border:0;background:#267f82;color:#fff}
button.secondary{background:#ccd;color:#222}
button.refuse{background:#a33}
img.signature{max-width:100%;background:#fff;border:1px solid #ddd}
'''


def text(module, message, **kwargs):
    "The message of the module, escaped for the page"
    return html.escape(gettext(f'{module}.{message}', **kwargs))


def page(title, body, language, status=HTTPStatus.OK, script=None):
    "The page with its body, its own style and script and nothing else"
    lang = 'zh-CN' if language == 'zh_CN' else 'en'
    content = (
        '<!DOCTYPE html>'
        f'<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" '
        'content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f'<title>{title}</title><style>{STYLE}</style></head>'
        f'<body><main>{body}</main>'
        + (f'<script>{script}</script>' if script else '')
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


def language(request, party=None):
    "The customer's language: the party's, else the browser's"
    if party and party.lang and party.lang.code in LANGUAGES:
        return party.lang.code
    best = request.accept_languages.best_match(['zh-CN', 'zh', 'en'])
    return 'zh_CN' if best and best.startswith('zh') else 'en'


def not_valid(request, language_=None, message='msg_link_not_valid',
        status=HTTPStatus.NOT_FOUND):
    """The one answer to a token that opens nothing (and, with its message
    and status, to a body refused unread)"""
    language_ = language_ or language(request)
    with Transaction().set_context(language=language_):
        title = text('service_desk', 'msg_link_not_valid_title')
        body = (f'<h1>{title}</h1><section><p>'
            f'{text("service_desk", message)}</p></section>')
    return page(title, body, language_, status=status)


def body_refused(request, link):
    """The answer to a post whose body is too large or of unknown length,
    None if it may be read"""
    if request.method != 'POST':
        return None
    if (request.content_length is not None
            and request.content_length <= BODY_MAX):
        return None
    # Read nothing of it
    if not link:
        return not_valid(request)
    return not_valid(request, message='msg_link_body_too_large',
        status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)


def form(request):
    """The posted form, empty when it cannot be read; a field posted more
    than once is ambiguous and counts as not posted"""
    try:
        return {name: values[0] if len(values) == 1 else None
            for name, values in request.form.lists()}
    except (ValueError, UnicodeError):
        return {}


def field(values, name, max_length=None):
    "The text posted for the name, its spaces collapsed; None if too long"
    value = values.get(name) or ''
    if not isinstance(value, str):
        return ''
    value = ' '.join(value.split())
    if max_length is not None and len(value) > max_length:
        return None
    return value


def local_date(record_date, company, lang, format='%x %H:%M'):
    "The date in the company's time zone, as the language writes it"
    from .sla import company_timezone, to_local
    if not record_date:
        return ''
    return lang.strftime(
        to_local(record_date, company_timezone(company)), format)
