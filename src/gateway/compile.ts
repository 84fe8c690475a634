/**
 * The allowlist compiled a slice at a time, so that a million entries never hold the event loop
 * for more than a slice: each entry is checked by the shared entry check and added to the engine's
 * origin matcher as it arrives; `build()` then compiles the engine's policy around that matcher
 * (the same validation and evaluation `createPolicy` runs, with the origins already checked).
 * The snapshot that holds the result is swapped in whole, in one assignment, when it is done.
 */
import { compileOriginMatcher, OriginMatcherBuilder, type OriginMatcher } from 'corsgate/internal/origin/matcher.js';
import type { OriginPattern } from 'corsgate/internal/origin/pattern.js';
import { PolicyError } from 'corsgate/internal/policy/errors.js';
import { compilePolicy } from 'corsgate/internal/policy/evaluate.js';
import type { Policy } from 'corsgate/internal/policy/types.js';
import { analysePolicy } from 'corsgate/internal/policy/validate.js';
import { fixHint, parseAllowlistEntry } from './core/entry.js';
import { allowlistOptions, type AllowlistOverrides, type CorsSettings } from './engine.js';
import type { OriginTableParts } from 'corsgate/internal/origin/origin-table.js';

/** Entries checked per slice: a few hundred microseconds of work on this machine kind. */
export const SLICE = 250;

/** An allowlist checked by one process, in the form it travels to the proxy workers. */
export interface PackedAllowlist {
  /** The exact origins, in the arrays of the matcher's OriginTable. */
  readonly exact: OriginTableParts;
  /** Sources of the patterns the table does not hold (wildcards, `:*`, non-ASCII): few. */
  readonly others: readonly string[];
  readonly warnings: readonly string[];
}

export class AllowlistBuilder {
  /** The engine's own matcher, its exact origins kept off the heap. */
  private readonly matcher: OriginMatcherBuilder;
  private others: string[] = [];
  private exactCount = 0;
  /** The patterns behind `others`, for `entryOf` (which entry admitted an origin). */
  private readonly wild: OriginPattern[] = [];
  private readonly rules: { allowInsecureOrigins: boolean };
  readonly warnings: string[] = [];

  /** `expected`: how many entries will come (sizes the exact-origin table once). */
  /** `cors`: the allowlist regime's settings (methods, headers, Max-Age, credentials). */
  constructor(private readonly overrides: AllowlistOverrides = {}, expected = 0, private readonly cors: Partial<CorsSettings> = {}) {
    this.rules = { allowInsecureOrigins: overrides.allowInsecureOrigins === true };
    this.matcher = new OriginMatcherBuilder({ offHeapExact: expected });
  }

  get size(): number {
    return this.exactCount + this.others.length;
  }

  /** Adds entries; one stored by an older version that the check refuses is dropped with a warning (deny by default). */
  add(patterns: readonly unknown[], from = 0, to = patterns.length): void {
    for (let i = from; i < to; i++) {
      const entry = parseAllowlistEntry(patterns[i], this.rules);
      if (entry.problem !== null) {
        const hint = fixHint(entry.problem, false);
        this.warnings.push(`allowlist entry '${String(patterns[i])}' ignored: ${entry.problem.message}${hint ? ` (${hint})` : ''}`);
        continue;
      }
      const before = this.matcher.tableSize;
      if (!this.matcher.add(entry.pattern)) continue;
      if (this.matcher.tableSize > before) this.exactCount++;
      else {
        this.others.push(entry.pattern.source);
        this.wild.push(entry.pattern);
      }
    }
  }

  /**
   * What another process needs to rebuild this allowlist without checking it again: the exact
   * origins as the table's arrays, the other patterns as their sources (few), and the warnings.
   */
  packed(): PackedAllowlist {
    return { exact: this.matcher.tableParts()!, others: this.others, warnings: this.warnings };
  }

  /** Takes exact origins already checked and packed by another process (see `packed`); before any entry is added. */
  adoptExact(parts: OriginTableParts): void {
    this.matcher.adoptTable(parts);
    this.exactCount = parts.size;
  }

  /**
   * Which entry admits an allowed origin (usage counters, read at each flush, never per request):
   * the exact entry itself, else the first wildcard pattern that matches. Its matchers are built at
   * the first call, so a snapshot nobody asks about costs nothing.
   */
  entryResolver(): (origin: string) => string | null {
    const matcher = this.matcher;
    const wild = this.wild;
    let matchers: { source: string; m: OriginMatcher }[] | null = null;
    return (origin) => {
      if (matcher.hasExact(origin)) return origin;
      matchers ??= wild.map((p) => ({ source: p.source, m: compileOriginMatcher([p]) }));
      for (const w of matchers) if (w.m.allows(origin)) return w.source;
      return null;
    };
  }

  build(): Policy {
    // The options other than the origins, validated by the engine exactly as createPolicy does.
    const analysis = analysePolicy(allowlistOptions([], this.overrides, this.cors));
    if (analysis.errors.length > 0 || analysis.normalized === null) throw new PolicyError(analysis.errors);
    // The engine's warnings about the regime's options (settings such as exposeHeaders) show in /api/status.
    // (Not the origins': the engine sees none here, the matcher holds them.)
    for (const w of analysis.warnings) if (!w.path.startsWith('origins')) this.warnings.push(`${w.path}: ${w.message}${w.hint ? ` (${w.hint})` : ''} [${w.code}]`);
    const matcher = this.matcher;
    const others = this.others;
    // The engine compiles from the options without the origins (the matcher holds them); the policy's
    // own `options.origins` lists them only when someone reads it (a million strings are not kept for nothing).
    const compiled = compilePolicy({ ...analysis.normalized, origins: Object.freeze([]) }, matcher.build());
    const options = { ...analysis.normalized } as typeof analysis.normalized;
    Object.defineProperty(options, 'origins', { enumerable: true, get: () => Object.freeze([...matcher.tableOrigins(), ...others]) });
    Object.freeze(options);
    return Object.freeze({ options, warnings: Object.freeze([]), evaluate: compiled.evaluate, allowsOrigin: compiled.allowsOrigin });
  }
}
