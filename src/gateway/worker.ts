/**
 * A proxy worker: one process of `--workers N`, sharing the proxy port with the others
 * (node:cluster). It receives each store state from the primary in slices, compiles it a slice at
 * a time (compile.ts) so that a large allowlist never stalls the requests it serves, swaps the new
 * snapshot in with one assignment and tells the primary which version it now enforces.
 */
import type { Logger } from 'pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StoreState } from '../store/types.js';
import { AllowlistBuilder, SLICE } from './compile.js';
import type { Outcome } from './core/decide.js';
import { engine, pickCors } from './engine.js';
import { createGate } from './gate.js';
import { closeServer, createLimitedServer, listen } from './listener.js';
import { AccessLog, createLogger, flushLogs } from './log.js';
import { Metrics } from './metrics.js';
import type { FromWorker, ToWorker, WorkerConfig } from './protocol.js';
import { createSecureProxyServer, type SecureProxyServer } from './listener-tls.js';
import { Forwarder } from './proxy.js';
import { filesOf, readTlsPair, reloadTls, upstreamTls } from './tls.js';
import { createUpgradeHandler } from './upgrade.js';
import { UpstreamSet } from './upstreams.js';
import { assembleSnapshot, infoOf, type Snapshot } from './snapshot.js';
import { handleSighup, onReload, reloadAll } from './signals.js';
import { isEmptyBatch, UsageCounter } from './usage/counter.js';
import { CspReportIntake } from './usage/csp-reports.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function send(message: FromWorker): void {
  process.send?.(message);
}

/**
 * Receives a state in slices and compiles each as it comes, asking for the next only when the
 * previous is compiled (one turn of the event loop per slice); a newer version abandons an older one.
 */
class StateReceiver {
  private pending: { header: Extract<ToWorker, { t: 'state-begin' }>; builder: AllowlistBuilder } | null = null;

  constructor(private readonly config: WorkerConfig, private readonly metrics: Metrics, private readonly publish: (s: Snapshot) => void, private readonly log: Logger) {}

  on(m: ToWorker): void {
    if (m.t === 'state-begin') {
      this.pending = { header: m, builder: new AllowlistBuilder(m.overrides ?? this.config.overrides, m.count, pickCors(m.settings)) };
      send({ t: 'more', version: m.version });
      return;
    }
    const p = this.pending;
    if ((m.t !== 'state-chunk' && m.t !== 'state-end') || p === null || m.version !== p.header.version) return;
    if (m.t === 'state-chunk') void this.compileChunk(p, m.items);
    else void this.finish(p);
  }

  /** A chunk in slices of SLICE entries, letting requests through between slices, then asks for the next. */
  private async compileChunk(p: NonNullable<StateReceiver['pending']>, items: string[]): Promise<void> {
    for (let i = 0; i < items.length && this.pending === p; i += SLICE) {
      p.builder.add(items, i, Math.min(items.length, i + SLICE));
      await nextTurn();
    }
    if (this.pending === p) send({ t: 'more', version: p.header.version });
  }

  private async finish(p: NonNullable<StateReceiver['pending']>): Promise<void> {
    this.pending = null;
    const h = p.header;
    try {
      const state: StoreState = { version: h.version, allowlist: [], trustedSites: h.trustedSites, routes: h.routes, settings: h.settings };
      const snap = await assembleSnapshot(engine, state, { policy: p.builder.build(), size: p.builder.size, entryOf: p.builder.entryResolver() }, [...p.builder.warnings], this.metrics, this.config.cspReportPath);
      this.publish(snap);
      send({ t: 'published', version: snap.version, info: infoOf(snap) });
    } catch (err) {
      this.log.error({ err: (err as Error).message, version: h.version }, 'the policy could not be compiled; the previous one stays in force');
      send({ t: 'compile-failed', version: h.version, message: (err as Error).message });
    }
  }
}

