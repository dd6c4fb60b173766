// This file is part of the service modules for Tryton.
// The COPYRIGHT file at the top level of this repository contains the full
// copyright notices and license terms.
//
// A service desk agent's morning in the web client (tryton-sao) of the demo,
// driven in Debian's chromium: log in, open the requests, record a new one
// for a customer's equipment, accept it, and see the warranty and the SLA
// deadlines the server fixed.  Then a dispatcher opens the work orders.
//
// Usage: node service.cjs URL DATABASE SCREENSHOT_DIR
// It prints one JSON line of what it saw and exits non-zero on any failure,
// a page error included.
'use strict';
const {chromium} = require('playwright-core');

const [url, database, shots] = process.argv.slice(2);
const TIMEOUT = 30000;

function fail(message) {
    throw new Error(message);
}

async function login(page, user, password) {
    await page.goto(`${url}#${database}`);
    await page.locator('#login').waitFor({state: 'visible', timeout: TIMEOUT});
    await page.fill('#login', user);
    await page.click('.login-dialog button[type=submit]');
    const secret = page.locator('.modal.in input[type=password]');
    await secret.waitFor({state: 'visible', timeout: TIMEOUT});
    await secret.fill(password);
    await secret.press('Enter');
    await page.locator('#menu').waitFor({state: 'visible', timeout: TIMEOUT});
}

async function openMenu(page, parent, entry) {
    const menu = page.locator('#menu');
    const top = menu.locator(`div.column-char[title="${parent}"]`).first();
    await top.waitFor({state: 'visible', timeout: TIMEOUT});
    const child = menu.locator(`div.column-char[title="${entry}"]`).first();
    if (!await child.isVisible()) {
        await menu.locator(
            `tr:has(div.column-char[title="${parent}"]) .expander`)
            .first().click();
    }
    await child.waitFor({state: 'visible', timeout: TIMEOUT});
    await child.dblclick();
    const tab = page.locator('#tabcontent > .tab-pane.active');
    await tab.locator('.treeview').first().waitFor(
        {state: 'visible', timeout: TIMEOUT});
    return tab;
}

async function fillMany2One(page, tab, name, text) {
    const widget = tab.locator(
        `.form .form-many2one:has(input[name="${name}"])`).first();
    const input = widget.locator(`input[name="${name}"]`);
    // sao shows this button once the field holds a record
    const set = widget.locator('button[title="Open the record"]');
    const dialog = page.locator('.modal.in').first();
    await input.waitFor({state: 'visible', timeout: TIMEOUT});
    if (text) {
        // sao completes the typed text on Tab or opens a search dialog when
        // several records match.  An answer of the server that reaches the
        // form meanwhile (its defaults, an on_change) may clear what was
        // typed: then it is typed again.
        const deadline = Date.now() + TIMEOUT;
        for (;;) {
            await input.fill(text);
            await input.press('Tab');
            try {
                await set.or(dialog).first().waitFor(
                    {state: 'visible', timeout: 10000});
                break;
            } catch (error) {
                if (Date.now() > deadline) {
                    throw error;
                }
            }
        }
    } else {
        // Search among the records the field's domain allows
        await widget.locator('button[title="Search a record"]').click();
        await dialog.waitFor({state: 'visible', timeout: TIMEOUT});
    }
    if (await dialog.isVisible()) {
        const row = dialog.locator('.treeview tbody tr:not(.no-result)')
            .first();
        await row.waitFor({state: 'visible', timeout: TIMEOUT});
        await row.click();
        await dialog.locator('button', {hasText: /^\s*OK\s*$/i}).first()
            .click();
        await dialog.waitFor({state: 'hidden', timeout: TIMEOUT});
    }
    await set.waitFor({state: 'visible', timeout: TIMEOUT});
    return (await input.inputValue()).trim();
}

async function fieldText(tab, name) {
    const widget = tab.locator(
        `.form input[name="${name}"], .form select[name="${name}"]`).first();
    const tag = await widget.evaluate(node => node.tagName);
    if (tag === 'SELECT') {
        return (await widget.evaluate(
            node => node.selectedIndex >= 0
                ? node.options[node.selectedIndex].text : '')).trim();
    }
    return (await widget.inputValue()).trim();
}

async function waitField(tab, name, expected) {
    // The server's answer reaches the form a moment after the click
    const deadline = Date.now() + TIMEOUT;
    let value = await fieldText(tab, name);
    while (!expected.test(value) && Date.now() < deadline) {
        await tab.page().waitForTimeout(200);
        value = await fieldText(tab, name);
    }
    return value;
}

