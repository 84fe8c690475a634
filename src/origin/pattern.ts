/**
 * The origin-pattern language (a superset of Salesforce's "Origin URL Pattern", see
 * docs/engine.md): exact origins, `https://*.example.com` (any depth of subdomain, never the apex),
 * `:*` for any port (the implicit one included), and `*` for any origin. Patterns are checked once,
 * at compile time; each refusal has a stable code, says why and, where possible, how to fix it.
 */
import { getPublicSuffix } from 'tldts';
import { DEFAULT_PORTS, isCanonicalDomain, isCanonicalIPv4, isLoopbackHost, type HostKind } from './parse.js';

/** Salesforce's `UrlPattern` field length. */
export const MAX_PATTERN_LENGTH = 255;

export const SUPPORTED_SCHEMES: readonly string[] = ['https', 'http', 'chrome-extension', 'moz-extension'];
const EXTENSION_ID: Readonly<Record<string, RegExp>> = {
  // Chrome extension ids are 32 letters a–p; Firefox's are UUIDs (Salesforce's example uses letters beyond f).
  'chrome-extension': /^[a-p]{32}$/,
  'moz-extension': /^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/,
};

export type OriginPattern =
  | { readonly kind: 'any'; readonly source: string }
  | {
      readonly kind: 'exact' | 'subdomains';
      readonly source: string;
      readonly scheme: string;
      /** For `subdomains`, the base domain after `*.`. */
      readonly host: string;
      readonly hostKind: HostKind;
      /** null: the scheme's default port; '*': any port. */
      readonly port: number | null | '*';
      /** http on a host that is not loopback (allowed only with `allowInsecureOrigins`). */
      readonly insecure: boolean;
    };

export interface PatternProblem {
  code: string;
  message: string;
  /** The fix in words, for people (built from `suggestion` and `option` when there are any). */
  hint?: string;
  /** The corrected pattern, when there is one (`https://app.example.com` for `http://app.example.com`). */
  suggestion?: string;
  /** The policy option that lifts the rule instead (`allowInsecureOrigins`), when one does. */
  option?: string;
}

export interface PatternCheck {
  pattern: OriginPattern | null;
  problem: PatternProblem | null;
}

const show = (s: string) => JSON.stringify(s);

/** A fix that is a corrected pattern: its hint says "did you mean …?". */
interface Suggestion {
  suggestion: string;
}
const mean = (suggestion: string): Suggestion => ({ suggestion });

function fail(code: string, message: string, fix?: string | Suggestion): PatternCheck {
  if (fix === undefined) return { pattern: null, problem: { code, message } };
  if (typeof fix === 'string') return { pattern: null, problem: { code, message, hint: fix } };
  return { pattern: null, problem: { code, message, hint: `did you mean ${fix.suggestion}?`, suggestion: fix.suggestion } };
}

/** Best-effort canonical spelling of a host, for hints (`Example.COM` → `example.com`). */
function canonicalHost(host: string): string | null {
  try {
    const h = new URL(`http://${host}`).hostname;
    return h.endsWith('.') ? h.slice(0, -1) : h;
  } catch {
    return null;
  }
}

/** A canonical spelling of `scheme://authority` for hints: lower-case host, no default port. */
function suggestOrigin(scheme: string, authority: string): string {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(authority);
  if (!m) return `${scheme}://${authority}`;
  const host = m[1]!.includes('*') ? m[1]!.toLowerCase() : canonicalHost(m[1]!) ?? m[1]!.toLowerCase();
  const port = m[2] === undefined || m[2] === '' || Number(m[2]) === DEFAULT_PORTS[scheme] ? '' : /^\d+$/.test(m[2]) ? `:${Number(m[2])}` : `:${m[2]}`;
  return `${scheme}://${host}${port}`;
}

function nullOriginProblem(): PatternCheck {
  return fail(
    'origin-null',
    'the opaque origin "null" cannot be allowed by a pattern: sandboxed iframes, data: and file: documents and redirected requests all send it, so allowing it allows anyone',
    "use origins: '*' (without credentials) if such pages must read the response",
  );
}

/**
 * Checks one origin pattern. Never throws; returns the pattern or the first problem found.
 * An `http:` pattern on a non-loopback host is returned with `insecure: true` (the caller decides
 * whether that is an error or, with `allowInsecureOrigins`, a warning).
 */
