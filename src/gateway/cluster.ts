/**
 * The proxy workers, seen from the primary: fork them (node:cluster, all sharing the proxy port),
 * send each the store's state in slices (or, for a small change of the state it holds, the change
 * alone), learn which version each one enforces, restart one that dies (and log it), gather their
 * metrics, and drain them all on shutdown.
 */
import cluster, { type Worker } from 'node:cluster';
import { getPriority, setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { StoreState, UsageBatch } from '../store/types.js';
import {
  applyStateDelta,
  checkState,
  packDelta,
  packState,
  type CheckedState,
  type PackedState,
} from './pack.js';
import type { FromWorker, ToWorker, WorkerConfig } from './protocol.js';
import type { SnapshotInfo } from './snapshot.js';

/** The primary's niceness once the workers run (see `start`). */
const PRIMARY_NICE = 10;

/**
 * A worker's young generation, fixed at the size V8 grows it to under sustained load (its default
 * largest semi-space on 64-bit, 16 MB). After a few quiet seconds V8's memory reducer shrinks it,
 * and the next burst of traffic then pays about twice the scavenges, and promotes short-lived
 * request objects to the old generation, until it has grown back (bench/results/gateway.md).
 * Pages are committed only as they are used. An operator's own semi-space setting wins.
 */
const YOUNG_GENERATION = '--min-semi-space-size=16';
const SEMI_SPACE_FLAG = /^--(?:min|max)[-_]semi[-_]space[-_]size(?:=|$)/;

/** The Node arguments a worker starts with: this process's own, plus the young generation size unless one is set. */
export function workerExecArgv(execArgv: readonly string[], nodeOptions = ''): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].some((a) => SEMI_SPACE_FLAG.test(a));
  return given ? [...execArgv] : [...execArgv, YOUNG_GENERATION];
}

export interface PoolEvents {
  /** A worker enforces `version` now (`info` describes that snapshot). */
  published(version: number, info: SnapshotInfo): void;
  compileFailed(version: number, message: string): void;
  log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
  /** A worker's usage counters since its last batch. */
  usage(batch: UsageBatch): void;
}

interface Member {
  worker: Worker;
  id: number;
  version: number;
  ready: boolean;
  listening: boolean;
  /** The packed state being sent to this worker, and the next piece to send. */
  sending: { packed: PackedState; next: number } | null;
  /** The version of the last state sent to this worker whole or as a delta (null: send it whole). */
  holds: number | null;
}

export class WorkerPool {
  private readonly members = new Map<number, Member>();
  private latest: StoreState | null = null;
  /** The latest state, checked once for every worker, and packed whole (null while it is being checked). */
  private checked: CheckedState | null = null;
  private packed: PackedState | null = null;
  private stopping = false;
  private metricsId = 0;
  private readonly metricsWaits = new Map<
    number,
    { want: number; got: unknown[]; done: (v: unknown[]) => void }
  >();
  port = 0;
  /** The policy file's engine options that are no settings; replaced when the file is reloaded. */
  private overrides: WorkerConfig['overrides'];

  constructor(
    private readonly count: number,
    private readonly config: WorkerConfig,
    private readonly events: PoolEvents,
  ) {
    // The workers accept connections themselves from the shared socket (SCHED_NONE), so the primary
    // (which runs at a lower priority, see `start`) is never on a request's path; node:cluster's
    // round-robin hand-off through the primary stays one environment variable away.
    if (process.env.NODE_CLUSTER_SCHED_POLICY === undefined) cluster.schedulingPolicy = cluster.SCHED_NONE;
    this.overrides = config.overrides;
    // "advanced" serialization: a packed allowlist's typed arrays travel as bytes (protocol.ts).
    cluster.setupPrimary({
      exec: fileURLToPath(new URL('./worker-main.js', import.meta.url)),
      args: [],
      execArgv: workerExecArgv(process.execArgv, process.env.NODE_OPTIONS),
      silent: false,
      serialization: 'advanced',
    });
  }

