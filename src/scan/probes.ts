/**
 * The probes: for one target, the crafted Origin values (and preflights) that reveal each class of
 * CORS misconfiguration. Pure. Attacker labels are random per run so that no cached or pre-allowed
 * "evil.com" hides a finding; special characters are sent literally, as a browser would send them.
 */
import { getDomain } from 'tldts';

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
  | 'permissive-preflight';

export interface Probe {
  class: ProbeClass;
  method: 'GET' | 'OPTIONS';
  origin: string;
  headers: Record<string, string>;
  /** Why this origin tests the class, for the report. */
  note: string;
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

/** Hosts where anyone can publish code (CORScanner's list and today's common platforms). */
export const THIRD_PARTY_ORIGINS = (label: string): string[] => [
  `https://${label}.github.io`,
  'https://codepen.io',
  'https://cdpn.io',
  'https://jsfiddle.net',
  'https://fiddle.jshell.net',
  'http://jsbin.com',
  'https://repl.it',
  `https://${label}.herokuapp.com`,
  `https://${label}.netlify.app`,
  `https://${label}.vercel.app`,
  `https://${label}.pages.dev`,
  `https://${label}.web.app`,
  `https://${label}.glitch.me`,
  'https://s3.amazonaws.com',
  'https://storage.googleapis.com',
];

/** Characters browsers let through in host names (Safari most), each tried after the target's host. */
export const SPECIAL_CHARS = ['_', '`', '-', '!', '$', '&', "'", '(', ')', '*', '+', ',', ';', '=', '~', '{', '}', '|', '^', '"'];

export function randomLabel(): string {
  const bytes = new Uint8Array(5);
  globalThis.crypto.getRandomValues(bytes);
  return `cg${Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('').slice(0, 8)}`;
}

export interface ProbeOptions {
  /** Origins the user says are legitimate (`--origin`). */
  legitOrigins?: string[];
  label?: string;
}

export function probesFor(target: Target, options: ProbeOptions = {}): Probe[] {
  const label = options.label ?? randomLabel();
  const s = target.scheme;
  const { host, domain } = target;
  const attacker = `${label}-attacker.com`;
  const probes: Probe[] = [];
  const get = (cls: ProbeClass, origin: string, note: string) => probes.push({ class: cls, method: 'GET', origin, headers: { Origin: origin }, note });

  get('own-origin', target.url.origin, "the target's own origin, to see whether the answer changes with Origin");
  for (const o of options.legitOrigins ?? []) get('legit-origin', o, 'an origin you said is legitimate');
  get('origin-reflected', `${s}://${attacker}`, 'an unrelated origin: trusted means any origin is reflected');
  get('null-origin-trusted', 'null', 'the opaque origin of sandboxed iframes, data: and file: pages');
  get('prefix-match', `${s}://${host}.${attacker}`, `${host} followed by an attacker's domain (a startsWith check)`);
  if (domain !== host) get('prefix-match', `${s}://${domain}.${attacker}`, `${domain} followed by an attacker's domain`);
  get('suffix-match', `${s}://${label}${domain}`, `an attacker's domain ending in ${domain} (an endsWith check)`);
  // Unescaped regex dot: each dot inside the host becomes a letter (api.example.com → apiXexample.com).
  const dots = [...host.matchAll(/\./g)].map((m) => m.index!);
  for (const i of dots.slice(0, 3)) get('unescaped-dot', `${s}://${host.slice(0, i)}x${host.slice(i + 1)}`, 'a dot of the host replaced by a letter (an unescaped "." in a regex)');
  if (domain.length > 3) {
    get('substring-match', `${s}://${domain.slice(0, -1)}`, `${domain} cut short (an includes/indexOf check against a list)`);
    get('substring-match', `${s}://${domain.slice(1)}`, `${domain} without its first letter (an includes/indexOf check)`);
  }
  for (const c of SPECIAL_CHARS) get('special-char-bypass', `${s}://${host}${c}.${attacker}`, `${host} then '${c}' then an attacker's domain (parser confusion; browsers allow '${c}' in host names)`);
  get('any-subdomain-trusted', `${s}://${label}.${domain}`, `an arbitrary subdomain of ${domain} (one XSS or takeover there is enough)`);
  if (s === 'https') get('insecure-origin-trusted', `http://${target.hostPort}`, 'the same host over plain http (a network attacker can inject into it)');
  if (s === 'https' && domain !== host) get('insecure-origin-trusted', `http://${label}.${domain}`, 'a subdomain over plain http');
  for (const o of THIRD_PARTY_ORIGINS(label)) get('third-party-origin-trusted', o, 'a platform where anyone can publish code');
  get('localhost-prefix-trusted', `https://localhost.${attacker}`, 'localhost followed by an attacker\'s domain (a loose localhost regex)');
  get('localhost-prefix-trusted', `http://localhost.${attacker}`, 'the same over http');
  get('origin-header-injection', `${s}://${attacker}\tx-injected:${label}`, 'a control character (TAB) inside Origin, reflected verbatim means no sanitising');
  // Over-permissive preflight: an unlikely method and header, asked from the target's own origin.
  probes.push({
    class: 'permissive-preflight',
    method: 'OPTIONS',
    origin: target.url.origin,
    headers: { Origin: target.url.origin, 'Access-Control-Request-Method': `X${label.toUpperCase()}`, 'Access-Control-Request-Headers': `x-${label}-probe` },
    note: 'a preflight for a made-up method and header: granting them means methods and headers are reflected wholesale',
  });
  probes.push({
    class: 'permissive-preflight',
    method: 'OPTIONS',
    origin: `${s}://${attacker}`,
    headers: { Origin: `${s}://${attacker}`, 'Access-Control-Request-Method': 'DELETE', 'Access-Control-Request-Headers': `x-${label}-probe` },
    note: 'a preflight from an unrelated origin',
  });
  return probes;
}
