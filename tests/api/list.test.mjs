// GET /api/v1/algorithms: paging, parameter validation, filters and full-text search.
// The fixtures are drafts of GM0363 and PV21: their editor lists them with
// ?view=workspace. At the end they are published and the public list (anonymous)
// gives the same answers.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, fullRecord, userWithToken } from './server.mjs';

let srv;
let api;   // redacteur of GM0363 and PV21
let goed;  // goedkeurder of GM0363 and PV21
let anon;
let view = 'view=workspace'; // the list the tests read; '' = the public register
const byLetter = {}; // 'A' -> created algorithm

const FIXTURES = [
  ['A', 'GM0363', { name: 'Afvalinzameling route plannen', description_short: 'Plant de routes van de vuilniswagens.',
    status: 'In gebruik', publication_category: 'Overige algoritmes', category: ['Natuur en milieu'] }],
  ['B', 'GM0363', { name: 'Bijstandsaanvragen controleren', description_short: 'Controleert aanvragen voor een bijstandsuitkering.',
    status: 'In gebruik', publication_category: 'Impactvolle algoritmes', category: ['Sociale zekerheid', 'Werk'] }],
  ['C', 'GM0363', { name: 'Crowd monitoring binnenstad', description_short: 'Telt bezoekers in drukke straten.',
    status: 'In ontwikkeling', publication_category: 'Hoog-risico AI-systeem', category: ['Openbare orde en veiligheid'] }],
  ['D', 'GM0363', { name: 'Digitale parkeervergunning aanvragen', description_short: 'Bewoners vragen een parkeervergunning online aan.',
    status: 'In gebruik', publication_category: 'Impactvolle algoritmes', category: ['Verkeer'] }],
  ['E', 'GM0363', { name: 'Energielabel woningen schatten', description_short: 'Schat het energielabel van woningen.',
    status: 'Buiten gebruik', publication_category: 'Overige algoritmes', category: ['Wonen'] }],
  ['F', 'PV21', { name: 'Fietspaden onderhoud Fryslân', description_short: 'Plant het onderhoud van fietspaden in de provincie.',
    status: 'In gebruik', publication_category: 'Overige algoritmes', category: ['Verkeer', 'Ruimte en infrastructuur'] }],
  ['G', 'PV21', { name: 'Gebiedsontwikkeling subsidies', description_short: 'Beoordeelt subsidieaanvragen voor projecten in Fryslân.',
    status: 'In ontwikkeling', publication_category: 'Impactvolle algoritmes', category: ['Economie'] }],
];

before(async () => {
  srv = await startServer();
  api = userWithToken(srv, { roles: [['GM0363', 'redacteur'], ['PV21', 'redacteur']], prefix: 'redacteur' }).api;
  goed = userWithToken(srv, { roles: [['GM0363', 'goedkeurder'], ['PV21', 'goedkeurder']], prefix: 'goedkeurder' }).api;
  anon = client(srv.base);
  for (const [letter, org, fields] of FIXTURES) {
    // keep the other text fields neutral so that q only matches what the test intends
    const rec = fullRecord({
      ...fields,
      goal: '<p>Doel.</p>', proportionality: '', human_intervention: '', risks: '', lawful_basis: '',
      lawful_basis_grouping: [], methods_and_models: '', provider: '', website: '',
    });
    const r = await api('POST', `/api/v1/organisations/${org}/algorithms`, { json: rec });
    assert.equal(r.status, 201, r.text);
    byLetter[letter] = r.json;
  }
});
after(async () => { await srv?.stop(); });

async function list(query) {
  const q = [view, query].filter(Boolean).join('&');
  const r = await (view ? api : anon)('GET', `/api/v1/algorithms${q ? '?' + q : ''}`);
  assert.equal(r.status, 200, `${q}: ${r.text}`);
  return r.json;
}
function letters(results) {
  const rev = Object.fromEntries(Object.entries(byLetter).map(([l, a]) => [a.id, l]));
  return results.map((a) => rev[a.id] ?? `?${a.id}`);
}
async function lettersOf(query) {
  const j = await list(query);
  assert.equal(j.total, j.results.length, `${query}: total ${j.total} but ${j.results.length} results on one page`);
  return letters(j.results);
}

test('the public register lists none of the drafts', async () => {
  const r = await anon('GET', '/api/v1/algorithms?limit=100');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, 0);
  assert.deepEqual(r.json.results, []);
  const mine = await api('GET', '/api/v1/algorithms?limit=100');
  assert.equal(mine.json.total, 0, 'without view=workspace members see the public register too');
  const w = await anon('GET', '/api/v1/algorithms?view=workspace');
  assert.equal(w.status, 401, w.text);
});

