/**
 * The compiled policy: everything that does not depend on the request (header values, refusal
 * decisions, the origin matcher) is built once; `evaluate` only reads a few request headers, probes
 * the matcher and assembles the answer. Rules follow the Fetch Standard's `#cors-check` and
 * `#cors-preflight-fetch`, so every 2xx preflight answer passes the browser's checks.
 */
import { isSerializedOrigin, type OriginMatcher } from '../origin/matcher.js';
import { isForbiddenMethod, isSafelistedMethod, isToken } from '../http/names.js';
import { MAX_ACRM_LENGTH, parseRequestHeaderNames } from './names.js';
import type {
  Decision,
  DecisionReason,
  NormalizedPolicy,
  RequestHeadersLike,
  RequestKind,
  RequestLike,
} from './types.js';

const ACAO = 'Access-Control-Allow-Origin';
const ACAC = 'Access-Control-Allow-Credentials';
const ACAM = 'Access-Control-Allow-Methods';
const ACAH = 'Access-Control-Allow-Headers';
const ACMA = 'Access-Control-Max-Age';
const ACEH = 'Access-Control-Expose-Headers';
const ACAPN = 'Access-Control-Allow-Private-Network';
const VARY_ACRM = 'Access-Control-Request-Method';
const VARY_ACRH = 'Access-Control-Request-Headers';

/** Reads one request header from any of the accepted shapes; arrays are combined with `, ` (Fetch "get"). */
export function readHeader(
  headers: RequestHeadersLike,
  lowerName: string,
  canonicalName: string,
): string | null {
  if (headers === null || typeof headers !== 'object') return null;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    try {
      const v = (headers as { get(name: string): unknown }).get(lowerName);
      return typeof v === 'string' ? v : null;
    } catch {
      return null;
    }
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  let v = record[lowerName];
  if (v === undefined) v = record[canonicalName];
  if (v === undefined) {
    // Any other spelling of the name (plain records with arbitrary case).
    for (const key in record) {
      if (key.length === lowerName.length && key.toLowerCase() === lowerName) {
        v = record[key];
        break;
      }
    }
  }
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.every((x) => typeof x === 'string') ? v.join(', ') : null;
  return null;
}

const MESSAGES: Record<DecisionReason, string> = {
  allowed: 'The request is allowed by the CORS policy.',
  'no-origin': 'The request has no Origin header, so it is not a CORS request.',
  'origin-not-allowed': 'The origin is not in the CORS allowlist.',
  'origin-malformed':
    'The Origin header is not a serialized origin (scheme://host[:port] in lower case, or null).',
  'method-not-allowed': 'The preflight asks for a method the CORS policy does not allow.',
  'method-malformed': "The preflight's Access-Control-Request-Method is not a method name.",
  'headers-not-allowed': 'The preflight asks for request headers the CORS policy does not allow.',
  'headers-malformed':
    "The preflight's Access-Control-Request-Headers is not a valid, reasonably sized list of header names.",
  'private-network-not-allowed':
    'The preflight asks for private-network access, which the CORS policy does not grant.',
};

/** Every `Decision.reason`, as data (the docs test holds docs/engine.md to it). */
export const DECISION_REASONS: readonly DecisionReason[] = Object.freeze(
  Object.keys(MESSAGES) as DecisionReason[],
);

function decision(
  kind: RequestKind,
  allowed: boolean,
  reason: DecisionReason,
  status: number | null,
  headers: Record<string, string>,
  origin: string | null,
  message?: string,
): Decision {
  return {
    kind,
    preflight: kind === 'preflight',
    allowed,
    reason,
    message: message ?? MESSAGES[reason],
    status,
    headers,
    vary: headers.Vary ?? null,
    origin,
  };
}

function frozen(d: Decision): Decision {
  Object.freeze(d.headers);
  return Object.freeze(d);
}

export interface CompiledPolicy {
  evaluate(request: RequestLike): Decision;
  allowsOrigin(origin: string): boolean;
  matcher: OriginMatcher;
}

const ACRH_MEMO_SIZE = 256;
const ACRH_MEMO_MAX_LENGTH = 256;
const REFUSED_MALFORMED = Object.freeze({ refused: 'headers-malformed' as DecisionReason });
const REFUSED_NOT_ALLOWED = Object.freeze({ refused: 'headers-not-allowed' as DecisionReason });

function hasOws(s: string): boolean {
  if (s.length === 0) return false;
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(s.length - 1);
  return a === 32 || a === 9 || b === 32 || b === 9;
}

function isOptions(method: string): boolean {
  return method === 'OPTIONS' || (method.length === 7 && method.toUpperCase() === 'OPTIONS');
}

