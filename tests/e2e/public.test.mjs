// The public register as a person uses it: keyboard only (skip link, search, filters,
// counts), switching the language, a 320 px wide screen, dates and obligations in the
// page's language, one organisation's register, and the open-data downloads of what a
// page shows (JSON, CSV, XLSX: the same records and columns).

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';

import { CSV_HEADER, parseCsv } from '../api/server.mjs';
import {
  HIGH_RISK_PROFILE, ORG, ORG_NAME, client, fullRecord, horizontalOverflow, launch, publishRecord,
  readXlsx, screenshot, setupServer,
} from './lib.mjs';

let ctx;
let br;
let anon;
let id; // a published, classified record of ORG

before(async () => {
  ctx = await setupServer();
  id = await publishRecord(ctx, fullRecord({ name: 'Parkeervergunningen e2e', begin_date: '2021-03' }),
    { profile: HIGH_RISK_PROFILE });
  br = await launch();
  anon = await br.newContext();
});

after(async () => {
  await br?.close();
  await ctx?.stop();
});

/** The number in the results heading ("71 resultaten" / "71 results"). */
async function shownTotal(page) {
  const m = /^(\d+) /.exec(await page.locator('#results-heading').innerText());
  assert.ok(m, 'a results heading with a number');
  return Number(m[1]);
}

/** Presses Tab until the focused element matches selector (at most max times). */
async function tabTo(page, selector, max = 40) {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return i + 1;
  }
  throw new Error(`${selector} not reached with ${max} presses of Tab`);
}

describe('keyboard only', () => {
  test('the first Tab reaches the skip link, it is visible, and Enter moves focus to main', async () => {
    const page = await anon.newPage();
    try {
      await page.goto(`${ctx.base}/`);
      await page.keyboard.press('Tab');
      const first = await page.evaluate(() => ({
        cls: document.activeElement.className, href: document.activeElement.getAttribute('href'),
        text: document.activeElement.textContent,
      }));
      assert.match(first.cls, /aireg-skip-link/);
      assert.equal(first.href, '#inhoud');
      assert.equal(first.text, 'Direct naar de inhoud');
      const box = await page.locator('.aireg-skip-link').boundingBox();
      assert.ok(box && box.x >= 0 && box.y >= 0 && box.width > 0, `the focused skip link is on screen: ${JSON.stringify(box)}`);
      await screenshot(page, 'keyboard skip link focused');
      await page.keyboard.press('Enter');
      const active = await page.evaluate(() => ({ tag: document.activeElement.tagName, id: document.activeElement.id }));
      assert.deepEqual(active, { tag: 'MAIN', id: 'inhoud' });
      // The next Tab goes on from main, not from the top of the page.
      await page.keyboard.press('Tab');
      assert.ok(await page.evaluate(() => document.querySelector('main').contains(document.activeElement)),
        'the Tab after the skip link lands inside main');
    } finally {
      await page.close();
    }
  });

  test('search and filter with the keyboard; the counts agree', async () => {
    const page = await anon.newPage();
    try {
      await page.goto(`${ctx.base}/`);
      const all = await shownTotal(page);
      assert.ok(all >= 1530, `the whole register is shown (${all})`);
      await tabTo(page, '#q');
      await page.keyboard.type('parkeren');
      await tabTo(page, '#f-soort', 5);
      // The options carry their counts: "gemeente (950)".
      const labels = await page.locator('#f-soort option').allInnerTexts();
      assert.ok(labels.slice(1).every((l) => /\(\d+\)$/.test(l)), `counts on every option: ${labels}`);
      await page.keyboard.press('ArrowDown'); // the first type with results
      const chosen = await page.locator('#f-soort').inputValue();
      assert.ok(chosen, 'a value chosen with the arrow key');
      await tabTo(page, '.aireg-filters button[type="submit"]', 10);
      await Promise.all([page.waitForURL(/[?&]q=parkeren/), page.keyboard.press('Enter')]);
      const u = new URL(page.url());
      assert.equal(u.searchParams.get('q'), 'parkeren');
      assert.equal(u.searchParams.get('soort'), chosen);
      const total = await shownTotal(page);
      assert.ok(total > 0 && total < all, `narrowed: ${total} of ${all}`);
      // The selected type's count is the number of results.
      const sel = await page.locator('#f-soort option:checked').innerText();
      assert.equal(Number(/\((\d+)\)$/.exec(sel)[1]), total, `"${sel}" vs ${total} results`);
      // The free-text search alone agrees with the JSON API.
      const api = await client(ctx.base)('GET', '/api/v1/algorithms?q=parkeren&limit=1');
      await page.goto(`${ctx.base}/?q=parkeren`);
      assert.equal(await shownTotal(page), api.json.total);
      // Every result shown links to its page; the first one opens with Enter.
      const n = await page.locator('.aireg-result h3 a').count();
      assert.equal(n, Math.min(20, api.json.total));
      await tabTo(page, '.aireg-result h3 a');
      await Promise.all([page.waitForURL(/\/algoritmes\/\d{8}$/), page.keyboard.press('Enter')]);
      assert.equal(await page.locator('h1').count(), 1);
    } finally {
      await page.close();
    }
  });

  test('paging: the next page keeps the search and the filters', async () => {
    const page = await anon.newPage();
    try {
      await page.goto(`${ctx.base}/?soort=gemeente&sort=name`);
      const total = await shownTotal(page);
      const firstPage = await page.locator('.aireg-result h3 a').allInnerTexts();
      await tabTo(page, 'a[rel="next"]', 80);
      await Promise.all([page.waitForURL(/page=2/), page.keyboard.press('Enter')]);
      const u = new URL(page.url());
      assert.equal(u.searchParams.get('soort'), 'gemeente');
      assert.equal(u.searchParams.get('sort'), 'name');
      assert.equal(await shownTotal(page), total);
      const second = await page.locator('.aireg-result h3 a').allInnerTexts();
      assert.equal(second.filter((x) => firstPage.includes(x)).length, 0, 'page 2 shows other entries');
    } finally {
      await page.close();
    }
  });
});

