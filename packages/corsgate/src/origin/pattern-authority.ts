/**
 * The checks of an origin pattern up to its host: scheme, nothing but an authority, the authority's
 * split into host and port (the shared rule of authority.ts), the port, and extension ids.
 * Each check fills in its part of `Parts` or returns the problem.
 */
import { DEFAULT_PORTS } from '../http/url.js';
import { splitAuthority } from './authority.js';
import { canonicalHost } from './host.js';
import {
  accepted,
  mean,
  problem,
  refused,
  show,
  SUPPORTED_SCHEMES,
  type Parts,
  type PatternCheck,
  type PatternProblem,
} from './pattern-types.js';

const EXTENSION_ID: Readonly<Record<string, RegExp>> = {
  // Chrome extension ids are 32 letters a–p; Firefox's are UUIDs (Salesforce's example uses letters beyond f).
  'chrome-extension': /^[a-p]{32}$/,
  'moz-extension': /^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/,
};

/** `scheme://`, with a scheme corsgate can match. */
export function checkScheme(p: Parts): PatternProblem | null {
  const value = p.source;
  const sep = value.indexOf('://');
  if (sep <= 0) {
    // `example.com`, `//example.com`, `https:/example.com`, `https:example.com`: suggest the https origin.
    const rest = value.replace(/^[a-z][a-z0-9+.-]*:(?=\/|[^/]*\.)/i, '').replace(/^[:/]+/, '');
    return problem(
      'origin-scheme-missing',
      `${show(value)} does not start with a scheme and "://"`,
      mean(`https://${rest}`),
    );
  }
  p.rawScheme = value.slice(0, sep);
  p.scheme = p.rawScheme.toLowerCase();
  p.rest = value.slice(sep + 3);
  if (p.rawScheme.includes('*')) {
    return problem(
      'origin-wildcard-misplaced',
      `the wildcard in ${show(value)} is not allowed in the scheme: list each scheme (https, or http for loopback hosts)`,
    );
  }
  if (p.scheme === 'file')
    return problem(
      'origin-scheme-file',
      'file: pages have the opaque origin "null" and cannot be allowed by a pattern',
    );
  if (!SUPPORTED_SCHEMES.includes(p.scheme)) {
    return problem(
      'origin-scheme-unsupported',
      `the scheme ${show(p.rawScheme)} is not supported; use https, http (loopback only), chrome-extension or moz-extension`,
    );
  }
  return null;
}

