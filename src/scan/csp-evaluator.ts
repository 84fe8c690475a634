/**
 * CSP checks compatible with Google's CSP Evaluator: the same finding types and severity order
 * (HIGH < SYNTAX < MEDIUM < HIGH_MAYBE < STRICT_CSP < MEDIUM_MAYBE < INFO). Comma-joined policies are
 * evaluated one by one, and the `-elem`/`-attr` script directives count. The JSONP/AngularJS bypass
 * host lists are not shipped: allowlisted hosts are reported at MEDIUM_MAYBE, as for unknown hosts.
 */
import { effective, parseCsp } from './csp-parse.js';

export type CspSeverity = 'HIGH' | 'SYNTAX' | 'MEDIUM' | 'HIGH_MAYBE' | 'STRICT_CSP' | 'MEDIUM_MAYBE' | 'INFO' | 'NONE';
export const CSP_SEVERITY_ORDER: CspSeverity[] = ['HIGH', 'SYNTAX', 'MEDIUM', 'HIGH_MAYBE', 'STRICT_CSP', 'MEDIUM_MAYBE', 'INFO', 'NONE'];

export interface CspFinding {
  type: string;
  severity: CspSeverity;
  directive: string;
  value?: string;
  description: string;
  /** Which policy of a comma-joined header (0-based). */
  policy: number;
}

const KNOWN = new Set([
  'child-src', 'connect-src', 'default-src', 'font-src', 'frame-src', 'img-src', 'manifest-src', 'media-src', 'object-src',
  'script-src', 'script-src-attr', 'script-src-elem', 'style-src', 'style-src-attr', 'style-src-elem', 'worker-src',
  'base-uri', 'plugin-types', 'sandbox', 'form-action', 'frame-ancestors', 'navigate-to', 'report-uri', 'report-to',
  'upgrade-insecure-requests', 'block-all-mixed-content', 'require-trusted-types-for', 'trusted-types', 'fenced-frame-src',
  'reflected-xss', 'referrer', 'disown-opener', 'prefetch-src', 'require-sri-for',
]);
const DEPRECATED = new Set(['reflected-xss', 'referrer', 'disown-opener', 'prefetch-src']);
const KEYWORDS = new Set(["'self'", "'none'", "'unsafe-inline'", "'unsafe-eval'", "'strict-dynamic'", "'unsafe-hashes'", "'report-sample'", "'unsafe-allow-redirects'", "'wasm-unsafe-eval'", "'inline-speculation-rules'", "'trusted-types-eval'", "'allow-duplicates'", "'script'"]);
const SCRIPT_DIRECTIVES = ['script-src', 'script-src-attr', 'script-src-elem'];

