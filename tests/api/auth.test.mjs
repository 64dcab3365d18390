// Accounts, roles, sessions, tokens, the publication workflow and the audit trail
// (issue 4; docs/API-CONTRACT.md "Accounts, roles, workflow, audit").
//
// 1. An authorisation matrix generated from ONE table (MATRIX below): every API
//    endpoint x every kind of actor x {own organisation's draft, foreign organisation's
//    draft, published entry}, with the expected status of each cell.
// 2. Sessions and CSRF, session fixation, log-out, unknown session ids, tokens
//    (revocation, scoping), one-time links, four eyes, one-step organisations,
//    rejection, the public register, security headers, an XSS corpus, the audit trail.
// 3. Log-in throttling, on a server of its own (failures count per address too).
//
// People and tokens are made with the CLI while the server runs. Argon2id log-ins cost
// ~0.1 s each, so the matrix uses bearer tokens and only a few tests log in.
//
// The time limits (session idle and absolute timeouts, expired tokens and one-time
// links) are tested in session-expiry.test.mjs, which ages rows in the database; the
// trusted-proxy mode and TLS behind it in proxy.test.mjs.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  startServer, client, fullRecord, makeLars, REPO_ROOT, SEED_FILE, PASSWORD, ROLES,
  addUser, createToken, bearerClient, userWithToken, newEmail, login, sessionClient,
  parseSetCookies, auditVerify, runCli,
} from './server.mjs';

const O = 'GM0344'; // the "own" organisation of the matrix' actors
const F = 'GM0363'; // the "foreign" organisation
const ORG_NAME = { [O]: 'Gemeente Utrecht', [F]: 'Gemeente Amsterdam' };
const UNKNOWN_ID = makeLars(4242424);

let srv;
let anon;
let makerRed; // redacteur in O and F: makes the fixtures
let makerGoe; // goedkeurder in O and F: publishes them (not the person who released)

let seq = 0;
const next = () => { seq += 1; return seq; };

/** Log-ins from another loopback address (throttling counts per address). */
function requestFrom(localAddress, port, method, urlPath, { json, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const body = json === undefined ? null : Buffer.from(JSON.stringify(json));
    const h = { ...headers };
    if (body) { h['Content-Type'] = 'application/json'; h['Content-Length'] = body.length; }
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, localAddress, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed;
        try { parsed = JSON.parse(text); } catch { parsed = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json: parsed });
      });
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

// ---- fixtures ---------------------------------------------------------------

/** An algorithm of org in one of the states concept, released, published. */
async function makeAlgo(org, state, name = `Matrix fixture ${next()}`) {
  const c = await makerRed('POST', `/api/v1/organisations/${org}/algorithms`, { json: fullRecord({ name }) });
  assert.equal(c.status, 201, c.text);
  const t = { id: c.json.id, org, name, state };
  // Classified before publication: the public sees the classification as it
  // was published (a later change waits for the next publication).
  const k = await makerRed('PUT', `/api/v1/algorithms/${t.id}/classification`,
    { json: { answers: null, profile: { type: 'AI-systeem', roles: ['gebruiksverantwoordelijke'] } } });
  assert.equal(k.status, 200, k.text);
  if (state === 'concept') return t;
  const r = await makerRed('POST', `/api/v1/algorithms/${t.id}/release`);
  assert.equal(r.status, 200, r.text);
  if (state === 'released') return t;
  const p = await makerGoe('POST', `/api/v1/algorithms/${t.id}/publish`);
  assert.equal(p.status, 200, p.text);
  return t;
}

/** What a member sees of an algorithm: to check that a refused request changed nothing. */
async function snapshot(id) {
  const g = await makerRed('GET', `/api/v1/algorithms/${id}`);
  assert.equal(g.status, 200, g.text);
  const v = await makerRed('GET', `/api/v1/algorithms/${id}/versions`);
  return {
    version: g.json.version, state: g.json.state, status: g.json.status,
    published_version: g.json.published_version, versions: v.json.versions.length,
  };
}

// ---- the matrix -------------------------------------------------------------

// Columns of every expectation row, in this order.
const ACTORS = [
  ['anonymous', null],
  ['lezer', { roles: [[O, 'lezer']] }],
  ['redacteur', { roles: [[O, 'redacteur']] }],
  ['goedkeurder', { roles: [[O, 'goedkeurder']] }],
  ['beheerder', { roles: [[O, 'beheerder']] }],
  ['F-lezer', { roles: [[F, 'lezer']] }],
  ['F-redacteur', { roles: [[F, 'redacteur']] }],
  ['F-goedkeurder', { roles: [[F, 'goedkeurder']] }],
  ['F-beheerder', { roles: [[F, 'beheerder']] }],
  // holds every role in O and in F, but the token is scoped to F
  ['token-scoped-to-F', { roles: ROLES.flatMap((r) => [[O, r], [F, r]]), tokenScope: { org: F } }],
  ['operator', { operator: true }],
];
const actor = {}; // name -> { api, email }

// Targets: own = a draft of O, foreign = a draft of F, pub = a published entry of O.
// Shared fixtures (for reads) carry a unique word in their name for ?q=.
const shared = {};
const WORD = { own: 'Eigenconcept', foreign: 'Vreemdconcept', pub: 'Gepubliceerdstuk' };

// Expectations: a status, or 'in' / 'out' = 200 and the target is / is not listed.
// Rules behind the numbers (docs/API-CONTRACT.md):
// * anything about a draft of an organisation where the actor has no role -> 404 (as if
//   it did not exist; anonymous included), never 403 or 200;
// * anonymous where a log-in is needed (and nothing is hidden) -> 401;
// * a member without the right role -> 403; create/import with no role in an existing
//   organisation -> 403; organisation-level endpoints (people, settings) by someone
//   without the beheerder role there -> 403 (the organisation itself is public);
// * a published entry's member-only operations by logged-in non-members -> 404 (no role
//   there, as for drafts); people's accounts of others -> 404 (not confirmed);
// * the state machine answers 409 wrong_state once authorisation has passed.
//
//                    anon  lez  red  goe  beh  Flez Fred Fgoe Fbeh scopF oper
const ALL200 = [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200];
const DRAFT_READ_OWN = [404, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404];
const DRAFT_READ_FOREIGN = [404, 404, 404, 404, 404, 200, 200, 200, 200, 200, 404];
const LIST_PUBLIC_OUT = Array(11).fill('out');
const LIST_PUBLIC_IN = Array(11).fill('in');
const WS_OWN = [401, 'in', 'in', 'in', 'in', 'out', 'out', 'out', 'out', 'out', 'out'];
const WS_FOREIGN = [401, 'out', 'out', 'out', 'out', 'in', 'in', 'in', 'in', 'in', 'out'];
const ORG_ADMIN = (ok) => ({
  own: [401, 403, 403, 403, ok, 403, 403, 403, 403, 403, 403],
  foreign: [401, 403, 403, 403, 403, 403, 403, 403, ok, ok, 403],
  pub: [401, 403, 403, 403, ok, 403, 403, 403, 403, 403, 403],
});
const ACCOUNT_ADMIN = (ok) => ({
  own: [401, 404, 404, 404, ok, 404, 404, 404, 404, 404, 404],
  foreign: [401, 404, 404, 404, 404, 404, 404, 404, ok, ok, 404],
  pub: [401, 404, 404, 404, ok, 404, 404, 404, 404, 404, 404],
});
// an algorithm action needing one role; stateOwn/statePub: the answer of that role
// when the target's state does not allow the action
const ALGO_ACTION = (col, okDraft, okPub) => {
  const own = [404, 403, 403, 403, 403, 404, 404, 404, 404, 404, 404];
  const foreign = [404, 404, 404, 404, 404, 403, 403, 403, 403, okDraft, 404];
  const pub = [401, 403, 403, 403, 403, 404, 404, 404, 404, 404, 404];
  own[col] = okDraft;
  foreign[col + 4] = okDraft;
  pub[col] = okPub;
  return { own, foreign, pub };
};
const RED = 2;
const GOE = 3;

const editBody = (t) => fullRecord({ name: t.name, description_short: `Gewijzigd in cel ${next()}.` });
const regRecord = (org, name) => fullRecord({ name, organization: ORG_NAME[org] });
const SCRAPED_OWN = JSON.parse(readFileSync(SEED_FILE, 'utf8')).algoritmes.find((x) => x.organisatie === ORG_NAME[O]);

