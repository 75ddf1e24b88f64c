// A mock of the DomainTools Iris Investigate API for browser tests, listening on 127.0.0.1 at
// a free port. It checks requests the way the real API documents them and serves records
// of a fixture export:
//
//   POST <any prefix>/v1/iris-investigate/ with an application/x-www-form-urlencoded body of
//   api_username, timestamp, signature and either domain (comma-separated, at most 100) or
//   search_hash, plus position for later pages. The signature must be the hex HMAC-SHA256,
//   keyed with the user's API key, of username + timestamp + '/v1/iris-investigate/', and the
//   timestamp must be within 5 minutes of now; otherwise the response is HTTP 403.
//
// Domain queries return the fixture's records for known names and list the others in
// missing_domains. Search hashes: 'all' returns every fixture record, 'too-broad' returns
// limit_exceeded, anything else HTTP 400. Results come in pages of `pageSize` records, with
// has_more_results and an opaque position token bound to the query.
//
// Tests steer it through the returned object:
//   plan       responses to use instead of the normal one, consumed one per signed POST:
//              null (normal), {status, message, retryAfter} or {delayMs} (slow, then normal).
//   delayMs    delay before every response, for cancel tests.
//   stuckPosition  when true, a request with a position gets that same position back
//              with has_more_results, as a broken API or proxy would respond.
//   pageSize   records per page (500, as the API, unless a test lowers it).
//   requests   every request as {method, path, headers, body (raw text), params, status}; the
//              status is 'aborted' when the client closed the connection before the response.
//
// startMockIris({cors: false}) serves the same API without CORS headers, as an API that does
// not allow the page's origin would.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

import { ALLOWED_HOST } from './harness.mjs';

export const API_PATH = '/v1/iris-investigate/';

/** Maximum distance between a request's timestamp and the mock's clock, in seconds. */
const MAX_CLOCK_SKEW_SECONDS = 300;

const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Returns the signature the API expects, as python_api computes it. */
export function expectedSignature(username, key, timestamp) {
  return createHmac('sha256', key).update(username + timestamp + API_PATH).digest('hex');
}

/**
 * Starts the mock. `users` maps API usernames to keys, `records` is the list of records to
 * serve (objects with a `domain` field).
 */
