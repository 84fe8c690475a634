/**
 * The admin listener of a gateway node (one per node, whatever the number of workers): the
 * console, /api, /metrics for the whole node, /healthz and /readyz.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import { handleApi, type ApiContext } from './admin/api.js';
import { ApiError, sendJson } from './admin/http.js';
import { serveConsole } from './admin/static.js';
import type { WorkerPool } from './cluster.js';
import type { GatewayConfig } from './config.js';
import { engine } from './engine.js';
import type { FleetNode } from './fleet/node.js';
import { closeServer, createLimitedServer, listen, urlOf } from './listener.js';
import { createSecureAdminServer } from './listener-tls.js';
import { reloadTls, type TlsFiles, type TlsPair } from './tls.js';
import { nodeMetrics, type Metrics } from './metrics.js';
import { SnapshotNotPublished, type SnapshotPipeline } from './pipeline.js';
import { onReload } from './signals.js';
import type { UsageCollector } from './usage/collector.js';

/** How long a write's answer waits for its snapshot to be in force on every worker. */
const PUBLISH_TIMEOUT_MS = 15_000;

/** What the admin listener serves from: the node's store, workers, snapshot pipeline and counters. */
export interface AdminParts {
  store: Store;
  pool: WorkerPool;
  pipeline: SnapshotPipeline;
  node: FleetNode;
  metrics: Metrics;
  usage: UsageCollector;
  logger: Logger;
  workers: number;
  info: ApiContext['info'];
}

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

function adminContext(parts: AdminParts): ApiContext {
  const { store, pool, pipeline: p, usage } = parts;
  const sync = async () => {
    try {
      await p.whenPublished(await store.version(), PUBLISH_TIMEOUT_MS);
    } catch (err) {
      if (err instanceof SnapshotNotPublished)
        throw new ApiError(503, 'change-not-in-force', err.message, undefined, { version: err.version });
      throw err;
    }
  };
  const reset = async (actor: string) => {
    await usage.flush();
    await store.resetUsage(actor);
    usage.discard();
    pool.resetUsage();
  };
  return {
    store,
    engine,
    snapshot: () => p.info!,
    info: parts.info,
    sync,
    metrics: parts.metrics,
    log: parts.logger,
    usage: { reset, flush: () => usage.flush() },
    fleet: parts.node,
  };
}

/** /metrics: the primary's own metrics merged with every worker's. */
function serveMetrics(pool: WorkerPool, metrics: Metrics, res: ServerResponse): void {
  void pool
    .gatherMetrics()
    .then((all) => nodeMetrics(metrics, all))
    .then(({ text, contentType }) => {
      res.writeHead(200, {
        'content-type': contentType,
        'content-length': Buffer.byteLength(text),
        'cache-control': 'no-store',
      });
      res.end(text);
    })
    .catch((err: Error) =>
      sendJson(res, 500, {
        error: { code: 'internal-error', message: `metrics could not be gathered: ${err.message}` },
      }),
    );
}

function adminHandler(parts: AdminParts, consoleDir: string) {
  const ctx = adminContext(parts);
  const { pool, node, metrics, workers } = parts;
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    res.on('finish', () => metrics.adminRequest(req.method ?? '', res.statusCode));
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok', version: pool.minVersion(), workers });
    if (path === '/readyz') {
      const ready = node.readiness();
      return sendJson(res, ready.status, ready.body);
    }
    if (path === '/metrics') return serveMetrics(pool, metrics, res);
    if (path === '/api' || path.startsWith('/api/')) return void handleApi(ctx, req, res);
    void serveConsole(existsSync(consoleDir) ? consoleDir : null, req, res).catch(() => {
      if (!res.headersSent)
        sendJson(res, 500, { error: { code: 'internal-error', message: 'console file could not be read' } });
    });
  };
}

/**
 * Listens for the admin side and returns its URL. Its cleanups go first in `cleanups` (the listener
 * closes before the workers stop).
 */
export async function startAdmin(
  config: GatewayConfig,
  parts: AdminParts,
  tls: { files: TlsFiles | null; pair: TlsPair | null },
  cleanups: (() => Promise<void>)[],
): Promise<string> {
  const consoleDir = config.consoleDir ? resolve(config.consoleDir) : join(packageRoot(), 'console', 'dist');
  const handler = adminHandler(parts, consoleDir);
  const limits = {
    ...config,
    maxConnections: config.adminMaxConnections,
    requestTimeoutMs: Math.min(config.requestTimeoutMs, 120_000),
  };
  const connections = { open: 0, evicted: 0 };
  parts.metrics.connections('admin', connections);
  const server = tls.pair
    ? createSecureAdminServer(limits, tls.pair, handler, connections)
    : createLimitedServer(limits, handler, undefined, connections);
  const port = await listen(server, config.adminPort, config.adminHost);
  cleanups.unshift(() => closeServer(server));
  // SIGHUP: the admin certificate from disk again (the workers reload the proxy's themselves, signals.ts).
  const files = tls.files;
  if (files) {
    const secure = server as ReturnType<typeof createSecureAdminServer>;
    const unregister = onReload(
      'admin TLS certificate',
      () => void reloadTls(secure, files, parts.logger, 'admin'),
    );
    cleanups.unshift(async () => unregister());
  }
  return urlOf(config.adminHost, port, tls.pair !== null);
}
