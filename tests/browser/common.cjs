// This file is part of the service modules for Tryton.
// The COPYRIGHT file at the top level of this repository contains the full
// copyright notices and license terms.
//
// What the browser tests share to drive the web client (tryton-sao) of the
// demo in Debian's chromium: the browser, the login, the menu, the lists and
// their domain tabs, the fields of a form, the dialogs.  service.cjs and
// roles.cjs require it.
'use strict';
const {chromium} = require('playwright-core');

// What one wait may take on a loaded 2-core machine
const TIMEOUT = 30000;

function fail(message) {
    throw new Error(message);
}

function launch() {
    return chromium.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox'],
    });
}

async function login(page, address, user, password) {
    // address: the web client's URL and the database, `${url}#${database}`
    await page.goto(address);
    await page.locator('#login').waitFor({state: 'visible', timeout: TIMEOUT});
    await page.fill('#login', user);
    await page.click('.login-dialog button[type=submit]');
    const secret = page.locator('.modal.in input[type=password]');
    await secret.waitFor({state: 'visible', timeout: TIMEOUT});
    await secret.fill(password);
    await secret.press('Enter');
    await page.locator('#menu').waitFor({state: 'visible', timeout: TIMEOUT});
}

async function openMenu(page, path, {view = '.treeview', model} = {}) {
    // Unfold the menu along path (the labels the user reads) and open its
    // last entry; return the tab it opened once its view (a CSS selector)
    // is shown, and with a model once its records are there (no view: a
    // wizard's dialog, nothing is waited for)
    const search = model ? waitRpc(page, `model.${model}.search`) : null;
    const menu = page.locator('#menu');
    const item = name => menu.locator(`div.column-char[title="${name}"]`)
        .first();
    for (const [i, name] of path.entries()) {
        await item(name).waitFor({state: 'visible', timeout: TIMEOUT});
        if (i === path.length - 1) {
            await item(name).dblclick();
        } else if (!await item(path[i + 1]).isVisible()) {
            await menu.locator(
                `tr:has(div.column-char[title="${name}"]) .expander`)
                .first().click();
        }
    }
    const tab = page.locator('#tabcontent > .tab-pane.active');
    if (view === null) {
        // A wizard of the menu opens in a dialog, no tab
        return null;
    }
    await tab.locator(view).first().waitFor(
        {state: 'visible', timeout: TIMEOUT});
    if (search) {
        await search;
        await settle(tab);
    }
    return tab;
}

function waitRpc(page, method) {
    // The answer of the server to the next call of method, parsed: start
    // waiting before the click that makes the call
    const answer = page.waitForResponse(response => {
        const request = response.request();
        if (request.method() !== 'POST') {
            return false;
        }
        try {
            return JSON.parse(request.postData()).method === method;
        } catch (error) {
            return false;
        }
    }, {timeout: TIMEOUT}).then(response => response.json());
    // Not awaited when the journey failed before: no unhandled rejection
    answer.catch(() => {});
    return answer;
}

const PENDING = new WeakMap();

function track(page) {
    // Count the calls to the server under way, for idle()
    PENDING.set(page, 0);
    const change = step => request => {
        if (request.method() === 'POST') {
            PENDING.set(page, PENDING.get(page) + step);
        }
    };
    page.on('request', change(1));
    page.on('requestfinished', change(-1));
    page.on('requestfailed', change(-1));
}

async function idle(page, quiet = 500) {
    // Until no call to the server (of a tracked page) was under way for
    // quiet ms: sao has its answers
    const deadline = Date.now() + TIMEOUT;
    let since = Date.now();
    while (Date.now() - since < quiet && Date.now() < deadline) {
        if (PENDING.get(page)) {
            since = Date.now();
        }
        await page.waitForTimeout(100);
    }
}

async function poll(read, until, timeout = TIMEOUT) {
    // read() again until until(value) or the time is up; return the last
    // value, for the caller to judge
    const deadline = Date.now() + timeout;
    let value = await read();
    while (!until(value) && Date.now() < deadline) {
        await new Promise(resolve => setTimeout(resolve, 200));
        value = await read();
    }
    return value;
}

