// The analyst's workbench in headless Chromium, driven with real mouse and keyboard events:
// box and lasso selection, click selection across the 2D and 3D views, shared pivots,
// edge details, scoring settings, removal with undo and the InfraCAT view. Every number
// the page shows is compared with what the native CLI (`domaincat`) computes from the
// same export, or with the golden output of the original notebook.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { distDir, dropFile, launchBrowser, openPage, serveDist } from './harness.mjs';

const run = promisify(execFile);

const testDir = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.join(testDir, '..', '..');
const CLI = path.join(REPO, 'target', 'debug', 'domaincat');
const FIXTURE = path.join(REPO, 'crates', 'domaincat-core', 'tests', 'fixtures', 'dash_gov_dot_us.json');
const SAMPLE = await readFile(FIXTURE);
const RECORDS = JSON.parse(SAMPLE.toString('utf8'));
const GOLDEN_VARIANTS = JSON.parse(
  await readFile(FIXTURE.replace(/\.json$/, '.golden.json'), 'utf8'),
).variants;
const GOLDEN = GOLDEN_VARIANTS.default;

/** A layout or a re-score takes seconds in software WebGL; this leaves room for a slow machine. */
const LAYOUT_TIMEOUT = 120_000;
/** How long a DOM update that follows a worker reply may take. */
const REPLY_TIMEOUT = 15_000;
/** Nodes must be at least this far (CSS px) from the outline of a box or lasso. */
const OUTLINE_MARGIN = 3;
/** A node clicked or hovered must be at least this far from every other node. */
const ISOLATION = 9;

/** Edges a view at rest draws at least, when its graph has that many (app.rs). */
const REST_EDGES = 20_000;

/**
 * Nodes and edges of the current view's graph, once the view rests. A view at rest draws
 * every edge of a graph of up to REST_EDGES edges, which this checks too.
 */
async function viewCounts(page) {
  await page.waitForFunction(() => window.domaincat.counts().resting);
  const { nodes, edges, totalEdges } = await page.evaluate(() => window.domaincat.counts());
  if (totalEdges <= REST_EDGES) assert.equal(edges, totalEdges, 'the view draws every edge');
  return { nodes, edges: totalEdges };
}

