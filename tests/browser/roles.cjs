// This file is part of the service modules for Tryton.
// The COPYRIGHT file at the top level of this repository contains the full
// copyright notices and license terms.
//
// One journey per role in the web client (tryton-sao) of the demo, driven in
// Debian's chromium, each as the role's own login in a browser of its own,
// reaching everything from its own menu:
//
// - the desk reads its SLA queue: at risk, breached, due today and open,
//   counted, the next deadline first;
// - the warehouse issues the parts of a work order and receives a part back;
// - the accountant invoices two work orders of a customer;
// - the technician, in Chinese, adds a part to the work order in progress
//   and is refused to finish it while the part is not issued;
// - the technician opens the signing page of a work order and the
//   customer signs it on a touch screen, in Chinese;
// - the dispatcher opens the quotation's page of a work order and the
//   customer accepts it on a phone, in Chinese;
// - the desk opens the survey's page and the customer answers it on a
//   phone, unhappy: the survey is done and a complaint opened;
// - the desk opens the page where the customer follows a request, which
//   shows its state and the technician;
// - the dispatcher reads the technicians' week in the schedule;
// - the manager reads the dashboard of a window, then of another, each set
//   once for the whole page;
// - the manager records a technician's fine, its amount the regulation's;
// - the accountant invoices the months of the resident agreements, none
//   twice;
// - the manager gives the products tracked by lot their warranty months and
//   builds the installed base from the past deliveries.
//
// Usage: [ROLES=journey,...] node roles.cjs URL DATABASE SCREENSHOT_DIR
//     PASSWORDS_JSON
// It runs the journeys one after the other and prints one JSON line of what
// each saw, {journey: {...}}; a journey that could not go on says where in
// its "failure" (a screenshot failure-JOURNEY.png shows the page), the next
// journeys run all the same.  The test judges what was seen; this script
// exits non-zero only when the browser itself fails.
'use strict';
const fs = require('fs');
const {
    TIMEOUT, fail, launch, login, openMenu, waitRpc, track, idle, poll,
    domainTabs, tabCount, openDomainTab, settle, listOf, rows, errorCells,
    rowWith, clickRowButton, showColumn, fillMany2One, fieldText, waitField,
    alerts, closeAlert,
} = require('./common.cjs');

const [url, database, shots, passwords] = process.argv.slice(2);
const address = `${url}#${database}`;
const PASSWORDS = JSON.parse(passwords);

// The users work in Shanghai: sao shows the times in the browser's time
// zone
const TIMEZONE = 'Asia/Shanghai';

// What the technician reads in Chinese: the labels of the service modules
// (modules/*/locale/zh_CN.po) and of sao itself (var/sao/locale/zh_CN.po)
const ZH = {
    service: '售后服务',
    work_orders: '派工单',
    in_progress: '维修中',
    parts: '配件',
    new: '新建',
    save: '保存',
    reload: '刷新/撤销',
    signature: '客户签字',
    inspection: '巡检',
    result: '结果',
    ok: '正常',
    needs_attention: '需注意',
};

// The warehouse --------------------------------------------------------------

async function warehouse(page, seen) {
    const model = 'service.dispatch';
    seen.step = 'menu Inventory & Stock > Service Parts > '
        + 'Work Orders for Parts';
    let tab = await openMenu(page,
        ['Inventory & Stock', 'Service Parts', 'Work Orders for Parts'],
        {model});
    // The work orders to issue and to receive back, counted
    seen.to_issue_count = await tabCount(tab, 'To Issue');
    seen.to_receive_count = await tabCount(tab, 'To Receive Back');
    seen.tabs = await domainTabs(tab);
    const list = listOf(tab);
    seen.to_issue = await rows(list);
    await page.screenshot({path: `${shots}/warehouse_to_issue.png`});

    // Zhang Wei's work order and the part it needs, on its form
    seen.step = "Zhang Wei's work order, its Parts page";
    let row = rowWith(list, 'Zhang Wei');
    seen.zhang = (await rows(list)).find(r => r.Customer === 'Zhang Wei');
    if (!seen.zhang) {
        fail('no work order of Zhang Wei to issue');
    }
    await row.locator('.column-char').first().dblclick();
    await tab.locator('.form').first().waitFor({state: 'visible'});
    await tab.locator('.form .nav-tabs a', {hasText: /^Parts$/}).first()
        .click();
    const parts = tab.locator('.form .tab-pane.active .form-one2many')
        .first();
    seen.zhang_parts = await poll(() => rows(listOf(parts)),
        found => found.length > 0, 10000);
    await tab.locator('button[title="Switch"]').first().click();
    await list.waitFor({state: 'visible'});

    // Issue Parts on its row: it leaves the work orders to issue once the
    // list is reloaded
    seen.step = "Issue Parts on the row of Zhang Wei's work order";
    row = rowWith(list, seen.zhang.Number);
    const issued = waitRpc(page, `model.${model}.issue_parts`);
    await clickRowButton(row, 'issue_parts');
    seen.issue_error = (await issued).error || null;
    seen.issue_alerts = await shownAlerts(page);
    await reload(tab, model);
    seen.to_issue_count_after = await tabCount(
        tab, 'To Issue', count => count === seen.to_issue_count - 1);
    seen.to_issue_after = await rows(list);
    await page.screenshot({path: `${shots}/warehouse_issued.png`});

    // The hotel's work order gives back a part: Return Parts proposes what
    // is out, the warehouse receives one
    seen.step = "Return Parts on the row of the hotel's work order (All)";
    await openDomainTab(tab, 'All', model);
    seen.hotel = (await rows(list)).find(
        r => r.Customer === 'Jinjiang Garden Hotel');
    if (!seen.hotel) {
        fail('no work order of Jinjiang Garden Hotel in "All"');
    }
    await clickRowButton(rowWith(list, seen.hotel.Number), 'return_parts');
    const wizard = page.locator('.modal.in.wizard-dialog').last();
    const lines = listOf(wizard);
    await lines.locator('tbody tr').first().waitFor({state: 'visible'});
    await settle(wizard);
    seen.return_title = (await wizard.locator('.modal-title, .model-title')
        .first().innerText()).trim();
    seen.return_lines = await rows(lines);
    const gasket = lines.locator('tbody tr', {hasText: 'Door Gasket'})
        .first();
    // The first click selects the line, the second edits the cell
    const cell = gasket.locator('td[data-title="Quantity: "]');
    await cell.click();
    await cell.click();
    const quantity = cell.locator('input[name="quantity"]:visible');
    await quantity.fill('1');
    await quantity.press('Tab');
    seen.return_lines_set = await rows(lines);
    await page.screenshot({path: `${shots}/warehouse_return.png`});
    const returned = waitRpc(page,
        'wizard.service.dispatch.return_parts.execute');
    await wizard.locator('.modal-footer button', {hasText: 'Return'}).click();
    seen.return_error = (await returned).error || null;
    seen.return_alerts = await shownAlerts(page);
    await wizard.waitFor({state: 'hidden'});

    // What came back, in the work orders' parts
    seen.step = 'menu Inventory & Stock > Service Parts > Work Order Parts, '
        + 'tab Returned';
    tab = await openMenu(page,
        ['Inventory & Stock', 'Service Parts', 'Work Order Parts'],
        {model: 'service.dispatch.part'});
    await openDomainTab(tab, 'Returned', 'service.dispatch.part');
    seen.returned = await rows(listOf(tab));
    await page.screenshot({path: `${shots}/warehouse_returned.png`});
}

