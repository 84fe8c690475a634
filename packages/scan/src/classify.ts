/**
 * From probe answers to findings. Pure. ACAO is compared byte for byte with the probe's Origin and
 * ACAC must be exactly `true` (Fetch §3.2.5 "CORS check"). Every class that matches is reported, once,
 * with its worst instance, except that a server reflecting any origin gets `origin-reflected` alone
 * for the look-alike classes it implies (prefix, suffix, dot, substring, special characters, any
 * subdomain, third parties, localhost) and for control characters echoed verbatim; independent classes
 * are still reported.
 */
import { isLoopbackHost } from 'corsgate/internal/http/url.js';
import type { PolicyOptions } from 'corsgate/internal/policy/types.js';
import { hostOfOrigin, isThirdPartyHost } from './platforms.js';
import { acaoOf, type ProbeClass, type ProbeResult, type Target } from './probes.js';
import { drop, SEVERITIES, type Severity } from './severity.js';

export { SEVERITIES, type Severity } from './severity.js';
export type { ProbeResult } from './probes.js';

export interface Finding {
  /** A FindingId (kept a string in the report, so readers need not know the union). */
  id: string;
  severity: Severity;
  title: string;
  probe: { method: string; url: string; headers: Record<string, string> };
  evidence: { status: number; headers: Record<string, string> };
  credentials: boolean;
  fix: { text: string; policy?: PolicyOptions };
}

/** Every finding class. Finding ids and severities are a contract (docs/scan.md). */
export type FindingId =
  | 'origin-reflected' | 'null-origin-trusted' | 'prefix-match' | 'suffix-match' | 'unescaped-dot' | 'substring-match'
  | 'special-char-bypass' | 'any-subdomain-trusted' | 'insecure-origin-trusted' | 'third-party-origin-trusted'
  | 'localhost-prefix-trusted' | 'wildcard-origin' | 'invalid-acao' | 'missing-vary-origin' | 'origin-header-injection'
  | 'permissive-preflight' | 'websocket-origin-not-checked';

/**
 * Each class's severity (with credentials allowed; without them each drops one level), title and fix,
 * in one record: the compiler checks that every class has all three. The order is the report's order
 * for equal severities.
 */
