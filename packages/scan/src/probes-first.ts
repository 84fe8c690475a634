/** The first round of probes: everything derived from the target itself (probes.ts says how the rounds fit). */
import { THIRD_PARTY_ORIGINS } from './platforms.js';
import {
  randomLabel,
  SPECIAL_CHARS,
  type Probe,
  type ProbeClass,
  type ProbeOptions,
  type Target,
} from './probe-model.js';
import { isIpOrSingleLabel, lookAlikes, preflight, type AddProbe } from './probe-origins.js';

/** The likely-legitimate origins asked in the first round (own origin first). */
function candidateOrigins(
  target: Target,
  legit: string[],
): Array<{ origin: string; cls: ProbeClass; note: string }> {
  const s = target.scheme;
  const out = [
    {
      origin: target.url.origin,
      cls: 'own-origin' as ProbeClass,
      note: "the target's own origin, to see whether the answer changes with Origin",
    },
  ];
  if (target.url.port !== '')
    out.push({
      origin: `${s}://${target.host}`,
      cls: 'own-origin',
      note: "the target's host without its port",
    });
  for (const o of legit)
    out.push({ origin: o, cls: 'legit-origin', note: 'an origin you said is legitimate' });
  if (!isIpOrSingleLabel(target.domain)) {
    for (const h of [target.domain, `www.${target.domain}`, `app.${target.domain}`]) {
      out.push({
        origin: `https://${h}`,
        cls: 'legit-origin',
        note: 'a likely legitimate origin of the same site',
      });
    }
  }
  const seen = new Set<string>();
  return out.filter((c) => !seen.has(c.origin) && seen.add(c.origin));
}

/** The attacker's label and domain, and the schemes probed, shared by every group of the first round. */
interface Round {
  target: Target;
  label: string;
  attacker: string;
  schemes: string[];
  add: AddProbe;
}

/** Look-alikes of the target's host and registrable domain: prefixes, suffixes, substrings, subdomains. */
function domainLookAlikes({ target, label, attacker, schemes, add }: Round): void {
  const { host, domain } = target;
  lookAlikes(add, schemes, host, label, attacker, SPECIAL_CHARS);
  if (domain !== host) {
    for (const sc of schemes) {
      add('prefix-match', `${sc}://${domain}.${attacker}`, `${domain} followed by an attacker's domain`);
      add(
        'substring-match',
        `${sc}://${label}${domain}.${attacker}`,
        `${domain} inside an attacker's host name (an includes/indexOf check)`,
      );
    }
  }
  for (const sc of schemes) {
    add(
      'suffix-match',
      `${sc}://${label}${domain}`,
      `an attacker's domain ending in ${domain} (an endsWith check)`,
    );
    if (domain.length > 3) {
      add(
        'substring-match',
        `${sc}://${domain.slice(0, -1)}`,
        `${domain} cut short (a substring of an allowlist string)`,
      );
      add(
        'substring-match',
        `${sc}://${domain.slice(1)}`,
        `${domain} without its first letter (a substring of an allowlist string)`,
      );
    }
    add(
      'any-subdomain-trusted',
      `${sc}://${label}.${domain}`,
      `an arbitrary subdomain of ${domain} (one XSS or takeover there is enough)`,
    );
    if (domain !== host)
      add('any-subdomain-trusted', `${sc}://${label}.${host}`, `an arbitrary subdomain of ${host}`);
  }
}

/** Checks written against host:port (the allowlist holding the target's own origin): the same look-alikes with the port. */
function portLookAlikes({ target, label, add }: Round): void {
  if (target.url.port === '') return;
  const s = target.scheme;
  const { host, domain } = target;
  const port = `:${target.url.port}`;
  const dots = [...host.matchAll(/\./g)].map((m) => m.index!);
  for (const i of dots.slice(0, 6))
    add(
      'unescaped-dot',
      `${s}://${host.slice(0, i)}x${host.slice(i + 1)}${port}`,
      `a dot of ${host} replaced by a letter, with the target's port`,
    );
  add(
    'suffix-match',
    `${s}://${label}${domain}${port}`,
    `an attacker's domain ending in ${domain}, with the target's port`,
  );
  add(
    'any-subdomain-trusted',
    `${s}://${label}.${domain}${port}`,
    `an arbitrary subdomain of ${domain}, with the target's port`,
  );
}

