/**
 * Validation of `PolicyOptions`: every problem at once, each with a stable code, a path into the
 * options (`origins[3]`), a sentence and, where one exists, a concrete fix. Never throws, whatever
 * the input (it also checks policy files parsed from JSON/YAML).
 */
import { OriginMatcherBuilder, type OriginMatcher } from '../origin/matcher.js';
import { checkOriginPattern, insecureProblem } from '../origin/pattern.js';
import {
  isCorsProtocolHeader, isForbiddenMethod, isForbiddenRequestHeader, isForbiddenResponseHeader,
  isSafelistedResponseHeader, isToken, normalizeMethod,
} from './names.js';
import type { PolicyOptions, PolicyProblem } from './types.js';

export const OPTION_NAMES = [
  'origins', 'methods', 'requestHeaders', 'exposeHeaders', 'credentials', 'maxAge', 'privateNetwork',
  'preflightStatus', 'onDisallowed', 'allowInsecureOrigins', 'listAllowedMethods',
] as const;

/** Names other CORS libraries use for the same thing, to turn a typo into a precise hint. */
const ALIASES: Record<string, string> = {
  origin: 'origins', allowedorigins: 'origins', alloworigins: 'origins', alloworigin: 'origins',
  allowedmethods: 'methods', allowmethods: 'methods', method: 'methods',
  allowedheaders: 'requestHeaders', allowheaders: 'requestHeaders', headers: 'requestHeaders',
  exposedheaders: 'exposeHeaders', responseheaders: 'exposeHeaders',
  allowcredentials: 'credentials', credentialed: 'credentials', withcredentials: 'credentials',
  maxageseconds: 'maxAge', max_age: 'maxAge', allowprivatenetwork: 'privateNetwork',
  optionssuccessstatus: 'preflightStatus', status: 'preflightStatus',
};

export const MAX_AGE_LIMIT = 86400;

export interface ValidationResult {
  errors: PolicyProblem[];
  warnings: PolicyProblem[];
}

/** The outcome of validation plus, when there are no errors, what the compiler needs. */
export interface Analysis extends ValidationResult {
  normalized: PolicyOptions | null;
  /** The compiled origin matcher (null when there are errors). */
  matcher: OriginMatcher | null;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

function suggestOption(key: string): string | undefined {
  const alias = ALIASES[key.toLowerCase()];
  if (alias) return alias;
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of OPTION_NAMES) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

/** Validates policy options. Returns every error and warning; never throws. */
export function validatePolicy(options: unknown): ValidationResult {
  const { errors, warnings } = analysePolicy(options);
  return { errors, warnings };
}

export function analysePolicy(options: unknown): Analysis {
  const errors: PolicyProblem[] = [];
  const warnings: PolicyProblem[] = [];
  const error = (code: string, path: string, message: string, hint?: string) =>
    errors.push(hint === undefined ? { severity: 'error', code, path, message } : { severity: 'error', code, path, message, hint });
  const warn = (code: string, path: string, message: string, hint?: string) =>
    warnings.push(hint === undefined ? { severity: 'warning', code, path, message } : { severity: 'warning', code, path, message, hint });

  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    error('options-not-object', '', `the policy must be an object with at least an "origins" list, not ${describe(options)}`, "e.g. { origins: ['https://app.example.com'] }");
    return { errors, warnings, normalized: null, matcher: null };
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if ((OPTION_NAMES as readonly string[]).includes(key)) continue;
    const suggestion = suggestOption(key);
    error('option-unknown', key, `unknown option "${key}"`, suggestion ? `did you mean "${suggestion}"?` : `known options: ${OPTION_NAMES.join(', ')}`);
  }

  // Booleans.
  const bool = (name: string): boolean => {
    const v = o[name];
    if (v === undefined) return false;
    if (typeof v !== 'boolean') {
      error(`${kebab(name)}-invalid`, name, `"${name}" must be true or false, not ${describe(v)}`);
      return false;
    }
    return v;
  };
  const credentials = bool('credentials');
  const privateNetwork = bool('privateNetwork');
  const allowInsecureOrigins = bool('allowInsecureOrigins');
  const listAllowedMethods = bool('listAllowedMethods');

