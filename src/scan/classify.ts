/**
 * From probe answers to findings. Pure. ACAO is compared byte for byte with the probe's Origin and
 * ACAC must be exactly `true`. Every matching class is reported, except that a server reflecting any
 * origin gets `origin-reflected` alone for the classes that reflection already implies.
 */
import type { PolicyOptions } from '../policy/types.js';
import type { Probe, ProbeClass, Target } from './probes.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export interface ProbeResult {
  probe: Probe;
  url: string;
  status: number;
  /** Response headers, lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  error?: string;
}

export interface Finding {
  id: string;
  severity: Severity;
  title: string;
  probe: { method: string; url: string; headers: Record<string, string> };
  evidence: { status: number; headers: Record<string, string> };
  credentials: boolean;
  fix: { text: string; policy?: PolicyOptions };
}

/** Severity with credentials allowed; without them each drops one level. */
const BASE: Record<string, { severity: Severity; title: string }> = {
  'origin-reflected': { severity: 'critical', title: 'Any origin is reflected' },
  'null-origin-trusted': { severity: 'high', title: "The 'null' origin is trusted" },
  'prefix-match': { severity: 'high', title: "Origins that start with the site's host are trusted" },
  'suffix-match': { severity: 'high', title: "Origins that end with the site's domain are trusted" },
  'unescaped-dot': { severity: 'high', title: 'A regex with an unescaped dot lets look-alike hosts through' },
  'substring-match': { severity: 'high', title: "Origins contained in the site's domain are trusted" },
  'special-char-bypass': { severity: 'high', title: 'Special characters in the host bypass the origin check' },
  'any-subdomain-trusted': { severity: 'medium', title: 'Every subdomain is trusted' },
  'insecure-origin-trusted': { severity: 'high', title: 'An https site trusts an http origin' },
  'third-party-origin-trusted': { severity: 'high', title: 'An origin where anyone can publish code is trusted' },
  'localhost-prefix-trusted': { severity: 'high', title: 'localhost.<attacker> is trusted' },
  'wildcard-origin': { severity: 'low', title: 'Any origin may read responses (*)' },
  'invalid-acao': { severity: 'low', title: 'Access-Control-Allow-Origin has an invalid value' },
  'missing-vary-origin': { severity: 'medium', title: 'The allowed origin changes with Origin but Vary lacks Origin' },
  'origin-header-injection': { severity: 'high', title: 'Control characters in Origin are reflected unsanitised' },
  'permissive-preflight': { severity: 'high', title: 'Preflights grant any requested method or header, with credentials' },
};

/** Classes that an origin-reflecting server matches anyway: reported once, as origin-reflected. */
const IMPLIED_BY_REFLECTION = new Set<ProbeClass>(['prefix-match', 'suffix-match', 'unescaped-dot', 'substring-match', 'special-char-bypass', 'any-subdomain-trusted', 'third-party-origin-trusted', 'localhost-prefix-trusted']);

function drop(severity: Severity): Severity {
  return SEVERITIES[Math.min(SEVERITIES.indexOf(severity) + 1, SEVERITIES.length - 1)]!;
}

const RELEVANT = ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-expose-headers', 'vary', 'location'];

function evidenceOf(r: ProbeResult): Finding['evidence'] {
  const headers: Record<string, string> = {};
  for (const n of RELEVANT) if (r.headers[n] !== undefined) headers[n] = r.headers[n]!;
  return { status: r.status, headers };
}

function fixFor(id: string, target: Target, legit: string[], credentials: boolean): Finding['fix'] {
  const origins = legit.length ? legit : [`https://app.${target.domain}`];
  const policy: PolicyOptions = { origins, ...(credentials ? { credentials: true } : {}) };
  const byId: Record<string, string> = {
    'origin-reflected': 'Never echo the Origin header back unchecked: compare it with an explicit allowlist of exact origins.',
    'null-origin-trusted': "Remove 'null' from the allowlist: sandboxed iframes, data: and file: pages of any site send it.",
    'prefix-match': 'Compare whole origins (scheme, host and port) for equality; never use startsWith on the Origin.',
    'suffix-match': 'Match subdomains on a label boundary (".example.com"), never with a bare endsWith("example.com"); better, list exact origins or use a validated pattern such as https://*.example.com.',
    'unescaped-dot': 'Escape dots and anchor any origin regex (^https://app\\.example\\.com$), or use exact origins instead of regexes.',
    'substring-match': 'Never test the Origin with includes/indexOf: compare whole origins.',
    'special-char-bypass': 'Parse the Origin as a URL and compare the serialized origin exactly; do not rely on a regex that stops at unusual characters.',
    'any-subdomain-trusted': 'Trust only the subdomains that need access, not every subdomain: one XSS or dangling DNS record on any of them exposes this API.',
    'insecure-origin-trusted': 'Trust only https:// origins: a network attacker can inject script into any http:// page.',
    'third-party-origin-trusted': 'Remove shared hosting origins (github.io, codepen.io, …) from the allowlist: anyone can publish there.',
    'localhost-prefix-trusted': 'Anchor localhost checks: allow http://localhost:<port> exactly, not anything starting with "localhost".',
    'wildcard-origin': "'*' lets every website read these responses; keep it for truly public data, otherwise list the origins.",
    'invalid-acao': 'Send exactly one origin (or * without credentials): browsers reject several values, "*" with credentials and malformed values.',
    'missing-vary-origin': 'Add Vary: Origin to every response whose Access-Control-Allow-Origin depends on the request, or caches will serve one origin\'s answer to another.',
    'origin-header-injection': 'Validate the Origin before using it in a response header: reject anything that is not exactly scheme://host[:port].',
    'permissive-preflight': 'Grant only the methods and headers the API needs; never echo Access-Control-Request-Method/-Headers wholesale when credentials are allowed.',
  };
  return { text: `${byId[id] ?? ''} corsgate policy: ${JSON.stringify(policy)}`, policy };
}

