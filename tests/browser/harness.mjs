// Helpers for browser tests that run under `node --test` and drive Debian's Chromium
// (/usr/bin/chromium) through playwright-core, which downloads no browser of its own.
//
//   distDir()                  the built page directory from DOMAINCAT_DIST (scripts/test sets it).
//   serveDist(dir, {subPath, connectSrc, headers})  static HTTP server on 127.0.0.1 at a free
//                              port, optionally under a path prefix such as /tools/domaincat/.
//                              Adds `connectSrc` (TEST_CONNECT_SRC by default) to the connect-src
//                              of the page's CSP <meta>. Returns {url, requests, close}.
//   addConnectSources(policy, sources)  a CSP with more sources in its connect-src.
//   metaPolicy(html)           the policy of a page's CSP <meta> element.
//   launchBrowser()            headless Chromium with WebGL2 through SwiftShader.
//   openPage(browser, url)     1280x800 page that records console errors, page errors and failed
//                              requests, and blocks every request to a host other than 127.0.0.1.
//   dropFile(page, selector, file)  dispatches dragenter, dragover and drop with a DataTransfer
//                              that contains a File of the given bytes.
//   readCanvasPixels(page, selector)  screenshot of one element, decoded to RGBA pixels.
//   decodePng(buffer), pixelAt(image, x, y)  PNG decoding and pixel access for those images.
//
// Pixel sizes: screenshots are in device pixels, so an element 100 CSS pixels wide reads as
// 200 pixels wide at deviceScaleFactor 2.

import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { inflateSync } from 'node:zlib';

import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

// --no-sandbox is required when Chromium runs as root. The ANGLE and SwiftShader flags give
// headless Chromium a software WebGL2 context without a deprecation warning. The rest keep
// Chromium from making background requests of its own.
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-gpu-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

// The only host a page may reach. Every other host, including other loopback addresses and
// `localhost`, is blocked so that a test can assert that nothing left the machine.
export const ALLOWED_HOST = '127.0.0.1';

// What serveDist adds to connect-src of a page's Content Security Policy by default, so that
// the page may call the mock APIs of mock-iris.mjs, which listen on 127.0.0.1 at random ports.
// The built page's own policy does not contain it.
export const TEST_CONNECT_SRC = [`http://${ALLOWED_HOST}:*`];

// A <meta http-equiv="Content-Security-Policy" content="..."> element: groups 1 and 3 are the
// text before and after the policy, group 2 the policy.
const CSP_META_PATTERN = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")/i;

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * Returns the directory of the built page named by the DOMAINCAT_DIST environment variable.
 * Throws with the commands to run when the variable is missing.
 */
export function distDir() {
  const dir = process.env.DOMAINCAT_DIST;
  if (!dir) {
    throw new Error(
      'DOMAINCAT_DIST is not set: run scripts/test, or build with ' +
        '`trunk build --release --public-url ./ --dist DIR` and set DOMAINCAT_DIST=DIR',
    );
  }
  return path.resolve(dir);
}

/**
 * Serves the files of `dir` over HTTP on 127.0.0.1 at a free port.
 *
 * With `subPath` (for example '/tools/domaincat/') files are served only below that prefix,
 * every other path returns 404, and the prefix without its trailing slash redirects to it.
 * A path that ends in '/' serves its index.html. `requests` lists every request as
 * {method, path, status}, so a test can find requests that missed the prefix.
 *
 * In .html files, the sources of `connectSrc` are added to connect-src of a Content Security
 * Policy <meta> element; pass `connectSrc: []` to serve the files as built. `headers` are
 * added to every file response, such as a Content-Security-Policy header.
 */
