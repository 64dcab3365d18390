// The XSS corpus of issue 4 on the public pages: script tags, event handlers, javascript:
// URLs, broken markup and Unicode tricks are stored through the JSON API (bearer token) in
// every text field of a record and in an organisation's name, published, and the detail
// page, the search page, the organisation's page and the list of organisations are loaded
// in Chromium with the Content-Security-Policy bypassed (so that only the escaping stands
// between the data and the page). Nothing may run: no dialog opens, no <script> comes from
// data, no on* attribute, no javascript:/data:/vbscript: link, and the rich-text fields
// hold only the register's allow-list (div br p ul ol li, no attributes). Values in URL
// fields that are not http(s) are refused by the server (422).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { addUser, createToken, bearerClient, newEmail } from '../api/server.mjs';
import { ORG, client, fullRecord, launch, logIn, screenshot, setupServer } from './lib.mjs';

const MARK = 'xsskorpus';

/** The corpus: each payload is stored in every text field of one record. */
export const CORPUS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg/onload=alert(1)>',
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  '<a href="javascript:alert(1)">klik</a>',
  '<a href="jav&#x09;ascript:alert(1)">tab</a>',
  '<p onclick="alert(1)" style="color:red">tekst</p>',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<!--<script>alert(1)//--><script>alert(1)</script>',
  '<![CDATA[<script>alert(1)</script>]]>',
  '</textarea></title><script>alert(1)</script>',
  '<p>niet gesloten <ul><li>item',
  '<div><p>a</div></p><li>x</ol>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '&#x3C;img src=x onerror=alert(1)&#x3E;',
  '\uFF1Cscript\uFF1Ealert(1)\uFF1C/script\uFF1E',
  '<scr\u200Bipt>alert(1)</scr\u200Bipt>',
  '\u202Egnp.exe<img src=x onerror=alert(1)>',
  '<SCRIPT SRC=//example.invalid/x.js></SCRIPT>',
  '<body onload=alert(1)>',
  '<input autofocus onfocus=alert(1)>',
  '<details open ontoggle=alert(1)>',
  '<object data="javascript:alert(1)"></object>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="javascript:alert(1)//">',
  '<form action="javascript:alert(1)"><button>x</button></form>',
  '<style>@import "javascript:alert(1)";</style>',
  '{{title}} {{&html}} {{#x}}',
];

const PLAIN = ['name', 'description_short', 'provider', 'source_id'];
const RICH = ['goal', 'proportionality', 'human_intervention', 'risks', 'lawful_basis', 'impacttoetsen',
  'source_data', 'methods_and_models', 'tags'];
const GROUPINGS = ['lawful_basis_grouping', 'impacttoetsen_grouping', 'source_data_grouping'];

/** URLs that are well-formed http(s) but try to break out of an attribute or a link. */
const TRICKY_URLS = [
  "https://example.nl/'onmouseover='alert(1)",
  'https://example.nl/?q=%3Cscript%3Ealert(1)%3C/script%3E&x=&quot;&gt;&lt;img',
  'https://example.nl/#javascript:alert(1)',
];

/** URL values the server must refuse in every URL field. */
const BAD_URLS = [
  'javascript:alert(1)', ' javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'java\tscript:alert(1)',
  'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', '//evil.example/x', 'https:/\\evil.example',
  'http://', '\u0000javascript:alert(1)', 'jav&#x61;script:alert(1)',
  'https://example.nl/"><script>alert(1)</script>', 'https://example.nl/ onmouseover=alert(1)',
  // direction-changing and invisible characters make a link read as another address
  'http://example.nl/\u202Ejs.exe', 'https://exa\u200Bmple.nl/',
  'https://example.nl/<img src=x onerror=alert(1)>',
];
const URL_FIELDS = ['website', 'url', 'process_index_url', 'publiccode'];

let ctx;
let br;
let xctx; // browser context with the CSP bypassed
const ids = [];
let evilOrg; // { code, name, id }

