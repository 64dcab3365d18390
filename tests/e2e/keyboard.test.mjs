// The main flow with the keyboard only: log in -> create an algorithm -> fill in the required
// fields -> the Beslishulp wizard -> see the classification -> release -> a second user
// (goedkeurder) approves -> the entry is on the public register. Only page.keyboard is used
// (Tab, Shift+Tab, Enter, Space, arrow keys, Home and typing): no click(), fill(), check() or
// selectOption(), and no goto() after the first page - every page is reached by following
// links and submitting forms. Every element that gets the focus must show it (an outline
// or a box shadow, WCAG 2.4.7) and lie in the viewport; the skip link must be the first stop
// and move the focus to the main content (WCAG 2.4.1).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { readOracle } from '../api/engine-helpers.mjs';
import { PASSWORD, forbidDialogs, launch, screenshot, setupServer } from './lib.mjs';

const NAME = 'Toewijzing leerlingenvervoer toetsenbord';
const DESC = 'Het algoritme helpt bij het toewijzen van leerlingenvervoer aan inwoners.';
const MAX_TABS = 400;

let ctx;
let br;
const stats = { tabs: 0, stops: new Set(), keys: 0 };

before(async () => {
  ctx = await setupServer();
  br = await launch();
});

after(async () => {
  await br?.close();
  await ctx?.stop();
});

async function press(page, key) {
  stats.keys += 1;
  if (key === 'Tab' || key === 'Shift+Tab') stats.tabs += 1;
  await page.keyboard.press(key);
}

async function type(page, text) {
  stats.keys += text.length;
  await page.keyboard.type(text);
}

/**
 * What has the focus: whether it matches selector, whether its focus is shown (a visible outline
 * or box shadow), whether it lies in the viewport, and a description.
 */
async function focusState(page, selector) {
  return page.evaluate((sel) => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const cs = getComputedStyle(el);
    const transparent = /rgba\([^)]*,\s*0\)/;
    const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1 && !transparent.test(cs.outlineColor);
    // A shadow shows when it is not transparent and has a blur or a spread.
    const shadow = cs.boxShadow !== 'none' && cs.boxShadow.split(/,(?![^(]*\))/).some((sh) => {
      const px = (sh.match(/-?[\d.]+px/g) || []).map(parseFloat);
      return !transparent.test(sh) && px.length >= 3 && (px[2] > 0 || (px[3] ?? 0) > 0);
    });
    const r = el.getBoundingClientRect();
    const inView = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 &&
      r.top < window.innerHeight && r.left < window.innerWidth;
    return {
      matches: sel ? el.matches(sel) : false,
      shown: outline || shadow,
      inView,
      id: el.id,
      value: 'value' in el ? el.value : null,
      checked: 'checked' in el ? el.checked : null,
      html: el.outerHTML.slice(0, 160),
      key: `${location.pathname.replace(/\d{8}/, 'ID')} ${el.tagName}#${el.id}.${el.getAttribute('name') || ''}` +
        `[${el.getAttribute('href') || el.getAttribute('value') || ''}]`,
    };
  }, selector);
}

/** Asserts that the element with the focus shows it and can be seen. */
function assertVisibleFocus(f, where) {
  assert.ok(f, `${where}: the focus left the page`);
  assert.ok(f.shown, `${where}: no visible focus indicator on ${f.html}`);
  assert.ok(f.inView, `${where}: the focused element is outside the viewport: ${f.html}`);
  stats.stops.add(f.key);
}

/** Presses Tab (or Shift+Tab) until an element matching selector has the focus (if it has not). */
async function tabTo(page, selector, { back = false } = {}) {
  const now = await focusState(page, selector);
  if (now?.matches) return now;
  for (let i = 0; i < MAX_TABS; i += 1) {
    await press(page, back ? 'Shift+Tab' : 'Tab');
    const f = await focusState(page, selector);
    assertVisibleFocus(f, `${new URL(page.url()).pathname} (looking for ${selector})`);
    if (f.matches) return f;
  }
  throw new Error(`${selector} not reached with ${MAX_TABS} presses of Tab on ${page.url()}`);
}

/** Presses a key on the focused control and waits for the page it leads to. */
async function follow(page, key = 'Enter') {
  await Promise.all([page.waitForNavigation(), press(page, key)]).catch((e) => ctx.explain(e));
}

/** Tabs to a text field and types into it. */
async function typeInto(page, selector, text) {
  await tabTo(page, selector);
  await type(page, text);
  assert.equal((await focusState(page)).value, text, `${selector} holds what was typed`);
}

/** Tabs to a closed select and moves its selection with the arrow keys to the option value. */
async function choose(page, selector, value) {
  await tabTo(page, selector);
  await press(page, 'Home');
  for (let i = 0; i < 200 && (await focusState(page)).value !== value; i += 1) await press(page, 'ArrowDown');
  assert.equal((await focusState(page)).value, value, `${selector} set to ${value} with the arrow keys`);
}

