/** The second round of probes, from what the first round's answers showed (probes.ts says how the rounds fit). */
import type { Probe, ProbeClass, ProbeOptions, ProbeResult, Target } from './probe-model.js';
import { asPreflight, isIpOrSingleLabel, lookAlikes, preflight } from './probe-origins.js';

/** An answer's Access-Control-Allow-Origin, as received (undefined when absent). */
export const acaoOf = (r: ProbeResult): string | undefined => r.headers['access-control-allow-origin'];

/** Serialized origins named in an answer's Access-Control-Allow-Origin (fixed allowlists show one). */
function namedOrigins(r: ProbeResult): string[] {
  const v = acaoOf(r);
  if (v === undefined) return [];
  const out: string[] = [];
  for (const part of v.split(/[\s,|]+/)) {
    try {
      const u = new URL(part);
      if ((u.protocol === 'https:' || u.protocol === 'http:') && u.origin === part) out.push(part);
    } catch {
      /* not an origin */
    }
  }
  return out;
}

/** The origins the first round showed as trusted: candidates echoed back, and origins the server names itself. */
export function trustedOrigins(answers: ProbeResult[]): string[] {
  const trusted = new Set<string>();
  const probeOrigins = new Set(answers.map((a) => a.probe.origin));
  for (const a of answers) {
    if (a.error !== undefined) continue;
    const candidate =
      a.probe.class === 'own-origin' ||
      a.probe.class === 'legit-origin' ||
      (a.probe.class === 'permissive-preflight' && a.probe.originClass === undefined);
    if (candidate && acaoOf(a) === a.probe.origin) trusted.add(a.probe.origin);
    // An echo of the probe's own Origin (a look-alike with a comma in it, say) names nothing.
    if (acaoOf(a) === a.probe.origin) continue;
    for (const o of namedOrigins(a)) if (!probeOrigins.has(o)) trusted.add(o);
  }
  return [...trusted];
}

/** Whether preflights answered some origin differently from simple requests. */
export function preflightsDiffer(answers: ProbeResult[]): boolean {
  const byGet = new Map<string, string | undefined>();
  for (const a of answers)
    if (a.probe.method === 'GET' && a.error === undefined) byGet.set(a.probe.origin, acaoOf(a));
  return answers.some(
    (a) =>
      a.probe.method === 'OPTIONS' &&
      a.error === undefined &&
      acaoOf(a) !== undefined &&
      acaoOf(a)!.trim() !== '*' &&
      byGet.has(a.probe.origin) &&
      byGet.get(a.probe.origin) !== acaoOf(a),
  );
}

/** The second round, from the first round's answers. */
export function followUpProbes(
  target: Target,
  first: ProbeResult[],
  options: ProbeOptions & { label: string },
): Probe[] {
  const { label } = options;
  const attacker = `${label}-attacker.com`;
  const sent = new Set(first.map((a) => `${a.probe.method} ${a.probe.origin}`));
  const probes: Probe[] = [];
  const add = (cls: ProbeClass, origin: string, note: string, extra: Partial<Probe> = {}) => {
    if (sent.has(`GET ${origin}`)) return;
    sent.add(`GET ${origin}`);
    probes.push({ class: cls, method: 'GET', origin, headers: { Origin: origin }, note, ...extra });
  };
  const trusted = trustedOrigins(first);
  for (const o of trusted.slice(0, 6)) {
    const u = new URL(o);
    const h = u.hostname.replace(/^\[|\]$/g, '');
    if (!first.some((a) => a.probe.method === 'GET' && a.probe.origin === o))
      add('legit-origin', o, 'an origin the server names in Access-Control-Allow-Origin');
    if (h !== target.host && !isIpOrSingleLabel(h))
      lookAlikes(add, [u.protocol.slice(0, -1)], h, label, attacker, ['_', '`']);
    if (target.scheme === 'https' && u.protocol === 'https:')
      add('insecure-origin-trusted', `http://${u.host}`, `${o} over plain http`);
    // A control character inside a trusted origin: a server that strips it (or parses the Origin as a URL) before checking, then echoes the raw value.
    // Only a hygiene issue (a TAB cannot split headers), hence info.
    add(
      'origin-header-injection',
      `${u.protocol}//\t${u.host}`,
      `${o} with a TAB inside: echoed verbatim means the raw header is reflected`,
      { severity: 'info' },
    );
    if (!sent.has(`OPTIONS ${o}`)) {
      sent.add(`OPTIONS ${o}`);
      probes.push(preflight(o, label, target));
    }
  }
  const all = [...first, ...probes.map((probe) => ({ probe, url: '', status: 0, headers: {} }))];
  if (preflightsDiffer(first)) {
    for (const a of all) {
      const p = a.probe;
      if (p.method !== 'GET' || sent.has(`OPTIONS ${p.origin}`)) continue;
      sent.add(`OPTIONS ${p.origin}`);
      probes.push(asPreflight(p));
    }
  }
  return probes;
}
