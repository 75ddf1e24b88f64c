// The analyst's API key never leaves the page's memory. Queries against the mock Iris API
// succeed, fail with a wrong key, hit the rate limit and are cancelled. Meanwhile this test
// records every request (URL, headers and body, as the browser sends them and as the mock
// receives them), every console line and page error, every text the page shows, every URL
// the page takes and every write to localStorage, sessionStorage and cookies. The key must
// appear in none of them. The HMAC signature made with it is fine.
// Only ticking "Remember on this device" stores anything, and Forget removes it.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { distDir, launchBrowser, openPage, serveDist } from './harness.mjs';
import { startMockIris } from './mock-iris.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, '..', '..', 'crates', 'domaincat-core', 'tests', 'fixtures');
const RECORDS = JSON.parse(await readFile(path.join(fixtures, 'dash_gov_dot_us.json'), 'utf8'));

const USERNAME = 'hunter@example.org';
// Distinctive, so that a leak shows up in any text it reaches, also in part.
const API_KEY = 'Zq7-secret-4b1d-never-leaves';
const KEY_PARTS = [API_KEY, 'secret-4b1d', encodeURIComponent(API_KEY), Buffer.from(API_KEY).toString('base64')];
const DOMAINS = RECORDS.slice(0, 150).map((record) => record.domain);

/** Records storage writes and cookies from the first script of every document. */
function recordWrites() {
  window.storageWrites = [];
  for (const [name, storage] of [
    ['localStorage', window.localStorage],
    ['sessionStorage', window.sessionStorage],
  ]) {
    const setItem = storage.setItem.bind(storage);
    storage.setItem = (key, value) => {
      window.storageWrites.push(`${name}.${key}=${value}`);
      return setItem(key, value);
    };
  }
  const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  Object.defineProperty(document, 'cookie', {
    get: () => cookie.get.call(document),
    set: (value) => {
      window.storageWrites.push(`cookie=${value}`);
      cookie.set.call(document, value);
    },
  });
}

let server;
let browser;
let mock;

before(async () => {
  server = await serveDist(distDir());
  browser = await launchBrowser();
  mock = await startMockIris({ users: { [USERNAME]: API_KEY }, records: RECORDS, pageSize: 60 });
});

after(async () => {
  await browser?.close();
  await mock?.close();
  await server?.close();
});

/** Returns every text the page shows: visible text and the values of fields other than the key. */
async function shownTexts(page) {
  return page.evaluate(() => {
    const texts = [document.body.innerText, document.title, location.href];
    for (const field of document.querySelectorAll('input, textarea')) {
      if (field.id !== 'query-key') texts.push(`${field.id}=${field.value}`);
    }
    for (const element of document.querySelectorAll('[title], [data-entry], [aria-label]')) {
      texts.push(element.getAttribute('title') ?? '', element.dataset.entry ?? '', element.getAttribute('aria-label') ?? '');
    }
    return texts;
  });
}

async function waitForQueryEnd(page) {
  await page.waitForFunction(
    () => {
      const status = document.getElementById('query-status').textContent;
      const error = document.getElementById('query-error');
      return /^Done:|cancelled|Cancelled/.test(status) || !error.hidden;
    },
    null,
    { timeout: 120_000 },
  );
}

async function runQuery(page, { key = API_KEY, remember = false }) {
  if (!(await page.isVisible('#query-dialog'))) {
    await page.click('#query-open');
    await page.waitForSelector('#query-dialog[open]');
  }
  await page.fill('#query-username', USERNAME);
  await page.fill('#query-key', key);
  if (remember !== (await page.isChecked('#query-remember'))) await page.click('#query-remember');
  if (!(await page.isVisible('#query-base-url'))) await page.click('#query-settings summary');
  await page.fill('#query-base-url', mock.origin);
  await page.fill('#query-domains', DOMAINS.join('\n'));
  await page.click('#query-run');
}

test('the key appears in no request, log, message, URL or storage write', { timeout: 300_000 }, async () => {
  const session = await openPage(browser, null);
  const { page, context } = session;
  const seen = [];
  const consoleLines = [];
  page.on('console', (message) => consoleLines.push(message.text()));
  page.on('pageerror', (error) => seen.push(`pageerror: ${error.stack ?? error.message}`));
  page.on('framenavigated', (frame) => seen.push(`url: ${frame.url()}`));
  context.on('request', (request) => {
    seen.push(`request: ${request.method()} ${request.url()}\n${JSON.stringify(request.headers())}\n${request.postData() ?? ''}`);
  });
  context.on('response', async (response) => {
    seen.push(`response: ${response.url()} ${JSON.stringify(await response.allHeaders())}`);
  });
  await page.addInitScript(recordWrites);
  await page.goto(server.url);
  await page.waitForFunction(() => window.domaincat !== undefined);

  const texts = [];
  // A query that succeeds over several pages and batches.
  await runQuery(page, {});
  await waitForQueryEnd(page);
  texts.push(...(await shownTexts(page)));
  assert.match(await page.textContent('#query-status'), /^Done: 150 records/);

  // A wrong key, then the right key hitting the rate limit, then a cancelled slow query.
  await runQuery(page, { key: `${API_KEY}-wrong` });
  await waitForQueryEnd(page);
  texts.push(...(await shownTexts(page)));
  mock.plan.push({ status: 503, message: 'rate limit exceeded', retryAfter: 1 });
  await runQuery(page, {});
  await waitForQueryEnd(page);
  texts.push(...(await shownTexts(page)));
  mock.delayMs = 3000;
  await runQuery(page, {});
  await page.waitForFunction(() => /^Batch 1 of/.test(document.getElementById('query-status').textContent));
  await page.click('#query-cancel');
  await waitForQueryEnd(page);
  mock.delayMs = 0;
  texts.push(...(await shownTexts(page)));

  const writes = await page.evaluate(() => window.storageWrites);
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  const cookies = await context.cookies();
  const received = mock.requests.map((r) => `${r.method} ${r.path}\n${JSON.stringify(r.headers)}\n${r.body}`);
  assert.ok(received.length >= 4, `the mock saw the queries (${received.length} requests)`);
  assert.ok(mock.requests.some((r) => r.params.signature), 'requests carry a signature');

  const everything = [...seen, ...consoleLines, ...texts, ...writes, stored, JSON.stringify(cookies), ...received];
  const leaks = everything.filter((text) => KEY_PARTS.some((part) => text.includes(part)));
  assert.deepEqual(leaks, [], 'the key reached text outside the page memory');
  assert.deepEqual(writes, [], 'nothing is stored while "Remember" is not ticked');
  await session.close();
});

test('only "Remember" stores the key, and Forget removes it', { timeout: 120_000 }, async () => {
  const session = await openPage(browser, null);
  const { page } = session;
  await page.addInitScript(recordWrites);
  await page.goto(server.url);
  await page.waitForFunction(() => window.domaincat !== undefined);
  await runQuery(page, { remember: true });
  await waitForQueryEnd(page);
  const writes = await page.evaluate(() => window.storageWrites);
  assert.ok(writes.some((w) => w.startsWith('localStorage.') && w.includes(API_KEY)), `writes: ${writes}`);
  assert.ok(writes.every((w) => w.startsWith('localStorage.')), `only localStorage is written: ${writes}`);
  await page.click('#query-forget');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  assert.ok(!stored.includes(API_KEY), `Forget leaves ${stored}`);
  assert.ok(!stored.includes(USERNAME), `Forget leaves ${stored}`);
  await session.close();
});
