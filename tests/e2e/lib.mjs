// Helpers of the browser tests (tests/e2e): the real binary on a temporary database with
// the real seed data, Debian's Chromium driven by playwright-core, axe-core for WCAG 2.1
// A/AA, the Nu Html Checker (vnu-jar) for HTML validity, screenshots.
//
// The server is started the way tests/api does it (its helpers are imported, not copied).
// Chromium: /usr/bin/chromium (AIREG_CHROMIUM overrides) with the launch flags of
// ../shared/DESIGN.md and a fresh --user-data-dir per run.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import zlib from 'node:zlib';
import path from 'node:path';
import { chromium } from 'playwright-core';

import {
  REPO_ROOT, SEED_FILE, PASSWORD, addUser, cliImport, createToken, bearerClient, client,
  fullRecord, initDb, newEmail, startServer, tempDir,
} from '../api/server.mjs';

export { PASSWORD, REPO_ROOT, client, fullRecord, newEmail };

export const CHROMIUM = process.env.AIREG_CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOTS = path.join(REPO_ROOT, 'tests', 'e2e', 'screenshots');
export const VNU_JAR = path.join(REPO_ROOT, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
const AXE_SOURCE = readFileSync(path.join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** The organisation the tests work in, and a second one. */
export const ORG = 'GM0363'; // Gemeente Amsterdam (71 published entries in the seed)
export const ORG_NAME = 'Gemeente Amsterdam';

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// ---- server -----------------------------------------------------------------------

/**
 * A server on a temporary database: `aireg init`, the real seed data imported with the
 * CLI, and users made with `aireg user add --password-stdin` (and bearer tokens):
 *   red   redacteur + beheerder of ORG (edits, releases, manages people and settings)
 *   goed  goedkeurder of ORG (publishes)
 * Returns { srv, base, db, red, goed, stop() }; each user { email, token, api }.
 */
export async function setupServer() {
  const tmp = tempDir('aireg-e2e-');
  const db = path.join(tmp.dir, 'aireg.db');
  initDb(db);
  cliImport(db, SEED_FILE);
  const mk = (prefix, roles) => {
    const email = newEmail(prefix);
    addUser(db, { email, roles, password: PASSWORD });
    return { email, token: createToken(db, { email }) };
  };
  const red = mk('redacteur', [[ORG, 'redacteur'], [ORG, 'beheerder']]);
  const goed = mk('goedkeurder', [[ORG, 'goedkeurder']]);
  const srv = await startServer({ dbPath: db });
  red.api = bearerClient(srv.base, red.token);
  goed.api = bearerClient(srv.base, goed.token);
  let stopping = false;
  // A server that dies under a test (a crash, a sanitizer's abort) says why on stderr.
  srv.proc.on('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`\n!! aireg serve exited under the tests (code ${code}, signal ${signal}):\n${serverTrouble(srv)}\n`);
  });
  return {
    srv, base: srv.base, db, red, goed,
    /** Throws, with the server's own last words, when it is no longer running. */
    assertAlive() {
      if (srv.proc.exitCode !== null || srv.proc.signalCode !== null) {
        throw new Error(`aireg serve is gone (code ${srv.proc.exitCode}, signal ${srv.proc.signalCode}):\n${serverTrouble(srv)}`);
      }
    },
    /** Rethrows e, or the server's own last words when it has died (it may take a moment to be seen). */
    async explain(e) {
      if (srv.proc.exitCode === null && srv.proc.signalCode === null) await new Promise((r) => setTimeout(r, 300));
      this.assertAlive();
      throw e;
    },
    async stop() {
      stopping = true;
      await srv.stop();
      tmp.remove();
    },
  };
}

/** The lines of the server's stderr that are not request log lines (at most 60). */
function serverTrouble(srv) {
  return srv.stderr().split('\n').filter((l) => l && !/^ts=\S+ level=info /.test(l)).slice(0, 60).join('\n');
}

/** A profile of a high-risk deployer (Annex III 5(a)), as the API takes it. */
export const HIGH_RISK_PROFILE = {
  type: 'AI-systeem', roles: ['gebruiksverantwoordelijke'], annex3: '5(a)', profiling: true, impactful: true,
};

/**
 * Creates a record in ORG through the JSON API, classifies it (optional) and publishes it
 * (redacteur releases, goedkeurder publishes). Returns its id.
 */
export async function publishRecord(ctx, record, { profile } = {}) {
  const c = await ctx.red.api('POST', `/api/v1/organisations/${ORG}/algorithms`, { json: record });
  if (c.status !== 201) throw new Error(`create: ${c.status} ${c.text}`);
  const id = c.json.id;
  if (profile) {
    const p = await ctx.red.api('PUT', `/api/v1/algorithms/${id}/classification`, { json: { profile } });
    if (p.status !== 200) throw new Error(`classify: ${p.status} ${p.text}`);
  }
  const rel = await ctx.red.api('POST', `/api/v1/algorithms/${id}/release`);
  if (rel.status !== 200) throw new Error(`release: ${rel.status} ${rel.text}`);
  const pub = await ctx.goed.api('POST', `/api/v1/algorithms/${id}/publish`);
  if (pub.status !== 200) throw new Error(`publish: ${pub.status} ${pub.text}`);
  return id;
}

// ---- browser ----------------------------------------------------------------------

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic',
];

