// Algorithms: create, validation, versions, optimistic locking, archive.
// Since issue 4 writes need a log-in: a redacteur of Gemeente Utrecht (bearer token)
// creates and edits, a goedkeurder archives; drafts are read by members.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, client, fullRecord, isValidLars, makeLars, breakLars, REQUIRED_FIELDS, userWithToken,
} from './server.mjs';

let srv;
let api;   // redacteur of GM0344
let goed;  // goedkeurder of GM0344 (archives)
let anon;

before(async () => {
  srv = await startServer();
  api = userWithToken(srv, { roles: [['GM0344', 'redacteur']], prefix: 'redacteur' }).api;
  goed = userWithToken(srv, { roles: [['GM0344', 'goedkeurder']], prefix: 'goedkeurder' }).api;
  anon = client(srv.base);
});
after(async () => { await srv?.stop(); });

const ORG = { code: 'GM0344', name: 'Gemeente Utrecht', type: 'gemeente' };
const CREATE = `/api/v1/organisations/${ORG.code}/algorithms`;

function create(record, org = ORG.code) {
  return api('POST', `/api/v1/organisations/${org}/algorithms`, { json: record });
}

function assertValidation(r, field, code) {
  assert.equal(r.status, 422, `${field}/${code}: ${r.status} ${r.text}`);
  assert.equal(r.json.status, 422);
  assert.equal(r.json.error, 'validation_failed');
  assert.ok(Array.isArray(r.json.errors), r.text);
  // nested fields may be named "lawful_basis_grouping[0].title" or just the top-level key
  const hit = r.json.errors.find((e) => e.code === code &&
    (e.field === field || (typeof e.field === 'string' && /[[.]/.test(e.field.charAt(field.length)) && e.field.startsWith(field))));
  assert.ok(hit, `no error {field:${field}, code:${code}} in ${r.text}`);
  assert.equal(typeof hit.message, 'string');
}

function isIsoTime(s) {
  return typeof s === 'string' && !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s);
}

