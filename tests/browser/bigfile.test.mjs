// A 100 MB export, written by the test, loads in headless Chromium without crashing the tab.
// The scoring worker reads its records one at a time, the page keeps only the File, and
// the worker's memory stays within a small multiple of the file's size.

import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

import { distDir, launchBrowser, openPage, serveDist } from './harness.mjs';

const run = promisify(execFile);
const REPO = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(REPO, 'target', 'debug', 'domaincat');

const TARGET_BYTES = 100 * 1000 * 1000;
const GROUP = 4;

/** A deterministic generator of pseudo-random 32-bit numbers (xorshift). */
function generator(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

/**
 * Writes records until the file reaches TARGET_BYTES. Every record has a random name,
 * long random WHOIS and title text, and an IP address shared with the other records of
 * its group of four, so the graph is mostly groups of four. Returns the number of records.
 */
async function writeExport(file) {
  const next = generator(20261204);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const word = (length) => Array.from({ length }, () => letters[next() % 26]).join('');
  const out = createWriteStream(file);
  let written = 0;
  let count = 0;
  const write = async (text) => {
    written += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('[');
  while (written < TARGET_BYTES) {
    const group = Math.floor(count / GROUP);
    const text = Array.from({ length: 120 }, () => word(5 + (next() % 6))).join(' ');
    const record = {
      domain: `${word(12)}.example`,
      active: true,
      domain_risk: { risk_score: next() % 100 },
      ip: [{ address: { value: `10.${(group >> 16) & 255}.${(group >> 8) & 255}.${group & 255}`, count: 4 } }],
      registrant_contact: {
        name: { value: `Person ${word(10)}`, count: 1 },
        street: { value: text.slice(0, 300), count: 1 },
        email: [{ value: `${word(10)}@example.org`, count: 1 }],
      },
      website_title: { value: text, count: 1 },
    };
    await write(`${count > 0 ? ',' : ''}${JSON.stringify(record)}`);
    count += 1;
  }
  await write(']');
  out.end();
  await once(out, 'finish');
  return count;
}

let scratch;
let file;
let records;
let server;
let browser;

before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'domaincat-bigfile-'));
  file = path.join(scratch, 'big-export.json');
  records = await writeExport(file);
  if (!existsSync(CLI)) {
    await run('cargo', ['build', '-q', '-p', 'domaincat-cli'], { cwd: REPO, maxBuffer: 64 * 1024 * 1024 });
  }
  server = await serveDist(distDir());
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('a 100 MB export loads with bounded memory', { timeout: 600_000 }, async () => {
  const { size } = await stat(file);
  assert.ok(size >= TARGET_BYTES, `the export has ${size} bytes`);
  const session = await openPage(browser, server.url);
  const { page } = session;
  try {
    await page.waitForFunction(() => window.domaincat !== undefined);
    await page.setInputFiles('#file-input', file);
    await page.waitForFunction(
      () => window.domaincat.counts().nodes > 0,
      null,
      { timeout: 540_000, polling: 1000 },
    );
    const nodes = Number(await page.textContent('#count-nodes'));
    const edges = Number(await page.textContent('#count-edges'));
    const { stdout } = await run(CLI, ['graph', file], { maxBuffer: 1024 * 1024 * 1024 });
    const expected = JSON.parse(stdout).counts;
    assert.equal(nodes, expected.nodes, 'the page has the nodes of `domaincat graph`');
    assert.equal(edges, expected.edges, 'the page has the edges of `domaincat graph`');
    assert.ok(nodes >= records - GROUP, `${nodes} of ${records} records are nodes`);
    const stages = await page.evaluate(() => window.domaincat.stages());
    assert.ok(
      stages.workerMemory < 3 * size,
      `the worker holds ${(stages.workerMemory / 1e6).toFixed(0)} MB for a ${(size / 1e6).toFixed(0)} MB file`,
    );
    const status = await page.textContent('#status');
    assert.ok(!/not loaded|stopped/.test(status), status);
    assert.deepEqual(session.pageErrors, []);
    assert.deepEqual(session.consoleErrors, []);
  } finally {
    await session.close();
  }
});