  // Origins.
  const matcher = new OriginMatcherBuilder();
  let anyOrigin = false;
  let anyInsecure = false;
  let normalizedOrigins: string[] | '*' = [];
  if (!('origins' in o) || o.origins === undefined) {
    error('origins-missing', 'origins', 'the policy has no "origins"', "list the allowed origins, e.g. origins: ['https://app.example.com'], or use origins: '*'");
  } else if (o.origins === '*') {
    anyOrigin = true;
    matcher.add({ kind: 'any', source: '*' });
  } else if (!Array.isArray(o.origins)) {
    const hint = typeof o.origins === 'string' ? `write a list: origins: [${JSON.stringify(o.origins)}]` : undefined;
    error('origins-invalid', 'origins', `"origins" must be a list of origin patterns or '*', not ${describe(o.origins)}`, hint);
  } else {
    const list: readonly unknown[] = o.origins;
    const accepted: string[] = [];
    const duplicates: number[] = [];
    list.forEach((entry: unknown, i: number) => {
      const path = `origins[${i}]`;
      const { pattern, problem } = checkOriginPattern(entry);
      if (problem) return error(problem.code, path, problem.message, problem.hint);
      const p = pattern!;
      // The builder's sets double as the duplicate check (one hash probe per pattern).
      if (!matcher.add(p)) return void duplicates.push(i);
      if (p.kind === 'any') {
        anyOrigin = true;
      } else if (p.insecure) {
        anyInsecure = true;
        const problem = insecureProblem(p, p.kind);
        if (allowInsecureOrigins) warn('origin-insecure-allowed', path, `${problem.message}; allowed because allowInsecureOrigins is true — any network attacker can forge this origin`, problem.hint!.replace(/ \(or set .*\)$/, ''));
        else error(problem.code, path, problem.message, problem.hint);
      }
      accepted.push(p.source);
    });
    if (duplicates.length > 0) {
      // Rare: find where each duplicated entry first appeared, in one pass.
      const wanted = new Set(duplicates.map((i) => list[i] as string));
      const first = new Map<string, number>();
      list.forEach((entry: unknown, i: number) => {
        if (typeof entry === 'string' && wanted.has(entry) && !first.has(entry)) first.set(entry, i);
      });
      for (const i of duplicates) {
        const source = list[i] as string;
        warn('origin-duplicate', `origins[${i}]`, `"${source}" is listed twice (also origins[${first.get(source)}])`, 'remove one of them');
      }
    }
    if (o.origins.length === 0) warn('origins-empty', 'origins', 'the origin list is empty: no cross-origin request will be allowed');
    if (anyOrigin && o.origins.length > 1) warn('origin-redundant', 'origins', "'*' is in the list, so the other entries change nothing", "use origins: '*' alone");
    normalizedOrigins = anyOrigin ? '*' : accepted;
  }
  if (anyOrigin) normalizedOrigins = '*';
  if (anyOrigin && credentials) {
    error('credentials-with-any-origin', 'credentials', "credentials cannot be allowed for any origin ('*'): every site on the web could read your users' data", "list the trusted origins instead of '*', or set credentials: false");
  }
  if (anyOrigin && privateNetwork) {
    error('private-network-with-any-origin', 'privateNetwork', "private-network access cannot be granted to any origin ('*')", 'list the trusted origins instead');
  }
  if (allowInsecureOrigins && !anyInsecure) {
    warn('allow-insecure-origins-unused', 'allowInsecureOrigins', 'allowInsecureOrigins is true but no origin needs it', 'remove it');
  }

  // Methods.
  let methods: string[] | '*' = ['GET', 'HEAD', 'POST'];
  if (o.methods === '*') methods = '*';
  else if (o.methods !== undefined) {
    if (!Array.isArray(o.methods)) error('methods-invalid', 'methods', `"methods" must be a list of method names or '*', not ${describe(o.methods)}`);
    else {
      methods = [];
      o.methods.forEach((m: unknown, i: number) => {
        const path = `methods[${i}]`;
        if (typeof m !== 'string' || !isToken(m)) return error('method-invalid', path, `${JSON.stringify(m)} is not a method name (an RFC 9110 token)`);
        if (m === '*') return error('method-wildcard-in-list', path, "'*' inside the list would only allow a method literally named *", "use methods: '*' instead of a list");
        if (isForbiddenMethod(m)) return error('method-forbidden', path, `${m} is a forbidden method: browsers never send it`, 'remove it');
        const normal = normalizeMethod(m);
        if (normal !== m) warn('method-not-normalized', path, `browsers send ${normal}, not ${m}; listed as ${normal}`, `write ${normal}`);
        else if (m !== m.toUpperCase()) warn('method-lower-case', path, `methods compare case-sensitively: "${m}" only matches a request made with exactly "${m}"`, `did you mean ${m.toUpperCase()}?`);
        if ((methods as string[]).includes(normal)) return warn('method-duplicate', path, `${normal} is listed twice`, 'remove one of them');
        (methods as string[]).push(normal);
      });
    }
  }

  if (listAllowedMethods && methods === '*') {
    error('list-allowed-methods-with-any-method', 'listAllowedMethods', "listAllowedMethods needs a list of methods: with methods: '*' there is no list to send", "list the methods, or leave listAllowedMethods out");
  }

