/**
 * The probes: for one target, the crafted Origin values (and preflights) that reveal each class of
 * CORS misconfiguration. Pure. Attacker labels are random per run so that no cached or pre-allowed
 * "evil.com" hides a finding; special characters are sent literally, as a browser would send them.
 *
 * Probing runs in two rounds. The first derives every probe from the target itself and also asks
 * with a few likely-legitimate origins (the target's own, the registrable domain, www., app. and
 * every `--origin`). The second (`followUpProbes`) starts from what the first showed: the origins
 * the server actually trusts (or names in a fixed Access-Control-Allow-Origin) get their own
 * look-alikes, http:// twins and preflights, and when preflights answer differently from simple
 * requests every origin probe is repeated as a preflight.
 */
import { getDomain } from 'tldts';
import { THIRD_PARTY_ORIGINS } from './platforms.js';
import type { Severity } from './severity.js';

export type ProbeClass =
  | 'own-origin'
  | 'legit-origin'
  | 'origin-reflected'
  | 'null-origin-trusted'
  | 'prefix-match'
  | 'suffix-match'
  | 'unescaped-dot'
  | 'substring-match'
  | 'special-char-bypass'
  | 'any-subdomain-trusted'
  | 'insecure-origin-trusted'
  | 'third-party-origin-trusted'
  | 'localhost-prefix-trusted'
  | 'origin-header-injection'
  | 'permissive-preflight'
  | 'websocket-origin-not-checked';

export interface Probe {
  class: ProbeClass;
  method: 'GET' | 'OPTIONS';
  origin: string;
  headers: Record<string, string>;
  /** Why this origin tests the class, for the report. */
  note: string;
  /** Severity with credentials when it differs from the class's (Safari-only characters). */
  severity?: Severity;
  /** For a preflight from `null` or an attacker's origin: the class its Origin stands for when echoed. */
  originClass?: ProbeClass;
}

/** One answer to one probe. */
export interface ProbeResult {
  probe: Probe;
  url: string;
  status: number;
  /** Response headers, lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  error?: string;
  /** A WebSocket probe: whether cookies or credentials are in play (the handshake would carry them). */
  credentials?: boolean;
}

export interface Target {
  url: URL;
  scheme: string;
  host: string;
  /** host[:port] as it appears in an origin. */
  hostPort: string;
  /** The registrable domain (Public Suffix List, private section included), or the host itself for IPs and single labels. */
  domain: string;
}

export function targetOf(url: URL): Target {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const domain = getDomain(host, { allowPrivateDomains: true }) ?? url.hostname;
  return { url, scheme: url.protocol.slice(0, -1), host: url.hostname, hostPort: url.host, domain };
}

/**
 * Characters browsers let through in host names, each tried after a trusted host. `_` passes in
 * Chrome and Firefox; the others only in Safari or in lenient URL parsers, so they weigh less.
 * The URL Standard's forbidden host code points (`|`, `^`, …) are left out: no browser can send them.
 */
export const SPECIAL_CHARS = ['_', '`', '-', '!', '$', '&', "'", '(', ')', '*', '+', ',', ';', '=', '~', '{', '}', '"'];
const WIDELY_ACCEPTED = new Set(['_', '-']);

/** A random attacker label: letters only, so that a check such as `[a-z]+\.example\.com` treats it as any label would be. */
export function randomLabel(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return `cg${Array.from(bytes, (b) => String.fromCharCode(97 + (b % 26))).join('')}`;
}

export interface ProbeOptions {
  /** Origins the user says are legitimate (`--origin`). */
  legitOrigins?: string[];
  label?: string;
}

function isIpOrSingleLabel(host: string): boolean {
  return !host.includes('.') || /^[\d.]+$/.test(host) || host.includes(':') || host.startsWith('[');
}

/** The likely-legitimate origins asked in the first round (own origin first). */
function candidateOrigins(target: Target, legit: string[]): Array<{ origin: string; cls: ProbeClass; note: string }> {
  const s = target.scheme;
  const out = [{ origin: target.url.origin, cls: 'own-origin' as ProbeClass, note: "the target's own origin, to see whether the answer changes with Origin" }];
  if (target.url.port !== '') out.push({ origin: `${s}://${target.host}`, cls: 'own-origin', note: "the target's host without its port" });
  for (const o of legit) out.push({ origin: o, cls: 'legit-origin', note: 'an origin you said is legitimate' });
  if (!isIpOrSingleLabel(target.domain)) {
    for (const h of [target.domain, `www.${target.domain}`, `app.${target.domain}`]) {
      out.push({ origin: `https://${h}`, cls: 'legit-origin', note: 'a likely legitimate origin of the same site' });
    }
  }
  const seen = new Set<string>();
  return out.filter((c) => !seen.has(c.origin) && seen.add(c.origin));
}

