/**
 * A proxy worker: one process of `--workers N`, sharing the proxy port with the others
 * (node:cluster). It receives each store state from the primary in pieces (the allowlist already
 * checked and packed there, pack.ts), applies one piece per turn of the event loop so that a large
 * allowlist never stalls the requests it serves, swaps the new snapshot in with one assignment and
 * tells the primary which version it now enforces.
 */
import type { Logger } from 'pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StoreState } from '../store/types.js';
import { AllowlistBuilder, SLICE } from './compile.js';
import type { Outcome } from './core/decide.js';
import { engine, pickCors } from './engine.js';
import { createGate } from './gate.js';
import { closeServer, listen } from './listener.js';
import { AccessLog, createLogger, flushLogs } from './log.js';
import { Metrics } from './metrics.js';
import type { FromWorker, ToWorker, WorkerConfig } from './protocol.js';
import { Forwarder } from './proxy.js';
import type { UpstreamSet } from './upstreams.js';
import { proxyListener, workerEdge } from './worker-edge.js';
import { assembleSnapshot, infoOf, type Snapshot } from './snapshot.js';
import { handleSighup, reloadAll } from './signals.js';
import { isEmptyBatch, UsageCounter } from './usage/counter.js';
import { CspReportIntake } from './usage/csp-reports.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function send(message: FromWorker): void {
  process.send?.(message);
}

type Begin = Extract<ToWorker, { t: 'state-begin' }>;

interface TableArrays {
  arena: Uint8Array;
  offsets: Uint32Array;
  lengths: Uint16Array;
  hashes: Uint32Array;
}

/** A state being received: the exact origins' arrays filled as their bytes arrive, the other patterns compiled as they come. */
interface Pending {
  header: Begin;
  builder: AllowlistBuilder;
  table: TableArrays;
}

function bytesOf(a: Uint8Array | Uint16Array | Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Receives a state in pieces, applying each as it comes and asking for the next only when the
 * previous is applied (one turn of the event loop per piece); a newer version abandons an older
 * one. The primary checked and packed the allowlist: a piece of the exact origins is one memory
 * copy, and only the few other patterns are compiled here, a slice at a time.
 */
class StateReceiver {
  private pending: Pending | null = null;
  /** The arrays of the snapshot in force, and of the one it replaced (refilled by the next state). */
  private inUse: TableArrays | null = null;
  private spare: TableArrays | null = null;

  constructor(private readonly config: WorkerConfig, private readonly metrics: Metrics, private readonly publish: (s: Snapshot) => boolean, private readonly log: Logger) {}

  on(m: ToWorker): void {
    if (m.t === 'state-begin') {
      const abandoned = this.pending;
      if (abandoned !== null) this.spare = abandoned.table;
      const builder = new AllowlistBuilder(m.overrides ?? this.config.overrides, 0, pickCors(m.settings));
      this.pending = { header: m, builder, table: this.arrays(m.table.capacity, m.table.arenaBytes) };
      send({ t: 'more', version: m.version });
      return;
    }
    const p = this.pending;
    if ((m.t !== 'state-bytes' && m.t !== 'state-chunk' && m.t !== 'state-end') || p === null || m.version !== p.header.version) return;
    if (m.t === 'state-bytes') {
      const into = bytesOf(p.table[m.field]);
      if (m.at + m.bytes.length > into.length) {
        this.pending = null;
        send({ t: 'compile-failed', version: m.version, message: `the packed allowlist's ${m.field} overruns its announced size` });
        return;
      }
      into.set(m.bytes, m.at);
      void nextTurn().then(() => this.pending === p && send({ t: 'more', version: p.header.version }));
    } else if (m.t === 'state-chunk') void this.compileChunk(p, m.items);
    else void this.finish(p);
  }

  /**
   * Arrays for a table of `capacity` slots: the replaced snapshot's when they fit (every byte of the
   * index arrays is sent again, so nothing needs clearing), else new ones. Reusing them keeps a
   * large change from adding tens of MB of external memory, each time, that only a full garbage
   * collection would give back. The replaced snapshot is never consulted again: every decision
   * reads the snapshot in force, synchronously, when its request arrives.
   */
  private arrays(capacity: number, arenaBytes: number): TableArrays {
    const s = this.spare;
    this.spare = null;
    if (s !== null && s.offsets.length === capacity && s.arena.buffer.byteLength >= arenaBytes) {
      return { arena: new Uint8Array(s.arena.buffer, 0, arenaBytes), offsets: s.offsets, lengths: s.lengths, hashes: s.hashes };
    }
    return { arena: new Uint8Array(Math.ceil(arenaBytes * 1.125)).subarray(0, arenaBytes), offsets: new Uint32Array(capacity), lengths: new Uint16Array(capacity), hashes: new Uint32Array(capacity) };
  }

  /** A chunk of other patterns in slices of SLICE entries, letting requests through between slices, then asks for the next. */
  private async compileChunk(p: Pending, items: string[]): Promise<void> {
    for (let i = 0; i < items.length && this.pending === p; i += SLICE) {
      p.builder.add(items, i, Math.min(items.length, i + SLICE));
      await nextTurn();
    }
    if (this.pending === p) send({ t: 'more', version: p.header.version });
  }

  private async finish(p: Pending): Promise<void> {
    this.pending = null;
    const h = p.header;
    try {
      p.builder.adoptExact({ size: h.table.size, ...p.table });
      const state: StoreState = { version: h.version, allowlist: [], trustedSites: h.trustedSites, routes: h.routes, settings: h.settings };
      const allowlist = { policy: p.builder.build(), size: p.builder.size, entryOf: p.builder.entryResolver() };
      const snap = await assembleSnapshot(engine, state, allowlist, [...h.warnings, ...p.builder.warnings], this.metrics, this.config.cspReportPath);
      if (this.publish(snap)) {
        this.spare = this.inUse;
        this.inUse = p.table;
      }
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
  const { edge } = edgeOf;
  upstreams = edgeOf.upstreams;
  const forwarder = new Forwarder(
    edgeOf.upstreams,
    {
      upstreamError: edgeOf.upstreamFailed,
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
  const server = proxyListener(config, edgeOf, { request: guarded(false), continued: guarded(true) }, connections, () => current!, { metrics, access, logger });

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
