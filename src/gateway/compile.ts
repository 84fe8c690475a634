/**
 * The allowlist compiled a slice at a time, so that a million entries never hold the event loop
 * for more than a slice: each entry is checked by the shared entry check and added to the engine's
 * origin matcher as it arrives; `build()` then compiles the engine's policy around that matcher
 * (the same validation and evaluation `createPolicy` runs, with the origins already checked).
 * The snapshot that holds the result is swapped in whole, in one assignment, when it is done.
 */
import { OriginMatcherBuilder } from '../origin/matcher.js';
import { PolicyError } from '../policy/errors.js';
import { compilePolicy } from '../policy/evaluate.js';
import type { Policy } from '../policy/types.js';
import { analysePolicy } from '../policy/validate.js';
import { fixHint, parseAllowlistEntry } from './core/entry.js';
import { allowlistOptions, type AllowlistOverrides } from './engine.js';

/** Entries checked per slice: about a millisecond of work on this machine kind. */
export const SLICE = 2_000;

export class AllowlistBuilder {
  private readonly matcher = new OriginMatcherBuilder();
  private readonly accepted: string[] = [];
  private readonly rules: { allowInsecureOrigins: boolean };
  readonly warnings: string[] = [];

  constructor(private readonly overrides: AllowlistOverrides = {}) {
    this.rules = { allowInsecureOrigins: overrides.allowInsecureOrigins === true };
  }

  get size(): number {
    return this.accepted.length;
  }

  /** Adds entries; one stored by an older version that the check refuses is dropped with a warning (deny by default). */
  add(patterns: readonly unknown[], from = 0, to = patterns.length): void {
    for (let i = from; i < to; i++) {
      const entry = parseAllowlistEntry(patterns[i], this.rules);
      if (entry.problem !== null) {
        const hint = fixHint(entry.problem, false);
        this.warnings.push(`allowlist entry '${String(patterns[i])}' ignored: ${entry.problem.message}${hint ? ` (${hint})` : ''}`);
      } else if (this.matcher.add(entry.pattern)) this.accepted.push(entry.pattern.source);
    }
  }

  build(): Policy {
    // The options other than the origins, validated by the engine exactly as createPolicy does.
    const analysis = analysePolicy(allowlistOptions([], this.overrides));
    if (analysis.errors.length > 0 || analysis.normalized === null) throw new PolicyError(analysis.errors);
    const options = Object.freeze({ ...analysis.normalized, origins: Object.freeze(this.accepted) });
    const compiled = compilePolicy(options, this.matcher.build());
    return Object.freeze({ options, warnings: Object.freeze([]), evaluate: compiled.evaluate, allowsOrigin: compiled.allowsOrigin });
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Compiles `patterns` in slices, yielding to the event loop between them; `stale()` abandons the work. */
export async function compileAllowlistSliced(patterns: readonly unknown[], overrides: AllowlistOverrides, stale: () => boolean = () => false): Promise<AllowlistBuilder | null> {
  const builder = new AllowlistBuilder(overrides);
  for (let i = 0; i < patterns.length; i += SLICE) {
    builder.add(patterns, i, Math.min(patterns.length, i + SLICE));
    if (patterns.length > SLICE) await nextTurn();
    if (stale()) return null;
  }
  return builder;
}
