// Importing as published (POST /api/v1/import?publish=true, `aireg import --publish`), and
// files read record by record: a malformed record after good ones stores nothing and names
// its line, column and record.
//
// A register v1.0 file imported with publish: every record with all required fields is
// published in the same transaction (publication, public listing and search, audit row);
// the others stay concepts and the report says which fields they lack. It takes the right
// to publish in the organisation: a goedkeurder, a redacteur of a one-step organisation, or
// an operator; a redacteur of a two-step organisation hears 403.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  startServer, client, fullRecord, userWithToken, runCli, auditVerify, tempDir,
} from './server.mjs';

const ORG = 'GM0344'; // Gemeente Utrecht
const OTHER = 'GM0363'; // Gemeente Amsterdam

let srv, anon, goed, red, beh, redOther;

before(async () => {
  srv = await startServer();
  anon = client(srv.base);
  goed = userWithToken(srv, { roles: [[ORG, 'goedkeurder']], prefix: 'goedkeurder' }).api;
  red = userWithToken(srv, { roles: [[ORG, 'redacteur']], prefix: 'redacteur' }).api;
  beh = userWithToken(srv, { roles: [[OTHER, 'beheerder']], prefix: 'beheerder' }).api;
  redOther = userWithToken(srv, { roles: [[OTHER, 'redacteur']], prefix: 'redacteur-other' }).api;
});
after(async () => { await srv?.stop(); });

function importJson(api, records, query) {
  return api('POST', `/api/v1/import${query}`, {
    body: JSON.stringify(records), headers: { 'Content-Type': 'application/json' },
  });
}

const partial = (name) => ({ name, description_short: 'Nog niet af.', status: 'In ontwikkeling' });

test('publish: the complete record goes live, the incomplete one stays a concept and says why', async () => {
  const r = await importJson(goed, [fullRecord({ name: 'Meldingen openbare ruimte sorteren' }),
    partial('Half ingevuld register')], `?organisation=${ORG}&publish=true`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.created, 2);
  assert.equal(r.json.published, 1);
  assert.equal(r.json.not_published, 1);
  const [done, half] = r.json.records;
  assert.equal(done.published, true);
  assert.equal(done.not_published, undefined);
  assert.equal(half.published, false);
  assert.equal(half.not_published.reason, 'required fields for publication are missing');
  assert.ok(half.not_published.missing.includes('contact_email'), JSON.stringify(half));

  // The public sees the published one, in the listing and the search, and not the other.
  const pub = await anon('GET', `/api/v1/algorithms/${done.id}`);
  assert.equal(pub.status, 200, pub.text);
  assert.equal(pub.json.record.name, 'Meldingen openbare ruimte sorteren');
  assert.equal((await anon('GET', `/api/v1/algorithms/${half.id}`)).status, 404);
  const found = await anon('GET', '/api/v1/algorithms?q=meldingen%20openbare');
  assert.equal(found.status, 200);
  assert.deepEqual(found.json.results.map((x) => x.lars ?? x.id), [done.id]);
  const pubs = await goed('GET', `/api/v1/algorithms/${done.id}/publications`);
  assert.equal(pubs.status, 200, pubs.text);
  assert.deepEqual(pubs.json.publications.map((p) => [p.version, p.status, p.decided_by]),
    [[1, 'gepubliceerd', pubs.json.publications[0].decided_by]]);
  assert.match(pubs.json.publications[0].decided_by, /goedkeurder/);

  // Imported again: unchanged, and still live; the concept, now complete, goes live.
  const again = await importJson(goed, [fullRecord({ name: 'Meldingen openbare ruimte sorteren' }),
    fullRecord({ name: 'Half ingevuld register' })], `?organisation=${ORG}&publish=true`);
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.json.records.map((x) => [x.action, x.published]), [['unchanged', true], ['changed', true]]);
  assert.equal((await anon('GET', `/api/v1/algorithms/${half.id}`)).status, 200);

  // A new version imported as published supersedes the live one, which stays in the history.
  const v2 = await importJson(goed, [fullRecord({ name: 'Meldingen openbare ruimte sorteren',
    description_short: 'Meldingen komen sneller bij de juiste afdeling.' })], `?organisation=${ORG}&publish=true`);
  assert.deepEqual(v2.json.records.map((x) => [x.action, x.published]), [['changed', true]]);
  const hist = await goed('GET', `/api/v1/algorithms/${done.id}/publications`);
  assert.deepEqual(hist.json.publications.map((p) => [p.version, p.status]), [[1, 'vervangen'], [2, 'gepubliceerd']]);
  const live = await anon('GET', `/api/v1/algorithms/${done.id}`);
  assert.equal(live.json.record.description_short, 'Meldingen komen sneller bij de juiste afdeling.');
  assert.equal(auditVerify(srv.db).status, 0);
});

