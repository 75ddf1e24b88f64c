// The "Query Iris…" dialog end to end against the mock Iris API of mock-iris.mjs: real clicks
// and typing in headless Chromium, requests signed in the page and checked by the mock,
// results scored by the worker. The base URL setting always points at the mock on 127.0.0.1,
// and the harness blocks every other host.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { distDir, dropFile, launchBrowser, openPage, serveDist } from './harness.mjs';
import { API_PATH, startMockIris } from './mock-iris.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, '..', '..', 'crates', 'domaincat-core', 'tests', 'fixtures');
const RECORDS = JSON.parse(await readFile(path.join(fixtures, 'dash_gov_dot_us.json'), 'utf8'));

const USERNAME = 'analyst@example.org';
// Distinctive, so that a leak shows up in any text it reaches.
const API_KEY = 'k3y-9f2c61e0-never-sent';
const WRONG_KEY = 'wrong-key-0000';

// 200 names with records and 50 without, interleaved: 250 domains in three batches.
const KNOWN = RECORDS.slice(0, 200).map((record) => record.domain);
const UNKNOWN = Array.from({ length: 50 }, (_, i) => `absent-${i}.example`);
const DOMAINS = [];
for (let i = 0; i < 200; i += 1) {
  DOMAINS.push(KNOWN[i]);
  if (i % 4 === 3) {
    DOMAINS.push(UNKNOWN[(i - 3) / 4]);
  }
}
// Entries that are not domain names: listed back and never sent.
const JUNK = ['localhost', '10.0.0.1', 'bad_name.com'];
const PASTE = [...DOMAINS.slice(0, 10), ...JUNK, ...DOMAINS.slice(10)].join('\n');

const EXPECTED_EXPORT = Buffer.from(JSON.stringify(DOMAINS.filter((d) => KNOWN.includes(d)).map(
  (d) => RECORDS.find((r) => r.domain === d),
)));

const GRAPH_TIMEOUT = 120_000;

/** Opens the dialog and fills in credentials and the mock's base URL with clicks and typing. */
async function openDialog(page, { baseUrl, key = API_KEY, username = USERNAME }) {
  await page.click('#query-open');
  await page.waitForSelector('#query-dialog[open]');
  await page.click('#query-username');
  await page.keyboard.type(username);
  await page.click('#query-key');
  await page.keyboard.type(key);
  await page.click('#query-settings summary');
  await page.click('#query-base-url', { clickCount: 3 });
  await page.keyboard.type(baseUrl);
}

/** Pastes text into the domain list (insertText is what a paste delivers). */
async function pasteDomains(page, text) {
  await page.click('#query-domains');
  await page.keyboard.insertText(text);
}

/** Clears the node count, so that the next graph is seen arriving even with equal counts. */
async function clearCounts(page) {
  await page.evaluate(() => {
    document.getElementById('count-nodes').textContent = '';
  });
}

/** Waits for a graph with at least one node and returns its node and edge counts. */
async function waitForGraph(page) {
  await page.waitForFunction(
    () => !['', '0'].includes(document.getElementById('count-nodes').textContent),
    null,
    { timeout: GRAPH_TIMEOUT },
  );
  return {
    nodes: await page.textContent('#count-nodes'),
    edges: await page.textContent('#count-edges'),
  };
}

async function waitForStatus(page, pattern, timeout = 30_000) {
  await page.waitForFunction(
    ([source, flags]) => new RegExp(source, flags).test(document.getElementById('query-status').textContent),
    [pattern.source, pattern.flags],
    { timeout },
  );
}

async function waitForError(page, timeout = 30_000) {
  await page.waitForSelector('#query-error:not([hidden])', { timeout });
  return page.textContent('#query-error');
}

/** Domains of the successful signed POSTs, in order. */
function domainsServed(mock) {
  return mock.posts
    .filter((post) => post.status === 200 && post.params.domain !== undefined)
    .flatMap((post) => post.params.domain.split(','));
}

