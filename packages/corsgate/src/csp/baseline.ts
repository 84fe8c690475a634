/**
 * The CSP baseline (the directives besides the six that trusted sites widen), read with CSP3's
 * parsing rules, and what a Content-Security-Policy leaves open.
 */
import { DIRECTIVE_FIELDS } from './fields.js';

/**
 * The baseline: the directives the gateway's Content-Security-Policy carries besides the six that trusted sites
 * widen. Trusted sites keep Salesforce's semantics (each of the six is `'self'` plus the sites that
 * apply to it); the baseline says what the six leave open. Its default is Salesforce's Lightning
 * baseline (`script-src 'self'`, https://developer.salesforce.com/docs/atlas.en-us.lightning.meta/lightning/security_csp.htm)
 * completed with what a page needs to pass CSP Evaluator and the HTTP Observatory: no plugins, no
 * `<base>` hijack, forms and framing kept to the site itself.
 */
export const DEFAULT_CSP_BASELINE =
  "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

/** CSP Level 3 directive names (https://www.w3.org/TR/CSP3/#csp-directives) and those of its companions. */
export const CSP_DIRECTIVES: ReadonlySet<string> = new Set([
  'child-src',
  'connect-src',
  'default-src',
  'font-src',
  'frame-src',
  'img-src',
  'manifest-src',
  'media-src',
  'object-src',
  'script-src',
  'script-src-elem',
  'script-src-attr',
  'style-src',
  'style-src-elem',
  'style-src-attr',
  'worker-src',
  'base-uri',
  'sandbox',
  'form-action',
  'frame-ancestors',
  'report-uri',
  'report-to',
  'upgrade-insecure-requests',
  'block-all-mixed-content',
  'require-trusted-types-for',
  'trusted-types',
  'fenced-frame-src',
  'webrtc',
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
    else if (text.includes(','))
      problem(`'${text}': a comma would start a second policy; separate directives with ';'`);
    else if (!/^[a-z0-9-]+$/.test(name))
      problem(`'${name}' is not a directive name (letters, digits and hyphens)`);
    else if (FROM_SITES.has(name))
      problem(
        `${name} is built from the trusted sites ('self' plus each site that applies to it): remove it from the baseline`,
      );
    else if (name === 'style-src-elem')
      problem(
        "style-src-elem would override style-src, and with it the trusted sites' stylesheets: use style-src through the trusted sites",
      );
    else if (!CSP_DIRECTIVES.has(name)) problem(`'${name}' is not a CSP directive (did you mistype it?)`);
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
  const names = new Set(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/)[0]!.toLowerCase())
      .filter(Boolean),
  );
  const gaps: string[] = [];
  const has = (...any: string[]) => any.some((n) => names.has(n));
  if (!has('script-src', 'default-src'))
    gaps.push(
      'scripts may load from any site, and inline scripts run (no script-src or default-src): an injected <script> runs',
    );
  if (!has('object-src', 'default-src'))
    gaps.push('plugins (<object>, <embed>) may load from any site (no object-src or default-src)');
  if (!has('base-uri'))
    gaps.push('an injected <base> tag can point every relative script URL at another site (no base-uri)');
  if (!has('form-action')) gaps.push('forms may post to any site (no form-action)');
  if (!has('frame-ancestors'))
    gaps.push('any site may frame these pages, which allows clickjacking (no frame-ancestors)');
  return gaps;
}
