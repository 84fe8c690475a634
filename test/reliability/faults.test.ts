// A short load with faults (issue 19): an upstream that resets some connections and is then killed
// and restarted, under concurrent allowed and refused requests, with 1 and 2 workers. Every answer
// must carry the right CORS decision: an allowed origin gets its ACAO (on 200 and on the gateway's
// own 502/504), a refused one gets 403 and no ACAO. Bounded in time, loopback only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { api, startCli, tempDir } from '../gateway/helpers.js';

const ALLOWED = 'https://app.example.com';
const REFUSED = 'https://evil.example';

function faultyUpstream(port = 0): Promise<{ server: Server; port: number }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    // About one request in twenty: the connection is reset mid-answer.
    if (++n % 20 === 0) return void req.socket.destroy();
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    res.end('{"ok":true}');
  });
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port })),
  );
}

for (const workers of [1, 2]) {
  test(`load with upstream resets and an upstream kill, ${workers} worker(s): no wrong CORS decision`, async () => {
    const tmp = tempDir();
    let up = await faultyUpstream();
    const gw = await startCli([
      '--upstream',
      `http://127.0.0.1:${up.port}`,
      '--store',
      `sqlite:${tmp.dir}/f.db`,
      '--workers',
      String(workers),
      '--timeout',
      '1000',
      '--connect-timeout',
      '500',
      '--access-log',
      'off',
    ]);
    try {
      assert.equal((await api(gw.admin)('POST', '/api/allowlist', { urlPattern: ALLOWED })).status, 201);
      const wrong: string[] = [];
      const statuses = new Map<number, number>();
      let stop = false;
      const client = async (c: number) => {
        for (let i = 0; !stop; i++) {
          const origin = (i + c) % 3 === 0 ? REFUSED : ALLOWED;
          let res: Response;
          try {
            res = await fetch(`${gw.proxy}/load/${i}`, {
              method: i % 4 === 0 ? 'POST' : 'GET',
              headers: { origin },
              ...(i % 4 === 0 ? { body: 'payload' } : {}),
              signal: AbortSignal.timeout(3000),
            });
            await res.arrayBuffer();
          } catch {
            continue; // a connection cut by the fault itself is not a CORS decision
          }
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const acao = res.headers.get('access-control-allow-origin');
          if (origin === REFUSED && (res.status !== 403 || acao !== null))
            wrong.push(`${origin} got ${res.status} ACAO ${acao}`);
          if (origin === ALLOWED && acao !== ALLOWED) wrong.push(`${origin} got ${res.status} ACAO ${acao}`);
        }
      };
      const clients = Array.from({ length: 8 }, (_, c) => client(c));
      await new Promise((r) => setTimeout(r, 1500));
      // Kill the upstream, keep the load on, bring it back on the same port.
      up.server.closeAllConnections();
      await new Promise<void>((r) => up.server.close(() => r()));
      await new Promise((r) => setTimeout(r, 1000));
      up = await faultyUpstream(up.port);
      await new Promise((r) => setTimeout(r, 1500));
      stop = true;
      await Promise.all(clients);
      const total = [...statuses.values()].reduce((a, b) => a + b, 0);
      assert.ok(total > 200, `only ${total} answers`);
      assert.ok(
        (statuses.get(502) ?? 0) + (statuses.get(504) ?? 0) > 0,
        `the kill was seen: ${JSON.stringify([...statuses])}`,
      );
      assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} wrong CORS decisions among ${total}`);
    } finally {
      await gw.stop();
      up.server.closeAllConnections();
      up.server.close();
      tmp.cleanup();
    }
  });
}
