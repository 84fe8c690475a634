/**
 * The CSP Evaluator checks, one plain function each, as Google's CSP Evaluator keeps them
 * (checks/security_checks.ts, checks/parser_checks.ts): each reads one policy and returns its findings.
 * Parser checks read the policy as written; security checks read it as a CSP3 browser enforces it.
 */
import { hostOfSource, isSchemeSource, HASH_SOURCE, NONCE_SOURCE } from 'corsgate/internal/csp/parse.js';
import { ANGULAR_URLS, FLASH_URLS, JSONP_NEEDS_EVAL, JSONP_URLS } from './csp-bypasses.js';

export type CspSeverity = 'HIGH' | 'SYNTAX' | 'MEDIUM' | 'HIGH_MAYBE' | 'STRICT_CSP' | 'MEDIUM_MAYBE' | 'INFO' | 'NONE';
export const CSP_SEVERITY_ORDER: CspSeverity[] = ['HIGH', 'SYNTAX', 'MEDIUM', 'HIGH_MAYBE', 'STRICT_CSP', 'MEDIUM_MAYBE', 'INFO', 'NONE'];

/** One finding of a check, as CSP Evaluator's Finding (finding.ts). */
export interface CspFinding {
  type: string;
  severity: CspSeverity;
  directive: string;
  value?: string;
  description: string;
  /** Which policy of a comma-joined header (0-based). */
  policy: number;
}

export interface PolicyView {
  /** Directive → normalized values, as written. */
  parsed: Map<string, string[]>;
  /** The same, with what a CSP3 browser ignores removed (nonces and hashes cancel 'unsafe-inline', …). */
  effective: Map<string, string[]>;
}

export type CheckFinding = Omit<CspFinding, 'policy'>;
export type CspCheck = (policy: PolicyView) => CheckFinding[];

export const SCRIPT_DIRECTIVES = ['script-src', 'script-src-attr', 'script-src-elem'] as const;
/** Directives whose weakness allows script execution. */
const XSS_DIRECTIVES = [...SCRIPT_DIRECTIVES, 'object-src', 'base-uri'];

/** CSP3 §6.8.3 fallback lists, for the directives these checks look at. */
const FALLBACK: Record<string, string[]> = {
  'script-src': ['script-src', 'default-src'],
  'script-src-attr': ['script-src-attr', 'script-src', 'default-src'],
  'script-src-elem': ['script-src-elem', 'script-src', 'default-src'],
  'object-src': ['object-src', 'default-src'],
};

/**
 * The directives that actually hold the values for `names` (each followed to its fallback), each once,
 * so a finding about values inherited from default-src is reported once, under default-src.
 */
function governing(csp: Map<string, string[]>, names: readonly string[]): string[] {
  const out = new Set<string>();
  for (const name of names) {
    const found = (FALLBACK[name] ?? [name]).find((d) => csp.has(d));
    if (found !== undefined) out.add(found);
  }
  return [...out];
}

const finding = (type: string, severity: CspFinding['severity'], directive: string, description: string, value?: string): CheckFinding =>
  ({ type, severity, directive, description, ...(value !== undefined ? { value } : {}) });

/** Drops the scheme (`https://`) or the protocol-relative `//` of a source. */
function schemeFree(value: string): string {
  return value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^\/\//, '');
}

export const checkScriptUnsafeInline: CspCheck = ({ effective }) =>
  governing(effective, SCRIPT_DIRECTIVES).flatMap((d) => {
    const values = effective.get(d)!;
    return [
      ...(values.includes("'unsafe-inline'") ? [finding('SCRIPT_UNSAFE_INLINE', 'HIGH', d, "'unsafe-inline' allows the execution of unsafe in-page scripts and event handlers.", "'unsafe-inline'")] : []),
      ...(values.includes("'unsafe-hashes'") ? [finding('SCRIPT_UNSAFE_HASHES', 'MEDIUM_MAYBE', d, "'unsafe-hashes' still runs the in-page event handlers whose hashes the policy lists: move them into script files if possible.", "'unsafe-hashes'")] : []),
    ];
  });

