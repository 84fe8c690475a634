/**
 * corsgate for a plain `node:http` server.
 *
 *   const corsMiddleware = cors({ origins: ['https://app.example.com'] });
 *   http.createServer((req, res) => {
 *     if (corsMiddleware(req, res)) return; // preflight or refusal answered
 *     ...
 *   });
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision } from '../policy/types.js';
import {
  answersWithBody,
  attachHandle,
  emptyBodyLength,
  mergeVary,
  PolicyHolder,
  refusalBody,
  type PolicyInput,
  type Reconfigurable,
} from './shared.js';

export type { PolicyInput, Reconfigurable } from './shared.js';

export interface NodeCorsMiddleware extends Reconfigurable {
  /** Sets the CORS headers; answers preflights and refusals itself and then returns true. */
  (req: IncomingMessage, res: ServerResponse): boolean;
  /** Connect-style form: calls `next()` unless it answered the request itself. */
  handle(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void;
}

/** Copies a decision's headers onto a Node response, appending to any Vary already there. */
export function setDecisionHeaders(res: ServerResponse, decision: Decision): void {
  const headers = decision.headers;
  for (const name in headers) {
    if (name === 'Vary') {
      const existing = res.getHeader('Vary');
      res.setHeader('Vary', existing === undefined ? headers.Vary! : mergeVary(existing, headers.Vary!));
    } else {
      res.setHeader(name, headers[name]!);
    }
  }
}

/** Ends the response with the answer the decision calls for (preflight or refusal). */
export function answer(res: ServerResponse, decision: Decision): void {
  res.statusCode = decision.status!;
  if (answersWithBody(decision)) {
    const body = refusalBody(decision);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
    return;
  }
  const length = emptyBodyLength(decision.status!);
  if (length !== null) res.setHeader('Content-Length', length);
  res.end();
}

export function cors(input: PolicyInput): NodeCorsMiddleware {
  const holder = new PolicyHolder(input);
  const middleware = (req: IncomingMessage, res: ServerResponse): boolean => {
    const decision = holder.policy.evaluate(req);
    setDecisionHeaders(res, decision);
    if (decision.status === null) return false;
    answer(res, decision);
    return true;
  };
  const handle = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void => {
    if (!middleware(req, res)) next();
  };
  return attachHandle(Object.assign(middleware, { handle }), holder);
}

export default cors;
