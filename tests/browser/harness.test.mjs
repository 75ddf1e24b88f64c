// Smoke tests of harness.mjs on small pages written to a temporary directory, so that a
// broken harness shows up apart from the DomainCAT page.

import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { deflateSync } from 'node:zlib';

import {
  decodePng,
  dropFile,
  launchBrowser,
  openPage,
  pixelAt,
  readCanvasPixels,
  serveDist,
} from './harness.mjs';

const TEST_TIMEOUT_MS = 60_000;

// Clear colour of the WebGL2 canvas: 0.2, 0.4 and 0.6 are exactly 51, 102 and 153 of 255.
const CLEAR_RGB = [51, 102, 153];

// A request to another loopback address: the harness must block it, and if it ever got
// through it would still stay on this machine. Port 9 is the discard service.
const NON_LOCAL_URL = 'http://127.0.0.2:9/probe.json';

// A module that exports answer() returning 42.
const TINY_WASM = Buffer.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type section: () -> i32
  0x03, 0x02, 0x01, 0x00, // function section
  0x07, 0x0a, 0x01, 0x06, 0x61, 0x6e, 0x73, 0x77, 0x65, 0x72, 0x00, 0x00, // export "answer"
  0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b, // code section: i32.const 42
]);

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>harness smoke page</title>
  <link rel="stylesheet" href="style.css">
</head>
<body>
  <canvas id="gl" width="64" height="64"></canvas>
  <div id="drop">drop a file here</div>
  <output id="drop-result"></output>
  <script src="app.js"></script>
</body>
</html>
`;

// Relative URLs only, so the page also works under a sub-path.
const APP_JS = `
const canvas = document.getElementById('gl');
const gl = canvas.getContext('webgl2');
document.body.dataset.webgl2 = gl === null ? 'missing' : 'present';
if (gl !== null) {
  gl.clearColor(${CLEAR_RGB.map((value) => value / 255).join(', ')}, 1);
  gl.clear(gl.COLOR_BUFFER_BIT);
}

const dropZone = document.getElementById('drop');
dropZone.addEventListener('dragover', (event) => event.preventDefault());
dropZone.addEventListener('drop', async (event) => {
  event.preventDefault();
  const file = event.dataTransfer.files[0];
  const text = await file.text();
  document.getElementById('drop-result').textContent =
    file.name + ' ' + file.size + ' ' + file.type + ' ' + text;
});

window.fetchNonLocal = (url) =>
  fetch(url).then(() => 'loaded', (error) => 'failed: ' + error.message);

window.fetchNonLocalFromWorker = (url) =>
  new Promise((resolve) => {
    const worker = new Worker('worker.js');
    worker.onmessage = (event) => resolve(event.data);
    worker.postMessage(url);
  });

fetch('data.json')
  .then((response) => response.json())
  .then((data) => {
    document.body.dataset.json = data.ok ? 'loaded' : 'wrong';
    return WebAssembly.instantiateStreaming(fetch('tiny.wasm'));
  })
  .then(({ instance }) => {
    document.body.dataset.wasm = String(instance.exports.answer());
  })
  .catch((error) => {
    document.body.dataset.error = error.message;
  })
  .finally(() => {
    document.body.dataset.ready = 'yes';
  });
`;

const WORKER_JS = `
self.onmessage = (event) => {
  fetch(event.data).then(
    () => self.postMessage('loaded'),
    (error) => self.postMessage('failed: ' + error.message),
  );
};
`;

const ERRORS_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>harness error page</title></head>
<body>
  <img src="missing.png" alt="">
  <script>
    console.error('expected console error');
    setTimeout(() => { throw new Error('expected page error'); }, 0);
  </script>
</body>
</html>
`;

let workDir;
let siteDir;
let browser;

