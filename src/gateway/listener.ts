/**
 * HTTP listeners with limits against misbehaving clients: a headers timeout (slowloris), a request
 * timeout, a keep-alive timeout, a header size and count cap (431), and a connection cap at which
 * the oldest idle connection is closed to make room (a silent connection is idle), so that
 * thousands of idle sockets never lock out a well-behaved client. Every listener gets its own.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { EventEmitter } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import type { GatewayConfig } from './config.js';

export type ListenerLimits = Pick<
  GatewayConfig,
  | 'headersTimeoutMs'
  | 'requestTimeoutMs'
  | 'keepAliveTimeoutMs'
  | 'maxHeaderSize'
  | 'maxHeaders'
  | 'maxConnections'
>;

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** What a listener tells about its connections (for /metrics). */
export interface ConnectionStats {
  open: number;
  /** Idle connections closed to admit a new one, plus new ones refused when none was idle. */
  evicted: number;
}

const TOO_MANY_HEADERS = JSON.stringify({
  error: {
    code: 'headers-too-many',
    message: 'the request has more header fields than this gateway accepts',
  },
});

/** Sockets taken over by an upgrade (an open WebSocket): never idle, whatever their traffic. */
const busy = new WeakSet<Socket>();

export function markBusy(socket: Socket): void {
  busy.add(socket);
}

/** Node sets `_httpMessage` on a socket while a response is in progress on it. */
export function isIdle(socket: Socket): boolean {
  return (socket as Socket & { _httpMessage?: unknown })._httpMessage == null && !busy.has(socket);
}

/** The 431 for one field too many (Node drops fields past maxHeadersCount silently); `pseudo`: h2's four pseudo-header pairs. */
export function tooManyHeaders(req: IncomingMessage, res: ServerResponse, limits: ListenerLimits): boolean {
  const pseudo = req.httpVersionMajor === 2 ? 8 : 0;
  if (req.rawHeaders.length <= limits.maxHeaders * 2 + pseudo) return false;
  // `Connection` is a connection-specific field HTTP/2 forbids (RFC 9113 §8.2.2).
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(TOO_MANY_HEADERS),
  };
  if (pseudo === 0) headers.Connection = 'close';
  res.writeHead(431, headers);
  res.end(TOO_MANY_HEADERS);
  return true;
}

/**
 * The connection cap: at the cap the oldest idle connection (Sets iterate in insertion order) is
 * closed for a new one, else the new one. `event` is `connection` for plain HTTP and
 * `secureConnection` for TLS (the socket that carries the requests); `idle` says whether one
 * carries nothing in progress.
 */
export function capConnections(
  server: EventEmitter,
  event: string,
  limits: ListenerLimits,
  stats: ConnectionStats,
  idle: (s: Socket) => boolean = isIdle,
): void {
  const open = new Set<Socket>();
  server.on(event, (socket: Socket) => {
    if (open.size >= limits.maxConnections) {
      let evicted = false;
      for (const s of open) {
        if (idle(s)) {
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
}

/** Node's HTTP/1.1 timeouts and caps on a server (an HTTP/2 server's HTTP/1.1 side reads the same fields). */
export function applyHttp1Limits(server: Server | EventEmitter, limits: ListenerLimits): void {
  const s = server as Server;
  s.headersTimeout = limits.headersTimeoutMs;
  s.requestTimeout = Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs);
  s.keepAliveTimeout = limits.keepAliveTimeoutMs;
  s.maxHeadersCount = limits.maxHeaders + 1;
}

/** The HTTP/1.1 server options both listeners (plain and TLS) take from the limits. */
export function serverOptions(limits: ListenerLimits) {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxHeaderSize: limits.maxHeaderSize,
    // Node checks the two timeouts on this interval (30 s by default): check often enough to keep them.
    connectionsCheckingInterval: Math.max(250, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

export function createLimitedServer(
  limits: ListenerLimits,
  handle: Handler,
  onContinue?: Handler,
  stats: ConnectionStats = { open: 0, evicted: 0 },
): Server {
  const server = createServer(serverOptions(limits), (req, res) => {
    if (!tooManyHeaders(req, res, limits)) handle(req, res);
  });
  server.maxHeadersCount = limits.maxHeaders + 1;
  if (onContinue) server.on('checkContinue', onContinue);
  capConnections(server, 'connection', limits, stats);
  return server;
}

export function listen(any: Server | HttpsServer | Listening, port: number, host: string): Promise<number> {
  const server = any as Listening;
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolvePort((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting, closes idle connections, and gives in-flight requests `graceMs` to finish. */
export function closeServer(server: Server | HttpsServer | Listening, graceMs = 5000): Promise<void> {
  if (typeof (server as Listening).shutdown === 'function') return (server as Listening).shutdown(graceMs);
  server = server as Server;
  return new Promise((res) => {
    if (!server.listening) return res();
    server.close(() => res());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), graceMs).unref();
    // Upgraded sockets (WebSockets) are no longer Node's HTTP connections: do not wait on them past the grace.
    setTimeout(res, graceMs + 250).unref();
  });
}

/** A listener that is not a plain node:http Server (the TLS one) drains itself. */
export interface Listening extends EventEmitter {
  listening: boolean;
  listen(port: number, host: string, cb: () => void): unknown;
  address(): AddressInfo | string | null;
  shutdown(graceMs: number): Promise<void>;
}

export function urlOf(host: string, port: number, tls = false): string {
  return `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
