/**
 * Starts the gateway. This process (the primary) owns the store, the snapshot pipeline, the admin
 * listener (console, /api, /metrics, /healthz) and the built-in demo API; `--workers N` proxy
 * processes share the proxy port and each enforce the snapshot the pipeline hands them.
 */
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { isPostgresUrl, openStore, StoreError, type Store } from '../store/index.js';
import { ensureBootstrapToken } from './admin/auth.js';
import { startAdmin } from './admin-listener.js';
import { WorkerPool } from './cluster.js';
import type { GatewayConfig } from './config.js';
import { startDemoApi, type DemoApi } from './demo.js';
import { engine } from './engine.js';
import { ConfigCache } from './fleet/cache.js';
import { FleetNode } from './fleet/node.js';
import { defaultNodeId, firstState } from './fleet/start.js';
import { urlOf } from './listener.js';
import { filesOf, readTlsPair, upstreamTls } from './tls.js';
import { createLogger, flushLogs } from './log.js';
import { Metrics } from './metrics.js';
import { SnapshotPipeline } from './pipeline.js';
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

export function workerCount(config: GatewayConfig): number {
  return config.workers === 'auto' ? Math.max(1, cpus().length) : config.workers;
}

/** SIGHUP reloads (signals.ts): the policy file (also watched), and whatever the workers registered. Returns the cleanup. */
function startReloads(
  policy: string | null,
  fromFile: LoadedPolicyFile | null,
  pool: WorkerPool,
  logger: Logger,
): () => Promise<void> {
  const unworkers = onReload('workers', () => pool.reload());
  const stop =
    fromFile && policy
      ? watchPolicyFile(policy, {
          store: fromFile.store,
          engine,
          setOverrides: (o) => pool.setOverrides(o),
          log: logger,
        })
      : () => undefined;
  return async () => {
    stop();
    unworkers();
  };
}

type Cleanup = () => Promise<void>;

/** The admin token at start; a fleet node started while PostgreSQL is unreachable checks it once the store is back. */
async function checkBootstrap(store: Store, env: NodeJS.ProcessEnv, config: GatewayConfig, logger: Logger) {
  const bootstrap = await ensureBootstrapToken(store, env.CORSGATE_ADMIN_TOKEN || undefined, {
    allowWeak: config.allowWeakAdminToken,
  }).catch((err: unknown) => {
    // A fleet node started while PostgreSQL is unreachable serves its cache; tokens are checked once it is back.
    if (!(err instanceof StoreError && err.code === 'store-unavailable')) throw err;
    const message = `admin token not checked at start: ${err.message}`;
    return { generated: null, notes: [{ level: 'warn' as const, message }] };
  });
  for (const note of bootstrap.notes) logger[note.level](note.message);
  return bootstrap;
}

/** Read once here so that a missing or mismatched file stops the start with a clear message. */
function checkTls(config: GatewayConfig, logger: Logger) {
  const proxyTls = filesOf(config.tlsCert, config.tlsKey);
  const adminTls = filesOf(config.adminTlsCert, config.adminTlsKey);
  if (proxyTls) readTlsPair(proxyTls);
  const adminPair = adminTls ? readTlsPair(adminTls, '--admin-tls-cert/--admin-tls-key') : null;
  upstreamTls(config.upstreamCa, config.upstreamInsecure);
  if (config.upstreamInsecure)
    logger.warn(
      "--upstream-insecure: https:// upstreams' certificates are not verified; anyone on the path to them can read and change the traffic",
    );
  return { proxyTls, admin: { files: adminTls, pair: adminPair } };
}

/** `--upstream`, or the built-in demo API (closed last). */
async function startUpstream(config: GatewayConfig, proxyUrl: () => string, cleanups: Cleanup[]) {
  if (config.upstream) return { upstream: new URL(config.upstream), demo: null };
  const demo: DemoApi = await startDemoApi(proxyUrl);
  cleanups.push(() => demo.close());
  return { upstream: demo.url, demo };
}

interface ProxySide {
  store: Store;
  fromFile: LoadedPolicyFile | null;
  metrics: Metrics;
  usage: UsageCollector;
  upstream: URL;
  logger: Logger;
}

