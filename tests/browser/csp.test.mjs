// The page's Content Security Policy in headless Chromium: the policy that the build ships in
// a <meta> element, the header that the README documents, and a page that runs under both
// without a single violation while it loads the sample, draws heat maps, starts the worker and
// queries the mock Iris API. Injected inline script, event handlers and style attributes must
// be blocked.
//
// serveDist adds http://127.0.0.1:* (TEST_CONNECT_SRC) to the page's connect-src, because the
// mock APIs listen at random ports. The test of the shipped policy serves the page unchanged.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  addConnectSources,
  distDir,
  launchBrowser,
  metaPolicy,
  openPage,
  serveDist,
  TEST_CONNECT_SRC,
} from './harness.mjs';
import { startMockIris } from './mock-iris.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.join(here, '..', '..');
const fixtures = path.join(repoRoot, 'crates', 'domaincat-core', 'tests', 'fixtures');
const RECORDS = JSON.parse(await readFile(path.join(fixtures, 'dash_gov_dot_us.json'), 'utf8'));

/** The policy of the built page's <meta> element, directive by directive. */
const SHIPPED_POLICY = {
  'default-src': ["'none'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'style-src': ["'self'"],
  'connect-src': ["'self'", 'https://api.domaintools.com'],
  'worker-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

/** The header adds what a <meta> policy cannot contain. */
const HEADER_POLICY = { ...SHIPPED_POLICY, 'frame-ancestors': ["'none'"] };

const USERNAME = 'analyst@example.org';
const API_KEY = 'k3y-csp-test-0001';

// A registrar name as hostile WHOIS data might carry it. The page must show it as text.
const WHOIS_PAYLOAD =
  '<img src=x onerror="window.whoisPayloadRan=1"><script>window.whoisPayloadRan=2</script>';
const PAYLOAD_REGISTRAR = 'NAMECHEAP, INC';
// Not every record carries the payload: a pivot that joins every domain is dropped.
const HOSTILE_RECORDS = RECORDS.map((record) =>
  record.registrar?.value === PAYLOAD_REGISTRAR
    ? { ...record, registrar: { ...record.registrar, value: WHOIS_PAYLOAD } }
    : record,
);

const GRAPH_TIMEOUT = 120_000;

/** Parses a serialized policy into {directive: [source, ...]}. */
function parsePolicy(policy) {
  const directives = {};
  for (const directive of policy.split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    if (name) {
      assert.equal(directives[name], undefined, `directive ${name} appears twice in ${policy}`);
      directives[name] = sources;
    }
  }
  return directives;
}

/** Returns the header policy from the README's line "Content-Security-Policy: ...". */
async function readmeHeaderPolicy() {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const lines = readme.split('\n').filter((line) => line.startsWith('Content-Security-Policy: '));
  assert.equal(lines.length, 1, 'README.md has one line "Content-Security-Policy: ..."');
  return lines[0].slice('Content-Security-Policy: '.length).trim();
}

/**
 * Opens `url` with a recorder of CSP violations that is in place before the page's own
 * scripts run. Returns the harness session plus `violations()`, which reads the recorded
 * events of the current document, and `consoleLines`, every console message of the page and
 * its workers.
 */
async function openRecordedPage(browser, url) {
  const session = await openPage(browser, null);
  const { page } = session;
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener(
      'securitypolicyviolation',
      (event) => {
        window.cspViolations.push({
          directive: event.effectiveDirective,
          blocked: event.blockedURI,
          sample: event.sample,
        });
      },
      true,
    );
  });
  // In playwright-core 1.65 the page's console events include its dedicated workers' messages.
  const consoleLines = [];
  page.on('console', (message) => {
    const source = message.worker() === null ? 'page' : 'worker';
    consoleLines.push(`${source} ${message.type()}: ${message.text()}`);
  });
  await page.goto(url);
  return {
    ...session,
    consoleLines,
    violations: () => page.evaluate(() => window.cspViolations),
  };
}

/** Console messages about a CSP violation or the deprecated wasm-bindgen start-up call. */
function policyMessages(consoleLines) {
  return consoleLines.filter((line) =>
    /Content Security Policy|Content-Security-Policy|deprecated parameters/i.test(line),
  );
}

async function waitForSettledGraph(page) {
  await page.waitForFunction(
    () => !['', '0'].includes(document.getElementById('count-nodes').textContent),
    null,
    { timeout: GRAPH_TIMEOUT },
  );
  await page.waitForSelector('#graph-canvas[data-layout="settled"]', { timeout: GRAPH_TIMEOUT });
}