export async function runWorker(): Promise<void> {
  const config = JSON.parse(process.env.CORSGATE_WORKER ?? '{}') as WorkerConfig;
  const logger = createLogger(config.logLevel).child({ worker: Number(process.env.CORSGATE_WORKER_ID ?? 0) });
  const metrics = new Metrics();
  const access = new AccessLog(createLogger(config.logLevel, undefined, true).child({ worker: Number(process.env.CORSGATE_WORKER_ID ?? 0) }), config.accessLog);
  let current: Snapshot | null = null;
  let upstreams: UpstreamSet | null = null;
  const publish = (s: Snapshot) => {
    if (current !== null && s.version < current.version) return; // an older compile finished late
    upstreams!.prepare(s.routes); // every upstream the new routes name has its pool before they are in force
    current = s;
    upstreams!.retire(s.routes);
    metrics.published({ version: s.version, allowlistSize: s.allowlistSize, cspBytes: s.cspBytes });
  };
  const receiver = new StateReceiver(config, metrics, publish, logger);
  const usage = new UsageCounter(config.usageTopN);
  const clock = setInterval(() => usage.tick(Date.now()), 1000);
  clock.unref();
  const sendUsage = (done?: () => void) => {
    const batch = usage.drain(current === null ? () => null : current.entryOf);
    if (isEmptyBatch(batch) || !process.connected) return done?.();
    process.send!({ t: 'usage', batch } satisfies FromWorker, undefined, {}, () => done?.());
  };
  const flusher = setInterval(() => sendUsage(), config.usageFlushMs);
  flusher.unref();

  const tlsFiles = filesOf(config.tlsCert, config.tlsKey);
  const edge = { scheme: tlsFiles ? ('https' as const) : ('http' as const), trustProxy: config.trustProxy === true };
  upstreams = new UpstreamSet(
    new URL(config.upstream),
    { timeoutMs: config.timeoutMs, connectTimeoutMs: config.connectTimeoutMs, maxInFlight: config.maxInFlight, tls: upstreamTls(config.upstreamCa, config.upstreamInsecure) },
    (name) => metrics.upstreamTimer(name),
  );
  const forwarder = new Forwarder(
    upstreams,
    {
      upstreamError: (kind, detail, upstream) => {
        metrics.upstreamError(kind, upstream.name);
        logger.warn({ kind, upstream: detail }, 'upstream failure');
      },
      finished: (req, outcome, status, upstreamMs, bytes) => access.write(req, outcome, status, upstreamMs, bytes),
      upstreamCors: (outcome, allowOrigin) => usage.compare(outcome, allowOrigin),
    },
    edge,
  );
  const observer = { answered: (req: IncomingMessage, outcome: Outcome, status: number) => access.write(req, outcome, status, null, 0) };
  const intake = new CspReportIntake(usage);
  const gate = createGate(() => current!, forwarder, observer, { edge, usage, reserved: { path: config.cspReportPath, handle: (req, res) => intake.handle(req, res) } });
  const guarded = (continueExpected: boolean) => (req: IncomingMessage, res: ServerResponse) => {
    try {
      gate(req, res, continueExpected);
    } catch (err) {
      logger.error({ err: (err as Error).stack ?? String(err) }, 'the gateway failed on a request');
      if (!res.headersSent) {
        const body = JSON.stringify({ error: { code: 'internal-error', message: 'the gateway failed on this request' } });
        res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      }
    }
  };
  const connections = { open: 0, evicted: 0 };
  metrics.connections('proxy', connections);
  const server = tlsFiles
    ? createSecureProxyServer(config, readTlsPair(tlsFiles), guarded(false), guarded(true), connections)
    : createLimitedServer(config, guarded(false), guarded(true), connections);

  server.on(
    'upgrade',
    createUpgradeHandler(() => current!, upstreams, { handshakeTimeoutMs: config.websocketHandshakeTimeoutMs, idleTimeoutMs: config.websocketIdleTimeoutMs, edge }, {
      handshake: (req, outcome, status, upstreamMs) => {
        metrics.websocketHandshake(outcome.decision, outcome.reason, outcome.route.id);
        access.handshake(req, outcome, status, upstreamMs);
      },
      upstreamError: (kind, detail, upstream) => {
        metrics.upstreamError(kind, upstream.name);
        logger.warn({ kind, upstream: detail }, 'upstream failure');
      },
    }),
  );

  // SIGHUP (e.g. after a certificate renewal): the pair from disk again; a bad file keeps the old one.
  if (tlsFiles) onReload('TLS certificate', () => void reloadTls(server as SecureProxyServer, tlsFiles, logger, 'proxy'));

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await closeServer(server);
    await upstreams!.close();
    clearInterval(flusher);
    await new Promise<void>((resolve) => sendUsage(resolve));
    flushLogs();
    process.exit(0);
  };
  process.on('message', (m: ToWorker) => {
    if (m.t === 'metrics') void metrics.json().then((data) => send({ t: 'metrics', id: m.id, data }));
    else if (m.t === 'shutdown') void stop();
    else if (m.t === 'reload') void reloadAll('SIGHUP (primary)');
    else if (m.t === 'usage-reset') usage.drain(() => null);
    else receiver.on(m);
  });
  // The primary is gone (killed): nobody can publish policy changes any more, so stop serving.
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => undefined); // the primary drains the workers itself
  process.on('SIGINT', () => undefined);
  // A SIGHUP sent to the whole process group reaches the workers too: it reloads, never ends them.
  handleSighup(logger);

  send({ t: 'ready' });
  // Serve only once the first snapshot is in force: never with no policy at all.
  while (current === null) await nextTurn().then(() => new Promise((r) => setTimeout(r, 5)));
  const port = await listen(server, config.port, config.host);
  send({ t: 'listening', port });
}
