/**
 * Same-origin requests through the gateway. A page the gateway serves (the upstream's own pages)
 * calls its own API: Chromium sends `Origin` on a same-origin POST, PUT, PATCH or DELETE (Fetch
 * #origin-header: "serializing a request origin" is appended for every request whose method is
 * neither GET nor HEAD, whatever its mode), so an `Origin` alone does not make a request
 * cross-origin. A request is same-origin when its `Origin` is the origin of the URL it was made to
 * (RFC 6454 §5, "same origin": equal scheme, host and port):
 *
 * - the scheme is the listener's, or `X-Forwarded-Proto` when the gateway trusts its proxy
 *   (`trustProxy`); the host and port are the `Host` (or `X-Forwarded-Host`, trusted the same way);
 * - an explicit `publicOrigins` setting replaces that derivation entirely: only the listed origins
 *   are the gateway's own.
 *
 * Why a forged `Host` cannot make a browser's cross-origin request same-origin: `Host` is a
 * forbidden request header (Fetch #forbidden-request-header), so a script can never set it; the
 * browser writes the host of the URL it fetches, and the `Origin` it sends is the page's, which
 * for a cross-origin request differs in scheme, host or port by definition. A client that forges
 * both is not a browser, and CORS never protected anything from it. What remains is DNS rebinding
 * (an attacker's name resolving to the gateway, so that the browser itself sees the attacker's page
 * as same-origin with it; RFC 6454 §8.3 warns that DNS is the weak point of origins): setting
 * `publicOrigins` closes it, because the derived origin is then never used. Pure and browser-safe.
 */
import { DEFAULT_PORTS } from 'corsgate/internal/http/url.js';
import { parseOrigin } from 'corsgate/internal/origin/parse.js';

/** How the snapshot recognises the gateway's own origin; built once per snapshot. */
export interface SelfOrigin {
  /** The `publicOrigins` setting; null when the origin is derived from each request. */
  readonly listed: ReadonlySet<string> | null;
}

export const DERIVED_SELF: SelfOrigin = Object.freeze({ listed: null });

export function compileSelfOrigin(publicOrigins: readonly string[]): SelfOrigin {
  return publicOrigins.length === 0
    ? DERIVED_SELF
    : Object.freeze({ listed: Object.freeze(new Set(publicOrigins)) });
}

/** A `publicOrigins` entry's problem, or null: it must be exactly a serialized http(s) origin. */
export function checkPublicOrigin(
  value: unknown,
): { code: 'public-origin-invalid'; message: string; suggestion?: string } | null {
  if (typeof value === 'string') {
    const o = parseOrigin(value);
    if (o !== null && !o.opaque && (o.scheme === 'http' || o.scheme === 'https')) return null;
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  let suggestion: string | undefined;
  try {
    const u = new URL(String(value));
    if (u.protocol === 'http:' || u.protocol === 'https:') suggestion = u.origin;
  } catch {
    // no corrected form to offer
  }
  const message = `'${text}' is not an origin: write scheme://host[:port] exactly as a browser sends it in Origin (lower case, no path, no default port), e.g. https://app.example.com`;
  return suggestion !== undefined && suggestion !== value
    ? { code: 'public-origin-invalid', message, suggestion }
    : { code: 'public-origin-invalid', message };
}

/**
 * The origin a request was made to, as an `Origin` header would serialize it: `scheme://host[:port]`
 * with the host lower-cased and the scheme's default port left out. Null when there is no host.
 */
export function requestOrigin(scheme: string, host: string | undefined): string | null {
  if (host === undefined || host === '') return null;
  let h = host.toLowerCase();
  const colon = h.lastIndexOf(':');
  if (colon !== -1 && colon > h.lastIndexOf(']') && h.slice(colon + 1) === String(DEFAULT_PORTS[scheme]))
    h = h.slice(0, colon);
  return `${scheme}://${h}`;
}

/** Whether `origin` is the origin this request was made to (only called for a request about to be refused). */
export function isSameOrigin(
  self: SelfOrigin,
  origin: string,
  scheme: string,
  host: string | undefined,
): boolean {
  if (self.listed !== null) return self.listed.has(origin);
  return origin === requestOrigin(scheme, host);
}
