/**
 * The allowlist compiled a slice at a time, so that a million entries never hold the event loop
 * for more than a slice: each entry is checked by the shared entry check and added to the engine's
 * origin matcher as it arrives; `build()` then compiles the engine's policy around that matcher
 * (the same validation and evaluation `createPolicy` runs, with the origins already checked).
 * The snapshot that holds the result is swapped in whole, in one assignment, when it is done.
 */
import { compileOriginMatcher, OriginMatcherBuilder, type OriginMatcher } from '../origin/matcher.js';
import type { OriginPattern } from '../origin/pattern.js';
import { MAX_ORIGIN_LENGTH } from '../origin/parse.js';
import { PolicyError } from '../policy/errors.js';
import { compilePolicy } from '../policy/evaluate.js';
import type { Policy } from '../policy/types.js';
import { analysePolicy } from '../policy/validate.js';
import { fixHint, parseAllowlistEntry } from './core/entry.js';
import { allowlistOptions, type AllowlistOverrides, type CorsSettings } from './engine.js';
import { OriginTable } from './origin-table.js';

/** Entries checked per slice: a few hundred microseconds of work on this machine kind. */
export const SLICE = 250;

/** Whether a checked pattern is one exact ASCII origin (most entries): those go to the OriginTable. */
function isPlainExact(p: { kind: string; port?: unknown; source: string }): boolean {
  if (p.kind !== 'exact' || p.port === '*') return false;
  for (let i = 0; i < p.source.length; i++) if (p.source.charCodeAt(i) > 127) return false;
  return true;
}

export class AllowlistBuilder {
  /** Wildcards and `:*` patterns: the engine's own matcher. */
  private readonly matcher = new OriginMatcherBuilder();
  private exact: OriginTable;
  private others: string[] = [];
  /** The patterns behind `others`, for `entryOf` (which entry admitted an origin). */
  private readonly wild: OriginPattern[] = [];
  private readonly rules: { allowInsecureOrigins: boolean };
  readonly warnings: string[] = [];

  /** `expected`: how many entries will come (sizes the exact-origin table once). */
  /** `cors`: the allowlist regime's settings (methods, headers, Max-Age, credentials). */
  constructor(private readonly overrides: AllowlistOverrides = {}, expected = 0, private readonly cors: Partial<CorsSettings> = {}) {
    this.rules = { allowInsecureOrigins: overrides.allowInsecureOrigins === true };
    this.exact = new OriginTable(expected);
  }

  get size(): number {
    return this.exact.size + this.others.length;
  }

  /** Adds entries; one stored by an older version that the check refuses is dropped with a warning (deny by default). */
  add(patterns: readonly unknown[], from = 0, to = patterns.length): void {
    for (let i = from; i < to; i++) {
      const entry = parseAllowlistEntry(patterns[i], this.rules);
      if (entry.problem !== null) {
        const hint = fixHint(entry.problem, false);
        this.warnings.push(`allowlist entry '${String(patterns[i])}' ignored: ${entry.problem.message}${hint ? ` (${hint})` : ''}`);
      } else if (isPlainExact(entry.pattern)) {
        if (!this.exact.hasRoom) this.grow();
        this.exact.add(entry.pattern.source);
      } else if (this.matcher.add(entry.pattern)) {
        this.others.push(entry.pattern.source);
        this.wild.push(entry.pattern);
      }
    }
  }

  /** More entries than announced (a store that grew meanwhile): a table twice the size, once. */
  private grow(): void {
    const bigger = new OriginTable(this.exact.size * 2 + 16);
    for (const o of this.exact.list()) bigger.add(o);
    this.exact = bigger;
  }

  /**
   * Which entry admits an allowed origin (usage counters, read at each flush, never per request):
   * the exact entry itself, else the first wildcard pattern that matches. Its matchers are built at
   * the first call, so a snapshot nobody asks about costs nothing.
   */
  entryResolver(): (origin: string) => string | null {
    const exact = this.exact;
    const wild = this.wild;
    let matchers: { source: string; m: OriginMatcher }[] | null = null;
    return (origin) => {
      if (exact.has(origin)) return origin;
      matchers ??= wild.map((p) => ({ source: p.source, m: compileOriginMatcher([p]) }));
      for (const w of matchers) if (w.m.allows(origin)) return w.source;
      return null;
    };
  }

  build(): Policy {
    // The options other than the origins, validated by the engine exactly as createPolicy does.
    const analysis = analysePolicy(allowlistOptions([], this.overrides, this.cors));
    if (analysis.errors.length > 0 || analysis.normalized === null) throw new PolicyError(analysis.errors);
    const exact = this.exact;
    const others = this.others;
    const rest = this.matcher.build();
    // The engine's matcher for wildcards, after one probe of the exact origins (same equality the engine's own exact set uses).
    const matcher: OriginMatcher = {
      allows: (origin: string) => (typeof origin === 'string' && origin.length <= MAX_ORIGIN_LENGTH && exact.has(origin)) || rest.allows(origin),
      size: exact.size + rest.size,
    };
    // The engine compiles from the options without the origins (the matcher holds them); the policy's
    // own `options.origins` lists them only when someone reads it (a million strings are not kept for nothing).
    const compiled = compilePolicy({ ...analysis.normalized, origins: Object.freeze([]) }, matcher);
    const options = { ...analysis.normalized } as typeof analysis.normalized;
    Object.defineProperty(options, 'origins', { enumerable: true, get: () => Object.freeze([...exact.list(), ...others]) });
    Object.freeze(options);
    return Object.freeze({ options, warnings: Object.freeze([]), evaluate: compiled.evaluate, allowsOrigin: compiled.allowsOrigin });
  }
}
