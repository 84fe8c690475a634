/**
 * Who is calling, and whether they may make a change.
 *
 * The admin token is checked behind the failed-authentication throttle. A failure is counted
 * against the client's address; once the address must wait, every request from it is answered 429
 * with Retry-After until the wait is over, before any token is looked at (and also when a
 * concurrent failure started the wait while this token was being looked up). The wait starting
 * is audited, counted in /metrics and logged, never with the presented token.
 *
 * Route and settings writes run one at a time; one that lets more origins read responses
 * (widening.ts) needs modify-all-data, whatever permission the endpoint itself asks for.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteFields, Settings } from '../../store/types.js';
import type { ApiContext } from './context.js';
import { authenticate, authError, type Principal } from './auth.js';
import { ApiError } from './http.js';
import { clientKey, FailureThrottle } from './throttle.js';
import { findWidening, type RouteChange, type RouteTable } from './widening.js';

const throttles = new WeakMap<ApiContext, FailureThrottle>();

function throttleOf(ctx: ApiContext): FailureThrottle {
  let t = throttles.get(ctx);
  if (!t) throttles.set(ctx, (t = new FailureThrottle()));
  return t;
}

function refuseWhileWaiting(
  ctx: ApiContext,
  throttle: FailureThrottle,
  key: string,
  res: ServerResponse,
): void {
  const wait = throttle.waitMs(key);
  if (wait <= 0) return;
  const seconds = Math.ceil(wait / 1000);
  ctx.metrics.adminAuthFailure('throttled');
  res.setHeader('retry-after', String(seconds));
  throw new ApiError(
    429,
    'auth-throttled',
    `too many failed authentications from this address: retry in ${seconds} s`,
    undefined,
    { retryAfter: seconds },
  );
}

function recordWait(ctx: ApiContext, key: string, failures: number, blockMs: number): void {
  const seconds = Math.ceil(blockMs / 1000);
  ctx.metrics.adminAuthBlocked();
  ctx.log.warn(`admin: ${failures} failed authentications from ${key}: it waits ${seconds} s`);
  ctx.store
    .appendAudit({
      actor: 'system',
      action: 'auth-throttled',
      entity: 'auth',
      entityId: key,
      before: null,
      after: { address: key, failures, waitSeconds: seconds },
    })
    .catch((err: Error) =>
      ctx.log.error(`admin: the audit row for ${key} could not be written: ${err.message}`),
    );
}

/** The principal of an authenticated request; throws the 401 or 429 to answer otherwise. */
export async function principalOf(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Principal> {
  const throttle = throttleOf(ctx);
  const key = clientKey(req.socket.remoteAddress);
  refuseWhileWaiting(ctx, throttle, key, res);
  const auth = await authenticate(req, ctx.store);
  refuseWhileWaiting(ctx, throttle, key, res);
  if (auth.ok) return auth.principal;
  if (auth.reason !== 'missing') {
    ctx.metrics.adminAuthFailure(auth.reason);
    const { failures, blockMs } = throttle.fail(key);
    if (blockMs > 0) recordWait(ctx, key, failures, blockMs);
  }
  throw authError(auth);
}

const writeQueues = new WeakMap<ApiContext, Promise<unknown>>();

/** Runs route and settings writes one after the other, so each is checked against the state it changes. */
function oneAtATime<T>(ctx: ApiContext, fn: () => Promise<T>): Promise<T> {
  const run = (writeQueues.get(ctx) ?? Promise.resolve()).then(fn, fn);
  writeQueues.set(
    ctx,
    run.catch(() => undefined),
  );
  return run;
}

async function refuseWidening(
  ctx: ApiContext,
  who: Principal,
  next: (t: RouteTable) => { table: RouteTable; change?: RouteChange },
): Promise<void> {
  if (who.permissions.includes('modify-all-data')) return;
  const before: RouteTable = {
    routes: await ctx.store.listRoutes(),
    settings: await ctx.store.getSettings(),
  };
  const { table, change } = next(before);
  const w = findWidening(before, table, change);
  if (w)
    throw new ApiError(
      403,
      'forbidden',
      `this change lets more origins read responses (${w.host} ${w.path}: ${w.from} becomes ${w.to}); it needs the 'modify-all-data' permission`,
      undefined,
      {
        needs: 'modify-all-data',
        widens: w,
      },
    );
}

/** A route created (`id` absent), replaced (`id` and `fields`) or deleted (`fields` absent), then `write`. */
export function routeWrite<T>(
  ctx: ApiContext,
  who: Principal,
  edit: { id?: string; fields?: RouteFields },
  write: () => Promise<T>,
): Promise<T> {
  return oneAtATime(ctx, async () => {
    await refuseWidening(ctx, who, ({ routes, settings }) => {
      const old = edit.id === undefined ? undefined : routes.find((r) => r.id === edit.id);
      const after = edit.fields && { ...edit.fields, id: edit.id ?? 'new route' };
      const next =
        edit.id === undefined
          ? [...routes, after!]
          : routes.flatMap((r) => (r.id !== edit.id ? [r] : after ? [after] : []));
      return {
        table: { routes: next, settings },
        change: { ...(old ? { before: old } : {}), ...(after ? { after } : {}) },
      };
    });
    return write();
  });
}

/** New settings (the whole of them), then `write`. */
export function settingsWrite<T>(
  ctx: ApiContext,
  who: Principal,
  next: Settings,
  write: () => Promise<T>,
): Promise<T> {
  return oneAtATime(ctx, async () => {
    await refuseWidening(ctx, who, ({ routes }) => ({ table: { routes, settings: next } }));
    return write();
  });
}
