/**
 * Helpers for adapters on Web-standard Request/Response (fetch, Hono): building the answers the
 * adapter gives itself and adding a decision's headers to a handler's response.
 */
import type { Decision } from '../policy/types.js';
import { answersWithBody, mergeVary, refusalBody } from './shared.js';

/** The Response for a preflight or a refusal, straight from the decision. */
export function answerResponse(decision: Decision): Response {
  const headers = new Headers(decision.headers as Record<string, string>);
  if (answersWithBody(decision)) {
    headers.set('Content-Type', 'application/json; charset=utf-8');
    return new Response(refusalBody(decision), { status: decision.status!, headers });
  }
  // new Response(null) sends no Content-Length; a 200 preflight says explicitly that it is empty.
  if (decision.status !== 204) headers.set('Content-Length', '0');
  return new Response(null, { status: decision.status!, headers });
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
