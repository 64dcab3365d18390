// Test helper: runs the aireg binary against a fresh temporary database.
//
// AIREG_BIN names the binary (default: ./aireg at the repository root; a relative
// path is taken from the current directory). Uses Node 20 built-ins only.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.AIREG_BIN
  ? path.resolve(process.cwd(), process.env.AIREG_BIN)
  : path.join(REPO_ROOT, 'aireg');
export const SEED_FILE = path.join(REPO_ROOT, 'data', 'seed', 'algoritmes.json');
export const TEMPLATES_DIR = path.join(REPO_ROOT, 'data', 'templates-1.0');

export const CSV_HEADER =
  'name,organization,description_short,category,website,status,goal,proportionality,' +
  'lawful_basis,standard_version,url,contact_email,lang,publiccode,source_data,' +
  'methods_and_models,human_intervention,risks,provider,process_index_url,tags,source_id,' +
  'begin_date,end_date,impacttoetsen,publication_category,lawful_basis_grouping,' +
  'impacttoetsen_grouping,source_data_grouping';

// Required fields of publication standard 1.0 (backend-config-v1_0.json, required: true).
export const REQUIRED_FIELDS = [
  'name', 'description_short', 'organization', 'status', 'contact_email',
  'publication_category', 'lang',
];

const START_TIMEOUT_MS = 15000;
const STOP_TIMEOUT_MS = 15000;

/** A fresh temporary directory; removed by the returned function. */
export function tempDir(prefix = 'aireg-test-') {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the binary synchronously: {status, signal, stdout, stderr}. */
export function runCli(args, { env = {}, input, timeout = 60000, cwd } = {}) {
  const fullEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(fullEnv)) if (v === undefined) delete fullEnv[k]; // {X: undefined} unsets X
  const r = spawnSync(BIN, args, {
    encoding: 'utf8',
    env: fullEnv,
    input,
    timeout,
    cwd,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** `aireg init --db PATH`, asserting success. */
export function initDb(dbPath) {
  const r = runCli(['init', '--db', dbPath]);
  if (r.status !== 0) {
    throw new Error(`aireg init --db ${dbPath} exited ${r.status} (${r.signal ?? ''}): ${r.stderr}`);
  }
  return r;
}

/**
 * Starts `aireg serve` on an ephemeral port with a fresh database; env adds
 * environment variables (e.g. AIREG_TRUSTED_PROXIES).
 * Resolves to { base, host, port, db, dir, proc, stderr(), stop() }.
 * stop() sends SIGTERM and resolves to { code, signal } once the process has exited.
 */
export async function startServer({ dbPath, env = {} } = {}) {
  const tmp = dbPath ? null : tempDir();
  const db = dbPath ?? path.join(tmp.dir, 'aireg.db');
  if (!dbPath) initDb(db);

  const proc = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => { stderr += d; });
  proc.stdout.setEncoding('utf8');

  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal }));
  });

  const { host, port } = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`aireg serve did not print its listening line within ${START_TIMEOUT_MS} ms; ` +
        `stdout=${JSON.stringify(stdout)} stderr=${JSON.stringify(stderr)}`));
    }, START_TIMEOUT_MS);
    const onData = (d) => {
      stdout += d;
      for (const line of stdout.split('\n')) {
        const m = /^aireg: listening on http:\/\/([^/\s]+):(\d+)\/\r?$/.exec(line);
        if (m) {
          clearTimeout(timer);
          proc.stdout.off('data', onData);
          // keep draining stdout so the server never blocks on a full pipe
          proc.stdout.on('data', (more) => { stdout += more; });
          resolve({ host: m[1], port: Number(m[2]) });
          return;
        }
      }
    };
    proc.stdout.on('data', onData);
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`aireg serve exited early (code ${code}, signal ${signal}); stderr=${stderr}`));
    });
  });

  if (!(port > 0)) throw new Error(`aireg serve reported port ${port}`);

  let stopped = null;
  const server = {
    host,
    port,
    base: `http://${host}:${port}`,
    db,
    dir: tmp ? tmp.dir : path.dirname(db),
    proc,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop() {
      if (stopped) return stopped;
      stopped = (async () => {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
        let timer;
        const result = await Promise.race([
          exited,
          new Promise((resolve) => {
            timer = setTimeout(() => {
              proc.kill('SIGKILL');
              resolve({ code: null, signal: 'SIGKILL', timedOut: true });
            }, STOP_TIMEOUT_MS);
          }),
        ]);
        clearTimeout(timer);
        if (result.timedOut) await exited;
        tmp?.remove();
        return result;
      })();
      return stopped;
    },
  };
  return server;
}