// The accountant -------------------------------------------------------------

async function accountant(page, seen) {
    const model = 'service.dispatch';
    seen.step = 'menu Financial > Invoices > Work Orders to Invoice';
    let tab = await openMenu(page,
        ['Financial', 'Invoices', 'Work Orders to Invoice'], {model});
    const list = listOf(tab);
    seen.to_invoice_count = await tabCount(tab, 'To Invoice');
    seen.draft_count = await tabCount(tab, 'On Draft Invoices');
    seen.tabs = await domainTabs(tab);
    seen.to_invoice = await rows(list);
    seen.error_cells = errorCells('To Invoice', seen.to_invoice);

    // Wang Fang's work orders, ticked
    const wang = list.locator('tbody tr', {
        has: page.locator('a[title="Wang Fang"]')});
    seen.selected = [];
    for (let i = 0; i < await wang.count(); i++) {
        await wang.nth(i).locator('td.selection-state input').check();
        seen.selected.push((await wang.nth(i)
            .locator('td[data-title="Number: "]').innerText()).trim());
    }
    await page.screenshot({path: `${shots}/accountant_to_invoice.png`});

    // The action of the toolbar: Create Service Invoices on them
    seen.step = 'Action > Create Service Invoices on the rows of Wang Fang';
    await tab.locator('button[title="Launch action"]').first().click();
    await page.locator('.dropdown-menu:visible a',
        {hasText: 'Create Service Invoices'}).first().click();
    const wizard = page.locator('.modal.in.wizard-dialog').last();
    const wizardList = listOf(wizard);
    await wizardList.waitFor({state: 'visible'});
    await poll(() => rows(wizardList),
        found => found.length >= seen.selected.length);
    await settle(wizard);
    seen.wizard_title = (await wizard.locator('.modal-title, .model-title')
        .first().innerText()).trim();
    seen.wizard_rows = await rows(wizardList);
    seen.error_cells.push(
        ...errorCells('Create Service Invoices', seen.wizard_rows));
    await page.screenshot({path: `${shots}/accountant_wizard.png`});
    const created = waitRpc(page,
        'wizard.service.dispatch.create_invoices.execute');
    const invoices = waitRpc(page, 'model.account.invoice.search');
    await wizard.locator('.modal-footer button', {hasText: 'Create'})
        .click();
    seen.create_error = (await created).error || null;
    seen.create_alerts = await shownAlerts(page);
    if (seen.create_error) {
        fail(`Create refused: ${JSON.stringify(seen.create_error)}`);
    }

    // The invoice opens in a tab of its own
    seen.step = 'the invoice created';
    await invoices;
    const invoice = page.locator('#tabcontent > .tab-pane.active');
    await settle(invoice);
    seen.invoice_tab = (await page.locator('#tablist li.active')
        .innerText()).replace(/×/g, '').trim();
    if (await invoice.locator('.form').first().isVisible()) {
        seen.invoice_opened = 'form';
    } else {
        // A list of the invoices created: the accountant opens the one
        seen.invoice_opened = 'list';
        await tabCount(invoice, 'Draft');
        seen.invoice_tabs = await domainTabs(invoice);
        seen.invoice_list = await rows(listOf(invoice));
        await listOf(invoice).locator('tbody tr').first()
            .locator('.column-char, .column-selection').first().dblclick();
        await invoice.locator('.form').first().waitFor({state: 'visible'});
    }
    seen.invoice = {
        type: await fieldText(invoice, 'type'),
        state: await waitField(invoice, 'state', /\S/),
        // The customer's name comes with the record's Many2One values, a
        // moment after the state on a loaded machine
        party: await waitField(invoice, 'party', /\S/),
        reference: await fieldText(invoice, 'reference'),
    };
    // Its lines, with their description (the Summary column, hidden by
    // default)
    const invoiceLines = invoice.locator('.form .form-one2many', {
        has: page.locator('.form-one2many-string', {hasText: /^Lines$/}),
    }).first();
    await invoiceLines.locator('tbody tr').first().waitFor(
        {state: 'visible'});
    await showColumn(listOf(invoiceLines), 'Summary');
    seen.invoice_lines = await rows(listOf(invoiceLines));
    seen.error_cells.push(...errorCells('Invoice lines', seen.invoice_lines));
    await page.screenshot({path: `${shots}/accountant_invoice.png`});

    // Back to the work orders to invoice
    seen.step = 'Work Orders to Invoice, reloaded';
    await page.locator('#tablist li', {hasText: 'Work Orders to Invoice'})
        .first().click();
    tab = page.locator('#tabcontent > .tab-pane.active');
    await list.waitFor({state: 'visible'});
    await reload(tab, model);
    seen.to_invoice_count_after = await tabCount(
        tab, 'To Invoice', count => count === seen.to_invoice_count - 2);
    seen.to_invoice_after = await rows(list);
    seen.error_cells.push(...errorCells('To Invoice', seen.to_invoice_after));
    await openDomainTab(tab, 'On Draft Invoices', model);
    seen.draft_count_after = await tabCount(
        tab, 'On Draft Invoices', count => count === seen.draft_count + 2);
    seen.draft_after = await rows(list);
    seen.error_cells.push(
        ...errorCells('On Draft Invoices', seen.draft_after));
    await page.screenshot({path: `${shots}/accountant_draft_invoices.png`});
}

// The technician, in Chinese ------------------------------------------------

