/**
 * The simulator: runs a page's request and the server's answers through the browser's algorithm
 * (Fetch #main-fetch with #http-fetch, #cors-preflight-fetch, #cors-check, #http-redirect-fetch),
 * as the chosen browser ships it, and reports what happens, the console messages, and the fix.
 * Pure: no I/O. One function per algorithm, each returning how the fetch ends (outcomes.ts).
 */
import { getHeader, type HeaderList } from 'corsgate/internal/http/headers.js';
import { isForbiddenResponseHeader, isRedirectStatus } from 'corsgate/internal/http/responses.js';
import { BROWSERS, specVariant, type BrowserModel } from './browsers.js';
import { corsCheck, readableHeaderNames } from './checks.js';
import { blinkHeaderOrder } from './blink-header-order.js';
import { isAnswer, normalize, type Answer, type Normalized } from './input.js';
import { summaryOf, wordingOf, type Outcome } from './outcomes.js';
import { corsPreflightFetch, noAnswer, preflightReason, type UnsafeNames } from './preflight.js';
import { httpRedirectFetch } from './redirect.js';
import { corsUnsafeRequestHeaderNames, safelistDepartures } from './request.js';
import { checkPageCsp, noteLocalNetworkAccess, setUpRequest } from './setup.js';
import { corpBlocks } from './sites.js';
import { serializedOrigin, Trace, type FetchContext, type HopState } from './trace.js';
import type { ExplainInput, ExplainOptions, Explanation, SentRequest } from './types.js';
import { explainWebSocket, isWebSocketCase } from './websocket.js';

/** The browser a run models, with the Standard's rules swapped in where `spec` asks for them. */
export function modelFor(options: ExplainOptions): BrowserModel {
  const model = BROWSERS[options.browser ?? 'chromium'];
  return options.spec === true ? specVariant(model) : model;
}

/** #main-fetch, the response-tainting steps: same origin needs no CORS; otherwise the mode decides. */
function decideTainting(ctx: FetchContext, state: HopState): Outcome | null {
  const { req, trace } = ctx;
  if (state.tainting === 'basic' && state.url.origin !== req.pageOrigin) {
    if (req.mode === 'same-origin') {
      trace.step({
        id: 'mode',
        title: 'Check the request mode',
        outcome: 'fail',
        detail: 'mode "same-origin" forbids cross-origin URLs.',
        spec: '#main-fetch',
      });
      trace.log({ kind: 'mode', url: state.url.href });
      return { kind: 'mode-blocked' };
    }
    state.tainting = req.mode === 'no-cors' ? 'opaque' : 'cors';
    if (state.tainting === 'opaque')
      trace.step({
        id: 'mode',
        title: 'no-cors request',
        outcome: 'info',
        detail:
          'Sent without a preflight or CORS check; the page gets an opaque response (status 0, no headers, no body).',
        spec: '#concept-filtered-response-opaque',
      });
  } else if (state.hop === 0 && state.url.origin === req.pageOrigin) {
    trace.step({
      id: 'same-origin',
      title: 'Same origin',
      outcome: 'pass',
      detail: "The URL has the page's origin: CORS does not apply.",
      spec: '#main-fetch',
    });
  }
  if (state.tainting === 'cors' && state.url.protocol !== 'http:' && state.url.protocol !== 'https:') {
    trace.log({ kind: 'scheme', url: state.url.href });
    return { kind: 'scheme-blocked', protocol: state.url.protocol };
  }
  return null;
}

/** The facts the fix is written from. */
function factsOf(ctx: FetchContext, state: HopState) {
  return {
    pageOrigin: serializedOrigin(ctx, state),
    url: state.url,
    method: state.method,
    credentials: ctx.req.credentials,
  };
}