/**
 * A small HTTP client on fetch.
 * client(base, defaults?)(method, path, { json, body, headers }) -> { status, headers, text, json }.
 * defaults: { headers } sent with every request, { cookie: () => string|null } for a
 * Cookie header, { csrf: () => string|null } for X-CSRF-Token on every method but GET/HEAD.
 * A per-request header whose value is null is not sent (e.g. { 'X-CSRF-Token': null }).
 */
export function client(base, defaults = {}) {
  return async function request(method, urlPath, { json, body, headers = {} } = {}) {
    const h = { ...(defaults.headers || {}) };
    const cookie = defaults.cookie ? defaults.cookie() : null;
    if (cookie) h.Cookie = cookie;
    const csrf = defaults.csrf ? defaults.csrf() : null;
    if (csrf && method !== 'GET' && method !== 'HEAD') h['X-CSRF-Token'] = csrf;
    for (const [k, v] of Object.entries(headers)) {
      for (const old of Object.keys(h)) if (old.toLowerCase() === k.toLowerCase()) delete h[old];
      if (v !== null && v !== undefined) h[k] = v;
    }
    let payload = body;
    if (json !== undefined) {
      payload = JSON.stringify(json);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) {
        h['Content-Type'] = 'application/json';
      }
    }
    const res = await fetch(base + urlPath, { method, headers: h, body: payload });
    const text = await res.text();
    let parsed;
    const ct = res.headers.get('content-type') || '';
    if (ct.includes('json') && text.length > 0) {
      try { parsed = JSON.parse(text); } catch { parsed = undefined; }
    }
    return { status: res.status, headers: res.headers, text, json: parsed };
  };
}

/**
 * Sends raw bytes on a new TCP connection and reads the HTTP response head (and as
 * much of the body as arrives until the server closes or `timeout` passes).
 * `body` (Buffer) is written after `head` in chunks; writing stops as soon as a
 * response has arrived, so an early 413 is seen even when the server stops reading.
 * Resolves to { status, headers (lower-case keys), body (string), raw }.
 */
export function rawRequest(port, head, { body, timeout = 10000, host = '127.0.0.1' } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host });
    const chunks = [];
    let responded = false;
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const raw = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(raw);
      if (!m) {
        reject(err ?? new Error(`no HTTP response; got ${JSON.stringify(raw.slice(0, 200))}`));
        return;
      }
      const headEnd = raw.indexOf('\r\n\r\n');
      const headerLines = raw.slice(0, headEnd === -1 ? raw.length : headEnd).split('\r\n').slice(1);
      const headers = {};
      for (const l of headerLines) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      let bodyText = headEnd === -1 ? '' : raw.slice(headEnd + 4);
      bodyText = Buffer.from(bodyText, 'latin1').toString('utf8');
      if ((headers['transfer-encoding'] || '').toLowerCase() === 'chunked') bodyText = dechunk(bodyText);
      resolve({ status: Number(m[1]), headers, body: bodyText, raw });
    };
    const timer = setTimeout(() => finish(new Error('timeout waiting for response')), timeout);
    sock.on('data', (d) => {
      chunks.push(d);
      responded = true;
      const raw = Buffer.concat(chunks).toString('latin1');
      const headEnd = raw.indexOf('\r\n\r\n');
      if (headEnd !== -1) {
        const cl = /\r\ncontent-length:\s*(\d+)/i.exec(raw.slice(0, headEnd));
        if (cl && Buffer.byteLength(raw, 'latin1') - (headEnd + 4) >= Number(cl[1])) finish();
        if (/\r\ntransfer-encoding:\s*chunked/i.test(raw.slice(0, headEnd)) && raw.endsWith('0\r\n\r\n')) finish();
      }
    });
    sock.on('end', () => finish());
    sock.on('close', () => finish());
    sock.on('error', (e) => { if (responded) finish(); else if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') finish(e); });
    sock.on('connect', async () => {
      sock.write(head);
      if (!body) return;
      const CH = 64 * 1024;
      for (let off = 0; off < body.length && !responded && !done; off += CH) {
        const ok = sock.write(body.subarray(off, off + CH));
        if (!ok) {
          await new Promise((r) => {
            const t = setTimeout(r, 200);
            sock.once('drain', () => { clearTimeout(t); r(); });
          });
        }
      }
    });
  });
}

function dechunk(s) {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const nl = s.indexOf('\r\n', i);
    if (nl === -1) break;
    const n = parseInt(s.slice(i, nl), 16);
    if (!(n > 0)) break;
    out += s.slice(nl + 2, nl + 2 + n);
    i = nl + 2 + n + 2;
  }
  return out;
}

