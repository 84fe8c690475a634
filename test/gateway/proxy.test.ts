// The proxy listener, black-box: a spawned `corsgate serve` in front of a counting loopback upstream.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SqliteStore } from '../../src/store/sqlite.js';
import {
  api,
  eventually,
  startCli,
  startUpstream,
  tempDir,
  type RunningGateway,
  type Upstream,
} from './helpers.js';

const ALLOWED = 'https://app.example.com';

describe('corsgate serve: proxy', () => {
  let upstream: Upstream;
  let gw: RunningGateway;
  let tmp: ReturnType<typeof tempDir>;
  let call: ReturnType<typeof api>;

  before(async () => {
    tmp = tempDir();
    upstream = await startUpstream((req, res) => {
      if (req.url === '/own-csp') {
        res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': "script-src 'none'" });
        res.end('<!doctype html><title>own</title>');
        return true;
      }
      if (req.url === '/slow') {
        setTimeout(() => {
          res.writeHead(200);
          res.end('late');
        }, 6000).unref();
        return true;
      }
      return false;
    });
    // --timeout: short enough for the 504 test, long enough for a 2 MB stream on a loaded machine.
    gw = await startCli([
      '--upstream',
      upstream.url,
      '--store',
      `sqlite:${tmp.dir}/gw.db`,
      '--timeout',
      '2000',
    ]);
    call = api(gw.admin);
    const created = await call('POST', '/api/allowlist', { urlPattern: ALLOWED, description: 'the app' });
    assert.equal(created.status, 201);
  });

  after(async () => {
    await gw.stop();
    await upstream.close();
    tmp.cleanup();
  });

  test('a request without Origin passes through untouched', async () => {
    const res = await fetch(`${gw.proxy}/plain?x=1`, { headers: { 'x-custom': 'kept' } });
    assert.equal(res.status, 200);
    assert.equal(upstream.last!.url, '/plain?x=1');
    assert.equal(upstream.last!.headers['x-custom'], 'kept');
    assert.equal(res.headers.get('x-upstream'), 'yes');
    // The upstream's own CORS header never reaches the client; hop-by-hop headers are dropped.
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(res.headers.get('x-up-hop'), null);
  });

  test('X-Forwarded-* are set and hop-by-hop request headers removed', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = request(
        `${gw.proxy}/fwd`,
        {
          headers: {
            connection: 'keep-alive, x-secret-hop',
            'x-secret-hop': '1',
            'proxy-authorization': 'Basic abc',
            // From a client the gateway does not trust as a proxy: its list is kept, its host and scheme are not.
            'x-forwarded-for': '10.0.0.1',
            'x-forwarded-host': 'evil.example',
            'x-forwarded-proto': 'https',
          },
        },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end();
    });
    const h = upstream.last!.headers;
    assert.equal(h['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h['x-forwarded-host'], new URL(gw.proxy).host);
    assert.equal(h['x-secret-hop'], undefined);
    assert.equal(h['proxy-authorization'], undefined);
  });

  test('a refused origin gets 403 with a JSON reason, no CORS headers, and never reaches the upstream', async () => {
    const before = upstream.hits;
    for (const method of ['GET', 'POST', 'DELETE']) {
      const res = await fetch(`${gw.proxy}/data`, {
        method,
        headers: { origin: 'https://evil.example' },
        ...(method === 'POST' ? { body: 'x' } : {}),
      });
      assert.equal(res.status, 403);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'origin-not-allowed');
      assert.ok(body.error.message.length > 0);
      for (const [name] of res.headers) assert.ok(!name.startsWith('access-control-'), name);
    }
    const pre = await fetch(`${gw.proxy}/data`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT' },
    });
    assert.equal(pre.status, 403);
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    assert.equal(upstream.hits, before);
  });

  test('an allowlisted origin is echoed with credentials; Salesforce methods, echoed headers, Max-Age 600', async () => {
    const res = await fetch(`${gw.proxy}/data`, { headers: { origin: ALLOWED } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.match(res.headers.get('vary') ?? '', /Origin/);
    const hits = upstream.hits;
    const pre = await fetch(`${gw.proxy}/data`, {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization, x-requested-with',
      },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), ALLOWED);
    assert.equal(pre.headers.get('access-control-allow-methods'), 'GET, HEAD, POST, PUT, PATCH, DELETE');
    assert.match(pre.headers.get('access-control-allow-headers')!, /authorization/);
    assert.match(pre.headers.get('access-control-allow-headers')!, /x-requested-with/);
    assert.equal(pre.headers.get('access-control-max-age'), '600');
    assert.equal(upstream.hits, hits, 'preflights are answered by the gateway');
    const bad = await fetch(`${gw.proxy}/data`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'CONNECT' },
    });
    assert.equal(bad.status, 403);
  });

  test('request bodies stream through to the upstream', async () => {
    const big = 'y'.repeat(2_000_000);
    const res = await fetch(`${gw.proxy}/upload`, {
      method: 'PUT',
      headers: { origin: ALLOWED, 'content-type': 'text/plain' },
      body: big,
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { body: string };
    assert.equal(body.body.length, big.length);
  });

  test('a change applies to the very next request, and a delete removes access', async () => {
    const origin = 'https://live.example.org';
    assert.equal((await fetch(`${gw.proxy}/x`, { headers: { origin } })).status, 403);
    const created = await call('POST', '/api/allowlist', { urlPattern: origin });
    assert.equal(created.status, 201);
    const ok = await fetch(`${gw.proxy}/x`, { headers: { origin } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), origin);
    assert.equal((await call('DELETE', `/api/allowlist/${created.json.id}`)).status, 204);
    assert.equal((await fetch(`${gw.proxy}/x`, { headers: { origin } })).status, 403);
  });

  test('a second process sharing the store picks up changes by itself', async () => {
    const other = await startCli(['--upstream', upstream.url, '--store', `sqlite:${tmp.dir}/gw.db`]);
    try {
      const origin = 'https://shared.example.net';
      assert.equal((await fetch(`${other.proxy}/x`, { headers: { origin } })).status, 403);
      assert.equal((await call('POST', '/api/allowlist', { urlPattern: origin })).status, 201);
      // The other process polls the change counter every 250 ms.
      await eventually(
        async () => (await fetch(`${other.proxy}/x`, { headers: { origin } })).status === 200,
        3000,
      );
    } finally {
      await other.stop();
    }
  });

  test('the OAuth preset: discovery public, token endpoint only with the setting on, other OAuth endpoints closed', async () => {
    const disc = await fetch(`${gw.proxy}/.well-known/openid-configuration`, {
      headers: { origin: 'https://anyone.example' },
    });
    assert.equal(disc.status, 200);
    assert.equal(disc.headers.get('access-control-allow-origin'), '*');
    assert.equal(disc.headers.get('access-control-allow-credentials'), null);
    const before = upstream.hits;
    const off = await fetch(`${gw.proxy}/services/oauth2/token`, {
      method: 'POST',
      headers: { origin: ALLOWED },
      body: 'grant_type=x',
    });
    assert.equal(off.status, 403);
    assert.equal(((await off.json()) as { error: { code: string } }).error.code, 'cors-not-enabled');
    assert.equal(upstream.hits, before);
    assert.equal((await call('PUT', '/api/settings', { corsForOAuthEndpoints: true })).status, 200);
    const on = await fetch(`${gw.proxy}/services/oauth2/token`, {
      method: 'POST',
      headers: { origin: ALLOWED },
      body: 'grant_type=x',
    });
    assert.equal(on.status, 200);
    assert.equal(on.headers.get('access-control-allow-origin'), ALLOWED);
    // The setting on does not open the token endpoint to origins outside the allowlist.
    assert.equal(
      (
        await fetch(`${gw.proxy}/services/oauth2/token`, {
          method: 'POST',
          headers: { origin: 'https://evil.example' },
        })
      ).status,
      403,
    );
    const closed = await fetch(`${gw.proxy}/services/oauth2/singleaccess`, { headers: { origin: ALLOWED } });
    assert.equal(closed.status, 403);
    assert.equal(((await closed.json()) as { error: { code: string } }).error.code, 'cors-closed');
    // Host restriction: with My Domain hosts listed, another host name falls to the closed route.
    assert.equal((await call('PUT', '/api/settings', { myDomainHosts: ['my.example.com'] })).status, 200);
    const otherHost = await fetch(`${gw.proxy}/services/oauth2/token`, {
      method: 'POST',
      headers: { origin: ALLOWED },
    });
    assert.equal(otherHost.status, 403);
    await call('PUT', '/api/settings', { myDomainHosts: ['*'], corsForOAuthEndpoints: false });
  });

  test('user routes: a closed path and a CSP route for HTML responses', async () => {
    const closed = await call('POST', '/api/routes', {
      kind: 'closed',
      paths: ['/internal/*'],
      priority: 10,
    });
    assert.equal(closed.status, 201);
    assert.equal((await fetch(`${gw.proxy}/internal/a`, { headers: { origin: ALLOWED } })).status, 403);
    assert.equal((await fetch(`${gw.proxy}/internal/a`)).status, 200, 'no Origin still passes');
    // The same path spelled differently is still the closed route (raw paths, as a client may send them).
    const hits = upstream.hits;
    for (const path of [
      '/%69nternal/a',
      '//internal/a',
      '/x/../internal/a',
      '/./internal/a',
      '/%2e%2e/internal/a',
    ]) {
      const status = await new Promise<number>((resolve, reject) => {
        const r = request(`${gw.proxy}${path}`, { headers: { origin: ALLOWED } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        r.on('error', reject);
        r.end();
      });
      assert.equal(status, 403, path);
    }
    assert.equal(upstream.hits, hits);
    const site = await call('POST', '/api/trusted-sites', {
      name: 'Fonts',
      endpointUrl: 'https://fonts.example.com',
      isApplicableToFontSrc: true,
    });
    assert.equal(site.status, 201);
    const csp = await call('POST', '/api/routes', {
      kind: 'allowlist',
      paths: ['/page'],
      csp: true,
      priority: 5,
    });
    assert.equal(csp.status, 201);
    const page = await fetch(`${gw.proxy}/page`);
    const header = page.headers.get('content-security-policy');
    assert.ok(header, 'CSP header on an HTML response of a CSP route');
    assert.match(header!, /font-src[^;]*'self'[^;]*https:\/\/fonts\.example\.com/);
    const json = await fetch(`${gw.proxy}/not-html`);
    assert.equal(json.headers.get('content-security-policy'), null);
    // An upstream's own CSP is kept next to the trusted-sites one, never replaced (that could weaken it).
    assert.equal(
      (await call('POST', '/api/routes', { kind: 'allowlist', paths: ['/own-csp'], csp: true, priority: 5 }))
        .status,
      201,
    );
    const own = (await fetch(`${gw.proxy}/own-csp`)).headers.get('content-security-policy')!;
    assert.match(own, /script-src 'none'/);
    assert.match(own, /font-src 'self' https:\/\/fonts\.example\.com/);
  });

  test('an upstream that does not answer in time gets 504', async () => {
    const res = await fetch(`${gw.proxy}/slow`);
    assert.equal(res.status, 504);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'upstream-timeout');
  });

  test('a client that goes away mid-request ends the upstream request without counting an upstream failure', async () => {
    const hits = upstream.hits;
    const ac = new AbortController();
    const pending = fetch(`${gw.proxy}/slow`, { signal: ac.signal }).catch((err: Error) => err);
    await eventually(async () => upstream.hits > hits); // in flight at the upstream
    ac.abort();
    assert.ok((await pending) instanceof Error);
    await new Promise((r) => setTimeout(r, 300));
    const text = await (await fetch(`${gw.admin}/metrics`)).text();
    assert.doesNotMatch(
      text,
      /corsgate_upstream_errors_total\{kind="unreachable"/,
      'an abort is no unreachable upstream',
    );
    assert.doesNotMatch(gw.stdout, /UND_ERR_ABORTED/);
  });

  test('an unreachable upstream gets 502', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const t = tempDir();
    const g = await startCli(['--upstream', `http://127.0.0.1:${port}`, '--store', `sqlite:${t.dir}/x.db`]);
    try {
      const res = await fetch(`${g.proxy}/x`);
      assert.equal(res.status, 502);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'upstream-unreachable');
    } finally {
      await g.stop();
      t.cleanup();
    }
  });

  test('/metrics counts refusals by reason and /healthz answers', async () => {
    const m = await fetch(`${gw.admin}/metrics`);
    assert.equal(m.status, 200);
    const text = await m.text();
    assert.match(
      text,
      /corsgate_requests_total\{decision="refused",reason="origin-not-allowed",route="default"\} \d+/,
    );
    assert.match(text, /corsgate_preflights_total\{result="allowed"\} \d+/);
    assert.match(
      text,
      /corsgate_upstream_duration_seconds_count\{upstream="http:\/\/127\.0\.0\.1:\d+"\} \d+/,
    );
    const h = await fetch(`${gw.admin}/healthz`);
    assert.equal(h.status, 200);
  });

  test('an invalid entry already in the store is ignored with a warning and does not block later live changes', async () => {
    const t = tempDir();
    try {
      // Written past the API (as an older version could have): '*' can never be in the credentialed allowlist.
      const store = new SqliteStore(`${t.dir}/old.db`);
      await store.createAllowlist({ urlPattern: '*' }, 'test');
      await store.close();
      const g = await startCli(['--upstream', upstream.url, '--store', `sqlite:${t.dir}/old.db`]);
      try {
        const a = api(g.admin);
        assert.match(JSON.stringify((await a('GET', '/api/status')).json.warnings), /'\*' ignored/);
        assert.equal(
          (await fetch(`${g.proxy}/x`, { headers: { origin: 'https://evil.example' } })).status,
          403,
        );
        assert.equal(
          (await a('POST', '/api/allowlist', { urlPattern: 'https://later.example.com' })).status,
          201,
        );
        const res = await fetch(`${g.proxy}/x`, { headers: { origin: 'https://later.example.com' } });
        assert.equal(res.headers.get('access-control-allow-origin'), 'https://later.example.com');
      } finally {
        await g.stop();
      }
    } finally {
      t.cleanup();
    }
  });
});
