// corsgate's main entry: the policy engine. Adapters, explain and scan have subpath exports.
export type * from './policy/types.js';
