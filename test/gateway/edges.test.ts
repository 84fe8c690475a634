// The gateway at the edge, over real sockets: HTTPS with h2 and HTTP/1.1 on one port (curl and
// node:http2 as clients), certificate reload on SIGHUP, WebSocket handshakes decided like CORS,
// and an upstream per route.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type ClientHttp2Session } from 'node:http2';
import { X509Certificate } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { api, eventually, startCli, tempDir } from './helpers.js';
import { makeCert, startEchoUpstream } from './edge-support.js';

const run = promisify(execFile);
const ALLOWED = 'https://app.example';

/** curl's view of one exchange: status line, lower-case headers (no Date), body. */
async function curl(
  args: string[],
): Promise<{ status: string; headers: Record<string, string[]>; body: string }> {
  const { stdout } = await run('curl', ['-sk', '-D', '-', ...args]);
  const [head, ...rest] = stdout.split('\r\n\r\n');
  const [status, ...lines] = head!.split('\r\n');
  const headers: Record<string, string[]> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    const name = l.slice(0, i).toLowerCase();
    if (name !== 'date') (headers[name] ??= []).push(l.slice(i + 1).trim());
  }
  return { status: status!, headers, body: rest.join('\r\n\r\n') };
}

function h2get(
  session: ClientHttp2Session,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': path, ...headers });
    let status = 0;
    let body = '';
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => resolve({ status, body }));
    req.on('error', reject);
    req.end();
  });
}

function peerCert(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect(
      { host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['h2'] },
      () => {
        resolve(s.getPeerCertificate().fingerprint256);
        s.destroy();
      },
    );
    s.on('error', reject);
  });
}

function openSocket(
  url: string,
  origin: string | null,
): Promise<{ ws: WebSocket | null; status: number; body: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { rejectUnauthorized: false, ...(origin ? { origin } : {}) });
    ws.once('open', () => resolve({ ws, status: 101, body: '' }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ ws: null, status: res.statusCode ?? 0, body }));
    });
    ws.once('error', () => resolve({ ws: null, status: 0, body: '' }));
  });
}

function echo(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve) => {
    ws.once('message', (d) => resolve(d.toString()));
    ws.send(text);
  });
}

