# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The customer's pages (signing, quotation, status of a request, survey),
called as a hostile visitor would.

The pages are served by trytond's own WSGI application (routes of
service_desk, service_dispatch and service_kpi); the database is a copy of
the roles layer (tests/role_data.py) where a work order of Liu Yang is in
progress, Chen Jie's has a quotation sent and the follow-up survey waits.
Every refused call answers the same way for the same fault and leaves the
database as it was (the fuzz test's fingerprint of every table); the one
good signature, quotation answer and survey answer are stored once.
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
        Survey = pool.get('service.survey')
        Request = pool.get('service.request')
        Dispatch.write([dispatch, other], {'state': 'in_progress'})
        Dispatch.write([other], {'quotation_state': 'sent'})
        survey, = Survey.search([
                ('company', '=', dispatch.company.id),
                ('state', '=', 'pending')])
        other_request, = Request.search([
                ('company', '=', dispatch.company.id),
                ('id', '!=', dispatch.request.id),
                ('state', '=', dispatch.request.state)], limit=1)
        now = dt.datetime.now()
        tomorrow = now + dt.timedelta(days=1)
        before = now - dt.timedelta(minutes=1)
        _, token = Link.issue(dispatch, 'sign', tomorrow)
        _, expired = Link.issue(dispatch, 'sign', before)
        # A survey link of a work order: the purpose's, not its record's
        _, survey_of_dispatch = Link.issue(dispatch, 'survey', tomorrow)
        _, other_token = Link.issue(other, 'sign', tomorrow)
        tokens = {
            'status': Link.issue(dispatch.request, 'status', tomorrow)[1],
            'status_expired': Link.issue(
                dispatch.request, 'status', before)[1],
            'quotation': Link.issue(other, 'quotation', tomorrow)[1],
            'quotation_expired': Link.issue(other, 'quotation', before)[1],
            # No quotation sent: its link opens nothing
            'quotation_none': Link.issue(dispatch, 'quotation', tomorrow)[1],
            'survey': Link.issue(survey, 'survey', tomorrow)[1],
            'survey_expired': Link.issue(survey, 'survey', before)[1],
            }
        transaction.commit()
        numbers = dispatch.number, other.number
        ids = dispatch.id, other.id
        requests = dispatch.request.number, other_request.number
        survey_id = survey.id
    return dict(tokens, **{
        'client': Client(app), 'token': token, 'expired': expired,
        'survey_of_dispatch': survey_of_dispatch, 'other': other_token,
        'numbers': numbers, 'ids': ids, 'requests': requests,
        'survey_id': survey_id,
        })


def url(token, page='sign'):
    return f'/{DB_NAME}/service/{page}/{token}'


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
            site['survey_of_dispatch'],
            site['quotation'],
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


# The other pages -------------------------------------------------------------

def not_valid_page(client):
    "The page of a link that opens nothing, as a random token gets it"
    return client.get(url(secrets.token_urlsafe(32))).get_data(as_text=True)


@pytest.mark.parametrize('page, method, keys', [
        ('quotation', 'GET', ['quotation_expired', 'quotation_none',
                'token', 'status', 'survey']),
        ('quotation', 'POST', ['quotation_expired', 'quotation_none',
                'token', 'status', 'survey']),
        ('status', 'GET', ['status_expired', 'token', 'quotation',
                'survey']),
        ('survey', 'GET', ['survey_expired', 'survey_of_dispatch', 'token',
                'status', 'quotation']),
        ('survey', 'POST', ['survey_expired', 'survey_of_dispatch', 'token',
                'status', 'quotation']),
        ])
def test_other_pages_tokens_that_open_nothing(site, page, method, keys):
    """Wrong, expired and other-purpose tokens, a quotation not sent, a
    survey link of another record: the signing page's "not valid" page,
    and nothing changed"""
    client = site['client']
    expected = not_valid_page(client)
    before = fingerprint()
    tokens = [site[k] for k in keys] + [
        secrets.token_urlsafe(32), site[keys[0]] + 'A', 'x' * 5000]
    for token in tokens:
        response = client.open(url(token, page), method=method, data={
                'name': "Mallory", 'answer': 'accept', 'overall': '5',
                'attitude': '5', 'timeliness': '5', 'quality': '5'})
        assert response.status_code == 404, (token, response.status)
        assert response.get_data(as_text=True) == expected
    assert fingerprint() == before


def quotation_of(dispatch_id):
    with Transaction().start(DB_NAME, 0, readonly=True):
        dispatch = Pool().get('service.dispatch')(dispatch_id)
        return (dispatch.quotation_state, dispatch.quotation_answered_by,
            dispatch.quotation_answered_date,
            dispatch.quotation_answered_from)


def test_quotation_page_shows_its_work_order(site):
    response = site['client'].get(url(site['quotation'], 'quotation'))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    mine, other = site['numbers']
    assert other in page and mine not in page
    assert 'id="accept"' in page and 'id="refuse"' in page
    assert not re.search(r'''(src|href)\s*=\s*["']?(https?:)?//''', page)
    assert "default-src 'none'" in response.headers[
        'Content-Security-Policy']
    response = site['client'].get(url(site['quotation'], 'quotation'),
        headers={'Accept-Language': 'zh-CN,zh;q=0.9'})
    page = response.get_data(as_text=True)
    # (the test database has no Chinese translation loaded: the page's
    # language is what it asks for; the browser test reads it in Chinese)
    assert 'lang="zh-CN"' in page


@pytest.mark.parametrize('data, message', [
        ({'name': "Zhang Wei"}, 'Choose Accept or Refuse'),
        ({'name': "Zhang Wei", 'answer': 'maybe'}, 'Choose Accept or Refuse'),
        ({'name': "Zhang Wei", 'answer': ['accept', 'refuse']},
            'Choose Accept or Refuse'),
        ({'answer': 'accept'}, 'Type your name'),
        ({'name': ' ', 'answer': 'accept'}, 'Type your name'),
        ({'name': 'x' * 81, 'answer': 'refuse'}, 'Type your name'),
        ])
def test_bad_quotation_answers_refused(site, data, message):
    before = fingerprint()
    response = site['client'].post(
        url(site['quotation'], 'quotation'), data=data)
    assert response.status_code == 400, response.status
    assert message in response.get_data(as_text=True)
    assert fingerprint() == before
    assert quotation_of(site['ids'][1])[0] == 'sent'


@pytest.mark.parametrize('page', ['quotation', 'survey'])
def test_other_pages_malformed_and_huge_bodies(site, page):
    client = site['client']
    before = fingerprint()
    for body, content_type in [
            (b'\xff\xfe' * 1000, 'application/x-www-form-urlencoded'),
            (b'answer=%ZZ&overall=%', 'application/x-www-form-urlencoded'),
            (b'--x\r\nContent-Disposition: form-data; name="name"\r\n\r\n',
                'multipart/form-data; boundary=x'),
            (b'{"answer": "accept", "name": "Zhang Wei"}',
                'application/json'),
            ]:
        response = client.post(url(site[page], page), data=body,
            content_type=content_type)
        assert response.status_code == 400, (body, response.status)
    response = client.post(url(site[page], page),
        data=b'name=x&comment=' + b'A' * (600 * 1024),
        content_type='application/x-www-form-urlencoded')
    assert response.status_code == 413
    assert 'too large' in response.get_data(as_text=True)
    assert fingerprint() == before


def test_quotation_answered_once(site):
    """Accepted on the page: the quotation state as the button sets it,
    who, when and from where; a replay or a refusal after it changes
    nothing"""
    client = site['client']
    response = client.post(url(site['quotation'], 'quotation'),
        data={'name': " Zhang  Wei ", 'answer': 'accept'},
        headers={'User-Agent': 'Phone/2.0'})
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    assert 'Quotation accepted by Zhang Wei' in page
    assert 'id="accept"' not in page
    state, by, date, where = quotation_of(site['ids'][1])
    assert (state, by) == ('accepted', "Zhang Wei")
    assert date is not None
    assert 'Quotation link' in where and 'Phone/2.0' in where

    before = fingerprint()
    for answer in ['accept', 'refuse']:
        response = client.post(url(site['quotation'], 'quotation'),
            data={'name': "Mallory", 'answer': answer})
        assert response.status_code == 200
        assert 'Quotation accepted by Zhang Wei' in response.get_data(
            as_text=True)
    assert fingerprint() == before
    assert quotation_of(site['ids'][1])[:2] == ('accepted', "Zhang Wei")


def test_status_page(site):
    """The request of the token, its state and deadlines, nothing of another
    request; read-only: a post is not allowed"""
    client = site['client']
    response = client.get(url(site['status'], 'status'))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    mine, other = site['requests']
    assert mine in page and other not in page
    assert 'We resolve by' in page
    assert not re.search(r'''(src|href)\s*=\s*["']?(https?:)?//''', page)
    response = client.get(url(site['status'], 'status'),
        headers={'Accept-Language': 'zh-CN'})
    page = response.get_data(as_text=True)
    assert 'lang="zh-CN"' in page
    before = fingerprint()
    for method in ['POST', 'PUT', 'DELETE']:
        response = client.open(url(site['status'], 'status'), method=method,
            data={'state': 'done'})
        assert response.status_code == 405, response.status
    assert fingerprint() == before


def survey_of(survey_id):
    with Transaction().start(DB_NAME, 0, readonly=True):
        survey = Pool().get('service.survey')(survey_id)
        return (survey.state, survey.overall, survey.reason,
            survey.answered_from, survey.complaint)


GOOD = {'attitude': '4', 'timeliness': '3', 'quality': '5', 'overall': '4'}


@pytest.mark.parametrize('changes, message', [
        ({'overall': None}, 'a score from 1 to 5'),
        ({'overall': '0'}, 'a score from 1 to 5'),
        ({'quality': '6'}, 'a score from 1 to 5'),
        ({'attitude': '-1'}, 'a score from 1 to 5'),
        ({'timeliness': '2.5'}, 'a score from 1 to 5'),
        ({'overall': '٣'}, 'a score from 1 to 5'),
        ({'overall': '9' * 40}, 'a score from 1 to 5'),
        ({'overall': ['4', '5']}, 'a score from 1 to 5'),
        ({'overall': '2'}, 'choose a reason'),
        ({'overall': '1', 'reason': ''}, 'choose a reason'),
        ({'overall': '1', 'reason': '999999'}, 'Choose a reason from the list'),
        ({'reason': 'attitude'}, 'Choose a reason from the list'),
        ({'comment': 'x' * 2001}, 'The comment is too long'),
        ])
def test_bad_survey_answers_refused(site, changes, message):
    data = dict(GOOD, **changes)
    data = {k: v for k, v in data.items() if v is not None}
    before = fingerprint()
    response = site['client'].post(url(site['survey'], 'survey'), data=data)
    assert response.status_code == 400, response.status
    assert message in response.get_data(as_text=True)
    assert fingerprint() == before
    assert survey_of(site['survey_id'])[0] == 'pending'


def test_survey_refused_in_chinese(site):
    response = site['client'].post(url(site['survey'], 'survey'),
        data=dict(GOOD, overall='1'), headers={'Accept-Language': 'zh-CN'})
    assert response.status_code == 400
    assert 'lang="zh-CN"' in response.get_data(as_text=True)


def test_survey_answered_once(site):
    """A low score with its reason: the survey is done as if the desk had
    typed it and opens one complaint; the link then thanks, and a replay
    changes nothing"""
    with Transaction().start(DB_NAME, 0, readonly=True):
        Reason = Pool().get('service.survey.reason')
        reason, = Reason.search([('code', '=', 'waiting')])
        reason_id = reason.id
    client = site['client']
    response = client.get(url(site['survey'], 'survey'))
    assert response.status_code == 200
    assert f'<option value="{reason_id}"' in response.get_data(as_text=True)
    response = client.post(url(site['survey'], 'survey'), data=dict(
            GOOD, overall='1', reason=str(reason_id),
            comment="  Two days late.  "))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert 'your answer has been recorded' in response.get_data(as_text=True)
    state, overall, reason, answered_from, complaint = survey_of(
        site['survey_id'])
    assert (state, overall, reason.id, answered_from) == (
        'done', 1, reason_id, 'link')
    assert complaint is not None

    before = fingerprint()
    response = client.post(url(site['survey'], 'survey'), data=GOOD)
    assert response.status_code == 200
    assert 'your answer has been recorded' in response.get_data(as_text=True)
    assert fingerprint() == before
    assert survey_of(site['survey_id'])[:2] == ('done', 1)
