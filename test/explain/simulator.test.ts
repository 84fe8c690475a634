/** Unit tests of the simulator, one rule each, named after the Fetch Standard section that decides it. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { explain, ExplainInputError, type ExplainInput } from '@corsgate/explain';
import {
  corsUnsafeRequestHeaderNames,
  isCorsSafelistedRequestHeader,
  normalizeMethod,
} from '@corsgate/explain/internal/request.js';
import { connectViolations } from '@corsgate/explain/internal/csp.js';
import { createPolicy } from 'corsgate';
import { generateCases, type Reply } from './cases.js';

const PAGE = 'https://app.example.com';
const API = 'https://api.example.net/v1/items';
const base = (
  over: Partial<ExplainInput['request']> = {},
  response: ExplainInput['response'] = { status: 200, headers: { 'Access-Control-Allow-Origin': PAGE } },
  preflightResponse?: ExplainInput['preflightResponse'],
): ExplainInput => ({
  page: { origin: PAGE },
  request: { url: API, ...over },
  response,
  ...(preflightResponse ? { preflightResponse } : {}),
});

describe('#concept-method-normalize', () => {
  test('only the six standard methods are upper-cased', () => {
    assert.equal(normalizeMethod('get'), 'GET');
    assert.equal(normalizeMethod('delete'), 'DELETE');
    assert.equal(normalizeMethod('patch'), 'patch');
    assert.equal(normalizeMethod('Foo'), 'Foo');
    assert.equal(normalizeMethod('options'), 'OPTIONS');
  });
  test('a normalised OPTIONS is still not safelisted: it is preflighted as OPTIONS', () => {
    const r = explain(
      base({ method: 'options' }, undefined, {
        status: 204,
        headers: { 'Access-Control-Allow-Origin': PAGE, 'Access-Control-Allow-Methods': 'OPTIONS' },
      }),
    );
    assert.equal(r.preflightRequest?.headers['Access-Control-Request-Method'], 'OPTIONS');
    assert.equal(r.allowed, true);
  });
  test('a lower-case patch is only matched by a lower-case grant', () => {
    const r = explain(
      base({ method: 'patch' }, undefined, {
        status: 204,
        headers: { 'Access-Control-Allow-Origin': PAGE, 'Access-Control-Allow-Methods': 'PATCH' },
      }),
    );
    assert.equal(r.allowed, false);
    assert.match(
      r.console[0]!,
      /Method patch is not allowed by Access-Control-Allow-Methods in preflight response\.$/,
    );
  });
});

describe('#cors-safelisted-request-header', () => {
  test('value rules', () => {
    assert.equal(isCorsSafelistedRequestHeader('content-type', 'Text/Plain;charset=utf-8', true), true);
    assert.equal(isCorsSafelistedRequestHeader('content-type', 'application/json', true), false);
    assert.equal(isCorsSafelistedRequestHeader('content-type', 'text/plain,x/x', true), false);
    assert.equal(isCorsSafelistedRequestHeader('accept', 'a'.repeat(128), true), true);
    assert.equal(isCorsSafelistedRequestHeader('accept', 'a'.repeat(129), true), false, '128-byte limit');
    assert.equal(isCorsSafelistedRequestHeader('accept-language', '@', true), false);
    assert.equal(isCorsSafelistedRequestHeader('range', 'bytes=0-100', true), true);
    assert.equal(isCorsSafelistedRequestHeader('range', 'bytes=-500', true), false);
    assert.equal(isCorsSafelistedRequestHeader('dpr', '2', false), true, 'Chromium safelists client hints');
    assert.equal(isCorsSafelistedRequestHeader('dpr', '2', true), false, 'the Standard does not');
  });
  test('#cors-unsafe-request-header-byte: the listed bytes and controls other than HT', () => {
    for (const b of [
      '"',
      '(',
      ')',
      ':',
      '<',
      '>',
      '?',
      '@',
      '[',
      '\\',
      ']',
      '{',
      '}',
      '\x7f',
      '\x01',
      '\x1f',
    ]) {
      assert.equal(isCorsSafelistedRequestHeader('accept', `a${b}b`, true), false, JSON.stringify(b));
    }
    for (const b of ['\t', ' ', ',', '/', ';', '=', '*', 'é'])
      assert.equal(isCorsSafelistedRequestHeader('accept', `a${b}b`, true), true, JSON.stringify(b));
  });
  test('the 128-byte limit counts bytes: a Latin-1 character is one byte', () => {
    assert.equal(isCorsSafelistedRequestHeader('accept', 'é'.repeat(128), true), true);
    assert.equal(isCorsSafelistedRequestHeader('accept', 'é'.repeat(129), true), false);
  });
  test('range: parse a single range header value, start required, no whitespace, exact `bytes`', () => {
    for (const v of ['bytes=0-100', 'bytes=100-', 'bytes=0-0', 'bytes=01-2'])
      assert.equal(isCorsSafelistedRequestHeader('range', v, true), true, v);
    for (const v of [
      'bytes=-500',
      'bytes=0-1,2-3',
      'Bytes=0-1',
      'bytes= 0-1',
      'bytes=5-1',
      'items=0-1',
      'bytes=-',
    ])
      assert.equal(isCorsSafelistedRequestHeader('range', v, true), false, v);
  });
  test('a repeated header: Chromium judges the combined value, the Standard each entry', () => {
    const twice: [string, string][] = [
      ['Accept', 'a'.repeat(100)],
      ['Accept', 'b'.repeat(30)],
    ];
    assert.deepEqual(corsUnsafeRequestHeaderNames(twice, false).sorted, ['accept']);
    assert.deepEqual(corsUnsafeRequestHeaderNames(twice, true).sorted, []);
  });
  test('#cors-unsafe-request-header-names: sorted, lower-case, and the 1024-byte total', () => {
    assert.deepEqual(
      corsUnsafeRequestHeaderNames(
        [
          ['X-B', '1'],
          ['x-a', '1'],
          ['Content-Type', 'application/json'],
        ],
        true,
      ).sorted,
      ['content-type', 'x-a', 'x-b'],
    );
    const many: [string, string][] = Array.from({ length: 9 }, () => ['Accept', 'a'.repeat(120)]);
    assert.deepEqual(corsUnsafeRequestHeaderNames(many, true).sorted, ['accept']);
  });
});

describe('#cors-check', () => {
  test('ACAO must equal the origin byte for byte', () => {
    for (const acao of [`${PAGE}/`, 'HTTPS://app.example.com', 'https://app.example.com:443']) {
      const r = explain(base({}, { status: 200, headers: { 'Access-Control-Allow-Origin': acao } }));
      assert.equal(r.allowed, false, acao);
      assert.equal(r.responseType, 'error');
      assert.equal(r.actualRequestSent, true);
    }
  });
  test('* passes without credentials and fails with them', () => {
    assert.equal(
      explain(base({}, { status: 200, headers: { 'Access-Control-Allow-Origin': '*' } })).allowed,
      true,
    );
    const r = explain(
      base(
        { credentials: 'include' },
        {
          status: 200,
          headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Credentials': 'true' },
        },
      ),
    );
    assert.equal(r.allowed, false);
    assert.match(
      r.console[0]!,
      /must not be the wildcard '\*' when the request's credentials mode is 'include'\.$/,
    );
    assert.deepEqual(r.fix?.headers, {
      'Access-Control-Allow-Origin': PAGE,
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin',
    });
  });
  test('ACAC must be exactly true', () => {
    const r = explain(
      base(
        { credentials: 'include' },
        {
          status: 200,
          headers: { 'Access-Control-Allow-Origin': PAGE, 'Access-Control-Allow-Credentials': 'True' },
        },
      ),
    );
    assert.equal(r.allowed, false);
    assert.match(r.console[0]!, /is 'True' which must be 'true'/);
  });
  test('two ACAO lines are multiple values', () => {
    const r = explain(
      base(
        {},
        {
          status: 200,
          headers: [
            ['Access-Control-Allow-Origin', PAGE],
            ['Access-Control-Allow-Origin', PAGE],
          ],
        },
      ),
    );
    assert.match(
      r.console[0]!,
      /contains multiple values 'https:\/\/app\.example\.com, https:\/\/app\.example\.com', but only one is allowed\. Have the server send the header with a valid value\.$/,
    );
    assert.deepEqual(r.console.slice(1), ['Failed to load resource: net::ERR_FAILED']);
  });
  test("a hint is the header's bytes, non-printable ones as \\u00XX", () => {
    const r = explain(
      base({}, { status: 200, headers: { 'Access-Control-Allow-Origin': 'https://exämple.com' } }),
    );
    assert.match(
      r.console[0]!,
      /contains the invalid value 'https:\/\/ex\\u00E4mple\.com'/,
      'a Latin-1 byte is not UTF-8: not a URL',
    );
    const utf8 = explain(
      base({}, { status: 200, headers: { 'Access-Control-Allow-Origin': 'https://ex€mple.com' } }),
    );
    assert.match(
      utf8.console[0]!,
      /has a value 'https:\/\/ex\\u00E2\\u0082\\u00ACmple\.com' that is not equal/,
    );
  });
  test('the exact Chromium sentence for a missing ACAO', () => {
    const r = explain(base({}, { status: 200, headers: {} }));
    assert.deepEqual(r.console, [
      `Access to fetch at '${API}' from origin '${PAGE}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.`,
      'Failed to load resource: net::ERR_FAILED',
    ]);
  });
});

describe('#cors-preflight-fetch', () => {
  const granted = {
    'Access-Control-Allow-Origin': PAGE,
    'Access-Control-Allow-Methods': 'PUT',
    'Access-Control-Allow-Headers': 'x-custom',
  };
  test('a preflight that passes lets the request go', () => {
    const r = explain(
      base({ method: 'PUT', headers: { 'X-Custom': '1' } }, undefined, { status: 204, headers: granted }),
    );
    assert.equal(r.preflight, true);
    assert.equal(r.actualRequestSent, true);
    assert.equal(r.allowed, true);
    assert.deepEqual(r.preflightRequest?.headers, {
      Origin: PAGE,
      'Access-Control-Request-Method': 'PUT',
      'Access-Control-Request-Headers': 'x-custom',
    });
  });
  test('a redirect is never followed', () => {
    const r = explain(
      base({ method: 'PUT' }, undefined, { status: 302, headers: { ...granted, Location: '/x' } }),
    );
    assert.equal(r.actualRequestSent, false);
    assert.match(
      r.console[0]!,
      /Response to preflight request doesn't pass access control check: Redirect is not allowed for a preflight request\.$/,
    );
  });
  test('Chromium reports a missing ACAO before a bad status', () => {
    const r = explain(base({ method: 'PUT' }, undefined, { status: 404, headers: {} }));
    assert.match(r.console[0]!, /check: No 'Access-Control-Allow-Origin' header/);
    const s = explain(base({ method: 'PUT' }, undefined, { status: 404, headers: granted }));
    assert.match(s.console[0]!, /check: It does not have HTTP ok status\.$/);
  });
  test('Authorization and *: Chromium lets it through, the Standard does not', () => {
    const input = base({ headers: { Authorization: 'Bearer x' } }, undefined, {
      status: 204,
      headers: { 'Access-Control-Allow-Origin': PAGE, 'Access-Control-Allow-Headers': '*' },
    });
    assert.equal(explain(input).allowed, true);
    const spec = explain(input, { spec: true });
    assert.equal(spec.allowed, false);
    assert.match(spec.console[0]!, /Request header field authorization is not allowed/);
  });
  test('with credentials, * covers neither methods nor headers', () => {
    const r = explain(
      base({ method: 'PUT', credentials: 'include' }, undefined, {
        status: 204,
        headers: {
          'Access-Control-Allow-Origin': PAGE,
          'Access-Control-Allow-Credentials': 'true',
          'Access-Control-Allow-Methods': '*',
        },
      }),
    );
    assert.equal(r.allowed, false);
    assert.equal(r.fix?.where, 'preflight response');
    assert.deepEqual(r.fix?.policy, {
      origins: [PAGE],
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'PUT'],
    });
  });
  test("the first refused header in Chromium's header-table order is reported", () => {
    const r = explain(
      base(
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
    assert.match(r.console[0]!, /Request header field x-c is not allowed/);
  });
  test('unparsable grants', () => {
    const r = explain(
      base({ method: 'PUT' }, undefined, {
        status: 204,
        headers: { 'Access-Control-Allow-Origin': PAGE, 'Access-Control-Allow-Methods': 'bad method' },
      }),
    );
    assert.match(
      r.console[0]!,
      /: Cannot parse Access-Control-Allow-Methods response header field in preflight response\.$/,
    );
  });
  test('a missing preflight answer is a network error: preflight sent, nothing else', () => {
    const r = explain({
      page: { origin: PAGE },
      request: { url: API, method: 'PUT' },
      response: { status: 200 },
    });
    assert.equal(r.preflight, true);
    assert.equal(r.actualRequestSent, false);
    assert.equal(r.allowed, false);
    assert.equal(r.responseType, 'error');
    assert.deepEqual(r.console, ['Failed to load resource: net::ERR_EMPTY_RESPONSE']);
    assert.equal(r.awaiting?.kind, 'preflight');
    assert.deepEqual(r.awaiting?.headers, [
      ['Accept', '*/*'],
      ['Origin', PAGE],
      ['Access-Control-Request-Method', 'PUT'],
    ]);
  });
});

