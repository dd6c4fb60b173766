# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The customer follows the request: GET /<database>/service/status/<token>

The page shows the request's state, its deadlines and what the other
modules add (the appointment and the technician's name), of the request of
the token and nothing of any other; it changes nothing."""
import html

from trytond.protocols.wrappers import (
    allow_null_origin, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

from . import pages


@app.route('/<database_name>/service/status/<token>', methods=['GET'])
@allow_null_origin
@with_pool
@with_transaction(readonly=True, user=0)
def status(request, pool, token):
    Link = pool.get('service.link')
    Request = pool.get('service.request')
    Lang = pool.get('ir.lang')
    link = Link.find(token, 'status')
    if not link or link.resource.__name__ != 'service.request':
        return pages.not_valid(request)
    record = Request(link.resource.id)
    language = pages.language(request, record.party)
    with Transaction().set_context(language=language):
        record = Request(record.id)
        lang = Lang.get(language)
        title = pages.text(
            'service_desk', 'msg_status_title', number=record.number or '')
        rows = ''.join(
            f'<tr><th>{html.escape(label)}</th>'
            f'<td>{html.escape(value)}</td></tr>'
            for label, value in record.customer_status(lang) if value)
        body = (f'<h1>{title}</h1>'
            f'<section><p class="state">{html.escape(record.customer_state)}'
            f'</p><table>{rows}</table></section>'
            f'<p class="hint">{pages.text("service_desk", "msg_status_hint")}'
            '</p>')
    return pages.page(title, body, language)
