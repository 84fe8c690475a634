/**
 * Observatory v6's one-header tests (mdn/mdn-http-observatory src/analyzer/tests/*.js): HSTS,
 * X-Content-Type-Options, X-Frame-Options, Referrer-Policy, CORP, COEP, COOP and CORS. Each is a pure
 * function of the responses; repeated headers arrive joined with ", ", as the peer sees them.
 */
import { cspOf } from './csp.js';
import { isHtml, metaNamed } from './html.js';
import { outcome, type TestResult } from './scores.js';
import { itemToken } from './structured-field.js';
import { OBSERVATORY_ORIGIN, type GradedResponse, type ObservatoryInput } from './types.js';

// 15768000 is six months; the peer accepts the common 15552000 (180 days).
const SIX_MONTHS = 15_552_000;

export function hstsTest(r: GradedResponse): TestResult {
  const name = 'strict-transport-security';
  if (!r.url.startsWith('https:')) return outcome(name, 'hsts-not-implemented-no-https', false);
  const h = r.headers['strict-transport-security'];
  if (h === undefined) return outcome(name, 'hsts-not-implemented', false);
  // A comma means the header was sent twice (RFC 6797 §8.1: only the first is processed; the peer calls it invalid).
  const m = h.includes(',') ? null : /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?\s*(?:;|$)/i.exec(h.slice(0, 1024));
  if (m === null) return outcome(name, 'hsts-header-invalid', false);
  return Number(m[1]) >= SIX_MONTHS
    ? outcome(name, 'hsts-implemented-max-age-at-least-six-months', true)
    : outcome(name, 'hsts-implemented-max-age-less-than-six-months', false);
}

export function xctoTest(r: GradedResponse): TestResult {
  const name = 'x-content-type-options';
  const h = r.headers['x-content-type-options'];
  if (h === undefined) return outcome(name, 'x-content-type-options-not-implemented', false);
  return h.slice(0, 256).trim().toLowerCase() === 'nosniff'
    ? outcome(name, 'x-content-type-options-nosniff', true)
    : outcome(name, 'x-content-type-options-header-invalid', false);
}

export function xfoTest(r: GradedResponse): TestResult {
  const name = 'x-frame-options';
  const parsed = cspOf(r);
  // frame-ancestors in a policy the CSP test could read makes X-Frame-Options moot.
  if (typeof parsed === 'object' && parsed.csp.directives.has('frame-ancestors'))
    return outcome(name, 'x-frame-options-implemented-via-csp', true);
  const h = r.headers['x-frame-options'];
  if (h === undefined) return outcome(name, 'x-frame-options-not-implemented', false);
  // The value as it arrives: sent twice, it is "DENY, DENY", which is no valid value (HTML §7.1.7).
  const v = h.slice(0, 1024).trim().toLowerCase();
  if (v === 'deny' || v === 'sameorigin') return outcome(name, 'x-frame-options-sameorigin-or-deny', true);
  if (v.startsWith('allow-from')) return outcome(name, 'x-frame-options-allow-from-origin', true);
  return outcome(name, 'x-frame-options-header-invalid', false);
}

const PRIVATE_REFERRERS = ['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'];
const UNSAFE_REFERRERS = ['origin', 'origin-when-cross-origin', 'unsafe-url', 'no-referrer-when-downgrade'];

/**
 * The header, then `<meta name="referrer">` (HTML §4.2.5.3), joined: the last valid token wins, so the
 * page's meta element overrides the header, as it does in browsers.
 */