/**
 * How the focused checkbox or radio looks: its native appearance, or (when it draws itself,
 * appearance: none) the colours and image it is drawn with.
 */
async function look(page) {
  return page.evaluate(() => {
    const cs = getComputedStyle(document.activeElement);
    return cs.appearance !== 'none' ? `native ${cs.appearance}`
      : [cs.backgroundColor, cs.backgroundImage, cs.borderColor, cs.borderWidth, cs.color].join(' | ');
  });
}

/** Asserts that a control drawn by the page shows its checked state (not only to the DOM). */
function assertChangedLook(before, after, what) {
  if (before.startsWith('native ')) return;
  assert.notEqual(after, before, `${what}: checking it does not change how it looks`);
}

/** Tabs into a radio group and moves to (and checks) the radio with this id. */
async function chooseRadio(page, groupSelector, id) {
  await tabTo(page, groupSelector);
  for (let i = 0; i < 40; i += 1) {
    const f = await focusState(page);
    assertVisibleFocus(f, `radio ${id}`);
    if (f.id === id) {
      if (!f.checked) {
        const before = await look(page);
        await press(page, 'Space');
        assertChangedLook(before, await look(page), id);
      }
      assert.equal((await focusState(page)).checked, true, `${id} checked`);
      // The checked radio looks unlike the unchecked ones of its group.
      const looks = await page.evaluate((sel) => [...document.querySelectorAll(sel)].map((el) => {
        const cs = getComputedStyle(el);
        return { checked: el.checked, look: `${cs.appearance} ${cs.backgroundColor} ${cs.backgroundImage} ${cs.borderColor}` };
      }), groupSelector);
      const on = looks.find((l) => l.checked);
      if (!on.look.startsWith('auto')) {
        for (const l of looks.filter((x) => !x.checked)) assert.notEqual(l.look, on.look, `${id}: the checked radio looks like the others`);
      }
      return;
    }
    await press(page, 'ArrowDown');
  }
  throw new Error(`radio ${id} not reached with the arrow keys`);
}

/** Tabs to a checkbox and checks it with the space bar; it must show that it is checked. */
async function tick(page, selector) {
  await tabTo(page, selector);
  const before = await look(page);
  await press(page, 'Space');
  assert.equal((await focusState(page)).checked, true, `${selector} checked with Space`);
  assertChangedLook(before, await look(page), selector);
}

/** Logs in from any page with the header's log-in link. */
async function logIn(page, email) {
  await tabTo(page, 'header a[href="/inloggen"]');
  await follow(page);
  assert.equal(new URL(page.url()).pathname, '/inloggen');
  await typeInto(page, '#email', email);
  await typeInto(page, '#password', PASSWORD);
  await follow(page, 'Enter'); // Enter in a field submits its form
  assert.match(new URL(page.url()).pathname, /^\/werkruimte/, 'logged in');
}

