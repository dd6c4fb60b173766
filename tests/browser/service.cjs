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
const {
    TIMEOUT, fail, launch, login, openMenu, fillMany2One, fieldText,
    waitField,
} = require('./common.cjs');

const [url, database, shots] = process.argv.slice(2);
const address = `${url}#${database}`;

async function run() {
    const browser = await launch();
    const errors = [];
    const seen = {};
    try {
        const page = await browser.newPage({viewport: {width: 1400, height: 900}});
        page.setDefaultTimeout(TIMEOUT);
        page.on('pageerror', error => errors.push(String(error)));

        await login(page, address, 'desk', 'demo-desk');
        let tab = await openMenu(page, ['Service', 'Requests']);
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
        await login(dispatcher, address, 'dispatcher', 'demo-dispatcher');
        tab = await openMenu(dispatcher, ['Service', 'Work Orders']);
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
