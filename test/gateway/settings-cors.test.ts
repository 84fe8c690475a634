// The allowlist regime's CORS options and publicOrigins as settings (issue 17 §2, §3): checked by
// the engine and the origin parser, guarded by modify-all-data, audited, and in force on the proxy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, startCli, startUpstream, tempDir, type RunningGateway, type Upstream } from './helpers.js';

const A = 'http://localhost:5173';
let gw: RunningGateway;
let upstream: Upstream;
let tmp: ReturnType<typeof tempDir>;
let admin: ReturnType<typeof api>;

before(async () => {
  tmp = tempDir();
  upstream = await startUpstream((req, res) => {
    if (req.url !== '/id') return false;
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'r-1' });
    res.end('{}');
    return true;
  });
  gw = await startCli(['--upstream', upstream.url, '--store', `sqlite:${tmp.dir}/s.db`]);
  admin = api(gw.admin);
  assert.equal((await admin('POST', '/api/allowlist', { urlPattern: A })).status, 201);
});

after(async () => {
  await gw.stop();
  await upstream.close();
  tmp.cleanup();
});

test('PUT /api/settings {"exposeHeaders":["X-Request-Id"]}: in force on the proxy, audited', async () => {
  const put = await admin('PUT', '/api/settings', { exposeHeaders: ['X-Request-Id'] });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(put.json.exposeHeaders, ['X-Request-Id']);
  const res = await fetch(`${gw.proxy}/id`, { headers: { origin: A } });
  assert.equal(res.headers.get('access-control-expose-headers'), 'x-request-id');
  assert.equal(res.headers.get('access-control-allow-origin'), A);
  const audit = await admin('GET', '/api/audit?entity=settings');
  const row = audit.json.items[0];
  assert.deepEqual(row.before.exposeHeaders, []);
  assert.deepEqual(row.after.exposeHeaders, ['X-Request-Id']);
});

test('methods, requestHeaders, maxAge and credentials shape the preflight answer', async () => {
  const put = await admin('PUT', '/api/settings', {
    methods: ['GET', 'PUT'],
    requestHeaders: ['X-Client'],
    maxAge: 60,
    credentials: false,
  });
  assert.equal(put.status, 200, put.text);
  const pre = await fetch(`${gw.proxy}/x`, {
    method: 'OPTIONS',
    headers: {
      origin: A,
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'x-client',
    },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-methods'), 'GET, PUT');
  assert.equal(pre.headers.get('access-control-allow-headers'), 'x-client');
  assert.equal(pre.headers.get('access-control-max-age'), '60');
  assert.equal(pre.headers.get('access-control-allow-credentials'), null);
  const refused = await fetch(`${gw.proxy}/x`, {
    method: 'OPTIONS',
    headers: { origin: A, 'access-control-request-method': 'DELETE' },
  });
  assert.equal(refused.status, 403);
  const back = await admin('PUT', '/api/settings', {
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    requestHeaders: '*',
    maxAge: 600,
    credentials: true,
  });
  assert.equal(back.status, 200, back.text);
});

test("the engine's rules, in the engine's words, with the field that is wrong", async () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ exposeHeaders: ['Set-Cookie'] }, 'expose-forbidden', 'exposeHeaders[0]'],
    [{ exposeHeaders: '*' }, 'expose-wildcard-with-credentials', 'exposeHeaders'],
    [{ methods: ['GET', '*'] }, 'method-wildcard-in-list', 'methods[1]'],
    [{ methods: ['CONNECT'] }, 'method-forbidden', 'methods[0]'],
    [{ requestHeaders: ['Cookie'] }, 'header-forbidden', 'requestHeaders[0]'],
    [{ maxAge: 90000 }, 'body-out-of-range', 'maxAge'],
    [{ methods: 'GET' }, 'body-not-allowed-value', 'methods'],
    [{ publicOrigins: ['https://gw.example.com/'] }, 'public-origin-invalid', 'publicOrigins[0]'],
  ];
  for (const [body, code, field] of cases) {
    const res = await admin('PUT', '/api/settings', body);
    assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
    assert.equal(res.json.error.code, code, JSON.stringify(body));
    assert.equal(res.json.error.field, field, JSON.stringify(body));
  }
  const slash = await admin('PUT', '/api/settings', { publicOrigins: ['https://gw.example.com/'] });
  assert.match(slash.json.error.hint, /did you mean https:\/\/gw\.example\.com\?/);
  const star = await admin('PUT', '/api/settings', { exposeHeaders: '*', credentials: false });
  assert.equal(star.status, 200, "exposeHeaders * without credentials is the engine's rule too");
  assert.equal(
    (await admin('PUT', '/api/settings', { exposeHeaders: ['X-Request-Id'], credentials: true })).status,
    200,
  );
});

test('changing publicOrigins or the CORS options needs modify-all-data', async () => {
  const created = await admin('POST', '/api/tokens', {
    name: 'editor',
    permissions: ['customize-application'],
  });
  assert.equal(created.status, 201, created.text);
  const editor = api(gw.admin, created.json.token);
  for (const body of [
    { publicOrigins: ['https://gw.example.com'] },
    { exposeHeaders: ['X-Other'] },
    { credentials: false },
  ]) {
    const res = await editor('PUT', '/api/settings', body);
    assert.equal(res.status, 403, JSON.stringify(body));
    assert.match(res.json.error.message, /modify-all-data/);
  }
  assert.equal(
    (await editor('PUT', '/api/settings', { refusedStatus: 403 })).status,
    200,
    'other settings stay theirs',
  );
});

test('publicOrigins: a listed origin is same-origin, and the derived origin is no longer used', async () => {
  const self = new URL(gw.proxy).origin;
  const before = await fetch(`${gw.proxy}/x`, { method: 'POST', headers: { origin: self } });
  assert.equal(before.status, 200, 'derived: the Host plus the listener scheme');
  const forged = await fetch(`${gw.proxy}/x`, {
    method: 'POST',
    headers: {
      origin: 'https://evil.example',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'evil.example',
    },
  });
  assert.equal(forged.status, 403, 'X-Forwarded-* are not read without --trust-proxy');
  assert.equal(
    (await admin('PUT', '/api/settings', { publicOrigins: ['https://gw.example.com'] })).status,
    200,
  );
  const listed = await fetch(`${gw.proxy}/x`, {
    method: 'POST',
    headers: { origin: 'https://gw.example.com' },
  });
  assert.equal(listed.status, 200);
  assert.equal(
    listed.headers.get('access-control-allow-origin'),
    null,
    'passes as a request without Origin does',
  );
  const derived = await fetch(`${gw.proxy}/x`, { method: 'POST', headers: { origin: self } });
  assert.equal(
    derived.status,
    403,
    'with publicOrigins set, a Host naming the gateway makes nothing same-origin',
  );
  assert.equal((await admin('PUT', '/api/settings', { publicOrigins: [] })).status, 200);
});

test("the engine's warnings about the options in force show in GET /api/status", async () => {
  assert.equal(
    (await admin('PUT', '/api/settings', { exposeHeaders: ['Content-Type', 'X-Request-Id'] })).status,
    200,
  );
  const status = await admin('GET', '/api/status');
  assert.ok(
    status.json.warnings.some((w: string) =>
      /exposeHeaders\[0\].*always readable.*\[expose-safelisted\]/.test(w),
    ),
    JSON.stringify(status.json.warnings),
  );
  assert.equal((await admin('PUT', '/api/settings', { exposeHeaders: ['X-Request-Id'] })).status, 200);
});