describe('#concept-filtered-response-cors: readable headers', () => {
  test('safelisted names plus the exposed ones; Set-Cookie never', () => {
    const r = explain(
      base(
        { credentials: 'include' },
        {
          status: 200,
          headers: {
            'Access-Control-Allow-Origin': PAGE,
            'Access-Control-Allow-Credentials': 'true',
            'Content-Type': 'text/plain',
            'X-A': '1',
            'X-B': '1',
            'Set-Cookie': 'a=b',
            'Access-Control-Expose-Headers': 'x-a, set-cookie',
          },
        },
      ),
    );
    assert.deepEqual(r.exposedHeaders, ['content-type', 'x-a']);
  });
  test('* exposes everything only without credentials', () => {
    const headers = { 'Access-Control-Allow-Origin': PAGE, 'X-A': '1', 'Access-Control-Expose-Headers': '*' };
    assert.deepEqual(explain(base({}, { status: 200, headers })).exposedHeaders, [
      'access-control-allow-origin',
      'access-control-expose-headers',
      'x-a',
    ]);
  });
});

describe('CSP connect-src', () => {
  test('connect-src, and default-src as the fallback, block before the request leaves', () => {
    const r = explain({ ...base(), page: { origin: PAGE, csp: "default-src 'self'" } });
    assert.equal(r.actualRequestSent, false);
    assert.deepEqual(r.console, [
      `Connecting to '${API}' violates the following Content Security Policy directive: "default-src 'self'". Note that 'connect-src' was not explicitly set, so 'default-src' is used as a fallback. The action has been blocked.`,
      `Fetch API cannot load ${API}. Refused to connect because it violates the document's Content Security Policy.`,
    ]);
    assert.equal(r.fix?.where, 'page');
  });
  test('the directive is quoted with its name lower-cased and its value as written', () => {
    const r = explain({ ...base(), page: { origin: PAGE, csp: "CONNECT-SRC   'SELF'\thttps://x.example" } });
    assert.match(r.console[0]!, /directive: "connect-src 'SELF'\thttps:\/\/x\.example"\. The action/);
  });
  test('source expressions', () => {
    const url = new URL(API);
    assert.equal(connectViolations('connect-src https://*.example.net', url, PAGE).length, 0);
    assert.equal(connectViolations('connect-src https://example.net', url, PAGE).length, 1);
    assert.equal(connectViolations('connect-src https:', url, PAGE).length, 0);
    assert.equal(connectViolations('connect-src api.example.net/v1/', url, PAGE).length, 0);
    assert.equal(connectViolations('connect-src api.example.net/v2/', url, PAGE).length, 1);
    assert.equal(
      connectViolations("connect-src 'self', connect-src *", url, PAGE).length,
      1,
      'every policy of a comma-joined header applies',
    );
    assert.equal(connectViolations("img-src 'self'", url, PAGE).length, 0);
  });
});

