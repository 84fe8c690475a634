/**
 * Observatory v6's cookie test (mdn/mdn-http-observatory src/analyzer/tests/cookies.js): every cookie
 * set by the page, judged on Secure, HttpOnly (session cookies) and SameSite; the worst finding wins,
 * in the peer's order.
 */
import { hstsTest } from './headers.js';
import { outcome, worseOf, type ResultOf, type TestResult } from './scores.js';
import type { GradedResponse } from './types.js';

type Result = ResultOf<'cookies'>;

/** Best to worst, as the peer ranks them (not by modifier). */
const WORSE: Result[] = [
  'cookies-without-secure-flag-but-protected-by-hsts',
  'cookies-without-secure-flag',
  'cookies-session-without-secure-flag-but-protected-by-hsts',
  'cookies-samesite-flag-invalid',
  'cookies-anticsrf-without-samesite-flag',
  'cookies-session-without-httponly-flag',
  'cookies-session-without-secure-flag',
];

/** Heroku's router sets this one on every app; the peer ignores it (mozilla/http-observatory#282). */
const IGNORED = new Set(['heroku-session-affinity']);

interface Cookie {
  name: string;
  secure: boolean;
  httpOnly: boolean;
  /** The SameSite attribute as written (lower case), or undefined when absent. */
  sameSite: string | undefined;
}

/** RFC 6265 §5.2: the name before `=`, then `;`-separated attributes, names case-insensitive. */
function parseCookie(header: string): Cookie {
  const [pair = '', ...attrs] = header.split(';');
  const flags = new Map(
    attrs.map((a) => {
      const i = a.indexOf('=');
      return i === -1
        ? ([a.trim().toLowerCase(), ''] as const)
        : ([
            a.slice(0, i).trim().toLowerCase(),
            a
              .slice(i + 1)
              .trim()
              .toLowerCase(),
          ] as const);
    }),
  );
  const eq = pair.indexOf('=');
  return {
    name: (eq === -1 ? '' : pair.slice(0, eq)).trim(),
    secure: flags.has('secure'),
    httpOnly: flags.has('httponly'),
    sameSite: flags.get('samesite'),
  };
}

export function cookiesTest(r: GradedResponse): TestResult {
  const name = 'cookies';
  const cookies = (r.setCookies ?? []).map(parseCookie).filter((c) => c.name !== '' && !IGNORED.has(c.name));
  if (cookies.length === 0) return outcome(name, 'cookies-not-found', true);
  const hsts = hstsTest(r).pass;
  let worst: Result | null = null;
  const found = (res: Result) => (worst = worseOf(WORSE, worst, res));
  for (const c of cookies) {
    const key = c.name.toLowerCase();
    const session = key.includes('login') || key.includes('sess');
    if (c.sameSite !== undefined && !['lax', 'strict', 'none'].includes(c.sameSite))
      found('cookies-samesite-flag-invalid');
    // RFC 6265bis §4.1.2.7: SameSite=None without Secure is rejected.
    if (c.sameSite === 'none' && !c.secure) found('cookies-samesite-flag-invalid');
    if (!c.secure)
      found(hsts ? 'cookies-without-secure-flag-but-protected-by-hsts' : 'cookies-without-secure-flag');
    if (key.includes('csrf') && !c.sameSite) found('cookies-anticsrf-without-samesite-flag');
    if (session && !c.secure)
      found(
        hsts
          ? 'cookies-session-without-secure-flag-but-protected-by-hsts'
          : 'cookies-session-without-secure-flag',
      );
    if (session && !c.httpOnly) found('cookies-session-without-httponly-flag');
  }
  if (worst !== null) return outcome(name, worst, false);
  return cookies.every((c) => c.sameSite)
    ? outcome(name, 'cookies-secure-with-httponly-sessions-and-samesite', true)
    : outcome(name, 'cookies-secure-with-httponly-sessions', true);
}
