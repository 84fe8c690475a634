/**
 * The usage counters' SQL (issue 14), one home for both stores: plain, portable statements
 * (upserts with ON CONFLICT … DO UPDATE, GROUP BY sums across nodes, row-value NOT IN for the top-N
 * trim) written with `?` placeholders; PostgreSQL numbers them (`numbered`). Also the mapping of
 * the summed rows, so that SQLite and PostgreSQL answer alike.
 */
import type { Page } from './types.js';
import type { AllowlistUsage, UsageQuery, UsageTotals } from './usage-types.js';

type Row = Record<string, unknown>;

/** Traffic minutes kept per node: two days (the console charts one). */
export const TRAFFIC_MINUTES = 2 * 24 * 60;

const latest = (t: string) =>
  `last_seen_at = CASE WHEN excluded.last_seen_at > ${t}.last_seen_at THEN excluded.last_seen_at ELSE ${t}.last_seen_at END`;

export const UPSERTS = {
  entries: `INSERT INTO usage_entries (node, pattern, hits, last_seen_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (node, pattern) DO UPDATE SET hits = usage_entries.hits + excluded.hits, ${latest('usage_entries')}`,
  refused: `INSERT INTO usage_refused (node, route, origin, count, last_seen_at, example_path) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (node, route, origin) DO UPDATE SET count = usage_refused.count + excluded.count, ${latest('usage_refused')}, example_path = excluded.example_path`,
  upstream: `INSERT INTO usage_upstream (node, route, origin, decision, upstream_allow_origin, count, last_seen_at, example_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (node, route, origin, decision, upstream_allow_origin) DO UPDATE SET count = usage_upstream.count + excluded.count, ${latest('usage_upstream')}, example_path = excluded.example_path`,
  traffic: `INSERT INTO usage_traffic (node, minute, allowed, refused, would_refuse) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (node, minute) DO UPDATE SET allowed = usage_traffic.allowed + excluded.allowed, refused = usage_traffic.refused + excluded.refused, would_refuse = usage_traffic.would_refuse + excluded.would_refuse`,
  csp: `INSERT INTO usage_csp (node, directive, blocked_origin, page, count, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (node, directive, blocked_origin, page) DO UPDATE SET count = usage_csp.count + excluded.count, ${latest('usage_csp')}`,
  intake: `INSERT INTO usage_csp_intake (node, dropped, malformed) VALUES (?, ?, ?)
    ON CONFLICT (node) DO UPDATE SET dropped = usage_csp_intake.dropped + excluded.dropped, malformed = usage_csp_intake.malformed + excluded.malformed`,
} as const;

/** Keeps a node's top `n` rows by count in each bounded table (a flood of random keys cannot grow the store). Parameters: node, node, n. */
export const TRIMS = [
  'DELETE FROM usage_refused WHERE node = ? AND (route, origin) NOT IN (SELECT route, origin FROM usage_refused WHERE node = ? ORDER BY count DESC, last_seen_at DESC LIMIT ?)',
  'DELETE FROM usage_upstream WHERE node = ? AND (route, origin, decision, upstream_allow_origin) NOT IN (SELECT route, origin, decision, upstream_allow_origin FROM usage_upstream WHERE node = ? ORDER BY count DESC, last_seen_at DESC LIMIT ?)',
  'DELETE FROM usage_csp WHERE node = ? AND (directive, blocked_origin, page) NOT IN (SELECT directive, blocked_origin, page FROM usage_csp WHERE node = ? ORDER BY count DESC, last_seen_at DESC LIMIT ?)',
  // Entries: more rows than the allowlist can only be entries deleted since; the top n stay.
  'DELETE FROM usage_entries WHERE node = ? AND pattern NOT IN (SELECT pattern FROM usage_entries WHERE node = ? ORDER BY last_seen_at DESC LIMIT ?)',
] as const;

/** Parameters: node, the oldest minute kept. */
export const TRIM_TRAFFIC = 'DELETE FROM usage_traffic WHERE node = ? AND minute < ?';

/** The sums across nodes that `readUsage` answers; `limit` or `sinceMinute` is each one's parameter. */
export const READS = {
  refused:
    'SELECT route, origin, SUM(count) AS count, MAX(last_seen_at) AS last_seen_at, MAX(example_path) AS example_path FROM usage_refused GROUP BY route, origin ORDER BY count DESC, origin LIMIT ?',
  upstream: `SELECT route, origin, decision, upstream_allow_origin, SUM(count) AS count, MAX(last_seen_at) AS last_seen_at, MAX(example_path) AS example_path
      FROM usage_upstream GROUP BY route, origin, decision, upstream_allow_origin ORDER BY count DESC, origin LIMIT ?`,
  traffic:
    'SELECT minute, SUM(allowed) AS allowed, SUM(refused) AS refused, SUM(would_refuse) AS would_refuse FROM usage_traffic WHERE minute >= ? GROUP BY minute ORDER BY minute',
  csp: 'SELECT directive, blocked_origin, page, SUM(count) AS count, MAX(last_seen_at) AS last_seen_at FROM usage_csp GROUP BY directive, blocked_origin, page ORDER BY count DESC LIMIT ?',
  intake:
    'SELECT COALESCE(SUM(dropped), 0) AS dropped, COALESCE(SUM(malformed), 0) AS malformed FROM usage_csp_intake',
} as const;