describe('no-cors', () => {
  test('opaque response, nothing readable', () => {
    const r = explain(base({ mode: 'no-cors' }, { status: 200, headers: {} }));
    assert.deepEqual(
      [r.responseType, r.allowed, r.exposedHeaders, r.preflight, r.actualRequestSent],
      ['opaque', false, null, false, true],
    );
  });
  test('PUT throws before sending', () => {
    const r = explain(base({ mode: 'no-cors', method: 'PUT' }));
    assert.equal(r.actualRequestSent, false);
    assert.match(r.explanation, /'PUT' is unsupported in no-cors mode/);
  });
});

describe('#http-redirect-fetch', () => {
  const CDN = 'https://cdn.example.org/x';
  test('a redirect to a second cross origin carries Origin: null onward, and the next answer must allow null or *', () => {
    const first = { status: 302, headers: { 'Access-Control-Allow-Origin': PAGE, Location: CDN } };
    const blocked = explain({
      ...base({}, first),
      redirects: [{ response: { status: 200, headers: { 'Access-Control-Allow-Origin': PAGE } } }],
    });
    assert.deepEqual(blocked.requests, [
      { url: API, method: 'GET', origin: PAGE },
      { url: CDN, method: 'GET', origin: 'null' },
    ]);
    assert.equal(blocked.allowed, false);
    assert.equal(
      blocked.console[0],
      `Access to fetch at '${CDN}' (redirected from '${API}') from origin '${PAGE}' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value '${PAGE}' that is not equal to the supplied origin. Have the server send the header with a valid value.`,
    );
    assert.match(blocked.fix!.summary, /do not allow the origin 'null'/);
    const allowed = explain({
      ...base({}, first),
      redirects: [{ response: { status: 200, headers: { 'Access-Control-Allow-Origin': '*' } } }],
    });
    assert.equal(allowed.allowed, true);
  });
  test('every hop is CORS-checked: a redirect without ACAO fails at the first URL', () => {
    const r = explain({
      ...base({}, { status: 302, headers: { Location: CDN } }),
      redirects: [{ response: { status: 200, headers: { 'Access-Control-Allow-Origin': '*' } } }],
    });
    assert.deepEqual(
      r.requests.map((x) => x.url),
      [API],
    );
    assert.match(r.console[0]!, new RegExp(`^Access to fetch at '${API}' from origin`));
  });
  test('303 turns a PUT into a GET without its body headers; the next hop needs no preflight', () => {
    const grant = {
      status: 204,
      headers: {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': 'PUT',
        'Access-Control-Allow-Headers': 'content-type',
      },
    };
    const r = explain({
      ...base(
        { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{}' },
        { status: 303, headers: { 'Access-Control-Allow-Origin': '*', Location: '/v1/done' } },
        grant,
      ),
      redirects: [{ response: { status: 200, headers: { 'Access-Control-Allow-Origin': '*' } } }],
    });
    assert.deepEqual(
      r.requests.map((x) => x.method),
      ['PUT', 'GET'],
    );
    assert.equal(r.allowed, true);
  });
  test('a preflighted request is preflighted again at the redirect target', () => {
    const r = explain({
      ...base(
        { method: 'PUT' },
        { status: 307, headers: { 'Access-Control-Allow-Origin': '*', Location: CDN } },
        {
          status: 204,
          headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'PUT' },
        },
      ),
      redirects: [
        {
          preflightResponse: { status: 204, headers: {} },
          response: { status: 200, headers: { 'Access-Control-Allow-Origin': '*' } },
        },
      ],
    });
    assert.equal(r.allowed, false);
    assert.match(
      r.console[0]!,
      /\(redirected from '.*'\) from origin '.*' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin'/,
    );
  });
  test('a redirect to a URL with credentials is refused, reported at the redirecting URL', () => {
    const r = explain(
      base(
        {},
        {
          status: 302,
          headers: { 'Access-Control-Allow-Origin': '*', Location: 'https://user:pass@api.example.net/y' },
        },
      ),
    );
    assert.equal(
      r.console[0],
      `Access to fetch at '${API}' from origin '${PAGE}' has been blocked by CORS policy: Redirect location '' contains a username and password, which is disallowed for cross-origin requests.`,
    );
  });
  test('without the next answer the verdict says so, and tells what the browser sends next', () => {
    const r = explain(
      base({}, { status: 302, headers: { 'Access-Control-Allow-Origin': '*', Location: CDN } }),
    );
    assert.equal(r.verdict, 'Redirected: give the next answer to explain it');
    assert.deepEqual(r.awaiting, {
      kind: 'response',
      hop: 1,
      url: CDN,
      method: 'GET',
      headers: [['Origin', 'null']],
    });
    assert.deepEqual(r.console, []);
  });
});