describe('languages', () => {
  test('switching to English changes the lang attribute and the texts, and back', async () => {
    const context = await br.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${ctx.base}/`);
      assert.equal(await page.getAttribute('html', 'lang'), 'nl');
      assert.equal(await page.locator('h1').innerText(), 'Zoeken in het register');
      const link = page.locator('a[hreflang="en"]');
      assert.equal(await link.getAttribute('lang'), 'en', 'the link to English is marked as English');
      await tabTo(page, 'a[hreflang="en"]');
      await Promise.all([page.waitForURL(/lang=en/), page.keyboard.press('Enter')]);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.locator('h1').innerText(), 'Search the register');
      assert.equal(await page.locator('.aireg-skip-link').innerText(), 'Skip to main content');
      assert.match(await page.locator('#results-heading').innerText(), /^\d+ results$/);
      assert.equal(await page.locator('label[for="q"]').innerText(), 'Search term');
      await screenshot(page, 'public search in English');
      // Remembered: the next page is English too.
      await page.goto(`${ctx.base}/algoritmes/${id}`);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.locator('#s-aiact').innerText(), 'AI Act');
      await page.click('a[hreflang="nl"]');
      await page.waitForURL(/lang=nl/);
      assert.equal(await page.getAttribute('html', 'lang'), 'nl');
      assert.equal(await page.locator('#s-aiact').innerText(), 'AI-verordening');
    } finally {
      await context.close();
    }
  });

  test('switching the language keeps the search', async () => {
    const context = await br.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${ctx.base}/?q=parkeren&soort=gemeente`);
      await page.click('a[hreflang="en"]');
      await page.waitForURL(/lang=en/);
      const u = new URL(page.url());
      assert.equal(u.searchParams.get('q'), 'parkeren');
      assert.equal(u.searchParams.get('soort'), 'gemeente');
    } finally {
      await context.close();
    }
  });

  test('dates: "2 december 2027" on Dutch pages, "2 December 2027" on English ones; obligations in the page language', async () => {
    const page = await anon.newPage();
    try {
      await page.goto(`${ctx.base}/algoritmes/${id}?lang=nl`);
      let text = await page.locator('main').innerText();
      assert.match(text, /\b2 december 2027\b/);
      assert.match(text, /\bmaart 2021\b/, 'the start month (2021-03)');
      assert.doesNotMatch(text, /\b\d{4}-\d{2}(-\d{2})?\b/, 'no ISO dates left on the page');
      assert.match(text, /Maatregelen nemen ter ondersteuning van AI-geletterdheid/);
      assert.match(text, /Versie 1 \(\d{1,2} [a-z]+ \d{4}, gepubliceerd\)/, 'the version history in Dutch');
      assert.equal(await page.locator('time[datetime="2027-12-02"]').first().innerText(), '2 december 2027');
      await page.goto(`${ctx.base}/algoritmes/${id}?lang=en`);
      text = await page.locator('main').innerText();
      assert.match(text, /\b2 December 2027\b/);
      assert.match(text, /\bMarch 2021\b/);
      assert.doesNotMatch(text, /\b\d{4}-\d{2}(-\d{2})?\b/);
      assert.match(text, /Take measures to support the AI literacy of staff/);
      assert.doesNotMatch(text, /Maatregelen nemen ter ondersteuning/);
      assert.match(text, /AI Act as amended by the Digital Omnibus on AI/, 'the timeline in English');
      assert.match(text, /Version 1 \(\d{1,2} [A-Z][a-z]+ \d{4}, published\)/, 'the version history in English');
      await page.goto(`${ctx.base}/algoritmes/${id}?lang=nl`);
    } finally {
      await page.close();
    }
  });
});

