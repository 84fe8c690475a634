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
import { checkScanTarget, pinScanTarget, specialPurpose } from '../../src/gateway/admin/scan-targets.js';
import { api, eventually, startCli, startUpstream, tempDir, type RunningGateway, type Upstream } from './helpers.js';

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
    for (const address of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(specialPurpose(address), null, address);
  });

  test('scanTargets entries: IPs, CIDR ranges, host names, *.domain and *; anything else is refused with the reason', () => {
    for (const ok of ['*', '127.0.0.1', '::1', '10.0.0.0/8', 'fd00::/8', 'api.internal', '*.corp.example', 'localhost']) assert.equal(checkScanTarget(ok), null, ok);
    assert.match(checkScanTarget('10.0.0.0/33')!, /prefix length must be at most 32/);
    assert.match(checkScanTarget('10.0.0/8')!, /is not an IP address/);
    assert.match(checkScanTarget('http://api.internal')!, /is not an IP address, a CIDR range \(10\.0\.0\.0\/8\), a host name or \*\.domain/);
    assert.match(checkScanTarget('a b')!, /is not an IP address/);
  });

  test('the target is pinned to the address that was checked; a resolve entry is checked like DNS', async () => {
    const scope = { allowed: [] as string[], fixedOrigins: ['http://127.0.0.1:4000'] };
    await assert.rejects(pinScanTarget(new URL('http://localhost:9/'), [], scope), /'localhost' resolves to (127\.0\.0\.1|::1), which is not a public address/);
    await assert.rejects(pinScanTarget(new URL('https://public.example.com/'), ['public.example.com:443:10.0.0.5'], scope), /resolves to 10\.0\.0\.5, which is not a public address \(private \(RFC 1918\)\)/);
    await assert.rejects(pinScanTarget(new URL('https://public.example.com/'), ['*:443:169.254.169.254'], scope), /link-local/);
    await assert.rejects(pinScanTarget(new URL('http://[::1]:8080/'), [], scope), /::1 is not a public address/);
    await assert.rejects(pinScanTarget(new URL('http://127.0.0.1:4001/'), [], scope), /127\.0\.0\.1 is not a public address \(loopback\)/, 'the upstream origin, not its whole host');
    assert.deepEqual(await pinScanTarget(new URL('http://127.0.0.1:4000/v1'), [], scope), [], 'the upstream itself');
    assert.deepEqual(await pinScanTarget(new URL('https://public.example.com/'), ['public.example.com:443:93.184.215.14'], scope), ['public.example.com:443:93.184.215.14']);
    assert.deepEqual(await pinScanTarget(new URL('https://app.example.com/'), ['app.example.com:443:10.0.0.5'], { ...scope, allowed: ['10.0.0.0/8'] }), ['app.example.com:443:10.0.0.5']);
    assert.deepEqual(await pinScanTarget(new URL('https://api.corp.example/'), ['api.corp.example:443:10.9.9.9'], { ...scope, allowed: ['*.corp.example'] }), ['api.corp.example:443:10.9.9.9']);
    const local = await pinScanTarget(new URL('http://localhost:9/'), [], { ...scope, allowed: ['127.0.0.0/8', '::1'] });
    assert.match(local[0]!, /^localhost:9:(127\.0\.0\.1|::1)$/);
    await assert.rejects(pinScanTarget(new URL('https://x.example.com/'), ['x.example.com:443:not-an-ip'], scope), (err: Error & { code?: string }) => err.code === 'scan-resolve-invalid' && /'not-an-ip' is not an IP address/.test(err.message));
    await assert.rejects(pinScanTarget(new URL('https://no-such-host.invalid/'), [], scope), /cannot be resolved .*nothing was scanned/);
  });
});

describe('scan targets: through the admin API', () => {
  let gw: RunningGateway;
  let upstream: Upstream;
  let zoo: Server;
  let zooUrl = '';
  const zooHits: { host: string | undefined; headers: IncomingHttpHeaders }[] = [];
  let cleanup: () => void;
  let customizer = '';

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    upstream = await startUpstream();
    zoo = createServer((req, res) => {
      zooHits.push({ host: req.headers.host, headers: req.headers });
      if (req.headers.origin) res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
      res.end('{}');
    });
    await new Promise<void>((r) => zoo.listen(0, '127.0.0.1', () => r()));
    zooUrl = `http://127.0.0.1:${(zoo.address() as AddressInfo).port}`;
    gw = await startCli(['--store', `sqlite:${t.dir}/scans.db`, '--upstream', upstream.url]);
    const created = await api(gw.admin)('POST', '/api/tokens', { name: 'designer', permissions: ['customize-application'] });
    customizer = created.json.token;
  });
  after(async () => {
    await gw?.stop();
    await upstream?.close();
    zoo?.closeAllConnections();
    zoo?.close();
    cleanup?.();
  });

  const finished = (id: string) => eventually(async () => {
    const job = (await api(gw.admin)('GET', `/api/scans/${id}`)).json;
    return job.status !== 'running' && job;
  }, 30_000);

  test('a loopback or metadata-service target is refused before anything is sent, with the setting to change', async () => {
    const a = api(gw.admin);
    for (const url of [`${zooUrl}/api`, 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:22/', `http://localhost:${new URL(zooUrl).port}/`]) {
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
    assert.equal((await weak('PUT', '/api/settings', { refusedStatus: 403, scanTargets: [] })).status, 200, 'an unchanged list is no change');
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
    const started = await weak('POST', '/api/scans', { url: `http://zoo.test:${port}/api`, resolve: [`zoo.test:${port}:127.0.0.1`], origins: ['https://app.example.com/path'], cookie: 'session=s3cret-cookie' });
    assert.equal(started.status, 202, started.text);
    assert.deepEqual(started.json.options, { origins: ['https://app.example.com'], resolve: [`zoo.test:${port}:127.0.0.1`], cookie: true });
    const job = await finished(started.json.id);
    assert.equal(job.status, 'done');
    assert.ok(zooHits.length > 0);
    assert.ok(zooHits.every((h) => h.host === `zoo.test:${port}`), 'every probe went to the pinned address');
    assert.ok(zooHits.every((h) => h.headers.cookie === 'session=s3cret-cookie'), 'the cookie travels with every probe');
    assert.ok(zooHits.some((h) => h.headers.origin === 'https://app.example.com'), 'the legitimate origin is used');
    const list = await a('GET', '/api/scans');
    assert.equal(list.json.items[0].id, started.json.id, 'newest first');
    assert.equal(list.json.items[0].summary.findings > 0, true);
    assert.doesNotMatch(list.text + JSON.stringify(job), /s3cret-cookie/, 'the cookie is never shown back');

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
