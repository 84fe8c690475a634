/**
 * CSP Evaluator's parser checks (checks/parser_checks.ts): each reads the policy as written and
 * returns its findings.
 */
import { CSP_DIRECTIVES } from 'corsgate/internal/csp/baseline.js';
import { HASH_SOURCE, NONCE_SOURCE } from 'corsgate/internal/csp/parse.js';
import { finding, type CheckFinding, type CspCheck } from './csp-check-model.js';

const DEPRECATED: Record<string, string> = {
  'reflected-xss': 'reflected-xss is deprecated since CSP2: send X-XSS-Protection instead.',
  referrer: 'referrer is deprecated since CSP2: send Referrer-Policy instead.',
  'disown-opener': 'disown-opener is deprecated since CSP3: send Cross-Origin-Opener-Policy instead.',
  'prefetch-src': 'prefetch-src is deprecated: browsers no longer enforce it.',
};

export const checkDeprecatedDirective: CspCheck = ({ parsed }) =>
  Object.keys(DEPRECATED)
    .filter((d) => parsed.has(d))
    .map((d) => finding('DEPRECATED_DIRECTIVE', 'INFO', d, DEPRECATED[d]!));

/** Directive names of CSP3 and its extensions (Trusted Types, Fenced Frames), plus the deprecated ones. */
export const KNOWN_DIRECTIVES: ReadonlySet<string> = new Set([
  ...CSP_DIRECTIVES,
  // Withdrawn or never shipped, yet still directives CSP Evaluator knows (no "unknown directive" finding).
  'plugin-types',
  'navigate-to',
  'require-sri-for',
  ...Object.keys(DEPRECATED),
]);

export const checkUnknownDirective: CspCheck = ({ parsed }) =>
  [...parsed.keys()]
    .filter((d) => !KNOWN_DIRECTIVES.has(d))
    .map((d) =>
      finding(
        'UNKNOWN_DIRECTIVE',
        'SYNTAX',
        d,
        d.endsWith(':')
          ? "CSP directives don't end with a colon."
          : `Directive "${d}" is not a known CSP directive.`,
      ),
    );

export const checkMissingSemicolon: CspCheck = ({ parsed }) =>
  [...parsed].flatMap(([d, values]) =>
    values
      .filter((v) => KNOWN_DIRECTIVES.has(v.toLowerCase()))
      .map((v) =>
        finding(
          'MISSING_SEMICOLON',
          'SYNTAX',
          d,
          `Did you forget the semicolon? "${v}" seems to be a directive, not a value.`,
          v,
        ),
      ),
  );

const KEYWORDS = new Set([
  "'self'",
  "'none'",
  "'unsafe-inline'",
  "'unsafe-eval'",
  "'wasm-eval'",
  "'wasm-unsafe-eval'",
  "'strict-dynamic'",
  "'unsafe-hashed-attributes'",
  "'unsafe-hashes'",
  "'report-sample'",
  "'block'",
  "'allow'",
  "'inline-speculation-rules'",
  "'trusted-types-eval'",
  "'unsafe-allow-redirects'",
]);
const KEYWORDS_WITHOUT_TICKS = new Set([...KEYWORDS].map((k) => k.slice(1, -1)));

/** Keywords without their quotes, unknown quoted tokens, and malformed nonces and hashes. */
export const checkInvalidKeyword: CspCheck = ({ parsed }) =>
  [...parsed].flatMap(([d, values]) =>
    values.flatMap((v): CheckFinding[] => {
      const lv = v.toLowerCase();
      if (KEYWORDS_WITHOUT_TICKS.has(lv) || /^(nonce|sha256|sha384|sha512)-/.test(lv))
        return [
          finding('INVALID_KEYWORD', 'SYNTAX', d, `Did you forget to surround "${v}" with single-ticks?`, v),
        ];
      if (!v.startsWith("'")) return [];
      // Trusted Types have keywords of their own, valid in their directive only.
      if (
        d === 'require-trusted-types-for'
          ? lv === "'script'"
          : d === 'trusted-types'
            ? lv === "'allow-duplicates'" || lv === "'none'"
            : KEYWORDS.has(lv) || NONCE_SOURCE.test(v) || HASH_SOURCE.test(v)
      )
        return [];
      return [finding('INVALID_KEYWORD', 'SYNTAX', d, `${v} seems to be an invalid CSP keyword.`, v)];
    }),
  );
