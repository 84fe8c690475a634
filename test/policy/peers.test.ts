/**
 * Cases in the style of the best peers' suites (jub0bs/cors middleware_test.go, rs/cors cors_test.go,
 * expressjs/cors test/test.js, Spring DefaultCorsProcessorTests, hono cors tests, django-cors-headers
 * test_middleware.py; see ../shared/reference/middleware-landscape.md §10), each with the answer the
 * Fetch Standard calls for. Where a peer answers differently, the note says so and why we do not.
 * The second half plays each allowed or refused exchange through the Fetch Standard's algorithm
 * (`corsgate/explain` with `spec: true`), so every answer is checked the way a browser checks it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPolicy, PolicyError, type PolicyOptions, type RequestLike } from 'corsgate';
import { explain } from '@corsgate/explain';

const A = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

const get = (origin?: string, method = 'GET', extra: Record<string, string> = {}): RequestLike => ({
  method,
  headers: { host: 'api.example.com', ...(origin === undefined ? {} : { origin }), ...extra },
});
const pre = (
  origin: string,
  acrm: string,
  acrh?: string,
  extra: Record<string, string> = {},
): RequestLike => ({
  method: 'OPTIONS',
  headers: {
    host: 'api.example.com',
    origin,
    'access-control-request-method': acrm,
    ...(acrh === undefined ? {} : { 'access-control-request-headers': acrh }),
    ...extra,
  },
});

interface Expect {
  kind: 'preflight' | 'actual' | 'none';
  allowed: boolean;
  status: number | null;
  /** Exactly these headers (names as the engine writes them). */
  headers: Record<string, string>;
}
interface PeerCase {
  from: string;
  name: string;
  options: PolicyOptions;
  request: RequestLike;
  expect: Expect;
}

