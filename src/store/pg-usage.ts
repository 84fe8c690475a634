/**
 * The usage counters on PostgreSQL: the SQLite store's statements (sqlite-usage.ts, written in
 * portable SQL) with `$n` placeholders, run in one transaction per flush. A flush never bumps the
 * version (counters are no configuration and must not recompile any snapshot).
 */
import type { ClientBase } from 'pg';
import type { Row } from './sqlite-rows.js';
import { allowlistUsagePage, allowlistUsageQuery, READS, TRAFFIC_MINUTES, TRIMS, UPSERTS, USAGE_TABLES, usageTotals } from './sqlite-usage.js';
import type { Page } from './types.js';
import type { AllowlistUsage, UsageBatch, UsageLimits, UsageQuery, UsageTotals } from './usage-types.js';

/** `?` placeholders as PostgreSQL's `$1`, `$2`, … (the statements hold no literal question mark). */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const PG = {
  upserts: Object.fromEntries(Object.entries(UPSERTS).map(([k, v]) => [k, numbered(v)])) as Record<keyof typeof UPSERTS, string>,
  trims: TRIMS.map(numbered),
  reads: Object.fromEntries(Object.entries(READS).map(([k, v]) => [k, numbered(v)])) as Record<keyof typeof READS, string>,
};

export async function recordUsage(client: ClientBase, node: string, b: UsageBatch, limits: UsageLimits): Promise<void> {
  const u = PG.upserts;
  for (const e of b.entries) await client.query(u.entries, [node, e.pattern, e.hits, e.lastSeenAt]);
  for (const r of b.refused) await client.query(u.refused, [node, r.route, r.origin, r.count, r.lastSeenAt, r.examplePath]);
  for (const x of b.upstream) await client.query(u.upstream, [node, x.route, x.origin, x.decision, x.upstreamAllowOrigin ?? '', x.count, x.lastSeenAt, x.examplePath]);
  for (const t of b.traffic) await client.query(u.traffic, [node, t.minute, t.allowed, t.refused, t.wouldRefuse]);
  for (const c of b.csp) await client.query(u.csp, [node, c.directive, c.blockedOrigin, c.page, c.count, c.lastSeenAt]);
  if (b.cspIntake.dropped > 0 || b.cspIntake.malformed > 0) await client.query(u.intake, [node, b.cspIntake.dropped, b.cspIntake.malformed]);
  for (const sql of PG.trims) await client.query(sql, [node, node, limits.topN]);
  const newest = b.traffic.reduce((m, t) => Math.max(m, t.minute), 0);
  if (newest > 0) await client.query('DELETE FROM usage_traffic WHERE node = $1 AND minute < $2', [node, newest - TRAFFIC_MINUTES]);
}

export async function readUsage(read: (sql: string, p: unknown[]) => Promise<Row[]>, sinceMinute: number, limit: number): Promise<UsageTotals> {
  const r = PG.reads;
  const [refused, upstream, traffic, csp, intake] = await Promise.all([read(r.refused, [limit]), read(r.upstream, [limit]), read(r.traffic, [sinceMinute]), read(r.csp, [limit]), read(r.intake, [])]);
  return usageTotals({ refused, upstream, traffic, csp, intake: intake[0]! });
}

export async function listAllowlistUsage(read: (sql: string, p: unknown[]) => Promise<Row[]>, q: UsageQuery): Promise<Page<AllowlistUsage>> {
  const { sql, params, offset } = allowlistUsageQuery(q);
  return allowlistUsagePage(await read(numbered(sql), params), q, offset);
}

export async function resetUsage(client: ClientBase): Promise<void> {
  for (const t of USAGE_TABLES) await client.query(`DELETE FROM ${t}`);
}
