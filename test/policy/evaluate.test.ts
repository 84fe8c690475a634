import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPolicy, type PolicyOptions, type RequestLike } from 'corsgate';

const preflight = (
  origin: string,
  method: string,
  headers?: string,
  extra: Record<string, string> = {},
): RequestLike => ({
  method: 'OPTIONS',
  headers: {
    origin,
    'access-control-request-method': method,
    ...(headers === undefined ? {} : { 'access-control-request-headers': headers }),
    ...extra,
  },
});
const actual = (origin: string | null, method = 'GET'): RequestLike => ({
  method,
  headers: origin === null ? {} : { origin },
});

const GATEWAY: PolicyOptions = {
  origins: ['https://app.example.com', 'https://*.example.org', 'http://localhost:*'],
  credentials: true,
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  requestHeaders: '*',
  maxAge: 600,
  onDisallowed: 'reject',
};

interface Case {
  name: string;
  options: PolicyOptions;
  request: RequestLike;
  kind: string;
  allowed: boolean;
  reason: string;
  status: number | null;
  headers: Record<string, string>;
}

const A = 'https://app.example.com';
const CASES: Case[] = [
  // Actual requests.
  {
    name: 'allowed exact origin, no credentials',
    options: { origins: [A] },
    request: actual(A),
    kind: 'actual',
    allowed: true,
    reason: 'allowed',
    status: null,
    headers: { 'Access-Control-Allow-Origin': A, Vary: 'Origin' },
  },
  {
    name: 'allowed origin with credentials and expose',
    options: { origins: [A], credentials: true, exposeHeaders: ['X-Total', 'ETag'] },
    request: actual(A, 'POST'),
    kind: 'actual',
    allowed: true,
    reason: 'allowed',
    status: null,
    headers: {
      'Access-Control-Allow-Origin': A,
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Expose-Headers': 'x-total,etag',
      Vary: 'Origin',
    },
  },
  {
    name: 'refused origin, omit: only Vary, no ACAC',
    options: { origins: [A], credentials: true },
    request: actual('https://evil.com'),
    kind: 'actual',
    allowed: false,
    reason: 'origin-not-allowed',
    status: null,
    headers: { Vary: 'Origin' },
  },
  {
    name: 'refused origin, reject: 403',
    options: { origins: [A], onDisallowed: 'reject' },
    request: actual('https://evil.com'),
    kind: 'actual',
    allowed: false,
    reason: 'origin-not-allowed',
    status: 403,
    headers: { Vary: 'Origin' },
  },
  {
    name: 'no Origin: Vary only, goes on',
    options: { origins: [A], onDisallowed: 'reject' },
    request: actual(null),
    kind: 'none',
    allowed: false,
    reason: 'no-origin',
    status: null,
    headers: { Vary: 'Origin' },
  },
  {
    name: "'*' without Origin: ACAO * and no Vary",
    options: { origins: '*' },
    request: actual(null),
    kind: 'none',
    allowed: true,
    reason: 'no-origin',
    status: null,
    headers: { 'Access-Control-Allow-Origin': '*' },
  },
  {
    name: "'*': ACAO * and no Vary",
    options: { origins: '*', exposeHeaders: '*' },
    request: actual('https://x.test'),
    kind: 'actual',
    allowed: true,
    reason: 'allowed',
    status: null,
    headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': '*' },
  },
  {
    name: "'*' answers the null origin with *",
    options: { origins: '*' },
    request: actual('null'),
    kind: 'actual',
    allowed: true,
    reason: 'allowed',
    status: null,
    headers: { 'Access-Control-Allow-Origin': '*' },
  },
  {
    name: 'null origin refused by a list',
    options: { origins: [A] },
    request: actual('null'),
    kind: 'actual',
    allowed: false,
    reason: 'origin-not-allowed',
    status: null,
    headers: { Vary: 'Origin' },
  },
  {
    name: 'uppercase Origin is malformed, not normalised',
    options: { origins: [A] },
    request: actual('https://APP.example.com'),
    kind: 'actual',
    allowed: false,
    reason: 'origin-malformed',
    status: null,
    headers: { Vary: 'Origin' },
  },
  {
    name: 'trailing slash Origin refused',
    options: { origins: [A] },
    request: actual(`${A}/`),
    kind: 'actual',
    allowed: false,
    reason: 'origin-malformed',
    status: null,
    headers: { Vary: 'Origin' },
  },
  {
    name: 'trailing dot Origin refused',
    options: { origins: [A] },
    request: actual(`${A}.`),
    kind: 'actual',
    allowed: false,
    reason: 'origin-malformed',
    status: null,
    headers: { Vary: 'Origin' },
  },
  {
    name: 'explicit default port refused',
    options: { origins: [A] },
    request: actual(`${A}:443`),
    kind: 'actual',
    allowed: false,
    reason: 'origin-malformed',
    status: null,
    headers: { Vary: 'Origin' },
  },
  {
    name: 'OPTIONS without ACRM is an ordinary request',
    options: { origins: [A] },
    request: actual(A, 'OPTIONS'),
    kind: 'actual',
    allowed: true,
    reason: 'allowed',
    status: null,
    headers: { 'Access-Control-Allow-Origin': A, Vary: 'Origin' },
  },
  {
    name: 'OPTIONS with ACRM but no Origin reaches the handler',
    options: { origins: [A] },
    request: { method: 'OPTIONS', headers: { 'access-control-request-method': 'PUT' } },
    kind: 'none',
    allowed: false,
    reason: 'no-origin',
    status: null,
    headers: { Vary: 'Origin' },
  },

  // Preflights.
  {
    name: 'preflight, safelisted method: no ACAM',
    options: { origins: [A] },
    request: preflight(A, 'GET'),
    kind: 'preflight',
    allowed: true,
    reason: 'allowed',
    status: 204,
    headers: { 'Access-Control-Allow-Origin': A, Vary: 'Origin' },
  },
  {
    name: 'preflight echoes the requested method and headers',
    options: { origins: [A], methods: ['PUT'], requestHeaders: ['Content-Type', 'X-Id'], maxAge: 0 },
    request: preflight(A, 'PUT', 'content-type,x-id'),
    kind: 'preflight',
    allowed: true,
    reason: 'allowed',
    status: 204,
    headers: {
      'Access-Control-Allow-Origin': A,
      'Access-Control-Allow-Methods': 'PUT',
      'Access-Control-Allow-Headers': 'content-type,x-id',
      'Access-Control-Max-Age': '0',
      Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    },
  },
  {
    name: 'preflight with configured status 200',
    options: { origins: [A], preflightStatus: 200 },
    request: preflight(A, 'POST'),
    kind: 'preflight',
    allowed: true,
    reason: 'allowed',
    status: 200,
    headers: { 'Access-Control-Allow-Origin': A, Vary: 'Origin' },
  },
  {
    name: 'refused origin preflight: 403, nothing granted',
    options: { origins: [A], credentials: true, methods: '*', requestHeaders: '*', maxAge: 60 },
    request: preflight('https://evil.com', 'PUT', 'x-a'),
    kind: 'preflight',
    allowed: false,
    reason: 'origin-not-allowed',
    status: 403,
    headers: { Vary: 'Origin' },
  },
  {
    name: 'method not allowed: 403',
    options: { origins: [A] },
    request: preflight(A, 'PUT'),
    kind: 'preflight',
    allowed: false,
    reason: 'method-not-allowed',
    status: 403,
    headers: { Vary: 'Origin' },
  },
  {
    name: 'methods compare case-sensitively',
    options: { origins: [A], methods: ['PATCH'] },
    request: preflight(A, 'patch'),
    kind: 'preflight',
    allowed: false,
    reason: 'method-not-allowed',
    status: 403,
    headers: { Vary: 'Origin' },
  },
  {
    name: 'malformed method',
    options: { origins: [A], methods: '*' },
    request: preflight(A, 'P UT'),
    kind: 'preflight',
    allowed: false,
    reason: 'method-malformed',
    status: 403,
    headers: { Vary: 'Origin' },
  },
  {
    name: "forbidden method refused even with '*'",
    options: { origins: [A], methods: '*' },
    request: preflight(A, 'CONNECT'),
    kind: 'preflight',
    allowed: false,
    reason: 'method-not-allowed',
    status: 403,
    headers: { Vary: 'Origin' },
  },
  {
    name: 'header not allowed: 403',
    options: { origins: [A], requestHeaders: ['x-a'] },
    request: preflight(A, 'GET', 'x-a,x-b'),
    kind: 'preflight',
    allowed: false,
    reason: 'headers-not-allowed',
    status: 403,
    headers: { Vary: 'Origin' },
  },
  {
    name: 'headers compare case-insensitively, OWS and empty elements tolerated',
    options: { origins: [A], requestHeaders: ['X-A', 'X-B'] },
    request: preflight(A, 'GET', ' X-B ,, x-a'),
    kind: 'preflight',
    allowed: true,
    reason: 'allowed',
    status: 204,
    headers: {
      'Access-Control-Allow-Origin': A,
      'Access-Control-Allow-Headers': 'x-b,x-a',
      Vary: 'Origin, Access-Control-Request-Headers',
    },
  },
  {
    name: 'malformed ACRH',
    options: { origins: [A], requestHeaders: '*' },
    request: preflight(A, 'GET', 'x-a, bad value'),
    kind: 'preflight',
    allowed: false,
    reason: 'headers-malformed',
    status: 403,
    headers: { Vary: 'Origin' },
  },
  {
    name: "'*' origins and headers without credentials: Authorization is echoed, not left to *",
    options: { origins: '*', requestHeaders: '*', methods: '*' },
    request: preflight('https://x.test', 'DELETE', 'authorization'),
    kind: 'preflight',
    allowed: true,
    reason: 'allowed',
    status: 204,
    headers: {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'DELETE',
      'Access-Control-Allow-Headers': 'authorization',
      Vary: 'Access-Control-Request-Method, Access-Control-Request-Headers',
    },
  },
  {
    name: 'private network granted',
    options: { origins: [A], privateNetwork: true },
    request: preflight(A, 'GET', undefined, { 'access-control-request-private-network': 'true' }),
    kind: 'preflight',
    allowed: true,
    reason: 'allowed',
    status: 204,
    headers: {
      'Access-Control-Allow-Origin': A,
      'Access-Control-Allow-Private-Network': 'true',
      Vary: 'Origin',
    },
  },
  {
    name: 'private network not granted',
    options: { origins: [A] },
    request: preflight(A, 'GET', undefined, { 'access-control-request-private-network': 'true' }),
    kind: 'preflight',
    allowed: false,
    reason: 'private-network-not-allowed',
    status: 403,
    headers: { Vary: 'Origin' },
  },
  {
    name: 'gateway defaults: credentialed preflight echoes validated headers',
    options: GATEWAY,
    request: preflight('http://localhost:5173', 'PATCH', 'authorization,content-type'),
    kind: 'preflight',
    allowed: true,
    reason: 'allowed',
    status: 204,
    headers: {
      'Access-Control-Allow-Origin': 'http://localhost:5173',
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Allow-Methods': 'PATCH',
      'Access-Control-Allow-Headers': 'authorization,content-type',
      'Access-Control-Max-Age': '600',
      Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    },
  },
  {
    name: 'gateway defaults: refused request gets 403',
    options: GATEWAY,
    request: actual('https://example.org'),
    kind: 'actual',
    allowed: false,
    reason: 'origin-not-allowed',
    status: 403,
    headers: { Vary: 'Origin' },
  },
  {
    name: 'refused preflight under reject is 403 too',
    options: GATEWAY,
    request: preflight('https://evil.com', 'GET'),
    kind: 'preflight',
    allowed: false,
    reason: 'origin-not-allowed',
    status: 403,
    headers: { Vary: 'Origin' },
  },
];

