// `aireg check` (integrity_check, foreign_key_check, audit chain; read-only), and two
// findings of review that need a running server: the length limits of HTML fields count
// what was typed, and a 500 from a store error logs the store's message.
// The sqlite3 CLI (scripts/install-deps) changes databases behind aireg's back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, openSync, readFileSync, writeSync, closeSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  tempDir, initDb, runCli, addUser, startServer, userWithToken, fullRecord,
} from './server.mjs';

const ORG = 'GM0344';

function sql(db, statement) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', db, statement], { encoding: 'utf8' });
  if (r.error) throw new Error(`sqlite3 is needed (scripts/install-deps): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`sqlite3 ${statement}: exit ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

const check = (db, env) => runCli(['check', '--db', db], { env });
const sha = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A database with audit rows: two people added with the CLI. */
function dbWithAudit(dir) {
  const db = path.join(dir, 'aireg.db');
  initDb(db);
  addUser(db, { roles: [[ORG, 'redacteur']] });
  addUser(db, { roles: [[ORG, 'lezer']] });
  return db;
}

/** A copy of db (with its audit key) under another name. */
function copyDb(db, name) {
  const to = path.join(path.dirname(db), name);
  copyFileSync(db, to);
  copyFileSync(`${db}.audit-key`, `${to}.audit-key`);
  return to;
}

test('check: a sound database -> exit 0, one "ok" line per check, the file unchanged', () => {
  const tmp = tempDir('aireg-check-');
  const db = dbWithAudit(tmp.dir);
  assert.ok(Number(sql(db, 'SELECT count(*) FROM audit_log')) >= 4);
  const before = sha(db);
  const r = check(db);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'),
    ['aireg: integrity_check: ok', 'aireg: foreign_key_check: ok', 'aireg: public_counts: ok', 'aireg: audit_verify: ok']);
  assert.equal(r.stderr, '');
  assert.equal(sha(db), before, 'aireg check changed the database file');
  tmp.remove();
});

test('check: an audit row altered with sqlite3 -> exit 5 naming the row', () => {
  const tmp = tempDir('aireg-check-');
  const db = dbWithAudit(tmp.dir);
  const bad = copyDb(db, 'altered.db');
  const id = sql(bad, 'SELECT max(id) FROM audit_log');
  // the append-only trigger is in the way of anyone with the file; drop it, then forge
  sql(bad, `DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE id = ${id};`);
  const r = check(bad);
  assert.equal(r.status, 5, r.stdout + r.stderr);
  assert.match(r.stdout, /^aireg: integrity_check: ok$/m);
  assert.match(r.stderr, new RegExp(`^aireg: audit_verify: audit row id ${id} \\(chain \\d+, seq \\d+\\): hash does not match`, 'm'));
  assert.equal(check(db).status, 0, 'the original still passes');
  tmp.remove();
});

test('check: bytes overwritten in a page in the middle of the file -> exit 6 naming integrity_check', () => {
  const tmp = tempDir('aireg-check-');
  const db = dbWithAudit(tmp.dir);
  const pageSize = Number(sql(db, 'PRAGMA page_size'));
  const pages = statSync(db).size / pageSize;
  assert.ok(pages >= 20, `${pages} pages`);
  const bad = copyDb(db, 'corrupt.db');
  const fd = openSync(bad, 'r+');
  writeSync(fd, Buffer.alloc(16, 0xff), 0, 16, Math.floor(pages / 2) * pageSize); // the page's b-tree header
  closeSync(fd);
  const r = check(bad);
  assert.equal(r.status, 6, r.stdout + r.stderr);
  assert.match(r.stderr, /^aireg: integrity_check: .*(malformed|problem)/m);
  assert.doesNotMatch(r.stdout, /integrity_check: ok/);
  tmp.remove();
});

test('check: a public count that no longer matches the register -> exit 6 naming it', () => {
  const tmp = tempDir('aireg-check-');
  const db = dbWithAudit(tmp.dir);
  const bad = copyDb(db, 'counts.db');
  sql(bad, "INSERT INTO public_counts (facet, value, n) VALUES ('status', 'Verzonnen', 3)");
  const r = check(bad);
  assert.equal(r.status, 6, r.stdout + r.stderr);
  assert.match(r.stderr, /^aireg: public_counts: 1 problem: public_counts status "Verzonnen" holds 3, the register has 0$/m);
  assert.match(r.stdout, /^aireg: audit_verify: ok$/m);
  tmp.remove();
});

