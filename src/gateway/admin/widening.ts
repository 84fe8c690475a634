/**
 * Whether a change to the routes or settings lets more origins read responses, which needs the
 * modify-all-data permission as changing the allowlist does (Salesforce requires Modify All Data for
 * its CORS allowlist and for "Enable CORS for OAuth endpoints"). Regimes from closed to open:
 * closed < opt-in < allowlist (also the regime where no route matches) < public. A change widens
 * when at some host and path the regime in force becomes more open, or an opt-in one comes to
 * depend on another setting, or a setting that an opt-in route depends on is turned on.
 *
 * The host × path space is covered by representatives: every host and path the routes name, a
 * point inside every wildcard that no more specific pattern takes, and one point no pattern
 * names. Two points that every pattern treats alike get the same regime, so checking the
 * representatives checks everything. The routes are matched by the gateway's own matcher.
 */
import type { RouteFields, RouteKind, Settings } from '../../store/types.js';
import { compileRoutes, matchRoute, oauthPresetRoutes, type CompiledRoute } from '../routes.js';

export type RouteTable = { routes: readonly (RouteFields & { id: string })[]; settings: Settings };

export interface Widening {
  host: string;
  path: string;
  from: string;
  to: string;
}

const RANK: Record<RouteKind, number> = { closed: 0, 'opt-in': 1, allowlist: 2, public: 3 };
/** Above this many points the change is not analysed, and counts as widening (it needs modify-all-data). */
const MAX_POINTS = 200_000;
/** Marks a representative no real host or path can equal. */
const FRESH = '\u0000';

function hostPoints(hosts: readonly string[] | undefined, out: Set<string>): void {
  for (const raw of hosts ?? []) {
    const h = raw.toLowerCase();
    if (h === '*') continue;
    if (h.startsWith('*.')) out.add(FRESH + h.slice(1)).add(h.slice(2));
    else out.add(h);
  }
}

function pathPoints(paths: readonly string[], out: Set<string>): void {
  for (const p of paths) {
    if (p === '*' || p === '/*') continue;
    out.add(p);
    if (p.endsWith('/*')) out.add(p.slice(0, -2)).add(p.slice(0, -1) + FRESH);
  }
}

/** Every route a table compiles to, the OAuth preset's included. */
function allRoutes(t: RouteTable): (RouteFields & { id: string })[] {
  return t.settings.oauthPreset ? [...t.routes, ...oauthPresetRoutes(t.settings)] : [...t.routes];
}

function regime(route: CompiledRoute | null): { rank: number; setting: string | null; label: string } {
  const kind = route?.kind ?? 'allowlist';
  const label = route ? `${kind} (route ${route.id})` : 'allowlist (no route)';
  return { rank: RANK[kind], setting: kind === 'opt-in' ? route!.setting : null, label };
}

function display(host: string, path: string): { host: string; path: string } {
  return {
    host: host === FRESH ? 'any host' : host.startsWith(FRESH) ? `*${host.slice(1)}` : host,
    path: path.endsWith(FRESH) ? `${path.slice(0, -1)}*` : path,
  };
}

/** The route a change touches, as it was and as it becomes (absent: created, or deleted). */
export interface RouteChange {
  before?: RouteFields & { id: string };
  after?: RouteFields & { id: string };
}

/**
 * The first place where `after` is more open than `before`, or null. With `change` (a route change)
 * only the points that route matches are checked; without it (a settings change) all of them.
 */
export function findWidening(before: RouteTable, after: RouteTable, change?: RouteChange): Widening | null {
  // A new closed route, or a deleted public one, can only close things.
  if (change && !change.before && change.after?.kind === 'closed') return null;
  if (change && !change.after && change.before?.kind === 'public') return null;
  const settingTurnedOn = (s: string) =>
    (after.settings as unknown as Record<string, unknown>)[s] === true &&
    (before.settings as unknown as Record<string, unknown>)[s] !== true;
  for (const r of allRoutes(after)) {
    if (r.kind === 'opt-in' && r.setting && settingTurnedOn(r.setting))
      return {
        host: (r.hosts ?? []).join(', ') || 'any host',
        path: r.paths.join(', '),
        from: `opt-in with '${r.setting}' off`,
        to: `opt-in with '${r.setting}' on`,
      };
  }
  const hosts = new Set<string>([FRESH]);
  const paths = new Set<string>(['/', `/${FRESH}`]);
  for (const r of [...allRoutes(before), ...allRoutes(after)]) {
    hostPoints(r.hosts, hosts);
    pathPoints(r.paths, paths);
  }
  if (hosts.size * paths.size > MAX_POINTS)
    return {
      host: `${hosts.size} hosts`,
      path: `${paths.size} paths`,
      from: 'too many combinations to check',
      to: 'possibly more open',
    };
  const off = { ...after.settings, oauthPreset: false };
  const scope = change
    ? [change.before, change.after].filter((r) => r !== undefined).map((r) => compileRoutes([r], off))
    : null;
  const was = compileRoutes(before.routes, before.settings);
  const now = compileRoutes(after.routes, after.settings);
  for (const h of hosts) {
    for (const p of paths) {
      if (scope && !scope.some((t) => matchRoute(t, h, p))) continue;
      const a = regime(matchRoute(was, h, p));
      const b = regime(matchRoute(now, h, p));
      if (b.rank > a.rank || (a.rank === b.rank && a.setting !== b.setting))
        return { ...display(h, p), from: a.label, to: b.label };
    }
  }
  return null;
}
