/**
 * Compiles the store's state into one immutable snapshot: the allowlist policy, the public policy,
 * the routes and the CSP header. The proxy reads one snapshot reference per request, so a request
 * never sees half of a change; a new snapshot replaces the old one in a single assignment.
 */
import type { Policy } from '../policy/types.js';
import type { Settings, StoreState, TrustedSite } from '../store/types.js';
import { ALLOWLIST_MAX_AGE, allowlistOptions, checkOriginPattern, type AllowlistOverrides, type Engine } from './engine.js';
import { compileRoutes, type CompiledRoute } from './routes.js';
import { buildCsp } from './modules.js';

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
  /**
   * Access-Control-Allow-Methods for allowed preflights of the allowlist regime: every allowed method,
   * as Salesforce's REST APIs answer, rather than only the one requested. Null when methods are `*`.
   */
  readonly allowlistMethods: string | null;
}

export async function compileSnapshot(engine: Engine, state: StoreState, overrides: AllowlistOverrides = {}): Promise<Snapshot> {
  const warnings: string[] = [];
  let allowlist: Policy;
  let origins = state.allowlist;
  try {
    allowlist = engine.createPolicy(allowlistOptions(origins, overrides));
  } catch {
    // Deny by default: drop entries the engine refuses (e.g. stored by an older version) and say so.
    origins = state.allowlist.filter((p) => {
      const problem = checkOriginPattern(engine, p, overrides);
      if (problem) warnings.push(`allowlist entry '${p}' ignored: ${problem.message}`);
      return problem === null;
    });
    allowlist = engine.createPolicy(allowlistOptions(origins, overrides));
  }
  const publicPolicy = engine.createPolicy({
    origins: '*',
    methods: ['GET', 'HEAD', 'POST'],
    requestHeaders: '*',
    credentials: false,
    maxAge: ALLOWLIST_MAX_AGE,
  });
  const active: TrustedSite[] = state.trustedSites.filter((s) => s.isActive);
  const csp = await buildCsp(active, state.settings.cspBaseline);
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
    allowlistMethods: Array.isArray(allowlist.options.methods) ? allowlist.options.methods.join(', ') : null,
  });
}
