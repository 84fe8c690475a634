/**
 * The gateway's regimes, compiled once per snapshot: each route (and the default route) is bound
 * to what decides its requests — a compiled policy (public, allowlist, an opt-in route whose
 * setting is on) or a fixed refusal (closed, an opt-in route whose setting is off) — and to its
 * request counters. Pure: no I/O, no clock.
 */
import type { Policy } from 'corsgate/internal/policy/types.js';
import { DEFAULT_SETTINGS, type Settings } from '../../store/types.js';
import type { CompiledRoute } from '../routes.js';
import { AnswerMemo } from './answer-memo.js';
import type { BoundRoute, CspHeaders, FixedRefusal, RouteTally } from './outcome.js';

export type { BoundRoute, CspHeaders, FixedRefusal, OutcomeDecision, RouteTally } from './outcome.js';

/** Boolean settings that are options of the allowlist regime, not switches a route may depend on. */
const NOT_SWITCHES: readonly string[] = ['credentials'];

/** The settings an opt-in route may name: every boolean switch setting (checked when a route is written). */
export const BOOLEAN_SETTINGS: readonly string[] = Object.freeze(
  Object.keys(DEFAULT_SETTINGS).filter(
    (k) =>
      typeof (DEFAULT_SETTINGS as unknown as Record<string, unknown>)[k] === 'boolean' &&
      !NOT_SWITCHES.includes(k),
  ),
);

export function isBooleanSetting(name: string): boolean {
  return BOOLEAN_SETTINGS.includes(name);
}

/** What a route write is told when its `setting` is not one of the boolean settings. */
export function notBooleanSetting(name: string): string {
  return `'${name}' is not a boolean setting; use one of: ${BOOLEAN_SETTINGS.join(', ')}`;
}

/** Gives each route the counters that outlive snapshots (metrics, issue 14's in-memory counts). */
export interface RouteTallies {
  route(id: string): RouteTally;
}

export const NO_TALLY: RouteTally = Object.freeze({ count: () => undefined });
export const NO_TALLIES: RouteTallies = Object.freeze({ route: () => NO_TALLY });

export interface Regimes {
  allowlist: Policy;
  publicPolicy: Policy;
  settings: Readonly<Settings>;
  /** The trusted-sites CSP header, or null. */
  csp: string | null;
  /** The CSP headers of HTML responses on CSP routes, built once per snapshot (null: only `csp`). */
  cspHeaders?: CspHeaders | null;
}

export const DEFAULT_ROUTE_ID = 'default';

/** Binds a compiled route to its policy or refusal. `warn` hears about routes stored by older versions. */
export function bindRoute(
  route: CompiledRoute | null,
  r: Regimes,
  tallies: RouteTallies,
  warn: (w: string) => void,
): BoundRoute {
  const id = route?.id ?? DEFAULT_ROUTE_ID;
  const kind = route?.kind ?? 'allowlist';
  const withCsp = route ? route.csp : r.settings.cspOnDefaultRoute;
  const csp = withCsp ? r.csp : null;
  const only = r.csp === null ? null : Object.freeze(['Content-Security-Policy', r.csp]);
  const cspHeaders = !withCsp
    ? null
    : (r.cspHeaders ?? (only === null ? null : { secure: only, plain: only }));
  let policy: Policy | null = null;
  let refusal: FixedRefusal | null = null;
  if (kind === 'public') policy = r.publicPolicy;
  else if (kind === 'allowlist') policy = r.allowlist;
  else if (kind === 'closed')
    refusal = {
      code: 'cors-closed',
      message: `cross-origin requests are never allowed here (route '${id}' is closed)`,
    };
  else {
    // opt-in: CORS only when its setting is on, and then through the allowlist (corsgate's decision
    // where Salesforce is silent: the setting and the allowlist both apply).
    const setting = route?.setting ?? '';
    if (!isBooleanSetting(setting))
      warn(
        `route '${id}': '${setting}' is not a boolean setting (${BOOLEAN_SETTINGS.join(', ')}), so the route stays closed`,
      );
    const on =
      isBooleanSetting(setting) && (r.settings as unknown as Record<string, unknown>)[setting] === true;
    if (on) policy = r.allowlist;
    else
      refusal = {
        code: 'cors-not-enabled',
        message: `cross-origin requests here need the setting '${setting}' turned on (route '${id}')`,
      };
  }
  const reportOnly = (route?.mode ?? r.settings.mode) === 'report-only';
  const answers = policy === null ? null : new AnswerMemo();
  return Object.freeze({
    id,
    kind,
    policy,
    refusal: refusal && Object.freeze(refusal),
    csp,
    cspHeaders,
    tally: tallies.route(id),
    reportOnly,
    websocket: route?.websocket ?? true,
    upstream: route?.upstream ?? null,
    match: route,
    answers,
  });
}