test('publish: a concept imported before goes live when imported again as published', async () => {
  const rec = fullRecord({ name: 'Kwijtschelding gemeentelijke belastingen' });
  const first = await importJson(red, [rec], `?organisation=${ORG}`);
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.published, undefined, 'no publication counts without publish');
  const id = first.json.records[0].id;
  assert.equal((await anon('GET', `/api/v1/algorithms/${id}`)).status, 404);
  const again = await importJson(goed, [rec], `?organisation=${ORG}&publish=true`);
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.json.records.map((x) => [x.action, x.published]), [['unchanged', true]]);
  assert.equal((await anon('GET', `/api/v1/algorithms/${id}`)).status, 200);
});

test('publish needs the right to publish: a redacteur of a two-step organisation hears 403', async () => {
  const r = await importJson(red, [fullRecord({ name: 'Niet van mij om te publiceren' })],
    `?organisation=${ORG}&publish=true`);
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error, 'forbidden');
  assert.match(r.json.message, /goedkeurder/);
  // Records naming their organisation: refused per record, all of them, so 403 again.
  const named = await importJson(red, [fullRecord({ name: 'Ook niet', organization: 'Gemeente Utrecht' })],
    '?publish=true');
  assert.equal(named.status, 403, named.text);
  assert.match(named.json.message, /goedkeurder in Gemeente Utrecht/);
  const listed = await goed('GET', `/api/v1/algorithms?view=workspace&q=${encodeURIComponent('niet van mij')}`);
  assert.equal(listed.status, 200, listed.text);
  assert.equal(listed.json.total, 0, 'nothing was stored');
});

test('publish: a redacteur of a one-step organisation may', async () => {
  const mode = await beh('PUT', `/api/v1/organisations/${OTHER}/settings`, { json: { publication_mode: 'one-step' } });
  assert.equal(mode.status, 200, mode.text);
  const r = await importJson(redOther, [fullRecord({ name: 'Snel gepubliceerd in één stap' })],
    `?organisation=${OTHER}&publish=true`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.published, 1);
  assert.equal((await anon('GET', `/api/v1/algorithms/${r.json.records[0].id}`)).status, 200);
});

test('a malformed record after good ones: 400 with line, column and record; nothing stored', async () => {
  const good = JSON.stringify(fullRecord({ name: 'Goed record voor de fout' }));
  const body = `[\n${good},\n${good.replace(/"name"/, '"naam"')},\n{"name": "Kapot", "status" "In gebruik"}\n]`;
  const r = await goed('POST', `/api/v1/import?organisation=${ORG}&publish=true`, {
    body, headers: { 'Content-Type': 'application/json' },
  });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error, 'malformed_json');
  assert.equal(r.json.line, 4);
  assert.equal(r.json.column, 39); // the end of the token jansson stopped at, as for a whole document
  assert.match(r.json.message, /line 4, column 39 \(record 3\)/);
  const listed = await goed('GET', `/api/v1/algorithms?view=workspace&q=${encodeURIComponent('goed record voor de fout')}`);
  assert.equal(listed.json.total, 0, 'nothing was stored');
});

test('CLI: aireg import --publish reports what went live and why the rest did not', () => {
  const tmp = tempDir();
  const file = path.join(tmp.dir, 'register.json');
  writeFileSync(file, JSON.stringify([
    fullRecord({ name: 'Leerlingenvervoer plannen', organization: 'Gemeente Utrecht' }),
    { ...partial('Nog een concept'), organization: 'Gemeente Utrecht' },
  ]));
  const r = runCli(['import', '--db', srv.db, '--publish', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /2 created, 0 changed, 0 unchanged, 0 rejected; 1 published, 1 not published/);
  assert.match(r.stderr, /record 2 \(Nog een concept\): not published: required fields for publication are missing \(.*contact_email/);
  assert.equal(auditVerify(srv.db).status, 0);
  tmp.remove();
});

test('CLI: a malformed file stores nothing and exits 3 with the position', () => {
  const tmp = tempDir();
  const file = path.join(tmp.dir, 'broken.json');
  writeFileSync(file, `[${JSON.stringify(fullRecord({ name: 'Eerst goed', organization: 'Gemeente Utrecht' }))},\n 7,,]`);
  const r = runCli(['import', '--db', srv.db, file]);
  assert.equal(r.status, 3, r.stdout + r.stderr);
  assert.match(r.stderr, /line 2, column 4 \(record 3\)/);
  const ex = runCli(['export', '--db', srv.db, '--format', 'json', '--drafts']);
  assert.equal(ex.status, 0, ex.stderr);
  assert.equal(ex.stdout.includes('Eerst goed'), false, 'nothing was stored');
  tmp.remove();
});
