/**
 * Starts the gateway. This process (the primary) owns the store, the snapshot pipeline, the admin
 * listener (console, /api, /metrics, /healthz) and the built-in demo API; `--workers N` proxy
 * processes share the proxy port and each enforce the snapshot the pipeline hands them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { isPostgresUrl, openStore, StoreError, type Store } from '../store/index.js';
import { handleApi, type ApiContext } from './admin/api.js';
import { ensureBootstrapToken } from './admin/auth.js';
import { ApiError, sendJson } from './admin/http.js';
import { serveConsole } from './admin/static.js';
import { WorkerPool } from './cluster.js';
import type { GatewayConfig } from './config.js';
import { startDemoApi, type DemoApi } from './demo.js';
import { engine } from './engine.js';
import { ConfigCache } from './fleet/cache.js';
import { FleetNode } from './fleet/node.js';
import { defaultNodeId, firstState } from './fleet/start.js';
import { closeServer, createLimitedServer, listen, urlOf } from './listener.js';
import { createSecureAdminServer } from './listener-tls.js';
import { filesOf, readTlsPair, reloadTls, upstreamTls } from './tls.js';
import { createLogger, flushLogs } from './log.js';
import { Metrics, nodeMetrics } from './metrics.js';
import { SnapshotNotPublished, SnapshotPipeline } from './pipeline.js';
import { loadPolicyFile, type LoadedPolicyFile } from './policy-file.js';
import { watchPolicyFile } from './policy-reload.js';
import { handleSighup, onReload } from './signals.js';
import type { SnapshotInfo } from './snapshot.js';
import { UsageCollector } from './usage/collector.js';

export interface Gateway {
  proxyUrl: string;
  adminUrl: string;
  upstream: string;
  store: Store;
  workers: number;
  /** Clear-text admin token when this start generated it (first start only). */
  generatedToken: string | null;
  logger: Logger;
  snapshot(): SnapshotInfo;
  close(): Promise<void>;
}

/** How long a write's answer waits for its snapshot to be in force on every worker. */
const PUBLISH_TIMEOUT_MS = 15_000;

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

export function workerCount(config: GatewayConfig): number {
  return config.workers === 'auto' ? Math.max(1, cpus().length) : config.workers;
}

/** SIGHUP reloads (signals.ts): the policy file (also watched), and whatever the workers registered. Returns the cleanup. */
function startReloads(policy: string | null, fromFile: LoadedPolicyFile | null, pool: WorkerPool, logger: Logger): () => Promise<void> {
  const unworkers = onReload('workers', () => pool.reload());
  const stop = fromFile && policy ? watchPolicyFile(policy, { store: fromFile.store, engine, setOverrides: (o) => pool.setOverrides(o), log: logger }) : () => undefined;
  return async () => {
    stop();
    unworkers();
  };
}