const MATRIX = [
  { ep: 'GET /healthz', all: ALL200, req: () => ['GET', '/healthz'] },
  { ep: 'GET /api/v1/organisations', all: ALL200, req: () => ['GET', '/api/v1/organisations'] },
  {
    ep: 'POST /api/v1/organisations',
    all: [401, 403, 403, 403, 403, 403, 403, 403, 403, 403, 201],
    req: () => { const n = next(); return ['POST', '/api/v1/organisations', { json: { code: `MX${n}`, name: `Matrix organisatie ${n}`, type: 'overig' } }]; },
  },
  {
    ep: 'GET /api/v1/organisations/{code}', scope: 'org',
    own: ALL200, foreign: ALL200, pub: ALL200, req: ({ t }) => ['GET', `/api/v1/organisations/${t.org}`],
  },
  {
    ep: 'POST /api/v1/organisations/{code}/algorithms', scope: 'org',
    own: [401, 403, 201, 403, 403, 403, 403, 403, 403, 403, 403],
    foreign: [401, 403, 403, 403, 403, 403, 201, 403, 403, 201, 403],
    pub: [401, 403, 201, 403, 403, 403, 403, 403, 403, 403, 403],
    req: ({ t }) => ['POST', `/api/v1/organisations/${t.org}/algorithms`, { json: fullRecord({ name: `Matrix nieuw ${next()}` }) }],
  },
  {
    ep: 'GET /api/v1/algorithms (public register)', scope: 'algo', list: (r) => r.json.results.map((x) => x.id),
    own: LIST_PUBLIC_OUT, foreign: LIST_PUBLIC_OUT, pub: LIST_PUBLIC_IN,
    req: ({ t }) => ['GET', `/api/v1/algorithms?limit=100&q=${t.word}`],
  },
  {
    ep: 'GET /api/v1/algorithms?view=workspace', scope: 'algo', list: (r) => r.json.results.map((x) => x.id),
    own: WS_OWN, foreign: WS_FOREIGN, pub: WS_OWN,
    req: ({ t }) => ['GET', `/api/v1/algorithms?view=workspace&limit=100&q=${t.word}`],
  },
  {
    ep: 'GET /api/v1/algorithms/{id}', scope: 'algo',
    own: DRAFT_READ_OWN, foreign: DRAFT_READ_FOREIGN, pub: ALL200,
    req: ({ t }) => ['GET', `/api/v1/algorithms/${t.id}`],
  },
  {
    ep: 'GET /api/v1/algorithms/{id}?version=1', scope: 'algo',
    own: DRAFT_READ_OWN, foreign: DRAFT_READ_FOREIGN, pub: ALL200,
    req: ({ t }) => ['GET', `/api/v1/algorithms/${t.id}?version=1`],
  },
  {
    ep: 'GET /api/v1/algorithms/{id}/versions', scope: 'algo',
    own: DRAFT_READ_OWN, foreign: DRAFT_READ_FOREIGN, pub: ALL200,
    req: ({ t }) => ['GET', `/api/v1/algorithms/${t.id}/versions`],
  },
  {
    ep: 'GET /api/v1/algorithms/{id}/publications', scope: 'algo',
    own: DRAFT_READ_OWN, foreign: DRAFT_READ_FOREIGN,
    pub: [401, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404],
    req: ({ t }) => ['GET', `/api/v1/algorithms/${t.id}/publications`],
  },
  {
    ep: 'PUT /api/v1/algorithms/{id}', scope: 'algo', fresh: 'concept',
    ...ALGO_ACTION(RED, 200, 200),
    req: ({ t }) => ['PUT', `/api/v1/algorithms/${t.id}`, { json: editBody(t), headers: { 'If-Match': '"1"' } }],
  },
  {
    ep: 'POST /api/v1/algorithms/{id}/archive', scope: 'algo', fresh: 'concept',
    ...ALGO_ACTION(GOE, 200, 200),
    req: ({ t }) => ['POST', `/api/v1/algorithms/${t.id}/archive`],
  },
  {
    ep: 'POST /api/v1/algorithms/{id}/release', scope: 'algo', fresh: 'concept',
    ...ALGO_ACTION(RED, 200, 409),
    req: ({ t }) => ['POST', `/api/v1/algorithms/${t.id}/release`],
  },
  {
    ep: 'POST /api/v1/algorithms/{id}/publish', scope: 'algo', fresh: 'released',
    ...ALGO_ACTION(GOE, 200, 409),
    req: ({ t }) => ['POST', `/api/v1/algorithms/${t.id}/publish`],
  },
  {
    ep: 'POST /api/v1/algorithms/{id}/reject', scope: 'algo', fresh: 'released',
    ...ALGO_ACTION(GOE, 200, 409),
    req: ({ t }) => ['POST', `/api/v1/algorithms/${t.id}/reject`, { json: { reason: 'Onvolledig' } }],
  },
  {
    ep: 'POST /api/v1/algorithms/{id}/retract', scope: 'algo', fresh: 'concept',
    ...ALGO_ACTION(GOE, 409, 200),
    req: ({ t }) => ['POST', `/api/v1/algorithms/${t.id}/retract`, { json: { reason: 'Niet meer in gebruik' } }],
  },
  {
    ep: 'POST /api/v1/session', all: ALL200,
    req: ({ ctx }) => ['POST', '/api/v1/session', { json: { email: ctx.loginEmail, password: PASSWORD } }],
  },
  {
    ep: 'GET /api/v1/session', all: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    req: () => ['GET', '/api/v1/session'],
  },
  { ep: 'DELETE /api/v1/session', all: Array(11).fill(204), req: () => ['DELETE', '/api/v1/session'] },
  {
    ep: 'POST /api/v1/password', all: Array(11).fill(404),
    req: () => ['POST', '/api/v1/password', { json: { link: 'nooit-uitgegeven-link', password: 'een lang genoeg wachtwoord' } }],
  },
  {
    ep: 'GET /api/v1/organisations/{code}/users', scope: 'org', ...ORG_ADMIN(200),
    req: ({ t }) => ['GET', `/api/v1/organisations/${t.org}/users`],
  },
  {
    ep: 'POST /api/v1/organisations/{code}/users', scope: 'org', ...ORG_ADMIN(201),
    req: ({ t }) => ['POST', `/api/v1/organisations/${t.org}/users`, { json: { email: newEmail('uitgenodigd'), role: 'lezer' } }],
  },
  {
    ep: 'PUT /api/v1/organisations/{code}/settings', scope: 'org', ...ORG_ADMIN(200),
    req: ({ t }) => ['PUT', `/api/v1/organisations/${t.org}/settings`, { json: { publication_mode: 'two-step' } }],
  },
  {
    ep: 'POST /api/v1/users/{email}/disable', scope: 'org', ...ACCOUNT_ADMIN(204),
    // a fresh lezer of the target's organisation per cell
    req: ({ t }) => ['POST', `/api/v1/users/${encodeURIComponent(addUser(srv.db, { roles: [[t.org, 'lezer']] }).email)}/disable`],
  },
  {
    ep: 'POST /api/v1/users/{email}/reset-link', scope: 'org', ...ACCOUNT_ADMIN(200),
    req: ({ t, ctx }) => ['POST', `/api/v1/users/${encodeURIComponent(ctx.victim[t.org])}/reset-link`],
  },
  { ep: 'GET /api/v1/tokens', all: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200], req: () => ['GET', '/api/v1/tokens'] },
  {
    // every actor of the matrix acts with a token, and a token cannot mint another
    // (a stolen one would outlive its revocation); tokens come from a log-in
    ep: 'POST /api/v1/tokens', all: [401, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403],
    req: () => ['POST', '/api/v1/tokens', { json: { name: `matrix ${next()}`, expires_days: 1 } }],
  },
  {
    // someone else's token: nobody but its owner revokes it
    ep: 'DELETE /api/v1/tokens/{id}', all: [401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404],
    req: ({ ctx }) => ['DELETE', `/api/v1/tokens/${ctx.victimToken.id}`],
    victimToken: true,
  },
  {
    ep: 'GET /api/v1/audit/verify', all: [401, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200],
    req: () => ['GET', '/api/v1/audit/verify'],
  },
  {
    ep: 'POST /api/v1/import (register records, dry run)', scope: 'org',
    own: [401, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403],
    foreign: [401, 403, 403, 403, 403, 403, 200, 403, 403, 200, 403],
    pub: [401, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403],
    req: ({ t }) => ['POST', '/api/v1/import?dry_run=true', { json: [regRecord(t.org, `Matrix import ${next()}`)] }],
  },
  {
    // entries published in the national register: operators only
    ep: 'POST /api/v1/import (national register, dry run)',
    all: [401, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200],
    req: () => ['POST', '/api/v1/import?dry_run=true', { json: { count: 1, algoritmes: [SCRAPED_OWN] } }],
  },
  // AI Act endpoints (added after issue 4; not in API-CONTRACT.md yet): the general
  // rules apply to the classification of a record; the two stateless tools store
  // nothing and are open to everyone.
  {
    ep: 'GET /api/v1/algorithms/{id}/classification', scope: 'algo',
    own: DRAFT_READ_OWN, foreign: DRAFT_READ_FOREIGN, pub: ALL200,
    req: ({ t }) => ['GET', `/api/v1/algorithms/${t.id}/classification`],
  },
  {
    ep: 'PUT /api/v1/algorithms/{id}/classification', scope: 'algo', fresh: 'concept',
    ...ALGO_ACTION(RED, 200, 200),
    req: ({ t }) => ['PUT', `/api/v1/algorithms/${t.id}/classification`, { json: { answers: null } }],
  },
  { ep: 'POST /api/v1/classify', all: ALL200, req: () => ['POST', '/api/v1/classify', { json: { answers: '' } }] },
  { ep: 'POST /api/v1/assess', all: ALL200, req: () => ['POST', '/api/v1/assess', { json: { type: 'geen algoritme' } }] },
  {
    ep: 'GET /api/v1/export (public)', scope: 'algo', list: (r) => r.json.map((x) => x.lars),
    own: LIST_PUBLIC_OUT, foreign: LIST_PUBLIC_OUT, pub: LIST_PUBLIC_IN,
    req: () => ['GET', '/api/v1/export?format=json'],
  },
  {
    ep: 'GET /api/v1/export?view=workspace', scope: 'algo', list: (r) => r.json.map((x) => x.lars),
    own: WS_OWN, foreign: WS_FOREIGN, pub: WS_OWN,
    req: () => ['GET', '/api/v1/export?format=json&view=workspace'],
  },
];

const ctx = {}; // loginEmail, victim[org], victimApi
let sessUser; // redacteur and beheerder of O, with a password (session tests)

