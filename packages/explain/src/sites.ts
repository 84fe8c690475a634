/**
 * Where a URL is, as the browser sees it: its IP address space (Chromium's Local Network Access) and
 * its site (the Cross-Origin-Resource-Policy same-site test).
 */
import { getDomain } from 'tldts';
import { isLoopbackHost } from 'corsgate/internal/http/url.js';

/** Chromium's IP address space of a URL host, from the host alone (names other than localhost are unknown). */
export function addressSpaceOf(host: string): 'loopback' | 'local' | 'public' | 'unknown' {
  if (isLoopbackHost(host)) return 'loopback';
  const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 10 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127)
      ? 'local'
      : 'public';
  }
  if (host.startsWith('[')) return /^\[f[cd]|^\[fe[89ab]/i.test(host) ? 'local' : 'public';
  if (host.endsWith('.local')) return 'local';
  return 'unknown';
}

/** A host's site (HTML "obtain a site", schemeless): its registrable domain, or the host itself. */
function siteOf(host: string): string {
  return getDomain(host, { allowPrivateDomains: true }) ?? host;
}

/** #cross-origin-resource-policy-internal-check: the policy that blocks, or null. */
export function corpBlocks(
  policy: string | null,
  url: URL,
  pageOrigin: string,
): 'same-origin' | 'same-site' | null {
  if (policy !== 'same-origin' && policy !== 'same-site') return null;
  if (pageOrigin !== 'null' && url.origin === pageOrigin) return null;
  if (policy === 'same-origin' || pageOrigin === 'null') return policy;
  const page = new URL(pageOrigin);
  const sameSite = siteOf(page.hostname) === siteOf(url.hostname) && page.protocol === url.protocol;
  return sameSite ? null : policy;
}