async function technician(page, seen) {
    const model = 'service.dispatch';
    seen.step = `menu ${ZH.service} > ${ZH.work_orders}, tab `
        + ZH.in_progress;
    const tab = await openMenu(page, [ZH.service, ZH.work_orders], {model});
    seen.tabs = (await domainTabs(tab)).map(t => t.name);
    await openDomainTab(tab, ZH.in_progress, model);
    const list = listOf(tab);
    seen.in_progress = await rows(list);
    await page.screenshot({path: `${shots}/technician_work_orders.png`});

    // Li Na's work order, opened: in warranty, no quotation fixes its
    // parts
    seen.step = "Li Na's work order";
    await rowWith(list, 'Li Na').locator('.column-char')
        .first().dblclick();
    await tab.locator('.form').first().waitFor({state: 'visible'});
    seen.number = await waitField(tab, 'number', /\S/);
    seen.state = await fieldText(tab, 'state');

    // A part on its parts page: the Indoor Fan Motor (product names are
    // not translated)
    seen.step = `a new part on its page ${ZH.parts}`;
    await tab.locator('.form .nav-tabs a', {hasText: ZH.parts}).first()
        .click();
    const parts = tab.locator('.form .tab-pane.active .form-one2many')
        .first();
    await parts.waitFor({state: 'visible'});
    // The part issued to the job
    seen.parts_before = await poll(() => rows(listOf(parts)),
        found => found.length > 0, 10000);
    await parts.locator(`.form-one2many-toolbar button[title="${ZH.new}"]`)
        .click();
    const popup = page.locator('.modal.in.window-form').last();
    await popup.locator('.form').first().waitFor({state: 'visible'});
    await settle(popup);
    seen.part_title = (await popup.locator('.modal-header').innerText())
        .trim();
    seen.part_readonly = [];
    for (const name of ['product', 'quantity']) {
        const input = popup.locator(`.form input[name="${name}"]:visible`)
            .first();
        if (await input.getAttribute('readonly') !== null) {
            seen.part_readonly.push(name);
        }
    }
    await page.screenshot({path: `${shots}/technician_new_part.png`});
    if (seen.part_readonly.length) {
        fail(`the new part's fields ${seen.part_readonly.join(', ')} are `
            + 'read-only: no part can be entered');
    }
    seen.part_product = await fillMany2One(
        page, popup, 'product', 'Indoor Fan Motor');
    const quantity = popup.locator('.form input[name="quantity"]:visible')
        .first();
    // The product's on_change answers may reach the dialog after the
    // quantity was typed and clear it: typed again until it holds
    await idle(page);
    for (let attempt = 0; attempt < 6; attempt++) {
        await quantity.fill('1');
        await quantity.press('Tab');
        // (an answer may come a while after the last call seen)
        await idle(page, 1000 * (attempt + 1));
        if ((await quantity.inputValue()).trim()) {
            break;
        }
    }
    // Add, the primary button of the dialog
    await popup.locator('.modal-footer .btn-primary').last().click();
    await popup.waitFor({state: 'hidden'});
    seen.parts_after = await rows(listOf(parts));

    // Saved, then Done: the server refuses while the part is not issued
    seen.step = 'saved, then 完工 (Done)';
    const saved = waitRpc(page, `model.${model}.write`);
    await tab.locator(`button[title="${ZH.save}"]`).first().click();
    seen.save_error = (await saved).error || null;
    seen.save_alerts = await shownAlerts(page);
    if (seen.save_error) {
        fail(`saving refused: ${JSON.stringify(seen.save_error)}`);
    }
    const done = waitRpc(page, `model.${model}.done`);
    await tab.locator('.form button[name="done"]').first().click();
    seen.done_error = (await done).error || null;
    const message = page.locator('.modal.in .alert');
    await message.waitFor({state: 'visible', timeout: TIMEOUT});
    seen.refusal = (await message.innerText()).trim();
    // Once the dialog has faded in
    await settle(tab);
    await page.screenshot({path: `${shots}/technician_refusal.png`});
    await closeAlert(page);
    await settle(tab);
    seen.state_after = await fieldText(tab, 'state');
}

// The dispatcher -------------------------------------------------------------

async function dispatcher(page, seen) {
    // The calendar reads the work orders of the week it shows
    seen.step = 'menu Service > Work Orders > Technician Schedule';
    const tab = await openMenu(page,
        ['Service', 'Work Orders', 'Technician Schedule'],
        {view: '.calendar .fc-view'});
    const title = tab.locator('.fc-center h2');
    seen.weeks = [];
    for (let week = 0; week < 4; week++) {
        await idle(page);
        await settle(tab);
        seen.weeks.push((await title.innerText()).trim());
        seen.events = await events(tab);
        if (seen.events.length) {
            break;
        }
        // None this week: the next one
        await tab.locator('.fc-next-button').click();
        await poll(async () => (await title.innerText()).trim(),
            shown => shown !== seen.weeks[week]);
    }
    seen.view = (await tab.locator('.fc-right .active').textContent())
        .trim();
    // The working day in the screenshot: the hours from 08:00
    await tab.locator('.fc-scroller').last().evaluate(scroller => {
        const slot = scroller.querySelector('tr[data-time="08:00:00"]');
        if (slot) {
            scroller.scrollTop = slot.offsetTop;
        }
    });
    await page.screenshot({path: `${shots}/dispatcher_schedule.png`});

    // The work orders by their arrival deadline, counted
    seen.step = 'menu Service > Work Orders > Arrival Queue';
    const model = 'service.dispatch';
    const queue = await openMenu(page,
        ['Service', 'Work Orders', 'Arrival Queue'], {model});
    for (const name of ['At Risk', 'Breached', 'Due Today', 'Open']) {
        await tabCount(queue, name);
    }
    seen.arrival_tabs = await domainTabs(queue);
    await openDomainTab(queue, 'Open', model);
    seen.arrival_open = await rows(listOf(queue));
    await page.screenshot({path: `${shots}/dispatcher_arrival_queue.png`});
}

// The desk -------------------------------------------------------------------

async function desk(page, seen) {
    const model = 'service.request';
    seen.step = 'menu Service > Requests > SLA Queue';
    const tab = await openMenu(page, ['Service', 'Requests', 'SLA Queue'],
        {model});
    // Every tab counted once the server answered
    const names = ['At Risk', 'Breached', 'Due Today', 'Open'];
    for (const name of names) {
        await tabCount(tab, name);
    }
    seen.tabs = await domainTabs(tab);
    seen.rows = {};
    for (const name of names) {
        seen.step = `SLA Queue, tab ${name}`;
        await openDomainTab(tab, name, model);
        seen.rows[name] = await rows(listOf(tab));
        if (name === 'Due Today') {
            await page.screenshot({path: `${shots}/desk_sla_queue.png`});
        }
    }
    seen.error_cells = Object.entries(seen.rows).flatMap(
        ([name, list]) => errorCells(name, list));
    // The same requests by state, on the Requests menu, to compare
    seen.step = 'menu Service > Requests';
    const requests = await openMenu(page, ['Service', 'Requests'], {model});
    for (const name of ['Draft', 'Open', 'Waiting', 'In Progress']) {
        await tabCount(requests, name);
    }
    seen.state_tabs = await domainTabs(requests);
}

// The manager ----------------------------------------------------------------

async function manager(page, seen) {
    seen.step = 'menu Service > Service KPIs > Service Dashboard';
    const tab = await openMenu(page,
        ['Service', 'Service KPIs', 'Service Dashboard'],
        {view: '.form input[name="from_date"]'});
    // The window, asked once for the whole page
    // (the defaults reach the form a moment after it is shown)
    seen.window = {
        from: await waitField(tab, 'from_date', /\S/),
        to: await waitField(tab, 'to_date', /\S/),
        period: await waitField(tab, 'period', /\S/),
    };
    seen.step = 'Service Dashboard: Show';
    await wizardButton(tab, 'Show');
    await tab.locator('.form-many2many').first().waitFor(
        {state: 'visible', timeout: TIMEOUT});
    await idle(page);
    await settle(tab);
    seen.lists = await tab.locator('.form-many2many-string').allInnerTexts();
    seen.before = await dashboard(tab);
    await page.screenshot(
        {path: `${shots}/manager_dashboard.png`, fullPage: true});

    // Today alone, a row per year: set once, the totals and every list
    // follow
    seen.step = 'Change Window: From Date today, Period Year, Show';
    await wizardButton(tab, 'Change Window');
    const from = tab.locator('.form input[name="from_date"]:visible').first();
    await from.waitFor({state: 'visible', timeout: TIMEOUT});
    seen.window_kept = {
        from: await fieldText(tab, 'from_date'),
        to: await fieldText(tab, 'to_date'),
    };
    await from.fill(seen.window.to);
    await from.press('Tab');
    await tab.locator('select[name="period"]').selectOption({label: 'Year'});
    await idle(page);
    await wizardButton(tab, 'Show');
    await tab.locator('.form-many2many').first().waitFor(
        {state: 'visible', timeout: TIMEOUT});
    await idle(page);
    await settle(tab);
    seen.after = await dashboard(tab);
    await page.screenshot(
        {path: `${shots}/manager_dashboard_today.png`, fullPage: true});
}