for (const c of CASES) {
  test(`evaluate: ${c.name}`, () => {
    const d = createPolicy(c.options).evaluate(c.request);
    assert.equal(d.kind, c.kind);
    assert.equal(d.preflight, c.kind === 'preflight');
    assert.equal(d.allowed, c.allowed);
    assert.equal(d.reason, c.reason);
    assert.equal(d.status, c.status);
    assert.deepEqual({ ...d.headers }, c.headers);
    assert.equal(d.vary, c.headers.Vary ?? null);
    assert.equal(typeof d.message, 'string');
    assert.ok(d.message.length > 0);
  });
}

test('suffix confusion: https://foo.com, https://bar.com never allow look-alikes', () => {
  const p = createPolicy({ origins: ['https://foo.com', 'https://bar.com'] });
  for (const o of [
    'https://barfoo.com',
    'https://foobar.com',
    'https://evil-foo.com',
    'https://foo.com.evil.com',
    'https://foo.com_.evil.com',
    'http://foo.com',
    'https://foo.com:8443',
  ]) {
    assert.equal(p.allowsOrigin(o), false, o);
    assert.equal(p.evaluate(actual(o)).allowed, false, o);
  }
  assert.equal(p.allowsOrigin('https://foo.com'), true);
  assert.equal(p.allowsOrigin('https://bar.com'), true);
});

