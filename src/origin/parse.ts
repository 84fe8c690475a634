/**
 * Origins as the URL and HTML Standards define them: a tuple (scheme, host, port) serialized as
 * `scheme "://" host [ ":" port ]`, or the opaque origin serialized as `null`
 * (HTML "ASCII serialization of an origin"; Fetch `#origin-header`).
 *
 * `parseOrigin` is strict: it accepts only a string that already is a serialized origin, byte for
 * byte (lower-case ASCII host, IDNs as punycode, no default port, no trailing slash or dot). A
 * browser always sends exactly that, so anything else is not an origin and is never normalised.
 */

import { DEFAULT_PORTS, isCanonicalIPv4 } from '../http/url.js';

export type HostKind = 'domain' | 'ipv4' | 'ipv6';

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
// The URL Standard runs UTS 46 with CheckHyphens off, so `-a` and `a-` are valid labels too.
const LABEL_RE = /^[a-z0-9_-]{1,63}$/;

/** Whether `host` is a canonical lower-case ASCII domain of LDH (and `_`) labels, without a trailing dot. */
export function isCanonicalDomain(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  const labels = host.split('.');
  for (const label of labels) if (!LABEL_RE.test(label)) return false;
  // Punycode labels must decode (the URL parser refuses `xn--f`).
  if (host.includes('xn--')) {
    try {
      if (new URL(`http://${host}`).hostname !== host) return false;
    } catch {
      return false;
    }
  }
  // A domain whose last label is numeric is parsed as IPv4 by the URL Standard (`#ends-in-a-number-checker`).
  return !/^(?:\d+|0x[0-9a-f]*)$/.test(labels[labels.length - 1]!);
}

/** `[…]` IPv6 host in the URL Standard's serialization (lower-case, compressed). */
export function isCanonicalIPv6(host: string): boolean {
  if (host.length < 4 || host[0] !== '[' || host[host.length - 1] !== ']') return false;
  if (!/^\[[0-9a-f:.]+\]$/.test(host)) return false;
  try {
    return new URL(`http://${host}`).hostname === host;
  } catch {
    return false;
  }
}

export function hostKindOf(host: string): HostKind | null {
  if (host.startsWith('[')) return isCanonicalIPv6(host) ? 'ipv6' : null;
  if (isCanonicalIPv4(host)) return 'ipv4';
  if (/^[\d.]+$/.test(host)) return null; // numeric but not a canonical dotted quad (e.g. 127.1)
  return isCanonicalDomain(host) ? 'domain' : null;
}

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
  const authority = value.slice(sep + 3);
  let host: string;
  let portText: string | null = null;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) return null;
    host = authority.slice(0, close + 1);
    const rest = authority.slice(close + 1);
    if (rest !== '') {
      if (rest[0] !== ':') return null;
      portText = rest.slice(1);
    }
  } else {
    const colon = authority.indexOf(':');
    host = colon < 0 ? authority : authority.slice(0, colon);
    if (colon >= 0) portText = authority.slice(colon + 1);
  }
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