// The manager adopts the past deliveries ------------------------------------

async function installed_base(page, seen) {
    const model = 'product.template';
    const untracked = 'Tracked by Lot without Warranty Months';
    seen.step = 'menu Service > Configuration > Product Warranties';
    const tab = await openMenu(page,
        ['Service', 'Configuration', 'Product Warranties'], {model});
    seen.untracked_count = await tabCount(tab, untracked);
    seen.tabs = await domainTabs(tab);
    await openDomainTab(tab, untracked, model);
    const list = listOf(tab);
    seen.untracked = await rows(list);
    seen.error_cells = errorCells(untracked, seen.untracked);

    // The purifier, ticked: Action > Set Warranty Months
    seen.step = 'Action > Set Warranty Months on the purifier';
    await list.locator('tbody tr', {hasText: 'Water Purifier RO-500'})
        .first().locator('td.selection-state input').check();
    await tab.locator('button[title="Launch action"]').first().click();
    await page.locator('.dropdown-menu:visible a',
        {hasText: 'Set Warranty Months'}).first().click();
    const wizard = page.locator('.modal.in.wizard-dialog').last();
    const months = wizard.locator(
        'input[name="service_warranty_months"]:visible').first();
    await months.waitFor({state: 'visible'});
    // The wizard's defaults (the products ticked) come from the server a
    // moment after the dialog: typed once they are there, and again until
    // the value holds
    seen.wizard_products = await poll(() => rows(listOf(wizard)),
        found => found.length >= 1);
    await idle(page);
    for (let attempt = 0; attempt < 4; attempt++) {
        await months.fill('24');
        await months.press('Tab');
        await idle(page, 500 * (attempt + 1));
        if ((await months.inputValue()).trim() === '24') {
            break;
        }
    }
    seen.months_typed = (await months.inputValue()).trim();
    const set = waitRpc(page, 'wizard.service.product.set_warranty.execute');
    await wizard.locator('.modal-footer button', {hasText: 'Set'}).click();
    seen.set_error = (await set).error || null;
    seen.set_alerts = await shownAlerts(page);
    await reload(tab, model);
    seen.untracked_count_after = await tabCount(tab, untracked,
        count => count === seen.untracked_count - 1);
    await page.screenshot({path: `${shots}/manager_product_warranties.png`});

    // The wizard of the menu, in a dialog: Preview, then Build
    seen.step = 'menu Service > Configuration > Build Installed Base';
    await openMenu(page,
        ['Service', 'Configuration', 'Build Installed Base']);
    const build = page.locator('.modal.in.wizard-dialog').last();
    await build.locator('.form input[name="from_date"]').first().waitFor(
        {state: 'visible', timeout: TIMEOUT});
    seen.company = await waitField(build, 'company', /\S/);
    seen.step = 'Build Installed Base: Preview';
    // A click while sao still fills the dialog's defaults may be lost:
    // clicked again until the preview shows
    const deliveries = build.locator('.form input[name="deliveries"]')
        .first();
    for (let attempt = 0; ; attempt++) {
        await idle(page);
        await wizardButton(build, 'Preview');
        try {
            await deliveries.waitFor({state: 'visible', timeout: 10000});
            break;
        } catch (error) {
            if (attempt > 2) {
                throw error;
            }
        }
    }
    const number = async name => Number(await waitField(build, name, /\d/));
    seen.preview = {
        deliveries: await number('deliveries'),
        returns: await number('returns'),
        to_create: await number('to_create'),
        recorded: await number('recorded'),
    };
    await page.screenshot({path: `${shots}/manager_installed_base.png`});
    seen.step = 'Build Installed Base: Build';
    const search = waitRpc(page, 'model.service.equipment.search');
    await wizardButton(build, 'Build');
    await search;
    // The units built open in a tab of their own
    const units = page.locator('#tabcontent > .tab-pane.active');
    await settle(units);
    seen.units_tab = (await page.locator('#tablist li.active')
        .innerText()).replace(/×/g, '').trim();
    seen.units = await poll(() => rows(listOf(units)),
        found => found.length >= seen.preview.to_create);
    seen.error_cells.push(...errorCells('units', seen.units));
    await page.screenshot({path: `${shots}/manager_units_built.png`});
}

// The customer signs on the technician's tablet ------------------------------

async function signing(page, seen) {
    const model = 'service.dispatch';
    seen.step = `menu ${ZH.service} > ${ZH.work_orders}, tab `
        + ZH.in_progress;
    const tab = await openMenu(page, [ZH.service, ZH.work_orders], {model});
    await openDomainTab(tab, ZH.in_progress, model);
    const list = listOf(tab);
    seen.step = "the hotel's work order, page " + ZH.signature;
    await rowWith(list, 'Jinjiang Garden Hotel').locator('.column-char')
        .first().dblclick();
    await tab.locator('.form').first().waitFor({state: 'visible'});
    seen.number = await waitField(tab, 'number', /\S/);
    await tab.locator('.form .nav-tabs a', {hasText: ZH.signature}).first()
        .click();
    // The button opens the signing page in a window of its own
    seen.step = 'the button Sign on a Device';
    const opened = page.context().waitForEvent('page');
    await tab.locator('.form button[name="signing_link"]').first().click();
    const popup = await opened;
    await popup.waitForLoadState();
    seen.url = popup.url();
    await popup.close();

    // The customer's hand on a touch screen: a phone-sized browser with
    // touch events
    seen.step = 'the signing page, touched';
    const device = await page.context().browser().newContext({
        viewport: {width: 390, height: 844}, deviceScaleFactor: 2,
        hasTouch: true, isMobile: true, locale: 'zh-CN',
        timezoneId: TIMEZONE,
    });
    try {
        const sign = await device.newPage();
        const external = [];
        sign.on('request', request => {
            if (!request.url().startsWith(new URL(seen.url).origin)
                    && !request.url().startsWith('data:')) {
                external.push(request.url());
            }
        });
        await sign.goto(seen.url);
        const pad = sign.locator('canvas#pad');
        await pad.waitFor({state: 'visible', timeout: TIMEOUT});
        seen.title = (await sign.locator('h1').innerText()).trim();
        seen.lang = await sign.locator('html').getAttribute('lang');
        await sign.screenshot({path: `${shots}/signing_page.png`,
            fullPage: true});
        const box = await pad.boundingBox();
        const cdp = await device.newCDPSession(sign);
        const touch = async (type, points) => cdp.send(
            'Input.dispatchTouchEvent', {type, touchPoints: points.map(
                ([x, y]) => ({x: box.x + x, y: box.y + y}))});
        // Two strokes, a name's worth
        for (const stroke of [
                [[30, 90], [60, 50], [90, 110], [120, 60], [150, 100]],
                [[180, 70], [230, 70], [280, 120], [320, 80]]]) {
            await touch('touchStart', [stroke[0]]);
            for (const point of stroke.slice(1)) {
                await touch('touchMove', [point]);
            }
            await touch('touchEnd', []);
        }
        await sign.locator('input[name="name"]').fill('王经理');
        await sign.screenshot({path: `${shots}/signing_drawn.png`,
            fullPage: true});
        await Promise.all([
            sign.waitForLoadState('load'),
            sign.locator('#submit').click(),
        ]);
        const done = sign.locator('.done');
        await done.waitFor({state: 'visible', timeout: TIMEOUT});
        seen.signed = (await done.innerText()).trim();
        seen.picture = await sign.locator('img.signature').count();
        await sign.screenshot({path: `${shots}/signing_signed.png`,
            fullPage: true});
        // The same link once more: the signed work order, no box
        await sign.goto(seen.url);
        seen.again_pad = await sign.locator('canvas#pad').count();
        // The picture as stored, read back from the database
        seen.stored = await sign.locator('img.signature')
            .getAttribute('src');
        seen.external = external;
    } finally {
        await device.close();
    }

    // The technician's form shows who signed
    seen.step = 'the work order reloaded';
    const read = waitRpc(page, `model.${model}.read`);
    await tab.locator(`button[title="${ZH.reload}"]`).first().click();
    await read;
    await settle(tab);
    seen.signed_by = await waitField(tab, 'signed_by', /\S/);
    await page.screenshot({path: `${shots}/signing_work_order.png`});
}

