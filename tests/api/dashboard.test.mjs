// The workspace dashboard (/werkruimte) at a size beyond every page the server
// works in: 2,600 algorithms of one organisation (imported with the CLI) and a few
// of a second. Every figure on the page must equal what the API lists algorithm by
// algorithm (completeness, publishable, state, publication category) and what the
// classifications answered (risk groups, obligations and their dates); the lists
// are bounded and say how many more there are.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { PASSWORD, cliImport, fullRecord, sessionClient, startServer, userWithToken } from './server.mjs';

const ORG = 'GM0363';  // Gemeente Amsterdam
const SMALL = 'PV21';  // Provincie Fryslân
const IMPORTED = 2600;
const RELEASED = 30;   // of which PUBLISHED are then published: 26 wait, one more than the page lists
const PUBLISHED = 4;
const HIGH_RISK = 57;  // more overdue obligations than the page lists (one each)
const LIST_ROWS = 25, DATE_ROWS = 10, OVERDUE_ROWS = 50;  // what the page lists at most

const HIGH = { type: 'AI-systeem', roles: ['gebruiksverantwoordelijke'], annex3: '5(a)', profiling: true, impactful: true };
const NOT_HIGH = { type: 'AI-systeem', roles: ['gebruiksverantwoordelijke'] };
const PUBCATS = ['Hoog-risico AI-systeem', 'Impactvolle algoritmes', 'Overige algoritmes'];

const STATE_LABELS = { concept: 'Concept', 'ter beoordeling': 'Ter beoordeling', gepubliceerd: 'Gepubliceerd', teruggetrokken: 'Teruggetrokken' };
const RISK_LABELS = {
  'verboden AI': 'Verboden AI', 'hoog-risico AI': 'Hoog-risico AI', 'geen hoog-risico AI': 'Geen hoog-risico AI',
  'uitzondering van toepassing': 'Uitzondering van toepassing', 'niet van toepassing': 'Niet van toepassing (geen AI)',
  geen: 'Niet geclassificeerd',
};
const PUBCAT_LABELS = { ...Object.fromEntries(PUBCATS.map((c) => [c, c])), geen: 'Niet ingevuld' };

let srv;
let red;      // redacteur of ORG and SMALL, with a token and a password
let goed;     // goedkeurder of ORG
let session;  // red's browser session
const classified = new Map();  // id -> the final assessment

