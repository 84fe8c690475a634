/**
 * The concrete fix for a failed request: which header, which value, on which response, and a
 * corsgate policy that would answer correctly.
 */
import { isLoopbackHost } from 'corsgate/internal/http/url.js';
import type { PolicyOptions } from 'corsgate/internal/policy/types.js';
import type { CheckFailure } from './checks.js';
import type { CspViolation } from './csp.js';
import { isSafelistedMethod } from './request.js';
import type { Fix } from './types.js';

export interface RequestFacts {
  pageOrigin: string;
  url: URL;
  method: string;
  credentials: 'omit' | 'same-origin' | 'include';
}

type FixContext =
  | { kind: 'csp'; req: RequestFacts; violations: CspViolation[] }
  | { kind: 'opaque'; req: RequestFacts }
  | {
      kind: 'preflight' | 'response';
      req: RequestFacts;
      failure: CheckFailure;
      unsafe: string[];
      include: boolean;
      tainted?: boolean;
    };

/** The corsgate policy that answers this request correctly (null for an opaque page origin). */
export function policyFor(req: RequestFacts, unsafe: string[]): PolicyOptions | undefined {
  if (req.pageOrigin === 'null') return undefined;
  const page = new URL(req.pageOrigin);
  const policy: PolicyOptions = { origins: [req.pageOrigin] };
  if (req.credentials === 'include') policy.credentials = true;
  if (!isSafelistedMethod(req.method)) policy.methods = ['GET', 'HEAD', 'POST', req.method];
  if (unsafe.length) policy.requestHeaders = unsafe;
  if (page.protocol === 'http:' && !isLoopbackHost(page.hostname)) policy.allowInsecureOrigins = true;
  return policy;
}

export function suggestFix(ctx: FixContext): Fix {
  const { req } = ctx;
  if (ctx.kind === 'csp') {
    const fallback = ctx.violations[0]!.fallback
      ? ' (it has no connect-src now, so default-src applies)'
      : '';
    return {
      summary: `Add ${req.url.origin} to the page's connect-src directive${fallback}: this is the page's Content-Security-Policy, not the API's headers.`,
      where: 'page',
      headers: { 'Content-Security-Policy': `connect-src 'self' ${req.url.origin}` },
    };
  }
  if (ctx.kind === 'opaque') {
    return {
      summary: "Fetch with mode 'cors' and have the server allow the page's origin.",
      where: 'request',
      ...(policyFor(req, []) ? { policy: policyFor(req, []) } : {}),
    };
  }
  const where = ctx.kind === 'preflight' ? 'preflight response' : 'response';
  if (ctx.tainted && ctx.failure.reason.startsWith('origin-')) {
    // #concept-request-tainted-origin: after a redirect to a second origin the request's origin is
    // opaque. Allowing `null` would also let sandboxed pages in, so that is not the advice.
    return {
      summary: `A redirect to another origin made the request's origin opaque (Origin: null), so no page origin can match. Have the page call ${req.url.href} directly${ctx.include ? '' : `, or answer it with Access-Control-Allow-Origin: * (public data only)`}; do not allow the origin 'null'.`,
      where,
      ...(ctx.include ? {} : { headers: { 'Access-Control-Allow-Origin': '*' } }),
    };
  }
  return checkFailureFix(ctx, where);
}

/** The fix for a failed CORS check of a preflight or a response, by the check's reason. */
function checkFailureFix(
  ctx: Extract<FixContext, { kind: 'preflight' | 'response' }>,
  where: Fix['where'],
): Fix {
  const { req } = ctx;
  const policy = policyFor(req, ctx.unsafe);
  const origin = req.pageOrigin;
  const withPolicy = (f: Fix): Fix => (policy ? { ...f, policy } : f);
  switch (ctx.failure.reason) {
    case 'origin-missing':
    case 'origin-mismatch':
    case 'origin-invalid':
    case 'origin-multiple': {
      const headers: Record<string, string> = { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
      if (ctx.include) headers['Access-Control-Allow-Credentials'] = 'true';
      return withPolicy({
        summary: `Answer the ${where} with exactly one Access-Control-Allow-Origin: ${origin} (the page's origin, byte for byte), and Vary: Origin.`,
        where,
        headers,
      });
    }
    case 'origin-wildcard-with-credentials':
      return withPolicy({
        summary: `With credentials, '*' is refused: echo the page's origin (${origin}) with Access-Control-Allow-Credentials: true and Vary: Origin on the ${where}.`,
        where,
        headers: {
          'Access-Control-Allow-Origin': origin,
          'Access-Control-Allow-Credentials': 'true',
          Vary: 'Origin',
        },
      });
    case 'credentials-not-true':
      return withPolicy({
        summary: `Send Access-Control-Allow-Credentials: true (exactly, lower case) on the ${where}, or fetch without credentials: 'include'.`,
        where,
        headers: { 'Access-Control-Allow-Credentials': 'true' },
      });
    case 'preflight-status':
      return withPolicy({
        summary:
          'Answer the OPTIONS preflight with 204 (or 200) before any authentication or routing: browsers never send credentials on a preflight.',
        where,
      });
    case 'preflight-redirect':
      return withPolicy({
        summary:
          'Answer the OPTIONS preflight directly (204), without redirecting; or have the page call the final URL.',
        where,
      });
    case 'methods-unparsable':
      return withPolicy({
        summary: 'Make Access-Control-Allow-Methods a comma-separated list of method names.',
        where,
        headers: { 'Access-Control-Allow-Methods': req.method },
      });
    case 'headers-unparsable':
      return withPolicy({
        summary: 'Make Access-Control-Allow-Headers a comma-separated list of header names.',
        where,
        headers: { 'Access-Control-Allow-Headers': ctx.unsafe.join(', ') },
      });
    case 'method-not-allowed':
      return withPolicy({
        summary: `List ${req.method} in Access-Control-Allow-Methods on the preflight response (methods compare case-sensitively${ctx.include ? "; with credentials '*' does not count" : ''}).`,
        where,
        headers: { 'Access-Control-Allow-Methods': req.method },
      });
    case 'header-not-allowed':
      return withPolicy({
        summary: `List ${ctx.failure.hint} in Access-Control-Allow-Headers on the preflight response${ctx.include ? " (with credentials '*' does not count)" : ''}.`,
        where,
        headers: { 'Access-Control-Allow-Headers': ctx.unsafe.join(', ') },
      });
    default:
      return withPolicy({ summary: ctx.failure.why, where });
  }
}
