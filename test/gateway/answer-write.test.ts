// The empty answers the gateway writes itself: its pre-built head must reach the client byte for
// byte as Node's own writeHead(204, list) would send it, on every kind of connection, over real
// loopback sockets (only Date may differ, by a second boundary).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { directAnswers, writeAnswer } from '../../src/gateway/answer-write.js';
import type { Answer } from '../../src/gateway/core/outcome.js';
import { emptyAnswerHead } from '../../src/gateway/core/wire-head.js';

const LIST = [
  'Access-Control-Allow-Origin',
  'https://app.example.com',
  'Access-Control-Allow-Credentials',
  'true',
  'Access-Control-Allow-Methods',
  'GET, HEAD, POST, PUT, PATCH, DELETE',
  'Access-Control-Max-Age',
  '600',
  'Vary',
  'Origin',
];

function answer(list: readonly string[], status = 204): Answer {
  return {
    kind: 'answer',
    route: null as unknown as Answer['route'],
    decision: 'allowed',
    reason: 'allowed',
    preflight: true,
    origin: 'https://app.example.com',
    status,
    headers: {},
    headerList: list,
    head: emptyAnswerHead(status, list),
  };
}

/** Sends `request` on a new connection; resolves with the bytes received and whether the server closed it. */
function exchange(port: number, request: string, idleMs = 300): Promise<{ bytes: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let bytes = '';
    let timer = setTimeout(() => finish(false), idleMs * 4);
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ bytes: bytes.replace(/^Date: .*$/gm, 'Date: <date>'), closed });
    };
    socket.on('data', (d) => {
      bytes += d.toString('latin1');
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), idleMs);
    });
    socket.on('end', () => finish(true));
    socket.on('error', reject);
    socket.write(request);
  });
}

const PREFLIGHT =
  'OPTIONS /a HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: PUT\r\n';
const CASES: [string, string][] = [
  ['HTTP/1.1, kept alive, two pipelined', `${PREFLIGHT}\r\n${PREFLIGHT}\r\n`],
  ['HTTP/1.1 with Connection: close', `${PREFLIGHT}Connection: close\r\n\r\n`],
  ['HTTP/1.0', 'OPTIONS /a HTTP/1.0\r\nOrigin: https://app.example.com\r\n\r\n'],
  ['HTTP/1.0 with Connection: keep-alive', 'OPTIONS /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'],
];

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

const SETUPS: [string, (s: Server) => void][] = [
  ['default server', () => undefined],
  ['keepAliveTimeout 0', (s) => (s.keepAliveTimeout = 0)],
  ['keepAliveTimeout 65 s', (s) => (s.keepAliveTimeout = 65_000)],
  ['maxRequestsPerSocket 2', (s) => (s.maxRequestsPerSocket = 2)],
];

test('the direct path is in use on this Node (its probe found the fields it relies on)', () => {
  assert.equal(directAnswers, true);
});

for (const [setupName, setup] of SETUPS) {
  describe(`an empty 204 answer, ${setupName}`, () => {
    const a = answer(LIST);
    const servers: Server[] = [];
    let direct = 0;
    let node = 0;
    before(async () => {
      const ours = createServer((req, res) => {
        writeAnswer(res, a);
        req.resume();
      });
      const nodes = createServer((req, res) => {
        res.writeHead(204, a.headerList as string[]);
        res.end();
        req.resume();
      });
      setup(ours);
      setup(nodes);
      servers.push(ours, nodes);
      direct = await listen(ours);
      node = await listen(nodes);
    });
    after(() =>
      servers.forEach((s) => {
        s.closeAllConnections();
        s.close();
      }),
    );

    for (const [name, request] of CASES)
      test(`${name}: the same bytes and the same connection handling as writeHead`, async () => {
        const [got, want] = await Promise.all([exchange(direct, request), exchange(node, request)]);
        assert.match(want.bytes, /^HTTP\/1\.1 204 No Content\r\n/);
        assert.equal(got.bytes, want.bytes);
        assert.equal(got.closed, want.closed, 'the connection is closed exactly when Node would close it');
      });

    test('three pipelined requests (past maxRequestsPerSocket where set)', async () => {
      const request = `${PREFLIGHT}\r\n`.repeat(3);
      const [got, want] = await Promise.all([exchange(direct, request), exchange(node, request)]);
      assert.equal(got.bytes, want.bytes);
      assert.equal(got.closed, want.closed);
    });
  });
}

