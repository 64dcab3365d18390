// Single sign-on behind a trusted reverse proxy, and TLS behind it (issue 4, items 6
// and 9; README "Single sign-on", docs/deployment.md).
//
// The server trusts 127.0.0.1 (AIREG_TRUSTED_PROXIES) and takes the e-mail from
// X-Auth-Email (AIREG_PROXY_HEADER), provisioning unknown people as lezer of GM0344
// (AIREG_PROXY_ORG, AIREG_PROXY_ROLE). Requests from 127.0.0.2 and 127.0.0.12 (Node's
// localAddress) stand for anyone else who can reach the port. A second server has no
// trusted proxy at all, a third one no provisioning and the default header.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import {
  startServer, fullRecord, addUser, newEmail, parseSetCookies, PASSWORD, runCli, auditVerify,
} from './server.mjs';

const O = 'GM0344';
const F = 'GM0363';
const PROXY = '127.0.0.1';
const OTHERS = ['127.0.0.2', '127.0.0.12']; // .12 starts with the trusted "127.0.0.1"
const HEADER = 'X-Auth-Email';
const HSTS = /^max-age=(\d+)/;

let srv;      // trusts PROXY, provisions as lezer of O
let plain;    // no AIREG_TRUSTED_PROXIES
let noProv;   // trusts PROXY, default header, no provisioning

before(async () => {
  [srv, plain, noProv] = await Promise.all([
    startServer({ env: { AIREG_TRUSTED_PROXIES: `127.0.0.99, ${PROXY}`, AIREG_PROXY_HEADER: HEADER, AIREG_PROXY_ORG: O, AIREG_PROXY_ROLE: 'lezer' } }),
    startServer({ env: { AIREG_TRUSTED_PROXIES: undefined, AIREG_PROXY_HEADER: undefined, AIREG_PROXY_ORG: undefined, AIREG_PROXY_ROLE: undefined } }),
    startServer({ env: { AIREG_TRUSTED_PROXIES: PROXY, AIREG_PROXY_HEADER: undefined, AIREG_PROXY_ORG: undefined, AIREG_PROXY_ROLE: undefined } }),
  ]);
});
after(async () => { await Promise.all([srv, plain, noProv].map((s) => s?.stop())); });