const FINDINGS: Record<FindingId, { severity: Severity; title: string; fix: string }> = {
  'origin-reflected': { severity: 'critical', title: 'Any origin is reflected', fix: 'Never echo the Origin header back unchecked: compare it with an explicit allowlist of exact origins.' },
  'null-origin-trusted': { severity: 'high', title: "The 'null' origin is trusted", fix: "Remove 'null' from the allowlist: sandboxed iframes, data: and file: pages of any site send it." },
  'prefix-match': { severity: 'high', title: 'Origins that start with a trusted host are trusted (<host>.attacker.tld)', fix: 'Compare whole origins (scheme, host and port) for equality; never use startsWith on the Origin.' },
  'suffix-match': { severity: 'high', title: "Origins that end with the site's domain are trusted (attacker<domain>)", fix: 'Match subdomains on a label boundary (".example.com"), never with a bare endsWith("example.com"); better, list exact origins or use a validated pattern such as https://*.example.com.' },
  'unescaped-dot': { severity: 'high', title: 'A regex with an unescaped dot lets look-alike hosts through', fix: 'Escape dots and anchor any origin regex (^https://app\\.example\\.com$), or use exact origins instead of regexes.' },
  'substring-match': { severity: 'high', title: 'Origins are matched as substrings, not compared whole', fix: 'Never test the Origin with includes/indexOf or an unanchored regex: compare whole origins.' },
  'special-char-bypass': { severity: 'high', title: 'Special characters in the host bypass the origin check', fix: 'Parse the Origin as a URL and compare the serialized origin exactly; do not rely on a regex that stops at unusual characters.' },
  'any-subdomain-trusted': { severity: 'medium', title: 'Every subdomain is trusted', fix: 'Trust only the subdomains that need access, not every subdomain: one XSS or dangling DNS record on any of them exposes this API.' },
  'insecure-origin-trusted': { severity: 'medium', title: 'An https site trusts an http origin', fix: 'Trust only https:// origins: a network attacker can inject script into any http:// page.' },
  'third-party-origin-trusted': { severity: 'high', title: 'An origin where anyone can publish code is trusted', fix: 'Remove shared hosting origins (github.io, codepen.io, …) from the allowlist: anyone can publish there.' },
  'localhost-prefix-trusted': { severity: 'high', title: 'localhost.<attacker> is trusted', fix: 'Anchor localhost checks: allow http://localhost:<port> exactly, not anything starting with "localhost".' },
  'wildcard-origin': { severity: 'low', title: 'Any origin may read responses (*)', fix: "'*' lets every website read these responses; keep it for truly public data, otherwise list the origins." },
  'invalid-acao': { severity: 'low', title: 'Access-Control-Allow-Origin has an invalid value', fix: 'Send exactly one origin (or * without credentials): browsers reject several values, "*" with credentials and malformed values.' },
  'missing-vary-origin': { severity: 'medium', title: 'The allowed origin changes with Origin but Vary lacks Origin', fix: "Add Vary: Origin to every response whose Access-Control-Allow-Origin depends on the request, or caches will serve one origin's answer to another (corsgate always does)." },
  'origin-header-injection': { severity: 'medium', title: 'Control characters in Origin are reflected unsanitised', fix: 'Validate the Origin before using it in a response header: reject anything that is not exactly scheme://host[:port].' },
  'websocket-origin-not-checked': {
    severity: 'high',
    title: 'A WebSocket endpoint accepts a handshake from any origin',
    fix: "Check the handshake's Origin against an allowlist and answer 403 to any other (RFC 6455 §10.2): browsers apply no CORS to WebSockets, so any site can open one with the user's cookies (cross-site WebSocket hijacking). corsgate serve does this for every route.",
  },
  'permissive-preflight': { severity: 'medium', title: 'Preflights grant any requested method or header, with credentials', fix: 'Grant only the methods and headers the API needs; never echo Access-Control-Request-Method/-Headers wholesale (or send *) when credentials are allowed.' },
};

export const FINDING_IDS = Object.keys(FINDINGS) as FindingId[];

/** Classes named after an attacker-chosen host, which a broader class can explain. */
const LOOK_ALIKES = new Set<ProbeClass>(['prefix-match', 'suffix-match', 'unescaped-dot', 'substring-match', 'special-char-bypass', 'any-subdomain-trusted', 'third-party-origin-trusted', 'localhost-prefix-trusted']);

const RELEVANT = ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-expose-headers', 'vary', 'location'];

function evidenceOf(r: ProbeResult): Finding['evidence'] {
  const headers: Record<string, string> = {};
  for (const n of RELEVANT) if (r.headers[n] !== undefined) headers[n] = r.headers[n]!;
  return { status: r.status, headers };
}

/** Origins the engine accepts as an allowlist entry: https, or http on a loopback host (as the policy engine does). */
function acceptableOrigin(origin: string): boolean {
  if (origin.startsWith('https://')) return true;
  const host = hostOfOrigin(origin);
  return origin.startsWith('http://') && host !== null && isLoopbackHost(host);
}

