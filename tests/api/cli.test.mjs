// The command line: help, version, usage errors, init, import, export, org, exit codes.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  closeSync, existsSync, openSync, readFileSync, readSync, writeFileSync, writeSync, statSync,
} from 'node:fs';
import path from 'node:path';
import {
  runCli, tempDir, initDb, startServer, client, fullRecord, SEED_FILE, CSV_HEADER,
} from './server.mjs';

const SEED = JSON.parse(readFileSync(SEED_FILE, 'utf8')).algoritmes;
const N = SEED.length;
const AMSTERDAM = SEED.filter((x) => x.organisatie === 'Gemeente Amsterdam').length;

let tmp;
let db; // seeded by the import tests below
const envNoDb = { AIREG_DB: undefined }; // --db is always given unless a test says otherwise

before(() => {
  tmp = tempDir('aireg-cli-');
  db = path.join(tmp.dir, 'main.db');
  initDb(db);
});
after(() => tmp?.remove());

function cli(args, opts = {}) {
  return runCli(args, { ...opts, env: { ...envNoDb, ...(opts.env || {}) } });
}
function lines(s) {
  return s.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.length > 0);
}
function exportCount(dbPath, extra = []) {
  const r = cli(['export', '--db', dbPath, '--format', 'json', ...extra]);
  assert.equal(r.status, 0, r.stderr);
  const arr = JSON.parse(r.stdout);
  assert.ok(Array.isArray(arr));
  return arr.length;
}
function importLine(file, c, ch, u, rej) {
  return `${file}: ${c} created, ${ch} changed, ${u} unchanged, ${rej} rejected`;
}

test('--help prints usage naming every command, exit 0', () => {
  const r = cli(['--help']);
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  assert.match(out, /usage/i);
  for (const cmd of ['init', 'serve', 'import', 'export', 'org']) assert.ok(out.includes(cmd), `help lacks ${cmd}`);
  for (const opt of ['--db', '--listen', '--format', '--dry-run', '--skip-invalid']) assert.ok(out.includes(opt), `help lacks ${opt}`);
});

test('--version prints a version, exit 0', () => {
  const r = cli(['--version']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.trim(), /\d/);
  assert.equal(lines(r.stdout).length, 1);
});

test('bad usage -> exit 2 with a message on stderr', () => {
  const cases = [
    [],
    ['frobnicate'],
    ['--bogus'],
    ['serve', '--db', db, '--bogus'],
    ['serve', '--db', db, '--listen'],
    ['export', '--db', db],
    ['export', '--db', db, '--format', 'xml'],
    ['import', '--db', db],
    ['import', '--db', db, '--bogus', SEED_FILE],
    ['org'],
    ['org', 'frobnicate', '--db', db],
    ['org', 'add', '--db', db, '--code'],
    ['init', '--db'],
  ];
  for (const args of cases) {
    const r = cli(args);
    assert.equal(r.status, 2, `aireg ${args.join(' ')}: exit ${r.status} (${r.signal}); stderr=${r.stderr}`);
    assert.ok(r.stderr.trim().length > 0, `aireg ${args.join(' ')}: nothing on stderr`);
  }
  assert.equal(exportCount(db), 0, 'usage errors must not change the database');
});

test('import --dry-run of the real file prints 1530 created and stores nothing', () => {
  const r = cli(['import', '--db', db, '--dry-run', SEED_FILE]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), [importLine(SEED_FILE, N, 0, 0, 0) + ' (dry run)']);
  assert.equal(exportCount(db), 0);
});

test('import of the real file prints 1530 created', { timeout: 60000 }, () => {
  const r = cli(['import', '--db', db, SEED_FILE]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), [importLine(SEED_FILE, N, 0, 0, 0)]);
});

test('second import prints 0 created, 1530 unchanged', { timeout: 60000 }, () => {
  const r = cli(['import', '--db', db, SEED_FILE]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), [importLine(SEED_FILE, 0, 0, N, 0)]);
});

