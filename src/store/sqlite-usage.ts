/**
 * The usage counters in SQLite (issue 14). Plain, portable SQL: upserts with ON CONFLICT … DO
 * UPDATE, GROUP BY sums across nodes, row-value NOT IN for the top-N trim — the same statements
 * run on PostgreSQL. A flush is one transaction; it never touches the change counter (counters
 * are no configuration and must not recompile any snapshot).
 */
import type Database from 'better-sqlite3';
import { StoreError, type Page } from './types.js';
import { decodeCursor, encodeCursor, type Row } from './sqlite-rows.js';
import type { AllowlistUsage, UsageBatch, UsageLimits, UsageQuery, UsageTotals } from './usage-types.js';

type Db = Database.Database;

/** Traffic minutes kept per node: two days (the console charts one). */
export const TRAFFIC_MINUTES = 2 * 24 * 60;

export const UPSERTS = {
  entries: `INSERT INTO usage_entries (node, pattern, hits, last_seen_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (node, pattern) DO UPDATE SET hits = usage_entries.hits + excluded.hits, last_seen_at = CASE WHEN excluded.last_seen_at > usage_entries.last_seen_at THEN excluded.last_seen_at ELSE usage_entries.last_seen_at END`,
  refused: `INSERT INTO usage_refused (node, route, origin, count, last_seen_at, example_path) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (node, route, origin) DO UPDATE SET count = usage_refused.count + excluded.count, last_seen_at = CASE WHEN excluded.last_seen_at > usage_refused.last_seen_at THEN excluded.last_seen_at ELSE usage_refused.last_seen_at END, example_path = excluded.example_path`,
  upstream: `INSERT INTO usage_upstream (node, route, origin, decision, upstream_allow_origin, count, last_seen_at, example_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (node, route, origin, decision, upstream_allow_origin) DO UPDATE SET count = usage_upstream.count + excluded.count, last_seen_at = CASE WHEN excluded.last_seen_at > usage_upstream.last_seen_at THEN excluded.last_seen_at ELSE usage_upstream.last_seen_at END, example_path = excluded.example_path`,
  traffic: `INSERT INTO usage_traffic (node, minute, allowed, refused, would_refuse) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (node, minute) DO UPDATE SET allowed = usage_traffic.allowed + excluded.allowed, refused = usage_traffic.refused + excluded.refused, would_refuse = usage_traffic.would_refuse + excluded.would_refuse`,
  csp: `INSERT INTO usage_csp (node, directive, blocked_origin, page, count, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (node, directive, blocked_origin, page) DO UPDATE SET count = usage_csp.count + excluded.count, last_seen_at = CASE WHEN excluded.last_seen_at > usage_csp.last_seen_at THEN excluded.last_seen_at ELSE usage_csp.last_seen_at END`,
  intake: `INSERT INTO usage_csp_intake (node, dropped, malformed) VALUES (?, ?, ?)
    ON CONFLICT (node) DO UPDATE SET dropped = usage_csp_intake.dropped + excluded.dropped, malformed = usage_csp_intake.malformed + excluded.malformed`,
} as const;

/** Keeps a node's top `n` rows by count in each bounded table (a flood of random keys cannot grow the store). */
export const TRIMS = [
  'DELETE FROM usage_refused WHERE node = ? AND (route, origin) NOT IN (SELECT route, origin FROM usage_refused WHERE node = ? ORDER BY count DESC, last_seen_at DESC LIMIT ?)',
  'DELETE FROM usage_upstream WHERE node = ? AND (route, origin, decision, upstream_allow_origin) NOT IN (SELECT route, origin, decision, upstream_allow_origin FROM usage_upstream WHERE node = ? ORDER BY count DESC, last_seen_at DESC LIMIT ?)',
  'DELETE FROM usage_csp WHERE node = ? AND (directive, blocked_origin, page) NOT IN (SELECT directive, blocked_origin, page FROM usage_csp WHERE node = ? ORDER BY count DESC, last_seen_at DESC LIMIT ?)',
  // Entries: more rows than the allowlist can only be entries deleted since; the top n stay.
  'DELETE FROM usage_entries WHERE node = ? AND pattern NOT IN (SELECT pattern FROM usage_entries WHERE node = ? ORDER BY last_seen_at DESC LIMIT ?)',
];