describe('320 px wide: no horizontal scrolling on public pages', () => {
  const pages = [
    ['public search', () => '/'],
    ['search with results and filters', () => '/?q=parkeren&soort=gemeente'],
    ['organisation register', () => `/organisaties/${ORG}`],
    ['organisations', () => '/organisaties'],
    ['detail', () => `/algoritmes/${id}`],
    ['detail in English', () => `/algoritmes/${id}?lang=en`],
    ['login', () => '/inloggen'],
    ['error 404', () => '/bestaat-niet'],
  ];
  let narrow;
  before(async () => {
    narrow = await br.newContext({ viewport: { width: 320, height: 640 } });
  });
  after(async () => narrow?.close());
  for (const [name, path] of pages) {
    test(name, async () => {
      const page = await narrow.newPage();
      try {
        await page.goto(ctx.base + path());
        assert.equal(await page.evaluate(() => window.innerWidth), 320);
        const over = await horizontalOverflow(page);
        await screenshot(page, `${name} at 320px`);
        assert.ok(over <= 0, `${path()} scrolls ${over}px sideways at 320 px`);
      } finally {
        await page.close();
      }
    });
  }
});

describe('one organisation\'s register', () => {
  test('/organisaties/{code} shows only that organisation, with its name; unknown codes are 404', async () => {
    const page = await anon.newPage();
    try {
      const res = await page.goto(`${ctx.base}/organisaties/${ORG}`);
      assert.equal(res.status(), 200);
      assert.equal(await page.locator('h1').innerText(), ORG_NAME);
      const total = await shownTotal(page);
      const api = await client(ctx.base)('GET', `/api/v1/algorithms?organisation=${ORG}&limit=1`);
      assert.equal(total, api.json.total);
      const orgs = await page.locator('.aireg-result__meta li:first-child a').allInnerTexts();
      assert.ok(orgs.length > 0 && orgs.every((o) => o === ORG_NAME), `only ${ORG_NAME}: ${[...new Set(orgs)]}`);
      assert.equal(await page.locator('#f-organisatie').count(), 0, 'no organisation filter on its own page');
      // Searching stays on the organisation's page.
      await page.fill('#q', 'parkeren');
      await Promise.all([page.waitForURL(/q=parkeren/), page.click('.aireg-filters button[type="submit"]')]);
      assert.equal(new URL(page.url()).pathname, `/organisaties/${ORG}`);
      assert.ok(await shownTotal(page) >= 1);
      const r404 = await page.goto(`${ctx.base}/organisaties/GEEN-ORGANISATIE`);
      assert.equal(r404.status(), 404);
    } finally {
      await page.close();
    }
  });

  test('the list of organisations links to each register with its number', async () => {
    const page = await anon.newPage();
    try {
      await page.goto(`${ctx.base}/organisaties`);
      const row = page.locator('tr', { has: page.locator(`a[href="/organisaties/${ORG}"]`) });
      const n = Number(await row.locator('td').nth(1).innerText());
      const api = await client(ctx.base)('GET', `/api/v1/algorithms?organisation=${ORG}&limit=1`);
      assert.equal(n, api.json.total);
    } finally {
      await page.close();
    }
  });
});

