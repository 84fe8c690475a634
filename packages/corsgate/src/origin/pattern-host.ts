/**
 * The checks of an origin pattern's host: where a wildcard may stand, the host's canonical spelling
 * (domain, IPv4 or IPv6), and what a subdomain wildcard may cover.
 */
import { isCanonicalIPv4 } from '../http/url.js';
import { canonicalHost, isCanonicalDomain, isPublicSuffix } from './host.js';
import { mean, problem, show, type Parts, type PatternProblem } from './pattern-types.js';

/** The wildcard may only be `*.` in front of the rest of the host. */
export function checkWildcard(p: Parts): PatternProblem | null {
  const { host } = p;
  p.base = host;
  if (!host.includes('*')) return null;
  if (!host.startsWith('*.') || host.slice(2).includes('*')) {
    return problem(
      'origin-wildcard-misplaced',
      `the wildcard in ${show(p.source)} is not allowed there: * may only stand for the whole host-name prefix, as in https://*.example.com`,
    );
  }
  p.kind = 'subdomains';
  p.base = host.slice(2);
  return null;
}

/** Host: canonical lower-case ASCII domain, dotted-quad IPv4 or compressed IPv6. */
export function checkHost(p: Parts): PatternProblem | null {
  const { source: value, base } = p;
  const portSuffix = p.port === null ? '' : `:${p.port}`;
  const canonicalSuggestion = (h: string) =>
    mean(`${p.scheme}://${p.kind === 'subdomains' ? '*.' : ''}${h}${portSuffix}`);
  if (base.startsWith('[')) {
    p.hostKind = 'ipv6';
    const canonical = canonicalHost(base);
    if (canonical === null || !/^\[[0-9a-f:.]+\]$/.test(canonical))
      return problem('origin-host-invalid', `${show(value)} has an invalid IPv6 address`);
    if (canonical !== base)
      return problem(
        'origin-not-canonical',
        `the IPv6 address in ${show(value)} is not in canonical form`,
        canonicalSuggestion(canonical),
      );
    return null;
  }
  if (/^[\d.]+$/.test(base) || /^0x/i.test(base.split('.').pop() ?? '')) {
    p.hostKind = 'ipv4';
    const canonical = canonicalHost(base);
    if (canonical === null || !isCanonicalIPv4(canonical))
      return problem('origin-host-invalid', `${show(value)} has an invalid IPv4 address`);
    if (canonical !== base)
      return problem(
        'origin-not-canonical',
        `the IPv4 address in ${show(value)} is not in dotted-quad form`,
        canonicalSuggestion(canonical),
      );
    return null;
  }
  p.hostKind = 'domain';
  if (base.endsWith('.')) {
    return problem(
      'origin-not-canonical',
      `${show(value)} ends its host with a dot; browsers send the name without it`,
      canonicalSuggestion(base.replace(/\.+$/, '')),
    );
  }
  const canonical = canonicalHost(base);
  if (canonical === null) return problem('origin-host-invalid', `${show(value)} has an invalid host name`);
  if (canonical !== base) {
    // eslint-disable-next-line no-control-regex -- the range starts at NUL on purpose: any character outside ASCII
    const what = /[^\x00-\x7f]/.test(base)
      ? 'an internationalised host name must be written in punycode'
      : 'the host must be lower-case';
    return problem(
      'origin-not-canonical',
      `${show(value)} is not in canonical form: ${what}`,
      canonicalSuggestion(canonical),
    );
  }
  if (!isCanonicalDomain(base))
    return problem(
      'origin-host-invalid',
      `${show(value)} has an invalid host name (labels are letters, digits, - and _)`,
    );
  return null;
}

/**
 * A subdomain wildcard needs a domain that someone owns: not an IP address, not a public suffix
 * (`*.com`, `*.co.uk`, `*.github.io` are refused).
 */
export function checkWildcardScope(p: Parts): PatternProblem | null {
  if (p.kind !== 'subdomains') return null;
  const { source: value, scheme, base } = p;
  if (p.hostKind !== 'domain') {
    return problem(
      'origin-wildcard-misplaced',
      `${show(value)} puts a wildcard in front of an IP address; subdomain wildcards need a domain name`,
    );
  }
  if (isPublicSuffix(base)) {
    return problem(
      'origin-wildcard-public-suffix',
      `${show(value)} covers every site under the public suffix ${show(base)}, which anyone can register`,
      `put the wildcard in front of your own domain, e.g. ${scheme}://*.your-domain.${base}`,
    );
  }
  return null;
}