before(async () => {
  srv = await startServer();
  anon = client(srv.base);
  makerRed = userWithToken(srv, { roles: [[O, 'redacteur'], [F, 'redacteur']], prefix: 'maker-red' }).api;
  makerGoe = userWithToken(srv, { roles: [[O, 'goedkeurder'], [F, 'goedkeurder']], prefix: 'maker-goe' }).api;
  for (const [name, spec] of ACTORS) {
    if (!spec) { actor[name] = { api: anon, email: null }; continue; }
    const u = userWithToken(srv, { ...spec, prefix: name.toLowerCase() });
    actor[name] = { api: u.api, email: u.email };
  }
  shared.own = { ...(await makeAlgo(O, 'concept', `Matrix ${WORD.own}`)), word: WORD.own };
  shared.foreign = { ...(await makeAlgo(F, 'concept', `Matrix ${WORD.foreign}`)), word: WORD.foreign };
  shared.pub = { ...(await makeAlgo(O, 'published', `Matrix ${WORD.pub}`)), word: WORD.pub };
  ctx.loginEmail = addUser(srv.db, { roles: [[O, 'lezer']], password: PASSWORD }).email;
  sessUser = addUser(srv.db, { roles: [[O, 'redacteur'], [O, 'beheerder']], password: PASSWORD, email: newEmail('sessie') });
  ctx.victim = {
    [O]: addUser(srv.db, { roles: [[O, 'lezer']] }).email,
    [F]: addUser(srv.db, { roles: [[F, 'lezer']] }).email,
  };
  // tokens come from a log-in: the victim makes theirs in a session
  const v = addUser(srv.db, { roles: [[O, 'lezer']], password: PASSWORD });
  ctx.victimApi = (await sessionClient(srv.base, v.email)).request;
});
after(async () => { await srv?.stop(); });

function describeCell(r) {
  return `${r.status} ${(r.text || '').slice(0, 160)}`;
}

async function runCell(row, targetKey, actorIndex, expected) {
  const [actorName] = ACTORS[actorIndex];
  const { api } = actor[actorName];
  let t = null;
  if (row.scope === 'algo') {
    const draftState = row.fresh;
    if (row.fresh) t = await makeAlgo(targetKey === 'foreign' ? F : O, targetKey === 'pub' ? 'published' : draftState);
    else t = shared[targetKey];
  } else if (row.scope === 'org') {
    t = { org: targetKey === 'foreign' ? F : O };
  }
  if (row.victimToken) {
    const m = await ctx.victimApi('POST', '/api/v1/tokens', { json: { name: `opfer ${next()}`, expires_days: 1 } });
    assert.equal(m.status, 201, m.text);
    ctx.victimToken = m.json;
  }
  const before = row.fresh ? await snapshot(t.id) : null;
  const [method, p, opts] = row.req({ t, ctx });
  const r = await api(method, p, opts);
  const problems = [];
  const where = `${row.ep} | ${targetKey} | ${actorName}`;
  if (expected === 'in' || expected === 'out') {
    if (r.status !== 200) {
      problems.push(`${where}: expected 200 (${expected}), got ${describeCell(r)}`);
    } else {
      const ids = row.list(r);
      if (ids.includes(t.id) !== (expected === 'in')) {
        problems.push(`${where}: the target is ${ids.includes(t.id) ? '' : 'not '}listed, expected ${expected}`);
      }
    }
  } else if (r.status !== expected) {
    problems.push(`${where}: expected ${expected}, got ${describeCell(r)}`);
  }
  // a draft hidden with 404 must look exactly like an algorithm that does not exist
  if (row.scope === 'algo' && expected === 404 && targetKey !== 'pub' && r.status === 404) {
    const [m2, p2, o2] = row.req({ t: { ...t, id: UNKNOWN_ID }, ctx });
    const u = await api(m2, p2, o2);
    if (u.status !== 404 || u.json?.error !== r.json?.error || u.json?.message !== r.json?.message) {
      problems.push(`${where}: the 404 differs from an unknown id's: ${describeCell(r)} vs ${describeCell(u)}`);
    }
  }
  // a refused request (or one the state refuses) changed nothing
  if (before && (typeof expected !== 'number' || expected >= 400)) {
    const now = await snapshot(t.id);
    if (JSON.stringify(now) !== JSON.stringify(before)) {
      problems.push(`${where}: refused with ${r.status} but changed ${JSON.stringify(before)} -> ${JSON.stringify(now)}`);
    }
  }
  if (row.victimToken) {
    const still = await bearerClient(srv.base, ctx.victimToken.token)('GET', '/api/v1/tokens');
    if (still.status !== 200) problems.push(`${where}: the victim's token no longer works (${still.status})`);
  }
  return problems;
}

test('the matrix table is complete: every row has 11 columns for every target', () => {
  assert.equal(ACTORS.length, 11);
  for (const row of MATRIX) {
    const targets = row.all ? ['all'] : ['own', 'foreign', 'pub'];
    for (const k of targets) assert.equal(row[k]?.length, 11, `${row.ep} ${k}`);
  }
  // every route of the API has a row (methods and paths as in docs/API-CONTRACT.md)
  const eps = new Set(MATRIX.map((r) => r.ep.replace(/ \(.*\)$/, '').replace(/\?.*$/, '')));
  for (const ep of [
    'GET /healthz', 'GET /api/v1/organisations', 'POST /api/v1/organisations', 'GET /api/v1/organisations/{code}',
    'POST /api/v1/organisations/{code}/algorithms', 'GET /api/v1/algorithms', 'GET /api/v1/algorithms/{id}',
    'PUT /api/v1/algorithms/{id}', 'GET /api/v1/algorithms/{id}/versions', 'POST /api/v1/algorithms/{id}/archive',
    'POST /api/v1/algorithms/{id}/release', 'POST /api/v1/algorithms/{id}/publish', 'POST /api/v1/algorithms/{id}/reject',
    'POST /api/v1/algorithms/{id}/retract', 'GET /api/v1/algorithms/{id}/publications', 'POST /api/v1/session',
    'GET /api/v1/session', 'DELETE /api/v1/session', 'POST /api/v1/password', 'GET /api/v1/organisations/{code}/users',
    'POST /api/v1/organisations/{code}/users', 'PUT /api/v1/organisations/{code}/settings',
    'POST /api/v1/users/{email}/disable', 'POST /api/v1/users/{email}/reset-link', 'GET /api/v1/tokens',
    'POST /api/v1/tokens', 'DELETE /api/v1/tokens/{id}', 'GET /api/v1/audit/verify', 'POST /api/v1/import',
    'GET /api/v1/export', 'GET /api/v1/algorithms/{id}/classification', 'PUT /api/v1/algorithms/{id}/classification',
    'POST /api/v1/classify', 'POST /api/v1/assess',
  ]) assert.ok(eps.has(ep), `no matrix row for ${ep}`);
});

for (const row of MATRIX) {
  test(`matrix: ${row.ep}`, { timeout: 120000 }, async () => {
    const problems = [];
    const targets = row.all ? [['all', row.all]] : ['own', 'foreign', 'pub'].map((k) => [k, row[k]]);
    for (const [k, expectations] of targets) {
      for (let i = 0; i < ACTORS.length; i++) problems.push(...(await runCell(row, k, i, expectations[i])));
    }
    if (problems.length) assert.fail(`${problems.length} cell(s) wrong:\n${problems.join("\n")}`);
  });
}

// ---- no other door to drafts ----------------------------------------------------

test('organisation counts do not reveal drafts to the public or to other organisations', async () => {
  const count = async (api) => (await api('GET', `/api/v1/organisations/${F}`)).json.algorithms;
  const listCount = async (api) => (await api('GET', '/api/v1/organisations')).json.results.find((o) => o.code === F).algorithms;
  const before = [await count(anon), await count(actor.redacteur.api), await listCount(anon)];
  const d = await actor['F-redacteur'].api('POST', `/api/v1/organisations/${F}/algorithms`, { json: fullRecord({ name: 'Geheim concept' }) });
  assert.equal(d.status, 201, d.text);
  const after = [await count(anon), await count(actor.redacteur.api), await listCount(anon)];
  assert.deepEqual(after, before, 'a new draft of F changed the count that anonymous / O people see');
});

