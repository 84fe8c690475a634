/**
 * Host rules of the URL Standard for origins and patterns: which spellings are canonical (as a
 * browser serializes them), what kind of host a string is, and the Public Suffix List question
 * wildcards ask. IPv4's serialized form lives with the other URL facts in src/http/url.ts.
 */
import { getPublicSuffix } from 'tldts';
import { isCanonicalIPv4 } from '../http/url.js';

export type HostKind = 'domain' | 'ipv4' | 'ipv6';

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

/** The kind of a canonical serialized host, or null when `host` is not one. */
export function hostKindOf(host: string): HostKind | null {
  if (host.startsWith('[')) return isCanonicalIPv6(host) ? 'ipv6' : null;
  if (isCanonicalIPv4(host)) return 'ipv4';
  if (/^[\d.]+$/.test(host)) return null; // numeric but not a canonical dotted quad (e.g. 127.1)
  return isCanonicalDomain(host) ? 'domain' : null;
}

/** Best-effort canonical spelling of a host by the URL parser, for hints (`Example.COM` → `example.com`); null if it does not parse. */
export function canonicalHost(host: string): string | null {
  try {
    const h = new URL(`http://${host}`).hostname;
    return h.endsWith('.') ? h.slice(0, -1) : h;
  } catch {
    return null;
  }
}

/** Whether `domain` is itself a public suffix (Public Suffix List, private section included): `com`, `co.uk`, `github.io`. */
export function isPublicSuffix(domain: string): boolean {
  return domain !== 'localhost' && getPublicSuffix(domain, { allowPrivateDomains: true }) === domain;
}
