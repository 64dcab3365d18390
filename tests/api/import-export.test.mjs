// POST /api/v1/import and GET /api/v1/export: the real scraped register, dry runs,
// rejected records, skip_invalid, supplier templates, CSV and a CSV round trip.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  startServer, client, fullRecord, parseCsv, isValidLars, CSV_HEADER, SEED_FILE, TEMPLATES_DIR,
} from './server.mjs';

const SEED_TEXT = readFileSync(SEED_FILE, 'utf8');
const SEED = JSON.parse(SEED_TEXT).algoritmes;
const N = SEED.length; // 1530

let a; // main server: seed imported
let b; // round-trip target: only the CSV import
let apiA;
let apiB;

before(async () => {
  [a, b] = await Promise.all([startServer(), startServer()]);
  apiA = client(a.base);
  apiB = client(b.base);
});
after(async () => { await Promise.all([a?.stop(), b?.stop()]); });

function importJson(api, text, query = '') {
  return api('POST', `/api/v1/import${query}`, { body: text, headers: { 'Content-Type': 'application/json' } });
}

function assertReport(rep, { format, dry_run, created, changed, unchanged, rejected }) {
  assert.equal(rep.format, format);
  assert.equal(rep.dry_run, dry_run);
  assert.deepEqual(
    { created: rep.created, changed: rep.changed, unchanged: rep.unchanged, rejected: rep.rejected },
    { created, changed, unchanged, rejected },
  );
  assert.equal(rep.records.length, created + changed + unchanged + rejected);
  rep.records.forEach((r, i) => assert.equal(r.index, i, 'records are in input order'));
}

async function exportJson(api, query = '') {
  const r = await api('GET', `/api/v1/export?format=json${query}`);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  assert.ok(Array.isArray(r.json));
  return r.json;
}

test('import dry_run=true reports 1530 created and stores nothing', { timeout: 60000 }, async () => {
  const r = await importJson(apiA, SEED_TEXT, '?dry_run=true');
  assert.equal(r.status, 200, r.text.slice(0, 500));
  assertReport(r.json, { format: 'scrape', dry_run: true, created: N, changed: 0, unchanged: 0, rejected: 0 });
  assert.deepEqual(await exportJson(apiA), []);
  const l = await apiA('GET', '/api/v1/algorithms');
  assert.equal(l.json.total, 0);
  assert.equal((await apiA('GET', `/api/v1/algorithms/${SEED[0].id}`)).status, 404);
});

test('import of data/seed/algoritmes.json creates exactly 1530 (body > 1 MiB allowed)', { timeout: 60000 }, async () => {
  assert.ok(Buffer.byteLength(SEED_TEXT) > 1024 * 1024);
  const r = await importJson(apiA, SEED_TEXT);
  assert.equal(r.status, 200, r.text.slice(0, 500));
  assertReport(r.json, { format: 'scrape', dry_run: false, created: N, changed: 0, unchanged: 0, rejected: 0 });
  r.json.records.forEach((rec, i) => {
    assert.equal(rec.action, 'created');
    assert.equal(rec.id, SEED[i].id, `record ${i} keeps its register id`);
  });
  const l = await apiA('GET', '/api/v1/algorithms?limit=1');
  assert.equal(l.json.total, N);
});

