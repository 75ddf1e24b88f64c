// The page end to end in headless Chromium with a real WebGL2 context: drop the sample
// export, wait for the graph, compare what is shown with the original notebook's output,
// hover and click nodes with real mouse events, then drop a malformed file.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  distDir,
  dropFile,
  launchBrowser,
  openPage,
  pixelAt,
  readCanvasPixels,
  serveDist,
} from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, '..', '..', 'crates', 'domaincat-core', 'tests', 'fixtures');
const SAMPLE = await readFile(path.join(fixtures, 'dash_gov_dot_us.json'));
const GOLDEN = JSON.parse(await readFile(path.join(fixtures, 'dash_gov_dot_us.golden.json'), 'utf8'))
  .variants.default;

/** Background colour of the graph area, as drawn by the renderer (RGB 0–255). */
const BACKGROUND = [20, 23, 28];

/** Golden neighbours of each domain. */
function goldenNeighbours() {
  const neighbours = new Map(GOLDEN.nodes.map(([name]) => [name, new Set()]));
  for (const [a, b] of GOLDEN.edges) {
    neighbours.get(a).add(b);
    neighbours.get(b).add(a);
  }
  return neighbours;
}

async function waitForSettledGraph(page) {
  await page.waitForSelector('#graph-canvas[data-layout="settled"]', { timeout: 120_000 });
}

async function dropSample(page) {
  const cancelled = await dropFile(page, '#graph-canvas', {
    name: 'dash_gov_dot_us.json',
    mimeType: 'application/json',
    buffer: SAMPLE,
  });
  return cancelled;
}

/** Client coordinates of a domain's node, from the page's own camera. */
async function nodePosition(page, name) {
  const position = await page.evaluate((n) => window.domaincat.nodeClientPosition(n), name);
  assert.ok(position, `no position for ${name}`);
  return { x: position[0], y: position[1] };
}

/** The domain whose node has the most neighbours in the golden graph. */
function busiestDomain() {
  let best = null;
  for (const [name, set] of goldenNeighbours()) {
    if (best === null || set.size > best[1].size) best = [name, set];
  }
  return best;
}

