/**
 * The allowlists of the HTTP benchmark, the same for corsgate and its peers. A list of n entries has
 * n exact origins `https://o<i>.example.com` when n < 10; from 10 on, one entry in ten is a subdomain
 * wildcard `https://*.t<j>.example.org` (for the peers, the RegExp a user would write for it). The
 * allowed origin of the load matches the LAST wildcard (or is the last exact origin when there is
 * none): the worst case for the peers' linear scans, and an ordinary case for corsgate's matcher.
 */
export interface Allowlist {
  /** corsgate's origins option. */
  patterns: string[];
  exact: string[];
  regexps: RegExp[];
  allowedOrigin: string;
  refusedOrigin: string;
}

export const ALLOWED_METHODS = ['GET', 'PUT'];
export const ALLOWED_HEADERS = ['x-custom'];

export function allowlist(size: number): Allowlist {
  const wildcards = size >= 10 ? Math.floor(size / 10) : 0;
  const exact = Array.from({ length: size - wildcards }, (_, i) => `https://o${i}.example.com`);
  const domains = Array.from({ length: wildcards }, (_, j) => `t${j}.example.org`);
  const patterns = [...exact, ...domains.map((d) => `https://*.${d}`)];
  const regexps = domains.map((d) => new RegExp(`^https://([a-z0-9-]+\\.)+${d.replaceAll('.', '\\.')}$`));
  const allowedOrigin = wildcards > 0 ? `https://app.${domains[wildcards - 1]}` : exact[exact.length - 1]!;
  return { patterns, exact, regexps, allowedOrigin, refusedOrigin: 'https://evil.example.net' };
}