test('a search for a draft\'s words finds nothing outside its organisation', async () => {
  const q = encodeURIComponent(WORD.foreign);
  for (const name of ['anonymous', 'redacteur', 'beheerder', 'operator']) {
    const r = await actor[name].api('GET', `/api/v1/algorithms?q=${q}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.total, 0, `${name}: ${r.text.slice(0, 200)}`);
  }
  const ex = await anon('GET', `/api/v1/export?format=csv&organisation=${F}`);
  assert.equal(ex.status, 200);
  assert.ok(!ex.text.includes(WORD.foreign), 'a draft in the public CSV export');
});

// ---- sessions and CSRF ----------------------------------------------------------

test('log-in: 200 with e-mail, roles and a CSRF token; the cookie is HttpOnly, SameSite=Lax, Path=/', async () => {
  const r = await login(srv.base, sessUser.email, PASSWORD);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.email, sessUser.email);
  assert.equal(r.json.operator, false);
  assert.deepEqual(r.json.roles.map((x) => `${x.organisation}:${x.role}`).sort(), [`${O}:beheerder`, `${O}:redacteur`]);
  assert.equal(typeof r.json.csrf_token, 'string');
  assert.ok(r.json.csrf_token.length >= 32, r.json.csrf_token);
  assert.ok(r.cookie, `no session cookie in ${JSON.stringify(r.headers.getSetCookie?.())}`);
  assert.equal(r.cookie.name, 'aireg_session', 'plain HTTP: the documented fallback name');
  assert.ok(r.cookie.value.length >= 32);
  assert.ok(!r.text.includes(r.cookie.value), 'the session id is not in the body');
  assert.equal(r.cookie.attrs.httponly, true);
  assert.equal(String(r.cookie.attrs.samesite).toLowerCase(), 'lax');
  assert.equal(r.cookie.attrs.path, '/');
  const s = await sessionClient(srv.base, sessUser.email);
  const me = await s.request('GET', '/api/v1/session');
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.email, sessUser.email);
  assert.equal(me.json.csrf_token, s.csrf, 'GET /session returns the session\'s CSRF token');
});

test('CSRF: a cookie request without or with a wrong X-CSRF-Token -> 403 csrf_failed, nothing changed', async () => {
  const s = await sessionClient(srv.base, sessUser.email);
  const other = await sessionClient(srv.base, sessUser.email); // a valid token of another session
  const c = await s.request('POST', `/api/v1/organisations/${O}/algorithms`, { json: fullRecord({ name: 'Met CSRF' }) });
  assert.equal(c.status, 201, c.text);
  const id = c.json.id;
  const wrongs = [null, '', 'x'.repeat(s.csrf.length), other.csrf, s.csrf.slice(0, -1), `${s.csrf}x`];
  const tokensBefore = (await s.request('GET', '/api/v1/tokens')).json.results.length;
  const usersBefore = (await s.request('GET', `/api/v1/organisations/${O}/users`)).json.results.length;
  const listBefore = (await s.request('GET', '/api/v1/algorithms?view=workspace&limit=100')).json.total;
  for (const csrf of wrongs) {
    const h = { 'X-CSRF-Token': csrf };
    const label = csrf === null ? 'missing' : JSON.stringify(csrf.slice(0, 12));
    const attempts = [
      ['POST', `/api/v1/organisations/${O}/algorithms`, { json: fullRecord({ name: 'Zonder CSRF' }), headers: h }],
      ['PUT', `/api/v1/algorithms/${id}`, { json: fullRecord({ name: 'Met CSRF', description_short: 'Vervalst' }), headers: { ...h, 'If-Match': '"1"' } }],
      ['POST', `/api/v1/algorithms/${id}/release`, { headers: h }],
      ['POST', '/api/v1/tokens', { json: { name: 'vervalst' }, headers: h }],
      ['POST', `/api/v1/organisations/${O}/users`, { json: { email: newEmail('vervalst'), role: 'beheerder' }, headers: h }],
      ['PUT', `/api/v1/organisations/${O}/settings`, { json: { publication_mode: 'one-step' }, headers: h }],
      ['POST', '/api/v1/import', { json: [regRecord(O, 'Vervalste import')], headers: h }],
    ];
    for (const [m, p, o] of attempts) {
      const r = await s.request(m, p, o);
      assert.equal(r.status, 403, `${m} ${p} with CSRF ${label}: ${r.text}`);
      assert.equal(r.json.error, 'csrf_failed', `${m} ${p}: ${r.text}`);
    }
  }
  const g = await s.request('GET', `/api/v1/algorithms/${id}`);
  assert.equal(g.json.version, 1);
  assert.equal(g.json.status, 'concept');
  assert.equal(g.json.record.description_short, fullRecord().description_short);
  assert.equal((await s.request('GET', '/api/v1/algorithms?view=workspace&limit=100')).json.total, listBefore);
  assert.equal((await s.request('GET', '/api/v1/tokens')).json.results.length, tokensBefore);
  assert.equal((await s.request('GET', `/api/v1/organisations/${O}/users`)).json.results.length, usersBefore);
  const mode = await s.request('GET', `/api/v1/algorithms/${id}`);
  assert.equal(mode.json.publication_mode, 'two-step');
  // the right token works, and bearer-token requests need none
  const ok = await s.request('PUT', `/api/v1/algorithms/${id}`, { json: fullRecord({ name: 'Met CSRF', description_short: 'Echt' }), headers: { 'If-Match': '"1"' } });
  assert.equal(ok.status, 200, ok.text);
});

test('CSRF: log-out (DELETE /api/v1/session) needs the token too; only log-in is exempt', async () => {
  const s = await sessionClient(srv.base, sessUser.email);
  const r = await s.request('DELETE', '/api/v1/session', { headers: { 'X-CSRF-Token': null } });
  assert.equal(r.status, 403, `a forged log-out: ${r.status} ${r.text}`);
  assert.equal(r.json?.error, 'csrf_failed');
  assert.equal((await s.request('GET', '/api/v1/session')).status, 200, 'the session survived');
});

test('session fixation: an id planted before log-in is not the session after it', async () => {
  const planted = 's_plantedByAnAttacker0123456789abcdefghijklmnop';
  const r = await login(srv.base, sessUser.email, PASSWORD, { cookie: `aireg_session=${planted}` });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.cookie, 'log-in sets a cookie');
  assert.notEqual(r.cookie.value, planted);
  const withPlanted = client(srv.base, { headers: { Cookie: `aireg_session=${planted}` } });
  assert.equal((await withPlanted('GET', '/api/v1/session')).status, 401, 'the planted id became a session');
  const withNew = client(srv.base, { headers: { Cookie: `aireg_session=${r.cookie.value}` } });
  assert.equal((await withNew('GET', '/api/v1/session')).status, 200);
  // logging in again while holding a valid session gives yet another id
  const again = await login(srv.base, sessUser.email, PASSWORD, { cookie: `aireg_session=${r.cookie.value}` });
  assert.equal(again.status, 200, again.text);
  assert.notEqual(again.cookie.value, r.cookie.value);
  assert.notEqual(again.json.csrf_token, r.json.csrf_token);
});

test('log-out ends the session on the server: the old cookie no longer works', async () => {
  const s = await sessionClient(srv.base, sessUser.email);
  const old = s.cookieValue;
  const r = await s.request('DELETE', '/api/v1/session');
  assert.equal(r.status, 204, r.text);
  const cleared = parseSetCookies(r.headers).find((c) => c.name === 'aireg_session');
  assert.ok(cleared, 'log-out clears the cookie');
  assert.ok(cleared.value === '' || cleared.attrs['max-age'] === '0', cleared.raw);
  // a client that ignores the clearing and sends the old cookie is anonymous
  const replay = client(srv.base, { headers: { Cookie: `aireg_session=${old}`, 'X-CSRF-Token': s.csrf } });
  assert.equal((await replay('GET', '/api/v1/session')).status, 401);
  assert.equal((await replay('GET', '/api/v1/algorithms?view=workspace')).status, 401);
  const c = await replay('POST', `/api/v1/organisations/${O}/algorithms`, { json: fullRecord({ name: 'Na uitloggen' }) });
  assert.equal(c.status, 401, c.text);
  const l = await makerRed('GET', '/api/v1/algorithms?view=workspace&q=uitloggen');
  assert.equal(l.json.total, 0, 'created after log-out');
});

test('a session id that was never issued is anonymous (stands in for an expired one)', async () => {
  // An ended session reads exactly like this one (contract: "an ended session cookie
  // reads as anonymous"); the timeouts themselves: session-expiry.test.mjs.
  const ghost = client(srv.base, { headers: { Cookie: 'aireg_session=s_neverIssuedXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' } });
  assert.equal((await ghost('GET', '/api/v1/session')).status, 401);
  assert.equal((await ghost('GET', '/api/v1/algorithms?view=workspace')).status, 401);
  assert.equal((await ghost('GET', `/api/v1/algorithms/${shared.own.id}`)).status, 404);
  const pub = await ghost('GET', '/api/v1/algorithms');
  assert.equal(pub.status, 200, 'the public register still answers');
  const c = await ghost('POST', `/api/v1/organisations/${O}/algorithms`, { json: fullRecord({ name: 'Spook' }), headers: { 'X-CSRF-Token': 'x' } });
  assert.equal(c.status, 401, c.text);
});

test('disabling a person ends their sessions and tokens at once', async () => {
  const u = addUser(srv.db, { roles: [[O, 'redacteur']], password: PASSWORD, email: newEmail('uitgezet') });
  const token = createToken(srv.db, { email: u.email });
  const s = await sessionClient(srv.base, u.email);
  const b = await sessionClient(srv.base, sessUser.email); // beheerder of O
  const r = await b.request('POST', `/api/v1/users/${encodeURIComponent(u.email)}/disable`);
  assert.equal(r.status, 204, r.text);
  assert.equal((await s.request('GET', '/api/v1/session')).status, 401);
  const t = await bearerClient(srv.base, token)('GET', '/api/v1/algorithms?view=workspace');
  assert.equal(t.status, 401, t.text);
  // and a log-in is refused like any wrong password (from another address: no throttling here)
  const l = await requestFrom('127.0.0.21', srv.port, 'POST', '/api/v1/session', { json: { email: u.email, password: PASSWORD } });
  assert.equal(l.status, 401, l.text);
  assert.equal(l.json.error, 'login_failed');
});

// ---- API tokens ---------------------------------------------------------------------

test('tokens: created once, listed without the secret, revoked -> 401 with WWW-Authenticate: Bearer', async () => {
  // made in a log-in session: a token cannot make tokens
  const who = addUser(srv.db, { roles: [[O, 'redacteur']], password: PASSWORD, email: newEmail('tokens') });
  const u = { api: (await sessionClient(srv.base, who.email)).request };
  const c = await u.api('POST', '/api/v1/tokens', { json: { name: 'ci-pijplijn', organisation: O, role: 'redacteur', expires_days: 30 } });
  assert.equal(c.status, 201, c.text);
  assert.ok(Number.isInteger(c.json.id));
  assert.equal(typeof c.json.token, 'string');
  const t = bearerClient(srv.base, c.json.token);
  assert.equal((await t('POST', `/api/v1/organisations/${O}/algorithms`, { json: fullRecord({ name: 'Via nieuw token' }) })).status, 201);
  const l = await u.api('GET', '/api/v1/tokens');
  assert.equal(l.status, 200, l.text);
  assert.ok(!l.text.includes(c.json.token), 'the list shows the secret');
  const row = l.json.results.find((x) => x.id === c.json.id);
  assert.ok(row, l.text);
  assert.equal(row.name, 'ci-pijplijn');
  assert.equal(row.organisation, O);
  assert.equal(row.role, 'redacteur');
  assert.equal(row.revoked_at, null);
  assert.ok(row.last_used_at, 'last_used_at is set after use');
  const days = (Number(row.expires_at) * 1000 - Date.now()) / 86400000;
  assert.ok(days > 29.9 && days <= 30.01, `expires_at ${row.expires_at} is not 30 days away`);
  const d = await u.api('DELETE', `/api/v1/tokens/${c.json.id}`);
  assert.equal(d.status, 204, d.text);
  const after = await t('GET', '/api/v1/algorithms?view=workspace');
  assert.equal(after.status, 401, after.text);
  assert.equal(after.json.error, 'unauthorized');
  assert.match(after.headers.get('www-authenticate') || '', /^Bearer/);
  assert.ok((await u.api('GET', '/api/v1/tokens')).json.results.find((x) => x.id === c.json.id).revoked_at);
  assert.equal((await u.api('DELETE', `/api/v1/tokens/${c.json.id}`)).status, 404, 'revoking twice');
});

test('an invalid bearer token -> 401 even on public endpoints; a CLI token with --expires 1 reports its expiry', async () => {
  const bad = bearerClient(srv.base, 'aireg_notARealTokenAtAll000000000000000000000');
  for (const p of ['/api/v1/algorithms', '/healthz', `/api/v1/algorithms/${shared.pub.id}`]) {
    const r = await bad('GET', p);
    assert.equal(r.status, 401, `${p}: ${r.text}`);
    assert.match(r.headers.get('www-authenticate') || '', /^Bearer/);
  }
  // expiry itself cannot be waited for: check the time the token reports
  const u = addUser(srv.db, { roles: [[O, 'lezer']] });
  const tok = createToken(srv.db, { email: u.email, expires: 1 });
  const l = await bearerClient(srv.base, tok)('GET', '/api/v1/tokens');
  assert.equal(l.status, 200, l.text);
  const hours = (Number(l.json.results[0].expires_at) * 1000 - Date.now()) / 3600000;
  assert.ok(hours > 23.9 && hours <= 24.01, `expires in ${hours} h`);
});

test('token scope: --org A cannot write to B; --role lezer cannot write at all', async () => {
  const email = newEmail('scope');
  addUser(srv.db, { email, roles: [[O, 'lezer'], [O, 'redacteur'], [O, 'goedkeurder'], [F, 'redacteur']] });
  const onlyO = bearerClient(srv.base, createToken(srv.db, { email, org: O }));
  assert.equal((await onlyO('POST', `/api/v1/organisations/${O}/algorithms`, { json: fullRecord({ name: 'Scope O' }) })).status, 201);
  const toF = await onlyO('POST', `/api/v1/organisations/${F}/algorithms`, { json: fullRecord({ name: 'Scope F' }) });
  assert.equal(toF.status, 403, toF.text);
  const putF = await onlyO('PUT', `/api/v1/algorithms/${shared.foreign.id}`, { json: fullRecord(), headers: { 'If-Match': '"1"' } });
  assert.equal(putF.status, 404, `F's draft is hidden from a token scoped to O: ${putF.text}`);
  const wsF = await onlyO('GET', `/api/v1/algorithms?view=workspace&organisation=${F}`);
  assert.equal(wsF.status, 404, wsF.text);

  const reader = bearerClient(srv.base, createToken(srv.db, { email, role: 'lezer', org: O }));
  assert.equal((await reader('GET', `/api/v1/algorithms/${shared.own.id}`)).status, 200, 'a lezer token reads drafts');
  const fixture = await makeAlgo(O, 'concept');
  const writes = [
    ['POST', `/api/v1/organisations/${O}/algorithms`, { json: fullRecord({ name: 'Lezer schrijft' }) }],
    ['PUT', `/api/v1/algorithms/${fixture.id}`, { json: editBody(fixture), headers: { 'If-Match': '"1"' } }],
    ['POST', `/api/v1/algorithms/${fixture.id}/release`],
    ['POST', `/api/v1/algorithms/${fixture.id}/archive`],
  ];
  const before = await snapshot(fixture.id);
  for (const [m, p, o] of writes) {
    const r = await reader(m, p, o);
    assert.equal(r.status, 403, `${m} ${p}: ${r.text.slice(0, 300)}`);
  }
  assert.deepEqual(await snapshot(fixture.id), before);
  // and a narrowed token cannot mint a wider one (a role beyond its own)
  const up = await reader('POST', '/api/v1/tokens', { json: { name: 'te veel', organisation: O, role: 'beheerder' } });
  assert.equal(up.status, 403, up.text);
  // imports are refused too (last: see the matrix for the status import answers with)
  for (const [who, org, label] of [[onlyO, F, 'token scoped to O into F'], [reader, O, 'lezer token']]) {
    const r = await who('POST', '/api/v1/import', { json: [regRecord(org, `Scope import ${next()}`)] });
    assert.ok(r.status >= 400, `${label}: ${r.status}`);
    assert.equal(r.status, 403, `${label}: ${r.text.slice(0, 300)}`);
  }
});

test('a redacteur can make a read-only (lezer) token for their organisation', () => {
  // least privilege: a dashboard needs to read drafts, not to write
  const u = addUser(srv.db, { roles: [[O, 'redacteur']] });
  const r = runCli(['token', 'create', '--db', srv.db, '--email', u.email, '--org', O, '--role', 'lezer']);
  assert.equal(r.status, 0, `aireg token create --role lezer for a redacteur: exit ${r.status}: ${r.stderr}`);
});

test('a scoped token cannot mint a broader token', async () => {
  const email = newEmail('mint');
  addUser(srv.db, { email, roles: [[O, 'lezer'], [O, 'redacteur'], [F, 'redacteur']] });
  const scoped = bearerClient(srv.base, createToken(srv.db, { email, org: O, role: 'lezer' }));
  const m = await scoped('POST', '/api/v1/tokens', { json: { name: 'breder' } });
  if (m.status === 201) {
    // if it may mint at all, the new token must not exceed the scope it was minted with
    const minted = bearerClient(srv.base, m.json.token);
    const w1 = await minted('POST', `/api/v1/organisations/${O}/algorithms`, { json: fullRecord({ name: 'Via gemunt token' }) });
    const w2 = await minted('POST', `/api/v1/organisations/${F}/algorithms`, { json: fullRecord({ name: 'Via gemunt token' }) });
    assert.deepEqual([w1.status, w2.status], [403, 403],
      `a token scoped to ${O}/lezer minted one that creates in ${O} (${w1.status}) and ${F} (${w2.status})`);
  } else {
    assert.equal(m.status, 403, m.text);
  }
});

// ---- one-time links -----------------------------------------------------------------

test('one-time link: a beheerder adds a person, the link sets the password once, then log-in works', async () => {
  const b = await sessionClient(srv.base, sessUser.email);
  const email = newEmail('nieuwkomer');
  const r = await b.request('POST', `/api/v1/organisations/${O}/users`, { json: { email, role: 'lezer' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.email, email);
  assert.match(r.json.link_secret, /^[A-Za-z0-9_-]{32,}$/);
  assert.ok(r.json.link.includes(r.json.link_secret), r.json.link);
  const list = await b.request('GET', `/api/v1/organisations/${O}/users`);
  const row = list.json.results.find((x) => x.email === email);
  assert.ok(row, list.text);
  assert.equal(row.active, false, 'no password yet');
  const short = await anon('POST', '/api/v1/password', { json: { link: r.json.link_secret, password: 'kort' } });
  assert.equal(short.status, 422, `a short password: ${short.text}`);
  const set = await anon('POST', '/api/v1/password', { json: { link: r.json.link_secret, password: PASSWORD } });
  assert.equal(set.status, 204, `the link still works after a refused password: ${set.text}`);
  const twice = await anon('POST', '/api/v1/password', { json: { link: r.json.link_secret, password: 'nog een ander wachtwoord' } });
  assert.equal(twice.status, 404, twice.text);
  assert.equal(twice.json.error, 'link_invalid');
  const l = await login(srv.base, email, PASSWORD);
  assert.equal(l.status, 200, l.text);
  assert.deepEqual(l.json.roles, [{ organisation: O, role: 'lezer' }]);
  // adding a role to someone who has a password gives no link
  const more = await b.request('POST', `/api/v1/organisations/${O}/users`, { json: { email, role: 'redacteur' } });
  assert.equal(more.status, 201, more.text);
  assert.ok(!more.json.link_secret, more.text);
});

test('reset link: a new password ends the old sessions; the old password no longer works', async () => {
  const email = newEmail('vergeten');
  addUser(srv.db, { email, roles: [[O, 'lezer']], password: PASSWORD });
  const s = await sessionClient(srv.base, email);
  const b = await sessionClient(srv.base, sessUser.email);
  const r = await b.request('POST', `/api/v1/users/${encodeURIComponent(email)}/reset-link`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.email, email);
  const newPassword = 'een nieuw en lang wachtwoord';
  assert.equal((await anon('POST', '/api/v1/password', { json: { link: r.json.link_secret, password: newPassword } })).status, 204);
  assert.equal((await s.request('GET', '/api/v1/session')).status, 401, 'the old session survived the reset');
  const old = await requestFrom('127.0.0.22', srv.port, 'POST', '/api/v1/session', { json: { email, password: PASSWORD } });
  assert.equal(old.status, 401, old.text);
  assert.equal((await login(srv.base, email, newPassword)).status, 200);
});

// ---- workflow -------------------------------------------------------------------

test('four eyes: the person who released cannot publish (403 four_eyes); a second goedkeurder can', async () => {
  const both = userWithToken(srv, { roles: [[O, 'redacteur'], [O, 'goedkeurder']], prefix: 'beide' });
  const c = await both.api('POST', `/api/v1/organisations/${O}/algorithms`, { json: fullRecord({ name: 'Vier ogen' }) });
  assert.equal(c.status, 201, c.text);
  const rel = await both.api('POST', `/api/v1/algorithms/${c.json.id}/release`);
  assert.equal(rel.status, 200, rel.text);
  assert.equal(rel.json.status, 'ter beoordeling');
  const self = await both.api('POST', `/api/v1/algorithms/${c.json.id}/publish`);
  assert.equal(self.status, 403, self.text);
  assert.equal(self.json.error, 'four_eyes');
  assert.equal((await both.api('GET', `/api/v1/algorithms/${c.json.id}`)).json.status, 'ter beoordeling');
  assert.equal((await anon('GET', `/api/v1/algorithms/${c.json.id}`)).status, 404);
  const ok = await makerGoe('POST', `/api/v1/algorithms/${c.json.id}/publish`);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.status, 'gepubliceerd');
  assert.equal(ok.json.published_version, 1);
  const pubs = await both.api('GET', `/api/v1/algorithms/${c.json.id}/publications`);
  assert.equal(pubs.status, 200, pubs.text);
  const row = pubs.json.publications.find((x) => x.version === 1);
  assert.equal(row.status, 'gepubliceerd');
  assert.equal(row.released_by, both.email);
  assert.ok(row.decided_by && row.decided_by !== both.email, JSON.stringify(row));
  assert.equal((await anon('GET', `/api/v1/algorithms/${c.json.id}`)).status, 200);
});

test('release: only a publishable concept (422 not_publishable per missing field, 409 wrong_state)', async () => {
  const c = await makerRed('POST', `/api/v1/organisations/${O}/algorithms`, { json: { name: 'Onvolledig concept' } });
  assert.equal(c.status, 201, c.text);
  const r = await makerRed('POST', `/api/v1/algorithms/${c.json.id}/release`);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.error, 'not_publishable');
  for (const f of c.json.missing) assert.ok(r.json.errors.some((e) => e.field === f && e.code === 'required'), `${f}: ${r.text}`);
  const t = await makeAlgo(O, 'released');
  const again = await makerRed('POST', `/api/v1/algorithms/${t.id}/release`);
  assert.equal(again.status, 409, again.text);
  assert.equal(again.json.error, 'wrong_state');
  const c2 = await makeAlgo(O, 'concept');
  const early = await makerGoe('POST', `/api/v1/algorithms/${c2.id}/publish`);
  assert.equal(early.status, 409, `two-step: a concept is not published directly: ${early.text}`);
});

test('reject needs a reason (422); with one the version goes back to concept, marked afgewezen', async () => {
  const t = await makeAlgo(O, 'released');
  for (const body of [undefined, {}, { reason: '' }]) {
    const r = await makerGoe('POST', `/api/v1/algorithms/${t.id}/reject`, body === undefined ? {} : { json: body });
    assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
    assert.ok(r.json.errors?.some((e) => e.field === 'reason'), r.text);
  }
  assert.equal((await snapshot(t.id)).status, 'ter beoordeling');
  const ok = await makerGoe('POST', `/api/v1/algorithms/${t.id}/reject`, { json: { reason: 'Doel is te vaag' } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.state, 'concept');
  const pubs = await makerRed('GET', `/api/v1/algorithms/${t.id}/publications`);
  const row = pubs.json.publications.find((x) => x.version === 1);
  assert.equal(row.status, 'afgewezen');
  assert.equal(row.reason, 'Doel is te vaag');
  // the redacteur edits and releases again
  const put = await makerRed('PUT', `/api/v1/algorithms/${t.id}`, { json: editBody(t), headers: { 'If-Match': '"1"' } });
  assert.equal(put.status, 200, put.text);
  assert.equal((await makerRed('POST', `/api/v1/algorithms/${t.id}/release`)).status, 200);
});

test('one-step organisation: a redacteur publishes a concept directly; back to two-step they cannot', async () => {
  const SMALL = 'GM0599';
  const beh = userWithToken(srv, { roles: [[SMALL, 'beheerder']], prefix: 'klein-beheer' }).api;
  const red = userWithToken(srv, { roles: [[SMALL, 'redacteur']], prefix: 'klein-red' }).api;
  const lez = userWithToken(srv, { roles: [[SMALL, 'lezer']], prefix: 'klein-lez' }).api;
  const bad = await beh('PUT', `/api/v1/organisations/${SMALL}/settings`, { json: { publication_mode: 'no-step' } });
  assert.equal(bad.status, 422, bad.text);
  assert.ok(bad.json.errors.some((e) => e.field === 'publication_mode'), bad.text);
  const denied = await red('PUT', `/api/v1/organisations/${SMALL}/settings`, { json: { publication_mode: 'one-step' } });
  assert.equal(denied.status, 403, denied.text);
  const set = await beh('PUT', `/api/v1/organisations/${SMALL}/settings`, { json: { publication_mode: 'one-step' } });
  assert.equal(set.status, 200, set.text);
  const c = await red('POST', `/api/v1/organisations/${SMALL}/algorithms`, { json: fullRecord({ name: 'Een stap' }) });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.publication_mode, 'one-step', 'members see the mode');
  assert.equal((await lez('POST', `/api/v1/algorithms/${c.json.id}/publish`)).status, 403);
  const p = await red('POST', `/api/v1/algorithms/${c.json.id}/publish`);
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.status, 'gepubliceerd');
  assert.equal((await anon('GET', `/api/v1/algorithms/${c.json.id}`)).status, 200);
  const back = await beh('PUT', `/api/v1/organisations/${SMALL}/settings`, { json: { publication_mode: 'two-step' } });
  assert.equal(back.status, 200, back.text);
  const c2 = await red('POST', `/api/v1/organisations/${SMALL}/algorithms`, { json: fullRecord({ name: 'Twee stappen' }) });
  const p2 = await red('POST', `/api/v1/algorithms/${c2.json.id}/publish`);
  assert.equal(p2.status, 403, p2.text);
});

test('public register: published versions only; the old publication stays while a new concept exists', async () => {
  const t = await makeAlgo(O, 'published', 'Publiek zichtbaar v1');
  const put = await makerRed('PUT', `/api/v1/algorithms/${t.id}`, {
    json: fullRecord({ name: 'Publiek zichtbaar v2' }), headers: { 'If-Match': '"1"' },
  });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.json.version, 2);
  assert.equal(put.json.status, 'concept');
  assert.equal(put.json.published_version, 1);
  assert.equal(put.json.latest_version, 2);
  const g = await anon('GET', `/api/v1/algorithms/${t.id}`);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.version, 1);
  assert.equal(g.json.record.name, 'Publiek zichtbaar v1');
  assert.equal(g.json.status, 'gepubliceerd');
  assert.equal(g.json.published_version, 1);
  assert.equal(g.headers.get('etag'), '"1"');
  for (const k of ['state', 'latest_version', 'publication_mode']) assert.ok(!(k in g.json), `the public sees ${k}`);
  assert.equal((await anon('GET', `/api/v1/algorithms/${t.id}?version=2`)).status, 404, 'the concept is not public');
  assert.deepEqual((await anon('GET', `/api/v1/algorithms/${t.id}/versions`)).json.versions.map((v) => v.version), [1]);
  const l = await anon('GET', '/api/v1/algorithms?q=zichtbaar');
  assert.deepEqual(l.json.results.map((x) => [x.id, x.name, x.version]), [[t.id, 'Publiek zichtbaar v1', 1]]);
  const ex = await anon('GET', '/api/v1/export?format=json');
  assert.equal(ex.json.find((x) => x.lars === t.id)?.name, 'Publiek zichtbaar v1');
  const member = await makerRed('GET', `/api/v1/algorithms/${t.id}`);
  assert.equal(member.json.version, 2);

  // the next publication supersedes the old one, which stays in the public history
  assert.equal((await makerRed('POST', `/api/v1/algorithms/${t.id}/release`)).status, 200);
  assert.equal((await makerGoe('POST', `/api/v1/algorithms/${t.id}/publish`)).status, 200);
  const g2 = await anon('GET', `/api/v1/algorithms/${t.id}`);
  assert.equal(g2.json.version, 2);
  assert.equal(g2.json.record.name, 'Publiek zichtbaar v2');
  const hist = await anon('GET', `/api/v1/algorithms/${t.id}/versions`);
  assert.deepEqual(hist.json.versions.map((v) => [v.version, v.status]), [[1, 'vervangen'], [2, 'gepubliceerd']]);
  const v1 = await anon('GET', `/api/v1/algorithms/${t.id}?version=1`);
  assert.equal(v1.status, 200, v1.text);
  assert.equal(v1.json.status, 'vervangen');

  // retracting removes it from the public register
  const rt = await makerGoe('POST', `/api/v1/algorithms/${t.id}/retract`, { json: { reason: 'Gestopt' } });
  assert.equal(rt.status, 200, rt.text);
  assert.equal(rt.json.published_version, null);
  assert.equal((await anon('GET', `/api/v1/algorithms/${t.id}`)).status, 404);
  assert.equal((await anon('GET', `/api/v1/algorithms/${t.id}/versions`)).status, 404);
  assert.equal((await anon('GET', '/api/v1/algorithms?q=zichtbaar')).json.total, 0);
  assert.ok(!(await anon('GET', '/api/v1/export?format=json')).json.some((x) => x.lars === t.id));
  const m = await makerRed('GET', `/api/v1/algorithms/${t.id}`);
  assert.equal(m.json.status, 'teruggetrokken');
});