export async function startGateway(config: GatewayConfig, env: NodeJS.ProcessEnv = process.env, logger: Logger = createLogger(config.logLevel)): Promise<Gateway> {
  const fromFile = config.policy ? await loadPolicyFile(config.policy, engine) : null;
  const store: Store = fromFile ? fromFile.store : await openStore(config.store);
  const metrics = new Metrics();
  // From the start, SIGHUP never ends the gateway (Node's default would).
  const unhup = handleSighup(logger);
  const cleanups: (() => Promise<void>)[] = [() => store.close(), async () => unhup()];
  let proxyPort = 0;
  const nodeName = () => config.nodeId ?? defaultNodeId(proxyPort || config.port);
  const usage = new UsageCollector(store, { node: nodeName, flushMs: config.usageFlushMs, topN: config.usageTopN }, (m) => logger.warn(m));
  // After the workers' last batches (the pool stops first), before the store closes.
  cleanups.unshift(() => usage.close());
  try {
    const bootstrap = await ensureBootstrapToken(store, env.CORSGATE_ADMIN_TOKEN || undefined, { allowWeak: config.allowWeakAdminToken }).catch((err: unknown) => {
      // A fleet node started while PostgreSQL is unreachable serves its cache; tokens are checked once it is back.
      if (!(err instanceof StoreError && err.code === 'store-unavailable')) throw err;
      return { generated: null, notes: [{ level: 'warn' as const, message: `admin token not checked at start: ${err.message}` }] };
    });
    for (const note of bootstrap.notes) logger[note.level](note.message);

    // Read once here so that a missing or mismatched file stops the start with a clear message.
    const proxyTls = filesOf(config.tlsCert, config.tlsKey);
    const adminTls = filesOf(config.adminTlsCert, config.adminTlsKey);
    if (proxyTls) readTlsPair(proxyTls);
    const adminPair = adminTls ? readTlsPair(adminTls, '--admin-tls-cert/--admin-tls-key') : null;
    upstreamTls(config.upstreamCa, config.upstreamInsecure);
    if (config.upstreamInsecure) logger.warn("--upstream-insecure: https:// upstreams' certificates are not verified; anyone on the path to them can read and change the traffic");

    let proxyUrl = '';
    let demo: DemoApi | null = null;
    let upstream: URL;
    if (config.upstream) upstream = new URL(config.upstream);
    else {
      demo = await startDemoApi(() => proxyUrl);
      const d = demo;
      cleanups.push(() => d.close());
      upstream = demo.url;
    }

    const workers = workerCount(config);
    let pipeline: SnapshotPipeline | null = null;
    const cache = !fromFile && isPostgresUrl(config.store) ? new ConfigCache(resolve(config.cache)) : null;
    const node = new FleetNode(config.nodeId ?? '', store, cache, metrics, (level, message) => logger[level](message));
    cleanups.push(async () => node.close());
    const pool = new WorkerPool(
      workers,
      { ...config, upstream: upstream.href, overrides: fromFile?.allowlistOptions ?? {}, port: config.port },
      {
        published: (version, info) => {
          pipeline?.published(version, info);
          node.applied(pool.minVersion());
          metrics.published({ version: info.version, allowlistSize: info.allowlistSize, cspBytes: info.cspBytes });
          for (const w of info.warnings) if (version === pool.minVersion()) logger.debug({ warning: w }, 'policy warning');
        },
        compileFailed: (version, message) => {
          logger.error({ version, message }, 'the policy could not be compiled; the previous one stays in force');
          pipeline?.failed(version, message);
        },
        log: (level, message, fields) => logger[level](fields ?? {}, message),
        usage: (batch) => usage.add(batch),
      },
    );
    pipeline = new SnapshotPipeline(store, pool, (level, message) => logger[level](message), { check: (s) => node.check(s), publishing: (s) => node.publishing(s) });
    const p = pipeline;
    const first = await firstState(p, node, cache, (message) => logger.warn(message));
    cleanups.unshift(async () => p.stop());
    cleanups.unshift(() => pool.stop());
    proxyPort = await pool.start(first);
    p.start();
    cleanups.unshift(startReloads(config.policy, fromFile, pool, logger));
    usage.start();
    for (const w of p.info?.warnings ?? []) logger.warn({ warning: w }, 'policy warning');
    proxyUrl = urlOf(config.host, proxyPort, proxyTls !== null);
    if (!config.nodeId) node.id = defaultNodeId(proxyPort);

    const consoleDir = config.consoleDir ? resolve(config.consoleDir) : join(packageRoot(), 'console', 'dist');
    const info = { proxyUrl, adminUrl: '', upstream: demo ? `${upstream.origin} (built-in demo API)` : upstream.href, policyFile: config.policy };
    const snapshot = () => p.info!;
    const sync = async () => {
      try {
        await p.whenPublished(await store.version(), PUBLISH_TIMEOUT_MS);
      } catch (err) {
        if (err instanceof SnapshotNotPublished) throw new ApiError(503, 'change-not-in-force', err.message, undefined, { version: err.version });
        throw err;
      }
    };
    const resetUsage = async (actor: string) => {
      await usage.flush();
      await store.resetUsage(actor);
      usage.discard();
      pool.resetUsage();
    };
    const ctx: ApiContext = { store, engine, snapshot, info, sync, metrics, log: logger, usage: { reset: resetUsage, flush: () => usage.flush() }, fleet: node };
    const adminLimits = { ...config, maxConnections: config.adminMaxConnections, requestTimeoutMs: Math.min(config.requestTimeoutMs, 120_000) };
    const adminConnections = { open: 0, evicted: 0 };
    metrics.connections('admin', adminConnections);
    const adminHandler = (req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '/').split('?')[0]!;
      res.on('finish', () => metrics.adminRequest(req.method ?? '', res.statusCode));
      if (path === '/healthz') return sendJson(res, 200, { status: 'ok', version: pool.minVersion(), workers });
      if (path === '/readyz') {
        const ready = node.readiness();
        return sendJson(res, ready.status, ready.body);
      }
      if (path === '/metrics') {
        void pool
          .gatherMetrics()
          .then((all) => nodeMetrics(metrics, all))
          .then(({ text, contentType }) => {
            res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
            res.end(text);
          })
          .catch((err: Error) => sendJson(res, 500, { error: { code: 'internal-error', message: `metrics could not be gathered: ${err.message}` } }));
        return;
      }
      if (path === '/api' || path.startsWith('/api/')) return void handleApi(ctx, req, res);
      void serveConsole(existsSync(consoleDir) ? consoleDir : null, req, res).catch(() => {
        if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal-error', message: 'console file could not be read' } });
      });
    };
    const adminServer = adminPair ? createSecureAdminServer(adminLimits, adminPair, adminHandler, adminConnections) : createLimitedServer(adminLimits, adminHandler, undefined, adminConnections);
    const adminPort = await listen(adminServer, config.adminPort, config.adminHost);
    cleanups.unshift(() => closeServer(adminServer));
    // SIGHUP: the admin certificate from disk again (the workers reload the proxy's themselves, signals.ts).
    if (adminTls) {
      const unregister = onReload('admin TLS certificate', () => void reloadTls(adminServer as ReturnType<typeof createSecureAdminServer>, adminTls, logger, 'admin'));
      cleanups.unshift(async () => unregister());
    }
    info.adminUrl = urlOf(config.adminHost, adminPort, adminPair !== null);

    let closed: Promise<void> | null = null;
    return {
      proxyUrl,
      adminUrl: info.adminUrl,
      upstream: info.upstream,
      store,
      workers,
      generatedToken: bootstrap.generated,
      logger,
      snapshot,
      close: () => {
        closed ??= (async () => {
          for (const c of cleanups) await c().catch(() => undefined);
          flushLogs();
        })();
        return closed;
      },
    };
  } catch (err) {
    for (const c of cleanups) await c().catch(() => undefined);
    throw err;
  }
}

