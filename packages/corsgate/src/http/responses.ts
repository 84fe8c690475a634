/**
 * Response-side tables of the Fetch Standard: which response header names script may always read,
 * which it may never read, and which statuses are redirects.
 */

/** Fetch `#cors-safelisted-response-header-name` (lower-case): always readable, whatever the server exposes. */
export const SAFELISTED_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  'cache-control',
  'content-language',
  'content-length',
  'content-type',
  'expires',
  'last-modified',
  'pragma',
]);

export function isSafelistedResponseHeader(lowerName: string): boolean {
  return SAFELISTED_RESPONSE_HEADERS.has(lowerName);
}

/** Fetch `#forbidden-response-header-name`: never exposed to script (filtered out of every response it sees). */
export function isForbiddenResponseHeader(lowerName: string): boolean {
  return lowerName === 'set-cookie' || lowerName === 'set-cookie2';
}

/** Fetch `#redirect-status`. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

export function isRedirectStatus(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}
