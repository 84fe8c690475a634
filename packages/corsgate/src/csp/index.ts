/**
 * CSP Trusted Sites (Salesforce's CspTrustedSite, now "Trusted URLs"): validation with Salesforce's
 * rules, and the Content-Security-Policy header they produce. Pure and browser-safe: the gateway,
 * the metadata import and the console all use it. The spec CSP parser lives beside it (parse.ts).
 */
import { isLoopbackHost } from '../http/url.js';

/** Salesforce's CspTrustedSite fields (Metadata API v67), as the admin API and the console name them. */
export interface TrustedSite {
  name: string;
  endpointUrl: string;
  context: string;
  isActive: boolean;
  description?: string;
  isApplicableToConnectSrc: boolean;
  isApplicableToFontSrc: boolean;
  isApplicableToFrameSrc: boolean;
  isApplicableToImgSrc: boolean;
  isApplicableToMediaSrc: boolean;
  isApplicableToStyleSrc: boolean;
  /** Permissions-Policy grants (API 59+): the site may use the camera / microphone. Absent: false. */
  canAccessCamera?: boolean;
  canAccessMicrophone?: boolean;
}

/** The two Permissions-Policy fields of a trusted site (API 59+), in WSDL order. */
export const PERMISSION_FIELDS = ['canAccessCamera', 'canAccessMicrophone'] as const;

export interface FieldProblem {
  code: string;
  field: string;
  message: string;
}

/** The six directives a trusted site can widen, in the order the header lists them. */
export const DIRECTIVE_FIELDS = [
  ['connect-src', 'isApplicableToConnectSrc'],
  ['font-src', 'isApplicableToFontSrc'],
  ['frame-src', 'isApplicableToFrameSrc'],
  ['img-src', 'isApplicableToImgSrc'],
  ['media-src', 'isApplicableToMediaSrc'],
  ['style-src', 'isApplicableToStyleSrc'],
] as const;

/** CspTrustedSiteContext values (Metadata API v67). */
export const CONTEXTS = ['All', 'LEX', 'Communities', 'FieldServiceMobileExtension', 'VisualForce', 'LightningOut'] as const;

/** Salesforce's advice: keep the header under 12 KB; trouble starts near 16 KB. */
export const CSP_SIZE_WARNING = 12 * 1024;

/** Salesforce API names: letters, digits and single underscores, starting with a letter (no trailing `_`). */
export const API_NAME = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$/;
const NAME = API_NAME;
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST = new RegExp(`^(?:\\*\\.)?${LABEL}(?:\\.${LABEL})+$`, 'i');

/** Checks one endpoint URL: `https://host[:port]`, `wss://host[:port]` or `*.domain[:port]` (Salesforce §3.5). */
export function checkEndpointUrl(value: unknown): FieldProblem | null {
  const field = 'endpointUrl';
  if (typeof value !== 'string' || value.trim() === '') return { code: 'trusted-site-url-missing', field, message: 'the URL is required, e.g. https://cdn.example.com' };
  if (value !== value.trim() || /\s/.test(value)) return { code: 'trusted-site-url-whitespace', field, message: `'${value}' contains white space` };
  if (value.length > 255) return { code: 'trusted-site-url-too-long', field, message: 'the URL is longer than 255 characters (Salesforce\'s limit)' };
  const m = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):\/\/)?(\[[0-9a-fA-F:.]*\]|[^/:?#]*)(?::([^/?#]*))?(\/[^?#]*)?([?#].*)?$/.exec(value);
  if (!m) return { code: 'trusted-site-url-malformed', field, message: `'${value}' is not a URL` };
  const [, scheme, host = '', port, path, rest] = m;
  if (scheme === undefined && !host.startsWith('*.')) return { code: 'trusted-site-url-scheme-missing', field, message: `'${value}' needs https:// (or wss:// for WebSockets): did you mean https://${value}?` };
  // Local development: http:// is accepted on loopback hosts, as the allowlist accepts it for origins.
  const loopback = isLoopbackHost(host.toLowerCase());
  if (scheme !== undefined && scheme.toLowerCase() === 'http' && !loopback) return { code: 'trusted-site-url-insecure', field, message: `trusted sites must use https:// or wss:// (http:// only on localhost, 127.0.0.0/8 and [::1]): did you mean https://${value.slice(7)}?` };
  if (scheme !== undefined && !['https', 'wss', 'http'].includes(scheme.toLowerCase())) return { code: 'trusted-site-url-scheme', field, message: `'${scheme}://' is not allowed: use https:// or wss://` };
  if (!HOST.test(host) && !(loopback && scheme !== undefined)) return { code: 'trusted-site-url-host', field, message: `'${host}' is not a domain name (letters, digits and hyphens, with at least one dot; '*.' only in front)` };
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) return { code: 'trusted-site-url-port', field, message: `'${port}' is not a port (1–65535)` };
  if ((path !== undefined && path !== '/') || rest !== undefined) return { code: 'trusted-site-url-path', field, message: 'a trusted site is a host, with an optional port: remove the path, query or fragment' };
  return null;
}

