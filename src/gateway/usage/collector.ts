/**
 * The primary's side of the usage counters: sums the batches its workers send and writes them to
 * the store under this node's name every `flushMs` (one transaction; never per request). A failed
 * write keeps the sums for the next attempt, so a busy store loses nothing.
 */
import type { Store, UsageBatch } from '../../store/types.js';
import { emptyBatch } from '../../store/types.js';
import { isEmptyBatch } from './counter.js';

function mergeBy<T>(into: T[], from: readonly T[], key: (t: T) => string, add: (a: T, b: T) => void): void {
  const index = new Map(into.map((t) => [key(t), t]));
  for (const t of from) {
    const k = key(t);
    const have = index.get(k);
    if (have === undefined) {
      const copy = { ...t };
      into.push(copy);
      index.set(k, copy);
    } else add(have, t);
  }
}

type Counted = { count: number; lastSeenAt: number };
const addCounted = (a: Counted, b: Counted) => {
  a.count += b.count;
  a.lastSeenAt = Math.max(a.lastSeenAt, b.lastSeenAt);
};

/** Adds `b` into `a` (keys as the store keys its rows). */
export function mergeBatch(a: UsageBatch, b: UsageBatch): void {
  mergeBy(
    a.entries,
    b.entries,
    (e) => e.pattern,
    (x, y) => {
      x.hits += y.hits;
      x.lastSeenAt = Math.max(x.lastSeenAt, y.lastSeenAt);
    },
  );
  mergeBy(a.refused, b.refused, (r) => `${r.route} ${r.origin}`, addCounted);
  mergeBy(
    a.upstream,
    b.upstream,
    (u) => `${u.route} ${u.origin} ${u.decision} ${u.upstreamAllowOrigin ?? ''}`,
    addCounted,
  );
  mergeBy(
    a.traffic,
    b.traffic,
    (t) => String(t.minute),
    (x, y) => {
      x.allowed += y.allowed;
      x.refused += y.refused;
      x.wouldRefuse += y.wouldRefuse;
    },
  );
  mergeBy(a.csp, b.csp, (c) => `${c.directive} ${c.blockedOrigin} ${c.page}`, addCounted);
  a.cspIntake.dropped += b.cspIntake.dropped;
  a.cspIntake.malformed += b.cspIntake.malformed;
}

export class UsageCollector {
  private pending: UsageBatch = emptyBatch();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly options: { node: () => string; flushMs: number; topN: number },
    private readonly log: (message: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushMs);
    this.timer.unref();
  }

  /** A worker's batch. */
  add(batch: UsageBatch): void {
    mergeBatch(this.pending, batch);
  }

  /** Writes what has been gathered; resolves when it is in the store (or kept for the next try). */
  async flush(): Promise<void> {
    if (this.writing) await this.writing;
    if (isEmptyBatch(this.pending)) return;
    const batch = this.pending;
    this.pending = emptyBatch();
    this.writing = this.store
      .recordUsage(this.options.node(), batch, { topN: this.options.topN })
      .catch((err: Error) => {
        mergeBatch(this.pending, batch);
        this.log(`usage counters could not be written; kept for the next flush: ${err.message}`);
      })
      .finally(() => {
        this.writing = null;
      });
    await this.writing;
  }

  /** Pending sums discarded (DELETE /api/usage: the workers' next batches start from zero too). */
  discard(): void {
    this.pending = emptyBatch();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
