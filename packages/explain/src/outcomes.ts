/**
 * How a fetch ends, as the Fetch-algorithm functions report it, and what explain says about each
 * ending: the verdict, the fields script can observe, the explanation and the fix. One entry per
 * outcome, as messages.ts keeps one entry per console message.
 */
import type { BrowserModel } from './browsers.js';
import type { CheckFailure } from './checks.js';
import type { Initiator, RedirectFailure, Refusal } from './events.js';
import type { CspViolation } from './csp.js';
import { suggestFix, type RequestFacts } from './fix.js';
import { chromiumTypeError } from './messages.js';
import { firefoxTypeError } from './messages-firefox.js';
import type { Explanation, Fix } from './types.js';

export type Outcome =
  | { kind: 'request-refused'; refusal: Refusal; fix: string }
  | { kind: 'csp-blocked'; violations: CspViolation[]; facts: RequestFacts }
  | { kind: 'mode-blocked' }
  | { kind: 'scheme-blocked'; protocol: string }
  /** A redirect whose target's answers the input does not give. */
  | { kind: 'redirect-pending'; url: string; preflight: boolean; origin: string | null }
  | { kind: 'no-answer'; what: 'preflight response' | 'response' }
  /** The recording shows the request was never sent after a preflight it does not hold. */
  | { kind: 'preflight-unrecorded' }
  | {
      kind: 'preflight-failed';
      hop: number;
      failure: CheckFailure;
      facts: RequestFacts;
      unsafe: string[];
      tainted: boolean;
      sentBefore: boolean;
    }
  | {
      kind: 'response-failed';
      hop: number;
      failure: CheckFailure;
      status: number;
      facts: RequestFacts;
      unsafe: string[];
      tainted: boolean;
    }
  | { kind: 'corp-blocked'; policy: 'same-origin' | 'same-site' }
  | { kind: 'redirect-failed'; reason: RedirectFailure; location: string; protocol: string }
  | { kind: 'opaque'; facts: RequestFacts }
  | { kind: 'same-origin'; exposed: string[] }
  | { kind: 'allowed'; status: number; exposed: string[]; preflighted: boolean };

/** What an outcome tells script and the user. */
export type Wording = Pick<
  Explanation,
  'allowed' | 'responseType' | 'exposedHeaders' | 'explanation' | 'fix' | 'verdict'
>;

export interface WordingContext {
  model: BrowserModel;
  initiator: Initiator;
  include: boolean;
}

type Entry<K extends Outcome['kind']> = (o: Extract<Outcome, { kind: K }>, ctx: WordingContext) => Wording;

const blocked = (verdict: string, explanation: string, fix: Fix | null): Wording => ({
  allowed: false,
  responseType: 'error',
  exposedHeaders: null,
  explanation,
  fix,
  verdict,
});

/** The exception fetch() or XMLHttpRequest throws, as the browser words it. */
function thrower(o: Extract<Outcome, { kind: 'request-refused' }>, ctx: WordingContext): string {
  const api = ctx.initiator === 'xhr' ? 'XMLHttpRequest' : 'fetch()';
  return `${api} throws "${ctx.model.name === 'firefox' ? firefoxTypeError(o.refusal, ctx.initiator) : chromiumTypeError(o.refusal, ctx.initiator)}"`;
}

