# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Links given to customers: one purpose, one record, an expiry

The token is random (256 bits) and shown once, in the link; the database
keeps only its SHA-256 digest, the purpose, the record and the expiry.  A
wrong, expired or other-purpose token finds nothing, all alike."""
import datetime as dt
import hashlib
import re
import secrets

from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

TOKEN = re.compile(r'[A-Za-z0-9_-]{43}')


def digest(token):
    return hashlib.sha256(token.encode('ascii')).hexdigest()


class Link(ModelSQL, ModelView):
    __name__ = 'service.link'
    __string__ = "Customer Link"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    purpose = fields.Selection([
            ('sign', "Sign the Work Order"),
            ('quotation', "Answer the Quotation"),
            ('status', "Follow the Request"),
            ('survey', "Answer the Survey"),
            ], "Purpose", required=True, readonly=True)
    resource = fields.Reference(
        "Record", selection='get_resources', required=True, readonly=True)
    token_digest = fields.Char(
        "Token Digest", required=True, readonly=True, strip=False)
    expiry = fields.DateTime("Expiry", required=True, readonly=True)
    used_date = fields.DateTime("Used", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.token_digest, Index.Equality())))
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def get_resources(cls):
        pool = Pool()
        Model = pool.get('ir.model')
        names = {n for n, _ in pool.iterobject()} & {
            'service.request', 'service.dispatch', 'service.survey'}
        return [(None, '')] + [(m, Model.get_name(m)) for m in sorted(names)]

    @classmethod
    def issue(cls, record, purpose, expiry):
        "Return a new link for the record and its token, shown once"
        token = secrets.token_urlsafe(32)
        link = cls(
            company=record.company, purpose=purpose, resource=record,
            token_digest=digest(token), expiry=expiry)
        link.save()
        return link, token

    @classmethod
    def issue_url(cls, record, purpose, expiry):
        """Return the address of a new link for the record; issued in a
        transaction of its own, committed at once, when the caller's is
        read-only (a document printed with it)"""
        transaction = Transaction()
        if transaction.readonly:
            with transaction.new_transaction() as apart, \
                    without_check_access():
                _, token = cls.issue(record, purpose, expiry)
                apart.commit()
        else:
            with without_check_access():
                _, token = cls.issue(record, purpose, expiry)
        return cls.url(token, purpose)

    @classmethod
    def find(cls, token, purpose, now=None):
        """Return the link of the token for the purpose, if not expired;
        None for anything else"""
        if not isinstance(token, str) or not TOKEN.fullmatch(token):
            return None
        if now is None:
            now = dt.datetime.now()
        links = cls.search([
                ('token_digest', '=', digest(token)),
                ('purpose', '=', purpose),
                ('expiry', '>', now),
                ], limit=1)
        # A record deleted since reads as none (or -1): the link opens
        # nothing
        if links and links[0].resource and links[0].resource.id >= 0:
            return links[0]
        return None

    @classmethod
    def shorten(cls, records, purpose, until):
        "End the records' links of the purpose by until at the latest"
        links = cls.search([
                ('resource', 'in', [str(r) for r in records]),
                ('purpose', '=', purpose),
                ('expiry', '>', until),
                ])
        cls.write(links, {'expiry': until})

    @classmethod
    def url(cls, token, purpose):
        "The address of the page of the token"
        from trytond.url import http_base
        database = Transaction().database.name
        base = http_base().rstrip('/')
        return f'{base}/{database}/service/{purpose}/{token}'
