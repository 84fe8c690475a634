/**
 * Compiles the store's state into one immutable snapshot: the allowlist policy, the public policy,
 * the routes bound to their regimes and the CSP header. The proxy reads one snapshot reference per
 * request, so a request never sees half of a change; a new snapshot replaces the old one in a
 * single assignment (see pipeline.ts).
 */
import type { Policy } from 'corsgate/internal/policy/types.js';
import type { Settings, StoreState, TrustedSite } from '../store/types.js';
import type { DecideSnapshot } from './core/decide.js';
import { bindRoute, NO_TALLIES, type BoundRoute, type CspHeaders, type RouteTallies } from './core/regime.js';
import { AllowlistBuilder } from './compile.js';
import { pickCors, PUBLIC_OPTIONS, type AllowlistOverrides, type Engine } from './engine.js';
import { buildCsp } from './modules.js';
import { compileRoutes, routePaths } from './routes.js';
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
  /** The allowlist entry that admits an allowed origin, or null (usage counters; never on the request path). */
  readonly entryOf: (origin: string) => string | null;
  readonly publicPolicy: Policy;
}

export function infoOf(s: SnapshotInfo): SnapshotInfo {
  return {
    version: s.version,
    settings: s.settings,
    csp: s.csp,
    cspBytes: s.cspBytes,
    warnings: s.warnings,
    allowlistSize: s.allowlistSize,
  };
}

export interface CompileOptions {
  overrides?: AllowlistOverrides;
  /** Counters bound to each route (metrics; issue 14's in-memory counts). */
  tallies?: RouteTallies;
}

/** The Reporting API endpoint name the CSP's `report-to` names (Reporting-Endpoints, W3C Reporting API §3). */
export const REPORT_ENDPOINT = 'corsgate';

/**
 * The trusted-sites CSP and, when some active sites are `reportOnly`, a Content-Security-Policy-
 * Report-Only that trusts them too; both report violations to `reportPath`: `report-uri` (CSP
 * Level 3 §6.5, deprecated but universal) and, for responses the client received over TLS, `report-to`
 * with a Reporting-Endpoints header (W3C Reporting API). Chromium ignores Reporting-Endpoints on
 * a response that is not secure and, once `report-to` is present, ignores `report-uri`, so a
 * plain-HTTP response names only `report-uri` or its reports would be lost.
 */
async function cspPolicies(
  state: StoreState,
  reportPath: string | null,
  warnings: string[],
): Promise<{ csp: string | null; headers: CspHeaders | null }> {
  const active: TrustedSite[] = state.trustedSites.filter((s) => s.isActive);
  const enforced = active.filter((s) => s.reportOnly !== true);
  const built = await buildCsp(enforced, state.settings.cspBaseline);
  if (built === null) return { csp: null, headers: null };
  for (const w of built.warnings) warnings.push(w);
  const trial = enforced.length < active.length ? await buildCsp(active, state.settings.cspBaseline) : null;
  const variant = (reporting: string, endpoints: boolean): string[] => {
    const out = ['Content-Security-Policy', built.header + reporting];
    if (trial !== null) out.push('Content-Security-Policy-Report-Only', trial.header + reporting);
    if (endpoints) out.push('Reporting-Endpoints', `${REPORT_ENDPOINT}="${reportPath}"`);
    return out;
  };
  if (reportPath === null) {
    const only = variant('', false);
    return { csp: built.header, headers: { secure: only, plain: only } };
  }
  const secure = variant(`; report-uri ${reportPath}; report-to ${REPORT_ENDPOINT}`, true);
  return { csp: secure[1]!, headers: { secure, plain: variant(`; report-uri ${reportPath}`, false) } };
}

/** Compiles a whole state at once (tests, small allowlists); the workers compile in slices (compile.ts). */
export async function compileSnapshot(
  engine: Engine,
  state: StoreState,
  options: CompileOptions = {},
): Promise<Snapshot> {
  const builder = new AllowlistBuilder(
    options.overrides ?? {},
    state.allowlist.length,
    pickCors(state.settings),
  );
  builder.add(state.allowlist);
  return assembleSnapshot(
    engine,
    state,
    { policy: builder.build(), size: builder.size, entryOf: builder.entryResolver() },
    [...builder.warnings],
    options.tallies ?? NO_TALLIES,
  );
}

/** Everything but the allowlist policy: cheap, and the same whichever way the allowlist was compiled. */
export async function assembleSnapshot(
  engine: Engine,
  state: StoreState,
  allowlist: { policy: Policy; size: number; entryOf?: (origin: string) => string | null },
  warnings: string[],
  tallies: RouteTallies,
  reportPath: string | null = null,
): Promise<Snapshot> {
  const publicPolicy = engine.createPolicy(PUBLIC_OPTIONS);
  const settings = Object.freeze({ ...state.settings });
  const policies = await cspPolicies(state, reportPath, warnings);
  const regimes = {
    allowlist: allowlist.policy,
    publicPolicy,
    settings,
    csp: policies.csp,
    cspHeaders: policies.headers,
  };
  const csp = policies.csp === null ? null : { bytes: Buffer.byteLength(policies.csp) };
  const warn = (w: string) => warnings.push(w);
  const compiled = compileRoutes(state.routes, state.settings);
  const routes: BoundRoute[] = compiled.map((r) => bindRoute(r, regimes, tallies, warn));
  return Object.freeze({
    version: state.version,
    allowlist: allowlist.policy,
    entryOf: allowlist.entryOf ?? (() => null),
    publicPolicy,
    routes: Object.freeze(routes),
    routePaths: routePaths(compiled),
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