/** For an https target: the same host and site over plain http. */
function insecureTwins({ target, label, add }: Round): void {
  if (target.scheme !== 'https') return;
  const { host, domain } = target;
  add(
    'insecure-origin-trusted',
    `http://${target.hostPort}`,
    'the same host over plain http (a network attacker can inject into it)',
  );
  add('insecure-origin-trusted', `http://${host}`, 'the same host over plain http, default port');
  if (!isIpOrSingleLabel(domain)) {
    add('insecure-origin-trusted', `http://${domain}`, 'the site over plain http');
    add('insecure-origin-trusted', `http://www.${domain}`, 'the site over plain http');
    add('insecure-origin-trusted', `http://app.${domain}`, 'the front end over plain http');
    add('insecure-origin-trusted', `http://${label}.${domain}`, 'a subdomain over plain http');
  }
}

/** Origins that do not depend on the target: publishing platforms, loose localhost checks, a control character. */
function fixedOrigins({ label, attacker, add }: Round): void {
  for (const o of THIRD_PARTY_ORIGINS(label))
    add('third-party-origin-trusted', o, 'a platform where anyone can publish code');
  add(
    'localhost-prefix-trusted',
    `https://localhost.${attacker}`,
    "localhost followed by an attacker's domain (a loose localhost regex)",
  );
  add('localhost-prefix-trusted', `http://localhost.${attacker}`, 'the same over http');
  add(
    'localhost-prefix-trusted',
    `http://127.0.0.1.${attacker}`,
    "127.0.0.1 followed by an attacker's domain",
  );
  // Still a parseable origin once a URL parser drops the TAB, so that a server parsing it does not fail.
  add(
    'origin-header-injection',
    `https://${attacker}\t.${label}`,
    'a control character (TAB) inside Origin: reflected verbatim means no sanitising',
  );
}

/** The first round of probes: everything derived from the target itself. */
export function probesFor(target: Target, options: ProbeOptions = {}): Probe[] {
  const label = options.label ?? randomLabel();
  const attacker = `${label}-attacker.com`;
  const probes: Probe[] = [];
  const seen = new Set<string>();
  const add = (cls: ProbeClass, origin: string, note: string, extra: Partial<Probe> = {}) => {
    if (seen.has(origin)) return;
    seen.add(origin);
    probes.push({ class: cls, method: 'GET', origin, headers: { Origin: origin }, note, ...extra });
  };
  // An attacker's page is normally https; an http target is also probed with http look-alikes.
  const schemes = target.scheme === 'http' ? ['https', 'http'] : ['https'];
  const round: Round = { target, label, attacker, schemes, add };

  for (const c of candidateOrigins(target, options.legitOrigins ?? [])) add(c.cls, c.origin, c.note);
  for (const sc of schemes)
    add(
      'origin-reflected',
      `${sc}://${attacker}`,
      'an unrelated origin: trusted means any origin is reflected',
    );
  add('null-origin-trusted', 'null', 'the opaque origin of sandboxed iframes, data: and file: pages');
  domainLookAlikes(round);
  portLookAlikes(round);
  insecureTwins(round);
  fixedOrigins(round);
  // Preflights from the candidate origins and an attacker: for the answers' comparison with the
  // simple requests above, and for an over-permissive preflight.
  for (const c of candidateOrigins(target, options.legitOrigins ?? []))
    probes.push(preflight(c.origin, label, target));
  probes.push({ ...preflight('null', label, target), originClass: 'null-origin-trusted' });
  probes.push({ ...preflight(`https://${attacker}`, label, target), originClass: 'origin-reflected' });
  return probes;
}