export async function startMockIris({ users, records, cors = true, pageSize = 500 }) {
  const byDomain = new Map(records.map((record) => [record.domain.toLowerCase(), record]));
  const state = {
    plan: [],
    stuckPosition: false,
    delayMs: 0,
    pageSize,
    requests: [],
  };

  const server = createServer((request, response) => {
    // A cancelled fetch closes the connection before the response is written.
    let clientGone = false;
    response.on('close', () => {
      if (!response.writableFinished) {
        clientGone = true;
      }
    });
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const entry = {
        method: request.method,
        path: request.url,
        headers: { ...request.headers },
        body,
        params: Object.fromEntries(new URLSearchParams(body)),
        status: null,
      };
      state.requests.push(entry);
      handle(request, entry)
        .then(({ status, payload, headers = {} }) => {
          if (clientGone || response.destroyed) {
            entry.status = 'aborted';
            return;
          }
          entry.status = status;
          response.writeHead(status, {
            'Content-Type': 'application/json; charset=utf-8',
            'Cache-Control': 'no-store',
            ...corsHeaders(request),
            ...headers,
          });
          response.end(payload === undefined ? '' : JSON.stringify(payload));
        })
        .catch((error) => {
          entry.status = 500;
          if (!response.headersSent) {
            response.writeHead(500, { 'Content-Type': 'text/plain', ...corsHeaders(request) });
          }
          response.end(`mock failed: ${error.message}`);
        });
    });
  });

  function corsHeaders(request) {
    if (!cors) {
      return {};
    }
    return {
      'Access-Control-Allow-Origin': request.headers.origin ?? '*',
      'Access-Control-Expose-Headers': 'Retry-After',
      Vary: 'Origin',
    };
  }

  async function handle(request, entry) {
    const { pathname } = new URL(request.url, 'http://placeholder');
    if (request.method === 'OPTIONS') {
      // A simple request never sends one; tests assert that none arrived.
      return { status: 204, headers: { 'Access-Control-Allow-Methods': 'POST' } };
    }
    if (!pathname.endsWith(API_PATH)) {
      return apiError(404, `not found: ${pathname}`);
    }
    if (request.method !== 'POST') {
      return apiError(405, `method not allowed: ${request.method}`);
    }
    if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return apiError(400, `unexpected content type ${request.headers['content-type']}`);
    }

    const authError = checkSignature(entry.params);
    if (authError !== null) {
      return apiError(403, authError);
    }

    const step = state.plan.length > 0 ? state.plan.shift() : null;
    const delay = state.delayMs + (step?.delayMs ?? 0);
    if (delay > 0) {
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    if (step !== null && step.status !== undefined) {
      const headers = step.retryAfter === undefined ? {} : { 'Retry-After': String(step.retryAfter) };
      return { ...apiError(step.status, step.message ?? `mock HTTP ${step.status}`), headers };
    }
    return answerQuery(entry.params);
  }

  function checkSignature(params) {
    const { api_username: username, timestamp, signature } = params;
    const key = users[username];
    if (key === undefined) {
      return `unknown api_username ${JSON.stringify(username)}`;
    }
    if (!TIMESTAMP_PATTERN.test(timestamp ?? '')) {
      return `timestamp ${JSON.stringify(timestamp)} is not %Y-%m-%dT%H:%M:%SZ`;
    }
    const skew = Math.abs(Date.parse(timestamp) - Date.now()) / 1000;
    if (!(skew <= MAX_CLOCK_SKEW_SECONDS)) {
      return `timestamp ${timestamp} is ${Math.round(skew)} s away from the server clock`;
    }
    const expected = Buffer.from(expectedSignature(username, key, timestamp));
    const given = Buffer.from(signature ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return 'signature does not match';
    }
    return null;
  }

  function answerQuery(params) {
    let matches;
    let missing = [];
    let queryId;
    if (params.search_hash !== undefined && params.domain === undefined) {
      queryId = `hash:${params.search_hash}`;
      if (params.search_hash === 'too-broad') {
        return {
          status: 200,
          payload: {
            response: { limit_exceeded: true, message: 'Your search returned too many results.' },
            error: { code: 206, message: 'Maximum of 10000 results exceeded; refine the search.' },
          },
        };
      }
      if (params.search_hash !== 'all') {
        return apiError(400, `invalid search_hash ${params.search_hash}`);
      }
      matches = records;
    } else if (params.domain !== undefined && params.search_hash === undefined) {
      const names = params.domain.split(',').filter((name) => name !== '');
      if (names.length > 100) {
        return apiError(400, `at most 100 domains per request, got ${names.length}`);
      }
      queryId = `domain:${params.domain}`;
      matches = names.filter((name) => byDomain.has(name)).map((name) => byDomain.get(name));
      missing = names.filter((name) => !byDomain.has(name));
    } else {
      return apiError(400, 'send either domain or search_hash');
    }

    let offset = 0;
    if (params.position !== undefined) {
      const token = decodePosition(params.position);
      if (token === null || token.query !== queryId) {
        return apiError(400, 'position does not belong to this query');
      }
      offset = token.offset;
    }
    const results = matches.slice(offset, offset + state.pageSize);
    const next = offset + results.length;
    let hasMore = next < matches.length;
    let position = hasMore ? encodePosition({ query: queryId, offset: next }) : null;
    if (state.stuckPosition && params.position !== undefined) {
      // A broken proxy or API: the next page is the one just asked for.
      hasMore = true;
      position = params.position;
    }
    return {
      status: 200,
      payload: {
        response: {
          limit_exceeded: false,
          has_more_results: hasMore,
          message: 'Enjoy your data.',
          results_count: results.length,
          total_count: matches.length,
          position,
          // Like the API, every page repeats the names that matched nothing.
          missing_domains: missing,
          results,
        },
      },
    };
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, ALLOWED_HOST, resolve);
  });
  const { port } = server.address();
  const origin = `http://${ALLOWED_HOST}:${port}`;

  return {
    origin,
    port,
    get requests() {
      return state.requests;
    },
    /** Signed POSTs that reached the API path, in arrival order. */
    get posts() {
      return state.requests.filter((r) => r.method === 'POST' && r.path.endsWith(API_PATH));
    },
    set stuckPosition(stuck) {
      state.stuckPosition = stuck;
    },
    set plan(steps) {
      state.plan = [...steps];
    },
    get plan() {
      return state.plan;
    },
    set delayMs(ms) {
      state.delayMs = ms;
    },
    set pageSize(size) {
      state.pageSize = size;
    },
    reset() {
      state.plan = [];
      state.stuckPosition = false;
      state.delayMs = 0;
      state.pageSize = pageSize;
      state.requests.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function apiError(status, message) {
  return { status, payload: { error: { code: status, message } } };
}

function encodePosition(token) {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodePosition(text) {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    return typeof token.query === 'string' && Number.isInteger(token.offset) ? token : null;
  } catch {
    return null;
  }
}
