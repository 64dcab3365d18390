// POST /api/v1/import and GET /api/v1/export: the real scraped register, dry runs,
// rejected records, skip_invalid, supplier templates, CSV and a CSV round trip.
//
// Since issue 4: the scraped register holds entries already published in the national
// register, which only an operator imports (`aireg user add --operator`); register-shape
// records are drafts that a redacteur imports into their own organisation. The public
// export holds published versions only; ?view=workspace the latest versions of one's
// own organisations. The CSV round trip spans hundreds of organisations, which only
// the CLI (the system) may import into, so the target database is filled by
// `aireg import` and read back by `aireg export --drafts`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  startServer, client, fullRecord, parseCsv, isValidLars, CSV_HEADER, SEED_FILE, TEMPLATES_DIR,
  userWithToken, runCli, cliImport,
} from './server.mjs';

const SEED_TEXT = readFileSync(SEED_FILE, 'utf8');
const SEED = JSON.parse(SEED_TEXT).algoritmes;
const N = SEED.length; // 1530

let a; // main server: seed imported
let b; // round-trip target: only the CSV import
let apiA;   // anonymous on A: the public register
let opA;    // operator on A: imports the national register
let redA;   // redacteur of GM0344 on A
let redB;   // redacteur of GM0344 on B

before(async () => {
  [a, b] = await Promise.all([startServer(), startServer()]);
  apiA = client(a.base);
  opA = userWithToken(a, { operator: true, prefix: 'operator' }).api;
  redA = userWithToken(a, { roles: [['GM0344', 'redacteur']], prefix: 'redacteur' }).api;
  redB = userWithToken(b, { roles: [['GM0344', 'redacteur']], prefix: 'redacteur' }).api;
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

/** The redacteur's own organisation's latest versions (drafts included). */
function workspaceJson(api) {
  return exportJson(api, '&view=workspace');
}

/** `aireg export --drafts` of a server's database (every latest version). */
function cliExport(srv, format) {
  const r = runCli(['export', '--db', srv.db, '--format', format, '--drafts']);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('importing needs a log-in: anonymous -> 401 unauthorized', async () => {
  const one = JSON.stringify([fullRecord({ name: 'Anoniem geimporteerd', organization: 'Gemeente Utrecht' })]);
  const r = await importJson(apiA, one, '?dry_run=true');
  assert.equal(r.status, 401, r.text.slice(0, 300));
  assert.equal(r.json.error, 'unauthorized');
});

test('entries published in the national register are imported by an operator: a redacteur -> 403', async () => {
  // an entry of the redacteur's own organisation, in the scraped (published) shape
  const own = SEED.find((x) => x.organisatie === 'Gemeente Utrecht');
  assert.ok(own, 'the seed has an entry of Gemeente Utrecht');
  const r = await importJson(redA, JSON.stringify({ count: 1, algoritmes: [own] }), '?dry_run=true');
  assert.equal(r.status, 403, r.text.slice(0, 300));
  assert.equal(r.json.error, 'forbidden');
});

test('the CLI loads the national register: the public register lists 1530 published entries', { timeout: 120000 }, async () => {
  const r = cliImport(a.db, SEED_FILE);
  assert.equal(r.stdout.trim(), `${SEED_FILE}: ${N} created, 0 changed, 0 unchanged, 0 rejected`);
  const l = await apiA('GET', '/api/v1/algorithms?limit=1');
  assert.equal(l.status, 200, l.text);
  assert.equal(l.json.total, N, 'scraped entries are published: the public register lists them');
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
  assert.equal(r.json.status, 'gepubliceerd');
  assert.equal(r.json.published_version, 1);
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

test('an operator imports national-register data through the API: same file unchanged, a changed record is a new published version', { timeout: 60000 }, async () => {
  const dry = await importJson(opA, SEED_TEXT, '?dry_run=true');
  assert.equal(dry.status, 200, dry.text.slice(0, 500));
  assertReport(dry.json, { format: 'scrape', dry_run: true, created: 0, changed: 0, unchanged: N, rejected: 0 });
  const s = { ...SEED[1], title: SEED[1].title + ' (bijgewerkt)' };
  const r = await importJson(opA, JSON.stringify({ count: 1, algoritmes: [s] }));
  assert.equal(r.status, 200, r.text.slice(0, 500));
  assertReport(r.json, { format: 'scrape', dry_run: false, created: 0, changed: 1, unchanged: 0, rejected: 0 });
  const g = await apiA('GET', `/api/v1/algorithms/${s.id}`);
  assert.equal(g.json.version, 2, 'the public sees the newly published version');
  assert.equal(g.json.record.name, s.title);
  const v = await apiA('GET', `/api/v1/algorithms/${s.id}/versions`);
  assert.deepEqual(v.json.versions.map((x) => [x.version, x.status]), [[1, 'vervangen'], [2, 'gepubliceerd']]);
  // restore, so that later exports match the seed again
  const back = await importJson(opA, JSON.stringify({ count: 1, algoritmes: [SEED[1]] }));
  assert.equal(back.json.changed, 1);
});

// A redacteur's bulk import into their own organisation: register-shape records (drafts)
// adding up to more than 1 MiB, which only the import endpoint accepts.
const BULK = Array.from({ length: 420 }, (_, i) => fullRecord({
  name: `Bulkimport ${String(i).padStart(3, '0')}`,
  organization: 'Gemeente Utrecht',
  source_id: `bulk-${i}`,
  methods_and_models: `<p>${'Beslisregels en rekenregels. '.repeat(90)}</p>`,
}));
const BULK_TEXT = JSON.stringify(BULK);

test('import dry_run=true reports every record created and stores nothing', { timeout: 60000 }, async () => {
  const before = (await workspaceJson(redA)).length;
  const r = await importJson(redA, BULK_TEXT, '?dry_run=true');
  assert.equal(r.status, 200, r.text.slice(0, 500));
  assertReport(r.json, { format: 'register', dry_run: true, created: BULK.length, changed: 0, unchanged: 0, rejected: 0 });
  assert.equal((await workspaceJson(redA)).length, before);
  const l = await redA('GET', '/api/v1/algorithms?view=workspace&q=Bulkimport');
  assert.equal(l.json.total, 0);
});

test('import of more than 1 MiB creates every record (body > 1 MiB allowed); drafts are not public', { timeout: 60000 }, async () => {
  assert.ok(Buffer.byteLength(BULK_TEXT) > 1024 * 1024, `${Buffer.byteLength(BULK_TEXT)} bytes`);
  const publicBefore = (await exportJson(apiA)).length;
  const r = await importJson(redA, BULK_TEXT);
  assert.equal(r.status, 200, r.text.slice(0, 500));
  assertReport(r.json, { format: 'register', dry_run: false, created: BULK.length, changed: 0, unchanged: 0, rejected: 0 });
  r.json.records.forEach((rec) => {
    assert.equal(rec.action, 'created');
    assert.ok(isValidLars(rec.id), rec.id);
  });
  const l = await redA('GET', '/api/v1/algorithms?view=workspace&q=Bulkimport&limit=1');
  assert.equal(l.json.total, BULK.length);
  assert.equal((await exportJson(apiA)).length, publicBefore, 'imported drafts are not in the public export');
  const g = await redA('GET', `/api/v1/algorithms/${r.json.records[0].id}`);
  assert.equal(g.json.status, 'concept');
  assert.equal(g.json.published_version, null);
});

test('second import of the same file: 0 created, all unchanged', { timeout: 60000 }, async () => {
  const r = await importJson(redA, BULK_TEXT);
  assert.equal(r.status, 200, r.text.slice(0, 500));
  assertReport(r.json, { format: 'register', dry_run: false, created: 0, changed: 0, unchanged: BULK.length, rejected: 0 });
  const g = await redA('GET', `/api/v1/algorithms/${r.json.records[0].id}/versions`);
  assert.equal(g.json.versions.length, 1);
});

test('import of a changed record reports changed and makes a new version', async () => {
  const changed = { ...BULK[1], description_short: 'Bijgewerkte omschrijving.' };
  const r = await importJson(redA, JSON.stringify([changed]));
  assert.equal(r.status, 200, r.text);
  assertReport(r.json, { format: 'register', dry_run: false, created: 0, changed: 1, unchanged: 0, rejected: 0 });
  const g = await redA('GET', `/api/v1/algorithms/${r.json.records[0].id}`);
  assert.equal(g.json.version, 2);
  assert.equal(g.json.record.description_short, 'Bijgewerkte omschrijving.');
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
  const before = (await workspaceJson(redA)).length;
  const r = await importJson(redA, body);
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
  assert.equal((await workspaceJson(redA)).length, before, 'nothing may be stored');
  const q = await redA('GET', `/api/v1/algorithms?view=workspace&q=${encodeURIComponent('Goed record voor import')}`);
  assert.equal(q.status, 200, q.text);
  assert.ok(!q.json.results.some((x) => x.name === 'Goed record voor import'));
});

test('import with skip_invalid=true stores the good records and reports the bad one', async () => {
  const good = fullRecord({ name: 'Goed record voor import', organization: 'Gemeente Utrecht' });
  const bad = fullRecord({ name: 'Fout record voor import', organization: 'Gemeente Utrecht', begin_date: '2021-03-01T00:00' });
  const before = (await workspaceJson(redA)).length;
  const publicBefore = (await exportJson(apiA)).length;
  const r = await importJson(redA, JSON.stringify([good, bad]), '?skip_invalid=true');
  assert.equal(r.status, 200, r.text);
  assertReport(r.json, { format: 'register', dry_run: false, created: 1, changed: 0, unchanged: 0, rejected: 1 });
  assert.equal(r.json.records[0].action, 'created');
  assert.ok(isValidLars(r.json.records[0].id));
  assert.equal(r.json.records[1].action, 'rejected');
  assert.ok(r.json.records[1].errors.some((e) => e.field === 'begin_date'), JSON.stringify(r.json.records[1]));
  assert.equal((await workspaceJson(redA)).length, before + 1);
  assert.equal((await exportJson(apiA)).length, publicBefore, 'an imported draft is not public');
  const g = await redA('GET', `/api/v1/algorithms/${r.json.records[0].id}`);
  assert.equal(g.status, 200);
  assert.equal(g.json.record.name, 'Goed record voor import');
  assert.equal(g.json.organisation.code, 'GM0344');
});

test('a single register record (object body) is imported', async () => {
  const rec = fullRecord({ name: 'Enkel record', organization: 'Gemeente Utrecht' });
  const r = await importJson(redA, JSON.stringify(rec));
  assert.equal(r.status, 200, r.text);
  assertReport(r.json, { format: 'register', dry_run: false, created: 1, changed: 0, unchanged: 0, rejected: 0 });
});

test('supplier templates are recognised (dry run)', async () => {
  const files = readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith('.json'));
  assert.ok(files.length > 0);
  for (const f of files) {
    const text = readFileSync(path.join(TEMPLATES_DIR, f), 'utf8');
    const n = JSON.parse(text).length;
    const r = await importJson(redA, text, '?dry_run=true&skip_invalid=true&organisation=GM0344');
    assert.equal(r.status, 200, `${f}: ${r.text.slice(0, 300)}`);
    assert.equal(r.json.format, 'template', f);
    assert.equal(r.json.dry_run, true);
    assert.equal(r.json.records.length, n, f);
    assert.equal(r.json.created + r.json.changed + r.json.unchanged + r.json.rejected, n, f);
  }
});

test('import: malformed JSON -> 400 with line/column; wrong content type -> 415', async () => {
  const r = await importJson(redA, '[\n{"name": "x"\n');
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error, 'malformed_json');
  assert.ok(Number.isInteger(r.json.line) && r.json.line >= 2, r.text);
  assert.ok(Number.isInteger(r.json.column) && r.json.column >= 1, r.text);
  const r2 = await opA('POST', '/api/v1/import', { body: SEED_TEXT, headers: { 'Content-Type': 'text/plain' } });
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
  // the tricky records are created, released and published by people of GM1900
  const red = userWithToken(a, { roles: [['GM1900', 'redacteur']], prefix: 'redacteur' }).api;
  const goed = userWithToken(a, { roles: [['GM1900', 'goedkeurder']], prefix: 'goedkeurder' }).api;
  for (const rec of TRICKY) {
    const r = await red('POST', '/api/v1/organisations/GM1900/algorithms', { json: rec });
    assert.equal(r.status, 201, r.text);
    assert.equal((await red('POST', `/api/v1/algorithms/${r.json.id}/release`)).status, 200);
    const p = await goed('POST', `/api/v1/algorithms/${r.json.id}/publish`);
    assert.equal(p.status, 200, p.text);
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
  // a redacteur may not import other organisations' records
  const denied = await redB('POST', '/api/v1/import?dry_run=true', { body: csvA, headers: { 'Content-Type': 'text/csv' } });
  assert.ok(denied.status === 403 || denied.status === 422, `${denied.status} ${denied.text.slice(0, 300)}`);
  const file = path.join(b.dir, 'export-a.csv');
  writeFileSync(file, csvA);
  const imp = runCli(['import', '--db', b.db, file], { timeout: 120000 });
  assert.equal(imp.status, 0, imp.stderr.slice(0, 500));
  assert.equal(imp.stdout.trim(), `${file}: ${jsonA.length} created, 0 changed, 0 unchanged, 0 rejected`);
  const jsonB = JSON.parse(cliExport(b, 'json'));
  assert.equal(jsonB.length, jsonA.length);
  const left = jsonA.map(normalise).map((x) => [sortKey(x), x]).sort((p, q) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0));
  const right = jsonB.map(normalise).map((x) => [sortKey(x), x]).sort((p, q) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0));
  for (let i = 0; i < left.length; i++) {
    assert.deepEqual(right[i][1], left[i][1], `record ${i} differs after the CSV round trip`);
  }
  // and the CSV of B is byte-identical to the CSV of A up to row order
  const csvB = cliExport(b, 'csv');
  const rowsA = parseCsv(csvA).rows.slice(1).map((x) => JSON.stringify(x)).sort();
  const rowsB = parseCsv(csvB).rows.slice(1).map((x) => JSON.stringify(x)).sort();
  assert.deepEqual(rowsB, rowsA);
});

test('CSV import with a wrong header is rejected and stores nothing', async () => {
  const bad = 'naam,organisatie\r\nIets,Gemeente Utrecht\r\n';
  const before = JSON.parse(cliExport(b, 'json')).length;
  const r = await redB('POST', '/api/v1/import', { body: bad, headers: { 'Content-Type': 'text/csv' } });
  assert.ok(r.status === 400 || r.status === 422, `${r.status} ${r.text}`);
  assert.equal(JSON.parse(cliExport(b, 'json')).length, before);
});

test('SIGTERM stops both servers gracefully with exit code 0', async () => {
  const [ra, rb] = await Promise.all([a.stop(), b.stop()]);
  assert.deepEqual(ra, { code: 0, signal: null }, `stderr A: ${a.stderr()}`);
  assert.deepEqual(rb, { code: 0, signal: null }, `stderr B: ${b.stderr()}`);
});