test('export --format json has 1530 records; --org filters; csv has the official header', () => {
  const r = cli(['export', '--db', db, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const all = JSON.parse(r.stdout);
  assert.equal(all.length, N);
  assert.deepEqual(new Set(all.map((x) => x.lars)), new Set(SEED.map((x) => x.id)));
  assert.equal(exportCount(db, ['--org', 'GM0363']), AMSTERDAM);
  const c = cli(['export', '--db', db, '--format', 'csv']);
  assert.equal(c.status, 0, c.stderr);
  assert.ok(c.stdout.startsWith(CSV_HEADER + '\r\n'), JSON.stringify(c.stdout.slice(0, 300)));
});

test('org list prints the seeded organisations', () => {
  const r = cli(['org', 'list', '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  const ls = lines(r.stdout);
  assert.ok(ls.length >= 342 + 12 + 21 + 29 + 27, `${ls.length} lines`);
  assert.ok(ls.some((l) => l.includes('GM0344') && l.includes('Gemeente Utrecht')), 'GM0344 missing');
  assert.ok(ls.some((l) => l.includes('PV21') && l.includes('Provincie Fryslân')), 'PV21 missing (or accents mangled)');
});

test('org add creates an organisation; a duplicate code fails (exit 1 or 3)', () => {
  const r = cli(['org', 'add', '--db', db, '--code', 'GR0007', '--name', 'Regionale Uitvoeringsdienst Test', '--type', 'overig']);
  assert.equal(r.status, 0, r.stderr);
  const l = cli(['org', 'list', '--db', db]);
  assert.ok(lines(l.stdout).some((x) => x.includes('GR0007') && x.includes('Regionale Uitvoeringsdienst Test')));
  const dup = cli(['org', 'add', '--db', db, '--code', 'GR0007', '--name', 'Ander', '--type', 'overig']);
  assert.ok(dup.status === 1 || dup.status === 3, `exit ${dup.status}`);
  assert.ok(dup.stderr.trim().length > 0);
});

test('AIREG_DB names the database when --db is absent', () => {
  const r = runCli(['org', 'list'], { env: { AIREG_DB: db } });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(lines(r.stdout).some((x) => x.includes('GR0007')), 'AIREG_DB not used');
});

test('--db defaults to var/aireg.db', () => {
  const t = tempDir('aireg-cli-default-');
  try {
    const r = runCli(['init'], { cwd: t.dir, env: { AIREG_DB: undefined } });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(path.join(t.dir, 'var', 'aireg.db')), 'var/aireg.db not created');
    const l = runCli(['org', 'list'], { cwd: t.dir, env: { AIREG_DB: undefined } });
    assert.equal(l.status, 0, l.stderr);
    assert.ok(l.stdout.includes('GM0344'));
  } finally {
    t.remove();
  }
});

test('import of several files prints one line per file', () => {
  const d = path.join(tmp.dir, 'multi.db');
  initDb(d);
  const f1 = path.join(tmp.dir, 'een.json');
  const f2 = path.join(tmp.dir, 'twee.json');
  writeFileSync(f1, JSON.stringify([fullRecord({ name: 'Eerste', organization: 'Gemeente Utrecht' })]));
  writeFileSync(f2, JSON.stringify([
    fullRecord({ name: 'Tweede', organization: 'Gemeente Utrecht' }),
    fullRecord({ name: 'Derde', organization: 'Provincie Fryslân' }),
  ]));
  const r = cli(['import', '--db', d, f1, f2]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), [importLine(f1, 1, 0, 0, 0), importLine(f2, 2, 0, 0, 0)]);
  // register-shape records are drafts: export shows the published register, --drafts the latest versions
  assert.equal(exportCount(d), 0);
  assert.equal(exportCount(d, ['--drafts']), 3);
});

test('import with a rejected record -> exit 3, record named on stderr, nothing stored', () => {
  const d = path.join(tmp.dir, 'reject.db');
  initDb(d);
  const f = path.join(tmp.dir, 'fout.json');
  writeFileSync(f, JSON.stringify([
    fullRecord({ name: 'Goed CLI record', organization: 'Gemeente Utrecht' }),
    fullRecord({ name: 'Fout CLI record', organization: 'Gemeente Utrecht', status: 'Actief' }),
  ]));
  const r = cli(['import', '--db', d, f]);
  assert.equal(r.status, 3, `exit ${r.status}; stderr=${r.stderr}`);
  assert.ok(r.stderr.includes('Fout CLI record') || r.stderr.includes('status'), r.stderr);
  assert.equal(exportCount(d, ['--drafts']), 0, 'nothing may be stored');

  const s = cli(['import', '--db', d, '--skip-invalid', f]);
  assert.ok(s.status === 0 || s.status === 3, `exit ${s.status}`);
  assert.deepEqual(lines(s.stdout), [importLine(f, 1, 0, 0, 1)]);
  assert.equal(exportCount(d, ['--drafts']), 1);
});

test('user, token and audit: usage errors exit 2', () => {
  const cases = [
    ['user'],
    ['user', 'frobnicate', '--db', db],
    ['user', 'add', '--db', db, '--email', 'x@example.nl'],
    ['user', 'add', '--db', db, '--email', 'x@example.nl', '--org', 'GM0344'],
    ['user', 'add', '--db', db, '--org', 'GM0344', '--role', 'lezer'],
    ['user', 'disable', '--db', db],
    ['token', 'create', '--db', db],
    ['token', 'create', '--db', db, '--email', 'x@example.nl', '--expires', '0'],
    ['token', 'create', '--db', db, '--email', 'x@example.nl', '--expires', '367'],
    ['token', 'revoke', '--db', db],
    ['token', 'revoke', '--db', db, 'abc'],
    ['audit', '--db', db],
    ['audit', 'frobnicate', '--db', db],
  ];
  for (const args of cases) {
    const r = cli(args);
    assert.equal(r.status, 2, `aireg ${args.join(' ')}: exit ${r.status} (${r.signal}); stderr=${r.stderr}`);
    assert.ok(r.stderr.trim().length > 0, `aireg ${args.join(' ')}: nothing on stderr`);
  }
});

test('user add prints a one-time link; with --password-stdin none; user list shows roles', () => {
  const d = path.join(tmp.dir, 'users.db');
  initDb(d);
  const a = cli(['user', 'add', '--db', d, '--org', 'GM0344', '--role', 'redacteur', '--email', 'nieuw@example.nl']);
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stdout, /^one-time link for nieuw@example\.nl \(.*\): \/account\/wachtwoord\?link=[A-Za-z0-9_-]{20,}\n$/);
  const b = cli(['user', 'add', '--db', d, '--org', 'GM0344', '--role', 'lezer', '--email', 'met@example.nl', '--password-stdin'],
    { input: 'een heel goed wachtwoord\n' });
  assert.equal(b.status, 0, b.stderr);
  assert.equal(b.stdout, '', 'no link when the password is set');
  const short = cli(['user', 'add', '--db', d, '--org', 'GM0344', '--role', 'lezer', '--email', 'kort@example.nl', '--password-stdin'],
    { input: 'kort\n' });
  assert.equal(short.status, 3, `a password under 12 characters is rejected: ${short.stderr}`);
  const bad = cli(['user', 'add', '--db', d, '--org', 'GM0344', '--role', 'koning', '--email', 'k@example.nl']);
  assert.equal(bad.status, 3, bad.stderr);
  const l = cli(['user', 'list', '--db', d]);
  assert.equal(l.status, 0, l.stderr);
  assert.ok(lines(l.stdout).some((x) => x.startsWith('nieuw@example.nl\t') && x.includes('GM0344:redacteur')), l.stdout);
  assert.ok(lines(l.stdout).some((x) => x.startsWith('met@example.nl\t') && x.includes('GM0344:lezer')), l.stdout);
  assert.ok(!l.stdout.includes('kort@example.nl') && !l.stdout.includes('k@example.nl'), 'rejected users stored');
});

test('token create prints a token once; a role the user does not hold is refused; token list; revoke', () => {
  const d = path.join(tmp.dir, 'users.db');
  const t = cli(['token', 'create', '--db', d, '--email', 'nieuw@example.nl', '--org', 'GM0344', '--expires', '1', '--name', 'ci']);
  assert.equal(t.status, 0, t.stderr);
  assert.equal(lines(t.stdout).length, 1);
  assert.match(t.stdout.trim(), /^\S{20,}$/);
  const no = cli(['token', 'create', '--db', d, '--email', 'nieuw@example.nl', '--org', 'GM0363']);
  assert.equal(no.status, 3, `no role in GM0363: ${no.stderr}`);
  assert.equal(no.stdout, '');
  const up = cli(['token', 'create', '--db', d, '--email', 'nieuw@example.nl', '--role', 'beheerder', '--org', 'GM0344']);
  assert.equal(up.status, 3, `not a beheerder: ${up.stderr}`);
  const l = cli(['token', 'list', '--db', d, '--email', 'nieuw@example.nl']);
  assert.equal(l.status, 0, l.stderr);
  const rows = lines(l.stdout);
  assert.equal(rows.length, 1, l.stdout);
  assert.ok(!l.stdout.includes(t.stdout.trim()), 'token list must not show the secret');
  const id = rows[0].split('\t')[0];
  assert.match(id, /^\d+$/);
  const rv = cli(['token', 'revoke', '--db', d, id]);
  assert.equal(rv.status, 0, rv.stderr);
  assert.match(cli(['token', 'list', '--db', d, '--email', 'nieuw@example.nl']).stdout, /revoked/);
  const again = cli(['token', 'revoke', '--db', d, id]);
  assert.notEqual(again.status, 0, 'revoking twice fails');
});

test('audit verify exits 0 on an intact trail; audit export writes JSON lines', () => {
  const d = path.join(tmp.dir, 'users.db');
  const v = cli(['audit', 'verify', '--db', d]);
  assert.equal(v.status, 0, v.stderr);
  const x = cli(['audit', 'export', '--db', d]);
  assert.equal(x.status, 0, x.stderr);
  const rows = lines(x.stdout).map((l) => JSON.parse(l));
  const actions = new Set(rows.map((r) => r.action));
  for (const a of ['user.create', 'role.grant', 'token.create', 'token.revoke']) assert.ok(actions.has(a), `${a} not in ${[...actions]}`);
});

test('import of a missing file fails without a usage error', () => {
  const r = cli(['import', '--db', db, path.join(tmp.dir, 'bestaat-niet.json')]);
  assert.ok(r.status === 1 || r.status === 3, `exit ${r.status}`);
  assert.ok(r.stderr.trim().length > 0);
});

test('serve creates the database if absent and stops with exit 0 on SIGTERM', async () => {
  const t = tempDir('aireg-serve-');
  const fresh = path.join(t.dir, 'serve.db');
  try {
    const srv = await startServer({ dbPath: fresh });
    const h = await client(srv.base)('GET', '/api/v1/organisations/GM0344');
    assert.equal(h.status, 200);
    const stop = await srv.stop();
    assert.deepEqual(stop, { code: 0, signal: null }, srv.stderr());
    assert.ok(existsSync(fresh));
  } finally {
    t.remove();
  }
});

// The SQLite header keeps PRAGMA user_version as a 4-byte big-endian integer at offset 60.
function bumpUserVersion(dbPath, by) {
  assert.ok(!existsSync(dbPath + '-wal') || statSync(dbPath + '-wal').size === 0,
    'database has an unmerged WAL after the CLI exited');
  const fd = openSync(dbPath, 'r+');
  try {
    const hdr = Buffer.alloc(100);
    readSync(fd, hdr, 0, 100, 0);
    assert.equal(hdr.toString('latin1', 0, 16), 'SQLite format 3\0');
    const v = hdr.readUInt32BE(60);
    const nv = Buffer.alloc(4);
    nv.writeUInt32BE(v + by);
    writeSync(fd, nv, 0, 4, 60);
    return v;
  } finally {
    closeSync(fd);
  }
}

test('a database schema newer than the binary -> exit 4', async () => {
  const d = path.join(tmp.dir, 'newer.db');
  initDb(d);
  const before = bumpUserVersion(d, 1000);
  assert.ok(before >= 1, `init left user_version ${before}; the schema version should be recorded`);
  for (const args of [['org', 'list', '--db', d], ['export', '--db', d, '--format', 'json'],
    ['import', '--db', d, SEED_FILE], ['serve', '--db', d, '--listen', '127.0.0.1:0']]) {
    const r = cli(args, { timeout: 10000 });
    assert.equal(r.status, 4, `aireg ${args.join(' ')}: exit ${r.status} (${r.signal}); stderr=${r.stderr}`);
    assert.ok(r.stderr.trim().length > 0);
  }
});
