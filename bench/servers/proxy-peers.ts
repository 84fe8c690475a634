/**
 * The proxies corsgate is measured against, one per process:
 * `node dist/bench/servers/proxy-peers.js <name> <upstream URL>`, printing `READY <port>`.
 * - floor: node:http + undici `Pool.dispatch()` whose handler writes straight into the response,
 *   the raw headers passed through, no CORS: what Node itself needs to forward a request;
 * - preflight-floor: a bare node:http server answering every request 204. Node adds Date,
 *   Connection and Keep-Alive, so the answer is `HTTP/1.1 204 No Content` and those three fields
 *   (about 110 bytes, no CORS field at all);
 * - preflight-floor-cors: the same server answering 204 with the header block corsgate's allowed
 *   preflight carries (Access-Control-Allow-Origin/-Credentials/-Methods/-Headers/-Max-Age and
 *   Vary, the request's Origin and Access-Control-Request-Headers echoed, about 330 bytes): what
 *   Node itself needs to send that answer, one `writeHead(204, flatArray)`;
 * - reply-from: fastify + @fastify/reply-from (request bodies streamed, not parsed);
 * - http-proxy: node:http + http-proxy with a keep-alive agent.
 */
import http, { type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const [, , name = 'floor', upstream = 'http://127.0.0.1:1'] = process.argv;

function ready(server: http.Server): void {
  server.listen(0, '127.0.0.1', () => console.log(`READY ${(server.address() as AddressInfo).port}`));
}

/**
 * The least a correct dispatch proxy does. A client that goes away mid-answer (wrk does, at the end
 * of every run) aborts the upstream request: otherwise that upstream connection waits for a
 * 'drain' that never comes, and after a few runs the pool has none left.
 */
class FloorHandler {
  private resume: (() => void) | null = null;
  private abort: ((err?: Error) => void) | null = null;
  constructor(private readonly res: ServerResponse) {}
  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
  }
  onHeaders(status: number, raw: Buffer[], resume: () => void): boolean {
    this.resume = resume;
    const headers: string[] = new Array(raw.length);
    for (let i = 0; i < raw.length; i++) headers[i] = raw[i]!.toString('latin1');
    this.res.writeHead(status, headers);
    return true;
  }
  onData(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true;
    if (this.res.destroyed) {
      this.abort?.();
      return false;
    }
    this.res.once('drain', () => this.resume?.());
    return false;
  }
  onComplete(): void {
    this.res.end();
  }
  onError(): void {
    if (!this.res.headersSent) this.res.writeHead(502);
    this.res.end();
  }
}

if (name === 'floor') {
  const pool = new Pool(upstream, { connections: 256 });
  ready(
    http.createServer((req, res) => {
      const hasBody =
        req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
      pool.dispatch(
        { path: req.url!, method: req.method as 'GET', headers: req.rawHeaders, body: hasBody ? req : null },
        new FloorHandler(res),
      );
    }),
  );
} else if (name === 'preflight-floor') {
  ready(
    http.createServer((req, res) => {
      res.writeHead(204);
      res.end();
      req.resume();
    }),
  );
} else if (name === 'preflight-floor-cors') {
  ready(
    http.createServer((req, res) => {
      const h = req.headers;
      res.writeHead(204, [
        'Access-Control-Allow-Origin',
        h.origin ?? '',
        'Access-Control-Allow-Credentials',
        'true',
        'Access-Control-Allow-Methods',
        'GET, HEAD, POST, PUT, PATCH, DELETE',
        'Access-Control-Allow-Headers',
        h['access-control-request-headers'] ?? '',
        'Access-Control-Max-Age',
        '600',
        'Vary',
        'Origin, Access-Control-Request-Headers',
      ]);
      res.end();
      req.resume();
    }),
  );
} else if (name === 'reply-from') {
  const { default: Fastify } = await import('fastify');
  const { default: replyFrom } = await import('@fastify/reply-from');
  const app = Fastify({ logger: false });
  // Bodies are streamed to the upstream as they are, never parsed.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
  await app.register(replyFrom, { base: upstream, undici: { connections: 256 } });
  app.all('/*', (req, reply) => reply.from(req.url));
  await app.listen({ port: 0, host: '127.0.0.1' });
  console.log(`READY ${(app.server.address() as AddressInfo).port}`);
} else if (name === 'http-proxy') {
  const { default: httpProxy } = await import('http-proxy');
  const proxy = httpProxy.createProxyServer({
    target: upstream,
    agent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
  });
  proxy.on('error', (_err, _req, res) => {
    const r = res as ServerResponse;
    if (!r.headersSent) r.writeHead(502);
    r.end();
  });
  ready(http.createServer((req, res) => proxy.web(req, res)));
} else {
  console.error(`unknown proxy peer ${name}`);
  process.exit(2);
}
