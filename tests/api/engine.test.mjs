// The AI Act engine over HTTP and the CLI (issue 3):
//   POST /api/v1/assess            profile in, assessment out (public, stateless)
//   POST /api/v1/classify          Beslishulp answers in: labels, trace, conclusion or next question
//   GET/PUT /api/v1/algorithms/{id}/classification   stored per algorithm (tenant-separated)
//   aireg classify | assess | screen
// Re-evaluation after a rule-pack change is tested in tests/unit/test_classify.c (it needs
// SQL on the database, which the API does not offer).
//
// The expected values come from the law as the pack encodes it (rules/timelines.yaml,
// rules/obligations.yaml, docs/ai-act-engine.md) and were checked by hand against
// ../shared/AI-ACT.md; each case names the articles that decide it.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, client, runCli, fullRecord, userWithToken, tempDir, SEED_FILE, isValidLars,
} from './server.mjs';
import {
  readOracle, sample, byteSort, headline, obligationKeys, auditRows,
} from './engine-helpers.mjs';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const SEED = 20261128; // fixed: the same oracle lines every run

// The dates of rules/timelines.yaml (AI-ACT.md, "Timeline").
const D = {
  original: { annex3: '2026-08-02', annex1: '2027-08-02', transparency: '2026-08-02', marking_legacy: '2026-08-02' },
  omnibus: { annex3: '2027-12-02', annex1: '2028-08-02', transparency: '2026-08-02', marking_legacy: '2026-12-02' },
};
const LEGACY_PUBLIC = '2030-08-02'; // Art. 111(2), second sentence, both timelines
const PROHIBITIONS = '2025-02-02';  // Art. 113(a), both timelines
const TIMELINES = ['original', 'omnibus'];

const A = 'Hoog-risico AI-systeem';
const B = 'Impactvolle algoritmes';
const C = 'Overige algoritmes';
const HR = 'hoog-risico AI';
const NHR = 'geen hoog-risico AI';
const DEPLOYER = ['gebruiksverantwoordelijke'];
const IN_HOUSE = ['aanbieder', 'gebruiksverantwoordelijke'];

const hr = (extra = {}) => (tl) => ({
  risk_group: HR, publication_category: A, fria_required: true, eu_registration: 'eu-public',
  high_risk_applies_from: D[tl].annex3, ...(typeof extra === 'function' ? extra(tl) : extra),
});
const none = (risk_group, publication_category) => () => ({
  risk_group, publication_category, fria_required: false, eu_registration: 'none', high_risk_applies_from: null,
});

