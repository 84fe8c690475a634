/**
 * Security-header grading compatible with Mozilla's HTTP Observatory, algorithm v6
 * (mdn/mdn-http-observatory): the same tests, results, modifiers, extra-credit rule and grade bands,
 * so grades can be cross-checked. Pure: it grades responses it is given.
 */

export interface GradedResponse {
  url: string;
  status: number;
  /** Lower-case names; repeated headers joined with ", " except set-cookie, kept as a list. */
  headers: Record<string, string>;
  setCookies?: string[];
  body?: string;
}

export interface ObservatoryInput {
  response: GradedResponse;
  /** The answer to an OPTIONS preflight with Observatory's origin, when it was sent. */
  corsPreflight?: GradedResponse;
  /** The chain of answers when fetching the http:// URL, when it was fetched. */
  httpRedirects?: { status: number; location: string | null }[];
}

export interface TestResult {
  name: string;
  result: string;
  pass: boolean;
  scoreModifier: number;
}

export interface Grade {
  algorithmVersion: 6;
  score: number;
  grade: string;
  testsPassed: number;
  testsFailed: number;
  tests: Record<string, TestResult>;
}

export const OBSERVATORY_ORIGIN = 'https://http-observatory.security.mozilla.org';
const SIX_MONTHS = 15_552_000;
const BROAD = new Set(['ftp:', 'http:', 'https:', '*', 'http://*', 'http://*.*', 'https://*', 'https://*.*']);

function t(name: string, result: string, scoreModifier: number, pass: boolean): TestResult {
  return { name, result, pass, scoreModifier };
}

const UNSAFE_INLINE = new Set(["'unsafe-inline'", 'data:']);
const BROAD_OR_UNSAFE_INLINE = new Set([...BROAD, ...UNSAFE_INLINE]);
const NONCES_HASHES = ["'sha256-", "'sha384-", "'sha512-", "'nonce-"];
const DUPLICATES_ALLOWED = new Set(['report-uri', 'report-to']);
const NOT_IN_META = ['frame-ancestors', 'report-uri', 'sandbox'];
/** Observatory sorts sources with an English collator; adjacency after sorting decides what survives a merge. */
const COLLATE = new Intl.Collator('en').compare;

/** Observatory's reading of a list of policies: a directive → its sources, or null when a policy is invalid. */
interface ObservatoryCsp {
  directives: Map<string, Set<string>>;
  duplicateReports: boolean;
}

/** Whether source path `a` covers `b` (Observatory's path-part match, used to intersect policies). */
function pathPartMatch(a: string, b: string): boolean {
  if (a.length === 0) return true;
  if (a === '/' && b.length === 0) return true;
  const exact = !a.endsWith('/');
  const pa = a.split('/');
  const pb = b.split('/');
  if (pa.length > pb.length || (exact && pa.length !== pb.length)) return false;
  if (!exact) pa.pop();
  const decode = (x: string) => { try { return decodeURIComponent(x); } catch { return x; } };
  return pa.every((piece, i) => decode(piece) === decode(pb[i]!));
}

/**
 * Policies merged as Observatory v6 merges them: each policy at least 6 characters, a repeated
 * directive invalid (report-uri/report-to only noted), sources lower-cased, an empty *-src 'none',
 * and across policies a source kept only when every policy that sets the directive has it.
 */
function observatoryCsp(policies: string[]): ObservatoryCsp | null {
  const clean = policies.map((p) => p.replace(/[\r\n]/g, '').trim());
  if (clean.some((p) => p.length < 6)) return null;
  type Source = { source: string; index: number; keep: boolean };
  const csp = new Map<string, Source[]>();
  let duplicateReports = false;
  for (const [index, policy] of clean.entries()) {
    const seen = new Set<string>();
    for (const [rawName, ...rawValues] of policy.split(';').map((e) => e.trim().split(/\s+/))) {
      if (!rawName) continue;
      const name = rawName.toLowerCase();
      if (seen.has(name)) {
        if (!DUPLICATES_ALLOWED.has(name)) return null;
        duplicateReports = true;
      } else seen.add(name);
      const keep = index === 0;
      const values: Source[] = rawValues.length
        ? rawValues.map((v) => ({ source: v.trim().toLowerCase(), index, keep }))
        : name.endsWith('-src') ? [{ source: "'none'", index, keep }] : [];
      const combined = index === 0 ? [...values] : [...(csp.get(name) ?? []), ...values];
      combined.sort((a, b) => COLLATE(a.source, b.source));
      for (let i = 1; i < combined.length; i++) {
        const cur = combined[i]!;
        const prev = combined[i - 1]!;
        if (cur.index === prev.index && cur.source.startsWith(prev.source)) cur.keep = false;
        if (cur.index !== prev.index && pathPartMatch(prev.source, cur.source)) cur.keep = true;
      }
      csp.set(name, combined.filter((x) => x.keep));
      if (index === 0 && clean.length > 1) for (const x of csp.get(name) ?? []) x.keep = false;
    }
  }
  const directives = new Map([...csp].map(([name, list]) => [name, new Set(list.length ? list.map((x) => x.source) : ["'none'"])]));
  return { directives, duplicateReports };
}

