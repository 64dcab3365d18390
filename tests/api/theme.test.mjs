// An organisation's house style: a token file (CSS custom properties only) that a beheerder
// sets with PUT /api/v1/organisations/{code}/theme (or `aireg org theme`), validated strictly
// because the public gets it from this site's origin, served at a versioned, cacheable URL
// and linked from that organisation's public pages only.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import {
  PASSWORD, SEED_FILE, auditVerify, client, cliImport, runCli, sessionClient, startServer, userWithToken,
} from './server.mjs';

const ORG = 'GM0363';   // Gemeente Amsterdam: published entries in the seed
const OTHER = 'GM0344'; // Gemeente Utrecht

let srv;
let anon;
let beheerder; // beheerder of ORG
let redacteur; // redacteur of ORG only
let stranger;  // beheerder of OTHER
let operator;

const TOKENS = `/**
 * Huisstijl van de gemeente (design tokens).
 */
.amsterdam-theme {
  --utrecht-link-color: #004699;   /* links */
  --utrecht-heading-font-family: "Amsterdam Sans", Arial, sans-serif;
  --aireg-spacing:   calc( 1rem  +  2px );
  --voorbeeld-kleuren-rood: rgb(236 0 0 / 100%);
}
`;
const SERVED = `.voorbeeld-theme {
  --utrecht-link-color: #004699;
  --utrecht-heading-font-family: "Amsterdam Sans", Arial, sans-serif;
  --aireg-spacing: calc( 1rem + 2px );
  --voorbeeld-kleuren-rood: rgb(236 0 0 / 100%);
}
`;

before(async () => {
  srv = await startServer();
  cliImport(srv.db, SEED_FILE);
  anon = client(srv.base);
  beheerder = userWithToken(srv, { roles: [[ORG, 'beheerder']], password: PASSWORD, prefix: 'beheerder' });
  redacteur = userWithToken(srv, { roles: [[ORG, 'redacteur']], prefix: 'redacteur' });
  stranger = userWithToken(srv, { roles: [[OTHER, 'beheerder']], prefix: 'stranger' });
  operator = userWithToken(srv, { operator: true, prefix: 'operator' });
});
after(async () => { await srv?.stop(); });

const put = (api, css, org = ORG, type = 'text/css; charset=utf-8') =>
  api('PUT', `/api/v1/organisations/${org}/theme`, { body: css, headers: { 'Content-Type': type } });

/** The stylesheet links of a page, in order. */
async function stylesheets(pagePath) {
  const r = await anon('GET', pagePath);
  assert.equal(r.status, 200, `${pagePath}: ${r.status}`);
  return [...r.text.matchAll(/<link rel="stylesheet" href="([^"]+)"(?: media="[^"]*")?>/g)].map((m) => m[1]);
}

async function publishedId(org) {
  const r = await anon('GET', `/api/v1/algorithms?organisation=${org}&limit=1`);
  assert.equal(r.status, 200);
  assert.ok(r.json.results.length, `${org} has published entries`);
  return r.json.results[0].id;
}

test('a beheerder sets the house style; what is served is rebuilt from the declarations, versioned and cacheable', async () => {
  const r = await put(beheerder.api, TOKENS);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.organisation, ORG);
  assert.equal(r.json.tokens, 4);
  assert.match(r.json.hash, /^[0-9a-f]{64}$/);
  assert.equal(r.json.url, `/organisaties/${ORG}/huisstijl.css?v=${r.json.hash.slice(0, 16)}`);

  const css = await anon('GET', r.json.url);
  assert.equal(css.status, 200);
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
  assert.equal(css.text, SERVED, 'comments and the file\'s own selector dropped, white space normalised');
  assert.equal(css.headers.get('etag'), `"${r.json.hash}"`);
  assert.match(css.headers.get('cache-control'), /max-age=31536000/, 'the versioned URL is kept');

  // Without the version (or with an old one) the browser must ask again; the ETag spares the body.
  const plain = await anon('GET', `/organisaties/${ORG}/huisstijl.css`);
  assert.equal(plain.text, SERVED);
  assert.match(plain.headers.get('cache-control'), /no-cache/);
  const old = await anon('GET', `/organisaties/${ORG}/huisstijl.css?v=0123456789abcdef`);
  assert.match(old.headers.get('cache-control'), /no-cache/);
  const again = await anon('GET', r.json.url, { headers: { 'If-None-Match': `"${r.json.hash}"` } });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
  const changed = await anon('GET', r.json.url, { headers: { 'If-None-Match': '"something-else"' } });
  assert.equal(changed.status, 200);

  // The same file again: the same version.
  const same = await put(beheerder.api, TOKENS);
  assert.equal(same.json.hash, r.json.hash);
});