test('check is read-only: an older schema is not migrated, a missing audit key is not made', () => {
  const tmp = tempDir('aireg-check-');
  const db = path.join(tmp.dir, 'old.db');
  sql(db, 'PRAGMA user_version = 1; CREATE TABLE t (x INTEGER);');
  const before = sha(db);
  const r = check(db);
  assert.equal(r.status, 5, r.stdout + r.stderr);
  assert.match(r.stdout, /integrity_check: ok\naireg: foreign_key_check: ok\naireg: public_counts: ok/);
  assert.match(r.stderr, /^aireg: audit_verify: cannot read the audit key .*old\.db\.audit-key/m);
  assert.equal(existsSync(`${db}.audit-key`), false, 'check created an audit key');
  assert.equal(sha(db), before, 'check changed the database');
  assert.equal(sql(db, 'PRAGMA user_version'), '1');
  // with a key the audit check runs, and finds no audit log in a schema that old
  const key = 'ab'.repeat(32);
  const k = check(db, { AIREG_AUDIT_KEY: key });
  assert.equal(k.status, 5);
  assert.match(k.stderr, /audit_verify: cannot read the audit log: no such table: audit_log/);
  assert.equal(sql(db, "SELECT group_concat(name) FROM sqlite_master"), 't');
  // no database at all: a runtime error, and nothing created
  const none = check(path.join(tmp.dir, 'absent.db'));
  assert.equal(none.status, 1);
  assert.match(none.stderr, /cannot open database/);
  assert.equal(existsSync(path.join(tmp.dir, 'absent.db')), false);
  tmp.remove();
});

test('check is in the usage text with its exit codes', () => {
  const r = runCli(['--help']);
  assert.match(r.stdout, /check \[--db PATH\]/);
  assert.match(r.stdout, /6 the database file is damaged/);
});

test('HTML fields: the limit counts the characters typed, not the escaped bytes stored', async () => {
  const srv = await startServer();
  try {
    const { api } = userWithToken(srv, { roles: [[ORG, 'redacteur']] });
    const create = (goal) => api('POST', `/api/v1/organisations/${ORG}/algorithms`, { json: fullRecord({ goal }) });
    const typed = 'x < y & '.repeat(312) + 'abcd'; // 2,500 characters; 4,684 bytes once escaped
    assert.equal(typed.length, 2500);
    const under = await create(typed);
    assert.equal(under.status, 201, under.text);
    assert.equal(under.json.record.goal, typed.replaceAll('&', '&amp;').replaceAll('<', '&lt;'));
    const over = await create(`${typed}e`);
    assert.equal(over.status, 422, over.text);
    const e = over.json.errors.find((x) => x.field === 'goal');
    assert.ok(e, over.text);
    assert.equal(e.code, 'too_long');
    assert.match(e.message, /^goal is 2501 characters long.*at most 2500 are allowed$/);
    // allowed tags count as written
    const tagged = `<p>${'a'.repeat(2493)}</p>`;
    assert.equal((await create(tagged)).status, 201);
    assert.equal((await create(`<p>${'a'.repeat(2494)}</p>`)).status, 422);
  } finally {
    await srv.stop();
  }
});

test('a 500 from a store error logs the store\'s message (API and pages alike)', async () => {
  const srv = await startServer();
  try {
    const { api, token } = userWithToken(srv, { roles: [[ORG, 'redacteur']] });
    const c = await api('POST', `/api/v1/organisations/${ORG}/algorithms`, { json: fullRecord() });
    assert.equal(c.status, 201, c.text);
    const put = await api('PUT', `/api/v1/algorithms/${c.json.id}/classification`, { json: { answers: '1.1=0' } });
    assert.equal(put.status, 200, put.text);
    sql(srv.db, 'DROP TABLE classifications');
    const before = srv.stderr().length;
    const g = await api('GET', `/api/v1/algorithms/${c.json.id}/classification`);
    assert.equal(g.status, 500, g.text);
    const page = await fetch(`${srv.base}/werkruimte/algoritmes/${c.json.id}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(page.status, 500, await page.text());
    await new Promise((resolve) => { setTimeout(resolve, 200); });
    const log = srv.stderr().slice(before);
    const causes = log.split('\n').filter((l) => /level=error/.test(l) && /no such table: classifications/.test(l));
    assert.equal(causes.length, 2, `one line per 500 naming the cause; the log:\n${log}`);
    assert.match(log, /status=500/);
  } finally {
    await srv.stop();
  }
});