async function run() {
    const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox'],
    });
    const errors = [];
    const seen = {};
    try {
        const page = await browser.newPage({viewport: {width: 1400, height: 900}});
        page.setDefaultTimeout(TIMEOUT);
        page.on('pageerror', error => errors.push(String(error)));

        await login(page, 'desk', 'demo-desk');
        let tab = await openMenu(page, 'Service', 'Requests');
        const rows = tab.locator('.treeview tbody tr');
        await rows.first().waitFor({state: 'visible', timeout: TIMEOUT});
        seen.request_rows = await rows.count();
        seen.tabs = await tab.locator('.nav-tabs li').allInnerTexts();
        await page.screenshot({path: `${shots}/requests.png`});

        // A new request: the customer and the equipment
        await tab.locator('button[title="New"]').first().click();
        await tab.locator('.form').first().waitFor({state: 'visible'});
        // The form is ready once the server's defaults have reached it
        const state = await waitField(tab, 'state', /^Draft$/);
        if (state !== 'Draft') {
            fail(`a new request is not in draft: "${state}"`);
        }
        seen.party = await fillMany2One(
            page, tab, 'party', 'Jinjiang Garden Hotel');
        seen.type = await fillMany2One(page, tab, 'type', 'Repair');
        await tab.locator('.form textarea[name="description"]')
            .fill('Lobby unit not cooling (browser test).');
        await tab.locator('button[title="Save"]').first().click();
        seen.number = await waitField(tab, 'number', /^SR\d+/);
        if (!/^SR\d+/.test(seen.number)) {
            fail(`no request number after saving: "${seen.number}"`);
        }

        // Accepting a repair without the equipment is refused with a clear
        // message
        await tab.locator('.form button[name="open"]').first().click();
        const message = page.locator('.modal.in .alert');
        await message.waitFor({state: 'visible', timeout: TIMEOUT});
        seen.refusal = (await message.innerText()).trim();
        await page.locator('.modal.in button', {hasText: 'OK'}).click();
        await message.waitFor({state: 'hidden', timeout: TIMEOUT});

        // The desk picks the hotel's equipment and accepts: the
        // server fixes the warranty and the deadlines
        seen.equipment = await fillMany2One(page, tab, 'equipment', '');
        // The button saves the record before it runs
        await tab.locator('.form button[name="open"]').first().click();
        seen.state = await waitField(tab, 'state', /^Open$/);
        seen.warranty = await fieldText(tab, 'warranty');
        seen.response_deadline = await fieldText(tab, 'response_deadline');
        await page.screenshot({path: `${shots}/request_open.png`});

        // Its work orders: none yet, the dispatcher plans them
        await tab.locator('.form .nav-tabs a', {hasText: 'Work Orders'})
            .first().click();
        const orderList = tab.locator('.form .tab-pane.active .treeview');
        await orderList.first().waitFor({state: 'visible', timeout: TIMEOUT});
        seen.request_work_orders = await orderList.first()
            .locator('tbody tr:not(.no-result)').count();
        await page.screenshot({path: `${shots}/request_work_orders.png`});
        if (errors.length) {
            fail(`page errors: ${errors.join(' | ')}`);
        }
        await page.close();

        // The dispatcher's work orders
        const dispatcher = await browser.newPage(
            {viewport: {width: 1400, height: 900}});
        dispatcher.on('pageerror', error => errors.push(String(error)));
        await login(dispatcher, 'dispatcher', 'demo-dispatcher');
        tab = await openMenu(dispatcher, 'Service', 'Work Orders');
        const orders = tab.locator('.treeview tbody tr');
        await orders.first().waitFor({state: 'visible', timeout: TIMEOUT});
        seen.work_order_rows = await orders.count();
        await dispatcher.screenshot({path: `${shots}/work_orders.png`});
        if (errors.length) {
            fail(`page errors: ${errors.join(' | ')}`);
        }
    } catch (error) {
        // What the pages showed when it failed
        for (const [i, page] of browser.contexts()
                .flatMap(c => c.pages()).entries()) {
            await page.screenshot({path: `${shots}/failure-${i}.png`})
                .catch(() => {});
        }
        throw error;
    } finally {
        await browser.close();
    }
    process.stdout.write(JSON.stringify(seen) + '\n');
}

run().catch(error => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
});
