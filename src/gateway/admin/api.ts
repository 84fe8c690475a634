/**
 * The admin REST API under /api. Each route names the permission it needs; bodies are checked
 * against the schemas in schema.ts (the same ones /api/openapi.json publishes) before any handler
 * runs, and origin patterns are checked by the policy engine itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FleetNode } from '../fleet/node.js';
import { listNodes, NotAppliedEverywhere, sendNotApplied, syncAll, wantsWaitAll } from './fleet.js';
import { StoreError, type Permission, type RouteFields, type Settings, type Store, type TrustedSiteFields } from '../../store/types.js';
import { checkAllowlistEntry, fixHint, type EntryProblem } from '../core/entry.js';
import { BOOLEAN_SETTINGS, isBooleanSetting } from '../core/regime.js';
import type { Engine } from '../engine.js';
import { cspModule } from '../modules.js';
import { checkUpstreamUrl, oauthPresetRoutes } from '../routes.js';
import type { Metrics } from '../metrics.js';
import type { SnapshotInfo } from '../snapshot.js';
import { effectivePermissions, generateToken, hashToken, type Principal } from './auth.js';
import { principalOf, routeWrite, settingsWrite } from './guard.js';
import { readBody } from './body.js';
import { ApiError, sendError, sendJson, sendNoContent } from './http.js';
import { exportMetadataHandler, importMetadataHandler } from './metadata.js';
import { settingsChange } from './settings.js';
import { getScan, listScans, startScan, type ScanInput } from './scans.js';
import type { Me } from './types.js';
import { buildOpenApi } from './openapi.js';
import { allowlistUsage, cspUsage, refusedUsage, reportOnlyUsage, resetUsage, trafficUsage } from './usage.js';
import type { SchemaName } from './schema.js';

export interface ApiContext {
  store: Store;
  engine: Engine;
  snapshot: () => SnapshotInfo;
  info: { proxyUrl: string; adminUrl: string; upstream: string; policyFile: string | null };
  /**
   * Resolves once the live snapshot includes every committed change (so a 2xx means "in force");
   * throws an ApiError (503 change-not-in-force) when that does not happen in time.
   */
  sync(): Promise<void>;
  metrics: Metrics;
  /** This gateway as a node of its fleet (a fleet of one on SQLite). */
  fleet: FleetNode;
  /** The gateway's log (no secret ever goes in a message); pino's Logger fits. */
  log: { info(message: string): void; warn(message: string): void; error(message: string): void };
  /** The usage counters (issue 14): reset every node's (audited), write this node's pending sums now. */
  usage: { reset(actor: string): Promise<void>; flush(): Promise<void> };
}

async function reply(c: ApiContext, res: ServerResponse, status: number, pending: Promise<unknown>): Promise<void> {
  const value = await pending;
  await c.sync();
  sendJson(res, status, value);
}

/** `input` is the request body, already validated against the route's `body` schema (undefined without one). */
/** An allowlist entry as the API takes it. */
type AllowlistInput = { urlPattern: string; description?: string };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the input was checked against the route's JSON schema (schema.ts) before the call
type Handler = (ctx: ApiContext, req: IncomingMessage, res: ServerResponse, who: Principal, params: string[], input: any) => Promise<void>;

/** What the OpenAPI document says of a route besides its method, path and permission. */
interface RouteDoc {
  /** The schema the JSON body is validated against before the handler runs. */
  body?: SchemaName;
  /** The success status and the schema of its body (null: no body). */
  success?: readonly [status: string, schema: string | null];
}

interface RouteDef {
  method: string;
  path: string;
  pattern: RegExp;
  permission: Permission;
  write: boolean;
  handler: Handler;
  doc: RouteDoc;
}

function actorOf(who: Principal): string {
  return `token:${who.name}`;
}