/** `<meta http-equiv=... content=...>` values of an HTML body, for one header name. */
function metaValues(r: GradedResponse, header: string): string[] {
  if (r.body === undefined || !/html/i.test(r.headers['content-type'] ?? '')) return [];
  const out: string[] = [];
  for (const m of r.body.matchAll(/<meta\b[^>]*>/gi)) {
    const tag = m[0];
    const equiv = /http-equiv\s*=\s*["']?([^"'\s>]+)/i.exec(tag)?.[1];
    const content = /content\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
    if (equiv?.toLowerCase() === header && content) out.push(content[1] ?? content[2] ?? content[3] ?? '');
  }
  return out;
}

const split = (values: string[]) => values.flatMap((v) => v.split(',').map((x) => x.trim()));

/** The merged CSP Observatory judges (header and meta), or null when absent, or 'invalid'. */
function cspOf(r: GradedResponse): { csp: ObservatoryCsp; headerOnly: Map<string, Set<string>> } | 'absent' | 'invalid' {
  const header = r.headers['content-security-policy'] === undefined ? [] : split([r.headers['content-security-policy']]);
  const meta = split(metaValues(r, 'content-security-policy'));
  const all = observatoryCsp([...header, ...meta]);
  if (all === null) return 'invalid';
  const headerOnly = observatoryCsp(header)?.directives ?? new Map<string, Set<string>>();
  const metaOnly = observatoryCsp(meta)?.directives ?? new Map<string, Set<string>>();
  for (const d of NOT_IN_META) metaOnly.delete(d);
  if (headerOnly.size + metaOnly.size === 0) return 'absent';
  return { csp: all, headerOnly };
}

function cspTest(r: GradedResponse): TestResult {
  const name = 'content-security-policy';
  const parsed = cspOf(r);
  if (parsed === 'invalid') return t(name, 'csp-header-invalid', -25, false);
  if (parsed === 'absent') {
    return r.headers['content-security-policy-report-only'] !== undefined
      ? t(name, 'csp-not-implemented-but-reporting-enabled', -25, false)
      : t(name, 'csp-not-implemented', -25, false);
  }
  const csp = parsed.csp.directives;
  const get = (d: string) => csp.get(d);
  const object = new Set(get('object-src') ?? get('default-src') ?? ['*']);
  const script = new Set(get('script-src') ?? get('default-src') ?? ['*']);
  const style = new Set(get('style-src') ?? get('default-src') ?? ['*']);
  const nonceOrHash = (l: Set<string>) => [...l].some((v) => NONCES_HASHES.some((p) => v.startsWith(p)));
  for (const list of [script, style]) if (nonceOrHash(list)) list.delete("'unsafe-inline'");
  let result: [string, number] | null = null;
  const first = (res: string, modifier: number) => { if (result === null) result = [res, modifier]; };
  if (nonceOrHash(script) && script.has("'strict-dynamic'")) {
    for (const v of [...script]) if ([...BROAD].some((b) => v.startsWith(b)) || v === "'self'" || v === "'unsafe-inline'") script.delete(v);
  } else if (script.has("'strict-dynamic'")) first('csp-header-invalid', -25);
  const active = [...[...csp].filter(([d]) => d !== 'img-src' && d !== 'media-src' && d !== 'script-src').flatMap(([, l]) => [...l]), ...script];
  const passive = ['img-src', 'media-src'].flatMap((d) => [...(get(d) ?? get('default-src') ?? [])]);
  const https = r.url.startsWith('https:');
  const insecure = (v: string) => v.startsWith('http:') || v.startsWith('ftp:');
  if ([...script].some((v) => BROAD_OR_UNSAFE_INLINE.has(v)) || [...object].some((v) => BROAD.has(v))) first('csp-implemented-with-unsafe-inline', -20);
  if (https && active.some(insecure)) first('csp-implemented-with-insecure-scheme', -20);
  if (script.has("'unsafe-eval'") || style.has("'unsafe-eval'")) first('csp-implemented-with-unsafe-eval', -10);
  if (https && passive.some(insecure)) first('csp-implemented-with-insecure-scheme-in-passive-content-only', -10);
  if ([...style].some((v) => BROAD_OR_UNSAFE_INLINE.has(v))) first('csp-implemented-with-unsafe-inline-in-style-src-only', 0);
  const defaultSrc = get('default-src');
  if (defaultSrc?.has("'none'") && defaultSrc.size === 1) first('csp-implemented-with-no-unsafe-default-src-none', 10);
  else first('csp-implemented-with-no-unsafe', 5);
  const [res, modifier] = result!;
  const pass = ['csp-implemented-with-no-unsafe', 'csp-implemented-with-no-unsafe-default-src-none', 'csp-implemented-with-unsafe-inline-in-style-src-only', 'csp-implemented-with-insecure-scheme-in-passive-content-only'].includes(res);
  // A passing policy with repeated report-uri/report-to is reported as such, scored 0.
  if (pass && parsed.csp.duplicateReports) return t(name, 'csp-implemented-but-duplicate-directives', 0, true);
  return t(name, res, modifier, pass);
}

function hstsMaxAge(r: GradedResponse): number | null | 'invalid' {
  const h = r.headers['strict-transport-security'];
  if (h === undefined) return null;
  if (h.includes(',')) return 'invalid';
  const m = /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?\s*(?:;|$)/i.exec(h);
  return m ? Number(m[1]) : 'invalid';
}

function cookiesTest(r: GradedResponse): TestResult {
  const name = 'cookies';
  const cookies = r.setCookies ?? [];
  if (cookies.length === 0) return t(name, 'cookies-not-found', 0, true);
  const hsts = hstsMaxAge(r);
  const protectedByHsts = typeof hsts === 'number' && hsts > 0;
  const results: TestResult[] = [];
  let allSameSite = true;
  for (const c of cookies) {
    const [pair = '', ...attrs] = c.split(';');
    const cname = pair.split('=')[0]!.trim().toLowerCase();
    const flags = new Map(attrs.map((a) => { const [k = '', v = ''] = a.split('='); return [k.trim().toLowerCase(), v.trim().toLowerCase()] as const; }));
    const session = cname.includes('login') || cname.includes('sess');
    const secure = flags.has('secure');
    const samesite = flags.get('samesite');
    if (samesite === undefined) allSameSite = false;
    else if (!['lax', 'strict', 'none'].includes(samesite)) results.push(t(name, 'cookies-samesite-flag-invalid', -20, false));
    if (!secure && session) results.push(protectedByHsts ? t(name, 'cookies-session-without-secure-flag-but-protected-by-hsts', -10, false) : t(name, 'cookies-session-without-secure-flag', -40, false));
    else if (!secure) results.push(protectedByHsts ? t(name, 'cookies-without-secure-flag-but-protected-by-hsts', -5, false) : t(name, 'cookies-without-secure-flag', -20, false));
    if (session && !flags.has('httponly')) results.push(t(name, 'cookies-session-without-httponly-flag', -30, false));
    if (cname.includes('csrf') && samesite === undefined) results.push(t(name, 'cookies-anticsrf-without-samesite-flag', -20, false));
  }
  if (results.length) return results.sort((a, b) => a.scoreModifier - b.scoreModifier)[0]!;
  return allSameSite ? t(name, 'cookies-secure-with-httponly-sessions-and-samesite', 5, true) : t(name, 'cookies-secure-with-httponly-sessions', 0, true);
}

function corsTest(input: ObservatoryInput): TestResult {
  const name = 'cross-origin-resource-sharing';
  const r = input.corsPreflight ?? input.response;
  const acao = r.headers['access-control-allow-origin']?.split(',')[0];
  if (acao === undefined) return t(name, 'cross-origin-resource-sharing-not-implemented', 0, true);
  if (acao.trim().toLowerCase() === '*') return t(name, 'cross-origin-resource-sharing-implemented-with-public-access', 0, true);
  const sentOrigin = input.corsPreflight ? OBSERVATORY_ORIGIN : null;
  if (sentOrigin === acao && r.headers['access-control-allow-credentials']?.trim().toLowerCase() === 'true') return t(name, 'cross-origin-resource-sharing-implemented-with-universal-access', -50, false);
  return t(name, 'cross-origin-resource-sharing-implemented-with-restricted-access', 0, true);
}

function redirectionTest(input: ObservatoryInput): TestResult | null {
  const name = 'redirection';
  const url = new URL(input.response.url);
  if (url.protocol === 'http:') {
    const first = input.httpRedirects?.[0];
    if (first?.location?.startsWith('https:')) return t(name, 'redirection-to-https', 0, true);
    return t(name, 'redirection-missing', -20, false);
  }
  if (!input.httpRedirects) return null; // not fetched (offline, or a non-default port)
  if (input.httpRedirects.length === 0) return t(name, 'redirection-not-needed-no-http', 0, true);
  const first = input.httpRedirects[0]!;
  if (first.location === null) return t(name, 'redirection-missing', -20, false);
  const to = new URL(first.location, `http://${url.host}/`);
  if (to.protocol !== 'https:') return t(name, 'redirection-not-to-https-on-initial-redirection', -10, false);
  if (to.hostname !== url.hostname) return t(name, 'redirection-off-host-from-http', -5, false);
  return t(name, 'redirection-to-https', 0, true);
}

function referrerTest(r: GradedResponse): TestResult {
  const name = 'referrer-policy';
  // Header and <meta http-equiv> values together; the meta comes last, so it wins.
  const values = [...(r.headers['referrer-policy'] === undefined ? [] : [r.headers['referrer-policy']]), ...metaValues(r, 'referrer-policy')];
  if (values.length === 0) return t(name, 'referrer-policy-not-implemented', 0, true);
  const h = values.join(', ');
  const valid = ['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin', 'origin', 'origin-when-cross-origin', 'unsafe-url', 'no-referrer-when-downgrade'];
  const last = h.split(',').map((v) => v.trim().toLowerCase()).filter((v) => valid.includes(v)).pop();
  if (last === undefined) return t(name, 'referrer-policy-header-invalid', -5, false);
  if (['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'].includes(last)) return t(name, 'referrer-policy-private', 5, true);
  return t(name, 'referrer-policy-unsafe', -5, false);
}

function hstsTest(r: GradedResponse): TestResult {
  const name = 'strict-transport-security';
  if (!r.url.startsWith('https:')) return t(name, 'hsts-not-implemented-no-https', -20, false);
  const age = hstsMaxAge(r);
  if (age === null) return t(name, 'hsts-not-implemented', -20, false);
  if (age === 'invalid') return t(name, 'hsts-header-invalid', -20, false);
  return age >= SIX_MONTHS ? t(name, 'hsts-implemented-max-age-at-least-six-months', 0, true) : t(name, 'hsts-implemented-max-age-less-than-six-months', -10, false);
}

function sriTest(r: GradedResponse): TestResult {
  const name = 'subresource-integrity';
  const type = r.headers['content-type'] ?? '';
  if (!/html/i.test(type) || r.body === undefined) return t(name, 'sri-not-implemented-response-not-html', 0, true);
  const page = new URL(r.url);
  const scripts = [...r.body.matchAll(/<script\b([^>]*)>/gi)].map((m) => m[1]!).filter((a) => /\bsrc\s*=/i.test(a));
  if (scripts.length === 0) return t(name, 'sri-not-implemented-but-no-scripts-loaded', 0, true);
  const info = scripts.map((attrs) => {
    const src = /\bsrc\s*=\s*["']?([^"'\s>]+)/i.exec(attrs)?.[1] ?? '';
    let u: URL | null = null;
    try { u = new URL(src, page); } catch { /* ignore */ }
    return { external: u !== null && u.origin !== page.origin, secure: u === null || u.protocol === 'https:' || (u.origin === page.origin && page.protocol === 'https:'), integrity: /\bintegrity\s*=/i.test(attrs) };
  });
  const external = info.filter((s) => s.external);
  if (external.length === 0) return t(name, 'sri-not-implemented-but-all-scripts-loaded-from-secure-origin', 0, true);
  if (external.every((s) => s.integrity)) return external.every((s) => s.secure) ? t(name, 'sri-implemented-and-external-scripts-loaded-securely', 5, true) : t(name, 'sri-implemented-but-external-scripts-not-loaded-securely', -20, false);
  return external.every((s) => s.secure) ? t(name, 'sri-not-implemented-but-external-scripts-loaded-securely', -5, false) : t(name, 'sri-not-implemented-and-external-scripts-not-loaded-securely', -50, false);
}

function xctoTest(r: GradedResponse): TestResult {
  const name = 'x-content-type-options';
  const h = r.headers['x-content-type-options'];
  if (h === undefined) return t(name, 'x-content-type-options-not-implemented', -5, false);
  return h.trim().toLowerCase() === 'nosniff' ? t(name, 'x-content-type-options-nosniff', 0, true) : t(name, 'x-content-type-options-header-invalid', -5, false);
}

function xfoTest(r: GradedResponse): TestResult {
  const name = 'x-frame-options';
  const parsed = cspOf(r);
  // As Observatory: frame-ancestors anywhere in a policy the CSP test could read (meta included).
  if (typeof parsed === 'object' && parsed.csp.directives.has('frame-ancestors')) return t(name, 'x-frame-options-implemented-via-csp', 5, true);
  const h = r.headers['x-frame-options'];
  if (h === undefined) return t(name, 'x-frame-options-not-implemented', -20, false);
  // Observatory reads the first header only (repeated headers arrive joined with ", ").
  const v = h.split(',')[0]!.slice(0, 1024).trim().toLowerCase();
  if (v === 'deny' || v === 'sameorigin') return t(name, 'x-frame-options-sameorigin-or-deny', 5, true);
  if (v.startsWith('allow-from')) return t(name, 'x-frame-options-allow-from-origin', 0, true);
  return t(name, 'x-frame-options-header-invalid', -20, false);
}

function tokenTest(r: GradedResponse, header: string, name: string, prefix: string, good: string[], neutral: string[]): TestResult {
  const h = r.headers[header];
  if (h === undefined) return t(name, `${prefix}-not-implemented`, 0, true);
  const v = h.split(';')[0]!.trim().toLowerCase();
  if (h.includes(',') || (!good.includes(v) && !neutral.includes(v))) return t(name, `${prefix}-header-invalid`, -5, false);
  return good.includes(v) ? t(name, `${prefix}-${v}`, 10, true) : t(name, `${prefix}-${v}`, 0, true);
}

const GRADES: Array<[number, string]> = [[100, 'A+'], [90, 'A'], [85, 'A-'], [80, 'B+'], [70, 'B'], [65, 'B-'], [60, 'C+'], [50, 'C'], [45, 'C-'], [40, 'D+'], [30, 'D'], [25, 'D-'], [0, 'F']];

export function gradeOf(score: number): string {
  const key = Math.min(score - (score % 5), 100);
  return GRADES.find(([min]) => key >= min)![1];
}

export function grade(input: ObservatoryInput): Grade {
  const r = input.response;
  const list = [
    cspTest(r),
    cookiesTest(r),
    corsTest(input),
    redirectionTest(input),
    referrerTest(r),
    hstsTest(r),
    sriTest(r),
    xctoTest(r),
    xfoTest(r),
    tokenTest(r, 'cross-origin-resource-policy', 'cross-origin-resource-policy', 'corp', ['same-origin', 'same-site'], ['cross-origin']),
    tokenTest(r, 'cross-origin-embedder-policy', 'cross-origin-embedder-policy', 'coep', ['require-corp', 'credentialless'], ['unsafe-none']),
    tokenTest(r, 'cross-origin-opener-policy', 'cross-origin-opener-policy', 'coop', ['same-origin', 'same-origin-allow-popups', 'noopener-allow-popups'], ['unsafe-none']),
  ].filter((x): x is TestResult => x !== null);
  const penalties = list.reduce((s, x) => s + Math.min(0, x.scoreModifier), 0);
  const uncurved = 100 + penalties;
  const score = Math.max(0, uncurved >= 90 ? 100 + list.reduce((s, x) => s + x.scoreModifier, 0) : uncurved);
  return {
    algorithmVersion: 6,
    score,
    grade: gradeOf(score),
    testsPassed: list.filter((x) => x.pass).length,
    testsFailed: list.filter((x) => !x.pass).length,
    tests: Object.fromEntries(list.map((x) => [x.name, x])),
  };
}