  /**
   * Forks every worker with `state` as its first snapshot; resolves once all listen. The primary then
   * lowers its own CPU priority (nice +10): loading a big state and the admin API must never take
   * CPU from the workers that serve the proxy (issue 19 §6).
   */
  async start(state: StoreState): Promise<number> {
    this.latest = state;
    void this.pack(state);
    await Promise.all(Array.from({ length: this.count }, (_, i) => this.fork(i + 1)));
    try {
      setPriority(process.pid, PRIMARY_NICE);
    } catch {
      // not allowed here: the primary keeps the workers' priority
    }
    return this.port;
  }

  private fork(id: number): Promise<void> {
    const worker = cluster.fork({
      CORSGATE_WORKER: JSON.stringify({ ...this.config, port: this.port || this.config.port }),
      CORSGATE_WORKER_ID: String(id),
    });
    // A worker forked after the primary lowered its priority inherits it: give it back (root only).
    try {
      if (worker.process.pid !== undefined && getPriority(process.pid) !== 0)
        setPriority(worker.process.pid, 0);
    } catch {
      this.events.log(
        'warn',
        `proxy worker ${id} runs at the primary's lower CPU priority (raising it needs CAP_SYS_NICE)`,
      );
    }
    const member: Member = {
      worker,
      id,
      version: 0,
      ready: false,
      listening: false,
      sending: null,
      holds: null,
    };
    this.members.set(id, member);
    return new Promise((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (m.t === 'ready') {
          member.ready = true;
          if (this.packed) this.sendState(member, this.packed);
        } else if (m.t === 'more') {
          this.sendChunk(member, m.version);
        } else if (m.t === 'listening') {
          member.listening = true;
          this.port = m.port;
          resolve();
        } else if (m.t === 'published') {
          member.version = m.version;
          this.events.published(m.version, m.info);
        } else if (m.t === 'compile-failed') {
          member.holds = null;
          this.events.compileFailed(m.version, m.message);
        } else if (m.t === 'resync') {
          member.holds = null;
          if (this.packed && member.sending?.packed !== this.packed) this.sendState(member, this.packed);
        } else if (m.t === 'metrics') this.metricsArrived(m.id, m.data);
        else if (m.t === 'usage') this.events.usage(m.batch);
      });
      worker.on('exit', (code, signal) => {
        this.members.delete(id);
        if (!member.listening)
          reject(new Error(`proxy worker ${id} exited before it listened (${signal ?? code})`));
        if (this.stopping) return;
        this.events.log(
          'error',
          `proxy worker ${id} died (${signal ?? `exit code ${code}`}); starting a new one`,
          { worker: id, code, signal },
        );
        void this.fork(id).catch((err: Error) => this.events.log('error', err.message));
      });
    });
  }

  /** Checks and packs `state` whole (once, for every worker), then sends it to the ready ones. */
  private async pack(state: StoreState): Promise<void> {
    this.packed = null;
    this.checked = null;
    let packed: PackedState;
    try {
      const checked = await checkState(state, this.overrides, () => this.latest === state);
      if (checked === null || this.latest !== state) return; // a newer state replaced it
      packed = packState(state, checked);
      this.checked = checked;
    } catch (err) {
      this.events.log(
        'error',
        `the policy could not be packed for the workers; the previous one stays in force: ${(err as Error).message}`,
      );
      this.events.compileFailed(state.version, (err as Error).message);
      return;
    }
    this.packed = packed;
    for (const m of this.members.values()) if (m.ready) this.sendState(m, packed);
  }

  /**
   * `state` as a delta of the state checked last, when the store gave one that fits (pack.ts): the
   * checked table takes the change, and each worker that holds the previous version receives the
   * change alone; the others (starting, receiving a whole state, or behind) the new state whole.
   * False when `state` must be checked whole.
   */
  private publishDelta(state: StoreState): boolean {
    const base = this.checked;
    if (base === null || this.packed === null) return false;
    const from = base.version;
    const ops = applyStateDelta(base, state, this.overrides);
    if (ops === null) {
      this.checked = null; // possibly half changed
      return false;
    }
    // The whole state again, for the workers that need it: views of the table just changed, so every
    // whole send in progress starts over with these.
    const packed = packState(state, base);
    this.packed = packed;
    const delta = packDelta(state, from, base, ops);
    for (const m of this.members.values()) {
      if (!m.ready) continue;
      if (m.holds === from && m.sending === null) {
        m.holds = state.version;
        this.send(m, delta);
      } else this.sendState(m, packed);
    }
    return true;
  }

  private sendState(member: Member, packed: PackedState): void {
    member.sending = { packed, next: 0 };
    member.holds = null;
    this.send(member, packed.begin);
  }

  /** The worker applied the previous piece of `version`: the next one (the last is `state-end`). */
  private sendChunk(member: Member, version: number): void {
    const sending = member.sending;
    if (sending === null || sending.packed.version !== version) return; // a newer state replaced it
    const piece = sending.packed.pieces[sending.next++];
    if (piece === undefined) return;
    if (sending.next >= sending.packed.pieces.length) {
      member.sending = null;
      member.holds = version;
    }
    this.send(member, piece);
  }

  private send(member: Member, m: ToWorker): void {
    if (member.worker.isConnected()) member.worker.send(m);
  }

  /** Sends a new state to every worker (each acknowledges with `published`). */
  publish(state: StoreState): void {
    this.latest = state;
    if (!this.publishDelta(state)) void this.pack(state);
  }

  /** Engine options for the states published from now on (a reloaded policy file). */
  setOverrides(overrides: WorkerConfig['overrides']): void {
    this.overrides = overrides;
  }

  /** Tells every worker to run its reloaders (SIGHUP reached the primary). */
  reload(): void {
    for (const m of this.members.values()) this.send(m, { t: 'reload' });
  }

  /** Tells every worker to forget the usage counts it has not sent yet. */
  resetUsage(): void {
    for (const m of this.members.values()) this.send(m, { t: 'usage-reset' });
  }

  /** The lowest version any live worker enforces (every worker has published it). */
  minVersion(): number {
    let min = Infinity;
    for (const m of this.members.values()) min = Math.min(min, m.version);
    return min === Infinity ? 0 : min;
  }

  /** Every worker's metrics as prom-client JSON (a worker that does not answer in 2 s is left out). */
  gatherMetrics(): Promise<unknown[]> {
    const id = ++this.metricsId;
    const live = [...this.members.values()].filter((m) => m.worker.isConnected());
    return new Promise((resolve) => {
      const wait = { want: live.length, got: [] as unknown[], done: resolve };
      this.metricsWaits.set(id, wait);
      for (const m of live) m.worker.send({ t: 'metrics', id } satisfies ToWorker);
      if (live.length === 0) this.finishMetrics(id);
      setTimeout(() => this.finishMetrics(id), 2000).unref();
    });
  }

  private metricsArrived(id: number, data: unknown): void {
    const wait = this.metricsWaits.get(id);
    if (!wait) return;
    wait.got.push(data);
    if (wait.got.length >= wait.want) this.finishMetrics(id);
  }

  private finishMetrics(id: number): void {
    const wait = this.metricsWaits.get(id);
    if (!wait) return;
    this.metricsWaits.delete(id);
    wait.done(wait.got);
  }

  /** Asks every worker to drain (stop accepting, finish in-flight requests) and waits for all to exit. */
  async stop(): Promise<void> {
    this.stopping = true;
    const exits = [...this.members.values()].map(
      (m) =>
        new Promise<void>((resolve) => {
          if (m.worker.isDead()) return resolve();
          m.worker.once('exit', () => resolve());
          if (m.worker.isConnected()) m.worker.send({ t: 'shutdown' } satisfies ToWorker);
          setTimeout(() => m.worker.kill('SIGKILL'), 8000).unref();
        }),
    );
    await Promise.all(exits);
  }
}