function listQuery(url: URL, sorts: readonly string[]) {
  const limitRaw = url.searchParams.get('limit');
  let limit = 100;
  if (limitRaw !== null) {
    if (!/^\d+$/.test(limitRaw) || Number(limitRaw) < 1) throw new ApiError(400, 'query-invalid', '?limit must be a whole number from 1 to 1000', 'limit');
    limit = Math.min(Number(limitRaw), 1000);
  }
  const sort = url.searchParams.get('sort') ?? undefined;
  if (sort !== undefined && !sorts.includes(sort)) throw new ApiError(400, 'query-invalid', `?sort must be one of: ${sorts.join(', ')}`, 'sort');
  const order = url.searchParams.get('order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') throw new ApiError(400, 'query-invalid', '?order must be asc or desc', 'order');
  return { limit, cursor: url.searchParams.get('cursor') ?? undefined, q: url.searchParams.get('q') ?? undefined, sort, order: order as 'asc' | 'desc' };
}

/** The error body's fix for an entry problem: the hint in words plus its structured parts (no policy options here). */
function entryFix(problem: EntryProblem): Record<string, string> | undefined {
  const hint = fixHint(problem, false);
  return hint === undefined ? undefined : { hint, ...(problem.suggestion !== undefined ? { suggestion: problem.suggestion } : {}) };
}

function checkPattern(pattern: string, field = 'urlPattern'): void {
  const problem = checkAllowlistEntry(pattern);
  if (problem) throw new ApiError(400, problem.code, problem.message, field, entryFix(problem));
}

/** Fills Salesforce's defaults and runs Salesforce's validation (via the CSP module). */
export async function normaliseTrustedSite(input: Partial<TrustedSiteFields>): Promise<{ site: TrustedSiteFields; problems: { code: string; field: string; message: string }[] }> {
  const site: TrustedSiteFields = {
    name: input.name ?? '',
    endpointUrl: input.endpointUrl ?? '',
    context: input.context ?? 'All',
    isActive: input.isActive ?? true,
    description: input.description ?? '',
    isApplicableToConnectSrc: input.isApplicableToConnectSrc ?? false,
    isApplicableToFontSrc: input.isApplicableToFontSrc ?? false,
    isApplicableToFrameSrc: input.isApplicableToFrameSrc ?? false,
    isApplicableToImgSrc: input.isApplicableToImgSrc ?? false,
    isApplicableToMediaSrc: input.isApplicableToMediaSrc ?? false,
    isApplicableToStyleSrc: input.isApplicableToStyleSrc ?? false,
    ...(input.reportOnly === true ? { reportOnly: true } : {}),
  };
  const mod = await cspModule();
  const { reportOnly: _ro, ...salesforceFields } = site;
  const problems = mod ? mod.validateTrustedSite(salesforceFields).filter((p) => (p as { severity?: string }).severity !== 'warning') : [];
  // Fallback when the CSP module is absent: Salesforce's documented shape (https://, wss:// or *.domain, optional port).
  if (!mod && !/^(?:(?:https|wss):\/\/)?(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?::\d{1,5})?\/?$/i.test(site.endpointUrl))
    problems.push({ code: 'trusted-site-url-invalid', field: 'endpointUrl', message: 'endpointUrl must be https://host, wss://host or *.domain, with an optional port' });
  const anyDirective = site.isApplicableToConnectSrc || site.isApplicableToFontSrc || site.isApplicableToFrameSrc || site.isApplicableToImgSrc || site.isApplicableToMediaSrc || site.isApplicableToStyleSrc;
  // Salesforce (API 59+): at least one directive must be set.
  if (!anyDirective && !problems.some((p) => p.code.includes('directive')))
    problems.push({ code: 'trusted-site-no-directive', field: 'isApplicableToConnectSrc', message: 'set at least one isApplicableTo…Src directive to true' });
  return { site, problems };
}

async function trustedSiteBody(input: Partial<TrustedSiteFields>): Promise<TrustedSiteFields> {
  const { site, problems } = await normaliseTrustedSite(input);
  if (problems.length) {
    const p = problems[0]!;
    throw new ApiError(400, p.code, p.message, p.field, problems.length > 1 ? { problems } : undefined);
  }
  return site;
}

/**
 * Where scans may go is a guard against probing the gateway's own network: widening it needs the
 * top permission, not only the one that runs scans.
 */
