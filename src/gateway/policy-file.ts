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
import { OPTION_NAMES } from 'corsgate/internal/policy/validate.js';
import { SqliteStore } from '../store/sqlite.js';
import {
  DEFAULT_SETTINGS,
  type ImportPlan,
  type RouteFields,
  type Settings,
  type TrustedSiteFields,
} from '../store/types.js';
import { normaliseTrustedSite } from './admin/bodies.js';
import { SCHEMAS, validate } from './admin/schema.js';
import { checkAllowlistEntry, fixHint } from './core/entry.js';
import { isBooleanSetting, notBooleanSetting } from './core/regime.js';
import {
  allowlistOptions,
  CORS_SETTING_KEYS,
  pickCors,
  problemsOf,
  type AllowlistOverrides,
  type Engine,
} from './engine.js';
import { checkSettings } from './core/settings-check.js';

/**
 * The engine options a policy file may hold besides `origins`. Those that are settings of the
 * allowlist regime (`methods`, `requestHeaders`, `exposeHeaders`, `credentials`, `maxAge`) become
 * those settings; the others replace the regime's defaults (`AllowlistOverrides`).
 */
/** The engine's own option names (validate.ts), but `origins`: the allowlist is the file's own key. */
const POLICY_OPTION_KEYS = OPTION_NAMES.filter(
  (k): k is Exclude<(typeof OPTION_NAMES)[number], 'origins'> => k !== 'origins',
);
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

/** The file's object: JSON by its extension, else YAML. */
function readDocument(path: string): Record<string, unknown> {
  let data: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    data = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new PolicyFileError([`${path}: ${(err as Error).message}`]);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new PolicyFileError([`${path}: expected an object`]);
  return data as Record<string, unknown>;
}

/** The policy options `corsgate lint` checks: they apply to the allowlist regime instead of its defaults. */
function readOverrides(doc: Record<string, unknown>, problems: string[]): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const key of POLICY_OPTION_KEYS) if (doc[key] !== undefined) overrides[key] = doc[key];
  if (overrides.onDisallowed !== undefined && overrides.onDisallowed !== 'reject')
    problems.push(
      `onDisallowed: corsgate serve always refuses origins outside the allowlist with 403 (and never forwards them); use 'reject' or leave it out`,
    );
  delete overrides.onDisallowed;
  return overrides;
}

const DOCUMENT_KEYS = ['origins', 'allowlist', 'trustedSites', 'settings', 'routes'];

function checkKeys(doc: Record<string, unknown>, problems: string[]): void {
  for (const key of Object.keys(doc)) {
    const known =
      DOCUMENT_KEYS.includes(key) ||
      (POLICY_OPTION_KEYS as readonly string[]).includes(key) ||
      IGNORED_KEYS.has(key);
    if (!known) problems.push(`${key}: unknown key`);
  }
}

type AllowlistLine = { urlPattern: string; description: string };

/** `origins` (strings) and `allowlist` (strings or entries), each pattern through the one allowlist-entry check. */
function readAllowlist(
  doc: Record<string, unknown>,
  overrides: Record<string, unknown>,
  problems: string[],
): AllowlistLine[] {
  const allowlist: AllowlistLine[] = [];
  const addPattern = (p: unknown, where: string, description = '') => {
    if (typeof p !== 'string') return problems.push(`${where}: expected a string origin pattern`);
    const problem = checkAllowlistEntry(p, { allowInsecureOrigins: overrides.allowInsecureOrigins === true });
    const hint = problem ? fixHint(problem, true) : undefined;
    if (problem) problems.push(`${where}: ${problem.code}: ${problem.message}${hint ? ` (${hint})` : ''}`);
    else if (!allowlist.some((a) => a.urlPattern === p)) allowlist.push({ urlPattern: p, description });
  };
  if (doc.origins !== undefined) {
    if (!Array.isArray(doc.origins))
      problems.push("origins: expected a list of origin patterns (the gateway's allowlist)");
    else doc.origins.forEach((p, i) => addPattern(p, `origins[${i}]`));
  }
  if (doc.allowlist === undefined) return allowlist;
  if (!Array.isArray(doc.allowlist)) problems.push('allowlist: expected a list');
  else
    doc.allowlist.forEach((e, i) => {
      if (typeof e === 'string') return addPattern(e, `allowlist[${i}]`);
      const bad = validate(SCHEMAS.AllowlistInput, e, `allowlist[${i}]`);
      if (bad.length) return bad.forEach((b) => problems.push(`${b.field}: ${b.message}`));
      const entry = e as { urlPattern: string; description?: string };
      addPattern(entry.urlPattern, `allowlist[${i}].urlPattern`, entry.description ?? '');
    });
  return allowlist;
}