// ---- security headers -------------------------------------------------------------

test('security headers on JSON, error and 404 responses', async () => {
  const s = await sessionClient(srv.base, sessUser.email);
  const responses = {
    'GET /healthz': await anon('GET', '/healthz'),
    'GET /api/v1/algorithms': await anon('GET', '/api/v1/algorithms'),
    '404 unknown route': await anon('GET', '/no/such/page'),
    '404 unknown algorithm': await anon('GET', `/api/v1/algorithms/${UNKNOWN_ID}`),
    '400 invalid parameter': await anon('GET', '/api/v1/algorithms?limit=0'),
    '401 anonymous': await anon('GET', '/api/v1/session'),
    '401 bad token': await bearerClient(srv.base, 'nope')('GET', '/api/v1/tokens'),
    '403 csrf': await s.request('POST', '/api/v1/tokens', { json: { name: 'x' }, headers: { 'X-CSRF-Token': null } }),
    '405': await anon('DELETE', '/healthz'),
    '415': await makerRed('POST', `/api/v1/organisations/${O}/algorithms`, { body: 'x', headers: { 'Content-Type': 'text/plain' } }),
    'CSV export': await anon('GET', '/api/v1/export?format=csv'),
    'HTML page /': await anon('GET', '/'),
  };
  for (const [what, r] of Object.entries(responses)) {
    const csp = r.headers.get('content-security-policy') || '';
    assert.ok(csp, `${what}: no Content-Security-Policy`);
    assert.ok(!/unsafe-inline|unsafe-eval/.test(csp), `${what}: ${csp}`);
    assert.match(csp, /frame-ancestors 'none'/, `${what}: ${csp}`);
    const scriptSrc = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1] ?? /(?:^|;)\s*default-src ([^;]*)/.exec(csp)?.[1];
    assert.ok(scriptSrc && !scriptSrc.includes('*'), `${what}: scripts from anywhere: ${csp}`);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', what);
    assert.ok(['same-origin', 'no-referrer', 'strict-origin', 'strict-origin-when-cross-origin'].includes(r.headers.get('referrer-policy')),
      `${what}: Referrer-Policy ${r.headers.get('referrer-policy')}`);
    assert.equal(r.headers.get('x-frame-options'), 'DENY', what);
    assert.equal(r.headers.get('strict-transport-security'), null, `${what}: HSTS on plain HTTP`);
  }
});