// The customer's pages, on the customer's phone ----------------------------

async function onPhone(page, url, seen, answer) {
    // A phone-sized browser with touch events, in Chinese, that notes any
    // request to another address
    const device = await page.context().browser().newContext({
        viewport: {width: 390, height: 844}, deviceScaleFactor: 2,
        hasTouch: true, isMobile: true, locale: 'zh-CN',
        timezoneId: TIMEZONE,
    });
    try {
        const phone = await device.newPage();
        phone.setDefaultTimeout(TIMEOUT);
        const external = [];
        phone.on('request', request => {
            if (!request.url().startsWith(new URL(url).origin)
                    && !request.url().startsWith('data:')) {
                external.push(request.url());
            }
        });
        await phone.goto(url);
        await phone.locator('h1').waitFor({state: 'visible'});
        seen.title = (await phone.locator('h1').innerText()).trim();
        seen.lang = await phone.locator('html').getAttribute('lang');
        await answer(phone);
        seen.external = external;
    } finally {
        await device.close();
    }
}

async function openedUrl(page, tab, button) {
    // The button opens the customer's page in a window of its own
    const opened = page.context().waitForEvent('page');
    await tab.locator(`.form button[name="${button}"]`).first().click();
    const popup = await opened;
    await popup.waitForLoadState();
    const url = popup.url();
    await popup.close();
    return url;
}

async function submit(phone, selector) {
    await Promise.all([
        phone.waitForLoadState('load'),
        phone.locator(selector).tap(),
    ]);
    const done = phone.locator('.done');
    await done.waitFor({state: 'visible', timeout: TIMEOUT});
    return (await done.innerText()).trim();
}

async function quotation(page, seen) {
    const model = 'service.dispatch';
    seen.step = 'menu Service > Work Orders, tab Assigned';
    const tab = await openMenu(page, ['Service', 'Work Orders'], {model});
    await openDomainTab(tab, 'Assigned', model);
    seen.step = "Zhao Lei's work order, page Billing";
    await rowWith(listOf(tab), 'Zhao Lei').locator('.column-char').first()
        .dblclick();
    await tab.locator('.form').first().waitFor({state: 'visible'});
    seen.number = await waitField(tab, 'number', /\S/);
    await tab.locator('.form .nav-tabs a', {hasText: 'Billing'}).first()
        .click();
    seen.total = await waitField(tab, 'total_amount', /\d/);
    seen.state_before = await fieldText(tab, 'quotation_state');
    seen.step = 'the button Answer on a Device';
    seen.url = await openedUrl(page, tab, 'quotation_link');

    seen.step = 'the quotation page, on the phone';
    await onPhone(page, seen.url, seen, async phone => {
        seen.page_total = (await phone.locator('.total').innerText()).trim();
        await phone.screenshot({path: `${shots}/quotation_page.png`,
            fullPage: true});
        await phone.locator('input[name="name"]').fill('张伟');
        seen.answered = await submit(phone, '#accept');
        await phone.screenshot({path: `${shots}/quotation_accepted.png`,
            fullPage: true});
        // The same link once more: the answer, no buttons
        await phone.goto(seen.url);
        seen.again_buttons = await phone.locator('button').count();
    });

    seen.step = 'the work order reloaded';
    const read = waitRpc(page, `model.${model}.read`);
    await tab.locator('button[title="Reload/Undo"]').first().click();
    await read;
    await settle(tab);
    seen.state_after = await waitField(tab, 'quotation_state', /Accepted/);
    seen.answered_by = await waitField(tab, 'quotation_answered_by', /\S/);
    await page.screenshot({path: `${shots}/quotation_work_order.png`});
}

async function survey(page, seen) {
    const model = 'service.survey';
    seen.step = 'menu Service > Surveys, tab Pending';
    const tab = await openMenu(page, ['Service', 'Surveys'], {model});
    // The calls past their day first, counted
    seen.tabs = await domainTabs(tab);
    await openDomainTab(tab, 'Overdue', model);
    const list = listOf(tab);
    seen.overdue = await rows(list);
    seen.overdue_red = await list.locator('tr.danger, td.danger').count();
    await page.screenshot({path: `${shots}/survey_overdue.png`});
    await openDomainTab(tab, 'Pending', model);
    seen.pending = await rows(list);
    await list.locator(':scope > table > tbody > tr', {hasText: 'Follow-up'})
        .first().locator('.column-char, .column-date').first().dblclick();
    await tab.locator('.form').first().waitFor({state: 'visible'});
    seen.party = await waitField(tab, 'party', /\S/);
    seen.step = "the button Customer's Page";
    seen.url = await openedUrl(page, tab, 'survey_link');

    seen.step = 'the survey page, on the phone';
    await onPhone(page, seen.url, seen, async phone => {
        await phone.screenshot({path: `${shots}/survey_page.png`,
            fullPage: true});
        seen.reason_hidden_before = await phone.locator('#reasons')
            .isHidden();
        for (const [name, score] of [['attitude', 3], ['timeliness', 1],
                ['quality', 2], ['overall', 1]]) {
            await phone.locator(
                `label:has(input[name="${name}"][value="${score}"]) span`)
                .tap();
        }
        // Unhappy: the reasons shown, one chosen
        await phone.locator('#reasons').waitFor({state: 'visible'});
        const reasons = await phone.locator('#reason option')
            .allInnerTexts();
        seen.reason = reasons[1].trim();
        await phone.locator('#reason').selectOption({label: seen.reason});
        await phone.locator('#comment').fill('等了三天才有人来。');
        await phone.screenshot({path: `${shots}/survey_filled.png`,
            fullPage: true});
        seen.answered = await submit(phone, '#submit');
        await phone.screenshot({path: `${shots}/survey_answered.png`,
            fullPage: true});
        await phone.goto(seen.url);
        seen.again_form = await phone.locator('form').count();
    });

    seen.step = 'the survey reloaded';
    const read = waitRpc(page, `model.${model}.read`);
    await tab.locator('button[title="Reload/Undo"]').first().click();
    await read;
    await settle(tab);
    seen.state = await waitField(tab, 'state', /Done/);
    seen.overall = await fieldText(tab, 'overall');
    seen.reason_saved = await fieldText(tab, 'reason');
    seen.answered_from = await fieldText(tab, 'answered_from');
    seen.complaint = await waitField(tab, 'complaint', /\S/);
    await page.screenshot({path: `${shots}/survey_desk.png`});
}