export async function serveDist(
  dir,
  { subPath = '/', connectSrc = TEST_CONNECT_SRC, headers = {} } = {},
) {
  const root = path.resolve(dir);
  const prefix = normalizeSubPath(subPath);
  const requests = [];
  const options = { connectSrc, headers };

  const server = createServer((request, response) => {
    handleStaticRequest(root, prefix, options, request, response)
      .catch((error) => {
        if (response.headersSent) {
          // The body was cut short, so the connection must not look like a complete response.
          response.destroy(error);
          return;
        }
        sendText(response, 500, `failed to serve ${request.url}: ${error.message}\n`);
      })
      .finally(() => {
        requests.push({ method: request.method, path: request.url, status: response.statusCode });
      });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, ALLOWED_HOST, resolve);
  });
  const { port } = server.address();

  return {
    url: `http://${ALLOWED_HOST}:${port}${prefix}`,
    origin: `http://${ALLOWED_HOST}:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function normalizeSubPath(subPath) {
  let prefix = subPath.startsWith('/') ? subPath : `/${subPath}`;
  if (!prefix.endsWith('/')) {
    prefix += '/';
  }
  return prefix;
}

/**
 * Returns `policy` with `sources` appended to its connect-src directive. Throws when the policy
 * has no connect-src, because a new directive would change what default-src allows.
 */
export function addConnectSources(policy, sources) {
  let found = false;
  const directives = policy.split(';').map((directive) => {
    const words = directive.trim().split(/\s+/);
    if (words[0].toLowerCase() !== 'connect-src') {
      return directive.trim();
    }
    found = true;
    return [...words, ...sources].join(' ');
  });
  if (!found) {
    throw new Error(`the policy has no connect-src directive: ${policy}`);
  }
  return directives.filter((directive) => directive !== '').join('; ');
}

/** Returns the policy of the page's CSP <meta> element in `html`, or null without one. */
export function metaPolicy(html) {
  return CSP_META_PATTERN.exec(html)?.[2] ?? null;
}

async function handleStaticRequest(root, prefix, options, request, response) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    sendText(response, 405, `method not allowed: ${request.method}\n`, { Allow: 'GET, HEAD' });
    return;
  }

  const { pathname } = new URL(request.url, 'http://placeholder');
  if (prefix !== '/' && pathname === prefix.slice(0, -1)) {
    response.writeHead(301, { Location: prefix });
    response.end();
    return;
  }
  if (!pathname.startsWith(prefix)) {
    sendText(response, 404, `not found: ${pathname} is outside ${prefix}\n`);
    return;
  }

  let relative;
  try {
    relative = decodeURIComponent(pathname.slice(prefix.length));
  } catch {
    sendText(response, 400, `invalid percent-encoding in ${pathname}\n`);
    return;
  }
  if (relative === '' || relative.endsWith('/')) {
    relative += 'index.html';
  }

  // Reject any path that resolves outside the served directory, such as an encoded '../'.
  const filePath = path.resolve(root, relative);
  if (filePath !== root && !filePath.startsWith(root + path.sep)) {
    sendText(response, 404, `not found: ${pathname}\n`);
    return;
  }

  let info;
  try {
    info = await stat(filePath);
  } catch (error) {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') {
      sendText(response, 404, `not found: ${pathname}\n`);
      return;
    }
    throw error;
  }
  if (info.isDirectory()) {
    response.writeHead(301, { Location: `${pathname}/` });
    response.end();
    return;
  }

  const extension = path.extname(filePath).toLowerCase();
  const mimeType = MIME_TYPES[extension] ?? 'application/octet-stream';
  const headers = { 'Content-Type': mimeType, 'Cache-Control': 'no-store', ...options.headers };
  if (extension === '.html' && options.connectSrc.length > 0) {
    const html = (await readFile(filePath, 'utf8')).replace(
      CSP_META_PATTERN,
      (_, before, policy, after) => before + addConnectSources(policy, options.connectSrc) + after,
    );
    const body = Buffer.from(html, 'utf8');
    response.writeHead(200, { ...headers, 'Content-Length': body.length });
    response.end(request.method === 'HEAD' ? undefined : body);
    return;
  }

  response.writeHead(200, { ...headers, 'Content-Length': info.size });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  await new Promise((resolve, reject) => {
    const stream = createReadStream(filePath);
    stream.once('error', reject);
    response.once('finish', resolve);
    stream.pipe(response);
  });
}

function sendText(response, status, text, headers = {}) {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  response.end(text);
}

/** Launches headless Chromium from /usr/bin/chromium with a fresh temporary profile. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * Opens `url` in a new 1280x800 page in its own browser context.
 *
 * Returns {page, context, consoleErrors, pageErrors, failedRequests, blockedRequests, close}.
 * `consoleErrors` contains console messages of type error, `pageErrors` uncaught exceptions,
 * `failedRequests` requests that failed or got an HTTP status of 400 or more, and
 * `blockedRequests` the URLs of requests and WebSockets to a host other than 127.0.0.1,
 * which are aborted before they leave the browser. Blocked requests are not repeated in
 * `failedRequests`. Pass `url: null` to get the page without navigating.
 */
export async function openPage(
  browser,
  url,
  { deviceScaleFactor = 1, viewport = { width: 1280, height: 800 }, waitUntil = 'load' } = {},
) {
  const context = await browser.newContext({
    viewport,
    deviceScaleFactor,
    // A service worker could fetch past the route below.
    serviceWorkers: 'block',
  });
  const consoleErrors = [];
  const pageErrors = [];
  const failedRequests = [];
  const blockedRequests = [];
  const blockedRequestObjects = new WeakSet();

  await context.route('**/*', async (route) => {
    const request = route.request();
    if (isAllowedUrl(request.url())) {
      await route.continue();
      return;
    }
    blockedRequestObjects.add(request);
    blockedRequests.push(request.url());
    await route.abort('blockedbyclient');
  });
  await context.routeWebSocket(
    (wsUrl) => !isAllowedUrl(wsUrl.href),
    (webSocket) => {
      blockedRequests.push(webSocket.url());
      webSocket.close({ code: 1008, reason: 'blocked by the test harness' });
    },
  );

  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const { url: sourceUrl, lineNumber } = message.location();
      consoleErrors.push(sourceUrl ? `${message.text()} (${sourceUrl}:${lineNumber})` : message.text());
    }
  });
  page.on('pageerror', (error) => {
    pageErrors.push(error.stack ?? String(error));
  });
  page.on('requestfailed', (request) => {
    if (!blockedRequestObjects.has(request)) {
      failedRequests.push(`${request.url()}: ${request.failure()?.errorText ?? 'failed'}`);
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400) {
      failedRequests.push(`${response.url()}: HTTP ${response.status()}`);
    }
  });

  if (url !== null) {
    await page.goto(url, { waitUntil });
  }
  return {
    page,
    context,
    consoleErrors,
    pageErrors,
    failedRequests,
    blockedRequests,
    close: () => context.close(),
  };
}

function isAllowedUrl(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // data: and blob: URLs never reach the network.
  if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') {
    return true;
  }
  return parsed.hostname === ALLOWED_HOST;
}

/**
 * Drops a file on the element that matches `selector`: dispatches dragenter, dragover and
 * drop at the element's centre, each with one DataTransfer that contains a File of `buffer`.
 *
 * The events are synthetic (`isTrusted` is false), but the handlers see the same
 * `dataTransfer.files` as with a drop from the desktop. Returns which events the page
 * cancelled with preventDefault(); a page must cancel dragover for a real drop to happen.
 */
export async function dropFile(page, selector, { name, mimeType = '', buffer }) {
  const bytes = Buffer.isBuffer(buffer) ? buffer : Buffer.from(buffer);
  return page.evaluate(
    ({ selector, name, mimeType, base64 }) => {
      const target = document.querySelector(selector);
      if (target === null) {
        throw new Error(`dropFile: no element matches ${selector}`);
      }
      const binary = atob(base64);
      const data = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i += 1) {
        data[i] = binary.charCodeAt(i);
      }
      const dataTransfer = new DataTransfer();
      dataTransfer.items.add(new File([data], name, { type: mimeType }));

      const box = target.getBoundingClientRect();
      const clientX = box.left + box.width / 2;
      const clientY = box.top + box.height / 2;
      const cancelled = {};
      for (const type of ['dragenter', 'dragover', 'drop']) {
        const event = new DragEvent(type, {
          bubbles: true,
          cancelable: true,
          composed: true,
          clientX,
          clientY,
          dataTransfer,
        });
        cancelled[type] = !target.dispatchEvent(event);
      }
      return cancelled;
    },
    { selector, name, mimeType, base64: bytes.toString('base64') },
  );
}

/**
 * Takes a screenshot of the element that matches `selector` (a canvas, usually) and returns
 * its pixels as {width, height, data}, with `data` in RGBA order, 4 bytes a pixel, rows top
 * to bottom. Sizes are in device pixels.
 */
export async function readCanvasPixels(page, selector) {
  const png = await page.locator(selector).screenshot({ type: 'png', animations: 'disabled' });
  return decodePng(png);
}

/** Returns the [r, g, b, a] values of pixel (x, y) of an image from decodePng. */
export function pixelAt(image, x, y) {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) {
    throw new RangeError(`pixel (${x}, ${y}) is outside the ${image.width}x${image.height} image`);
  }
  const offset = (y * image.width + x) * 4;
  return Array.from(image.data.subarray(offset, offset + 4));
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

// Channels per pixel for each PNG colour type that decodePng supports.
const PNG_CHANNELS = { 0: 1, 2: 3, 4: 2, 6: 4 };

/**
 * Decodes a non-interlaced PNG with 8 bits a channel (greyscale, greyscale with alpha, RGB or
 * RGBA) into {width, height, data}, with `data` in RGBA order. Throws on any other PNG.
 */
export function decodePng(buffer) {
  if (buffer.length < PNG_SIGNATURE.length || !buffer.subarray(0, 8).equals(PNG_SIGNATURE)) {
    throw new Error('decodePng: missing PNG signature');
  }

  let header = null;
  const idatChunks = [];
  let offset = PNG_SIGNATURE.length;
  while (offset + 8 <= buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const body = buffer.subarray(offset + 8, offset + 8 + length);
    if (body.length !== length) {
      throw new Error(`decodePng: chunk ${type} is truncated`);
    }
    if (type === 'IHDR') {
      header = {
        width: body.readUInt32BE(0),
        height: body.readUInt32BE(4),
        bitDepth: body[8],
        colourType: body[9],
        interlace: body[12],
      };
    } else if (type === 'IDAT') {
      idatChunks.push(body);
    } else if (type === 'IEND') {
      break;
    }
    // Each chunk is length, type, body and a 4-byte CRC.
    offset += 12 + length;
  }

  if (header === null) {
    throw new Error('decodePng: missing IHDR chunk');
  }
  const channels = PNG_CHANNELS[header.colourType];
  if (header.bitDepth !== 8 || channels === undefined || header.interlace !== 0) {
    throw new Error(
      `decodePng: unsupported PNG (bit depth ${header.bitDepth}, colour type ` +
        `${header.colourType}, interlace ${header.interlace}); only 8-bit non-interlaced ` +
        'greyscale, RGB and RGBA are supported',
    );
  }

  const { width, height } = header;
  const raw = inflateSync(Buffer.concat(idatChunks));
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) {
    throw new Error(`decodePng: image data is ${raw.length} bytes, expected ${height * (stride + 1)}`);
  }

  const pixels = unfilterScanlines(raw, height, stride, channels);
  return { width, height, data: expandToRgba(pixels, width * height, channels) };
}

// Reverses PNG filter types 0 to 4 (None, Sub, Up, Average, Paeth). Each row starts with its
// filter type byte, and each byte is stored as the difference from a prediction made from the
// bytes of the pixel to the left (a), above (b) and above-left (c).
function unfilterScanlines(raw, height, stride, bytesPerPixel) {
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y += 1) {
    const filterType = raw[y * (stride + 1)];
    const source = y * (stride + 1) + 1;
    const row = y * stride;
    const previousRow = row - stride;
    for (let i = 0; i < stride; i += 1) {
      const a = i >= bytesPerPixel ? pixels[row + i - bytesPerPixel] : 0;
      const b = y > 0 ? pixels[previousRow + i] : 0;
      const c = y > 0 && i >= bytesPerPixel ? pixels[previousRow + i - bytesPerPixel] : 0;
      let predictor;
      switch (filterType) {
        case 0:
          predictor = 0;
          break;
        case 1:
          predictor = a;
          break;
        case 2:
          predictor = b;
          break;
        case 3:
          predictor = (a + b) >> 1;
          break;
        case 4:
          predictor = paethPredictor(a, b, c);
          break;
        default:
          throw new Error(`decodePng: invalid filter type ${filterType} in row ${y}`);
      }
      pixels[row + i] = (raw[source + i] + predictor) & 0xff;
    }
  }
  return pixels;
}

function paethPredictor(a, b, c) {
  const estimate = a + b - c;
  const distanceA = Math.abs(estimate - a);
  const distanceB = Math.abs(estimate - b);
  const distanceC = Math.abs(estimate - c);
  if (distanceA <= distanceB && distanceA <= distanceC) {
    return a;
  }
  return distanceB <= distanceC ? b : c;
}

function expandToRgba(pixels, pixelCount, channels) {
  if (channels === 4) {
    return new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.length);
  }
  const rgba = new Uint8Array(pixelCount * 4);
  for (let i = 0; i < pixelCount; i += 1) {
    const source = i * channels;
    const isGrey = channels <= 2;
    rgba[i * 4] = pixels[source];
    rgba[i * 4 + 1] = isGrey ? pixels[source] : pixels[source + 1];
    rgba[i * 4 + 2] = isGrey ? pixels[source] : pixels[source + 2];
    rgba[i * 4 + 3] = channels === 2 ? pixels[source + 1] : 255;
  }
  return rgba;
}
