/**
 * Validation of `PolicyOptions`: every problem at once, each with a stable code, a path into the
 * options (`origins[3]`), a sentence and, where one exists, a concrete fix. Never throws, whatever
 * the input (it also checks policy files parsed from JSON/YAML).
 *
 * `analysePolicy` is a pipeline with one validator per option, each returning the option's value
 * (its default when absent) and its problems; the problems are joined once, and the values make the
 * `NormalizedPolicy` the compiler reads. A new option is one name in OPTION_NAMES, one validator and
 * one line below (plus its codes in codes.ts and its row in docs/engine.md).
 */
import type { OriginMatcher } from '../origin/matcher.js';
import { describeValue, policyError, policyWarning, type PolicyErrorProblemCode } from './codes.js';
import type { NormalizedPolicy, PolicyProblem } from './types.js';
import {
  EXPOSE_HEADER_RULES,
  REQUEST_HEADER_RULES,
  validateHeaderList,
  validateMethods,
  type Validated,
} from './validate-lists.js';
import { validateOriginCombinations, validateOrigins } from './validate-origins.js';

export const OPTION_NAMES = [
  'origins',
  'methods',
  'requestHeaders',
  'exposeHeaders',
  'credentials',
  'maxAge',
  'privateNetwork',
  'preflightStatus',
  'onDisallowed',
  'allowInsecureOrigins',
  'listAllowedMethods',
] as const;

export const MAX_AGE_LIMIT = 86400;

export interface ValidationResult {
  errors: PolicyProblem[];
  warnings: PolicyProblem[];
}

/** The outcome of validation plus, when there are no errors, what the compiler needs. */
export interface Analysis extends ValidationResult {
  normalized: NormalizedPolicy | null;
  /** The compiled origin matcher (null when there are errors). */
  matcher: OriginMatcher | null;
}

/** Validates policy options. Returns every error and warning; never throws. */
export function validatePolicy(options: unknown): ValidationResult {
  const { errors, warnings } = analysePolicy(options);
  return { errors, warnings };
}

export function analysePolicy(options: unknown): Analysis {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    const problem = policyError(
      'options-not-object',
      '',
      `the policy must be an object with at least an "origins" list, not ${describeValue(options)}`,
      "e.g. { origins: ['https://app.example.com'] }",
    );
    return { errors: [problem], warnings: [], normalized: null, matcher: null };
  }
  const o = options as Record<string, unknown>;
  const credentials = validateBoolean(o.credentials, 'credentials', 'credentials-invalid');
  const privateNetwork = validateBoolean(o.privateNetwork, 'privateNetwork', 'private-network-invalid');
  const allowInsecureOrigins = validateBoolean(
    o.allowInsecureOrigins,
    'allowInsecureOrigins',
    'allow-insecure-origins-invalid',
  );
  const listAllowedMethods = validateBoolean(
    o.listAllowedMethods,
    'listAllowedMethods',
    'list-allowed-methods-invalid',
  );
  const origins = validateOrigins(o.origins, allowInsecureOrigins.value);
  const methods = validateMethods(o.methods);
  const requestHeaders = validateHeaderList(o.requestHeaders, REQUEST_HEADER_RULES);
  const exposeHeaders = validateHeaderList(o.exposeHeaders, EXPOSE_HEADER_RULES);
  const maxAge = validateMaxAge(o.maxAge);
  const preflightStatus = validatePreflightStatus(o.preflightStatus);
  const onDisallowed = validateChoice(
    o.onDisallowed,
    'onDisallowed',
    ['omit', 'reject'] as const,
    'on-disallowed-invalid',
  );

  // In the order a reader meets the options; each list keeps that order once split by severity.
  const problems = [
    validateOptionNames(o),
    credentials.problems,
    privateNetwork.problems,
    allowInsecureOrigins.problems,
    origins.problems,
    validateOriginCombinations(origins, {
      credentials: credentials.value,
      privateNetwork: privateNetwork.value,
      allowInsecureOrigins: allowInsecureOrigins.value,
    }),
    methods.problems,
    listAllowedMethods.problems,
    validateListedMethods(listAllowedMethods.value, methods.value),
    requestHeaders.problems,
    validateExposeWildcard(exposeHeaders.value, credentials.value),
    exposeHeaders.problems,
    maxAge.problems,
    preflightStatus.problems,
    onDisallowed.problems,
  ];
  const errors: PolicyProblem[] = [];
  const warnings: PolicyProblem[] = [];
  for (const list of problems) for (const p of list) (p.severity === 'error' ? errors : warnings).push(p);
  if (errors.length > 0) return { errors, warnings, normalized: null, matcher: null };

  const normalized: NormalizedPolicy = {
    origins: origins.value,
    methods: methods.value,
    requestHeaders: requestHeaders.value,
    exposeHeaders: exposeHeaders.value,
    credentials: credentials.value,
    ...(maxAge.value !== undefined ? { maxAge: maxAge.value } : {}),
    privateNetwork: privateNetwork.value,
    preflightStatus: preflightStatus.value,
    onDisallowed: onDisallowed.value,
    allowInsecureOrigins: allowInsecureOrigins.value,
    ...(listAllowedMethods.value ? { listAllowedMethods: true as const } : {}),
  };
  return { errors, warnings, normalized, matcher: origins.builder.build() };
}

