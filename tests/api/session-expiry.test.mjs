// Time limits of sessions, API tokens and one-time links (issue 4), tested without
// waiting: the test ages the rows in the database with the sqlite3 CLI while the
// server runs (WAL; the server reads the row on every request). Every limit is
// probed MARGIN seconds either side, so a wrong limit (say 60 instead of 30 minutes)
// fails a test.
//
// Limits (src/svc.h): idle 30 min, refreshed by use; absolute 12 h, never refreshed;
// one-time links 72 h, single use; tokens at their expires_at.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import {
  startServer, client, fullRecord, addUser, createToken, bearerClient, sessionClient, login,
  newEmail, PASSWORD, runCli,
} from './server.mjs';

const IDLE = 30 * 60;
const ABSOLUTE = 12 * 60 * 60;
const ONETIME = 72 * 60 * 60;
const MARGIN = 30; // seconds
const O = 'GM0344';

let srv;
let anon;

before(async () => { srv = await startServer(); anon = client(srv.base); });
after(async () => { await srv?.stop(); });

const now = () => Math.floor(Date.now() / 1000);
const quote = (s) => `'${String(s).replace(/'/g, "''")}'`;

/** Runs SQL on the server's database with the sqlite3 CLI; returns stdout lines. */
function sql(statement) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, statement], { encoding: 'utf8' });
  if (r.error) throw new Error(`sqlite3 is needed (scripts/install-deps): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`sqlite3 ${statement}: exit ${r.status}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

const userSql = (email) => `(SELECT id FROM users WHERE email = ${quote(email)})`;

/** The only session row of a user: { created, seen } in unix seconds. */
function sessionRow(email) {
  const rows = sql(`SELECT created_at, seen_at FROM sessions WHERE user_id = ${userSql(email)}`);
  assert.equal(rows.length, 1, `sessions of ${email}: ${rows.join('; ')}`);
  const [created, seen] = rows[0].split('|').map(Number);
  return { created, seen };
}
const sessionCount = (email) => Number(sql(`SELECT count(*) FROM sessions WHERE user_id = ${userSql(email)}`)[0]);

/** Lets `seconds` pass for the user's sessions: both clocks move back. Returns the new created_at. */
function elapse(email, seconds) {
  return Number(sql(`UPDATE sessions SET created_at = created_at - ${seconds}, seen_at = seen_at - ${seconds} ` +
      `WHERE user_id = ${userSql(email)}; SELECT created_at FROM sessions WHERE user_id = ${userSql(email)}`)[0]);
}

async function freshSession(prefix) {
  const { email } = addUser(srv.db, { roles: [[O, 'redacteur']], password: PASSWORD, email: newEmail(prefix) });
  return sessionClient(srv.base, email);
}

/** GET without following redirects: { status, location, text }. */
async function page(urlPath, cookie) {
  const res = await fetch(srv.base + urlPath, { redirect: 'manual', headers: cookie ? { Cookie: cookie } : {} });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

// ---- sessions -----------------------------------------------------------------------

test('idle timeout: 29.5 idle minutes pass and use restarts the idle clock; 30.5 idle minutes end the session', async () => {
  const s = await freshSession('idle');
  elapse(s.email, IDLE - MARGIN);
  const inside = await s.request('GET', '/api/v1/session');
  assert.equal(inside.status, 200, `idle ${IDLE - MARGIN} s: ${inside.text}`);
  const touched = sessionRow(s.email);
  assert.ok(now() - touched.seen <= 5, `use did not refresh seen_at (idle ${now() - touched.seen} s)`);
  assert.ok(now() - touched.created >= IDLE - MARGIN, 'use moved the absolute clock');

  // another 29.5 minutes: 59 minutes old, but only 29.5 idle since the last use
  elapse(s.email, IDLE - MARGIN);
  const again = await s.request('GET', '/api/v1/algorithms?view=workspace');
  assert.equal(again.status, 200, `used 29.5 min ago, created 59 min ago: ${again.text}`);

  elapse(s.email, IDLE + MARGIN);
  const over = await s.request('GET', '/api/v1/session');
  assert.equal(over.status, 401, `idle ${IDLE + MARGIN} s: ${over.text}`);
  assert.equal(over.json.error, 'unauthorized');
  assert.equal((await s.request('GET', '/api/v1/algorithms?view=workspace')).status, 401);
  const write = await s.request('POST', `/api/v1/organisations/${O}/algorithms`, { json: fullRecord({ name: 'Na de idle-timeout' }) });
  assert.equal(write.status, 401, `a write with the expired cookie and its CSRF token: ${write.text}`);
  assert.equal(Number(sql("SELECT count(*) FROM algorithm_versions WHERE record LIKE '%Na de idle-timeout%'")[0]), 0);
  assert.equal(sessionCount(s.email), 0, 'the expired session row is still there');
});

test('absolute timeout: a session in constant use still ends after 12 hours; the cookie says so too', async () => {
  const s = await freshSession('absoluut');
  assert.equal(s.setCookie.attrs['max-age'], String(ABSOLUTE), s.setCookie.raw);
  // used every 29.5 minutes for 11.8 hours: every request passes, created_at never moves
  const step = IDLE - MARGIN;
  let created = sessionRow(s.email).created;
  for (let i = 1; i <= Math.floor(ABSOLUTE / step); i += 1) {
    const shifted = elapse(s.email, step);
    assert.equal(shifted, created - step, 'use moved created_at');
    created = shifted;
    const r = await s.request('GET', '/api/v1/session');
    assert.equal(r.status, 200, `after ${(i * step) / 3600} h of use: ${r.text}`);
  }
  assert.equal(sessionRow(s.email).created, created, 'use moved created_at');
  // 30 s before the limit, just used: still valid
  sql(`UPDATE sessions SET created_at = ${now() - ABSOLUTE + MARGIN}, seen_at = ${now()} WHERE user_id = ${userSql(s.email)}`);
  assert.equal((await s.request('GET', '/api/v1/session')).status, 200, 'inside the absolute limit');
  elapse(s.email, 2 * MARGIN); // 30 s past the limit, idle only 60 s
  const over = await s.request('GET', '/api/v1/session');
  assert.equal(over.status, 401, `${ABSOLUTE + MARGIN} s old: ${over.text}`);
  assert.equal(sessionCount(s.email), 0);
});

test('workspace pages: an expired session is sent to the log-in page, one inside the limit is not', async () => {
  const s = await freshSession('werkruimte');
  elapse(s.email, IDLE - MARGIN);
  const inside = await page('/werkruimte', s.cookieHeader);
  assert.equal(inside.status, 200, `workspace at ${IDLE - MARGIN} s idle: ${inside.status} ${inside.location ?? ''}`);
  elapse(s.email, IDLE + MARGIN);
  const over = await page('/werkruimte', s.cookieHeader);
  assert.equal(over.status, 303, `workspace after ${IDLE + MARGIN} s idle: ${over.status}`);
  assert.equal(over.location, '/inloggen?next=%2Fwerkruimte');
  const form = await page(over.location, s.cookieHeader);
  assert.equal(form.status, 200);
  assert.match(form.text, /<form[^>]*action="\/inloggen"/);
  assert.match(form.text, /type="password"/);
  // an absolute-expired session too
  const t = await freshSession('werkruimte-abs');
  sql(`UPDATE sessions SET created_at = ${now() - ABSOLUTE - MARGIN} WHERE user_id = ${userSql(t.email)}`);
  const abs = await page('/werkruimte', t.cookieHeader);
  assert.equal(abs.status, 303, `workspace ${ABSOLUTE + MARGIN} s after log-in: ${abs.status}`);
  assert.match(abs.location ?? '', /^\/inloggen\?/);
});

// ---- API tokens ---------------------------------------------------------------------

test('token expiry: 30 s before expires_at the token works; at and after it -> 401 with WWW-Authenticate', async () => {
  const { email } = addUser(srv.db, { roles: [[O, 'lezer']] });
  const token = createToken(srv.db, { email, expires: 1 });
  const api = bearerClient(srv.base, token);
  const setExpiry = (t) => sql(`UPDATE api_tokens SET expires_at = ${t} WHERE user_id = ${userSql(email)}`);
  setExpiry(now() + MARGIN);
  const inside = await api('GET', '/api/v1/algorithms?view=workspace');
  assert.equal(inside.status, 200, `30 s before expiry: ${inside.text}`);
  for (const [label, t] of [['at expires_at', now()], ['1 s after', now() - 1], ['a day after', now() - 86400]]) {
    setExpiry(t);
    for (const p of ['/api/v1/algorithms?view=workspace', '/api/v1/algorithms']) {
      const r = await api('GET', p);
      assert.equal(r.status, 401, `${label}, ${p}: ${r.text}`);
      assert.equal(r.json.error, 'unauthorized');
      assert.match(r.headers.get('www-authenticate') || '', /^Bearer/);
    }
  }
});

// ---- one-time links -----------------------------------------------------------------

const linkRows = (email) => sql(`SELECT token_hash, purpose, expires_at, used_at IS NOT NULL FROM onetime_links WHERE user_id = ${userSql(email)}`)
  .map((l) => { const [hash, purpose, expires, used] = l.split('|'); return { hash, purpose, expires: Number(expires), used: used === '1' }; });

test('an expired activation link is refused with a clear message (API and page); 30 s before expiry it works', async () => {
  const t0 = now();
  const { email, link } = addUser(srv.db, { roles: [[O, 'lezer']] });
  assert.ok(link, 'user add printed no link');
  const [row] = linkRows(email);
  assert.ok(row.expires >= t0 + ONETIME - 5 && row.expires <= now() + ONETIME, `expires_at ${row.expires - t0} s after issue`);
  sql(`UPDATE onetime_links SET expires_at = ${now() - 1} WHERE user_id = ${userSql(email)}`);
  const api = await anon('POST', '/api/v1/password', { json: { link, password: PASSWORD } });
  assert.equal(api.status, 404, api.text);
  assert.equal(api.json.error, 'link_invalid');
  assert.match(api.json.message, /expired/);
  assert.match(api.json.message, /new one/);
  const form = new URLSearchParams({ link, password: PASSWORD, password2: PASSWORD });
  const res = await fetch(`${srv.base}/account/wachtwoord`, { method: 'POST', redirect: 'manual', body: form });
  const html = await res.text();
  assert.equal(res.status, 404, html.slice(0, 300));
  assert.match(html, /al gebruikt of verlopen/);
  assert.ok(!/type="password"/.test(html), 'the page still offers the password form for a dead link');
  assert.equal(linkRows(email)[0].used, false, 'a refused link was marked used');
  assert.equal((await login(srv.base, email, PASSWORD)).status, 401, 'the expired link set a password');

  sql(`UPDATE onetime_links SET expires_at = ${now() + MARGIN} WHERE user_id = ${userSql(email)}`);
  const ok = await anon('POST', '/api/v1/password', { json: { link, password: PASSWORD } });
  assert.equal(ok.status, 204, `30 s before expiry: ${ok.text}`);
  assert.equal((await login(srv.base, email, PASSWORD)).status, 200);
});

test('a reset link works once on the page; the second use is refused and changes nothing', async () => {
  const { email } = addUser(srv.db, { roles: [[O, 'lezer']], password: PASSWORD });
  const r = runCli(['user', 'reset', '--db', srv.db, '--email', email]);
  assert.equal(r.status, 0, r.stderr);
  const link = /[?&]link=([A-Za-z0-9_-]+)/.exec(r.stdout)?.[1];
  assert.ok(link, r.stdout);
  const first = 'het eerste nieuwe wachtwoord';
  const second = 'het tweede nieuwe wachtwoord';
  const post = (password) => fetch(`${srv.base}/account/wachtwoord`, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams({ link, password, password2: password }),
  });
  const one = await post(first);
  assert.ok(one.status === 200 || one.status === 303, `first use: ${one.status} ${(await one.text()).slice(0, 300)}`);
  const two = await post(second);
  const html = await two.text();
  assert.equal(two.status, 404, html.slice(0, 300));
  assert.match(html, /al gebruikt of verlopen/);
  const api = await anon('POST', '/api/v1/password', { json: { link, password: second } });
  assert.equal(api.status, 404, api.text);
  assert.equal(api.json.error, 'link_invalid');
  assert.equal((await login(srv.base, email, first)).status, 200, 'the first new password');
  assert.equal((await login(srv.base, email, second)).status, 401, 'the second use set a password');
  const rows = linkRows(email).filter((x) => x.purpose === 'reset');
  assert.equal(rows.length, 1);
  assert.equal(rows[0].used, true);
});

test('only hashes are stored: link secrets, session ids and tokens appear nowhere in the database files', async () => {
  const { email, link } = addUser(srv.db, { roles: [[O, 'redacteur']] });
  assert.ok(link);
  const rows = linkRows(email);
  assert.equal(rows.length, 1);
  assert.match(rows[0].hash, /^[0-9a-f]{64}$/, 'token_hash is not a 256-bit hex digest');
  assert.equal(rows[0].purpose, 'activate');
  assert.equal(Number(sql(`SELECT count(*) FROM onetime_links WHERE token_hash = ${quote(link)}`)[0]), 0);
  assert.equal((await anon('POST', '/api/v1/password', { json: { link, password: PASSWORD } })).status, 204);
  const s = await sessionClient(srv.base, email);
  const token = createToken(srv.db, { email });
  // the bytes of the database and its write-ahead log, as the server left them
  const files = [srv.db, `${srv.db}-wal`].filter(existsSync).map((f) => readFileSync(f));
  for (const [what, secret] of [['link', link], ['session id', s.cookieValue], ['API token', token]]) {
    for (const bytes of files) assert.equal(bytes.indexOf(secret), -1, `the ${what} is stored in clear`);
  }
  const hashes = [
    ...sql(`SELECT token_hash FROM sessions WHERE user_id = ${userSql(email)}`),
    ...sql(`SELECT token_hash FROM api_tokens WHERE user_id = ${userSql(email)}`),
  ];
  assert.equal(hashes.length, 2, hashes.join(' '));
  for (const h of hashes) assert.match(h, /^[0-9a-f]{64}$/);
});
