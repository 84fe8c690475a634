export { parseOrigin, serializeOrigin, MAX_ORIGIN_LENGTH } from './parse.js';
export type { Origin, TupleOrigin, OpaqueOrigin, HostKind } from './parse.js';
export { findHostEnd, splitAuthority } from './authority.js';
export type { Authority, AuthoritySplitFailure } from './authority.js';
export {
  checkOriginPattern,
  MAX_PATTERN_LENGTH,
  ORIGIN_PATTERN_CODES,
  SUPPORTED_SCHEMES,
} from './pattern.js';
export type { OriginPattern, OriginPatternCode, PatternProblem, PatternCheck } from './pattern.js';
export { compileOriginMatcher, isSerializedOrigin, OriginMatcherBuilder } from './matcher.js';
export type { OriginMatcher } from './matcher.js';
export { OriginTable } from './origin-table.js';
export type { OriginTableParts } from './origin-table.js';