async function status(page, seen) {
    const model = 'service.request';
    seen.step = 'menu Service > Requests, tab In Progress';
    const tab = await openMenu(page, ['Service', 'Requests'], {model});
    await openDomainTab(tab, 'In Progress', model);
    await rowWith(listOf(tab), 'Jinjiang Garden Hotel')
        .locator('.column-char').first().dblclick();
    await tab.locator('.form').first().waitFor({state: 'visible'});
    seen.number = await waitField(tab, 'number', /\S/);
    seen.step = "the button Customer's Page";
    seen.url = await openedUrl(page, tab, 'status_link');
    seen.step = 'the status page, on the phone';
    await onPhone(page, seen.url, seen, async phone => {
        seen.text = (await phone.locator('main').innerText()).trim();
        seen.forms = await phone.locator('form').count();
        await phone.screenshot({path: `${shots}/status_page.png`,
            fullPage: true});
    });
}

// The manager's survey report ------------------------------------------------

async function survey_report(page, seen) {
    seen.step = 'menu Service > Service KPIs > Satisfaction by Score';
    let tab = await openMenu(page,
        ['Service', 'Service KPIs', 'Satisfaction by Score'],
        {model: 'service.survey.level'});
    seen.levels = await rows(listOf(tab));
    await page.screenshot({path: `${shots}/manager_survey_levels.png`});
    seen.step = 'menu Service > Service KPIs > Reasons for Dissatisfaction';
    tab = await openMenu(page,
        ['Service', 'Service KPIs', 'Reasons for Dissatisfaction'],
        {model: 'service.survey.reason.share'});
    seen.reasons = await rows(listOf(tab));
    await page.screenshot({path: `${shots}/manager_survey_reasons.png`});
}

// The technician records an inspection ---------------------------------------

async function inspection(page, seen) {
    const model = 'service.dispatch';
    seen.step = `menu ${ZH.service} > ${ZH.work_orders}, tab `
        + ZH.in_progress;
    const tab = await openMenu(page, [ZH.service, ZH.work_orders], {model});
    await openDomainTab(tab, ZH.in_progress, model);
    const list = listOf(tab);
    await rows(list);
    seen.step = "the clinic's inspection, its page " + ZH.inspection;
    await rowWith(list, 'Kangning Clinic').locator('.column-char').first()
        .dblclick();
    await tab.locator('.form').first().waitFor({state: 'visible'});
    seen.number = await waitField(tab, 'number', /\S/);
    await tab.locator('.form .nav-tabs a', {hasText: ZH.inspection}).first()
        .click();
    const findings = tab.locator('.form .tab-pane.active .form-one2many')
        .first();
    await findings.waitFor({state: 'visible'});
    const findingList = listOf(findings);
    seen.items = await poll(() => rows(findingList),
        found => found.length > 0, 10000);
    // A result per item, in the list: the first needs attention
    const results = findingList.locator(':scope > table > tbody > tr');
    for (let i = 0; i < seen.items.length; i++) {
        seen.step = `the result of item ${i + 1}`;
        const cell = results.nth(i).locator(`td[data-title="${ZH.result}: "]`);
        // The first click selects the row, a click on its cell edits it
        await cell.click();
        const select = results.nth(i).locator('select:visible').first();
        if (!await select.isVisible()) {
            await cell.click();
        }
        await select.waitFor({state: 'visible', timeout: TIMEOUT});
        await select.selectOption(
            {label: i === 0 ? ZH.needs_attention : ZH.ok});
        await select.blur();
        await settle(tab);
    }
    seen.step = 'the recommendations, then save';
    await tab.locator('.form textarea[name="recommendation"]').first()
        .fill('建议每季度清洗冷凝器。');
    await tab.locator('.form textarea[name="recommendation"]').first()
        .blur();
    const saved = waitRpc(page, `model.${model}.write`);
    await tab.locator(`button[title="${ZH.save}"]`).first().click();
    seen.save_error = (await saved).error || null;
    seen.save_alerts = await shownAlerts(page);
    await settle(tab);
    // Read again from the server
    const read = waitRpc(page, `model.${model}.read`);
    await tab.locator(`button[title="${ZH.reload}"]`).first().click();
    await read;
    await settle(tab);
    seen.findings = await rows(findingList);
    seen.recommendation = await tab.locator(
        '.form textarea[name="recommendation"]').first().inputValue();
    await page.screenshot({path: `${shots}/technician_inspection.png`});
}

// The desk renews a contract from the renewal list ----------------------------

async function renewal(page, seen) {
    const model = 'service.renewal';
    seen.step = 'menu Service > Renewals, tab To Contact';
    const tab = await openMenu(page, ['Service', 'Renewals'], {model});
    await tabCount(tab, 'To Contact');
    seen.tabs = await domainTabs(tab);
    const list = listOf(tab);
    seen.to_contact = await rows(list);
    await page.screenshot({path: `${shots}/desk_renewals.png`});
    seen.step = "the school's warranty extension";
    await rowWith(list, 'Xuhui Experimental School')
        .locator('.column-date, .column-selection').first().dblclick();
    await tab.locator('.form').first().waitFor({state: 'visible'});
    seen.contract = await waitField(tab, 'contract', /\S/);
    seen.end_date = await fieldText(tab, 'end_date');
    await tab.locator('.form textarea[name="answer_note"]').first()
        .fill('The bursar agrees to another year at the same price.');
    await tab.locator('.form textarea[name="answer_note"]').first().blur();
    await settle(tab);
    seen.step = 'the button Accept';
    const accepted = waitRpc(page, `model.${model}.accept`);
    await tab.locator('.form button[name="accept"]').first().click();
    seen.accept_error = (await accepted).error || null;
    await settle(tab);
    seen.accepted_state = await waitField(tab, 'state', /Accepted/);
    seen.step = 'the button Renew, then Renew in its dialog';
    await tab.locator('.form button[name="renew"]').first().click();
    const wizard = page.locator('.modal.in.wizard-dialog').last();
    await wizard.locator('.form input[name="price"]').first().waitFor(
        {state: 'visible', timeout: TIMEOUT});
    seen.start_date = await waitField(wizard, 'start_date', /\d/);
    seen.new_end_date = await waitField(wizard, 'new_end_date', /\d/);
    seen.price = await waitField(wizard, 'price', /\d/);
    await page.screenshot({path: `${shots}/desk_renew.png`});
    const renewed = waitRpc(page, 'wizard.service.renewal.renew.execute');
    await wizard.locator('.modal-footer button', {hasText: 'Renew'}).click();
    seen.renew_error = (await renewed).error || null;
    seen.renew_alerts = await shownAlerts(page);
    await settle(tab);
    seen.state = await waitField(tab, 'state', /Renewed/);
    seen.new_contract = await waitField(tab, 'new_contract', /\S/);
    await page.screenshot({path: `${shots}/desk_renewed.png`});
}

