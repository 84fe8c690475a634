/**
 * Origins as the URL and HTML Standards define them: a tuple (scheme, host, port) serialized as
 * `scheme "://" host [ ":" port ]`, or the opaque origin serialized as `null`
 * (HTML "ASCII serialization of an origin"; Fetch `#origin-header`).
 *
 * `parseOrigin` is strict: it accepts only a string that already is a serialized origin, byte for
 * byte (lower-case ASCII host, IDNs as punycode, no default port, no trailing slash or dot). A
 * browser always sends exactly that, so anything else is not an origin and is never normalised.
 */

import { DEFAULT_PORTS } from '../http/url.js';
import { splitAuthority } from './authority.js';
import { hostKindOf, type HostKind } from './host.js';

export type { HostKind } from './host.js';

export interface TupleOrigin {
  readonly opaque: false;
  /** Lower-case scheme without `:`, e.g. `https`. */
  readonly scheme: string;
  /** Serialized host: lower-case ASCII domain, dotted-quad IPv4, or bracketed compressed IPv6. */
  readonly host: string;
  readonly hostKind: HostKind;
  /** The port, or null for the scheme's default port. */
  readonly port: number | null;
}

export interface OpaqueOrigin {
  readonly opaque: true;
}

export type Origin = TupleOrigin | OpaqueOrigin;

/**
 * Longest request-time `Origin` worth looking at: a 64-byte scheme, `://`, a 253-byte host, `:` and
 * a 5-digit port. Longer values are refused before any other work, so a 1 MiB header costs nothing.
 */
export const MAX_ORIGIN_LENGTH = 64 + 3 + 253 + 1 + 5;

const SCHEME_RE = /^[a-z][a-z0-9+.-]{0,63}$/;
/**
 * Parses a serialized origin. Returns null unless `value` is exactly the serialization of an origin
 * (so `https://Example.com`, `https://example.com/`, `https://example.com:443` and
 * `https://example.com.` all give null). `null` gives the opaque origin.
 */
export function parseOrigin(value: string): Origin | null {
  if (typeof value !== 'string') return null;
  if (value === 'null') return { opaque: true };
  if (value.length > MAX_ORIGIN_LENGTH) return null;
  const sep = value.indexOf('://');
  if (sep <= 0) return null;
  const scheme = value.slice(0, sep);
  if (!SCHEME_RE.test(scheme)) return null;
  const authority = splitAuthority(value.slice(sep + 3));
  if (typeof authority === 'string') return null;
  const { host, port: portText } = authority;
  let port: number | null = null;
  if (portText !== null) {
    if (!/^[1-9]\d{0,4}$/.test(portText)) return null;
    port = Number(portText);
    if (port > 65535 || port === DEFAULT_PORTS[scheme]) return null;
  }
  const hostKind = hostKindOf(host);
  if (hostKind === null) return null;
  return { opaque: false, scheme, host, hostKind, port };
}

/** Serializes an origin (HTML "ASCII serialization of an origin"): the default port is elided. */
export function serializeOrigin(origin: Origin): string {
  if (origin.opaque) return 'null';
  const port = origin.port === null || origin.port === DEFAULT_PORTS[origin.scheme] ? '' : `:${origin.port}`;
  return `${origin.scheme}://${origin.host}${port}`;
}