function routeBody(input: Partial<RouteFields>): RouteFields {
  if (input.kind === 'opt-in' && !input.setting) throw new ApiError(400, 'route-setting-missing', "an 'opt-in' route needs 'setting': the boolean setting that turns it on", 'setting');
  if (input.setting !== undefined && input.kind !== 'opt-in') throw new ApiError(400, 'route-setting-unexpected', "'setting' only applies to 'opt-in' routes", 'setting');
  // A typo would keep the route closed for ever: only the boolean settings can turn a route on.
  if (input.setting !== undefined && !isBooleanSetting(input.setting))
    throw new ApiError(400, 'route-setting-unknown', `'${input.setting}' is not a boolean setting; use one of: ${BOOLEAN_SETTINGS.join(', ')}`, 'setting', { allowed: BOOLEAN_SETTINGS });
  if (input.upstream !== undefined) {
    const problem = checkUpstreamUrl(input.upstream);
    if (problem) throw new ApiError(400, problem.code, problem.message, 'upstream');
  }
  return {
    kind: input.kind!,
    paths: input.paths!,
    priority: input.priority ?? 0,
    ...(input.hosts ? { hosts: input.hosts } : {}),
    ...(input.setting ? { setting: input.setting } : {}),
    ...(input.csp !== undefined ? { csp: input.csp } : {}),
    ...(input.websocket !== undefined ? { websocket: input.websocket } : {}),
    ...(input.upstream !== undefined ? { upstream: input.upstream } : {}),
    ...(input.description ? { description: input.description } : {}),
    ...(input.mode ? { mode: input.mode } : {}),
  };
}

/** A path parameter, percent-decoded; a malformed escape is the client's error, not ours. */
function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ApiError(400, 'path-invalid', `'${raw}' is not a valid percent-encoded id`, 'id');
  }
}

function notFound(what: string, id: string): ApiError {
  return new ApiError(404, 'not-found', `no ${what} with id '${id}'`);
}

const ID = '([^/]+)';
const r = (method: string, path: string, permission: Permission, doc: RouteDoc, handler: Handler): RouteDef => ({
  method,
  path,
  pattern: new RegExp(`^${path.replace('{id}', ID)}$`),
  permission,
  write: method !== 'GET',
  handler,
  doc,
});