before(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'domaincat-harness-'));
  siteDir = path.join(workDir, 'site');
  await mkdir(path.join(siteDir, 'nested'), { recursive: true });
  await writeFile(path.join(workDir, 'secret.txt'), 'outside the served directory\n');
  await writeFile(path.join(siteDir, 'index.html'), INDEX_HTML);
  await writeFile(path.join(siteDir, 'app.js'), APP_JS);
  await writeFile(path.join(siteDir, 'worker.js'), WORKER_JS);
  await writeFile(path.join(siteDir, 'style.css'), 'body { margin: 0; background: #fff; }\n');
  await writeFile(path.join(siteDir, 'data.json'), '{"ok": true}\n');
  await writeFile(path.join(siteDir, 'tiny.wasm'), TINY_WASM);
  await writeFile(path.join(siteDir, 'icon.png'), encodePng(2, 2, Buffer.alloc(2 * 2 * 3, 200), 0));
  await writeFile(path.join(siteDir, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  await writeFile(path.join(siteDir, 'errors.html'), ERRORS_HTML);
  await writeFile(path.join(siteDir, 'nested', 'index.html'), INDEX_HTML);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (workDir) {
    await rm(workDir, { recursive: true, force: true });
  }
});

async function openReadyPage(url, options) {
  const opened = await openPage(browser, url, options);
  await opened.page.waitForFunction(() => document.body.dataset.ready === 'yes');
  return opened;
}

test('serveDist sends standard MIME types', { timeout: TEST_TIMEOUT_MS }, async () => {
  const server = await serveDist(siteDir);
  try {
    const expected = {
      '': 'text/html; charset=utf-8',
      'index.html': 'text/html; charset=utf-8',
      'app.js': 'text/javascript; charset=utf-8',
      'style.css': 'text/css; charset=utf-8',
      'data.json': 'application/json; charset=utf-8',
      'tiny.wasm': 'application/wasm',
      'icon.png': 'image/png',
      'icon.svg': 'image/svg+xml',
    };
    for (const [file, mimeType] of Object.entries(expected)) {
      const response = await fetch(server.url + file);
      assert.equal(response.status, 200, `status of /${file}`);
      assert.equal(response.headers.get('content-type'), mimeType, `Content-Type of /${file}`);
    }
    const missing = await fetch(`${server.url}missing.js`);
    assert.equal(missing.status, 404);
  } finally {
    await server.close();
  }
});

test('serveDist rejects paths outside its directory', { timeout: TEST_TIMEOUT_MS }, async () => {
  const server = await serveDist(siteDir);
  try {
    // fetch() would normalize these paths, so send them as raw request lines.
    for (const rawPath of ['/%2e%2e/secret.txt', '/..%2fsecret.txt', '/nested/..%2f..%2fsecret.txt']) {
      const { status, body } = await getRawPath(server.origin, rawPath);
      assert.equal(status, 404, `status of ${rawPath}`);
      assert.doesNotMatch(body, /outside the served directory/, `body of ${rawPath}`);
    }
  } finally {
    await server.close();
  }
});

test('serveDist serves index.html of a folder', { timeout: TEST_TIMEOUT_MS }, async () => {
  const server = await serveDist(siteDir);
  try {
    const redirect = await fetch(`${server.url}nested`, { redirect: 'manual' });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get('location'), '/nested/');
    const folder = await fetch(`${server.url}nested/`);
    assert.equal(folder.status, 200);
    assert.match(await folder.text(), /harness smoke page/);
  } finally {
    await server.close();
  }
});

test('WebGL2 canvas clears to colour', { timeout: TEST_TIMEOUT_MS }, async () => {
  const server = await serveDist(siteDir);
  try {
    for (const deviceScaleFactor of [1, 2]) {
      const opened = await openReadyPage(server.url, { deviceScaleFactor });
      try {
        const { page } = opened;
        const hasWebgl2 = await page.evaluate(
          () => document.createElement('canvas').getContext('webgl2') !== null,
        );
        assert.equal(hasWebgl2, true, 'getContext("webgl2") returned null');
        assert.equal(await page.evaluate(() => document.body.dataset.webgl2), 'present');

        const image = await readCanvasPixels(page, '#gl');
        assert.equal(image.width, 64 * deviceScaleFactor, `width at scale ${deviceScaleFactor}`);
        assert.equal(image.height, 64 * deviceScaleFactor, `height at scale ${deviceScaleFactor}`);
        const last = image.width - 1;
        for (const [x, y] of [[0, 0], [last, 0], [0, last], [last, last], [image.width >> 1, image.height >> 1]]) {
          const [r, g, b, a] = pixelAt(image, x, y);
          assert.deepEqual([r, g, b], CLEAR_RGB, `colour of pixel (${x}, ${y}) at scale ${deviceScaleFactor}`);
          assert.equal(a, 255, `alpha of pixel (${x}, ${y})`);
        }
        assert.deepEqual(opened.consoleErrors, []);
        assert.deepEqual(opened.pageErrors, []);
      } finally {
        await opened.close();
      }
    }
  } finally {
    await server.close();
  }
});