const CASES: PeerCase[] = [
  // jub0bs/cors
  {
    from: 'jub0bs',
    name: 'no Origin: not CORS, but the answer still varies on Origin',
    options: { origins: [A] },
    request: get(),
    expect: { kind: 'none', allowed: false, status: null, headers: { Vary: 'Origin' } },
  },
  {
    from: 'jub0bs',
    name: 'allow all: an invalid Origin still gets ACAO * (it cannot be abused)',
    options: { origins: '*' },
    request: get('invalid_origin'),
    expect: { kind: 'actual', allowed: true, status: null, headers: { 'Access-Control-Allow-Origin': '*' } },
  },
  {
    from: 'jub0bs',
    name: 'fake preflight (OPTIONS without ACRM) reaches the handler',
    options: { origins: [A], credentials: true },
    request: get(A, 'OPTIONS'),
    expect: {
      kind: 'actual',
      allowed: true,
      status: null,
      headers: {
        'Access-Control-Allow-Origin': A,
        'Access-Control-Allow-Credentials': 'true',
        Vary: 'Origin',
      },
    },
  },
  {
    from: 'jub0bs',
    name: 'safelisted ACRM: 204 without ACAM',
    options: { origins: [A] },
    request: pre(A, 'GET'),
    expect: {
      kind: 'preflight',
      allowed: true,
      status: 204,
      headers: { 'Access-Control-Allow-Origin': A, Vary: 'Origin' },
    },
  },
  {
    from: 'jub0bs',
    name: 'only the requested method is disclosed',
    options: { origins: [A], methods: ['PUT', 'DELETE', 'PATCH'] },
    request: pre(A, 'DELETE'),
    expect: {
      kind: 'preflight',
      allowed: true,
      status: 204,
      headers: {
        'Access-Control-Allow-Origin': A,
        'Access-Control-Allow-Methods': 'DELETE',
        Vary: 'Origin, Access-Control-Request-Method',
      },
    },
  },
  {
    from: 'jub0bs',
    name: 'disallowed origin preflight: 403, no ACAO, no ACAC, nothing granted',
    options: {
      origins: [A],
      credentials: true,
      methods: '*',
      requestHeaders: '*',
      maxAge: 30,
      privateNetwork: true,
    },
    request: pre(EVIL, 'PUT', 'x-a', { 'access-control-request-private-network': 'true' }),
    expect: { kind: 'preflight', allowed: false, status: 403, headers: { Vary: 'Origin' } },
  },
  {
    from: 'jub0bs',
    name: 'method names are case-sensitive: patch is not PATCH',
    options: { origins: [A], methods: ['PATCH'] },
    request: pre(A, 'patch'),
    expect: { kind: 'preflight', allowed: false, status: 403, headers: { Vary: 'Origin' } },
  },
  {
    from: 'jub0bs',
    name: "config 'put' is normalised to PUT (Fetch #concept-method-normalize)",
    options: { origins: [A], methods: ['put'] },
    request: pre(A, 'PUT'),
    expect: {
      kind: 'preflight',
      allowed: true,
      status: 204,
      headers: {
        'Access-Control-Allow-Origin': A,
        'Access-Control-Allow-Methods': 'PUT',
        Vary: 'Origin, Access-Control-Request-Method',
      },
    },
  },
  {
    from: 'jub0bs',
    name: 'credentialed methods * echoes the requested method, never *',
    options: { origins: [A], credentials: true, methods: '*' },
    request: pre(A, 'PURGE'),
    expect: {
      kind: 'preflight',
      allowed: true,
      status: 204,
      headers: {
        'Access-Control-Allow-Origin': A,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': 'PURGE',
        Vary: 'Origin, Access-Control-Request-Method',
      },
    },
  },
  {
    from: 'jub0bs',
    name: 'credentialed requestHeaders * echoes the names, Authorization included',
    options: { origins: [A], credentials: true, requestHeaders: '*' },
    request: pre(A, 'GET', 'authorization,x-trace'),
    expect: {
      kind: 'preflight',
      allowed: true,
      status: 204,
      headers: {
        'Access-Control-Allow-Origin': A,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Headers': 'authorization,x-trace',
        Vary: 'Origin, Access-Control-Request-Headers',
      },
    },
  },
  {
    from: 'jub0bs',
    name: 'anonymous requestHeaders * still names Authorization (a * would not cover it)',
    options: { origins: '*', requestHeaders: '*' },
    request: pre(A, 'GET', 'authorization'),
    expect: {
      kind: 'preflight',
      allowed: true,
      status: 204,
      headers: {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Headers': 'authorization',
        Vary: 'Access-Control-Request-Headers',
      },
    },
  },
  {
    from: 'jub0bs',
    name: 'evil ACRH (too many empty elements) is refused cheaply',
    options: { origins: [A], requestHeaders: '*' },
    request: pre(A, 'GET', ','.repeat(100)),
    expect: { kind: 'preflight', allowed: false, status: 403, headers: { Vary: 'Origin' } },
  },
  {
    from: 'jub0bs',
    name: 'subdomain pattern does not cover the apex',
    options: { origins: ['https://*.example.com'] },
    request: get('https://example.com'),
    expect: { kind: 'actual', allowed: false, status: null, headers: { Vary: 'Origin' } },
  },
  {
    from: 'jub0bs',
    name: 'subdomain pattern covers any depth',
    options: { origins: ['https://*.example.com'] },
    request: get('https://a.b.example.com'),
    expect: {
      kind: 'actual',
      allowed: true,
      status: null,
      headers: { 'Access-Control-Allow-Origin': 'https://a.b.example.com', Vary: 'Origin' },
    },
  },
  {
    from: 'jub0bs',
    name: 'port wildcard covers the implicit port',
    options: { origins: ['http://localhost:*'] },
    request: get('http://localhost'),
    expect: {
      kind: 'actual',
      allowed: true,
      status: null,
      headers: { 'Access-Control-Allow-Origin': 'http://localhost', Vary: 'Origin' },
    },
  },
  {
    from: 'jub0bs',
    name: 'request-time Origin is never normalised (upper case)',
    options: { origins: [A] },
    request: get('https://APP.example.com'),
    expect: { kind: 'actual', allowed: false, status: null, headers: { Vary: 'Origin' } },
  },
  {
    from: 'jub0bs',
    name: 'the null origin is answered only by allow-all, with *',
    options: { origins: '*' },
    request: get('null'),
    expect: { kind: 'actual', allowed: true, status: null, headers: { 'Access-Control-Allow-Origin': '*' } },
  },

  // rs/cors
  {
    from: 'rs/cors',
    name: 'NonPreflightOptions: OPTIONS without ACRM is an actual request',
    options: { origins: [A] },
    request: get(A, 'OPTIONS'),
    expect: {
      kind: 'actual',
      allowed: true,
      status: null,
      headers: { 'Access-Control-Allow-Origin': A, Vary: 'Origin' },
    },
  },
  {
    from: 'rs/cors',
    name: 'DisallowedOrigin: no CORS header, Vary: Origin',
    options: { origins: ['https://foobar.com'] },
    request: get('https://barbaz.com'),
    expect: { kind: 'actual', allowed: false, status: null, headers: { Vary: 'Origin' } },
  },
  {
    from: 'rs/cors',
    name: 'AllowedHeaders: names compare case-insensitively, echoed as validated names',
    options: { origins: [A], requestHeaders: ['X-Header-1', 'x-header-2'] },
    request: pre(A, 'GET', 'X-Header-2, X-HEADER-1'),
    expect: {
      kind: 'preflight',
      allowed: true,
      status: 204,
      headers: {
        'Access-Control-Allow-Origin': A,
        'Access-Control-Allow-Headers': 'x-header-2,x-header-1',
        Vary: 'Origin, Access-Control-Request-Headers',
      },
    },
  },
  {
    from: 'rs/cors',
    name: 'DisallowedHeader: 403 (rs/cors answers 204 without grants; either fails the browser, 403 says so)',
    options: { origins: [A], requestHeaders: ['x-header-1'] },
    request: pre(A, 'GET', 'x-header-1,x-header-3'),
    expect: { kind: 'preflight', allowed: false, status: 403, headers: { Vary: 'Origin' } },
  },
  {
    from: 'rs/cors',
    name: 'MaxAge and preflight status',
    options: { origins: [A], methods: ['PUT'], maxAge: 10, preflightStatus: 200 },
    request: pre(A, 'PUT'),
    expect: {
      kind: 'preflight',
      allowed: true,
      status: 200,
      headers: {
        'Access-Control-Allow-Origin': A,
        'Access-Control-Allow-Methods': 'PUT',
        'Access-Control-Max-Age': '10',
        Vary: 'Origin, Access-Control-Request-Method',
      },
    },
  },
  {
    from: 'rs/cors',
    name: 'ACRH split over several header lines (rs/cors#184) is combined',
    options: { origins: [A], requestHeaders: ['x-a', 'x-b'] },
    request: {
      method: 'OPTIONS',
      headers: {
        origin: A,
        'access-control-request-method': 'GET',
        'access-control-request-headers': ['x-a', 'x-b'],
      },
    },
    expect: {
      kind: 'preflight',
      allowed: true,
      status: 204,
      headers: {
        'Access-Control-Allow-Origin': A,
        'Access-Control-Allow-Headers': 'x-a,x-b',
        Vary: 'Origin, Access-Control-Request-Headers',
      },
    },
  },
  {
    from: 'rs/cors',
    name: 'PNA preflight granted only when configured',
    options: { origins: [A], privateNetwork: true },
    request: pre(A, 'GET', undefined, { 'access-control-request-private-network': 'true' }),
    expect: {
      kind: 'preflight',
      allowed: true,
      status: 204,
      headers: {
        'Access-Control-Allow-Origin': A,
        'Access-Control-Allow-Private-Network': 'true',
        Vary: 'Origin',
      },
    },
  },

  // expressjs/cors
  {
    from: 'express',
    name: "default-like '*': ACAO *, no Vary (expressjs/cors#317)",
    options: { origins: '*' },
    request: get(A),
    expect: { kind: 'actual', allowed: true, status: null, headers: { 'Access-Control-Allow-Origin': '*' } },
  },
  {
    from: 'express',
    name: 'origin list, refused: no ACAO and (unlike express) no ACAC either',
    options: { origins: [A], credentials: true },
    request: get(EVIL),
    expect: { kind: 'actual', allowed: false, status: null, headers: { Vary: 'Origin' } },
  },
  {
    from: 'express',
    name: 'exposed headers on the actual response',
    options: { origins: [A], exposeHeaders: ['custom-header1', 'custom-header2'] },
    request: get(A, 'POST'),
    expect: {
      kind: 'actual',
      allowed: true,
      status: null,
      headers: {
        'Access-Control-Allow-Origin': A,
        'Access-Control-Expose-Headers': 'custom-header1,custom-header2',
        Vary: 'Origin',
      },
    },
  },
  {
    from: 'express',
    name: 'maxAge 0 is sent (0 means "do not cache"), absent is not',
    options: { origins: [A], maxAge: 0 },
    request: pre(A, 'POST'),
    expect: {
      kind: 'preflight',
      allowed: true,
      status: 204,
      headers: { 'Access-Control-Allow-Origin': A, 'Access-Control-Max-Age': '0', Vary: 'Origin' },
    },
  },

  // Spring DefaultCorsProcessor
  {
    from: 'spring',
    name: 'preflight from another origin: 403',
    options: { origins: ['https://domain1.com'] },
    request: pre('https://domain2.com', 'GET'),
    expect: { kind: 'preflight', allowed: false, status: 403, headers: { Vary: 'Origin' } },
  },
  {
    from: 'spring',
    name: 'preflight with a method not allowed: 403',
    options: { origins: ['https://domain1.com'], methods: ['GET', 'POST'] },
    request: pre('https://domain1.com', 'DELETE'),
    expect: { kind: 'preflight', allowed: false, status: 403, headers: { Vary: 'Origin' } },
  },
  {
    from: 'spring',
    name: 'malformed Origin (gh-33682) is refused without a crash',
    options: { origins: ['https://domain1.com'], onDisallowed: 'reject' },
    request: get('http://*@:;'),
    expect: { kind: 'actual', allowed: false, status: 403, headers: { Vary: 'Origin' } },
  },
  {
    from: 'spring',
    name: 'trailing slash in the request Origin is not normalised (Spring trims it)',
    options: { origins: ['https://domain1.com'] },
    request: get('https://domain1.com/'),
    expect: { kind: 'actual', allowed: false, status: null, headers: { Vary: 'Origin' } },
  },
  {
    from: 'spring',
    name: 'credentials: ACAC with the allowed origin',
    options: { origins: ['https://domain1.com'], credentials: true },
    request: get('https://domain1.com'),
    expect: {
      kind: 'actual',
      allowed: true,
      status: null,
      headers: {
        'Access-Control-Allow-Origin': 'https://domain1.com',
        'Access-Control-Allow-Credentials': 'true',
        Vary: 'Origin',
      },
    },
  },

  // hono
  {
    from: 'hono',
    name: "ACRH 'x' + 200 000 spaces + 'x' is answered at once (refused as malformed)",
    options: { origins: [A], requestHeaders: '*' },
    request: pre(A, 'GET', `x${' '.repeat(200000)}x`),
    expect: { kind: 'preflight', allowed: false, status: 403, headers: { Vary: 'Origin' } },
  },
  {
    from: 'hono',
    name: 'an OPTIONS with Origin but no ACRM is not answered as a preflight (hono#3979)',
    options: { origins: [A], onDisallowed: 'reject' },
    request: get(EVIL, 'OPTIONS'),
    expect: { kind: 'actual', allowed: false, status: 403, headers: { Vary: 'Origin' } },
  },

  // django-cors-headers
  {
    from: 'django',
    name: 'test_options_no_headers: OPTIONS without Origin reaches the view',
    options: { origins: [A] },
    request: { method: 'OPTIONS', headers: { 'access-control-request-method': 'GET' } },
    expect: { kind: 'none', allowed: false, status: null, headers: { Vary: 'Origin' } },
  },
  {
    from: 'django',
    name: 'explicit default port in the request Origin is not the same origin string',
    options: { origins: [A] },
    request: get(`${A}:443`),
    expect: { kind: 'actual', allowed: false, status: null, headers: { Vary: 'Origin' } },
  },

  // Suffix confusion (GHSA-vhxv-fg4m-p2w8; starlette/sanic re.match bypasses)
  ...[
    'https://barfoo.com',
    'https://foobar.com',
    'https://evil-foo.com',
    'https://foo.com.evil.com',
    'https://foo.com_.evil.com',
    'http://foo.com',
    'https://foo.com:8443',
    'https://foo.co',
  ].map((o): PeerCase => ({
    from: 'suffix',
    name: `foo.com, bar.com: ${o} is refused`,
    options: { origins: ['https://foo.com', 'https://bar.com'], credentials: true },
    request: get(o),
    expect: { kind: 'actual', allowed: false, status: null, headers: { Vary: 'Origin' } },
  })),
  ...[
    'https://example.com.evil.com',
    'https://evil-example.com',
    'https://example.com_.evil.com',
    'https://evilexample.com',
    'https://a.example.com.evil.com',
    'http://a.example.com',
  ].map((o): PeerCase => ({
    from: 'suffix',
    name: `*.example.com: ${o} is refused`,
    options: { origins: ['https://*.example.com'] },
    request: get(o),
    expect: { kind: 'actual', allowed: false, status: null, headers: { Vary: 'Origin' } },
  })),
];

