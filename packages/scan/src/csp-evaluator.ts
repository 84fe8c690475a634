/**
 * CSP checks compatible with Google's CSP Evaluator: the same finding types and severity order
 * (HIGH < SYNTAX < MEDIUM < HIGH_MAYBE < STRICT_CSP < MEDIUM_MAYBE < INFO), and the same default checks,
 * each a plain function (src/scan/csp-checks.ts) run over the policy as a CSP3 browser enforces it.
 * Comma-joined policies are evaluated one by one. The peer's optional strict-CSP and reporting checks
 * are not run (docs/scan.md).
 */
import { parsePolicyList, normalizeSource, type CspPolicy } from 'corsgate/internal/csp/parse.js';
import {
  CSP_SEVERITY_ORDER,
  DEFAULT_CHECKS,
  SCRIPT_DIRECTIVES,
  type CspCheck,
  type CspFinding,
  type PolicyView,
} from './csp-checks.js';

export {
  CSP_SEVERITY_ORDER,
  DEFAULT_CHECKS,
  type CspCheck,
  type CspFinding,
  type CspSeverity,
} from './csp-checks.js';

function viewOf(policy: CspPolicy): Map<string, string[]> {
  return new Map([...policy.directives].map(([name, d]) => [name, d.values.map(normalizeSource)]));
}

const NONCE_OR_HASH = /^'(?:nonce|sha256|sha384|sha512)-[A-Za-z0-9+/_-]+={0,2}'$/;

/**
 * The policy as a CSP3 browser enforces it, per script directive (CSP3 §6.7.3.3 "Does a source list
 * allow all inline behavior"; §8.2 'strict-dynamic'): a well-formed nonce or hash cancels
 * 'unsafe-inline', and 'strict-dynamic' cancels host and scheme sources, 'self' and 'unsafe-inline'.
 */
function effectiveOf(parsed: Map<string, string[]>): Map<string, string[]> {
  const out = new Map([...parsed].map(([k, v]) => [k, [...v]]));
  for (const name of [...SCRIPT_DIRECTIVES, 'default-src']) {
    const values = out.get(name);
    if (values === undefined) continue;
    // default-src only stands in for script-src when script-src is absent.
    if (name === 'default-src' && out.has('script-src')) continue;
    let kept = values;
    if (values.some((v) => NONCE_OR_HASH.test(v))) kept = kept.filter((v) => v !== "'unsafe-inline'");
    if (values.includes("'strict-dynamic'"))
      kept = kept.filter((v) => v.startsWith("'") && v !== "'self'" && v !== "'unsafe-inline'");
    out.set(name, kept);
  }
  return out;
}

/** Evaluates a Content-Security-Policy header value; findings sorted by severity, then policy. */
export function evaluateCsp(header: string, checks: readonly CspCheck[] = DEFAULT_CHECKS): CspFinding[] {
  const findings: CspFinding[] = [];
  parsePolicyList(header).forEach((policy, index) => {
    const parsed = viewOf(policy);
    const view: PolicyView = { parsed, effective: effectiveOf(parsed) };
    for (const check of checks) for (const f of check(view)) findings.push({ ...f, policy: index });
  });
  return findings.sort(
    (a, b) =>
      CSP_SEVERITY_ORDER.indexOf(a.severity) - CSP_SEVERITY_ORDER.indexOf(b.severity) || a.policy - b.policy,
  );
}
