/**
 * `createPolicy(options)`: validates everything at once (throwing a PolicyError listing every
 * problem) and returns an immutable compiled policy whose `evaluate` decides each request.
 */
import { checkOriginPattern, insecureProblem, type OriginPattern } from '../origin/pattern.js';
import { policyError } from './codes.js';
import { PolicyError } from './errors.js';
import { compilePolicy } from './evaluate.js';
import { analysePolicy } from './validate.js';
import type { Policy, PolicyOptions } from './types.js';

export { PolicyError } from './errors.js';
export type {
  PolicyErrorCode,
  PolicyErrorProblemCode,
  PolicyProblemCode,
  PolicyWarningCode,
} from './codes.js';
export { validatePolicy, OPTION_NAMES, MAX_AGE_LIMIT } from './validate.js';
export type { ValidationResult } from './validate.js';
export { readHeader } from './evaluate.js';
export {
  parseRequestHeaderNames,
  MAX_ACRH_LENGTH,
  MAX_ACRH_NAMES,
  MAX_ACRH_EMPTY,
  MAX_ACRM_LENGTH,
} from './names.js';
export type * from './types.js';

export function createPolicy(options: PolicyOptions): Policy {
  const analysis = analysePolicy(options);
  if (analysis.errors.length > 0 || analysis.normalized === null || analysis.matcher === null) {
    throw new PolicyError([...analysis.errors, ...analysis.warnings]);
  }
  const normalized = deepFreeze(analysis.normalized);
  const compiled = compilePolicy(normalized, analysis.matcher);
  const warnings = Object.freeze(analysis.warnings.map((w) => Object.freeze(w)));
  return Object.freeze({
    options: normalized,
    warnings,
    evaluate: compiled.evaluate,
    allowsOrigin: compiled.allowsOrigin,
  });
}

export interface ParseOriginPatternOptions {
  /** Accept `http:` on non-loopback hosts (as the policy option of the same name). */
  allowInsecureOrigins?: boolean;
}

/**
 * Parses one origin pattern. Throws a PolicyError whose `code` is the pattern's problem code
 * (e.g. `origin-insecure`, `origin-trailing-slash`), with a plain-words message and a fix hint.
 */
export function parseOriginPattern(pattern: string, options: ParseOriginPatternOptions = {}): OriginPattern {
  const { pattern: parsed, problem } = checkOriginPattern(pattern);
  const insecure =
    parsed !== null && parsed.kind !== 'any' && parsed.insecure && options.allowInsecureOrigins !== true;
  const refusal = problem ?? (insecure ? insecureProblem(parsed, parsed.kind) : null);
  if (refusal !== null) {
    const message = refusal.hint ? `${refusal.message}: ${refusal.hint}` : refusal.message;
    throw new PolicyError(
      [policyError(refusal.code, '', refusal.message, refusal.hint)],
      refusal.code,
      message,
    );
  }
  return parsed!;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