// ---- algorithm ids --------------------------------------------------------

/** Check digit of the first seven digits: (3*(d1+d3+d5+d7) + (d2+d4+d6)) mod 10. */
export function checkDigit(seven) {
  const d = [...seven].map(Number);
  return (3 * (d[0] + d[2] + d[4] + d[6]) + (d[1] + d[3] + d[5])) % 10;
}
export function isValidLars(id) {
  return typeof id === 'string' && /^[0-9]{8}$/.test(id) && checkDigit(id.slice(0, 7)) === Number(id[7]);
}
/** A valid id from a 7-digit number. */
export function makeLars(n) {
  const seven = String(n).padStart(7, '0');
  return seven + checkDigit(seven);
}
/** The same id with a wrong check digit. */
export function breakLars(id) {
  return id.slice(0, 7) + ((Number(id[7]) + 1) % 10);
}

// ---- records --------------------------------------------------------------

/** A complete, publishable v1.0 record (without organization, which the server sets). */
export function fullRecord(overrides = {}) {
  return {
    name: 'Parkeervergunningen toewijzen',
    description_short: 'Het algoritme bepaalt of een aanvraag voor een parkeervergunning aan de regels voldoet.',
    category: ['Verkeer'],
    status: 'In gebruik',
    begin_date: '2021-03',
    contact_email: 'algoritmeregister@example.nl',
    website: 'https://www.example.nl/parkeren',
    publication_category: 'Impactvolle algoritmes',
    goal: '<p>Aanvragen voor een parkeervergunning snel en gelijk behandelen.</p>',
    proportionality: '<p>Alleen gegevens die nodig zijn voor de beoordeling worden gebruikt.</p>',
    human_intervention: '<p>Een medewerker beoordeelt elke afwijzing.</p>',
    risks: '<ul><li>Onjuiste gegevens in de BRP</li></ul>',
    lawful_basis: '<p>Wegenverkeerswet 1994</p>',
    lawful_basis_grouping: [{ title: 'Wegenverkeerswet 1994', link: 'https://wetten.overheid.nl/BWBR0006622' }],
    methods_and_models: '<p>Beslisregels</p>',
    provider: 'Centric Netherlands BV',
    lang: 'nld',
    standard_version: '1.0',
    ...overrides,
  };
}

export function readJsonFile(p) {
  return JSON.parse(readFileSync(p, 'utf8'));
}

// ---- CSV ------------------------------------------------------------------

/** RFC 4180 parser: returns { rows: string[][], lineEnds: Set<string> }. */
export function parseCsv(text) {
  const rows = [];
  const lineEnds = new Set();
  let row = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let atFieldStart = true;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i += 1; continue;
      }
      field += c; i += 1; continue;
    }
    if (c === '"' && atFieldStart) { quoted = true; atFieldStart = false; i += 1; continue; }
    if (c === ',') { row.push(field); field = ''; atFieldStart = true; i += 1; continue; }
    if (c === '\r' && text[i + 1] === '\n') {
      row.push(field); rows.push(row); row = []; field = ''; atFieldStart = true;
      lineEnds.add('\r\n'); i += 2; continue;
    }
    if (c === '\n') {
      row.push(field); rows.push(row); row = []; field = ''; atFieldStart = true;
      lineEnds.add('\n'); i += 1; continue;
    }
    field += c; atFieldStart = false; i += 1;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return { rows, lineEnds };
}

// ---- accounts (issue 4) ---------------------------------------------------
//
// People and tokens are made with the CLI (the system actor), which may write to the
// database while the server runs (SQLite WAL). Password log-ins cost an argon2id hash
// (~0.1 s), so most tests use bearer tokens and only the session tests log in.

export const PASSWORD = 'correct horse battery staple';
export const ROLES = ['lezer', 'redacteur', 'goedkeurder', 'beheerder'];

let emailSeq = 0;
/** A fresh e-mail address (unique within this process). */
export function newEmail(prefix = 'user') {
  emailSeq += 1;
  return `${prefix}.${process.pid}.${emailSeq}@example.nl`;
}

function cliOk(args, opts) {
  const r = runCli(args, opts);
  if (r.status !== 0) {
    throw new Error(`aireg ${args.join(' ')} exited ${r.status} (${r.signal ?? ''}): ${r.stderr}`);
  }
  return r;
}

/**
 * `aireg user add`: one call per role (roles: [[org, role], ...]); the password, if
 * any, is given with --password-stdin on the first call; operator adds --operator.
 * Returns { email, link } where link is the one-time link secret the CLI printed
 * (null when a password was set).
 */
