/**
 * `--policy FILE`: config-as-code. The file (JSON or YAML) is loaded into an in-memory store that
 * then refuses every admin write. Accepted keys: `origins` (the policy-file form `corsgate lint`
 * checks; strings become allowlist entries), `allowlist` (strings or { urlPattern, description }),
 * `trustedSites`, `settings`, `routes`; the other policy options (`methods`, `requestHeaders`,
 * `credentials`, `maxAge`, …) replace the allowlist regime's Salesforce defaults. Any problem stops
 * the start with every problem listed.
 */
import { checkUpstreamUrl } from './routes.js';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { SqliteStore } from '../store/sqlite.js';
import { DEFAULT_SETTINGS, type ImportPlan, type RouteFields, type Settings, type TrustedSiteFields } from '../store/types.js';
import { normaliseTrustedSite } from './admin/bodies.js';
import { SCHEMAS, validate } from './admin/schema.js';
import { checkAllowlistEntry, fixHint } from './core/entry.js';
import { BOOLEAN_SETTINGS, isBooleanSetting } from './core/regime.js';
import { allowlistOptions, CORS_SETTING_KEYS, pickCors, problemsOf, type AllowlistOverrides, type Engine } from './engine.js';
import { checkSettings } from './core/settings-check.js';

/**
 * The engine options a policy file may hold besides `origins`. Those that are settings of the
 * allowlist regime (`methods`, `requestHeaders`, `exposeHeaders`, `credentials`, `maxAge`) become
 * those settings; the others replace the regime's defaults (`AllowlistOverrides`).
 */
const POLICY_OPTION_KEYS = ['methods', 'requestHeaders', 'exposeHeaders', 'credentials', 'maxAge', 'privateNetwork', 'preflightStatus', 'onDisallowed', 'allowInsecureOrigins', 'listAllowedMethods'] as const;
const IGNORED_KEYS = new Set(['$schema']);

export interface LoadedPolicyFile {
  store: SqliteStore;
  allowlistOptions: AllowlistOverrides;
}

/** A policy file read and checked, not yet in any store. */
export interface PolicyFilePlan {
  plan: ImportPlan & { routes: RouteFields[] };
  allowlistOptions: AllowlistOverrides;
}

