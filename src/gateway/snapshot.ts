/**
 * Compiles the store's state into one immutable snapshot: the allowlist policy, the public policy,
 * the routes and the CSP header. The proxy reads one snapshot reference per request, so a request
 * never sees half of a change; a new snapshot replaces the old one in a single assignment.
 */
import type { Policy, PolicyOptions } from '../policy/types.js';
import type { Settings, StoreState, TrustedSite } from '../store/types.js';
import { checkOriginPattern, type Engine } from './engine.js';
import { compileRoutes, type CompiledRoute } from './routes.js';
import { buildCsp } from './modules.js';

/** Salesforce's REST API CORS answer (the only public capture: jsforce issue #189), with Max-Age 600. */
export const ALLOWLIST_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const ALLOWLIST_MAX_AGE = 600;

export interface Snapshot {
  readonly version: number;
  readonly allowlist: Policy;
  readonly publicPolicy: Policy;
  readonly routes: readonly CompiledRoute[];
  readonly settings: Readonly<Settings>;
  /** The Content-Security-Policy value for HTML responses of CSP routes, or null. */
  readonly csp: string | null;
  readonly cspBytes: number;
  readonly warnings: readonly string[];
  readonly allowlistSize: number;
}

function allowlistOptions(origins: string[]): PolicyOptions {
  return {
    origins,
    methods: [...ALLOWLIST_METHODS],
    // Any header a preflight asks for is validated by the engine, then echoed (credentials mode).
    requestHeaders: '*',
    credentials: true,
    maxAge: ALLOWLIST_MAX_AGE,
    onDisallowed: 'reject',
  };
}

export async function compileSnapshot(engine: Engine, state: StoreState): Promise<Snapshot> {
  const warnings: string[] = [];
  let allowlist: Policy;
  let origins = state.allowlist;
  try {
    allowlist = engine.createPolicy(allowlistOptions(origins));
  } catch {
    // Deny by default: drop entries the engine refuses (e.g. stored by an older version) and say so.
    origins = state.allowlist.filter((p) => {
      const problem = checkOriginPattern(engine, p);
      if (problem) warnings.push(`allowlist entry '${p}' ignored: ${problem.message}`);
      return problem === null;
    });
    allowlist = engine.createPolicy(allowlistOptions(origins));
  }
  const publicPolicy = engine.createPolicy({
    origins: '*',
    methods: ['GET', 'HEAD', 'POST'],
    requestHeaders: '*',
    credentials: false,
    maxAge: ALLOWLIST_MAX_AGE,
  });
  const active: TrustedSite[] = state.trustedSites.filter((s) => s.isActive);
  const csp = await buildCsp(active);
  if (csp) for (const w of csp.warnings) warnings.push(w);
  return Object.freeze({
    version: state.version,
    allowlist,
    publicPolicy,
    routes: Object.freeze(compileRoutes(state.routes, state.settings)),
    settings: Object.freeze({ ...state.settings }),
    csp: csp ? csp.header : null,
    cspBytes: csp ? csp.bytes : 0,
    warnings: Object.freeze(warnings),
    allowlistSize: origins.length,
  });
}