describe('#dom-request: what fetch() refuses before sending anything', () => {
  for (const [name, request, message] of [
    ['a GET with a body', { method: 'GET', body: 'x' }, /Request with GET\/HEAD method cannot have body/],
    ['a method that is not a token', { method: 'GE T' }, /'GE T' is not a valid HTTP method/],
    ['a forbidden method (#forbidden-method)', { method: 'trace' }, /'trace' HTTP method is unsupported/],
    ['a header value above U+00FF', { headers: { 'X-A': '€' } }, /non ISO-8859-1 code point/],
  ] as const) {
    test(name, () => {
      const r = explain(base(request as never));
      assert.deepEqual(
        [r.preflight, r.actualRequestSent, r.allowed, r.responseType, r.console],
        [false, false, false, 'error', []],
      );
      assert.match(r.explanation, message);
    });
  }
});

describe('#cross-origin-resource-policy-check', () => {
  test('CORP same-origin withholds even the opaque no-cors response', () => {
    const r = explain(
      base({ mode: 'no-cors' }, { status: 200, headers: { 'Cross-Origin-Resource-Policy': 'same-origin' } }),
    );
    assert.deepEqual([r.responseType, r.actualRequestSent], ['error', true]);
    assert.deepEqual(r.console, ['Failed to load resource: net::ERR_BLOCKED_BY_RESPONSE.NotSameOrigin']);
  });
  test('CORS responses are not subject to it', () => {
    assert.equal(
      explain(
        base(
          {},
          {
            status: 200,
            headers: { 'Access-Control-Allow-Origin': PAGE, 'Cross-Origin-Resource-Policy': 'same-origin' },
          },
        ),
      ).allowed,
      true,
    );
  });
});