test('the main flow with the keyboard only, focus always visible, the skip link working', async (t) => {
  const row = readOracle().find((x) => x.labels.includes('hoog-risico AI') && x.labels.includes('gebruiksverantwoordelijke'));
  assert.ok(row, 'an oracle path of a high-risk deployer');
  const answers = new Map(row.answers);
  const dialogs = [];
  const context = await br.newContext();
  const page = await context.newPage();
  forbidDialogs(page, dialogs);

  // 0. The public register. The first Tab lands on the skip link, which is then shown; Enter
  //    moves the focus to the main content, so the next Tab stays out of the header.
  await page.goto(`${ctx.base}/`);
  await press(page, 'Tab');
  let f = await focusState(page, 'a.aireg-skip-link[href="#inhoud"]');
  assert.ok(f?.matches, `the first Tab reaches the skip link, not ${f?.html}`);
  assertVisibleFocus(f, 'skip link');
  await screenshot(page, 'keyboard flow skip link');
  await press(page, 'Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'inhoud', 'the skip link moves the focus to main');
  assert.equal(new URL(page.url()).hash, '#inhoud');
  await press(page, 'Tab');
  assert.ok(await page.evaluate(() => document.querySelector('main').contains(document.activeElement)),
    'after the skip link the next Tab is in the main content');
  assertVisibleFocus(await focusState(page), 'first stop in main');
  // Shift+Tab goes back through the header to the log-in link.
  await tabTo(page, 'header a[href="/inloggen"]', { back: true });

  // 1. Log in as the redacteur and create an algorithm.
  await logIn(page, ctx.red.email);
  await tabTo(page, 'a[href="/werkruimte/algoritmes/nieuw"]');
  await follow(page);
  await typeInto(page, '#f-name', NAME);
  await typeInto(page, '#f-description_short', DESC);
  await tabTo(page, '#formulier button[type="submit"]');
  await follow(page);
  const m = /\/werkruimte\/algoritmes\/(\d{8})(\/bewerken)?$/.exec(new URL(page.url()).pathname);
  assert.ok(m, `after creating: ${page.url()}`);
  const id = m[1];

  // 2. The required fields in the edit form.
  if (!m[2]) {
    await tabTo(page, `a[href="/werkruimte/algoritmes/${id}/bewerken"]`);
    await follow(page);
  }
  // In the order of the form: Tab only goes forward.
  await choose(page, '#f-status', 'In gebruik');
  await choose(page, '#f-publication_category', 'Hoog-risico AI-systeem');
  await typeInto(page, '#f-goal', 'Leerlingen op tijd en veilig naar school brengen.');
  await typeInto(page, '#f-contact_email', 'algoritmes@example.nl');
  if (await page.locator('#f-lang').count()) await choose(page, '#f-lang', 'nld');
  await tabTo(page, '#formulier button[type="submit"]');
  await follow(page);
  assert.equal(await page.locator('.utrecht-form-field-error-message').count(), 0,
    `the edit form took the record: ${await page.locator('main').innerText()}`);

  // 3. The wizard, from the algorithm page: one question per page, answered with the arrow keys.
  if (new URL(page.url()).pathname !== `/werkruimte/algoritmes/${id}`) {
    await tabTo(page, `a[href="/werkruimte/algoritmes/${id}"]`);
    await follow(page);
  }
  await tabTo(page, `a[href="/werkruimte/algoritmes/${id}/beslishulp"]`);
  await follow(page);
  let questions = 0;
  while (new URL(page.url()).pathname.endsWith('/beslishulp') && await page.locator('input[name="question"]').count()) {
    const q = await page.locator('input[name="question"]').getAttribute('value');
    assert.ok(answers.has(q), `question ${q} is on the path ${row.path}`);
    await chooseRadio(page, 'input[type="radio"][name="answer"]', `antwoord-${answers.get(q)}`);
    if (questions === 0) await screenshot(page, 'keyboard wizard answer chosen');
    await tabTo(page, 'button[name="action"][value="next"]');
    await follow(page);
    questions += 1;
    assert.ok(questions <= row.answers.length, 'no more questions than the path has');
  }
  assert.equal(questions, row.answers.length,
    `answered the whole path (${row.path}); now on ${page.url()}: ${(await page.locator('main').innerText()).slice(0, 300)}`);

  // 4. The profile (the facts the tree does not ask), then the result with the classification.
  if (new URL(page.url()).pathname.endsWith('/beslishulp/profiel')) {
    await choose(page, '#f-annex3', '5(a)');
    await tick(page, '#f-profiling');
    await tick(page, '#f-impactful');
    await tabTo(page, 'form.aireg-form button[type="submit"]:not([value="back"])');
    await follow(page);
  }
  if (!new URL(page.url()).pathname.endsWith('/beslishulp/resultaat')) {
    await tabTo(page, `a[href="/werkruimte/algoritmes/${id}/beslishulp/resultaat"]`);
    await follow(page);
  }
  assert.equal(new URL(page.url()).pathname, `/werkruimte/algoritmes/${id}/beslishulp/resultaat`);
  const result = await page.locator('main').innerText();
  assert.match(result, /hoog-risico AI/i, 'the classification is shown');
  assert.match(result, /Art\. 26/, 'with its obligations');

  // 5. Back to the algorithm page and release it; then log out.
  await tabTo(page, `main a[href="/werkruimte/algoritmes/${id}"]`);
  await follow(page);
  await tabTo(page, 'form[action$="/vrijgeven"] button[type="submit"]');
  await follow(page);
  assert.match(await page.locator('main').innerText(), /ter beoordeling/i);
  await tabTo(page, 'form[action="/uitloggen"] button[type="submit"]', { back: true });
  await follow(page);

  // 6. The goedkeurder logs in, finds it among the work to review and publishes it.
  await logIn(page, ctx.goed.email);
  await tabTo(page, `a[href="/werkruimte/algoritmes/${id}"]`);
  await follow(page);
  await tabTo(page, 'form[action$="/publiceren"] button[type="submit"]');
  await follow(page);
  assert.match(await page.locator('main').innerText(), /gepubliceerd/i);

  // 7. The public register: search for it and open its page.
  await tabTo(page, 'header a[href="/"]', { back: true });
  await follow(page);
  await typeInto(page, '#q', 'leerlingenvervoer toetsenbord');
  await follow(page, 'Enter');
  await tabTo(page, `a[href="/algoritmes/${id}"]`);
  await follow(page);
  assert.equal(await page.locator('h1').innerText(), NAME);
  assert.match(await page.locator('main').innerText(), /hoog-risico AI/);
  await screenshot(page, 'keyboard public');
  assert.deepEqual(dialogs, []);
  await context.close();
  t.diagnostic(`${stats.keys} key presses, ${stats.tabs} of them Tab or Shift+Tab; ${stats.stops.size} distinct ` +
    'focus stops, each with a visible focus indicator');
});