/** #http-fetch after the network answered: the CORS check of every response, CORP for opaque ones. */
function checkResponse(ctx: FetchContext, state: HopState, res: Answer, unsafe: UnsafeNames): Outcome | null {
  const { trace } = ctx;
  if (state.tainting === 'cors') {
    const failure = corsCheck(ctx.model, res.headers, serializedOrigin(ctx, state), ctx.include);
    if (failure) {
      const redirect = isRedirectStatus(res.status) && getHeader(res.headers, 'Location') !== null;
      trace.step({
        id: 'cors-check',
        title: 'CORS check of the response',
        outcome: 'fail',
        detail: `The response${state.hop ? ` at ${state.url.href}` : ''} fails the CORS check: ${failure.why}.`,
        spec: '#cors-check',
      });
      trace.log({
        kind: 'cors',
        url: state.url.href,
        failure,
        phase: redirect ? 'redirect' : 'response',
        status: res.status,
      });
      return {
        kind: 'response-failed',
        hop: state.hop,
        failure,
        status: res.status,
        facts: factsOf(ctx, state),
        unsafe: unsafe.sorted,
        tainted: state.tainted,
      };
    }
  }
  // #cross-origin-resource-policy-check: only opaque (no-cors) responses are subject to it.
  if (state.tainting === 'opaque') {
    const corp = corpBlocks(
      getHeader(res.headers, 'Cross-Origin-Resource-Policy'),
      state.url,
      ctx.req.pageOrigin,
    );
    if (corp) {
      trace.step({
        id: 'corp',
        title: 'Cross-Origin-Resource-Policy',
        outcome: 'fail',
        detail: `The response says Cross-Origin-Resource-Policy: ${corp}, and the page is not ${corp === 'same-origin' ? 'same-origin' : 'same-site'} with it.`,
        spec: '#cross-origin-resource-policy-check',
      });
      trace.log({ kind: 'corp', url: state.url.href, policy: corp });
      return { kind: 'corp-blocked', policy: corp };
    }
  }
  return null;
}

/** The final (non-redirect) response: what the page can read of it. */
function finalResponse(ctx: FetchContext, state: HopState, res: Answer): Outcome {
  ctx.trace.log({ kind: 'http-status', status: res.status, statusText: res.statusText });
  if (state.tainting === 'opaque') return { kind: 'opaque', facts: factsOf(ctx, state) };
  if (state.tainting === 'basic') {
    const names = [...new Set(res.headers.map(([n]) => n.toLowerCase()))]
      .filter((n) => !isForbiddenResponseHeader(n))
      .sort();
    return { kind: 'same-origin', exposed: names };
  }
  const exposed = readableHeaderNames(res.headers, ctx.include);
  ctx.trace.step({
    id: 'cors-check',
    title: 'CORS check of the response',
    outcome: 'pass',
    detail: `The page can read the response (status ${res.status}) and the headers ${exposed.length ? exposed.join(', ') : '(none)'}.`,
    spec: '#cors-check',
  });
  return { kind: 'allowed', status: res.status, exposed, preflighted: ctx.trace.preflightSent };
}

/** The unsafe request-header names the browser judges at this hop, in the order it checks them. */
function unsafeNamesAt(ctx: FetchContext, headers: HeaderList): UnsafeNames {
  const { inOrder, sorted } = corsUnsafeRequestHeaderNames(headers, ctx.model.safelist);
  const rank = (n: string) => ctx.checkOrder.indexOf(n);
  return { inOrder: [...inOrder].sort((a, b) => rank(a) - rank(b)), sorted };
}

/** The order the browser checks a request's headers in (preflight_result.cc walks Blink's header map; Firefox sorts). */
function checkOrderOf(model: BrowserModel, req: Normalized, headers: HeaderList): string[] {
  const names = headers.map(([n]) => n.toLowerCase());
  return model.headerCheckOrder === 'sorted'
    ? [...new Set(names)].sort()
    : blinkHeaderOrder(names, req.initiator, req.url);
}

/**
 * Whether this hop is preflighted, and why (#main-fetch's preflight condition). Firefox judges every
 * hop by the first hop's unsafe names (less those the redirects removed), and preflights each hop of
 * a request that had any (nsCORSListenerProxy::CheckPreflightNeeded).
 */
function preflightAt(
  ctx: FetchContext,
  state: HopState,
  first: UnsafeNames,
): { unsafe: UnsafeNames; why: string | null } {
  if (state.tainting === 'cors')
    for (const d of safelistDepartures(state.headers, ctx.model.safelist)) ctx.trace.note(d);
  const current = unsafeNamesAt(ctx, state.headers);
  if (!ctx.model.repreflightAfterRedirect || state.hop === 0)
    return {
      unsafe: current,
      why: state.tainting === 'cors' ? preflightReason(state.method, current) : null,
    };
  const present = new Set(state.headers.map(([n]) => n.toLowerCase()));
  const inOrder = first.inOrder.filter((n) => present.has(n));
  const unsafe = { inOrder, sorted: [...inOrder].sort() };
  if (state.tainting !== 'cors') return { unsafe, why: null };
  const why =
    preflightReason(state.method, unsafe) ??
    (first.sorted.length
      ? `${ctx.model.label} preflights every redirect hop of a request it preflighted for its headers (${first.sorted.join(', ')})`
      : null);
  // Where the request as it now is would be judged otherwise, this is Firefox's own rule.
  if (why !== preflightReason(state.method, current) || unsafe.sorted.join() !== current.sorted.join())
    ctx.trace.note('repreflight');
  return { unsafe, why };
}

