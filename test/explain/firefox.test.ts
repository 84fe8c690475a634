/**
 * Firefox 153 ESR in explain, one behaviour each (the differential proves them against the browser;
 * these pin the exact texts and the rules where Firefox departs from Chromium and the Standard).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { explain, explainBoth, type ExplainInput } from '@corsgate/explain';
import { firefoxDirective } from '@corsgate/explain/internal/messages-firefox.js';

const PAGE = 'https://app.example.com';
const API = 'https://api.example.net/v1/items';
const BLOCKED = `Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ${API}.`;
const NOT_SUCCEED = `${BLOCKED} (Reason: CORS request did not succeed). Status code: (null).`;
const firefox = (input: ExplainInput) => explain(input, { browser: 'firefox' });
const req = (
  over: Partial<ExplainInput['request']> = {},
  response: ExplainInput['response'] = { status: 200, headers: {} },
  preflightResponse?: ExplainInput['preflightResponse'],
): ExplainInput => ({
  page: { origin: PAGE },
  request: { url: API, ...over },
  response,
  ...(preflightResponse ? { preflightResponse } : {}),
});

describe('Firefox: the CORS check in its own words', () => {
  test('a missing Access-Control-Allow-Origin quotes the status', () => {
    const r = firefox(req({}, { status: 404, headers: {} }));
    assert.deepEqual(r.console, [
      `${BLOCKED} (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 404.`,
    ]);
    assert.deepEqual(r.browser, { name: 'firefox', version: '153.8.0esr' });
    assert.match(r.explanation, /TypeError: NetworkError when attempting to fetch resource\./);
  });
  test('two Access-Control-Allow-Origin lines fail before their values are read', () => {
    const r = firefox(
      req(
        {},
        {
          status: 200,
          headers: [
            ['Access-Control-Allow-Origin', '*'],
            ['Access-Control-Allow-Origin', '*'],
          ],
        },
      ),
    );
    assert.deepEqual(r.console, [
      `${BLOCKED} (Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed).`,
    ]);
    assert.equal(r.outcome.reason, 'origin-multiple');
  });
  test('a value that is not the origin is quoted, its bytes read as UTF-8', () => {
    assert.deepEqual(
      firefox(req({}, { status: 200, headers: { 'Access-Control-Allow-Origin': 'https://exämple.com' } }))
        .console,
      [
        `${BLOCKED} (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘https://ex\uFFFDmple.com’).`,
      ],
    );
    assert.match(
      firefox(req({}, { status: 200, headers: { 'Access-Control-Allow-Origin': `${PAGE}, ${PAGE}` } }))
        .console[0]!,
      /does not match ‘https:\/\/app\.example\.com, https:\/\/app\.example\.com’/,
    );
  });
  test("'*' with credentials quotes the URL in typographic quotes", () => {
    assert.deepEqual(
      firefox(
        req({ credentials: 'include' }, { status: 200, headers: { 'Access-Control-Allow-Origin': '*' } }),
      ).console,
      [
        `Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ‘${API}’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’).`,
      ],
    );
  });
});

describe('Firefox: a failed preflight logs two lines, or three', () => {
  const grant = { 'Access-Control-Allow-Origin': PAGE, 'Access-Control-Allow-Methods': 'PUT' };
  test('a refused answer, then the request that did not succeed', () => {
    assert.deepEqual(firefox(req({ method: 'PUT' }, undefined, { status: 503, headers: grant })).console, [
      `${BLOCKED} (Reason: CORS preflight response did not succeed). Status code: 503.`,
      NOT_SUCCEED,
    ]);
    assert.deepEqual(
      firefox(
        req({ method: 'PUT' }, undefined, { status: 204, headers: { 'Access-Control-Allow-Origin': PAGE } }),
      ).console,
      [
        `${BLOCKED} (Reason: Did not find method in CORS header ‘Access-Control-Allow-Methods’).`,
        NOT_SUCCEED,
      ],
    );
  });
  test('a redirecting preflight: the redirect, the status, the request', () => {
    assert.deepEqual(
      firefox(req({ method: 'PUT' }, undefined, { status: 302, headers: { ...grant, Location: '/x' } }))
        .console,
      [
        `${BLOCKED} (Reason: CORS request external redirect not allowed).`,
        `${BLOCKED} (Reason: CORS preflight response did not succeed). Status code: 302.`,
        NOT_SUCCEED,
      ],
    );
  });
  test('a redirecting preflight without Access-Control-Allow-Origin fails on the origin first, and says so twice more', () => {
    assert.deepEqual(
      firefox(req({ method: 'PUT' }, undefined, { status: 307, headers: { Location: '/x' } })).console,
      [
        `${BLOCKED} (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 307.`,
        NOT_SUCCEED,
        NOT_SUCCEED,
      ],
    );
  });
  test('the method is checked before Access-Control-Allow-Headers is parsed; an invalid token is named', () => {
    const answer = {
      status: 204,
      headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'bad value' },
    };
    assert.match(
      firefox(req({ method: 'PUT', headers: { 'X-A': '1' } }, undefined, answer)).console[0]!,
      /Did not find method/,
    );
    assert.match(
      firefox(req({ method: 'POST', headers: { 'X-A': '1' } }, undefined, answer)).console[0]!,
      /invalid token ‘bad value’ in CORS header ‘Access-Control-Allow-Headers’/,
    );
    assert.match(
      explain(req({ method: 'PUT', headers: { 'X-A': '1' } }, undefined, answer)).console[0]!,
      /Cannot parse Access-Control-Allow-Headers/,
    );
  });
  test('a preflight that never came: two lines; an answer that never came after a preflight: Firefox reads it as a second Access-Control-Allow-Origin', () => {
    assert.deepEqual(
      firefox({ page: { origin: PAGE }, request: { url: API, method: 'PUT' }, response: { status: 200 } })
        .console,
      [NOT_SUCCEED, NOT_SUCCEED],
    );
    assert.deepEqual(
      firefox({
        page: { origin: PAGE },
        request: { url: API, method: 'PUT' },
        preflightResponse: { status: 204, headers: grant },
      }).console,
      [`${BLOCKED} (Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed).`],
    );
    assert.deepEqual(firefox({ page: { origin: PAGE }, request: { url: API } }).console, [NOT_SUCCEED]);
  });
});

describe('Firefox: Authorization and `*`', () => {
  test('allowed, with the "Cross-Origin Request Warning" Chromium does not log', () => {
    const input = req(
      { headers: { Authorization: 'Bearer x' } },
      { status: 200, headers: { 'Access-Control-Allow-Origin': '*' } },
      { status: 204, headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*' } },
    );
    const r = firefox(input);
    assert.equal(r.allowed, true);
    assert.deepEqual(r.console, [
      `Cross-Origin Request Warning: The Same Origin Policy will disallow reading the remote resource at ${API} soon. (Reason: When the \`Access-Control-Allow-Headers\` is \`*\`, the \`Authorization\` header is not covered. To include the \`Authorization\` header, it must be explicitly listed in CORS header \`Access-Control-Allow-Headers\`).`,
    ]);
    const both = explainBoth(input);
    assert.deepEqual(
      both.differences.map((d) => d.field),
      ['warnings'],
    );
    assert.match(both.differences[0]!.why[0]!, /Fetch Standard forbids/);
    assert.equal(
      explain(input, { browser: 'firefox', spec: true }).allowed,
      false,
      '--spec follows the Standard for Firefox too',
    );
  });
});

describe('Firefox: which headers need a preflight', () => {
  test('no client hints, a non-ASCII Accept, each value of a repeated header on its own, no 1024-byte total', () => {
    const pf = (headers: [string, string][]) =>
      firefox(
        req(
          { headers },
          { status: 200, headers: { 'Access-Control-Allow-Origin': '*' } },
          {
            status: 204,
            headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*' },
          },
        ),
      ).preflightRequest?.headers['Access-Control-Request-Headers'];
    assert.equal(pf([['DPR', '2']]), 'dpr');
    assert.equal(pf([['Accept', 'aé']]), 'accept');
    assert.equal(
      pf([
        ['Accept', 'a'.repeat(100)],
        ['Accept', 'b'.repeat(30)],
      ]),
      undefined,
    );
    assert.equal(
      pf([
        ['X-A', '1'],
        ['X-A', '2'],
      ]),
      'x-a,x-a',
      'a repeated name is repeated',
    );
    const safe = (['Accept', 'Accept-Language', 'Content-Language', 'Content-Type'] as const).map(
      (n): [string, string] => [
        n,
        n === 'Content-Type' ? `text/plain;a=${'b'.repeat(115)}` : 'a'.repeat(128),
      ],
    );
    assert.equal(pf([...safe, ...safe, ['Range', 'bytes=0-1']]), undefined);
  });
  test('the refused headers are checked in sorted order', () => {
    const r = firefox(
      req(
        {
          headers: [
            ['X-C', '1'],
            ['X-B', '1'],
            ['X-A', '1'],
          ],
        },
        undefined,
        {
          status: 204,
          headers: { 'Access-Control-Allow-Origin': PAGE, 'Access-Control-Allow-Headers': 'x-a' },
        },
      ),
    );
    assert.match(
      r.console[0]!,
      /header ‘x-b’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response/,
    );
  });
});

describe('Firefox: redirects', () => {
  const CDN = 'https://cdn.example.org/x';
  const grant = (origin: string) => ({
    status: 204,
    headers: {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': 'PUT',
      'Access-Control-Allow-Headers': 'x-custom',
    },
  });
  test("a redirected request's preflight carries the page's origin, the request itself Origin: null", () => {
    const input: ExplainInput = {
      ...req(
        { method: 'PUT', headers: { 'X-Custom': '1' } },
        { status: 307, headers: { 'Access-Control-Allow-Origin': PAGE, Location: CDN } },
        grant(PAGE),
      ),
      redirects: [
        {
          preflightResponse: grant(PAGE),
          response: { status: 200, headers: { 'Access-Control-Allow-Origin': PAGE } },
        },
      ],
    };
    const fx = firefox(input);
    assert.deepEqual(
      fx.requests.map((r) => r.origin),
      [PAGE, 'null'],
    );
    assert.equal(fx.outcome.kind, 'response-failed');
    assert.equal(
      explain(input).outcome.kind,
      'preflight-failed',
      'Chromium sends and checks Origin: null on that preflight',
    );
    const why = explainBoth(input)
      .differences.flatMap((d) => d.why)
      .join(' ');
    assert.match(why, /Firefox sends the preflight with the page's origin/);
  });
  test('a request preflighted for its headers is preflighted again at each hop, with the first names left', () => {
    const input: ExplainInput = {
      ...req(
        { headers: { Authorization: 'Bearer x' } },
        { status: 302, headers: { 'Access-Control-Allow-Origin': '*', Location: CDN } },
        {
          status: 204,
          headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'authorization' },
        },
      ),
      redirects: [
        {
          preflightResponse: { status: 204, headers: {} },
          response: { status: 200, headers: { 'Access-Control-Allow-Origin': '*' } },
        },
      ],
    };
    assert.equal(explain(input).allowed, true, 'Chromium: Authorization dropped, nothing left to preflight');
    const fx = firefox(input);
    assert.equal(fx.allowed, false);
    assert.deepEqual(fx.console, [
      `Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ${CDN}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 204.`,
      `Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ${CDN}. (Reason: CORS request did not succeed). Status code: (null).`,
    ]);
    assert.ok(fx.departures.includes('repreflight'));
  });
  test('a redirect answer that fails the check is reported, then the request that did not succeed', () => {
    assert.deepEqual(firefox(req({}, { status: 302, headers: { Location: CDN } })).console, [
      `${BLOCKED} (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 302.`,
      NOT_SUCCEED,
    ]);
  });
  test('Firefox names the hop it is at, not the first URL', () => {
    const r = firefox({
      ...req({}, { status: 302, headers: { 'Access-Control-Allow-Origin': '*', Location: CDN } }),
      redirects: [{ response: { status: 200, headers: {} } }],
    });
    assert.equal(
      r.console[0],
      `Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ${CDN}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200.`,
    );
  });
});

describe('Firefox: CSP, mode, CORP and what fetch() refuses', () => {
  test('CSP: one line per violated policy, the directive as Firefox prints it', () => {
    const r = firefox({ ...req(), page: { origin: PAGE, csp: "default-src 'self'" } });
    assert.deepEqual(r.console, [
      `Content-Security-Policy: The page’s settings blocked the loading of a resource (connect-src) at ${API} because it violates the following directive: “default-src 'self'”`,
    ]);
    assert.equal(
      firefoxDirective({ name: 'connect-src', sources: ["'SELF'", 'HTTP://API.Example.NET:1/Path'] }),
      "connect-src 'self' http://api.example.net:1/Path",
    );
    assert.equal(firefoxDirective({ name: 'connect-src', sources: [] }), "connect-src 'none'");
  });
  test('mode "same-origin" and CORP', () => {
    assert.deepEqual(firefox(req({ mode: 'same-origin' })).console, [
      `Security Error: Content at ${PAGE}/ may not load data from ${API}.`,
    ]);
    assert.deepEqual(
      firefox(
        req({ mode: 'no-cors' }, { status: 200, headers: { 'Cross-Origin-Resource-Policy': 'same-origin' } }),
      ).console,
      [
        `The resource at “${API}” was blocked due to its Cross-Origin-Resource-Policy header (or lack thereof). See https://developer.mozilla.org/docs/Web/HTTP/Cross-Origin_Resource_Policy_(CORP)#`,
      ],
    );
  });
  test("fetch()'s TypeErrors in Firefox's words", () => {
    assert.match(
      firefox(req({ method: 'GE T' })).explanation,
      /"TypeError: Window\.fetch: Invalid request method GE T\."/,
    );
    assert.match(
      firefox(req({ mode: 'no-cors', method: 'PUT' })).explanation,
      /Invalid request method PUT\./,
    );
    assert.match(
      firefox(req({ method: 'GET', body: 'x' })).explanation,
      /HEAD or GET Request cannot have a body\./,
    );
    assert.match(
      firefox(req({ headers: [['X Custom', '1']] })).explanation,
      /x custom is an invalid header name\./,
    );
    assert.match(
      firefox(req({ headers: { 'X-A': 'a€' } })).explanation,
      /record<ByteString, ByteString> branch .* character at index 1 has value 8364 which is greater than 255\./,
    );
    assert.match(
      firefox(req({ method: 'TRACE', initiator: 'xhr' })).explanation,
      /XMLHttpRequest throws "SecurityError: The operation is insecure\."/,
    );
  });
  test('a non-HTTP scheme', () => {
    assert.deepEqual(
      firefox({ page: { origin: PAGE }, request: { url: 'ftp://files.example.net/x' } }).console,
      [
        'Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ftp://files.example.net/x. (Reason: CORS request not http).',
      ],
    );
  });
});

describe('--browser both: every difference names its rule', () => {
  test('on every generated case, each disagreement comes with the rule behind it', async () => {
    const { generateCases } = await import('./cases.js');
    const page = 'http://127.0.0.1:5173';
    const at = { same: 'http://localhost:9', other: 'http://127.0.0.1:7', page };
    let differing = 0;
    generateCases().forEach((c, i) => {
      const url = (hop: number, where: keyof typeof at) => `${at[where]}/case/${i}/${hop}`;
      const next = (hop: number) => (c.redirects?.[hop] ? url(hop + 1, c.redirects[hop]!.at) : '');
      const fill = (r: (typeof c)['response'] | undefined, hop: number) =>
        r === undefined || r === 'drop'
          ? undefined
          : {
              status: r.status,
              headers: r.headers.map(([n, v]): [string, string] => [
                n,
                v
                  .replaceAll('{origin}', page)
                  .replaceAll('{nextUserinfo}', next(hop).replace('//', '//user:pass@'))
                  .replaceAll('{next}', next(hop))
                  .replaceAll('{case}', `/case/${i}/`),
              ]),
            };
      const hopOf = (
        hop: number,
        s: { preflightResponse?: (typeof c)['response']; response: (typeof c)['response'] },
      ) => ({
        ...(fill(s.preflightResponse, hop) ? { preflightResponse: fill(s.preflightResponse, hop) } : {}),
        ...(fill(s.response, hop) ? { response: fill(s.response, hop) } : {}),
      });
      const input: ExplainInput = {
        page: { origin: page, ...(c.csp ? { csp: c.csp } : {}) },
        request: { ...c.request, url: url(0, 'same') + (c.urlSuffix ?? '') },
        ...hopOf(0, c),
        ...(c.redirects ? { redirects: c.redirects.map((r, k) => hopOf(k + 1, r)) } : {}),
      };
      const { differences } = explainBoth(input);
      if (differences.length) differing++;
      for (const d of differences)
        assert.ok(
          !d.why[0]!.startsWith('The browsers take different paths'),
          `#${i} ${c.name}: ${d.field} has no rule`,
        );
    });
    assert.ok(differing > 100, `only ${differing} cases differ`);
  });
});