for (const c of CASES) {
  test(`peers [${c.from}] ${c.name}`, () => {
    const d = createPolicy(c.options).evaluate(c.request);
    assert.equal(d.kind, c.expect.kind);
    assert.equal(d.allowed, c.expect.allowed);
    assert.equal(d.status, c.expect.status);
    assert.deepEqual({ ...d.headers }, c.expect.headers);
    assert.equal(d.vary, c.expect.headers.Vary ?? null);
    if (!d.allowed) {
      assert.equal(d.headers['Access-Control-Allow-Origin'], undefined);
      assert.equal(d.headers['Access-Control-Allow-Credentials'], undefined);
    }
  });
}

test('peers: configurations every careful peer refuses are refused, each with code and path', () => {
  const refused: Array<[PolicyOptions | Record<string, unknown>, string]> = [
    [{ origins: '*', credentials: true }, 'credentials:credentials-with-any-origin'], // jub0bs, Spring, tower-http
    [{ origins: ['*'], credentials: true }, 'credentials:credentials-with-any-origin'],
    [{ origins: ['null'] }, 'origins[0]:origin-null'], // jub0bs
    [{ origins: ['file://'] }, 'origins[0]:origin-scheme-file'],
    [{ origins: ['https://*.github.io'] }, 'origins[0]:origin-wildcard-public-suffix'],
    [{ origins: ['http://exAmplE.coM:3999'] }, 'origins[0]:origin-not-canonical'],
    [{ origins: ['https://example.com/foobar'] }, 'origins[0]:origin-path'], // django E014
    [{ origins: ['example.com'] }, 'origins[0]:origin-scheme-missing'], // django E013
    [{ origins: ['http://127.1:3999'] }, 'origins[0]:origin-not-canonical'],
    [{ origins: ['http://foo:80'] }, 'origins[0]:origin-default-port'],
    [{ origins: ['https://fooo.*.example.com'] }, 'origins[0]:origin-wildcard-misplaced'],
    [{ origins: ['https://*.[::1]'] }, 'origins[0]:origin-wildcard-misplaced'],
    [
      { origins: [A], credentials: true, exposeHeaders: '*' },
      'exposeHeaders:expose-wildcard-with-credentials',
    ],
    [{ origins: [A], methods: ['TRACE'] }, 'methods[0]:method-forbidden'],
    [{ origins: [A], requestHeaders: ['Proxy-Authorization'] }, 'requestHeaders[0]:header-forbidden'],
    [{ origins: [A], exposeHeaders: ['Set-Cookie'] }, 'exposeHeaders[0]:expose-forbidden'],
    [{ origins: [A], maxAge: 86401 }, 'maxAge:max-age-out-of-range'],
    [{ origins: [A], allowedOrigins: [A] }, 'allowedOrigins:option-unknown'],
  ];
  for (const [options, expected] of refused) {
    assert.throws(
      () => createPolicy(options as PolicyOptions),
      (err: unknown) => {
        assert.ok(err instanceof PolicyError, JSON.stringify(options));
        const got = err.problems.filter((p) => p.severity === 'error').map((p) => `${p.path}:${p.code}`);
        assert.deepEqual(got, [expected], JSON.stringify(options));
        for (const p of err.problems) assert.ok(p.message.length > 0);
        return true;
      },
    );
  }
});

