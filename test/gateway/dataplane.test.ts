// The data plane end to end, with 1 and with 2 workers: byte-exact preflight answers, the holes of
// issue 19 §7 (Host, absolute-form, rewrite headers, OPTIONS *, 100-continue, 431, 502/504), the
// access log, /metrics across workers, and the admin API's write-time checks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { api, startCli, startUpstream, tempDir, type RunningGateway, type Upstream } from './helpers.js';

const ALLOWED = 'https://app.example.com';

/** One raw HTTP/1.1 exchange; resolves with everything the server sent until it closed or `idleMs` passed. */
export function raw(url: string, request: string, idleMs = 400): Promise<string> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let got = '';
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      socket.destroy();
      resolve(got);
    };
    socket.on('data', (d) => {
      got += d.toString('latin1');
      clearTimeout(timer);
      timer = setTimeout(done, idleMs);
    });
    socket.on('error', reject);
    socket.on('close', done);
    socket.write(request);
    timer = setTimeout(done, idleMs * 5);
  });
}

for (const workers of [1, 2]) {
  describe(`data plane with ${workers} worker(s)`, () => {
    let upstream: Upstream;
    let gw: RunningGateway;
    let tmp: ReturnType<typeof tempDir>;
    let call: ReturnType<typeof api>;
    let host: string;

    before(async () => {
      tmp = tempDir();
      upstream = await startUpstream();
      gw = await startCli([
        '--upstream',
        upstream.url,
        '--store',
        `sqlite:${tmp.dir}/dp.db`,
        '--workers',
        String(workers),
        '--timeout',
        '1500',
      ]);
      call = api(gw.admin);
      host = new URL(gw.proxy).host;
      assert.equal((await call('POST', '/api/allowlist', { urlPattern: ALLOWED })).status, 201);
      assert.equal(
        (
          await call('POST', '/api/routes', {
            kind: 'closed',
            paths: ['/internal/*'],
            hosts: ['api.example.com'],
            priority: 10,
          })
        ).status,
        201,
      );
      assert.equal(
        (await call('POST', '/api/routes', { kind: 'public', paths: ['/pub/*'], priority: 10 })).status,
        201,
      );
    });

    after(async () => {
      await gw.stop();
      await upstream.close();
      tmp.cleanup();
    });

    test('an allowed preflight is 204 with no Content-Length and no body (RFC 9110 §8.6)', async () => {
      const text = await raw(
        gw.proxy,
        `OPTIONS /data HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${ALLOWED}\r\nAccess-Control-Request-Method: PUT\r\nConnection: close\r\n\r\n`,
      );
      const [head, body] = text.split('\r\n\r\n');
      assert.match(head!, /^HTTP\/1\.1 204 No Content\r\n/);
      assert.doesNotMatch(head!, /content-length/i);
      assert.doesNotMatch(head!, /transfer-encoding/i);
      assert.match(head!, /\r\nAccess-Control-Allow-Origin: https:\/\/app\.example\.com\r\n/);
      assert.match(head!, /\r\nAccess-Control-Allow-Methods: GET, HEAD, POST, PUT, PATCH, DELETE\r\n/);
      assert.match(head!, /\r\nVary: Origin\r\n/);
      assert.equal(body, '');
    });

    test('a repeated Origin or Access-Control-Request-Method is one joined value (Fetch "get"): never allowed, never echoed', async () => {
      for (const extra of [
        `Origin: ${ALLOWED}\r\nOrigin: ${ALLOWED}`,
        `Origin: ${ALLOWED}\r\nAccess-Control-Request-Method: PUT`,
      ]) {
        const text = await raw(
          gw.proxy,
          `OPTIONS /data HTTP/1.1\r\nHost: ${host}\r\n${extra}\r\nAccess-Control-Request-Method: PUT\r\nConnection: close\r\n\r\n`,
        );
        assert.match(text, /^HTTP\/1\.1 403 /, extra);
        assert.doesNotMatch(text, /access-control-allow-origin/i, extra);
      }
      // A GET whose two Origin fields name the allowed origin is no request from it either.
      const get = await raw(
        gw.proxy,
        `GET /data HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${ALLOWED}\r\nOrigin: ${ALLOWED}\r\nConnection: close\r\n\r\n`,
      );
      assert.match(get, /^HTTP\/1\.1 403 /);
      assert.doesNotMatch(get, /access-control-allow-origin/i);
    });

    test('every worker enforces a write as soon as it is acknowledged', async () => {
      const origin = `https://live${workers}.example.org`;
      const created = await call('POST', '/api/allowlist', { urlPattern: origin });
      assert.equal(created.status, 201);
      // Fresh connections land on every worker in turn.
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${gw.proxy}/x`, { headers: { origin, connection: 'close' } });
        assert.equal(res.headers.get('access-control-allow-origin'), origin, `request ${i}`);
      }
      assert.equal((await call('DELETE', `/api/allowlist/${created.json.id}`)).status, 204);
      for (let i = 0; i < 8; i++)
        assert.equal(
          (await fetch(`${gw.proxy}/x`, { headers: { origin, connection: 'close' } })).status,
          403,
          `after delete ${i}`,
        );
    });

    test('a trailing-dot Host meets the host-scoped closed route', async () => {
      for (const h of ['api.example.com', 'api.example.com.', 'API.EXAMPLE.COM.:80']) {
        const text = await raw(
          gw.proxy,
          `GET /internal/a HTTP/1.1\r\nHost: ${h}\r\nOrigin: ${ALLOWED}\r\nConnection: close\r\n\r\n`,
        );
        assert.match(text, /^HTTP\/1\.1 403 /, h);
        assert.match(text, /cors-closed/, h);
      }
    });

    test('absolute-form targets are routed by their authority and path, and forwarded in origin-form', async () => {
      const closed = await raw(
        gw.proxy,
        `GET http://api.example.com/internal/a HTTP/1.1\r\nHost: elsewhere.example\r\nOrigin: ${ALLOWED}\r\nConnection: close\r\n\r\n`,
      );
      assert.match(closed, /^HTTP\/1\.1 403 .*cors-closed/s);
      const ok = await raw(
        gw.proxy,
        `GET http://www.example.com/data?q=1 HTTP/1.1\r\nHost: www.example.com\r\nOrigin: ${ALLOWED}\r\nConnection: close\r\n\r\n`,
      );
      assert.match(ok, /^HTTP\/1\.1 200 /);
      assert.equal(upstream.last!.url, '/data?q=1');
      const bad = await raw(gw.proxy, `GET ftp://x/y HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.match(bad, /^HTTP\/1\.1 400 .*target-invalid/s);
    });

    test('rewrite headers never reach the upstream; ;path parameters do not sidestep a closed route', async () => {
      const res = await fetch(`${gw.proxy}/plain`, {
        headers: { 'x-original-url': '/internal/a', 'x-rewrite-url': '/internal/a', 'x-kept': '1' },
      });
      assert.equal(res.status, 200);
      assert.equal(upstream.last!.headers['x-original-url'], undefined);
      assert.equal(upstream.last!.headers['x-rewrite-url'], undefined);
      assert.equal(upstream.last!.headers['x-kept'], '1');
      const text = await raw(
        gw.proxy,
        `GET /internal;jsessionid=x/a HTTP/1.1\r\nHost: api.example.com\r\nOrigin: ${ALLOWED}\r\nConnection: close\r\n\r\n`,
      );
      assert.match(text, /^HTTP\/1\.1 403 .*cors-closed/s);
    });

    test('OPTIONS * is answered about the server, not 502', async () => {
      const text = await raw(gw.proxy, `OPTIONS * HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      assert.match(text, /^HTTP\/1\.1 204 /);
      assert.match(text, /\r\nAllow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n/);
    });

    test('100 Continue only after the decision: a refused request never gets it', async () => {
      const refused = await raw(
        gw.proxy,
        `POST /data HTTP/1.1\r\nHost: ${host}\r\nOrigin: https://evil.example\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n`,
      );
      assert.match(refused, /^HTTP\/1\.1 403 /);
      assert.doesNotMatch(refused, /100 Continue/);
      const { port, hostname } = new URL(gw.proxy);
      const allowed = await new Promise<string>((resolve, reject) => {
        const s = connect(Number(port), hostname);
        let got = '';
        s.on('data', (d) => {
          got += d.toString('latin1');
          if (/^HTTP\/1\.1 100 Continue\r\n\r\n$/.test(got)) s.write('hello');
          if (/\r\n\r\n[\s\S]*"ok":true/.test(got)) {
            s.destroy();
            resolve(got);
          }
        });
        s.on('error', reject);
        s.write(
          `POST /data HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${ALLOWED}\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n`,
        );
        setTimeout(() => (s.destroy(), resolve(got)), 3000).unref();
      });
      assert.match(allowed, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
      assert.equal(upstream.last!.body, 'hello');
    });

    test('more header fields than --max-headers: 431, not silently dropped', async () => {
      const many = Array.from({ length: 250 }, (_, i) => `X-H${i}: ${i}\r\n`).join('');
      const text = await raw(
        gw.proxy,
        `GET /data HTTP/1.1\r\nHost: ${host}\r\n${many}Connection: close\r\n\r\n`,
      );
      assert.match(text, /^HTTP\/1\.1 431 /);
      const big = await raw(
        gw.proxy,
        `GET /data HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
      );
      assert.match(big, /^HTTP\/1\.1 431 /);
    });

    test('a public route answers * and Vary: Origin with and without Origin (cache-safe)', async () => {
      for (const headers of [{}, { origin: 'https://anyone.example' }] as Record<string, string>[]) {
        const res = await fetch(`${gw.proxy}/pub/x`, { headers });
        assert.equal(res.headers.get('access-control-allow-origin'), '*');
        assert.match(res.headers.get('vary') ?? '', /Origin/);
      }
      const closedNoOrigin = await fetch(`${gw.proxy}/plain`);
      assert.match(closedNoOrigin.headers.get('vary') ?? '', /Origin/);
    });

    test("the gateway's own 502 carries the request's CORS headers and no internal address", async () => {
      const t = tempDir();
      const g = await startCli([
        '--upstream',
        'http://127.0.0.1:9',
        '--store',
        `sqlite:${t.dir}/dead.db`,
        '--workers',
        String(workers),
      ]);
      try {
        assert.equal((await api(g.admin)('POST', '/api/allowlist', { urlPattern: ALLOWED })).status, 201);
        const res = await fetch(`${g.proxy}/x`, { headers: { origin: ALLOWED } });
        assert.equal(res.status, 502);
        assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
        assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
        const body = await res.text();
        assert.match(body, /upstream-unreachable/);
        assert.doesNotMatch(body, /127\.0\.0\.1|:9\b/);
        const logged = () =>
          g.stdout.split('\n').some((l) => l.includes('upstream failure') && l.includes('127.0.0.1:9'));
        for (let i = 0; i < 20 && !logged(); i++) await new Promise((r) => setTimeout(r, 100));
        assert.ok(logged(), `the address is in the log:\n${g.stdout}`);
      } finally {
        await g.stop();
        t.cleanup();
      }
    });

    test('/metrics reports the whole node and the access log has one line per request, without secrets', async () => {
      const before = await (await fetch(`${gw.admin}/metrics`)).text();
      const count = (text: string) =>
        [
          ...text.matchAll(
            /^corsgate_requests_total\{decision="allowed",reason="allowed",route="default"\} (\d+)/gm,
          ),
        ].reduce((n, m) => n + Number(m[1]), 0);
      for (let i = 0; i < 10; i++)
        await fetch(`${gw.proxy}/metered`, {
          headers: {
            origin: ALLOWED,
            authorization: 'Bearer super-secret-value',
            cookie: 'sid=cookie-secret',
            connection: 'close',
          },
        });
      const text = await (await fetch(`${gw.admin}/metrics`)).text();
      assert.equal(count(text) - count(before), 10);
      assert.match(text, /^process_cpu_seconds_total \d/m);
      assert.match(text, /^nodejs_eventloop_lag_seconds /m);
      const metered = () => gw.stdout.split('\n').filter((l) => l.includes('"/metered"'));
      for (let i = 0; i < 30 && metered().length < 10; i++) await new Promise((r) => setTimeout(r, 100));
      const lines = metered();
      assert.equal(lines.length, 10);
      const line = JSON.parse(lines[0]!);
      for (const k of [
        'time',
        'method',
        'path',
        'host',
        'origin',
        'decision',
        'reason',
        'route',
        'status',
        'upstreamMs',
        'bytes',
      ])
        assert.ok(k in line, k);
      assert.equal(line.status, 200);
      assert.equal(line.origin, ALLOWED);
      assert.doesNotMatch(gw.stdout, /super-secret-value|cookie-secret/);
    });

    test("an opt-in route's setting must be a boolean setting", async () => {
      const bad = await call('POST', '/api/routes', {
        kind: 'opt-in',
        paths: ['/x/*'],
        setting: 'corsForOAuthEndpionts',
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.code, 'route-setting-unknown');
      assert.equal(bad.json.error.field, 'setting');
      assert.match(bad.json.error.message, /corsForOAuthEndpoints/);
      assert.equal(
        (
          await call('POST', '/api/routes', {
            kind: 'opt-in',
            paths: ['/x/*'],
            setting: 'corsForOAuthEndpoints',
          })
        ).status,
        201,
      );
    });
  });
}