// The manager's reports to the management ------------------------------------

async function management_reports(page, seen) {
    seen.step = 'menu Service > Configuration > Management Report Recipients';
    let tab = await openMenu(page,
        ['Service', 'Configuration', 'Management Report Recipients'],
        {model: 'service.management.report.recipient'});
    seen.recipients = await rows(listOf(tab));
    await page.screenshot({path: `${shots}/manager_report_recipients.png`});
    seen.step = 'menu Service > Service KPIs > Management Reports Sent';
    tab = await openMenu(page,
        ['Service', 'Service KPIs', 'Management Reports Sent'],
        {model: 'service.management.report'});
    seen.reports = await rows(listOf(tab));
    await page.screenshot({path: `${shots}/manager_reports_sent.png`});
}

// The desk's complaint register ----------------------------------------------

async function complaint(page, seen) {
    const model = 'service.request';
    seen.step = 'menu Service > Complaint Register, tab Overdue';
    const tab = await openMenu(page, ['Service', 'Complaint Register'],
        {model});
    for (const name of ['Overdue', 'Open', 'Administration']) {
        await tabCount(tab, name);
    }
    seen.tabs = await domainTabs(tab);
    await openDomainTab(tab, 'Overdue', model);
    const list = listOf(tab);
    seen.overdue = await rows(list);
    // The overdue deadlines in red
    seen.danger = await list.locator('td.danger, td .danger, tr.danger')
        .count();
    await page.screenshot({path: `${shots}/desk_complaint_register.png`});
    seen.step = "Wang Fang's complaint, page Complaint";
    await rowWith(list, 'Wang Fang').locator('.column-char').first()
        .dblclick();
    await tab.locator('.form').first().waitFor({state: 'visible'});
    seen.number = await waitField(tab, 'number', /\S/);
    // sao fills its selection boxes once it has their options: a button
    // clicked before saves what the boxes show
    seen.priority = await waitField(tab, 'priority', /High/);
    await tab.locator('.form .nav-tabs a', {hasText: 'Complaint'}).first()
        .click();
    seen.category = await waitField(tab, 'complaint_category', /\S/);
    seen.answer_deadline = await fieldText(tab, 'complaint_answer_deadline');
    await tab.locator('.form textarea[name="complaint_answer"]').first()
        .fill('We apologised; the packaging is collected tomorrow.');
    // The answer typed reaches the record when the box loses the focus,
    // and sao redraws the form: a click at once would find the selection
    // boxes being redrawn (a person takes longer than the robot)
    await tab.locator('.form textarea[name="complaint_answer"]').first()
        .blur();
    await settle(tab);
    seen.step = 'the button First Answer Given';
    const answered = waitRpc(page, `model.${model}.answer_complaint`);
    await tab.locator('.form button[name="answer_complaint"]').first()
        .click();
    seen.answer_error = (await answered).error || null;
    seen.answer_alerts = await shownAlerts(page);
    await settle(tab);
    seen.answered = await waitField(tab, 'complaint_answered_date', /\d/);
    seen.step = 'the button To Administration, confirmed';
    const transferred = waitRpc(page, `model.${model}.transfer_complaint`);
    await tab.locator('.form button[name="transfer_complaint"]').first()
        .click();
    const confirm = page.locator('.modal.in .btn-primary');
    await confirm.first().waitFor({state: 'visible', timeout: TIMEOUT});
    await confirm.first().click();
    seen.transfer_error = (await transferred).error || null;
    await settle(tab);
    seen.handler = await waitField(tab, 'complaint_handler',
        /Administration/);
    await page.screenshot({path: `${shots}/desk_complaint.png`});
}

// The accountant invoices the months of the resident agreements -------------

async function agreement_fees(page, seen) {
    seen.step = 'menu Financial > Invoices > Invoice Agreement Fees';
    let wizard = await openWizard(page,
        ['Financial', 'Invoices', 'Invoice Agreement Fees']);
    await wizard.locator('.form input[name="date"]').first().waitFor(
        {state: 'visible', timeout: TIMEOUT});
    seen.date = await waitField(wizard, 'date', /\S/);
    seen.agreements = await poll(() => rows(listOf(wizard)),
        found => found.length >= 1);
    seen.error_cells = errorCells('agreements', seen.agreements);
    await page.screenshot({path: `${shots}/accountant_agreement_fees.png`});
    seen.step = 'Invoice Agreement Fees: Invoice';
    let executed = waitRpc(page,
        'wizard.service.contract.invoice_fees.execute');
    let search = waitRpc(page, 'model.account.invoice.search');
    await wizardButton(wizard, 'Invoice');
    seen.invoice_error = (await executed).error || null;
    seen.invoice_alerts = await shownAlerts(page);
    await search;
    // The invoices made open in a tab of their own
    const invoices = page.locator('#tabcontent > .tab-pane.active');
    await settle(invoices);
    seen.invoices_tab = (await page.locator('#tablist li.active')
        .innerText()).replace(/×/g, '').trim();
    seen.invoices = await poll(() => rows(listOf(invoices)),
        found => found.length >= 1);
    seen.error_cells.push(...errorCells('invoices', seen.invoices));
    await page.screenshot({path: `${shots}/accountant_agreement_invoices.png`});

    // Once more: the months are invoiced, none twice
    seen.step = 'Invoice Agreement Fees, once more';
    wizard = await openWizard(page,
        ['Financial', 'Invoices', 'Invoice Agreement Fees']);
    await wizard.locator('.form input[name="date"]').first().waitFor(
        {state: 'visible', timeout: TIMEOUT});
    await poll(() => rows(listOf(wizard)), found => found.length >= 1);
    executed = waitRpc(page, 'wizard.service.contract.invoice_fees.execute');
    search = waitRpc(page, 'model.account.invoice.search');
    await wizardButton(wizard, 'Invoice');
    seen.again_error = (await executed).error || null;
    await search;
    const again = page.locator('#tabcontent > .tab-pane.active');
    await settle(again);
    await idle(page);
    seen.invoices_again = await rows(listOf(again));
}

// The manager records a fine -------------------------------------------------

