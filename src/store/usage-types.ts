/**
 * Usage counters (issue 14): what the gateway saw, aggregated in memory by each worker, summed by
 * the primary and written to the store every few seconds, never per request. Rows are kept per
 * node (`node`) and summed on read, so a fleet sharing one store sees its total. Times are epoch
 * milliseconds and minutes as integers, so that every SQL store keeps them the same way.
 */

/** One allowlist entry's hits since the last flush. */
export interface EntryHits {
  pattern: string;
  hits: number;
  lastSeenAt: number;
}

/** One refused (or, in report-only, would-be refused) origin on one route. */
export interface RefusedOrigin {
  route: string;
  origin: string;
  count: number;
  lastSeenAt: number;
  examplePath: string;
}

/** Report-only: what corsgate would have decided for an origin next to what the upstream answered. */
export interface UpstreamComparison {
  route: string;
  origin: string;
  /** What enforcing would have done. */
  decision: 'allowed' | 'refused';
  /** The upstream's Access-Control-Allow-Origin, or null when it sent none. */
  upstreamAllowOrigin: string | null;
  count: number;
  lastSeenAt: number;
  examplePath: string;
}

/** Requests of one minute (epoch minute) by what was decided. */
export interface TrafficMinute {
  minute: number;
  allowed: number;
  refused: number;
  /** Report-only: refusals that were not enforced. */
  wouldRefuse: number;
}

/** One CSP violation key: the effective directive, the blocked origin and the page. */
export interface CspViolation {
  directive: string;
  blockedOrigin: string;
  page: string;
  count: number;
  lastSeenAt: number;
}

/** Counts of report intake that kept no report. */
export interface CspIntake {
  /** Reports over the per-client rate, dropped. */
  dropped: number;
  /** Bodies or reports that failed validation (answered 400). */
  malformed: number;
}

export interface UsageBatch {
  entries: EntryHits[];
  refused: RefusedOrigin[];
  upstream: UpstreamComparison[];
  traffic: TrafficMinute[];
  csp: CspViolation[];
  cspIntake: CspIntake;
}

export function emptyBatch(): UsageBatch {
  return {
    entries: [],
    refused: [],
    upstream: [],
    traffic: [],
    csp: [],
    cspIntake: { dropped: 0, malformed: 0 },
  };
}

/** Summed across nodes. */
export interface UsageTotals {
  refused: RefusedOrigin[];
  upstream: UpstreamComparison[];
  traffic: TrafficMinute[];
  csp: CspViolation[];
  cspIntake: CspIntake;
}

/** An allowlist entry with its summed hits. */
export interface AllowlistUsage {
  id: string;
  urlPattern: string;
  description: string;
  createdAt: string;
  hits: number;
  /** ISO time of the last hit, or null when never seen. */
  lastSeenAt: string | null;
}

export interface UsageQuery {
  limit: number;
  cursor?: string;
  sort?: 'hits' | 'lastSeenAt' | 'urlPattern' | 'createdAt';
  order?: 'asc' | 'desc';
  /** Only entries not seen since this epoch-ms time (never-seen ones included). */
  unusedBefore?: number;
}

/** How many rows of each bounded table a node keeps (the top by count). */
export interface UsageLimits {
  topN: number;
}