// ---------------------------------------------------------------------------------------------
// Every exchange through the Fetch Standard's algorithm: what the browser concludes must be what
// the engine decided.

interface BrowserCase {
  policy: PolicyOptions;
  page: string;
  method: string;
  /** Request headers the page sets (values chosen so that the names are CORS-unsafe unless noted). */
  headers?: Record<string, string>;
  credentials: 'omit' | 'include';
  allowed: boolean;
}

const UNSAFE_VALUES: Record<string, string> = { 'content-type': 'application/json' };
const POLICIES: Record<string, PolicyOptions> = {
  strict: {
    origins: [A, 'https://*.example.org'],
    methods: ['GET', 'PUT'],
    requestHeaders: ['content-type', 'x-request-id'],
    exposeHeaders: ['x-total'],
  },
  credentialed: {
    origins: [A, 'http://localhost:*'],
    credentials: true,
    methods: '*',
    requestHeaders: '*',
    maxAge: 600,
  },
  open: { origins: '*', methods: '*', requestHeaders: '*', exposeHeaders: '*' },
  openNarrow: { origins: '*', methods: ['DELETE'], requestHeaders: ['x-a'] },
};
const BROWSER: BrowserCase[] = [];
for (const [name, policy] of Object.entries(POLICIES)) {
  for (const page of [A, 'https://a.example.org', 'http://localhost:5173', EVIL]) {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'patch']) {
      const headerSets: Array<Record<string, string> | undefined> = [
        undefined,
        { 'content-type': 'application/json' },
        { 'x-request-id': '1' },
        { authorization: 'Bearer x' },
        { 'x-a': '1', 'x-request-id': '2' },
      ];
      for (const headers of headerSets) {
        for (const credentials of ['omit', 'include'] as const) {
          BROWSER.push({
            policy,
            page,
            method,
            headers,
            credentials,
            allowed: expectedAllowed(name, page, method, headers, credentials),
          });
        }
      }
    }
  }
}

