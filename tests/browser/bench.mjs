// Browser benchmark of the built page in headless Chromium, whose WebGL2 runs on the CPU
// through SwiftShader. For the bundled sample and for synthetic exports of the given sizes
// it prints, as Markdown tables:
//   - the worker's scoring stage times, its WebAssembly memory, and the time until the graph
//     arrives and until its 2D layout settles;
//   - the longest main-thread task while loading (from the Long Tasks API);
//   - frame times while panning with the mouse and zooming with the wheel, from
//     requestAnimationFrame timestamps, with the frames the page drew meanwhile and the
//     main-thread time it spent on each (building buffers and issuing WebGL calls).
//
// Usage (from the repository root, after a release build of the page):
//   DOMAINCAT_DIST=dist node tests/browser/bench.mjs [--sizes 2000,10000] [--seed 1]
//
// Synthetic exports come from `domaincat synth`, built with cargo on first use, or from the
// binary that DOMAINCAT_CLI names.

import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { distDir, launchBrowser, openPage, serveDist } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..', '..');
const SAMPLE = path.join(root, 'crates', 'domaincat-core', 'tests', 'fixtures', 'dash_gov_dot_us.json');

/** Time allowed for one export to load and settle. */
const LOAD_TIMEOUT_MS = 15 * 60_000;
/** Length of each interaction measured. */
const GESTURE_MS = 4000;

function parseArgs(argv) {
  const options = { sizes: [2000, 10000], seed: 1 };
  for (let i = 0; i < argv.length; i += 1) {
    const value = argv[i + 1];
    if (argv[i] === '--sizes' && value) {
      options.sizes = value.split(',').map((s) => Number.parseInt(s, 10)).filter((n) => n > 0);
      i += 1;
    } else if (argv[i] === '--seed' && value) {
      options.seed = Number.parseInt(value, 10);
      i += 1;
    } else {
      throw new Error(`unknown argument ${argv[i]}; usage: bench.mjs [--sizes 2000,10000] [--seed 1]`);
    }
  }
  return options;
}

/** Writes a synthetic export of `count` records and returns its path. */
function synthesize(dir, count, seed) {
  const file = path.join(dir, `synthetic-${count}-seed-${seed}.json`);
  const args = ['synth', String(count), '--seed', String(seed), '-o', file];
  const options = { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] };
  if (process.env.DOMAINCAT_CLI) {
    execFileSync(process.env.DOMAINCAT_CLI, args, options);
  } else {
    execFileSync('cargo', ['run', '--release', '--quiet', '-p', 'domaincat-cli', '--', ...args], options);
  }
  return file;
}

