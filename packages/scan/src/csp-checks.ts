/**
 * The CSP Evaluator checks, one plain function each, as Google's CSP Evaluator keeps them
 * (checks/security_checks.ts, checks/parser_checks.ts): each reads one policy and returns its findings.
 * Parser checks read the policy as written; security checks read it as a CSP3 browser enforces it.
 */
import type { CspCheck } from './csp-check-model.js';
import {
  checkFlashObjectAllowlistBypass,
  checkIpSource,
  checkMissingDirectives,
  checkNonceLength,
  checkPlainUrlSchemes,
  checkScriptAllowlistBypass,
  checkScriptUnsafeEval,
  checkScriptUnsafeInline,
  checkSrcHttp,
  checkWildcards,
} from './csp-security-checks.js';
import {
  checkDeprecatedDirective,
  checkInvalidKeyword,
  checkMissingSemicolon,
  checkUnknownDirective,
} from './csp-parser-checks.js';

export {
  CSP_SEVERITY_ORDER,
  SCRIPT_DIRECTIVES,
  type CheckFinding,
  type CspCheck,
  type CspFinding,
  type CspSeverity,
  type PolicyView,
} from './csp-check-model.js';
export {
  checkFlashObjectAllowlistBypass,
  checkIpSource,
  checkMissingDirectives,
  checkNonceLength,
  checkPlainUrlSchemes,
  checkScriptAllowlistBypass,
  checkScriptUnsafeEval,
  checkScriptUnsafeInline,
  checkSrcHttp,
  checkWildcards,
} from './csp-security-checks.js';
export {
  checkDeprecatedDirective,
  checkInvalidKeyword,
  checkMissingSemicolon,
  checkUnknownDirective,
  KNOWN_DIRECTIVES,
} from './csp-parser-checks.js';

/** The peer's default checks (evaluator.ts DEFAULT_CHECKS), in its order. */
export const DEFAULT_CHECKS: readonly CspCheck[] = [
  checkScriptUnsafeInline,
  checkScriptUnsafeEval,
  checkPlainUrlSchemes,
  checkWildcards,
  checkMissingDirectives,
  checkScriptAllowlistBypass,
  checkFlashObjectAllowlistBypass,
  checkIpSource,
  checkNonceLength,
  checkSrcHttp,
  checkDeprecatedDirective,
  checkUnknownDirective,
  checkMissingSemicolon,
  checkInvalidKeyword,
];