/** A stand-in front-end origin when none is known: never derived from an IP, a single label or a reserved name. */
function placeholderOrigin(target: Target): string {
  const d = target.domain;
  const synthetic = /^[\d.]+$|^\[|:|^[^.]+$|\.(?:invalid|test|example|localhost)$/.test(d);
  return synthetic ? 'https://app.example.com' : `https://app.${d}`;
}

function fixFor(id: FindingId, target: Target, legit: string[], credentials: boolean): Finding['fix'] {
  // The legitimate origins seen trusted (or named by the user); a placeholder when there are none.
  const known = legit.filter(acceptableOrigin).slice(0, 5);
  const policy: PolicyOptions = {
    origins: known.length ? known : [placeholderOrigin(target)],
    ...(credentials && id !== 'wildcard-origin' ? { credentials: true } : {}),
    ...(id === 'permissive-preflight' ? { methods: ['GET', 'POST'], requestHeaders: ['content-type'] } : {}),
  };
  return { text: `${FINDINGS[id].fix} corsgate policy: ${JSON.stringify(policy)}`, policy };
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

const credOf = (r: ProbeResult) => r.headers['access-control-allow-credentials'] === 'true';

type Add = (id: FindingId, r: ProbeResult, credentials: boolean, base?: Severity) => void;

/** What the first check learns and the later ones need: whether any origin came back reflected. */
interface Reflection {
  reflected: ProbeResult[];
  reflectedWithCredentials: boolean;
}

export function classify(target: Target, results: ProbeResult[], legitOrigins: string[] = []): Finding[] {
  const ok = results.filter((r) => r.error === undefined && r.probe.class !== 'websocket-origin-not-checked');
  const { found, add } = collector(target, ok, legitOrigins);
  const reflection = untrustedOriginsTrusted(ok, add);
  if (!found.has('origin-reflected')) thirdPartyOriginsNamed(ok, add);
  headersInjected(ok, reflection, add);
  acaoValuesInvalid(ok, add);
  varyMissing(ok, add);
  preflightsPermissive(ok, add);
  socketsUnchecked(results, add);
  const order: readonly string[] = FINDING_IDS;
  return [...found.values()].map((x) => x.finding).sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || order.indexOf(a.id) - order.indexOf(b.id));
}

/** The findings so far, one per class (the worst instance), and how to add one. */
function collector(target: Target, ok: ProbeResult[], legitOrigins: string[]) {
  const found = new Map<string, { finding: Finding; rank: number }>();
  // The fix lists the legitimate origins the server did trust (or the ones the user named). The target's
  // own origin needs no CORS, and a server that reflects any origin shows nothing about which ones it means.
  const reflectsAny = ok.some((r) => r.probe.class === 'origin-reflected' && acaoOf(r) === r.probe.origin);
  const trustedLegit = reflectsAny ? [] : ok.filter((r) => r.probe.class === 'legit-origin' && acaoOf(r) === r.probe.origin).map((r) => r.probe.origin);
  // User-named origins first; never a platform where anyone publishes, even if the server named it.
  const fixOrigins = [...new Set([...legitOrigins, ...trustedLegit.filter((o) => !isThirdPartyHost(hostOfOrigin(o) ?? ''))])];
  const add: Add = (id, r, credentials, base = FINDINGS[id].severity) => {
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
        title: FINDINGS[id].title,
        probe: { method: r.probe.method, url: r.url, headers: r.probe.headers },
        evidence: evidenceOf(r),
        credentials,
        fix: fixFor(id, target, fixOrigins, credentials),
      },
    });
  };
  return { found, add };
}

/** Origins trusted that should not be: the probe's Origin came back byte for byte. */
function untrustedOriginsTrusted(ok: ProbeResult[], add: Add): Reflection {
  const matched = ok.filter((r) => acaoOf(r) === r.probe.origin && r.probe.class !== 'own-origin' && r.probe.class !== 'legit-origin' && r.probe.class !== 'origin-header-injection');
  const effective = matched.map((r) => (r.probe.originClass ? { ...r, probe: { ...r.probe, class: r.probe.originClass } } : r));
  // Any origin reflected explains every look-alike, unless a look-alike got credentials the reflection did not.
  const reflected = effective.filter((r) => r.probe.class === 'origin-reflected');
  const reflectedWithCredentials = reflected.some(credOf);
  for (const r of effective) {
    const cls = r.probe.class;
    if (cls === 'permissive-preflight') continue;
    if (LOOK_ALIKES.has(cls) && reflected.length > 0 && (reflectedWithCredentials || !credOf(r))) continue;
    add(cls as FindingId, r, credOf(r), r.probe.severity);
  }
  return { reflected, reflectedWithCredentials };
}