// The lists ------------------------------------------------------------------

async function domainTabs(tab) {
    // The domain tabs of a list: their name and, for those counted, their
    // count (null until the server answered, or when not counted)
    return tab.locator('.tab-domain .nav-tabs li a').evaluateAll(
        links => links.map(link => {
            const badge = link.querySelector('.badge');
            const shown = badge && badge.style.visibility !== 'hidden'
                && /^\d+$/.test(badge.textContent.trim());
            return {
                name: link.firstChild.textContent.trim(),
                count: shown ? Number(badge.textContent.trim()) : null,
            };
        }));
}

async function tabCount(tab, name, until = count => count !== null) {
    // The count on the domain tab name, once it is shown and until(count)
    const count = async () => {
        const found = (await domainTabs(tab)).find(t => t.name === name);
        return found ? found.count : null;
    };
    return poll(count, value => value !== null && until(value));
}

async function openDomainTab(tab, name, model) {
    // Show the records of the domain tab name of a list of model
    const search = waitRpc(tab.page(), `model.${model}.search`);
    await tab.locator('.tab-domain .nav-tabs a', {hasText: name}).first()
        .click();
    await search;
    await settle(tab);
}

async function settle(tab) {
    // sao draws the rows a moment after the server's answer
    await tab.page().waitForTimeout(500);
}

function listOf(scope) {
    return scope.locator('.treeview').first();
}

async function rows(list) {
    // The rows of a list as the user reads them: {column label: text, or
    // true/false for a check box}, the hidden columns aside; once sao has
    // drawn their cells and filled them (on a loaded machine the values of
    // a row may come a moment after the row)
    const filled = row => Object.entries(row).some(
        ([label, value]) => label !== 'buttons' && value !== ''
            && value !== false);
    return poll(() => readRows(list),
        found => found.every(row => filled(row)), 20000);
}

function readRows(list) {
    return list.locator(':scope > table > tbody > tr:not(.no-result)')
        .evaluateAll(trs => trs.map(tr => {
            const row = {};
            for (const td of tr.querySelectorAll(':scope > td[data-title]')) {
                if (td.classList.contains('invisible')
                        || td.style.display === 'none') {
                    continue;
                }
                const label = td.dataset.title.replace(/:\s*$/, '').trim();
                const box = td.querySelector('input[type=checkbox]');
                // The cell being edited shows its value in an input
                const input = [...td.querySelectorAll(
                    'input:not([type=checkbox])')]
                    .find(node => node.offsetParent !== null);
                row[label] = box ? box.checked
                    : input ? input.value.trim()
                    : td.innerText.replace(/\s+/g, ' ').trim();
            }
            // The buttons of the row the user may click
            row.buttons = [...tr.querySelectorAll('button[name]')]
                .filter(b => b.offsetParent !== null && !b.disabled)
                .map(b => b.textContent.trim());
            return row;
        }));
}

function errorCells(screen, list) {
    // The cells sao shows as "#ERROR": the server refused to read them
    const found = [];
    for (const [i, row] of list.entries()) {
        for (const [label, text] of Object.entries(row)) {
            if (text === '#ERROR') {
                found.push(`${screen}: row ${i + 1}, ${label}`);
            }
        }
    }
    return found;
}

function rowWith(list, text) {
    // The row of the list holding a link or a cell with that text
    return list.locator(':scope > table > tbody > tr', {
        has: list.page().locator(
            `a[title="${text}"], div[title="${text}"]`),
    }).first();
}

async function selectRow(row) {
    // A click on the first plain cell selects the row (a link would open
    // the record); on a selected row it would unselect it
    const selected = value => /\bselected\b/.test(value || '');
    if (selected(await row.getAttribute('class'))) {
        return;
    }
    await row.locator('.column-char, .column-date, .column-selection')
        .first().click();
    if (!selected(await poll(() => row.getAttribute('class'), selected))) {
        fail('the row could not be selected');
    }
}

