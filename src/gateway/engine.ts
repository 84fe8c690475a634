/**
 * The gateway's view of the policy engine: passed around as a value so that tests can substitute it.
 */
import { createPolicy } from '../policy/index.js';
import type { Policy, PolicyOptions, PolicyProblem } from '../policy/types.js';

export interface Engine {
  createPolicy(options: PolicyOptions): Policy;
}

export const engine: Engine = { createPolicy };

/** Salesforce's REST API CORS answer (the only public capture: jsforce issue #189), with Max-Age 600. */
export const ALLOWLIST_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const ALLOWLIST_MAX_AGE = 600;

/**
 * Engine options that replace Salesforce's defaults for the allowlist regime ("unless configured
 * otherwise"): today only from a `--policy` file. Origins come from the allowlist, and refused
 * origins are always rejected with 403.
 */
export type AllowlistOverrides = Partial<Omit<PolicyOptions, 'origins' | 'onDisallowed'>>;

/** The engine options of the allowlist regime for these origin patterns. */
export function allowlistOptions(origins: readonly string[], overrides: AllowlistOverrides = {}): PolicyOptions {
  return {
    methods: [...ALLOWLIST_METHODS],
    // Any header a preflight asks for is validated by the engine, then echoed (credentials mode).
    requestHeaders: '*',
    credentials: true,
    maxAge: ALLOWLIST_MAX_AGE,
    ...overrides,
    origins,
    onDisallowed: 'reject',
  };
}

export interface PatternProblem {
  code: string;
  message: string;
  hint?: string;
}

/** Problems the engine reports for an error thrown by `createPolicy` (PolicyError carries them). */
export function problemsOf(err: unknown): PolicyProblem[] {
  const e = err as { problems?: unknown; errors?: unknown; code?: unknown; message?: unknown; path?: unknown };
  const list = Array.isArray(e?.problems) ? e.problems : Array.isArray(e?.errors) ? e.errors : null;
  if (list) return (list as PolicyProblem[]).filter((p) => p && (p.severity === undefined || p.severity === 'error'));
  return [
    {
      severity: 'error',
      code: typeof e?.code === 'string' ? e.code : 'policy-invalid',
      path: typeof e?.path === 'string' ? e.path : '',
      message: typeof e?.message === 'string' ? e.message : String(err),
    },
  ];
}

/**
 * Checks one allowlist origin pattern with the engine, in the engine's own words, in the context of
 * the allowlist regime: a pattern that is only valid elsewhere (`*`, which the credentialed allowlist
 * can never hold) must not be stored, or every later compile of the allowlist would fail.
 * Returns null when valid.
 */
export function checkOriginPattern(engine: Engine, pattern: string, overrides: AllowlistOverrides = {}): PatternProblem | null {
  try {
    engine.createPolicy(allowlistOptions([pattern], overrides));
    return null;
  } catch (err) {
    const p = problemsOf(err)[0];
    if (!p) return { code: 'origin-pattern-invalid', message: String(err) };
    return { code: p.code, message: p.message, ...(p.hint ? { hint: p.hint } : {}) };
  }
}

/**
 * The engine's advice may end with "(or set allowInsecureOrigins: true)", an option of policy files;
 * the admin API and imports have no such option, so that part is dropped there.
 */
export function withoutPolicyOptionAdvice(text: string): string {
  return text.replace(/ \(or set allowInsecureOrigins: true\)/g, '');
}

/** `checkOriginPattern` for the admin API and imports (no policy options to suggest). */
export function checkAdminPattern(engine: Engine, pattern: string): PatternProblem | null {
  const p = checkOriginPattern(engine, pattern);
  return p && { code: p.code, message: withoutPolicyOptionAdvice(p.message), ...(p.hint ? { hint: withoutPolicyOptionAdvice(p.hint) } : {}) };
}