/** #main-fetch, hop after hop: the preflight decision, the request, its answer, the redirect. */
function mainFetch(ctx: FetchContext, method: string, headers: HeaderList): Outcome {
  const { req, trace } = ctx;
  let state: HopState = {
    hop: 0,
    url: req.url,
    method,
    headers,
    tainting: 'basic',
    tainted: false,
    answers: req.hops[0]!,
    beyondInput: false,
  };
  const first = unsafeNamesAt(ctx, headers);
  for (;;) {
    const stop = decideTainting(ctx, state);
    if (stop) return stop;
    const { unsafe, why } = preflightAt(ctx, state, first);
    if (why !== null) {
      const failed = corsPreflightFetch(ctx, state, unsafe, why);
      if (failed) return failed;
    } else if (state.tainting === 'cors') {
      trace.step({
        id: 'preflight-needed',
        title: 'Decide on a preflight',
        outcome: 'info',
        detail: 'No preflight: the method and headers are CORS-safelisted.',
        spec: '#cors-safelisted-request-header',
      });
    }
    // #append-a-request-origin-header: CORS requests and non-GET/HEAD ones carry Origin.
    const sent: SentRequest = {
      url: state.url.href,
      method: state.method,
      origin:
        state.tainting === 'cors' || (state.method !== 'GET' && state.method !== 'HEAD')
          ? serializedOrigin(ctx, state)
          : null,
    };
    trace.requests.push(sent);
    const res = state.answers.response;
    if (!isAnswer(res))
      return noAnswer(ctx, state, res, {
        kind: 'response',
        hop: state.hop,
        url: sent.url,
        method: sent.method,
        headers: [
          ...state.headers.map(([n, v]): [string, string] => [n, v]),
          ...(sent.origin !== null ? [['Origin', sent.origin] as [string, string]] : []),
        ],
      });
    const failed = checkResponse(ctx, state, res, unsafe);
    if (failed) return failed;
    const location = getHeader(res.headers, 'Location');
    if (!isRedirectStatus(res.status) || location === null) return finalResponse(ctx, state, res);
    const next = httpRedirectFetch(ctx, state, res, location);
    if ('kind' in next) return next;
    state = next;
  }
}

/** Runs the simulation. Throws ExplainInputError (code, path) on unusable input. */
export function explain(input: ExplainInput, options: ExplainOptions = {}): Explanation {
  const model = modelFor(options);
  // A WebSocket handshake is no fetch: CORS does not apply (websocket.ts).
  if (isWebSocketCase(input)) return explainWebSocket(input, model);
  const req = normalize(input);
  const initialUrl = req.url.href;
  const trace = new Trace(model, { pageOrigin: req.pageOrigin, initiator: req.initiator, initialUrl });
  const ctx: FetchContext = {
    model,
    req,
    include: req.credentials === 'include',
    initialUrl,
    trace,
    checkOrder: [],
  };
  const run = (): Outcome => {
    const prepared = setUpRequest(ctx);
    if ('kind' in prepared) return prepared;
    ctx.checkOrder = checkOrderOf(model, req, prepared.headers);
    const csp = checkPageCsp(ctx, prepared.method);
    if (csp) return csp;
    noteLocalNetworkAccess(ctx);
    return mainFetch(ctx, prepared.method, prepared.headers);
  };
  const outcome = run();
  const wording = wordingOf(outcome, { model, initiator: req.initiator, include: ctx.include });
  return {
    preflight: trace.preflightSent,
    actualRequestSent: trace.requests.length > 0,
    ...wording,
    console: trace.console,
    steps: trace.steps,
    requests: trace.requests,
    ...(trace.preflightRequest ? { preflightRequest: trace.preflightRequest } : {}),
    ...(trace.awaiting ? { awaiting: trace.awaiting } : {}),
    browser: { name: model.name, version: model.version },
    outcome: summaryOf(outcome),
    departures: [...trace.departures],
  };
}