/** Runs the CLI on `args` and parses its compact JSON output. */
async function cli(...args) {
  const { stdout } = await run(CLI, [...args, '--compact'], {
    cwd: REPO,
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}

/** Golden neighbours of each domain of the default graph. */
const NEIGHBOURS = (() => {
  const neighbours = new Map(GOLDEN.nodes.map(([name]) => [name, new Set()]));
  for (const [a, b] of GOLDEN.edges) {
    neighbours.get(a).add(b);
    neighbours.get(b).add(a);
  }
  return neighbours;
})();
const RISK = new Map(GOLDEN.nodes);
const NAMES = GOLDEN.nodes.map(([name]) => name);

/** Sorts domain names as the page lists them: longest first, then alphabetically. */
function pageOrder(names) {
  return [...names].sort((a, b) => {
    if (a.length !== b.length) return b.length - a.length;
    if (a === b) return 0;
    return a < b ? -1 : 1;
  });
}

const sorted = (names) => [...names].sort();

// ---------------------------------------------------------------------------------------
// Page helpers

async function canvasBox(page) {
  return page.$eval('#graph-canvas', (c) => c.getBoundingClientRect().toJSON());
}

/** Client positions of `names` in the current view, as a Map of name → {x, y}. */
async function positions(page, names) {
  const list = await page.evaluate(
    (all) => all.map((name) => [name, window.domaincat.nodeClientPosition(name)]),
    names,
  );
  const map = new Map();
  for (const [name, position] of list) {
    if (position) map.set(name, { x: position[0], y: position[1] });
  }
  return map;
}

/** Returns a node's client position, which exists for every node in front of the 3D eye. */
async function nodePosition(page, name) {
  const position = await page.evaluate((n) => window.domaincat.nodeClientPosition(n), name);
  assert.ok(position, `the page has no position for ${name}`);
  return { x: position[0], y: position[1] };
}

/** Returns a node's client position rounded to the whole pixels that mouse events carry. */
async function nodePoint(page, name) {
  const { x, y } = await nodePosition(page, name);
  return { x: Math.round(x), y: Math.round(y) };
}

/** Waits for `waiting`, a Playwright wait, but lets a timeout pass so an assertion can explain. */
async function waitQuietly(waiting) {
  try {
    await waiting;
  } catch (error) {
    if (error.name !== 'TimeoutError') throw error;
  }
}

async function selectedNames(page) {
  return page.$$eval('#selection-list li', (items) => items.map((li) => li.textContent));
}

/**
 * Waits until the selection count reads `count` (or the wait runs out), then asserts that
 * the list contains exactly `expected`, in the page's order.
 */
async function expectSelection(page, expected, message) {
  await waitQuietly(
    page.waitForFunction(
      (n) => document.querySelector('#selection-count').textContent === String(n),
      expected.length,
      { timeout: REPLY_TIMEOUT },
    ),
  );
  const listed = await selectedNames(page);
  assert.deepEqual(sorted(listed), sorted(expected), message);
  assert.deepEqual(listed, pageOrder(expected), `${message}: longest name first`);
  assert.equal(await page.textContent('#selection-count'), String(expected.length), message);
}

async function clearSelection(page) {
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelector('#selection-count').textContent === '0');
}

/**
 * Waits until `view` is shown, has positions for its nodes and its layout is done, then
 * checks that the canvas and the toolbar name that view.
 */
async function waitForView(page, view) {
  await page.waitForFunction(
    (v) =>
      window.domaincat.view() === v &&
      document.querySelector('#graph-canvas').dataset.layout === 'settled' &&
      window.domaincat.counts().nodes > 0,
    view,
    { timeout: LAYOUT_TIMEOUT },
  );
  assert.equal(await page.getAttribute('#graph-canvas', 'data-view'), view);
  assert.equal(await page.getAttribute(`#view-${view}`, 'aria-pressed'), 'true');
}

/** Shows the 2D view with the Pan tool, fitted, with nothing selected or hovered. */
async function home(page) {
  if ((await page.evaluate(() => window.domaincat.view())) !== '2d') {
    await page.click('#view-2d');
    await waitForView(page, '2d');
  }
  await page.waitForSelector('#graph-canvas[data-layout="settled"]', { timeout: LAYOUT_TIMEOUT });
  await page.click('#tool-pan');
  await page.click('#fit-view');
  const box = await canvasBox(page);
  await page.mouse.move(box.left + 3, box.top + 3);
  await clearSelection(page);
}

/** Returns the number of graphs the page has displayed so far, counted by a MutationObserver. */
async function graphsShown(page) {
  return page.evaluate(() => window.__workbenchGraphs);
}

/**
 * Runs `action`, which makes the page score again, and waits for the new graph's 2D
 * layout to settle. `what` names the action in the timeout message.
 */
async function rescoreBy(page, what, action) {
  const before = await graphsShown(page);
  await action();
  try {
    await page.waitForFunction(
      (n) =>
        window.__workbenchGraphs > n &&
        document.querySelector('#graph-canvas').dataset.layout === 'settled' &&
        window.domaincat.counts().nodes > 0,
      before,
      { timeout: LAYOUT_TIMEOUT },
    );
  } catch (error) {
    if (error.name !== 'TimeoutError') throw error;
    throw new Error(`timed out after ${LAYOUT_TIMEOUT} ms waiting for a new graph after ${what}`);
  }
}

/** Reads the domain and connection counts of the toolbar. */
async function toolbarCounts(page) {
  return {
    nodes: Number(await page.textContent('#count-nodes')),
    edges: Number(await page.textContent('#count-edges')),
  };
}

/** Replaces the value of a field by typing, then leaves it with Tab so that it fires change. */
async function typeInto(page, selector, text) {
  await page.click(selector);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
  await page.keyboard.press('Tab');
}

/** Drags with `button` from `from` to `to`, with `modifier` held throughout. */
async function drag(page, from, to, { modifier = null, button = 'left', steps = 4 } = {}) {
  if (modifier) await page.keyboard.down(modifier);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down({ button });
  await page.mouse.move(to.x, to.y, { steps });
  await page.mouse.up({ button });
  if (modifier) await page.keyboard.up(modifier);
}

// ---------------------------------------------------------------------------------------
// Geometry

function distance(a, b) {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

function segmentDistance(p, a, b) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length = dx * dx + dy * dy;
  const t = length > 0 ? Math.min(1, Math.max(0, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length)) : 0;
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/** Tests whether `p` is inside the polygon `vertices` by the even-odd rule. */
function inPolygon(p, vertices) {
  let inside = false;
  for (let i = 0, j = vertices.length - 1; i < vertices.length; j = i, i += 1) {
    const a = vertices[i];
    const b = vertices[j];
    if (a.y > p.y !== b.y > p.y && p.x < a.x + ((p.y - a.y) / (b.y - a.y)) * (b.x - a.x)) {
      inside = !inside;
    }
  }
  return inside;
}

function outline(vertices) {
  return vertices.map((v, i) => [v, vertices[(i + 1) % vertices.length]]);
}

/** Returns the smallest distance from any node to the closed outline through `vertices`. */
function outlineClearance(points, vertices) {
  let least = Infinity;
  for (const p of points.values()) {
    for (const [a, b] of outline(vertices)) least = Math.min(least, segmentDistance(p, a, b));
  }
  return least;
}

function rectVertices({ x0, y0, x1, y1 }) {
  return [
    { x: x0, y: y0 },
    { x: x1, y: y0 },
    { x: x1, y: y1 },
    { x: x0, y: y1 },
  ];
}

/**
 * Moves the whole-pixel shape `vertices` by the smallest offset (at most 60 px) that keeps every node at
 * least OUTLINE_MARGIN away from its outline, so that no node sits on the line where
 * rounding could decide.
 */
function clearOfNodes(points, vertices) {
  for (let radius = 0; radius <= 60; radius += 1) {
    for (let dx = -radius; dx <= radius; dx += 1) {
      for (let dy = -radius; dy <= radius; dy += 1) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== radius) continue;
        const moved = vertices.map((v) => ({ x: v.x + dx, y: v.y + dy }));
        if (outlineClearance(points, moved) >= OUTLINE_MARGIN) return moved;
      }
    }
  }
  throw new Error('no offset within 60 px keeps the shape clear of every node');
}

