/** What probing works with: the target, a probe, its answer, and the attacker's label and characters. */
import { getDomain } from 'tldts';
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
export const SPECIAL_CHARS = [
  '_',
  '`',
  '-',
  '!',
  '$',
  '&',
  "'",
  '(',
  ')',
  '*',
  '+',
  ',',
  ';',
  '=',
  '~',
  '{',
  '}',
  '"',
];

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
