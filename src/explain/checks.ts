/**
 * The response checks, in Chromium's order: CheckAccess (#cors-check, services/network/public/cpp/
 * cors/cors.cc) and the preflight result checks (#cors-preflight-fetch, cors/preflight_result.cc).
 * Each returns null when the check passes, or the CORS error with its hint.
 */
import { extractTokenList, getHeader, headerValueBytes, type HeaderList } from '../http/headers.js';
import { isForbiddenResponseHeader, isSafelistedResponseHeader } from '../http/responses.js';
import type { CorsError } from './messages.js';
import { isSafelistedMethod } from './request.js';

export interface CheckFailure {
  error: CorsError;
  hint: string;
  /** Plain words for the explanation. */
  why: string;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Chromium's GURL(value).is_valid(): the header's bytes must be UTF-8 and parse as a URL. */
function isValidUrl(value: string): boolean {
  try {
    new URL(UTF8.decode(new Uint8Array(headerValueBytes(value))));
    return true;
  } catch {
    return false;
  }
}

/** #cors-check as Chromium's CheckAccess classifies its failures. */
export function checkAccess(headers: HeaderList, origin: string, include: boolean): CheckFailure | null {
  const acao = getHeader(headers, 'Access-Control-Allow-Origin');
  if (acao === '*') {
    if (!include) return null;
    return { error: 'WildcardOriginNotAllowed', hint: '', why: "the response allows any origin with '*', which browsers refuse for requests with credentials" };
  }
  if (acao === null) return { error: 'MissingAllowOriginHeader', hint: '', why: 'the response has no Access-Control-Allow-Origin header' };
  if (acao !== origin) {
    if (acao.includes(' ') || acao.includes(',')) return { error: 'MultipleAllowOriginValues', hint: acao, why: `Access-Control-Allow-Origin holds several values ('${acao}'); exactly one is allowed` };
    if (acao === 'null') return { error: 'AllowOriginMismatch', hint: 'null', why: `Access-Control-Allow-Origin is 'null', not the request's origin ${origin}` };
    if (!isValidUrl(acao)) return { error: 'InvalidAllowOriginValue', hint: acao, why: `Access-Control-Allow-Origin holds '${acao}', which is not an origin` };
    return { error: 'AllowOriginMismatch', hint: acao, why: `Access-Control-Allow-Origin is '${acao}', which is not byte for byte the request's origin ${origin}` };
  }
  if (!include) return null;
  const acac = getHeader(headers, 'Access-Control-Allow-Credentials');
  if (acac === 'true') return null;
  return { error: 'InvalidAllowCredentials', hint: acac ?? '', why: acac === null ? 'the request includes credentials but the response has no Access-Control-Allow-Credentials: true' : `Access-Control-Allow-Credentials is '${acac}'; only the exact lower-case value 'true' is accepted` };
}

export interface PreflightGrant {
  methods: string[] | null;
  headerNames: string[] | null;
}

/** Parses Access-Control-Allow-Methods and -Headers (any non-token element fails the preflight). */
export function parsePreflight(headers: HeaderList): PreflightGrant | CheckFailure {
  const methods = extractTokenList(headers, 'Access-Control-Allow-Methods');
  if (methods === 'failure') return { error: 'InvalidAllowMethodsPreflightResponse', hint: '', why: 'Access-Control-Allow-Methods is not a comma-separated list of method names' };
  const names = extractTokenList(headers, 'Access-Control-Allow-Headers');
  if (names === 'failure') return { error: 'InvalidAllowHeadersPreflightResponse', hint: '', why: 'Access-Control-Allow-Headers is not a comma-separated list of header names' };
  return { methods, headerNames: names === null ? null : names.map((n) => n.toLowerCase()) };
}

/** #cors-preflight-fetch step 7: the method must be listed (case-sensitively), safelisted, or covered by `*`. */
export function checkMethod(grant: PreflightGrant, method: string, include: boolean): CheckFailure | null {
  const methods = grant.methods ?? [];
  if (methods.includes(method) || isSafelistedMethod(method)) return null;
  if (!include && methods.includes('*')) return null;
  const why = include && methods.includes('*')
    ? `the request includes credentials, so '*' in Access-Control-Allow-Methods does not cover ${method}`
    : methods.some((m) => m.toLowerCase() === method.toLowerCase())
      ? `Access-Control-Allow-Methods lists ${methods.join(', ')}, and methods compare case-sensitively: ${method} must be listed exactly`
      : `Access-Control-Allow-Methods does not list ${method}`;
  return { error: 'MethodDisallowedByPreflightResponse', hint: method, why };
}

/**
 * #cors-preflight-fetch steps 8–9. Chromium checks the names in request order, and lets `*` cover
 * Authorization too (its CorsNonWildcardRequestHeadersSupport feature is off); the Standard does not.
 */
export function checkHeaders(grant: PreflightGrant, unsafeInOrder: string[], include: boolean, spec: boolean): CheckFailure | null {
  const names = grant.headerNames ?? [];
  const star = !include && names.includes('*');
  if (spec) {
    // The Standard checks Authorization first, and `*` never covers it.
    if (unsafeInOrder.includes('authorization') && !names.includes('authorization')) {
      return { error: 'HeaderDisallowedByPreflightResponse', hint: 'authorization', why: "Authorization must be listed by name in Access-Control-Allow-Headers; '*' does not cover it" };
    }
  }
  for (const name of unsafeInOrder) {
    if (names.includes(name) || star) continue;
    const why = include && names.includes('*')
      ? `the request includes credentials, so '*' in Access-Control-Allow-Headers does not cover ${name}`
      : `Access-Control-Allow-Headers does not list ${name}`;
    return { error: 'HeaderDisallowedByPreflightResponse', hint: name, why };
  }
  return null;
}

/** #concept-filtered-response-cors: the names of the response's own headers that script can read. */
export function readableHeaderNames(headers: HeaderList, include: boolean): string[] {
  const present = [...new Set(headers.map(([n]) => n.toLowerCase()))].filter((n) => !isForbiddenResponseHeader(n));
  const listed = extractTokenList(headers, 'Access-Control-Expose-Headers');
  const exposed = new Set(listed === null || listed === 'failure' ? [] : listed.map((n) => n.toLowerCase()));
  const all = !include && exposed.has('*');
  return present.filter((n) => all || isSafelistedResponseHeader(n) || exposed.has(n)).sort();
}
