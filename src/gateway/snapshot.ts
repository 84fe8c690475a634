/**
 * Compiles the store's state into one immutable snapshot: the allowlist policy, the public policy,
 * the routes bound to their regimes and the CSP header. The proxy reads one snapshot reference per
 * request, so a request never sees half of a change; a new snapshot replaces the old one in a
 * single assignment (see pipeline.ts).
 */
import type { Policy } from '../policy/types.js';
import type { Settings, StoreState, TrustedSite } from '../store/types.js';
import type { DecideSnapshot } from './core/decide.js';
import { bindRoute, NO_TALLIES, type BoundRoute, type RouteTallies } from './core/regime.js';
import { AllowlistBuilder } from './compile.js';
import { pickCors, PUBLIC_OPTIONS, type AllowlistOverrides, type Engine } from './engine.js';
import { buildCsp } from './modules.js';
import { compileRoutes } from './routes.js';
import { compileSelfOrigin } from './core/self-origin.js';

/** What the admin API shows of the snapshot in force (the primary process has no compiled policy). */
export interface SnapshotInfo {
  readonly version: number;
  readonly settings: Readonly<Settings>;
  /** The Content-Security-Policy value for HTML responses of CSP routes, or null. */
  readonly csp: string | null;
  readonly cspBytes: number;
  readonly warnings: readonly string[];
  readonly allowlistSize: number;
}

export interface Snapshot extends DecideSnapshot, SnapshotInfo {
  readonly allowlist: Policy;
  readonly publicPolicy: Policy;
}

export function infoOf(s: SnapshotInfo): SnapshotInfo {
  return { version: s.version, settings: s.settings, csp: s.csp, cspBytes: s.cspBytes, warnings: s.warnings, allowlistSize: s.allowlistSize };
}

export interface CompileOptions {
  overrides?: AllowlistOverrides;
  /** Counters bound to each route (metrics; issue 14's in-memory counts). */
  tallies?: RouteTallies;
}

/** Compiles a whole state at once (tests, small allowlists); the workers compile in slices (compile.ts). */
export async function compileSnapshot(engine: Engine, state: StoreState, options: CompileOptions = {}): Promise<Snapshot> {
  const builder = new AllowlistBuilder(options.overrides ?? {}, state.allowlist.length, pickCors(state.settings));
  builder.add(state.allowlist);
  return assembleSnapshot(engine, state, { policy: builder.build(), size: builder.size }, [...builder.warnings], options.tallies ?? NO_TALLIES);
}

/** Everything but the allowlist policy: cheap, and the same whichever way the allowlist was compiled. */
export async function assembleSnapshot(engine: Engine, state: StoreState, allowlist: { policy: Policy; size: number }, warnings: string[], tallies: RouteTallies): Promise<Snapshot> {
  const publicPolicy = engine.createPolicy(PUBLIC_OPTIONS);
  const active: TrustedSite[] = state.trustedSites.filter((s) => s.isActive);
  const csp = await buildCsp(active, state.settings.cspBaseline);
  if (csp) for (const w of csp.warnings) warnings.push(w);
  const settings = Object.freeze({ ...state.settings });
  const regimes = { allowlist: allowlist.policy, publicPolicy, settings, csp: csp ? csp.header : null };
  const warn = (w: string) => warnings.push(w);
  const routes: BoundRoute[] = compileRoutes(state.routes, state.settings).map((r) => bindRoute(r, regimes, tallies, warn));
  return Object.freeze({
    version: state.version,
    allowlist: allowlist.policy,
    publicPolicy,
    routes: Object.freeze(routes),
    defaultRoute: bindRoute(null, regimes, tallies, warn),
    refusedStatus: settings.refusedStatus,
    self: compileSelfOrigin(settings.publicOrigins),
    settings,
    csp: regimes.csp,
    cspBytes: csp ? csp.bytes : 0,
    warnings: Object.freeze(warnings),
    allowlistSize: allowlist.size,
  });
}