describe('input, read liberally', () => {
  test('headers as an object, [name, value] pairs or {name, value} objects', () => {
    for (const headers of [
      { 'Access-Control-Allow-Origin': PAGE },
      [['Access-Control-Allow-Origin', PAGE]],
      [{ name: 'Access-Control-Allow-Origin', value: PAGE }],
    ]) {
      assert.equal(explain(base({}, { status: 200, headers: headers as never })).allowed, true);
    }
  });
  test('headers as a raw header block, as copied from DevTools or curl -i', () => {
    const r = explain(
      base(
        {},
        {
          status: 200,
          headers:
            'HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: https://app.example.com\r\nX-A: 1\r\nAccess-Control-Expose-Headers: x-a\r\n' as never,
        },
      ),
    );
    assert.deepEqual(r.exposedHeaders, ['x-a']);
  });
  test('a page URL stands for its origin; a missing method is GET; status 0 is a network error', () => {
    const r = explain({
      page: { origin: `${PAGE}/index.html` },
      request: { url: API },
      response: { status: 0 },
    });
    assert.deepEqual(r.requests, [{ url: API, method: 'GET', origin: PAGE }]);
    assert.deepEqual(r.console, ['Failed to load resource: net::ERR_EMPTY_RESPONSE']);
  });
  test('what cannot be understood is an error with a code and a path', () => {
    assert.throws(
      () => explain({ page: { origin: PAGE }, request: { url: API, credentials: 'sometimes' as never } }),
      (e: unknown) =>
        e instanceof ExplainInputError &&
        e.code === 'credentials-invalid' &&
        e.path === 'request.credentials',
    );
    assert.throws(
      () => explain({ ...base(), redirects: [{ response: { status: 999 } }] }),
      (e: unknown) => e instanceof ExplainInputError && e.path === 'redirects[0].response.status',
    );
  });
});

