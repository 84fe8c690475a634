/**
 * #cors-preflight-fetch: the OPTIONS request the browser sends before a request that is not
 * CORS-safelisted, and the checks its answer must pass, in the browser's order.
 */
import { getHeader } from 'corsgate/internal/http/headers.js';
import { isRedirectStatus } from 'corsgate/internal/http/responses.js';
import {
  checkHeaders,
  checkMethod,
  corsCheck,
  parseHeaderNames,
  parseMethods,
  type CheckFailure,
} from './checks.js';
import { isAnswer, type Answer, type NoAnswer } from './input.js';
import type { Outcome } from './outcomes.js';
import { isSafelistedMethod } from './request.js';
import { serializedOrigin, type FetchContext, type HopState } from './trace.js';
import type { Explanation } from './types.js';

/** The unsafe request-header names of a hop: in check order, and sorted as Access-Control-Request-Headers sends them. */
export interface UnsafeNames {
  inOrder: string[];
  sorted: string[];
}

/** Why a preflight is needed, in words; null when none is (#main-fetch, the preflight condition). */
export function preflightReason(method: string, unsafe: UnsafeNames): string | null {
  const reasons = [
    !isSafelistedMethod(method) ? `${method} is not a CORS-safelisted method` : '',
    unsafe.sorted.length ? `the header(s) ${unsafe.sorted.join(', ')} are not CORS-safelisted` : '',
  ].filter(Boolean);
  return reasons.length ? reasons.join(' and ') : null;
}

/** A hop whose expected answer is missing: a network error, or (past the input) a redirect still to explain. */
export function noAnswer(
  ctx: FetchContext,
  state: HopState,
  reply: NoAnswer | null,
  awaiting: NonNullable<Explanation['awaiting']>,
): Outcome {
  const what = awaiting.kind === 'preflight' ? 'preflight response' : 'response';
  if (reply === null) ctx.trace.awaiting = awaiting;
  if (state.beyondInput)
    return {
      kind: 'redirect-pending',
      url: state.url.href,
      preflight: awaiting.kind === 'preflight',
      origin: state.tainting === 'cors' ? serializedOrigin(ctx, state) : null,
    };
  const detail =
    reply?.message !== undefined
      ? `${awaiting.method} ${awaiting.url} got no answer: ${reply.message}.`
      : `No ${what} was given: treated as a network error (the server closed the connection without answering).`;
  ctx.trace.step({
    id: 'network',
    title: `Wait for the ${what}`,
    outcome: 'fail',
    detail,
    spec: '#concept-network-error',
  });
  ctx.trace.log({
    kind: 'no-answer',
    url: state.url.href,
    what: awaiting.kind,
    cors: state.tainting === 'cors',
    afterPreflight: awaiting.kind === 'response' && ctx.trace.preflightSent,
    ...(reply ? { networkError: reply.networkError } : {}),
  });
  return { kind: 'no-answer', what };
}

/**
 * The checks of the grants (#cors-preflight-fetch steps 5–9), in the browser's order. Returns the
 * failure, or the header names the answer allows.
 */
function checkGrants(
  ctx: FetchContext,
  state: HopState,
  pf: Answer,
  unsafe: UnsafeNames,
): { failure: CheckFailure; title: string } | { allowedHeaders: string[] } {
  const fail = (failure: CheckFailure, title: string) => ({ failure, title });
  const methods = parseMethods(pf.headers);
  if (methods !== null && !Array.isArray(methods)) return fail(methods, 'Preflight: parse the grants');
  const early = ctx.model.parseGrantsFirst ? parseHeaderNames(pf.headers) : null;
  if (early !== null && !Array.isArray(early)) return fail(early, 'Preflight: parse the grants');
  const methodFailure = checkMethod(methods, state.method, ctx.include);
  if (methodFailure) return fail(methodFailure, 'Preflight: method');
  const names = ctx.model.parseGrantsFirst ? early : parseHeaderNames(pf.headers);
  if (names !== null && !Array.isArray(names)) return fail(names, 'Preflight: parse the grants');
  const headerFailure = checkHeaders(ctx.model, names, unsafe.inOrder, ctx.include);
  if (headerFailure) return fail(headerFailure, 'Preflight: headers');
  return { allowedHeaders: names ?? [] };
}

/** Steps 1–2: the preflight's request (OPTIONS, Origin, Access-Control-Request-Method and -Headers, names sorted, joined by ","), traced. */
function sendPreflight(
  ctx: FetchContext,
  state: HopState,
  unsafe: UnsafeNames,
  why: string,
): { origin: string; sentHeaders: Record<string, string> } {
  const { trace } = ctx;
  const origin = ctx.model.preflightOriginUntainted ? ctx.req.pageOrigin : serializedOrigin(ctx, state);
  if (origin !== serializedOrigin(ctx, state)) trace.note('preflight-origin');
  const sentHeaders = {
    Origin: origin,
    'Access-Control-Request-Method': state.method,
    ...(unsafe.sorted.length ? { 'Access-Control-Request-Headers': unsafe.sorted.join(',') } : {}),
  };
  trace.preflightRequest ??= { method: 'OPTIONS', headers: sentHeaders };
  trace.preflightSent = true;
  trace.step({
    id: 'preflight-needed',
    title: 'Decide on a preflight',
    outcome: 'info',
    detail: `A preflight (OPTIONS ${state.url.href}, Origin: ${origin}) is needed: ${why}.`,
    spec: '#cors-safelisted-request-header',
  });
  return { origin, sentHeaders };
}

