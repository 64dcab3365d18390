// The main flow end to end, in the browser, through the pages only (no API calls):
// log in -> create an algorithm -> fill in the required fields -> the Beslishulp wizard ->
// see the classification -> release -> a second user (goedkeurder) approves -> the entry is
// on the public register, with its AI Act classification.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { readOracle } from '../api/engine-helpers.mjs';
import { ORG, ORG_NAME, axe, forbidDialogs, formatViolations, fullRecord, htmlDir, launch, logIn, screenshot, setupServer, vnu } from './lib.mjs';

const NAME = 'Toewijzing schuldhulp e2e';
const DESC = 'Het algoritme helpt bij het toewijzen van schuldhulpverlening aan inwoners.';

let ctx;
let br;

before(async () => {
  ctx = await setupServer();
  br = await launch();
});

after(async () => {
  await br?.close();
  await ctx?.stop();
});

/** Clicks a submit control and waits for the page it leads to. */
async function submit(page, selector) {
  await Promise.all([page.waitForLoadState('load'), page.waitForNavigation(), page.click(selector)])
    .catch((e) => ctx.explain(e));
}

/** Axe on the page in hand: zero violations. */
async function noViolations(page, where) {
  const v = await axe(page);
  assert.equal(v.length, 0, `${where}: axe violations\n${formatViolations(v)}`);
}

test('log in, create, classify with the wizard, release, approve as a second user, see it on the public register', async () => {
  // A path through the Beslishulp that ends in a high-risk AI system for a deployer.
  const row = readOracle().find((x) => x.labels.includes('hoog-risico AI') && x.labels.includes('gebruiksverantwoordelijke'));
  assert.ok(row, 'an oracle path of a high-risk deployer');
  const answers = new Map(row.answers);
  const dialogs = [];

  // 1. The redacteur logs in through the form and creates an algorithm.
  const redCtx = await br.newContext();
  const page = await redCtx.newPage();
  forbidDialogs(page, dialogs);
  await logIn(page, ctx.base, ctx.red.email);
  assert.match(new URL(page.url()).pathname, /^\/werkruimte/);
  await page.goto(`${ctx.base}/werkruimte/algoritmes/nieuw`);
  if (await page.locator('#f-organisatie option[value=""]').count()) await page.selectOption('#f-organisatie', ORG);
  await page.fill('#f-name', NAME);
  await page.fill('#f-description_short', DESC);
  await submit(page, '#formulier button[type="submit"]');
  const m = /\/werkruimte\/algoritmes\/(\d{8})(\/bewerken)?$/.exec(new URL(page.url()).pathname);
  assert.ok(m, `after creating: ${page.url()}`);
  const id = m[1];

  // 2. The required fields through the edit form.
  await page.goto(`${ctx.base}/werkruimte/algoritmes/${id}/bewerken`);
  await page.selectOption('#f-status', 'In gebruik');
  await page.fill('#f-contact_email', 'algoritmes@example.nl');
  await page.selectOption('#f-publication_category', 'Hoog-risico AI-systeem');
  if (await page.locator('#f-lang').count()) await page.selectOption('#f-lang', 'nld');
  await page.fill('#f-goal', 'Inwoners met schulden sneller de juiste hulp bieden.');
  await submit(page, '#formulier button[type="submit"]');
  assert.equal(await page.locator('.utrecht-form-field-error-message').count(), 0,
    `the edit form took the record: ${await page.locator('main').innerText()}`);

  // 3. The wizard: one question per page, answered along the oracle path.
  await page.goto(`${ctx.base}/werkruimte/algoritmes/${id}/beslishulp`);
  let questions = 0;
  while (new URL(page.url()).pathname.endsWith('/beslishulp') && await page.locator('input[name="question"]').count()) {
    const q = await page.inputValue('input[name="question"]');
    assert.ok(answers.has(q), `question ${q} is on the path ${row.path}`);
    if (questions === 0) await noViolations(page, 'wizard question');
    await page.check(`#antwoord-${answers.get(q)}`);
    await submit(page, 'button[name="action"][value="next"]');
    questions += 1;
    assert.ok(questions <= row.answers.length, 'no more questions than the path has');
  }
  assert.equal(questions, row.answers.length, `answered the whole path (${row.path})`);

  // 4. The profile page (when the wizard asks for it), then the result.
  if (new URL(page.url()).pathname.endsWith('/beslishulp/profiel')) {
    // The facts the tree does not ask: an Annex III 5(a) system that profiles, used by a
    // public body whose decisions have impact.
    await page.selectOption('#f-annex3', '5(a)');
    await page.check('#f-profiling');
    await page.check('#f-impactful');
    await screenshot(page, 'flow wizard profile');
    await noViolations(page, 'wizard profile');
    await submit(page, 'form.aireg-form button[type="submit"]:not([value="back"])');
  }
  await page.goto(`${ctx.base}/werkruimte/algoritmes/${id}/beslishulp/resultaat`);
  assert.equal(new URL(page.url()).pathname, `/werkruimte/algoritmes/${id}/beslishulp/resultaat`, 'the result page');
  const result = await page.locator('main').innerText();
  assert.match(result, /hoog-risico AI/i, 'the classification is shown');
  assert.match(result, /Art\. 26/, 'with its obligations');
  await screenshot(page, 'flow wizard result');
  await noViolations(page, 'wizard result');

  // 5. Release on the algorithm page; the same person may not publish (two-step).
  await page.goto(`${ctx.base}/werkruimte/algoritmes/${id}`);
  await submit(page, 'form[action$="/vrijgeven"] button[type="submit"]');
  await page.goto(`${ctx.base}/werkruimte/algoritmes/${id}`);
  assert.equal(await page.locator('form[action$="/publiceren"]').count(), 0, 'no publish button for who released');
  assert.match(await page.locator('main').innerText(), /ter beoordeling/i);
  // Not public yet.
  const anon = await br.newContext();
  const pub = await anon.newPage();
  assert.equal((await pub.goto(`${ctx.base}/algoritmes/${id}`)).status(), 404, 'not public before approval');

  // 6. The goedkeurder logs in (another browser context) and publishes.
  const goedCtx = await br.newContext();
  const gp = await goedCtx.newPage();
  forbidDialogs(gp, dialogs);
  await logIn(gp, ctx.base, ctx.goed.email);
  await gp.goto(`${ctx.base}/werkruimte/algoritmes/${id}`);
  await screenshot(gp, 'flow approve');
  await noViolations(gp, 'algorithm page (approver)');
  await submit(gp, 'form[action$="/publiceren"] button[type="submit"]');
  await gp.goto(`${ctx.base}/werkruimte/algoritmes/${id}`);
  assert.match(await gp.locator('main').innerText(), /gepubliceerd/i);

  // 7. On the public register: the detail page with its classification, and in a search.
  const res = await pub.goto(`${ctx.base}/algoritmes/${id}`);
  assert.equal(res.status(), 200);
  assert.equal(await pub.locator('h1').innerText(), NAME);
  const text = await pub.locator('main').innerText();
  assert.match(text, /hoog-risico AI/);
  assert.match(text, /2 december 2027/);
  await pub.goto(`${ctx.base}/?q=${encodeURIComponent('schuldhulp e2e')}`);
  assert.ok((await pub.locator('.aireg-result h3 a').allInnerTexts()).includes(NAME), 'found by searching');
  await screenshot(pub, 'flow public');
  assert.deepEqual(dialogs, []);
  await Promise.all([redCtx.close(), goedCtx.close(), anon.close()]);
});

