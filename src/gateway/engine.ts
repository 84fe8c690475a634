/**
 * The gateway's view of the policy engine: passed around as a value so that tests can substitute it,
 * and the engine options of the allowlist regime.
 */
import { createPolicy } from 'corsgate/internal/policy/index.js';
import type { Policy, PolicyOptions, PolicyProblem } from 'corsgate/internal/policy/types.js';

export interface Engine {
  createPolicy(options: PolicyOptions): Policy;
}

export const engine: Engine = { createPolicy };

/** Salesforce's REST API CORS answer (the only public capture: jsforce issue #189), with Max-Age 600. */
export const ALLOWLIST_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const ALLOWLIST_MAX_AGE = 600;

/**
 * Engine options that replace Salesforce's defaults for the allowlist regime ("unless configured
 * otherwise"): the policy file's options that are no setting (`privateNetwork`, `preflightStatus`,
 * `allowInsecureOrigins`, `listAllowedMethods`). Origins come from the allowlist, and refused
 * origins are always rejected with 403.
 */
export type AllowlistOverrides = Partial<Omit<PolicyOptions, 'origins' | 'onDisallowed'>>;

/** The allowlist regime's options that are settings (store mode: `PUT /api/settings`). */
export const CORS_SETTING_KEYS = [
  'methods',
  'requestHeaders',
  'exposeHeaders',
  'maxAge',
  'credentials',
] as const;
export type CorsSettingKey = (typeof CORS_SETTING_KEYS)[number];
export type CorsSettings = Pick<PolicyOptions, CorsSettingKey>;

/** The engine options of the allowlist regime for these origin patterns, its settings and the policy file's other options. */
export function allowlistOptions(
  origins: readonly string[],
  overrides: AllowlistOverrides = {},
  cors: Partial<CorsSettings> = {},
): PolicyOptions {
  const methods = overrides.methods ?? cors.methods ?? [...ALLOWLIST_METHODS];
  return {
    // Any header a preflight asks for is validated by the engine, then echoed (credentials mode).
    requestHeaders: '*',
    credentials: true,
    maxAge: ALLOWLIST_MAX_AGE,
    ...pickCors(cors),
    methods,
    // Salesforce answers an allowed preflight with every allowed method, not only the requested one.
    ...(methods === '*' ? {} : { listAllowedMethods: true }),
    ...overrides,
    origins,
    onDisallowed: 'reject',
  };
}

/** The CORS options among `settings` (absent ones left out). */
export function pickCors(settings: object): Partial<CorsSettings> {
  const from = settings as Partial<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const k of CORS_SETTING_KEYS) if (from[k] !== undefined) out[k] = from[k];
  return out as Partial<CorsSettings>;
}

/** The engine options of the public regime: any origin, no credentials, simple methods. */
export const PUBLIC_OPTIONS: PolicyOptions = Object.freeze({
  origins: '*',
  methods: ['GET', 'HEAD', 'POST'],
  requestHeaders: '*',
  credentials: false,
  maxAge: ALLOWLIST_MAX_AGE,
});

/** Problems the engine reports for an error thrown by `createPolicy` (PolicyError carries them). */
export function problemsOf(err: unknown): PolicyProblem[] {
  const e = err as {
    problems?: unknown;
    errors?: unknown;
    code?: unknown;
    message?: unknown;
    path?: unknown;
  };
  const list = Array.isArray(e?.problems) ? e.problems : Array.isArray(e?.errors) ? e.errors : null;
  if (list)
    return (list as PolicyProblem[]).filter((p) => p && (p.severity === undefined || p.severity === 'error'));
  return [
    {
      severity: 'error',
      code: typeof e?.code === 'string' ? e.code : 'policy-invalid',
      path: typeof e?.path === 'string' ? e.path : '',
      message: typeof e?.message === 'string' ? e.message : String(err),
    },
  ];
}
