// `websocket-origin-not-checked` against real WebSocket servers on loopback (the `ws` package): one that
// accepts any Origin (with and without a session cookie), one that checks Origin against an allowlist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { scan } from '@corsgate/scan';

async function wsServer(opts: {
  cookie: boolean;
  allowed: string | null;
}): Promise<{ url: string; handshakes: (string | undefined)[]; close: () => Promise<void> }> {
  const handshakes: (string | undefined)[] = [];
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'text/html',
      ...(opts.cookie ? { 'set-cookie': 'sid=1; HttpOnly; Secure; SameSite=None' } : {}),
    });
    res.end('<!doctype html><title>chat</title>');
  });
  const wss = new WebSocketServer({
    server,
    verifyClient: (info: { origin: string }) => (
      handshakes.push(info.origin),
      opts.allowed === null || info.origin === opts.allowed
    ),
  });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(m)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/chat`,
    handshakes,
    close: () =>
      new Promise<void>((r) => (wss.close(), server.closeAllConnections(), server.close(() => r()))),
  };
}

const opts = { timeout: 3000, retries: 0, rate: 0 };

test('scan: a WebSocket endpoint that accepts any origin, with a session cookie, is high', async () => {
  const s = await wsServer({ cookie: true, allowed: null });
  try {
    const { results } = await scan([s.url], opts);
    const f = results[0]!.findings.find((x) => x.id === 'websocket-origin-not-checked');
    assert.ok(f, JSON.stringify(results[0]!.findings.map((x) => x.id)));
    assert.equal(f.severity, 'high');
    assert.equal(f.credentials, true);
    assert.match(f.probe.headers.Origin!, /^https:\/\/cg[a-z]+-attacker\.com$/);
    assert.ok(s.handshakes.some((o) => o === f.probe.headers.Origin));
    // A ws:// URL is scanned the same way.
    const again = await scan([s.url.replace('http:', 'ws:')], opts);
    assert.ok(again.results[0]!.findings.some((x) => x.id === 'websocket-origin-not-checked'));
  } finally {
    await s.close();
  }
});

test('scan: without cookies or credentials the finding is one level lower', async () => {
  const s = await wsServer({ cookie: false, allowed: null });
  try {
    const f = (await scan([s.url], opts)).results[0]!.findings.find(
      (x) => x.id === 'websocket-origin-not-checked',
    );
    assert.equal(f?.severity, 'medium');
    assert.equal(f?.credentials, false);
  } finally {
    await s.close();
  }
});

test('scan: a WebSocket endpoint that checks Origin is not reported (and neither is a plain page)', async () => {
  const s = await wsServer({ cookie: true, allowed: 'https://app.example.com' });
  try {
    const { results } = await scan([s.url], opts);
    assert.equal(results[0]!.error, undefined);
    assert.ok(s.handshakes.length > 0, 'the probe did send a handshake');
    assert.ok(!results[0]!.findings.some((x) => x.id === 'websocket-origin-not-checked'));
    assert.ok(
      !results[0]!.findings.some((x) => x.id === 'missing-vary-origin'),
      'the handshake answer is no CORS evidence',
    );
  } finally {
    await s.close();
  }
});
