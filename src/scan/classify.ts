/**
 * From probe answers to findings. Pure. ACAO is compared byte for byte with the probe's Origin and
 * ACAC must be exactly `true` (Fetch §3.2.5 "CORS check"). Every class that matches is reported, once,
 * with its worst instance, except that a server reflecting any origin gets `origin-reflected` alone
 * for the look-alike classes it implies (prefix, suffix, dot, substring, special characters, any
 * subdomain, third parties, localhost); independent classes are still reported.
 */
import type { PolicyOptions } from '../policy/types.js';
import { hostOfOrigin, isThirdPartyHost, type ProbeClass, type ProbeResult, type Target } from './probes.js';
import { drop, SEVERITIES, type Severity } from './severity.js';

export { SEVERITIES, type Severity } from './severity.js';
export type { ProbeResult } from './probes.js';

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
  'prefix-match': { severity: 'high', title: "Origins that start with a trusted host are trusted (<host>.attacker.tld)" },
  'suffix-match': { severity: 'high', title: "Origins that end with the site's domain are trusted (attacker<domain>)" },
  'unescaped-dot': { severity: 'high', title: 'A regex with an unescaped dot lets look-alike hosts through' },
  'substring-match': { severity: 'high', title: 'Origins are matched as substrings, not compared whole' },
  'special-char-bypass': { severity: 'high', title: 'Special characters in the host bypass the origin check' },
  'any-subdomain-trusted': { severity: 'medium', title: 'Every subdomain is trusted' },
  'insecure-origin-trusted': { severity: 'medium', title: 'An https site trusts an http origin' },
  'third-party-origin-trusted': { severity: 'high', title: 'An origin where anyone can publish code is trusted' },
  'localhost-prefix-trusted': { severity: 'high', title: 'localhost.<attacker> is trusted' },
  'wildcard-origin': { severity: 'low', title: 'Any origin may read responses (*)' },
  'invalid-acao': { severity: 'low', title: 'Access-Control-Allow-Origin has an invalid value' },
  'missing-vary-origin': { severity: 'medium', title: 'The allowed origin changes with Origin but Vary lacks Origin' },
  'origin-header-injection': { severity: 'medium', title: 'Control characters in Origin are reflected unsanitised' },
  'permissive-preflight': { severity: 'medium', title: 'Preflights grant any requested method or header, with credentials' },
};

export const FINDING_IDS = Object.keys(BASE);

/** Classes named after an attacker-chosen host, which a broader class can explain. */
const LOOK_ALIKES = new Set<ProbeClass>(['prefix-match', 'suffix-match', 'unescaped-dot', 'substring-match', 'special-char-bypass', 'any-subdomain-trusted', 'third-party-origin-trusted', 'localhost-prefix-trusted']);

const RELEVANT = ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-expose-headers', 'vary', 'location'];

function evidenceOf(r: ProbeResult): Finding['evidence'] {
  const headers: Record<string, string> = {};
  for (const n of RELEVANT) if (r.headers[n] !== undefined) headers[n] = r.headers[n]!;
  return { status: r.status, headers };
}