before(async () => {
  srv = await startServer();
  red = userWithToken(srv, { roles: [[ORG, 'redacteur'], [SMALL, 'redacteur']], password: PASSWORD, prefix: 'dash' });
  goed = userWithToken(srv, { roles: [[ORG, 'goedkeurder']], prefix: 'dashgoed' });
  session = await sessionClient(srv.base, red.email);

  // Every 7th lacks its publication category and every 5th its contact address: those
  // are drafts that are not publishable.
  const records = [];
  for (let i = 1; i <= IMPORTED; i++) {
    const rec = fullRecord({ name: `Dashboardtest ${String(i).padStart(4, '0')}`, publication_category: PUBCATS[i % 3] });
    if (i % 7 === 0) delete rec.publication_category;
    if (i % 5 === 0) delete rec.contact_email;
    records.push(rec);
  }
  const file = path.join(srv.dir, 'dashboard.json');
  writeFileSync(file, JSON.stringify(records));
  cliImport(srv.db, file, { org: ORG });
  for (const name of ['Fietspaden Fryslân', 'Gebiedssubsidies', 'Waddenmonitor']) {
    const r = await red.api('POST', `/api/v1/organisations/${SMALL}/algorithms`, { json: fullRecord({ name }) });
    assert.equal(r.status, 201, r.text);
  }

  const ready = (await listAll(ORG)).filter((a) => a.publishable).map((a) => a.id);
  for (const id of ready.slice(0, RELEASED)) {
    const r = await red.api('POST', `/api/v1/algorithms/${id}/release`);
    assert.equal(r.status, 200, r.text);
  }
  for (const id of ready.slice(0, PUBLISHED)) {
    const r = await goed.api('POST', `/api/v1/algorithms/${id}/publish`);
    assert.equal(r.status, 200, r.text);
  }
  // Classified high-risk, among them released and published ones; the last two are
  // classified again as not high-risk, which replaces their obligations.
  const ids = [...new Set(ready.slice(0, 6).concat((await listAll(ORG)).map((a) => a.id).filter((_, i) => i % 40 === 3)))];
  assert.ok(ids.length >= HIGH_RISK, `${ids.length} candidates`);
  for (const [n, id] of ids.slice(0, HIGH_RISK).entries()) {
    let r = await red.api('PUT', `/api/v1/algorithms/${id}/classification`, { json: { profile: HIGH } });
    assert.equal(r.status, 200, r.text);
    if (n >= HIGH_RISK - 2) {
      r = await red.api('PUT', `/api/v1/algorithms/${id}/classification`, { json: { profile: NOT_HIGH } });
      assert.equal(r.status, 200, r.text);
    }
    classified.set(id, r.json.assessment);
  }
  // Classified drafts edited afterwards: their counts follow the new category and
  // the missing contact address.
  for (const id of ids.slice(0, HIGH_RISK).filter((x) => !ready.slice(0, RELEASED).includes(x)).slice(0, 3)) {
    const g = await red.api('GET', `/api/v1/algorithms/${id}`);
    const rec = { ...g.json.record, publication_category: 'Overige algoritmes' };
    delete rec.contact_email;
    const u = await red.api('PUT', `/api/v1/algorithms/${id}`, { json: rec, headers: { 'If-Match': `"${g.json.version}"` } });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.json.publishable, false);
  }
});

after(async () => { await srv?.stop(); });

/** Every algorithm of the workspace (of one organisation), page by page. */
async function listAll(org) {
  const all = [];
  for (let page = 1; ; page++) {
    const r = await red.api('GET', `/api/v1/algorithms?view=workspace&limit=100&page=${page}${org ? `&organisation=${org}` : ''}`);
    assert.equal(r.status, 200, r.text);
    all.push(...r.json.results);
    if (all.length >= r.json.total) return all;
  }
}