test('default list: page 1, limit 20, sorted by name, summary shape', async () => {
  const j = await list('');
  assert.equal(j.page, 1);
  assert.equal(j.limit, 20);
  assert.equal(j.total, 7);
  assert.deepEqual(letters(j.results), ['A', 'B', 'C', 'D', 'E', 'F', 'G']);
  const s = j.results[3];
  const d = byLetter.D;
  assert.equal(s.id, d.id);
  assert.equal(s.version, 1);
  assert.equal(s.state, 'concept');
  assert.equal(s.organisation.code, 'GM0363');
  assert.equal(s.organisation.name, 'Gemeente Amsterdam');
  assert.equal(s.name, 'Digitale parkeervergunning aanvragen');
  assert.equal(s.description_short, 'Bewoners vragen een parkeervergunning online aan.');
  assert.equal(s.status, 'In gebruik');
  assert.equal(s.publication_category, 'Impactvolle algoritmes');
  assert.deepEqual(s.category, ['Verkeer']);
  assert.equal(s.completeness, d.completeness);
  assert.equal(s.publishable, d.publishable);
  assert.equal(s.updated_at, d.updated_at);
});

test('paging with limit=2 walks all results once', async () => {
  const seen = [];
  for (let page = 1; page <= 5; page++) {
    const j = await list(`limit=2&page=${page}`);
    assert.equal(j.total, 7);
    assert.equal(j.page, page);
    assert.equal(j.limit, 2);
    assert.equal(j.results.length, page <= 3 ? 2 : page === 4 ? 1 : 0, `page ${page}`);
    seen.push(...letters(j.results));
  }
  assert.deepEqual(seen, ['A', 'B', 'C', 'D', 'E', 'F', 'G']);
  assert.equal((await list('limit=100')).results.length, 7);
  assert.equal((await list('limit=1&page=7')).results.length, 1);
});

test('invalid paging parameters -> 400 invalid_parameter naming the parameter (public and workspace)', async () => {
  const cases = [
    ['limit=101', 'limit'], ['limit=0', 'limit'], ['limit=abc', 'limit'], ['limit=-1', 'limit'],
    ['limit=1.5', 'limit'], ['limit=20abc', 'limit'], ['page=0', 'page'], ['page=-2', 'page'],
    ['page=abc', 'page'], ['page=1&limit=1000', 'limit'],
  ];
  for (const [q, name] of cases) {
    for (const [who, prefix] of [[anon, ''], [api, 'view=workspace&']]) {
      const r = await who('GET', `/api/v1/algorithms?${prefix}${q}`);
      assert.equal(r.status, 400, `${prefix}${q}: ${r.status} ${r.text}`);
      assert.equal(r.json.status, 400);
      assert.equal(r.json.error, 'invalid_parameter', q);
      assert.equal(r.json.parameter, name, `${q}: ${r.text}`);
      assert.ok(r.json.message.includes(name), `${q}: message does not name ${name}: ${r.json.message}`);
    }
  }
  const v = await api('GET', '/api/v1/algorithms?view=everything');
  assert.equal(v.status, 400, v.text);
  assert.equal(v.json.parameter, 'view');
});

test('filter values outside the permitted values -> 400 invalid_parameter', async () => {
  const cases = [
    ['status=Actief', 'status'],
    ['publication_category=Onbekend', 'publication_category'],
    ['category=Ruimtevaart', 'category'],
  ];
  for (const [q, name] of cases) {
    const r = await api('GET', `/api/v1/algorithms?view=workspace&${q}`);
    assert.equal(r.status, 400, `${q}: ${r.status} ${r.text}`);
    assert.equal(r.json.error, 'invalid_parameter');
    assert.equal(r.json.parameter, name);
    assert.ok(r.json.message.includes(name), r.json.message);
  }
});

test('filters: organisation, status, publication_category, category, combined', async () => {
  const e = encodeURIComponent;
  assert.deepEqual(await lettersOf('organisation=PV21'), ['F', 'G']);
  assert.deepEqual(await lettersOf('organisation=GM0363'), ['A', 'B', 'C', 'D', 'E']);
  if (view) {
    // the workspace of someone without a role in GM0344 has no such organisation
    const r = await api('GET', '/api/v1/algorithms?view=workspace&organisation=GM0344');
    assert.equal(r.status, 404, r.text);
  } else {
    assert.deepEqual(await lettersOf('organisation=GM0344'), []);
  }
  assert.deepEqual(await lettersOf(`status=${e('In gebruik')}`), ['A', 'B', 'D', 'F']);
  assert.deepEqual(await lettersOf(`status=${e('Buiten gebruik')}`), ['E']);
  assert.deepEqual(await lettersOf(`publication_category=${e('Impactvolle algoritmes')}`), ['B', 'D', 'G']);
  assert.deepEqual(await lettersOf(`publication_category=${e('Hoog-risico AI-systeem')}`), ['C']);
  assert.deepEqual(await lettersOf('category=Verkeer'), ['D', 'F']);
  assert.deepEqual(await lettersOf('category=Werk'), ['B']);
  assert.deepEqual(await lettersOf(`category=${e('Ruimte en infrastructuur')}`), ['F']);
  assert.deepEqual(await lettersOf(`organisation=GM0363&status=${e('In gebruik')}`), ['A', 'B', 'D']);
  assert.deepEqual(await lettersOf(`organisation=PV21&category=Verkeer&status=${e('In gebruik')}`), ['F']);
  const j = await list(`status=${e('In gebruik')}&limit=1&page=2`);
  assert.equal(j.total, 4);
  assert.deepEqual(letters(j.results), ['B']);
});