// Municipal cases. expect(timeline) -> the five headline values; more(assessment, timeline)
// checks obligations or transparency where the case is about them.
const CASES = [
  {
    name: 'benefits eligibility (Annex III 5(a)), deployed by a municipality',
    // Art. 6(2) + Annex III 5(a): high-risk; Art. 27(1): public body deployer -> FRIA;
    // Art. 49(3): public-authority deployer registers in the EU database; Art. 113 date.
    profile: { type: 'AI-systeem', roles: DEPLOYER, annex3: '5(a)', impactful: true },
    expect: hr(),
    more(a, tl) {
      const k = obligationKeys(a);
      for (const art of ['Art. 26(1)', 'Art. 26(8)', 'Art. 27', 'Art. 49(3)', 'Art. 26(11)', 'Art. 86']) {
        assert.ok(k.includes(`${art}|gebruiksverantwoordelijke|${D[tl].annex3}`), `${art} missing: ${k}`);
      }
      // a deployer only: no provider duties
      assert.ok(!a.obligations.some((o) => o.role === 'aanbieder'), k.join('\n'));
    },
  },
  {
    name: 'fraud risk scoring of benefit recipients with profiling',
    profile: { type: 'AI-systeem', roles: DEPLOYER, annex3: '5(a)', profiling: true },
    expect: hr(),
  },
  {
    name: 'fraud risk scoring claiming Art. 6(3)(d) while profiling: still high-risk',
    // Art. 6(3), third subparagraph: an Annex III system that profiles is always high-risk.
    profile: { type: 'AI-systeem', roles: DEPLOYER, annex3: '5(a)', art6_3: 'd', profiling: true },
    expect: hr(),
  },
  {
    name: 'Art. 6(3)(a) narrow procedural task without profiling, built in-house',
    // not high-risk; the provider documents (6(4)) and registers (49(2)) -> eu-public;
    // impactful -> category B; no FRIA, no high-risk date.
    profile: { type: 'AI-systeem', roles: IN_HOUSE, annex3: '5(a)', art6_3: 'a', impactful: true },
    expect: () => ({
      risk_group: NHR, publication_category: B, fria_required: false, eu_registration: 'eu-public',
      high_risk_applies_from: null,
    }),
    more(a, tl) {
      const k = obligationKeys(a);
      assert.ok(k.includes(`Art. 6(4)|aanbieder|${D[tl].annex3}`), k.join('\n'));
      assert.ok(k.includes(`Art. 49(2)|aanbieder|${D[tl].annex3}`), k.join('\n'));
      assert.ok(!k.some((x) => x.startsWith('Art. 26(') || x.startsWith('Art. 27|')), k.join('\n'));
    },
  },
  {
    name: 'Art. 6(3) system bought from a supplier: the deployer registers nothing',
    // Art. 49(2) is the provider's duty.
    profile: { type: 'AI-systeem', roles: DEPLOYER, annex3: '4(a)', art6_3: 'd' },
    expect: none(NHR, C),
  },
  {
    name: 'CV screening in recruitment (Annex III 4(a))',
    profile: { type: 'AI-systeem', roles: DEPLOYER, annex3: '4(a)' },
    expect: hr(),
    more(a, tl) {
      // Art. 26(7): inform workers' representatives (workplace use)
      assert.ok(obligationKeys(a).includes(`Art. 26(7)|gebruiksverantwoordelijke|${D[tl].annex3}`));
    },
  },
  {
    name: 'traffic light control (Annex III 2): no FRIA, national registration',
    // Art. 27(1) excepts point 2; Art. 49(5): registered nationally.
    profile: { type: 'AI-systeem', roles: DEPLOYER, annex3: '2' },
    expect: hr({ fria_required: false, eu_registration: 'national' }),
    more(a, tl) {
      const k = obligationKeys(a);
      assert.ok(k.includes(`Art. 49(5)|gebruiksverantwoordelijke|${D[tl].annex3}`), k.join('\n'));
      for (const art of ['Art. 27', 'Art. 49(3)', 'Art. 26(11)', 'Art. 86']) {
        assert.ok(!k.some((x) => x.startsWith(`${art}|`)), `${art} must not apply to point 2: ${k}`);
      }
    },
  },
  {
    name: 'emergency call triage by a safety region (Annex III 5(d))',
    profile: { type: 'AI-systeem', roles: DEPLOYER, annex3: '5(d)' },
    expect: hr(),
  },
  {
    name: 'school assignment (Annex III 3(a))',
    profile: { type: 'AI-systeem', roles: DEPLOYER, annex3: '3(a)', impactful: true },
    expect: hr(),
  },
  {
    name: 'camera face recognition for enforcement (Annex III 1(a), law enforcement): secure registration',
    // Art. 49(4): points 1, 6, 7 in law enforcement go to the secure section.
    profile: { type: 'AI-systeem', roles: DEPLOYER, annex3: '1(a)', law_enforcement: true },
    expect: hr({ eu_registration: 'eu-secure' }),
    more(a, tl) {
      const k = obligationKeys(a);
      assert.ok(k.includes(`Art. 49(4)|gebruiksverantwoordelijke|${D[tl].annex3}`), k.join('\n'));
      assert.ok(k.includes(`Art. 26(10)|gebruiksverantwoordelijke|${D[tl].annex3}`), k.join('\n'));
    },
  },
  {
    name: 'in-house chatbot (Art. 50(1)), provider and deployer',
    profile: { type: 'AI-systeem', roles: IN_HOUSE, art50: ['50(1)'] },
    expect: none(NHR, C),
    more(a, tl) {
      assert.ok(a.transparency.some((t) => t.article === 'Art. 50(1)' && t.applies_from === D[tl].transparency),
        JSON.stringify(a.transparency));
    },
  },
  {
    name: 'generative assistant on the market since 2025 (Art. 50(2)): the Omnibus delays marking',
    profile: { type: 'AI-systeem', roles: IN_HOUSE, art50: ['50(1)', '50(2)'], in_service_since: '2025-06-01' },
    expect: none(NHR, C),
    more(a, tl) {
      const t = a.transparency.find((x) => x.article === 'Art. 50(2)');
      assert.ok(t, JSON.stringify(a.transparency));
      assert.equal(t.applies_from, D[tl].marking_legacy);
    },
  },
  {
    name: 'deep fake in a municipal campaign (Art. 50(4))',
    profile: { type: 'AI-systeem', roles: DEPLOYER, art50: ['50(4)-deepfake'] },
    expect: none(NHR, C),
    more(a, tl) {
      assert.ok(a.transparency.some((t) => t.article === 'Art. 50(4)' && t.role === 'gebruiksverantwoordelijke' &&
        t.applies_from === D[tl].transparency), JSON.stringify(a.transparency));
    },
  },
  {
    name: 'emotion recognition of employees (prohibited, Art. 5(1)(f))',
    // Every Art. 5 practice affects people: category B; only the Art. 5 duty (stop).
    profile: { type: 'AI-systeem', roles: DEPLOYER, prohibited: '5(1)(f)' },
    expect: none('verboden AI', B),
    more(a) {
      assert.deepEqual(obligationKeys(a), [`Art. 5(1)(f)|gebruiksverantwoordelijke|${PROHIBITIONS}`]);
      assert.deepEqual(a.transparency, []);
    },
  },
  {
    name: 'rule-based fine calculation (no AI Act, category B)',
    profile: { type: 'impactvol algoritme' },
    expect: none('niet van toepassing', B),
    more(a) { assert.deepEqual(a.obligations, []); },
  },
  {
    name: 'national security exclusion (Art. 2(3))',
    profile: { type: 'AI-systeem', roles: DEPLOYER, exclusion: '2(3)' },
    expect: none('uitzondering van toepassing', C),
  },
  {
    name: 'public benefits system in service since 2023: 2 Aug 2030 (Art. 111(2))',
    profile: { type: 'AI-systeem', roles: DEPLOYER, annex3: '5(a)', in_service_since: '2023-03-01' },
    expect: hr({ high_risk_applies_from: LEGACY_PUBLIC }),
    more(a) {
      assert.ok(obligationKeys(a).includes(`Art. 27|gebruiksverantwoordelijke|${LEGACY_PUBLIC}`));
    },
  },
  {
    name: 'in service since 2023 with a significant change: the Annex III date',
    profile: { type: 'AI-systeem', roles: DEPLOYER, annex3: '5(a)', in_service_since: '2023-03-01', significant_change: true },
    expect: hr(),
  },
  {
    name: 'in service since January 2027: before the Omnibus cut-off only',
    // original: cut-off 2 Aug 2026 has passed -> Annex III date; omnibus: cut-off 2 Dec 2027 -> 2030.
    profile: { type: 'AI-systeem', roles: DEPLOYER, annex3: '3(a)', in_service_since: '2027-01-15' },
    expect: hr((tl) => ({ high_risk_applies_from: tl === 'omnibus' ? LEGACY_PUBLIC : D.original.annex3 })),
  },
  {
    name: 'private deployer, in service since 2023: covered only after a significant change',
    profile: { type: 'AI-systeem', roles: DEPLOYER, annex3: '4(a)', in_service_since: '2023-03-01', public_authority: false },
    expect: () => ({
      risk_group: HR, publication_category: A, fria_required: false, eu_registration: 'none',
      high_risk_applies_from: null,
    }),
    more(a) { assert.ok(!a.obligations.some((o) => o.article === 'Art. 26(1)'), obligationKeys(a).join('\n')); },
  },
  {
    name: 'private entity providing public services: FRIA, but no deployer registration',
    // Art. 27(1) names private entities providing public services; Art. 49(3) only public authorities.
    profile: { type: 'AI-systeem', roles: DEPLOYER, annex3: '5(a)', public_authority: false, public_service: true },
    expect: hr({ eu_registration: 'none' }),
  },
  {
    name: 'in-house high-risk system: provider and deployer obligations both',
    profile: { type: 'AI-systeem', roles: IN_HOUSE, annex3: '5(a)' },
    expect: hr(),
    more(a, tl) {
      const k = obligationKeys(a);
      const d = D[tl].annex3;
      for (const art of ['Art. 9', 'Art. 10', 'Art. 11', 'Art. 14', 'Art. 16(l)', 'Art. 17', 'Art. 43', 'Art. 49(1)', 'Art. 72', 'Art. 73']) {
        assert.ok(k.includes(`${art}|aanbieder|${d}`), `${art} (provider) missing: ${k}`);
      }
      for (const art of ['Art. 26(1)', 'Art. 26(2)', 'Art. 26(6)', 'Art. 27', 'Art. 49(3)']) {
        assert.ok(k.includes(`${art}|gebruiksverantwoordelijke|${d}`), `${art} (deployer) missing: ${k}`);
      }
    },
  },
  {
    name: 'safety component of an Annex I product: Art. 113(c) date, no Art. 49 registration',
    profile: { type: 'AI-systeem', roles: IN_HOUSE, annex1: true },
    expect: (tl) => ({
      risk_group: HR, publication_category: A, fria_required: false, eu_registration: 'none',
      high_risk_applies_from: D[tl].annex1,
    }),
  },
  {
    name: 'the Omnibus ban on intimate imagery (5-ncii) is not law in the original text',
    profile: { type: 'AI-systeem', roles: DEPLOYER, prohibited: '5-ncii' },
    expect: (tl) => (tl === 'omnibus' ? none('verboden AI', B)() : none(NHR, C)()),
    more(a, tl) {
      if (tl === 'omnibus') {
        assert.ok(a.obligations.some((o) => o.applies_from === '2026-12-02' && o.role === 'gebruiksverantwoordelijke'),
          obligationKeys(a).join('\n'));
      } else {
        assert.ok(a.trace.some((t) => JSON.stringify(t).includes('5-ncii')), 'disregarding 5-ncii must be traced');
      }
    },
  },
];