export const checkScriptUnsafeEval: CspCheck = ({ effective }) =>
  governing(effective, SCRIPT_DIRECTIVES)
    .filter((d) => effective.get(d)!.includes("'unsafe-eval'"))
    .map((d) => finding('SCRIPT_UNSAFE_EVAL', 'MEDIUM_MAYBE', d, "'unsafe-eval' allows the execution of code injected into DOM APIs such as eval().", "'unsafe-eval'"));

export const checkPlainUrlSchemes: CspCheck = ({ effective }) =>
  governing(effective, XSS_DIRECTIVES).flatMap((d) =>
    effective.get(d)!.filter((v) => v === 'data:' || v === 'http:' || v === 'https:')
      .map((v) => finding('PLAIN_URL_SCHEMES', 'HIGH', d, `${v} URI in ${d} allows the execution of unsafe scripts.`, v)));

/** `*`, `http://*`, `https://*` and `//*` all mean any host. */
export const checkWildcards: CspCheck = ({ effective }) =>
  governing(effective, XSS_DIRECTIVES).flatMap((d) =>
    effective.get(d)!.filter((v) => schemeFree(v) === '*').map((v) => finding('PLAIN_WILDCARD', 'HIGH', d, `${d} should not allow '*' as source`, v)));

export const checkMissingDirectives: CspCheck = ({ effective }) => {
  const out: CheckFinding[] = [];
  const objects = effective.get('object-src') ?? effective.get('default-src');
  if (!objects?.length) out.push(finding('MISSING_DIRECTIVES', 'HIGH', 'object-src', "Missing object-src allows the injection of plugins which can execute JavaScript. Can you set it to 'none'?"));
  if (!effective.has('script-src') && !effective.has('default-src')) out.push(finding('MISSING_DIRECTIVES', 'HIGH', 'script-src', 'script-src directive is missing.'));
  // A base tag can point relative script URLs at an attacker: it defeats nonces, and hashes with 'strict-dynamic'.
  const script = effective.get(governing(effective, ['script-src'])[0] ?? '') ?? [];
  const nonces = script.some((v) => NONCE_SOURCE.test(v));
  const hashes = script.some((v) => HASH_SOURCE.test(v));
  if ((nonces || (hashes && script.includes("'strict-dynamic'"))) && !effective.has('base-uri')) {
    out.push(finding('MISSING_DIRECTIVES', 'HIGH', 'base-uri', "Missing base-uri allows the injection of base tags. They can be used to set the base URL for all relative (script) URLs to an attacker controlled domain. Can you set it to 'none' or 'self'?"));
  }
  return out;
};

/** The first listed URL a source expression allows (CSP3 §6.7.2.8 host and §6.7.2.10 path matching). */
function firstAllowed(source: string, urls: readonly string[]): URL | null {
  const m = /^(\*\.)?([^/:]+)(?::[^/]*)?(\/.*)?$/.exec(schemeFree(source).toLowerCase());
  if (!m) return null;
  const [, wildcard, host, path] = m;
  for (const raw of urls) {
    const url = new URL(`https:${raw}`);
    const domain = url.hostname;
    if (wildcard ? !domain.endsWith(`.${host}`) : domain !== host) continue;
    if (path !== undefined && path !== '/' && (path.endsWith('/') ? !url.pathname.startsWith(path) : url.pathname !== path)) continue;
    return url;
  }
  return null;
}