export function recordUsage(db: Db, node: string, b: UsageBatch, limits: UsageLimits): void {
  const s = Object.fromEntries(Object.entries(UPSERTS).map(([k, sql]) => [k, db.prepare(sql)])) as Record<keyof typeof UPSERTS, Database.Statement>;
  db.transaction(() => {
    for (const e of b.entries) s.entries.run(node, e.pattern, e.hits, e.lastSeenAt);
    for (const r of b.refused) s.refused.run(node, r.route, r.origin, r.count, r.lastSeenAt, r.examplePath);
    for (const u of b.upstream) s.upstream.run(node, u.route, u.origin, u.decision, u.upstreamAllowOrigin ?? '', u.count, u.lastSeenAt, u.examplePath);
    for (const t of b.traffic) s.traffic.run(node, t.minute, t.allowed, t.refused, t.wouldRefuse);
    for (const c of b.csp) s.csp.run(node, c.directive, c.blockedOrigin, c.page, c.count, c.lastSeenAt);
    if (b.cspIntake.dropped > 0 || b.cspIntake.malformed > 0) s.intake.run(node, b.cspIntake.dropped, b.cspIntake.malformed);
    for (const sql of TRIMS) db.prepare(sql).run(node, node, limits.topN);
    const newest = b.traffic.reduce((m, t) => Math.max(m, t.minute), 0);
    if (newest > 0) db.prepare('DELETE FROM usage_traffic WHERE node = ? AND minute < ?').run(node, newest - TRAFFIC_MINUTES);
  }).immediate();
}

/** The reads behind readUsage (parameters: limit, or sinceMinute for traffic, none for intake). */
export const READS = {
  refused: `SELECT route, origin, SUM(count) AS count, MAX(last_seen_at) AS last_seen_at, MAX(example_path) AS example_path FROM usage_refused GROUP BY route, origin ORDER BY count DESC, origin LIMIT ?`,
  upstream: `SELECT route, origin, decision, upstream_allow_origin, SUM(count) AS count, MAX(last_seen_at) AS last_seen_at, MAX(example_path) AS example_path
      FROM usage_upstream GROUP BY route, origin, decision, upstream_allow_origin ORDER BY count DESC, origin LIMIT ?`,
  traffic: 'SELECT minute, SUM(allowed) AS allowed, SUM(refused) AS refused, SUM(would_refuse) AS would_refuse FROM usage_traffic WHERE minute >= ? GROUP BY minute ORDER BY minute',
  csp: 'SELECT directive, blocked_origin, page, SUM(count) AS count, MAX(last_seen_at) AS last_seen_at FROM usage_csp GROUP BY directive, blocked_origin, page ORDER BY count DESC LIMIT ?',
  intake: 'SELECT COALESCE(SUM(dropped), 0) AS dropped, COALESCE(SUM(malformed), 0) AS malformed FROM usage_csp_intake',
} as const;

/** Everything but the allowlist, summed across nodes; traffic from `sinceMinute` on. */
export function readUsage(db: Db, sinceMinute: number, limit: number): UsageTotals {
  return usageTotals({
    refused: db.prepare(READS.refused).all(limit) as Row[],
    upstream: db.prepare(READS.upstream).all(limit) as Row[],
    traffic: db.prepare(READS.traffic).all(sinceMinute) as Row[],
    csp: db.prepare(READS.csp).all(limit) as Row[],
    intake: db.prepare(READS.intake).get() as Row,
  });
}