test('the organisation\'s public pages link it after the default theme; another organisation\'s do not', async () => {
  const r = await put(beheerder.api, TOKENS);
  assert.equal(r.status, 200, r.text);
  const theme = '/static/theme.css';
  const orgPage = await stylesheets(`/organisaties/${ORG}`);
  assert.ok(orgPage.includes(r.json.url), `org page links ${r.json.url}: ${orgPage}`);
  assert.equal(orgPage.indexOf(r.json.url), orgPage.indexOf(theme) + 1, 'right after the default theme');
  const detail = await stylesheets(`/algoritmes/${await publishedId(ORG)}`);
  assert.ok(detail.includes(r.json.url), `detail page links it: ${detail}`);
  assert.equal(detail.indexOf(r.json.url), detail.indexOf(theme) + 1);

  for (const p of [`/organisaties/${OTHER}`, `/algoritmes/${await publishedId(OTHER)}`, '/', '/organisaties']) {
    const links = await stylesheets(p);
    assert.ok(!links.some((l) => l.includes('huisstijl')), `${p} links no house style: ${links}`);
  }
  const none = await anon('GET', `/organisaties/${OTHER}/huisstijl.css`);
  assert.equal(none.status, 404);
});

test('only a beheerder of the organisation or an operator may set or remove it', async () => {
  const previous = (await anon('GET', `/organisaties/${ORG}/huisstijl.css`)).text;
  const other = ':root { --utrecht-link-color: #ff0000; }';
  const cases = [
    ['anonymous', anon, 401],
    ['redacteur of the organisation', redacteur.api, 403],
    ['beheerder of another organisation', stranger.api, 403],
  ];
  for (const [who, api, status] of cases) {
    const r = await put(api, other);
    assert.equal(r.status, status, `${who}: ${r.text}`);
    const d = await api('DELETE', `/api/v1/organisations/${ORG}/theme`);
    assert.equal(d.status, status, `${who} DELETE: ${d.text}`);
  }
  // A token of the beheerder narrowed to the redacteur role carries no beheerder rights.
  const narrowed = userWithToken(srv, { roles: [[ORG, 'beheerder'], [ORG, 'redacteur']], tokenScope: { org: ORG, role: 'redacteur' } });
  assert.equal((await put(narrowed.api, other)).status, 403);
  assert.equal((await anon('GET', `/organisaties/${ORG}/huisstijl.css`)).text, previous, 'nothing changed');

  assert.equal((await put(beheerder.api, other, 'GM9999')).status, 404, 'unknown organisation');
  assert.equal((await put(beheerder.api, other, ORG, 'application/json')).status, 415);

  // A browser session needs its CSRF token.
  const s = await sessionClient(srv.base, beheerder.email);
  const noCsrf = await s.request('PUT', `/api/v1/organisations/${ORG}/theme`, {
    body: other, headers: { 'Content-Type': 'text/css', 'X-CSRF-Token': null },
  });
  assert.equal(noCsrf.status, 403);
  assert.equal(noCsrf.json.error, 'csrf_failed');
  const withCsrf = await s.request('PUT', `/api/v1/organisations/${ORG}/theme`, { body: other, headers: { 'Content-Type': 'text/css' } });
  assert.equal(withCsrf.status, 200, withCsrf.text);

  // An operator may set another organisation's house style.
  const op = await put(operator.api, other, OTHER);
  assert.equal(op.status, 200, op.text);
  assert.equal((await operator.api('DELETE', `/api/v1/organisations/${OTHER}/theme`)).status, 204);
});