const ROUTES: RouteDef[] = [
  // readOnly: the gateway runs from a policy file, so every policy write is refused whatever the permissions.
  r('GET', '/api/me', 'view-setup', {}, async (c, _q, res, who) => sendJson(res, 200, { name: who.name, tokenId: who.tokenId, permissions: who.permissions, readOnly: c.store.readOnly, policyFile: c.info.policyFile } satisfies Me)),
  r('GET', '/api/status', 'view-setup', {}, async (c, _q, res) => {
    const s = c.snapshot();
    sendJson(res, 200, { version: s.version, allowlistEntries: s.allowlistSize, cspBytes: s.cspBytes, csp: s.csp, warnings: s.warnings, readOnly: c.store.readOnly, store: c.store.description, ...c.info });
  }),
  // allowlist (Salesforce: Modify All Data)
  r('GET', '/api/allowlist', 'view-setup', { success: ['200', 'AllowlistPage'] }, async (c, req, res) => await reply(c, res, 200, c.store.listAllowlist(listQuery(new URL(req.url!, 'http://x'), ['urlPattern', 'createdAt'])))),
  r('POST', '/api/allowlist', 'modify-all-data', { body: 'AllowlistInput', success: ['201', 'AllowlistEntry'] }, async (c, _req, res, who, _p, input: AllowlistInput) => {
    checkPattern(input.urlPattern);
    await reply(c, res, 201, c.store.createAllowlist(input, actorOf(who)));
  }),
  r('POST', '/api/allowlist/bulk', 'modify-all-data', { body: 'AllowlistBulkInput' }, async (c, _req, res, who, _p, input: { items: AllowlistInput[] }) => {
    // Valid lines are created together in one transaction; invalid and duplicate lines are reported by index.
    const results: Record<string, unknown>[] = input.items.map((item, index) => {
      const problem = checkAllowlistEntry(item.urlPattern);
      return problem ? { index, urlPattern: item.urlPattern, status: 'invalid', error: { code: problem.code, message: problem.message, field: 'urlPattern', ...entryFix(problem) } } : { index, urlPattern: item.urlPattern, status: 'pending' };
    });
    const seen = new Set<string>();
    const toCreate: { index: number; item: { urlPattern: string; description?: string } }[] = [];
    for (const res of results) {
      if (res.status !== 'pending') continue;
      const i = res.index as number;
      const item = input.items[i]!;
      if (seen.has(item.urlPattern)) Object.assign(res, { status: 'duplicate', error: { code: 'duplicate', message: `'${item.urlPattern}' appears earlier in this request`, field: 'urlPattern' } });
      else {
        seen.add(item.urlPattern);
        toCreate.push({ index: i, item });
      }
    }
    const created = toCreate.length ? await c.store.createAllowlistMany(toCreate.map((t) => t.item), actorOf(who)) : [];
    created.forEach((out, k) => {
      const res = results[toCreate[k]!.index]!;
      if ('entry' in out) Object.assign(res, { status: 'created', entry: out.entry });
      else Object.assign(res, { status: 'duplicate', error: { code: 'duplicate', message: `'${res.urlPattern as string}' is already in the allowlist`, field: 'urlPattern' } });
    });
    const count = (s: string) => results.filter((x) => x.status === s).length;
    await c.sync();
    sendJson(res, 200, { created: count('created'), invalid: count('invalid'), duplicates: count('duplicate'), results });
  }),
  r('GET', '/api/allowlist/{id}', 'view-setup', { success: ['200', 'AllowlistEntry'] }, async (c, _q, res, _w, [id]) => {
    const e = await c.store.getAllowlist(id!);
    if (!e) throw notFound('allowlist entry', id!);
    sendJson(res, 200, e);
  }),
  r('PUT', '/api/allowlist/{id}', 'modify-all-data', { body: 'AllowlistInput', success: ['200', 'AllowlistEntry'] }, async (c, _req, res, who, [id], input: AllowlistInput) => {
    checkPattern(input.urlPattern);
    await reply(c, res, 200, c.store.updateAllowlist(id!, input, actorOf(who)));
  }),
  r('DELETE', '/api/allowlist/{id}', 'modify-all-data', { success: ['204', null] }, async (c, _q, res, who, [id]) => {
    await c.store.deleteAllowlist(id!, actorOf(who));
    await c.sync();
    sendNoContent(res);
  }),
  // trusted sites (Salesforce: Customize Application)
  r('GET', '/api/trusted-sites', 'view-setup', { success: ['200', 'TrustedSitePage'] }, async (c, req, res) => await reply(c, res, 200, c.store.listTrustedSites(listQuery(new URL(req.url!, 'http://x'), ['name', 'createdAt'])))),
  r('POST', '/api/trusted-sites', 'customize-application', { body: 'TrustedSiteInput', success: ['201', 'TrustedSite'] }, async (c, _req, res, who, _p, input: Partial<TrustedSiteFields>) => await reply(c, res, 201, c.store.createTrustedSite(await trustedSiteBody(input), actorOf(who)))),
  r('GET', '/api/trusted-sites/{id}', 'view-setup', { success: ['200', 'TrustedSite'] }, async (c, _q, res, _w, [id]) => {
    const s = await c.store.getTrustedSite(id!);
    if (!s) throw notFound('trusted site', id!);
    sendJson(res, 200, s);
  }),
  r('PUT', '/api/trusted-sites/{id}', 'customize-application', { body: 'TrustedSiteInput', success: ['200', 'TrustedSite'] }, async (c, _req, res, who, [id], input: Partial<TrustedSiteFields>) => await reply(c, res, 200, c.store.updateTrustedSite(id!, await trustedSiteBody(input), actorOf(who)))),
  r('DELETE', '/api/trusted-sites/{id}', 'customize-application', { success: ['204', null] }, async (c, _q, res, who, [id]) => {
    await c.store.deleteTrustedSite(id!, actorOf(who));
    await c.sync();
    sendNoContent(res);
  }),
  // settings
  r('GET', '/api/settings', 'view-setup', { success: ['200', 'Settings'] }, async (c, _q, res) => await reply(c, res, 200, c.store.getSettings())),
  r('PUT', '/api/settings', 'customize-application', { body: 'SettingsInput', success: ['200', 'Settings'] }, async (c, _req, res, who, _p, input: Partial<Settings>) => {
    const next = await settingsChange(c, who, input);
    await settingsWrite(c, who, next, () => reply(c, res, 200, c.store.putSettings(next, actorOf(who))));
  }),
  // routes
  r('GET', '/api/routes', 'view-setup', {}, async (c, _q, res) => {
    const s = c.snapshot();
    const builtIn = s.settings.oauthPreset ? oauthPresetRoutes(s.settings).map((x) => ({ ...x, builtIn: true })) : [];
    sendJson(res, 200, { items: await c.store.listRoutes(), builtIn });
  }),
  // Route writes that widen CORS need modify-all-data (guard.ts).
  r('POST', '/api/routes', 'customize-application', { body: 'RouteInput', success: ['201', 'Route'] }, async (c, _req, res, who, _p, input: Partial<RouteFields>) => {
    const fields = routeBody(input);
    await routeWrite(c, who, { fields }, () => reply(c, res, 201, c.store.createRoute(fields, actorOf(who))));
  }),
  r('GET', '/api/routes/{id}', 'view-setup', { success: ['200', 'Route'] }, async (c, _q, res, _w, [id]) => {
    const x = await c.store.getRoute(id!);
    if (!x) throw notFound('route', id!);
    sendJson(res, 200, x);
  }),
  r('PUT', '/api/routes/{id}', 'customize-application', { body: 'RouteInput', success: ['200', 'Route'] }, async (c, _req, res, who, [id], input: Partial<RouteFields>) => {
    const fields = routeBody(input);
    await routeWrite(c, who, { id: id!, fields }, () => reply(c, res, 200, c.store.updateRoute(id!, fields, actorOf(who))));
  }),
  r('DELETE', '/api/routes/{id}', 'customize-application', { success: ['204', null] }, async (c, _q, res, who, [id]) => {
    await routeWrite(c, who, { id: id! }, async () => {
      await c.store.deleteRoute(id!, actorOf(who));
      await c.sync();
    });
    sendNoContent(res);
  }),
  // tokens
  // Listing shows names and permissions only (no secret): readable with view-setup, like everything else.
  r('GET', '/api/tokens', 'view-setup', {}, async (c, _q, res) => sendJson(res, 200, { items: await c.store.listTokens() })),
  r('POST', '/api/tokens', 'modify-all-data', { body: 'TokenInput', success: ['201', 'CreatedToken'] }, async (c, _req, res, who, _p, input: { name: string; permissions: Permission[] }) => {
    const token = generateToken();
    const rec = await c.store.createToken({ name: input.name, permissions: [...new Set(input.permissions)], hash: hashToken(token) }, actorOf(who));
    sendJson(res, 201, { token, id: rec.id, name: rec.name, permissions: effectivePermissions(rec.permissions), createdAt: rec.createdAt });
  }),
  r('DELETE', '/api/tokens/{id}', 'modify-all-data', { success: ['204', null] }, async (c, _q, res, who, [id]) => {
    await c.store.deleteToken(id!, actorOf(who));
    await c.sync();
    sendNoContent(res);
  }),
  // audit, import, export
  r('GET', '/api/audit', 'view-setup', { success: ['200', 'AuditPage'] }, async (c, req, res) => {
    const url = new URL(req.url!, 'http://x');
    const q = listQuery(url, []);
    await reply(c, res, 200, c.store.listAudit({ limit: q.limit, cursor: q.cursor, entity: url.searchParams.get('entity') ?? undefined }));
  }),
  r('GET', '/api/nodes', 'view-setup', {}, async (c, _q, res) => listNodes(c.fleet, res)),
  r('POST', '/api/import', 'modify-all-data', {}, async (c, req, res, who) => importMetadataHandler(c, req, res, actorOf(who))),
  r('GET', '/api/export', 'view-setup', {}, async (c, req, res) => exportMetadataHandler(c, req, res)),
  // scans (outbound requests on an admin's behalf: Customize Application)
  r('POST', '/api/scans', 'customize-application', { body: 'ScanInput' }, async (c, _req, res, who, _p, input: ScanInput) => {
    // The upstream as configured (info.upstream may carry a note after it) and the proxy listener.
    const fixedOrigins = [c.info.upstream.split(' ')[0]!, c.info.proxyUrl].filter((u) => URL.canParse(u));
    sendJson(res, 202, await startScan(input, actorOf(who), { allowed: c.snapshot().settings.scanTargets, fixedOrigins }));
  }),
  r('GET', '/api/scans', 'view-setup', {}, async (_c, _q, res) => sendJson(res, 200, { items: listScans() })),
  r('GET', '/api/scans/{id}', 'view-setup', {}, async (_c, _q, res, _w, [id]) => sendJson(res, 200, getScan(id!))),
  // usage counters (issue 14): reads need view-setup; a reset forgets evidence, so it needs the top permission
  r('GET', '/api/usage/allowlist', 'view-setup', {}, allowlistUsage),
  r('GET', '/api/usage/refused', 'view-setup', {}, refusedUsage),
  r('GET', '/api/usage/report-only', 'view-setup', {}, reportOnlyUsage),
  r('GET', '/api/usage/traffic', 'view-setup', {}, trafficUsage),
  r('GET', '/api/usage/csp', 'view-setup', {}, cspUsage),
  r('DELETE', '/api/usage', 'modify-all-data', { success: ['204', null] }, async (c, _q, res, who) => resetUsage(c, actorOf(who), res)),
];

