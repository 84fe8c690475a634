/**
 * Scans started through the admin API may not probe the gateway's own network: private, loopback
 * and link-local targets are refused before anything is sent, unless the `scanTargets` setting lists
 * them (a change that needs modify-all-data); the upstream and the proxy may always be scanned;
 * every connection of a scan goes to the address that was checked. Through the real gateway, with
 * real servers on loopback.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkScanTarget,
  checkScanTargetEntry,
  scanGuard,
  specialPurpose,
} from '../../src/gateway/admin/scan-targets.js';
import {
  api,
  eventually,
  startCli,
  startUpstream,
  tempDir,
  type RunningGateway,
  type Upstream,
} from './helpers.js';

describe('scan targets: the address rules', () => {
  test('special-purpose addresses are named; public ones are not', () => {
    for (const [address, kind] of [
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['10.1.2.3', 'private (RFC 1918)'],
      ['172.31.255.255', 'private (RFC 1918)'],
      ['192.168.0.1', 'private (RFC 1918)'],
      ['169.254.169.254', 'link-local'],
      ['100.64.0.1', 'shared address space (RFC 6598)'],
      ['0.0.0.0', '"this network"'],
      ['224.0.0.251', 'multicast'],
      ['255.255.255.255', 'reserved'],
      ['::1', 'unspecified, loopback or IPv4-compatible'],
      ['::', 'unspecified, loopback or IPv4-compatible'],
      ['::ffff:10.0.0.1', 'private (RFC 1918)'],
      ['::ffff:7f00:1', 'loopback'],
      ['64:ff9b::a00:1', 'NAT64 (reaches IPv4 addresses)'],
      ['fd12:3456::1', 'unique local (private)'],
      ['fe80::1', 'link-local'],
    ] as const)
      assert.equal(specialPurpose(address), kind, address);
    for (const address of [
      '8.8.8.8',
      '172.32.0.1',
      '192.169.0.1',
      '100.128.0.1',
      '2606:4700:4700::1111',
      '::ffff:8.8.8.8',
    ])
      assert.equal(specialPurpose(address), null, address);
  });

  test('scanTargets entries: IPs, CIDR ranges, host names, *.domain and *; anything else is refused with the reason', () => {
    for (const ok of [
      '*',
      '127.0.0.1',
      '::1',
      '10.0.0.0/8',
      'fd00::/8',
      'api.internal',
      '*.corp.example',
      'localhost',
    ])
      assert.equal(checkScanTargetEntry(ok), null, ok);
    assert.match(checkScanTargetEntry('10.0.0.0/33')!, /prefix length must be at most 32/);
    assert.match(checkScanTargetEntry('10.0.0/8')!, /is not an IP address/);
    assert.match(
      checkScanTargetEntry('http://api.internal')!,
      /is not an IP address, a CIDR range \(10\.0\.0\.0\/8\), a host name or \*\.domain/,
    );
    assert.match(checkScanTargetEntry('a b')!, /is not an IP address/);
  });

  test('every connection is checked and sent to the address checked; a resolve entry is checked like DNS', async () => {
    const scope = { allowed: [] as string[], fixedOrigins: ['http://127.0.0.1:4000'] };
    const guard = scanGuard(scope);
    const to = (url: string) => {
      const u = new URL(url);
      return {
        hostname: u.hostname,
        port: Number(u.port) || (u.protocol === 'https:' ? 443 : 80),
        protocol: u.protocol,
      };
    };
    await assert.rejects(
      guard(to('http://localhost:9/'), undefined),
      /'localhost' resolves to (127\.0\.0\.1|::1), which is not a public address/,
    );
    await assert.rejects(
      guard(to('https://public.example.com/'), '10.0.0.5'),
      /resolves to 10\.0\.0\.5, which is not a public address \(private \(RFC 1918\)\)/,
    );
    await assert.rejects(guard(to('https://public.example.com/'), '169.254.169.254'), /link-local/);
    await assert.rejects(guard(to('http://[::1]:8080/'), undefined), /::1 is not a public address/);
    await assert.rejects(
      guard(to('http://127.0.0.1:4001/'), undefined),
      /127\.0\.0\.1 is not a public address \(loopback\)/,
      'the upstream origin, not its whole host',
    );
    await assert.rejects(
      guard(to('https://127.0.0.1:4000/'), undefined),
      /loopback/,
      'nor another scheme on its port',
    );
    assert.equal(await guard(to('http://127.0.0.1:4000/v1'), undefined), '127.0.0.1', 'the upstream itself');
    assert.equal(await guard(to('https://public.example.com/'), '93.184.215.14'), '93.184.215.14');
    assert.equal(
      await scanGuard({ ...scope, allowed: ['10.0.0.0/8'] })(to('https://app.example.com/'), '10.0.0.5'),
      '10.0.0.5',
    );
    assert.equal(
      await scanGuard({ ...scope, allowed: ['*.corp.example'] })(to('https://api.corp.example/'), '10.9.9.9'),
      '10.9.9.9',
    );
    assert.match(
      await scanGuard({ ...scope, allowed: ['127.0.0.0/8', '::1'] })(to('http://localhost:9/'), undefined),
      /^(127\.0\.0\.1|::1)$/,
    );
    await assert.rejects(
      guard(to('https://no-such-host.invalid/'), undefined),
      (err: NodeJS.ErrnoException) => err.code === 'ENOTFOUND',
      'the scan reports it as not scanned',
    );

    // Before the scan starts: a refused target is a 403, a bad resolve entry a 400, an unknown host the scan's to report.
    await assert.rejects(
      checkScanTarget(new URL('http://127.0.0.1:22/'), [], scope),
      (err: Error & { status?: number; code?: string }) =>
        err.status === 403 && err.code === 'scan-target-not-allowed',
    );
    await assert.rejects(
      checkScanTarget(new URL('https://x.example.com/'), ['x.example.com:443:10.1.1.1'], scope),
      (err: Error & { code?: string }) => err.code === 'scan-target-not-allowed',
    );
    await assert.rejects(
      checkScanTarget(new URL('https://x.example.com/'), ['x.example.com:443:not-an-ip'], scope),
      (err: Error & { code?: string }) =>
        err.code === 'scan-resolve-invalid' && /'not-an-ip' is not an IP address/.test(err.message),
    );
    await checkScanTarget(new URL('https://no-such-host.invalid/'), [], scope);
  });
});

describe('scan targets: through the admin API', () => {
  let gw: RunningGateway;
  let upstream: Upstream;
  let zoo: Server;
  let inner: Server;
  let innerHits = 0;
  let zooUrl = '';
  const zooHits: { host: string | undefined; headers: IncomingHttpHeaders }[] = [];
  let cleanup: () => void;
  let customizer = '';

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    upstream = await startUpstream();
    inner = createServer((_req, res) => {
      innerHits++;
      res.end('internal');
    });
    await new Promise<void>((r) => inner.listen(0, '127.0.0.2', () => r()));
    const innerUrl = `http://127.0.0.2:${(inner.address() as AddressInfo).port}`;
    zoo = createServer((req, res) => {
      // An allowed target that sends the scanner on to an address the setting does not list.
      if (req.url === '/redir')
        return void res.writeHead(302, { location: `${innerUrl}/latest/meta-data/` }).end();
      zooHits.push({ host: req.headers.host, headers: req.headers });
      if (req.headers.origin) res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
      res.end('{}');
    });
    await new Promise<void>((r) => zoo.listen(0, '127.0.0.1', () => r()));
    zooUrl = `http://127.0.0.1:${(zoo.address() as AddressInfo).port}`;
    gw = await startCli(['--store', `sqlite:${t.dir}/scans.db`, '--upstream', upstream.url]);
    const created = await api(gw.admin)('POST', '/api/tokens', {
      name: 'designer',
      permissions: ['customize-application'],
    });
    customizer = created.json.token;
  });
  after(async () => {
    await gw?.stop();
    await upstream?.close();
    zoo?.closeAllConnections();
    zoo?.close();
    inner?.closeAllConnections();
    inner?.close();
    cleanup?.();
  });

  const finished = (id: string) =>
    eventually(async () => {
      const job = (await api(gw.admin)('GET', `/api/scans/${id}`)).json;
      return job.status !== 'running' && job;
    }, 30_000);

  test('a loopback or metadata-service target is refused before anything is sent, with the setting to change', async () => {
    const a = api(gw.admin);
    for (const url of [
      `${zooUrl}/api`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]:22/',
      `http://localhost:${new URL(zooUrl).port}/`,
    ]) {
      const res = await a('POST', '/api/scans', { url });
      assert.equal(res.status, 403, `${url}: ${res.text}`);
      assert.equal(res.json.error.code, 'scan-target-not-allowed');
      assert.equal(res.json.error.field, 'url');
      assert.match(res.json.error.message, /is not a public address .*the scanTargets setting lists it/);
    }
    assert.equal(zooHits.length, 0, 'no probe reached the server');
    assert.equal((await a('GET', '/api/settings')).json.scanTargets.length, 0, 'none by default');
  });

  test('the upstream and the proxy listener may always be scanned', async () => {
    const before = upstream.hits;
    const started = await api(gw.admin)('POST', '/api/scans', { url: `${upstream.url}/v1/me` });
    assert.equal(started.status, 202, started.text);
    assert.equal((await finished(started.json.id)).status, 'done');
    assert.ok(upstream.hits > before, 'the upstream was probed');
    const viaProxy = await api(gw.admin)('POST', '/api/scans', { url: `${gw.proxy}/api/hello` });
    assert.equal(viaProxy.status, 202, viaProxy.text);
    assert.equal((await finished(viaProxy.json.id)).status, 'done');
  });

  test('widening scanTargets needs modify-all-data, is checked and audited; then the target is scanned with the options the CLI has', async () => {
    const weak = api(gw.admin, customizer);
    const refused = await weak('PUT', '/api/settings', { scanTargets: ['127.0.0.1'] });
    assert.equal(refused.status, 403);
    assert.match(refused.json.error.message, /changing scanTargets needs the 'modify-all-data' permission/);
    assert.equal(
      (await weak('PUT', '/api/settings', { refusedStatus: 403, scanTargets: [] })).status,
      200,
      'an unchanged list is no change',
    );
    const a = api(gw.admin);
    const bad = await a('PUT', '/api/settings', { scanTargets: ['127.0.0.1', 'http://x'] });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'scan-target-invalid');
    assert.equal(bad.json.error.field, 'scanTargets[1]');
    const ok = await a('PUT', '/api/settings', { scanTargets: ['127.0.0.1'] });
    assert.equal(ok.status, 200, ok.text);
    const audit = await a('GET', '/api/audit?entity=settings&limit=1');
    assert.deepEqual(audit.json.items[0].after.scanTargets, ['127.0.0.1']);

    // A name of our choosing pinned to the zoo server: the probes carry its Host, and reach the checked address.
    const port = new URL(zooUrl).port;
    const started = await weak('POST', '/api/scans', {
      url: `http://zoo.test:${port}/api`,
      resolve: [`zoo.test:${port}:127.0.0.1`],
      origins: ['https://app.example.com/path'],
      cookie: 'session=s3cret-cookie',
    });
    assert.equal(started.status, 202, started.text);
    assert.deepEqual(started.json.options, {
      origins: ['https://app.example.com'],
      resolve: [`zoo.test:${port}:127.0.0.1`],
      cookie: true,
    });
    const job = await finished(started.json.id);
    assert.equal(job.status, 'done');
    assert.ok(zooHits.length > 0);
    assert.ok(
      zooHits.every((h) => h.host === `zoo.test:${port}`),
      'every probe went to the pinned address',
    );
    assert.ok(
      zooHits.every((h) => h.headers.cookie === 'session=s3cret-cookie'),
      'the cookie travels with every probe',
    );
    assert.ok(
      zooHits.some((h) => h.headers.origin === 'https://app.example.com'),
      'the legitimate origin is used',
    );
    const list = await a('GET', '/api/scans');
    assert.equal(list.json.items[0].id, started.json.id, 'newest first');
    assert.equal(list.json.items[0].summary.findings > 0, true);
    assert.doesNotMatch(list.text + JSON.stringify(job), /s3cret-cookie/, 'the cookie is never shown back');

    // A redirect to an address the setting does not list is refused at the connection, like the target itself.
    const redirected = await weak('POST', '/api/scans', { url: `${zooUrl}/redir` });
    assert.equal(redirected.status, 202, redirected.text);
    const after = await finished(redirected.json.id);
    assert.equal(
      innerHits,
      0,
      `nothing reached 127.0.0.2: ${JSON.stringify(after.results?.[0]?.observatory?.tests?.redirection)}`,
    );

    const badInput = [
      [{ url: zooUrl, origins: ['not an origin'] }, 'scan-origin-invalid'],
      [{ url: zooUrl, resolve: ['zoo.test:80'] }, 'scan-resolve-invalid'],
      [{ url: zooUrl, cookie: 'a=b\r\nX-Injected: 1' }, 'scan-cookie-invalid'],
      [{ url: 'ftp://example.com/' }, 'scan-url-invalid'],
    ] as const;
    for (const [body, code] of badInput) {
      const res = await weak('POST', '/api/scans', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.json.error.code, code);
    }
  });
});
