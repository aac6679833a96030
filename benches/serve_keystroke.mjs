// Keystroke -> results on screen, in Debian's headless Chromium, against a running
// `playbook serve`: for every key typed, the time from the keydown (or input) event to the moment the
// result list shows that query's results (a MutationObserver on #results sees the update).
// Prints samples, p50, p95, max (ms).
//
// Usage: node benches/serve_keystroke.mjs http://127.0.0.1:PORT
// (playwright-core comes from tests/browser/node_modules: cd tests/browser && npm ci)

import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../tests/browser/package.json'));
const { chromium } = require('playwright-core');

const base = process.argv[2];
if (!base) {
  console.error('usage: node benches/serve_keystroke.mjs http://127.0.0.1:PORT');
  process.exit(2);
}
const QUERIES = [
  'manager request', 'refund demand', 'abusive caller', 'vil tale med chefen',
  'kunden er vred', 'client nemultumit', 'ลูกค้าขอเงินคืน', 'مشتری سمی',
  'late delivery', 'threatens to sue', 'customer wants compensation', 'vreau banii inapoi',
];
const PAUSE = Number(process.env.PAUSE_MS || 120); // between keystrokes, like a typist

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'playbook-bench-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run'],
  viewport: { width: 1366, height: 768 },
});
const page = await context.newPage();
await page.goto(base);
await page.evaluate(() => {
  window.__keys = [];
  window.__shown = [];
  // The key's start: its keydown, or (for Thai and Persian, which the driver inserts as
  // text without a key event) its input event.
  window.addEventListener('keydown', () => window.__keys.push(performance.now()), true);
  window.addEventListener('input', () => window.__keys.push(performance.now()), true);
  const list = document.getElementById('results');
  new MutationObserver(() => {
    window.__shown.push([performance.now(), list.dataset.query || '']);
  }).observe(list, { attributes: true, attributeFilter: ['data-query'] });
});
// Warm up (first requests, JIT).
await page.focus('#q');
await page.keyboard.type('warm up');
await page.waitForFunction(() => document.getElementById('results').dataset.query === 'warm up');

const samples = [];
for (const query of QUERIES) {
  await page.fill('#q', '');
  for (let i = 0; i < query.length; i += 1) {
    const prefix = query.slice(0, i + 1);
    await page.evaluate(() => { window.__keys = []; window.__shown = []; });
    await page.keyboard.type(query[i]);
    if (!prefix.trim() || query[i] === ' ') {
      await page.waitForTimeout(PAUSE);
      continue;
    }
    const want = prefix.trim();
    const ms = await page.evaluate(async (q) => {
      const deadline = performance.now() + 5000;
      while (performance.now() < deadline) {
        const hit = window.__shown.find(([, shown]) => shown === q);
        if (hit && window.__keys.length) return hit[0] - window.__keys[0];
        await new Promise((r) => setTimeout(r, 2));
      }
      return null;
    }, want);
    if (ms === null) console.error(`no results shown for "${want}" within 5 s`);
    else samples.push(ms);
    await page.waitForTimeout(PAUSE);
  }
}
await context.close();
fs.rmSync(profile, { recursive: true, force: true });
samples.sort((a, b) => a - b);
const pct = (p) => samples[Math.min(samples.length - 1, Math.floor(samples.length * p))];
console.log(`samples=${samples.length} p50=${pct(0.5).toFixed(1)}ms p95=${pct(0.95).toFixed(1)}ms max=${samples[samples.length - 1].toFixed(1)}ms`);