/** Selects every node: fits the view, then drags the Box tool over the whole canvas. */
async function selectAll(page) {
  await page.click('#fit-view');
  await page.click('#tool-box');
  const box = await page.$eval('#graph-canvas', (canvas) => canvas.getBoundingClientRect().toJSON());
  await page.mouse.move(box.left + 2, box.top + 2);
  await page.mouse.down();
  await page.mouse.move(box.right - 2, box.bottom - 2, { steps: 4 });
  await page.mouse.up();
  await page.click('#tool-pan');
  await page.waitForSelector('#shared-content:not([hidden])', { timeout: 30_000 });
}

async function runHashQuery(page, baseUrl, hash) {
  await page.click('#query-open');
  await page.waitForSelector('#query-dialog[open]');
  await page.fill('#query-username', USERNAME);
  await page.fill('#query-key', API_KEY);
  await page.click('#query-settings summary');
  await page.fill('#query-base-url', baseUrl);
  await page.fill('#query-hash', hash);
  await page.click('#query-run');
}

describe('Content Security Policy', () => {
  let browser;
  let mock;
  let builtHtml;

  before(async () => {
    builtHtml = await readFile(path.join(distDir(), 'index.html'), 'utf8');
    browser = await launchBrowser();
    mock = await startMockIris({ users: { [USERNAME]: API_KEY }, records: HOSTILE_RECORDS });
  });

  after(async () => {
    await browser?.close();
    await mock?.close();
  });

  test('built page ships the meta policy', () => {
    const policy = metaPolicy(builtHtml);
    assert.notEqual(policy, null, 'index.html has a CSP <meta> element');
    assert.deepEqual(parsePolicy(policy), SHIPPED_POLICY);

    // A <meta> policy covers only the elements after it.
    const metaAt = builtHtml.search(/<meta\s+http-equiv="Content-Security-Policy"/i);
    for (const tag of ['<script', '<link', '<style', '<base']) {
      const at = builtHtml.indexOf(tag);
      assert.ok(at === -1 || at > metaAt, `the policy comes before the first ${tag}`);
    }
  });

  test('built page has no inline script or style', () => {
    const scripts = builtHtml.match(/<script\b[^>]*>/gi) ?? [];
    assert.ok(scripts.length > 0, 'the page loads a script');
    for (const script of scripts) {
      assert.match(script, /\ssrc="[^"]+"/, `script without src: ${script}`);
    }
    assert.deepEqual(builtHtml.match(/<[^>]*\son[a-z]+\s*=/gi), null, 'inline event handlers');
    assert.deepEqual(builtHtml.match(/<[^>]*\sstyle\s*=/gi), null, 'style attributes');
    assert.deepEqual(builtHtml.match(/<style\b/gi), null, '<style> elements');
  });

  test('README header is the meta policy plus frame-ancestors', async () => {
    assert.deepEqual(parsePolicy(await readmeHeaderPolicy()), HEADER_POLICY);
  });

  test('sample and heat maps run without violations', { timeout: 180_000 }, async () => {
    const server = await serveDist(distDir());
    const session = await openRecordedPage(browser, server.url);
    try {
      const { page } = session;
      await page.click('#load-sample');
      await waitForSettledGraph(page);
      await selectAll(page);

      // Heat map colours are set through the CSSOM, which style-src does not restrict.
      const colours = await page.$$eval('#heatmap-categories td[data-value]', (cells) =>
        cells.map((cell) => getComputedStyle(cell).backgroundColor),
      );
      assert.ok(colours.length > 0, 'the category heat map has cells');
      assert.ok(
        colours.some((colour) => colour !== 'rgba(0, 0, 0, 0)'),
        `heat map cells are coloured: ${colours.slice(0, 5).join(', ')}`,
      );

      assert.deepEqual(await session.violations(), []);
      assert.deepEqual(policyMessages(session.consoleLines), []);
      assert.deepEqual(session.pageErrors, []);
      assert.deepEqual(session.blockedRequests, []);
    } finally {
      await session.close();
      await server.close();
    }
  });

  test('query with WHOIS markup runs without violations', { timeout: 180_000 }, async () => {
    const server = await serveDist(distDir());
    const session = await openRecordedPage(browser, server.url);
    mock.reset();
    try {
      const { page } = session;
      await runHashQuery(page, mock.origin, 'all');
      await waitForSettledGraph(page);
      await page.waitForFunction(
        () => /^Done: /.test(document.getElementById('query-status').textContent),
        null,
        { timeout: 30_000 },
      );
      assert.ok(mock.posts.length >= 1, 'the query reached the mock');
      assert.ok(mock.posts.every((post) => post.status === 200));

      await page.click('#query-close');
      await selectAll(page);
      const values = await page.$$eval('#shared-table tbody td', (cells) =>
        cells.map((cell) => cell.textContent),
      );
      assert.ok(values.includes(WHOIS_PAYLOAD), 'the registrar markup is shown as text');
      assert.equal(await page.evaluate(() => window.whoisPayloadRan), undefined);
      assert.equal(await page.locator('#shared-table img, #shared-table script').count(), 0);

      assert.deepEqual(await session.violations(), []);
      assert.deepEqual(policyMessages(session.consoleLines), []);
      assert.deepEqual(session.pageErrors, []);
      assert.deepEqual(session.blockedRequests, []);
    } finally {
      await session.close();
      await server.close();
    }
  });

  test('injected script, handler and style are blocked', { timeout: 60_000 }, async () => {
    const server = await serveDist(distDir());
    const session = await openRecordedPage(browser, server.url);
    try {
      const { page } = session;
      await page.waitForSelector('#load-sample');
      const outcome = await page.evaluate(async () => {
        window.injectedScriptRan = false;
        window.injectedHandlerRan = false;
        const script = document.createElement('script');
        script.textContent = 'window.injectedScriptRan = true;';
        document.body.append(script);

        const button = document.createElement('button');
        button.setAttribute('onclick', 'window.injectedHandlerRan = true');
        document.body.append(button);
        button.click();

        const marker = document.createElement('p');
        marker.setAttribute('style', 'display: none');
        document.body.append(marker);

        // Violation events are dispatched in tasks of their own.
        await new Promise((resolve) => setTimeout(resolve, 100));
        return {
          scriptRan: window.injectedScriptRan,
          handlerRan: window.injectedHandlerRan,
          markerDisplay: getComputedStyle(marker).display,
        };
      });
      assert.equal(outcome.scriptRan, false, 'the inline script did not run');
      assert.equal(outcome.handlerRan, false, 'the inline event handler did not run');
      assert.notEqual(outcome.markerDisplay, 'none', 'the style attribute was not applied');

      const directives = (await session.violations()).map((violation) => [
        violation.directive,
        violation.blocked,
      ]);
      assert.deepEqual(directives, [
        ['script-src-elem', 'inline'],
        ['script-src-attr', 'inline'],
        ['style-src-attr', 'inline'],
      ]);
    } finally {
      await session.close();
      await server.close();
    }
  });

  test('shipped policy blocks another API origin', { timeout: 60_000 }, async () => {
    const server = await serveDist(distDir(), { connectSrc: [] });
    const session = await openRecordedPage(browser, server.url);
    mock.reset();
    try {
      const { page } = session;
      assert.deepEqual(
        parsePolicy(await page.$eval('meta[http-equiv="Content-Security-Policy"]', (meta) => meta.content)),
        SHIPPED_POLICY,
      );
      await runHashQuery(page, `${mock.origin}/corp-proxy/`, 'all');
      await page.waitForSelector('#query-error:not([hidden])', { timeout: 30_000 });
      const text = await page.textContent('#query-error');
      assert.match(text, /Content Security Policy blocked the request/);
      assert.match(text, /connect-src allows 'self' https:\/\/api\.domaintools\.com/);
      assert.ok(text.includes(`add ${mock.origin} to connect-src`), text);
      assert.doesNotMatch(text, /Could not reach/);

      assert.equal(mock.requests.length, 0, 'no request reached the mock');
      const violations = await session.violations();
      assert.ok(violations.length >= 1);
      assert.ok(violations.every((violation) => violation.directive === 'connect-src'));
      assert.ok(violations.every((violation) => violation.blocked.startsWith(mock.origin)));
    } finally {
      await session.close();
      await server.close();
    }
  });

  test('README header runs the page and worker', { timeout: 180_000 }, async () => {
    const header = addConnectSources(await readmeHeaderPolicy(), TEST_CONNECT_SRC);
    const server = await serveDist(distDir(), { headers: { 'Content-Security-Policy': header } });
    const session = await openRecordedPage(browser, server.url);
    try {
      const { page } = session;
      // The worker's script carries the header too, so the worker runs under it.
      await page.click('#load-sample');
      await waitForSettledGraph(page);
      assert.deepEqual(await session.violations(), []);
      assert.deepEqual(policyMessages(session.consoleLines), []);
      assert.deepEqual(session.pageErrors, []);

      // frame-ancestors 'none': no page may frame it. The framing page is about:blank,
      // which has no policy of its own that could block the frame first.
      const framer = await session.context.newPage();
      const frameMessages = [];
      framer.on('console', (message) => frameMessages.push(message.text()));
      await framer.setContent(`<iframe src="${server.url}"></iframe>`);
      await expectEventually(
        () => frameMessages.some((text) => /frame-ancestors 'none'/.test(text)),
        `Chromium reports the frame-ancestors violation; console: ${JSON.stringify(frameMessages)}`,
      );
      const framed = framer.frames().find((frame) => frame.url() === server.url);
      assert.equal(framed, undefined, 'the framed page did not load');
    } finally {
      await session.close();
      await server.close();
    }
  });
});

async function expectEventually(condition, message, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      assert.fail(`timed out: ${message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
