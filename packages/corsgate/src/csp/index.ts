/**
 * CSP Trusted Sites (Salesforce's CspTrustedSite, now "Trusted URLs"): validation with Salesforce's
 * rules, and the Content-Security-Policy header they produce. Pure and browser-safe: the gateway,
 * the metadata import and the console all use it. The spec CSP parser lives beside it (parse.ts).
 */
import { isLoopbackHost } from '../http/url.js';
import { parseCspBaseline } from './baseline.js';
import {
  API_NAME,
  CONTEXTS,
  CSP_SIZE_WARNING,
  DIRECTIVE_FIELDS,
  PERMISSION_FIELDS,
  type FieldProblem,
  type TrustedSite,
} from './fields.js';

export {
  API_NAME,
  CONTEXTS,
  CSP_SIZE_WARNING,
  DIRECTIVE_FIELDS,
  PERMISSION_FIELDS,
  type FieldProblem,
  type TrustedSite,
} from './fields.js';
export { cspGaps, DEFAULT_CSP_BASELINE, parseCspBaseline, type BaselineProblem } from './baseline.js';

const NAME = API_NAME;
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST = new RegExp(`^(?:\\*\\.)?${LABEL}(?:\\.${LABEL})+$`, 'i');

/** Checks one endpoint URL: `https://host[:port]`, `wss://host[:port]` or `*.domain[:port]` (Salesforce §3.5). */
export function checkEndpointUrl(value: unknown): FieldProblem | null {
  const field = 'endpointUrl';
  if (typeof value !== 'string' || value.trim() === '')
    return {
      code: 'trusted-site-url-missing',
      field,
      message: 'the URL is required, e.g. https://cdn.example.com',
    };
  if (value !== value.trim() || /\s/.test(value))
    return { code: 'trusted-site-url-whitespace', field, message: `'${value}' contains white space` };
  if (value.length > 255)
    return {
      code: 'trusted-site-url-too-long',
      field,
      message: "the URL is longer than 255 characters (Salesforce's limit)",
    };
  const m =
    /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):\/\/)?(\[[0-9a-fA-F:.]*\]|[^/:?#]*)(?::([^/?#]*))?(\/[^?#]*)?([?#].*)?$/.exec(
      value,
    );
  if (!m) return { code: 'trusted-site-url-malformed', field, message: `'${value}' is not a URL` };
  const [, scheme, host = '', port, path, rest] = m;
  if (scheme === undefined && !host.startsWith('*.'))
    return {
      code: 'trusted-site-url-scheme-missing',
      field,
      message: `'${value}' needs https:// (or wss:// for WebSockets): did you mean https://${value}?`,
    };
  // Local development: http:// is accepted on loopback hosts, as the allowlist accepts it for origins.
  const loopback = isLoopbackHost(host.toLowerCase());
  if (scheme !== undefined && scheme.toLowerCase() === 'http' && !loopback)
    return {
      code: 'trusted-site-url-insecure',
      field,
      message: `trusted sites must use https:// or wss:// (http:// only on localhost, 127.0.0.0/8 and [::1]): did you mean https://${value.slice(7)}?`,
    };
  if (scheme !== undefined && !['https', 'wss', 'http'].includes(scheme.toLowerCase()))
    return {
      code: 'trusted-site-url-scheme',
      field,
      message: `'${scheme}://' is not allowed: use https:// or wss://`,
    };
  if (!HOST.test(host) && !(loopback && scheme !== undefined))
    return {
      code: 'trusted-site-url-host',
      field,
      message: `'${host}' is not a domain name (letters, digits and hyphens, with at least one dot; '*.' only in front)`,
    };
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535))
    return { code: 'trusted-site-url-port', field, message: `'${port}' is not a port (1–65535)` };
  if ((path !== undefined && path !== '/') || rest !== undefined)
    return {
      code: 'trusted-site-url-path',
      field,
      message: 'a trusted site is a host, with an optional port: remove the path, query or fragment',
    };
  return null;
}