  // Request headers.
  let requestHeaders: string[] | '*' = [];
  if (o.requestHeaders === '*') requestHeaders = '*';
  else if (o.requestHeaders !== undefined) {
    if (!Array.isArray(o.requestHeaders)) error('request-headers-invalid', 'requestHeaders', `"requestHeaders" must be a list of header names or '*', not ${describe(o.requestHeaders)}`);
    else {
      requestHeaders = [];
      o.requestHeaders.forEach((h: unknown, i: number) => {
        const path = `requestHeaders[${i}]`;
        if (typeof h !== 'string' || !isToken(h)) return error('header-invalid', path, `${JSON.stringify(h)} is not a header name (an RFC 9110 token)`);
        if (h === '*') return error('header-wildcard-in-list', path, "'*' inside the list is not a header name", "use requestHeaders: '*' instead of a list");
        const lower = h.toLowerCase();
        if (isForbiddenRequestHeader(lower)) return error('header-forbidden', path, `${h} is a forbidden request header: browsers never let scripts set it`, 'remove it');
        if ((requestHeaders as string[]).includes(lower)) return warn('header-duplicate', path, `${h} is listed twice (names are case-insensitive)`, 'remove one of them');
        (requestHeaders as string[]).push(lower);
      });
    }
  }

  // Exposed response headers.
  let exposeHeaders: string[] | '*' = [];
  if (o.exposeHeaders === '*') {
    exposeHeaders = '*';
    if (credentials) {
      error('expose-wildcard-with-credentials', 'exposeHeaders', "exposeHeaders: '*' does not work with credentials: browsers then read it as a header literally named *", 'list the response headers to expose');
    }
  } else if (o.exposeHeaders !== undefined) {
    if (!Array.isArray(o.exposeHeaders)) error('expose-headers-invalid', 'exposeHeaders', `"exposeHeaders" must be a list of header names or '*', not ${describe(o.exposeHeaders)}`);
    else {
      exposeHeaders = [];
      o.exposeHeaders.forEach((h: unknown, i: number) => {
        const path = `exposeHeaders[${i}]`;
        if (typeof h !== 'string' || !isToken(h)) return error('header-invalid', path, `${JSON.stringify(h)} is not a header name (an RFC 9110 token)`);
        if (h === '*') return error('header-wildcard-in-list', path, "'*' inside the list is not a header name", "use exposeHeaders: '*' (without credentials)");
        const lower = h.toLowerCase();
        if (isForbiddenResponseHeader(lower)) return error('expose-forbidden', path, `${h} can never be exposed to scripts`, 'remove it');
        if (isCorsProtocolHeader(lower)) return error('expose-cors-header', path, `${h} is a CORS protocol header, not a response header to expose`, 'remove it');
        if (isSafelistedResponseHeader(lower)) return warn('expose-safelisted', path, `${h} is always readable by scripts; listing it changes nothing`, 'remove it');
        if ((exposeHeaders as string[]).includes(lower)) return warn('header-duplicate', path, `${h} is listed twice (names are case-insensitive)`, 'remove one of them');
        (exposeHeaders as string[]).push(lower);
      });
    }
  }

  // Numbers and enums.
  let maxAge: number | undefined;
  if (o.maxAge !== undefined) {
    if (typeof o.maxAge !== 'number' || !Number.isInteger(o.maxAge)) error('max-age-invalid', 'maxAge', `"maxAge" must be a whole number of seconds, not ${JSON.stringify(o.maxAge) ?? describe(o.maxAge)}`);
    else if (o.maxAge < 0 || o.maxAge > MAX_AGE_LIMIT) error('max-age-out-of-range', 'maxAge', `maxAge ${o.maxAge} is outside 0–${MAX_AGE_LIMIT} seconds`, `use a value from 0 to ${MAX_AGE_LIMIT} (Chromium caps at 7200, WebKit at 600)`);
    else {
      maxAge = o.maxAge;
      if (maxAge > 7200) warn('max-age-above-browser-cap', 'maxAge', `Chromium caches preflights for at most 7200 s and WebKit for 600 s; ${maxAge} only applies in Firefox`);
    }
  }
  let preflightStatus = 204;
  if (o.preflightStatus !== undefined) {
    // The browser accepts a preflight answer only with an ok status (Fetch `#ok-status`: 200–299).
    const status = o.preflightStatus;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 299) {
      error('preflight-status-invalid', 'preflightStatus', `"preflightStatus" must be a 2xx status (browsers fail a preflight with any other), not ${JSON.stringify(status) ?? describe(status)}`, 'use 204 (the default) or 200');
    } else preflightStatus = status;
  }
  let onDisallowed: 'omit' | 'reject' = 'omit';
  if (o.onDisallowed !== undefined) {
    if (o.onDisallowed !== 'omit' && o.onDisallowed !== 'reject') error('on-disallowed-invalid', 'onDisallowed', `"onDisallowed" must be 'omit' or 'reject', not ${JSON.stringify(o.onDisallowed) ?? describe(o.onDisallowed)}`);
    else onDisallowed = o.onDisallowed;
  }

  if (errors.length > 0) return { errors, warnings, normalized: null, matcher: null };
  const normalized: PolicyOptions = {
    origins: normalizedOrigins,
    methods,
    requestHeaders,
    exposeHeaders,
    credentials,
    ...(maxAge !== undefined ? { maxAge } : {}),
    privateNetwork,
    preflightStatus,
    onDisallowed,
    allowInsecureOrigins,
    ...(listAllowedMethods ? { listAllowedMethods } : {}),
  };
  return { errors, warnings, normalized, matcher: matcher.build() };
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
