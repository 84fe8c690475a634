/**
 * The usage counters in SQLite (issue 14), on the shared statements of usage-sql.ts. A flush is one
 * transaction; it never touches the change counter (counters are no configuration and must not
 * recompile any snapshot).
 */
import type Database from 'better-sqlite3';
import { StoreError, type Page } from './types.js';
import { decodeCursor, encodeCursor, type Row } from './sqlite-rows.js';
import {
  allowlistUsagePage,
  allowlistUsageQuery,
  READS,
  TRAFFIC_MINUTES,
  TRIM_TRAFFIC,
  TRIMS,
  totalsOf,
  UPSERTS,
  USAGE_TABLES,
} from './usage-sql.js';
import type { AllowlistUsage, UsageBatch, UsageLimits, UsageQuery, UsageTotals } from './usage-types.js';

type Db = Database.Database;

export { USAGE_TABLES };

export function recordUsage(db: Db, node: string, b: UsageBatch, limits: UsageLimits): void {
  const s = Object.fromEntries(Object.entries(UPSERTS).map(([k, sql]) => [k, db.prepare(sql)])) as Record<
    keyof typeof UPSERTS,
    Database.Statement
  >;
  db.transaction(() => {
    for (const e of b.entries) s.entries.run(node, e.pattern, e.hits, e.lastSeenAt);
    for (const r of b.refused) s.refused.run(node, r.route, r.origin, r.count, r.lastSeenAt, r.examplePath);
    for (const u of b.upstream)
      s.upstream.run(
        node,
        u.route,
        u.origin,
        u.decision,
        u.upstreamAllowOrigin ?? '',
        u.count,
        u.lastSeenAt,
        u.examplePath,
      );
    for (const t of b.traffic) s.traffic.run(node, t.minute, t.allowed, t.refused, t.wouldRefuse);
    for (const c of b.csp) s.csp.run(node, c.directive, c.blockedOrigin, c.page, c.count, c.lastSeenAt);
    if (b.cspIntake.dropped > 0 || b.cspIntake.malformed > 0)
      s.intake.run(node, b.cspIntake.dropped, b.cspIntake.malformed);
    for (const sql of TRIMS) db.prepare(sql).run(node, node, limits.topN);
    const newest = b.traffic.reduce((m, t) => Math.max(m, t.minute), 0);
    if (newest > 0) db.prepare(TRIM_TRAFFIC).run(node, newest - TRAFFIC_MINUTES);
  }).immediate();
}

/** Everything but the allowlist, summed across nodes; traffic from `sinceMinute` on. */
export function readUsage(db: Db, sinceMinute: number, limit: number): UsageTotals {
  return totalsOf({
    refused: db.prepare(READS.refused).all(limit) as Row[],
    upstream: db.prepare(READS.upstream).all(limit) as Row[],
    traffic: db.prepare(READS.traffic).all(sinceMinute) as Row[],
    csp: db.prepare(READS.csp).all(limit) as Row[],
    intake: db.prepare(READS.intake).get() as Row,
  });
}

/** The offset an allowlist-usage cursor holds (it is one this API returned, or the client's error). */
export function usageOffset(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const c = decodeCursor(cursor);
  if (!Array.isArray(c) || c[0] !== 'offset' || !Number.isSafeInteger(c[1]) || (c[1] as number) < 0)
    throw new StoreError('conflict', 'the cursor is not one this API returned', 'cursor');
  return c[1] as number;
}

export const usageCursor = (offset: number) => encodeCursor(['offset', offset]);

/** The allowlist with each entry's hits summed across nodes; sorted, paged by an offset cursor. */
export function listAllowlistUsage(db: Db, q: UsageQuery): Page<AllowlistUsage> {
  const offset = usageOffset(q.cursor);
  const { sql, params } = allowlistUsageQuery(q, offset);
  return allowlistUsagePage(db.prepare(sql).all(...params) as Row[], q, offset, usageCursor);
}

export function resetUsage(db: Db): void {
  for (const t of USAGE_TABLES) db.prepare(`DELETE FROM ${t}`).run();
}
