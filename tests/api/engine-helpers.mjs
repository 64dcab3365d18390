// Helpers of tests/api/engine.test.mjs (the AI Act engine): the Beslishulp oracle,
// a seeded sample of it, and small request shorthands. Node 20 built-ins only.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, runCli } from './server.mjs';

export const ORACLE_FILE = path.join(REPO_ROOT, 'tests', 'data', 'beslishulp-all-paths.tsv');

/**
 * The conformance oracle: [{ conclusion, labels: string[], labelText, path, answers: [[q, i], ...] }].
 * Lines are `conclusionId<TAB>labels (sorted, |-separated)<TAB>path`; '#' lines are comments.
 */
export function readOracle() {
  const rows = [];
  for (const line of readFileSync(ORACLE_FILE, 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [conclusion, labelText, p] = line.split('\t');
    rows.push({
      conclusion,
      labelText,
      labels: labelText === '' ? [] : labelText.split('|'),
      path: p,
      answers: p.split(',').map((a) => {
        const [q, i] = a.split('=');
        return [q, Number(i)];
      }),
    });
  }
  return rows;
}

/** mulberry32: a small deterministic PRNG; returns () => [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n distinct elements of arr, drawn with a fixed seed (same seed, same sample). */
export function sample(arr, n, seed) {
  const rnd = prng(seed);
  const idx = arr.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rnd() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, n).map((i) => arr[i]);
}

/** Byte-order comparison (the oracle sorts labels with strcmp). */
export function byteSort(list) {
  return [...list].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
}

/** The five headline conclusions of an assessment, for one deepEqual. */
export function headline(a) {
  return {
    risk_group: a.risk_group,
    publication_category: a.publication_category,
    fria_required: a.fria_required,
    eu_registration: a.eu_registration,
    high_risk_applies_from: a.high_risk_applies_from,
  };
}

/** The obligations as "Art. X|role|YYYY-MM-DD" strings, for membership checks. */
export function obligationKeys(a) {
  return a.obligations.map((o) => `${o.article}|${o.role}|${o.applies_from}`);
}

/** The audit trail as objects (`aireg audit export --db DB`, JSON lines). */
export function auditRows(db) {
  const r = runCli(['audit', 'export', '--db', db]);
  if (r.status !== 0) throw new Error(`aireg audit export exited ${r.status}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