/** The worker pool and the snapshot pipeline that feeds it, as this node of its fleet. */
function createPool(config: GatewayConfig, side: ProxySide, cleanups: Cleanup[]) {
  const { store, fromFile, metrics, usage, logger } = side;
  let pipeline: SnapshotPipeline | null = null;
  const cache = !fromFile && isPostgresUrl(config.store) ? new ConfigCache(resolve(config.cache)) : null;
  const node = new FleetNode(config.nodeId ?? '', store, cache, metrics, (level, message) =>
    logger[level](message),
  );
  cleanups.push(async () => node.close());
  const workerConfig = {
    ...config,
    upstream: side.upstream.href,
    overrides: fromFile?.allowlistOptions ?? {},
    port: config.port,
  };
  const pool: WorkerPool = new WorkerPool(workerCount(config), workerConfig, {
    published: (version, info) => {
      pipeline?.published(version, info);
      node.applied(pool.minVersion());
      metrics.published({
        version: info.version,
        allowlistSize: info.allowlistSize,
        cspBytes: info.cspBytes,
      });
      for (const w of info.warnings)
        if (version === pool.minVersion()) logger.debug({ warning: w }, 'policy warning');
    },
    compileFailed: (version, message) => {
      logger.error({ version, message }, 'the policy could not be compiled; the previous one stays in force');
      pipeline?.failed(version, message);
    },
    log: (level, message, fields) => logger[level](fields ?? {}, message),
    usage: (batch) => usage.add(batch),
  });
  pipeline = new SnapshotPipeline(store, pool, (level, message) => logger[level](message), {
    check: (s) => node.check(s),
    publishing: (s) => node.publishing(s),
  });
  return { pool, pipeline, node, cache };
}

/** Starts the workers on the first state (the store's, or the fleet cache's) and the reloads; returns the proxy port. */
async function startProxy(
  config: GatewayConfig,
  side: ProxySide,
  parts: ReturnType<typeof createPool>,
  cleanups: Cleanup[],
): Promise<number> {
  const { pool, pipeline: p, node, cache } = parts;
  const { logger } = side;
  const first = await firstState(p, node, cache, (message) => logger.warn(message));
  cleanups.unshift(async () => p.stop());
  cleanups.unshift(() => pool.stop());
  const proxyPort = await pool.start(first);
  p.start();
  cleanups.unshift(startReloads(config.policy, side.fromFile, pool, logger));
  side.usage.start();
  for (const w of p.info?.warnings ?? []) logger.warn({ warning: w }, 'policy warning');
  if (!config.nodeId) node.id = defaultNodeId(proxyPort);
  return proxyPort;
}

/** Runs every cleanup once, in order, whatever fails. */
async function runCleanups(cleanups: readonly Cleanup[]): Promise<void> {
  for (const c of cleanups) await c().catch(() => undefined);
}

export async function startGateway(
  config: GatewayConfig,
  env: NodeJS.ProcessEnv = process.env,
  logger: Logger = createLogger(config.logLevel),
): Promise<Gateway> {
  const fromFile = config.policy ? await loadPolicyFile(config.policy, engine) : null;
  const store: Store = fromFile ? fromFile.store : await openStore(config.store);
  const metrics = new Metrics();
  // From the start, SIGHUP never ends the gateway (Node's default would).
  const unhup = handleSighup(logger);
  const cleanups: Cleanup[] = [() => store.close(), async () => unhup()];
  let proxyPort = 0;
  const nodeName = () => config.nodeId ?? defaultNodeId(proxyPort || config.port);
  const usageOptions = { node: nodeName, flushMs: config.usageFlushMs, topN: config.usageTopN };
  const usage = new UsageCollector(store, usageOptions, (m) => logger.warn(m));
  // After the workers' last batches (the pool stops first), before the store closes.
  cleanups.unshift(() => usage.close());
  try {
    const bootstrap = await checkBootstrap(store, env, config, logger);
    const tls = checkTls(config, logger);
    let proxyUrl = '';
    const { upstream, demo } = await startUpstream(config, () => proxyUrl, cleanups);
    const side: ProxySide = { store, fromFile, metrics, usage, upstream, logger };
    const parts = createPool(config, side, cleanups);
    proxyPort = await startProxy(config, side, parts, cleanups);
    proxyUrl = urlOf(config.host, proxyPort, tls.proxyTls !== null);
    const info = {
      proxyUrl,
      adminUrl: '',
      upstream: demo ? `${upstream.origin} (built-in demo API)` : upstream.href,
      policyFile: config.policy,
    };
    const workers = workerCount(config);
    const adminParts = { ...parts, store, metrics, usage, logger, workers, info };
    info.adminUrl = await startAdmin(config, adminParts, tls.admin, cleanups);
    let closed: Promise<void> | null = null;
    return {
      proxyUrl,
      adminUrl: info.adminUrl,
      upstream: info.upstream,
      store,
      workers,
      generatedToken: bootstrap.generated,
      logger,
      snapshot: () => parts.pipeline.info!,
      close: () => {
        closed ??= runCleanups(cleanups).then(() => flushLogs());
        return closed;
      },
    };
  } catch (err) {
    await runCleanups(cleanups);
    throw err;
  }
}