const decode = (s) => s.replace(/<[^>]*>/g, '').replace(/&#39;/g, "'").replace(/&quot;/g, '"')
  .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').trim();

/** The text between two markers of the page. */
function between(html, from, to) {
  const i = html.indexOf(from);
  assert.ok(i >= 0, `the page has ${from}`);
  const j = to ? html.indexOf(to, i) : html.length;
  return html.slice(i, j < 0 ? html.length : j);
}

/** {label: count} of the count table with this caption id. */
function countTable(html, capId) {
  const rows = {};
  for (const m of between(html, `id="${capId}"`, '</table>').matchAll(/<th class="utrecht-table__cell" scope="row">([^<]*)<\/th><td[^>]*>(\d+)<\/td>/g)) {
    rows[decode(m[1])] = Number(m[2]);
  }
  return rows;
}

/** [{id, text}] of the algorithm links in a piece of the page. */
const links = (html) => [...html.matchAll(/<a class="utrecht-link" href="\/werkruimte\/algoritmes\/(\d{8})">([^<]*)<\/a>/g)]
  .map((m) => ({ id: m[1], text: decode(m[2]) }));

const byName = (a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1
  : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** What the dashboard must show for these algorithms, from the API's own answers. */
function expected(algos) {
  const today = new Date().toISOString().slice(0, 10);
  const e = {
    total: algos.length, publishable: algos.filter((a) => a.publishable).length,
    average: algos.length ? Math.floor((algos.reduce((s, a) => s + a.completeness, 0) + Math.floor(algos.length / 2)) / algos.length) : 0,
    state: Object.fromEntries(Object.values(STATE_LABELS).map((l) => [l, 0])),
    risk: Object.fromEntries(Object.values(RISK_LABELS).map((l) => [l, 0])),
    pubcat: Object.fromEntries(Object.values(PUBCAT_LABELS).map((l) => [l, 0])),
    drafts: algos.filter((a) => a.state === 'concept' && !a.publishable).sort(byName),
    released: algos.filter((a) => a.state === 'ter beoordeling').sort(byName),
    dates: new Map(),  // date -> {obligations, algos: [{id, name}]}
    overdue: [],       // [{id, name, article, date}] in the page's order
  };
  for (const a of algos) {
    e.state[STATE_LABELS[a.state]] += 1;
    e.pubcat[PUBCAT_LABELS[a.publication_category ?? 'geen']] += 1;
    const as = classified.get(a.id);
    e.risk[RISK_LABELS[as ? as.risk_group : 'geen']] += 1;
    for (const o of as?.obligations ?? []) {
      if (!o.applies_from) continue;
      if (o.applies_from < today) {
        e.overdue.push({ id: a.id, name: a.name, article: o.article, date: o.applies_from });
        continue;
      }
      const d = e.dates.get(o.applies_from) ?? { obligations: 0, algos: [] };
      d.obligations += 1;
      if (!d.algos.some((x) => x.id === a.id)) d.algos.push(a);
      e.dates.set(o.applies_from, d);
    }
  }
  e.overdue.sort((x, y) => byName(x, y));  // stable: obligations keep their order within an algorithm
  for (const d of e.dates.values()) d.algos.sort(byName);
  return e;
}

async function dashboard(query = '') {
  const r = await session.request('GET', `/werkruimte${query}`);
  assert.equal(r.status, 200, r.text.slice(0, 500));
  return r.text;
}

function checkPage(html, e, query = '') {
  const stats = Object.fromEntries([...html.matchAll(/<div><dt>([^<]*)<\/dt><dd>([^<]*)<\/dd><\/div>/g)].map((m) => [decode(m[1]), decode(m[2])]));
  assert.equal(stats.Algoritmes, String(e.total), 'the number of algorithms');
  assert.equal(stats['Gemiddelde volledigheid'], `${e.average}%`, 'the average completeness');
  assert.equal(stats['Klaar voor publicatie (alle verplichte velden ingevuld)'], `${e.publishable} van ${e.total}`, 'publishable');
  assert.deepEqual(countTable(html, 'cap-dashboard-1'), e.state, 'per state');
  assert.deepEqual(countTable(html, 'cap-dashboard-2'), e.risk, 'per risk group');
  assert.deepEqual(countTable(html, 'cap-dashboard-3'), e.pubcat, 'per publication category');

  const org = query ? `&amp;organisatie=${query.split('=')[1]}` : '';
  const drafts = between(html, 'id="werk-concepten"', 'id="werk-beoordeling"');
  assert.deepEqual(links(drafts).map((l) => l.id), e.drafts.slice(0, LIST_ROWS).map((a) => a.id), 'the first drafts by name');
  if (e.drafts.length > LIST_ROWS) {
    assert.ok(drafts.includes(`En nog ${e.drafts.length - LIST_ROWS} meer.`), 'how many more drafts');
    assert.ok(drafts.includes(`href="/werkruimte/algoritmes?fase=concept&amp;sortering=volledigheid${org}"`), 'the link to the drafts');
  } else {
    assert.ok(!drafts.includes('En nog'), 'no more drafts');
  }
  const released = between(html, 'id="werk-beoordeling"', 'id="werk-verplichtingen"');
  assert.deepEqual(links(released).map((l) => l.id), e.released.slice(0, LIST_ROWS).map((a) => a.id), 'the first released by name');
  if (e.released.length > LIST_ROWS) {
    assert.ok(released.includes(`En nog ${e.released.length - LIST_ROWS} meer.`), 'how many more released');
    assert.ok(released.includes(`href="/werkruimte/algoritmes?fase=ter%20beoordeling${org}"`), 'the link to the released');
  }

  if (!e.dates.size) {
    assert.ok(html.includes('Er zijn geen komende termijnen'), 'no deadlines');
  } else {
    const table = between(html, 'id="termijnen-tabel"', '</table>');
    const rows = [...table.matchAll(/<tr class="utrecht-table__row"><th[^>]*><time datetime="([^"]*)">.*?<\/tr>/g)];
    assert.deepEqual(rows.map((m) => m[1]), [...e.dates.keys()].sort(), 'the deadline dates');
    for (const m of rows) {
      const d = e.dates.get(m[1]);
      const cells = [...m[0].matchAll(/<td class="utrecht-table__cell">(.*?)<\/td>/g)].map((c) => c[1]);
      assert.equal(decode(cells[0]), `${d.obligations} ${d.obligations === 1 ? 'verplichting' : 'verplichtingen'}`, `obligations from ${m[1]}`);
      assert.deepEqual(links(cells[1]).map((l) => l.id), d.algos.slice(0, DATE_ROWS).map((a) => a.id), `algorithms from ${m[1]}`);
      if (d.algos.length > DATE_ROWS) assert.ok(cells[1].includes(`<li>En nog ${d.algos.length - DATE_ROWS} meer.</li>`), `more from ${m[1]}`);
      const n = d.algos.length;
      assert.ok(html.includes(`${decode(cells[0])}, ${n} ${n === 1 ? 'algoritme' : 'algoritmes'}`), `the timeline's summary of ${m[1]}`);
    }
  }

  const overdue = between(html, 'id="werk-verplichtingen"', '</section>');
  const shown = [...overdue.matchAll(/<tr class="utrecht-table__row"><td class="utrecht-table__cell"><a class="utrecht-link" href="\/werkruimte\/algoritmes\/(\d{8})">[^<]*<\/a><\/td><td class="utrecht-table__cell">([^<]*)<\/td><td class="utrecht-table__cell">[^<]*<\/td><td class="utrecht-table__cell"><time datetime="([^"]*)">/g)]
    .map((m) => ({ id: m[1], article: decode(m[2]), date: m[3] }));
  assert.deepEqual(shown, e.overdue.slice(0, OVERDUE_ROWS).map(({ id, article, date }) => ({ id, article, date })), 'the first overdue obligations');
  if (e.overdue.length > OVERDUE_ROWS) {
    assert.ok(decode(overdue).includes(`En nog ${e.overdue.length - OVERDUE_ROWS} meer: zie de pagina's van de algoritmes.`), 'how many more overdue');
  }
}

test('all organisations: every count exact beyond every page size, the lists bounded with how many more', async () => {
  const all = await listAll();
  assert.equal(all.length, IMPORTED + 3);
  const e = expected(all);
  // The fixture is what the test means to cover.
  assert.ok(e.drafts.length > LIST_ROWS && e.released.length === RELEASED - PUBLISHED && e.released.length > LIST_ROWS);
  assert.ok(e.overdue.length > OVERDUE_ROWS && [...e.dates.values()].some((d) => d.algos.length > DATE_ROWS));
  assert.equal(e.risk['Hoog-risico AI'], HIGH_RISK - 2);
  assert.equal(e.risk['Geen hoog-risico AI'], 2);
  checkPage(await dashboard(), e);
});

test('one organisation: its own figures only', async () => {
  checkPage(await dashboard(`?organisatie=${ORG}`), expected(await listAll(ORG)), `?organisatie=${ORG}`);
  const small = await listAll(SMALL);
  assert.equal(small.length, 3);
  checkPage(await dashboard(`?organisatie=${SMALL}`), expected(small), `?organisatie=${SMALL}`);
});