const ENTRIES: { [K in Outcome['kind']]: Entry<K> } = {
  'request-refused': (o, ctx) => ({
    ...blocked('Blocked: fetch() refuses the request', `${thrower(o, ctx)} and sends nothing.`, {
      summary: o.fix,
      where: 'request',
    }),
  }),
  'csp-blocked': (o) =>
    blocked(
      "Blocked by the page's Content-Security-Policy",
      "The page's own Content-Security-Policy blocks the request before it leaves the browser, so the server never sees it. CORS headers on the server cannot help.",
      suggestFix({ kind: 'csp', req: o.facts, violations: o.violations }),
    ),
  'mode-blocked': () =>
    blocked(
      'Blocked by the request mode',
      'The request asks for mode "same-origin" but the URL is on another origin.',
      {
        summary: "Use mode 'cors' (the default) and have the server allow the page's origin.",
        where: 'request',
      },
    ),
  'scheme-blocked': (o) =>
    blocked(
      'Blocked: scheme without CORS',
      `CORS requests are only possible over http and https; ${o.protocol} cannot be fetched cross-origin.`,
      null,
    ),
  'redirect-pending': (o) =>
    blocked(
      'Redirected: give the next answer to explain it',
      `The browser follows the redirect to ${o.url}${o.preflight ? ', first with a preflight' : ''}${o.origin !== null ? `, sending Origin: ${o.origin}` : ''}; whether the page can read the final answer depends on that answer, which was not given (add it under "redirects").`,
      null,
    ),
  'no-answer': (o, ctx) =>
    blocked(
      `Failed: no ${o.what}`,
      `The ${o.what} never came (a network error), so the page gets "${ctx.model.fetchFailure}". Give the server's answer to explain what the browser does with it.`,
      null,
    ),
  'preflight-unrecorded': (_o, ctx) =>
    blocked(
      'Blocked at the preflight, which is not recorded',
      `The browser preflighted this request and never sent it, so the preflight was refused or went unanswered, and script saw "${ctx.model.fetchFailure}". The recording does not hold the preflight, so which check failed cannot be told: record again with DevTools (its HAR export keeps preflights), or run corsgate explain against the server itself.`,
      null,
    ),
  'preflight-failed': (o, ctx) =>
    blocked(
      'Blocked: the preflight failed',
      `The browser sent a preflight (OPTIONS) and refused the answer: ${o.failure.why}. The actual request was ${o.sentBefore ? 'not sent again' : 'never sent'}; script sees "${ctx.model.fetchFailure}".`,
      suggestFix({
        kind: 'preflight',
        req: o.facts,
        failure: o.failure,
        unsafe: o.unsafe,
        include: ctx.include,
        tainted: o.tainted,
      }),
    ),
  'response-failed': (o, ctx) =>
    blocked(
      'Blocked: the response fails the CORS check',
      `The request reached the server (status ${o.status}), but the browser hides the response from the page: ${o.failure.why}. Script sees "${ctx.model.fetchFailure}".`,
      suggestFix({
        kind: 'response',
        req: o.facts,
        failure: o.failure,
        unsafe: o.unsafe,
        include: ctx.include,
        tainted: o.tainted,
      }),
    ),
  'corp-blocked': (o) =>
    blocked(
      'Blocked by Cross-Origin-Resource-Policy',
      `The server's Cross-Origin-Resource-Policy: ${o.policy} forbids other ${o.policy === 'same-origin' ? 'origins' : 'sites'} to embed this response, so even the opaque no-cors response is withheld (a network error).`,
      {
        summary:
          "Send Cross-Origin-Resource-Policy: cross-origin on this response, or fetch it with mode 'cors' and allow the page's origin.",
        where: 'response',
        headers: { 'Cross-Origin-Resource-Policy': 'cross-origin' },
      },
    ),
  'redirect-failed': (o) => REDIRECT_WORDING[o.reason](o),
  opaque: (o) => ({
    allowed: false,
    responseType: 'opaque',
    exposedHeaders: null,
    explanation:
      'In no-cors mode the request is sent, but the page receives an opaque response: status 0, no readable headers, an empty body. Use mode "cors" to read it.',
    fix: suggestFix({ kind: 'opaque', req: o.facts }),
    verdict: 'Sent, but opaque: the page cannot read it',
  }),
  'same-origin': (o) => ({
    allowed: true,
    responseType: 'basic',
    exposedHeaders: o.exposed,
    explanation: 'The request is same-origin, so the page reads the response without any CORS check.',
    fix: null,
    verdict: 'Allowed: same origin',
  }),
  allowed: (o) => ({
    allowed: true,
    responseType: 'cors',
    exposedHeaders: o.exposed,
    explanation: `The browser ${o.preflighted ? 'sent a preflight, which passed, then ' : ''}sent the request, and the response passes the CORS check: the page can read it${o.status >= 400 ? ` (the server answered ${o.status}, which script sees as a normal response)` : ''}.`,
    fix: null,
    verdict: 'Allowed',
  }),
};

const REDIRECT_WORDING: Record<
  RedirectFailure,
  (o: Extract<Outcome, { kind: 'redirect-failed' }>) => Wording
> = {
  'bad-location': (o) =>
    blocked(
      'Failed: bad redirect',
      `The server redirected to '${o.location}', which is not a URL; the browser fails the request.`,
      { summary: 'Send an absolute (or correctly relative) URL in Location.', where: 'response' },
    ),
  'not-http': (o) =>
    blocked(
      'Failed: redirect to a non-HTTP URL',
      `The server redirected to a ${o.protocol} URL; fetch only follows redirects to http(s).`,
      { summary: 'Redirect to an http(s) URL.', where: 'response' },
    ),
  'too-many': () =>
    blocked('Failed: too many redirects', 'More than 20 redirects: the browser gives up.', {
      summary: 'Break the redirect loop.',
      where: 'response',
    }),
  credentials: () =>
    blocked(
      'Blocked: redirect with credentials',
      'The server redirected a CORS request to a URL with credentials (user:password@), which browsers refuse.',
      { summary: 'Redirect to a URL without user:password@.', where: 'response' },
    ),
};

export function wordingOf(outcome: Outcome, ctx: WordingContext): Wording {
  return (ENTRIES[outcome.kind] as Entry<Outcome['kind']>)(outcome, ctx);
}

/** How the fetch ended, in stable terms: the outcome, and for a failure its reason, the value it is about and the hop. */
export function summaryOf(o: Outcome): Explanation['outcome'] {
  switch (o.kind) {
    case 'request-refused':
      return { kind: o.kind, reason: o.refusal.code };
    case 'preflight-failed':
    case 'response-failed':
      return { kind: o.kind, reason: o.failure.reason, hint: o.failure.hint, hop: o.hop };
    case 'redirect-failed':
      return { kind: o.kind, reason: o.reason };
    case 'corp-blocked':
      return { kind: o.kind, reason: o.policy };
    default:
      return { kind: o.kind };
  }
}