/** Validates a trusted site with Salesforce's rules; every problem, in plain words. */
export function validateTrustedSite(input: unknown): FieldProblem[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return [{ code: 'trusted-site-invalid', field: '', message: 'a trusted site must be an object' }];
  const site = input as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const name = site.name;
  if (typeof name !== 'string' || name === '')
    problems.push({
      code: 'trusted-site-name-missing',
      field: 'name',
      message: 'the trusted site name is required',
    });
  else if (name.length > 80)
    problems.push({
      code: 'trusted-site-name-too-long',
      field: 'name',
      message: 'the name is longer than 80 characters',
    });
  else if (!NAME.test(name) || name.endsWith('_')) {
    const suggestion = name
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/_+/g, '_')
      .replace(/^[^A-Za-z]+/, '')
      .replace(/_$/, '');
    problems.push({
      code: 'trusted-site-name-invalid',
      field: 'name',
      message: `the name may hold letters, digits and single underscores, start with a letter and not end with '_'${suggestion ? `: did you mean ${suggestion}?` : ''}`,
    });
  }
  const url = checkEndpointUrl(site.endpointUrl);
  if (url) problems.push(url);
  if (site.context !== undefined && !CONTEXTS.includes(site.context as never))
    problems.push({
      code: 'trusted-site-context-invalid',
      field: 'context',
      message: `context must be one of ${CONTEXTS.join(', ')}`,
    });
  if (
    site.description !== undefined &&
    (typeof site.description !== 'string' || site.description.length > 255)
  )
    problems.push({
      code: 'trusted-site-description-invalid',
      field: 'description',
      message: 'the description must be text of at most 255 characters',
    });
  for (const key of ['isActive', ...DIRECTIVE_FIELDS.map(([, f]) => f), ...PERMISSION_FIELDS]) {
    if (site[key] !== undefined && typeof site[key] !== 'boolean')
      problems.push({
        code: 'trusted-site-flag-invalid',
        field: key,
        message: `${key} must be true or false`,
      });
  }
  // API 59+: at least one isApplicableTo… or canAccess… field must be true.
  if (!DIRECTIVE_FIELDS.some(([, f]) => site[f] === true) && !PERMISSION_FIELDS.some((f) => site[f] === true))
    problems.push({
      code: 'trusted-site-no-directive',
      field: 'isApplicableToConnectSrc',
      message:
        'choose at least one CSP directive (connect-src, font-src, frame-src, img-src, media-src or style-src) or permission (camera, microphone)',
    });
  return problems;
}

export interface CspBuildResult {
  header: string;
  bytes: number;
  warnings: { code: string; message: string }[];
}

/** The CSP source expression for an endpoint URL (a trailing slash is dropped: it adds nothing). */
function sourceOf(endpointUrl: string): string {
  return endpointUrl.replace(/\/$/, '').toLowerCase();
}

/**
 * The Content-Security-Policy for these trusted sites: the six directives Salesforce's baseline
 * sets, each `'self'` first, then the active sites (matching `context`, when given) that apply to it,
 * deduplicated and sorted so the header only changes when the sites do; then the `baseline`'s
 * directives (see below), which the gateway always passes.
 */
export function buildContentSecurityPolicy(
  sites: readonly TrustedSite[],
  options: { context?: string; baseline?: string } = {},
): CspBuildResult {
  const active = sites.filter(
    (s) =>
      s.isActive &&
      checkEndpointUrl(s.endpointUrl) === null &&
      (options.context === undefined || s.context === 'All' || s.context === options.context),
  );
  const parts = DIRECTIVE_FIELDS.map(([directive, field]) => {
    const sources = [...new Set(active.filter((s) => s[field]).map((s) => sourceOf(s.endpointUrl)))].sort();
    return [directive, "'self'", ...sources].join(' ');
  });
  const baseline = parseCspBaseline(options.baseline ?? '');
  const header = [...parts, ...baseline.directives].join('; ');
  const bytes = new TextEncoder().encode(header).length;
  const warnings: CspBuildResult['warnings'] = [];
  if (bytes > CSP_SIZE_WARNING) {
    warnings.push({
      code: 'csp-header-large',
      message: `the Content-Security-Policy header is ${bytes} bytes; above 12 KB browsers and proxies start to fail (Salesforce reports trouble near 16 KB): remove unused trusted sites or use wildcards`,
    });
  }
  // A baseline the API would refuse (only a hand-written policy file can hold one) keeps its valid directives.
  for (const p of baseline.problems)
    warnings.push({ code: p.code, message: `the CSP baseline: ${p.message}` });
  const skipped = sites.filter((s) => s.isActive && checkEndpointUrl(s.endpointUrl) !== null);
  if (skipped.length)
    warnings.push({
      code: 'csp-site-malformed',
      message: `${skipped.length} active trusted site(s) with a malformed URL are left out: ${skipped.map((s) => s.name).join(', ')}`,
    });
  return { header, bytes, warnings };
}

export {
  parsePolicy,
  parsePolicyList,
  governingDirective,
  normalizeSource,
  hostOfSource,
  type CspPolicy,
  type CspDirective,
} from './parse.js';