describe('open data: JSON, CSV and XLSX of what a page shows', () => {
  const get = async (p) => {
    const res = await fetch(ctx.base + p);
    return { status: res.status, type: res.headers.get('content-type'), disp: res.headers.get('content-disposition'),
      buf: Buffer.from(await res.arrayBuffer()) };
  };
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

  test('/register.xlsx: the records and columns of the CSV, a bold header row, no temporary file left', async () => {
    const before = readdirSync(os.tmpdir()).filter((f) => f.startsWith('aireg-xlsx-'));
    const [csv, xlsx, json] = await Promise.all([get('/register.csv'), get('/register.xlsx'), get('/register.json')]);
    assert.equal(xlsx.status, 200);
    assert.equal(xlsx.type, XLSX);
    assert.match(xlsx.disp, /^attachment; filename="algoritmeregister\.xlsx"$/);
    const sheet = readXlsx(xlsx.buf);
    const rows = parseCsv(csv.buf.toString('utf8')).rows;
    assert.equal(rows[0].join(','), CSV_HEADER);
    assert.deepEqual(sheet.rows[0], rows[0], 'the official header');
    assert.ok(sheet.boldHeader, 'the header row is bold');
    assert.equal(sheet.rows.length, rows.length, 'as many rows as the CSV');
    assert.equal(rows.length - 1, JSON.parse(json.buf).length, 'as many records as the JSON');
    const width = rows[0].length;
    const pad = (r) => [...r, ...Array(width - r.length).fill('')];
    for (let i = 0; i < rows.length; i += 1) assert.deepEqual(pad(sheet.rows[i]), rows[i], `row ${i + 1}`);
    const left = readdirSync(os.tmpdir()).filter((f) => f.startsWith('aireg-xlsx-') && !before.includes(f));
    assert.deepEqual(left, [], 'the temporary workbook is removed');
  });

  test('the search page\'s download links carry its text and filters; the files hold what it shows', async () => {
    const page = await anon.newPage();
    try {
      await page.goto(`${ctx.base}/?q=parkeren&soort=gemeente&sort=name&page=1`);
      const total = await shownTotal(page);
      assert.ok(total > 0);
      const hrefs = await page.locator('a[href^="/register."]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      assert.equal(hrefs.length, 3);
      for (const h of hrefs) {
        const u = new URL(h, ctx.base);
        assert.equal(u.searchParams.get('q'), 'parkeren', h);
        assert.equal(u.searchParams.get('soort'), 'gemeente', h);
        assert.equal(u.searchParams.get('page'), null, `${h}: all pages, not one`);
      }
      const [json, csv, xlsx] = await Promise.all(hrefs.map(get));
      assert.equal(json.type, 'application/json');
      assert.equal(csv.type, 'text/csv; charset=utf-8');
      assert.equal(xlsx.type, XLSX);
      const recs = JSON.parse(json.buf);
      assert.equal(recs.length, total);
      assert.equal(parseCsv(csv.buf.toString('utf8')).rows.length - 1, total);
      assert.equal(readXlsx(xlsx.buf).rows.length - 1, total);
      // The same records as the pages of results (names of every page).
      const names = [];
      for (let p = 1; p <= Math.ceil(total / 20); p += 1) {
        await page.goto(`${ctx.base}/?q=parkeren&soort=gemeente&sort=name&page=${p}`);
        names.push(...await page.locator('.aireg-result h3 a').allInnerTexts());
      }
      assert.deepEqual([...recs.map((r) => r.name)].sort(), [...names].sort());
    } finally {
      await page.close();
    }
  });

  test('one organisation\'s page downloads only its records, named after it', async () => {
    const page = await anon.newPage();
    try {
      await page.goto(`${ctx.base}/organisaties/${ORG}`);
      const total = await shownTotal(page);
      const hrefs = await page.locator('a[href^="/register."]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      for (const h of hrefs) assert.equal(new URL(h, ctx.base).searchParams.get('organisatie'), ORG, h);
      const [json, csv, xlsx] = await Promise.all(hrefs.map(get));
      const recs = JSON.parse(json.buf);
      assert.equal(recs.length, total);
      assert.ok(recs.every((r) => r.organization === ORG_NAME));
      assert.match(json.disp, new RegExp(`filename="algoritmeregister-${ORG}\\.json"`));
      const rows = parseCsv(csv.buf.toString('utf8')).rows;
      const sheet = readXlsx(xlsx.buf);
      assert.equal(rows.length - 1, total);
      const pad = (r) => [...r, ...Array(rows[0].length - r.length).fill('')];
      assert.deepEqual(sheet.rows.map(pad), rows, 'the XLSX holds the CSV\'s cells');
    } finally {
      await page.close();
    }
  });

  test('an unknown organisation in a download is 404', async () => {
    for (const f of ['json', 'csv', 'xlsx']) {
      const r = await get(`/register.${f}?organisatie=GEEN-ORGANISATIE`);
      assert.equal(r.status, 404, f);
    }
  });
});

describe('print', () => {
  test('a detail page prints as a clean document: no header, navigation, forms or footer; link targets written out', async () => {
    const page = await anon.newPage();
    try {
      await page.goto(`${ctx.base}/algoritmes/${id}`);
      await page.emulateMedia({ media: 'print' });
      const hidden = await page.evaluate(() => ['.aireg-header', '.aireg-footer', '.aireg-skip-link', 'nav']
        .map((sel) => [...document.querySelectorAll(sel)].every((el) => getComputedStyle(el).display === 'none')));
      assert.deepEqual(hidden, [true, true, true, true]);
      assert.ok(await page.locator('h1').isVisible());
      assert.ok(await page.locator('table.utrecht-table').isVisible(), 'the obligations are printed');
      // A link whose text is not its address gets the address after it; one whose text is, does not.
      const after = await page.evaluate(() => [...document.querySelectorAll('main a[href^="http"]')]
        .map((a) => [a.classList.contains('aireg-url'), getComputedStyle(a, '::after').content]));
      assert.ok(after.some(([url, c]) => !url && /https?:/.test(c)), `a titled link shows its address: ${JSON.stringify(after)}`);
      assert.ok(after.filter(([url]) => url).every(([, c]) => c === 'none' || c === 'normal'), 'an address is not printed twice');
      await screenshot(page, 'detail printed');
      const pdf = await page.pdf({ format: 'A4' });
      assert.ok(pdf.length > 1000 && pdf.subarray(0, 5).toString() === '%PDF-');
    } finally {
      await page.close();
    }
  });
});
