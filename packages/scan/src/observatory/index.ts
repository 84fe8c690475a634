/**
 * Security-header grading compatible with Mozilla's HTTP Observatory, algorithm v6
 * (mdn/mdn-http-observatory): the same tests, results, modifiers, extra-credit rule and grade bands,
 * so grades can be cross-checked. One module per test, the scores in one table (scores.ts). Pure: it
 * grades the responses it is given.
 */
import { cookiesTest } from './cookies.js';
import { cspTest } from './csp.js';
import {
  coepTest,
  coopTest,
  corpTest,
  corsTest,
  hstsTest,
  referrerTest,
  xctoTest,
  xfoTest,
} from './headers.js';
import { redirectionTest } from './redirection.js';
import { gradeOf, type TestResult } from './scores.js';
import { sriTest } from './sri.js';
import type { ObservatoryInput } from './types.js';

export { gradeOf, SCORES, type TestResult } from './scores.js';
export { OBSERVATORY_ORIGIN, type GradedResponse, type ObservatoryInput, type RedirectHop } from './types.js';
export { routeOf } from './redirection.js';

export interface Grade {
  algorithmVersion: 6;
  score: number;
  grade: string;
  testsPassed: number;
  testsFailed: number;
  tests: Record<string, TestResult>;
}

/** Observatory's extra-credit rule: bonuses count only while penalties total at most 10. */
const MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90;

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
    corpTest(r),
    coepTest(r),
    coopTest(r),
  ].filter((x): x is TestResult => x !== null);
  const uncurved = 100 + list.reduce((s, x) => s + Math.min(0, x.scoreModifier), 0);
  const curved =
    uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT
      ? 100 + list.reduce((s, x) => s + x.scoreModifier, 0)
      : uncurved;
  const score = Math.max(0, curved);
  return {
    algorithmVersion: 6,
    score,
    grade: gradeOf(score),
    testsPassed: list.filter((x) => x.pass).length,
    testsFailed: list.filter((x) => !x.pass).length,
    tests: Object.fromEntries(list.map((x) => [x.name, x])),
  };
}
