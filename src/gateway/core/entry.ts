/**
 * The one check of an allowlist entry, shared by the admin API, Salesforce metadata import, the
 * policy file, snapshot compilation and the console (which bundles this file): the engine's own
 * origin-pattern rules, plus the allowlist regime's rule that `*` is no origin (the allowlist is
 * credentialed, and Fetch's CORS check never accepts `*` with credentials, #cors-check step 3).
 * Pure and browser-safe: no Node APIs.
 */
import { checkOriginPattern, insecureProblem, type OriginPattern } from 'corsgate/internal/origin/pattern.js';

/** One problem with an entry. `code` is stable; the fix is structured so each caller words it. */
export interface EntryProblem {
  code: string;
  message: string;
  /** The corrected pattern, when there is one. */
  suggestion?: string;
  /** The policy-file option that lifts the rule instead, when one does (`allowInsecureOrigins`). */
  option?: string;
  /** Advice that is neither a corrected pattern nor an option (e.g. "add a public route"). */
  advice?: string;
}

export interface EntryRules {
  /** The policy file's `allowInsecureOrigins`: `http:` entries on non-loopback hosts are then accepted. */
  allowInsecureOrigins?: boolean;
}

export const ANY_ORIGIN_ENTRY: EntryProblem = Object.freeze({
  code: 'allowlist-any-origin',
  message:
    "'*' is not an origin: in the credentialed allowlist it would let any origin read your users' data, and browsers refuse it there anyway",
  advice:
    'to let any site read some endpoints without credentials, add a public route under Routes & endpoint rules',
});

/** The parsed entry, or its first problem. */
export function parseAllowlistEntry(
  pattern: unknown,
  rules: EntryRules = {},
): { pattern: OriginPattern; problem: null } | { pattern: null; problem: EntryProblem } {
  const { pattern: parsed, problem } = checkOriginPattern(pattern);
  if (problem) {
    // The pattern module words its fix as a hint; keep the structured parts, or the hint as advice.
    const p: EntryProblem =
      problem.suggestion !== undefined
        ? { code: problem.code, message: problem.message, suggestion: problem.suggestion }
        : problem.hint === undefined
          ? { code: problem.code, message: problem.message }
          : { code: problem.code, message: problem.message, advice: problem.hint };
    return { pattern: null, problem: p };
  }
  if (parsed === null || parsed.kind === 'any') return { pattern: null, problem: ANY_ORIGIN_ENTRY };
  if (parsed.insecure && rules.allowInsecureOrigins !== true) {
    const p = insecureProblem(parsed, parsed.kind);
    return {
      pattern: null,
      problem: { code: p.code, message: p.message, suggestion: p.suggestion!, option: p.option! },
    };
  }
  return { pattern: parsed, problem: null };
}

/** Null when `pattern` may be stored in the allowlist; otherwise the first problem. */
export function checkAllowlistEntry(pattern: unknown, rules: EntryRules = {}): EntryProblem | null {
  return parseAllowlistEntry(pattern, rules).problem;
}

/**
 * The fix in words. `withOptions` says whether the reader can set policy options (a policy file
 * can; the admin API, an import and the console cannot, so an option is never suggested there).
 */
export function fixHint(problem: EntryProblem, withOptions: boolean): string | undefined {
  const option = withOptions && problem.option !== undefined ? ` (or set ${problem.option}: true)` : '';
  if (problem.suggestion !== undefined) return `did you mean ${problem.suggestion}?${option}`;
  if (problem.advice !== undefined) return problem.advice + option;
  return option === '' ? undefined : `set ${problem.option}: true`;
}