/** Allowlisted script hosts: HIGH when a known JSONP endpoint or AngularJS copy lives there. */
export const checkScriptAllowlistBypass: CspCheck = ({ effective }) =>
  governing(effective, ['script-src', 'script-src-elem']).flatMap((d) => {
    const values = effective.get(d)!;
    if (values.includes("'none'")) return [];
    return values.flatMap((v): CheckFinding[] => {
      if (v === "'self'") return [finding('SCRIPT_ALLOWLIST_BYPASS', 'MEDIUM_MAYBE', d, "'self' can be problematic if you host JSONP, AngularJS or user uploaded files.", v)];
      if (v.startsWith("'") || isSchemeSource(v) || !v.includes('.')) return [];
      const angular = firstAllowed(v, ANGULAR_URLS);
      let jsonp = firstAllowed(v, JSONP_URLS);
      if (jsonp && JSONP_NEEDS_EVAL.includes(jsonp.hostname) && !values.includes("'unsafe-eval'")) jsonp = null;
      if (!jsonp && !angular) return [finding('SCRIPT_ALLOWLIST_BYPASS', 'MEDIUM_MAYBE', d, "No bypass found; make sure that this URL doesn't serve JSONP replies or Angular libraries.", v)];
      const what = [jsonp ? 'JSONP endpoints' : '', angular ? 'Angular libraries' : ''].filter(Boolean).join(' and ');
      return [finding('SCRIPT_ALLOWLIST_BYPASS', 'HIGH', d, `${(angular ?? jsonp)!.hostname} is known to host ${what} which allow bypassing this CSP.`, v)];
    });
  });

/** Allowlisted plugin hosts: HIGH for a known Flash bypass; otherwise ask for object-src 'none'. */
export const checkFlashObjectAllowlistBypass: CspCheck = ({ effective }) => {
  const d = governing(effective, ['object-src'])[0];
  const values = d === undefined ? [] : effective.get(d)!;
  const pluginTypes = effective.get('plugin-types');
  if (pluginTypes && !pluginTypes.includes('application/x-shockwave-flash')) return [];
  if (values.includes("'none'")) return [];
  return values.flatMap((v): CheckFinding[] => {
    const flash = firstAllowed(v, FLASH_URLS);
    if (flash) return [finding('OBJECT_ALLOWLIST_BYPASS', 'HIGH', d!, `${flash.hostname} is known to host Flash files which allow bypassing this CSP.`, v)];
    return d === 'object-src' ? [finding('OBJECT_ALLOWLIST_BYPASS', 'MEDIUM_MAYBE', d, "Can you restrict object-src to 'none' only?", v)] : [];
  });
};

/** IPv4 literals, and anything bracketed (IPv6), in any directive. */
export const checkIpSource: CspCheck = ({ effective }) =>
  [...effective].flatMap(([d, values]) => values.flatMap((v) => {
    const host = hostOfSource(v);
    if (host === null || !(/^\[.*\]$/.test(host) || /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host))) return [];
    return [host === '127.0.0.1'
      ? finding('IP_SOURCE', 'INFO', d, `${d} allows localhost as a source: remove it in production.`, v)
      : finding('IP_SOURCE', 'INFO', d, `${d} has an IP address as a source (${host}): browsers ignore it.`, v)];
  }));

const DEPRECATED: Record<string, string> = {
  'reflected-xss': 'reflected-xss is deprecated since CSP2: send X-XSS-Protection instead.',
  referrer: 'referrer is deprecated since CSP2: send Referrer-Policy instead.',
  'disown-opener': 'disown-opener is deprecated since CSP3: send Cross-Origin-Opener-Policy instead.',
  'prefetch-src': 'prefetch-src is deprecated: browsers no longer enforce it.',
};

export const checkDeprecatedDirective: CspCheck = ({ parsed }) =>
  Object.keys(DEPRECATED).filter((d) => parsed.has(d)).map((d) => finding('DEPRECATED_DIRECTIVE', 'INFO', d, DEPRECATED[d]!));

export const checkNonceLength: CspCheck = ({ effective }) =>
  [...effective].flatMap(([d, values]) => values.flatMap((v) => {
    const nonce = /^'nonce-(.+)'$/.exec(v);
    if (!nonce) return [];
    return [
      ...(nonce[1]!.length < 8 ? [finding('NONCE_LENGTH', 'MEDIUM', d, 'Nonces should be at least 8 characters long.', v)] : []),
      ...(!NONCE_SOURCE.test(v) ? [finding('NONCE_CHARSET', 'INFO', d, 'Nonces should only use the base64 charset.', v)] : []),
    ];
  }));

/** Any http:// source, and an http:// report-uri (reports then travel in clear). */
export const checkSrcHttp: CspCheck = ({ effective }) =>
  [...effective].flatMap(([d, values]) => values.filter((v) => /^http:\/\//i.test(v)).map((v) =>
    finding('SRC_HTTP', 'MEDIUM', d, d === 'report-uri' ? 'Use HTTPS to send violation reports securely.' : 'Allow only resources downloaded over HTTPS.', v)));