/** An origin where anyone publishes, named by the server itself in a fixed Access-Control-Allow-Origin. */
function thirdPartyOriginsNamed(ok: ProbeResult[], add: Add): void {
  for (const r of ok) {
    const acao = acaoOf(r);
    if (acao === undefined || acao === r.probe.origin) continue;
    const host = hostOfOrigin(acao.trim());
    if (host !== null && isThirdPartyHost(host)) add('third-party-origin-trusted', r, credOf(r));
  }
}

/**
 * Control characters reflected, or a header injected. A server that reflects any origin echoes these
 * too: the reflection is the root cause, reported once (unless the echo got credentials it did not).
 */
function headersInjected(ok: ProbeResult[], { reflected, reflectedWithCredentials }: Reflection, add: Add): void {
  for (const r of ok.filter((x) => x.probe.class === 'origin-header-injection')) {
    const acao = acaoOf(r) ?? '';
    if (reflected.length > 0 && acao === r.probe.origin && (reflectedWithCredentials || !credOf(r))) continue;
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1f\x7f]/.test(acao)) add('origin-header-injection', r, credOf(r), r.probe.severity);
  }
}

/** `*`, and values browsers reject. An echo of the probe's own odd Origin is the probe's, not the server's. */
function acaoValuesInvalid(ok: ProbeResult[], add: Add): void {
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
}

/** A dynamic Access-Control-Allow-Origin needs Vary: Origin (only simple requests are cached). */
function varyMissing(ok: ProbeResult[], add: Add): void {
  const gets = ok.filter((r) => r.probe.method === 'GET');
  const values = new Set(gets.map((r) => acaoOf(r) ?? ''));
  if (values.size > 1) {
    const unvaried = gets.find((r) => acaoOf(r) !== undefined && acaoOf(r)!.trim() !== '*' && !varyHasOrigin(r.headers));
    if (unvaried) add('missing-vary-origin', unvaried, credOf(unvaried));
  }
}

/**
 * Preflights that grant whatever is asked (or `*`), with credentials, to the origin that asked. Methods
 * reflected: any verb from that origin (medium). `*`: browsers read it literally with credentials, so only
 * intent (low). Request headers reflected alone: the default of common middleware, which the origin check
 * still bounds (info).
 */
function preflightsPermissive(ok: ProbeResult[], add: Add): void {
  for (const r of ok.filter((x) => x.probe.class === 'permissive-preflight' && credOf(x) && (acaoOf(x) === x.probe.origin || acaoOf(x)?.trim() === '*'))) {
    const method = r.probe.headers['Access-Control-Request-Method']!;
    const header = r.probe.headers['Access-Control-Request-Headers']!;
    const acam = (r.headers['access-control-allow-methods'] ?? '').split(',').map((t) => t.trim());
    const acah = (r.headers['access-control-allow-headers'] ?? '').split(',').map((t) => t.trim().toLowerCase());
    if (acam.includes(method)) add('permissive-preflight', r, true, 'medium');
    else if (acam.includes('*') || acah.includes('*')) add('permissive-preflight', r, true, 'low');
    else if (acah.includes(header.toLowerCase())) add('permissive-preflight', r, true, 'info');
  }
}

/** A WebSocket handshake from an unrelated origin that switched protocols: nothing in the browser stops that page. */
function socketsUnchecked(results: ProbeResult[], add: Add): void {
  for (const r of results) if (r.error === undefined && r.probe.class === 'websocket-origin-not-checked' && r.status === 101) add('websocket-origin-not-checked', r, r.credentials === true);
}
