/**
 * Observatory v6's Content-Security-Policy test (mdn/mdn-http-observatory src/analyzer/tests/csp.js)
 * and its policy reader (src/analyzer/cspParser.js).
 *
 * This reader is deliberately not the spec parser of src/csp: Observatory grades policies its own way
 * (a repeated directive makes the whole header invalid, a policy under 6 characters is invalid, an
 * empty *-src means 'none', and comma-joined policies are intersected source by source after an
 * English-collated sort). Grades only agree with the peer's if policies are read exactly as it reads
 * them, quirks included, so this copy stays beside the port and nowhere else.
 */
import { httpEquiv, isHtml } from './html.js';
import { outcome, type ResultOf, type TestResult } from './scores.js';
import type { GradedResponse } from './types.js';

const BROAD = new Set(['ftp:', 'http:', 'https:', '*', 'http://*', 'http://*.*', 'https://*', 'https://*.*']);
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
  const decode = (x: string) => {
    try {
      return decodeURIComponent(x);
    } catch {
      return x;
    }
  };
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
        : name.endsWith('-src')
          ? [{ source: "'none'", index, keep }]
          : [];
      const combined = index === 0 ? [...values] : [...(csp.get(name) ?? []), ...values];
      combined.sort((a, b) => COLLATE(a.source, b.source));
      for (let i = 1; i < combined.length; i++) {
        const cur = combined[i]!;
        const prev = combined[i - 1]!;
        if (cur.index === prev.index && cur.source.startsWith(prev.source)) cur.keep = false;
        if (cur.index !== prev.index && pathPartMatch(prev.source, cur.source)) cur.keep = true;
      }
      csp.set(
        name,
        combined.filter((x) => x.keep),
      );
      if (index === 0 && clean.length > 1) for (const x of csp.get(name) ?? []) x.keep = false;
    }
  }
  const directives = new Map(
    [...csp].map(([name, list]) => [name, new Set(list.length ? list.map((x) => x.source) : ["'none'"])]),
  );
  return { directives, duplicateReports };
}

const split = (values: string[]) => values.flatMap((v) => v.split(',').map((x) => x.trim()));

/** The merged CSP Observatory judges (header and meta), or null when absent, or 'invalid'. */
export function cspOf(
  r: GradedResponse,
): { csp: ObservatoryCsp; headerOnly: Map<string, Set<string>> } | 'absent' | 'invalid' {
  const header =
    r.headers['content-security-policy'] === undefined ? [] : split([r.headers['content-security-policy']]);
  const meta =
    r.body !== undefined && isHtml(r.headers['content-type'])
      ? split(httpEquiv(r.body, 'content-security-policy'))
      : [];
  const all = observatoryCsp([...header, ...meta]);
  if (all === null) return 'invalid';
  const headerOnly = observatoryCsp(header)?.directives ?? new Map<string, Set<string>>();
  const metaOnly = observatoryCsp(meta)?.directives ?? new Map<string, Set<string>>();
  for (const d of NOT_IN_META) metaOnly.delete(d);
  if (headerOnly.size + metaOnly.size === 0) return 'absent';
  return { csp: all, headerOnly };
}

type Result = ResultOf<'content-security-policy'>;
const PASSING = new Set<Result>([
  'csp-implemented-with-no-unsafe',
  'csp-implemented-with-no-unsafe-default-src-none',
  'csp-implemented-with-unsafe-inline-in-style-src-only',
  'csp-implemented-with-insecure-scheme-in-passive-content-only',
]);

export function cspTest(r: GradedResponse): TestResult {
  const name = 'content-security-policy';
  const parsed = cspOf(r);
  if (parsed === 'invalid') return outcome(name, 'csp-header-invalid', false);
  if (parsed === 'absent') {
    return r.headers['content-security-policy-report-only'] !== undefined
      ? outcome(name, 'csp-not-implemented-but-reporting-enabled', false)
      : outcome(name, 'csp-not-implemented', false);
  }
  const csp = parsed.csp.directives;
  const get = (d: string) => csp.get(d);
  const object = new Set(get('object-src') ?? get('default-src') ?? ['*']);
  const script = new Set(get('script-src') ?? get('default-src') ?? ['*']);
  const style = new Set(get('style-src') ?? get('default-src') ?? ['*']);
  const nonceOrHash = (l: Set<string>) => [...l].some((v) => NONCES_HASHES.some((p) => v.startsWith(p)));
  for (const list of [script, style]) if (nonceOrHash(list)) list.delete("'unsafe-inline'");
  // The first matching result, in the peer's order of checks.
  let result: Result | null = null;
  const first = (res: Result) => {
    result ??= res;
  };
  if (nonceOrHash(script) && script.has("'strict-dynamic'")) {
    for (const v of [...script])
      if ([...BROAD].some((b) => v.startsWith(b)) || v === "'self'" || v === "'unsafe-inline'")
        script.delete(v);
  } else if (script.has("'strict-dynamic'")) first('csp-header-invalid');
  const active = [
    ...[...csp]
      .filter(([d]) => d !== 'img-src' && d !== 'media-src' && d !== 'script-src')
      .flatMap(([, l]) => [...l]),
    ...script,
  ];
  const passive = ['img-src', 'media-src'].flatMap((d) => [...(get(d) ?? get('default-src') ?? [])]);
  const https = r.url.startsWith('https:');
  const insecure = (v: string) => v.startsWith('http:') || v.startsWith('ftp:');
  if ([...script].some((v) => BROAD_OR_UNSAFE_INLINE.has(v)) || [...object].some((v) => BROAD.has(v)))
    first('csp-implemented-with-unsafe-inline');
  if (https && active.some(insecure)) first('csp-implemented-with-insecure-scheme');
  if (script.has("'unsafe-eval'") || style.has("'unsafe-eval'")) first('csp-implemented-with-unsafe-eval');
  if (https && passive.some(insecure)) first('csp-implemented-with-insecure-scheme-in-passive-content-only');
  if ([...style].some((v) => BROAD_OR_UNSAFE_INLINE.has(v)))
    first('csp-implemented-with-unsafe-inline-in-style-src-only');
  const defaultSrc = get('default-src');
  if (defaultSrc?.has("'none'") && defaultSrc.size === 1)
    first('csp-implemented-with-no-unsafe-default-src-none');
  else first('csp-implemented-with-no-unsafe');
  const res: Result = result!;
  const pass = PASSING.has(res);
  // A passing policy with repeated report-uri/report-to is reported as such, scored 0.
  if (pass && parsed.csp.duplicateReports)
    return outcome(name, 'csp-implemented-but-duplicate-directives', true);
  return outcome(name, res, pass);
}