test('HTTPS: h2 and HTTP/1.1 on one port, same CORS answers, WebSockets guarded, SIGHUP reload, an upstream per route', async () => {
  const tmp = tempDir();
  const a = await startEchoUpstream('a');
  const b = await startEchoUpstream('b');
  const pair = makeCert(tmp.dir, 'live');
  const gw = await startCli([
    '--upstream',
    a.url,
    '--store',
    `sqlite:${tmp.dir}/e.db`,
    '--tls-cert',
    pair.cert,
    '--tls-key',
    pair.key,
  ]);
  const admin = api(gw.admin);
  try {
    assert.match(gw.proxy, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await admin('POST', '/api/allowlist', { urlPattern: ALLOWED })).status, 201);

    // Same CORS headers over h2 and HTTP/1.1; h2 carries no connection-specific field of the upstream's.
    const h2 = await curl(['--http2', `${gw.proxy}/x`, '-H', `Origin: ${ALLOWED}`]);
    const h1 = await curl(['--http1.1', `${gw.proxy}/x`, '-H', `Origin: ${ALLOWED}`]);
    assert.match(h2.status, /^HTTP\/2 200/);
    assert.match(h1.status, /^HTTP\/1\.1 200/);
    for (const name of [
      'access-control-allow-origin',
      'access-control-allow-credentials',
      'vary',
      'set-cookie',
      'content-type',
    ])
      assert.deepEqual(h2.headers[name], h1.headers[name], name);
    assert.deepEqual(h2.headers['access-control-allow-origin'], [ALLOWED]);
    for (const name of ['connection', 'keep-alive', 'x-hop', 'transfer-encoding'])
      assert.equal(h2.headers[name], undefined, `h2 answer has no ${name}`);
    assert.equal(h2.body, h1.body);
    const seen = JSON.parse(h2.body) as { proto: string; host: string };
    assert.equal(seen.proto, 'https', 'X-Forwarded-Proto https upstream');
    assert.equal(seen.host, new URL(gw.proxy).host, ':authority stands in for Host');
    const r2 = await curl(['--http2', `${gw.proxy}/x`, '-H', 'Origin: https://evil.example']);
    const r1 = await curl(['--http1.1', `${gw.proxy}/x`, '-H', 'Origin: https://evil.example']);
    assert.match(r2.status, /^HTTP\/2 403/);
    assert.equal(r2.body, r1.body);
    assert.equal(JSON.parse(r2.body).error.code, 'origin-not-allowed');

    // Two routes, two upstreams; bad upstream URLs are refused with stable codes.
    for (const [upstream, code] of [
      ['ftp://h/', 'route-upstream-scheme'],
      ['http://u:p@h/', 'route-upstream-credentials'],
      ['http://h/#f', 'route-upstream-fragment'],
      ['nope', 'route-upstream-invalid'],
    ] as const) {
      const res = await admin('POST', '/api/routes', { kind: 'allowlist', paths: ['/b/*'], upstream });
      assert.equal(res.status, 400, upstream);
      assert.equal(res.json.error.code, code, upstream);
    }
    const route = await admin('POST', '/api/routes', { kind: 'allowlist', paths: ['/b/*'], upstream: b.url });
    assert.equal(route.status, 201, route.text);
    assert.equal(route.json.upstream, b.url);
    assert.equal(JSON.parse((await curl(['--http2', `${gw.proxy}/b/1`])).body).upstream, 'b');
    assert.equal(JSON.parse((await curl(['--http2', `${gw.proxy}/a/1`])).body).upstream, 'a');

    // WebSockets (HTTP/1.1 upgrade over TLS): allowed origin echoes, refused origin never reaches the upstream.
    const wss = gw.proxy.replace('https:', 'wss:');
    const good = await openSocket(`${wss}/b/chat`, ALLOWED);
    assert.equal(good.status, 101);
    assert.equal(await echo(good.ws!, 'hello'), 'b:hello');
    assert.equal(await echo(good.ws!, 'again'), 'b:again');
    good.ws!.close();
    const before = b.handshakes.length;
    const bad = await openSocket(`${wss}/b/chat`, 'https://evil.example');
    assert.equal(bad.status, 403);
    assert.equal(JSON.parse(bad.body).error.code, 'origin-not-allowed');
    assert.equal(b.handshakes.length, before, 'the upstream saw no handshake from the refused origin');
    const noOrigin = await openSocket(`${wss}/b/chat`, null);
    assert.equal(noOrigin.status, 101, 'no Origin (not a browser) passes');
    noOrigin.ws!.close();
    const off = await admin('PUT', `/api/routes/${route.json.id}`, {
      kind: 'allowlist',
      paths: ['/b/*'],
      upstream: b.url,
      websocket: false,
    });
    assert.equal(off.status, 200, off.text);
    const refused = await openSocket(`${wss}/b/chat`, ALLOWED);
    assert.equal(refused.status, 403);
    assert.equal(JSON.parse(refused.body).error.code, 'websocket-refused');
    const metrics = await (await fetch(`${gw.admin}/metrics`)).text();
    assert.match(
      metrics,
      /corsgate_websocket_handshakes_total\{decision="refused",reason="origin-not-allowed",route="[^"]+"\} 1/,
    );
    // Log lines are written in batches (every 100 ms): wait for the refused handshake's line.
    await eventually(async () => /"msg":"websocket".*"decision":"refused"/.test(gw.stdout));

    // SIGHUP: a new pair for new connections, the open h2 connection keeps working; a bad file keeps the pair.
    const port = Number(new URL(gw.proxy).port);
    const session = connect(gw.proxy, { rejectUnauthorized: false });
    assert.equal((await h2get(session, '/a/1')).status, 200);
    const oldPrint = await peerCert(port);
    const next = makeCert(tmp.dir, 'next', 'renewed');
    copyFileSync(next.cert, pair.cert);
    copyFileSync(next.key, pair.key);
    gw.child.kill('SIGHUP');
    await eventually(async () => /"listener":"proxy".*TLS certificate reloaded/.test(gw.stdout));
    const newPrint = await peerCert(port);
    assert.notEqual(newPrint, oldPrint);
    assert.equal(newPrint, new X509Certificate(readFileSync(next.cert)).fingerprint256);
    assert.equal((await h2get(session, '/a/2')).status, 200, 'the open h2 connection survived the reload');
    writeFileSync(pair.key, 'not a key');
    gw.child.kill('SIGHUP');
    await eventually(async () => /"listener":"proxy".*TLS certificate not reloaded/.test(gw.stdout));
    assert.equal(await peerCert(port), newPrint, 'a bad file keeps the previous pair');
    assert.equal((await h2get(session, '/a/3')).status, 200);
    session.close();
  } finally {
    await gw.stop();
    await a.close();
    await b.close();
    tmp.cleanup();
  }
});