test('a file that could load, run or escape is refused with its line, column and cause; nothing changes', async () => {
  const good = await put(beheerder.api, TOKENS);
  assert.equal(good.status, 200);
  // [file, error code, line, column, words in the message]
  const cases = [
    [':root {\n  --a: url(https://evil.example/x.png);\n}', 'forbidden_function', 2, 8, /url\(\) is not allowed/],
    [':root { --a: URL(x) }', 'forbidden_function', 1, 14, /URL\(\)/],
    [':root { --a: image-set("x.png" 1x) }', 'forbidden_function', 1, 14, /image-set/],
    [':root { --a: expression(alert(1)) }', 'forbidden_function', 1, 14, /expression/],
    [':root { --a: \\75 rl(x) }', 'forbidden_character', 1, 14, /'\\'/],
    [':root { --a: "\\" }', 'forbidden_character', 1, 15, /'\\' is not allowed in a string/],
    [':root { --a: "</style><script>" }', 'forbidden_character', 1, 15, /'<'/],
    [':root { --a: 1 } </style>', 'extra_content', 1, 18, /nothing may follow/],
    ['@import "https://evil.example/x.css";\n:root { --a: 1 }', 'not_custom_property', 1, 1, /at-rules/],
    [':root {\n  --a: 1;\n  @import "x.css";\n}', 'not_custom_property', 3, 3, /custom properties/],
    [':root { color: red; }', 'not_custom_property', 1, 9, /only custom properties/],
    [':root { --a: red !important }', 'forbidden_character', 1, 18, /'!'/],
    [':root { --a: 1 }\n.x { --b: 2 }', 'extra_content', 2, 1, /one rule/],
    [':root, .x { --a: 1 }', 'bad_selector', 1, 6, /one selector/],
    ['body { --a: 1 }', 'bad_selector', 1, 1, /:root or the theme's class/],
    [':root { --a: 1; --a: 2 }', 'duplicate', 1, 17, /--a is declared twice \(first on line 1\)/],
    [':root { --a: calc((1px + 2px) }', 'unbalanced_parentheses', 1, 18, /\( is not closed/],
    [':root { --a: 1px) }', 'unbalanced_parentheses', 1, 17, /closes no/],
    [':root {\n  --a: ;\n}', 'empty_value', 2, 7, /no value/],
    [':root { --a 1 }', 'missing_colon', 1, 13, /expected ':'/],
    [':root { --: 1 }', 'bad_name', 1, 9, /name/],
    [':root { --a: 1', 'unclosed_rule', 1, 15, /not closed/],
    [':root { --a: "x }', 'unclosed_string', 1, 14, /string is not closed/],
    ['/* huisstijl\n:root { --a: 1 }', 'unclosed_comment', 1, 1, /comment is not closed/],
    [':root { }', 'no_tokens', 1, 1, /no custom properties/],
    [':root { --a: é }', 'forbidden_character', 1, 14, /printable ASCII/],
    [':root { --a: 1\u0000 }', 'forbidden_character', 1, 15, /byte 0x00/],
    ['', 'bad_selector', 1, 1, /selector/],
  ];
  for (const [css, code, line, column, words] of cases) {
    const r = await put(beheerder.api, css);
    assert.equal(r.status, 422, `${JSON.stringify(css)}: ${r.text}`);
    assert.equal(r.json.error, 'validation_failed');
    assert.equal(r.json.errors.length, 1);
    const e = r.json.errors[0];
    assert.equal(e.field, 'css');
    assert.equal(e.code, code, `${JSON.stringify(css)}: ${e.message}`);
    assert.deepEqual([r.json.line, r.json.column], [line, column], `${JSON.stringify(css)}: ${e.message}`);
    assert.ok(e.message.startsWith(`line ${line}, column ${column}: `), e.message);
    assert.match(e.message, words);
  }
  const served = await anon('GET', `/organisaties/${ORG}/huisstijl.css`);
  assert.equal(served.text, SERVED, 'the refused files changed nothing');
});

test('the size cap: 64 KiB is taken, one byte more is not', async () => {
  const rule = ':root { --utrecht-link-color: #004699; }\n';
  const pad = (n) => `/*${'x'.repeat(n - rule.length - 4)}*/${rule}`;
  const exact = pad(64 * 1024);
  assert.equal(Buffer.byteLength(exact), 65536);
  assert.equal((await put(beheerder.api, exact)).status, 200);
  const over = await put(beheerder.api, pad(64 * 1024 + 1));
  assert.equal(over.status, 422);
  assert.equal(over.json.errors[0].code, 'too_long');
  assert.match(over.json.errors[0].message, /65537 bytes; at most 65536/);
});

test('removing it: the pages fall back to the default theme; every change is in the audit trail', async () => {
  const set = await put(beheerder.api, TOKENS);
  assert.equal(set.status, 200);
  const del = await beheerder.api('DELETE', `/api/v1/organisations/${ORG}/theme`);
  assert.equal(del.status, 204);
  assert.equal((await anon('GET', set.json.url)).status, 404);
  assert.ok(!(await stylesheets(`/organisaties/${ORG}`)).some((l) => l.includes('huisstijl')));
  const again = await beheerder.api('DELETE', `/api/v1/organisations/${ORG}/theme`);
  assert.equal(again.status, 404);

  const v = auditVerify(srv.db);
  assert.equal(v.status, 0, v.stderr);
  const rows = runCli(['audit', 'export', '--db', srv.db]).stdout.trim().split('\n').map((l) => JSON.parse(l))
    .filter((row) => row.entity === 'organisation' && row.entity_id === ORG);
  const last = rows.slice(-2);
  assert.deepEqual(last.map((row) => [row.action, row.actor]), [
    ['organisation.house_style', beheerder.email], ['organisation.house_style_clear', beheerder.email],
  ]);
  assert.deepEqual(last[0].changes.house_style[1], set.json.hash);
  assert.deepEqual(last[1].changes.house_style, [set.json.hash, null]);
});

test('aireg org theme sets and removes it from the command line', async () => {
  const file = path.join(srv.dir, 'huisstijl.css');
  writeFileSync(file, TOKENS);
  let r = runCli(['org', 'theme', '--db', srv.db, '--org', OTHER, file]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /house style of GM0344 set: 4 tokens, version [0-9a-f]{16}/);
  assert.equal((await anon('GET', `/organisaties/${OTHER}/huisstijl.css`)).text, SERVED);

  writeFileSync(file, ':root {\n  --a: url(x.png);\n}\n');
  r = runCli(['org', 'theme', '--db', srv.db, '--org', OTHER, file]);
  assert.equal(r.status, 3);
  assert.match(r.stderr, /^aireg: the token file is not valid: line 2, column 8: url\(\) is not allowed/);

  r = runCli(['org', 'theme', '--db', srv.db, '--org', OTHER, '--clear']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal((await anon('GET', `/organisaties/${OTHER}/huisstijl.css`)).status, 404);
  r = runCli(['org', 'theme', '--db', srv.db, '--org', OTHER, '--clear']);
  assert.equal(r.status, 3, 'nothing to remove');
  assert.equal(runCli(['org', 'theme', '--db', srv.db, '--org', OTHER]).status, 2, 'neither a file nor --clear');
  assert.equal(runCli(['org', 'theme', '--db', srv.db, '--org', OTHER, file, '--clear']).status, 2, 'both');
  assert.equal(runCli(['org', 'theme', '--db', srv.db, file]).status, 2, 'no --org');
});