async function fines(page, seen) {
    const model = 'service.fine';
    seen.step = 'menu Service > Service KPIs > Fines';
    const tab = await openMenu(page,
        ['Service', 'Service KPIs', 'Fines'], {model});
    seen.before = await rows(listOf(tab));
    seen.step = 'Fines: New';
    await tab.locator('button[title="New"]').first().click();
    await tab.locator('.form').first().waitFor({state: 'visible'});
    await settle(tab);
    seen.employee = await fillMany2One(page, tab, 'employee', 'Liu Yang');
    await tab.locator('.form select[name="kind"]').first().selectOption(
        {label: 'Attitude Complaint'});
    await idle(page);
    // The amount of the regulation comes with the kind
    seen.amount = await waitField(tab, 'amount', /50/);
    await tab.locator('.form textarea[name="reason"]').first().fill(
        'Raised his voice at the customer.');
    await page.screenshot({path: `${shots}/manager_fine.png`});
    seen.step = 'Fines: Save';
    const saved = waitRpc(page, `model.${model}.create`);
    await tab.locator('button[title="Save"]').first().click();
    seen.save_error = (await saved).error || null;
    seen.save_alerts = await shownAlerts(page);
    await settle(tab);
    seen.recorded_by = await waitField(tab, 'recorded_by', /\S/);
}

async function openWizard(page, path) {
    // A wizard of the menu: its dialog.  The menu's entry is opened again
    // (a double click may be taken for the first click of the dialog's
    // opening) until the dialog shows
    const wizard = page.locator('.modal.in.wizard-dialog').last();
    for (let attempt = 0; ; attempt++) {
        try {
            await openMenu(page, path, {view: null});
        } catch (error) {
            if (attempt > 2) {
                throw error;
            }
        }
        try {
            await wizard.waitFor({state: 'visible', timeout: 10000});
            return wizard;
        } catch (error) {
            if (attempt > 2) {
                throw error;
            }
        }
    }
}

async function wizardButton(tab, label) {
    // A button of the wizard's current step, by its label
    const button = tab.locator('button:visible', {hasText: label}).last();
    await button.waitFor({state: 'visible', timeout: TIMEOUT});
    await button.click();
    await idle(tab.page());
}

async function dashboard(tab) {
    // The totals and the rows of each list of the dashboard
    const list = label => listOf(tab.locator('.form-many2many', {
        has: tab.page().locator('.form-many2many-string',
            {hasText: label}),
    }).first());
    const form = tab;
    // sao fills a list's rows once it is shown: each in view, in turn
    const shown = async label => {
        const found = list(label);
        await found.scrollIntoViewIfNeeded();
        await idle(tab.page());
        return rows(found);
    };
    const number = async name => Number(
        (await fieldText(form, name)).replace(/,/g, '') || 0);
    const result = {
        // (the form's fields are filled a moment after it is shown)
        window: {
            from: await waitField(form, 'from_date', /\S/),
            to: await waitField(form, 'to_date', /\S/),
            period: await waitField(form, 'period', /\S/),
        },
        requests: await number('requests'),
        resolved_requests: await number('resolved_requests'),
        periods: await shown('Per Period'),
        technicians: await shown('Per Technician'),
        customers: await shown('Per Customer'),
        products: await shown('Per Product'),
    };
    result.error_cells = [
        ...errorCells('periods', result.periods),
        ...errorCells('technicians', result.technicians),
        ...errorCells('customers', result.customers),
        ...errorCells('products', result.products),
    ];
    return result;
}

async function events(tab) {
    // The events shown: their day, the times as written on them, who does
    // them (their title) and their colour as the browser paints it
    return tab.locator('.fc-time-grid-event').evaluateAll(nodes => {
        const days = [...document.querySelectorAll(
            '#tabcontent > .tab-pane.active .fc-head th')]
            .map(th => th.dataset.date || null);
        return nodes.map(node => {
            const cell = node.closest('td');
            const index = [...cell.parentNode.children].indexOf(cell);
            return {
                day: days[index] || null,
                time: node.querySelector('.fc-time').innerText.trim(),
                technician: node.querySelector('.fc-title').innerText.trim(),
                text: node.getAttribute('title'),
                color: getComputedStyle(node).backgroundColor,
            };
        });
    });
}

// The helpers of the journeys ------------------------------------------------

async function reload(tab, model) {
    // The Reload button of the toolbar searches the list again: sao keeps
    // a record a button changed in the list until then
    const search = waitRpc(tab.page(), `model.${model}.search`);
    await tab.locator('button[title="Reload/Undo"]').first().click();
    await search;
    await settle(tab);
}

async function shownAlerts(page) {
    // The server's messages shown after a click, closed
    await page.waitForTimeout(500);
    const shown = await alerts(page);
    for (let i = 0; i < shown.length; i++) {
        await closeAlert(page);
    }
    return shown;
}

const JOURNEYS = [
    // journey, login, the language of the browser
    [desk, 'desk', 'en-US'],
    [warehouse, 'warehouse', 'en-US'],
    [accountant, 'accountant', 'en-US'],
    [technician, 'liu', 'zh-CN'],
    [signing, 'liu', 'zh-CN'],
    [quotation, 'dispatcher', 'en-US'],
    [survey, 'desk', 'en-US'],
    [status, 'desk', 'en-US'],
    [complaint, 'desk', 'en-US'],
    [dispatcher, 'dispatcher', 'en-US'],
    [manager, 'manager', 'en-US'],
    [survey_report, 'manager', 'en-US'],
    [management_reports, 'manager', 'en-US'],
    [renewal, 'desk', 'en-US'],
    [inspection, 'liu', 'zh-CN'],
    [fines, 'manager', 'en-US'],
    [agreement_fees, 'accountant', 'en-US'],
    // Last: it changes the demo's data
    [installed_base, 'manager', 'en-US'],
];

async function run() {
    // ROLES=warehouse,dispatcher runs only those journeys (to debug one)
    const only = (process.env.ROLES || '').split(',').filter(Boolean);
    const browser = await launch();
    const seen = {};
    try {
        for (const [journey, user, locale] of JOURNEYS) {
            const name = journey.name;
            if (only.length && !only.includes(name)) {
                continue;
            }
            // No screenshot of a failure of another run
            fs.rmSync(`${shots}/failure-${name}.png`, {force: true});
            const context = await browser.newContext({
                viewport: {width: 1400, height: 900},
                timezoneId: TIMEZONE, locale,
            });
            const page = await context.newPage();
            page.setDefaultTimeout(TIMEOUT);
            track(page);
            const result = seen[name] = {user, page_errors: []};
            page.on('pageerror',
                error => result.page_errors.push(String(error)));
            const start = Date.now();
            try {
                await login(page, address, user, PASSWORDS[user]);
                await journey(page, result);
                // Gone to the end
                delete result.step;
            } catch (error) {
                // Where it stopped and what the page showed
                // The error and the locator it waited for
                const lines = String(error.message || error).split('\n');
                result.failure = [lines[0], ...lines.filter(
                    line => /waiting for locator/.test(line)).slice(0, 1)]
                    .map(line => line.trim()).join(' ');
                result.failure_alerts = await alerts(page).catch(() => []);
                await page.screenshot(
                    {path: `${shots}/failure-${name}.png`})
                    .catch(() => {});
            }
            result.seconds = Math.round((Date.now() - start) / 1000);
            await context.close();
        }
    } finally {
        await browser.close();
    }
    process.stdout.write(JSON.stringify(seen) + '\n');
}

run().catch(error => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
});
