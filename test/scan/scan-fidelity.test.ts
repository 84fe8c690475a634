/**
 * `corsgate scan` end to end on loopback: the http:// chain hop by hop, a target that cannot be scanned
 * (CLI, library and admin API), fix policies for IP targets and offline mode, and the reflection
 * reported once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { analyseSaved, scan } from '@corsgate/scan';
import { runCli } from '../support/cli.js';
import { api, startCli, tempDir } from '../gateway/helpers.js';

let server: Server;
let base: string;

before(async () => {
  server = createServer((req, res) => {
    const origin = req.headers.origin;
    const path = new URL(req.url!, 'http://x').pathname;
    if (path === '/hop') return res.writeHead(301, { location: '/hop2' }).end();
    if (path === '/hop2') return res.writeHead(302, { location: `${base}/end` }).end();
    if (path === '/reflect' && origin) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
    }
    if (path === '/dev' && origin === 'http://localhost:3000') {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('vary', 'Origin');
    }
    if (path === '/dev' && origin === 'null') res.setHeader('access-control-allow-origin', 'null');
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const options = { rate: 0, concurrency: 8, retries: 0, timeout: 5000 };

describe('scan: what Observatory sees of the http:// fetch', () => {
  test('every hop of the http chain is followed: http → http → http never reaches https', async () => {
    const [r] = (await scan([`${base}/hop`], options)).results;
    assert.equal(r!.error, undefined);
    assert.deepEqual(
      r!.redirects.map((x) => x.status),
      [301, 302],
    );
    assert.equal(r!.finalUrl, `${base}/end`);
    assert.equal(r!.observatory!.tests.redirection!.result, 'redirection-not-to-https');
  });
});

describe('scan: an unreachable target is an error, not a pass', () => {
  test('library: no verdict, the error says it could not be scanned', async () => {
    const [r] = (await scan(['http://127.0.0.1:1/'], { ...options, timeout: 2000 })).results;
    assert.equal(r!.error?.code, 'network-error');
    assert.match(r!.error!.message, /could not be scanned: .*ECONNREFUSED/);
    assert.deepEqual([r!.grade, r!.score, r!.observatory, r!.findings], [null, null, null, []]);
  });
  test('CLI: exit 2 and "could not be scanned", never a clean verdict', async () => {
    const out = await runCli(['scan', 'http://127.0.0.1:1/', '--retries', '0']);
    assert.equal(out.code, 2);
    assert.match(out.stdout, /✖ http:\/\/127\.0\.0\.1:1\/: could not be scanned/);
    assert.match(out.stdout, /0 of 1 URL scanned: .*1 could not be scanned\./);
    assert.doesNotMatch(out.stdout, /no CORS misconfiguration/);
  });
  test('admin API: the scan job fails with the reason', async () => {
    const tmp = tempDir();
    const gw = await startCli(['--store', `sqlite:${tmp.dir}/scan.db`]);
    try {
      const call = api(gw.admin);
      const started = await call('POST', '/api/scans', { url: 'http://unreachable.invalid/' });
      assert.equal(started.status, 202, JSON.stringify(started.json));
      let job = started.json;
      for (let i = 0; i < 100 && job.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        job = (await call('GET', `/api/scans/${started.json.id}`)).json;
      }
      assert.equal(job.status, 'failed', JSON.stringify(job));
      assert.match(job.error.message, /could not be scanned/);
      assert.equal(job.results[0].error.code, 'network-error');
    } finally {
      await gw.stop();
      tmp.cleanup();
    }
  });
});

describe('scan: fix policies an IP target can use', () => {
  test('a server reflecting any origin: one root cause, and a fix not made of its echoes', async () => {
    const [r] = (await scan([`${base}/reflect`], options)).results;
    const ids = r!.findings.map((f) => f.id);
    assert.ok(ids.includes('origin-reflected'));
    assert.ok(!ids.includes('origin-header-injection'), ids.join(', '));
    for (const f of r!.findings)
      assert.deepEqual(
        f.fix.policy!.origins,
        ['https://app.example.com'],
        `${f.id}: ${JSON.stringify(f.fix.policy)}`,
      );
  });
  test('an http loopback front end the server trusts is the fix, not https://127.0.0.1', async () => {
    const [r] = (await scan([`${base}/dev`], { ...options, origins: ['http://localhost:3000'] })).results;
    const f = r!.findings.find((x) => x.id === 'null-origin-trusted')!;
    assert.deepEqual(f.fix.policy!.origins, ['http://localhost:3000']);
  });
  test('offline: the fix never lists a made-up domain or an origin the answer did not allow alone', () => {
    const saved =
      'HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: https://app.example.org\r\nAccess-Control-Allow-Credentials: true\r\nAccess-Control-Allow-Origin: https://other.example.org\r\n\r\n';
    const [r] = analyseSaved(saved, 'http://127.0.0.1:4000/');
    assert.ok(r!.findings.length > 0);
    for (const f of r!.findings)
      assert.deepEqual(f.fix.policy!.origins, ['https://app.example.com'], 'two values: nothing to trust');
    const [one] = analyseSaved(
      'HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nAccess-Control-Allow-Credentials: true\r\n\r\n',
    );
    for (const f of one!.findings)
      assert.deepEqual(f.fix.policy!.origins, ['https://app.example.com'], 'not https://app.saved.invalid');
  });
});
