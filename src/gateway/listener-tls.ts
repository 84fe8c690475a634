/**
 * The TLS listeners, with the same limits as the plain ones (listener.ts). The proxy's is a
 * `node:http2` secure server with `allowHTTP1`: ALPN picks `h2` or `http/1.1` per connection
 * (RFC 9113 §3.2), and HTTP/1.1 connections (WebSocket upgrades among them) are served by Node's
 * HTTP/1.1 code with its usual timeouts. The admin listener serves HTTPS over HTTP/1.1.
 */
import {
  createSecureServer,
  type Http2SecureServer,
  type Http2Session,
  type ServerHttp2Session,
} from 'node:http2';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  applyHttp1Limits,
  capConnections,
  isIdle,
  serverOptions,
  tooManyHeaders,
  type ConnectionStats,
  type Handler,
  type Listening,
  type ListenerLimits,
} from './listener.js';
import type { TlsPair } from './tls.js';

/** HTTP/2 sessions by their TLS socket: a session with streams in progress is not idle. */
const sessions = new WeakMap<Socket, Http2Session>();

function tlsIdle(socket: Socket): boolean {
  const session = sessions.get(socket);
  if (session !== undefined) return openStreams(session) === 0;
  return isIdle(socket);
}

const kStreams = Symbol('corsgate.streams');
function openStreams(session: Http2Session): number {
  return (session as Http2Session & { [kStreams]?: number })[kStreams] ?? 0;
}

export type SecureProxyServer = Http2SecureServer & Listening;

/** The proxy's HTTPS listener: h2 and HTTP/1.1 on one port, every limit of the plain listener kept. */
export function createSecureProxyServer(
  limits: ListenerLimits,
  pair: TlsPair,
  handle: Handler,
  onContinue: Handler | undefined,
  stats: ConnectionStats,
): SecureProxyServer {
  const server = createSecureServer(
    {
      allowHTTP1: true,
      cert: pair.cert,
      key: pair.key,
      // A TLS handshake is part of sending the request head: the same slowloris bound.
      handshakeTimeout: limits.headersTimeoutMs,
      // HTTP/2's own bounds on a request head (RFC 9113 §6.5.2), plus the four pseudo-headers.
      maxHeaderListPairs: limits.maxHeaders + 5,
      settings: { maxHeaderListSize: limits.maxHeaderSize },
      maxSessionMemory: 16,
    },
    (req, res) => {
      const r = req as unknown as IncomingMessage;
      const s = res as unknown as ServerResponse;
      if (!tooManyHeaders(r, s, limits)) handle(r, s);
    },
  ) as SecureProxyServer;
  applyHttp1Limits(server, limits);
  // An HTTP/2 connection with no stream open for the keep-alive time is closed, as HTTP/1.1's are.
  server.setTimeout(limits.keepAliveTimeoutMs, (session?: unknown) =>
    (session as Http2Session | undefined)?.close?.(),
  );
  if (onContinue)
    server.on('checkContinue', (req, res) =>
      onContinue(req as unknown as IncomingMessage, res as unknown as ServerResponse),
    );
  const live = new Set<ServerHttp2Session>();
  server.on('session', (session: ServerHttp2Session) => {
    live.add(session);
    session.once('close', () => live.delete(session));
    if (session.socket) sessions.set(session.socket as Socket, session);
    session.on('stream', (stream) => {
      const counted = session as ServerHttp2Session & { [kStreams]?: number };
      counted[kStreams] = (counted[kStreams] ?? 0) + 1;
      stream.once('close', () => void (counted[kStreams] = (counted[kStreams] ?? 1) - 1));
    });
  });
  capConnections(server, 'secureConnection', limits, stats, tlsIdle);
  const tracked = new Set<Socket>();
  server.on('secureConnection', (socket: Socket) => {
    tracked.add(socket);
    socket.once('close', () => tracked.delete(socket));
  });
  server.shutdown = (graceMs: number) =>
    new Promise<void>((res) => {
      if (!server.listening) return res();
      server.close(() => res());
      // GOAWAY to every h2 client (streams in progress finish), idle HTTP/1.1 connections closed.
      for (const session of live) session.close();
      for (const socket of tracked) if (!sessions.has(socket) && isIdle(socket)) socket.destroy();
      setTimeout(() => {
        for (const socket of tracked) socket.destroy();
        res();
      }, graceMs).unref();
    });
  return server;
}

/** The admin listener over HTTPS (HTTP/1.1), with the plain listener's limits. */
export function createSecureAdminServer(
  limits: ListenerLimits,
  pair: TlsPair,
  handle: Handler,
  stats: ConnectionStats,
): HttpsServer {
  const server = createHttpsServer(
    {
      cert: pair.cert,
      key: pair.key,
      handshakeTimeout: limits.headersTimeoutMs,
      ...serverOptions(limits),
    },
    (req, res) => {
      if (!tooManyHeaders(req, res, limits)) handle(req, res);
    },
  );
  server.maxHeadersCount = limits.maxHeaders + 1;
  capConnections(server, 'secureConnection', limits, stats);
  return server;
}