export class PolicyFileError extends Error {
  constructor(readonly problems: string[]) {
    super(`the policy file has ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    this.name = 'PolicyFileError';
  }
}

/** Reads `path` into a locked in-memory store (`--policy`). */
export async function loadPolicyFile(path: string, engine: Engine): Promise<LoadedPolicyFile> {
  const read = await readPolicyFile(path, engine);
  const store = new SqliteStore(':memory:');
  await store.replacePolicy(read.plan, `policy-file:${path}`);
  store.lock();
  return { store, allowlistOptions: read.allowlistOptions };
}

/** Reads and checks a policy file; any problem throws a PolicyFileError listing every problem. */
export async function readPolicyFile(path: string, engine: Engine): Promise<PolicyFilePlan> {
  let data: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    data = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new PolicyFileError([`${path}: ${(err as Error).message}`]);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new PolicyFileError([`${path}: expected an object`]);
  const doc = data as Record<string, unknown>;
  const problems: string[] = [];
  // The policy options `corsgate lint` checks apply to the allowlist regime instead of its defaults.
  const overrides: Record<string, unknown> = {};
  for (const key of POLICY_OPTION_KEYS) if (doc[key] !== undefined) overrides[key] = doc[key];
  if (overrides.onDisallowed !== undefined && overrides.onDisallowed !== 'reject')
    problems.push(`onDisallowed: corsgate serve always refuses origins outside the allowlist with 403 (and never forwards them); use 'reject' or leave it out`);
  delete overrides.onDisallowed;
  const allowlist: { urlPattern: string; description: string }[] = [];
  const addPattern = (p: unknown, where: string, description = '') => {
    if (typeof p !== 'string') return problems.push(`${where}: expected a string origin pattern`);
    const problem = checkAllowlistEntry(p, { allowInsecureOrigins: overrides.allowInsecureOrigins === true });
    const hint = problem ? fixHint(problem, true) : undefined;
    if (problem) problems.push(`${where}: ${problem.code}: ${problem.message}${hint ? ` (${hint})` : ''}`);
    else if (!allowlist.some((a) => a.urlPattern === p)) allowlist.push({ urlPattern: p, description });
  };
  for (const key of Object.keys(doc)) {
    if (!['origins', 'allowlist', 'trustedSites', 'settings', 'routes'].includes(key) && !(POLICY_OPTION_KEYS as readonly string[]).includes(key) && !IGNORED_KEYS.has(key))
      problems.push(`${key}: unknown key`);
  }
  if (doc.origins !== undefined) {
    if (!Array.isArray(doc.origins)) problems.push("origins: expected a list of origin patterns (the gateway's allowlist)");
    else doc.origins.forEach((p, i) => addPattern(p, `origins[${i}]`));
  }
  if (doc.allowlist !== undefined) {
    if (!Array.isArray(doc.allowlist)) problems.push('allowlist: expected a list');
    else
      doc.allowlist.forEach((e, i) => {
        if (typeof e === 'string') addPattern(e, `allowlist[${i}]`);
        else {
          const bad = validate(SCHEMAS.AllowlistInput, e, `allowlist[${i}]`);
          if (bad.length) bad.forEach((b) => problems.push(`${b.field}: ${b.message}`));
          else addPattern((e as { urlPattern: string }).urlPattern, `allowlist[${i}].urlPattern`, (e as { description?: string }).description ?? '');
        }
      });
  }
  const sites: TrustedSiteFields[] = [];
  if (doc.trustedSites !== undefined) {
    if (!Array.isArray(doc.trustedSites)) problems.push('trustedSites: expected a list');
    else
      for (const [i, s] of doc.trustedSites.entries()) {
        const bad = validate(SCHEMAS.TrustedSiteInput, s, `trustedSites[${i}]`);
        if (bad.length) {
          bad.forEach((b) => problems.push(`${b.field}: ${b.message}`));
          continue;
        }
        const { site, problems: sp } = await normaliseTrustedSite(s as Partial<TrustedSiteFields>);
        sp.forEach((p) => problems.push(`trustedSites[${i}].${p.field}: ${p.message}`));
        if (!sp.length) sites.push(site);
      }
  }
  const settings = readSettings(doc, overrides, problems);
  const routes = readRoutes(doc.routes, problems);
  // The options as a whole, in the engine's words (e.g. exposeHeaders '*' with credentials); the
  // patterns given are only the valid ones, so no pattern problem is reported twice.
  try {
    engine.createPolicy(allowlistOptions(allowlist.map((a) => a.urlPattern), overrides as AllowlistOverrides, pickCors(settings)));
  } catch (err) {
    for (const p of problemsOf(err)) problems.push(`${p.path ? `${p.path}: ` : ''}${p.code}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
  }
  if (problems.length) throw new PolicyFileError(problems);
  return { plan: { allowlist, trustedSites: sites, settings, routes }, allowlistOptions: overrides as AllowlistOverrides };
}

/** `settings`, plus the top-level engine options that are settings (moved out of `overrides`). */
function readSettings(doc: Record<string, unknown>, overrides: Record<string, unknown>, problems: string[]): Settings {
  let settings: Settings = { ...DEFAULT_SETTINGS };
  if (doc.settings !== undefined) {
    const bad = validate(SCHEMAS.SettingsInput, doc.settings, 'settings');
    bad.forEach((b) => problems.push(`${b.field}: ${b.message}`));
    if (!bad.length) settings = { ...settings, ...(doc.settings as Partial<Settings>) };
  }
  for (const key of CORS_SETTING_KEYS) {
    if (overrides[key] === undefined) continue;
    if ((doc.settings as Record<string, unknown> | undefined)?.[key] !== undefined) problems.push(`${key}: given both at the top level and in settings; keep one`);
    (settings as unknown as Record<string, unknown>)[key] = overrides[key];
    delete overrides[key];
  }
  // publicOrigins through the origin parser (the CORS options are checked with the origins below).
  for (const p of checkSettings(settings).errors) if (p.field.startsWith('publicOrigins')) problems.push(`settings.${p.field}: ${p.code}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
  return settings;
}

function readRoutes(value: unknown, problems: string[]): RouteFields[] {
  const routes: RouteFields[] = [];
  if (value === undefined) return routes;
  if (!Array.isArray(value)) {
    problems.push('routes: expected a list');
    return routes;
  }
  value.forEach((r, i) => {
    const bad = validate(SCHEMAS.RouteInput, r, `routes[${i}]`);
    bad.forEach((b) => problems.push(`${b.field}: ${b.message}`));
    const setting = (r as RouteFields).setting;
    const unknownSetting = !bad.length && setting !== undefined && !isBooleanSetting(setting);
    if (unknownSetting) problems.push(`routes[${i}].setting: '${setting}' is not a boolean setting; use one of: ${BOOLEAN_SETTINGS.join(', ')}`);
    const upstream = (r as RouteFields).upstream === undefined ? null : checkUpstreamUrl((r as RouteFields).upstream);
    if (upstream) problems.push(`routes[${i}].upstream: ${upstream.message} (${upstream.code})`);
    if (!bad.length && !unknownSetting && !upstream) routes.push({ ...(r as RouteFields), priority: (r as RouteFields).priority ?? 0 });
  });
  return routes;
}
