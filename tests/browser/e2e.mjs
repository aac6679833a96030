// End-to-end tests of `playbook serve` in Debian's headless Chromium (playwright-core drives
// /usr/bin/chromium; nothing is downloaded). Run by tests/serve_browser.rs, which starts the
// server on a temporary copy of playbooks/ and passes:
//   BASE_URL     http://127.0.0.1:PORT
//   ROOT         the temporary root (its playbooks/ is edited by one test)
//   SCREENSHOTS  where the 1366x768 screenshots go
//   CHROMIUM     the browser (default /usr/bin/chromium)
// Prints "ok - NAME" or "not ok - NAME: why" per check; exits 1 if any failed.

import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const BASE = process.env.BASE_URL;
const ROOT = process.env.ROOT;
const SHOTS = process.env.SCREENSHOTS || 'target/screenshots';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
if (!BASE || !ROOT) {
  console.error('BASE_URL and ROOT must be set (tests/serve_browser.rs sets them)');
  process.exit(2);
}
const origin = new URL(BASE).origin;
fs.mkdirSync(SHOTS, { recursive: true });

const MANAGER = 'da-vrede-klienter#respect-manager-request';
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'playbook-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
  ],
  viewport: { width: 1366, height: 768 },
});
await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });

// Every request any page makes, to show that none leaves 127.0.0.1.
const requests = [];
context.on('request', (r) => requests.push(r.url()));
const pageErrors = [];

async function newPage(url = '/') {
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(origin + url);
  return page;
}

async function typeQuery(page, q) {
  await page.fill('#q', '');
  await page.focus('#q');
  await page.keyboard.type(q);
  // The list is redrawn as each keystroke's answer arrives: wait for the whole query's answer,
  // or an element found now may be replaced (detached) before it is looked at.
  await page.waitForFunction((want) => document.getElementById('results').dataset.query === want, q);
}

async function clipboard(page) {
  return page.evaluate(() => navigator.clipboard.readText());
}