/** A recording without the preflight's answer: failed when the request never went out, otherwise passed. */
function unrecordedPreflight(ctx: FetchContext, failed: boolean): Outcome | null {
  if (failed) {
    ctx.trace.step({
      id: 'preflight',
      title: 'Preflight (answer not recorded)',
      outcome: 'fail',
      detail:
        'The request was not sent after its preflight, so the preflight failed or went unanswered; the recording does not hold it, so why cannot be told.',
      spec: '#cors-preflight-fetch',
    });
    return { kind: 'preflight-unrecorded' };
  }
  ctx.trace.step({
    id: 'preflight',
    title: 'Preflight (answer not recorded)',
    outcome: 'info',
    detail:
      "The preflight's answer is not in the recording; the request itself went out, so the browser accepted it (or used a cached one). Which methods and headers it allowed, and for how long, cannot be checked.",
    spec: '#cors-preflight-fetch',
  });
  return null;
}

/** The preflight passed: traced, with the note when '*' covered Authorization in this browser. */
function preflightPassed(
  ctx: FetchContext,
  state: HopState,
  unsafe: UnsafeNames,
  allowedHeaders: string[],
): null {
  const { trace } = ctx;
  trace.step({
    id: 'preflight',
    title: 'Preflight',
    outcome: 'pass',
    detail: 'The preflight answer allows this origin, method and headers.',
    spec: '#cors-preflight-fetch',
  });
  if (unsafe.inOrder.includes('authorization') && !allowedHeaders.includes('authorization')) {
    trace.step({
      id: 'authorization-wildcard',
      title: 'Authorization covered by *',
      outcome: 'info',
      detail: `${ctx.model.label} lets '*' in Access-Control-Allow-Headers cover Authorization (deprecated); the Fetch Standard does not (#cors-non-wildcard-request-header-name). List authorization by name to be safe (--spec shows the Standard's verdict).`,
      spec: '#cors-non-wildcard-request-header-name',
    });
    trace.log({ kind: 'authorization-wildcard', url: state.url.href });
    trace.note('authorization-wildcard');
  }
  return null;
}

/**
 * Sends the preflight for this hop and judges its answer. Returns null when it passes (the request
 * may go), or how the fetch ends.
 */
export function corsPreflightFetch(
  ctx: FetchContext,
  state: HopState,
  unsafe: UnsafeNames,
  why: string,
): Outcome | null {
  const { trace } = ctx;
  const urlText = state.url.href;
  const { origin, sentHeaders } = sendPreflight(ctx, state, unsafe, why);
  const pf = state.answers.preflightResponse;
  if (pf !== null && 'notRecorded' in pf) return unrecordedPreflight(ctx, pf.failed);
  if (!isAnswer(pf))
    return noAnswer(ctx, state, pf, {
      kind: 'preflight',
      hop: state.hop,
      url: urlText,
      method: 'OPTIONS',
      headers: [['Accept', '*/*'], ...Object.entries(sentHeaders)],
    });
  const failed = (failure: CheckFailure, title: string, specId: string, redirected = false): Outcome => {
    trace.step({
      id: 'preflight',
      title,
      outcome: 'fail',
      detail: `The preflight fails: ${failure.why}.`,
      spec: specId,
    });
    trace.log({ kind: 'cors', url: urlText, failure, phase: 'preflight', status: pf.status, redirected });
    return {
      kind: 'preflight-failed',
      hop: state.hop,
      failure,
      facts: { pageOrigin: origin, url: state.url, method: state.method, credentials: ctx.req.credentials },
      unsafe: unsafe.sorted,
      tainted: state.tainted,
      sentBefore: trace.requests.length > 0,
    };
  };
  // A preflight never follows a redirect (HTTP-network-or-cache fetch, no redirect handling).
  const redirected = isRedirectStatus(pf.status) && getHeader(pf.headers, 'Location') !== null;
  const redirectFailure: CheckFailure = {
    reason: 'preflight-redirect',
    hint: '',
    why: `it answered with a redirect (${pf.status}), which a preflight never follows`,
  };
  if (redirected && ctx.model.preflightRedirectFirst)
    return failed(redirectFailure, 'Preflight: redirect', '#cors-preflight-fetch');
  // Step 7: the CORS check (with the actual request's credentials mode), then the ok status. Firefox
  // sends a redirected request's preflight as a new request from the page: to the page's own origin,
  // it is same-origin and not CORS-checked.
  const sameOrigin = ctx.model.preflightOriginUntainted && state.url.origin === ctx.req.pageOrigin;
  if (sameOrigin) trace.note('preflight-same-origin');
  const access = sameOrigin ? null : corsCheck(ctx.model, pf.headers, origin, ctx.include);
  if (access) return failed(access, 'Preflight: allowed origin', '#cors-check', redirected);
  if (redirected) return failed(redirectFailure, 'Preflight: redirect', '#cors-preflight-fetch');
  if (pf.status < 200 || pf.status > 299)
    return failed(
      {
        reason: 'preflight-status',
        hint: '',
        why: `its status is ${pf.status}, and a preflight must answer with an ok status (2xx)`,
      },
      'Preflight: status',
      '#cors-preflight-fetch',
    );
  const grants = checkGrants(ctx, state, pf, unsafe);
  if ('failure' in grants) return failed(grants.failure, grants.title, '#cors-preflight-fetch');
  return preflightPassed(ctx, state, unsafe, grants.allowedHeaders);
}
