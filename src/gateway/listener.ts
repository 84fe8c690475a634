/**
 * HTTP listeners with limits against misbehaving clients: a headers timeout (slowloris), a request
 * timeout, a keep-alive timeout, a header size and count cap (431), and a connection cap at which
 * the oldest idle connection is closed to make room (a silent connection is idle), so that
 * thousands of idle sockets never lock out a well-behaved client. Every listener gets its own.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { GatewayConfig } from './config.js';

export type ListenerLimits = Pick<GatewayConfig, 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'maxHeaderSize' | 'maxHeaders' | 'maxConnections'>;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** What a listener tells about its connections (for /metrics). */
export interface ConnectionStats {
  open: number;
  /** Idle connections closed to admit a new one, plus new ones refused when none was idle. */
  evicted: number;
}

const TOO_MANY_HEADERS = JSON.stringify({ error: { code: 'headers-too-many', message: 'the request has more header fields than this gateway accepts' } });

/** Node sets `_httpMessage` on a socket while a response is in progress on it. */
function isIdle(socket: Socket): boolean {
  return (socket as Socket & { _httpMessage?: unknown })._httpMessage == null;
}

export function createLimitedServer(limits: ListenerLimits, handle: Handler, onContinue?: Handler, stats: ConnectionStats = { open: 0, evicted: 0 }): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      maxHeaderSize: limits.maxHeaderSize,
      // Node checks the two timeouts on this interval (30 s by default): check often enough to keep them.
      connectionsCheckingInterval: Math.max(250, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (req, res) => {
      // Node keeps at most maxHeadersCount fields and drops the rest silently: one more than the cap tells.
      if (req.rawHeaders.length > limits.maxHeaders * 2) {
        res.writeHead(431, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(TOO_MANY_HEADERS), Connection: 'close' });
        res.end(TOO_MANY_HEADERS);
        return;
      }
      handle(req, res);
    },
  );
  server.maxHeadersCount = limits.maxHeaders + 1;
  if (onContinue) server.on('checkContinue', onContinue);
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    if (open.size >= limits.maxConnections) {
      // At the cap: close the oldest idle connection (Sets iterate in insertion order), else this one.
      let evicted = false;
      for (const s of open) {
        if (isIdle(s)) {
          s.destroy();
          open.delete(s);
          evicted = true;
          break;
        }
      }
      stats.evicted++;
      if (!evicted) {
        socket.destroy();
        return;
      }
    }
    open.add(socket);
    stats.open = open.size;
    socket.once('close', () => {
      open.delete(socket);
      stats.open = open.size;
    });
  });
  return server;
}

export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolvePort((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting, closes idle connections, and gives in-flight requests `graceMs` to finish. */
export function closeServer(server: Server, graceMs = 5000): Promise<void> {
  return new Promise((res) => {
    if (!server.listening) return res();
    server.close(() => res());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), graceMs).unref();
  });
}

export function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