/** Look-alikes of one trusted host `h` (a target host or a trusted origin's host). */
function lookAlikes(add: (cls: ProbeClass, origin: string, note: string, extra?: Partial<Probe>) => void, schemes: string[], h: string, label: string, attacker: string, chars: string[]): void {
  for (const s of schemes) {
    add('prefix-match', `${s}://${h}.${attacker}`, `${h} followed by an attacker's domain (a startsWith check)`);
    // Unescaped regex dot: each dot inside the host becomes a letter (api.example.com → apixexample.com).
    const dots = [...h.matchAll(/\./g)].map((m) => m.index!);
    for (const i of dots.slice(0, 6)) add('unescaped-dot', `${s}://${h.slice(0, i)}x${h.slice(i + 1)}`, `a dot of ${h} replaced by a letter (an unescaped "." in a regex)`);
    add('substring-match', `${s}://${label}${h}.${attacker}`, `${h} inside an attacker's host name (an includes/indexOf or unanchored regex check)`);
    if (h.length > 3) add('substring-match', `${s}://${h.slice(0, -1)}`, `${h} cut short (the Origin looked up as a substring of an allowlist string)`);
  }
  for (const c of chars) {
    // The common characters in every scheme probed; the Safari-only ones over https.
    if (c === '_' || c === '`') for (const s of schemes.filter((x) => x !== 'https')) add('special-char-bypass', `${s}://${h}${c}.${attacker}`, `${h} then '${c}' then an attacker's domain`, c === '_' ? {} : { severity: 'medium' });
    add('special-char-bypass', `https://${h}${c}.${attacker}`, `${h} then '${c}' then an attacker's domain (parser confusion; ${WIDELY_ACCEPTED.has(c) ? 'Chrome and Firefox allow' : 'Safari allows'} '${c}' in host names)`, WIDELY_ACCEPTED.has(c) ? {} : { severity: 'medium' });
  }
}

/** The first round of probes: everything derived from the target itself. */
export function probesFor(target: Target, options: ProbeOptions = {}): Probe[] {
  const label = options.label ?? randomLabel();
  const s = target.scheme;
  const { host, domain } = target;
  const attacker = `${label}-attacker.com`;
  const probes: Probe[] = [];
  const seen = new Set<string>();
  const add = (cls: ProbeClass, origin: string, note: string, extra: Partial<Probe> = {}) => {
    if (seen.has(origin)) return;
    seen.add(origin);
    probes.push({ class: cls, method: 'GET', origin, headers: { Origin: origin }, note, ...extra });
  };
  // An attacker's page is normally https; an http target is also probed with http look-alikes.
  const schemes = s === 'http' ? ['https', 'http'] : ['https'];

  for (const c of candidateOrigins(target, options.legitOrigins ?? [])) add(c.cls, c.origin, c.note);
  for (const sc of schemes) add('origin-reflected', `${sc}://${attacker}`, 'an unrelated origin: trusted means any origin is reflected');
  add('null-origin-trusted', 'null', 'the opaque origin of sandboxed iframes, data: and file: pages');
  lookAlikes(add, schemes, host, label, attacker, SPECIAL_CHARS);
  if (domain !== host) {
    for (const sc of schemes) {
      add('prefix-match', `${sc}://${domain}.${attacker}`, `${domain} followed by an attacker's domain`);
      add('substring-match', `${sc}://${label}${domain}.${attacker}`, `${domain} inside an attacker's host name (an includes/indexOf check)`);
    }
  }
  for (const sc of schemes) {
    add('suffix-match', `${sc}://${label}${domain}`, `an attacker's domain ending in ${domain} (an endsWith check)`);
    if (domain.length > 3) {
      add('substring-match', `${sc}://${domain.slice(0, -1)}`, `${domain} cut short (a substring of an allowlist string)`);
      add('substring-match', `${sc}://${domain.slice(1)}`, `${domain} without its first letter (a substring of an allowlist string)`);
    }
    add('any-subdomain-trusted', `${sc}://${label}.${domain}`, `an arbitrary subdomain of ${domain} (one XSS or takeover there is enough)`);
    if (domain !== host) add('any-subdomain-trusted', `${sc}://${label}.${host}`, `an arbitrary subdomain of ${host}`);
  }
  // Checks written against host:port (the allowlist holding the target's own origin): the same look-alikes with the port.
  if (target.url.port !== '') {
    const port = `:${target.url.port}`;
    const dots = [...host.matchAll(/\./g)].map((m) => m.index!);
    for (const i of dots.slice(0, 6)) add('unescaped-dot', `${s}://${host.slice(0, i)}x${host.slice(i + 1)}${port}`, `a dot of ${host} replaced by a letter, with the target's port`);
    add('suffix-match', `${s}://${label}${domain}${port}`, `an attacker's domain ending in ${domain}, with the target's port`);
    add('any-subdomain-trusted', `${s}://${label}.${domain}${port}`, `an arbitrary subdomain of ${domain}, with the target's port`);
  }
  if (s === 'https') {
    add('insecure-origin-trusted', `http://${target.hostPort}`, 'the same host over plain http (a network attacker can inject into it)');
    add('insecure-origin-trusted', `http://${host}`, 'the same host over plain http, default port');
    if (!isIpOrSingleLabel(domain)) {
      add('insecure-origin-trusted', `http://${domain}`, 'the site over plain http');
      add('insecure-origin-trusted', `http://www.${domain}`, 'the site over plain http');
      add('insecure-origin-trusted', `http://app.${domain}`, 'the front end over plain http');
      add('insecure-origin-trusted', `http://${label}.${domain}`, 'a subdomain over plain http');
    }
  }
  for (const o of THIRD_PARTY_ORIGINS(label)) add('third-party-origin-trusted', o, 'a platform where anyone can publish code');
  add('localhost-prefix-trusted', `https://localhost.${attacker}`, "localhost followed by an attacker's domain (a loose localhost regex)");
  add('localhost-prefix-trusted', `http://localhost.${attacker}`, 'the same over http');
  add('localhost-prefix-trusted', `http://127.0.0.1.${attacker}`, "127.0.0.1 followed by an attacker's domain");
  // Still a parseable origin once a URL parser drops the TAB, so that a server parsing it does not fail.
  add('origin-header-injection', `https://${attacker}\t.${label}`, 'a control character (TAB) inside Origin: reflected verbatim means no sanitising');
  // Preflights from the candidate origins and an attacker: for the answers' comparison with the
  // simple requests above, and for an over-permissive preflight.
  for (const c of candidateOrigins(target, options.legitOrigins ?? [])) probes.push(preflight(c.origin, label, target));
  probes.push({ ...preflight('null', label, target), originClass: 'null-origin-trusted' });
  probes.push({ ...preflight(`https://${attacker}`, label, target), originClass: 'origin-reflected' });
  return probes;
}