function recordFor(payload, i) {
  const r = fullRecord({ lang: 'nld', category: ['Verkeer'] });
  const fit = (s, max) => (s.length > max ? s.slice(0, max) : s);
  r.name = fit(`${MARK} ${i} ${payload}`, 100);
  r.description_short = fit(`${MARK} ${payload}`, 400);
  r.provider = fit(payload, 200);
  r.source_id = fit(`${i}-${payload}`, 100);
  for (const f of RICH) r[f] = `${payload} <p>${payload}</p>`;
  r.lawful_basis_grouping = [{ title: fit(payload, 100), link: TRICKY_URLS[i % TRICKY_URLS.length] }];
  r.impacttoetsen_grouping = [{ title: payload, link: TRICKY_URLS[(i + 1) % TRICKY_URLS.length] }];
  r.source_data_grouping = [{ title: payload, link: TRICKY_URLS[(i + 2) % TRICKY_URLS.length] }];
  r.website = TRICKY_URLS[i % TRICKY_URLS.length];
  r.url = TRICKY_URLS[(i + 1) % TRICKY_URLS.length];
  r.process_index_url = TRICKY_URLS[(i + 2) % TRICKY_URLS.length];
  r.publiccode = TRICKY_URLS[(i + 3) % TRICKY_URLS.length];
  r.contact_email = i % 2 ? 'javascript:alert(1)//@example.nl' : 'https://example.nl/\'onmouseover=\'alert(1)';
  return r;
}

async function publish(api, approver, org, rec) {
  const c = await api('POST', `/api/v1/organisations/${org}/algorithms`, { json: rec });
  assert.equal(c.status, 201, `create: ${c.text}`);
  const rel = await api('POST', `/api/v1/algorithms/${c.json.id}/release`);
  assert.equal(rel.status, 200, `release: ${rel.text}`);
  const pub = await approver('POST', `/api/v1/algorithms/${c.json.id}/publish`);
  assert.equal(pub.status, 200, `publish: ${pub.text}`);
  return c.json.id;
}

before(async () => {
  ctx = await setupServer();
  for (const [i, p] of CORPUS.entries()) ids.push(await publish(ctx.red.api, ctx.goed.api, ORG, recordFor(p, i)));
  // An organisation whose name is a payload (made by an operator), with one published record.
  const op = addUser(ctx.db, { email: newEmail('operator'), operator: true });
  const opApi = bearerClient(ctx.base, createToken(ctx.db, { email: op.email }));
  evilOrg = { code: 'xss-org', name: `Gemeente <img src=x onerror=alert(1)> "><script>alert(1)</script>` };
  const o = await opApi('POST', '/api/v1/organisations', { json: { code: evilOrg.code, name: evilOrg.name, type: 'gemeente' } });
  assert.equal(o.status, 201, o.text);
  const r = addUser(ctx.db, { email: newEmail('xred'), roles: [[evilOrg.code, 'redacteur']] });
  const g = addUser(ctx.db, { email: newEmail('xgoed'), roles: [[evilOrg.code, 'goedkeurder']] });
  evilOrg.id = await publish(bearerClient(ctx.base, createToken(ctx.db, { email: r.email })),
    bearerClient(ctx.base, createToken(ctx.db, { email: g.email })), evilOrg.code,
    fullRecord({ name: `${MARK} organisatie`, description_short: `${MARK} van een organisatie met een gevaarlijke naam` }));
  br = await launch();
  xctx = await br.newContext({ bypassCSP: true, javaScriptEnabled: true });
});

after(async () => {
  await br?.close();
  await ctx?.stop();
});

/** A page in the CSP-less context that records dialogs, script errors and requests that leave the site. */
async function watchedPage() {
  const page = await xctx.newPage();
  page.seen = { dialogs: [], errors: [], requests: [] };
  page.on('dialog', async (d) => { page.seen.dialogs.push(`${d.type()}: ${d.message()}`); await d.dismiss().catch(() => {}); });
  page.on('pageerror', (e) => page.seen.errors.push(String(e)));
  page.on('request', (r) => { if (!r.url().startsWith(ctx.base)) page.seen.requests.push(r.url()); });
  return page;
}

/**
 * Loads path (with the CSP bypassed) in page, or in a new watched page, and checks that
 * nothing from the data can run. Returns { page, html }; close the page when done.
 */
