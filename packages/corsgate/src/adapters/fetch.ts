/**
 * corsgate around any fetch-style handler (Workers, Deno, Bun, Node's undici-based servers):
 *
 *   export default { fetch: cors({ origins: ['https://app.example.com'] })(handler) };
 */
import { answerResponse, withDecisionHeaders } from './web.js';
import { attachHandle, PolicyHolder, type PolicyInput, type Reconfigurable } from './shared.js';

export type { PolicyInput, Reconfigurable } from './shared.js';

export type FetchHandler<Args extends unknown[] = unknown[]> = (
  request: Request,
  ...rest: Args
) => Response | Promise<Response>;
export type CorsWrapper = (<Args extends unknown[]>(handler: FetchHandler<Args>) => FetchHandler<Args>) &
  Reconfigurable;

export function cors(input: PolicyInput): CorsWrapper {
  const holder = new PolicyHolder(input);
  const wrap =
    <Args extends unknown[]>(handler: FetchHandler<Args>): FetchHandler<Args> =>
    async (request: Request, ...rest: Args): Promise<Response> => {
      const decision = holder.policy.evaluate(request);
      if (decision.status !== null) return answerResponse(decision);
      let response: Response;
      try {
        response = await handler(request, ...rest);
      } catch (err) {
        // The page must see the real error, not a CORS failure: answer the 500 with CORS headers.
        console.error(err);
        response = new Response('Internal Server Error', {
          status: 500,
          headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        });
      }
      return withDecisionHeaders(response, decision);
    };
  return attachHandle(wrap, holder);
}

export default cors;