let srv;
let anon;

before(async () => {
  srv = await startServer();
  anon = client(srv.base);
});
after(async () => { await srv?.stop(); });

const assess = (profile, rules) =>
  anon('POST', `/api/v1/assess${rules === undefined ? '' : `?rules=${encodeURIComponent(rules)}`}`, { json: profile });

// ---------------------------------------------------------------------------
describe('POST /api/v1/assess', () => {
  for (const c of CASES) {
    for (const tl of TIMELINES) {
      test(`${c.name} [${tl}]`, async () => {
        const r = await assess(c.profile, tl);
        assert.equal(r.status, 200, r.text);
        assert.match(r.headers.get('content-type') || '', /^application\/json/);
        assert.deepEqual(headline(r.json), c.expect(tl));
        assert.equal(r.json.rules.timeline, tl);
        assert.equal(r.json.rules.pack, 'aireg-ai-act-nl');
        for (const o of r.json.obligations) {
          for (const k of ['article', 'role', 'applies_from', 'title_nl', 'title_en']) {
            assert.equal(typeof o[k], 'string', `obligation ${JSON.stringify(o)} lacks ${k}`);
          }
          assert.match(o.applies_from, /^\d{4}-\d{2}-\d{2}$/);
        }
        assert.ok(Array.isArray(r.json.transparency));
        const rg = r.json.trace.find((t) => t.conclusion === 'risk_group');
        assert.ok(rg && rg.value === r.json.risk_group && rg.articles.length > 0 && rg.fields.includes('type'),
          `risk_group trace: ${JSON.stringify(rg)}`);
        c.more?.(r.json, tl);
      });
    }
  }

  test('without ?rules the pack default (omnibus) is used and the profile is echoed with defaults', async () => {
    const r = await assess({ type: 'AI-systeem', roles: DEPLOYER, annex3: '5(a)' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.rules.timeline, 'omnibus');
    assert.equal(r.json.high_risk_applies_from, D.omnibus.annex3);
    assert.equal(r.json.profile.public_authority, true);
    assert.equal(r.json.profile.profiling, false);
    assert.equal(r.json.profile.in_service_since, null);
    assert.deepEqual(r.json.profile.art50, []);
  });

  const BAD = [
    ['type missing', {}, 'type'],
    ['unknown type', { type: 'robot', roles: DEPLOYER }, 'type'],
    ['type null', { type: null, roles: DEPLOYER }, 'type'],
    ['AI system without roles', { type: 'AI-systeem' }, 'roles'],
    ['roles not a list', { type: 'AI-systeem', roles: 'aanbieder' }, 'roles'],
    ['unknown role', { type: 'AI-systeem', roles: ['burgemeester'] }, 'roles'],
    ['duplicate role', { type: 'AI-systeem', roles: ['aanbieder', 'aanbieder'] }, 'roles'],
    ['unknown field', { type: 'AI-systeem', roles: DEPLOYER, risk: 'high' }, 'risk'],
    ['boolean as string', { type: 'AI-systeem', roles: DEPLOYER, profiling: 'ja' }, 'profiling'],
    ['impossible date', { type: 'AI-systeem', roles: DEPLOYER, in_service_since: '2023-02-30' }, 'in_service_since'],
    ['unknown Annex III point', { type: 'AI-systeem', roles: DEPLOYER, annex3: '9(z)' }, 'annex3'],
    ['unknown Art. 50 case', { type: 'AI-systeem', roles: DEPLOYER, art50: ['50(9)'] }, 'art50'],
    ['Art. 5 practice with an Art. 2 exclusion', { type: 'AI-systeem', roles: DEPLOYER, exclusion: '2(3)', prohibited: '5(1)(c)' }, 'exclusion'],
    ['Art. 6(3) without Annex III', { type: 'AI-systeem', roles: DEPLOYER, art6_3: 'a' }, 'art6_3'],
    ['Annex III on a rule-based algorithm', { type: 'impactvol algoritme', annex3: '5(a)' }, 'annex3'],
    ['open-source exclusion for a high-risk system', { type: 'AI-systeem', roles: DEPLOYER, exclusion: '2(12)', annex3: '4(a)' }, 'exclusion'],
    ['Art. 25 shift on a system that is not high-risk', { type: 'AI-systeem', roles: DEPLOYER, art25: 'a' }, 'art25'],
    ['significant change without a date', { type: 'AI-systeem', roles: DEPLOYER, significant_change: true }, 'significant_change'],
    ['public service and public authority', { type: 'AI-systeem', roles: DEPLOYER, public_service: true }, 'public_service'],
    ['systemic risk on an AI system', { type: 'AI-systeem', roles: IN_HOUSE, systemic_risk: true }, 'systemic_risk'],
    ['not impactful yet impactful', { type: 'niet-impactvol algoritme', impactful: true }, 'impactful'],
  ];
  for (const [name, profile, field] of BAD) {
    test(`bad profile: ${name} -> 422 naming ${field}`, async () => {
      const r = await assess(profile, 'omnibus');
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.status, 422);
      assert.ok(Array.isArray(r.json.errors) && r.json.errors.length > 0, r.text);
      assert.equal(r.json.errors[0].field, field, r.text);
      assert.equal(typeof r.json.errors[0].message, 'string');
      assert.ok(r.json.message.includes(field), r.text);
    });
  }

  test('unknown timeline -> 400 naming it', async () => {
    for (const q of ['draft', '', 'OMNIBUS']) {
      const r = await assess({ type: 'AI-systeem', roles: DEPLOYER }, q);
      assert.equal(r.status, 400, `rules=${q}: ${r.text}`);
      assert.equal(r.json.status, 400);
      assert.ok(r.json.message.includes(`"${q}"`), r.text);
    }
  });

  test('malformed JSON -> 400 with line and column; duplicate keys refused', async () => {
    const r = await anon('POST', '/api/v1/assess', {
      body: '{"type": "AI-systeem",\n "roles": [}', headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error, 'malformed_json');
    assert.equal(r.json.line, 2);
    assert.ok(r.json.column >= 1);
    const d = await anon('POST', '/api/v1/assess', {
      body: '{"type": "AI-systeem", "type": "geen algoritme"}', headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(d.status, 400, d.text);
    assert.equal(d.json.error, 'malformed_json');
  });

  test('a body that is not JSON -> 415', async () => {
    const r = await anon('POST', '/api/v1/assess', { body: 'type=AI-systeem', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(r.status, 415, r.text);
  });
});

// ---------------------------------------------------------------------------
const ORACLE = readOracle();

describe('POST /api/v1/classify', () => {
  test('the oracle has every path', () => {
    assert.equal(ORACLE.length, 3140);
  });

  for (const row of sample(ORACLE, 20, SEED)) {
    test(`complete path -> ${row.conclusion}: ${row.path}`, async () => {
      const r = await anon('POST', '/api/v1/classify', { json: { answers: row.path } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.conclusion?.id, row.conclusion, r.text);
      assert.deepEqual(byteSort(r.json.labels), row.labels);
      assert.equal(new Set(r.json.labels).size, r.json.labels.length, 'labels repeat');
      assert.equal(r.json.next_question, null);
      assert.deepEqual(r.json.trace.map((s) => [s.question_id, s.answer_index]), row.answers);
      assert.ok(typeof r.json.conclusion.text === 'string' && r.json.conclusion.text.length > 0);
    });
  }

  test('a partial path returns the next question with its answers', async () => {
    const rows = sample(ORACLE.filter((x) => x.answers.length >= 4), 5, SEED + 1);
    for (const row of rows) {
      const k = 1 + (row.answers.length % (row.answers.length - 1)); // 1 .. n-1 answers
      const partial = row.answers.slice(0, k).map(([q, i]) => `${q}=${i}`).join(',');
      const r = await anon('POST', '/api/v1/classify', { json: { answers: partial } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.conclusion, null, `${partial}: ${r.text}`);
      const next = r.json.next_question;
      assert.equal(next?.id, row.answers[k][0], `${partial}: ${r.text}`);
      assert.equal(typeof next.text, 'string');
      assert.ok(Array.isArray(next.answers) && next.answers.length > row.answers[k][1], r.text);
      assert.ok(next.answers.every((t) => typeof t === 'string' && t.length > 0));
      assert.equal(r.json.trace.length, k);
    }
  });

  test('no answers yet -> the first question', async () => {
    const r = await anon('POST', '/api/v1/classify', { json: { answers: '' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.next_question.id, ORACLE[0].answers[0][0]);
    assert.deepEqual(r.json.labels, []);
  });

  const BAD_PATHS = [
    ['index out of range', '1.1=9'],
    ['a question not on the path', '1.1=0,1.3=0'],
    ['not QUESTION=INDEX', 'ja,nee'],
    ['negative index', '1.1=-1'],
    ['answers after the conclusion', `${ORACLE[0].path},1.6=0`],
    ['an unknown question', '9.9=0'],
  ];
  for (const [name, answers] of BAD_PATHS) {
    test(`bad path (${name}) -> 422`, async () => {
      const r = await anon('POST', '/api/v1/classify', { json: { answers } });
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.status, 422);
      assert.equal(typeof r.json.message, 'string');
    });
  }

  test('answers that are not a string -> 422 (as PUT .../classification does)', async () => {
    for (const answers of [5, ['1.1=0'], { '1.1': 0 }]) {
      const r = await anon('POST', '/api/v1/classify', { json: { answers } });
      assert.equal(r.status, 422, `${JSON.stringify(answers)}: ${r.status} ${r.text.slice(0, 200)}`);
    }
  });

  test('malformed JSON -> 400', async () => {
    const r = await anon('POST', '/api/v1/classify', { body: '{"answers": "1.1=0"', headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error, 'malformed_json');
  });
});

// ---------------------------------------------------------------------------
describe('GET/PUT /api/v1/algorithms/{id}/classification', () => {
  const ORG = 'GM0363';   // Gemeente Amsterdam
  const OTHER = 'GM0518'; // Gemeente 's-Gravenhage
  let red;   // redacteur of ORG
  let goed;  // goedkeurder of ORG (publishes)
  let lez;   // lezer of ORG
  let other; // redacteur of OTHER
  let id;

  const PROFILE = { type: 'AI-systeem', roles: DEPLOYER, annex3: '5(a)', profiling: true, impactful: true };
  const url = () => `/api/v1/algorithms/${id}/classification`;

  before(async () => {
    red = userWithToken(srv, { roles: [[ORG, 'redacteur']], prefix: 'red' });
    goed = userWithToken(srv, { roles: [[ORG, 'goedkeurder']], prefix: 'goed' });
    lez = userWithToken(srv, { roles: [[ORG, 'lezer']], prefix: 'lez' });
    other = userWithToken(srv, { roles: [[OTHER, 'redacteur']], prefix: 'other' });
    const r = await red.api('POST', `/api/v1/organisations/${ORG}/algorithms`, {
      json: fullRecord({ name: 'Heronderzoek bijstand', publication_category: 'Hoog-risico AI-systeem' }),
    });
    assert.equal(r.status, 201, r.text);
    id = r.json.id;
  });

  test('no classification yet -> 404 for a member', async () => {
    const r = await red.api('GET', url());
    assert.equal(r.status, 404, r.text);
  });

  test('an unknown algorithm or a wrong check digit -> 404', async () => {
    for (const bad of ['12345678', `${id.slice(0, 7)}${(Number(id[7]) + 1) % 10}`]) {
      const g = await red.api('GET', `/api/v1/algorithms/${bad}/classification`);
      assert.equal(g.status, 404, g.text);
      const p = await red.api('PUT', `/api/v1/algorithms/${bad}/classification`, { json: { answers: '' } });
      assert.equal(p.status, 404, p.text);
    }
  });

  test('PUT by a lezer -> 403; by a redacteur of another organisation or anonymous -> 404 (draft)', async () => {
    const body = { json: { profile: PROFILE } };
    const l = await lez.api('PUT', url(), body);
    assert.equal(l.status, 403, l.text);
    const o = await other.api('PUT', url(), body);
    assert.equal(o.status, 404, o.text);
    const a = await anon('PUT', url(), body);
    assert.equal(a.status, 404, a.text);
    const g = await red.api('GET', url());
    assert.equal(g.status, 404, `nothing may have been stored: ${g.text}`);
  });

  let stored;
  test('PUT by the redacteur stores answers (canonicalised), profile and assessment', async () => {
    const row = ORACLE.find((x) => x.labels.includes('hoog-risico AI') && x.labels.includes('gebruiksverantwoordelijke'));
    assert.ok(row, 'an oracle path of a high-risk deployer');
    const spaced = row.answers.map(([q, i]) => ` ${q} = ${i} `).join(',');
    const r = await red.api('PUT', url(), { json: { answers: spaced, profile: PROFILE } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.id, id);
    assert.equal(r.json.answers, row.path);
    assert.deepEqual(byteSort(r.json.labels), row.labels);
    assert.equal(r.json.conclusion?.id, row.conclusion);
    assert.equal(r.json.next_question, null);
    assert.deepEqual(r.json.profile, PROFILE);
    assert.equal(r.json.timeline, null);
    assert.equal(r.json.pack_version, r.json.current_pack_version);
    assert.equal(r.json.reevaluation, null);
    assert.equal(r.json.updated_by, red.email);
    assert.deepEqual(r.json.warnings, []); // tree and assessment agree: high-risk

    const g = await red.api('GET', url());
    assert.equal(g.status, 200, g.text);
    assert.deepEqual(g.json, r.json);
    stored = g.json;
  });

  test('the change is in the audit trail: who, what (old -> new), and the chain is intact', () => {
    const rows = auditRows(srv.db).filter((x) => x.action === 'classification.update' && x.entity_id === id);
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0].actor, red.email);
    assert.deepEqual(rows[0].changes.answers, [null, stored.answers]);
    assert.deepEqual(rows[0].changes.risk_group, [null, 'hoog-risico AI']);
    assert.deepEqual(rows[0].changes.conclusion, [null, stored.conclusion.id]);
    const v = runCli(['audit', 'verify', '--db', srv.db]);
    assert.equal(v.status, 0, v.stderr);
  });

  test('the stored assessment equals POST /api/v1/assess for the same profile', async () => {
    const a = await assess(PROFILE);
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(stored.assessment, a.json);
    assert.equal(stored.assessment.high_risk_applies_from, D.omnibus.annex3);

    const p = await red.api('PUT', url(), { json: { timeline: 'original' } });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.timeline, 'original');
    assert.equal(p.json.answers, stored.answers, 'answers kept when absent');
    assert.deepEqual(p.json.profile, PROFILE, 'profile kept when absent');
    const o = await assess(PROFILE, 'original');
    assert.deepEqual(p.json.assessment, o.json);
    assert.equal(p.json.assessment.high_risk_applies_from, D.original.annex3);

    const back = await red.api('PUT', url(), { json: { timeline: null } });
    assert.equal(back.status, 200, back.text);
    assert.deepEqual(back.json.assessment, a.json);
    stored = back.json; // the latest state (updated_at moved)
  });

  test('requirements of the Algoritmekader with their URNs', async () => {
    const req = stored.requirements;
    assert.equal(typeof req, 'object', JSON.stringify(req));
    assert.equal(req.source.repository, 'MinBZK/Algoritmekader');
    assert.ok(req.requirements.length > 0);
    for (const q of req.requirements) {
      assert.match(q.urn, /^urn:nl:ak:ver:[a-z0-9-]+$/);
      assert.equal(typeof q.title, 'string');
      assert.ok(q.version, `requirement ${q.urn} has no source version`);
      for (const m of q.measures) assert.match(m.urn, /^urn:nl:ak:mtr:[a-z0-9-]+$/);
    }
    const urns = req.requirements.map((q) => q.urn);
    assert.equal(new Set(urns).size, urns.length, 'a requirement listed twice');
    assert.ok(urns.includes('urn:nl:ak:ver:aia-01'), 'AI literacy (Art. 4) applies to a deployer of an AI system');
    assert.equal(req.profile.risk_group, 'hoog-risico-ai-systeem');
  });

  test('a member with any role reads it; a redacteur of another organisation and anonymous get 404', async () => {
    const l = await lez.api('GET', url());
    assert.equal(l.status, 200, l.text);
    assert.deepEqual(l.json.assessment, stored.assessment);
    const o = await other.api('GET', url());
    assert.equal(o.status, 404, o.text);
    const a = await anon('GET', url());
    assert.equal(a.status, 404, a.text);
    const o2 = await other.api('PUT', url(), { json: { answers: '' } });
    assert.equal(o2.status, 404, o2.text);
  });

  test('bad input -> 422 naming the field (400 for an unknown timeline), nothing changed', async () => {
    const cases = [
      [{ profile: { type: 'AI-systeem' } }, 422, 'roles'],
      [{ profile: { ...PROFILE, annex3: '10(a)' } }, 422, 'annex3'],
      [{ answers: '1.1=7' }, 422, 'answers'],
      [{ answers: 42 }, 422, 'answers'],
      [{ timeline: 'draft' }, 400, null],
    ];
    for (const [body, status, field] of cases) {
      const r = await red.api('PUT', url(), { json: body });
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
      if (field) assert.ok(r.json.errors?.some((e) => e.field === field), `${JSON.stringify(body)}: ${r.text}`);
    }
    const m = await red.api('PUT', url(), { body: '{"answers": ', headers: { 'Content-Type': 'application/json' } });
    assert.equal(m.status, 400, m.text);
    const g = await red.api('GET', url());
    assert.deepEqual(g.json, stored);
    const rows = auditRows(srv.db).filter((x) => x.action === 'classification.update' && x.entity_id === id);
    assert.equal(rows.length, 3, 'refused requests write no audit rows (1 store + 2 timeline changes)');
  });

  test('answers alone: a profile suggestion from the labels; a warning when the tree disagrees', async () => {
    const r2 = await red.api('POST', `/api/v1/organisations/${ORG}/algorithms`, { json: fullRecord({ name: 'Chatbot' }) });
    assert.equal(r2.status, 201, r2.text);
    const u = `/api/v1/algorithms/${r2.json.id}/classification`;
    const ROLE_LABELS = ['aanbieder', 'gebruiksverantwoordelijke', 'importeur', 'distributeur'];
    const row = ORACLE.find((x) => x.labels.includes('AI-systeem') && x.labels.includes('hoog-risico AI') &&
      x.labels.filter((l) => ROLE_LABELS.includes(l)).join() === 'aanbieder');
    assert.ok(row, 'an oracle path of a high-risk AI system of a provider');
    const p = await red.api('PUT', u, { json: { answers: row.path } });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.assessment, null);
    assert.equal(p.json.profile, null);
    assert.equal(p.json.requirements, null);
    assert.deepEqual(p.json.profile_suggestion, { type: 'AI-systeem', roles: ['aanbieder'] });

    const q = await red.api('PUT', u, { json: { profile: { type: 'AI-systeem', roles: ['aanbieder'], art50: ['50(1)'] } } });
    assert.equal(q.status, 200, q.text);
    assert.equal(q.json.answers, row.path);
    assert.deepEqual(q.json.warnings, [{ code: 'risk_group_differs', tree: 'hoog-risico AI', assessment: NHR }]);
  });

  test('published through release (redacteur) and publish (a goedkeurder, another person): public read', async () => {
    const rel = await red.api('POST', `/api/v1/algorithms/${id}/release`);
    assert.equal(rel.status, 200, rel.text);
    const pub = await goed.api('POST', `/api/v1/algorithms/${id}/publish`);
    assert.equal(pub.status, 200, pub.text);
    assert.equal(pub.json.status, 'gepubliceerd');

    const a = await anon('GET', url());
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(a.json.assessment, stored.assessment);
    // the public sees the published assessment, not the work behind it
    for (const k of ['answers', 'profile', 'updated_by', 'labels']) assert.equal(a.json[k], undefined, k);
    const o = await other.api('GET', url());
    assert.equal(o.status, 200, o.text);
  });

  test('published: a redacteur of another organisation -> 404, a lezer -> 403; nothing changed', async () => {
    const before = (await red.api('GET', url())).json;
    const op = await other.api('PUT', url(), { json: { answers: '' } });
    assert.equal(op.status, 404, `non-member write on a published entry (contract, as auth.test.mjs): ${op.text}`);
    const lp = await lez.api('PUT', url(), { json: { answers: '' } });
    assert.equal(lp.status, 403, lp.text);
    assert.deepEqual((await red.api('GET', url())).json, before);
  });

  test('published: anonymous PUT -> 401 (a log-in is needed and nothing is hidden); nothing changed', async () => {
    const before = (await red.api('GET', url())).json;
    const ap = await anon('PUT', url(), { json: { answers: '' } });
    assert.deepEqual((await red.api('GET', url())).json, before);
    assert.equal(ap.status, 401, `docs/API-CONTRACT.md and the auth.test.mjs matrix: ${ap.text}`);
  });
});

// ---------------------------------------------------------------------------
describe('CLI: aireg classify, assess, screen', () => {
  test('classify --answers equals the oracle for 10 paths', () => {
    for (const row of sample(ORACLE, 10, SEED + 2)) {
      const r = runCli(['classify', '--answers', row.path]);
      assert.equal(r.status, 0, `${row.path}: ${r.stderr}`);
      assert.equal(r.stdout, `${row.conclusion}\t${row.labelText}\n`, row.path);
    }
  });

  test('classify --batch: one line each; a bad line prints ERROR and the exit code is 3', () => {
    const rows = sample(ORACLE, 3, SEED + 3);
    const input = [rows[0].path, 'bogus', rows[1].path, '1.1=9', rows[2].path].join('\n') + '\n';
    const r = runCli(['classify', '--batch'], { input });
    assert.equal(r.status, 3, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 5, r.stdout);
    assert.equal(lines[0], `${rows[0].conclusion}\t${rows[0].labelText}`);
    assert.match(lines[1], /^ERROR\t\S/);
    assert.equal(lines[2], `${rows[1].conclusion}\t${rows[1].labelText}`);
    assert.match(lines[3], /^ERROR\t\S/);
    assert.equal(lines[4], `${rows[2].conclusion}\t${rows[2].labelText}`);

    const good = sample(ORACLE, 50, SEED + 4);
    const ok = runCli(['classify', '--batch'], { input: good.map((x) => x.path).join('\n') + '\n' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, good.map((x) => `${x.conclusion}\t${x.labelText}\n`).join(''));
  });

  test('classify --answers with a path that stops short -> exit 3', () => {
    const r = runCli(['classify', '--answers', '1.1=0']);
    assert.equal(r.status, 3);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^aireg: /);
  });

  describe('assess --profile exit codes', () => {
    let tmp;
    const file = (name, text) => {
      const p = path.join(tmp.dir, name);
      writeFileSync(p, text);
      return p;
    };
    before(() => { tmp = tempDir('aireg-engine-'); });
    after(() => tmp.remove());

    test('a good profile -> 0 and the same assessment as the API', async () => {
      const profile = CASES[0].profile;
      for (const tl of TIMELINES) {
        const r = runCli(['assess', '--profile', file('ok.json', JSON.stringify(profile)), '--rules', tl]);
        assert.equal(r.status, 0, r.stderr);
        const api = await assess(profile, tl);
        assert.deepEqual(JSON.parse(r.stdout), api.json);
      }
      const stdin = runCli(['assess', '--profile', '-'], { input: JSON.stringify({ type: 'geen algoritme' }) });
      assert.equal(stdin.status, 0, stdin.stderr);
      const j = JSON.parse(stdin.stdout);
      assert.equal(j.risk_group, 'niet van toepassing');
      assert.equal(j.rules.timeline, 'omnibus');
    });

    test('a rejected profile -> 3 naming the field; malformed JSON -> 3 with line and column', () => {
      const bad = runCli(['assess', '--profile', file('bad.json', '{"type": "AI-systeem", "art6_3": "b", "roles": ["aanbieder"]}')]);
      assert.equal(bad.status, 3);
      assert.equal(bad.stdout, '');
      assert.match(bad.stderr, /bad\.json: art6_3: /);
      const mal = runCli(['assess', '--profile', file('mal.json', '{"type":\n  "AI-systeem",,}')]);
      assert.equal(mal.status, 3);
      assert.match(mal.stderr, /mal\.json:2:\d+: /);
    });

    test('an unknown timeline or no --profile -> 2; a missing file -> 1', () => {
      const tl = runCli(['assess', '--profile', file('ok2.json', '{"type": "geen algoritme"}'), '--rules', 'draft']);
      assert.equal(tl.status, 2, tl.stderr);
      assert.match(tl.stderr, /draft/);
      const none = runCli(['assess']);
      assert.equal(none.status, 2);
      const missing = runCli(['assess', '--profile', path.join(tmp.dir, 'nope.json')]);
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /nope\.json/);
    });
  });

  test('reassess: nothing stale in a current database -> 0, quiet; no database -> 1 and none created', () => {
    const tmp = tempDir('aireg-reassess-');
    try {
      const db = path.join(tmp.dir, 'r.db');
      assert.equal(runCli(['init', '--db', db]).status, 0);
      const r = runCli(['reassess', '--db', db]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      const missing = path.join(tmp.dir, 'missing.db');
      const m = runCli(['reassess', '--db', missing]);
      assert.equal(m.status, 1);
      assert.match(m.stderr, /missing\.db/);
      assert.ok(!existsSync(missing), 'reassess must not create a database');
    } finally {
      tmp.remove();
    }
  });

  test('screen data/seed/algoritmes.json prints JSON lines with id and findings', () => {
    const r = runCli(['screen', SEED_FILE]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.ok(lines.length > 100, `only ${lines.length} flagged entries`);
    const byId = new Map();
    for (const l of lines) {
      assert.ok(isValidLars(l.id), `id ${l.id}`);
      assert.ok(!byId.has(l.id), `${l.id} listed twice`);
      byId.set(l.id, l);
      assert.ok(l.findings.length > 0, `${l.id}: flagged without findings`);
      for (const f of l.findings) {
        assert.ok(['annex3', 'art5', 'art50'].includes(f.kind), JSON.stringify(f));
        assert.equal(typeof f.point, 'string');
        assert.ok(f.confidence >= 0.5 && f.confidence <= 1, JSON.stringify(f));
        assert.ok(Array.isArray(f.evidence) && f.evidence.length > 0, JSON.stringify(f));
      }
    }
    // True positives judged "A" in docs/screening-report.md (and the report's example).
    const KNOWN = [
      ['21714421', 'art50', '50(1)'], // PolitieGPT
      ['29562578', 'art50', '50(1)'], // KCC-chatbot ELLEN (Gennep)
      ['59194242', 'art50', '50(2)'], // SafeGPT (Reimerswaal)
      ['25848768', 'art50', '50(2)'], // Pilot Copilot Pro (Apeldoorn)
      ['97891840', 'annex3', '7(d)'], // biometric identification of foreign nationals
      ['36585638', 'annex3', '5(a)'], // Heronderzoeken Uitkeringsgerechtigden
    ];
    for (const [lars, kind, point] of KNOWN) {
      const l = byId.get(lars);
      assert.ok(l, `${lars} not flagged`);
      assert.ok(l.findings.some((f) => f.kind === kind && f.point === point),
        `${lars}: no ${kind} ${point} in ${JSON.stringify(l.findings.map((f) => [f.kind, f.point]))}`);
    }
  });
});
