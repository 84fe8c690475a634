/** The usage counters in PostgreSQL (issue 14): the SQLite store's statements (usage-sql.ts), numbered. */
import type { Tx } from './pg-base.js';
import type { Row } from './sqlite-rows.js';
import { usageCursor, usageOffset } from './sqlite-usage.js';
import type { Page } from './types.js';
import {
  allowlistUsagePage,
  allowlistUsageQuery,
  numbered,
  READS,
  TRAFFIC_MINUTES,
  TRIM_TRAFFIC,
  TRIMS,
  totalsOf,
  UPSERTS,
  USAGE_TABLES,
} from './usage-sql.js';
import type { AllowlistUsage, UsageBatch, UsageLimits, UsageQuery, UsageTotals } from './usage-types.js';

type Query = Tx['q'];
const PG = Object.fromEntries(Object.entries(UPSERTS).map(([k, sql]) => [k, numbered(sql)])) as Record<
  keyof typeof UPSERTS,
  string
>;
const PG_TRIMS = TRIMS.map(numbered);
const PG_TRIM_TRAFFIC = numbered(TRIM_TRAFFIC);
const PG_READS = Object.fromEntries(Object.entries(READS).map(([k, sql]) => [k, numbered(sql)])) as Record<
  keyof typeof READS,
  string
>;

/** One node's batch, inside the caller's transaction. */
export async function recordUsage(q: Query, node: string, b: UsageBatch, limits: UsageLimits): Promise<void> {
  for (const e of b.entries) await q(PG.entries, [node, e.pattern, e.hits, e.lastSeenAt]);
  for (const r of b.refused)
    await q(PG.refused, [node, r.route, r.origin, r.count, r.lastSeenAt, r.examplePath]);
  for (const u of b.upstream)
    await q(PG.upstream, [
      node,
      u.route,
      u.origin,
      u.decision,
      u.upstreamAllowOrigin ?? '',
      u.count,
      u.lastSeenAt,
      u.examplePath,
    ]);
  for (const t of b.traffic) await q(PG.traffic, [node, t.minute, t.allowed, t.refused, t.wouldRefuse]);
  for (const c of b.csp) await q(PG.csp, [node, c.directive, c.blockedOrigin, c.page, c.count, c.lastSeenAt]);
  if (b.cspIntake.dropped > 0 || b.cspIntake.malformed > 0)
    await q(PG.intake, [node, b.cspIntake.dropped, b.cspIntake.malformed]);
  for (const sql of PG_TRIMS) await q(sql, [node, node, limits.topN]);
  const newest = b.traffic.reduce((m, t) => Math.max(m, t.minute), 0);
  if (newest > 0) await q(PG_TRIM_TRAFFIC, [node, newest - TRAFFIC_MINUTES]);
}

export async function readUsage(q: Query, sinceMinute: number, limit: number): Promise<UsageTotals> {
  return totalsOf({
    refused: await q(PG_READS.refused, [limit]),
    upstream: await q(PG_READS.upstream, [limit]),
    traffic: await q(PG_READS.traffic, [sinceMinute]),
    csp: await q(PG_READS.csp, [limit]),
    intake: ((await q(PG_READS.intake)) as Row[])[0] ?? {},
  });
}

export async function listAllowlistUsage(q: Query, query: UsageQuery): Promise<Page<AllowlistUsage>> {
  const offset = usageOffset(query.cursor);
  const { sql, params } = allowlistUsageQuery(query, offset);
  return allowlistUsagePage(await q(numbered(sql), params), query, offset, usageCursor);
}

export async function resetUsage(q: Query): Promise<void> {
  for (const t of USAGE_TABLES) await q(`DELETE FROM ${t}`);
}
