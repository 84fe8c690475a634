/**
 * corsgate for Koa 3: `app.use(cors(options))`, ahead of any router. Per-route policies choose by
 * path on the app; @koa/router's `router.use()` would only run for requests that match a route, so
 * preflights without an OPTIONS route and 404s would miss the CORS headers.
 */
import type { Context, Middleware, Next } from 'koa';
import { setDecisionHeaders } from './node.js';
import {
  answersWithBody,
  attachHandle,
  PolicyHolder,
  refusalBody,
  type PolicyInput,
  type Reconfigurable,
} from './shared.js';

export type { PolicyInput, Reconfigurable } from './shared.js';

export type KoaCorsMiddleware = Middleware & Reconfigurable;

export function cors(input: PolicyInput): KoaCorsMiddleware {
  const holder = new PolicyHolder(input);
  const middleware = async (ctx: Context, next: Next): Promise<void> => {
    const decision = holder.policy.evaluate(ctx.req);
    // Straight onto Node's response, as Koa's ctx.set would, without its per-call argument handling.
    setDecisionHeaders(ctx.res, decision);
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
