// Hostile and careless clients against the gateway (issue 19 §1): silent connections and slowloris
// headers are cut by the headers timeout on every listener; 5,000 idle connections do not lock out a
// well-behaved client (the oldest idle connection makes room at the cap); the admin listener stays
// reachable meanwhile. Bounded in time, loopback only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import {
  api,
  startCli,
  startUpstream,
  tempDir,
  type RunningGateway,
  type Upstream,
} from '../gateway/helpers.js';

const ALLOWED = 'https://app.example.com';

/** Resolves with how long the server took to close a connection on which we send `send` (or nothing). */
function timeToClose(
  url: string,
  drip?: { line: string; everyMs: number },
  limitMs = 10_000,
): Promise<number> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const s = connect(Number(port), hostname);
    let timer: NodeJS.Timeout | undefined;
    s.on('connect', () => {
      if (!drip) return;
      s.write(`GET / HTTP/1.1\r\nHost: x\r\n`);
      timer = setInterval(() => s.writable && s.write(drip.line), drip.everyMs);
    });
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('close', () => {
      clearInterval(timer);
      resolve(Date.now() - started);
    });
    setTimeout(() => {
      clearInterval(timer);
      s.destroy();
      reject(new Error(`the connection was still open after ${limitMs} ms`));
    }, limitMs).unref();
  });
}

function openIdle(url: string, n: number): Promise<Socket[]> {
  const { port, hostname } = new URL(url);
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Socket>((resolve) => {
          const s = connect(Number(port), hostname);
          s.on('error', () => undefined);
          s.resume(); // read, so that a close by the server is seen
          s.once('connect', () => resolve(s));
          s.once('close', () => resolve(s));
        }),
    ),
  );
}

describe('slow and silent clients', () => {
  let upstream: Upstream;
  let gw: RunningGateway;
  let tmp: ReturnType<typeof tempDir>;

  before(async () => {
    tmp = tempDir();
    upstream = await startUpstream();
    gw = await startCli([
      '--upstream',
      upstream.url,
      '--store',
      `sqlite:${tmp.dir}/c.db`,
      '--headers-timeout',
      '1500',
      '--request-timeout',
      '4000',
      '--max-connections',
      '500',
      '--admin-max-connections',
      '64',
      '--access-log',
      'off',
    ]);
    assert.equal((await api(gw.admin)('POST', '/api/allowlist', { urlPattern: ALLOWED })).status, 201);
  });

  after(async () => {
    await gw.stop();
    await upstream.close();
    tmp.cleanup();
  });

  test('a connection that never sends a request is closed after the headers timeout, on both listeners', async () => {
    for (const url of [gw.proxy, gw.admin]) {
      const ms = await timeToClose(url);
      assert.ok(ms >= 1000 && ms < 6000, `${url}: closed after ${ms} ms`);
    }
  });

  test('a slowloris client sending one header line at a time is cut off by the headers timeout', async () => {
    for (const url of [gw.proxy, gw.admin]) {
      const ms = await timeToClose(url, { line: 'X-Slow: 1\r\n', everyMs: 200 });
      assert.ok(ms >= 1000 && ms < 6000, `${url}: closed after ${ms} ms`);
    }
  });

  test('5,000 idle connections do not lock out a well-behaved client, nor the admin listener', async () => {
    const idle = await openIdle(gw.proxy, 5000);
    const adminIdle = await openIdle(gw.admin, 200);
    try {
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const started = Date.now();
        const res = await fetch(`${gw.proxy}/ok`, {
          headers: { origin: ALLOWED, connection: 'close' },
          signal: AbortSignal.timeout(3000),
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
        await res.arrayBuffer();
        times.push(Date.now() - started);
      }
      times.sort((a, b) => a - b);
      assert.ok(times[times.length - 1]! < 3000, `slowest ${times.at(-1)} ms`);
      const health = await fetch(`${gw.admin}/healthz`, { signal: AbortSignal.timeout(3000) });
      assert.equal(health.status, 200);
      // At the cap the oldest idle connections were closed to make room. (The client may believe more are
      // open: past the listen backlog the kernel never finishes their handshake, and no file is spent.)
      const metrics = await (await fetch(`${gw.admin}/metrics`)).text();
      const open = Number(/^corsgate_connections_open\{listener="proxy"\} (\d+)/m.exec(metrics)?.[1]);
      const evicted = Number(
        /^corsgate_connections_evicted_total\{listener="proxy"\} (\d+)/m.exec(metrics)?.[1],
      );
      assert.ok(open <= 500, `${open} proxy connections open (cap 500)`);
      assert.ok(evicted >= 1000, `${evicted} idle connections closed at the cap`);
    } finally {
      for (const s of [...idle, ...adminIdle]) s.destroy();
    }
  });
});