/** Compiles validated options (defaults already applied by validation) and their origin matcher. */
export function compilePolicy(options: NormalizedPolicy, matcher: OriginMatcher): CompiledPolicy {
  const anyOrigin = options.origins === '*';
  const { credentials } = options;
  const exposed = exposeHeadersValue(options);
  const refusals = compileRefusals(options);
  const evaluatePreflight = compilePreflight(options, matcher, refusals.refusePreflight);
  const anyHeaders = anyOriginHeaders(exposed);
  const allowsOrigin = (origin: string) => matcher.allows(origin);

  function actualHeaders(origin: string): Record<string, string> {
    if (anyOrigin) return { ...anyHeaders };
    const h: Record<string, string> = { [ACAO]: origin };
    if (credentials) h[ACAC] = 'true';
    if (exposed !== '') h[ACEH] = exposed;
    h.Vary = 'Origin';
    return h;
  }

  function evaluate(request: RequestLike): Decision {
    const headers = request?.headers;
    const origin = headers ? readHeader(headers, 'origin', 'Origin') : null;
    if (origin === null) return refusals.noOrigin;
    const method = typeof request.method === 'string' ? request.method : '';
    if (isOptions(method)) {
      const acrm = readHeader(headers, 'access-control-request-method', VARY_ACRM);
      if (acrm !== null) return evaluatePreflight(headers, origin, acrm);
    }
    if (anyOrigin || matcher.allows(origin))
      return decision('actual', true, 'allowed', null, actualHeaders(origin), origin);
    return refusals.refuseActual(
      !isSerializedOrigin(origin) ? 'origin-malformed' : 'origin-not-allowed',
      origin,
    );
  }

  return { evaluate, allowsOrigin, matcher };
}

/** The `Access-Control-Expose-Headers` value ('' for none). */
const exposeHeadersValue = (options: NormalizedPolicy): string =>
  options.exposeHeaders === '*' ? '*' : options.exposeHeaders.join(',');

/** The headers of an allowed request under a `'*'` policy. */
function anyOriginHeaders(exposed: string): Record<string, string> {
  const headers: Record<string, string> = { [ACAO]: '*' };
  if (exposed !== '') headers[ACEH] = exposed;
  return headers;
}

/** The `Vary` tokens of answers that grant nothing: the answer depends on Origin unless every origin gets `*`. */
const varyOnlyOf = (options: NormalizedPolicy): Record<string, string> =>
  options.origins === '*' ? {} : { Vary: 'Origin' };

interface Refusals {
  /** The answer to a request without Origin. */
  noOrigin: Decision;
  refusePreflight(reason: DecisionReason, origin: string): Decision;
  refuseActual(reason: 'origin-malformed' | 'origin-not-allowed', origin: string): Decision;
}

/** The answers that grant nothing, built once and frozen (callers must never be able to alter a later answer). */
function compileRefusals(options: NormalizedPolicy): Refusals {
  const varyOnly = varyOnlyOf(options);
  const refusedPreflight = new Map<DecisionReason, Decision>();
  const refusePreflight = (reason: DecisionReason, origin: string): Decision => {
    let d = refusedPreflight.get(reason);
    if (d === undefined) {
      d = frozen(decision('preflight', false, reason, 403, { ...varyOnly }, null));
      refusedPreflight.set(reason, d);
    }
    return decision('preflight', false, reason, 403, d.headers as Record<string, string>, origin);
  };
  const status = options.onDisallowed === 'reject' ? 403 : null;
  const refusedActual = (reason: DecisionReason) =>
    frozen(decision('actual', false, reason, status, { ...varyOnly }, null));
  const refusedActualNotAllowed = refusedActual('origin-not-allowed');
  const refusedActualMalformed = refusedActual('origin-malformed');
  const refuseActual = (reason: 'origin-malformed' | 'origin-not-allowed', origin: string): Decision => {
    const d = reason === 'origin-malformed' ? refusedActualMalformed : refusedActualNotAllowed;
    return decision('actual', false, reason, d.status, d.headers as Record<string, string>, origin);
  };
  // Non-CORS requests: for '*' policies answer `*` anyway (cacheable by anyone, whatwg/fetch#1601).
  const noOrigin =
    options.origins === '*'
      ? frozen(
          decision(
            'none',
            true,
            'no-origin',
            null,
            anyOriginHeaders(exposeHeadersValue(options)),
            null,
            'The request has no Origin header; the policy answers * for any origin.',
          ),
        )
      : frozen(decision('none', false, 'no-origin', null, { ...varyOnly }, null));
  return { noOrigin, refusePreflight, refuseActual };
}

/**
 * The verdict on an `Access-Control-Request-Headers` value: the names to echo ('' for none), or why
 * it is refused. A browser sends the same few values (a page's sorted, lower-cased header names)
 * over and over, so the verdicts for short values are remembered; the memo is bounded and is
 * emptied when full, so hostile values cost no more than parsing them.
 */