/** One request from a chosen source address: { status, headers (Headers-like), text, json, cookies }. */
function from(server, localAddress, method, urlPath, { json, form, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    let body = null;
    if (json !== undefined) { body = Buffer.from(JSON.stringify(json)); h['Content-Type'] = 'application/json'; }
    if (form !== undefined) { body = Buffer.from(new URLSearchParams(form).toString()); h['Content-Type'] = 'application/x-www-form-urlencoded'; }
    if (body) h['Content-Length'] = body.length;
    for (const [k, v] of Object.entries(h)) if (v === null || v === undefined) delete h[k];
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path: urlPath, localAddress, headers: h, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed;
        try { parsed = JSON.parse(text); } catch { parsed = undefined; }
        const setCookie = [].concat(res.headers['set-cookie'] ?? []);
        const cookies = parseSetCookies({ getSetCookie: () => setCookie });
        resolve({ status: res.statusCode, headers: res.headers, text, json: parsed, cookies });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sql = (server, statement) => {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', server.db, statement], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`sqlite3 ${statement}: ${r.error?.message ?? r.stderr}`);
  return r.stdout.trim();
};
const quote = (s) => `'${String(s).replace(/'/g, "''")}'`;
const userCount = (server, email) => Number(sql(server, `SELECT count(*) FROM users WHERE email = ${quote(email)}`));
const roleRows = (server, email) => sql(server,
  `SELECT o.code || ':' || m.role FROM memberships m JOIN users u ON u.id = m.user_id JOIN orgs o ON o.id = m.org_id WHERE u.email = ${quote(email)} ORDER BY 1`)
  .split('\n').filter(Boolean);
const asProxy = (email, extra = {}) => ({ headers: { [HEADER]: email, ...extra } });
const roles = (me) => me.roles.map((x) => `${x.organisation}:${x.role}`).sort();

// ---- identity from the proxy --------------------------------------------------------

test('a known e-mail from the trusted proxy is that person with their own roles; the e-mail matches without case', async () => {
  const { email } = addUser(srv.db, { roles: [[O, 'redacteur'], [F, 'goedkeurder']], email: newEmail('bekend') });
  for (const spelled of [email, email.toUpperCase()]) {
    const me = await from(srv, PROXY, 'GET', '/api/v1/session', asProxy(spelled));
    assert.equal(me.status, 200, `${spelled}: ${me.text}`);
    assert.equal(me.json.email, email);
    assert.deepEqual(roles(me.json), [`${O}:redacteur`, `${F}:goedkeurder`], 'the default role was added to a known person');
  }
  assert.equal(userCount(srv, email), 1);
  assert.deepEqual(roleRows(srv, email), [`${O}:redacteur`, `${F}:goedkeurder`]);
  const ws = await from(srv, PROXY, 'GET', '/api/v1/algorithms?view=workspace', asProxy(email));
  assert.equal(ws.status, 200, ws.text);
  const page = await from(srv, PROXY, 'GET', '/werkruimte', asProxy(email));
  assert.equal(page.status, 200, `the workspace page for a proxied person: ${page.status} ${page.headers.location ?? ''}`);
});

test('an unknown e-mail is provisioned once with the default role, also when its first requests come at once', async () => {
  const email = newEmail('nieuw-sso');
  const first = await Promise.all(Array.from({ length: 6 }, () => from(srv, PROXY, 'GET', '/api/v1/session', asProxy(email))));
  for (const r of first) assert.equal(r.status, 200, r.text);
  assert.deepEqual(roles(first[0].json), [`${O}:lezer`]);
  const again = await from(srv, PROXY, 'GET', '/api/v1/session', asProxy(email));
  assert.equal(again.status, 200, again.text);
  assert.equal(userCount(srv, email), 1, 'provisioned more than once');
  assert.deepEqual(roleRows(srv, email), [`${O}:lezer`]);
  const audit = sql(srv, `SELECT actor || ' ' || action FROM audit_log WHERE entity_id = ${quote(email)} ORDER BY id`).split('\n');
  assert.deepEqual(audit, ['proxy user.create', 'proxy role.grant'], 'provisioning is in the audit trail, once');
  assert.equal(auditVerify(srv.db).status, 0);
  const links = sql(srv, `SELECT count(*) FROM onetime_links WHERE user_id = (SELECT id FROM users WHERE email = ${quote(email)})`);
  assert.equal(links, '0', 'an activation link nobody is shown was made for a proxied person');
  // the default role is what it can do: read O's drafts, not write
  const w = await from(srv, PROXY, 'POST', `/api/v1/organisations/${O}/algorithms`,
    { json: fullRecord({ name: 'Lezer via SSO' }), headers: { [HEADER]: email, 'X-CSRF-Token': again.json.csrf_token } });
  assert.equal(w.status, 403, w.text);
});

test('the identity header from an address that is not a configured proxy is ignored: anonymous, nobody provisioned', async () => {
  const { email: known } = addUser(srv.db, { roles: [[O, 'beheerder']], email: newEmail('vervalst') });
  for (const addr of OTHERS) {
    const unknown = newEmail('niet-via-proxy');
    for (const email of [known, unknown]) {
      const me = await from(srv, addr, 'GET', '/api/v1/session', asProxy(email));
      assert.equal(me.status, 401, `${addr} as ${email}: ${me.text}`);
      const ws = await from(srv, addr, 'GET', '/api/v1/algorithms?view=workspace', asProxy(email));
      assert.equal(ws.status, 401, `${addr} workspace: ${ws.text}`);
      const w = await from(srv, addr, 'POST', `/api/v1/organisations/${O}/algorithms`, { json: fullRecord({ name: 'Vervalst' }), ...asProxy(email) });
      assert.equal(w.status, 401, `${addr} write: ${w.text}`);
      const page = await from(srv, addr, 'GET', '/werkruimte', asProxy(email));
      assert.equal(page.status, 303, `${addr} workspace page`);
      assert.match(page.headers.location, /^\/inloggen\?/);
      const pub = await from(srv, addr, 'GET', '/api/v1/algorithms', asProxy(email));
      assert.equal(pub.status, 200, 'the public register still answers');
    }
    assert.equal(userCount(srv, unknown), 0, `${addr}: an unknown e-mail was provisioned`);
  }
  assert.equal(Number(sql(srv, "SELECT count(*) FROM algorithm_versions WHERE record LIKE '%Vervalst%'")), 0);
  // without AIREG_TRUSTED_PROXIES no address is trusted, not even the loopback
  addUser(plain.db, { roles: [[O, 'beheerder']], email: known });
  const p = await from(plain, PROXY, 'GET', '/api/v1/session', { headers: { [HEADER]: known, 'X-Remote-User': known } });
  assert.equal(p.status, 401, p.text);
});

test('a disabled person is refused through the proxy and not provisioned again', async () => {
  const { email } = addUser(srv.db, { roles: [[O, 'redacteur']], email: newEmail('uit') });
  assert.equal((await from(srv, PROXY, 'GET', '/api/v1/session', asProxy(email))).status, 200);
  const d = runCli(['user', 'disable', '--db', srv.db, '--email', email]);
  assert.equal(d.status, 0, d.stderr);
  for (const p of ['/api/v1/session', '/api/v1/algorithms?view=workspace', '/werkruimte']) {
    const r = await from(srv, PROXY, 'GET', p, asProxy(email));
    assert.equal(r.status, 403, `${p}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  const r = await from(srv, PROXY, 'GET', '/api/v1/session', asProxy(email));
  assert.equal(r.json.error, 'unknown_user');
  assert.equal(userCount(srv, email), 1);
  assert.equal(sql(srv, `SELECT disabled FROM users WHERE email = ${quote(email)}`), '1');
});

test('without AIREG_PROXY_ORG/ROLE nobody is provisioned; the header defaults to X-Remote-User', async () => {
  const email = newEmail('onbekend');
  const r = await from(noProv, PROXY, 'GET', '/api/v1/session', { headers: { 'X-Remote-User': email } });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error, 'unknown_user');
  assert.equal(userCount(noProv, email), 0);
  const { email: known } = addUser(noProv.db, { roles: [[O, 'lezer']], email: newEmail('standaard') });
  const k = await from(noProv, PROXY, 'GET', '/api/v1/session', { headers: { 'X-Remote-User': known } });
  assert.equal(k.status, 200, k.text);
  assert.equal(k.json.email, known);
});

test('an empty identity header from the proxy (a visitor it did not authenticate) is anonymous', async () => {
  const pub = await from(srv, PROXY, 'GET', '/api/v1/algorithms', asProxy(''));
  assert.equal(pub.status, 200, pub.text);
  const home = await from(srv, PROXY, 'GET', '/', asProxy(''));
  assert.equal(home.status, 200, `the public home page: ${home.status}`);
  assert.equal((await from(srv, PROXY, 'GET', '/api/v1/session', asProxy(''))).status, 401);
  assert.equal(userCount(srv, ''), 0);
});

test('CSRF through the proxy: a state-changing request needs the token the session and the pages hand out', async () => {
  const { email } = addUser(srv.db, { roles: [[O, 'redacteur']], email: newEmail('csrf-sso') });
  const me = await from(srv, PROXY, 'GET', '/api/v1/session', asProxy(email));
  assert.equal(me.status, 200, me.text);
  const csrf = me.json.csrf_token;
  assert.equal(typeof csrf, 'string', `no CSRF token for a proxied person: ${me.text}`);
  assert.ok(csrf.length >= 32, csrf);
  // the browser's proxy cookie rides along with a forged cross-site request: the proxy adds the header
  for (const token of [null, '', 'x'.repeat(csrf.length)]) {
    const r = await from(srv, PROXY, 'POST', `/api/v1/organisations/${O}/algorithms`,
      { json: fullRecord({ name: 'Vervalst via SSO' }), headers: { [HEADER]: email, 'X-CSRF-Token': token } });
    assert.equal(r.status, 403, `CSRF ${JSON.stringify(token)}: ${r.text}`);
    assert.equal(r.json.error, 'csrf_failed');
  }
  assert.equal(Number(sql(srv, "SELECT count(*) FROM algorithm_versions WHERE record LIKE '%Vervalst via SSO%'")), 0);
  const ok = await from(srv, PROXY, 'POST', `/api/v1/organisations/${O}/algorithms`,
    { json: fullRecord({ name: 'Echt via SSO' }), headers: { [HEADER]: email, 'X-CSRF-Token': csrf } });
  assert.equal(ok.status, 201, ok.text);
  // the pages put the same token in their forms
  const page = await from(srv, PROXY, 'GET', '/werkruimte/tokens', asProxy(email));
  assert.equal(page.status, 200, page.text.slice(0, 200));
  assert.ok(page.text.includes(`value="${csrf}"`), 'the form does not carry the CSRF token');
  // another person's token is not this person's
  const { email: other } = addUser(srv.db, { roles: [[O, 'redacteur']], email: newEmail('csrf-ander') });
  const theirs = (await from(srv, PROXY, 'GET', '/api/v1/session', asProxy(other))).json.csrf_token;
  assert.notEqual(theirs, csrf);
  const cross = await from(srv, PROXY, 'POST', `/api/v1/organisations/${O}/algorithms`,
    { json: fullRecord({ name: 'Vervalst via SSO' }), headers: { [HEADER]: email, 'X-CSRF-Token': theirs } });
  assert.equal(cross.status, 403, cross.text);
});

// ---- TLS behind the proxy: HSTS and the cookie ------------------------------------------

const loginAs = async (server, addr, email, headers = {}) =>
  from(server, addr, 'POST', '/api/v1/session', { json: { email, password: PASSWORD }, headers });

test('behind TLS (trusted proxy, X-Forwarded-Proto: https): HSTS on every response, a Secure __Host- cookie', async () => {
  const { email } = addUser(srv.db, { roles: [[O, 'lezer']], password: PASSWORD, email: newEmail('tls') });
  const tls = { 'X-Forwarded-Proto': 'https' };
  for (const p of ['/healthz', '/', '/api/v1/algorithms', '/api/v1/bestaat-niet', '/bestaat-niet', '/inloggen']) {
    const r = await from(srv, PROXY, 'GET', p, { headers: tls });
    const m = HSTS.exec(r.headers['strict-transport-security'] ?? '');
    assert.ok(m, `${p} (${r.status}): no HSTS`);
    assert.ok(Number(m[1]) >= 31536000, `${p}: ${r.headers['strict-transport-security']}`);
  }
  const notAllowed = await from(srv, PROXY, 'PUT', '/healthz', { headers: tls }); // answered before routing
  assert.equal(notAllowed.status, 405);
  assert.match(notAllowed.headers['strict-transport-security'] ?? '', HSTS, 'no HSTS on a 405');
  const l = await loginAs(srv, PROXY, email, tls);
  assert.equal(l.status, 200, l.text);
  assert.equal(l.cookies.length, 1, JSON.stringify(l.headers['set-cookie']));
  const c = l.cookies[0];
  assert.equal(c.name, '__Host-aireg_session');
  assert.equal(c.attrs.secure, true, c.raw);
  assert.equal(c.attrs.path, '/', c.raw);
  assert.equal(c.attrs.domain, undefined, '__Host- cookies have no Domain');
  assert.equal(c.attrs.httponly, true);
  assert.equal(String(c.attrs.samesite).toLowerCase(), 'lax');
  const cookie = `${c.name}=${c.value}`;
  const me = await from(srv, PROXY, 'GET', '/api/v1/session', { headers: { ...tls, Cookie: cookie } });
  assert.equal(me.status, 200, me.text);
  // the log-in form sets the same cookie; log-out clears it under its name
  const f = await from(srv, PROXY, 'POST', '/inloggen', { form: { email, password: PASSWORD, next: '/werkruimte' }, headers: tls });
  assert.equal(f.status, 303, f.text.slice(0, 200));
  assert.equal(f.cookies[0]?.name, '__Host-aireg_session');
  assert.equal(f.cookies[0].attrs.secure, true);
  const out = await from(srv, PROXY, 'DELETE', '/api/v1/session', { headers: { ...tls, Cookie: cookie, 'X-CSRF-Token': me.json.csrf_token } });
  assert.equal(out.status, 204, out.text);
  assert.equal(out.cookies[0]?.name, '__Host-aireg_session');
  assert.equal(out.cookies[0].attrs.secure, true);
  assert.equal(out.cookies[0].attrs['max-age'], '0');
});

test('plain HTTP, and X-Forwarded-Proto from anyone but the proxy: no HSTS, the fallback aireg_session cookie', async () => {
  const { email } = addUser(srv.db, { roles: [[O, 'lezer']], password: PASSWORD, email: newEmail('plain') });
  const cases = [
    [srv, PROXY, {}, 'the proxy without X-Forwarded-Proto'],
    [srv, PROXY, { 'X-Forwarded-Proto': 'http' }, 'the proxy with X-Forwarded-Proto: http'],
    ...OTHERS.map((a) => [srv, a, { 'X-Forwarded-Proto': 'https' }, `${a} with X-Forwarded-Proto: https`]),
    [plain, PROXY, { 'X-Forwarded-Proto': 'https' }, 'no trusted proxies configured'],
  ];
  addUser(plain.db, { roles: [[O, 'lezer']], password: PASSWORD, email });
  for (const [server, addr, headers, label] of cases) {
    for (const p of ['/healthz', '/', '/api/v1/algorithms']) {
      const r = await from(server, addr, 'GET', p, { headers });
      assert.equal(r.headers['strict-transport-security'], undefined, `${label}, ${p}: HSTS sent`);
    }
    const l = await loginAs(server, addr, email, headers);
    assert.equal(l.status, 200, `${label}: ${l.text}`);
    assert.equal(l.cookies[0]?.name, 'aireg_session', `${label}: ${l.headers['set-cookie']}`);
    assert.equal(l.cookies[0].attrs.secure, undefined, `${label}: Secure on plain HTTP`);
    assert.equal(l.headers['strict-transport-security'], undefined, label);
  }
});