test('q: prefix matching ("parkeer" finds "parkeervergunning"), case-insensitive', async () => {
  assert.deepEqual(await lettersOf('q=parkeer'), ['D']);
  assert.deepEqual(await lettersOf('q=PARKEER'), ['D']);
  assert.deepEqual(await lettersOf('q=parkeervergunning'), ['D']);
  assert.deepEqual(await lettersOf('q=fietspad'), ['F']);
  assert.deepEqual((await lettersOf('q=bijstand')), ['B']);
  assert.deepEqual(await lettersOf('q=vuilniswagens'), ['A']);
});

test('q: accent-insensitive ("Fryslan" finds "Fryslân") both ways', async () => {
  assert.deepEqual((await lettersOf('q=Fryslan')).sort(), ['F', 'G']);
  assert.deepEqual((await lettersOf(`q=${encodeURIComponent('Fryslân')}`)).sort(), ['F', 'G']);
  assert.deepEqual((await lettersOf('q=frysl')).sort(), ['F', 'G']);
});

test('q: no match gives an empty list; q combines with filters', async () => {
  const j = await list('q=zwembad');
  assert.equal(j.total, 0);
  assert.deepEqual(j.results, []);
  assert.deepEqual(await lettersOf('q=parkeer&organisation=PV21'), []);
  assert.deepEqual(await lettersOf('q=Fryslan&category=Economie'), ['G']);
  // characters with a meaning in SQL / FTS syntax are just text
  for (const q of ['"', "'", 'parkeer*', 'a OR b', '(', 'NEAR(', '%', '-parkeer', 'AND']) {
    const r = await api('GET', `/api/v1/algorithms?${view}&q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, `q=${q}: ${r.status} ${r.text}`);
  }
});

test('q results follow updates and archiving', async () => {
  const d = byLetter.D;
  const put = await api('PUT', `/api/v1/algorithms/${d.id}`, {
    json: { ...d.record, description_short: 'Bewoners vragen een ontheffing aan voor een zwembad.' },
    headers: { 'If-Match': '"1"' },
  });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(await lettersOf('q=zwembad'), ['D']);
  const arch = await goed('POST', `/api/v1/algorithms/${byLetter.E.id}/archive`);
  assert.equal(arch.status, 200, arch.text);
  assert.deepEqual(await lettersOf('q=energielabel'), []);
  assert.deepEqual(await lettersOf(`status=${encodeURIComponent('Buiten gebruik')}`), []);
  const j = await list('');
  assert.equal(j.total, 6);
  assert.deepEqual(letters(j.results), ['A', 'B', 'C', 'D', 'F', 'G']);
});

test('after publishing, the public register (anonymous) gives the same answers', async () => {
  for (const [letter, a] of Object.entries(byLetter)) {
    if (letter === 'E') continue; // archived
    const rel = await api('POST', `/api/v1/algorithms/${a.id}/release`);
    assert.equal(rel.status, 200, `${letter}: ${rel.text}`);
    const pub = await goed('POST', `/api/v1/algorithms/${a.id}/publish`);
    assert.equal(pub.status, 200, `${letter}: ${pub.text}`);
    assert.equal(pub.json.status, 'gepubliceerd');
  }
  const e = encodeURIComponent;
  const queries = ['', 'organisation=PV21', `status=${e('In gebruik')}`, 'category=Verkeer', 'q=parkeer',
    'q=Fryslan', 'q=zwembad', 'q=energielabel', `publication_category=${e('Impactvolle algoritmes')}`, 'limit=2&page=2'];
  const workspace = {};
  for (const q of queries) workspace[q] = letters((await list(q)).results);
  view = '';
  for (const q of queries) assert.deepEqual(letters((await list(q)).results), workspace[q], `public ${q}`);
  const j = await list('');
  assert.equal(j.total, 6);
  for (const s of j.results) assert.equal(s.state, 'gepubliceerd', JSON.stringify(s));
  assert.deepEqual(await lettersOf('organisation=GM0344'), []);
});

test('SIGTERM stops the server gracefully with exit code 0', async () => {
  const r = await srv.stop();
  assert.deepEqual(r, { code: 0, signal: null }, `stderr: ${srv.stderr()}`);
});