export function evaluateCsp(header: string): CspFinding[] {
  const findings: CspFinding[] = [];
  parseCsp(header).forEach((policy, index) => {
    const add = (type: string, severity: CspSeverity, directive: string, description: string, value?: string) =>
      findings.push({ type, severity, directive, description, policy: index, ...(value !== undefined ? { value } : {}) });
    for (const [name, values] of policy.directives) {
      if (!KNOWN.has(name)) add('UNKNOWN_DIRECTIVE', 'SYNTAX', name, `Directive "${name}" is not a known CSP directive.`);
      if (DEPRECATED.has(name)) add('DEPRECATED_DIRECTIVE', 'INFO', name, `${name} is deprecated.`);
      for (const v of values) {
        const lv = v.toLowerCase();
        if (KNOWN.has(lv.replace(/:$/, ''))) add('MISSING_SEMICOLON', 'SYNTAX', name, `Did you forget the semicolon? "${v}" seems to be a directive, not a value.`, v);
        else if (lv.startsWith("'") && !KEYWORDS.has(lv) && !/^'(nonce|sha256|sha384|sha512)-/.test(lv)) add('INVALID_KEYWORD', 'SYNTAX', name, `${v} seems to be an invalid CSP keyword.`, v);
        else if (['self', 'none', 'unsafe-inline', 'unsafe-eval', 'strict-dynamic'].includes(lv) || /^(nonce|sha256|sha384|sha512)-/.test(lv)) add('INVALID_KEYWORD', 'SYNTAX', name, `Did you forget to surround "${v}" with single-ticks?`, v);
        if (lv.startsWith('http://') && name !== 'report-uri') add('SRC_HTTP', 'MEDIUM', name, 'Allow only resources downloaded over HTTPS.', v);
        if (/^(https?:\/\/)?(\d{1,3}\.){3}\d{1,3}(:\d+)?(\/|$)/.test(lv)) add('IP_SOURCE', 'INFO', name, lv.includes('127.0.0.1') ? 'Directive allows localhost as source.' : 'Directives with IP addresses as sources are ignored by browsers.', v);
        const nonce = /^'nonce-(.*)'$/.exec(v);
        if (nonce && nonce[1]!.length < 8) add('NONCE_LENGTH', 'MEDIUM', name, 'Nonces should be at least 8 characters long.', v);
        if (nonce && !/^[A-Za-z0-9+/_-]+={0,2}$/.test(nonce[1]!)) add('NONCE_CHARSET', 'INFO', name, 'Nonces should only use the base64 charset.', v);
      }
    }
    const hasNonceOrHash = (vals: string[]) => vals.some((v) => /^'(nonce|sha256|sha384|sha512)-/i.test(v));
    for (const d of SCRIPT_DIRECTIVES) {
      const vals = effective(policy, d);
      if (!vals) continue;
      const lower = vals.map((v) => v.toLowerCase());
      const strict = lower.includes("'strict-dynamic'");
      if (lower.includes("'unsafe-inline'") && !hasNonceOrHash(vals)) add('SCRIPT_UNSAFE_INLINE', 'HIGH', d, "'unsafe-inline' allows the execution of unsafe in-page scripts and event handlers.", "'unsafe-inline'");
      if (lower.includes("'unsafe-hashes'")) add('SCRIPT_UNSAFE_HASHES', 'MEDIUM_MAYBE', d, "'unsafe-hashes', while safer than 'unsafe-inline', allows the execution of unsafe in-page scripts and event handlers as long as their hashes appear in the CSP.", "'unsafe-hashes'");
      if (lower.includes("'unsafe-eval'")) add('SCRIPT_UNSAFE_EVAL', 'MEDIUM_MAYBE', d, "'unsafe-eval' allows the execution of code injected into DOM APIs such as eval().", "'unsafe-eval'");
      if (strict) continue;
      for (const v of lower) {
        if (v === 'data:' || v === 'http:' || v === 'https:') add('PLAIN_URL_SCHEMES', 'HIGH', d, `${v} URI in ${d} allows the execution of unsafe scripts.`, v);
        else if (v === '*') add('PLAIN_WILDCARD', 'HIGH', d, `${d} should not allow '*' as source`, v);
        else if (v === "'self'") add('SCRIPT_ALLOWLIST_BYPASS', 'MEDIUM_MAYBE', d, "'self' can be problematic if you host JSONP, AngularJS or user uploaded files.", v);
        else if (!v.startsWith("'") && !/^[a-z]+:$/.test(v)) add('SCRIPT_ALLOWLIST_BYPASS', 'MEDIUM_MAYBE', d, `No bypass found; make sure that ${v} doesn't serve JSONP replies or Angular libraries.`, v);
      }
    }
    for (const d of ['object-src', 'base-uri']) {
      const vals = d === 'base-uri' ? policy.directives.get('base-uri') ?? null : effective(policy, d);
      for (const v of (vals ?? []).map((x) => x.toLowerCase())) {
        if (v === 'data:' || v === 'http:' || v === 'https:') add('PLAIN_URL_SCHEMES', 'HIGH', d, `${v} URI in ${d} allows the execution of unsafe scripts.`, v);
        else if (v === '*') add('PLAIN_WILDCARD', 'HIGH', d, `${d} should not allow '*' as source`, v);
      }
    }
    // Plugins: anything but 'none' in the effective object-src (no Flash bypass list is shipped).
    if (!(policy.directives.get('plugin-types')?.length && !policy.directives.get('plugin-types')!.some((v) => v.toLowerCase() === 'application/x-shockwave-flash'))) {
      for (const v of (effective(policy, 'object-src') ?? []).map((x) => x.toLowerCase())) {
        if (v === "'none'" || v === '*' || v === 'data:' || v === 'http:' || v === 'https:') continue;
        add('OBJECT_ALLOWLIST_BYPASS', 'MEDIUM_MAYBE', 'object-src', "Can you restrict object-src to 'none' only?", v);
      }
    }
    const hasDefault = policy.directives.has('default-src');
    if (!policy.directives.has('object-src') && !hasDefault) add('MISSING_DIRECTIVES', 'HIGH', 'object-src', 'Missing object-src allows the injection of plugins which can execute JavaScript. Can you set it to \'none\'?');
    if (!SCRIPT_DIRECTIVES.some((d) => policy.directives.has(d)) && !hasDefault) add('MISSING_DIRECTIVES', 'HIGH', 'script-src', 'script-src directive is missing.');
    const script = effective(policy, 'script-src') ?? [];
    if (!policy.directives.has('base-uri') && (script.some((v) => /^'nonce-/i.test(v)) || (hasNonceOrHash(script) && script.map((v) => v.toLowerCase()).includes("'strict-dynamic'")))) {
      add('MISSING_DIRECTIVES', 'HIGH', 'base-uri', "Missing base-uri allows the injection of base tags. They can be used to set the base URL for all relative (script) URLs to an attacker controlled domain. Can you set it to 'none' or 'self'?");
    }
  });
  return findings.sort((a, b) => CSP_SEVERITY_ORDER.indexOf(a.severity) - CSP_SEVERITY_ORDER.indexOf(b.severity) || a.policy - b.policy);
}