export function referrerTest(r: GradedResponse): TestResult {
  const name = 'referrer-policy';
  const meta = r.body !== undefined && isHtml(r.headers['content-type']) ? metaNamed(r.body, 'referrer') : [];
  const values = [
    ...(r.headers['referrer-policy'] === undefined ? [] : [r.headers['referrer-policy']]),
    ...meta,
  ];
  if (values.length === 0) return outcome(name, 'referrer-policy-not-implemented', true);
  const tokens = values
    .join(', ')
    .split(',')
    .map((v) => v.trim().toLowerCase());
  const last = tokens.filter((v) => PRIVATE_REFERRERS.includes(v) || UNSAFE_REFERRERS.includes(v)).pop();
  if (last === undefined) return outcome(name, 'referrer-policy-header-invalid', false);
  return PRIVATE_REFERRERS.includes(last)
    ? outcome(name, 'referrer-policy-private', true)
    : outcome(name, 'referrer-policy-unsafe', false);
}

/** Fetch §3.7: `Cross-Origin-Resource-Policy = %s"same-origin" / %s"same-site" / %s"cross-origin"` (case-sensitive). */
export function corpTest(r: GradedResponse): TestResult {
  const name = 'cross-origin-resource-policy';
  const h = r.headers['cross-origin-resource-policy'];
  if (h === undefined) return outcome(name, 'corp-not-implemented', true);
  const v = h.slice(0, 256).trim();
  if (v === 'same-origin') return outcome(name, 'corp-implemented-with-same-origin', true);
  if (v === 'same-site') return outcome(name, 'corp-implemented-with-same-site', true);
  if (v === 'cross-origin') return outcome(name, 'corp-implemented-with-cross-origin', true);
  return outcome(name, 'corp-header-invalid', false);
}

/** HTML §7.1.4.2: COEP is a structured Item whose Token names the policy (case-sensitive). */
export function coepTest(r: GradedResponse): TestResult {
  const name = 'cross-origin-embedder-policy';
  const h = r.headers['cross-origin-embedder-policy'];
  if (h === undefined) return outcome(name, 'coep-not-implemented', true);
  const token = itemToken(h.slice(0, 1024));
  if (token === 'require-corp') return outcome(name, 'coep-implemented-with-require-corp', true);
  if (token === 'credentialless') return outcome(name, 'coep-implemented-with-credentialless', true);
  if (token === 'unsafe-none') return outcome(name, 'coep-implemented-with-unsafe-none', true);
  return outcome(name, 'coep-header-invalid', false);
}

/** HTML §7.1.3.2: COOP is a structured Item whose Token names the policy (case-sensitive). */
export function coopTest(r: GradedResponse): TestResult {
  const name = 'cross-origin-opener-policy';
  const h = r.headers['cross-origin-opener-policy'];
  if (h === undefined) return outcome(name, 'coop-not-implemented', true);
  const token = itemToken(h.slice(0, 1024));
  if (token === 'same-origin') return outcome(name, 'coop-implemented-with-same-origin', true);
  if (token === 'same-origin-allow-popups')
    return outcome(name, 'coop-implemented-with-same-origin-allow-popups', true);
  if (token === 'noopener-allow-popups')
    return outcome(name, 'coop-implemented-with-noopener-allow-popups', true);
  if (token === 'unsafe-none') return outcome(name, 'coop-implemented-with-unsafe-none', true);
  return outcome(name, 'coop-header-invalid', false);
}

/** The preflight sent with Observatory's origin: its own origin reflected with credentials is universal access. */
export function corsTest(input: ObservatoryInput): TestResult {
  const name = 'cross-origin-resource-sharing';
  const r = input.corsPreflight ?? input.response;
  const acao = r.headers['access-control-allow-origin']?.split(',')[0];
  if (acao === undefined) return outcome(name, 'cross-origin-resource-sharing-not-implemented', true);
  if (acao.trim().toLowerCase() === '*')
    return outcome(name, 'cross-origin-resource-sharing-implemented-with-public-access', true);
  const sentOrigin = input.corsPreflight ? OBSERVATORY_ORIGIN : null;
  if (sentOrigin === acao && r.headers['access-control-allow-credentials']?.trim().toLowerCase() === 'true') {
    return outcome(name, 'cross-origin-resource-sharing-implemented-with-universal-access', false);
  }
  return outcome(name, 'cross-origin-resource-sharing-implemented-with-restricted-access', true);
}
