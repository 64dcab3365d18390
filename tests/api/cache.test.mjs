// The response cache for anonymous readers (src/rcache.c) and the public counts
// (migration 005): a kept copy is marked with Age, is never given to someone with
// a session or token, and never outlives a change the public can see — also a
// change made through another server process on the same database.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, bearerClient, fullRecord, userWithToken, addUser, sessionClient, PASSWORD } from './server.mjs';

let srv;
let red;   // redacteur of GM0363 and PV21
let goed;  // goedkeurder of GM0363 and PV21
let anon;
let redToken, goedToken;

async function create(org, fields) {
  const r = await red('POST', `/api/v1/organisations/${org}/algorithms`, { json: fullRecord(fields) });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function publish(id) {
  const rel = await red('POST', `/api/v1/algorithms/${id}/release`);
  assert.equal(rel.status, 200, rel.text);
  const pub = await goed('POST', `/api/v1/algorithms/${id}/publish`);
  assert.equal(pub.status, 200, pub.text);
}

/** Two anonymous reads: the second must be the kept copy of the first. */
async function twice(path) {
  const a = await anon('GET', path);
  const b = await anon('GET', path);
  assert.equal(a.status, 200, `${path}: ${a.text}`);
  assert.equal(b.status, 200, `${path}: ${b.text}`);
  assert.equal(b.headers.get('age'), '0', `${path}: the second anonymous read is a kept copy`);
  assert.equal(b.text, a.text, `${path}: the copy is the answer`);
  return b;
}

/** The counts of one facet on the public search page: { value: count }. */
function facet(html, param) {
  const sel = new RegExp(`<select[^>]* name="${param}">([\\s\\S]*?)</select>`).exec(html);
  assert.ok(sel, `no facet ${param}`);
  const out = {};
  for (const m of sel[1].matchAll(/<option value="([^"]+)"[^>]*>[^<]*\((\d+)\)<\/option>/g)) out[m[1]] = Number(m[2]);
  return out;
}

before(async () => {
  srv = await startServer();
  ({ api: red, token: redToken } = userWithToken(srv, { roles: [['GM0363', 'redacteur'], ['PV21', 'redacteur']], prefix: 'red' }));
  ({ api: goed, token: goedToken } = userWithToken(srv, { roles: [['GM0363', 'goedkeurder'], ['PV21', 'goedkeurder']], prefix: 'goed' }));
  anon = client(srv.base);
});
after(async () => { await srv?.stop(); });

test('an anonymous reader gets a kept copy; members, tokens and changed languages do not share it', async () => {
  const a = await create('GM0363', { name: 'Kopie parkeerboetes', status: 'In gebruik' });
  await publish(a.id);
  for (const p of [`/api/v1/algorithms/${a.id}`, `/algoritmes/${a.id}`, '/api/v1/algorithms?q=parkeerboetes', '/',
    '/organisaties', '/organisaties/GM0363', '/api/v1/organisations/GM0363']) await twice(p);

  // a logged-in reader of the same public page gets a page made for them
  const u = addUser(srv.db, { roles: [['GM0363', 'lezer']], password: PASSWORD });
  const s = await sessionClient(srv.base, u.email);
  const page = await s.request('GET', `/algoritmes/${a.id}`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('age'), null, 'not a kept copy for a session');
  assert.match(page.text, /action="\/uitloggen"/, 'the page shows the log-out of this reader');
  const again = await anon('GET', `/algoritmes/${a.id}`);
  assert.doesNotMatch(again.text, /uitloggen|csrf/, 'no session page reaches an anonymous reader');

  // a draft is listed for its editor, never in the anonymous copy
  const draft = await create('GM0363', { name: 'Kopie concept nooit publiek' });
  const pub = await twice('/api/v1/algorithms?q=nooit');
  assert.equal(pub.json.total, 0);
  const mine = await red('GET', '/api/v1/algorithms?q=nooit&view=workspace');
  assert.equal(mine.headers.get('age'), null);
  assert.deepEqual(mine.json.results.map((x) => x.id), [draft.id]);

  // the language cookie is part of the key
  const en = await client(srv.base, { headers: { Cookie: 'aireg_lang=en' } });
  const nl = await client(srv.base, { headers: { Cookie: 'aireg_lang=nl' } });
  for (let i = 0; i < 2; i++) {
    assert.match((await en('GET', '/')).text, /<html lang="en"/);
    assert.match((await nl('GET', '/')).text, /<html lang="nl"/);
  }
});

test('a change the public can see is served at once, also when another process made it', async () => {
  const a = await create('PV21', { name: 'Kopie eerste naam' });
  await publish(a.id);
  await twice(`/api/v1/algorithms/${a.id}`);
  await twice('/?q=kopie');
  // a second node on the same database makes the change
  const other = await startServer({ dbPath: srv.db });
  try {
    const [red2, goed2] = [redToken, goedToken].map((t) => bearerClient(other.base, t));
    const cur = await red2('GET', `/api/v1/algorithms/${a.id}`);
    const put = await red2('PUT', `/api/v1/algorithms/${a.id}`, {
      json: { ...cur.json.record, name: 'Kopie tweede naam' }, headers: { 'If-Match': cur.headers.get('etag') },
    });
    assert.equal(put.status, 200, put.text);
    assert.equal((await red2('POST', `/api/v1/algorithms/${a.id}/release`)).status, 200);
    assert.equal((await goed2('POST', `/api/v1/algorithms/${a.id}/publish`)).status, 200);
  } finally {
    await other.stop();
  }
  const fresh = await anon('GET', `/api/v1/algorithms/${a.id}`);
  assert.equal(fresh.headers.get('age'), null, 'the old copy is not served');
  assert.equal(fresh.json.record.name, 'Kopie tweede naam');
  assert.match((await anon('GET', '/?q=kopie')).text, /Kopie tweede naam/);
  await twice(`/api/v1/algorithms/${a.id}`);
  // retracted: gone from the public at once
  const ret = await goed('POST', `/api/v1/algorithms/${a.id}/retract`, { json: { reason: 'test' } });
  assert.equal(ret.status, 200, ret.text);
  assert.equal((await anon('GET', `/api/v1/algorithms/${a.id}`)).status, 404);
});

test('the public counts follow publication, a new version and retraction', async () => {
  // what the register holds before this test, read from the public search page
  const before = await anon('GET', '/');
  const base = { status: facet(before.text, 'status'), thema: facet(before.text, 'thema'), total: (await anon('GET', '/api/v1/algorithms')).json.total };
  const add = (m, k, n) => ({ ...m, [k]: (m[k] ?? 0) + n });
  const x = await create('GM0363', { name: 'Tel een', status: 'In ontwikkeling', category: ['Verkeer', 'Wonen'] });
  const y = await create('PV21', { name: 'Tel twee', status: 'Buiten gebruik', category: ['Wonen'] });
  await publish(x.id);
  await publish(y.id);
  // a new version moves y from one status and theme to another
  const cur = await red('GET', `/api/v1/algorithms/${y.id}`);
  const put = await red('PUT', `/api/v1/algorithms/${y.id}`, {
    json: { ...cur.json.record, status: 'In gebruik', category: ['Economie'] }, headers: { 'If-Match': cur.headers.get('etag') },
  });
  assert.equal(put.status, 200, put.text);
  await publish(y.id);
  assert.equal((await goed('POST', `/api/v1/algorithms/${x.id}/retract`, { json: { reason: 'test' } })).status, 200);
  const after = await anon('GET', '/');
  const status = add(base.status, 'In gebruik', 1);
  const thema = add(base.thema, 'Economie', 1);
  assert.deepEqual(facet(after.text, 'status'), status);
  assert.deepEqual(facet(after.text, 'thema'), thema);
  assert.equal((await anon('GET', '/api/v1/algorithms')).json.total, base.total + 1);
  // the organisation's own number (the organisations page and the API)
  const orgs = await anon('GET', '/api/v1/organisations/PV21');
  const listed = (await anon('GET', '/api/v1/algorithms?organisation=PV21&limit=100')).json.total;
  assert.equal(orgs.json.algorithms, listed, JSON.stringify(orgs.json));
});

test('AIREG_CACHE_MB=0 keeps no copies', async () => {
  const off = await startServer({ dbPath: srv.db, env: { AIREG_CACHE_MB: '0' } });
  try {
    const c = client(off.base);
    await c('GET', '/');
    assert.equal((await c('GET', '/')).headers.get('age'), null);
  } finally {
    await off.stop();
  }
});