/** The verdict worked out by hand from each policy's meaning (not from the engine). */
function expectedAllowed(
  name: string,
  page: string,
  method: string,
  headers: Record<string, string> | undefined,
  credentials: string,
): boolean {
  const names = Object.keys(headers ?? {});
  if (name === 'strict') {
    // Without `credentials: true` no ACAC is sent, so a credentialed request fails the CORS check.
    return (
      credentials === 'omit' &&
      (page === A || page === 'https://a.example.org') &&
      ['GET', 'POST', 'PUT'].includes(method) &&
      names.every((h) => h === 'content-type' || h === 'x-request-id')
    );
  }
  if (name === 'credentialed') return page === A || page === 'http://localhost:5173';
  if (name === 'open') return credentials === 'omit';
  // openNarrow
  return (
    credentials === 'omit' && ['GET', 'POST', 'DELETE'].includes(method) && names.every((h) => h === 'x-a')
  );
}

test(`browser round trip: ${BROWSER.length} exchanges, the Fetch Standard agrees with every decision`, () => {
  const compiled = new Map<PolicyOptions, ReturnType<typeof createPolicy>>();
  for (const c of BROWSER) {
    let policy = compiled.get(c.policy);
    if (!policy) compiled.set(c.policy, (policy = createPolicy(c.policy)));
    const setHeaders = Object.fromEntries(
      Object.entries(c.headers ?? {}).map(([k, v]) => [k, UNSAFE_VALUES[k] ?? v]),
    );
    const unsafe = Object.keys(setHeaders)
      .map((h) => h.toLowerCase())
      .sort();
    const needsPreflight = !['GET', 'HEAD', 'POST'].includes(c.method) || unsafe.length > 0;
    const where = `${JSON.stringify(c.policy.origins)} ${c.page} ${c.method} ${unsafe.join(',')} ${c.credentials}`;

    // What the server answers: the engine's decision for the preflight the browser sends, then for the request.
    let preflightResponse: { status: number; headers: Record<string, string> } | undefined;
    if (needsPreflight) {
      const d = policy.evaluate(pre(c.page, c.method, unsafe.length ? unsafe.join(',') : undefined));
      assert.equal(d.kind, 'preflight', where);
      preflightResponse = { status: d.status ?? 200, headers: { ...d.headers } };
    }
    const actual = policy.evaluate({ method: c.method, headers: { origin: c.page, ...setHeaders } });
    const response = { status: actual.status ?? 200, headers: { ...actual.headers } };

    const verdict = explain(
      {
        page: { origin: c.page },
        request: {
          url: 'https://api.example.net/items',
          method: c.method,
          headers: setHeaders,
          credentials: c.credentials,
        },
        ...(preflightResponse ? { preflightResponse } : {}),
        response,
      },
      { spec: true },
    );
    assert.equal(verdict.allowed, c.allowed, `${where}: the browser says ${verdict.verdict}`);
    if (c.allowed && c.policy.exposeHeaders === '*' && c.credentials === 'omit')
      assert.notEqual(verdict.exposedHeaders, null, where);
  }
});
