/**
 * The admin API's checks of a body beyond its schema (schema.ts): an allowlist entry through the
 * one allowlist-entry check (core/entry.ts), a trusted site through Salesforce's rules (the CSP
 * module), a route through the boolean settings and the upstream URL check. Each throws the
 * ApiError the client sees.
 */
import type { RouteFields, TrustedSiteFields } from '../../store/types.js';
import { checkAllowlistEntry, fixHint, type EntryProblem } from '../core/entry.js';
import { BOOLEAN_SETTINGS, isBooleanSetting, notBooleanSetting } from '../core/regime.js';
import { cspModule } from '../modules.js';
import { checkUpstreamUrl } from '../routes.js';
import { ApiError } from './http.js';

/** An allowlist entry as the API takes it. */
export type AllowlistInput = { urlPattern: string; description?: string };

/** The error body's fix for an entry problem: the hint in words plus its structured parts (no policy options here). */
export function entryFix(problem: EntryProblem): Record<string, string> | undefined {
  const hint = fixHint(problem, false);
  return hint === undefined
    ? undefined
    : { hint, ...(problem.suggestion !== undefined ? { suggestion: problem.suggestion } : {}) };
}

export function checkPattern(pattern: string, field = 'urlPattern'): void {
  const problem = checkAllowlistEntry(pattern);
  if (problem) throw new ApiError(400, problem.code, problem.message, field, entryFix(problem));
}

type SiteProblem = { code: string; field: string; message: string };

/** Salesforce's documented shape (https://, wss:// or *.domain, optional port): the check without the CSP module. */
const SITE_URL_FALLBACK =
  /^(?:(?:https|wss):\/\/)?(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?::\d{1,5})?\/?$/i;

function withDefaults(input: Partial<TrustedSiteFields>): TrustedSiteFields {
  return {
    name: input.name ?? '',
    endpointUrl: input.endpointUrl ?? '',
    context: input.context ?? 'All',
    isActive: input.isActive ?? true,
    description: input.description ?? '',
    isApplicableToConnectSrc: input.isApplicableToConnectSrc ?? false,
    isApplicableToFontSrc: input.isApplicableToFontSrc ?? false,
    isApplicableToFrameSrc: input.isApplicableToFrameSrc ?? false,
    isApplicableToImgSrc: input.isApplicableToImgSrc ?? false,
    isApplicableToMediaSrc: input.isApplicableToMediaSrc ?? false,
    isApplicableToStyleSrc: input.isApplicableToStyleSrc ?? false,
    ...(input.reportOnly === true ? { reportOnly: true } : {}),
  };
}

function anyDirective(site: TrustedSiteFields): boolean {
  return (
    site.isApplicableToConnectSrc ||
    site.isApplicableToFontSrc ||
    site.isApplicableToFrameSrc ||
    site.isApplicableToImgSrc ||
    site.isApplicableToMediaSrc ||
    site.isApplicableToStyleSrc
  );
}

/** Fills Salesforce's defaults and runs Salesforce's validation (via the CSP module). */
export async function normaliseTrustedSite(
  input: Partial<TrustedSiteFields>,
): Promise<{ site: TrustedSiteFields; problems: SiteProblem[] }> {
  const site = withDefaults(input);
  const mod = await cspModule();
  const { reportOnly: _ro, ...salesforceFields } = site;
  const problems: SiteProblem[] = mod
    ? mod
        .validateTrustedSite(salesforceFields)
        .filter((p) => (p as { severity?: string }).severity !== 'warning')
    : [];
  if (!mod && !SITE_URL_FALLBACK.test(site.endpointUrl))
    problems.push({
      code: 'trusted-site-url-invalid',
      field: 'endpointUrl',
      message: 'endpointUrl must be https://host, wss://host or *.domain, with an optional port',
    });
  // Salesforce (API 59+): at least one directive must be set.
  if (!anyDirective(site) && !problems.some((p) => p.code.includes('directive')))
    problems.push({
      code: 'trusted-site-no-directive',
      field: 'isApplicableToConnectSrc',
      message: 'set at least one isApplicableTo…Src directive to true',
    });
  return { site, problems };
}

export async function trustedSiteBody(input: Partial<TrustedSiteFields>): Promise<TrustedSiteFields> {
  const { site, problems } = await normaliseTrustedSite(input);
  if (problems.length) {
    const p = problems[0]!;
    throw new ApiError(400, p.code, p.message, p.field, problems.length > 1 ? { problems } : undefined);
  }
  return site;
}

function checkRouteSetting(input: Partial<RouteFields>): void {
  if (input.kind === 'opt-in' && !input.setting)
    throw new ApiError(
      400,
      'route-setting-missing',
      "an 'opt-in' route needs 'setting': the boolean setting that turns it on",
      'setting',
    );
  if (input.setting !== undefined && input.kind !== 'opt-in')
    throw new ApiError(
      400,
      'route-setting-unexpected',
      "'setting' only applies to 'opt-in' routes",
      'setting',
    );
  // A typo would keep the route closed for ever: only the boolean settings can turn a route on.
  if (input.setting !== undefined && !isBooleanSetting(input.setting))
    throw new ApiError(400, 'route-setting-unknown', notBooleanSetting(input.setting), 'setting', {
      allowed: BOOLEAN_SETTINGS,
    });
}

export function routeBody(input: Partial<RouteFields>): RouteFields {
  checkRouteSetting(input);
  if (input.upstream !== undefined) {
    const problem = checkUpstreamUrl(input.upstream);
    if (problem) throw new ApiError(400, problem.code, problem.message, 'upstream');
  }
  return {
    kind: input.kind!,
    paths: input.paths!,
    priority: input.priority ?? 0,
    ...(input.hosts ? { hosts: input.hosts } : {}),
    ...(input.setting ? { setting: input.setting } : {}),
    ...(input.csp !== undefined ? { csp: input.csp } : {}),
    ...(input.websocket !== undefined ? { websocket: input.websocket } : {}),
    ...(input.upstream !== undefined ? { upstream: input.upstream } : {}),
    ...(input.description ? { description: input.description } : {}),
    ...(input.mode ? { mode: input.mode } : {}),
  };
}
