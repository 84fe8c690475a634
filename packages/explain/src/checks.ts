/**
 * The response checks: #cors-check, as the browser classifies its failures (Chromium's CheckAccess,
 * services/network/public/cpp/cors/cors.cc), the preflight's grant checks (#cors-preflight-fetch
 * steps 5–9, Chromium's cors/preflight_result.cc) and the readable headers
 * (#concept-filtered-response-cors). Each check returns null when it passes, or the failure.
 */
import {
  extractTokenList,
  getHeader,
  headerValueBytes,
  isToken,
  trimOws,
  type HeaderList,
} from 'corsgate/internal/http/headers.js';
import { isForbiddenResponseHeader, isSafelistedResponseHeader } from 'corsgate/internal/http/responses.js';
import type { BrowserModel } from './browsers.js';
import { isSafelistedMethod } from './request.js';

/** What failed, in the browsers' common terms (the fix and the verdict depend on it). */
export type FailureReason =
  | 'origin-wildcard-with-credentials'
  | 'origin-missing'
  | 'origin-multiple'
  | 'origin-invalid'
  | 'origin-mismatch'
  | 'credentials-not-true'
  | 'preflight-status'
  | 'preflight-redirect'
  | 'methods-unparsable'
  | 'headers-unparsable'
  | 'method-not-allowed'
  | 'header-not-allowed';