/** Unknown keys are errors (a typo must never silently weaken a policy), each with the option probably meant. */
function validateOptionNames(o: Record<string, unknown>): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  for (const key of Object.keys(o)) {
    if ((OPTION_NAMES as readonly string[]).includes(key)) continue;
    const suggestion = suggestOption(key);
    problems.push(
      policyError(
        'option-unknown',
        key,
        `unknown option "${key}"`,
        suggestion ? `did you mean "${suggestion}"?` : `known options: ${OPTION_NAMES.join(', ')}`,
      ),
    );
  }
  return problems;
}

/** A boolean option; absent means false. */
function validateBoolean(value: unknown, name: string, code: PolicyErrorProblemCode): Validated<boolean> {
  if (value === undefined) return { value: false, problems: [] };
  if (typeof value !== 'boolean')
    return {
      value: false,
      problems: [policyError(code, name, `"${name}" must be true or false, not ${describeValue(value)}`)],
    };
  return { value, problems: [] };
}

/** One of a few strings; absent means the first. */
function validateChoice<const T extends string>(
  value: unknown,
  name: string,
  choices: readonly [T, ...T[]],
  code: PolicyErrorProblemCode,
): Validated<T> {
  if (value === undefined) return { value: choices[0], problems: [] };
  if (!(choices as readonly unknown[]).includes(value)) {
    const allowed = choices.map((c) => `'${c}'`).join(' or ');
    return {
      value: choices[0],
      problems: [
        policyError(
          code,
          name,
          `"${name}" must be ${allowed}, not ${JSON.stringify(value) ?? describeValue(value)}`,
        ),
      ],
    };
  }
  return { value: value as T, problems: [] };
}

/** Seconds, 0–MAX_AGE_LIMIT; absent means no `Access-Control-Max-Age` header. */
function validateMaxAge(value: unknown): Validated<number | undefined> {
  if (value === undefined) return { value: undefined, problems: [] };
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return {
      value: undefined,
      problems: [
        policyError(
          'max-age-invalid',
          'maxAge',
          `"maxAge" must be a whole number of seconds, not ${JSON.stringify(value) ?? describeValue(value)}`,
        ),
      ],
    };
  }
  if (value < 0 || value > MAX_AGE_LIMIT) {
    return {
      value: undefined,
      problems: [
        policyError(
          'max-age-out-of-range',
          'maxAge',
          `maxAge ${value} is outside 0–${MAX_AGE_LIMIT} seconds`,
          `use a value from 0 to ${MAX_AGE_LIMIT} (Chromium caps at 7200, WebKit at 600)`,
        ),
      ],
    };
  }
  if (value > 7200) {
    return {
      value,
      problems: [
        policyWarning(
          'max-age-above-browser-cap',
          'maxAge',
          `Chromium caches preflights for at most 7200 s and WebKit for 600 s; ${value} only applies in Firefox`,
        ),
      ],
    };
  }
  return { value, problems: [] };
}

/** The browser accepts a preflight answer only with an ok status (Fetch `#ok-status`: 200–299); absent means 204. */
function validatePreflightStatus(value: unknown): Validated<number> {
  if (value === undefined) return { value: 204, problems: [] };
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 200 || value > 299) {
    const message = `"preflightStatus" must be a 2xx status (browsers fail a preflight with any other), not ${JSON.stringify(value) ?? describeValue(value)}`;
    return {
      value: 204,
      problems: [
        policyError('preflight-status-invalid', 'preflightStatus', message, 'use 204 (the default) or 200'),
      ],
    };
  }
  return { value, problems: [] };
}

/** Salesforce's preflight answer lists every allowed method: with `methods: '*'` there is no list to send. */
function validateListedMethods(
  listAllowedMethods: boolean,
  methods: readonly string[] | '*',
): PolicyProblem[] {
  if (!listAllowedMethods || methods !== '*') return [];
  return [
    policyError(
      'list-allowed-methods-with-any-method',
      'listAllowedMethods',
      "listAllowedMethods needs a list of methods: with methods: '*' there is no list to send",
      'list the methods, or leave listAllowedMethods out',
    ),
  ];
}

/** Fetch `#cors-check`: with credentials, `Access-Control-Expose-Headers: *` names a header called `*`. */
function validateExposeWildcard(
  exposeHeaders: readonly string[] | '*',
  credentials: boolean,
): PolicyProblem[] {
  if (exposeHeaders !== '*' || !credentials) return [];
  return [
    policyError(
      'expose-wildcard-with-credentials',
      'exposeHeaders',
      "exposeHeaders: '*' does not work with credentials: browsers then read it as a header literally named *",
      'list the response headers to expose',
    ),
  ];
}

/** Names other CORS libraries use for the same thing, to turn a typo into a precise hint. */
const ALIASES: Record<string, string> = {
  origin: 'origins',
  allowedorigins: 'origins',
  alloworigins: 'origins',
  alloworigin: 'origins',
  allowedmethods: 'methods',
  allowmethods: 'methods',
  method: 'methods',
  allowedheaders: 'requestHeaders',
  allowheaders: 'requestHeaders',
  headers: 'requestHeaders',
  exposedheaders: 'exposeHeaders',
  responseheaders: 'exposeHeaders',
  allowcredentials: 'credentials',
  credentialed: 'credentials',
  withcredentials: 'credentials',
  maxageseconds: 'maxAge',
  max_age: 'maxAge',
  allowprivatenetwork: 'privateNetwork',
  optionssuccessstatus: 'preflightStatus',
  status: 'preflightStatus',
};

/** The option a mistyped key probably meant: a known alias, else the nearest name within two edits. */
function suggestOption(key: string): string | undefined {
  const lower = key.toLowerCase();
  if (Object.hasOwn(ALIASES, lower)) return ALIASES[lower];
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of OPTION_NAMES) {
    const d = editDistance(lower, name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
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
