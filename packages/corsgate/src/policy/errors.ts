import { CorsgateError } from '../errors.js';
import type { PolicyErrorCode } from './codes.js';
import type { PolicyProblem } from './types.js';

function summarise(problems: readonly PolicyProblem[]): string {
  const errors = problems.filter((p) => p.severity === 'error');
  const shown = errors.length > 0 ? errors : problems;
  const lines = shown.map(
    (p) => `${p.path || '(policy)'}: ${p.message} [${p.code}]${p.hint ? ` (${p.hint})` : ''}`,
  );
  return `invalid CORS policy: ${shown.length} problem${shown.length === 1 ? '' : 's'}\n  ${lines.join('\n  ')}`;
}

const errorsFirst = (problems: readonly PolicyProblem[]): PolicyProblem[] =>
  [...problems].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));

/** Thrown by `createPolicy` with every problem found at once (errors and warnings). */
export class PolicyError extends CorsgateError<PolicyErrorCode, PolicyProblem> {
  override name = 'PolicyError';
  /** Every problem found (errors first), each with code, path, message and hint. */
  declare readonly problems: PolicyProblem[];

  /** `code`: `policy-invalid` for a policy, the pattern's code for `parseOriginPattern`. */
  constructor(
    problems: readonly PolicyProblem[],
    code: PolicyErrorCode = 'policy-invalid',
    message?: string,
  ) {
    super(code, message ?? summarise(problems), { problems: errorsFirst(problems) });
  }

  /** Only the errors. */
  get errors(): PolicyProblem[] {
    return this.problems.filter((p) => p.severity === 'error');
  }
}
