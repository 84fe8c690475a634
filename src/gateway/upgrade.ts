/**
 * WebSocket handshakes on the proxy listener (the HTTP/1.1 `upgrade` event, over TLS too): decided
 * by `decideUpgrade` first, so a refused origin gets the usual JSON refusal written on the raw
 * socket and the upstream never sees the handshake. An allowed one is sent to the route's
 * upstream over a new connection (TCP, or TLS for https:// upstreams) and, from the upstream's
 * answer on, the two sockets are piped both ways (`pipe` applies backpressure: a slow reader
 * pauses the other side). The upstream must answer within the handshake timeout (else 504); a
 * socket with no traffic either way for the idle timeout is closed.
 */
import type { IncomingMessage } from 'node:http';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Forward, Outcome } from './core/decide.js';
import { decideUpgrade } from './core/upgrade.js';
import {
  classify,
  clientHost,
  clientScheme,
  connectionTokens,
  forwardedFor,
  forwardedHost,
  H,
  RequestScan,
  type GateEdge,
} from './headers.js';
import { markBusy } from './listener.js';
import type { Snapshot } from './snapshot.js';
import type { Upstream, UpstreamSet } from './upstreams.js';

export interface UpgradeOptions {
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  /** The listener's scheme and whether the proxy in front is trusted (X-Forwarded-Proto/-Host). */
  edge: GateEdge;
  /**
   * Plain HTTP only: serve an Upgrade to anything but WebSocket as the ordinary request it also is
   * (`curl --http2 http://…` asks for h2c; RFC 9110 §7.8 lets a server ignore Upgrade).
   */
  ordinary?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

const UPGRADE_ONLY = new Set(['upgrade', 'http2-settings', 'connection']);

/**
 * Hands an upgrade request back to the HTTP/1.1 server as an ordinary one: its head written again
 * without Upgrade, HTTP2-Settings and Connection, put back in front of the socket's unread bytes,
 * and the socket handed to the server as a new connection (Node detached its parser for the upgrade).
 */
export function asOrdinaryRequest(server: { emit(event: 'connection', socket: Duplex): unknown }) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    let text = `${req.method} ${req.url} HTTP/1.1\r\n`;
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2)
      if (!UPGRADE_ONLY.has(raw[i]!.toLowerCase())) text += `${raw[i]}: ${raw[i + 1]}\r\n`;
    socket.unshift(Buffer.concat([Buffer.from(`${text}\r\n`, 'latin1'), head]));
    server.emit('connection', socket);
  };
}

/** Hears about every handshake: its outcome, and the status the client got (0: no answer). */
export interface UpgradeObserver {
  handshake(req: IncomingMessage, outcome: Outcome, status: number, upstreamMs: number | null): void;
  upstreamError(kind: 'timeout' | 'unreachable', detail: string, upstream: Upstream): void;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  502: 'Bad Gateway',
  504: 'Gateway Timeout',
};

/** An HTTP/1.1 answer written on the raw socket, then the connection closed. */
function writeRaw(socket: Duplex, status: number, code: string, message: string, vary: string | null): void {
  const body = JSON.stringify({ error: { code, message } });
  const reason = REASONS[status] ?? 'Error';
  const head = `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\n${vary ? `Vary: ${vary}\r\n` : ''}Connection: close\r\n\r\n`;
  if (socket.writable) socket.end(head + body);
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** The handshake as sent upstream: hop-by-hop and forwarding fields replaced, the upgrade kept. */
function handshakeHead(
  req: IncomingMessage,
  scan: RequestScan,
  upstream: Upstream,
  path: string,
  edge: GateEdge,
): string {
  const raw = req.rawHeaders;
  const dropped = scan.connection === null ? null : connectionTokens(scan.connection);
  let head = `GET ${upstream.basePath}${path} HTTP/1.1\r\nHost: ${upstream.url.host}\r\n`;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const c = classify(name);
    if (c !== H.other && c !== H.origin && c !== H.contentType) continue;
    const lower = name.toLowerCase();
    if (dropped !== null && dropped.has(lower) && !lower.startsWith('sec-websocket-')) continue;
    head += `${name}: ${raw[i + 1]}\r\n`;
  }
  const ip = req.socket.remoteAddress ?? '';
  head += `Connection: Upgrade\r\nUpgrade: websocket\r\nX-Forwarded-For: ${forwardedFor(scan, ip)}\r\nX-Forwarded-Proto: ${clientScheme(edge, scan)}\r\n`;
  const host = clientHost(edge, scan);
  if (host !== undefined) head += `X-Forwarded-Host: ${host}\r\n`;
  return `${head}\r\n`;
}