async function loadAndCheck(path, { shot, page, workspace = false } = {}) {
  page = page ?? await watchedPage();
  page.seen.dialogs.length = 0;
  page.seen.errors.length = 0;
  page.seen.requests.length = 0;
  const res = await page.goto(ctx.base + path);
  assert.equal(res.status(), 200, path);
  const html = await res.text();
  // Give handlers (autofocus, ontoggle, onload, meta refresh) a moment, then focus and
  // hover every element of main once: handlers that wait for a person would fire.
  await page.waitForTimeout(100);
  await page.evaluate(() => {
    for (const el of document.querySelectorAll('main *')) {
      el.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
      if (el.tabIndex >= 0 || el.matches('a, input, select, button')) el.focus();
    }
  });
  await page.waitForTimeout(50);
  const { dialogs, errors, requests } = page.seen;
  assert.deepEqual(dialogs, [], `${path}: a dialog opened`);
  assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, path, `${path}: the page navigated away`);
  assert.deepEqual(requests, [], `${path}: requests left the site`);

  // The served HTML: no script element but the site's own files.
  const scripts = [...html.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]);
  assert.deepEqual(scripts.filter((x) => !/\ssrc="\/static\/[\w.-]+"/.test(x)), [], `${path}: <script> from data`);
  const found = await page.evaluate(findExecutable, workspace);
  assert.deepEqual(found, [], `${path}: executable markup from data`);
  assert.deepEqual(errors, [], `${path}: script errors`);
  if (shot) await screenshot(page, shot);
  return { page, html };
}

