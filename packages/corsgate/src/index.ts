// corsgate's main entry: the policy engine. Adapters, explain and scan have subpath exports.
export { createPolicy, parseOriginPattern, PolicyError, validatePolicy } from './policy/index.js';
export type {
  ParseOriginPatternOptions,
  ValidationResult,
  PolicyErrorCode,
  PolicyProblemCode,
} from './policy/index.js';
export { CorsgateError } from './errors.js';
export type { CorsgateProblem } from './errors.js';
export { parseOrigin, serializeOrigin } from './origin/index.js';
export { isLoopbackHost } from './http/url.js';
export type {
  Origin,
  TupleOrigin,
  OpaqueOrigin,
  HostKind,
  OriginPattern,
  OriginPatternCode,
} from './origin/index.js';
export type * from './policy/types.js';
