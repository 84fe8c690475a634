/**
 * The peers' own test suites, run against corsgate: every case of Mozilla HTTP Observatory's suite
 * (grade, gradeOf) and of Google CSP Evaluator's suite (evaluateCsp), as extracted into
 * ../shared/fixtures/peer-suites (read in place). Inputs keep the peer's shape; the mapping onto
 * grade() is below. The peer's optional CSP checks (strict CSP, reporting) are a documented
 * difference (docs/scan.md): for those cases the test asserts that corsgate does not run them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateCsp, grade, gradeOf, type CspFinding } from '@corsgate/scan';
import type { ObservatoryInput } from '@corsgate/scan/internal/observatory/index.js';
import { repoRoot } from '../support/cli.js';

const SUITES = join(repoRoot(), '..', 'shared', 'fixtures', 'peer-suites');
const read = (name: string) => JSON.parse(readFileSync(join(SUITES, name), 'utf8'));

/* ---------------------------------------------------------------- Observatory ---------------- */

interface PeerResponse {
  status?: number;
  headers?: Record<string, string | string[]>;
  setCookie?: string[];
}
interface PeerInput {
  site?: string;
  sessionUrl?: string;
  auto?: PeerResponse;
  https?: PeerResponse | null;
  http?: PeerResponse | null;
  cors?: PeerResponse | null;
  html?: string;
  httpRedirects?: { url: string; status: number }[];
}
interface ObservatoryCase {
  id: string;
  kind?: string;
  input: PeerInput & { score?: number };
  expect: Record<string, any>;
}

const observatory = read('observatory-cases.json') as {
  defaults: Required<PeerInput>;
  cases: ObservatoryCase[];
};

/** Lower-case names; a repeated header arrives joined with ", ", as an HTTP client gives it. */
function headersOf(h: PeerResponse['headers'] = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(h).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v]),
  );
}

/**
 * The peer's Requests object as corsgate's grade() input: the page is the `auto` response (with the
 * https response's headers under it, where HSTS is read), at the session URL, or its http:// twin when
 * https is not served; the CORS preflight is `cors`; the http:// chain is `httpRedirects`, hop by hop.
 */
function inputOf(c: ObservatoryCase): ObservatoryInput {
  const d = observatory.defaults;
  const i = { ...d, ...c.input };
  const auto = { ...d.auto, ...(c.input.auto ?? {}) };
  const https = 'https' in c.input ? c.input.https : d.https;
  const url = https === null ? i.sessionUrl.replace(/^https:/, 'http:') : i.sessionUrl;
  const cors = 'cors' in c.input ? c.input.cors : d.cors;
  const noHttp = c.input.http === null && !c.input.httpRedirects?.length;
  const chain = noHttp ? [] : (i.httpRedirects ?? []);
  return {
    response: {
      url,
      status: auto.status ?? 200,
      headers: { ...headersOf(https?.headers), ...headersOf(auto.headers) },
      setCookies: auto.setCookie ?? [],
      ...(i.html !== undefined ? { body: i.html } : {}),
    },
    ...(cors ? { corsPreflight: { url, status: 200, headers: headersOf(cors.headers) } } : {}),
    httpRedirects: chain.map((h, k) => ({
      url: h.url,
      status: h.status,
      location: chain[k + 1]?.url ?? null,
    })),
  };
}

describe('Mozilla HTTP Observatory v6: the peer suite, case for case', () => {
  test('the suite is all there', () => assert.equal(observatory.cases.length, 204));
  for (const c of observatory.cases) {
    test(c.id, () => {
      const e = c.expect;
      if (c.kind === 'gradeOf') return assert.equal(gradeOf(c.input.score!), e.grade);
      const g = grade(inputOf(c));
      if (c.kind === 'scan') {
        for (const k of ['grade', 'score', 'testsFailed', 'testsPassed'] as const)
          if (e[k] !== undefined) assert.equal(g[k], e[k], k);
        if (e.testsQuantity !== undefined) assert.equal(Object.keys(g.tests).length, e.testsQuantity);
        return;
      }
      const t = g.tests[e.test];
      assert.ok(t, `${e.test} is graded`);
      if (e.result !== undefined) assert.equal(t.result, e.result);
      if (e.resultNot !== undefined) assert.notEqual(t.result, e.resultNot);
      if (e.pass !== undefined) assert.equal(t.pass, e.pass, 'pass');
      if (e.scoreModifier !== undefined) assert.equal(t.scoreModifier, e.scoreModifier, 'scoreModifier');
      if (e.sameAs) {
        const alone = {
          ...c,
          input: {
            ...c.input,
            auto: {
              ...(c.input.auto ?? observatory.defaults.auto),
              headers: { ...(c.input.auto?.headers ?? {}), ...e.sameAs },
            },
          },
        };
        const u = grade(inputOf(alone)).tests[e.test]!;
        assert.deepEqual(
          [t.result, t.pass, t.scoreModifier],
          [u.result, u.pass, u.scoreModifier],
          'grades like the policy it reduces to',
        );
      }
    });
  }
});

