/**
 * corsgate for Express 5 (and 4): `app.use(cors(options))`, or per route `app.use('/api', cors(options))`.
 * Headers are set before the route runs, so Express's own 404 and error responses carry them too.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answer, setDecisionHeaders } from './node.js';
import { attachHandle, PolicyHolder, type PolicyInput, type Reconfigurable } from './shared.js';

export type { PolicyInput, Reconfigurable } from './shared.js';

export type ExpressCorsMiddleware = ((
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void) &
  Reconfigurable;

export function cors(input: PolicyInput): ExpressCorsMiddleware {
  const holder = new PolicyHolder(input);
  const middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void => {
    const decision = holder.policy.evaluate(req);
    setDecisionHeaders(res, decision);
    if (decision.status === null) next();
    else answer(res, decision);
  };
  return attachHandle(middleware, holder);
}

export default cors;