test('without a head (a status other than 204) the answer goes through writeHead, Content-Length included', async () => {
  const a = answer([...LIST, 'Content-Length', '0'], 200);
  assert.equal(a.head, null);
  const server = createServer((req, res) => {
    writeAnswer(res, a);
    req.resume();
  });
  const port = await listen(server);
  const { bytes } = await exchange(port, `${PREFLIGHT}Connection: close\r\n\r\n`);
  server.close();
  assert.match(bytes, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(bytes, /\r\nContent-Length: 0\r\n/);
  assert.match(bytes, /\r\nAccess-Control-Allow-Origin: https:\/\/app\.example\.com\r\n/);
});

test('a head is built only from fields writeHead would accept and does not frame itself', () => {
  assert.equal(emptyAnswerHead(204, []), 'HTTP/1.1 204 No Content\r\n');
  assert.equal(
    emptyAnswerHead(204, ['Vary', 'Origin', 'X-A', 'a\tb']),
    'HTTP/1.1 204 No Content\r\nVary: Origin\r\nX-A: a\tb\r\n',
  );
  assert.equal(emptyAnswerHead(200, ['Vary', 'Origin']), null, 'only a 204');
  assert.equal(emptyAnswerHead(204, ['X-A', 'a\r\nSet-Cookie: x=1']), null, 'no CR LF in a value');
  assert.equal(emptyAnswerHead(204, ['X-A', 'a\u0000']), null, 'no control character in a value');
  assert.equal(emptyAnswerHead(204, ['Bad Name', 'a']), null, 'a name is a token');
  assert.equal(emptyAnswerHead(204, ['X-\u0100', 'a']), null);
  for (const framing of ['Connection', 'content-length', 'Date', 'Transfer-Encoding', 'Trailer', 'Expect'])
    assert.equal(emptyAnswerHead(204, [framing, 'x']), null, `${framing} is left to writeHead`);
});

/** The answers a keep-alive connection receives, one per request, each as its head's fields. */
async function sequence(port: number, requests: string[]): Promise<Map<string, string>[]> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const heads: Map<string, string>[] = [];
  let buffered = '';
  for (const request of requests) {
    socket.write(request);
    while (!buffered.includes('\r\n\r\n'))
      buffered += await new Promise<string>((r) => socket.once('data', (d) => r(d.toString('latin1'))));
    const end = buffered.indexOf('\r\n\r\n');
    const fields = new Map<string, string>();
    for (const line of buffered.slice(0, end).split('\r\n').slice(1)) {
      const colon = line.indexOf(':');
      fields.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    heads.push(fields);
    buffered = buffered.slice(end + 4);
  }
  socket.destroy();
  return heads;
}

test('answers kept whole for the second carry their own head and the current Date, past a second boundary', async () => {
  const other = answer(['Access-Control-Allow-Origin', 'https://other.example.com', 'Vary', 'Origin']);
  const server = createServer((req, res) => {
    writeAnswer(res, req.headers.origin === 'https://other.example.com' ? other : answer(LIST));
    req.resume();
  });
  const port = await listen(server);
  const ask = (origin: string) => `OPTIONS /a HTTP/1.1\r\nHost: x\r\nOrigin: ${origin}\r\n\r\n`;
  const before = Date.now();
  const first = await sequence(port, [ask('https://app.example.com'), ask('https://other.example.com')]);
  // Into the next second: the Date must move on, as Node's own does.
  await new Promise((r) => setTimeout(r, 1100 - (Date.now() % 1000)));
  const second = await sequence(port, [ask('https://other.example.com'), ask('https://app.example.com')]);
  const after = Date.now();
  server.close();
  const origins = [...first, ...second].map((h) => h.get('access-control-allow-origin'));
  assert.deepEqual(origins, [
    'https://app.example.com',
    'https://other.example.com',
    'https://other.example.com',
    'https://app.example.com',
  ]);
  const dates = [...first, ...second].map((h) => Date.parse(h.get('date')!));
  for (const d of dates) assert.ok(d >= Math.floor(before / 1000) * 1000 && d <= after, `Date ${d} is now`);
  assert.ok(dates[2]! > dates[0]!, 'the Date of the later second is later');
  assert.equal(first[0]!.get('keep-alive'), 'timeout=5');
});
