/** Building blocks shared by both rounds of probes: look-alikes of a trusted host, and preflights. */
import type { Probe, ProbeClass, Target } from './probe-model.js';

/** Adds one GET probe (once per origin). */
export type AddProbe = (cls: ProbeClass, origin: string, note: string, extra?: Partial<Probe>) => void;

const WIDELY_ACCEPTED = new Set(['_', '-']);

export function isIpOrSingleLabel(host: string): boolean {
  return !host.includes('.') || /^[\d.]+$/.test(host) || host.includes(':') || host.startsWith('[');
}

/** Look-alikes of one trusted host `h` (a target host or a trusted origin's host). */
export function lookAlikes(
  add: AddProbe,
  schemes: string[],
  h: string,
  label: string,
  attacker: string,
  chars: string[],
): void {
  for (const s of schemes) {
    add(
      'prefix-match',
      `${s}://${h}.${attacker}`,
      `${h} followed by an attacker's domain (a startsWith check)`,
    );
    // Unescaped regex dot: each dot inside the host becomes a letter (api.example.com → apixexample.com).
    const dots = [...h.matchAll(/\./g)].map((m) => m.index!);
    for (const i of dots.slice(0, 6))
      add(
        'unescaped-dot',
        `${s}://${h.slice(0, i)}x${h.slice(i + 1)}`,
        `a dot of ${h} replaced by a letter (an unescaped "." in a regex)`,
      );
    add(
      'substring-match',
      `${s}://${label}${h}.${attacker}`,
      `${h} inside an attacker's host name (an includes/indexOf or unanchored regex check)`,
    );
    if (h.length > 3)
      add(
        'substring-match',
        `${s}://${h.slice(0, -1)}`,
        `${h} cut short (the Origin looked up as a substring of an allowlist string)`,
      );
  }
  for (const c of chars) {
    // The common characters in every scheme probed; the Safari-only ones over https.
    if (c === '_' || c === '`')
      for (const s of schemes.filter((x) => x !== 'https'))
        add(
          'special-char-bypass',
          `${s}://${h}${c}.${attacker}`,
          `${h} then '${c}' then an attacker's domain`,
          c === '_' ? {} : { severity: 'medium' },
        );
    add(
      'special-char-bypass',
      `https://${h}${c}.${attacker}`,
      `${h} then '${c}' then an attacker's domain (parser confusion; ${WIDELY_ACCEPTED.has(c) ? 'Chrome and Firefox allow' : 'Safari allows'} '${c}' in host names)`,
      WIDELY_ACCEPTED.has(c) ? {} : { severity: 'medium' },
    );
  }
}

/**
 * A preflight for a made-up method and header: granting them means methods and headers are
 * granted wholesale. Its class is permissive-preflight; its ACAO is compared like any other probe's.
 */
export function preflight(origin: string, label: string, target: Target): Probe {
  return {
    class: 'permissive-preflight',
    method: 'OPTIONS',
    origin,
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': `X${label.toUpperCase()}`,
      'Access-Control-Request-Headers': `x-${label}-probe`,
    },
    note: `a preflight from ${origin === target.url.origin ? "the target's own origin" : origin} for a made-up method and header`,
  };
}

/** The same origin probe as a preflight (for servers that only answer CORS on OPTIONS). */
export function asPreflight(p: Probe): Probe {
  return { ...p, method: 'OPTIONS', headers: { Origin: p.origin, 'Access-Control-Request-Method': 'GET' } };
}