async function readTrustedSites(value: unknown, problems: string[]): Promise<TrustedSiteFields[]> {
  const sites: TrustedSiteFields[] = [];
  if (value === undefined) return sites;
  if (!Array.isArray(value)) {
    problems.push('trustedSites: expected a list');
    return sites;
  }
  for (const [i, s] of value.entries()) {
    const bad = validate(SCHEMAS.TrustedSiteInput, s, `trustedSites[${i}]`);
    if (bad.length) {
      bad.forEach((b) => problems.push(`${b.field}: ${b.message}`));
      continue;
    }
    const { site, problems: sp } = await normaliseTrustedSite(s as Partial<TrustedSiteFields>);
    sp.forEach((p) => problems.push(`trustedSites[${i}].${p.field}: ${p.message}`));
    if (!sp.length) sites.push(site);
  }
  return sites;
}

/**
 * The options as a whole, in the engine's words (e.g. exposeHeaders '*' with credentials); the
 * patterns given are only the valid ones, so no pattern problem is reported twice.
 */
function checkAsWhole(
  engine: Engine,
  allowlist: readonly AllowlistLine[],
  overrides: Record<string, unknown>,
  settings: Settings,
  problems: string[],
): void {
  try {
    const origins = allowlist.map((a) => a.urlPattern);
    engine.createPolicy(allowlistOptions(origins, overrides as AllowlistOverrides, pickCors(settings)));
  } catch (err) {
    for (const p of problemsOf(err))
      problems.push(`${p.path ? `${p.path}: ` : ''}${p.code}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
  }
}

/** Reads and checks a policy file; any problem throws a PolicyFileError listing every problem. */
export async function readPolicyFile(path: string, engine: Engine): Promise<PolicyFilePlan> {
  const doc = readDocument(path);
  const problems: string[] = [];
  const overrides = readOverrides(doc, problems);
  checkKeys(doc, problems);
  const allowlist = readAllowlist(doc, overrides, problems);
  const sites = await readTrustedSites(doc.trustedSites, problems);
  const settings = readSettings(doc, overrides, problems);
  const routes = readRoutes(doc.routes, problems);
  checkAsWhole(engine, allowlist, overrides, settings, problems);
  if (problems.length) throw new PolicyFileError(problems);
  const plan = { allowlist, trustedSites: sites, settings, routes };
  return { plan, allowlistOptions: overrides as AllowlistOverrides };
}

/** `settings`, plus the top-level engine options that are settings (moved out of `overrides`). */
function readSettings(
  doc: Record<string, unknown>,
  overrides: Record<string, unknown>,
  problems: string[],
): Settings {
  let settings: Settings = { ...DEFAULT_SETTINGS };
  if (doc.settings !== undefined) {
    const bad = validate(SCHEMAS.SettingsInput, doc.settings, 'settings');
    bad.forEach((b) => problems.push(`${b.field}: ${b.message}`));
    if (!bad.length) settings = { ...settings, ...(doc.settings as Partial<Settings>) };
  }
  for (const key of CORS_SETTING_KEYS) {
    if (overrides[key] === undefined) continue;
    if ((doc.settings as Record<string, unknown> | undefined)?.[key] !== undefined)
      problems.push(`${key}: given both at the top level and in settings; keep one`);
    (settings as unknown as Record<string, unknown>)[key] = overrides[key];
    delete overrides[key];
  }
  // publicOrigins through the origin parser (the CORS options are checked with the origins below).
  for (const p of checkSettings(settings).errors)
    if (p.field.startsWith('publicOrigins'))
      problems.push(`settings.${p.field}: ${p.code}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
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
    if (unknownSetting) problems.push(`routes[${i}].setting: ${notBooleanSetting(setting)}`);
    const upstream =
      (r as RouteFields).upstream === undefined ? null : checkUpstreamUrl((r as RouteFields).upstream);
    if (upstream) problems.push(`routes[${i}].upstream: ${upstream.message} (${upstream.code})`);
    if (!bad.length && !unknownSetting && !upstream)
      routes.push({ ...(r as RouteFields), priority: (r as RouteFields).priority ?? 0 });
  });
  return routes;
}
