/**
 * The allowlist compiled a slice at a time, so that a million entries never hold the event loop
 * for more than a slice: each entry is checked by the shared entry check and added to the engine's
 * origin matcher as it arrives; `build()` then compiles the engine's policy around that matcher
 * (the same validation and evaluation `createPolicy` runs, with the origins already checked).
 * The snapshot that holds the result is swapped in whole, in one assignment, when it is done.
 */
import {
  compileOriginMatcher,
  OriginMatcherBuilder,
  type OriginMatcher,
} from 'corsgate/internal/origin/matcher.js';
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

/** A change to the exact-origin table, as the primary applied it and every worker applies it to its copy: removals first. */
export interface TableOps {
  readonly del: readonly string[];
  readonly add: readonly string[];
}

export class AllowlistBuilder {
  /** The engine's own matcher, its exact origins kept off the heap. */
  private readonly matcher: OriginMatcherBuilder;
  private others: string[] = [];
  private exactCount = 0;
  /** The patterns behind `others`, for `entryOf` (which entry admitted an origin). */
  private readonly wild: OriginPattern[] = [];
  private readonly rules: { allowInsecureOrigins: boolean };
  /** Sources listed more than once, and how many times more (a removal of one copy keeps the origin). */
  private readonly extra = new Map<string, number>();
  /** Arena bytes of origins removed by deltas. */
  private wastedBytes = 0;
  readonly warnings: string[] = [];

  /** `expected`: how many entries will come (sizes the exact-origin table once). */
  /** `cors`: the allowlist regime's settings (methods, headers, Max-Age, credentials). */
  constructor(
    private readonly overrides: AllowlistOverrides = {},
    expected = 0,
    private readonly cors: Partial<CorsSettings> = {},
  ) {
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
        this.warnings.push(
          `allowlist entry '${String(patterns[i])}' ignored: ${entry.problem.message}${hint ? ` (${hint})` : ''}`,
        );
        continue;
      }
      const before = this.matcher.tableSize;
      if (!this.matcher.add(entry.pattern)) {
        this.extra.set(entry.pattern.source, (this.extra.get(entry.pattern.source) ?? 0) + 1);
        continue;
      }
      if (this.matcher.tableSize > before) this.exactCount++;
      else {
        this.others.push(entry.pattern.source);
        this.wild.push(entry.pattern);
      }
    }
  }

  /**
   * Applies an allowlist delta (the entries removed, then those added, since the state this builder
   * holds) to the exact-origin table, and returns the table changes it made (duplicates counted, so
   * a removed copy of a listed origin changes nothing). Null when the delta touches anything else:
   * an entry that is no exact ASCII origin (a wildcard, `:*`, an invalid row, whose order or warning
   * a full check must place) or more entries than the table has room for. After null, the builder
   * is half changed: build a new one from the whole allowlist.
   */
  applyDelta(removed: readonly string[], added: readonly string[]): TableOps | null {
    const parts = this.matcher.tableParts();
    if (parts === null || (parts.size + added.length) * 2 > parts.offsets.length) return null;
    const ops = { del: [] as string[], add: [] as string[] };
    for (const p of removed) if (!this.remove(p, ops.del)) return null;
    for (const p of added) {
      const entry = parseAllowlistEntry(p, this.rules);
      if (entry.problem !== null) return null;
      const source = entry.pattern.source;
      const before = this.matcher.tableSize;
      if (!this.matcher.add(entry.pattern)) {
        if (this.others.includes(source)) return null; // a pattern's copies: a full check places the first
        this.extra.set(source, (this.extra.get(source) ?? 0) + 1);
      } else if (this.matcher.tableSize > before) {
        ops.add.push(source);
        this.exactCount++;
      } else return null;
    }
    return ops;
  }

  /** One removed entry of a delta (see applyDelta): false when it is no exact origin of the table. */
  private remove(p: string, del: string[]): boolean {
    const entry = parseAllowlistEntry(p, this.rules);
    if (entry.problem !== null) return false;
    const source = entry.pattern.source;
    const extra = this.extra.get(source);
    if (extra !== undefined) {
      if (this.others.includes(source)) return false;
      if (extra > 1) this.extra.set(source, extra - 1);
      else this.extra.delete(source);
      return true;
    }
    if (!this.matcher.deleteExact(source)) return false;
    del.push(source);
    this.exactCount--;
    this.wastedBytes += source.length;
    return true;
  }

  /** Whether removed origins left more than half of the table's arena unused (build anew, compacted). */
  get wasteful(): boolean {
    const parts = this.matcher.tableParts();
    return parts !== null && this.wastedBytes * 2 > parts.arena.length;
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
    for (const w of analysis.warnings)
      if (!w.path.startsWith('origins'))
        this.warnings.push(`${w.path}: ${w.message}${w.hint ? ` (${w.hint})` : ''} [${w.code}]`);
    const matcher = this.matcher;
    const others = this.others;
    // The engine compiles from the options without the origins (the matcher holds them); the policy's
    // own `options.origins` lists them only when someone reads it (a million strings are not kept for nothing).
    const compiled = compilePolicy({ ...analysis.normalized, origins: Object.freeze([]) }, matcher.build());
    const options = { ...analysis.normalized } as typeof analysis.normalized;
    Object.defineProperty(options, 'origins', {
      enumerable: true,
      get: () => Object.freeze([...matcher.tableOrigins(), ...others]),
    });
    Object.freeze(options);
    return Object.freeze({
      options,
      warnings: Object.freeze([]),
      evaluate: compiled.evaluate,
      allowsOrigin: compiled.allowsOrigin,
    });
  }
}
