// The pure regime core, table-tested without sockets: route kind × setting × host × origin × method.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPolicy } from 'corsgate/internal/policy/index.js';
import { DEFAULT_SETTINGS, type Route, type Settings, type StoreState } from '../../src/store/types.js';
import { decide, type GateRequest, type Outcome } from '../../src/gateway/core/decide.js';
import { ANY_ORIGIN_ENTRY, checkAllowlistEntry, fixHint } from '../../src/gateway/core/entry.js';
import { BOOLEAN_SETTINGS } from '../../src/gateway/core/regime.js';
import { engine } from '../../src/gateway/engine.js';
import { compileSnapshot, type Snapshot } from '../../src/gateway/snapshot.js';

const A = 'https://app.example.com';
const EVIL = 'https://evil.example';
const route = (id: string, fields: Partial<Route>): Route => ({
  id,
  kind: 'allowlist',
  paths: ['/'],
  priority: 10,
  createdAt: '',
  createdBy: '',
  ...fields,
});

async function snapshot(settings: Partial<Settings> = {}): Promise<Snapshot> {
  const state: StoreState = {
    version: 7,
    allowlist: [A, 'https://*.example.org'],
    trustedSites: [],
    routes: [
      route('pub', { kind: 'public', paths: ['/pub/*'] }),
      route('internal', { kind: 'closed', paths: ['/internal/*'], hosts: ['api.example.com'] }),
      route('optin', { kind: 'opt-in', paths: ['/optin/*'], hosts: ['*'], setting: 'corsForOAuthEndpoints' }),
      route('typo', { kind: 'opt-in', paths: ['/typo/*'], hosts: ['*'], setting: 'corsForOAuthEndpionts' }),
    ],
    settings: { ...DEFAULT_SETTINGS, ...settings },
  };
  return compileSnapshot(engine, state);
}

const req = (
  method: string,
  target: string,
  headers: Record<string, string> = {},
  host = 'api.example.com',
): GateRequest => ({ method, target, host, headers });
const pre = (
  target: string,
  origin: string,
  method = 'PUT',
  extra: Record<string, string> = {},
  host?: string,
) => req('OPTIONS', target, { origin, 'access-control-request-method': method, ...extra }, host);

interface Expect {
  kind: Outcome['kind'];
  route: string;
  status?: number;
  code?: string;
  /** Headers the outcome must carry (exactly these values); null: must be absent. */
  headers?: Record<string, string | null>;
  vary?: string;
  path?: string;
}

type Row = [name: string, settings: Partial<Settings>, request: GateRequest, expect: Expect];

