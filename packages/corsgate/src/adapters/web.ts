/**
 * Helpers for adapters on Web-standard Request/Response (fetch, Hono): building the answers the
 * adapter gives itself and adding a decision's headers to a handler's response.
 */
import type { Decision } from '../policy/types.js';
import { answersWithBody, emptyBodyLength, mergeVary, refusalBody } from './shared.js';

/**
 * The Response for a preflight or a refusal, straight from the decision. Headers go in as a plain
 * object (the decision's own when nothing is added): runtimes copy them, and Node servers such as
 * @hono/node-server write a plain object without building a Headers instance.
 */
export function answerResponse(decision: Decision): Response {
  const status = decision.status!;
  if (answersWithBody(decision)) {
    const headers = { ...decision.headers, 'Content-Type': 'application/json; charset=utf-8' };
    return new Response(refusalBody(decision), { status, headers });
  }
  // new Response(null) sends no Content-Length; a 200 preflight says explicitly that it is empty.
  const length = emptyBodyLength(status);
  const headers = length === null ? decision.headers : { ...decision.headers, 'Content-Length': length };
  return new Response(null, { status, headers: headers as Record<string, string> });
}

/** Adds the decision's headers to `headers` in place, appending to an existing Vary. */
export function addDecisionHeaders(headers: Headers, decision: Decision): void {
  const h = decision.headers;
  for (const name in h) {
    if (name === 'Vary') {
      const existing = headers.get('Vary');
      headers.set('Vary', existing === null ? h.Vary! : mergeVary(existing, h.Vary!));
    } else {
      headers.set(name, h[name]!);
    }
  }
}

/**
 * Returns a response carrying the decision's headers. Responses from `fetch()` or `Response.redirect()`
 * have immutable headers, so those are copied into a new Response first.
 */
export function withDecisionHeaders(response: Response, decision: Decision): Response {
  try {
    addDecisionHeaders(response.headers, decision);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    addDecisionHeaders(copy.headers, decision);
    return copy;
  }
}
