// An organisation's house style in the browser: the beheerder sets a token file on the
// settings page, the organisation's public pages pick the token values up (computed style)
// while another organisation's pages keep the default theme, a refused file comes back with
// its line and cause, and the themed pages still pass axe (WCAG 2.1 A/AA) and the Nu Html
// Checker.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { ORG, axe, forbidDialogs, formatViolations, htmlDir, launch, logIn, screenshot, setupServer, vnu } from './lib.mjs';

const OTHER = 'GM0344'; // Gemeente Utrecht: published entries in the seed, no house style

// A sane token file: dark blue headings and links on white (contrast 9:1).
const BLUE = 'rgb(0, 70, 153)';
const TOKENS = `/* Huisstijl (design tokens) */
.gemeente-theme {
  --utrecht-heading-1-color: #004699;
  --utrecht-heading-2-color: #004699;
  --utrecht-link-color: #004699;
}
`;

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

async function publishedId(org) {
  const r = await ctx.red.api('GET', `/api/v1/algorithms?organisation=${org}&limit=1`);
  assert.equal(r.status, 200, r.text);
  return r.json.results[0].id;
}

/** The computed colour of the page's h1 and of its first link in main. */
async function colours(page, path) {
  const res = await page.goto(`${ctx.base}${path}`);
  assert.equal(res.status(), 200, path);
  return page.evaluate(() => ({
    h1: getComputedStyle(document.querySelector('h1')).color,
    link: getComputedStyle(document.querySelector('main a.utrecht-link')).color,
  }));
}

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]).catch((e) => ctx.explain(e));
}

test('the house style applies to the organisation\'s public pages only, and they stay accessible', async () => {
  const html = htmlDir();
  const dialogs = [];
  const admin = await br.newContext();
  const anon = await br.newContext();
  try {
    const page = await admin.newPage();
    forbidDialogs(page, dialogs);
    const pub = await anon.newPage();
    const detail = `/algoritmes/${await publishedId(ORG)}`;
    const otherDetail = `/algoritmes/${await publishedId(OTHER)}`;
    const before = await colours(pub, `/organisaties/${ORG}`);
    assert.notEqual(before.h1, BLUE, 'the default theme has other headings');

    // The beheerder sets it on the settings page.
    await logIn(page, ctx.base, ctx.red.email);
    await page.goto(`${ctx.base}/werkruimte/organisaties/${ORG}/instellingen`);
    await page.fill('#f-css', TOKENS);
    await submit(page, `form[action="/werkruimte/organisaties/${ORG}/huisstijl"] button[type="submit"]`);
    assert.match(await page.locator('[role="status"]').first().innerText(), /huisstijl is opgeslagen/i);
    assert.match(await page.locator('main').innerText(), /Ingesteld: 3 tokens/);
    assert.match(await page.inputValue('#f-css'), /^\.voorbeeld-theme \{\n {2}--utrecht-heading-1-color: #004699;/,
      'the form shows what is served');

    // The organisation's page and the detail page of its entry pick the tokens up.
    for (const path of [`/organisaties/${ORG}`, detail]) {
      const c = await colours(pub, path);
      assert.equal(c.h1, BLUE, `${path}: h1 in the house style`);
      assert.equal(c.link, BLUE, `${path}: links in the house style`);
      const v = await axe(pub);
      assert.equal(v.length, 0, `${path}: axe violations\n${formatViolations(v)}`);
      await screenshot(pub, `house style ${path === detail ? 'detail' : 'organisation'}`);
    }
    const files = [html.save('house style organisation', await (await pub.goto(`${ctx.base}/organisaties/${ORG}`)).text())];
    // Tokens the file leaves unset fall back to the default theme.
    const fallback = await pub.evaluate(() => getComputedStyle(document.body).getPropertyValue('--voorbeeld-kleuren-violet-500').trim());
    assert.notEqual(fallback, '', 'an unset token keeps its default value');

    // Another organisation's pages keep the default theme.
    for (const path of [`/organisaties/${OTHER}`, otherDetail, '/']) {
      const c = await colours(pub, path);
      assert.equal(c.h1, before.h1, `${path}: default headings`);
    }

    // A refused file comes back in the form with where and why; nothing changes.
    await page.fill('#f-css', ':root {\n  --utrecht-link-color: url(https://example.org/x.png);\n}\n');
    await submit(page, `form[action="/werkruimte/organisaties/${ORG}/huisstijl"] button[type="submit"]`);
    const summary = await page.locator('.aireg-error-summary').innerText();
    assert.match(summary, /Regel 2, kolom 25: Deze functie is niet toegestaan/);
    assert.match(summary, /url\(\) is not allowed/);
    assert.equal(await page.getAttribute('#f-css', 'aria-invalid'), 'true');
    assert.match(await page.inputValue('#f-css'), /url\(https:\/\/example.org/, 'the text is kept to correct it');
    let v = await axe(page);
    assert.equal(v.length, 0, `settings with an error: axe violations\n${formatViolations(v)}`);
    await screenshot(page, 'house style refused');
    files.push(html.save('house style refused', await page.content()));
    assert.equal((await colours(pub, `/organisaties/${ORG}`)).h1, BLUE, 'the house style stays');

    // Removing it brings the default back.
    await page.goto(`${ctx.base}/werkruimte/organisaties/${ORG}/instellingen`);
    await submit(page, `form[action="/werkruimte/organisaties/${ORG}/huisstijl/verwijderen"] button[type="submit"]`);
    assert.match(await page.locator('[role="status"]').first().innerText(), /verwijderd/);
    v = await axe(page);
    assert.equal(v.length, 0, `settings: axe violations\n${formatViolations(v)}`);
    assert.equal((await colours(pub, `/organisaties/${ORG}`)).h1, before.h1, 'default headings again');

    for (const [f, list] of vnu(files)) assert.equal(list.length, 0, `vnu ${f}: ${JSON.stringify(list, null, 1)}`);
    assert.deepEqual(dialogs, []);
  } finally {
    await Promise.all([admin.close(), anon.close()]);
    html.remove();
  }
});