/**
 * A preflight for a made-up method and header: granting them means methods and headers are
 * granted wholesale. Its class is permissive-preflight; its ACAO is compared like any other probe's.
 */
function preflight(origin: string, label: string, target: Target): Probe {
  return {
    class: 'permissive-preflight',
    method: 'OPTIONS',
    origin,
    headers: { Origin: origin, 'Access-Control-Request-Method': `X${label.toUpperCase()}`, 'Access-Control-Request-Headers': `x-${label}-probe` },
    note: `a preflight from ${origin === target.url.origin ? "the target's own origin" : origin} for a made-up method and header`,
  };
}

/** The same origin probe as a preflight (for servers that only answer CORS on OPTIONS). */
function asPreflight(p: Probe): Probe {
  return { ...p, method: 'OPTIONS', headers: { Origin: p.origin, 'Access-Control-Request-Method': 'GET' } };
}

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
    const candidate = a.probe.class === 'own-origin' || a.probe.class === 'legit-origin' || (a.probe.class === 'permissive-preflight' && a.probe.originClass === undefined);
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
  for (const a of answers) if (a.probe.method === 'GET' && a.error === undefined) byGet.set(a.probe.origin, acaoOf(a));
  return answers.some((a) => a.probe.method === 'OPTIONS' && a.error === undefined && acaoOf(a) !== undefined && acaoOf(a)!.trim() !== '*' && byGet.has(a.probe.origin) && byGet.get(a.probe.origin) !== acaoOf(a));
}

/** The second round, from the first round's answers. */
export function followUpProbes(target: Target, first: ProbeResult[], options: ProbeOptions & { label: string }): Probe[] {
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
    if (!first.some((a) => a.probe.method === 'GET' && a.probe.origin === o)) add('legit-origin', o, 'an origin the server names in Access-Control-Allow-Origin');
    if (h !== target.host && !isIpOrSingleLabel(h)) lookAlikes(add, [u.protocol.slice(0, -1)], h, label, attacker, ['_', '`']);
    if (target.scheme === 'https' && u.protocol === 'https:') add('insecure-origin-trusted', `http://${u.host}`, `${o} over plain http`);
    // A control character inside a trusted origin: a server that strips it (or parses the Origin as a URL) before checking, then echoes the raw value.
    // Only a hygiene issue (a TAB cannot split headers), hence info.
    add('origin-header-injection', `${u.protocol}//\t${u.host}`, `${o} with a TAB inside: echoed verbatim means the raw header is reflected`, { severity: 'info' });
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
