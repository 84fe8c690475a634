/**
 * A worker's edge: its upstreams (one pool each, following the snapshots), and its proxy listener,
 * plain HTTP or HTTPS (h2 and HTTP/1.1) with `--tls-cert`, with the WebSocket handshakes decided on
 * it and the certificate reloaded on SIGHUP.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { GateEdge } from './headers.js';
import { createLimitedServer, type ConnectionStats } from './listener.js';
import { createSecureProxyServer, type SecureProxyServer } from './listener-tls.js';
import type { AccessLog } from './log.js';
import type { Metrics } from './metrics.js';
import type { WorkerConfig } from './protocol.js';
import { onReload } from './signals.js';
import type { Snapshot } from './snapshot.js';
import { filesOf, readTlsPair, reloadTls, upstreamTls, type TlsFiles } from './tls.js';
import { asOrdinaryRequest, createUpgradeHandler } from './upgrade.js';
import { UpstreamSet, type Upstream } from './upstreams.js';

export interface WorkerEdge {
  tlsFiles: TlsFiles | null;
  edge: GateEdge;
  upstreams: UpstreamSet;
  /** Counts and logs an upstream failure (the forwarder and the WebSocket relay report them). */
  upstreamFailed(kind: string, detail: string, upstream: Upstream): void;
}

export function workerEdge(config: WorkerConfig, metrics: Metrics, logger: Logger): WorkerEdge {
  const tlsFiles = filesOf(config.tlsCert, config.tlsKey);
  const upstreams = new UpstreamSet(
    new URL(config.upstream),
    {
      timeoutMs: config.timeoutMs,
      connectTimeoutMs: config.connectTimeoutMs,
      maxInFlight: config.maxInFlight,
      tls: upstreamTls(config.upstreamCa, config.upstreamInsecure),
    },
    (name) => metrics.upstreamTimer(name),
  );
  return {
    tlsFiles,
    edge: { scheme: tlsFiles ? 'https' : 'http', trustProxy: config.trustProxy === true },
    upstreams,
    upstreamFailed: (kind, detail, upstream) => {
      metrics.upstreamError(kind, upstream.name);
      logger.warn({ kind, upstream: detail }, 'upstream failure');
    },
  };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** The proxy listener with its request handlers, WebSocket handshakes and (with TLS) SIGHUP reload. */
export function proxyListener(
  config: WorkerConfig,
  e: WorkerEdge,
  handlers: { request: Handler; continued: Handler },
  connections: ConnectionStats,
  current: () => Snapshot,
  log: { metrics: Metrics; access: AccessLog; logger: Logger },
) {
  const files = e.tlsFiles;
  const server = files
    ? createSecureProxyServer(config, readTlsPair(files), handlers.request, handlers.continued, connections)
    : createLimitedServer(config, handlers.request, handlers.continued, connections);
  server.on(
    'upgrade',
    createUpgradeHandler(
      current,
      e.upstreams,
      {
        handshakeTimeoutMs: config.websocketHandshakeTimeoutMs,
        idleTimeoutMs: config.websocketIdleTimeoutMs,
        edge: e.edge,
        ...(files ? {} : { ordinary: asOrdinaryRequest(server) }),
      },
      {
        handshake: (req, outcome, status, upstreamMs) => {
          log.metrics.websocketHandshake(outcome.decision, outcome.reason, outcome.route.id);
          log.access.handshake(req, outcome, status, upstreamMs);
        },
        upstreamError: e.upstreamFailed,
      },
    ),
  );
  // SIGHUP (e.g. after a certificate renewal): the pair from disk again; a bad file keeps the old one.
  if (files)
    onReload(
      'TLS certificate',
      () => void reloadTls(server as SecureProxyServer, files, log.logger, 'proxy'),
    );
  return server;
}