/**
 * Launches Chromium with a fresh --user-data-dir (a new temporary folder, removed by
 * close()). Playwright takes the profile folder as launchPersistentContext's argument
 * and passes it as --user-data-dir. Returns { browser, context (the profile's own),
 * newContext(opts), close() }.
 */
export async function launch() {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'aireg-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    locale: 'nl-NL',
  });
  const browser = context.browser();
  return {
    browser,
    context,
    newContext: (opts = {}) => browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nl-NL', ...opts }),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Logs in through the log-in form on page; resolves when the redirect has landed. */
export async function logIn(page, base, email, password = PASSWORD) {
  await page.goto(`${base}/inloggen`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/inloggen')),
    page.click('form[action="/inloggen"] button[type="submit"]'),
  ]);
}

/** Fails the test on any dialog (alert, confirm, prompt) the page opens. */
export function forbidDialogs(page, seen) {
  page.on('dialog', async (d) => {
    seen.push(`${d.type()}: ${d.message()}`);
    await d.dismiss().catch(() => {});
  });
}

// ---- axe-core ---------------------------------------------------------------------

/**
 * Runs axe-core in the page (injected with evaluate: the CSP forbids inline script tags,
 * and DevTools evaluation is not subject to it) with the WCAG 2.0/2.1 A and AA rules.
 * Returns the violations.
 */
export async function axe(page) {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary, html: n.html.slice(0, 200) })),
    }));
  }, AXE_TAGS);
}

/** A readable list of axe violations for an assertion message. */
export function formatViolations(vs) {
  return vs.map((v) => `${v.id} (${v.impact}): ${v.help}\n` +
    v.nodes.map((n) => `    at ${n.target}: ${n.summary?.replace(/\n/g, ' ')}\n      ${n.html}`).join('\n')).join('\n');
}

// ---- screenshots and saved HTML ---------------------------------------------------

/** A file name for a page type: "wizard question" -> "wizard-question". */
export function slug(s) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${slug(name)}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// ---- the Nu Html Checker ----------------------------------------------------------

/**
 * Checks HTML files with vnu.jar (--errors-only --format json) in one run.
 * Returns Map(file -> [{ line, column, message, extract }]) with an entry for every file.
 */
export function vnu(files) {
  // A short run: the client compiler and the serial collector start the JVM faster.
  const r = spawnSync('java', ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-jar', VNU_JAR,
    '--errors-only', '--format', 'json', ...files], {
    encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120000,
  });
  if (r.error) throw r.error;
  let out;
  try {
    out = JSON.parse(r.stderr || '{"messages":[]}');
  } catch {
    throw new Error(`vnu printed no JSON (exit ${r.status}): ${r.stderr.slice(0, 2000)}`);
  }
  const byFile = new Map(files.map((f) => [path.resolve(f), []]));
  for (const m of out.messages) {
    const file = m.url ? decodeURIComponent(new URL(m.url).pathname) : '(none)';
    if (!byFile.has(file)) byFile.set(file, []);
    if (m.type === 'error' || m.subType === 'fatal' || m.type === 'non-document-error') {
      byFile.get(file).push({ line: m.lastLine, column: m.lastColumn, message: m.message, extract: m.extract });
    }
  }
  return byFile;
}

