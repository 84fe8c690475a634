/**
 * corsgate for Hono 4: `app.use('*', cors(options))`, or per route `app.use('/api/*', cors(options))`.
 * Works on Web-standard Request/Response only, so it runs on Node, Bun, Deno and Workers alike.
 */
import type { MiddlewareHandler } from 'hono';
import { addDecisionHeaders, withDecisionHeaders } from './web.js';
import {
  answersWithBody,
  attachHandle,
  PolicyHolder,
  refusalBody,
  type PolicyInput,
  type Reconfigurable,
} from './shared.js';

export type { PolicyInput, Reconfigurable } from './shared.js';

export type HonoCorsMiddleware = MiddlewareHandler & Reconfigurable;

export function cors(input: PolicyInput): HonoCorsMiddleware {
  const holder = new PolicyHolder(input);
  const middleware: MiddlewareHandler = async (c, next) => {
    const decision = holder.policy.evaluate(c.req.raw);
    if (decision.status !== null) {
      // Answered through the context, so headers earlier middleware prepared with c.header() are kept
      // (and an earlier Vary is extended, not replaced).
      const withBody = answersWithBody(decision);
      const answer = withBody
        ? c.body(refusalBody(decision), decision.status as 403)
        : c.body(null, decision.status as 204);
      const headers = answer.headers;
      addDecisionHeaders(headers, decision);
      if (withBody) headers.set('Content-Type', 'application/json; charset=utf-8');
      else if (decision.status !== 204) headers.set('Content-Length', '0');
      return answer;
    }
    await next();
    // After next(), c.res is whatever the app answered, including Hono's 404 and onError responses.
    // Its headers are extended in place; c.res is only reassigned (which makes Hono merge headers)
    // when the response had immutable headers and had to be copied.
    const res = c.res;
    const out = withDecisionHeaders(res, decision);
    if (out !== res) c.res = out;
  };
  return attachHandle(middleware, holder);
}

export default cors;
