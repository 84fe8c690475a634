/**
 * What every admin API handler works with: the gateway's context, the route-table entry a handler
 * is declared in, and the small helpers the tables share (list queries, path ids, the reply that
 * waits for the change to be in force).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FleetNode } from '../fleet/node.js';
import type { Permission, Store } from '../../store/types.js';
import type { Engine } from '../engine.js';
import type { Metrics } from '../metrics.js';
import type { SnapshotInfo } from '../snapshot.js';
import type { Principal } from './auth.js';
import { ApiError, sendJson } from './http.js';
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

/** Answers with what `pending` resolves to, once the change it made is in force. */
export async function reply(
  c: ApiContext,
  res: ServerResponse,
  status: number,
  pending: Promise<unknown>,
): Promise<void> {
  const value = await pending;
  await c.sync();
  sendJson(res, status, value);
}

/** `input` is the request body, already validated against the route's `body` schema (undefined without one). */
export type Handler = (
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  who: Principal,
  params: string[],
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the input was checked against the route's JSON schema (schema.ts) before the call
  input: any,
) => Promise<void>;

/** What the OpenAPI document says of a route besides its method, path and permission. */
export interface RouteDoc {
  /** The schema the JSON body is validated against before the handler runs. */
  body?: SchemaName;
  /** The success status and the schema of its body (null: no body). */
  success?: readonly [status: string, schema: string | null];
}

export interface RouteDef {
  method: string;
  path: string;
  pattern: RegExp;
  permission: Permission;
  write: boolean;
  handler: Handler;
  doc: RouteDoc;
}

const ID = '([^/]+)';

/** One entry of a route table; `{id}` in the path is the one path parameter. */
export const route = (
  method: string,
  path: string,
  permission: Permission,
  doc: RouteDoc,
  handler: Handler,
): RouteDef => ({
  method,
  path,
  pattern: new RegExp(`^${path.replace('{id}', ID)}$`),
  permission,
  write: method !== 'GET',
  handler,
  doc,
});

export function actorOf(who: Principal): string {
  return `token:${who.name}`;
}

/** The request's URL (its path and query; the base only makes it parse). */
export function requestUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'http://x');
}

export function listQuery(url: URL, sorts: readonly string[]) {
  const limitRaw = url.searchParams.get('limit');
  let limit = 100;
  if (limitRaw !== null) {
    if (!/^\d+$/.test(limitRaw) || Number(limitRaw) < 1)
      throw new ApiError(400, 'query-invalid', '?limit must be a whole number from 1 to 1000', 'limit');
    limit = Math.min(Number(limitRaw), 1000);
  }
  const sort = url.searchParams.get('sort') ?? undefined;
  if (sort !== undefined && !sorts.includes(sort))
    throw new ApiError(400, 'query-invalid', `?sort must be one of: ${sorts.join(', ')}`, 'sort');
  const order = url.searchParams.get('order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc')
    throw new ApiError(400, 'query-invalid', '?order must be asc or desc', 'order');
  return {
    limit,
    cursor: url.searchParams.get('cursor') ?? undefined,
    q: url.searchParams.get('q') ?? undefined,
    sort,
    order: order as 'asc' | 'desc',
  };
}

/** A path parameter, percent-decoded; a malformed escape is the client's error, not ours. */
export function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ApiError(400, 'path-invalid', `'${raw}' is not a valid percent-encoded id`, 'id');
  }
}

export function notFound(what: string, id: string): ApiError {
  return new ApiError(404, 'not-found', `no ${what} with id '${id}'`);
}