/** Runs in the page: what could execute or leave the site, as a list of findings. */
function findExecutable(workspace = false) {
  const bad = [];
  const schemes = /^(javascript|data|vbscript):/i;
  // Browsers ignore control characters and whitespace inside a scheme.
  const clean = (v) => v.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  const urlAttrs = ['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'content', 'poster', 'background'];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on')) bad.push(`${el.tagName} ${a.name}="${a.value}"`);
      if (name === 'srcdoc' || (urlAttrs.includes(name) && schemes.test(clean(a.value)))) bad.push(`${el.tagName} ${a.name}="${a.value}"`);
    }
    const tag = el.tagName.toUpperCase();
    const forbidden = ['IFRAME', 'FRAME', 'OBJECT', 'EMBED', 'SVG', 'MATH', 'BASE', 'IMG', 'AUDIO', 'VIDEO'];
    // The workspace has its own forms (text areas) and disclosure widgets.
    if (!workspace) forbidden.push('DETAILS', 'TEXTAREA');
    if (forbidden.includes(tag)) bad.push(`element ${tag}`);
    if (tag === 'SCRIPT' && !/^\/static\//.test(el.getAttribute('src') || '')) bad.push('script element');
    if (['STYLE', 'META', 'LINK'].includes(tag) && el.closest('body')) bad.push(`element ${tag} in body`);
  }
  // Links: only http(s), mailto: and this site's own paths.
  for (const a of document.querySelectorAll('a[href]')) {
    const h = a.getAttribute('href');
    if (!/^(https?:\/\/|mailto:|\/(?!\/)|\?|#)/i.test(h)) bad.push(`link ${h}`);
  }
  // Rich text: only the register's allow-list, and no attributes.
  for (const box of document.querySelectorAll('.aireg-richtext')) {
    for (const el of box.querySelectorAll('*')) {
      if (!['DIV', 'BR', 'P', 'UL', 'OL', 'LI'].includes(el.tagName)) bad.push(`rich text holds ${el.tagName}`);
      if (el.attributes.length) bad.push(`rich text ${el.tagName} has attributes`);
    }
  }
  // Forms: only the search forms, the log-out form and (signed in) the workspace's own.
  for (const f of document.querySelectorAll('form')) {
    const act = f.getAttribute('action');
    const ok = ['/', '/uitloggen'].includes(act) || /^\/organisaties\/[\w.~%-]+$/.test(act) ||
      (workspace && /^\/werkruimte\/[\w./~%-]*$/.test(act));
    if (!ok) bad.push(`form action=${act}`);
  }
  return bad;
}

describe('the checks themselves', () => {
  test('a page with executable markup is caught (dialog, handler, javascript: link, script)', async () => {
    const page = await watchedPage();
    try {
      await page.route(`${ctx.base}/__canary`, (route) => route.fulfill({
        contentType: 'text/html',
        body: '<!DOCTYPE html><html lang="nl"><head><title>c</title></head><body><main>' +
          '<img src=x onerror="alert(1)"><a href="java\tscript:alert(2)">x</a><script>alert(3)</script>' +
          '<div class="aireg-richtext"><p class="x">y</p></div></main></body></html>',
      }));
      await assert.rejects(loadAndCheck('/__canary', { page }), /dialog opened/);
      const found = await page.evaluate(findExecutable);
      for (const want of [/IMG onerror/, /element IMG/, /link java\tscript/, /script element/, /rich text P has attributes/]) {
        assert.ok(found.some((f) => want.test(f)), `${want} among ${JSON.stringify(found)}`);
      }
      assert.ok(page.seen.dialogs.length >= 2, `dialogs: ${page.seen.dialogs}`);
    } finally {
      await page.close();
    }
  });
});

describe('the XSS corpus on the public pages', () => {
  test('every payload\'s detail page: nothing runs, the text comes back as text', async () => {
    const anon = client(ctx.base);
    const page = await watchedPage();
    try {
      for (const [i, id] of ids.entries()) {
        const stored = (await anon('GET', `/api/v1/algorithms/${id}`)).json.record;
        await loadAndCheck(`/algoritmes/${id}`, { page, shot: i === 0 ? 'xss detail' : undefined });
        // The plain-text fields come back exactly as stored (escaped, not interpreted).
        assert.equal(await page.locator('h1').innerText(), stored.name.trim(), `payload ${i}: name`);
        assert.equal(await page.locator('.utrecht-paragraph--lead').innerText(), stored.description_short.trim(), `payload ${i}: description`);
        assert.equal(await page.title(), `${stored.name} - Algoritmeregister`, `payload ${i}: the title`);
        // Link fields: the stored http(s) URL is the href, character for character.
        for (const f of ['website', 'url', 'process_index_url', 'publiccode']) {
          const hrefs = await page.locator('main a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
          assert.ok(hrefs.includes(stored[f]), `payload ${i}: ${f} ${stored[f]} is a link: ${hrefs}`);
        }
        // A URL's link text shows where it goes: no invisible or direction-changing characters.
        const texts = (await page.locator('main a').allInnerTexts()).filter((x) => /^https?:/.test(x));
        assert.ok(texts.length >= 4, `payload ${i}: URL link texts found: ${texts}`);
        assert.ok(texts.every((x) => !/[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/.test(x)),
          `payload ${i}: link texts ${JSON.stringify(texts)}`);
        const titles = await page.locator('main li a').allInnerTexts();
        for (const g of GROUPINGS) {
          assert.ok(titles.includes(stored[g][0].title.trim()), `payload ${i}: ${g} title shown as text`);
        }
        // The e-mail contact that starts with "javascript:" is a mailto: link, never a script URL.
        const contact = await page.locator('section[aria-labelledby="s-contact"] a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        assert.equal(contact.length, 3, `payload ${i}: three contact links`);
        assert.ok(contact.every((h) => /^(https?:|mailto:)/.test(h)), `payload ${i}: contact links ${contact}`);
      }
    } finally {
      await page.close();
    }
  });

  test('the search page with every payload among its results', async () => {
    const { page } = await loadAndCheck(`/?q=${MARK}&sort=name`, { shot: 'xss search' });
    try {
      const total = Number(/^(\d+)/.exec(await page.locator('#results-heading').innerText())[1]);
      assert.equal(total, CORPUS.length + 1);
      const names = await page.locator('.aireg-result h3 a').allInnerTexts();
      assert.equal(names.length, Math.min(20, total));
      assert.ok(names.every((n) => n.startsWith(MARK)), 'names shown as text');
      // The text box holds the search text as it was typed.
      assert.equal(await page.locator('#q').inputValue(), MARK);
    } finally {
      await page.close();
    }
    const p2 = await loadAndCheck(`/?q=${MARK}&sort=name&page=2`);
    await p2.page.close();
  });

  test('a search text that is itself a payload comes back as text in the box and the links', async () => {
    const q = '"><script>alert(1)</script><img src=x onerror=alert(1)>';
    const { page } = await loadAndCheck(`/?q=${encodeURIComponent(q)}`);
    try {
      assert.equal(await page.locator('#q').inputValue(), q);
      const hrefs = await page.locator('a[href^="/register."]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      for (const h of hrefs) assert.equal(new URL(h, ctx.base).searchParams.get('q'), q);
    } finally {
      await page.close();
    }
  });

  test('an organisation whose name is a payload: its page, the list of organisations, its record', async () => {
    for (const p of [`/organisaties/${evilOrg.code}`, '/organisaties', `/algoritmes/${evilOrg.id}`, `/?q=${MARK}&organisatie=${evilOrg.code}`]) {
      const { page } = await loadAndCheck(p, { shot: p === `/organisaties/${evilOrg.code}` ? 'xss organisation' : undefined });
      try {
        const text = await page.locator('main').innerText();
        assert.ok(text.includes(evilOrg.name), `${p}: the name is shown as text`);
      } finally {
        await page.close();
      }
    }
  });

  test('the downloads of the payload records are data, not pages', async () => {
    for (const [f, type] of [['json', 'application/json'], ['csv', 'text/csv; charset=utf-8'],
      ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']]) {
      const res = await fetch(`${ctx.base}/register.${f}?q=${MARK}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), type);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.match(res.headers.get('content-disposition'), /^attachment; /);
      const body = await res.text();
      if (f === 'json') assert.equal(JSON.parse(body).length, CORPUS.length + 1);
    }
  });
});

describe('the XSS corpus in the workspace', () => {
  test('the algorithm page and the edit form of payload records: nothing runs, values stay text', async () => {
    const member = await br.newContext({ bypassCSP: true });
    const p = await member.newPage();
    await logIn(p, ctx.base, ctx.red.email);
    await p.close();
    const saved = xctx;
    xctx = member;
    const page = await watchedPage();
    try {
      const anon = client(ctx.base);
      // The payloads that attack attributes, raw text and URLs.
      for (const i of [0, 1, 3, 4, 9, 10, 13, 16, 20]) {
        const stored = (await anon('GET', `/api/v1/algorithms/${ids[i]}`)).json.record;
        await loadAndCheck(`/werkruimte/algoritmes/${ids[i]}`, { page, workspace: true, shot: i === 0 ? 'xss workspace algorithm' : undefined });
        await loadAndCheck(`/werkruimte/algoritmes/${ids[i]}/bewerken`, { page, workspace: true, shot: i === 0 ? 'xss workspace edit' : undefined });
        // The form gives the stored values back as they are.
        assert.equal(await page.inputValue('#f-name'), stored.name, `payload ${i}: name in the form`);
        assert.equal(await page.inputValue('#f-provider'), stored.provider, `payload ${i}: provider in the form`);
      }
      await loadAndCheck(`/werkruimte/algoritmes?q=${MARK}`, { page, workspace: true, shot: 'xss workspace list' });
    } finally {
      xctx = saved;
      await member.close();
    }
  });
});

describe('URL fields accept only http(s)', () => {
  test('javascript:, data:, vbscript:, protocol-relative and broken URLs are refused (422) in every URL field', async () => {
    for (const bad of BAD_URLS) {
      for (const f of URL_FIELDS) {
        const r = await ctx.red.api('POST', `/api/v1/organisations/${ORG}/algorithms`, { json: fullRecord({ [f]: bad }) });
        assert.ok([400, 422].includes(r.status), `${f}=${JSON.stringify(bad)} answered ${r.status}: ${r.text}`);
        if (r.status === 422) assert.ok(r.json.errors.some((e) => e.field === f), `${f}: the error names the field: ${r.text}`);
      }
      for (const g of GROUPINGS) {
        const r = await ctx.red.api('POST', `/api/v1/organisations/${ORG}/algorithms`, {
          json: fullRecord({ [g]: [{ title: 'x', link: bad }] }),
        });
        assert.ok([400, 422].includes(r.status), `${g}.link=${JSON.stringify(bad)} answered ${r.status}`);
      }
      const c = await ctx.red.api('POST', `/api/v1/organisations/${ORG}/algorithms`, { json: fullRecord({ contact_email: bad }) });
      assert.ok([400, 422].includes(c.status), `contact_email=${JSON.stringify(bad)} answered ${c.status}`);
    }
  });

  test('an update cannot slip a javascript: URL in either', async () => {
    const id = ids[0];
    const cur = await ctx.red.api('GET', `/api/v1/algorithms/${id}`);
    const v = cur.headers.get('etag');
    const r = await ctx.red.api('PUT', `/api/v1/algorithms/${id}`, {
      json: { ...fullRecord(), website: 'javascript:alert(1)' }, headers: { 'If-Match': v },
    });
    assert.equal(r.status, 422, r.text);
  });
});
