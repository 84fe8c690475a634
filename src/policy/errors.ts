import type { PolicyProblem } from './types.js';

function summarise(problems: readonly PolicyProblem[]): string {
  const errors = problems.filter((p) => p.severity === 'error');
  const shown = errors.length > 0 ? errors : problems;
  const lines = shown.map((p) => `${p.path || '(policy)'}: ${p.message} [${p.code}]${p.hint ? ` (${p.hint})` : ''}`);
  return `invalid CORS policy: ${shown.length} problem${shown.length === 1 ? '' : 's'}\n  ${lines.join('\n  ')}`;
}

/** Thrown by `createPolicy` with every problem found at once (errors and warnings). */
export class PolicyError extends Error {
  override name = 'PolicyError';
  /** Stable code: `policy-invalid` for a policy, the pattern's code for `parseOriginPattern`. */
  readonly code: string;
  /** Every problem found (errors first), each with code, path, message and hint. */
  readonly problems: PolicyProblem[];

  constructor(problems: readonly PolicyProblem[], code = 'policy-invalid', message?: string) {
    super(message ?? summarise(problems));
    this.code = code;
    this.problems = [...problems].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  }

  /** Only the errors. */
  get errors(): PolicyProblem[] {
    return this.problems.filter((p) => p.severity === 'error');
  }
}
