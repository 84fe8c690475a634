/** What the CSP Evaluator checks share: the finding and policy types, CSP3's fallback lists, and small helpers. */
export type CspSeverity =
  'HIGH' | 'SYNTAX' | 'MEDIUM' | 'HIGH_MAYBE' | 'STRICT_CSP' | 'MEDIUM_MAYBE' | 'INFO' | 'NONE';
export const CSP_SEVERITY_ORDER: CspSeverity[] = [
  'HIGH',
  'SYNTAX',
  'MEDIUM',
  'HIGH_MAYBE',
  'STRICT_CSP',
  'MEDIUM_MAYBE',
  'INFO',
  'NONE',
];

/** One finding of a check, as CSP Evaluator's Finding (finding.ts). */
export interface CspFinding {
  type: string;
  severity: CspSeverity;
  directive: string;
  value?: string;
  description: string;
  /** Which policy of a comma-joined header (0-based). */
  policy: number;
}

export interface PolicyView {
  /** Directive → normalized values, as written. */
  parsed: Map<string, string[]>;
  /** The same, with what a CSP3 browser ignores removed (nonces and hashes cancel 'unsafe-inline', …). */
  effective: Map<string, string[]>;
}

export type CheckFinding = Omit<CspFinding, 'policy'>;
export type CspCheck = (policy: PolicyView) => CheckFinding[];

export const SCRIPT_DIRECTIVES = ['script-src', 'script-src-attr', 'script-src-elem'] as const;
/** Directives whose weakness allows script execution. */
export const XSS_DIRECTIVES = [...SCRIPT_DIRECTIVES, 'object-src', 'base-uri'];

/** CSP3 §6.8.3 fallback lists, for the directives these checks look at. */
export const FALLBACK: Record<string, string[]> = {
  'script-src': ['script-src', 'default-src'],
  'script-src-attr': ['script-src-attr', 'script-src', 'default-src'],
  'script-src-elem': ['script-src-elem', 'script-src', 'default-src'],
  'object-src': ['object-src', 'default-src'],
};

/**
 * The directives that actually hold the values for `names` (each followed to its fallback), each once,
 * so a finding about values inherited from default-src is reported once, under default-src.
 */
export function governing(csp: Map<string, string[]>, names: readonly string[]): string[] {
  const out = new Set<string>();
  for (const name of names) {
    const found = (FALLBACK[name] ?? [name]).find((d) => csp.has(d));
    if (found !== undefined) out.add(found);
  }
  return [...out];
}

export const finding = (
  type: string,
  severity: CspFinding['severity'],
  directive: string,
  description: string,
  value?: string,
): CheckFinding => ({ type, severity, directive, description, ...(value !== undefined ? { value } : {}) });

/** Drops the scheme (`https://`) or the protocol-relative `//` of a source. */
export function schemeFree(value: string): string {
  return value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^\/\//, '');
}