const FIX_TEXT: Record<string, string> = {
  'origin-reflected': 'Never echo the Origin header back unchecked: compare it with an explicit allowlist of exact origins.',
  'null-origin-trusted': "Remove 'null' from the allowlist: sandboxed iframes, data: and file: pages of any site send it.",
  'prefix-match': 'Compare whole origins (scheme, host and port) for equality; never use startsWith on the Origin.',
  'suffix-match': 'Match subdomains on a label boundary (".example.com"), never with a bare endsWith("example.com"); better, list exact origins or use a validated pattern such as https://*.example.com.',
  'unescaped-dot': 'Escape dots and anchor any origin regex (^https://app\\.example\\.com$), or use exact origins instead of regexes.',
  'substring-match': 'Never test the Origin with includes/indexOf or an unanchored regex: compare whole origins.',
  'special-char-bypass': 'Parse the Origin as a URL and compare the serialized origin exactly; do not rely on a regex that stops at unusual characters.',
  'any-subdomain-trusted': 'Trust only the subdomains that need access, not every subdomain: one XSS or dangling DNS record on any of them exposes this API.',
  'insecure-origin-trusted': 'Trust only https:// origins: a network attacker can inject script into any http:// page.',
  'third-party-origin-trusted': 'Remove shared hosting origins (github.io, codepen.io, …) from the allowlist: anyone can publish there.',
  'localhost-prefix-trusted': 'Anchor localhost checks: allow http://localhost:<port> exactly, not anything starting with "localhost".',
  'wildcard-origin': "'*' lets every website read these responses; keep it for truly public data, otherwise list the origins.",
  'invalid-acao': 'Send exactly one origin (or * without credentials): browsers reject several values, "*" with credentials and malformed values.',
  'missing-vary-origin': "Add Vary: Origin to every response whose Access-Control-Allow-Origin depends on the request, or caches will serve one origin's answer to another (corsgate always does).",
  'origin-header-injection': 'Validate the Origin before using it in a response header: reject anything that is not exactly scheme://host[:port].',
  'permissive-preflight': 'Grant only the methods and headers the API needs; never echo Access-Control-Request-Method/-Headers wholesale (or send *) when credentials are allowed.',
};

