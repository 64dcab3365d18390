// Organisations: the seeded lists, get, create, duplicates and validation.
// Reading is public; adding an organisation is for platform operators (made with
// `aireg user add --operator`).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, client, fullRecord, REPO_ROOT, userWithToken } from './server.mjs';

let srv;
let api; // anonymous: reading is public
let op;  // operator: adds organisations

before(async () => {
  srv = await startServer();
  api = client(srv.base);
  op = userWithToken(srv, { operator: true, prefix: 'operator' }).api;
});
after(async () => { await srv?.stop(); });

// Rows in data/orgs/*.csv (header "name;identifier;org_id"). The contract's notes say
// 29 veiligheidsregio's and 27 omgevingsdiensten, but the shipped lists (the source the
// binary seeds from) have 25 and 28; the test follows the lists.
function csvRows(file) {
  return readFileSync(path.join(REPO_ROOT, 'data', 'orgs', file), 'utf8')
    .split('\n').slice(1).filter((l) => l.trim().length > 0).length;
}
const SEEDED = {
  gemeente: { n: csvRows('Gemeenten.csv'), re: /^GM[0-9]{4}$/ },
  provincie: { n: csvRows('Provincies.csv'), re: /^PV[0-9]{2}$/ },
  waterschap: { n: csvRows('Waterschappen.csv'), re: /^WS[0-9]{2}$/ },
  veiligheidsregio: { n: csvRows('Veiligheidsregios.csv'), re: /^VR[0-9]{2}$/ },
  omgevingsdienst: { n: csvRows('Omgevingsdiensten.csv'), re: /^OD[0-9]{2}$/ },
};
const SEEDED_TOTAL = Object.values(SEEDED).reduce((s, t) => s + t.n, 0);

test('the seeded lists have the expected sizes', () => {
  assert.equal(SEEDED.gemeente.n, 342);
  assert.equal(SEEDED.provincie.n, 12);
  assert.equal(SEEDED.waterschap.n, 21);
  assert.equal(SEEDED.veiligheidsregio.n, 25);
  assert.equal(SEEDED.omgevingsdienst.n, 28);
});

test('GET /api/v1/organisations lists the seeded organisations by type', async () => {
  const r = await api('GET', '/api/v1/organisations');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  assert.equal(r.json.total, SEEDED_TOTAL);
  assert.equal(r.json.results.length, SEEDED_TOTAL);
  const byType = {};
  const codes = new Set();
  for (const o of r.json.results) {
    assert.deepEqual(Object.keys(o).sort(), ['algorithms', 'code', 'name', 'type'], JSON.stringify(o));
    assert.ok(SEEDED[o.type], `unexpected type ${o.type}`);
    assert.match(o.code, SEEDED[o.type].re, JSON.stringify(o));
    assert.equal(o.algorithms, 0);
    assert.equal(typeof o.name, 'string');
    assert.ok(o.name.length > 0);
    byType[o.type] = (byType[o.type] || 0) + 1;
    assert.ok(!codes.has(o.code), `duplicate code ${o.code}`);
    codes.add(o.code);
  }
  for (const [type, { n }] of Object.entries(SEEDED)) assert.equal(byType[type], n, type);
});

test('GET /api/v1/organisations/{code} returns one organisation; names keep their accents', async () => {
  const cases = [
    ['GM0344', 'Gemeente Utrecht', 'gemeente'],
    ['GM1900', 'Gemeente Súdwest-Fryslân', 'gemeente'],
    ['PV21', 'Provincie Fryslân', 'provincie'],
    ['WS02', 'Wetterskip Fryslân', 'waterschap'],
    ['VR02', 'Veiligheidsregio Fryslân', 'veiligheidsregio'],
    ['OD22', 'DCMR Milieudienst Rijnmond', 'omgevingsdienst'],
  ];
  for (const [code, name, type] of cases) {
    const r = await api('GET', `/api/v1/organisations/${code}`);
    assert.equal(r.status, 200, `${code}: ${r.text}`);
    assert.deepEqual(r.json, { code, name, type, algorithms: 0 });
  }
});

test('GET unknown organisation -> 404 not_found', async () => {
  for (const code of ['GM9999', 'XX01', 'gm0344x']) {
    const r = await api('GET', `/api/v1/organisations/${code}`);
    assert.equal(r.status, 404);
    assert.equal(r.json.error, 'not_found');
    assert.equal(r.json.status, 404);
  }
});

test('POST /api/v1/organisations: anonymous -> 401, a beheerder (not an operator) -> 403, nothing added', async () => {
  const body = { code: 'GR0009', name: 'Niet toegestaan', type: 'overig' };
  const a = await api('POST', '/api/v1/organisations', { json: body });
  assert.equal(a.status, 401, a.text);
  assert.equal(a.json.error, 'unauthorized');
  const beh = userWithToken(srv, { roles: [['GM0344', 'beheerder']], prefix: 'beheerder' }).api;
  const b = await beh('POST', '/api/v1/organisations', { json: body });
  assert.equal(b.status, 403, b.text);
  assert.equal(b.json.error, 'forbidden');
  assert.equal((await api('GET', '/api/v1/organisations/GR0009')).status, 404);
  assert.equal((await api('GET', '/api/v1/organisations')).json.total, SEEDED_TOTAL);
});

