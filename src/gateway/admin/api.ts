/**
 * The admin REST API under /api. Each route names the permission it needs; bodies are checked
 * against the schemas in schema.ts (the same ones /api/openapi.json publishes) before any handler
 * runs, and origin patterns are checked by the policy engine itself. The route tables live beside
 * what they manage (allowlist-routes.ts, setup-routes.ts, node-routes.ts); this file finds the
 * route, checks the caller and turns every failure into the API's error body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NotAppliedEverywhere, sendNotApplied, syncAll, wantsWaitAll } from './fleet.js';
import { StoreError } from '../../store/types.js';
import { ALLOWLIST_ROUTES, TRUSTED_SITE_ROUTES } from './allowlist-routes.js';
import { decodeId, type ApiContext, type RouteDef } from './context.js';
import { principalOf } from './guard.js';
import { readBody } from './body.js';
import { ApiError, sendError, sendJson } from './http.js';
import { JOB_ROUTES, RECORD_ROUTES, STATUS_ROUTES } from './node-routes.js';
import { buildOpenApi } from './openapi.js';
import { ROUTE_ROUTES, SETTINGS_ROUTES, TOKEN_ROUTES } from './setup-routes.js';

export type { ApiContext } from './context.js';

const ROUTES: readonly RouteDef[] = [
  ...STATUS_ROUTES,
  ...ALLOWLIST_ROUTES,
  ...TRUSTED_SITE_ROUTES,
  ...SETTINGS_ROUTES,
  ...ROUTE_ROUTES,
  ...TOKEN_ROUTES,
  ...RECORD_ROUTES,
  ...JOB_ROUTES,
];

const STORE_ERROR_STATUS: Record<StoreError['code'], number> = {
  'not-found': 404,
  duplicate: 409,
  'read-only': 409,
  conflict: 400,
  'store-full': 507,
  'store-unavailable': 503,
  'schema-newer': 500,
};

/** The route for this method and path with its raw path parameters; 405 (with Allow) or 404 when there is none. */
function findRoute(
  method: string | undefined,
  path: string,
  res: ServerResponse,
): { def: RouteDef; params: string[] } {
  const allowedMethods: string[] = [];
  for (const def of ROUTES) {
    const m = def.pattern.exec(path);
    if (!m) continue;
    allowedMethods.push(def.method);
    if (def.method === method) return { def, params: m.slice(1) };
  }
  if (allowedMethods.length) {
    res.setHeader('allow', allowedMethods.join(', '));
    const allowed = allowedMethods.join(', ');
    throw new ApiError(
      405,
      'method-not-allowed',
      `${method} is not allowed on ${path} (allowed: ${allowed})`,
    );
  }
  throw new ApiError(404, 'not-found', `no API endpoint ${path}`);
}

/** Writes the gateway itself allows while it runs from a policy file: tokens, scans and the usage reset. */
function writableWhileReadOnly(path: string): boolean {
  return path.startsWith('/api/tokens') || path.startsWith('/api/scans') || path === '/api/usage';
}

async function dispatch(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  if (path === '/api/openapi.json' && req.method === 'GET')
    return sendJson(res, 200, buildOpenApi(API_ROUTES));
  const { def, params } = findRoute(req.method, path, res);
  const who = await principalOf(ctx, req, res);
  if (!who.permissions.includes(def.permission))
    throw new ApiError(403, 'forbidden', `this token lacks the '${def.permission}' permission`);
  if (def.write && ctx.store.readOnly && !writableWhileReadOnly(path))
    throw new ApiError(
      409,
      'read-only',
      `the gateway runs from the policy file ${ctx.info.policyFile ?? ''} (--policy): edit that file instead; admin writes are disabled`,
    );
  const ids = params.map(decodeId);
  const input = def.doc.body ? await readBody(req, def.doc.body) : undefined;
  const c =
    def.write && wantsWaitAll(req)
      ? { ...ctx, sync: syncAll(ctx.sync, ctx.fleet, () => ctx.store.version()) }
      : ctx;
  await def.handler(c, req, res, who, ids, input);
}

/** Every failure as the API's error body; a StoreError keeps its code, anything else is logged and answers 500. */
function sendFailure(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  err: unknown,
): void {
  if (err instanceof ApiError) return sendError(res, err);
  if (err instanceof NotAppliedEverywhere) return sendNotApplied(res, err);
  if (err instanceof StoreError) {
    if (err.code === 'store-full')
      ctx.log.error(`admin ${req.method} ${path}: 507 store-full: ${err.message}`);
    // Nothing was written; the store reconnects by itself within a few seconds.
    if (err.code === 'store-unavailable' && !res.headersSent) res.setHeader('retry-after', '2');
    const code = err.code === 'conflict' ? 'query-invalid' : err.code;
    return sendError(res, new ApiError(STORE_ERROR_STATUS[err.code], code, err.message, err.field));
  }
  ctx.log.error(`admin ${req.method} ${path}: ${err instanceof Error ? err.stack : String(err)}`);
  sendError(
    res,
    new ApiError(500, 'internal-error', 'the gateway failed to handle this request; see its log'),
  );
}

export async function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!;
  try {
    await dispatch(ctx, req, res, path);
  } catch (err) {
    req.resume();
    sendFailure(ctx, req, res, path, err);
  }
}

export const API_ROUTES = ROUTES.map((d) => ({
  method: d.method,
  path: d.path,
  permission: d.permission,
  ...d.doc,
}));