// ---- XSS corpus -----------------------------------------------------------------

// Fields of the register's field configuration: HTML (allowed_html_tags), web
// addresses and e-mail (validated formats) and plain text; dates are too short.
const CONFIG = JSON.parse(readFileSync(path.join(REPO_ROOT, 'data', 'register', 'backend-config-v1_0.json'), 'utf8')).properties;
const URL_FIELDS = ['website', 'url', 'process_index_url', 'publiccode'];
const SKIP = new Set(['organization', 'lars', 'publication_dt', 'begin_date', 'end_date', 'contact_email', ...URL_FIELDS]);
const TEXT_FIELDS = Object.entries(CONFIG).filter(([k, v]) => v.type === 'string' && !SKIP.has(k)).map(([k, v]) => [k, v]);
const GROUPINGS = Object.entries(CONFIG).filter(([, v]) => v.type === 'array' && v.items?.title).map(([k, v]) => [k, v]);
const ALLOWED_TAGS = new Set(['div', 'br', 'p', 'ul', 'ol', 'li']);

const CORPUS = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '<<script>script>alert(1)<</script>/script>',
  '<img src=x onerror=alert(1)>',
  '<p onclick="alert(1)">klik</p>',
  '<p/onmouseover=alert(1)>x</p>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<a href="javascript:alert(1)">link</a>',
  '<a href="jav&#x09;ascript:alert(1)">link</a>',
  '<svg><script>alert(1)</script></svg>',
  '<svg onload=alert(1)>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<!--<script>alert(1)</script>-->',
  '<![CDATA[<script>alert(1)</script>]]>',
  '<p>niet gesloten <li>lijst <ul',
  '"><script>alert(1)</script>',
  '\'><img src=x onerror=alert(1)>',
  '</textarea><script>alert(1)</script>',
  '<style>*{x:expression(alert(1))}</style>',
  '<p\tonclick=alert(1)>tab</p>',
  '<li onfocus=alert(1) autofocus>x</li>',
  'javascript:alert(document.cookie)',
  'regel\u2028scheiding\u2029alinea',
  '\uff1cscript\uff1ealert(1)\uff1c/script\uff1e',
  '\\u003cscript\\u003ealert(1)\\u003c/script\\u003e',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '<p>Ëën \u202eevil\u202c \u200bzero\u200b width</p>',
];

