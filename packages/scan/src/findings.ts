/** Each finding class's metadata (severity, title, fix) in one record, and the fix's policy for a target. */
import { isLoopbackHost } from 'corsgate/internal/http/url.js';
import type { PolicyOptions } from 'corsgate/internal/policy/types.js';
import { hostOfOrigin } from './platforms.js';
import type { Target } from './probes.js';
import type { Severity } from './severity.js';

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
  | 'wildcard-origin'
  | 'invalid-acao'
  | 'missing-vary-origin'
  | 'origin-header-injection'
  | 'permissive-preflight'
  | 'websocket-origin-not-checked';

/**
 * Each class's severity (with credentials allowed; without them each drops one level), title and fix,
 * in one record: the compiler checks that every class has all three. The order is the report's order
 * for equal severities.
 */
export const FINDINGS: Record<FindingId, { severity: Severity; title: string; fix: string }> = {
  'origin-reflected': {
    severity: 'critical',
    title: 'Any origin is reflected',
    fix: 'Never echo the Origin header back unchecked: compare it with an explicit allowlist of exact origins.',
  },
  'null-origin-trusted': {
    severity: 'high',
    title: "The 'null' origin is trusted",
    fix: "Remove 'null' from the allowlist: sandboxed iframes, data: and file: pages of any site send it.",
  },
  'prefix-match': {
    severity: 'high',
    title: 'Origins that start with a trusted host are trusted (<host>.attacker.tld)',
    fix: 'Compare whole origins (scheme, host and port) for equality; never use startsWith on the Origin.',
  },
  'suffix-match': {
    severity: 'high',
    title: "Origins that end with the site's domain are trusted (attacker<domain>)",
    fix: 'Match subdomains on a label boundary (".example.com"), never with a bare endsWith("example.com"); better, list exact origins or use a validated pattern such as https://*.example.com.',
  },
  'unescaped-dot': {
    severity: 'high',
    title: 'A regex with an unescaped dot lets look-alike hosts through',
    fix: 'Escape dots and anchor any origin regex (^https://app\\.example\\.com$), or use exact origins instead of regexes.',
  },
  'substring-match': {
    severity: 'high',
    title: 'Origins are matched as substrings, not compared whole',
    fix: 'Never test the Origin with includes/indexOf or an unanchored regex: compare whole origins.',
  },
  'special-char-bypass': {
    severity: 'high',
    title: 'Special characters in the host bypass the origin check',
    fix: 'Parse the Origin as a URL and compare the serialized origin exactly; do not rely on a regex that stops at unusual characters.',
  },
  'any-subdomain-trusted': {
    severity: 'medium',
    title: 'Every subdomain is trusted',
    fix: 'Trust only the subdomains that need access, not every subdomain: one XSS or dangling DNS record on any of them exposes this API.',
  },
  'insecure-origin-trusted': {
    severity: 'medium',
    title: 'An https site trusts an http origin',
    fix: 'Trust only https:// origins: a network attacker can inject script into any http:// page.',
  },
  'third-party-origin-trusted': {
    severity: 'high',
    title: 'An origin where anyone can publish code is trusted',
    fix: 'Remove shared hosting origins (github.io, codepen.io, …) from the allowlist: anyone can publish there.',
  },
  'localhost-prefix-trusted': {
    severity: 'high',
    title: 'localhost.<attacker> is trusted',
    fix: 'Anchor localhost checks: allow http://localhost:<port> exactly, not anything starting with "localhost".',
  },
  'wildcard-origin': {
    severity: 'low',
    title: 'Any origin may read responses (*)',
    fix: "'*' lets every website read these responses; keep it for truly public data, otherwise list the origins.",
  },
  'invalid-acao': {
    severity: 'low',
    title: 'Access-Control-Allow-Origin has an invalid value',
    fix: 'Send exactly one origin (or * without credentials): browsers reject several values, "*" with credentials and malformed values.',
  },
  'missing-vary-origin': {
    severity: 'medium',
    title: 'The allowed origin changes with Origin but Vary lacks Origin',
    fix: "Add Vary: Origin to every response whose Access-Control-Allow-Origin depends on the request, or caches will serve one origin's answer to another (corsgate always does).",
  },
  'origin-header-injection': {
    severity: 'medium',
    title: 'Control characters in Origin are reflected unsanitised',
    fix: 'Validate the Origin before using it in a response header: reject anything that is not exactly scheme://host[:port].',
  },
  'websocket-origin-not-checked': {
    severity: 'high',
    title: 'A WebSocket endpoint accepts a handshake from any origin',
    fix: "Check the handshake's Origin against an allowlist and answer 403 to any other (RFC 6455 §10.2): browsers apply no CORS to WebSockets, so any site can open one with the user's cookies (cross-site WebSocket hijacking). corsgate serve does this for every route.",
  },
  'permissive-preflight': {
    severity: 'medium',
    title: 'Preflights grant any requested method or header, with credentials',
    fix: 'Grant only the methods and headers the API needs; never echo Access-Control-Request-Method/-Headers wholesale (or send *) when credentials are allowed.',
  },
};

export const FINDING_IDS = Object.keys(FINDINGS) as FindingId[];

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

export function fixFor(id: FindingId, target: Target, legit: string[], credentials: boolean): Finding['fix'] {
  // The legitimate origins seen trusted (or named by the user); a placeholder when there are none.
  const known = legit.filter(acceptableOrigin).slice(0, 5);
  const policy: PolicyOptions = {
    origins: known.length ? known : [placeholderOrigin(target)],
    ...(credentials && id !== 'wildcard-origin' ? { credentials: true } : {}),
    ...(id === 'permissive-preflight' ? { methods: ['GET', 'POST'], requestHeaders: ['content-type'] } : {}),
  };
  return { text: `${FINDINGS[id].fix} corsgate policy: ${JSON.stringify(policy)}`, policy };
}
