/**
 * Every stable code of the policy engine, as data (so that tests can hold the docs to them) and as
 * TypeScript unions (so that the compiler holds the code to them). docs/engine.md lists each one.
 */
import { ORIGIN_PATTERN_CODES, type OriginPatternCode } from '../origin/pattern.js';
import type { PolicyProblem } from './types.js';

/** Codes of validation errors: the policy does not compile. */
export const POLICY_ERROR_CODES = [
  'options-not-object',
  'option-unknown',
  'origins-missing',
  'origins-invalid',
  ...ORIGIN_PATTERN_CODES,
  'credentials-with-any-origin',
  'private-network-with-any-origin',
  'methods-invalid',
  'method-invalid',
  'method-wildcard-in-list',
  'method-forbidden',
  'request-headers-invalid',
  'expose-headers-invalid',
  'header-invalid',
  'header-wildcard-in-list',
  'header-forbidden',
  'expose-forbidden',
  'expose-cors-header',
  'expose-wildcard-with-credentials',
  'max-age-invalid',
  'max-age-out-of-range',
  'preflight-status-invalid',
  'on-disallowed-invalid',
  'credentials-invalid',
  'private-network-invalid',
  'allow-insecure-origins-invalid',
  'list-allowed-methods-invalid',
  'list-allowed-methods-with-any-method',
] as const;

/** Codes of validation warnings: the policy compiles, but something in it is probably not meant. */
export const POLICY_WARNING_CODES = [
  'origin-insecure-allowed',
  'origin-duplicate',
  'origin-redundant',
  'origins-empty',
  'allow-insecure-origins-unused',
  'method-not-normalized',
  'method-lower-case',
  'method-duplicate',
  'header-duplicate',
  'expose-safelisted',
  'max-age-above-browser-cap',
] as const;

export type PolicyErrorProblemCode = (typeof POLICY_ERROR_CODES)[number];
export type PolicyWarningCode = (typeof POLICY_WARNING_CODES)[number];
export type PolicyProblemCode = PolicyErrorProblemCode | PolicyWarningCode;

/** `PolicyError.code`: `policy-invalid` from `createPolicy`, the pattern's own code from `parseOriginPattern`. */
export const POLICY_ERROR_CLASS_CODES = ['policy-invalid', ...ORIGIN_PATTERN_CODES] as const;
export type PolicyErrorCode = 'policy-invalid' | OriginPatternCode;

export function policyError(
  code: PolicyErrorProblemCode,
  path: string,
  message: string,
  hint?: string,
): PolicyProblem {
  return hint === undefined
    ? { severity: 'error', code, path, message }
    : { severity: 'error', code, path, message, hint };
}

export function policyWarning(
  code: PolicyWarningCode,
  path: string,
  message: string,
  hint?: string,
): PolicyProblem {
  return hint === undefined
    ? { severity: 'warning', code, path, message }
    : { severity: 'warning', code, path, message, hint };
}

/** How a wrong value is named in a message: `null`, `an array`, `string`, … */
export function describeValue(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}