test('HTTPS: half a certificate pair or an unreadable file stops the start with a clear message', async () => {
  const tmp = tempDir();
  try {
    await assert.rejects(
      startCli(['--store', `sqlite:${tmp.dir}/x.db`, '--tls-cert', `${tmp.dir}/c.pem`]),
      /--tls-key is missing/,
    );
    await assert.rejects(
      startCli([
        '--store',
        `sqlite:${tmp.dir}/x.db`,
        '--tls-cert',
        `${tmp.dir}/c.pem`,
        '--tls-key',
        `${tmp.dir}/k.pem`,
      ]),
      /--tls-cert\/--tls-key: ENOENT/,
    );
  } finally {
    tmp.cleanup();
  }
});

test('HTTPS upstreams: --upstream-ca trusts a private CA, --upstream-insecure warns; two workers each reload on SIGHUP', async () => {
  const tmp = tempDir();
  const upPair = makeCert(tmp.dir, 'upstream');
  const { createServer: createHttpsServer } = await import('node:https');
  const seen: string[] = [];
  const server = createHttpsServer(
    { cert: readFileSync(upPair.cert), key: readFileSync(upPair.key) },
    (req, res) => {
      seen.push(`${req.url} ${req.headers['x-forwarded-proto']}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"tls":true}');
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const upstream = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  const pair = makeCert(tmp.dir, 'front');
  const trusted = await startCli([
    '--upstream',
    upstream,
    '--upstream-ca',
    upPair.cert,
    '--workers',
    '2',
    '--store',
    `sqlite:${tmp.dir}/t.db`,
    '--tls-cert',
    pair.cert,
    '--tls-key',
    pair.key,
  ]);
  try {
    const r = await curl(['--http2', `${trusted.proxy}/over-tls`]);
    assert.match(r.status, /^HTTP\/2 200/);
    assert.equal(r.body, '{"tls":true}');
    assert.deepEqual(seen, ['/over-tls https']);
    trusted.child.kill('SIGHUP');
    await eventually(
      async () => (trusted.stdout.match(/"listener":"proxy".*TLS certificate reloaded/g) ?? []).length >= 2,
    );
  } finally {
    await trusted.stop();
  }
  // Without the CA the upstream's certificate is refused: 502, never a silent plain-text fallback.
  const untrusted = await startCli(['--upstream', upstream, '--store', `sqlite:${tmp.dir}/u.db`]);
  try {
    const res = await fetch(`${untrusted.proxy}/x`);
    assert.equal(res.status, 502);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'upstream-unreachable');
  } finally {
    await untrusted.stop();
  }
  const insecure = await startCli([
    '--upstream',
    upstream,
    '--upstream-insecure',
    '--store',
    `sqlite:${tmp.dir}/i.db`,
  ]);
  try {
    assert.equal((await fetch(`${insecure.proxy}/y`)).status, 200);
    assert.match(insecure.stdout, /--upstream-insecure: https:\/\/ upstreams' certificates are not verified/);
  } finally {
    await insecure.stop();
    server.close();
    tmp.cleanup();
  }
});

test('plain HTTP: curl --http2 (an h2c Upgrade) gets the ordinary HTTP/1.1 answer, and a keep-alive request after it too', async () => {
  const tmp = tempDir();
  const a = await startEchoUpstream('a');
  const gw = await startCli(['--upstream', a.url, '--store', `sqlite:${tmp.dir}/p.db`]);
  try {
    const r = await curl(['--http2', `${gw.proxy}/h2c`, `${gw.proxy}/again`]);
    assert.match(r.status, /^HTTP\/1\.1 200/);
    assert.deepEqual(a.requests, ['GET /h2c', 'GET /again']);
  } finally {
    await gw.stop();
    await a.close();
    tmp.cleanup();
  }
});
