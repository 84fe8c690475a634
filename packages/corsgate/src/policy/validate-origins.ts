/**
 * Validation of the `origins` option: each pattern checked by src/origin/pattern.ts, duplicates
 * found, and the matcher built on the way, so that a list of a million patterns is read once.
 */
import { OriginMatcherBuilder } from '../origin/matcher.js';
import { checkOriginPattern, insecureProblem, type OriginPattern } from '../origin/pattern.js';
import { describeValue, policyError, policyWarning } from './codes.js';
import type { PolicyProblem } from './types.js';

export interface ValidatedOrigins {
  /** `'*'` when any origin is allowed (`origins: '*'`, or a `'*'` entry); else the accepted patterns. */
  value: readonly string[] | '*';
  /** Whether an accepted pattern is `http:` on a host that is not loopback. */
  anyInsecure: boolean;
  /** The accepted patterns, ready to build the matcher. */
  builder: OriginMatcherBuilder;
  problems: PolicyProblem[];
}

export function validateOrigins(value: unknown, allowInsecureOrigins: boolean): ValidatedOrigins {
  const builder = new OriginMatcherBuilder();
  const result = (problems: PolicyProblem[]): ValidatedOrigins => ({
    value: [],
    anyInsecure: false,
    builder,
    problems,
  });
  if (value === undefined) {
    return result([
      policyError(
        'origins-missing',
        'origins',
        'the policy has no "origins"',
        "list the allowed origins, e.g. origins: ['https://app.example.com'], or use origins: '*'",
      ),
    ]);
  }
  if (value === '*') {
    builder.add({ kind: 'any', source: '*' });
    return { ...result([]), value: '*' };
  }
  if (!Array.isArray(value)) {
    const hint = typeof value === 'string' ? `write a list: origins: [${JSON.stringify(value)}]` : undefined;
    return result([
      policyError(
        'origins-invalid',
        'origins',
        `"origins" must be a list of origin patterns or '*', not ${describeValue(value)}`,
        hint,
      ),
    ]);
  }
  return validateOriginList(value, allowInsecureOrigins, builder);
}

function validateOriginList(
  list: readonly unknown[],
  allowInsecureOrigins: boolean,
  builder: OriginMatcherBuilder,
): ValidatedOrigins {
  const problems: PolicyProblem[] = [];
  const accepted: string[] = [];
  const duplicates: number[] = [];
  let anyOrigin = false;
  let anyInsecure = false;
  for (let i = 0; i < list.length; i++) {
    if (!(i in list)) continue; // a hole in a sparse array is not an entry
    const { pattern, problem } = checkOriginPattern(list[i]);
    if (problem !== null) {
      problems.push(
        withFix(policyError(problem.code, `origins[${i}]`, problem.message, problem.hint), problem),
      );
      continue;
    }
    const p = pattern!;
    // The builder's sets double as the duplicate check (one hash probe per pattern).
    if (!builder.add(p)) {
      duplicates.push(i);
      continue;
    }
    if (p.kind === 'any') anyOrigin = true;
    else if (p.insecure) {
      anyInsecure = true;
      problems.push(insecureOriginProblem(p, i, allowInsecureOrigins));
    }
    accepted.push(p.source);
  }
  if (duplicates.length > 0)
    for (const warning of duplicateWarnings(list, duplicates)) problems.push(warning);
  if (list.length === 0)
    problems.push(
      policyWarning(
        'origins-empty',
        'origins',
        'the origin list is empty: no cross-origin request will be allowed',
      ),
    );
  if (anyOrigin && list.length > 1)
    problems.push(
      policyWarning(
        'origin-redundant',
        'origins',
        "'*' is in the list, so the other entries change nothing",
        "use origins: '*' alone",
      ),
    );
  return { value: anyOrigin ? '*' : accepted, anyInsecure, builder, problems };
}

/** `http:` on a host that is not loopback: an error, or a warning when `allowInsecureOrigins` lifts the rule. */
function insecureOriginProblem(
  p: Exclude<OriginPattern, { kind: 'any' }>,
  i: number,
  allowInsecureOrigins: boolean,
): PolicyProblem {
  const path = `origins[${i}]`;
  const problem = insecureProblem(p, p.kind);
  if (!allowInsecureOrigins)
    return withFix(policyError(problem.code, path, problem.message, problem.hint), problem);
  return policyWarning(
    'origin-insecure-allowed',
    path,
    `${problem.message}; allowed because allowInsecureOrigins is true — any network attacker can forge this origin`,
    `did you mean ${problem.suggestion}?`,
  );
}

/** One warning per repeated entry, naming where it first appeared (found in one more pass, only when needed). */
function duplicateWarnings(list: readonly unknown[], duplicates: readonly number[]): PolicyProblem[] {
  const wanted = new Set(duplicates.map((i) => list[i] as string));
  const first = new Map<string, number>();
  list.forEach((entry: unknown, i: number) => {
    if (typeof entry === 'string' && wanted.has(entry) && !first.has(entry)) first.set(entry, i);
  });
  return duplicates.map((i) => {
    const source = list[i] as string;
    return policyWarning(
      'origin-duplicate',
      `origins[${i}]`,
      `"${source}" is listed twice (also origins[${first.get(source)}])`,
      'remove one of them',
    );
  });
}

/** The pattern check's structured fix, carried on the engine's problem. */
function withFix(p: PolicyProblem, fix: { suggestion?: string; option?: string }): PolicyProblem {
  return {
    ...p,
    ...(fix.suggestion !== undefined ? { suggestion: fix.suggestion } : {}),
    ...(fix.option !== undefined ? { option: fix.option } : {}),
  };
}

/** Rules that tie `origins` to other options. */
export function validateOriginCombinations(
  origins: ValidatedOrigins,
  options: { credentials: boolean; privateNetwork: boolean; allowInsecureOrigins: boolean },
): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const anyOrigin = origins.value === '*';
  if (anyOrigin && options.credentials) {
    problems.push(
      policyError(
        'credentials-with-any-origin',
        'credentials',
        "credentials cannot be allowed for any origin ('*'): every site on the web could read your users' data",
        "list the trusted origins instead of '*', or set credentials: false",
      ),
    );
  }
  if (anyOrigin && options.privateNetwork) {
    problems.push(
      policyError(
        'private-network-with-any-origin',
        'privateNetwork',
        "private-network access cannot be granted to any origin ('*')",
        'list the trusted origins instead',
      ),
    );
  }
  if (options.allowInsecureOrigins && !origins.anyInsecure) {
    problems.push(
      policyWarning(
        'allow-insecure-origins-unused',
        'allowInsecureOrigins',
        'allowInsecureOrigins is true but no origin needs it',
        'remove it',
      ),
    );
  }
  return problems;
}