function compileHeadersVerdict(
  requestHeaders: NormalizedPolicy['requestHeaders'],
): (acrh: string) => string | { refused: DecisionReason } {
  const headerSet = requestHeaders === '*' ? null : new Set(requestHeaders);
  const acrhMemo = new Map<string, string | { refused: DecisionReason }>();
  return (acrh) => {
    let verdict = acrhMemo.get(acrh);
    if (verdict !== undefined) return verdict;
    const parsed = parseRequestHeaderNames(acrh);
    if (!parsed.ok) verdict = REFUSED_MALFORMED;
    else if (headerSet !== null && !parsed.names.every((name) => headerSet.has(name)))
      verdict = REFUSED_NOT_ALLOWED;
    else verdict = parsed.names.length > 0 ? parsed.joined : '';
    if (acrh.length <= ACRH_MEMO_MAX_LENGTH) {
      if (acrhMemo.size >= ACRH_MEMO_SIZE) acrhMemo.clear();
      acrhMemo.set(acrh, verdict);
    }
    return verdict;
  };
}

/** The preflight answer (Fetch `#cors-preflight-fetch`), its steps in the order the browser checks them. */
function compilePreflight(
  options: NormalizedPolicy,
  matcher: OriginMatcher,
  refusePreflight: Refusals['refusePreflight'],
): (headers: RequestHeadersLike, origin: string, acrm: string) => Decision {
  const anyOrigin = options.origins === '*';
  const { credentials, privateNetwork, preflightStatus } = options;
  const methodSet = options.methods === '*' ? null : new Set(options.methods);
  const headersVerdict = compileHeadersVerdict(options.requestHeaders);
  const maxAge = options.maxAge === undefined ? null : String(options.maxAge);
  // Every allowed method, listed on every allowed preflight (the `listAllowedMethods` option): the same
  // list whatever was requested, so the answer does not vary on the requested method.
  const listedMethods =
    options.listAllowedMethods === true && methodSet !== null ? [...methodSet].join(', ') : null;
  // Vary of an allowed preflight, indexed by (method echoed ? 1 : 0) + (headers echoed ? 2 : 0).
  const preflightVary = [0, 1, 2, 3].map((k) =>
    [anyOrigin ? null : 'Origin', k & 1 ? VARY_ACRM : null, k & 2 ? VARY_ACRH : null]
      .filter((t) => t !== null)
      .join(', '),
  );

  return (headers, origin, acrm) => {
    // 1. Origin (#cors-check runs on the preflight response with the actual request's credentials mode).
    if (!anyOrigin && !matcher.allows(origin)) {
      return refusePreflight(!isSerializedOrigin(origin) ? 'origin-malformed' : 'origin-not-allowed', origin);
    }
    // 2. Method: safelisted methods pass the browser's check whatever ACAM says, so they need no header.
    // Bounded: a huge value is refused before it is trimmed, hashed or scanned.
    if (acrm.length > MAX_ACRM_LENGTH) return refusePreflight('method-malformed', origin);
    const method = hasOws(acrm) ? acrm.trim() : acrm;
    let echoMethod = false;
    if (!isSafelistedMethod(method)) {
      if (methodSet !== null) {
        // Configured methods are validated tokens, never forbidden ones: membership settles it.
        if (!methodSet.has(method))
          return refusePreflight(isToken(method) ? 'method-not-allowed' : 'method-malformed', origin);
      } else {
        if (!isToken(method)) return refusePreflight('method-malformed', origin);
        if (isForbiddenMethod(method)) return refusePreflight('method-not-allowed', origin);
      }
      echoMethod = true;
    }
    // 3. Headers: each requested name must be allowed; the validated names are echoed, so `*` is never
    //    relied on (it would not cover Authorization, nor anything for credentialed requests).
    let echoHeaders: string | null = null;
    const acrh = readHeader(headers, 'access-control-request-headers', VARY_ACRH);
    if (acrh !== null) {
      const verdict = headersVerdict(acrh);
      if (typeof verdict !== 'string') return refusePreflight(verdict.refused, origin);
      if (verdict !== '') echoHeaders = verdict;
    }
    // 4. Private Network Access (Chromium): only when granted.
    const pna = readHeader(
      headers,
      'access-control-request-private-network',
      'Access-Control-Request-Private-Network',
    );
    const askPrivateNetwork = pna !== null && pna.length <= 16 && pna.trim().toLowerCase() === 'true';
    if (askPrivateNetwork && !privateNetwork) return refusePreflight('private-network-not-allowed', origin);

    const h: Record<string, string> = { [ACAO]: anyOrigin ? '*' : origin };
    if (credentials) h[ACAC] = 'true';
    if (listedMethods !== null) {
      h[ACAM] = listedMethods;
      echoMethod = false;
    } else if (echoMethod) h[ACAM] = method;
    if (echoHeaders !== null) h[ACAH] = echoHeaders;
    if (maxAge !== null) h[ACMA] = maxAge;
    if (askPrivateNetwork) h[ACAPN] = 'true';
    const vary = preflightVary[(echoMethod ? 1 : 0) + (echoHeaders !== null ? 2 : 0)]!;
    if (vary !== '') h.Vary = vary;
    return decision('preflight', true, 'allowed', preflightStatus, h, origin);
  };
}
