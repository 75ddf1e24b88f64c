// The page under load and failure, in headless Chromium with a real WebGL2 context.
// A synthetic export of more than a million edges is drawn within the edge budget, with
// the note saying so, and neighbours come from the worker. Cancel, failed loads and
// failed re-scores keep what is on screen. A lost WebGL context is restored, and a
// browser without WebGL2 is told so.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import {
  distDir,
  dropFile,
  launchBrowser,
  openPage,
  pixelAt,
  readCanvasPixels,
  serveDist,
} from './harness.mjs';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.join(here, '..', '..');
const CLI = path.join(REPO, 'target', 'debug', 'domaincat');
const SAMPLE = await readFile(path.join(REPO, 'crates', 'domaincat-core', 'tests', 'fixtures', 'dash_gov_dot_us.json'));
const SAMPLE_NODES = 204;

/** Records of the synthetic export: enough for more edges than the page receives. */
const LARGE_RECORDS = 3500;
/** Edges the page receives at most, and draws at most at rest (protocol.rs, app.rs). */
const MAX_SENT_EDGES = 1_000_000;
const EDGE_BUDGET = 100_000;

const LOAD_TIMEOUT = 240_000;

/** Background colour of the graph area (RGB 0–255). */
const BACKGROUND = [20, 23, 28];

async function waitForSettledGraph(page, nodes) {
  await page.waitForFunction(
    (n) =>
      document.querySelector('#graph-canvas').dataset.layout === 'settled' &&
      window.domaincat.counts().nodes > 0 &&
      (n === null || window.domaincat.counts().nodes === n),
    nodes ?? null,
    { timeout: LOAD_TIMEOUT },
  );
}

async function dropSample(page) {
  await dropFile(page, '#graph-canvas', {
    name: 'dash_gov_dot_us.json',
    mimeType: 'application/json',
    buffer: SAMPLE,
  });
  await waitForSettledGraph(page, SAMPLE_NODES);
}

/** Pixels of the canvas that differ from the background, sampled on a grid. */
async function drawnPixels(page) {
  const image = await readCanvasPixels(page, '#graph-canvas');
  let drawn = 0;
  for (let y = 0; y < image.height; y += 2) {
    for (let x = 0; x < image.width; x += 2) {
      const [r, g, b] = pixelAt(image, x, y);
      if (Math.abs(r - BACKGROUND[0]) + Math.abs(g - BACKGROUND[1]) + Math.abs(b - BACKGROUND[2]) > 12) {
        drawn += 1;
      }
    }
  }
  return drawn;
}

async function selectedNames(page) {
  return page.$$eval('#selection-list li', (items) => items.map((li) => li.textContent));
}

/** Clicks the node of `name` and returns the selection it made. */
async function clickNode(page, name) {
  const at = await page.evaluate((n) => window.domaincat.nodeClientPosition(n), name);
  assert.ok(at, `${name} is drawn`);
  await page.mouse.click(at[0], at[1]);
  await page.waitForFunction(() => document.querySelector('#selection-count').textContent !== '0');
  return selectedNames(page);
}

// One server, browser and synthetic export for every test of this file.
let server;
let browser;
let scratch;
let large;