/** Records long tasks and animation frame timestamps from the start of the page. */
function instrument() {
  window.benchLongTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.benchLongTasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: true });
  window.benchFrames = null;
  window.startFrames = () => {
    window.benchFrames = [];
    const tick = (time) => {
      if (window.benchFrames === null) return;
      window.benchFrames.push(time);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
  window.stopFrames = () => {
    const frames = window.benchFrames ?? [];
    window.benchFrames = null;
    return frames;
  };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `gesture` while recording frames; returns frame-interval figures. */
async function measureFrames(page, gesture) {
  const before = await page.evaluate(() => window.domaincat.counts());
  await page.evaluate(() => window.startFrames());
  const started = Date.now();
  await gesture();
  const elapsed = Date.now() - started;
  const stamps = await page.evaluate(() => window.stopFrames());
  const afterCounts = await page.evaluate(() => window.domaincat.counts());
  const drawn = afterCounts.frames - before.frames;
  const drawMs = (afterCounts.drawMs - before.drawMs) / Math.max(1, drawn);
  const intervals = stamps.slice(1).map((t, i) => t - stamps[i]).sort((a, b) => a - b);
  const total = stamps.length > 1 ? stamps[stamps.length - 1] - stamps[0] : NaN;
  return {
    fps: (intervals.length / total) * 1000,
    median: percentile(intervals, 50),
    p95: percentile(intervals, 95),
    worst: intervals[intervals.length - 1] ?? NaN,
    drawn,
    drawMs,
    seconds: elapsed / 1000,
  };
}

async function pan(page) {
  const box = await page.locator('#graph-canvas').boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  const started = Date.now();
  let step = 0;
  while (Date.now() - started < GESTURE_MS) {
    const angle = step / 10;
    await page.mouse.move(cx + 150 * Math.cos(angle), cy + 100 * Math.sin(angle));
    step += 1;
  }
  await page.mouse.up();
}

async function zoom(page) {
  const box = await page.locator('#graph-canvas').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const started = Date.now();
  let step = 0;
  while (Date.now() - started < GESTURE_MS) {
    // In for two seconds' worth of steps, then out again.
    await page.mouse.wheel(0, step % 40 < 20 ? -60 : 60);
    step += 1;
  }
}

async function runOne(browser, url, label, file) {
  const session = await openPage(browser, null);
  const { page } = session;
  try {
    await page.addInitScript(instrument);
    await page.goto(url);
    await page.waitForFunction(() => window.domaincat !== undefined);
    const started = Date.now();
    await page.setInputFiles('#file-input', file);
    await page.waitForFunction(() => window.domaincat.counts().nodes > 0, null, { timeout: LOAD_TIMEOUT_MS });
    const firstDrawn = (Date.now() - started) / 1000;
    await page.waitForSelector('#graph-canvas[data-layout="settled"]', { timeout: LOAD_TIMEOUT_MS });
    const settled = (Date.now() - started) / 1000;
    const stages = await page.evaluate(() => window.domaincat.stages());
    const counts = await page.evaluate(() => window.domaincat.counts());
    const longest = await page.evaluate(() => Math.max(0, ...window.benchLongTasks));
    const panFrames = await measureFrames(page, () => pan(page));
    const zoomFrames = await measureFrames(page, () => zoom(page));
    const after = await page.evaluate(() => window.domaincat.counts());
    const errors = [...session.consoleErrors, ...session.pageErrors.map(String)];
    const { size } = await stat(file);
    return { label, size, stages, counts, after, firstDrawn, settled, longest, panFrames, zoomFrames, errors };
  } finally {
    await session.close();
  }
}

const ms = (value) => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : '–');
const s = (value) => `${value.toFixed(1)} s`;

function printTables(results) {
  const stageNames = ['parse', 'extract', 'substrings', 'trim', 'edges', 'summary'];
  console.log('\n| input | size | nodes | edges | ' + stageNames.join(' | ') + ' | graph shown | layout settled | longest main-thread task | worker memory |');
  console.log('|---|---:|---:|---:|' + stageNames.map(() => '---:').join('|') + '|---:|---:|---:|---:|');
  for (const r of results) {
    const cells = stageNames.map((name) => ms(r.stages[name]));
    console.log(
      `| ${r.label} | ${(r.size / 1e6).toFixed(1)} MB | ${r.counts.nodes} | ${r.counts.totalEdges} | ${cells.join(' | ')} | ${s(r.firstDrawn)} | ${s(r.settled)} | ${ms(r.longest)} | ${(r.stages.workerMemory / 1e6).toFixed(0)} MB |`,
    );
  }
  console.log('\n| input | edges drawn at rest | pan: fps | median frame | 95th percentile | worst | frames drawn | main thread per frame | zoom: fps | median frame | 95th percentile | worst | frames drawn | main thread per frame |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const f = (m) => `${m.fps.toFixed(1)} | ${m.median.toFixed(1)} ms | ${m.p95.toFixed(1)} ms | ${m.worst.toFixed(1)} ms | ${m.drawn} | ${m.drawMs.toFixed(1)} ms`;
    console.log(`| ${r.label} | ${r.counts.edges} | ${f(r.panFrames)} | ${f(r.zoomFrames)} |`);
  }
  for (const r of results) {
    if (r.errors.length > 0) console.log(`\n${r.label}: console or page errors:\n  ${r.errors.join('\n  ')}`);
  }
}

const options = parseArgs(process.argv.slice(2));
const work = await mkdtemp(path.join(tmpdir(), 'domaincat-bench-'));
const server = await serveDist(distDir());
const browser = await launchBrowser();
try {
  const inputs = [['dash_gov_dot_us.json', SAMPLE]];
  for (const size of options.sizes) {
    inputs.push([`synthetic ${size} (seed ${options.seed})`, synthesize(work, size, options.seed)]);
  }
  const results = [];
  for (const [label, file] of inputs) {
    console.log(`bench: loading ${label}…`);
    results.push(await runOne(browser, server.url, label, file));
  }
  printTables(results);
} finally {
  await browser.close();
  await server.close();
  await rm(work, { recursive: true, force: true });
}