function fixFor(id: string, target: Target, legit: string[], credentials: boolean): Finding['fix'] {
  // The legitimate https origins seen trusted (or named by the user); a placeholder when there are none.
  const known = legit.filter((o) => o.startsWith('https://')).slice(0, 5);
  const origins = known.length ? known : [/^[\d.]+$|^\[|^[^.]+$/.test(target.domain) ? 'https://app.example.com' : `https://app.${target.domain}`];
  const policy: PolicyOptions = {
    origins,
    ...(credentials && id !== 'wildcard-origin' ? { credentials: true } : {}),
    ...(id === 'permissive-preflight' ? { methods: ['GET', 'POST'], requestHeaders: ['content-type'] } : {}),
  };
  return { text: `${FIX_TEXT[id] ?? ''} corsgate policy: ${JSON.stringify(policy)}`, policy };
}

function varyHasOrigin(headers: Record<string, string>): boolean {
  const v = headers.vary;
  if (!v) return false;
  return v.split(',').some((t) => ['origin', '*'].includes(t.trim().toLowerCase()));
}

/** A value a browser could accept: `*`, `null` or one serialized origin. */
function isValidAcao(value: string): boolean {
  if (value === '*' || value === 'null') return true;
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

const acaoOf = (r: ProbeResult) => r.headers['access-control-allow-origin'];
const credOf = (r: ProbeResult) => r.headers['access-control-allow-credentials'] === 'true';

export function classify(target: Target, results: ProbeResult[], legitOrigins: string[] = []): Finding[] {
  const found = new Map<string, { finding: Finding; rank: number }>();
  const ok = results.filter((r) => r.error === undefined);
  // The fix lists the legitimate origins the server did trust (or the ones the user named).
  const trustedLegit = ok.filter((r) => (r.probe.class === 'own-origin' || r.probe.class === 'legit-origin') && acaoOf(r) === r.probe.origin).map((r) => r.probe.origin);
  // User-named origins first; never a platform where anyone publishes, even if the server named it.
  const fixOrigins = [...new Set([...legitOrigins, ...trustedLegit.filter((o) => !isThirdPartyHost(hostOfOrigin(o) ?? ''))])];
  const add = (id: string, r: ProbeResult, credentials: boolean, base: Severity = BASE[id]!.severity) => {
    const severity = credentials ? base : drop(base);
    // Keep the worst instance of each class; with equal severity, the first (simple requests first).
    const rank = SEVERITIES.indexOf(severity) * 2 + (r.probe.method === 'GET' ? 0 : 1);
    const prev = found.get(id);
    if (prev && prev.rank <= rank) return;
    found.set(id, {
      rank,
      finding: {
        id,
        severity,
        title: BASE[id]!.title,
        probe: { method: r.probe.method, url: r.url, headers: r.probe.headers },
        evidence: evidenceOf(r),
        credentials,
        fix: fixFor(id, target, fixOrigins, credentials),
      },
    });
  };

  // Origins trusted that should not be: the probe's Origin came back byte for byte.
  const matched = ok.filter((r) => acaoOf(r) === r.probe.origin && r.probe.class !== 'own-origin' && r.probe.class !== 'legit-origin' && r.probe.class !== 'origin-header-injection');
  const effective = matched.map((r) => (r.probe.originClass ? { ...r, probe: { ...r.probe, class: r.probe.originClass } } : r));
  // Any origin reflected explains every look-alike, unless a look-alike got credentials the reflection did not.
  const reflected = effective.filter((r) => r.probe.class === 'origin-reflected');
  const reflectedWithCredentials = reflected.some(credOf);
  for (const r of effective) {
    const cls = r.probe.class;
    if (cls === 'permissive-preflight') continue;
    if (LOOK_ALIKES.has(cls) && reflected.length > 0 && (reflectedWithCredentials || !credOf(r))) continue;
    add(cls, r, credOf(r), r.probe.severity);
  }
  // An origin where anyone publishes, named by the server itself in a fixed Access-Control-Allow-Origin.
  if (!found.has('origin-reflected')) {
    for (const r of ok) {
      const acao = acaoOf(r);
      if (acao === undefined || acao === r.probe.origin) continue;
      const host = hostOfOrigin(acao.trim());
      if (host !== null && isThirdPartyHost(host)) add('third-party-origin-trusted', r, credOf(r));
    }
  }
  // Control characters reflected, or a header injected.
  for (const r of ok.filter((x) => x.probe.class === 'origin-header-injection')) {
    const acao = acaoOf(r) ?? '';
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1f\x7f]/.test(acao)) add('origin-header-injection', r, credOf(r), r.probe.severity);
  }
  // `*`, and values browsers reject. An echo of the probe's own odd Origin is the probe's, not the server's.
  for (const r of ok) {
    const acao = acaoOf(r);
    if (acao === undefined) continue;
    const value = acao.trim();
    if (value === '*') {
      if (credOf(r)) add('invalid-acao', r, true);
      add('wildcard-origin', r, false);
    } else if (acao !== r.probe.origin && (value.includes(',') || /\s/.test(value) || !isValidAcao(value))) {
      add('invalid-acao', r, credOf(r));
    }
  }
  // A dynamic Access-Control-Allow-Origin needs Vary: Origin (only simple requests are cached).
  const gets = ok.filter((r) => r.probe.method === 'GET');
  const values = new Set(gets.map((r) => acaoOf(r) ?? ''));
  if (values.size > 1) {
    const unvaried = gets.find((r) => acaoOf(r) !== undefined && acaoOf(r)!.trim() !== '*' && !varyHasOrigin(r.headers));
    if (unvaried) add('missing-vary-origin', unvaried, credOf(unvaried));
  }
  // Preflights that grant whatever is asked (or `*`), with credentials, to the origin that asked. Methods
  // reflected: any verb from that origin (medium). `*`: browsers read it literally with credentials, so only
  // intent (low). Request headers reflected alone: the default of common middleware, which the origin check
  // still bounds (info).
  for (const r of ok.filter((x) => x.probe.class === 'permissive-preflight' && credOf(x) && (acaoOf(x) === x.probe.origin || acaoOf(x)?.trim() === '*'))) {
    const method = r.probe.headers['Access-Control-Request-Method']!;
    const header = r.probe.headers['Access-Control-Request-Headers']!;
    const acam = (r.headers['access-control-allow-methods'] ?? '').split(',').map((t) => t.trim());
    const acah = (r.headers['access-control-allow-headers'] ?? '').split(',').map((t) => t.trim().toLowerCase());
    if (acam.includes(method)) add('permissive-preflight', r, true, 'medium');
    else if (acam.includes('*') || acah.includes('*')) add('permissive-preflight', r, true, 'low');
    else if (acah.includes(header.toLowerCase())) add('permissive-preflight', r, true, 'info');
  }
  const order = Object.keys(BASE);
  return [...found.values()].map((x) => x.finding).sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || order.indexOf(a.id) - order.indexOf(b.id));
}