before(async () => {
  if (!existsSync(CLI)) {
    await run('cargo', ['build', '-q', '-p', 'domaincat-cli'], { cwd: REPO, maxBuffer: 64 * 1024 * 1024 });
  }
  scratch = await mkdtemp(path.join(tmpdir(), 'domaincat-resilience-'));
  large = path.join(scratch, `synthetic-${LARGE_RECORDS}.json`);
  await run(CLI, ['synth', String(LARGE_RECORDS), '--seed', '3', '-o', large]);
  server = await serveDist(distDir());
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('a graph of more than a million edges', () => {
  let session;

  before(async () => {
    session = await openPage(browser, server.url);
  });

  after(async () => {
    await session?.close();
  });

  test('loads with stage progress, draws within the budget and says so', async () => {
    const { page } = session;
    // Every status text shown while loading, in order.
    await page.evaluate(() => {
      window.statusTexts = [];
      const status = document.querySelector('#status');
      new MutationObserver(() => window.statusTexts.push(status.textContent)).observe(status, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    await page.setInputFiles('#file-input', large);
    await page.waitForSelector('#cancel-job', { state: 'visible' });
    await waitForSettledGraph(page, null);
    assert.equal(await page.isVisible('#cancel-job'), false, 'Cancel hides once the graph is shown');

    const texts = await page.evaluate(() => window.statusTexts);
    for (const stage of [/^Reading /, /^Extracting pivots from \d+ records/, /^Comparing the names of/, /^Building [\d,]+ edges/, /^Laying out… iteration \d+/]) {
      assert.ok(texts.some((t) => stage.test(t)), `progress shows ${stage}: ${texts.join(' | ')}`);
    }

    // The note changes once the view rests after the layout settles.
    await page.waitForFunction(() => {
      const { edges } = window.domaincat.counts();
      const note = document.querySelector('#edge-note');
      return !note.hidden && note.textContent.startsWith(`Drawing ${edges.toLocaleString('en-US')} of `);
    });
    const counts = await page.evaluate(() => window.domaincat.counts());
    assert.ok(counts.totalEdges > MAX_SENT_EDGES, `the graph has ${counts.totalEdges} edges`);
    assert.equal(await page.textContent('#count-edges'), String(counts.totalEdges));
    assert.ok(counts.edges >= 20_000, `the view draws ${counts.edges} edges`);
    assert.ok(counts.edges <= EDGE_BUDGET, `the view draws ${counts.edges} edges`);
    const note = await page.textContent('#edge-note');
    assert.equal(await page.isVisible('#edge-note'), true);
    assert.match(
      note,
      new RegExp(`^Drawing ${counts.edges.toLocaleString('en-US')} of ${counts.totalEdges.toLocaleString('en-US')} edges, the heaviest in view; zoom in for more\\.$`),
    );
    const stages = await page.evaluate(() => window.domaincat.stages());
    for (const stage of ['parse', 'extract', 'substrings', 'trim', 'edges', 'summary']) {
      assert.ok(stages[stage] >= 0, `stage ${stage} is timed`);
    }
    assert.deepEqual(session.consoleErrors, []);
    assert.deepEqual(session.pageErrors, []);
  });

  test('zooming in spends the budget on the edges in view', async () => {
    const { page } = session;
    const box = await page.locator('#graph-canvas').boundingBox();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.4);
    for (let i = 0; i < 30; i += 1) await page.mouse.wheel(0, -200);
    // The budget is chosen again at most every 150 ms while the view moves.
    await page.waitForFunction(() => /zoom in for more|out of view/.test(document.querySelector('#edge-note').textContent));
    await page.waitForTimeout(400);
    const zoomed = await page.evaluate(() => window.domaincat.counts());
    const note = await page.textContent('#edge-note');
    assert.match(note, new RegExp(`^Drawing ${zoomed.edges.toLocaleString('en-US')} of `), 'the note follows the zoom');
    await page.keyboard.press('f');
    await page.waitForFunction(() => {
      const { edges } = window.domaincat.counts();
      return document.querySelector('#edge-note').textContent.startsWith(`Drawing ${edges.toLocaleString('en-US')} of `);
    });
  });

  test('a click selects every neighbour, fetched from the worker', async () => {
    const { page } = session;
    // The busiest node of the fitted view: its tooltip gives its degree.
    const names = await page.$$eval('#trimmed-list li', (items) => items.map((li) => li.dataset.domain));
    assert.ok(Array.isArray(names));
    const box = await page.locator('#graph-canvas').boundingBox();
    let degree = null;
    let picked = null;
    for (let step = 0; step < 40 && degree === null; step += 1) {
      const x = box.x + box.width * (0.3 + 0.4 * ((step * 7) % 40) / 40);
      const y = box.y + box.height * (0.3 + 0.4 * ((step * 13) % 40) / 40);
      await page.mouse.move(x, y);
      const tip = await page.textContent('#tooltip');
      const match = (await page.isVisible('#tooltip')) && tip.match(/^(\S+) — .*, ([\d]+) connections?$/);
      if (match) {
        degree = Number(match[2]);
        picked = { x, y, name: match[1] };
      }
    }
    assert.ok(picked, 'found a node under the pointer');
    await page.mouse.click(picked.x, picked.y);
    await page.waitForFunction(
      (n) => document.querySelector('#selection-count').textContent === String(n),
      degree + 1,
      { timeout: 30_000 },
    );
    const listed = await selectedNames(page);
    if (degree + 1 <= 1000) {
      assert.ok(listed.includes(picked.name));
    } else {
      assert.equal(listed.length, 1001, 'the panel lists 1,000 names and a line for the rest');
      assert.equal(listed[1000], `… and ${(degree + 1 - 1000).toLocaleString('en-US')} more; Copy and Download give every name`);
    }
    await page.keyboard.press('Escape');
  });
});

describe('cancel, failures and lost contexts keep the graph', () => {
  let session;

  before(async () => {
    session = await openPage(browser, server.url);
    await dropSample(session.page);
  });

  after(async () => {
    await session?.close();
  });

  test('Cancel stops a load and keeps the graph and selection', async () => {
    const { page } = session;
    const selected = await clickNode(page, '1040-form-gov.us');
    await page.setInputFiles('#file-input', large);
    await page.waitForSelector('#cancel-job', { state: 'visible' });
    await page.click('#cancel-job');
    assert.match(await page.textContent('#status'), /^Loading synthetic-3500\.json was cancelled\. The previous graph is still shown\.$/);
    assert.equal(await page.isVisible('#cancel-job'), false);
    assert.equal(await page.textContent('#count-nodes'), String(SAMPLE_NODES));
    assert.deepEqual(await selectedNames(page), selected);
    // The cancelled worker is gone: nothing replaces the graph later.
    await page.waitForTimeout(3000);
    assert.equal(await page.textContent('#count-nodes'), String(SAMPLE_NODES));
    assert.deepEqual(await selectedNames(page), selected);
    // The kept worker still serves requests: a 3D layout comes from it.
    await page.keyboard.press('3');
    await page.waitForFunction(() => window.domaincat.view() === '3d' && window.domaincat.counts().nodes > 0);
    await page.keyboard.press('2');
    await page.waitForFunction(() => window.domaincat.view() === '2d');
  });

  test('a failed load keeps the graph, its settings and the selection', async () => {
    const { page } = session;
    const selected = await selectedNames(page);
    assert.ok(selected.length > 0);
    await dropFile(page, '#graph-canvas', {
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from('[{"domain": "a.example", '),
    });
    await page.waitForSelector('#error', { state: 'visible' });
    const message = await page.textContent('#error-text');
    assert.match(message, /^Could not read broken\.json: .*line 1.*The previous graph, its settings and selection are still shown\.$/);
    assert.equal(await page.textContent('#count-nodes'), String(SAMPLE_NODES));
    assert.deepEqual(await selectedNames(page), selected);
    await page.click('#error-close');
  });

  test('a failed re-score keeps the graph, its settings and the selection', async () => {
    const { page } = session;
    const selected = await selectedNames(page);
    await page.evaluate(() => {
      document.querySelector('#settings-panel').open = true;
    });
    const before = await page.inputValue('#setting-min-pivot');
    await page.fill('#setting-min-pivot', '0');
    await page.dispatchEvent('#setting-min-pivot', 'change');
    await page.waitForSelector('#error', { state: 'visible' });
    assert.match(await page.textContent('#error-text'), /pivot/i);
    assert.equal(await page.textContent('#count-nodes'), String(SAMPLE_NODES));
    assert.deepEqual(await selectedNames(page), selected);
    await page.click('#error-close');
    await page.fill('#setting-min-pivot', before);
    await page.dispatchEvent('#setting-min-pivot', 'change');
    // The valid value scores again; the next test starts from that graph at rest.
    await page.waitForFunction(() => /^Layout settled/.test(document.querySelector('#status').textContent), null, {
      timeout: LOAD_TIMEOUT,
    });
  });

  test('a lost WebGL context is restored with the same view and selection', async () => {
    const { page } = session;
    const selected = await selectedNames(page);
    const name = selected[0];
    const position = await page.evaluate((n) => window.domaincat.nodeClientPosition(n), name);
    // A moving view draws fewer edges: compare pictures of the view at rest.
    await page.waitForFunction(() => window.domaincat.counts().resting);
    const drawnBefore = await drawnPixels(page);
    assert.ok(drawnBefore > 500, `the graph is drawn (${drawnBefore} pixels)`);

    await page.evaluate(() => {
      window.statusTexts = [];
      const status = document.querySelector('#status');
      new MutationObserver(() => window.statusTexts.push(status.textContent)).observe(status, {
        childList: true,
        characterData: true,
        subtree: true,
      });
      const gl = document.querySelector('#graph-canvas').getContext('webgl2');
      window.loseContext = gl.getExtension('WEBGL_lose_context');
      window.loseContext.loseContext();
    });
    await page.waitForFunction(() => window.statusTexts.some((t) => /graphics context was lost/.test(t)));
    const framesLost = await page.evaluate(() => window.domaincat.counts().frames);
    await page.evaluate(() => window.loseContext.restoreContext());
    await page.waitForFunction(() => window.statusTexts.some((t) => /graphics context was restored/.test(t)));
    await page.waitForFunction(
      (f) => window.domaincat.counts().frames > f && window.domaincat.counts().resting,
      framesLost,
    );

    const drawnAfter = await drawnPixels(page);
    assert.ok(
      Math.abs(drawnAfter - drawnBefore) <= drawnBefore * 0.02,
      `the same picture comes back: ${drawnBefore} pixels before, ${drawnAfter} after`,
    );
    assert.deepEqual(await page.evaluate((n) => window.domaincat.nodeClientPosition(n), name), position);
    assert.deepEqual(await selectedNames(page), selected);
    assert.deepEqual(session.pageErrors, []);
  });

  test('an export of inactive records says why nothing is drawn', async () => {
    const { page } = session;
    const records = ['a', 'b', 'c'].map((label) => ({
      domain: `${label}-inactive.example`,
      active: false,
      registrar: { value: 'Shared Registrar', count: 3 },
    }));
    await dropFile(page, '#graph-canvas', {
      name: 'inactive.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(records)),
    });
    await page.waitForFunction(() => /^Nothing to draw/.test(document.querySelector('#status').textContent), null, {
      timeout: LOAD_TIMEOUT,
    });
    assert.equal(
      await page.textContent('#status'),
      'Nothing to draw: every usable record is inactive. Untick Active domains only in the scoring settings to include them.',
    );
  });
});

test('without WebGL2 the page says so and still scores', async () => {
  const session = await openPage(browser, null);
  try {
    const { page } = session;
    await page.addInitScript(() => {
      const original = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function getContext(type, ...rest) {
        return type === 'webgl2' ? null : original.call(this, type, ...rest);
      };
    });
    await page.goto(server.url);
    await page.waitForSelector('#error', { state: 'visible' });
    assert.match(await page.textContent('#error-text'), /no WebGL2 support/);
    await dropFile(page, '#graph-canvas', {
      name: 'dash_gov_dot_us.json',
      mimeType: 'application/json',
      buffer: SAMPLE,
    });
    await page.waitForFunction((n) => document.querySelector('#count-nodes').textContent === String(n), SAMPLE_NODES);
    assert.ok((await page.$$('#pivot-stats tbody tr')).length > 0, 'the statistics table is filled');
    assert.deepEqual(session.pageErrors, []);
  } finally {
    await session.close();
  }
});