/** Returns the whole-pixel point at fractions (fx, fy) of the nodes' bounding box. */
function atFraction(points, fx, fy) {
  const xs = [...points.values()].map((p) => p.x);
  const ys = [...points.values()].map((p) => p.y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  return { x: Math.round(minX + fx * (maxX - minX)), y: Math.round(minY + fy * (maxY - minY)) };
}

function namesInside(points, test) {
  return [...points].filter(([, p]) => test(p)).map(([name]) => name);
}

/** Lists the nodes at least 20 px inside `box` whose nearest other node is `gap` away or more. */
function isolatedNodes(points, gap, box) {
  const list = [...points];
  return list
    .filter(([, p]) => p.x > box.left + 20 && p.x < box.right - 20 && p.y > box.top + 20 && p.y < box.bottom - 20)
    .filter(([name, p]) => list.every(([other, q]) => other === name || distance(p, q) >= gap))
    .map(([name]) => name);
}

// ---------------------------------------------------------------------------------------

describe('workbench with the sample export', () => {
  let server;
  let browser;
  let session;
  let page;
  let scratch;

  before(async () => {
    if (!existsSync(CLI)) {
      await run('cargo', ['build', '-q', '-p', 'domaincat-cli'], { cwd: REPO, maxBuffer: 64 * 1024 * 1024 });
    }
    scratch = await mkdtemp(path.join(tmpdir(), 'domaincat-workbench-'));
    server = await serveDist(distDir());
    browser = await launchBrowser();
    session = await openPage(browser, server.url);
    page = session.page;
    // Counts the graphs the page shows: each new graph sets data-nodes on the canvas.
    await page.evaluate(() => {
      window.__workbenchGraphs = 0;
      new MutationObserver((records) => {
        window.__workbenchGraphs += records.filter((r) => r.attributeName === 'data-nodes').length;
      }).observe(document.querySelector('#graph-canvas'), { attributes: true });
    });
    const cancelled = await dropFile(page, '#graph-canvas', {
      name: 'dash_gov_dot_us.json',
      mimeType: 'application/json',
      buffer: SAMPLE,
    });
    assert.ok(cancelled.drop, 'the page must cancel the drop event to receive the file');
    await page.waitForSelector('#graph-canvas[data-layout="settled"]', { timeout: LAYOUT_TIMEOUT });
    assert.deepEqual(await toolbarCounts(page), { nodes: GOLDEN.counts.nodes, edges: GOLDEN.counts.edges });
  });

  after(async () => {
    await session?.close();
    await browser?.close();
    await server?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('canvas names its initial view', async () => {
    assert.equal(await page.evaluate(() => window.domaincat.view()), '2d');
    assert.equal(await page.getAttribute('#graph-canvas', 'data-view'), '2d');
  });

  test('box selection adds, removes, replaces', async () => {
    await home(page);
    const box = await canvasBox(page);
    const points = await positions(page, NAMES);
    assert.equal(points.size, NAMES.length, 'every golden node has a position');

    // A box over the lower left part of the graph.
    const [outer0, , outer1] = clearOfNodes(points, rectVertices({
      x0: atFraction(points, -0.02, 0).x,
      y0: atFraction(points, 0, 0.45).y,
      x1: atFraction(points, 0.45, 0).x,
      y1: atFraction(points, 0, 1.03).y,
    }));
    const outer = { x0: outer0.x, y0: outer0.y, x1: outer1.x, y1: outer1.y };
    const inOuter = (p) => p.x >= outer.x0 && p.x <= outer.x1 && p.y >= outer.y0 && p.y <= outer.y1;
    const added = namesInside(points, inOuter);
    assert.ok(added.length >= 5, `the box contains ${added.length} nodes`);
    assert.ok(added.length < NAMES.length / 2, `the box contains ${added.length} nodes`);

    // Drag from the bottom right corner to the top left one: the order of corners must
    // not matter.
    await drag(page, { x: outer.x1, y: outer.y1 }, { x: outer.x0, y: outer.y0 }, { modifier: 'Shift' });
    await expectSelection(page, added, 'Shift-drag selects the nodes in the box');
    assert.equal(await page.isHidden('#selection-box'), true, 'the rubber band is hidden again');

    // Shift adds: a second Shift box elsewhere keeps the first.
    const [extra0, , extra1] = clearOfNodes(points, rectVertices({
      x0: atFraction(points, 0.8, 0).x,
      y0: atFraction(points, 0, 0.55).y,
      x1: atFraction(points, 1.02, 0).x,
      y1: atFraction(points, 0, 0.75).y,
    }));
    const inExtra = (p) => p.x >= extra0.x && p.x <= extra1.x && p.y >= extra0.y && p.y <= extra1.y;
    const extra = namesInside(points, inExtra);
    assert.ok(extra.length > 0, 'the second box contains nodes');
    assert.ok(extra.every((n) => !added.includes(n)), 'the second box contains other nodes than the first');
    await drag(page, extra0, extra1, { modifier: 'Shift' });
    await expectSelection(page, [...added, ...extra], 'a second Shift-drag adds to the selection');

    // Alt removes the nodes of a smaller box inside the first.
    const [inner0, , inner1] = clearOfNodes(points, rectVertices({
      x0: atFraction(points, 0.05, 0).x,
      y0: atFraction(points, 0, 0.6).y,
      x1: atFraction(points, 0.3, 0).x,
      y1: atFraction(points, 0, 0.9).y,
    }));
    const inInner = (p) => p.x >= inner0.x && p.x <= inner1.x && p.y >= inner0.y && p.y <= inner1.y;
    const removed = namesInside(points, inInner);
    assert.ok(removed.length > 0, 'the inner box contains nodes');
    assert.ok(removed.every((n) => added.includes(n)), 'the inner box lies inside the first');
    await drag(page, inner0, inner1, { modifier: 'Alt' });
    const remaining = [...added, ...extra].filter((n) => !removed.includes(n));
    await expectSelection(page, remaining, 'Alt-drag removes the nodes in the box');

    // The Box tool: a plain drag replaces the selection.
    await page.click('#tool-box');
    assert.equal(await page.getAttribute('#tool-box', 'aria-pressed'), 'true');
    const [other0, , other1] = clearOfNodes(points, rectVertices({
      x0: atFraction(points, 0.55, 0).x,
      y0: atFraction(points, 0, -0.03).y,
      x1: atFraction(points, 1.03, 0).x,
      y1: atFraction(points, 0, 0.5).y,
    }));
    const inOther = (p) => p.x >= other0.x && p.x <= other1.x && p.y >= other0.y && p.y <= other1.y;
    const replaced = namesInside(points, inOther);
    assert.ok(replaced.length > 0, 'the third box contains nodes');
    await drag(page, other0, other1);
    await expectSelection(page, replaced, 'a plain drag with the Box tool replaces the selection');

    // The view did not move: a box is not a pan.
    const after = await positions(page, NAMES);
    for (const [name, p] of points) {
      assert.ok(distance(p, after.get(name)) < 0.01, `${name} stayed where it was`);
    }
    await page.click('#tool-pan');
    await page.mouse.move(box.left + 3, box.top + 3);
  });

  test('lasso selects the nodes inside', async () => {
    await home(page);
    const box = await canvasBox(page);
    const points = await positions(page, NAMES);

    // A triangle across the middle of the graph, moved until no node is near its sides.
    const triangle = clearOfNodes(points, [
      atFraction(points, 0.3, 0.02),
      atFraction(points, 0.95, 0.7),
      atFraction(points, 0.05, 0.85),
    ]);
    const inside = namesInside(points, (p) => inPolygon(p, triangle));
    const outsideCount = NAMES.length - inside.length;
    assert.ok(inside.length >= 5, `the lasso contains ${inside.length} nodes`);
    assert.ok(outsideCount >= 5, `the lasso leaves out ${outsideCount} nodes`);

    // The path: whole-pixel points about 25 px apart along each side, more than the
    // page's 3 px lasso step, so every point is kept and the sides stay straight.
    const path = [];
    for (const [a, b] of outline(triangle)) {
      const steps = Math.max(1, Math.ceil(distance(a, b) / 25));
      for (let i = 1; i <= steps; i += 1) {
        path.push({
          x: Math.round(a.x + ((b.x - a.x) * i) / steps),
          y: Math.round(a.y + ((b.y - a.y) * i) / steps),
          corner: i === steps,
        });
      }
    }
    // The last point would close the loop on the start; the page closes it itself.
    path.pop();

    await page.keyboard.down('Control');
    await page.mouse.move(triangle[0].x, triangle[0].y);
    await page.mouse.down();
    for (const point of path) {
      await page.mouse.move(point.x, point.y);
      if (point.corner) {
        // Each corner must be part of the drawn lasso before the next side starts.
        await page.waitForFunction(
          ([x, y]) => {
            const text = document.querySelector('#selection-lasso').getAttribute('points') ?? '';
            const last = text.trim().split(/\s+/).pop().split(',').map(Number);
            return Math.abs(last[0] - x) < 0.01 && Math.abs(last[1] - y) < 0.01;
          },
          [point.x - box.left, point.y - box.top],
        );
      }
    }
    assert.equal(await page.isVisible('#selection-lasso'), true, 'the lasso outline is drawn');
    await page.mouse.up();
    await page.keyboard.up('Control');
    await expectSelection(page, inside, 'Ctrl-drag selects the nodes inside the lasso');
    assert.equal(await page.isHidden('#selection-lasso'), true, 'the outline is hidden again');

    // With the Lasso tool a plain drag also draws a lasso; Alt makes it remove.
    await page.click('#tool-lasso');
    const small = clearOfNodes(points, [
      atFraction(points, 0.3, 0.3),
      atFraction(points, 0.6, 0.5),
      atFraction(points, 0.2, 0.7),
    ]);
    const cut = namesInside(points, (p) => inPolygon(p, small));
    await page.keyboard.down('Alt');
    await page.mouse.move(small[0].x, small[0].y);
    await page.mouse.down();
    for (const [a, b] of outline(small)) {
      for (let i = 1; i <= 4; i += 1) {
        await page.mouse.move(Math.round(a.x + ((b.x - a.x) * i) / 4), Math.round(a.y + ((b.y - a.y) * i) / 4));
      }
    }
    await page.mouse.up();
    await page.keyboard.up('Alt');
    await expectSelection(
      page,
      inside.filter((n) => !cut.includes(n)),
      'an Alt lasso with the Lasso tool removes the nodes inside it',
    );
    await page.click('#tool-pan');
  });

  test('3D view: selection, orbit, zoom, hover', async () => {
    await home(page);
    const box = await canvasBox(page);
    const flat = await positions(page, NAMES);
    // A node with a few neighbours, clear of other nodes so the click cannot miss.
    const name = isolatedNodes(flat, ISOLATION, box)
      .filter((n) => NEIGHBOURS.get(n).size >= 3)
      .sort((a, b) => NEIGHBOURS.get(b).size - NEIGHBOURS.get(a).size)[0];
    assert.ok(name, 'a node is clear of the others in 2D');
    const expected = [name, ...NEIGHBOURS.get(name)];
    const at = await nodePoint(page, name);
    await page.mouse.click(at.x, at.y);
    await expectSelection(page, expected, 'a click selects the node and its golden neighbours');

    await page.click('#view-3d');
    await waitForView(page, '3d');
    assert.equal(await page.getAttribute('#view-3d', 'aria-pressed'), 'true');
    assert.deepEqual(await viewCounts(page), {
      nodes: GOLDEN.counts.nodes,
      edges: GOLDEN.counts.edges,
    });
    await expectSelection(page, expected, 'the 3D view keeps the selection');
    await page.click('#view-2d');
    await waitForView(page, '2d');
    await expectSelection(page, expected, 'the 2D view keeps the selection');
    await page.click('#view-3d');
    await waitForView(page, '3d');

    // Orbit: a left drag over empty space turns the graph, and selects nothing.
    let points = await positions(page, NAMES);
    const probe = [...points].sort((a, b) => distance(b[1], centre(box)) - distance(a[1], centre(box)))[0][0];
    const before = points.get(probe);
    const start = emptyPoint(points, box);
    await drag(page, start, { x: start.x + 90, y: start.y + 30 });
    const orbited = await nodePosition(page, probe);
    assert.ok(distance(before, orbited) > 5, `orbit moved ${probe} by ${distance(before, orbited)} px`);
    await expectSelection(page, expected, 'an orbit drag does not change the selection');

    // Zoom: the wheel moves nodes towards or away from the centre.
    await page.mouse.move(Math.round(box.left + box.width / 2), Math.round(box.top + box.height / 2));
    await page.mouse.wheel(0, -400);
    await waitQuietly(
      page.waitForFunction(
        ([n, x, y]) => {
          const p = window.domaincat.nodeClientPosition(n);
          return p !== null && Math.hypot(p[0] - x, p[1] - y) > 2;
        },
        [probe, orbited.x, orbited.y],
        { timeout: REPLY_TIMEOUT },
      ),
    );
    const zoomed = await nodePosition(page, probe);
    assert.ok(distance(orbited, zoomed) > 2, `the wheel moved ${probe} by ${distance(orbited, zoomed)} px`);

    // Pan: a right drag moves the graph along with the pointer.
    const panStart = emptyPoint(await positions(page, NAMES), box);
    await drag(page, panStart, { x: panStart.x + 60, y: panStart.y + 40 }, { button: 'right' });
    const panned = await nodePosition(page, probe);
    const shift = { x: panned.x - zoomed.x, y: panned.y - zoomed.y };
    const moved = `a right drag moved ${probe} by (${shift.x}, ${shift.y})`;
    assert.ok(shift.x * 60 + shift.y * 40 > 0, `${moved}, not along the drag`);
    assert.ok(Math.hypot(shift.x, shift.y) > 5, moved);
    await expectSelection(page, expected, 'a right drag does not change the selection');

    // Hover: a node clear of the others in the turned view shows its tooltip, also when
    // the pointer crosses edges on its way there.
    points = await positions(page, NAMES);
    const target = isolatedNodes(points, ISOLATION, box).find(
      (n) => NEIGHBOURS.get(n).size >= 2 && !expected.includes(n),
    );
    assert.ok(target, 'a node is clear of the others in 3D');
    const spot = await nodePoint(page, target);
    await page.mouse.move(spot.x + 30, spot.y + 30);
    await page.mouse.move(spot.x, spot.y, { steps: 3 });
    const degree = NEIGHBOURS.get(target).size;
    const tooltip = `${target} — risk ${RISK.get(target)}, ${degree} connection${degree === 1 ? '' : 's'}`;
    await waitQuietly(
      page.waitForFunction((t) => document.querySelector('#tooltip').textContent === t, tooltip, {
        timeout: REPLY_TIMEOUT,
      }),
    );
    assert.equal(await page.isVisible('#tooltip'), true, 'hovering a node in 3D shows the tooltip');
    assert.equal(await page.textContent('#tooltip'), tooltip);

    // Click in 3D: the node and its neighbours replace the selection.
    await page.mouse.click(spot.x, spot.y);
    const clicked = [target, ...NEIGHBOURS.get(target)];
    await expectSelection(page, clicked, 'a click in 3D selects the node and its golden neighbours');

    await page.click('#view-2d');
    await waitForView(page, '2d');
    await expectSelection(page, clicked, 'the 2D view keeps the selection made in 3D');
  });

  test('shared pivots match the CLI', async () => {
    await home(page);
    const box = await canvasBox(page);
    const flat = await positions(page, NAMES);
    const name = isolatedNodes(flat, ISOLATION, box).find((n) => {
      const size = NEIGHBOURS.get(n).size;
      return size >= 4 && size <= 25;
    });
    assert.ok(name, 'a node with 4 to 25 neighbours is clear of the others');
    assert.equal(await page.isHidden('#shared-content'), true);
    const at = await nodePoint(page, name);
    await page.mouse.click(at.x, at.y);
    const selection = [name, ...NEIGHBOURS.get(name)];
    await expectSelection(page, selection, 'a click selects the node and its neighbours');
    await page.waitForSelector('#shared-content:not([hidden])', { timeout: REPLY_TIMEOUT });

    const expected = await cli('selection', FIXTURE, '--domains', selection.join(','));
    const columns = expected.columns.map((c) => c.name);
    assert.deepEqual(sorted(columns), sorted(selection));

    for (const [table, rows, label] of [
      ['#heatmap-categories', expected.categories, (row) => row.category],
      ['#heatmap-values', expected.values, (row) => row.label],
    ]) {
      const rendered = await page.$eval(table, (element) => ({
        columns: [...element.querySelectorAll('thead th[title]')].map((th) => th.getAttribute('title')),
        rows: [...element.querySelectorAll('tbody tr')].map((tr) => ({
          label: tr.querySelector('th').textContent,
          cells: [...tr.querySelectorAll('td[data-value]')].map((td) => ({
            value: td.dataset.value,
            title: td.getAttribute('title'),
          })),
        })),
      }));
      assert.deepEqual(rendered.columns, columns, `${table}: columns in the CLI's order`);
      assert.deepEqual(
        rendered.rows.map((row) => row.label),
        rows.map(label),
        `${table}: rows in the CLI's order`,
      );
      for (const [index, row] of rows.entries()) {
        const cells = rendered.rows[index].cells;
        assert.deepEqual(
          cells.map((cell) => cell.value),
          row.cells.map(String),
          `${table}: cells of ${label(row)}`,
        );
        for (const [column, cell] of cells.entries()) {
          assert.ok(
            cell.title.startsWith(`${columns[column]} — ${label(row)}: `),
            `${table}: title ${cell.title}`,
          );
        }
      }
    }

    const tableRows = await page.$$eval('#shared-table tbody tr[data-row]', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    assert.deepEqual(
      tableRows,
      expected.table.map((row) => [row.category, row.value, String(row.domains)]),
      'the table lists the CLI rows in order',
    );

    // Click the first row whose pivot joins a different number of domains than are
    // selected, and check its carriers against the CLI's graph report.
    const graph = await cli('graph', FIXTURE);
    const everything = await cli('selection', FIXTURE, '--domains', NAMES.join(','));
    const index = expected.table.findIndex((row) => {
      const pivot = graph.pivots[row.category]?.find((p) => p.value === row.value);
      return pivot && pivot.domains.length !== selection.length;
    });
    assert.ok(index >= 0, 'a table row names a pivot of the graph');
    const row = expected.table[index];
    const carriers = graph.pivots[row.category].find((p) => p.value === row.value).domains;
    const inGraph = everything.table.find((r) => r.pivot === row.pivot);
    assert.equal(inGraph.domains, carriers.length, 'the core counts the same carriers in the graph');
    await page.click(`#shared-table tbody tr[data-row="${index}"] td:nth-child(2)`);
    await expectSelection(page, carriers, `clicking the row ${row.category}: ${row.value}`);
  });

  test('edge hover matches the CLI', async () => {
    await home(page);
    const box = await canvasBox(page);
    const points = await positions(page, NAMES);
    const segments = GOLDEN.edges.map(([a, b]) => [points.get(a), points.get(b)]);

    // An edge whose midpoint is far from every node and from every other edge, with an
    // end that is clear of other nodes.
    const clear = new Set(isolatedNodes(points, ISOLATION, box));
    let chosen = null;
    for (const [index, [a, b, weight]] of GOLDEN.edges.entries()) {
      if (!clear.has(a) && !clear.has(b)) continue;
      const mid = {
        x: Math.round((points.get(a).x + points.get(b).x) / 2),
        y: Math.round((points.get(a).y + points.get(b).y) / 2),
      };
      if ([...points.values()].some((p) => distance(p, mid) < 15)) continue;
      if (segmentDistance(mid, points.get(a), points.get(b)) > 1) continue;
      // Away from a tie when rounding to 2 decimals.
      if (Math.abs(((weight * 100) % 1) - 0.5) < 0.02) continue;
      const crowded = segments.some(
        ([p, q], other) => other !== index && segmentDistance(mid, p, q) < 5,
      );
      if (!crowded) {
        chosen = { a, b, weight, mid, end: clear.has(a) ? a : b };
        break;
      }
    }
    assert.ok(chosen, 'an edge midpoint is clear of nodes and other edges');
    const { a, b, weight, mid, end } = chosen;
    const expected = await cli('edge', FIXTURE, a, b);

    // The way there may cross other edges; the tooltip ends on this one.
    await page.mouse.move(mid.x + 40, mid.y + 40);
    await page.mouse.move(mid.x, mid.y, { steps: 4 });
    await waitQuietly(
      page.waitForFunction(
        ([x, y]) => {
          const text = document.querySelector('#tooltip').textContent;
          return text.includes(`${x} ↔ ${y}`) || text.includes(`${y} ↔ ${x}`);
        },
        [a, b],
        { timeout: REPLY_TIMEOUT },
      ),
    );
    assert.equal(await page.isVisible('#tooltip'), true, 'hovering an edge shows the tooltip');
    const text = await page.textContent('#tooltip');
    const match = /^(.+) ↔ (.+) — weight (\d+\.\d\d): (.*)$/.exec(text);
    assert.ok(match, `tooltip reads ${JSON.stringify(text)}`);
    assert.deepEqual(sorted([match[1], match[2]]), sorted([a, b]));
    assert.equal(match[3], weight.toFixed(2), 'the tooltip shows the golden weight');
    assert.equal(expected.weight.toFixed(2), weight.toFixed(2), 'the CLI agrees with the golden weight');
    const counted = expected.pivots.filter((p) => p.counted).map((p) => p.category);
    assert.equal(match[4], counted.join(', '), 'the tooltip names the counted categories');

    // Hovering leaves the edge panel alone; a click on the edge fills it.
    const title = `${match[1]} ↔ ${match[2]}`;
    assert.notEqual(await page.textContent('#edge-title'), title, 'hovering does not fill the edge panel');
    const selectedBefore = await selectedNames(page);
    await page.mouse.click(mid.x, mid.y);
    await page.waitForSelector('#edge-panel:not([hidden])', { timeout: REPLY_TIMEOUT });
    await waitQuietly(
      page.waitForFunction(
        (t) => document.querySelector('#edge-title').textContent === t,
        title,
        { timeout: REPLY_TIMEOUT },
      ),
    );
    assert.equal(await page.textContent('#edge-title'), title);
    assert.deepEqual(await selectedNames(page), selectedBefore, 'a click on an edge keeps the selection');
    const rows = await page.$$eval('#edge-pivots tbody tr', (trs) =>
      trs.map((tr) => ({
        cells: [...tr.querySelectorAll('td')].map((td) => td.textContent),
        counted: !tr.classList.contains('not-counted'),
      })),
    );
    // NOTE: toFixed and Rust's {:.3} may round a weight that is an exact binary tie
    // differently, so such a weight would fail here without a page bug.
    assert.deepEqual(
      rows,
      expected.pivots.map((p) => ({
        cells: [p.category, p.value, p.count === null ? '—' : String(p.count), p.weight.toFixed(3)],
        counted: p.counted,
      })),
      'the edge panel lists the CLI pivots',
    );
    assert.match(await page.textContent('#edge-total'), new RegExp(`^Edge weight ${expected.weight.toFixed(3)} `));

    // Straight from the edge onto one of its ends: the tooltip shows that node.
    const onEnd = await nodePoint(page, end);
    await page.mouse.move(onEnd.x, onEnd.y);
    const degree = NEIGHBOURS.get(end).size;
    const nodeTip = `${end} — risk ${RISK.get(end)}, ${degree} connection${degree === 1 ? '' : 's'}`;
    await waitQuietly(
      page.waitForFunction((t) => document.querySelector('#tooltip').textContent === t, nodeTip, {
        timeout: REPLY_TIMEOUT,
      }),
    );
    assert.equal(await page.textContent('#tooltip'), nodeTip);
    assert.equal(await page.isVisible('#tooltip'), true, 'moving from an edge onto a node shows its tooltip');
    await page.mouse.move(box.left + 3, box.top + 3);
  });

  test('scoring settings match the CLI', async () => {
    await home(page);
    const box = await canvasBox(page);
    const defaults = { nodes: GOLDEN.counts.nodes, edges: GOLDEN.counts.edges };
    const graphCounts = async (...args) => {
      const { counts } = await cli('graph', FIXTURE, ...args);
      return { nodes: counts.nodes, edges: counts.edges };
    };
    const reset = async () => {
      await rescoreBy(page, 'Reset to defaults', () => page.click('#settings-reset'));
      assert.deepEqual(await toolbarCounts(page), defaults, 'reset gives the golden default counts');
      assert.equal(await page.isChecked('#setting-scale'), true);
      assert.equal(await page.inputValue('#setting-substring'), '6');
      assert.equal(await page.inputValue('#setting-ignore'), '');
      assert.equal(await page.inputValue('#setting-min-pivot'), '2');
    };

    await page.click('#settings-panel summary');
    assert.equal(await page.getAttribute('#settings-panel', 'open'), '');

    // Rarity weighting off.
    await rescoreBy(page, 'unticking the rarity weighting', () => page.click('#setting-scale'));
    const unscaled = await toolbarCounts(page);
    assert.deepEqual(unscaled, {
      nodes: GOLDEN_VARIANTS.unscaled.counts.nodes,
      edges: GOLDEN_VARIANTS.unscaled.counts.edges,
    });
    assert.deepEqual(unscaled, await graphCounts('--no-scale'));
    assert.deepEqual(await viewCounts(page), unscaled);
    assert.equal(await page.isChecked('#setting-scale'), false, 'the form shows the setting in use');
    await reset();

    // No substring pivots.
    await rescoreBy(page, 'substring length 0', () => typeInto(page, '#setting-substring', '0'));
    assert.deepEqual(await toolbarCounts(page), await graphCounts('--substring-length', '0'));
    assert.equal(await page.inputValue('#setting-substring'), '0');
    await reset();

    // Ignoring "-gov" drops usarmy-gov.us; a selection that held it keeps the others.
    const dropped = 'usarmy-gov.us';
    const ignored = await cli('graph', FIXTURE, '--ignore-substring', '-gov');
    const remaining = new Set(ignored.nodes.map(([n]) => n));
    assert.equal(remaining.has(dropped), false, `${dropped} leaves the graph when -gov is ignored`);
    const points = await positions(page, NAMES);
    const clickable = isolatedNodes(points, ISOLATION, box).find(
      (n) => n === dropped || NEIGHBOURS.get(n).has(dropped),
    );
    assert.ok(clickable, `${dropped} or a neighbour is clear of the others`);
    const at = await nodePoint(page, clickable);
    await page.mouse.click(at.x, at.y);
    const selection = [clickable, ...NEIGHBOURS.get(clickable)];
    assert.ok(selection.includes(dropped));
    await expectSelection(page, selection, 'a click selects the node and its neighbours');
    await rescoreBy(page, 'ignoring -gov', () => typeInto(page, '#setting-ignore', '-gov'));
    assert.deepEqual(await toolbarCounts(page), { nodes: ignored.counts.nodes, edges: ignored.counts.edges });
    assert.deepEqual(await toolbarCounts(page), {
      nodes: GOLDEN_VARIANTS.ignore_gov.counts.nodes,
      edges: GOLDEN_VARIANTS.ignore_gov.counts.edges,
    });
    await expectSelection(
      page,
      selection.filter((n) => remaining.has(n)),
      'the selection keeps the domains that remain',
    );
    await reset();
    await clearSelection(page);

    // One category off.
    const registrar = page.locator('#setting-categories input[data-category="registrar"]');
    assert.equal(await registrar.isChecked(), true);
    await rescoreBy(page, 'unticking registrar', () => registrar.click());
    assert.deepEqual(await toolbarCounts(page), await graphCounts('--disable', 'registrar'));
    assert.equal(await registrar.isChecked(), false);
    await reset();
    assert.equal(await registrar.isChecked(), true);

    // An invalid value shows an error and keeps the graph.
    const graphs = await graphsShown(page);
    await typeInto(page, '#setting-min-pivot', '0');
    await page.waitForSelector('#error:not([hidden])', { timeout: REPLY_TIMEOUT });
    assert.match(await page.textContent('#error-text'), /Settings not applied/);
    assert.match(await page.textContent('#error-text'), /min_pivot_size|pivot/i);
    assert.equal(await graphsShown(page), graphs, 'nothing was scored again');
    assert.deepEqual(await toolbarCounts(page), defaults);
    assert.equal(await page.getAttribute('#graph-canvas', 'data-layout'), 'settled');
    await page.click('#error-close');
    await reset();
    await page.click('#settings-panel summary');
  });

  test('removal and undo match the CLI', async () => {
    await home(page);
    const box = await canvasBox(page);
    await page.click('#remove-panel summary');
    // Focus in the removal list must not keep the canvas from taking keys afterwards.
    await page.click('#remove-list');

    const points = await positions(page, NAMES);
    const name = isolatedNodes(points, ISOLATION, box).find((n) => {
      const size = NEIGHBOURS.get(n).size;
      return size >= 2 && size <= 12;
    });
    assert.ok(name, 'a node with 2 to 12 neighbours is clear of the others');
    const at = await nodePoint(page, name);
    await page.mouse.click(at.x, at.y);
    const selection = [name, ...NEIGHBOURS.get(name)];
    await expectSelection(page, selection, 'a click selects the node and its neighbours');
    assert.equal(
      await page.evaluate(() => document.activeElement?.id ?? ''),
      '',
      'a press on the canvas takes the focus from the removal list, so keys reach the graph',
    );

    /** Scores the export without `removed` with the CLI, through a scratch file. */
    const countsWithout = async (removed, file) => {
      const remaining = RECORDS.filter((record) => !removed.includes(record.domain));
      assert.equal(remaining.length, RECORDS.length - removed.length, 'each removed domain has one record');
      const target = path.join(scratch, file);
      await writeFile(target, JSON.stringify(remaining));
      const report = await cli('graph', target);
      return { counts: { nodes: report.counts.nodes, edges: report.counts.edges }, nodes: report.nodes };
    };

    await rescoreBy(page, 'pressing Delete', () => page.keyboard.press('Delete'));
    const first = await countsWithout(selection, 'first.json');
    assert.deepEqual(await toolbarCounts(page), first.counts, 'counts equal the CLI without the removed domains');
    assert.ok(first.counts.nodes <= GOLDEN.counts.nodes - selection.length);
    const removedPositions = await positions(page, selection);
    assert.deepEqual([...removedPositions.keys()], [], 'the removed domains are not drawn');
    assert.equal(await page.textContent('#selection-count'), '0');
    assert.equal(await page.textContent('#removed-summary'), `${selection.length} domains removed from scoring.`);
    assert.equal(await page.isDisabled('#remove-undo'), false);

    // Paste two more names (one in upper case with a trailing dot, as copied from elsewhere).
    const pasted = first.nodes.map(([n]) => n).filter((n) => !selection.includes(n)).slice(0, 2);
    await page.click('#remove-list');
    await page.keyboard.type(`${pasted[0].toUpperCase()}.\n${pasted[1]}\n`);
    await rescoreBy(page, 'Remove listed', () => page.click('#remove-pasted'));
    const second = await countsWithout([...selection, ...pasted], 'second.json');
    assert.deepEqual(await toolbarCounts(page), second.counts, 'counts equal the CLI without the pasted domains');
    assert.ok(second.counts.nodes < first.counts.nodes);
    assert.deepEqual([...(await positions(page, pasted)).keys()], []);
    assert.equal(await page.inputValue('#remove-list'), '', 'the list is emptied');
    assert.equal(
      await page.textContent('#removed-summary'),
      `${selection.length + 2} domains removed from scoring.`,
    );

    await rescoreBy(page, 'the first undo', () => page.click('#remove-undo'));
    assert.deepEqual(await toolbarCounts(page), first.counts, 'the first undo brings the pasted names back');
    await rescoreBy(page, 'the second undo', () => page.click('#remove-undo'));
    assert.deepEqual(await toolbarCounts(page), { nodes: GOLDEN.counts.nodes, edges: GOLDEN.counts.edges });
    assert.equal((await positions(page, NAMES)).size, NAMES.length, 'every domain is drawn again');
    assert.equal(await page.isDisabled('#remove-undo'), true);
    assert.equal(await page.textContent('#removed-summary'), '');
    await page.click('#remove-panel summary');
  });

  test('unknown pasted names are reported', async () => {
    await home(page);
    await page.click('#remove-panel summary');
    const graphs = await graphsShown(page);
    await page.click('#remove-list');
    await page.keyboard.type('nothing-here.example\n');
    await page.click('#remove-pasted');
    await page.waitForSelector('#error:not([hidden])', { timeout: REPLY_TIMEOUT });
    assert.match(await page.textContent('#error-text'), /nothing-here\.example/);
    assert.equal(await graphsShown(page), graphs, 'nothing was scored again');
    assert.deepEqual(await toolbarCounts(page), { nodes: GOLDEN.counts.nodes, edges: GOLDEN.counts.edges });
    assert.equal(await page.isDisabled('#remove-undo'), true);
    await page.click('#error-close');
    await page.click('#remove-panel summary');
  });

  test('unknown name beside a known one', async () => {
    await home(page);
    await page.click('#remove-panel summary');
    const known = NAMES.find((n) => NEIGHBOURS.get(n).size >= 2);
    await page.click('#remove-list');
    await page.keyboard.type(`unknown-name.example\n${known}\n`);
    await rescoreBy(page, 'Remove listed with an unknown name', () => page.click('#remove-pasted'));
    try {
      assert.deepEqual([...(await positions(page, [known])).keys()], [], `${known} is removed`);
      assert.equal(await page.textContent('#removed-summary'), '1 domain removed from scoring.');
      assert.equal(await page.isVisible('#error'), true, 'the unknown name is reported');
      assert.match(await page.textContent('#error-text'), /unknown-name\.example/);
    } finally {
      await rescoreBy(page, 'undo', () => page.click('#remove-undo'));
      await page.click('#remove-panel summary');
    }
    assert.deepEqual(await toolbarCounts(page), { nodes: GOLDEN.counts.nodes, edges: GOLDEN.counts.edges });
  });

  test('InfraCAT view matches the CLI', async () => {
    await home(page);
    const box = await canvasBox(page);
    const infra = await cli('infra', FIXTURE);
    const labels = infra.nodes.map((n) => `${n.name}: ${n.value}`);

    await page.click('#view-infra');
    await waitForView(page, 'infra');
    assert.equal(await page.isVisible('#infra-panel'), true);
    assert.deepEqual(await viewCounts(page), {
      nodes: infra.nodes.length,
      edges: infra.edges.length,
    });

    // Values carried by the same domains lie almost on top of each other, so zoom in with
    // the wheel on a node of 3 to 40 domains until it is clear of the others.
    let points = await positions(page, labels);
    assert.equal(points.size, labels.length, 'every CLI infrastructure node has a position');
    const nearest = (label) =>
      Math.min(...[...points].filter(([other]) => other !== label).map(([, q]) => distance(points.get(label), q)));
    const label = labels
      .filter((l) => {
        const size = infra.nodes[labels.indexOf(l)].domains.length;
        return size >= 3 && size <= 40;
      })
      .sort((a, b) => nearest(b) - nearest(a))[0];
    assert.ok(label, 'an infrastructure node has 3 to 40 domains');
    for (let zooms = 0; zooms < 12 && isolatedNodes(points, ISOLATION, box).indexOf(label) < 0; zooms += 1) {
      const at = await nodePoint(page, label);
      // The node farthest from the cursor moves most when the view zooms.
      const [far, before] = [...points].sort((a, b) => distance(b[1], at) - distance(a[1], at))[0];
      await page.mouse.move(at.x, at.y);
      await page.mouse.wheel(0, -500);
      await page.waitForFunction(
        ([l, x, y]) => {
          const p = window.domaincat.nodeClientPosition(l);
          return Math.hypot(p[0] - x, p[1] - y) > 1;
        },
        [far, before.x, before.y],
      );
      points = await positions(page, labels);
    }
    assert.ok(isolatedNodes(points, ISOLATION, box).includes(label), `zooming in sets ${label} apart`);
    const node = infra.nodes[labels.indexOf(label)];
    const domains = node.domains.map((index) => infra.domains[index].name);
    const at = await nodePoint(page, label);
    await page.mouse.click(at.x, at.y);
    await waitQuietly(
      page.waitForFunction((n) => document.querySelectorAll('#infra-domains li').length === n, domains.length, {
        timeout: REPLY_TIMEOUT,
      }),
    );
    assert.deepEqual(
      await page.$$eval('#infra-domains li', (items) => items.map((li) => li.textContent)),
      pageOrder(domains),
      `the panel lists the domains of ${label}`,
    );
    assert.equal(await page.textContent('#infra-node-title'), `${label} — ${domains.length} domains`);
    assert.equal(await page.textContent('#selection-count'), '0', 'an infrastructure click selects no domain');

    // The button selects those domains in the 2D domain view.
    await page.click('#infra-select');
    await waitForView(page, '2d');
    await expectSelection(
      page,
      domains.filter((d) => NEIGHBOURS.has(d)),
      'the infrastructure node selects its domains',
    );

    // Back in InfraCAT, a higher edge threshold gives the CLI's smaller graph.
    await page.click('#view-infra');
    await waitForView(page, 'infra');
    const stricter = await cli('infra', FIXTURE, '--edge-threshold', '2');
    await typeInto(page, '#infra-edge-threshold', '2');
    await page.waitForFunction(
      () =>
        /more than 2 domains/.test(document.querySelector('#infra-summary').textContent) &&
        document.querySelector('#graph-canvas').dataset.layout === 'settled' &&
        window.domaincat.counts().nodes > 0,
      null,
      { timeout: LAYOUT_TIMEOUT },
    );
    assert.deepEqual(await viewCounts(page), {
      nodes: stricter.nodes.length,
      edges: stricter.edges.length,
    });
    await page.click('#view-2d');
    await waitForView(page, '2d');
  });

  test('no console errors or outside requests', () => {
    assert.deepEqual(session.pageErrors, []);
    assert.deepEqual(session.consoleErrors, []);
    assert.deepEqual(session.failedRequests, []);
    assert.deepEqual(session.blockedRequests, []);
  });
});

function centre(box) {
  return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
}

/** Finds a whole-pixel point in the canvas at least 20 px from every node. */
function emptyPoint(points, box) {
  for (let y = box.top + 30; y < box.bottom - 60; y += 7) {
    for (let x = box.left + 30; x < box.right - 120; x += 7) {
      const p = { x: Math.round(x), y: Math.round(y) };
      if ([...points.values()].every((q) => distance(p, q) >= 20)) return p;
    }
  }
  throw new Error('the canvas has no empty spot');
}