export function addUser(db, { email = newEmail(), roles = [], password, operator = false } = {}) {
  let link = null;
  const calls = roles.length ? roles.map(([org, role]) => ['--org', org, '--role', role]) : [[]];
  calls.forEach((extra, i) => {
    const args = ['user', 'add', '--db', db, '--email', email, ...extra];
    if (operator && i === 0) args.push('--operator');
    const withPassword = password !== undefined && i === 0;
    if (withPassword) args.push('--password-stdin');
    const r = cliOk(args, { input: withPassword ? `${password}\n` : undefined });
    const m = /[?&]link=([A-Za-z0-9_-]+)/.exec(r.stdout);
    if (m) link = m[1];
  });
  return { email, link };
}

/** `aireg token create`; returns the bearer token it printed. */
export function createToken(db, { email, org, role, expires, name } = {}) {
  const args = ['token', 'create', '--db', db, '--email', email];
  if (org) args.push('--org', org);
  if (role) args.push('--role', role);
  if (expires !== undefined) args.push('--expires', String(expires));
  if (name) args.push('--name', name);
  const token = cliOk(args).stdout.trim();
  if (!/^\S+$/.test(token)) throw new Error(`token create printed ${JSON.stringify(token)}`);
  return token;
}

/** A client that sends `Authorization: Bearer <token>` with every request. */
export function bearerClient(base, token) {
  return client(base, { headers: { Authorization: `Bearer ${token}` } });
}

/**
 * A user with the given roles and a bearer token (CLI), no password unless given.
 * Returns { email, token, api, link }. tokenScope: { org, role } for a scoped token.
 */
export function userWithToken(srv, { roles = [], operator = false, password, tokenScope = {}, prefix } = {}) {
  const u = addUser(srv.db, { email: newEmail(prefix), roles, operator, password });
  const token = createToken(srv.db, { email: u.email, ...tokenScope });
  return { ...u, token, api: bearerClient(srv.base, token) };
}

/** Splits Set-Cookie headers into [{ name, value, attrs: {lower-case name: value|true} }]. */
export function parseSetCookies(headers) {
  const list = typeof headers.getSetCookie === 'function' ? headers.getSetCookie() : [];
  return list.map((line) => {
    const [pair, ...rest] = line.split(';');
    const i = pair.indexOf('=');
    const attrs = {};
    for (const a of rest) {
      const j = a.indexOf('=');
      if (j === -1) attrs[a.trim().toLowerCase()] = true;
      else attrs[a.slice(0, j).trim().toLowerCase()] = a.slice(j + 1).trim();
    }
    return { name: pair.slice(0, i).trim(), value: pair.slice(i + 1).trim(), attrs, raw: line };
  });
}

export const SESSION_COOKIE = 'aireg_session'; // plain HTTP; __Host-aireg_session behind TLS

/** POST /api/v1/session; { cookie } sends a Cookie header along (e.g. a planted one). */
export async function login(base, email, password, { cookie } = {}) {
  const headers = cookie ? { Cookie: cookie } : {};
  const r = await client(base)('POST', '/api/v1/session', { json: { email, password }, headers });
  const set = parseSetCookies(r.headers).find((c) => c.name === SESSION_COOKIE || c.name === `__Host-${SESSION_COOKIE}`);
  return { ...r, cookie: set ?? null };
}

/**
 * Logs in and returns a cookie-session client:
 * { request, email, me, csrf, cookieName, cookieValue, cookieHeader }.
 * request(...) sends the cookie and, on state-changing methods, X-CSRF-Token.
 * session.cookieValue / session.csrf may be changed by a test.
 */
export async function sessionClient(base, email, password = PASSWORD) {
  const r = await login(base, email, password);
  if (r.status !== 200 || !r.cookie) {
    throw new Error(`log-in of ${email} failed: ${r.status} ${r.text}`);
  }
  const s = {
    email,
    me: r.json,
    csrf: r.json.csrf_token,
    cookieName: r.cookie.name,
    cookieValue: r.cookie.value,
    setCookie: r.cookie,
    get cookieHeader() { return `${s.cookieName}=${s.cookieValue}`; },
  };
  s.request = client(base, { cookie: () => s.cookieHeader, csrf: () => s.csrf });
  return s;
}

/** Runs `aireg audit verify --db DB`: { status, stdout, stderr }. */
export function auditVerify(db) {
  return runCli(['audit', 'verify', '--db', db]);
}

/** `aireg import --db DB [--org CODE] FILE`, asserting success. */
export function cliImport(db, file, { org } = {}) {
  const args = ['import', '--db', db];
  if (org) args.push('--org', org);
  args.push(file);
  return cliOk(args, { timeout: 120000 });
}