// The organisation's own list (drafts included) is the workspace view.
async function listIds(query = '') {
  const r = await api('GET', `/api/v1/algorithms?view=workspace&limit=100&organisation=${ORG.code}${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json.results.map((a) => a.id);
}

let main; // the algorithm that the version tests work on

test('create -> 201 with Location, ETag "1", a generated valid id and the full object', async () => {
  const rec = fullRecord();
  const r = await create(rec);
  assert.equal(r.status, 201, r.text);
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  const b = r.json;
  assert.match(b.id, /^[0-9]{8}$/);
  assert.ok(isValidLars(b.id), `check digit of ${b.id} is wrong`);
  const loc = r.headers.get('location');
  assert.ok(loc, 'Location header missing');
  assert.equal(new URL(loc, srv.base).pathname, `/api/v1/algorithms/${b.id}`);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal(b.version, 1);
  assert.equal(b.state, 'concept');
  assert.equal(b.status, 'concept', 'workflow status of this version');
  assert.equal(b.published_version, null);
  assert.equal(b.latest_version, 1, 'members see latest_version');
  assert.equal(b.publication_mode, 'two-step');
  assert.deepEqual(b.organisation, ORG);
  assert.ok(isIsoTime(b.created_at), b.created_at);
  assert.ok(isIsoTime(b.updated_at), b.updated_at);
  // completeness is a score over all fields (its formula is not part of the contract)
  assert.ok(Number.isInteger(b.completeness) && b.completeness > 0 && b.completeness <= 100, String(b.completeness));
  assert.equal(b.publishable, true);
  assert.deepEqual(b.missing, []);
  assert.equal(b.record.organization, ORG.name, 'organization is set from the organisation');
  assert.equal(b.record.lars, b.id);
  for (const [k, v] of Object.entries(rec)) assert.deepEqual(b.record[k], v, `record.${k}`);
  main = b;
});

test('generated ids are distinct and all have a valid check digit', async () => {
  const ids = new Set([main.id]);
  for (let i = 0; i < 12; i++) {
    const r = await create(fullRecord({ name: `Gegenereerd id ${i}` }));
    assert.equal(r.status, 201, r.text);
    assert.ok(isValidLars(r.json.id), r.json.id);
    assert.ok(!ids.has(r.json.id), `duplicate id ${r.json.id}`);
    ids.add(r.json.id);
  }
});

test('GET latest returns the object with ETag', async () => {
  const r = await api('GET', `/api/v1/algorithms/${main.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.deepEqual(r.json, main);
});

test('a draft is not visible to the public, and anonymous writes are refused', async () => {
  assert.equal((await anon('GET', `/api/v1/algorithms/${main.id}`)).status, 404);
  assert.equal((await anon('GET', `/api/v1/algorithms/${main.id}/versions`)).status, 404);
  const pub = await anon('GET', '/api/v1/algorithms?limit=100');
  assert.equal(pub.status, 200);
  assert.ok(!pub.json.results.some((a) => a.id === main.id), 'draft in the public list');
  const c = await anon('POST', CREATE, { json: fullRecord({ name: 'Anoniem' }) });
  assert.equal(c.status, 401, c.text);
  assert.equal(c.json.error, 'unauthorized');
  const u = await anon('PUT', `/api/v1/algorithms/${main.id}`, { json: main.record, headers: { 'If-Match': '"1"' } });
  assert.equal(u.status, 404, `a draft is not confirmed to exist: ${u.text}`);
});

test('draft lacking required fields is stored with missing fields listed', async () => {
  const r = await create({ name: 'Concept zonder verdere velden' });
  assert.equal(r.status, 201, r.text);
  const b = r.json;
  assert.equal(b.publishable, false);
  assert.equal(b.state, 'concept');
  assert.ok(Number.isInteger(b.completeness) && b.completeness >= 0 && b.completeness < 100, String(b.completeness));
  for (const f of ['description_short', 'status', 'contact_email', 'publication_category']) {
    assert.ok(b.missing.includes(f), `${f} not in missing ${JSON.stringify(b.missing)}`);
  }
  assert.ok(!b.missing.includes('name'));
  assert.ok(!b.missing.includes('organization'), 'organization comes from the organisation');
  assert.ok(b.missing.includes('lang') || b.record.lang === 'nld', 'lang neither missing nor defaulted');
  for (const f of b.missing) assert.ok(REQUIRED_FIELDS.includes(f), `${f} is not a required field`);

  const r2 = await create({});
  assert.equal(r2.status, 201, r2.text);
  assert.ok(r2.json.missing.includes('name'));
  assert.equal(r2.json.publishable, false);
  assert.ok(r2.json.completeness < b.completeness, 'completeness should drop with fewer fields');
});

test('lars with a valid check digit is used as id; taken -> 409; bad check digit -> 422 invalid_id', async () => {
  const lars = makeLars(1234567);
  const r = await create(fullRecord({ name: 'Met eigen id', lars }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.id, lars);
  assert.equal(new URL(r.headers.get('location'), srv.base).pathname, `/api/v1/algorithms/${lars}`);

  const dup = await create(fullRecord({ name: 'Zelfde id', lars }));
  assert.equal(dup.status, 409, dup.text);
  assert.equal(dup.json.error, 'already_exists');

  const bad = breakLars(makeLars(7654321));
  assertValidation(await create(fullRecord({ name: 'Fout id', lars: bad })), 'lars', 'invalid_id');
  assertValidation(await create(fullRecord({ name: 'Fout id', lars: '1234' })), 'lars', 'invalid_id');
  assert.equal((await api('GET', `/api/v1/algorithms/${bad}`)).status, 404);
  assert.equal((await api('GET', `/api/v1/algorithms/${bad.slice(0, 7)}${(Number(bad[7]) + 9) % 10}`)).status, 404);
});

test('unknown field -> 422 unknown_field', async () => {
  assertValidation(await create(fullRecord({ foo: 'bar' })), 'foo', 'unknown_field');
  assertValidation(await create({ name: 'x', iama_description: 'oud veld' }), 'iama_description', 'unknown_field');
});

test('too long values -> 422 too_long naming the field; limits count characters', async () => {
  assertValidation(await create(fullRecord({ name: 'x'.repeat(101) })), 'name', 'too_long');
  assertValidation(await create(fullRecord({ description_short: 'y'.repeat(401) })), 'description_short', 'too_long');
  assertValidation(await create(fullRecord({ begin_date: '2021-03-01' })), 'begin_date', 'too_long');
  assertValidation(await create(fullRecord({ methods_and_models: 'm'.repeat(5001) })), 'methods_and_models', 'too_long');
  assertValidation(await create(fullRecord({
    lawful_basis_grouping: [{ title: 't'.repeat(101), link: 'https://wetten.overheid.nl/BWBR0006622' }],
  })), 'lawful_basis_grouping', 'too_long');

  const ok100 = await create(fullRecord({ name: 'x'.repeat(100) }));
  assert.equal(ok100.status, 201, ok100.text);
  const accents = 'ë'.repeat(100); // 200 bytes, 100 characters
  const okAcc = await create(fullRecord({ name: accents }));
  assert.equal(okAcc.status, 201, okAcc.text);
  assert.equal(okAcc.json.record.name, accents);
  assertValidation(await create(fullRecord({ name: 'ë'.repeat(101) })), 'name', 'too_long');
});

test('a value outside the permitted values -> 422 not_allowed_value', async () => {
  assertValidation(await create(fullRecord({ status: 'Actief' })), 'status', 'not_allowed_value');
  assertValidation(await create(fullRecord({ publication_category: 'Hoog risico' })), 'publication_category', 'not_allowed_value');
  assertValidation(await create(fullRecord({ category: ['Verkeer', 'Ruimtevaart'] })), 'category', 'not_allowed_value');
  assertValidation(await create(fullRecord({ lang: 'eng' })), 'lang', 'not_allowed_value');
  assertValidation(await create(fullRecord({ standard_version: '2.0' })), 'standard_version', 'not_allowed_value');
});

test('a value of the wrong JSON type -> 422 wrong_type', async () => {
  assertValidation(await create(fullRecord({ name: 42 })), 'name', 'wrong_type');
  assertValidation(await create(fullRecord({ category: 42 })), 'category', 'wrong_type');
  assertValidation(await create(fullRecord({ lawful_basis_grouping: 'Wegenverkeerswet 1994' })), 'lawful_basis_grouping', 'wrong_type');
  const r = await api('POST', CREATE, { body: '["not", "an", "object"]', headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.error, 'validation_failed');
});

test('several invalid fields are all reported', async () => {
  const r = await create(fullRecord({ name: 'x'.repeat(101), status: 'Actief', foo: 1 }));
  assertValidation(r, 'name', 'too_long');
  assertValidation(r, 'status', 'not_allowed_value');
  assertValidation(r, 'foo', 'unknown_field');
});

test('HTML is sanitised to the allowed tags', async () => {
  const r = await create(fullRecord({
    name: 'HTML test',
    goal: '<p onclick=x>hi<script>bad()</script></p>',
    risks: '<UL class="x"><li>een</li><li>twee<br/></li></UL><img src=x onerror=alert(1)>',
  }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.record.goal, '<p>hi</p>');
  assert.equal(r.json.record.risks, '<ul><li>een</li><li>twee<br></li></ul>');
  const g = await api('GET', `/api/v1/algorithms/${r.json.id}`);
  assert.equal(g.json.record.goal, '<p>hi</p>');
});

test('nothing was stored by the rejected creates', async () => {
  const r = await api('GET', `/api/v1/algorithms?view=workspace&limit=100&organisation=${ORG.code}`);
  assert.equal(r.status, 200);
  for (const a of r.json.results) {
    assert.ok(!['Fout id', 'Zelfde id'].includes(a.name), `rejected record stored: ${a.name}`);
    assert.notEqual(a.status, 'Actief');
  }
  const ids = new Set(r.json.results.map((a) => a.id));
  assert.ok(ids.has(main.id));
  assert.ok(!r.json.results.some((a) => a.name === 'Anoniem'), 'anonymous create stored');
});

test('PUT without If-Match -> 428 precondition_required', async () => {
  const r = await api('PUT', `/api/v1/algorithms/${main.id}`, { json: { ...main.record, description_short: 'Gewijzigd' } });
  assert.equal(r.status, 428, r.text);
  assert.equal(r.json.error, 'precondition_required');
  const g = await api('GET', `/api/v1/algorithms/${main.id}`);
  assert.equal(g.json.version, 1);
});

test('PUT with If-Match "1" -> 200 version 2, ETag "2"', async () => {
  const rec = { ...main.record, description_short: 'Een nieuwe korte omschrijving.' };
  const r = await api('PUT', `/api/v1/algorithms/${main.id}`, { json: rec, headers: { 'If-Match': '"1"' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.version, 2);
  assert.equal(r.headers.get('etag'), '"2"');
  assert.equal(r.json.id, main.id);
  assert.equal(r.json.record.description_short, 'Een nieuwe korte omschrijving.');
  assert.equal(r.json.created_at, main.created_at);
  assert.ok(Date.parse(r.json.updated_at) >= Date.parse(main.updated_at));
  main = r.json;
});

test('PUT with stale If-Match -> 409 version_conflict with current_version; nothing changed', async () => {
  const rec = { ...main.record, description_short: 'Mag niet worden opgeslagen.' };
  for (const im of ['"1"', '1', '"7"']) {
    const r = await api('PUT', `/api/v1/algorithms/${main.id}`, { json: rec, headers: { 'If-Match': im } });
    assert.equal(r.status, 409, `${im}: ${r.text}`);
    assert.equal(r.json.error, 'version_conflict');
    assert.equal(r.json.current_version, 2);
  }
  const g = await api('GET', `/api/v1/algorithms/${main.id}`);
  assert.equal(g.json.version, 2);
  assert.equal(g.json.record.description_short, 'Een nieuwe korte omschrijving.');
  const v = await api('GET', `/api/v1/algorithms/${main.id}/versions`);
  assert.equal(v.json.versions.length, 2);
});

test('PUT with an identical body (If-Match unquoted) -> 200, no new version', async () => {
  const r = await api('PUT', `/api/v1/algorithms/${main.id}`, { json: main.record, headers: { 'If-Match': '2' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.version, 2);
  assert.equal(r.headers.get('etag'), '"2"');
  const v = await api('GET', `/api/v1/algorithms/${main.id}/versions`);
  assert.equal(v.json.versions.length, 2);
});

test('PUT with invalid fields -> 422 and nothing changed', async () => {
  const r = await api('PUT', `/api/v1/algorithms/${main.id}`, {
    json: { ...main.record, status: 'Actief' }, headers: { 'If-Match': '"2"' },
  });
  assertValidation(r, 'status', 'not_allowed_value');
  const g = await api('GET', `/api/v1/algorithms/${main.id}`);
  assert.equal(g.json.version, 2);
  assert.equal(g.json.record.status, main.record.status);
});

test('GET ?version=N returns that version with its ETag; unknown version -> 404', async () => {
  const v1 = await api('GET', `/api/v1/algorithms/${main.id}?version=1`);
  assert.equal(v1.status, 200, v1.text);
  assert.equal(v1.json.version, 1);
  assert.equal(v1.headers.get('etag'), '"1"');
  assert.equal(v1.json.record.description_short, fullRecord().description_short);
  const v2 = await api('GET', `/api/v1/algorithms/${main.id}?version=2`);
  assert.equal(v2.json.version, 2);
  assert.equal(v2.headers.get('etag'), '"2"');
  assert.equal(v2.json.record.description_short, 'Een nieuwe korte omschrijving.');
  const latest = await api('GET', `/api/v1/algorithms/${main.id}`);
  assert.deepEqual(latest.json, v2.json);
  for (const n of ['3', '99']) {
    const r = await api('GET', `/api/v1/algorithms/${main.id}?version=${n}`);
    assert.equal(r.status, 404, `version=${n}: ${r.text}`);
    assert.equal(r.json.error, 'not_found');
  }
  // not a version number at all: 404 (unknown) or 400 invalid_parameter are both fine
  for (const n of ['abc', '0', '-1']) {
    const bad = await api('GET', `/api/v1/algorithms/${main.id}?version=${n}`);
    assert.ok(bad.status === 400 || bad.status === 404, `version=${n}: ${bad.status}`);
    if (bad.status === 400) assert.equal(bad.json.parameter, 'version');
  }
});

test('GET /versions lists versions ascending', async () => {
  const r = await api('GET', `/api/v1/algorithms/${main.id}/versions`);
  assert.equal(r.status, 200);
  assert.equal(r.json.id, main.id);
  assert.deepEqual(r.json.versions.map((v) => v.version), [1, 2]);
  for (const v of r.json.versions) assert.ok(isIsoTime(v.created_at), v.created_at);
  assert.ok(Date.parse(r.json.versions[0].created_at) <= Date.parse(r.json.versions[1].created_at));
});

test('concurrent PUTs with the same If-Match: exactly one 200 and one 409', async () => {
  let version = main.version;
  for (let round = 0; round < 5; round++) {
    const a = { ...main.record, description_short: `Ronde ${round} variant A` };
    const b = { ...main.record, description_short: `Ronde ${round} variant B` };
    const [ra, rb] = await Promise.all([
      api('PUT', `/api/v1/algorithms/${main.id}`, { json: a, headers: { 'If-Match': `"${version}"` } }),
      api('PUT', `/api/v1/algorithms/${main.id}`, { json: b, headers: { 'If-Match': `"${version}"` } }),
    ]);
    const statuses = [ra.status, rb.status].sort();
    assert.deepEqual(statuses, [200, 409], `round ${round}: ${ra.text} / ${rb.text}`);
    const winner = ra.status === 200 ? ra : rb;
    const loser = ra.status === 200 ? rb : ra;
    assert.equal(winner.json.version, version + 1);
    assert.equal(loser.json.error, 'version_conflict');
    assert.equal(loser.json.current_version, version + 1);
    const g = await api('GET', `/api/v1/algorithms/${main.id}`);
    assert.equal(g.json.version, version + 1);
    assert.equal(g.json.record.description_short, winner.json.record.description_short);
    version += 1;
  }
  const v = await api('GET', `/api/v1/algorithms/${main.id}/versions`);
  assert.equal(v.json.versions.length, version);
  main = (await api('GET', `/api/v1/algorithms/${main.id}`)).json;
});

test('archive -> 200 state gearchiveerd; the algorithm leaves the list', async () => {
  assert.ok((await listIds()).includes(main.id));
  const denied = await api('POST', `/api/v1/algorithms/${main.id}/archive`);
  assert.equal(denied.status, 403, `archiving needs a goedkeurder: ${denied.text}`);
  assert.equal(denied.json.error, 'forbidden');
  const r = await goed('POST', `/api/v1/algorithms/${main.id}/archive`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'gearchiveerd');
  assert.equal(r.json.id, main.id);
  const g = await api('GET', `/api/v1/algorithms/${main.id}`);
  assert.equal(g.status, 200);
  assert.equal(g.json.state, 'gearchiveerd');
  assert.ok(!(await listIds()).includes(main.id), 'archived algorithm still listed');
  for (const view of ['', '&view=workspace']) {
    const all = await api('GET', `/api/v1/algorithms?limit=100${view}`);
    assert.equal(all.status, 200, all.text);
    assert.ok(!all.json.results.some((a) => a.id === main.id));
    const q = await api('GET', `/api/v1/algorithms?q=${encodeURIComponent('Parkeervergunningen')}&limit=100${view}`);
    assert.equal(q.status, 200, q.text);
    assert.ok(!q.json.results.some((a) => a.id === main.id), 'archived algorithm found by q');
  }
  const again = await api('PUT', `/api/v1/algorithms/${main.id}`, {
    json: { ...main.record, description_short: 'Na archiveren' }, headers: { 'If-Match': `"${main.version}"` },
  });
  assert.equal(again.status, 409, `an archived algorithm is not edited: ${again.text}`);
});

test('SIGTERM stops the server gracefully with exit code 0', async () => {
  const r = await srv.stop();
  assert.deepEqual(r, { code: 0, signal: null }, `stderr: ${srv.stderr()}`);
});