/** A folder for the HTML saved for vnu; removed by the returned function. */
export function htmlDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aireg-e2e-html-'));
  return {
    dir,
    save(name, html) {
      const f = path.join(dir, `${slug(name)}.html`);
      writeFileSync(f, html);
      return f;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Horizontal overflow of the page: scrollWidth - clientWidth of the root (0 = none). */
export async function horizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

// ---- XLSX ---------------------------------------------------------------------------

/** The files of a ZIP archive (stored or deflated): Map(name -> Buffer). */
export function unzip(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd -= 1;
  if (eocd < 0) throw new Error('not a ZIP archive (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = new Map();
  for (let i = 0; i < count; i += 1) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nlen = buf.readUInt16LE(p + 28);
    const xlen = buf.readUInt16LE(p + 30);
    const clen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nlen).toString('utf8');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + csize);
    files.set(name, method === 0 ? Buffer.from(data) : zlib.inflateRawSync(data));
    p += 46 + nlen + xlen + clen;
  }
  return files;
}

function xmlText(s) {
  return s
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, h) => String.fromCharCode(parseInt(h, 16)))
    .replace(/&(lt|gt|quot|apos|amp|#x[0-9A-Fa-f]+|#\d+);/g, (_, e) => ({
      lt: '<', gt: '>', quot: '"', apos: "'", amp: '&',
    }[e] ?? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1)))));
}

function colIndex(letters) {
  let n = 0;
  for (const c of letters) n = n * 26 + (c.charCodeAt(0) - 64);
  return n - 1;
}

/**
 * The first worksheet of an XLSX file as { rows: string[][], boldHeader: boolean,
 * files: Map }: shared and inline strings resolved, empty cells as ''.
 */
export function readXlsx(buf) {
  const files = unzip(buf);
  const sst = [];
  const ss = files.get('xl/sharedStrings.xml')?.toString('utf8') ?? '';
  for (const m of ss.matchAll(/<si>([\s\S]*?)<\/si>/g)) {
    sst.push([...m[1].matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((t) => xmlText(t[1])).join(''));
  }
  const sheet = files.get('xl/worksheets/sheet1.xml').toString('utf8');
  const rows = [];
  const styleOf = new Map();
  for (const rm of sheet.matchAll(/<row r="(\d+)"[^>]*>([\s\S]*?)<\/row>/g)) {
    const row = [];
    for (const cm of rm[2].matchAll(/<c r="([A-Z]+)(\d+)"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = cm[3];
      const type = /\bt="(\w+)"/.exec(attrs)?.[1];
      const s = /\bs="(\d+)"/.exec(attrs)?.[1];
      const v = /<v>([\s\S]*?)<\/v>/.exec(cm[4] ?? '')?.[1];
      const is = /<is>[\s\S]*?<t[^>]*>([\s\S]*?)<\/t>/.exec(cm[4] ?? '')?.[1];
      const val = type === 's' ? sst[Number(v)] : type === 'inlineStr' ? xmlText(is ?? '') : v === undefined ? '' : xmlText(v);
      row[colIndex(cm[1])] = val;
      if (rm[1] === '1') styleOf.set(colIndex(cm[1]), s);
    }
    rows[Number(rm[1]) - 1] = Array.from(row, (x) => x ?? '');
  }
  const styles = files.get('xl/styles.xml').toString('utf8');
  const fonts = [...(/<fonts[^>]*>([\s\S]*?)<\/fonts>/.exec(styles)?.[1] ?? '').matchAll(/<font>([\s\S]*?)<\/font>|<font\/>/g)].map((m) => m[1] ?? '');
  const xfs = [...(/<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)?.[1] ?? '').matchAll(/<xf\b([^>]*)/g)].map((m) => Number(/fontId="(\d+)"/.exec(m[1])?.[1] ?? 0));
  const boldHeader = styleOf.size > 0 && [...styleOf.values()].every((s) => s !== undefined && /<b\/>/.test(fonts[xfs[Number(s)]] ?? ''));
  return { rows: Array.from(rows, (r) => r ?? []), boldHeader, files };
}
