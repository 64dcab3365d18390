// Crash safety (issue 6, item 4): writes through the API — creates, updates, and the
// two-person publication workflow (a redacteur releases, a goedkeurder publishes) —
// while the server is killed with SIGKILL at random moments, CRASH_CYCLES times
// (default 24), restarting it on the same database each time. Afterwards:
//   - every write that was answered 2xx is there (the version with the name that was
//     sent; a released or published version has a publication row in a state at or
//     past the acknowledged one; a published algorithm is publicly readable);
//   - `aireg check` exits 0: PRAGMA integrity_check and foreign_key_check find
//     nothing and the audit chain verifies.
// Environment: CRASH_CYCLES, CRASH_SEED (the random moments are reproducible),
// AIREG_BIN (as for tests/api). Runs in about 20-40 s.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  startServer, tempDir, initDb, userWithToken, bearerClient, client, fullRecord, runCli,
} from '../api/server.mjs';

const CYCLES = Number(process.env.CRASH_CYCLES || 24);
const SEED = Number(process.env.CRASH_SEED || Date.now() % 1e9);
const ORG = 'GM0344';
const WRITERS = 4;

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test(`SIGKILL at random moments (${CYCLES} times): every acknowledged write survives`, { timeout: 180000 }, async (t) => {
  const tmp = tempDir('aireg-crash-');
  const db = path.join(tmp.dir, 'aireg.db');
  initDb(db);
  const rand = rng(SEED);
  t.diagnostic(`seed ${SEED} (CRASH_SEED=${SEED} repeats the kill moments)`);

  // People are made with the CLI before the first start (bearer tokens: no argon2 per request).
  let srv = await startServer({ dbPath: db });
  const red = userWithToken(srv, { roles: [[ORG, 'redacteur']], prefix: 'crash-red' });
  const goe = userWithToken(srv, { roles: [[ORG, 'goedkeurder']], prefix: 'crash-goe' });

  const acked = {
    created: new Map(),   // id -> name of version 1
    versions: [],         // { id, version, name }
    released: [],         // { id, version }
    published: [],        // { id, version }
  };
  const known = [];       // { id, version, state } that writers work on (last acknowledged view)
  let seq = 0;
  let requests = 0;
  let failures = 0;       // requests without an answer (killed in flight)
  const unexpected = [];  // answers other than 2xx/409 (a 409 is a lost race between writers)

  async function writer(api, apiGoe, stopAt) {
    while (Date.now() < stopAt) {
      const pick = rand();
      const item = known.length ? known[Math.floor(rand() * known.length)] : null;
      let res;
      try {
        requests++;
        if (!item || pick < 0.35) {
          const name = `Crashtest ${SEED}-${++seq}`;
          res = await api('POST', `/api/v1/organisations/${ORG}/algorithms`, { json: fullRecord({ name }) });
          if (res.status === 201) {
            acked.created.set(res.json.id, name);
            acked.versions.push({ id: res.json.id, version: res.json.version, name });
            known.push({ id: res.json.id, version: res.json.version, state: 'concept' });
          }
        } else if (pick < 0.7 || item.state === 'gepubliceerd') {
          const name = `Crashtest ${SEED}-${++seq}`;
          res = await api('PUT', `/api/v1/algorithms/${item.id}`, {
            json: fullRecord({ name }), headers: { 'If-Match': `"${item.version}"` },
          });
          if (res.status === 200) {
            acked.versions.push({ id: item.id, version: res.json.version, name });
            item.version = res.json.version;
            item.state = 'concept';
          }
        } else if (item.state === 'concept') {
          res = await api('POST', `/api/v1/algorithms/${item.id}/release`);
          if (res.status === 200) {
            // the answer names the version released: another writer may have saved one since
            acked.released.push({ id: item.id, version: res.json.version });
            item.version = res.json.version;
            item.state = 'ter beoordeling';
          }
        } else {
          res = await apiGoe('POST', `/api/v1/algorithms/${item.id}/publish`);
          if (res.status === 200) {
            acked.published.push({ id: item.id, version: res.json.version });
            item.version = res.json.version;
            item.state = 'gepubliceerd';
          }
        }
        if (res.status >= 300 && res.status !== 409) unexpected.push(`${res.status} ${res.text.slice(0, 200)}`);
        if (res.status === 409) {
          // another writer changed it first: learn the current state
          const g = await api('GET', `/api/v1/algorithms/${item.id}`);
          if (g.status === 200) { item.version = g.json.version; item.state = g.json.status; }
        }
      } catch {
        failures++;
        return; // the server is gone; this writer stops until the next start
      }
    }
  }

  for (let cycle = 0; cycle < CYCLES; cycle++) {
    if (cycle) srv = await startServer({ dbPath: db });
    const api = bearerClient(srv.base, red.token);
    const apiGoe = bearerClient(srv.base, goe.token);
    const killAfter = 30 + Math.floor(rand() * 400);
    const stopAt = Date.now() + killAfter + 2000;
    const writers = Array.from({ length: WRITERS }, () => writer(api, apiGoe, stopAt));
    await new Promise((r) => setTimeout(r, killAfter));
    srv.proc.kill('SIGKILL');
    await Promise.all(writers);
    const { signal } = await srv.stop();
    assert.equal(signal, 'SIGKILL', `cycle ${cycle}: the server ended otherwise (${signal})`);
  }

  t.diagnostic(`${CYCLES} kills; ${requests} requests, ${failures} unanswered (in flight at a kill); ` +
    `acknowledged: ${acked.created.size} creates, ${acked.versions.length - acked.created.size} updates, ` +
    `${acked.released.length} releases, ${acked.published.length} publications`);
  assert.deepEqual(unexpected, [], 'answers other than 2xx or 409');
  assert.ok(acked.created.size >= CYCLES, `too few acknowledged creates (${acked.created.size}) to mean much`);

  // Verify on a final, clean start.
  srv = await startServer({ dbPath: db });
  try {
    const api = bearerClient(srv.base, red.token);
    const anon = client(srv.base);
    const missing = [];
    for (const v of acked.versions) {
      const g = await api('GET', `/api/v1/algorithms/${v.id}?version=${v.version}`);
      if (g.status !== 200) missing.push(`version ${v.version} of ${v.id}: ${g.status}`);
      else if (g.json.record?.name !== v.name) missing.push(`version ${v.version} of ${v.id}: name ${g.json.record?.name} != ${v.name}`);
    }
    const pubsOf = new Map();
    const pubs = async (id) => {
      if (!pubsOf.has(id)) {
        const r = await api('GET', `/api/v1/algorithms/${id}/publications`);
        assert.equal(r.status, 200, r.text);
        pubsOf.set(id, r.json.publications);
      }
      return pubsOf.get(id);
    };
    const atOrPast = {
      'ter beoordeling': ['ter beoordeling', 'gepubliceerd', 'vervangen', 'afgewezen', 'teruggetrokken'],
      gepubliceerd: ['gepubliceerd', 'vervangen', 'teruggetrokken'],
    };
    for (const [list, state] of [[acked.released, 'ter beoordeling'], [acked.published, 'gepubliceerd']]) {
      for (const w of list) {
        const row = (await pubs(w.id)).find((p) => p.version === w.version);
        if (!row || !atOrPast[state].includes(row.status)) {
          missing.push(`${state} of ${w.id} v${w.version}: ${row ? row.status : 'no publication row'}`);
        }
      }
    }
    for (const id of new Set(acked.published.map((p) => p.id))) {
      const g = await anon('GET', `/api/v1/algorithms/${id}`);
      if (g.status !== 200) missing.push(`published ${id} not public: ${g.status}`);
    }
    assert.deepEqual(missing, [], 'acknowledged writes lost');
  } finally {
    await srv.stop();
  }

  const check = runCli(['check', '--db', db]);
  t.diagnostic(`aireg check: ${(check.stdout + check.stderr).trim().replace(/\n/g, '; ')}`);
  assert.equal(check.status, 0, `aireg check: ${check.stdout}${check.stderr}`);
  tmp.remove();
});