test('headers may be a Fetch Headers, a Node record or a plain record of any case', () => {
  const p = createPolicy({ origins: [A], methods: ['PUT'], requestHeaders: ['x-a'] });
  const shapes = [
    new Headers({
      Origin: A,
      'Access-Control-Request-Method': 'PUT',
      'Access-Control-Request-Headers': 'x-a',
    }),
    { origin: A, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-a' },
    { Origin: A, 'Access-Control-Request-Method': 'PUT', 'ACCESS-CONTROL-REQUEST-HEADERS': 'x-a' },
    { origin: A, 'access-control-request-method': 'PUT', 'access-control-request-headers': ['x-a', 'x-a'] },
  ];
  for (const headers of shapes) {
    const d = p.evaluate({ method: 'OPTIONS', headers });
    assert.equal(d.allowed, true);
    assert.equal(d.headers['Access-Control-Allow-Headers'], 'x-a');
  }
});

test('ACRH split over several lines (AWS) is combined', () => {
  const p = createPolicy({ origins: [A], requestHeaders: ['x-a', 'x-b'] });
  const d = p.evaluate({
    method: 'OPTIONS',
    headers: {
      origin: A,
      'access-control-request-method': 'GET',
      'access-control-request-headers': ['x-a', 'x-b'],
    },
  });
  assert.equal(d.headers['Access-Control-Allow-Headers'], 'x-a,x-b');
});

test('hostile inputs are refused, not crashed on', () => {
  const p = createPolicy(GATEWAY);
  const mib = 1 << 20;
  for (const acrh of [','.repeat(mib), ' '.repeat(mib), `x${' '.repeat(200000)}x`, 'a,'.repeat(mib / 2)]) {
    const d = p.evaluate(preflight(A, 'PUT', acrh));
    assert.equal(d.allowed, false);
    assert.equal(d.reason, 'headers-malformed');
    assert.equal(d.status, 403);
  }
  for (const acrm of [' '.repeat(mib), `${' '.repeat(mib)}PUT`, 'P'.repeat(mib)]) {
    const d = p.evaluate(preflight(A, acrm));
    assert.equal(d.reason, 'method-malformed');
    assert.equal(d.status, 403);
  }
  const pna = p.evaluate(
    preflight(A, 'PUT', undefined, { 'access-control-request-private-network': ` ${' '.repeat(mib)}true` }),
  );
  assert.equal(pna.allowed, true, 'a huge private-network value is not a request for it');
  assert.equal(pna.headers['Access-Control-Allow-Private-Network'], undefined);
  for (const origin of [
    'h'.repeat(mib),
    `https://${'a.'.repeat(mib / 2)}example.org`,
    'http://*@:;',
    'invalid_origin',
    'https://example.com]',
    '',
    'https://[::1',
  ]) {
    const d = p.evaluate(actual(origin));
    assert.equal(d.allowed, false, origin.slice(0, 40));
  }
  // Garbage request shapes never throw.
  assert.equal(p.evaluate({ method: 'GET', headers: { origin: 42 as unknown as string } }).allowed, false);
  assert.equal(p.evaluate({ method: undefined as unknown as string, headers: { origin: A } }).allowed, true);
});

test('decisions cannot be altered to change later answers', () => {
  const p = createPolicy({ origins: [A] });
  const refused = p.evaluate(actual('https://evil.com'));
  assert.throws(() => {
    (refused.headers as Record<string, string>)['Access-Control-Allow-Origin'] = '*';
  });
  assert.deepEqual({ ...p.evaluate(actual('https://evil.com')).headers }, { Vary: 'Origin' });
  const ok = p.evaluate(actual(A));
  (ok.headers as Record<string, string>).Vary = 'changed';
  assert.equal(p.evaluate(actual(A)).headers.Vary, 'Origin');
});

test('policy is frozen and exposes normalised options and warnings', () => {
  const p = createPolicy({
    origins: ['http://api.example.com'],
    allowInsecureOrigins: true,
    methods: ['get', 'PUT'],
  });
  assert.ok(Object.isFrozen(p));
  assert.ok(Object.isFrozen(p.options));
  assert.deepEqual(p.options.methods, ['GET', 'PUT']);
  assert.deepEqual(p.warnings.map((w) => w.code).sort(), [
    'method-not-normalized',
    'origin-insecure-allowed',
  ]);
  assert.equal(p.allowsOrigin('http://api.example.com'), true);
});

test('wildcards: any depth, never the apex, same scheme and port', () => {
  const p = createPolicy({
    origins: ['https://*.example.com', 'https://*.example.net:*', 'http://localhost:*'],
  });
  const allowed = [
    'https://a.example.com',
    'https://b.a.example.com',
    'https://a.example.net',
    'https://a.example.net:8443',
    'http://localhost',
    'http://localhost:8080',
  ];
  const refused = [
    'https://example.com',
    'http://a.example.com',
    'https://a.example.com:8443',
    'https://example.net',
    'https://.example.com',
    'https://a..example.com',
    'https://A.example.com',
    'https://a.example.com.',
    'https://aexample.com',
    'http://localhost:80',
    'http://localhost:0',
    'http://localhost:08080',
    'https://localhost:8080',
  ];
  for (const o of allowed) assert.equal(p.allowsOrigin(o), true, o);
  for (const o of refused) assert.equal(p.allowsOrigin(o), false, o);
});

test('remembered Access-Control-Request-Headers verdicts give the same answers, also after the memo is refilled', () => {
  const p = createPolicy({ origins: [A], requestHeaders: ['x-a', 'x-b'] });
  const ask = (acrh: string) => {
    const d = p.evaluate(preflight(A, 'GET', acrh));
    return `${d.reason} ${d.headers['Access-Control-Allow-Headers'] ?? '-'}`;
  };
  const expected: Array<[string, string]> = [
    ['x-a,x-b', 'allowed x-a,x-b'],
    ['X-B, x-a', 'allowed x-b,x-a'],
    ['x-a,x-c', 'headers-not-allowed -'],
    ['x-a, bad value', 'headers-malformed -'],
    ['', 'allowed -'],
    [`x-a,${'x-b,'.repeat(100)}x-a`, 'allowed x-a,x-b'], // longer than the memo keeps
  ];
  for (let round = 0; round < 3; round++) {
    for (const [acrh, answer] of expected)
      assert.equal(ask(acrh), answer, `round ${round}: ${acrh.slice(0, 30)}`);
    // Push many distinct values through, so the memo fills up and is emptied.
    for (let i = 0; i < 300; i++) assert.equal(ask(`x-a,x-${i}`), 'headers-not-allowed -');
  }
});