test('imported scrape records are mapped to v1.0 fields', async () => {
  const s = SEED[0];
  const r = await apiA('GET', `/api/v1/algorithms/${s.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.id, s.id);
  assert.ok(isValidLars(r.json.id));
  assert.equal(r.json.record.lars, s.id);
  assert.equal(r.json.record.name, s.title);
  assert.equal(r.json.record.organization, s.organisatie);
  assert.equal(r.json.record.status, 'In gebruik');
  assert.equal(r.headers.get('etag'), '"1"');
  const statusMap = { in_gebruik: 'In gebruik', ontwikkeling: 'In ontwikkeling', buiten_gebruik: 'Buiten gebruik' };
  for (const st of Object.keys(statusMap)) {
    const x = SEED.find((rec) => rec.status === st);
    const g = await apiA('GET', `/api/v1/algorithms/${x.id}`);
    assert.equal(g.json.record.status, statusMap[st], `${x.id} ${st}`);
  }
  // scraped names of seeded organisations are matched to them
  const ams = await apiA('GET', '/api/v1/organisations/GM0363');
  assert.equal(ams.json.algorithms, SEED.filter((x) => x.organisatie === 'Gemeente Amsterdam').length);
});

test('second import of the same file: 0 created, 1530 unchanged', { timeout: 60000 }, async () => {
  const r = await importJson(apiA, SEED_TEXT);
  assert.equal(r.status, 200, r.text.slice(0, 500));
  assertReport(r.json, { format: 'scrape', dry_run: false, created: 0, changed: 0, unchanged: N, rejected: 0 });
  const g = await apiA('GET', `/api/v1/algorithms/${SEED[0].id}/versions`);
  assert.equal(g.json.versions.length, 1);
});

test('import of a changed record reports changed and makes a new version', async () => {
  const s = { ...SEED[1], title: SEED[1].title + ' (bijgewerkt)' };
  const r = await importJson(apiA, JSON.stringify({ count: 1, algoritmes: [s] }));
  assert.equal(r.status, 200, r.text);
  assertReport(r.json, { format: 'scrape', dry_run: false, created: 0, changed: 1, unchanged: 0, rejected: 0 });
  const g = await apiA('GET', `/api/v1/algorithms/${s.id}`);
  assert.equal(g.json.version, 2);
  assert.equal(g.json.record.name, s.title);
  // restore, so that later exports match the seed again
  const back = await importJson(apiA, JSON.stringify({ count: 1, algoritmes: [SEED[1]] }));
  assert.equal(back.json.changed, 1);
});

test('export?format=json returns 1530 records with v1.0 keys and lars', async () => {
  const all = await exportJson(apiA);
  assert.equal(all.length, N);
  const ids = new Set(all.map((x) => x.lars));
  assert.equal(ids.size, N);
  for (const s of SEED) assert.ok(ids.has(s.id), `missing ${s.id}`);
  const ams = await exportJson(apiA, '&organisation=GM0363');
  assert.equal(ams.length, SEED.filter((x) => x.organisatie === 'Gemeente Amsterdam').length);
  for (const x of ams) assert.equal(x.organization, 'Gemeente Amsterdam');
});

test('export with an invalid format -> 400 invalid_parameter', async () => {
  const r = await apiA('GET', '/api/v1/export?format=xml');
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error, 'invalid_parameter');
  assert.equal(r.json.parameter, 'format');
});

test('import with one bad record -> 422 import_rejected with report; nothing stored', async () => {
  const good = fullRecord({ name: 'Goed record voor import', organization: 'Gemeente Utrecht' });
  const bad = fullRecord({ name: 'Fout record voor import', organization: 'Gemeente Utrecht', status: 'Actief' });
  const body = JSON.stringify([good, bad]);
  const before = (await exportJson(apiA)).length;
  const r = await importJson(apiA, body);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.status, 422);
  assert.equal(r.json.error, 'import_rejected');
  const rep = r.json.report;
  assert.ok(rep, 'report missing');
  assert.equal(rep.format, 'register');
  assert.equal(rep.rejected, 1);
  assert.equal(rep.records.length, 2);
  assert.equal(rep.records[1].index, 1);
  assert.equal(rep.records[1].action, 'rejected');
  assert.equal(rep.records[1].name, 'Fout record voor import');
  assert.ok(rep.records[1].errors.some((e) => e.field === 'status' && e.code === 'not_allowed_value'),
    JSON.stringify(rep.records[1]));
  assert.equal((await exportJson(apiA)).length, before, 'nothing may be stored');
  const q = await apiA('GET', `/api/v1/algorithms?q=${encodeURIComponent('Goed record voor import')}`);
  assert.ok(!q.json.results.some((x) => x.name === 'Goed record voor import'));
});

test('import with skip_invalid=true stores the good records and reports the bad one', async () => {
  const good = fullRecord({ name: 'Goed record voor import', organization: 'Gemeente Utrecht' });
  const bad = fullRecord({ name: 'Fout record voor import', organization: 'Gemeente Utrecht', begin_date: '2021-03-01T00:00' });
  const before = (await exportJson(apiA)).length;
  const r = await importJson(apiA, JSON.stringify([good, bad]), '?skip_invalid=true');
  assert.equal(r.status, 200, r.text);
  assertReport(r.json, { format: 'register', dry_run: false, created: 1, changed: 0, unchanged: 0, rejected: 1 });
  assert.equal(r.json.records[0].action, 'created');
  assert.ok(isValidLars(r.json.records[0].id));
  assert.equal(r.json.records[1].action, 'rejected');
  assert.ok(r.json.records[1].errors.some((e) => e.field === 'begin_date'), JSON.stringify(r.json.records[1]));
  assert.equal((await exportJson(apiA)).length, before + 1);
  const g = await apiA('GET', `/api/v1/algorithms/${r.json.records[0].id}`);
  assert.equal(g.status, 200);
  assert.equal(g.json.record.name, 'Goed record voor import');
  assert.equal(g.json.organisation.code, 'GM0344');
});

test('a single register record (object body) is imported', async () => {
  const rec = fullRecord({ name: 'Enkel record', organization: 'Gemeente Utrecht' });
  const r = await importJson(apiA, JSON.stringify(rec));
  assert.equal(r.status, 200, r.text);
  assertReport(r.json, { format: 'register', dry_run: false, created: 1, changed: 0, unchanged: 0, rejected: 0 });
});

test('supplier templates are recognised (dry run)', async () => {
  const files = readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith('.json'));
  assert.ok(files.length > 0);
  for (const f of files) {
    const text = readFileSync(path.join(TEMPLATES_DIR, f), 'utf8');
    const n = JSON.parse(text).length;
    const r = await importJson(apiA, text, '?dry_run=true&skip_invalid=true');
    assert.equal(r.status, 200, `${f}: ${r.text.slice(0, 300)}`);
    assert.equal(r.json.format, 'template', f);
    assert.equal(r.json.dry_run, true);
    assert.equal(r.json.records.length, n, f);
    assert.equal(r.json.created + r.json.changed + r.json.unchanged + r.json.rejected, n, f);
  }
});

test('import: malformed JSON -> 400 with line/column; wrong content type -> 415', async () => {
  const r = await importJson(apiA, '[\n{"name": "x"\n');
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error, 'malformed_json');
  assert.ok(Number.isInteger(r.json.line) && r.json.line >= 2, r.text);
  assert.ok(Number.isInteger(r.json.column) && r.json.column >= 1, r.text);
  const r2 = await apiA('POST', '/api/v1/import', { body: SEED_TEXT, headers: { 'Content-Type': 'text/plain' } });
  assert.equal(r2.status, 415, r2.text.slice(0, 300));
  assert.equal(r2.json.error, 'unsupported_media_type');
});

let csvA;
let jsonA;

// A few records with everything a CSV writer must get right: quotes, commas,
// newlines, accents, array fields and HTML.
const TRICKY = [
  fullRecord({
    name: 'Subsidie "Cultuur, Kunst" aanvragen',
    description_short: 'Beoordeelt aanvragen; let op: komma\'s, "aanhalingstekens" en accenten (één, Fryslân).',
    category: ['Cultuur en recreatie', 'Overheidsfinanciën'],
    goal: '<p>Regel één\nregel twee, met "quotes"</p>\r\n<ul><li>punt</li></ul>',
    lawful_basis_grouping: [
      { title: 'Algemene wet bestuursrecht', link: 'https://wetten.overheid.nl/BWBR0005537' },
      { title: 'Subsidieverordening, "cultuur"', link: 'https://lokaleregelgeving.overheid.nl/CVDR1' },
    ],
    impacttoetsen_grouping: [{ title: 'Data Protection Impact Assessment (DPIA)', link: 'https://example.nl/dpia' }],
    source_data_grouping: [{ title: 'Basisregistratie Personen (BRP)', link: 'https://www.rvig.nl/brp' }],
    tags: 'subsidie, cultuur',
    begin_date: '2020-01',
    end_date: '2026-12',
  }),
  fullRecord({ name: 'Leeg veld test', category: [], goal: '', website: '', provider: '' }),
];

test('export?format=csv has exactly the official header line, CRLF and one row per record', async () => {
  for (const rec of TRICKY) {
    const r = await apiA('POST', '/api/v1/organisations/GM1900/algorithms', { json: rec });
    assert.equal(r.status, 201, r.text);
  }
  jsonA = await exportJson(apiA);
  const r = await apiA('GET', '/api/v1/export?format=csv');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') || '', /^text\/csv/);
  csvA = r.text;
  assert.ok(csvA.startsWith(CSV_HEADER + '\r\n'), `first line: ${JSON.stringify(csvA.slice(0, 400))}`);
  const { rows, lineEnds } = parseCsv(csvA);
  assert.deepEqual([...lineEnds], ['\r\n'], 'record separators must be CRLF');
  assert.ok(csvA.endsWith('\r\n'));
  const header = rows[0];
  assert.equal(header.join(','), CSV_HEADER);
  assert.equal(rows.length - 1, jsonA.length);
  for (const row of rows) assert.equal(row.length, header.length, `row with ${row.length} cells`);
  // array fields are JSON arrays in their cells
  const col = Object.fromEntries(header.map((h, i) => [h, i]));
  const tricky = rows.find((row) => row[col.name] === TRICKY[0].name);
  assert.ok(tricky, 'tricky record not found in CSV');
  assert.deepEqual(JSON.parse(tricky[col.category]), TRICKY[0].category);
  assert.deepEqual(JSON.parse(tricky[col.lawful_basis_grouping]), TRICKY[0].lawful_basis_grouping);
  assert.deepEqual(JSON.parse(tricky[col.impacttoetsen_grouping]), TRICKY[0].impacttoetsen_grouping);
  assert.equal(tricky[col.description_short], TRICKY[0].description_short);
  assert.equal(tricky[col.organization], 'Gemeente Súdwest-Fryslân');
  const ams = await apiA('GET', '/api/v1/export?format=csv&organisation=GM0363');
  const amsRows = parseCsv(ams.text).rows;
  assert.equal(amsRows.length - 1, SEED.filter((x) => x.organisatie === 'Gemeente Amsterdam').length);
});

function normalise(rec) {
  // CSV has no lars/publication_dt column, and cannot tell a missing value from an
  // empty one: compare every other field with null, "" and [] treated as absent.
  const out = {};
  for (const [k, v] of Object.entries(rec)) {
    if (k === 'lars' || k === 'publication_dt') continue;
    if (v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out;
}
function sortKey(rec) {
  return JSON.stringify(Object.keys(rec).sort().map((k) => [k, rec[k]]));
}

test('CSV round trip: import the export into a fresh server, JSON exports are equal field by field', { timeout: 60000 }, async () => {
  assert.ok(csvA, 'needs the CSV export of the previous test');
  const r = await apiB('POST', '/api/v1/import', { body: csvA, headers: { 'Content-Type': 'text/csv' } });
  assert.equal(r.status, 200, r.text.slice(0, 500));
  assertReport(r.json, { format: 'csv', dry_run: false, created: jsonA.length, changed: 0, unchanged: 0, rejected: 0 });
  const jsonB = await exportJson(apiB);
  assert.equal(jsonB.length, jsonA.length);
  const left = jsonA.map(normalise).map((x) => [sortKey(x), x]).sort((p, q) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0));
  const right = jsonB.map(normalise).map((x) => [sortKey(x), x]).sort((p, q) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0));
  for (let i = 0; i < left.length; i++) {
    assert.deepEqual(right[i][1], left[i][1], `record ${i} differs after the CSV round trip`);
  }
  // and the CSV of B is byte-identical to the CSV of A up to row order
  const csvB = (await apiB('GET', '/api/v1/export?format=csv')).text;
  const rowsA = parseCsv(csvA).rows.slice(1).map((x) => JSON.stringify(x)).sort();
  const rowsB = parseCsv(csvB).rows.slice(1).map((x) => JSON.stringify(x)).sort();
  assert.deepEqual(rowsB, rowsA);
});

test('CSV import with a wrong header is rejected and stores nothing', async () => {
  const bad = 'naam,organisatie\r\nIets,Gemeente Utrecht\r\n';
  const before = (await exportJson(apiB)).length;
  const r = await apiB('POST', '/api/v1/import', { body: bad, headers: { 'Content-Type': 'text/csv' } });
  assert.ok(r.status === 400 || r.status === 422, `${r.status} ${r.text}`);
  assert.equal((await exportJson(apiB)).length, before);
});

test('SIGTERM stops both servers gracefully with exit code 0', async () => {
  const [ra, rb] = await Promise.all([a.stop(), b.stop()]);
  assert.deepEqual(ra, { code: 0, signal: null }, `stderr A: ${a.stderr()}`);
  assert.deepEqual(rb, { code: 0, signal: null }, `stderr B: ${b.stderr()}`);
});