/** Directive names of CSP3 and its extensions (Trusted Types, Fenced Frames), plus the deprecated ones. */
export const KNOWN_DIRECTIVES = new Set([
  'child-src', 'connect-src', 'default-src', 'font-src', 'frame-src', 'img-src', 'manifest-src', 'media-src', 'object-src',
  'script-src', 'script-src-attr', 'script-src-elem', 'style-src', 'style-src-attr', 'style-src-elem', 'worker-src',
  'base-uri', 'plugin-types', 'sandbox', 'form-action', 'frame-ancestors', 'navigate-to', 'report-uri', 'report-to',
  'upgrade-insecure-requests', 'block-all-mixed-content', 'require-trusted-types-for', 'trusted-types', 'fenced-frame-src',
  'require-sri-for', 'webrtc', ...Object.keys(DEPRECATED),
]);

export const checkUnknownDirective: CspCheck = ({ parsed }) =>
  [...parsed.keys()].filter((d) => !KNOWN_DIRECTIVES.has(d)).map((d) =>
    finding('UNKNOWN_DIRECTIVE', 'SYNTAX', d, d.endsWith(':') ? "CSP directives don't end with a colon." : `Directive "${d}" is not a known CSP directive.`));

export const checkMissingSemicolon: CspCheck = ({ parsed }) =>
  [...parsed].flatMap(([d, values]) => values.filter((v) => KNOWN_DIRECTIVES.has(v.toLowerCase())).map((v) =>
    finding('MISSING_SEMICOLON', 'SYNTAX', d, `Did you forget the semicolon? "${v}" seems to be a directive, not a value.`, v)));

const KEYWORDS = new Set(["'self'", "'none'", "'unsafe-inline'", "'unsafe-eval'", "'wasm-eval'", "'wasm-unsafe-eval'", "'strict-dynamic'", "'unsafe-hashed-attributes'", "'unsafe-hashes'", "'report-sample'", "'block'", "'allow'", "'inline-speculation-rules'", "'trusted-types-eval'", "'unsafe-allow-redirects'"]);
const KEYWORDS_WITHOUT_TICKS = new Set([...KEYWORDS].map((k) => k.slice(1, -1)));

/** Keywords without their quotes, unknown quoted tokens, and malformed nonces and hashes. */
export const checkInvalidKeyword: CspCheck = ({ parsed }) =>
  [...parsed].flatMap(([d, values]) => values.flatMap((v): CheckFinding[] => {
    const lv = v.toLowerCase();
    if (KEYWORDS_WITHOUT_TICKS.has(lv) || /^(nonce|sha256|sha384|sha512)-/.test(lv)) return [finding('INVALID_KEYWORD', 'SYNTAX', d, `Did you forget to surround "${v}" with single-ticks?`, v)];
    if (!v.startsWith("'")) return [];
    // Trusted Types have keywords of their own, valid in their directive only.
    if (d === 'require-trusted-types-for' ? lv === "'script'" : d === 'trusted-types' ? lv === "'allow-duplicates'" || lv === "'none'" : KEYWORDS.has(lv) || NONCE_SOURCE.test(v) || HASH_SOURCE.test(v)) return [];
    return [finding('INVALID_KEYWORD', 'SYNTAX', d, `${v} seems to be an invalid CSP keyword.`, v)];
  }));

/** The peer's default checks (evaluator.ts DEFAULT_CHECKS), in its order. */
export const DEFAULT_CHECKS: readonly CspCheck[] = [
  checkScriptUnsafeInline, checkScriptUnsafeEval, checkPlainUrlSchemes, checkWildcards, checkMissingDirectives,
  checkScriptAllowlistBypass, checkFlashObjectAllowlistBypass, checkIpSource, checkNonceLength, checkSrcHttp,
  checkDeprecatedDirective, checkUnknownDirective, checkMissingSemicolon, checkInvalidKeyword,
];
