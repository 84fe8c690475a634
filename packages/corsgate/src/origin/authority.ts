/**
 * The one rule for splitting an authority (`host[:port]`) into host and port, shared by request-time
 * origins (parse.ts, matcher.ts), origin patterns (pattern.ts) and the gateway's `Host` header.
 * URL Standard, "host state": a `:` ends the host unless it is inside `[…]` (an IPv6 literal).
 */

/**
 * Where the host that starts at `start` in `text` ends: just after the `]` of an IPv6 literal,
 * else at the first `:`, else at the end of `text`. -1 when a `[` is never closed. Allocates nothing.
 */
export function findHostEnd(text: string, start = 0): number {
  if (text.charCodeAt(start) === 91 /* [ */) {
    const close = text.indexOf(']', start);
    return close < 0 ? -1 : close + 1;
  }
  const colon = text.indexOf(':', start);
  return colon < 0 ? text.length : colon;
}

export interface Authority {
  /** As written: brackets kept for IPv6, case kept. */
  readonly host: string;
  /** The text after the `:` (possibly empty), or null when there is no `:`. */
  readonly port: string | null;
}

/** Why an authority cannot be split. */
export type AuthoritySplitFailure = 'ipv6-unterminated' | 'ipv6-trailing-characters';

/** Splits `host[:port]`. Checks nothing else: host and port are for the caller to validate. */
export function splitAuthority(authority: string): Authority | AuthoritySplitFailure {
  const end = findHostEnd(authority);
  if (end < 0) return 'ipv6-unterminated';
  if (end === authority.length) return { host: authority, port: null };
  if (authority.charCodeAt(end) !== 58 /* : */) return 'ipv6-trailing-characters';
  return { host: authority.slice(0, end), port: authority.slice(end + 1) };
}