/** Validates a trusted site with Salesforce's rules; every problem, in plain words. */
export function validateTrustedSite(input: unknown): FieldProblem[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return [{ code: 'trusted-site-invalid', field: '', message: 'a trusted site must be an object' }];
  const site = input as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const name = site.name;
  if (typeof name !== 'string' || name === '') problems.push({ code: 'trusted-site-name-missing', field: 'name', message: 'the trusted site name is required' });
  else if (name.length > 80) problems.push({ code: 'trusted-site-name-too-long', field: 'name', message: 'the name is longer than 80 characters' });
  else if (!NAME.test(name) || name.endsWith('_')) {
    const suggestion = name.replace(/[^A-Za-z0-9]+/g, '_').replace(/_+/g, '_').replace(/^[^A-Za-z]+/, '').replace(/_$/, '');
    problems.push({ code: 'trusted-site-name-invalid', field: 'name', message: `the name may hold letters, digits and single underscores, start with a letter and not end with '_'${suggestion ? `: did you mean ${suggestion}?` : ''}` });
  }
  const url = checkEndpointUrl(site.endpointUrl);
  if (url) problems.push(url);
  if (site.context !== undefined && !CONTEXTS.includes(site.context as never)) problems.push({ code: 'trusted-site-context-invalid', field: 'context', message: `context must be one of ${CONTEXTS.join(', ')}` });
  if (site.description !== undefined && (typeof site.description !== 'string' || site.description.length > 255)) problems.push({ code: 'trusted-site-description-invalid', field: 'description', message: 'the description must be text of at most 255 characters' });
  for (const key of ['isActive', ...DIRECTIVE_FIELDS.map(([, f]) => f), ...PERMISSION_FIELDS]) {
    if (site[key] !== undefined && typeof site[key] !== 'boolean') problems.push({ code: 'trusted-site-flag-invalid', field: key, message: `${key} must be true or false` });
  }
  // API 59+: at least one isApplicableTo… or canAccess… field must be true.
  if (!DIRECTIVE_FIELDS.some(([, f]) => site[f] === true) && !PERMISSION_FIELDS.some((f) => site[f] === true)) problems.push({ code: 'trusted-site-no-directive', field: 'isApplicableToConnectSrc', message: 'choose at least one CSP directive (connect-src, font-src, frame-src, img-src, media-src or style-src) or permission (camera, microphone)' });
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
export function buildContentSecurityPolicy(sites: readonly TrustedSite[], options: { context?: string; baseline?: string } = {}): CspBuildResult {
  const active = sites.filter((s) => s.isActive && checkEndpointUrl(s.endpointUrl) === null && (options.context === undefined || s.context === 'All' || s.context === options.context));
  const parts = DIRECTIVE_FIELDS.map(([directive, field]) => {
    const sources = [...new Set(active.filter((s) => s[field]).map((s) => sourceOf(s.endpointUrl)))].sort();
    return [directive, "'self'", ...sources].join(' ');
  });
  const baseline = parseCspBaseline(options.baseline ?? '');
  const header = [...parts, ...baseline.directives].join('; ');
  const bytes = new TextEncoder().encode(header).length;
  const warnings: CspBuildResult['warnings'] = [];
  if (bytes > CSP_SIZE_WARNING) {
    warnings.push({ code: 'csp-header-large', message: `the Content-Security-Policy header is ${bytes} bytes; above 12 KB browsers and proxies start to fail (Salesforce reports trouble near 16 KB): remove unused trusted sites or use wildcards` });
  }
  // A baseline the API would refuse (only a hand-written policy file can hold one) keeps its valid directives.
  for (const p of baseline.problems) warnings.push({ code: p.code, message: `the CSP baseline: ${p.message}` });
  const skipped = sites.filter((s) => s.isActive && checkEndpointUrl(s.endpointUrl) !== null);
  if (skipped.length) warnings.push({ code: 'csp-site-malformed', message: `${skipped.length} active trusted site(s) with a malformed URL are left out: ${skipped.map((s) => s.name).join(', ')}` });
  return { header, bytes, warnings };
}

export { parsePolicy, parsePolicyList, governingDirective, normalizeSource, hostOfSource, type CspPolicy, type CspDirective } from './parse.js';

/**
 * The baseline: the directives the gateway's Content-Security-Policy carries besides the six that trusted sites
 * widen. Trusted sites keep Salesforce's semantics (each of the six is `'self'` plus the sites that
 * apply to it); the baseline says what the six leave open. Its default is Salesforce's Lightning
 * baseline (`script-src 'self'`, https://developer.salesforce.com/docs/atlas.en-us.lightning.meta/lightning/security_csp.htm)
 * completed with what a page needs to pass CSP Evaluator and the HTTP Observatory: no plugins, no
 * `<base>` hijack, forms and framing kept to the site itself.
 */
export const DEFAULT_CSP_BASELINE = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

/** CSP Level 3 directive names (https://www.w3.org/TR/CSP3/#csp-directives) and those of its companions. */
const KNOWN = new Set([
  'child-src', 'connect-src', 'default-src', 'font-src', 'frame-src', 'img-src', 'manifest-src', 'media-src', 'object-src',
  'script-src', 'script-src-elem', 'script-src-attr', 'style-src', 'style-src-elem', 'style-src-attr', 'worker-src',
  'base-uri', 'sandbox', 'form-action', 'frame-ancestors', 'report-uri', 'report-to', 'upgrade-insecure-requests',
  'block-all-mixed-content', 'require-trusted-types-for', 'trusted-types', 'fenced-frame-src', 'webrtc',
]);

const FROM_SITES = new Set<string>(DIRECTIVE_FIELDS.map(([d]) => d));

export interface BaselineProblem {
  code: 'csp-baseline-invalid';
  message: string;
}

/** The baseline's directives as written, in order, with every problem (CSP3 §2.2.1 parsing rules). */
export function parseCspBaseline(value: string): { directives: string[]; problems: BaselineProblem[] } {
  const problems: BaselineProblem[] = [];
  const problem = (message: string) => problems.push({ code: 'csp-baseline-invalid', message });
  const directives: string[] = [];
  const seen = new Set<string>();
  for (const raw of value.split(';')) {
    const text = raw.trim().replace(/[ \t]+/g, ' ');
    if (text === '') continue;
    const name = text.split(' ')[0]!.toLowerCase();
    if (/[^\x20-\x7e]/.test(text)) problem(`'${name}': a header value is plain ASCII text on one line`);
    // A comma starts a second policy in the same header (CSP3 §2.2.2): never what a baseline means.
    else if (text.includes(',')) problem(`'${text}': a comma would start a second policy; separate directives with ';'`);
    else if (!/^[a-z0-9-]+$/.test(name)) problem(`'${name}' is not a directive name (letters, digits and hyphens)`);
    else if (FROM_SITES.has(name)) problem(`${name} is built from the trusted sites ('self' plus each site that applies to it): remove it from the baseline`);
    else if (name === 'style-src-elem') problem("style-src-elem would override style-src, and with it the trusted sites' stylesheets: use style-src through the trusted sites");
    else if (!KNOWN.has(name)) problem(`'${name}' is not a CSP directive (did you mistype it?)`);
    else if (seen.has(name)) problem(`${name} is given twice: browsers ignore the second`);
    else {
      seen.add(name);
      directives.push(text);
    }
  }
  return { directives, problems };
}

/** What a Content-Security-Policy leaves open, in plain words, for the console and the docs. */
export function cspGaps(header: string): string[] {
  const names = new Set(header.split(';').map((d) => d.trim().split(/\s+/)[0]!.toLowerCase()).filter(Boolean));
  const gaps: string[] = [];
  const has = (...any: string[]) => any.some((n) => names.has(n));
  if (!has('script-src', 'default-src')) gaps.push('scripts may load from any site, and inline scripts run (no script-src or default-src): an injected <script> runs');
  if (!has('object-src', 'default-src')) gaps.push('plugins (<object>, <embed>) may load from any site (no object-src or default-src)');
  if (!has('base-uri')) gaps.push('an injected <base> tag can point every relative script URL at another site (no base-uri)');
  if (!has('form-action')) gaps.push('forms may post to any site (no form-action)');
  if (!has('frame-ancestors')) gaps.push('any site may frame these pages, which allows clickjacking (no frame-ancestors)');
  return gaps;
}