export const USAGE_TABLES = [
  'usage_entries',
  'usage_refused',
  'usage_upstream',
  'usage_traffic',
  'usage_csp',
  'usage_csp_intake',
] as const;

/** `?` placeholders numbered `$1, $2, …` (PostgreSQL); the statements above hold no `?` in literals. */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const n = (v: unknown) => Number(v);

/** The rows of READS as UsageTotals (sums arrive as numbers or numeric strings). */
export function totalsOf(r: {
  refused: Row[];
  upstream: Row[];
  traffic: Row[];
  csp: Row[];
  intake: Row;
}): UsageTotals {
  return {
    refused: r.refused.map((x) => ({
      route: String(x.route),
      origin: String(x.origin),
      count: n(x.count),
      lastSeenAt: n(x.last_seen_at),
      examplePath: String(x.example_path),
    })),
    upstream: r.upstream.map((x) => ({
      route: String(x.route),
      origin: String(x.origin),
      decision: x.decision === 'allowed' ? 'allowed' : 'refused',
      upstreamAllowOrigin: x.upstream_allow_origin === '' ? null : String(x.upstream_allow_origin),
      count: n(x.count),
      lastSeenAt: n(x.last_seen_at),
      examplePath: String(x.example_path),
    })),
    traffic: r.traffic.map((x) => ({
      minute: n(x.minute),
      allowed: n(x.allowed),
      refused: n(x.refused),
      wouldRefuse: n(x.would_refuse),
    })),
    csp: r.csp.map((x) => ({
      directive: String(x.directive),
      blockedOrigin: String(x.blocked_origin),
      page: String(x.page),
      count: n(x.count),
      lastSeenAt: n(x.last_seen_at),
    })),
    cspIntake: { dropped: n(r.intake.dropped), malformed: n(r.intake.malformed) },
  };
}

// Never-seen entries sort as time 0 (SQLite and PostgreSQL place NULLs differently).
const USAGE_SORTS = {
  hits: 'hits',
  lastSeenAt: 'COALESCE(u.last_seen_at, 0)',
  urlPattern: 'a.url_pattern',
  createdAt: 'a.seq',
} as const;

/** The allowlist with each entry's hits summed across nodes, sorted, one page from `offset`. */
export function allowlistUsageQuery(q: UsageQuery, offset: number): { sql: string; params: unknown[] } {
  const column = USAGE_SORTS[q.sort ?? 'createdAt'];
  const order = q.order === 'desc' ? 'DESC' : 'ASC';
  const sql = `SELECT a.id, a.url_pattern, a.description, a.created_at, a.seq, COALESCE(u.hits, 0) AS hits, u.last_seen_at
       FROM allowlist a LEFT JOIN (SELECT pattern, SUM(hits) AS hits, MAX(last_seen_at) AS last_seen_at FROM usage_entries GROUP BY pattern) u ON u.pattern = a.url_pattern
       ${q.unusedBefore === undefined ? '' : 'WHERE COALESCE(u.last_seen_at, 0) < ?'}
       ORDER BY ${column} ${order}, a.seq ${order} LIMIT ? OFFSET ?`;
  return { sql, params: [...(q.unusedBefore === undefined ? [] : [q.unusedBefore]), q.limit + 1, offset] };
}

/** One page of `allowlistUsageQuery`'s rows (it asks for one more than the page, to know there is a next). */
export function allowlistUsagePage(
  rows: Row[],
  q: UsageQuery,
  offset: number,
  cursorOf: (offset: number) => string,
): Page<AllowlistUsage> {
  return {
    items: rows.slice(0, q.limit).map((r) => ({
      id: String(r.id),
      urlPattern: String(r.url_pattern),
      description: String(r.description),
      createdAt: String(r.created_at),
      hits: n(r.hits),
      lastSeenAt:
        r.last_seen_at === null || r.last_seen_at === undefined
          ? null
          : new Date(n(r.last_seen_at)).toISOString(),
    })),
    nextCursor: rows.length > q.limit ? cursorOf(offset + q.limit) : null,
  };
}