describe('Iris query dialog', () => {
  let server;
  let browser;
  let mock;
  let noCorsMock;
  let session;
  /** Graph counts of the expected records dropped as a file. */
  let expectedCounts;

  before(async () => {
    server = await serveDist(distDir());
    browser = await launchBrowser();
    mock = await startMockIris({ users: { [USERNAME]: API_KEY }, records: RECORDS });
    noCorsMock = await startMockIris({ users: { [USERNAME]: API_KEY }, records: RECORDS, cors: false });

    const reference = await openPage(browser, server.url);
    await dropFile(reference.page, '#graph-canvas', {
      name: 'expected.json',
      mimeType: 'application/json',
      buffer: EXPECTED_EXPORT,
    });
    expectedCounts = await waitForGraph(reference.page);
    await reference.close();
  });

  beforeEach(() => {
    mock.reset();
    noCorsMock.reset();
  });

  after(async () => {
    await session?.close();
    await browser?.close();
    await mock?.close();
    await noCorsMock?.close();
    await server?.close();
  });

  async function freshPage() {
    await session?.close();
    session = await openPage(browser, server.url);
    return session.page;
  }

  test('250 domains make three signed batches and one graph', { timeout: 180_000 }, async () => {
    const page = await freshPage();
    const requestTexts = [];
    page.on('request', (request) => requestTexts.push(`${request.url()}\n${request.postData() ?? ''}`));
    const consoleLines = [];
    page.on('console', (message) => consoleLines.push(message.text()));

    await openDialog(page, { baseUrl: mock.origin });
    await pasteDomains(page, PASTE);
    await page.click('#query-run');
    const counts = await waitForGraph(page);
    await waitForStatus(page, /^Done: 200 records from 3 batches/);

    assert.deepEqual(counts, expectedCounts);
    assert.equal(mock.posts.length, 3);
    assert.deepEqual(
      mock.posts.map((post) => post.params.domain.split(',').length),
      [100, 100, 50],
    );
    assert.deepEqual(domainsServed(mock), DOMAINS);
    assert.ok(mock.posts.every((post) => post.status === 200), 'every request passed the signature check');
    assert.ok(mock.posts.every((post) => post.path === API_PATH));
    assert.equal(mock.requests.filter((r) => r.method === 'OPTIONS').length, 0, 'no CORS preflight');
    for (const post of mock.posts) {
      assert.match(post.headers['content-type'], /^application\/x-www-form-urlencoded/);
      assert.deepEqual(Object.keys(post.params).sort(), ['api_username', 'domain', 'signature', 'timestamp']);
    }

    const rejected = await page.$$eval('#query-rejected li', (items) => items.map((li) => li.dataset.entry));
    assert.deepEqual(rejected, JUNK);
    const missing = await page.$$eval('#query-missing li', (items) => items.map((li) => li.textContent));
    assert.deepEqual(missing, UNKNOWN);

    const leaks = [
      ...requestTexts.filter((text) => text.includes(API_KEY)),
      ...consoleLines.filter((line) => line.includes(API_KEY)),
      ...mock.requests.filter((r) => r.body.includes(API_KEY) || r.path.includes(API_KEY)),
    ];
    assert.deepEqual(leaks, []);
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
    assert.ok(!stored.includes(API_KEY), `key in localStorage: ${stored}`);
    assert.ok(!stored.includes(USERNAME), `username in localStorage: ${stored}`);
  });

  test('saved results dropped again give the same graph', { timeout: 180_000 }, async () => {
    const page = session.page;
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#query-save')]);
    assert.match(download.suggestedFilename(), /^iris-investigate-\d{8}-\d{6}\.json$/);
    const saved = await readFile(await download.path());
    const records = JSON.parse(saved.toString('utf8'));
    assert.ok(Array.isArray(records));
    assert.equal(records.length, 200);

    await page.click('#query-close');
    await clearCounts(page);
    await dropFile(page, '#graph-canvas', { name: 'saved.json', mimeType: 'application/json', buffer: saved });
    assert.deepEqual(await waitForGraph(page), expectedCounts);
  });

  test('search hash pages are followed through a proxy path', { timeout: 180_000 }, async () => {
    const page = await freshPage();
    mock.pageSize = 100;
    await openDialog(page, { baseUrl: `${mock.origin}/corp-proxy/` });
    await page.click('#query-hash');
    await page.keyboard.type('all');
    await page.click('#query-run');
    const counts = await waitForGraph(page);
    await waitForStatus(page, /^Done: 338 records from 1 batches/);

    assert.equal(mock.posts.length, 4);
    assert.deepEqual(
      mock.posts.map((post) => post.path),
      Array(4).fill(`/corp-proxy${API_PATH}`),
    );
    assert.equal(mock.posts[0].params.position, undefined);
    for (const post of mock.posts.slice(1)) {
      assert.ok(post.params.position, 'later pages carry the position token');
      assert.equal(post.params.search_hash, 'all');
    }
    assert.ok(mock.posts.every((post) => post.status === 200));
    assert.notEqual(counts.nodes, '0');
  });

  test('a repeated page position stops the query', { timeout: 60_000 }, async () => {
    const page = await freshPage();
    mock.pageSize = 100;
    mock.stuckPosition = true;
    await openDialog(page, { baseUrl: mock.origin });
    await page.click('#query-hash');
    await page.keyboard.type('all');
    await page.click('#query-run');
    const message = await waitForError(page);
    assert.match(message, /^The API returned the position it was given \(.+\) as the next page, so paging would never end\./);
    assert.equal(mock.posts.length, 2, 'the page after the repeated position is not asked for');
    assert.equal(await page.isEnabled('#query-save'), true, 'the records of both pages are kept');
  });

  test('wrong key shows a credentials message', { timeout: 60_000 }, async () => {
    const page = await freshPage();
    await openDialog(page, { baseUrl: mock.origin, key: WRONG_KEY });
    await pasteDomains(page, DOMAINS.slice(0, 5).join('\n'));
    await page.click('#query-run');
    const text = await waitForError(page);
    assert.match(text, /rejected the API username or key \(HTTP 403\)/);
    assert.match(text, /signature does not match/);
    assert.equal(mock.posts[0].status, 403);
    assert.equal(await page.isEnabled('#query-run'), true);
  });

  test('rate limit counts down and the retry succeeds', { timeout: 120_000 }, async () => {
    const page = await freshPage();
    mock.plan = [{ status: 503, retryAfter: 2, message: 'Rate limit exceeded' }];
    await openDialog(page, { baseUrl: mock.origin });
    await pasteDomains(page, DOMAINS.slice(0, 20).join('\n'));
    await page.click('#query-run');
    await waitForStatus(page, /Retrying in [12] s \(try 2 of 4\)/);
    const counts = await waitForGraph(page);
    await waitForStatus(page, /^Done: 16 records from 1 batches/);

    assert.notEqual(counts.nodes, '');
    assert.deepEqual(mock.posts.map((post) => post.status), [503, 200]);
    assert.equal(await page.isHidden('#query-error'), true);
  });

  test('rate limit gives up after four tries', { timeout: 120_000 }, async () => {
    const page = await freshPage();
    mock.plan = Array(4).fill({ status: 503, retryAfter: 1, message: 'Query limit exceeded' });
    await openDialog(page, { baseUrl: mock.origin });
    await pasteDomains(page, DOMAINS.slice(0, 20).join('\n'));
    await page.click('#query-run');
    const text = await waitForError(page, 60_000);
    assert.match(text, /quota or rate limit is reached \(HTTP 503\)/);
    assert.match(text, /Query limit exceeded/);
    assert.match(text, /4 tries failed/);
    assert.equal(mock.posts.length, 4);
    assert.equal(await page.isVisible('#query-retry'), true);
  });

  test('limit exceeded suggests narrowing the search', { timeout: 60_000 }, async () => {
    const page = await freshPage();
    await openDialog(page, { baseUrl: mock.origin });
    await page.click('#query-hash');
    await page.keyboard.type('too-broad');
    await page.click('#query-run');
    const text = await waitForError(page);
    assert.match(text, /Too many domains match this search/);
    assert.match(text, /Narrow the search/);
    assert.match(text, /Maximum of 10000 results exceeded/);
  });

  test('CORS refusal names the base URL setting', { timeout: 60_000 }, async () => {
    const page = await freshPage();
    await openDialog(page, { baseUrl: noCorsMock.origin });
    await pasteDomains(page, DOMAINS.slice(0, 5).join('\n'));
    await page.click('#query-run');
    const text = await waitForError(page);
    assert.match(text, /blocked the response because it carries no CORS headers/);
    assert.match(text, new RegExp(`origin \\(${server.origin.replaceAll('.', '\\.')}\\)`));
    assert.match(text, /API base URL/);
    assert.ok(noCorsMock.posts.length >= 1, 'the request reached the server');
  });

  test('unreachable server is a network failure', { timeout: 60_000 }, async () => {
    const page = await freshPage();
    // A port that was just free: nothing listens on it.
    const closed = await startMockIris({ users: {}, records: [] });
    const deadOrigin = closed.origin;
    await closed.close();
    await openDialog(page, { baseUrl: deadOrigin });
    await pasteDomains(page, DOMAINS.slice(0, 5).join('\n'));
    await page.click('#query-run');
    const text = await waitForError(page);
    assert.match(text, /Could not reach/);
    assert.doesNotMatch(text, /CORS/);
  });

  test('cancel stops a slow query and retry finishes it', { timeout: 180_000 }, async () => {
    const page = await freshPage();
    mock.delayMs = 4000;
    await openDialog(page, { baseUrl: mock.origin });
    await pasteDomains(page, DOMAINS.join('\n'));
    await page.click('#query-run');
    await waitForStatus(page, /^Batch 1 of 3, 0 records so far/);
    await page.click('#query-cancel');
    await waitForStatus(page, /^Cancelled after 0 of 3 batches; 0 records kept/);
    assert.equal(await page.isEnabled('#query-run'), true);
    assert.equal(await page.isVisible('#query-retry'), true);
    assert.equal(await page.textContent('#count-nodes'), '0');

    mock.delayMs = 0;
    await page.click('#query-retry');
    assert.deepEqual(await waitForGraph(page), expectedCounts);
    const served = domainsServed(mock);
    assert.deepEqual(served, DOMAINS);
  });

  test('records of finished batches survive a failure', { timeout: 180_000 }, async () => {
    const page = await freshPage();
    mock.plan = [null, { status: 500, message: 'backend timeout' }];
    await openDialog(page, { baseUrl: mock.origin });
    await pasteDomains(page, DOMAINS.join('\n'));
    await page.click('#query-run');
    const text = await waitForError(page);
    assert.match(text, /HTTP 500/);
    assert.match(text, /backend timeout/);
    assert.match(text, /80 records from 1 finished batches are kept/);
    assert.equal(await page.isVisible('#query-retry'), true);
    assert.equal(await page.isVisible('#query-score'), true);
    assert.equal(await page.isEnabled('#query-save'), true);

    await page.click('#query-score');
    const partial = await waitForGraph(page);
    assert.ok(Number(partial.nodes) <= 80, `${partial.nodes} nodes from 80 records`);

    await clearCounts(page);
    await page.click('#query-retry');
    assert.deepEqual(await waitForGraph(page), expectedCounts);
    await waitForStatus(page, /^Done: 200 records from 3 batches/);
    // Batch 1 was not sent again: every domain got an HTTP 200 response exactly once.
    assert.deepEqual(domainsServed(mock), DOMAINS);
  });

  test('key is stored only while remember is ticked', { timeout: 60_000 }, async () => {
    const page = await freshPage();
    await openDialog(page, { baseUrl: mock.origin });
    const stored = () => page.evaluate(() => JSON.stringify({ ...localStorage }));
    assert.ok(!(await stored()).includes(API_KEY));

    await page.click('#query-remember');
    assert.ok((await stored()).includes(API_KEY), 'ticking remember stores the key');
    assert.ok((await stored()).includes(USERNAME));

    await page.reload();
    await page.click('#query-open');
    assert.equal(await page.inputValue('#query-key'), API_KEY);
    assert.equal(await page.isChecked('#query-remember'), true);
    assert.equal(await page.inputValue('#query-base-url'), mock.origin);

    await page.click('#query-forget');
    assert.ok(!(await stored()).includes(API_KEY), 'Forget removes the key');
    assert.ok(!(await stored()).includes(USERNAME), 'Forget removes the username');
    assert.equal(await page.isChecked('#query-remember'), false);
  });
});
