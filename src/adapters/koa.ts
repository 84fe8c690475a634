/**
 * corsgate for Koa 3 (and @koa/router): `app.use(cors(options))`, or per route
 * `router.use('/api', cors(options))`.
 */
import type { Context, Middleware, Next } from 'koa';
import type { Decision } from '../policy/types.js';
import { answersWithBody, attachHandle, mergeVary, PolicyHolder, refusalBody, type PolicyInput, type Reconfigurable } from './shared.js';

export type { PolicyInput, Reconfigurable } from './shared.js';

export type KoaCorsMiddleware = Middleware & Reconfigurable;

function setHeaders(ctx: Context, decision: Decision): void {
  const h = decision.headers;
  for (const name in h) {
    if (name === 'Vary') ctx.set('Vary', mergeVary(ctx.response.get('Vary') || undefined, h.Vary!));
    else ctx.set(name, h[name]!);
  }
}

export function cors(input: PolicyInput): KoaCorsMiddleware {
  const holder = new PolicyHolder(input);
  const middleware = async (ctx: Context, next: Next): Promise<void> => {
    const decision = holder.policy.evaluate(ctx.req);
    setHeaders(ctx, decision);
    if (decision.status !== null) {
      ctx.status = decision.status;
      if (answersWithBody(decision)) {
        ctx.type = 'application/json';
        ctx.body = refusalBody(decision);
      } else if (decision.status !== 204) {
        ctx.body = ''; // an empty string body makes Koa send Content-Length: 0 (and a text type we drop)
        ctx.remove('Content-Type');
      }
      return;
    }
    try {
      await next();
    } catch (err) {
      // Koa's error handler drops every header already set and applies `err.headers`, so the
      // CORS headers travel with the error: the page then sees the real status, not a CORS failure.
      if (err !== null && typeof err === 'object') {
        const e = err as { headers?: Record<string, string> };
        e.headers = { ...decision.headers, ...(e.headers ?? {}) };
      }
      throw err;
    }
  };
  return attachHandle(middleware, holder);
}

export default cors;
