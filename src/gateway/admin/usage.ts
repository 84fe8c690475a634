/**
 * The usage endpoints (issue 14): what the gateway saw, so that an admin can add the origins that
 * are really used, delete the entries nobody uses and compare report-only decisions with the
 * upstream's own CORS answers. Reads are summed across nodes by the store.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UpstreamComparison, UsageQuery } from '../../store/types.js';
import { checkAllowlistEntry, fixHint } from '../core/entry.js';
import { requestUrl, type ApiContext } from './context.js';
import { ApiError, sendJson, sendNoContent } from './http.js';

const DAY_MS = 86_400_000;
const SORTS = ['hits', 'lastSeenAt', 'urlPattern', 'createdAt'] as const;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function wholeNumber(url: URL, name: string, min: number, max: number, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw new ApiError(400, 'query-invalid', `?${name} must be a whole number from ${min} to ${max}`, name);
  return Number(raw);
}

function usageQuery(url: URL): UsageQuery & { days: number; unused: boolean } {
  const sort = url.searchParams.get('sort') ?? 'createdAt';
  if (!(SORTS as readonly string[]).includes(sort))
    throw new ApiError(400, 'query-invalid', `?sort must be one of: ${SORTS.join(', ')}`, 'sort');
  const order = url.searchParams.get('order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc')
    throw new ApiError(400, 'query-invalid', '?order must be asc or desc', 'order');
  const unused = url.searchParams.get('unused');
  if (unused !== null && unused !== 'true' && unused !== 'false')
    throw new ApiError(400, 'query-invalid', '?unused must be true or false', 'unused');
  return {
    limit: wholeNumber(url, 'limit', 1, 1000, 100),
    cursor: url.searchParams.get('cursor') ?? undefined,
    sort: sort as UsageQuery['sort'],
    order,
    days: wholeNumber(url, 'days', 1, 3650, 30),
    unused: unused === 'true',
  };
}

/** GET /api/usage/allowlist: each entry with hits, lastSeenAt, and unusedSince when unseen in the last `?days` (30). */
export async function allowlistUsage(
  c: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const q = usageQuery(requestUrl(req));
  const cutoff = Date.now() - q.days * DAY_MS;
  const page = await c.store.listAllowlistUsage({ ...q, ...(q.unused ? { unusedBefore: cutoff } : {}) });
  const items = page.items.map((e) => {
    const seen = e.lastSeenAt === null ? 0 : Date.parse(e.lastSeenAt);
    return seen < cutoff ? { ...e, unusedSince: e.lastSeenAt ?? e.createdAt } : e;
  });
  sendJson(res, 200, { items, nextCursor: page.nextCursor, days: q.days });
}

/** The allowlist entry that would admit `origin`, or why none can (the entry check's structured fix). */
export function admittingPattern(origin: string): {
  suggestedPattern: string | null;
  problem?: { code: string; message: string; hint?: string };
} {
  const problem = checkAllowlistEntry(origin);
  if (problem === null) return { suggestedPattern: origin };
  const hint = fixHint(problem, false);
  return {
    suggestedPattern: null,
    problem: { code: problem.code, message: problem.message, ...(hint === undefined ? {} : { hint }) },
  };
}

function page<T>(url: URL, all: T[]): { items: T[]; nextCursor: string | null } {
  const limit = wholeNumber(url, 'limit', 1, 1000, 100);
  const cursor = url.searchParams.get('cursor');
  const from = cursor === null ? 0 : /^\d+$/.test(cursor) ? Number(cursor) : NaN;
  if (!Number.isSafeInteger(from))
    throw new ApiError(400, 'query-invalid', 'the cursor is not one this API returned', 'cursor');
  const items = all.slice(from, from + limit);
  return { items, nextCursor: from + limit < all.length ? String(from + limit) : null };
}

/** Whether the upstream's Access-Control-Allow-Origin grants `origin` (Fetch's CORS check, #cors-check, without credentials). */
export function upstreamGrants(u: UpstreamComparison): boolean {
  return (
    u.upstreamAllowOrigin !== null && (u.upstreamAllowOrigin === '*' || u.upstreamAllowOrigin === u.origin)
  );
}

/** GET /api/usage/refused: refused (and would-be refused) origins, most frequent first. */
export async function refusedUsage(c: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = requestUrl(req);
  const totals = await c.store.readUsage(Number.MAX_SAFE_INTEGER, 10_000);
  const upstream = new Map<string, UpstreamComparison>();
  for (const u of totals.upstream) if (u.decision === 'refused') upstream.set(`${u.route} ${u.origin}`, u);
  const all = totals.refused.map((r) => {
    const u = upstream.get(`${r.route} ${r.origin}`);
    return {
      origin: r.origin,
      route: r.route,
      count: r.count,
      lastSeenAt: iso(r.lastSeenAt),
      examplePath: r.examplePath,
      ...admittingPattern(r.origin),
      ...(u === undefined
        ? {}
        : { upstreamAllowOrigin: u.upstreamAllowOrigin, upstreamGranted: upstreamGrants(u) }),
    };
  });
  sendJson(res, 200, page(url, all));
}

