// Drops the hostile corpus of crates/domaincat-core/tests/fixtures/hostile/ on the page in
// headless Chromium. Markup from WHOIS and web fields stays text, no script from the data
// runs, and no request leaves the page. Each file either draws its graph or is rejected
// with a message while the graph on screen stays.

import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { distDir, dropFile, launchBrowser, openPage, serveDist } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CORPUS = path.join(here, '..', '..', 'crates', 'domaincat-core', 'tests', 'fixtures', 'hostile');
const FILES = (await readdir(CORPUS)).filter((name) => name.endsWith('.json')).sort();

/** Files the page refuses as a whole; every other one gives a graph. */
const REFUSED = new Set(['deep_nesting.json']);

/** Elements that markup in the data would create if it were parsed as HTML. */
const ACTIVE_SELECTOR = 'img, script:not([src]), iframe, object, embed, a[href], svg *, [onerror], [onload]';

async function activeElements(page) {
  return page.$$eval(ACTIVE_SELECTOR, (elements) => elements.map((e) => `${e.tagName}#${e.id}`));
}

describe('hostile exports', () => {
  let server;
  let browser;
  let session;
  let page;
  let dialogs;
  let baseline;
  /** Requests made after the page loaded. */
  let requests;

  before(async () => {
    server = await serveDist(distDir());
    browser = await launchBrowser();
    session = await openPage(browser, null);
    page = session.page;
    dialogs = [];
    page.on('dialog', async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
    // Any script from the data would most likely call one of these.
    await page.addInitScript(() => {
      window.dataScripts = [];
      for (const name of ['alert', 'confirm', 'prompt']) {
        window[name] = (...args) => window.dataScripts.push(`${name}(${args.join(',')})`);
      }
    });
    await page.goto(server.url);
    await page.waitForFunction(() => window.domaincat !== undefined);
    baseline = await activeElements(page);
    requests = [];
    session.context.on('request', (request) => requests.push(request.url()));
  });

  after(async () => {
    await session?.close();
    await browser?.close();
    await server?.close();
  });

  for (const file of FILES) {
    test(`${file}: text only, no script, no request out`, async () => {
      const buffer = await readFile(path.join(CORPUS, file));
      const nodesBefore = await page.textContent('#count-nodes');
      await page.evaluate(() => {
        document.querySelector('#error').hidden = true;
        document.querySelector('#graph-canvas').removeAttribute('data-layout');
      });
      await dropFile(page, '#graph-canvas', { name: file, mimeType: 'application/json', buffer });
      if (REFUSED.has(file)) {
        await page.waitForSelector('#error', { state: 'visible' });
        assert.match(await page.textContent('#error-text'), new RegExp(`^Could not read ${file.replace('.', '\\.')}: `));
        assert.equal(await page.textContent('#count-nodes'), nodesBefore, 'the graph on screen stays');
      } else {
        await page.waitForSelector('#graph-canvas[data-layout="settled"]', { timeout: 60_000 });
        assert.match(await page.textContent('#status'), new RegExp(`^Layout settled|^Nothing to draw`));
        // A box over the whole graph selects every node, so the panels show the data.
        const box = await page.locator('#graph-canvas').boundingBox();
        await page.keyboard.down('Shift');
        await page.mouse.move(box.x + 5, box.y + 5);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width - 5, box.y + box.height - 5, { steps: 5 });
        await page.mouse.up();
        await page.keyboard.up('Shift');
      }
      // Every problem, trimmed domain and statistic is shown as text.
      const shown = await page.evaluate(() => document.body.innerText);
      const listed = await page.$$eval('#problems-list li, #trimmed-list li', (items) => items.map((li) => li.textContent));
      if (file === 'markup_in_every_field.json') {
        assert.ok(listed.some((text) => text.includes('<img src=x onerror=alert(1)>')), 'the markup is listed as text');
        assert.ok(shown.includes('<svg/onload=alert(1)>'), 'SVG markup is shown as text');
      }
      assert.deepEqual(await activeElements(page), baseline, 'no element was made from the data');
      assert.deepEqual(await page.evaluate(() => window.dataScripts), [], 'no script from the data ran');
      assert.deepEqual(dialogs, []);
      assert.deepEqual(session.blockedRequests, [], 'nothing tried to leave 127.0.0.1');
      const outside = requests.filter((url) => !url.startsWith(server.url));
      assert.deepEqual(outside, [], 'every request after load is for the page’s own files');
      const data = requests.filter((url) => !/\.(js|wasm)$/.test(new URL(url).pathname));
      assert.deepEqual(data, [], 'the only requests after load start scoring workers');
      assert.deepEqual(session.pageErrors, []);
    });
  }

  test('the edge between two markup-laden domains shows its values as text', async () => {
    const buffer = await readFile(path.join(CORPUS, 'markup_in_every_field.json'));
    await page.evaluate(() => document.querySelector('#graph-canvas').removeAttribute('data-layout'));
    await dropFile(page, '#graph-canvas', { name: 'markup.json', mimeType: 'application/json', buffer });
    await page.waitForSelector('#graph-canvas[data-layout="settled"]', { timeout: 60_000 });
    const a = await page.evaluate(() => window.domaincat.nodeClientPosition('markup-a.com'));
    const b = await page.evaluate(() => window.domaincat.nodeClientPosition('markup-b.com'));
    assert.ok(a, 'markup-a.com is drawn');
    assert.ok(b, 'markup-b.com is drawn');
    // The middle of the edge, away from both discs.
    await page.mouse.move((a[0] + b[0]) / 2, (a[1] + b[1]) / 2);
    await page.mouse.click((a[0] + b[0]) / 2, (a[1] + b[1]) / 2);
    await page.waitForFunction(() => /<\/script>/.test(document.querySelector('#edge-panel')?.innerText ?? ''));
    await page.mouse.click(a[0], a[1]);
    await page.waitForFunction(() => document.querySelector('#selection-count').textContent === '2');
    const tooltip = await page.textContent('#tooltip');
    assert.ok(typeof tooltip === 'string');
    assert.deepEqual(await activeElements(page), baseline, 'no element was made from the data');
    assert.deepEqual(await page.evaluate(() => window.dataScripts), []);
    assert.deepEqual(dialogs, []);
  });
});
