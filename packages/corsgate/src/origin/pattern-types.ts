/**
 * The vocabulary of origin patterns, shared by the pipeline (pattern.ts) and its checks
 * (pattern-authority.ts, pattern-host.ts): the pattern type, the refusal codes, and the record of
 * what the checks have learnt about a pattern so far.
 */
import type { HostKind } from './host.js';

/** Salesforce's `UrlPattern` field length. */
export const MAX_PATTERN_LENGTH = 255;

export const SUPPORTED_SCHEMES: readonly string[] = ['https', 'http', 'chrome-extension', 'moz-extension'];

/** Every code an origin pattern can be refused with (documented in docs/engine.md, "Errors"). */
export const ORIGIN_PATTERN_CODES = [
  'origin-not-string',
  'origin-empty',
  'origin-too-long',
  'origin-whitespace',
  'origin-null',
  'origin-scheme-missing',
  'origin-scheme-file',
  'origin-scheme-unsupported',
  'origin-trailing-slash',
  'origin-path',
  'origin-query',
  'origin-fragment',
  'origin-userinfo',
  'origin-port-invalid',
  'origin-port-out-of-range',
  'origin-default-port',
  'origin-not-canonical',
  'origin-host-missing',
  'origin-host-invalid',
  'origin-extension-id-invalid',
  'origin-wildcard-misplaced',
  'origin-wildcard-public-suffix',
  'origin-insecure',
] as const;
export type OriginPatternCode = (typeof ORIGIN_PATTERN_CODES)[number];

export type OriginPattern =
  | { readonly kind: 'any'; readonly source: string }
  | {
      readonly kind: 'exact' | 'subdomains';
      readonly source: string;
      readonly scheme: string;
      /** For `subdomains`, the base domain after `*.`. */
      readonly host: string;
      readonly hostKind: HostKind;
      /** null: the scheme's default port; '*': any port. */
      readonly port: number | null | '*';
      /** http on a host that is not loopback (allowed only with `allowInsecureOrigins`). */
      readonly insecure: boolean;
    };

export interface PatternProblem {
  code: OriginPatternCode;
  message: string;
  /** The fix in words, for people (built from `suggestion` and `option` when there are any). */
  hint?: string;
  /** The corrected pattern, when there is one (`https://app.example.com` for `http://app.example.com`). */
  suggestion?: string;
  /** The policy option that lifts the rule instead (`allowInsecureOrigins`), when one does. */
  option?: string;
}

export interface PatternCheck {
  pattern: OriginPattern | null;
  problem: PatternProblem | null;
}

/** What the checks have learnt about a pattern so far; each check fills in its part. */
export interface Parts {
  readonly source: string;
  rawScheme: string;
  scheme: string;
  /** The text after `scheme://`. */
  rest: string;
  authority: string;
  /** As written, `*.` included. */
  host: string;
  portText: string | null;
  port: number | null | '*';
  kind: 'exact' | 'subdomains';
  /** The host without `*.`. */
  base: string;
  hostKind: HostKind;
}

export const show = (s: string) => JSON.stringify(s);

/** A fix that is a corrected pattern: its hint says "did you mean …?", and `suggestion` carries it as data. */
export interface Suggestion {
  readonly suggestion: string;
}
export const mean = (suggestion: string): Suggestion => ({ suggestion });

export function problem(code: OriginPatternCode, message: string, fix?: string | Suggestion): PatternProblem {
  if (fix === undefined) return { code, message };
  if (typeof fix === 'string') return { code, message, hint: fix };
  return { code, message, hint: `did you mean ${fix.suggestion}?`, suggestion: fix.suggestion };
}

export const refused = (p: PatternProblem): PatternCheck => ({ pattern: null, problem: p });
export const accepted = (pattern: OriginPattern): PatternCheck => ({ pattern, problem: null });