/** GET /api/usage/report-only: what corsgate would have decided next to what the upstream answered. */
export async function reportOnlyUsage(
  c: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = requestUrl(req);
  const only = url.searchParams.get('disagreements');
  if (only !== null && only !== 'true' && only !== 'false')
    throw new ApiError(400, 'query-invalid', '?disagreements must be true or false', 'disagreements');
  const totals = await c.store.readUsage(Number.MAX_SAFE_INTEGER, 10_000);
  const all = totals.upstream
    .map((u) => {
      const granted = upstreamGrants(u);
      return {
        ...u,
        lastSeenAt: iso(u.lastSeenAt),
        upstreamGranted: granted,
        agrees: granted === (u.decision === 'allowed'),
        ...admittingPattern(u.origin),
      };
    })
    .filter((u) => only !== 'true' || !u.agrees);
  sendJson(res, 200, page(url, all));
}

/** GET /api/usage/traffic?period=hour|day: allowed, refused and would-be-refused requests per bucket. */
export async function trafficUsage(c: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const period = requestUrl(req).searchParams.get('period') ?? 'hour';
  if (period !== 'hour' && period !== 'day')
    throw new ApiError(400, 'query-invalid', '?period must be hour or day', 'period');
  const bucketMinutes = period === 'hour' ? 1 : 30;
  const count = period === 'hour' ? 60 : 48;
  const nowMinute = Math.floor(Date.now() / 60_000);
  const first = Math.floor(nowMinute / bucketMinutes) * bucketMinutes - (count - 1) * bucketMinutes;
  const buckets = Array.from({ length: count }, (_, i) => ({
    start: iso((first + i * bucketMinutes) * 60_000),
    allowed: 0,
    refused: 0,
    wouldRefuse: 0,
  }));
  const totals = await c.store.readUsage(first, 0);
  for (const t of totals.traffic) {
    const b = buckets[Math.floor((t.minute - first) / bucketMinutes)];
    if (b === undefined) continue;
    b.allowed += t.allowed;
    b.refused += t.refused;
    b.wouldRefuse += t.wouldRefuse;
  }
  sendJson(res, 200, { period, bucketMinutes, buckets });
}

/** DELETE /api/usage: every node's counters reset, with an audit row. */
export async function resetUsage(c: ApiContext, actor: string, res: ServerResponse): Promise<void> {
  await c.usage.reset(actor);
  sendNoContent(res);
}

/** The trusted-site flag that widens each fetch directive (Salesforce's CspTrustedSite fields). */
const DIRECTIVE_FLAGS: Record<string, string> = {
  'connect-src': 'isApplicableToConnectSrc',
  'font-src': 'isApplicableToFontSrc',
  'frame-src': 'isApplicableToFrameSrc',
  'child-src': 'isApplicableToFrameSrc',
  'img-src': 'isApplicableToImgSrc',
  'media-src': 'isApplicableToMediaSrc',
  'style-src': 'isApplicableToStyleSrc',
  'style-src-elem': 'isApplicableToStyleSrc',
};

/** The trusted site that would allow `blockedOrigin` for `directive`, or null (a keyword, http:, script-src…). */
export function trustedSiteFor(
  directive: string,
  blockedOrigin: string,
): { name: string; endpointUrl: string; flag: string } | null {
  const flag = DIRECTIVE_FLAGS[directive];
  if (flag === undefined || !/^(https|wss):\/\//.test(blockedOrigin)) return null;
  const host = new URL(blockedOrigin).hostname;
  // Salesforce names: letters, digits and underscores, starting with a letter, at most 80.
  const name = `${/^[a-z]/i.test(host) ? '' : 'site_'}${host.replace(/[^a-z0-9]+/gi, '_')}`.slice(0, 80);
  return { name, endpointUrl: blockedOrigin, flag };
}

/** GET /api/usage/csp: violations by effective directive and blocked origin, with the trusted site that would allow each. */
export async function cspUsage(c: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = requestUrl(req);
  const totals = await c.store.readUsage(Number.MAX_SAFE_INTEGER, 10_000);
  const groups = new Map<
    string,
    { directive: string; blockedOrigin: string; count: number; pages: string[]; lastSeenAt: number }
  >();
  for (const v of totals.csp) {
    const key = `${v.directive} ${v.blockedOrigin}`;
    const g = groups.get(key);
    if (g === undefined)
      groups.set(key, {
        directive: v.directive,
        blockedOrigin: v.blockedOrigin,
        count: v.count,
        pages: [v.page],
        lastSeenAt: v.lastSeenAt,
      });
    else {
      g.count += v.count;
      if (g.pages.length < 20) g.pages.push(v.page);
      g.lastSeenAt = Math.max(g.lastSeenAt, v.lastSeenAt);
    }
  }
  const all = [...groups.values()]
    .sort((a, b) => b.count - a.count)
    .map((g) => ({
      ...g,
      lastSeenAt: iso(g.lastSeenAt),
      trustedSite: trustedSiteFor(g.directive, g.blockedOrigin),
    }));
  sendJson(res, 200, {
    ...page(url, all),
    dropped: totals.cspIntake.dropped,
    malformed: totals.cspIntake.malformed,
  });
}
