# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The printed documents as PDF, converted by LibreOffice as Tryton does.

The reports render as OpenDocument (their content is checked by the
scenarios).  A department that sets a report's *Output Format* to PDF gets
it converted by Tryton with LibreOffice (``soffice``, `[report]
convert_command`).  This test does that on the demo database for the
filled work order, the blank work order, the quotation of a work order
waiting for the customer's answer and the request acknowledgement, and for
the weekly department summary the scheduled task sends the management (as
PDF by default), and reads the text of each PDF back with ``pdftotext``.
Without
``soffice`` or ``pdftotext`` it is skipped with the reason; with
SERVICE_PDF_TEST=required (as CI sets it, after installing Debian's
libreoffice-writer-nogui and poppler-utils) it fails instead.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

import layers

# Run in a process of its own, on the demo database's configuration
SCRIPT = r'''
import json
import pathlib
import sys

from proteus import Model, Report, config

database, config_file, out = sys.argv[1:]
config.set_trytond(database, config_file=config_file)
ActionReport = Model.get('ir.action.report')
Dispatch = Model.get('service.dispatch')
Request = Model.get('service.request')
done = next(d for d in Dispatch.find([
            ('state', '=', 'done'), ('signature_id', '!=', None),
            ], order=[('number', 'ASC')])
    if any(p.quantity_issued for p in d.parts))
planned, = Dispatch.find(
    [('state', '=', 'assigned')], order=[('number', 'ASC')], limit=1)
quoted, = Dispatch.find([
        ('quotation_state', '=', 'sent'),
        ('state', 'not in', ['done', 'cancelled']),
        ], order=[('number', 'ASC')], limit=1)
accepted, = Request.find(
    [('state', '=', 'open')], order=[('number', 'ASC')], limit=1)
seen = {}
for report_name, record in [
        ('service.dispatch', done),
        ('service.dispatch.blank', planned),
        ('service.dispatch.quotation', quoted),
        ('service.request.acknowledgement', accepted),
        ]:
    action, = ActionReport.find([('report_name', '=', report_name)])
    action.extension = 'pdf'
    action.save()
    ext, content, _, name = Report(report_name).execute(
        [record], {'action_id': action.id})
    path = pathlib.Path(out, report_name + '.' + ext)
    path.write_bytes(content)
    seen[report_name] = {
        'extension': ext, 'path': str(path), 'number': record.number,
        'customer': record.party.name,
        'lang': record.party.lang.code if record.party.lang else 'en',
        'parts': [p.product.name for p in getattr(record, 'parts', [])
            if p.quantity_issued
            or report_name == 'service.dispatch.quotation'],
        }

# The weekly summary the scheduled task sends the management, as PDF: that
# of the week before last (the demo sent last week's, as ODT) to the demo's
# recipient
import datetime as dt
from unittest.mock import patch
from trytond.ir import email_ as email_module
from trytond.pool import Pool
from trytond.transaction import Transaction
configuration = Model.get('service.configuration')(1)
configuration.management_report_format = 'pdf'
configuration.save()
mails = []
context = config.get_config().context
with patch.object(email_module, 'send_message_transactional',
            side_effect=lambda msg, **kwargs: mails.append(msg)), \
        Transaction().start(database, 0, context=context):
    pool = Pool()
    ManagementReport = pool.get('service.management.report')
    Recipient = pool.get('service.management.report.recipient')
    company = pool.get('company.company')(context['company'])
    today = dt.date.today()
    monday = today - dt.timedelta(days=today.weekday() + 14)
    summary = ManagementReport.send(
        company, 'summary', monday, monday + dt.timedelta(days=6),
        Recipient.search([('company', '=', company.id)]))
    path = pathlib.Path(out, summary.file_name)
    path.write_bytes(summary.file)
mail, = mails
seen['management'] = {
    'path': str(path),
    'attachments': [p.get_filename() for p in mail.iter_attachments()],
    'to': mail['To'],
    }
print(json.dumps(seen))
'''


def missing():
    return [f"{program} ({package})" for program, package in [
            ('soffice', "Debian: apt-get install libreoffice-writer-nogui"),
            ('pdftotext', "Debian: apt-get install poppler-utils"),
            ] if not shutil.which(program)]


def test_reports_convert_to_pdf(tmp_path):
    lacks = missing()
    if lacks:
        reason = "converting the reports to PDF needs " + "; ".join(lacks)
        if os.environ.get('SERVICE_PDF_TEST') == 'required':
            pytest.fail(reason)
        pytest.skip(reason)

    layers.demo(tmp_path / 'demo')
    config_file = tmp_path / 'demo' / 'trytond.conf'
    out = tmp_path / 'out'
    out.mkdir()
    result = subprocess.run(
        [sys.executable, '-c', SCRIPT, layers.DEMO, str(config_file), str(out)],
        capture_output=True, text=True, env=layers.clean_env(), timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    # The customer's documents come in the customer's language: the demo's
    # customers read Chinese
    titles = {
        'service.dispatch': {'en': "Work Order", 'zh_CN': "派工单"},
        'service.dispatch.blank': {'en': "Work Order", 'zh_CN': "派工单"},
        'service.request.acknowledgement': {
            'en': "Request Acknowledgement", 'zh_CN': "服务受理回执"},
        'service.dispatch.quotation': {'en': "Quotation", 'zh_CN': "报价单"},
        }
    # The quotation waiting for the answer prints the address of the page
    # where the customer answers it
    words = {'service.dispatch.quotation': ['/service/quotation/']}
    management = seen.pop('management')
    assert management['path'].endswith('.pdf'), management
    assert management['attachments'] == [
        pathlib.Path(management['path']).name], management
    assert management['to'] == 'zhou.qiang@example.com', management
    assert pathlib.Path(management['path']).read_bytes().startswith(b'%PDF-')
    text = subprocess.run(
        ['pdftotext', '-layout', management['path'], '-'],
        capture_output=True, text=True, check=True).stdout
    text = ' '.join(text.split())
    for value in ["Department Summary", "Requests received",
            "SLA compliance", "Mean satisfaction (1 to 5)"]:
        assert value in text, (value, text[:2000])
    for report_name, report in seen.items():
        assert report['extension'] == 'pdf', report
        content = pathlib.Path(report['path']).read_bytes()
        assert content.startswith(b'%PDF-'), report_name
        text = subprocess.run(
            ['pdftotext', '-layout', report['path'], '-'],
            capture_output=True, text=True, check=True).stdout
        text = ' '.join(text.split())
        assert report['lang'] == 'zh_CN', report
        expected = [report['number'], report['customer'], *report['parts'],
            *words.get(report_name, [])]
        if report_name in titles:
            expected.append(titles[report_name][report['lang']])
        for value in expected:
            assert value in text, (report_name, value, text[:2000])