export interface CheckFailure {
  reason: FailureReason;
  /**
   * The value the failure is about, as received: the Access-Control-Allow-Origin or -Credentials
   * value, the method, the header name, the first element that is not a token. Each browser's
   * console quotes it in its own way, or not at all.
   */
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

/** Chromium's reading of an Access-Control-Allow-Origin that is not the request's origin. */
function originMismatch(acao: string, origin: string): CheckFailure {
  if (acao.includes(' ') || acao.includes(','))
    return {
      reason: 'origin-multiple',
      hint: acao,
      why: `Access-Control-Allow-Origin holds several values ('${acao}'); exactly one is allowed`,
    };
  if (acao === 'null')
    return {
      reason: 'origin-mismatch',
      hint: 'null',
      why: `Access-Control-Allow-Origin is 'null', not the request's origin ${origin}`,
    };
  if (!isValidUrl(acao))
    return {
      reason: 'origin-invalid',
      hint: acao,
      why: `Access-Control-Allow-Origin holds '${acao}', which is not an origin`,
    };
  return {
    reason: 'origin-mismatch',
    hint: acao,
    why: `Access-Control-Allow-Origin is '${acao}', which is not byte for byte the request's origin ${origin}`,
  };
}

const WILDCARD_WITH_CREDENTIALS: CheckFailure = {
  reason: 'origin-wildcard-with-credentials',
  hint: '',
  why: "the response allows any origin with '*', which browsers refuse for requests with credentials",
};
const MISSING: CheckFailure = {
  reason: 'origin-missing',
  hint: '',
  why: 'the response has no Access-Control-Allow-Origin header',
};

function credentialsCheck(headers: HeaderList): CheckFailure | null {
  const acac = getHeader(headers, 'Access-Control-Allow-Credentials');
  if (acac === 'true') return null;
  return {
    reason: 'credentials-not-true',
    hint: acac ?? '',
    why:
      acac === null
        ? 'the request includes credentials but the response has no Access-Control-Allow-Credentials: true'
        : `Access-Control-Allow-Credentials is '${acac}'; only the exact lower-case value 'true' is accepted`,
  };
}

/**
 * Firefox's order (nsCORSListenerProxy::CheckRequestApproved): a second Access-Control-Allow-Origin
 * line fails before any value is read, and any other value than the origin is "does not match".
 */
function firefoxCorsCheck(headers: HeaderList, origin: string, include: boolean): CheckFailure | null {
  const lines = headers.filter(([n]) => n.toLowerCase() === 'access-control-allow-origin').length;
  if (lines > 1)
    return {
      reason: 'origin-multiple',
      hint: '',
      why: 'the response sends Access-Control-Allow-Origin more than once; Firefox refuses that before it reads the values',
    };
  const acao = getHeader(headers, 'Access-Control-Allow-Origin');
  if (acao === null) return MISSING;
  if (include && acao === '*') return WILDCARD_WITH_CREDENTIALS;
  if ((include || acao !== '*') && acao !== origin) {
    return {
      reason: 'origin-mismatch',
      hint: acao,
      why:
        acao === 'null'
          ? `Access-Control-Allow-Origin is 'null', not the request's origin ${origin}`
          : `Access-Control-Allow-Origin is '${acao}', which is not byte for byte the request's origin ${origin}`,
    };
  }
  return include ? credentialsCheck(headers) : null;
}

/**
 * #cors-check: 1–2 the Access-Control-Allow-Origin value must be present; 3 `*` passes without
 * credentials; 4 otherwise it must be the serialized request origin byte for byte; 5–7 with
 * credentials, Access-Control-Allow-Credentials must be exactly `true`. The browsers agree on the
 * verdict and differ in how they name a failure.
 */
export function corsCheck(
  model: BrowserModel,
  headers: HeaderList,
  origin: string,
  include: boolean,
): CheckFailure | null {
  if (model.corsCheckOrder === 'firefox') return firefoxCorsCheck(headers, origin, include);
  const acao = getHeader(headers, 'Access-Control-Allow-Origin');
  if (acao === '*') {
    return include ? WILDCARD_WITH_CREDENTIALS : null;
  }
  if (acao === null) return MISSING;
  if (acao !== origin) return originMismatch(acao, origin);
  return include ? credentialsCheck(headers) : null;
}

export interface PreflightGrant {
  methods: string[] | null;
  headerNames: string[] | null;
}

/** The first element of a comma-separated list that is not a token (the one Firefox names). */
function firstNonToken(headers: HeaderList, name: string): string {
  return (
    (getHeader(headers, name) ?? '')
      .split(',')
      .map(trimOws)
      .find((item) => item !== '' && !isToken(item)) ?? ''
  );
}

/** #cors-preflight-fetch step 5: "extract header list values"; an element that is not a token fails. */
export function parseMethods(headers: HeaderList): string[] | null | CheckFailure {
  const methods = extractTokenList(headers, 'Access-Control-Allow-Methods');
  if (methods === 'failure')
    return {
      reason: 'methods-unparsable',
      hint: firstNonToken(headers, 'Access-Control-Allow-Methods'),
      why: 'Access-Control-Allow-Methods is not a comma-separated list of method names',
    };
  return methods;
}

/** #cors-preflight-fetch step 5 for Access-Control-Allow-Headers (names compare lower-cased). */
export function parseHeaderNames(headers: HeaderList): string[] | null | CheckFailure {
  const names = extractTokenList(headers, 'Access-Control-Allow-Headers');
  if (names === 'failure')
    return {
      reason: 'headers-unparsable',
      hint: firstNonToken(headers, 'Access-Control-Allow-Headers'),
      why: 'Access-Control-Allow-Headers is not a comma-separated list of header names',
    };
  return names === null ? null : names.map((n) => n.toLowerCase());
}

/** #cors-preflight-fetch step 7: the method must be listed (case-sensitively), safelisted, or covered by `*`. */
export function checkMethod(methods: string[] | null, method: string, include: boolean): CheckFailure | null {
  const listed = methods ?? [];
  if (listed.includes(method) || isSafelistedMethod(method)) return null;
  if (!include && listed.includes('*')) return null;
  const why =
    include && listed.includes('*')
      ? `the request includes credentials, so '*' in Access-Control-Allow-Methods does not cover ${method}`
      : listed.some((m) => m.toLowerCase() === method.toLowerCase())
        ? `Access-Control-Allow-Methods lists ${listed.join(', ')}, and methods compare case-sensitively: ${method} must be listed exactly`
        : `Access-Control-Allow-Methods does not list ${method}`;
  return { reason: 'method-not-allowed', hint: method, why };
}

/**
 * #cors-preflight-fetch steps 8–9: step 8 refuses an Authorization not listed by name, whatever `*`
 * says (the browsers let `*` cover it: authorizationCoveredByWildcard); step 9 refuses any other
 * unsafe name not listed and not covered by `*` (only without credentials). The names come in the
 * browser's check order, which decides which refused name is reported.
 */
export function checkHeaders(
  model: BrowserModel,
  names: string[] | null,
  unsafeInOrder: string[],
  include: boolean,
): CheckFailure | null {
  const listed = names ?? [];
  const star = !include && listed.includes('*');
  if (
    !model.authorizationCoveredByWildcard &&
    unsafeInOrder.includes('authorization') &&
    !listed.includes('authorization')
  ) {
    return {
      reason: 'header-not-allowed',
      hint: 'authorization',
      why: "Authorization must be listed by name in Access-Control-Allow-Headers; '*' does not cover it",
    };
  }
  for (const name of unsafeInOrder) {
    if (listed.includes(name) || star) continue;
    const why =
      include && listed.includes('*')
        ? `the request includes credentials, so '*' in Access-Control-Allow-Headers does not cover ${name}`
        : `Access-Control-Allow-Headers does not list ${name}`;
    return { reason: 'header-not-allowed', hint: name, why };
  }
  return null;
}

/** #concept-filtered-response-cors: the names of the response's own headers that script can read. */
export function readableHeaderNames(headers: HeaderList, include: boolean): string[] {
  const present = [...new Set(headers.map(([n]) => n.toLowerCase()))].filter(
    (n) => !isForbiddenResponseHeader(n),
  );
  const listed = extractTokenList(headers, 'Access-Control-Expose-Headers');
  const exposed = new Set(listed === null || listed === 'failure' ? [] : listed.map((n) => n.toLowerCase()));
  const all = !include && exposed.has('*');
  return present.filter((n) => all || isSafelistedResponseHeader(n) || exposed.has(n)).sort();
}