export function checkOriginPattern(value: unknown): PatternCheck {
  const fast = typeof value === 'string' ? fastPath(value) : null;
  if (fast !== null) return { pattern: fast, problem: null };
  // YAML reads an unquoted `null` as null: it is the same mistake as the string "null".
  if (value === null) return nullOriginProblem();
  if (typeof value !== 'string') return fail('origin-not-string', `an origin pattern must be a string, not ${value === null ? 'null' : typeof value}`);
  if (value === '') return fail('origin-empty', 'the origin pattern is empty', 'write an origin such as https://app.example.com');
  if (value.length > MAX_PATTERN_LENGTH) {
    return fail('origin-too-long', `the origin pattern is ${value.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`);
  }
  if (/\s/.test(value)) {
    const trimmed = value.replace(/\s+/g, '');
    return fail('origin-whitespace', `${show(value)} contains whitespace`, mean(`${trimmed}`));
  }
  if (value === '*') return { pattern: { kind: 'any', source: value }, problem: null };
  if (value.toLowerCase() === 'null') return nullOriginProblem();
  const sep = value.indexOf('://');
  if (sep <= 0) {
    // `example.com`, `//example.com`, `https:/example.com`, `https:example.com`: suggest the https origin.
    const rest = value.replace(/^[a-z][a-z0-9+.-]*:(?=\/|[^/]*\.)/i, '').replace(/^[:/]+/, '');
    return fail('origin-scheme-missing', `${show(value)} does not start with a scheme and "://"`, mean(`https://${rest}`));
  }
  const rawScheme = value.slice(0, sep);
  const scheme = rawScheme.toLowerCase();
  const afterScheme = value.slice(sep + 3);
  if (rawScheme.includes('*')) {
    return fail('origin-wildcard-misplaced', `the wildcard in ${show(value)} is not allowed in the scheme: list each scheme (https, or http for loopback hosts)`);
  }
  if (scheme === 'file') {
    return fail('origin-scheme-file', 'file: pages have the opaque origin "null" and cannot be allowed by a pattern');
  }
  if (!SUPPORTED_SCHEMES.includes(scheme)) {
    return fail(
      'origin-scheme-unsupported',
      `the scheme ${show(rawScheme)} is not supported; use https, http (loopback only), chrome-extension or moz-extension`,
    );
  }
  // Everything after the authority: path, query, fragment.
  const end = afterScheme.search(/[/?#]/);
  const authority = end < 0 ? afterScheme : afterScheme.slice(0, end);
  if (end >= 0) {
    const suggestion = suggestOrigin(scheme, authority);
    const tail = afterScheme.slice(end);
    if (tail === '/') return fail('origin-trailing-slash', `${show(value)} ends with a slash; an origin has no path`, mean(`${suggestion}`));
    if (tail[0] === '#' || (tail.includes('#') && !tail.includes('?'))) {
      return fail('origin-fragment', `${show(value)} has a fragment; an origin is only scheme, host and port`, mean(`${suggestion}`));
    }
    if (tail[0] === '?') return fail('origin-query', `${show(value)} has a query; an origin is only scheme, host and port`, mean(`${suggestion}`));
    return fail('origin-path', `${show(value)} has a path; an origin is only scheme, host and port`, mean(`${suggestion}`));
  }
  if (authority.includes('@')) {
    const stripped = suggestOrigin(scheme, authority.slice(authority.lastIndexOf('@') + 1));
    return fail('origin-userinfo', `${show(value)} contains a user name or password`, mean(`${stripped}`));
  }
  if (rawScheme !== scheme) {
    return fail('origin-not-canonical', `${show(value)} is not in canonical form: the scheme must be lower-case`, mean(`${suggestOrigin(scheme, authority)}`));
  }
  if (!authority.startsWith('[') && authority.includes('[')) {
    return authority.startsWith('*.[')
      ? fail('origin-wildcard-misplaced', `${show(value)} puts a wildcard in front of an IP address; subdomain wildcards need a domain name`)
      : fail('origin-host-invalid', `${show(value)} has a "[" that does not open an IPv6 address`);
  }
  // Split host and port.
  let host: string;
  let portText: string | null = null;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) return fail('origin-host-invalid', `${show(value)} has an unterminated IPv6 address`);
    host = authority.slice(0, close + 1);
    const rest = authority.slice(close + 1);
    if (rest !== '') {
      if (rest[0] !== ':') return fail('origin-host-invalid', `${show(value)} has characters after the IPv6 address`);
      portText = rest.slice(1);
    }
  } else {
    const colon = authority.lastIndexOf(':');
    host = colon < 0 ? authority : authority.slice(0, colon);
    if (colon >= 0) portText = authority.slice(colon + 1);
  }
  if (host === '') return fail('origin-host-missing', `${show(value)} has no host`);

  // Port: digits in canonical form, 1–65535, not the scheme's default, or `*`.
  let port: number | null | '*' = null;
  const defaultPort = DEFAULT_PORTS[scheme];
  if (portText !== null) {
    if (portText === '*') port = '*';
    else if (portText.includes('*')) {
      return fail('origin-wildcard-misplaced', `the wildcard in ${show(value)} is not allowed inside a port: use :* for any port`, mean(`${scheme}://${host.toLowerCase()}:*`));
    } else if (!/^\d+$/.test(portText)) {
      return fail('origin-port-invalid', `${show(value)} has an invalid port ${show(portText)}`, 'a port is a number from 1 to 65535, or * for any port');
    } else {
      const n = Number(portText);
      if (n === 0 || n > 65535) return fail('origin-port-out-of-range', `the port ${portText} in ${show(value)} is outside 1–65535`);
      if (portText[0] === '0') {
        return fail('origin-not-canonical', `the port in ${show(value)} has leading zeros`, mean(`${suggestOrigin(scheme, authority)}`));
      }
      if (n === defaultPort) {
        return fail(
          'origin-default-port',
          `${show(value)} spells out the default port ${n}; browsers never send it, so this entry would match nothing`,
          mean(`${scheme}://${host}`),
        );
      }
      port = n;
    }
  }
  const portSuffix = port === null ? '' : `:${port}`;

  // Browser-extension origins: a fixed id, no port, no wildcard.
  const idRule = EXTENSION_ID[scheme];
  if (idRule) {
    if (!idRule.test(host) || portText !== null) {
      return fail(
        'origin-extension-id-invalid',
        scheme === 'chrome-extension'
          ? `${show(value)} is not a Chrome extension origin: the id is 32 letters a–p, with no port`
          : `${show(value)} is not a Firefox extension origin: the id is a UUID (8-4-4-4-12 lower-case letters and digits), with no port`,
      );
    }
    return { pattern: { kind: 'exact', source: value, scheme, host, hostKind: 'domain', port: null, insecure: false }, problem: null };
  }

  // Subdomain wildcard: only `*.` followed by a registrable domain.
  let kind: 'exact' | 'subdomains' = 'exact';
  let base = host;
  if (host.includes('*')) {
    if (!host.startsWith('*.') || host.slice(2).includes('*')) {
      return fail(
        'origin-wildcard-misplaced',
        `the wildcard in ${show(value)} is not allowed there: * may only stand for the whole host-name prefix, as in https://*.example.com`,
      );
    }
    kind = 'subdomains';
    base = host.slice(2);
  }

  // Host: canonical lower-case ASCII domain, dotted-quad IPv4 or compressed IPv6.
  let hostKind: HostKind;
  const canonicalSuggestion = (h: string) => mean(`${scheme}://${kind === 'subdomains' ? '*.' : ''}${h}${portSuffix}`);
  if (base.startsWith('[')) {
    const canonical = canonicalHost(base);
    if (canonical === null || !/^\[[0-9a-f:.]+\]$/.test(canonical)) return fail('origin-host-invalid', `${show(value)} has an invalid IPv6 address`);
    if (canonical !== base) return fail('origin-not-canonical', `the IPv6 address in ${show(value)} is not in canonical form`, canonicalSuggestion(canonical));
    hostKind = 'ipv6';
  } else if (/^[\d.]+$/.test(base) || /^0x/i.test(base.split('.').pop() ?? '')) {
    const canonical = canonicalHost(base);
    if (canonical === null || !isCanonicalIPv4(canonical)) return fail('origin-host-invalid', `${show(value)} has an invalid IPv4 address`);
    if (canonical !== base) return fail('origin-not-canonical', `the IPv4 address in ${show(value)} is not in dotted-quad form`, canonicalSuggestion(canonical));
    hostKind = 'ipv4';
  } else {
    if (base.endsWith('.')) {
      return fail('origin-not-canonical', `${show(value)} ends its host with a dot; browsers send the name without it`, canonicalSuggestion(base.replace(/\.+$/, '')));
    }
    const canonical = canonicalHost(base);
    if (canonical === null) return fail('origin-host-invalid', `${show(value)} has an invalid host name`);
    if (canonical !== base) {
      const what = /[^\x00-\x7f]/.test(base) ? 'an internationalised host name must be written in punycode' : 'the host must be lower-case';
      return fail('origin-not-canonical', `${show(value)} is not in canonical form: ${what}`, canonicalSuggestion(canonical));
    }
    if (!isCanonicalDomain(base)) return fail('origin-host-invalid', `${show(value)} has an invalid host name (labels are letters, digits, - and _)`);
    hostKind = 'domain';
  }
  if (kind === 'subdomains') {
    if (hostKind !== 'domain') {
      return fail('origin-wildcard-misplaced', `${show(value)} puts a wildcard in front of an IP address; subdomain wildcards need a domain name`);
    }
    // The Public Suffix List, private section included, decides: `*.com`, `*.co.uk`, `*.github.io` are refused.
    if (base !== 'localhost' && getPublicSuffix(base, { allowPrivateDomains: true }) === base) {
      return fail(
        'origin-wildcard-public-suffix',
        `${show(value)} covers every site under the public suffix ${show(base)}, which anyone can register`,
        `put the wildcard in front of your own domain, e.g. ${scheme}://*.your-domain.${base}`,
      );
    }
  }
  const insecure = scheme === 'http' && !isLoopbackHost(base);
  return { pattern: { kind, source: value, scheme, host: base, hostKind, port, insecure }, problem: null };
}

