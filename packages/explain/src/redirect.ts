/**
 * #http-redirect-fetch: following a redirect answer to the next hop of main fetch, or refusing to.
 */
import type { HeaderList } from 'corsgate/internal/http/headers.js';
import type { Answer } from './input.js';
import type { Outcome } from './outcomes.js';
import type { FetchContext, HopState } from './trace.js';

/** Step 1: "If request's redirect count is 20, return a network error." */
const MAX_REDIRECTS = 20;
/** #request-body-header-name: deleted when a redirect turns the request into a GET. */
const REQUEST_BODY_HEADERS = new Set([
  'content-encoding',
  'content-language',
  'content-location',
  'content-type',
]);

function refused(
  ctx: FetchContext,
  state: HopState,
  reason: 'bad-location' | 'not-http' | 'too-many' | 'credentials',
  location: string,
  protocol = '',
): Outcome {
  ctx.trace.log({ kind: 'redirect', url: state.url.href, reason, location, cors: state.tainting === 'cors' });
  return { kind: 'redirect-failed', reason, location, protocol };
}

/**
 * Follows a redirect (the response is a redirect status with a Location). Returns the next hop, or
 * how the fetch ends when the browser refuses the redirect.
 */
export function httpRedirectFetch(
  ctx: FetchContext,
  state: HopState,
  res: Answer,
  location: string,
): HopState | Outcome {
  const { trace, req } = ctx;
  const step = (detail: string) =>
    trace.step({ id: 'redirect', title: 'Redirect', outcome: 'fail', detail, spec: '#http-redirect-fetch' });
  // Step 3: the location must parse, relative to the current URL.
  let next: URL;
  try {
    next = new URL(location, state.url);
  } catch {
    step(`The Location '${location}' is not a URL: network error.`);
    return refused(ctx, state, 'bad-location', location);
  }
  // Step 5: only HTTP(S) locations.
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    step(`The redirect goes to ${next.protocol} URL: network error.`);
    return refused(ctx, state, 'not-http', next.href, next.protocol);
  }
  // Step 6: at most 20 redirects.
  if (state.hop + 1 > MAX_REDIRECTS) return refused(ctx, state, 'too-many', location);
  // Steps 7–8: a CORS request may not be redirected to a URL with credentials.
  if (state.tainting === 'cors' && (next.username !== '' || next.password !== '')) {
    step('A CORS request may not be redirected to a URL with a username and password.');
    return refused(ctx, state, 'credentials', location);
  }
  // Step 12: 301/302 turn a POST into a GET, 303 anything but GET/HEAD; the body headers go.
  let { method, headers } = state;
  if (
    ((res.status === 301 || res.status === 302) && method === 'POST') ||
    (res.status === 303 && method !== 'GET' && method !== 'HEAD')
  ) {
    method = 'GET';
    headers = headers.filter(([n]) => !REQUEST_BODY_HEADERS.has(n.toLowerCase()));
  }
  // Step 13: a cross-origin redirect drops Authorization.
  const crossOrigin = next.origin !== state.url.origin;
  if (crossOrigin) headers = headers.filter(([n]) => n.toLowerCase() !== 'authorization') as HeaderList;
  // #concept-request-tainted-origin: the origin turns opaque once a redirect leaves an origin that is not the page's.
  const tainted = state.tainted || (crossOrigin && req.pageOrigin !== state.url.origin);
  const nextOrigin =
    state.tainting === 'basic' && next.origin === req.pageOrigin ? null : tainted ? 'null' : req.pageOrigin;
  trace.step({
    id: 'redirect',
    title: `Redirect (${res.status})`,
    outcome: 'info',
    detail: `The browser follows the redirect to ${next.href}${state.method !== method ? ` as ${method}` : ''}${nextOrigin !== null ? `, sending Origin: ${nextOrigin}${tainted ? " (the redirect left the API's origin for another, so the origin is now opaque)" : ''}` : ''}; that answer is checked again.`,
    spec: '#http-redirect-fetch',
  });
  const hop = state.hop + 1;
  return {
    ...state,
    hop,
    url: next,
    method,
    headers,
    tainted,
    answers: req.hops[hop] ?? { preflightResponse: null, response: null },
    beyondInput: hop >= req.hops.length,
  };
}
