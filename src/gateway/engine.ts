/**
 * The gateway's view of the policy engine (src/policy, exported from src/index.ts). Loaded once,
 * lazily, so this module compiles before and independently of the engine's internals.
 */
import type { Policy, PolicyOptions, PolicyProblem } from '../policy/types.js';

export interface Engine {
  createPolicy(options: PolicyOptions): Policy;
}

let cached: Engine | null = null;

export async function loadEngine(): Promise<Engine> {
  if (cached) return cached;
  const mod = (await import('../index.js')) as unknown as Partial<Engine>;
  if (typeof mod.createPolicy !== 'function') throw new Error('corsgate: the policy engine (createPolicy) is not built into this copy');
  cached = { createPolicy: mod.createPolicy.bind(mod) };
  return cached;
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
 * Checks one allowlist origin pattern with the engine, in the engine's own words.
 * Returns null when valid.
 */
export function checkOriginPattern(engine: Engine, pattern: string): PatternProblem | null {
  try {
    engine.createPolicy({ origins: [pattern] });
    return null;
  } catch (err) {
    const p = problemsOf(err)[0];
    if (!p) return { code: 'origin-pattern-invalid', message: String(err) };
    return { code: p.code, message: p.message, ...(p.hint ? { hint: p.hint } : {}) };
  }
}
