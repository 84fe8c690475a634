/**
 * Content-Security-Policy as browsers read it (CSP Level 3). The one spec parser: `corsgate explain`
 * uses it to decide connect-src, `corsgate scan` to run the CSP Evaluator checks. Observatory's grading
 * reads policies its own way on purpose (src/scan/observatory/csp.ts says why). Pure.
 */

/** One directive: its lower-cased name, its source expressions, and its value as written. */
export interface CspDirective {
  name: string;
  values: string[];
  /** The value after the name, as written (Chromium quotes `<name> <value>` in its console messages). */
  text: string;
}

export interface CspPolicy {
  /** Directive name → directive; only the first occurrence of a name counts (CSP3 §2.2.1 step 2.4). */
  directives: Map<string, CspDirective>;
  /** Names that appeared again and were ignored. */
  duplicates: string[];
}

const WHITESPACE = /[\t\n\f\r ]+/;
const TRIM = /^[\t\n\f\r ]+|[\t\n\f\r ]+$/g;

/** CSP3 §2.2.1 "Parse a serialized CSP": `;`-separated directives, split on ASCII whitespace. */
export function parsePolicy(serialized: string): CspPolicy {
  const directives = new Map<string, CspDirective>();
  const duplicates: string[] = [];
  for (const token of serialized.split(';')) {
    const trimmed = token.replace(TRIM, '');
    if (trimmed === '') continue;
    const [rawName = '', ...values] = trimmed.split(WHITESPACE);
    const name = rawName.toLowerCase();
    if (directives.has(name)) {
      duplicates.push(name);
      continue;
    }
    directives.set(name, { name, values, text: trimmed.slice(rawName.length).replace(TRIM, '') });
  }
  return { directives, duplicates };
}

/**
 * CSP3 §2.2.2 "Parse response's Content Security Policies": every header value, split on `,` (RFC 9110
 * §5.3 joins repeated headers with commas), each a policy; empty ones are dropped.
 */
export function parsePolicyList(header: string | readonly string[]): CspPolicy[] {
  const values = typeof header === 'string' ? [header] : header;
  return values
    .flatMap((v) => v.split(','))
    .map(parsePolicy)
    .filter((p) => p.directives.size > 0);
}

/** CSP3 §6.8.3 "Get the fallback list": the directives that govern a fetch directive, in order. */
const FALLBACKS: Record<string, readonly string[]> = {
  'script-src-elem': ['script-src-elem', 'script-src', 'default-src'],
  'script-src-attr': ['script-src-attr', 'script-src', 'default-src'],
  'style-src-elem': ['style-src-elem', 'style-src', 'default-src'],
  'style-src-attr': ['style-src-attr', 'style-src', 'default-src'],
  'worker-src': ['worker-src', 'child-src', 'script-src', 'default-src'],
  'connect-src': ['connect-src', 'default-src'],
  'manifest-src': ['manifest-src', 'default-src'],
  'object-src': ['object-src', 'default-src'],
  'frame-src': ['frame-src', 'child-src', 'default-src'],
  'media-src': ['media-src', 'default-src'],
  'font-src': ['font-src', 'default-src'],
  'img-src': ['img-src', 'default-src'],
  'style-src': ['style-src', 'default-src'],
  'script-src': ['script-src', 'default-src'],
  'child-src': ['child-src', 'default-src'],
};

/**
 * The directive of `policy` that actually governs `name` (following the fallback list), or null when
 * nothing restricts it. Non-fetch directives (base-uri, form-action…) govern only themselves.
 */
export function governingDirective(policy: CspPolicy, name: string): CspDirective | null {
  for (const candidate of FALLBACKS[name] ?? [name]) {
    const d = policy.directives.get(candidate);
    if (d !== undefined) return d;
  }
  return null;
}

/** Keywords, nonces and hashes are matched ASCII case-insensitively (CSP3 §2.3.1 grammar). */
const KEYWORD = /^'[a-z-]+'$/i;
const SCHEME_SOURCE = /^[a-z][a-z0-9+.-]*:$/i;

/** A source expression with its case-insensitive parts lower-cased: keywords and bare schemes. */
export function normalizeSource(value: string): string {
  // A nonce's or hash's value is case-sensitive; only its prefix is not.
  const nonceOrHash = /^'(nonce|sha256|sha384|sha512)-/i.exec(value);
  if (nonceOrHash) return `'${nonceOrHash[1]!.toLowerCase()}-${value.slice(nonceOrHash[0].length)}`;
  return KEYWORD.test(value) || SCHEME_SOURCE.test(value) ? value.toLowerCase() : value;
}

/** CSP3 §2.3.1 nonce-source and hash-source: base64 or base64url values, at most two `=`. */
export const NONCE_SOURCE = /^'nonce-[A-Za-z0-9+/_-]+={0,2}'$/i;
export const HASH_SOURCE = /^'(?:sha256|sha384|sha512)-[A-Za-z0-9+/_-]+={0,2}'$/i;

export function isSchemeSource(value: string): boolean {
  return SCHEME_SOURCE.test(value);
}

/**
 * The host of a host-source (`https://a.example:8443/x`, `//a.example`, `*.example`, `[::1]`), with
 * IPv6 brackets kept; null for keywords, nonces, hashes and bare schemes.
 */
export function hostOfSource(value: string): string | null {
  if (value.startsWith("'") || SCHEME_SOURCE.test(value)) return null;
  const rest = value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^\/\//, '');
  const m = /^(\[[^\]]*\]|[^/:?#]*)/.exec(rest);
  return m && m[1] !== '' ? m[1]!.toLowerCase() : null;
}