test('dropFile delivers name, size and bytes', { timeout: TEST_TIMEOUT_MS }, async () => {
  const server = await serveDist(siteDir);
  const opened = await openReadyPage(server.url);
  try {
    const { page } = opened;
    const text = 'hello, drop';
    const cancelled = await dropFile(page, '#drop', {
      name: 'sample.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(text),
    });
    assert.equal(cancelled.dragover, true, 'page did not cancel dragover');
    assert.equal(cancelled.drop, true, 'page did not cancel drop');

    await page.waitForFunction(() => document.getElementById('drop-result').textContent !== '');
    const result = await page.textContent('#drop-result');
    assert.equal(result, `sample.txt ${text.length} text/plain ${text}`);

    await assert.rejects(
      dropFile(page, '#no-such-element', { name: 'x.txt', buffer: Buffer.from('x') }),
      /no element matches #no-such-element/,
    );
  } finally {
    await opened.close();
    await server.close();
  }
});

test('non-local requests are blocked and recorded', { timeout: TEST_TIMEOUT_MS }, async () => {
  const server = await serveDist(siteDir);
  const opened = await openReadyPage(server.url);
  try {
    const { page } = opened;
    const fromPage = await page.evaluate((url) => window.fetchNonLocal(url), NON_LOCAL_URL);
    assert.match(fromPage, /^failed: /);
    const workerUrl = `${NON_LOCAL_URL}?from=worker`;
    const fromWorker = await page.evaluate((url) => window.fetchNonLocalFromWorker(url), workerUrl);
    assert.match(fromWorker, /^failed: /);

    assert.deepEqual(opened.blockedRequests, [NON_LOCAL_URL, workerUrl]);
    assert.deepEqual(opened.failedRequests, [], 'blocked requests must not count as failed');
    assert.equal(await page.evaluate(() => document.body.dataset.wasm), '42');
  } finally {
    await opened.close();
    await server.close();
  }
});

test('page loads under a sub-path', { timeout: TEST_TIMEOUT_MS }, async () => {
  const subPath = '/tools/domaincat/';
  const server = await serveDist(siteDir, { subPath });
  try {
    assert.equal(server.url, `${server.origin}${subPath}`);
    const outside = await fetch(`${server.origin}/index.html`);
    assert.equal(outside.status, 404, 'a path outside the sub-path must not be served');
    const withoutSlash = await fetch(`${server.origin}/tools/domaincat`, { redirect: 'manual' });
    assert.equal(withoutSlash.status, 301);
    assert.equal(withoutSlash.headers.get('location'), subPath);

    const opened = await openReadyPage(`${server.origin}/tools/domaincat`);
    try {
      const { page } = opened;
      assert.equal(await page.title(), 'harness smoke page');
      assert.equal(page.url(), server.url);
      assert.equal(await page.evaluate(() => document.body.dataset.json), 'loaded');
      assert.equal(await page.evaluate(() => document.body.dataset.wasm), '42');
      assert.equal(await page.evaluate(() => document.body.dataset.error), undefined);
      assert.deepEqual(opened.failedRequests, []);
      assert.deepEqual(opened.consoleErrors, []);
      assert.deepEqual(opened.pageErrors, []);
      assert.deepEqual(opened.blockedRequests, []);
      const servedElsewhere = server.requests.filter(({ path: requestPath }) => !requestPath.startsWith(subPath));
      assert.deepEqual(servedElsewhere, [
        { method: 'GET', path: '/index.html', status: 404 },
        { method: 'GET', path: '/tools/domaincat', status: 301 },
        { method: 'GET', path: '/tools/domaincat', status: 301 },
      ]);
    } finally {
      await opened.close();
    }
  } finally {
    await server.close();
  }
});

