/**
 * The admin API's policy lists: the CORS allowlist (Salesforce: Modify All Data) and the CSP
 * trusted sites (Salesforce: Customize Application). Bodies are checked by bodies.ts.
 */
import type { TrustedSiteFields } from '../../store/types.js';
import { checkAllowlistEntry } from '../core/entry.js';
import { checkPattern, entryFix, trustedSiteBody, type AllowlistInput } from './bodies.js';
import {
  actorOf,
  listQuery,
  notFound,
  reply,
  requestUrl,
  route,
  type ApiContext,
  type RouteDef,
} from './context.js';
import { sendJson, sendNoContent } from './http.js';
import type { Principal } from './auth.js';
import type { ServerResponse } from 'node:http';

type BulkResult = Record<string, unknown>;

/** Each line checked by the one allowlist-entry check: invalid lines answer by index, the rest wait. */
function checkLines(items: readonly AllowlistInput[]): BulkResult[] {
  return items.map((item, index) => {
    const problem = checkAllowlistEntry(item.urlPattern);
    if (!problem) return { index, urlPattern: item.urlPattern, status: 'pending' };
    const error = { code: problem.code, message: problem.message, field: 'urlPattern', ...entryFix(problem) };
    return { index, urlPattern: item.urlPattern, status: 'invalid', error };
  });
}

/** The pending lines to create, a line that repeats an earlier one in the request marked duplicate. */
function firstOfEach(items: readonly AllowlistInput[], results: BulkResult[]) {
  const seen = new Set<string>();
  const toCreate: { index: number; item: AllowlistInput }[] = [];
  for (const res of results) {
    if (res.status !== 'pending') continue;
    const i = res.index as number;
    const item = items[i]!;
    if (seen.has(item.urlPattern)) {
      const message = `'${item.urlPattern}' appears earlier in this request`;
      Object.assign(res, { status: 'duplicate', error: { code: 'duplicate', message, field: 'urlPattern' } });
    } else {
      seen.add(item.urlPattern);
      toCreate.push({ index: i, item });
    }
  }
  return toCreate;
}

/** `POST /api/allowlist/bulk`: valid lines are created together in one transaction; invalid and duplicate lines are reported by index. */
async function bulkCreate(
  c: ApiContext,
  res: ServerResponse,
  who: Principal,
  input: { items: AllowlistInput[] },
): Promise<void> {
  const results = checkLines(input.items);
  const toCreate = firstOfEach(input.items, results);
  const created = toCreate.length
    ? await c.store.createAllowlistMany(
        toCreate.map((t) => t.item),
        actorOf(who),
      )
    : [];
  created.forEach((out, k) => {
    const line = results[toCreate[k]!.index]!;
    if ('entry' in out) Object.assign(line, { status: 'created', entry: out.entry });
    else {
      const message = `'${line.urlPattern as string}' is already in the allowlist`;
      Object.assign(line, {
        status: 'duplicate',
        error: { code: 'duplicate', message, field: 'urlPattern' },
      });
    }
  });
  const count = (s: string) => results.filter((x) => x.status === s).length;
  await c.sync();
  sendJson(res, 200, {
    created: count('created'),
    invalid: count('invalid'),
    duplicates: count('duplicate'),
    results,
  });
}

export const ALLOWLIST_ROUTES: RouteDef[] = [
  // allowlist (Salesforce: Modify All Data)
  route('GET', '/api/allowlist', 'view-setup', { success: ['200', 'AllowlistPage'] }, async (c, req, res) => {
    const query = listQuery(requestUrl(req), ['urlPattern', 'createdAt']);
    await reply(c, res, 200, c.store.listAllowlist(query));
  }),
  route(
    'POST',
    '/api/allowlist',
    'modify-all-data',
    { body: 'AllowlistInput', success: ['201', 'AllowlistEntry'] },
    async (c, _req, res, who, _p, input: AllowlistInput) => {
      checkPattern(input.urlPattern);
      await reply(c, res, 201, c.store.createAllowlist(input, actorOf(who)));
    },
  ),
  route(
    'POST',
    '/api/allowlist/bulk',
    'modify-all-data',
    { body: 'AllowlistBulkInput' },
    async (c, _req, res, who, _p, input: { items: AllowlistInput[] }) => bulkCreate(c, res, who, input),
  ),
  route(
    'GET',
    '/api/allowlist/{id}',
    'view-setup',
    { success: ['200', 'AllowlistEntry'] },
    async (c, _q, res, _w, [id]) => {
      const e = await c.store.getAllowlist(id!);
      if (!e) throw notFound('allowlist entry', id!);
      sendJson(res, 200, e);
    },
  ),
  route(
    'PUT',
    '/api/allowlist/{id}',
    'modify-all-data',
    { body: 'AllowlistInput', success: ['200', 'AllowlistEntry'] },
    async (c, _req, res, who, [id], input: AllowlistInput) => {
      checkPattern(input.urlPattern);
      await reply(c, res, 200, c.store.updateAllowlist(id!, input, actorOf(who)));
    },
  ),
  route(
    'DELETE',
    '/api/allowlist/{id}',
    'modify-all-data',
    { success: ['204', null] },
    async (c, _q, res, who, [id]) => {
      await c.store.deleteAllowlist(id!, actorOf(who));
      await c.sync();
      sendNoContent(res);
    },
  ),
];

export const TRUSTED_SITE_ROUTES: RouteDef[] = [
  // trusted sites (Salesforce: Customize Application)
  route(
    'GET',
    '/api/trusted-sites',
    'view-setup',
    { success: ['200', 'TrustedSitePage'] },
    async (c, req, res) => {
      const query = listQuery(requestUrl(req), ['name', 'createdAt']);
      await reply(c, res, 200, c.store.listTrustedSites(query));
    },
  ),
  route(
    'POST',
    '/api/trusted-sites',
    'customize-application',
    { body: 'TrustedSiteInput', success: ['201', 'TrustedSite'] },
    async (c, _req, res, who, _p, input: Partial<TrustedSiteFields>) =>
      await reply(c, res, 201, c.store.createTrustedSite(await trustedSiteBody(input), actorOf(who))),
  ),
  route(
    'GET',
    '/api/trusted-sites/{id}',
    'view-setup',
    { success: ['200', 'TrustedSite'] },
    async (c, _q, res, _w, [id]) => {
      const s = await c.store.getTrustedSite(id!);
      if (!s) throw notFound('trusted site', id!);
      sendJson(res, 200, s);
    },
  ),
  route(
    'PUT',
    '/api/trusted-sites/{id}',
    'customize-application',
    { body: 'TrustedSiteInput', success: ['200', 'TrustedSite'] },
    async (c, _req, res, who, [id], input: Partial<TrustedSiteFields>) =>
      await reply(c, res, 200, c.store.updateTrustedSite(id!, await trustedSiteBody(input), actorOf(who))),
  ),
  route(
    'DELETE',
    '/api/trusted-sites/{id}',
    'customize-application',
    { success: ['204', null] },
    async (c, _q, res, who, [id]) => {
      await c.store.deleteTrustedSite(id!, actorOf(who));
      await c.sync();
      sendNoContent(res);
    },
  ),
];