describe('page with the sample export', () => {
  let server;
  let browser;
  let session;

  before(async () => {
    server = await serveDist(distDir());
    browser = await launchBrowser();
    session = await openPage(browser, server.url, { deviceScaleFactor: 2 });
    const cancelled = await dropSample(session.page);
    assert.ok(cancelled.drop, 'the page must cancel the drop event to receive the file');
    await waitForSettledGraph(session.page);
  });

  after(async () => {
    await session?.close();
    await browser?.close();
    await server?.close();
  });

  test('shows golden node and edge counts', async () => {
    const { page } = session;
    assert.equal(await page.textContent('#count-nodes'), String(GOLDEN.counts.nodes));
    assert.equal(await page.textContent('#count-edges'), String(GOLDEN.counts.edges));
    assert.equal(await page.isVisible('#inactive-note'), true);
    assert.equal(await page.textContent('#count-inactive'), String(GOLDEN.counts.inactive));
  });

  test('pivot statistics match the golden table', async () => {
    const rows = await session.page.$$eval('#pivot-stats tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    const expected = GOLDEN.pivot_stats.rows.map((row) => [
      row.category,
      row.raw[1],
      String(row.pivots),
      row.avg_domains_per_pivot.toFixed(2),
      row.raw[4],
    ]);
    assert.deepEqual(rows, expected);
  });

  test('trimmed domains are listed with a reason', async () => {
    const items = await session.page.$$eval('#trimmed-list li', (lis) =>
      lis.map((li) => [li.dataset.domain, li.textContent]),
    );
    assert.deepEqual(
      items.map(([domain]) => domain),
      GOLDEN.trimmed.unconnected,
    );
    for (const [, text] of items) {
      assert.match(text, /shares no pivot with another domain/);
    }
  });

  test('canvas is sharp and draws nodes', async () => {
    const { page } = session;
    const size = await page.$eval('#graph-canvas', (c) => ({
      width: c.width,
      height: c.height,
      cssWidth: c.getBoundingClientRect().width,
    }));
    assert.equal(size.width, Math.round(size.cssWidth * 2), 'drawing buffer follows devicePixelRatio');

    const image = await readCanvasPixels(page, '#graph-canvas');
    let coloured = 0;
    for (let y = 0; y < image.height; y += 3) {
      for (let x = 0; x < image.width; x += 3) {
        const [r, g, b] = pixelAt(image, x, y);
        // Risk colours are saturated (green, yellow, orange, red); the background and
        // edges are grey.
        if (Math.max(r, g, b) - Math.min(r, g, b) > 80) coloured += 1;
      }
    }
    assert.ok(coloured > 200, `only ${coloured} saturated pixels were drawn`);

    const [name] = busiestDomain();
    const { x, y } = await nodePosition(page, name);
    const box = await page.$eval('#graph-canvas', (c) => c.getBoundingClientRect().toJSON());
    const centre = pixelAt(image, Math.round((x - box.left) * 2), Math.round((y - box.top) * 2));
    assert.notDeepEqual(centre.slice(0, 3), BACKGROUND, 'a node is drawn at its reported position');
  });

  test('hover shows the tooltip, also exactly on the centre', async () => {
    const { page } = session;
    const [name, neighbours] = busiestDomain();
    const risk = GOLDEN.nodes.find(([n]) => n === name)[1];
    const { x, y } = await nodePosition(page, name);
    await page.mouse.move(x + 40, y + 40);
    await page.mouse.move(x, y, { steps: 4 });
    await page.waitForSelector('#tooltip:not([hidden])');
    const text = await page.textContent('#tooltip');
    assert.equal(text, `${name} — risk ${risk}, ${neighbours.size} connections`);

    // The tooltip must not steal the pointer: moving by one pixel keeps it.
    await page.mouse.move(x + 1, y);
    assert.equal(await page.isHidden('#tooltip'), false);
  });

  test('click selects the node and its golden neighbours', async () => {
    const { page } = session;
    const [name, neighbours] = busiestDomain();
    const { x, y } = await nodePosition(page, name);
    await page.mouse.click(x, y);
    const listed = await page.$$eval('#selection-list li', (lis) => lis.map((li) => li.textContent));
    const expected = [name, ...neighbours];
    assert.equal(await page.textContent('#selection-count'), String(expected.length));
    assert.deepEqual([...listed].sort(), [...expected].sort());
    for (let i = 1; i < listed.length; i += 1) {
      assert.ok(listed[i - 1].length >= listed[i].length, 'longest name first');
    }
  });

  test('Escape and a click on empty space clear the selection', async () => {
    const { page } = session;
    const [name] = busiestDomain();
    let { x, y } = await nodePosition(page, name);
    await page.mouse.click(x, y);
    await page.keyboard.press('Escape');
    assert.equal(await page.textContent('#selection-count'), '0');

    ({ x, y } = await nodePosition(page, name));
    await page.mouse.click(x, y);
    assert.notEqual(await page.textContent('#selection-count'), '0');
    const box = await page.$eval('#graph-canvas', (c) => c.getBoundingClientRect().toJSON());
    await page.mouse.click(box.left + 3, box.top + 3);
    assert.equal(await page.textContent('#selection-count'), '0');
  });

  test('wheel zooms about the cursor and drag pans', async () => {
    const { page } = session;
    const [name] = busiestDomain();
    const before = await nodePosition(page, name);
    await page.mouse.move(before.x, before.y);
    await page.mouse.wheel(0, -300);
    const zoomed = await nodePosition(page, name);
    assert.ok(Math.abs(zoomed.x - before.x) < 1.5, `the point under the cursor moved by x ${zoomed.x - before.x}`);
    assert.ok(Math.abs(zoomed.y - before.y) < 1.5, `the point under the cursor moved by y ${zoomed.y - before.y}`);

    await page.mouse.move(zoomed.x + 30, zoomed.y + 30);
    await page.mouse.down();
    await page.mouse.move(zoomed.x + 90, zoomed.y + 50, { steps: 5 });
    await page.mouse.up();
    const panned = await nodePosition(page, name);
    assert.ok(Math.abs(panned.x - zoomed.x - 60) < 1.5, `panned by ${panned.x - zoomed.x}`);
    assert.ok(Math.abs(panned.y - zoomed.y - 20) < 1.5, `panned by ${panned.y - zoomed.y}`);
    assert.equal(await page.textContent('#selection-count'), '0', 'a drag is not a click');

    await page.click('#fit-view');
    const box = await page.$eval('#graph-canvas', (c) => c.getBoundingClientRect().toJSON());
    const fitted = await nodePosition(page, name);
    assert.ok(fitted.x > box.left, 'fitted node right of the left edge');
    assert.ok(fitted.x < box.right, 'fitted node left of the right edge');
    assert.ok(fitted.y > box.top, 'fitted node below the top edge');
    assert.ok(fitted.y < box.bottom, 'fitted node above the bottom edge');
  });

  test('window resize keeps the canvas matched to its box', async () => {
    const { page } = session;
    await page.setViewportSize({ width: 1000, height: 700 });
    await page.waitForFunction(() => {
      const c = document.querySelector('#graph-canvas');
      return c.width === Math.round(c.getBoundingClientRect().width * devicePixelRatio);
    });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('a malformed file shows an error and keeps the graph', async () => {
    const { page } = session;
    await dropFile(page, '#graph-canvas', {
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from('[{"domain": "a.com", '),
    });
    await page.waitForSelector('#error:not([hidden])');
    const message = await page.textContent('#error-text');
    assert.match(message, /broken\.json/);
    assert.match(message, /not valid JSON/);
    assert.equal(await page.textContent('#count-nodes'), String(GOLDEN.counts.nodes));
    assert.equal(await page.getAttribute('#graph-canvas', 'data-layout'), 'settled');
  });

  test('no console errors, page errors or outside requests', () => {
    assert.deepEqual(session.pageErrors, []);
    assert.deepEqual(session.consoleErrors, []);
    assert.deepEqual(session.failedRequests, []);
    assert.deepEqual(session.blockedRequests, []);
  });
});

describe('page under a sub-path', () => {
  test('loads the sample with the button', async () => {
    const server = await serveDist(distDir(), { subPath: '/tools/domaincat/' });
    const browser = await launchBrowser();
    const session = await openPage(browser, server.url);
    try {
      await session.page.click('#load-sample');
      await waitForSettledGraph(session.page);
      assert.equal(await session.page.textContent('#count-nodes'), String(GOLDEN.counts.nodes));
      assert.deepEqual(session.pageErrors, []);
      assert.deepEqual(session.consoleErrors, []);
      assert.deepEqual(session.failedRequests, []);
    } finally {
      await session.close();
      await browser.close();
      await server.close();
    }
  });
});