describe('the fix: the corsgate policy it points at produces answers the browser accepts', () => {
  test('for every generated case the server can fix, the suggested policy makes the simulator allow it', () => {
    const page = 'http://127.0.0.1:5173';
    const url = 'http://localhost:9/case';
    const fill = (r: Reply | undefined) =>
      r === undefined || r === 'drop'
        ? undefined
        : { ...r, headers: r.headers.map(([n, v]): [string, string] => [n, v.replaceAll('{origin}', page)]) };
    let checked = 0;
    for (const c of generateCases()) {
      if (c.redirects || c.csp || c.request.mode === 'no-cors') continue;
      const request = { ...c.request, url };
      const before = explain({
        page: { origin: page },
        request,
        preflightResponse: fill(c.preflightResponse),
        response: fill(c.response),
      });
      const policyOptions = before.fix?.policy;
      if (before.allowed || !policyOptions || before.fix?.where === 'request') continue;
      const policy = createPolicy(policyOptions);
      const answer = (method: string, headers: Record<string, string>) => {
        const d = policy.evaluate({
          method,
          headers: Object.fromEntries(Object.entries(headers).map(([n, v]) => [n.toLowerCase(), v])),
        });
        return { status: d.status ?? 200, headers: Object.entries(d.headers) as [string, string][] };
      };
      const sent = explain({ page: { origin: page }, request, response: { status: 200 } });
      const preflightResponse = sent.preflightRequest
        ? answer('OPTIONS', sent.preflightRequest.headers)
        : undefined;
      const response = answer(sent.requests[0]?.method ?? 'GET', { Origin: page });
      const after = explain({
        page: { origin: page },
        request,
        ...(preflightResponse ? { preflightResponse } : {}),
        response,
      });
      assert.equal(
        after.allowed,
        true,
        `${c.name}: ${JSON.stringify(policyOptions)} → ${after.verdict} ${after.console[0] ?? ''}`,
      );
      checked++;
    }
    assert.ok(checked > 200, `only ${checked} cases checked`);
  });
});

describe('Local Network Access (Chromium)', () => {
  test('a public page reaching loopback gets an information step; the verdict is left to the answers', () => {
    const r = explain({
      page: { origin: PAGE },
      request: { url: 'http://127.0.0.1:8080/x' },
      response: { status: 200, headers: { 'Access-Control-Allow-Origin': '*' } },
    });
    assert.equal(r.allowed, true);
    assert.match(r.steps.find((s) => s.id === 'local-network-access')!.detail, /`loopback` address space/);
    const loopbackPage = explain({
      page: { origin: 'http://127.0.0.1:3000' },
      request: { url: 'http://localhost:8080/x' },
      response: { status: 200, headers: { 'Access-Control-Allow-Origin': '*' } },
    });
    assert.equal(
      loopbackPage.steps.some((s) => s.id === 'local-network-access'),
      false,
    );
  });
});