test('POST /api/v1/organisations creates an organisation (201)', async () => {
  const body = { code: 'GR0001', name: 'Gemeenschappelijke regeling Regionale ICT-dienst Utrecht', type: 'overig' };
  const r = await op('POST', '/api/v1/organisations', { json: body });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json, { ...body, algorithms: 0 });
  const g = await api('GET', '/api/v1/organisations/GR0001');
  assert.equal(g.status, 200);
  assert.deepEqual(g.json, { ...body, algorithms: 0 });
  const l = await api('GET', '/api/v1/organisations');
  assert.equal(l.json.total, SEEDED_TOTAL + 1);
  assert.ok(l.json.results.some((o) => o.code === 'GR0001' && o.type === 'overig'));
});

test('POST duplicate organisation code -> 409 already_exists', async () => {
  const r = await op('POST', '/api/v1/organisations', {
    json: { code: 'GR0001', name: 'Een andere naam', type: 'overig' },
  });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error, 'already_exists');
  assert.equal(r.json.status, 409);
  const r2 = await op('POST', '/api/v1/organisations', {
    json: { code: 'GM0344', name: 'Gemeente Utrecht', type: 'gemeente' },
  });
  assert.equal(r2.status, 409, r2.text);
  assert.equal(r2.json.error, 'already_exists');
  // the original is untouched
  const g = await api('GET', '/api/v1/organisations/GR0001');
  assert.equal(g.json.name, 'Gemeenschappelijke regeling Regionale ICT-dienst Utrecht');
  const l = await api('GET', '/api/v1/organisations');
  assert.equal(l.json.total, SEEDED_TOTAL + 1);
});

test('POST organisation with bad fields -> 422 validation_failed naming the field', async () => {
  const cases = [
    [{ code: 'GR0002', name: 'Regeling X', type: 'stichting' }, 'type'],
    [{ code: 'GR0003', type: 'overig' }, 'name'],
    [{ name: 'Zonder code', type: 'overig' }, 'code'],
    [{ code: 'GR0005', name: 42, type: 'overig' }, 'name'],
  ];
  for (const [body, field] of cases) {
    const r = await op('POST', '/api/v1/organisations', { json: body });
    assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.status} ${r.text}`);
    assert.equal(r.json.error, 'validation_failed');
    assert.ok(Array.isArray(r.json.errors), r.text);
    assert.ok(r.json.errors.some((e) => e.field === field), `${field} not named: ${r.text}`);
  }
  const l = await api('GET', '/api/v1/organisations');
  assert.equal(l.json.total, SEEDED_TOTAL + 1);
});

test('organisation name longer than a record\'s organization (max 100) -> 422', async () => {
  // every algorithm of the organisation carries its name in "organization" (max_length 100)
  const r = await op('POST', '/api/v1/organisations', { json: { code: 'GR0004', name: 'x'.repeat(101), type: 'overig' } });
  assert.equal(r.status, 422, r.text);
  assert.ok(r.json.errors.some((e) => e.field === 'name' && e.code === 'too_long'), r.text);
});

test('organisation algorithm count follows created (and published) algorithms', async () => {
  // people of the new organisation, made with the CLI
  const red = userWithToken(srv, { roles: [['GR0001', 'redacteur']], prefix: 'redacteur' }).api;
  const goed = userWithToken(srv, { roles: [['GR0001', 'goedkeurder']], prefix: 'goedkeurder' }).api;
  const c = await red('POST', '/api/v1/organisations/GR0001/algorithms', { json: fullRecord() });
  assert.equal(c.status, 201, c.text);
  assert.deepEqual(c.json.organisation, {
    code: 'GR0001', name: 'Gemeenschappelijke regeling Regionale ICT-dienst Utrecht', type: 'overig',
  });
  assert.equal(c.json.record.organization, 'Gemeenschappelijke regeling Regionale ICT-dienst Utrecht');
  assert.equal((await red('POST', `/api/v1/algorithms/${c.json.id}/release`)).status, 200);
  const p = await goed('POST', `/api/v1/algorithms/${c.json.id}/publish`);
  assert.equal(p.status, 200, p.text);
  const g = await api('GET', '/api/v1/organisations/GR0001');
  assert.equal(g.json.algorithms, 1);
  const l = await api('GET', '/api/v1/organisations');
  assert.equal(l.json.results.find((o) => o.code === 'GR0001').algorithms, 1);
});

test('creating an algorithm for an unknown organisation -> 404', async () => {
  for (const who of [api, op]) {
    const r = await who('POST', '/api/v1/organisations/GM9999/algorithms', { json: fullRecord() });
    assert.equal(r.status, 404, r.text);
    assert.equal(r.json.error, 'not_found');
  }
});

test('SIGTERM stops the server gracefully with exit code 0', async () => {
  const r = await srv.stop();
  assert.deepEqual(r, { code: 0, signal: null }, `stderr: ${srv.stderr()}`);
});
