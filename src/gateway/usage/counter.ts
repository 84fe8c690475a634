/**
 * A worker's usage counters (issue 14), in memory: allowed origins (resolved to their allowlist
 * entry only when a batch is drained), refused and would-be-refused origins per route, report-only
 * comparisons with the upstream's answer, and requests per minute. `record` runs on every request:
 * a Map lookup and a few increments on a clock read once a second (`tick`), no allocation unless a
 * key is new. Every table is bounded (`TopN`), so a flood of random origins cannot grow memory.
 */
import type { Forward, Outcome } from '../core/decide.js';
import type {
  CspViolation,
  RefusedOrigin,
  TrafficMinute,
  UpstreamComparison,
  UsageBatch,
} from '../../store/types.js';

/** Paths are kept without their query (it may carry secrets) and at most this long. */
const MAX_PATH = 256;

export function examplePath(target: string): string {
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  return path.length > MAX_PATH ? path.slice(0, MAX_PATH) : path;
}

/**
 * A Map of at most about 2n keys: past 2n, only the n most frequent stay (sorting once per n new
 * keys, so each new key costs O(log n) on average even under a flood).
 */
export class TopN<V extends { count: number }> {
  private map = new Map<string, V>();
  constructor(private readonly n: number) {}

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, v: V): void {
    this.map.set(key, v);
    if (this.map.size > 2 * this.n) this.trim();
  }

  get size(): number {
    return this.map.size;
  }

  private trim(): void {
    const keep = [...this.map].sort((a, b) => b[1].count - a[1].count).slice(0, this.n);
    this.map = new Map(keep);
  }

  /** The n most frequent, and empties the table. */
  drain(): V[] {
    this.trim();
    const out = [...this.map.values()];
    this.map.clear();
    return out;
  }
}

interface Hits {
  origin: string;
  count: number;
  lastSeenAt: number;
}

export class UsageCounter {
  private now = Date.now();
  private cur: TrafficMinute;
  private traffic: TrafficMinute[] = [];
  private allowed: TopN<Hits>;
  private refused: TopN<RefusedOrigin>;
  private upstream: TopN<UpstreamComparison>;
  private csp: TopN<CspViolation>;
  private readonly cspIntake = { dropped: 0, malformed: 0 };
  /** The last allowed origin's cell: most connections repeat one origin, and a compare is cheaper than a hash. */
  private lastOrigin = '';
  private lastCell: Hits | null = null;

  constructor(private readonly topN: number) {
    this.cur = { minute: Math.floor(this.now / 60_000), allowed: 0, refused: 0, wouldRefuse: 0 };
    this.allowed = new TopN(topN);
    this.refused = new TopN(topN);
    this.upstream = new TopN(topN);
    this.csp = new TopN(topN);
  }

  /** The clock, advanced by a timer (once a second) rather than read per request. */
  tick(now: number): void {
    this.now = now;
    const minute = Math.floor(now / 60_000);
    if (minute !== this.cur.minute) {
      this.traffic.push(this.cur);
      this.cur = { minute, allowed: 0, refused: 0, wouldRefuse: 0 };
    }
  }

  get clock(): number {
    return this.now;
  }

  /** Every request's outcome; `target` is the request target (for a refused origin's example path). */
  record(o: Outcome, target: string): void {
    const origin = o.origin;
    if (origin === null || o.decision === 'passthrough') return;
    if (o.decision === 'allowed') {
      this.cur.allowed++;
      if (o.route.kind === 'public') return; // no allowlist entry admitted it
      const cell =
        this.lastCell !== null && origin === this.lastOrigin ? this.lastCell : this.allowed.get(origin);
      if (cell === undefined) {
        this.allowed.set(origin, { origin, count: 1, lastSeenAt: this.now });
        this.lastCell = null; // a new key may have trimmed the table: cache only a cell read back from it
      } else {
        this.lastCell = cell;
        this.lastOrigin = origin;
        cell.count++;
        cell.lastSeenAt = this.now;
      }
      return;
    }
    if (o.kind === 'forward') this.cur.wouldRefuse++;
    else this.cur.refused++;
    const key = `${o.route.id} ${origin}`;
    const cell = this.refused.get(key);
    if (cell === undefined)
      this.refused.set(key, {
        route: o.route.id,
        origin,
        count: 1,
        lastSeenAt: this.now,
        examplePath: examplePath(target),
      });
    else {
      cell.count++;
      cell.lastSeenAt = this.now;
    }
  }

  /** Report-only: the upstream answered `o` with this Access-Control-Allow-Origin (null: none). */
  compare(o: Forward, allowOrigin: string | null): void {
    const origin = o.origin;
    if (origin === null || o.decision === 'passthrough') return;
    const key = `${o.route.id} ${origin} ${o.decision} ${allowOrigin ?? ''}`;
    const cell = this.upstream.get(key);
    if (cell === undefined)
      this.upstream.set(key, {
        route: o.route.id,
        origin,
        decision: o.decision,
        upstreamAllowOrigin: allowOrigin,
        count: 1,
        lastSeenAt: this.now,
        examplePath: examplePath(o.path),
      });
    else {
      cell.count++;
      cell.lastSeenAt = this.now;
    }
  }

  /** A validated CSP violation report (csp-reports.ts). */
  violation(directive: string, blockedOrigin: string, page: string): void {
    const key = `${directive} ${blockedOrigin} ${page}`;
    const cell = this.csp.get(key);
    if (cell === undefined)
      this.csp.set(key, { directive, blockedOrigin, page, count: 1, lastSeenAt: this.now });
    else {
      cell.count++;
      cell.lastSeenAt = this.now;
    }
  }

  cspRejected(kind: 'dropped' | 'malformed'): void {
    this.cspIntake[kind]++;
  }

  /** Everything counted since the last drain, with allowed origins resolved to their entry; then starts afresh. */
  drain(entryOf: (origin: string) => string | null): UsageBatch {
    this.lastCell = null; // it belongs to the table being drained
    const byPattern = new Map<string, { pattern: string; hits: number; lastSeenAt: number }>();
    for (const h of this.allowed.drain()) {
      const pattern = entryOf(h.origin);
      if (pattern === null) continue; // its entry was deleted since
      const e = byPattern.get(pattern);
      if (e === undefined) byPattern.set(pattern, { pattern, hits: h.count, lastSeenAt: h.lastSeenAt });
      else {
        e.hits += h.count;
        e.lastSeenAt = Math.max(e.lastSeenAt, h.lastSeenAt);
      }
    }
    const traffic = [...this.traffic, this.cur].filter((t) => t.allowed + t.refused + t.wouldRefuse > 0);
    this.traffic = [];
    this.cur = { minute: this.cur.minute, allowed: 0, refused: 0, wouldRefuse: 0 };
    const cspIntake = { ...this.cspIntake };
    this.cspIntake.dropped = 0;
    this.cspIntake.malformed = 0;
    return {
      entries: [...byPattern.values()],
      refused: this.refused.drain(),
      upstream: this.upstream.drain(),
      traffic,
      csp: this.csp.drain(),
      cspIntake,
    };
  }
}

export function isEmptyBatch(b: UsageBatch): boolean {
  return (
    b.entries.length +
      b.refused.length +
      b.upstream.length +
      b.traffic.length +
      b.csp.length +
      b.cspIntake.dropped +
      b.cspIntake.malformed ===
    0
  );
}