test('import a file with the preview: what will be created and what is rejected and why, then confirm', async () => {
  const html = htmlDir();
  const context = await br.newContext();
  const page = await context.newPage();
  const dialogs = [];
  forbidDialogs(page, dialogs);
  try {
    await logIn(page, ctx.base, ctx.red.email);
    await page.goto(`${ctx.base}/werkruimte/import`);
    const good = fullRecord({ name: 'Import e2e goed', organization: ORG_NAME });
    const bad = fullRecord({ name: 'Import e2e fout', organization: ORG_NAME, website: 'javascript:alert(1)' });
    // Without JavaScript the file's content is pasted; the file picker only fills the same box.
    await page.fill('#data', JSON.stringify([good, bad], null, 2));
    await page.check('#format-json');
    await submit(page, 'form[action="/werkruimte/import/voorbeeld"] button[type="submit"]');
    assert.equal(new URL(page.url()).pathname, '/werkruimte/import/voorbeeld');
    const preview = await page.locator('main').innerText();
    assert.match(preview, /Import e2e goed/);
    assert.match(preview, /Import e2e fout/);
    assert.match(preview, /website/, 'the rejected field is named');
    const counts = await page.locator('.aireg-counts dd').allInnerTexts();
    assert.deepEqual(counts.slice(1).map(Number), [1, 0, 0, 1], `will create 1, change 0, unchanged 0, reject 1: ${counts}`);
    await screenshot(page, 'import preview');
    let v = await axe(page);
    assert.equal(v.length, 0, `import preview: axe violations\n${formatViolations(v)}`);
    const previewFile = html.save('import preview', await page.content());
    // Nothing stored yet.
    const before = await ctx.red.api('GET', `/api/v1/algorithms?view=workspace&organisation=${ORG}&q=${encodeURIComponent('Import e2e')}`);
    assert.equal(before.json.total, 0, 'nothing stored by the preview');
    await page.check('#skip_invalid');
    await submit(page, 'form[action="/werkruimte/import"] button[type="submit"]');
    assert.match(await page.locator('main').innerText(), /Import e2e goed/);
    await screenshot(page, 'import result');
    v = await axe(page);
    assert.equal(v.length, 0, `import result: axe violations\n${formatViolations(v)}`);
    const resultFile = html.save('import result', await page.content());
    const after = await ctx.red.api('GET', `/api/v1/algorithms?view=workspace&organisation=${ORG}&q=${encodeURIComponent('Import e2e')}`);
    assert.deepEqual(after.json.results.map((r) => r.name), ['Import e2e goed'], 'the valid record was stored, the other skipped');
    const errs = vnu([previewFile, resultFile]);
    for (const [f, list] of errs) assert.equal(list.length, 0, `vnu ${f}: ${JSON.stringify(list, null, 1)}`);
    assert.deepEqual(dialogs, []);
  } finally {
    await context.close();
    html.remove();
  }
});