async function clickRowButton(row, name) {
    // sao runs a button of a list row on the current record: the first
    // click on a row that is not selected only selects it
    await selectRow(row);
    const button = row.locator(`button[name="${name}"]`);
    if (!await button.isVisible() || !await button.isEnabled()) {
        fail(`no button "${name}" to click on the row`);
    }
    await button.click();
}

async function showColumn(list, label) {
    // Show an optional column from the menu of the list's header
    const toggle = list.locator(
        'thead th.tree-menu a[data-toggle="dropdown"]').first();
    await toggle.click();
    const menu = list.locator('thead th.tree-menu .dropdown-menu').first();
    const box = menu.locator('label', {hasText: label}).first()
        .locator('input[type=checkbox]');
    await box.waitFor({state: 'visible', timeout: TIMEOUT});
    if (!await box.isChecked()) {
        await box.check();
    }
    // Closed as opened
    await toggle.click();
    await menu.waitFor({state: 'hidden', timeout: TIMEOUT});
    await list.locator(`td[data-title="${label}: "]`).first().waitFor(
        {state: 'visible', timeout: TIMEOUT});
}

// The forms and dialogs ------------------------------------------------------

async function fillMany2One(page, tab, name, text) {
    const widget = tab.locator(
        `.form .form-many2one:has(input[name="${name}"])`).first();
    const input = widget.locator(`input[name="${name}"]`);
    // sao shows the button that opens the record once the field holds one
    const set = widget.locator('.icon-primary button:visible');
    // The search dialog of sao (not a form or a wizard dialog)
    const dialog = page.locator('.modal.in:not(.window-form)'
        + ':not(.wizard-dialog):has(.treeview)').last();
    await input.waitFor({state: 'visible', timeout: TIMEOUT});
    if (await input.getAttribute('readonly') !== null) {
        fail(`the field "${name}" is read-only`);
    }
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
        await widget.locator('.icon-secondary button').click();
        await dialog.waitFor({state: 'visible', timeout: TIMEOUT});
    }
    if (await dialog.isVisible()) {
        const row = dialog.locator('.treeview tbody tr:not(.no-result)')
            .first();
        await row.waitFor({state: 'visible', timeout: TIMEOUT});
        await row.click();
        await dialog.locator('.modal-footer .btn-primary').last().click();
        await dialog.waitFor({state: 'hidden', timeout: TIMEOUT});
    }
    await set.waitFor({state: 'visible', timeout: TIMEOUT});
    return (await input.inputValue()).trim();
}

async function fieldText(scope, name) {
    // A field may have several inputs (a number's text and number
    // inputs): the one shown, else the first (on a page not shown)
    const inputs = suffix => scope.locator(`.form input[name="${name}"]`
        + `${suffix}, .form select[name="${name}"]${suffix}`);
    const shown = inputs(':visible');
    const widget = await shown.count() ? shown.first() : inputs('').first();
    const tag = await widget.evaluate(node => node.tagName);
    if (tag === 'SELECT') {
        return (await widget.evaluate(
            node => node.selectedIndex >= 0
                ? node.options[node.selectedIndex].text : '')).trim();
    }
    return (await widget.inputValue()).trim();
}

async function waitField(scope, name, expected) {
    // The server's answer reaches the form a moment after the click
    return poll(() => fieldText(scope, name), value => expected.test(value));
}

async function alerts(page) {
    // The messages of the dialogs shown: the server's refusals, its errors
    return (await page.locator('.modal.in .alert').allInnerTexts())
        .map(text => text.trim());
}

async function closeAlert(page) {
    // The OK of the message dialog, whatever the language
    const dialog = page.locator('.modal.in:has(.alert)').last();
    await dialog.locator('.modal-footer .btn-primary').first().click();
    await dialog.waitFor({state: 'hidden', timeout: TIMEOUT});
}

module.exports = {
    TIMEOUT, fail, launch, login, openMenu, waitRpc, track, idle, poll,
    domainTabs, tabCount, openDomainTab, settle, listOf, rows, errorCells,
    rowWith, selectRow, clickRowButton, showColumn,
    fillMany2One, fieldText, waitField, alerts, closeAlert,
};