const ROWS: Row[] = [
  // The default route is the allowlist regime.
  [
    'allowlist: allowed origin GET forwards with credentials',
    {},
    req('GET', '/data', { origin: A }),
    {
      kind: 'forward',
      route: 'default',
      headers: { 'Access-Control-Allow-Origin': A, 'Access-Control-Allow-Credentials': 'true' },
      vary: 'Origin',
      path: '/data',
    },
  ],
  [
    'allowlist: wildcard subdomain allowed',
    {},
    req('POST', '/data', { origin: 'https://a.b.example.org' }),
    {
      kind: 'forward',
      route: 'default',
      headers: { 'Access-Control-Allow-Origin': 'https://a.b.example.org' },
    },
  ],
  [
    'allowlist: refused origin is refused here with 403',
    {},
    req('GET', '/data', { origin: EVIL }),
    { kind: 'refuse', route: 'default', status: 403, code: 'origin-not-allowed', vary: 'Origin' },
  ],
  [
    'allowlist: refusedStatus setting applies',
    { refusedStatus: 401 },
    req('DELETE', '/data', { origin: EVIL }),
    { kind: 'refuse', route: 'default', status: 401, code: 'origin-not-allowed' },
  ],
  [
    'allowlist: malformed origin refused',
    {},
    req('GET', '/data', { origin: 'https://APP.example.com' }),
    { kind: 'refuse', route: 'default', code: 'origin-malformed' },
  ],
  [
    'allowlist: no Origin passes with Vary: Origin',
    {},
    req('GET', '/data'),
    { kind: 'forward', route: 'default', headers: { 'Access-Control-Allow-Origin': null }, vary: 'Origin' },
  ],
  [
    'allowlist: preflight answered 204 with every allowed method, no Content-Length',
    {},
    pre('/data', A, 'PATCH', { 'access-control-request-headers': 'x-a' }),
    {
      kind: 'answer',
      route: 'default',
      status: 204,
      headers: {
        'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
        'Access-Control-Allow-Headers': 'x-a',
        'Access-Control-Max-Age': '600',
        'Content-Length': null,
        Vary: 'Origin, Access-Control-Request-Headers',
      },
    },
  ],
  [
    'allowlist: preflight for a safelisted method lists the methods too',
    {},
    pre('/data', A, 'GET'),
    {
      kind: 'answer',
      route: 'default',
      status: 204,
      headers: { 'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, PATCH, DELETE', Vary: 'Origin' },
    },
  ],
  [
    'allowlist: preflight for a method outside the list refused',
    {},
    pre('/data', A, 'PROPFIND'),
    { kind: 'refuse', route: 'default', code: 'method-not-allowed' },
  ],
  [
    'allowlist: preflight from a refused origin refused',
    {},
    pre('/data', EVIL),
    { kind: 'refuse', route: 'default', status: 403, code: 'origin-not-allowed' },
  ],
  [
    'allowlist: OPTIONS without ACRM is an actual request',
    {},
    req('OPTIONS', '/data', { origin: A }),
    { kind: 'forward', route: 'default', headers: { 'Access-Control-Allow-Origin': A } },
  ],
  // Public routes: any origin, no credentials; cache-safe with and without Origin.
  [
    'public: any origin gets *',
    {},
    req('GET', '/pub/x', { origin: EVIL }),
    {
      kind: 'forward',
      route: 'pub',
      headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Credentials': null },
      vary: 'Origin',
    },
  ],
  [
    'public: no Origin still gets * and Vary: Origin',
    {},
    req('GET', '/pub/x'),
    { kind: 'forward', route: 'pub', headers: { 'Access-Control-Allow-Origin': '*' }, vary: 'Origin' },
  ],
  [
    'public: preflight answered with Vary: Origin',
    {},
    pre('/pub/x', EVIL, 'POST'),
    {
      kind: 'answer',
      route: 'pub',
      status: 204,
      headers: { 'Access-Control-Allow-Origin': '*', Vary: 'Origin' },
    },
  ],
  [
    'public: preflight for PUT refused (simple methods only)',
    {},
    pre('/pub/x', EVIL, 'PUT'),
    { kind: 'refuse', route: 'pub', code: 'method-not-allowed' },
  ],
  // Closed routes, host-scoped.
  [
    'closed: allowed origin still refused',
    {},
    req('GET', '/internal/a', { origin: A }),
    { kind: 'refuse', route: 'internal', status: 403, code: 'cors-closed' },
  ],
  [
    'closed: preflight refused',
    {},
    pre('/internal/a', A),
    { kind: 'refuse', route: 'internal', code: 'cors-closed' },
  ],
  [
    'closed: no Origin passes, with Vary: Origin',
    {},
    req('GET', '/internal/a'),
    { kind: 'forward', route: 'internal', vary: 'Origin' },
  ],
  [
    'closed: trailing-dot Host is the same host',
    {},
    req('GET', '/internal/a', { origin: A }, 'API.example.com.:443'),
    { kind: 'refuse', route: 'internal', code: 'cors-closed' },
  ],
  [
    'closed: another host falls to the default route',
    {},
    req('GET', '/internal/a', { origin: A }, 'www.example.com'),
    { kind: 'forward', route: 'default' },
  ],
  [
    'closed: ;path parameters do not sidestep the route',
    {},
    req('GET', '/internal;jsessionid=1/a', { origin: A }),
    { kind: 'refuse', route: 'internal', code: 'cors-closed' },
  ],
  [
    'closed: escaped ; does not either',
    {},
    req('GET', '/internal%3Bx/a', { origin: A }),
    { kind: 'refuse', route: 'internal', code: 'cors-closed' },
  ],
  [
    'closed: dot segments resolved',
    {},
    req('GET', '/x/../internal/a', { origin: A }),
    { kind: 'refuse', route: 'internal' },
  ],
  // Absolute-form targets: routed by their authority and path (RFC 9112 §3.2.2), forwarded in origin-form.
  [
    'absolute-form: authority replaces Host',
    {},
    req('GET', 'http://api.example.com/internal/a?q=1', { origin: A }, 'www.example.com'),
    { kind: 'refuse', route: 'internal', code: 'cors-closed' },
  ],
  [
    'absolute-form: forwarded as a path',
    {},
    req('GET', 'http://www.example.com/data?q=1', { origin: A }),
    { kind: 'forward', route: 'default', path: '/data?q=1' },
  ],
  [
    'absolute-form: empty path is /',
    {},
    req('GET', 'HTTP://www.example.com', {}),
    { kind: 'forward', route: 'default', path: '/' },
  ],
  [
    'a target that is neither a path nor an http URL is refused',
    {},
    req('GET', 'ftp://x/y', {}),
    { kind: 'refuse', route: 'default', status: 400, code: 'target-invalid' },
  ],
  [
    'OPTIONS * is answered about the server',
    {},
    req('OPTIONS', '*', {}),
    {
      kind: 'answer',
      route: 'default',
      status: 204,
      headers: { Allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' },
    },
  ],
  [
    'GET * is refused',
    {},
    req('GET', '*', {}),
    { kind: 'refuse', route: 'default', status: 400, code: 'target-invalid' },
  ],
  // Opt-in routes: the setting and the allowlist both apply.
  [
    'opt-in off: allowed origin refused as not enabled',
    {},
    req('POST', '/optin/x', { origin: A }),
    { kind: 'refuse', route: 'optin', code: 'cors-not-enabled' },
  ],
  [
    'opt-in off: no Origin passes with Vary: Origin',
    {},
    req('POST', '/optin/x'),
    { kind: 'forward', route: 'optin', vary: 'Origin' },
  ],
  [
    'opt-in on: allowed origin allowed',
    { corsForOAuthEndpoints: true },
    req('POST', '/optin/x', { origin: A }),
    { kind: 'forward', route: 'optin', headers: { 'Access-Control-Allow-Origin': A } },
  ],
  [
    'opt-in on: refused origin still refused',
    { corsForOAuthEndpoints: true },
    req('POST', '/optin/x', { origin: EVIL }),
    { kind: 'refuse', route: 'optin', code: 'origin-not-allowed' },
  ],
  [
    'opt-in on: preflight answered',
    { corsForOAuthEndpoints: true },
    pre('/optin/x', A, 'POST'),
    { kind: 'answer', route: 'optin', status: 204 },
  ],
  [
    'opt-in with an unknown setting stays closed',
    { corsForOAuthEndpoints: true },
    req('POST', '/typo/x', { origin: A }),
    { kind: 'refuse', route: 'typo', code: 'cors-not-enabled' },
  ],
  // The OAuth preset.
  [
    'preset: discovery is public',
    {},
    req('GET', '/.well-known/openid-configuration', { origin: EVIL }),
    { kind: 'forward', route: 'preset:oauth-discovery', headers: { 'Access-Control-Allow-Origin': '*' } },
  ],
  [
    'preset: token endpoint needs the setting',
    {},
    req('POST', '/services/oauth2/token', { origin: A }),
    { kind: 'refuse', route: 'preset:oauth-endpoints', code: 'cors-not-enabled' },
  ],
  [
    'preset: token endpoint with the setting on',
    { corsForOAuthEndpoints: true },
    req('POST', '/services/oauth2/token', { origin: A }),
    { kind: 'forward', route: 'preset:oauth-endpoints' },
  ],
  [
    'preset: other OAuth endpoints closed',
    { corsForOAuthEndpoints: true },
    req('GET', '/services/oauth2/singleaccess', { origin: A }),
    { kind: 'refuse', route: 'preset:oauth-closed', code: 'cors-closed' },
  ],
  [
    'preset: My Domain hosts restrict the token endpoint',
    { corsForOAuthEndpoints: true, myDomainHosts: ['my.example.com'] },
    req('POST', '/services/oauth2/token', { origin: A }, 'other.example.com'),
    { kind: 'refuse', route: 'preset:oauth-closed' },
  ],
  [
    'preset: userinfo through the allowlist',
    {},
    req('GET', '/services/oauth2/userinfo', { origin: A }),
    { kind: 'forward', route: 'preset:oauth-userinfo' },
  ],
  [
    'preset off: the token endpoint is the default route',
    { oauthPreset: false },
    req('POST', '/services/oauth2/token', { origin: A }),
    { kind: 'forward', route: 'default' },
  ],
];

test('decide: route kind × setting × host × origin × method', async () => {
  const cache = new Map<string, Snapshot>();
  for (const [name, settings, request, e] of ROWS) {
    const key = JSON.stringify(settings);
    if (!cache.has(key)) cache.set(key, await snapshot(settings));
    const out = decide(cache.get(key)!, request);
    assert.equal(out.kind, e.kind, name);
    assert.equal(out.route.id, e.route, `${name}: route`);
    if (e.status !== undefined) assert.equal((out as { status: number }).status, e.status, `${name}: status`);
    if (e.code !== undefined) assert.equal((out as { code: string }).code, e.code, `${name}: code`);
    if (e.path !== undefined) assert.equal((out as { path: string }).path, e.path, `${name}: path`);
    if (e.vary !== undefined)
      assert.equal(
        out.kind === 'answer' ? out.headers.Vary : (out as { vary: string }).vary,
        e.vary,
        `${name}: vary`,
      );
    for (const [h, v] of Object.entries(e.headers ?? {})) {
      const got = (out as { headers: Record<string, string> }).headers[h];
      assert.equal(got ?? null, v, `${name}: ${h}`);
    }
    // Every outcome is cache-safe: it varies on Origin.
    const vary = out.kind === 'answer' ? (out.headers.Vary ?? '') : out.vary;
    if (!(out.kind === 'answer' && out.reason === 'server-options'))
      assert.match(vary, /\bOrigin\b/, `${name}: Vary: Origin`);
  }
});

test('the snapshot warns about a stored opt-in route whose setting is no boolean setting', async () => {
  const s = await snapshot();
  assert.ok(
    s.warnings.some((w) => /route 'typo'.*corsForOAuthEndpionts.*not a boolean setting/.test(w)),
    s.warnings.join('\n'),
  );
  assert.deepEqual([...BOOLEAN_SETTINGS].sort(), [
    'corsForOAuthEndpoints',
    'cspOnDefaultRoute',
    'oauthPreset',
  ]);
});

test('one allowlist-entry check, with structured fixes worded per reader', () => {
  const insecure = checkAllowlistEntry('http://app.example.com')!;
  assert.equal(insecure.code, 'origin-insecure');
  assert.equal(insecure.suggestion, 'https://app.example.com');
  assert.equal(insecure.option, 'allowInsecureOrigins');
  assert.equal(
    fixHint(insecure, false),
    'did you mean https://app.example.com?',
    'the admin API and console have no options to suggest',
  );
  assert.equal(
    fixHint(insecure, true),
    'did you mean https://app.example.com? (or set allowInsecureOrigins: true)',
  );
  assert.equal(checkAllowlistEntry('http://app.example.com', { allowInsecureOrigins: true }), null);
  assert.equal(checkAllowlistEntry('http://localhost:3000'), null);
  assert.deepEqual(checkAllowlistEntry('*'), ANY_ORIGIN_ENTRY);
  assert.match(ANY_ORIGIN_ENTRY.message, /'\*' is not an origin.*any origin/);
  const slash = checkAllowlistEntry('https://app.example.com/')!;
  assert.equal(slash.code, 'origin-trailing-slash');
  assert.equal(slash.suggestion, 'https://app.example.com');
  const suffix = checkAllowlistEntry('https://*.com')!;
  assert.equal(suffix.code, 'origin-wildcard-public-suffix');
  assert.equal(suffix.suggestion, undefined);
  assert.match(fixHint(suffix, false)!, /your-domain/);
  assert.equal(checkAllowlistEntry(42)!.code, 'origin-not-string');
  // Everything the check accepts compiles into the credentialed allowlist.
  for (const p of [
    'https://app.example.com',
    'https://*.example.org',
    'http://127.0.0.1:*',
    'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
  ]) {
    assert.equal(checkAllowlistEntry(p), null, p);
    assert.doesNotThrow(() => createPolicy({ origins: [p], credentials: true }));
  }
});

test('engine option listAllowedMethods: every allowed method on every allowed preflight, no Vary on the method', () => {
  const policy = createPolicy({ origins: [A], methods: ['GET', 'PUT', 'DELETE'], listAllowedMethods: true });
  const d = policy.evaluate({
    method: 'OPTIONS',
    headers: { origin: A, 'access-control-request-method': 'PUT' },
  });
  assert.equal(d.headers['Access-Control-Allow-Methods'], 'GET, PUT, DELETE');
  assert.equal(d.vary, 'Origin');
  const plain = createPolicy({ origins: [A], methods: ['GET', 'PUT', 'DELETE'] }).evaluate({
    method: 'OPTIONS',
    headers: { origin: A, 'access-control-request-method': 'PUT' },
  });
  assert.equal(plain.headers['Access-Control-Allow-Methods'], 'PUT');
  assert.throws(
    () => createPolicy({ origins: [A], methods: '*', listAllowedMethods: true }),
    /listAllowedMethods needs a list/,
  );
  assert.throws(
    () => createPolicy({ origins: [A], listAllowedMethods: 'yes' as unknown as boolean }),
    /listAllowedMethods/,
  );
});

test('a repeated preflight is answered from the route memo: the same answer, and only allowed ones are remembered', async () => {
  const { RequestScan } = await import('../../src/gateway/headers.js');
  const { ANSWER_MEMO_SIZE } = await import('../../src/gateway/core/answer-memo.js');
  const s = await snapshot();
  // The gateway's own request view (Fetch-style `get`), as the gate passes it.
  const scan = (origin: string, acrm: string, extra: string[] = []) => {
    const v = new RequestScan();
    const fields: Record<string, string> = {
      host: 'api.example.com',
      origin,
      'access-control-request-method': acrm,
    };
    for (let i = 0; i < extra.length; i += 2) fields[extra[i]!.toLowerCase()] = extra[i + 1]!;
    v.fill(fields);
    return { method: 'OPTIONS', target: '/data', host: 'api.example.com', headers: v } satisfies GateRequest;
  };
  const first = decide(s, scan(A, 'PUT', ['Access-Control-Request-Headers', 'x-a']));
  const again = decide(s, scan(A, 'PUT', ['Access-Control-Request-Headers', 'x-a']));
  assert.equal(first.kind, 'answer');
  assert.equal(again, first, 'the second preflight gets the remembered answer');
  assert.deepEqual(
    first.kind === 'answer' && first.headerList,
    Object.entries(first.kind === 'answer' ? first.headers : {}).flat(),
    'the flat list is the headers, no Content-Length on a 204',
  );
  // Another header list, another method, another origin: each evaluated on its own.
  const other = decide(s, scan(A, 'PUT', ['Access-Control-Request-Headers', 'x-b']));
  assert.notEqual(other, first);
  assert.equal(other.kind === 'answer' && other.headers['Access-Control-Allow-Headers'], 'x-b');
  const none = decide(s, scan(A, 'PUT'));
  assert.equal(none.kind === 'answer' && none.headers['Access-Control-Allow-Headers'], undefined);
  const wild = decide(s, scan('https://a.example.org', 'PUT'));
  assert.equal(
    wild.kind === 'answer' && wild.headers['Access-Control-Allow-Origin'],
    'https://a.example.org',
  );
  // A refused origin is refused each time; a Private Network Access preflight is evaluated each time.
  assert.equal(decide(s, scan(EVIL, 'PUT')).kind, 'refuse');
  assert.equal(decide(s, scan(EVIL, 'PUT')).kind, 'refuse');
  const pna = decide(s, scan(A, 'PUT', ['Access-Control-Request-Private-Network', 'true']));
  assert.equal(pna.kind, 'refuse', 'privateNetwork is off: never the remembered allowed answer');
  // Bounded: filling it past its size empties it, and answers stay right.
  for (let i = 0; i < ANSWER_MEMO_SIZE + 5; i++) decide(s, scan(`https://h${i}.example.org`, 'PUT'));
  const after = decide(s, scan(A, 'PUT', ['Access-Control-Request-Headers', 'x-a']));
  assert.deepEqual(after.kind === 'answer' && after.headerList, first.kind === 'answer' && first.headerList);
  // Another snapshot has its own memo.
  const s2 = await snapshot();
  assert.notEqual(decide(s2, scan(A, 'PUT', ['Access-Control-Request-Headers', 'x-a'])), first);
});

test('same-origin: an Origin equal to the origin the request was made to passes as a request without Origin', async () => {
  const s = await snapshot();
  const own = (o: Partial<GateRequest>) => ({
    ...req('POST', '/data', { origin: 'http://api.example.com:8080' }, 'api.example.com:8080'),
    ...o,
  });
  const passes = (r: GateRequest, snap = s) => {
    const out = decide(snap, r);
    return (
      out.kind === 'forward' &&
      out.reason === 'same-origin' &&
      Object.keys(out.headers).length === 0 &&
      out.vary === 'Origin'
    );
  };
  assert.ok(passes(own({})), 'scheme from the listener plus Host');
  assert.ok(
    passes(
      own({ headers: { origin: 'https://api.example.com' }, host: 'API.example.com:443', scheme: 'https' }),
    ),
    'Host compares case-insensitively, default port elided',
  );
  assert.ok(
    passes(
      own({ target: '/internal/a', headers: { origin: 'http://api.example.com' }, host: 'api.example.com' }),
    ),
    'a closed route refuses cross-origin requests only',
  );
  assert.ok(
    !passes(own({ headers: { origin: 'https://api.example.com:8080' } })),
    'another scheme is another origin',
  );
  assert.ok(
    !passes(own({ headers: { origin: 'http://api.example.com:8081' } })),
    'another port is another origin',
  );
  assert.equal(
    decide(s, own({ headers: { origin: EVIL } })).kind,
    'refuse',
    'a cross-origin request from an unlisted origin is still refused',
  );
  // Behind a trusted proxy the gate passes the client's scheme and host on.
  assert.ok(
    passes(
      own({
        headers: { origin: 'https://www.example.com' },
        scheme: 'https',
        forwardedHost: 'www.example.com',
      }),
    ),
  );
  // An allowed origin keeps its CORS headers (browsers ignore them on same-origin requests).
  assert.equal(decide(s, req('GET', '/data', { origin: A }, 'app.example.com')).reason, 'allowed');
  // publicOrigins replaces the derived origin: a Host pointing at the gateway no longer makes a request same-origin.
  const listed = await snapshot({ publicOrigins: ['https://gw.example.com'] });
  assert.ok(passes(own({ headers: { origin: 'https://gw.example.com' } }), listed));
  assert.equal(
    decide(listed, own({})).kind,
    'refuse',
    'the derived origin is not used once publicOrigins is set (DNS rebinding)',
  );
});
