/**
 * A proxy worker: one process of `--workers N`, sharing the proxy port with the others
 * (node:cluster). It receives each store state from the primary in pieces, or as a change of the
 * state it holds (receiver.ts: one piece per turn of the event loop, so that a large allowlist never
 * stalls the requests it serves), swaps the new snapshot in with one assignment and tells the
 * primary which version it now enforces.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Outcome } from './core/decide.js';
import { createGate } from './gate.js';
import { closeServer, listen } from './listener.js';
import { AccessLog, createLogger, flushLogs } from './log.js';
import { Metrics } from './metrics.js';
import type { FromWorker, ToWorker, WorkerConfig } from './protocol.js';
import { send, StateReceiver } from './receiver.js';
import { Forwarder } from './proxy.js';
import type { UpstreamSet } from './upstreams.js';
import { proxyListener, workerEdge } from './worker-edge.js';
import type { Snapshot } from './snapshot.js';
import { handleSighup, reloadAll } from './signals.js';
import { isEmptyBatch, UsageCounter } from './usage/counter.js';
import { CspReportIntake } from './usage/csp-reports.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The proxy's request handlers: the gate (decide, then answer or forward) behind a guard that turns
 * an unexpected failure into a logged 500, never a crash.
 */
function proxyHandlers(
  config: WorkerConfig,
  edgeOf: ReturnType<typeof workerEdge>,
  out: { access: AccessLog; usage: UsageCounter; logger: Logger },
  snapshot: () => Snapshot,
) {
  const { access, usage, logger } = out;
  const { edge } = edgeOf;
  const forwarder = new Forwarder(
    edgeOf.upstreams,
    {
      upstreamError: edgeOf.upstreamFailed,
      finished: (req, outcome, status, upstreamMs, bytes) =>
        access.write(req, outcome, status, upstreamMs, bytes),
      upstreamCors: (outcome, allowOrigin) => usage.compare(outcome, allowOrigin),
    },
    edge,
  );
  const observer = {
    answered: (req: IncomingMessage, outcome: Outcome, status: number) =>
      access.write(req, outcome, status, null, 0),
  };
  const intake = new CspReportIntake(usage);
  const gate = createGate(snapshot, forwarder, observer, {
    edge,
    usage,
    reserved: { path: config.cspReportPath, handle: (req, res) => intake.handle(req, res) },
  });
  const guarded = (continueExpected: boolean) => (req: IncomingMessage, res: ServerResponse) => {
    try {
      gate(req, res, continueExpected);
    } catch (err) {
      logger.error({ err: (err as Error).stack ?? String(err) }, 'the gateway failed on a request');
      if (!res.headersSent) {
        const body = JSON.stringify({
          error: { code: 'internal-error', message: 'the gateway failed on this request' },
        });
        res.writeHead(500, {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(body),
        });
        res.end(body);
      }
    }
  };
  return { request: guarded(false), continued: guarded(true) };
}

export async function runWorker(): Promise<void> {
  const config = JSON.parse(process.env.CORSGATE_WORKER ?? '{}') as WorkerConfig;
  const logger = createLogger(config.logLevel).child({ worker: Number(process.env.CORSGATE_WORKER_ID ?? 0) });
  const metrics = new Metrics();
  const access = new AccessLog(
    createLogger(config.logLevel, undefined, true).child({
      worker: Number(process.env.CORSGATE_WORKER_ID ?? 0),
    }),
    config.accessLog,
  );
  let current: Snapshot | null = null;
  let upstreams: UpstreamSet | null = null;
  const publish = (s: Snapshot): boolean => {
    if (current !== null && s.version < current.version) return false; // an older compile finished late
    upstreams!.prepare(s.routes); // every upstream the new routes name has its pool before they are in force
    current = s;
    upstreams!.retire(s.routes);
    metrics.published({ version: s.version, allowlistSize: s.allowlistSize, cspBytes: s.cspBytes });
    return true;
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

  const edgeOf = workerEdge(config, metrics, logger);
  upstreams = edgeOf.upstreams;
  const handlers = proxyHandlers(config, edgeOf, { access, usage, logger }, () => current!);
  const connections = { open: 0, evicted: 0 };
  metrics.connections('proxy', connections);
  const server = proxyListener(config, edgeOf, handlers, connections, () => current!, {
    metrics,
    access,
    logger,
  });

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