async function setClipboard(page, text) {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

async function until(what, fn, timeout = 15000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

async function shot(page, name) {
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

async function axe(page, label) {
  await page.evaluate(AXE); // evaluated by the driver, not injected as a <script>: the CSP stays on
  const result = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ['violations'] }),
  );
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = result.violations.filter((v) => !bad.includes(v));
  for (const v of minor) console.log(`# axe (${label}) ${v.impact}: ${v.id} — ${v.help}`);
  assert(
    bad.length === 0,
    `${label}: ${bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`).join('; ')}`,
  );
}

const checks = [];
function check(name, fn) {
  checks.push({ name, fn });
}

// ---- the checks ----

check('typing "manager request" shows the manager-request step with its phrase', async () => {
  const page = await newPage();
  await typeQuery(page, 'manager request');
  const item = page.locator(`li.result[data-id="${MANAGER}"]`);
  await item.waitFor({ timeout: 10000 });
  const phrase = await item.locator('.phrase-text').first().textContent();
  // Typed in English, read in English: the Danish step's English translation.
  assert(phrase && phrase.includes("I'm the manager of this company"), `phrase: ${phrase}`);
  const resolved = await page.textContent('#resolved');
  assert(resolved.includes('manager-request'), `resolved: ${resolved}`);
  assert(new URL(page.url()).searchParams.get('q') === 'manager request', page.url());
  await shot(page, 'results-manager-request');
  await axe(page, 'results');
  await page.close();
});

check('the copy button puts the phrase on the clipboard', async () => {
  const page = await newPage('/?q=manager+request');
  const item = page.locator(`li.result[data-id="${MANAGER}"]`);
  await item.waitFor();
  await setClipboard(page, 'before');
  const phrase = await item.locator('.phrase-text').first().textContent();
  await item.locator('button.copy').first().click();
  await until('the clipboard', async () => (await clipboard(page)) === phrase);
  const toast = await page.textContent('#toast');
  assert(toast.includes('Copied'), `toast: ${toast}`);
  await page.close();
});

check('keyboard only: /, arrows, Enter, c, 1-9, Esc', async () => {
  const page = await newPage();
  await page.mouse.click(5, 700);
  await page.keyboard.press('/');
  assert(await page.evaluate(() => document.activeElement.id === 'q'), '/ focuses the box');
  await page.keyboard.type('manager request');
  await page.locator(`li.result[data-id="${MANAGER}"]`).waitFor();
  const ids = await page.$$eval('li.result', (lis) => lis.map((li) => li.dataset.id));
  assert(ids.length >= 2, `results: ${ids}`);
  const focusedId = () =>
    page.evaluate(() => {
      const li = document.activeElement.closest('li.result');
      return li ? li.dataset.id : document.activeElement.id;
    });
  await page.keyboard.press('ArrowDown');
  assert((await focusedId()) === ids[0], 'ArrowDown moves to the first result');
  await page.keyboard.press('ArrowDown');
  assert((await focusedId()) === ids[1], 'ArrowDown moves to the second result');
  await shot(page, 'keyboard-focus');
  await page.keyboard.press('ArrowUp');
  assert((await focusedId()) === ids[0], 'ArrowUp moves back');
  await setClipboard(page, 'before');
  await page.keyboard.press('c');
  const firstPhrase = await page.locator('li.result').first().locator('.phrase-text').textContent();
  await until('c to copy the first phrase', async () => (await clipboard(page)) === firstPhrase);
  await page.keyboard.press('Enter');
  await page.locator('#step-view:not([hidden])').waitFor();
  assert(new URL(page.url()).searchParams.get('step') === ids[0], `Enter opens: ${page.url()}`);
  const phrases = await page.$$eval('#step .phrases .phrase-text', (qs) => qs.map((q) => q.textContent));
  assert(phrases.length >= 2, `phrases: ${phrases}`);
  await page.keyboard.press('2');
  await until('2 to copy the second phrase', async () => (await clipboard(page)) === phrases[1]);
  await page.keyboard.press('c');
  await until('c to copy the step\'s first phrase', async () => (await clipboard(page)) === phrases[0]);
  await page.keyboard.press('Escape');
  await page.locator('#list-view:not([hidden])').waitFor();
  assert(await page.isHidden('#step-view'), 'Esc closes the step');
  assert((await focusedId()) === ids[0], 'focus returns to the result');
  assert(!new URL(page.url()).searchParams.has('step'), `Esc drops the step: ${page.url()}`);
  await page.keyboard.press('Escape');
  assert((await focusedId()) === 'q', 'Esc again: the box');
  // Enter in the box opens the first result.
  await page.keyboard.press('Enter');
  await page.locator('#step-view:not([hidden])').waitFor();
  // Focus is visible: the focused control has an outline.
  await page.keyboard.press('Escape');
  await page.keyboard.press('ArrowDown');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert(outline !== 'none', `focus outline: ${outline}`);
  await page.close();
});

check('a deep link reopens the same view', async () => {
  const url = `/?q=manager+request&step=${encodeURIComponent(MANAGER)}`;
  const page = await newPage(url);
  await page.locator('#step-view:not([hidden])').waitFor();
  const title = await page.textContent('#step-title');
  assert(title.includes("Respect the customer's request"), `title: ${title}`);
  const origin = await page.textContent('p.origin');
  assert(origin && origin.includes('Translated from Danish'), `origin: ${origin}`);
  assert((await page.inputValue('#q')) === 'manager request', 'the box holds the query');
  await shot(page, 'step-deep-link');
  await axe(page, 'step');
  await page.keyboard.press('Escape');
  await page.locator(`li.result[data-id="${MANAGER}"]`).waitFor();
  // Back and forward through the history reopen the views too.
  await page.locator(`li.result[data-id="${MANAGER}"] .open`).click();
  await page.locator('#step-view:not([hidden])').waitFor();
  await page.goBack();
  await page.locator('#list-view:not([hidden])').waitFor();
  await page.goForward();
  await page.locator('#step-view:not([hidden])').waitFor();
  await page.close();
});

check('an editorial title is marked (added) in the step view', async () => {
  const records = 'fa-toxic-customers#keep-written-records';
  const page = await newPage(`/?q=keep+records&step=${encodeURIComponent(records)}`);
  await page.locator('#step-view:not([hidden])').waitFor();
  const title = await page.textContent('#step-title');
  assert(title.includes('Written communication and record-keeping'), `title: ${title}`);
  const mark = await page.textContent('#step-title .added');
  assert(mark === '(added)', `mark: ${mark}`);
  await shot(page, 'step-added-title');
  await page.close();
});

check('a playbook introduction is labelled as what it is about', async () => {
  const page = await newPage();
  await typeQuery(page, 'is the customer always right?');
  const intro = page.locator('li.result[data-id$="#introduction"]').first();
  await intro.waitFor();
  await intro.locator('.open').click();
  await page.locator('#step-view:not([hidden])').waitFor();
  const labels = await page.$$eval('#step h3', (hs) => hs.map((h) => h.textContent));
  assert(labels.includes('About') && !labels.includes('Do'), `labels: ${labels}`);
  const title = await page.textContent('#step-title');
  assert(title.includes('Introduction'), `title: ${title}`);
  await shot(page, 'step-introduction');
  await page.close();
});

check('Persian is laid out right to left', async () => {
  const page = await newPage();
  await typeQuery(page, 'مشتری سمی');
  const title = page.locator('li.result .title[lang="fa"]').first();
  await title.waitFor();
  const dir = await title.evaluate((e) => getComputedStyle(e).direction);
  assert(dir === 'rtl', `computed direction: ${dir}`);
  const phrase = page.locator('li.result .phrase-text[lang="fa"]').first();
  if (await phrase.count()) {
    assert((await phrase.evaluate((e) => getComputedStyle(e).direction)) === 'rtl', 'phrase rtl');
  }
  await shot(page, 'results-persian');
  await page.locator('li.result .open').first().click();
  await page.locator('#step-view:not([hidden])').waitFor();
  const h2 = await page.evaluate(() => {
    const h = document.getElementById('step-title');
    return [h.lang, getComputedStyle(h).direction];
  });
  assert(h2[0] === 'fa' && h2[1] === 'rtl', `step title: ${h2}`);
  const english = await page.evaluate(() =>
    Array.from(document.querySelectorAll('#step [lang="en"]')).map((e) => getComputedStyle(e).direction),
  );
  assert(english.every((d) => d === 'ltr'), `English stays ltr: ${english}`);
  await shot(page, 'step-persian');
  await axe(page, 'Persian step');
  // Persian typed in Latin letters is searched, and shown, as Persian script.
  await page.keyboard.press('Escape');
  await typeQuery(page, 'moshtari fohsh mide');
  const readAs = await page.evaluate(() => {
    const e = document.querySelector('#resolved .read-as');
    return e && [e.textContent, e.lang, getComputedStyle(e).direction];
  });
  assert(readAs && readAs[0] === 'مشتری فحش میده' && readAs[1] === 'fa' && readAs[2] === 'rtl', `read as: ${readAs}`);
  await page.locator('li.result .title[lang="fa"]').first().waitFor();
  await shot(page, 'results-finglish');
  await page.close();
});

check('Thai wraps at word boundaries', async () => {
  const page = await newPage();
  await typeQuery(page, 'ลูกค้าขอเงินคืน');
  const title = page.locator('li.result .title[lang="th"]').first();
  await title.waitFor();
  const style = await title.evaluate((e) => {
    const s = getComputedStyle(e);
    return [s.wordBreak, s.lineBreak];
  });
  assert(style[0] === 'normal' && style[1] === 'auto', `word-break/line-break: ${style}`);
  await page.locator('li.result .open').first().click();
  await page.locator('#step-view:not([hidden])').waitFor();
  await shot(page, 'step-thai');
  await page.close();
});

check('markup in a playbook is shown as text and runs nothing', async () => {
  const page = await newPage();
  await typeQuery(page, 'markupprøve');
  const item = page.locator('li.result[data-id="da-xss-probe#xss-probe"]');
  await item.waitFor();
  const text = await item.textContent();
  assert(text.includes('<script>window.__pwned=2</script>'), `title as text: ${text}`);
  assert(text.includes('onerror="window.__pwned=4"'), `phrase as text: ${text}`);
  await item.locator('.open').click();
  await page.locator('#step-view:not([hidden])').waitFor();
  const step = await page.textContent('#step');
  assert(step.includes('<img src=x onerror="window.__pwned=3">'), `guidance as text: ${step}`);
  await shot(page, 'step-markup-as-text');
  await page.waitForTimeout(300);
  const state = await page.evaluate(() => ({
    pwned: window.__pwned,
    imgs: document.querySelectorAll('main img').length,
    scripts: document.querySelectorAll('script').length,
  }));
  assert(state.pwned === undefined, `window.__pwned = ${state.pwned}`);
  assert(state.imgs === 0 && state.scripts === 1, `elements: ${JSON.stringify(state)}`);
  await page.close();
});

check('an edited playbook shows up without a restart', async () => {
  const page = await newPage();
  await typeQuery(page, 'zebrakvaggafrase');
  await page.waitForFunction(() => document.getElementById('status').textContent.includes('No steps'));
  const file = path.join(ROOT, 'playbooks', 'da', 'vrede-klienter.md');
  const before = fs.readFileSync(file, 'utf8');
  const marker = '**Gloss:**';
  const at = before.indexOf(marker);
  assert(at > 0, 'a gloss to edit');
  fs.writeFileSync(
    file,
    `${before.slice(0, at)}**Say (added):**\n- Sig zebrakvaggafrase til klienten.\n\n${before.slice(at)}`,
  );
  await until('the edit to show up', async () => {
    await typeQuery(page, 'zebrakvaggafrase');
    await page.waitForTimeout(300);
    return (await page.locator('li.result[data-id^="da-vrede-klienter#"]').count()) > 0;
  }, 30000);
  await page.locator('li.result .open').first().click();
  await page.locator('#step-view:not([hidden])').waitFor();
  const phrases = await page.$$eval('#step .phrases .phrase-text', (qs) => qs.map((q) => q.textContent));
  assert(phrases.some((p) => p.includes('zebrakvaggafrase')), `phrases: ${phrases}`);
  await page.close();
});

check('no request leaves 127.0.0.1', async () => {
  assert(requests.length > 10, `requests recorded: ${requests.length}`);
  const foreign = requests.filter((u) => !u.startsWith(`${origin}/`));
  assert(foreign.length === 0, `foreign requests: ${foreign.join(', ')}`);
});

check('no script errors on any page', async () => {
  assert(pageErrors.length === 0, pageErrors.join('; '));
});

let failed = 0;
for (const { name, fn } of checks) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`not ok - ${name}: ${e && e.stack ? e.stack : e}`);
  }
}
await context.close();
fs.rmSync(profile, { recursive: true, force: true });
console.log(`# ${checks.length - failed}/${checks.length} passed; screenshots in ${SHOTS}`);
process.exit(failed ? 1 : 0);