/** Every string in a JSON value, with its path. */
function strings(v, at = '') {
  if (typeof v === 'string') return [[at, v]];
  if (Array.isArray(v)) return v.flatMap((x, i) => strings(x, `${at}[${i}]`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => strings(x, at ? `${at}.${k}` : k));
  return [];
}

/** Problems of one JSON response: raw < > & or U+2028/9, tags with attributes, scripts. */
function unsafe(r, where) {
  const problems = [];
  const raw = /[<>&\u2028\u2029]/.exec(r.text);
  if (raw) problems.push(`${where}: raw ${JSON.stringify(raw[0])} in the JSON text near ${JSON.stringify(r.text.slice(Math.max(0, raw.index - 40), raw.index + 40))}`);
  for (const [at, s] of strings(r.json)) {
    for (const m of s.matchAll(/<\s*(\/?)\s*([a-zA-Z][a-zA-Z0-9:-]*)([^>]*)>?/g)) {
      const tag = m[2].toLowerCase();
      const attrs = m[3].replace(/\/$/, '').trim();
      if (!ALLOWED_TAGS.has(tag)) problems.push(`${where} ${at}: tag <${m[1]}${tag}> survived in ${JSON.stringify(s.slice(0, 120))}`);
      else if (attrs) problems.push(`${where} ${at}: attribute ${JSON.stringify(attrs)} survived`);
    }
    if (/javascript:/i.test(s) && /href|src|url\(/i.test(s)) problems.push(`${where} ${at}: javascript: URL in markup survived`);
    if (/<\s*script/i.test(s)) problems.push(`${where} ${at}: script survived`);
  }
  return problems;
}

let xssIds = [];

test('XSS corpus in every text field comes back escaped in JSON (no raw < > & U+2028)', { timeout: 60000 }, async () => {
  const problems = [];
  xssIds = [];
  for (const [i, payload] of CORPUS.entries()) {
    const rec = fullRecord({ name: `XSS ${i}` });
    for (const [k, spec] of TEXT_FIELDS) rec[k] = (k === 'name' ? `XSS ${i} ` : k === 'source_id' ? `xss-${i}-` : '') + payload.slice(0, (spec.max_length || 100) - 10);
    for (const [k] of GROUPINGS) rec[k] = [{ title: payload.slice(0, 90), link: 'https://example.nl/wet' }];
    const c = await makerRed('POST', `/api/v1/organisations/${O}/algorithms`, { json: rec });
    if (c.status !== 201) { problems.push(`payload ${i}: create ${c.status} ${c.text.slice(0, 200)}`); continue; }
    xssIds.push(c.json.id);
    for (const [at, s] of strings(c.json.record)) {
      if (s.includes('\u2028') || s.includes('\u2029')) continue; // kept as text: fine, escaped on the wire
      if (/\uff1c/.test(payload) && /<\s*script/i.test(s)) problems.push(`payload ${i} ${at}: fullwidth < became a tag`);
    }
    const raw = /[<>&\u2028\u2029]/.exec(c.text);
    if (raw) problems.push(`payload ${i}: raw ${JSON.stringify(raw[0])} in the create response`);
    const g = await makerRed('GET', `/api/v1/algorithms/${c.json.id}`);
    const rawG = /[<>&\u2028\u2029]/.exec(g.text);
    if (rawG) problems.push(`payload ${i}: raw ${JSON.stringify(rawG[0])} in GET`);
  }
  for (const [what, r] of [
    ['workspace list', await makerRed('GET', '/api/v1/algorithms?view=workspace&q=XSS&limit=100')],
    ['workspace export', await makerRed('GET', '/api/v1/export?format=json&view=workspace')],
    ['error echoing input', await anon('GET', `/api/v1/organisations/${encodeURIComponent('<script>alert(1)</script>')}`)],
    ['error echoing a parameter', await anon('GET', `/api/v1/algorithms?status=${encodeURIComponent('<img src=x onerror=alert(1)>')}`)],
  ]) {
    assert.ok(r.status < 500, `${what}: ${r.status}`);
    const raw = /[<>&\u2028\u2029]/.exec(r.text);
    if (raw) problems.push(`${what}: raw ${JSON.stringify(raw[0])} near ${JSON.stringify(r.text.slice(Math.max(0, raw.index - 60), raw.index + 60))}`);
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('XSS corpus: web-address fields refuse javascript: and markup (422 invalid_format)', async () => {
  const problems = [];
  for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)', '"><script>alert(1)</script>', 'https://example.nl/"onmouseover="alert(1)', 'https://example.nl/<script>']) {
    for (const f of URL_FIELDS) {
      const r = await makerRed('POST', `/api/v1/organisations/${O}/algorithms`, { json: fullRecord({ [f]: bad }) });
      if (r.status !== 422 || !r.json.errors.some((e) => e.field === f && e.code === 'invalid_format')) {
        problems.push(`${f}=${JSON.stringify(bad)}: ${r.status} ${r.status === 201 ? `stored as ${JSON.stringify(r.json.record[f])}` : r.text.slice(0, 120)}`);
      }
    }
    for (const [g] of GROUPINGS) {
      const r = await makerRed('POST', `/api/v1/organisations/${O}/algorithms`, { json: fullRecord({ [g]: [{ title: 'Wet', link: bad }] }) });
      if (r.status !== 422) problems.push(`${g}[0].link=${JSON.stringify(bad)}: ${r.status}`);
    }
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

// Plain-text fields are text: they keep what was typed (a name may contain "<")
// and every rendering escapes them (tested above for JSON, below for HTML).
// HTML fields hold markup, so the sanitiser must leave only its allow-list.
test('XSS corpus: in HTML fields no script, no foreign tag and no attribute survives', async () => {
  assert.ok(xssIds.length > 0, 'needs the records of the corpus test');
  const htmlOnly = [];
  for (const id of xssIds) {
    const g = await makerRed('GET', `/api/v1/algorithms/${id}`);
    for (const [k, spec] of TEXT_FIELDS) {
      if (!spec.allowed_html_tags) continue;
      htmlOnly.push(...unsafe({ text: '', json: { [k]: g.json.record[k] } }, `${id}`));
    }
  }
  assert.deepEqual(htmlOnly, [], `HTML fields:\n${htmlOnly.join('\n')}`);
});

test('XSS corpus, published: the public JSON and the web UI\'s HTML pages keep it inert', { timeout: 60000 }, async () => {
  assert.ok(xssIds.length > 0, 'needs the records of the corpus test');
  for (const id of xssIds) {
    assert.equal((await makerRed('POST', `/api/v1/algorithms/${id}/release`)).status, 200);
    assert.equal((await makerGoe('POST', `/api/v1/algorithms/${id}/publish`)).status, 200);
  }
  const problems = [];
  for (const [what, r] of [['public list', await anon('GET', '/api/v1/algorithms?limit=100&q=XSS')],
    ['public export', await anon('GET', '/api/v1/export?format=json')]]) {
    const raw = /[<>&\u2028\u2029]/.exec(r.text);
    if (raw) problems.push(`${what}: raw ${JSON.stringify(raw[0])}`);
  }
  // HTML: only real tags (a literal '<') count; escaped text (&lt;...) is inert
  const liveMarkup = (html) => {
    const found = [];
    for (const m of html.matchAll(/<([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g)) {
      const [tag, name, attrs] = [m[0], m[1].toLowerCase(), m[2]];
      if (/(^|\s|\/)on[a-z]+\s*=/i.test(attrs)) found.push(`event handler in ${tag.slice(0, 80)}`);
      if (/(href|src|action|formaction|xlink:href)\s*=\s*["']?\s*(javascript|vbscript|data):/i.test(attrs)) found.push(`script URL in ${tag.slice(0, 80)}`);
      if (['iframe', 'object', 'embed', 'math', 'style', 'svg'].includes(name)) found.push(`<${name}> element`);
      if (name === 'script' && !/\ssrc\s*=\s*["']?\/static\//i.test(attrs)) found.push(`inline or foreign script ${tag.slice(0, 80)}`);
    }
    return found;
  };
  for (const [i, id] of xssIds.entries()) {
    const r = await anon('GET', `/algoritmes/${id}`);
    if (r.status !== 200) { problems.push(`/algoritmes/${id}: ${r.status}`); continue; }
    for (const f of liveMarkup(r.text)) problems.push(`/algoritmes/${id} (payload ${i}): ${f}`);
  }
  const search = await anon('GET', '/?q=XSS');
  assert.equal(search.status, 200);
  for (const f of liveMarkup(search.text)) problems.push(`/?q=XSS: ${f}`);
  assert.deepEqual(problems, [], problems.join('\n'));
});

// ---- audit ----------------------------------------------------------------------

test('audit: the chain is intact after all of the above (CLI exit 0; API for operators)', async () => {
  const v = auditVerify(srv.db);
  assert.equal(v.status, 0, `aireg audit verify: exit ${v.status}: ${v.stdout}${v.stderr}`);
  const api = await actor.operator.api('GET', '/api/v1/audit/verify');
  assert.equal(api.status, 200, api.text);
  assert.equal(api.json.intact, true, api.text);
  assert.equal(typeof api.json.message, 'string');
  assert.equal((await actor.beheerder.api('GET', '/api/v1/audit/verify')).status, 403);
  assert.equal((await anon('GET', '/api/v1/audit/verify')).status, 401);
  const x = runCli(['audit', 'export', '--db', srv.db]);
  assert.equal(x.status, 0, x.stderr);
  const rows = x.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const actions = new Set(rows.map((r) => r.action));
  for (const a of ['algorithm.create', 'algorithm.update', 'algorithm.release', 'algorithm.publish', 'algorithm.reject',
    'algorithm.retract', 'algorithm.archive', 'organisation.create', 'organisation.mode', 'user.create', 'role.grant',
    'user.login', 'user.login_failed', 'user.activate', 'user.reset', 'user.disable', 'token.create', 'token.revoke']) {
    assert.ok(actions.has(a), `no audit row ${a} (have ${[...actions].sort().join(', ')})`);
  }
  // refused requests (CSRF, wrong role) left no change behind in the trail either
  assert.ok(!rows.some((r) => JSON.stringify(r).includes('Zonder CSRF') || JSON.stringify(r).includes('Lezer schrijft')));
});

// ---- throttling (own server: failures count per address) -----------------------------

test('throttling: 3 failures then 429 with Retry-After; unknown account and wrong password answer alike', { timeout: 30000 }, async () => {
  const t = await startServer();
  try {
    const known = addUser(t.db, { roles: [[O, 'lezer']], password: PASSWORD, email: newEmail('bekend') }).email;
    const other = addUser(t.db, { roles: [[O, 'lezer']], password: PASSWORD, email: newEmail('ander') }).email;
    const unknown = newEmail('onbekend');
    const post = (addr, email, password) => requestFrom(addr, t.port, 'POST', '/api/v1/session', { json: { email, password } });
    const shape = (r) => ({ status: r.status, keys: Object.keys(r.json || {}).sort(), error: r.json?.error, message: r.json?.message });

    // The server counts in whole seconds: the first wait (1 s) ends at the next full
    // second after the third failure. Each third failure is therefore made just after a
    // second begins, so that the next attempt (milliseconds later) falls inside the wait.
    const atSecondStart = () => new Promise((res) => setTimeout(res, 1000 - (Date.now() % 1000) + 15));

    // per account: three wrong passwords (from three addresses), then even the right one waits
    const wrong = [];
    const unk = [];
    for (const [addr, email, into] of [['127.0.0.31', known, wrong], ['127.0.0.32', known, wrong],
      ['127.0.0.41', unknown, unk], ['127.0.0.42', unknown, unk]]) into.push(await post(addr, email, 'fout wachtwoord 123'));
    await atSecondStart();
    wrong.push(await post('127.0.0.33', known, 'fout wachtwoord 123'));
    const t429 = await post('127.0.0.34', known, PASSWORD);
    await atSecondStart();
    unk.push(await post('127.0.0.43', unknown, 'fout wachtwoord 123'));
    const u429 = await post('127.0.0.44', unknown, 'fout wachtwoord 123');
    for (const r of [...wrong, ...unk]) {
      assert.equal(r.status, 401, r.text);
      assert.equal(r.json.error, 'login_failed');
      assert.equal(r.headers['set-cookie'], undefined, 'no cookie on a failed log-in');
    }
    assert.deepEqual(shape(unk[0]), shape(wrong[0]), 'an unknown account answers like a wrong password');
    for (const r of [t429, u429]) {
      assert.equal(r.status, 429, r.text);
      assert.equal(r.json.error, 'too_many_attempts');
      assert.match(String(r.headers['retry-after']), /^[1-9][0-9]*$/, `Retry-After: ${r.headers['retry-after']}`);
      assert.equal(r.headers['set-cookie'], undefined);
    }
    assert.deepEqual([u429.status, shape(u429).keys, u429.json.error], [t429.status, shape(t429).keys, t429.json.error]);

    // per address: three failures on three accounts, then a good log-in from that address waits
    for (const email of [newEmail('x'), newEmail('y')]) assert.equal((await post('127.0.0.51', email, 'fout wachtwoord 123')).status, 401);
    await atSecondStart();
    assert.equal((await post('127.0.0.51', newEmail('z'), 'fout wachtwoord 123')).status, 401);
    const a429 = await post('127.0.0.51', other, PASSWORD);
    assert.equal(a429.status, 429, a429.text);
    assert.ok(Number(a429.headers['retry-after']) >= 1);
    assert.equal((await post('127.0.0.52', other, PASSWORD)).status, 200, 'another address is not throttled');

    // after Retry-After the right password works again (and clears the account's count)
    await new Promise((res) => setTimeout(res, Number(t429.headers['retry-after']) * 1000 + 1100));
    const ok = await post('127.0.0.35', known, PASSWORD);
    assert.equal(ok.status, 200, ok.text);
    const v = auditVerify(t.db);
    assert.equal(v.status, 0, v.stderr);
  } finally {
    await t.stop();
  }
});