test('openPage records errors and failures', { timeout: TEST_TIMEOUT_MS }, async () => {
  const server = await serveDist(siteDir);
  const opened = await openPage(browser, `${server.url}errors.html`);
  try {
    await opened.page.waitForFunction(() => document.readyState === 'complete');
    // The uncaught error is thrown from a timer, so give it a moment to arrive.
    await opened.page.waitForTimeout(200);
    assert.equal(opened.pageErrors.length, 1, `page errors: ${opened.pageErrors.join('\n')}`);
    assert.match(opened.pageErrors[0], /expected page error/);
    assert.ok(
      opened.consoleErrors.some((message) => message.includes('expected console error')),
      `console errors: ${opened.consoleErrors.join('\n')}`,
    );
    assert.deepEqual(opened.failedRequests, [`${server.url}missing.png: HTTP 404`]);
  } finally {
    await opened.close();
    await server.close();
  }
});

test('decodePng reads every filter type', () => {
  const width = 5;
  const height = 4;
  for (const [colourType, channels] of [[2, 3], [6, 4], [0, 1], [4, 2]]) {
    const pixels = Buffer.alloc(width * height * channels);
    for (let i = 0; i < pixels.length; i += 1) {
      pixels[i] = (i * 37 + 11) & 0xff;
    }
    for (const filterType of [0, 1, 2, 3, 4]) {
      const image = decodePng(encodePng(width, height, pixels, filterType, colourType));
      assert.equal(image.width, width);
      assert.equal(image.height, height);
      for (let y = 0; y < height; y += 1) {
        for (let x = 0; x < width; x += 1) {
          const source = (y * width + x) * channels;
          let expected;
          if (channels === 1) {
            expected = [pixels[source], pixels[source], pixels[source], 255];
          } else if (channels === 2) {
            expected = [pixels[source], pixels[source], pixels[source], pixels[source + 1]];
          } else if (channels === 3) {
            expected = [pixels[source], pixels[source + 1], pixels[source + 2], 255];
          } else {
            expected = Array.from(pixels.subarray(source, source + 4));
          }
          assert.deepEqual(
            pixelAt(image, x, y),
            expected,
            `pixel (${x}, ${y}), colour type ${colourType}, filter ${filterType}`,
          );
        }
      }
    }
  }
  assert.throws(() => decodePng(Buffer.from('not a png')), /missing PNG signature/);
});

// Sends GET with `rawPath` exactly as given, which fetch() would normalize first.
function getRawPath(origin, rawPath) {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${origin}${rawPath}`, { method: 'GET' }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

// Encodes 8-bit pixels as a PNG with one filter type on every row, to test decodePng.
function encodePng(width, height, pixels, filterType, colourType = 2) {
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colourType];
  const stride = width * channels;
  const filtered = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y += 1) {
    filtered[y * (stride + 1)] = filterType;
    for (let i = 0; i < stride; i += 1) {
      const value = pixels[y * stride + i];
      const a = i >= channels ? pixels[y * stride + i - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + i] : 0;
      const c = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels] : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filterType];
      filtered[y * (stride + 1) + 1 + i] = (value - predictor) & 0xff;
    }
  }

  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = colourType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(filtered)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type, body) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const typeAndBody = Buffer.concat([Buffer.from(type, 'latin1'), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndBody));
  return Buffer.concat([length, typeAndBody, crc]);
}

// CRC-32 as PNG chunks use it (polynomial 0xEDB88320, reflected). zlib.crc32 needs Node.js 20.15.
function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) {
      crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
    }
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function paeth(a, b, c) {
  const estimate = a + b - c;
  const distanceA = Math.abs(estimate - a);
  const distanceB = Math.abs(estimate - b);
  const distanceC = Math.abs(estimate - c);
  if (distanceA <= distanceB && distanceA <= distanceC) {
    return a;
  }
  return distanceB <= distanceC ? b : c;
}