/** An origin is scheme, host and port: no path, query, fragment or user info. */
export function checkOnlyAuthority(p: Parts): PatternProblem | null {
  const { source: value, scheme, rest } = p;
  const end = rest.search(/[/?#]/);
  p.authority = end < 0 ? rest : rest.slice(0, end);
  if (end >= 0) {
    const suggestion = mean(suggestOrigin(scheme, p.authority));
    const tail = rest.slice(end);
    if (tail === '/')
      return problem(
        'origin-trailing-slash',
        `${show(value)} ends with a slash; an origin has no path`,
        suggestion,
      );
    if (tail[0] === '#' || (tail.includes('#') && !tail.includes('?'))) {
      return problem(
        'origin-fragment',
        `${show(value)} has a fragment; an origin is only scheme, host and port`,
        suggestion,
      );
    }
    if (tail[0] === '?')
      return problem(
        'origin-query',
        `${show(value)} has a query; an origin is only scheme, host and port`,
        suggestion,
      );
    return problem(
      'origin-path',
      `${show(value)} has a path; an origin is only scheme, host and port`,
      suggestion,
    );
  }
  if (p.authority.includes('@')) {
    const stripped = suggestOrigin(scheme, p.authority.slice(p.authority.lastIndexOf('@') + 1));
    return problem('origin-userinfo', `${show(value)} contains a user name or password`, mean(stripped));
  }
  return null;
}

export function checkSchemeCase(p: Parts): PatternProblem | null {
  if (p.rawScheme === p.scheme) return null;
  return problem(
    'origin-not-canonical',
    `${show(p.source)} is not in canonical form: the scheme must be lower-case`,
    mean(suggestOrigin(p.scheme, p.authority)),
  );
}

/** Host and port, split by the shared authority rule. */
export function checkAuthoritySplit(p: Parts): PatternProblem | null {
  const { source: value, authority } = p;
  if (!authority.startsWith('[') && authority.includes('[')) {
    return authority.startsWith('*.[')
      ? problem(
          'origin-wildcard-misplaced',
          `${show(value)} puts a wildcard in front of an IP address; subdomain wildcards need a domain name`,
        )
      : problem('origin-host-invalid', `${show(value)} has a "[" that does not open an IPv6 address`);
  }
  const split = splitAuthority(authority);
  if (split === 'ipv6-unterminated')
    return problem('origin-host-invalid', `${show(value)} has an unterminated IPv6 address`);
  if (split === 'ipv6-trailing-characters')
    return problem('origin-host-invalid', `${show(value)} has characters after the IPv6 address`);
  if (split.host === '') return problem('origin-host-missing', `${show(value)} has no host`);
  p.host = split.host;
  p.portText = split.port;
  return null;
}

/** Port: digits in canonical form, 1–65535, not the scheme's default, or `*`. */
export function checkPort(p: Parts): PatternProblem | null {
  const { source: value, scheme, host, portText } = p;
  if (portText === null) return null;
  if (portText === '*') {
    p.port = '*';
    return null;
  }
  if (portText.includes('*')) {
    return problem(
      'origin-wildcard-misplaced',
      `the wildcard in ${show(value)} is not allowed inside a port: use :* for any port`,
      mean(`${scheme}://${host.toLowerCase()}:*`),
    );
  }
  if (!/^\d+$/.test(portText)) {
    return problem(
      'origin-port-invalid',
      `${show(value)} has an invalid port ${show(portText)}`,
      'a port is a number from 1 to 65535, or * for any port',
    );
  }
  const n = Number(portText);
  if (n === 0 || n > 65535)
    return problem('origin-port-out-of-range', `the port ${portText} in ${show(value)} is outside 1–65535`);
  if (portText[0] === '0') {
    return problem(
      'origin-not-canonical',
      `the port in ${show(value)} has leading zeros`,
      mean(suggestOrigin(scheme, p.authority)),
    );
  }
  if (n === DEFAULT_PORTS[scheme]) {
    return problem(
      'origin-default-port',
      `${show(value)} spells out the default port ${n}; browsers never send it, so this entry would match nothing`,
      mean(`${scheme}://${host}`),
    );
  }
  p.port = n;
  return null;
}

/** Browser-extension origins: a fixed id, no port, no wildcard. Null for any other scheme. */
export function checkExtensionOrigin(p: Parts): PatternCheck | null {
  const { source: value, scheme, host } = p;
  const idRule = EXTENSION_ID[scheme];
  if (idRule === undefined) return null;
  if (!idRule.test(host) || p.portText !== null) {
    return refused(
      problem(
        'origin-extension-id-invalid',
        scheme === 'chrome-extension'
          ? `${show(value)} is not a Chrome extension origin: the id is 32 letters a–p, with no port`
          : `${show(value)} is not a Firefox extension origin: the id is a UUID (8-4-4-4-12 lower-case letters and digits), with no port`,
      ),
    );
  }
  return accepted({
    kind: 'exact',
    source: value,
    scheme,
    host,
    hostKind: 'domain',
    port: null,
    insecure: false,
  });
}

/** A canonical spelling of `scheme://authority` for hints: lower-case host, no default port. */
export function suggestOrigin(scheme: string, authority: string): string {
  const split = splitAuthority(authority);
  if (typeof split === 'string') return `${scheme}://${authority}`;
  const { host: rawHost, port: rawPort } = split;
  const host = rawHost.includes('*')
    ? rawHost.toLowerCase()
    : (canonicalHost(rawHost) ?? rawHost.toLowerCase());
  const port =
    rawPort === null || rawPort === '' || Number(rawPort) === DEFAULT_PORTS[scheme]
      ? ''
      : /^\d+$/.test(rawPort)
        ? `:${Number(rawPort)}`
        : `:${rawPort}`;
  return `${scheme}://${host}${port}`;
}