/**
 * Most patterns are plain, already-canonical `http(s)://[*.]name.tld[:port]`: recognised with one
 * regex, so a million patterns compile in seconds. Anything unusual (punycode, IPs, numeric last
 * labels, odd ports) falls through to the full checks above, which give the same verdict.
 */
const SIMPLE_PATTERN = /^(https?):\/\/(\*\.)?((?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z](?:[a-z-]{0,61}[a-z])?)(?::(\*|[1-9]\d{0,4}))?$/;

function fastPath(value: string): OriginPattern | null {
  if (value.length > MAX_PATTERN_LENGTH) return null;
  const m = SIMPLE_PATTERN.exec(value);
  if (m === null) return null;
  const scheme = m[1]!;
  const host = m[3]!;
  if (host.length > 253 || host.includes('xn--')) return null;
  let port: number | null | '*' = null;
  if (m[4] !== undefined) {
    port = m[4] === '*' ? '*' : Number(m[4]);
    if (port !== '*' && (port > 65535 || port === DEFAULT_PORTS[scheme])) return null;
  }
  const kind = m[2] === undefined ? 'exact' : 'subdomains';
  if (kind === 'subdomains' && host !== 'localhost' && getPublicSuffix(host, { allowPrivateDomains: true }) === host) return null;
  const insecure = scheme === 'http' && !isLoopbackHost(host);
  return { kind, source: value, scheme, host, hostKind: 'domain', port, insecure };
}

/** Message and hint for an `http:` pattern on a non-loopback host. */
export function insecureProblem(pattern: { source: string; scheme: string; host: string; port: number | null | '*' }, kind: 'exact' | 'subdomains'): PatternProblem {
  const https = `https://${kind === 'subdomains' ? '*.' : ''}${pattern.host}${pattern.port === null || pattern.port === 80 ? '' : `:${pattern.port}`}`;
  return {
    code: 'origin-insecure',
    message: `${show(pattern.source)}: http is only allowed for loopback hosts (localhost, 127.0.0.0/8, [::1])`,
    hint: `did you mean ${https}? (or set allowInsecureOrigins: true)`,
    suggestion: https,
    option: 'allowInsecureOrigins',
  };
}
