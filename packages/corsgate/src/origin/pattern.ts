/**
 * The origin-pattern language (a superset of Salesforce's "Origin URL Pattern", see
 * docs/engine.md): exact origins, `https://*.example.com` (any depth of subdomain, never the apex),
 * `:*` for any port (the implicit one included), and `*` for any origin. Patterns are checked once,
 * at compile time; each refusal has a stable code, says why and, where possible, how to fix it.
 *
 * `checkOriginPattern` is a pipeline of small checks (text, scheme, authority, port, wildcard, host,
 * wildcard scope), each filling in its part of the pattern or returning the first problem.
 */
import { DEFAULT_PORTS, isLoopbackHost } from '../http/url.js';
import { isPublicSuffix } from './host.js';
import {
  checkAuthoritySplit,
  checkExtensionOrigin,
  checkOnlyAuthority,
  checkPort,
  checkScheme,
  checkSchemeCase,
} from './pattern-authority.js';
import { checkHost, checkWildcard, checkWildcardScope } from './pattern-host.js';
import {
  accepted,
  MAX_PATTERN_LENGTH,
  mean,
  problem,
  refused,
  show,
  type OriginPattern,
  type Parts,
  type PatternCheck,
  type PatternProblem,
} from './pattern-types.js';

export { MAX_PATTERN_LENGTH, ORIGIN_PATTERN_CODES, SUPPORTED_SCHEMES } from './pattern-types.js';
export type { OriginPattern, OriginPatternCode, PatternCheck, PatternProblem } from './pattern-types.js';

/**
 * Checks one origin pattern. Never throws; returns the pattern or the first problem found.
 * An `http:` pattern on a non-loopback host is returned with `insecure: true` (the caller decides
 * whether that is an error or, with `allowInsecureOrigins`, a warning).
 */
export function checkOriginPattern(value: unknown): PatternCheck {
  const fast = typeof value === 'string' ? fastPath(value) : null;
  if (fast !== null) return accepted(fast);
  // YAML reads an unquoted `null` as null: it is the same mistake as the string "null".
  if (value === null) return refused(nullOriginProblem());
  if (typeof value !== 'string')
    return refused(problem('origin-not-string', `an origin pattern must be a string, not ${typeof value}`));
  const text = checkText(value);
  if (text !== null) return text;

  const p: Parts = {
    source: value,
    rawScheme: '',
    scheme: '',
    rest: '',
    authority: '',
    host: '',
    portText: null,
    port: null,
    kind: 'exact',
    base: '',
    hostKind: 'domain',
  };
  const early =
    checkScheme(p) ?? checkOnlyAuthority(p) ?? checkSchemeCase(p) ?? checkAuthoritySplit(p) ?? checkPort(p);
  if (early !== null) return refused(early);
  const extension = checkExtensionOrigin(p);
  if (extension !== null) return extension;
  const late = checkWildcard(p) ?? checkHost(p) ?? checkWildcardScope(p);
  if (late !== null) return refused(late);
  const { kind, scheme, base, hostKind, port } = p;
  return accepted({
    kind,
    source: value,
    scheme,
    host: base,
    hostKind,
    port,
    insecure: scheme === 'http' && !isLoopbackHost(base),
  });
}

/** Whole-string rules: empty, too long, whitespace, and the two one-word patterns `*` and `null`. */
function checkText(value: string): PatternCheck | null {
  if (value === '')
    return refused(
      problem(
        'origin-empty',
        'the origin pattern is empty',
        'write an origin such as https://app.example.com',
      ),
    );
  if (value.length > MAX_PATTERN_LENGTH) {
    return refused(
      problem(
        'origin-too-long',
        `the origin pattern is ${value.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`,
      ),
    );
  }
  if (/\s/.test(value))
    return refused(
      problem('origin-whitespace', `${show(value)} contains whitespace`, mean(value.replace(/\s+/g, ''))),
    );
  if (value === '*') return accepted({ kind: 'any', source: value });
  if (value.toLowerCase() === 'null') return refused(nullOriginProblem());
  return null;
}

function nullOriginProblem(): PatternProblem {
  return problem(
    'origin-null',
    'the opaque origin "null" cannot be allowed by a pattern: sandboxed iframes, data: and file: documents and redirected requests all send it, so allowing it allows anyone',
    "use origins: '*' (without credentials) if such pages must read the response",
  );
}

/**
 * Most patterns are plain, already-canonical `http(s)://[*.]name.tld[:port]`: recognised with one
 * regex, so a million patterns compile in seconds. Anything unusual (punycode, IPs, numeric last
 * labels, odd ports) falls through to the full checks above, which give the same verdict.
 */
const SIMPLE_PATTERN =
  /^(https?):\/\/(\*\.)?((?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z](?:[a-z-]{0,61}[a-z])?)(?::(\*|[1-9]\d{0,4}))?$/;

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
  if (kind === 'subdomains' && isPublicSuffix(host)) return null;
  const insecure = scheme === 'http' && !isLoopbackHost(host);
  return { kind, source: value, scheme, host, hostKind: 'domain', port, insecure };
}

/** Message and hint for an `http:` pattern on a non-loopback host. */
export function insecureProblem(
  pattern: { source: string; scheme: string; host: string; port: number | null | '*' },
  kind: 'exact' | 'subdomains',
): PatternProblem {
  const https = `https://${kind === 'subdomains' ? '*.' : ''}${pattern.host}${pattern.port === null || pattern.port === 80 ? '' : `:${pattern.port}`}`;
  return {
    code: 'origin-insecure',
    message: `${show(pattern.source)}: http is only allowed for loopback hosts (localhost, 127.0.0.0/8, [::1])`,
    hint: `did you mean ${https}? (or set allowInsecureOrigins: true)`,
    suggestion: https,
    option: 'allowInsecureOrigins',
  };
}