/* ---------------------------------------------------------------- CSP Evaluator -------------- */

interface CspCase {
  id: string;
  kind: 'check' | 'sameAs';
  check?: string;
  peerDefaultCheck?: boolean;
  csp: string;
  sameAs?: string;
  expect?: Record<string, any>;
}
const cspEvaluator = read('csp-evaluator-cases.json') as { cases: CspCase[] };

/** The finding types each of the peer's check functions emits (its checks/*.ts). */
const TYPES_OF_CHECK: Record<string, string[]> = {
  checkScriptUnsafeInline: ['SCRIPT_UNSAFE_INLINE', 'SCRIPT_UNSAFE_HASHES'],
  checkScriptUnsafeEval: ['SCRIPT_UNSAFE_EVAL'],
  checkPlainUrlSchemes: ['PLAIN_URL_SCHEMES'],
  checkWildcards: ['PLAIN_WILDCARD'],
  checkMissingDirectives: ['MISSING_DIRECTIVES'],
  checkScriptAllowlistBypass: ['SCRIPT_ALLOWLIST_BYPASS'],
  checkFlashObjectAllowlistBypass: ['OBJECT_ALLOWLIST_BYPASS'],
  checkIpSource: ['IP_SOURCE'],
  checkNonceLength: ['NONCE_LENGTH', 'NONCE_CHARSET'],
  checkSrcHttp: ['SRC_HTTP'],
  checkDeprecatedDirective: ['DEPRECATED_DIRECTIVE'],
  checkUnknownDirective: ['UNKNOWN_DIRECTIVE'],
  checkMissingSemicolon: ['MISSING_SEMICOLON'],
  checkInvalidKeyword: ['INVALID_KEYWORD'],
  checkHasConfiguredReporting: ['REPORTING_DESTINATION_MISSING', 'REPORT_TO_ONLY'],
  checkStrictDynamic: ['STRICT_DYNAMIC'],
  checkStrictDynamicNotStandalone: ['STRICT_DYNAMIC_NOT_STANDALONE'],
  checkUnsafeInlineFallback: ['UNSAFE_INLINE_FALLBACK'],
  checkAllowlistFallback: ['ALLOWLIST_FALLBACK'],
};

const plain = (f: CspFinding[]) =>
  f.map(({ type, severity, directive, value, description }) => ({
    type,
    severity,
    directive,
    value,
    description,
  }));

describe('Google CSP Evaluator: the peer suite, finding for finding', () => {
  test('the suite is all there', () => assert.equal(cspEvaluator.cases.length, 73));
  for (const c of cspEvaluator.cases) {
    test(`${c.id}${c.peerDefaultCheck === false ? ' (optional check: not run, docs/scan.md)' : ''}`, () => {
      if (c.kind === 'sameAs')
        return assert.deepEqual(plain(evaluateCsp(c.csp)), plain(evaluateCsp(c.sameAs!)));
      const found = evaluateCsp(c.csp).filter((f) => TYPES_OF_CHECK[c.check!]!.includes(f.type));
      if (c.peerDefaultCheck === false)
        return assert.deepEqual(found, [], "corsgate does not run the peer's optional checks");
      const e = c.expect!;
      if (e.count !== undefined) assert.equal(found.length, e.count, JSON.stringify(found));
      for (const key of ['severity', 'directive', 'value', 'description'] as const) {
        for (const [i, v] of Object.entries((e[key] ?? {}) as Record<string, string>))
          assert.equal(found[Number(i)]?.[key], v, `${key}[${i}]`);
      }
      if (e.allSeverity)
        assert.ok(
          found.every((f) => f.severity === e.allSeverity),
          JSON.stringify(found),
        );
      for (const [i, v] of Object.entries((e.descriptionIncludes ?? {}) as Record<string, string>))
        assert.ok(found[Number(i)]?.description.includes(v), found[Number(i)]?.description);
      if (e.allDescriptionIncludes)
        assert.ok(
          found.every((f) => f.description.includes(e.allDescriptionIncludes)),
          JSON.stringify(found),
        );
    });
  }
});