const STORE_ERROR_STATUS: Record<StoreError['code'], number> = { 'not-found': 404, duplicate: 409, 'read-only': 409, conflict: 400, 'store-full': 507, 'store-unavailable': 503, 'schema-newer': 500 };

export async function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!;
  try {
    if (path === '/api/openapi.json' && req.method === 'GET') return sendJson(res, 200, buildOpenApi(API_ROUTES));
    let params: string[] | null = null;
    const allowedMethods: string[] = [];
    let def: RouteDef | undefined;
    for (const d of ROUTES) {
      const m = d.pattern.exec(path);
      if (!m) continue;
      allowedMethods.push(d.method);
      if (d.method === req.method) {
        def = d;
        params = m.slice(1);
        break;
      }
    }
    if (!def) {
      if (allowedMethods.length) {
        res.setHeader('allow', allowedMethods.join(', '));
        throw new ApiError(405, 'method-not-allowed', `${req.method} is not allowed on ${path} (allowed: ${allowedMethods.join(', ')})`);
      }
      throw new ApiError(404, 'not-found', `no API endpoint ${path}`);
    }
    const who = await principalOf(ctx, req, res);
    if (!who.permissions.includes(def.permission)) throw new ApiError(403, 'forbidden', `this token lacks the '${def.permission}' permission`);
    if (def.write && ctx.store.readOnly && !path.startsWith('/api/tokens') && !path.startsWith('/api/scans') && path !== '/api/usage')
      throw new ApiError(409, 'read-only', `the gateway runs from the policy file ${ctx.info.policyFile ?? ''} (--policy): edit that file instead; admin writes are disabled`);
    const ids = (params ?? []).map(decodeId);
    const input = def.doc.body ? await readBody(req, def.doc.body) : undefined;
    const c = def.write && wantsWaitAll(req) ? { ...ctx, sync: syncAll(ctx.sync, ctx.fleet, () => ctx.store.version()) } : ctx;
    await def.handler(c, req, res, who, ids, input);
  } catch (err) {
    req.resume();
    if (err instanceof ApiError) return sendError(res, err);
    if (err instanceof NotAppliedEverywhere) return sendNotApplied(res, err);
    if (err instanceof StoreError) {
      if (err.code === 'store-full') ctx.log.error(`admin ${req.method} ${path}: 507 store-full: ${err.message}`);
      // Nothing was written; the store reconnects by itself within a few seconds.
      if (err.code === 'store-unavailable' && !res.headersSent) res.setHeader('retry-after', '2');
      return sendError(res, new ApiError(STORE_ERROR_STATUS[err.code], err.code === 'conflict' ? 'query-invalid' : err.code, err.message, err.field));
    }
    ctx.log.error(`admin ${req.method} ${path}: ${err instanceof Error ? err.stack : String(err)}`);
    sendError(res, new ApiError(500, 'internal-error', 'the gateway failed to handle this request; see its log'));
  }
}

export const API_ROUTES = ROUTES.map((d) => ({ method: d.method, path: d.path, permission: d.permission, ...d.doc }));
