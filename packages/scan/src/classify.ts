/**
 * From probe answers to findings. Pure. ACAO is compared byte for byte with the probe's Origin and
 * ACAC must be exactly `true` (Fetch §3.2.5 "CORS check"). Every class that matches is reported, once,
 * with its worst instance, except that a server reflecting any origin gets `origin-reflected` alone
 * for the look-alike classes it implies (prefix, suffix, dot, substring, special characters, any
 * subdomain, third parties, localhost) and for control characters echoed verbatim; independent classes
 * are still reported.
 */
import { FINDING_IDS, FINDINGS, fixFor, type Finding, type FindingId } from './findings.js';
import { hostOfOrigin, isThirdPartyHost } from './platforms.js';
import { acaoOf, type ProbeClass, type ProbeResult, type Target } from './probes.js';
import { drop, SEVERITIES, type Severity } from './severity.js';

export { SEVERITIES, type Severity } from './severity.js';
export type { ProbeResult } from './probes.js';
export { FINDING_IDS, type Finding, type FindingId } from './findings.js';

/** Classes named after an attacker-chosen host, which a broader class can explain. */
const LOOK_ALIKES = new Set<ProbeClass>([
  'prefix-match',
  'suffix-match',
  'unescaped-dot',
  'substring-match',
  'special-char-bypass',
  'any-subdomain-trusted',
  'third-party-origin-trusted',
  'localhost-prefix-trusted',
]);

const RELEVANT = [
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
  'vary',
  'location',
];

function evidenceOf(r: ProbeResult): Finding['evidence'] {
  const headers: Record<string, string> = {};
  for (const n of RELEVANT) if (r.headers[n] !== undefined) headers[n] = r.headers[n]!;
  return { status: r.status, headers };
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
  return [...found.values()]
    .map((x) => x.finding)
    .sort(
      (a, b) =>
        SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
        order.indexOf(a.id) - order.indexOf(b.id),
    );
}

/** The findings so far, one per class (the worst instance), and how to add one. */
function collector(target: Target, ok: ProbeResult[], legitOrigins: string[]) {
  const found = new Map<string, { finding: Finding; rank: number }>();
  // The fix lists the legitimate origins the server did trust (or the ones the user named). The target's
  // own origin needs no CORS, and a server that reflects any origin shows nothing about which ones it means.
  const reflectsAny = ok.some((r) => r.probe.class === 'origin-reflected' && acaoOf(r) === r.probe.origin);
  const trustedLegit = reflectsAny
    ? []
    : ok
        .filter((r) => r.probe.class === 'legit-origin' && acaoOf(r) === r.probe.origin)
        .map((r) => r.probe.origin);
  // User-named origins first; never a platform where anyone publishes, even if the server named it.
  const fixOrigins = [
    ...new Set([...legitOrigins, ...trustedLegit.filter((o) => !isThirdPartyHost(hostOfOrigin(o) ?? ''))]),
  ];
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
  const matched = ok.filter(
    (r) =>
      acaoOf(r) === r.probe.origin &&
      r.probe.class !== 'own-origin' &&
      r.probe.class !== 'legit-origin' &&
      r.probe.class !== 'origin-header-injection',
  );
  const effective = matched.map((r) =>
    r.probe.originClass ? { ...r, probe: { ...r.probe, class: r.probe.originClass } } : r,
  );
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
function headersInjected(
  ok: ProbeResult[],
  { reflected, reflectedWithCredentials }: Reflection,
  add: Add,
): void {
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
    const unvaried = gets.find(
      (r) => acaoOf(r) !== undefined && acaoOf(r)!.trim() !== '*' && !varyHasOrigin(r.headers),
    );
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
  for (const r of ok.filter(
    (x) =>
      x.probe.class === 'permissive-preflight' &&
      credOf(x) &&
      (acaoOf(x) === x.probe.origin || acaoOf(x)?.trim() === '*'),
  )) {
    const method = r.probe.headers['Access-Control-Request-Method']!;
    const header = r.probe.headers['Access-Control-Request-Headers']!;
    const acam = (r.headers['access-control-allow-methods'] ?? '').split(',').map((t) => t.trim());
    const acah = (r.headers['access-control-allow-headers'] ?? '')
      .split(',')
      .map((t) => t.trim().toLowerCase());
    if (acam.includes(method)) add('permissive-preflight', r, true, 'medium');
    else if (acam.includes('*') || acah.includes('*')) add('permissive-preflight', r, true, 'low');
    else if (acah.includes(header.toLowerCase())) add('permissive-preflight', r, true, 'info');
  }
}

/** A WebSocket handshake from an unrelated origin that switched protocols: nothing in the browser stops that page. */
function socketsUnchecked(results: ProbeResult[], add: Add): void {
  for (const r of results)
    if (r.error === undefined && r.probe.class === 'websocket-origin-not-checked' && r.status === 101)
      add('websocket-origin-not-checked', r, r.credentials === true);
}
