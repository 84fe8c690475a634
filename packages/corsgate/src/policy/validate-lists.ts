/**
 * Validation of the list options: `methods`, and `requestHeaders` / `exposeHeaders`, which share one
 * validator and differ only in the rules they apply to each name (`HeaderListRules`).
 */
import { isForbiddenResponseHeader, isSafelistedResponseHeader } from '../http/responses.js';
import { describeValue, policyError, policyWarning, type PolicyErrorProblemCode } from './codes.js';
import { isForbiddenMethod, isForbiddenRequestHeaderName, isToken, normalizeMethod } from '../http/names.js';
import { isCorsProtocolHeader } from './names.js';
import type { PolicyProblem } from './types.js';

/** An option's value once validated, with every problem found in it. */
export interface Validated<T> {
  value: T;
  problems: PolicyProblem[];
}

/** Fetch `#cors-safelisted-method`: what a policy allows when it lists no methods. */
const defaultMethods = (): string[] => ['GET', 'HEAD', 'POST'];

export function validateMethods(value: unknown): Validated<readonly string[] | '*'> {
  if (value === undefined) return { value: defaultMethods(), problems: [] };
  if (value === '*') return { value: '*', problems: [] };
  if (!Array.isArray(value)) {
    return {
      value: defaultMethods(),
      problems: [
        policyError(
          'methods-invalid',
          'methods',
          `"methods" must be a list of method names or '*', not ${describeValue(value)}`,
        ),
      ],
    };
  }
  const methods: string[] = [];
  const problems: PolicyProblem[] = [];
  value.forEach((m: unknown, i: number) => checkMethod(m, `methods[${i}]`, methods, problems));
  return { value: methods, problems };
}

/** Checks one listed method: adds its normalized form to `listed`, and what is wrong with it to `problems`. */
function checkMethod(m: unknown, path: string, listed: string[], problems: PolicyProblem[]): void {
  if (typeof m !== 'string' || !isToken(m))
    return void problems.push(
      policyError('method-invalid', path, `${JSON.stringify(m)} is not a method name (an RFC 9110 token)`),
    );
  if (m === '*')
    return void problems.push(
      policyError(
        'method-wildcard-in-list',
        path,
        "'*' inside the list would only allow a method literally named *",
        "use methods: '*' instead of a list",
      ),
    );
  if (isForbiddenMethod(m))
    return void problems.push(
      policyError(
        'method-forbidden',
        path,
        `${m} is a forbidden method: browsers never send it`,
        'remove it',
      ),
    );
  const normal = normalizeMethod(m);
  if (normal !== m)
    problems.push(
      policyWarning(
        'method-not-normalized',
        path,
        `browsers send ${normal}, not ${m}; listed as ${normal}`,
        `write ${normal}`,
      ),
    );
  else if (m !== m.toUpperCase()) {
    problems.push(
      policyWarning(
        'method-lower-case',
        path,
        `methods compare case-sensitively: "${m}" only matches a request made with exactly "${m}"`,
        `did you mean ${m.toUpperCase()}?`,
      ),
    );
  }
  if (listed.includes(normal))
    return void problems.push(
      policyWarning('method-duplicate', path, `${normal} is listed twice`, 'remove one of them'),
    );
  listed.push(normal);
}

/** What tells the request-header list from the exposed-header list. */
export interface HeaderListRules {
  option: 'requestHeaders' | 'exposeHeaders';
  /** The code when the option is neither a list nor `'*'`. */
  notAListCode: PolicyErrorProblemCode;
  /** The fix for a `'*'` written inside the list. */
  wildcardHint: string;
  /** The problem with one listed name (a valid token, lower-cased), or null when it may be listed. */
  checkName(lower: string, name: string, path: string): PolicyProblem | null;
}

export const REQUEST_HEADER_RULES: HeaderListRules = {
  option: 'requestHeaders',
  notAListCode: 'request-headers-invalid',
  wildcardHint: "use requestHeaders: '*' instead of a list",
  checkName: (lower, name, path) =>
    isForbiddenRequestHeaderName(lower)
      ? policyError(
          'header-forbidden',
          path,
          `${name} is a forbidden request header: browsers never let scripts set it`,
          'remove it',
        )
      : null,
};

export const EXPOSE_HEADER_RULES: HeaderListRules = {
  option: 'exposeHeaders',
  notAListCode: 'expose-headers-invalid',
  wildcardHint: "use exposeHeaders: '*' (without credentials)",
  checkName(lower, name, path) {
    if (isForbiddenResponseHeader(lower))
      return policyError('expose-forbidden', path, `${name} can never be exposed to scripts`, 'remove it');
    if (isCorsProtocolHeader(lower))
      return policyError(
        'expose-cors-header',
        path,
        `${name} is a CORS protocol header, not a response header to expose`,
        'remove it',
      );
    if (isSafelistedResponseHeader(lower))
      return policyWarning(
        'expose-safelisted',
        path,
        `${name} is always readable by scripts; listing it changes nothing`,
        'remove it',
      );
    return null;
  },
};

/** A list of header names (lower-cased, de-duplicated) or `'*'`; absent means none. */
export function validateHeaderList(
  value: unknown,
  rules: HeaderListRules,
): Validated<readonly string[] | '*'> {
  if (value === undefined) return { value: [], problems: [] };
  if (value === '*') return { value: '*', problems: [] };
  const { option } = rules;
  if (!Array.isArray(value)) {
    return {
      value: [],
      problems: [
        policyError(
          rules.notAListCode,
          option,
          `"${option}" must be a list of header names or '*', not ${describeValue(value)}`,
        ),
      ],
    };
  }
  const names: string[] = [];
  const problems: PolicyProblem[] = [];
  value.forEach((h: unknown, i: number) => {
    const path = `${option}[${i}]`;
    if (typeof h !== 'string' || !isToken(h))
      return void problems.push(
        policyError('header-invalid', path, `${JSON.stringify(h)} is not a header name (an RFC 9110 token)`),
      );
    if (h === '*')
      return void problems.push(
        policyError(
          'header-wildcard-in-list',
          path,
          "'*' inside the list is not a header name",
          rules.wildcardHint,
        ),
      );
    const lower = h.toLowerCase();
    const problem = rules.checkName(lower, h, path);
    if (problem !== null) return void problems.push(problem);
    if (names.includes(lower))
      return void problems.push(
        policyWarning(
          'header-duplicate',
          path,
          `${h} is listed twice (names are case-insensitive)`,
          'remove one of them',
        ),
      );
    names.push(lower);
  });
  return { value: names, problems };
}