function varyHasOrigin(headers: Record<string, string>): boolean {
  const v = headers.vary;
  if (!v) return false;
  return v.split(',').some((t) => ['origin', '*'].includes(t.trim().toLowerCase()));
}

function isValidAcao(value: string): boolean {
  if (value === '*' || value === 'null') return true;
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

export function classify(target: Target, results: ProbeResult[], legitOrigins: string[] = []): Finding[] {
  const found = new Map<string, Finding>();
  const add = (id: string, r: ProbeResult, credentials: boolean) => {
    if (found.has(id)) return;
    const base = BASE[id]!;
    found.set(id, {
      id,
      severity: credentials ? base.severity : drop(base.severity),
      title: base.title,
      probe: { method: r.probe.method, url: r.url, headers: r.probe.headers },
      evidence: evidenceOf(r),
      credentials,
      fix: fixFor(id, target, legitOrigins, credentials),
    });
  };
  const ok = results.filter((r) => r.error === undefined);
  const acaoOf = (r: ProbeResult) => r.headers['access-control-allow-origin'];
  const credOf = (r: ProbeResult) => r.headers['access-control-allow-credentials'] === 'true';
  const gets = ok.filter((r) => r.probe.method === 'GET');

  const reflected = gets.some((r) => r.probe.class === 'origin-reflected' && acaoOf(r) === r.probe.origin);
  for (const r of gets) {
    const cls = r.probe.class;
    if (cls === 'own-origin' || cls === 'legit-origin' || cls === 'origin-header-injection') continue;
    if (acaoOf(r) !== r.probe.origin) continue;
    if (reflected && IMPLIED_BY_REFLECTION.has(cls)) continue;
    add(cls, r, credOf(r));
  }
  // Control characters reflected, or a header injected.
  for (const r of gets.filter((x) => x.probe.class === 'origin-header-injection')) {
    const acao = acaoOf(r) ?? '';
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x08\x09\x0a-\x1f\x7f]/.test(acao) || r.headers['x-injected'] !== undefined) add('origin-header-injection', r, credOf(r));
  }
  // `*`, and values browsers reject.
  for (const r of ok) {
    const acao = acaoOf(r);
    if (acao === undefined) continue;
    if (acao.trim() === '*' && credOf(r)) add('invalid-acao', r, true);
    else if (acao.trim() === '*') add('wildcard-origin', r, false);
    else if (acao.includes(',') || acao.trim().includes(' ') || !isValidAcao(acao.trim())) {
      if (r.probe.class !== 'origin-header-injection') add('invalid-acao', r, credOf(r));
    }
  }
  // A dynamic Access-Control-Allow-Origin needs Vary: Origin.
  const values = new Set(gets.map((r) => acaoOf(r) ?? ''));
  if (values.size > 1) {
    const unvaried = gets.find((r) => acaoOf(r) !== undefined && acaoOf(r)!.trim() !== '*' && !varyHasOrigin(r.headers));
    if (unvaried) add('missing-vary-origin', unvaried, credOf(unvaried));
  }
  // Preflights that grant whatever is asked, with credentials.
  for (const r of ok.filter((x) => x.probe.method === 'OPTIONS' && credOf(x))) {
    const method = r.probe.headers['Access-Control-Request-Method']!;
    const header = r.probe.headers['Access-Control-Request-Headers']!;
    const acam = (r.headers['access-control-allow-methods'] ?? '').split(',').map((t) => t.trim());
    const acah = (r.headers['access-control-allow-headers'] ?? '').split(',').map((t) => t.trim().toLowerCase());
    const wholesale = (method !== 'DELETE' && acam.includes(method)) || acam.includes('*') || acah.includes(header.toLowerCase()) || acah.includes('*');
    if (wholesale) add('permissive-preflight', r, true);
  }
  const order = Object.keys(BASE);
  return [...found.values()].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || order.indexOf(a.id) - order.indexOf(b.id));
}