function isWebSocket(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'websocket';
}

function openUpstream(upstream: Upstream): Socket {
  const u = upstream.url;
  const https = u.protocol === 'https:';
  const port = Number(u.port || (https ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!https) return connectTcp({ host, port });
  return connectTls({
    host,
    port,
    servername: /^[\d.]+$|:/.test(host) ? undefined : host,
    ALPNProtocols: ['http/1.1'],
    ...upstream.options.tls,
  });
}

/** Pipes an allowed handshake to its upstream and the two sockets both ways. */
function relay(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  outcome: Forward,
  upstream: Upstream,
  scan: RequestScan,
  o: UpgradeOptions,
  observer: UpgradeObserver,
): void {
  const started = performance.now();
  const up = openUpstream(upstream);
  let answered = false;
  const close = () => {
    client.destroy();
    up.destroy();
  };
  up.setTimeout(o.handshakeTimeoutMs, () => {
    if (answered) return;
    answered = true;
    observer.upstreamError(
      'timeout',
      `${upstream.name}: no answer to a WebSocket handshake in ${o.handshakeTimeoutMs} ms`,
      upstream,
    );
    writeRaw(client, 504, 'upstream-timeout', 'the upstream did not answer in time', outcome.vary);
    up.destroy();
    observer.handshake(req, outcome, 504, null);
  });
  up.on('error', (err: Error & { code?: string }) => {
    if (answered) return close();
    answered = true;
    observer.upstreamError(
      'unreachable',
      `${upstream.name}: ${err.code ?? err.name}: ${err.message}`,
      upstream,
    );
    writeRaw(client, 502, 'upstream-unreachable', 'the upstream could not be reached', outcome.vary);
    observer.handshake(req, outcome, 502, null);
  });
  up.write(handshakeHead(req, scan, upstream, outcome.path, o.edge));
  if (head.length > 0) up.write(head);
  let piped = false;
  up.once('data', (first: Buffer) => {
    if (answered) return;
    answered = piped = true;
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(first.toString('latin1', 0, 16));
    observer.handshake(req, outcome, m ? Number(m[1]) : 0, performance.now() - started);
    // From the answer on: an idle timeout both ways, and the sockets piped with backpressure.
    up.setTimeout(o.idleTimeoutMs, close);
    (client as Socket).setTimeout?.(o.idleTimeoutMs, close);
    client.write(first);
    up.pipe(client);
    client.pipe(up);
  });
  // Before the answer, a closed upstream leaves the client its 502/504 (writeRaw closes it).
  up.once('close', () => void (piped && client.destroy()));
  client.once('close', () => up.destroy());
  client.on('error', close);
}

export function createUpgradeHandler(
  getSnapshot: () => Snapshot,
  upstreams: UpstreamSet,
  o: UpgradeOptions,
  observer: UpgradeObserver,
) {
  const scan = new RequestScan();
  const view = {
    method: '',
    target: '',
    host: undefined as string | undefined,
    headers: scan,
    scheme: 'http',
    forwardedHost: null as string | null,
  };
  return function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const websocket = isWebSocket(req.headers.upgrade);
    if (!websocket && o.ordinary) return o.ordinary(req, socket, head);
    const snap = getSnapshot();
    scan.fill(req.headers);
    view.method = req.method ?? '';
    view.target = req.url ?? '/';
    view.host = scan.host;
    view.scheme = clientScheme(o.edge, scan);
    view.forwardedHost = forwardedHost(o.edge, scan);
    const outcome = decideUpgrade(snap, view, websocket);
    outcome.route.tally.count(outcome.decision, outcome.reason, false, outcome.origin);
    socket.on('error', () => socket.destroy());
    if (outcome.kind === 'refuse') {
      writeRaw(socket, outcome.status, outcome.code, outcome.message, outcome.vary);
      observer.handshake(req, outcome, outcome.status, null);
      return;
    }
    const upstream = upstreams.forRoute(outcome.route);
    if (upstream === null) {
      writeRaw(socket, 502, 'upstream-unreachable', 'the upstream could not be reached', outcome.vary);
      observer.handshake(req, outcome, 502, null);
      return;
    }
    // An open WebSocket is never "idle" to the connection cap, whatever its traffic.
    markBusy(socket as Socket);
    relay(req, socket, head, outcome, upstream, scan, o, observer); // reads `scan` before it returns
  };
}
