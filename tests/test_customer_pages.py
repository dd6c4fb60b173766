# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The customer's signing page, called as a hostile visitor would.

The pages are served by trytond's own WSGI application (routes of
service_dispatch); the database is a copy of the roles layer
(tests/role_data.py) where a work order of Liu Yang is in progress.  Every
refused call answers the same way for the same fault and leaves the
database as it was (the fuzz test's fingerprint of every table); the one
good signature is stored once.
"""
import base64
import datetime as dt
import re
import secrets
import struct
import zlib

import pytest
from werkzeug.test import Client

import layers
from test_fuzz_rpc import fingerprint
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction
from trytond.wsgi import app


def png(width, height, ink=()):
    "An RGBA PNG, transparent but for the pixels in ink, black"
    rows = b''.join(
        b'\0' + b''.join(
            b'\0\0\0\xff' if (x, y) in ink else b'\0\0\0\0'
            for x in range(width))
        for y in range(height))

    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data
            + struct.pack('>I', zlib.crc32(kind + data)))
    return (b'\x89PNG\r\n\x1a\n'
        + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 6, 0, 0,
                0))
        + chunk(b'IDAT', zlib.compress(rows))
        + chunk(b'IEND', b''))


def data_url(data, kind='image/png'):
    return f'data:{kind};base64,' + base64.b64encode(data).decode()


STROKE = png(60, 20, {(x, 10) for x in range(5, 55)})
BLANK = png(60, 20)


@pytest.fixture(scope='module')
def site():
    layers.use('roles')
    with Transaction().start(DB_NAME, 0) as transaction:
        pool = Pool()
        Dispatch = pool.get('service.dispatch')
        Link = pool.get('service.link')
        Employee = pool.get('company.employee')
        liu, = Employee.search([('party.name', '=', "Liu Yang")])
        dispatch, = Dispatch.search([
                ('technician', '=', liu.id), ('state', '=', 'draft')])
        other, = Dispatch.search([
                ('technician.party.name', '=', "Chen Jie"),
                ('company', '=', dispatch.company.id)])
        Dispatch.write([dispatch, other], {'state': 'in_progress'})
        now = dt.datetime.now()
        tomorrow = now + dt.timedelta(days=1)
        _, token = Link.issue(dispatch, 'sign', tomorrow)
        _, expired = Link.issue(dispatch, 'sign', now - dt.timedelta(minutes=1))
        _, status = Link.issue(dispatch.request, 'status', tomorrow)
        _, survey = Link.issue(dispatch, 'survey', tomorrow)
        _, other_token = Link.issue(other, 'sign', tomorrow)
        transaction.commit()
        numbers = dispatch.number, other.number
        ids = dispatch.id, other.id
    return {
        'client': Client(app), 'token': token, 'expired': expired,
        'status': status, 'survey': survey, 'other': other_token,
        'numbers': numbers, 'ids': ids,
        }


def url(token):
    return f'/{DB_NAME}/service/sign/{token}'


def signature_of(dispatch_id):
    with Transaction().start(DB_NAME, 0, readonly=True):
        Dispatch = Pool().get('service.dispatch')
        dispatch = Dispatch(dispatch_id)
        return (dispatch.signature, dispatch.signed_by, dispatch.signed_from,
            dispatch.signed_date)


def test_page_shows_the_work_order_alone(site):
    "The page of the token: its work order, nothing loaded from elsewhere"
    response = site['client'].get(url(site['token']))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    mine, other = site['numbers']
    assert mine in page and other not in page
    assert '<canvas id="pad"' in page and 'name="name"' in page
    # No script, style, font or picture from another address
    assert not re.search(r'''(src|href)\s*=\s*["']?(https?:)?//''', page)
    assert "default-src 'none'" in response.headers[
        'Content-Security-Policy']
    assert response.headers['Cache-Control'] == 'no-store'


@pytest.mark.parametrize('method', ['GET', 'POST'])
def test_tokens_that_open_nothing(site, method):
    """Wrong, malformed, expired and other-purpose tokens: the same page,
    not found, and nothing changed"""
    client = site['client']
    before = fingerprint()
    answers = set()
    for token in [
            secrets.token_urlsafe(32),
            site['token'][:-1],
            site['token'] + 'A',
            site['token'][:-1] + ('A' if site['token'][-1] != 'A' else 'B'),
            'x' * 5000,
            "'; DROP TABLE service_dispatch; --",
            site['expired'],
            site['status'],
            site['survey'],
            ]:
        response = client.open(url(token), method=method,
            data={'name': "Mallory", 'signature': data_url(STROKE)})
        assert response.status_code == 404, (token, response.status)
        answers.add(response.get_data(as_text=True))
    assert len(answers) == 1, answers
    page, = answers
    assert 'Link not valid' in page
    assert fingerprint() == before


@pytest.mark.parametrize('data, status, message', [
        ({'name': '', 'signature': 'STROKE'}, 400, 'Type your name'),
        ({'name': '   ', 'signature': 'STROKE'}, 400, 'Type your name'),
        ({'name': 'x' * 81, 'signature': 'STROKE'}, 400, 'Type your name'),
        ({'name': "Zhang Wei"}, 400, 'The signature is empty'),
        ({'name': "Zhang Wei", 'signature': ''}, 400,
            'The signature is empty'),
        ({'name': "Zhang Wei", 'signature': 'BLANK'}, 400,
            'The signature is empty'),
        ({'name': "Zhang Wei",
                'signature': data_url(b'GIF89a' + b'\0' * 40, 'image/gif')},
            400, 'could not be read'),
        ({'name': "Zhang Wei", 'signature': data_url(b'<svg onload=x>')},
            400, 'could not be read'),
        ({'name': "Zhang Wei",
                'signature': data_url(STROKE[:40])},
            400, 'could not be read'),
        ({'name': "Zhang Wei", 'signature': 'data:image/png;base64,%%%'},
            400, 'could not be read'),
        ({'name': "Zhang Wei",
                'signature': data_url(png(5000, 1, {(1, 0)}))},
            400, 'could not be read'),
        ({'name': "Zhang Wei",
                'signature': data_url(b'\x89PNG\r\n\x1a\n' + bytes(200000))},
            400, 'could not be read'),
        ({'name': "Zhang Wei",
                'signature': data_url(STROKE + bytes(300 * 1024))},
            413, 'too large'),
        ])
def test_bad_signatures_refused(site, data, status, message):
    "Refused with the reason in the page's language, nothing written"
    data = dict(data)
    if data.get('signature') in {'STROKE', 'BLANK'}:
        data['signature'] = data_url(
            STROKE if data['signature'] == 'STROKE' else BLANK)
    before = fingerprint()
    response = site['client'].post(url(site['token']), data=data)
    assert response.status_code == status, response.get_data(as_text=True)
    assert message in response.get_data(as_text=True)
    assert fingerprint() == before
    assert signature_of(site['ids'][0])[0] is None


@pytest.mark.parametrize('body, content_type', [
        (b'\xff\xfe' * 1000, 'application/x-www-form-urlencoded'),
        (b'name=%ZZ&signature=%', 'application/x-www-form-urlencoded'),
        (b'--x\r\nContent-Disposition: form-data; name="name"\r\n\r\n',
            'multipart/form-data; boundary=x'),
        (b'{"name": "Zhang Wei"}', 'application/json'),
        (b'<xml/>', 'text/xml'),
        ])
def test_malformed_bodies_refused(site, body, content_type):
    before = fingerprint()
    response = site['client'].post(
        url(site['token']), data=body, content_type=content_type)
    assert response.status_code == 400, response.status
    assert fingerprint() == before


def test_huge_body_refused_unread(site):
    before = fingerprint()
    response = site['client'].post(
        url(site['token']), data=b'name=x&signature=' + b'A' * (600 * 1024),
        content_type='application/x-www-form-urlencoded')
    assert response.status_code == 413
    assert fingerprint() == before


def test_sign_once(site):
    """The good signature is stored with the name, the date and where it
    came from; the link then shows it and signs nothing more, as does a
    replay"""
    client = site['client']
    response = client.post(url(site['token']),
        data={'name': "  Zhang   Wei ", 'signature': data_url(STROKE)},
        headers={'User-Agent': 'Phone/1.0'})
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    assert 'Signed by Zhang Wei' in page
    signature, signed_by, signed_from, signed_date = signature_of(
        site['ids'][0])
    assert signature == STROKE
    assert signed_by == "Zhang Wei"
    assert 'Signing link' in signed_from and 'Phone/1.0' in signed_from
    assert signed_date is not None

    # Replayed, or another name: nothing changes
    before = fingerprint()
    for name in ["Zhang Wei", "Mallory"]:
        response = client.post(url(site['token']),
            data={'name': name, 'signature': data_url(
                    png(60, 20, {(1, 1)}))})
        assert response.status_code == 200
        assert 'Signed by Zhang Wei' in response.get_data(as_text=True)
    assert fingerprint() == before
    assert signature_of(site['ids'][0])[:2] == (STROKE, "Zhang Wei")
    response = client.get(url(site['token']))
    assert 'Signed by Zhang Wei' in response.get_data(as_text=True)
    assert '<canvas' not in response.get_data(as_text=True)

    # The other work order's link is its own, still unsigned
    response = client.get(url(site['other']))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert site['numbers'][1] in page and '<canvas' in page
    assert signature_of(site['ids'][1])[0] is None


def test_page_in_chinese(site):
    "A browser asking for Chinese reads the page in Chinese"
    response = site['client'].get(url(site['other']),
        headers={'Accept-Language': 'zh-CN,zh;q=0.9'})
    page = response.get_data(as_text=True)
    assert 'lang="zh-CN"' in page
    response = site['client'].get(url(secrets.token_urlsafe(32)),
        headers={'Accept-Language': 'zh-CN'})
    assert response.status_code == 404
    assert 'lang="zh-CN"' in response.get_data(as_text=True)


def test_link_of_a_deleted_work_order(site):
    "A link whose work order was deleted opens nothing"
    with Transaction().start(DB_NAME, 0) as transaction:
        pool = Pool()
        Dispatch = pool.get('service.dispatch')
        Link = pool.get('service.link')
        dispatch, = Dispatch.copy([Dispatch(site['ids'][1])])
        _, token = Link.issue(
            dispatch, 'sign', dt.datetime.now() + dt.timedelta(days=1))
        Dispatch.delete([dispatch])
        transaction.commit()
    before = fingerprint()
    response = site['client'].get(url(token))
    assert response.status_code == 404
    assert 'Link not valid' in response.get_data(as_text=True)
    assert fingerprint() == before


def test_link_from_the_work_order(site):
    """The work order's button gives a link of its own that opens its page;
    done, the link ends after the grace period"""
    with Transaction().start(DB_NAME, 0) as transaction:
        pool = Pool()
        Dispatch = pool.get('service.dispatch')
        Link = pool.get('service.link')
        dispatch = Dispatch(site['ids'][1])
        action = Dispatch.signing_link([dispatch])
        address = action['url']
        token = address.rsplit('/', 1)[1]
        assert address.endswith(f'/{DB_NAME}/service/sign/{token}')
        link = Link.find(token, 'sign')
        assert link and link.resource == dispatch
        # The database keeps the digest, not the token
        assert token not in {l.token_digest for l in Link.search([])}
        hours = (link.expiry - dt.datetime.now()).total_seconds() / 3600
        assert 47 < hours <= 48
        # Ended a day after the work order is done
        Link.shorten([dispatch], 'sign',
            dt.datetime.now() - dt.timedelta(seconds=1))
        assert Link.find(token, 'sign') is None
        transaction.rollback()