/** The rows of READS as the API's totals (either store's numbers, whatever their SQL type). */
export function usageTotals(r: { refused: Row[]; upstream: Row[]; traffic: Row[]; csp: Row[]; intake: Row }): UsageTotals {
  const { refused, upstream, traffic, csp, intake } = r;
  const n = (v: unknown) => Number(v);
  return {
    refused: refused.map((r) => ({ route: String(r.route), origin: String(r.origin), count: n(r.count), lastSeenAt: n(r.last_seen_at), examplePath: String(r.example_path) })),
    upstream: upstream.map((r) => ({
      route: String(r.route),
      origin: String(r.origin),
      decision: r.decision === 'allowed' ? 'allowed' : 'refused',
      upstreamAllowOrigin: r.upstream_allow_origin === '' ? null : String(r.upstream_allow_origin),
      count: n(r.count),
      lastSeenAt: n(r.last_seen_at),
      examplePath: String(r.example_path),
    })),
    traffic: traffic.map((r) => ({ minute: n(r.minute), allowed: n(r.allowed), refused: n(r.refused), wouldRefuse: n(r.would_refuse) })),
    csp: csp.map((r) => ({ directive: String(r.directive), blockedOrigin: String(r.blocked_origin), page: String(r.page), count: n(r.count), lastSeenAt: n(r.last_seen_at) })),
    cspIntake: { dropped: n(intake.dropped), malformed: n(intake.malformed) },
  };
}

// Never-seen entries sort as time 0 (SQLite and PostgreSQL place NULLs differently).
const USAGE_SORTS = { hits: 'hits', lastSeenAt: 'COALESCE(u.last_seen_at, 0)', urlPattern: 'a.url_pattern', createdAt: 'a.seq' } as const;

/** The allowlist with each entry's hits summed across nodes; sorted, paged by an offset cursor. */
export function listAllowlistUsage(db: Db, q: UsageQuery): Page<AllowlistUsage> {
  const { sql, params, offset } = allowlistUsageQuery(q);
  return allowlistUsagePage(db.prepare(sql).all(...params) as Row[], q, offset);
}

/** The statement (with `?` placeholders) and parameters of one page of allowlist usage. */
export function allowlistUsageQuery(q: UsageQuery): { sql: string; params: unknown[]; offset: number } {
  const column = USAGE_SORTS[q.sort ?? 'createdAt'];
  const order = q.order === 'desc' ? 'DESC' : 'ASC';
  let offset = 0;
  if (q.cursor !== undefined) {
    const c = decodeCursor(q.cursor);
    if (!Array.isArray(c) || c[0] !== 'offset' || !Number.isSafeInteger(c[1]) || (c[1] as number) < 0) throw new StoreError('conflict', 'the cursor is not one this API returned', 'cursor');
    offset = c[1] as number;
  }
  const sql = `SELECT a.id, a.url_pattern, a.description, a.created_at, a.seq, COALESCE(u.hits, 0) AS hits, u.last_seen_at
       FROM allowlist a LEFT JOIN (SELECT pattern, SUM(hits) AS hits, MAX(last_seen_at) AS last_seen_at FROM usage_entries GROUP BY pattern) u ON u.pattern = a.url_pattern
       ${q.unusedBefore === undefined ? '' : 'WHERE COALESCE(u.last_seen_at, 0) < ?'}
       ORDER BY ${column} ${order}, a.seq ${order} LIMIT ? OFFSET ?`;
  return { sql, params: [...(q.unusedBefore === undefined ? [] : [q.unusedBefore]), q.limit + 1, offset], offset };
}

export function allowlistUsagePage(rows: Row[], q: UsageQuery, offset: number): Page<AllowlistUsage> {
  const more = rows.length > q.limit;
  return {
    items: rows.slice(0, q.limit).map((r) => ({
      id: String(r.id),
      urlPattern: String(r.url_pattern),
      description: String(r.description),
      createdAt: String(r.created_at),
      hits: Number(r.hits),
      lastSeenAt: r.last_seen_at === null || r.last_seen_at === undefined ? null : new Date(Number(r.last_seen_at)).toISOString(),
    })),
    nextCursor: more ? encodeCursor(['offset', offset + q.limit]) : null,
  };
}

export const USAGE_TABLES = ['usage_entries', 'usage_refused', 'usage_upstream', 'usage_traffic', 'usage_csp', 'usage_csp_intake'] as const;

export function resetUsage(db: Db): void {
  for (const t of USAGE_TABLES) db.prepare(`DELETE FROM ${t}`).run();
}
