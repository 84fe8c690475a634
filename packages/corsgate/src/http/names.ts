/**
 * Method and header-name rules of the Fetch Standard and RFC 9110, shared by the policy engine (which
 * validates configured names and answers preflights) and the browser simulator (which decides what a
 * page may send).
 */

/** RFC 9110 §5.6.2 `tchar` as a lookup table: `TCHAR[c] === 1` for a token character code below 128. */
export const TCHAR = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
  TCHAR[ch.charCodeAt(0)] = 1;

/** RFC 9110 §5.6.2 token. */
export function isToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || TCHAR[c] !== 1) return false;
  }
  return true;
}

/** Fetch `#forbidden-method`, compared byte-case-insensitively. */
export function isForbiddenMethod(method: string): boolean {
  const m = method.toUpperCase();
  return m === 'CONNECT' || m === 'TRACE' || m === 'TRACK';
}

const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
/** Fetch `#concept-method-normalize`: only the six standard methods are upper-cased (`patch` stays `patch`). */
export function normalizeMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALIZED_METHODS.has(upper) ? upper : method;
}

/** Fetch `#cors-safelisted-method`. */
export function isSafelistedMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'POST';
}

/** Fetch `#forbidden-request-header` names (lower-case), plus the `proxy-` and `sec-` prefixes. */
const FORBIDDEN_REQUEST_HEADERS = new Set([
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'connection',
  'content-length',
  'cookie',
  'cookie2',
  'date',
  'dnt',
  'expect',
  'host',
  'keep-alive',
  'origin',
  'referer',
  'set-cookie',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'via',
]);
/** Whether a lower-case name is a forbidden request-header name, whatever its value. */
export function isForbiddenRequestHeaderName(lowerName: string): boolean {
  return (
    FORBIDDEN_REQUEST_HEADERS.has(lowerName) || lowerName.startsWith('proxy-') || lowerName.startsWith('sec-')
  );
}
