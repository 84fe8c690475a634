export { parseOrigin, serializeOrigin, MAX_ORIGIN_LENGTH } from './parse.js';
export type { Origin, TupleOrigin, OpaqueOrigin, HostKind } from './parse.js';
export { checkOriginPattern, MAX_PATTERN_LENGTH, SUPPORTED_SCHEMES } from './pattern.js';
export type { OriginPattern, PatternProblem, PatternCheck } from './pattern.js';
export { compileOriginMatcher, isSerializedOrigin, OriginMatcherBuilder } from './matcher.js';
export type { OriginMatcher } from './matcher.js';
