/** Observatory v6 grading on fixtures whose grades are known, CSP Evaluator checks, and the offline mode. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateCsp, grade, gradeOf } from '@corsgate/scan';
import { runCli } from '../support/cli.js';

const g = (url: string, headers: Record<string, string>, setCookies: string[] = []) =>
  grade({ response: { url, status: 200, headers, setCookies } });

describe('Observatory v6 grading', () => {
  test('grade bands (key = score rounded down to 5, capped at 100)', () => {
    const bands: Array<[number, string]> = [
      [150, 'A+'],
      [100, 'A+'],
      [95, 'A'],
      [90, 'A'],
      [89, 'A-'],
      [84, 'B+'],
      [70, 'B'],
      [69, 'B-'],
      [64, 'C+'],
      [50, 'C'],
      [49, 'C-'],
      [44, 'D+'],
      [30, 'D'],
      [29, 'D-'],
      [24, 'F'],
      [0, 'F'],
    ];
    for (const [score, letter] of bands) assert.equal(gradeOf(score), letter, String(score));
  });
  test('a hardened API: every bonus counts (extra credit) → 150, A+', () => {
    const r = g('https://api.example.com/', {
      'content-type': 'application/json',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=63072000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'cross-origin-resource-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-opener-policy': 'same-origin',
    });
    assert.equal(
      r.tests['content-security-policy']!.result,
      'csp-implemented-with-no-unsafe-default-src-none',
    );
    assert.equal(r.tests['x-frame-options']!.result, 'x-frame-options-implemented-via-csp');
    assert.equal(r.score, 150);
    assert.equal(r.grade, 'A+');
  });
  test('no security headers over https → 30, D', () => {
    const r = g('https://api.example.com/', { 'content-type': 'application/json' });
    assert.equal(r.score, 30);
    assert.equal(r.grade, 'D');
  });
  test('no security headers over plain http → 10, F', () => {
    const r = g('http://api.example.com/', { 'content-type': 'application/json' });
    assert.equal(r.tests.redirection!.result, 'redirection-missing');
    assert.equal(r.tests['strict-transport-security']!.result, 'hsts-not-implemented-no-https');
    assert.equal(r.score, 10);
    assert.equal(r.grade, 'F');
  });
  test('penalties over 10 cancel the bonuses: unsafe-inline, unsafe referrer, session cookie → 45, C-', () => {
    const r = g(
      'https://www.example.com/',
      {
        'content-type': 'text/html',
        'content-security-policy': "script-src 'self' 'unsafe-inline'",
        'strict-transport-security': 'max-age=31536000',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'unsafe-url',
      },
      ['sessionid=abc; Path=/'],
    );
    assert.equal(r.tests['content-security-policy']!.result, 'csp-implemented-with-unsafe-inline');
    assert.equal(r.tests.cookies!.result, 'cookies-session-without-httponly-flag');
    assert.equal(r.score, 45);
    assert.equal(r.grade, 'C-');
  });
  test('CSP: a repeated directive is invalid; comma-joined policies intersect', () => {
    assert.equal(
      g('https://x.example/', { 'content-security-policy': "script-src 'self'; script-src 'none'" }).tests[
        'content-security-policy'
      ]!.result,
      'csp-header-invalid',
    );
    // A source survives only if every policy has it: nothing is common to * and 'self', so default-src is 'none' (+10).
    assert.equal(
      g('https://x.example/', { 'content-security-policy': "default-src *, default-src 'self'" }).tests[
        'content-security-policy'
      ]!.result,
      'csp-implemented-with-no-unsafe-default-src-none',
    );
    assert.equal(
      g('https://x.example/', {
        'content-security-policy': "default-src 'self' https://cdn.example, default-src 'self'",
      }).tests['content-security-policy']!.result,
      'csp-implemented-with-no-unsafe',
    );
    assert.equal(
      g('https://x.example/', {
        'content-security-policy':
          "script-src 'unsafe-inline' 'self'; object-src 'none'; style-src 'self', script-src 'self'",
      }).tests['content-security-policy']!.result,
      'csp-implemented-with-no-unsafe',
    );
    assert.equal(
      g('https://x.example/', { 'content-security-policy': "default-src 'self'," }).tests[
        'content-security-policy'
      ]!.result,
      'csp-header-invalid',
      'an empty policy after a comma',
    );
    assert.equal(
      g('https://x.example/', {
        'content-security-policy': "default-src 'self'; report-uri /a; report-uri /b",
      }).tests['content-security-policy']!.result,
      'csp-implemented-but-duplicate-directives',
    );
  });
  test('CSP: strict-dynamic with a nonce drops schemes but not data:; every non-passive directive counts as active content', () => {
    const csp = (v: string) =>
      g('https://x.example/', { 'content-security-policy': v }).tests['content-security-policy']!.result;
    assert.equal(
      csp(
        "script-src 'strict-dynamic' 'nonce-abc123' https: 'unsafe-inline'; object-src 'none'; style-src 'self'",
      ),
      'csp-implemented-with-no-unsafe',
    );
    assert.equal(
      csp("script-src 'strict-dynamic' 'nonce-abc123' data:; object-src 'none'"),
      'csp-implemented-with-unsafe-inline',
    );
    assert.equal(csp("script-src 'strict-dynamic'; object-src 'none'"), 'csp-header-invalid');
    assert.equal(
      csp("default-src 'self'; form-action http://forms.example"),
      'csp-implemented-with-insecure-scheme',
    );
    assert.equal(
      csp("default-src 'self'; img-src http://img.example"),
      'csp-implemented-with-insecure-scheme-in-passive-content-only',
    );
  });
  test('CSP from <meta http-equiv> and Referrer-Policy from <meta name="referrer"> count; frame-ancestors there does not make the CSP', () => {
    const html = (body: string) =>
      grade({
        response: { url: 'https://x.example/', status: 200, headers: { 'content-type': 'text/html' }, body },
      });
    assert.equal(
      html(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'">`).tests[
        'content-security-policy'
      ]!.result,
      'csp-implemented-with-no-unsafe-default-src-none',
    );
    assert.equal(
      html(`<meta http-equiv="Content-Security-Policy" content="frame-ancestors 'none'">`).tests[
        'content-security-policy'
      ]!.result,
      'csp-not-implemented',
    );
    // HTML §4.2.5.3: the referrer policy of a page comes from <meta name="referrer">; there is no http-equiv pragma for it.
    assert.equal(
      html(`<meta name="referrer" content="no-referrer">`).tests['referrer-policy']!.result,
      'referrer-policy-private',
    );
    assert.equal(
      html(`<meta http-equiv="referrer-policy" content="no-referrer">`).tests['referrer-policy']!.result,
      'referrer-policy-not-implemented',
    );
  });
  test('CORS: reflection with credentials is universal access (−50)', () => {
    const r = grade({
      response: { url: 'https://x.example/', status: 200, headers: {} },
      corsPreflight: {
        url: 'https://x.example/',
        status: 204,
        headers: {
          'access-control-allow-origin': 'https://http-observatory.security.mozilla.org',
          'access-control-allow-credentials': 'true',
        },
      },
    });
    assert.equal(r.tests['cross-origin-resource-sharing']!.scoreModifier, -50);
  });
});

describe('CSP Evaluator checks', () => {
  const types = (csp: string) => evaluateCsp(csp).map((f) => `${f.severity} ${f.type} ${f.directive}`);
  test('unsafe-inline and plain schemes in script-src are HIGH, listed first', () => {
    const f = types("script-src 'self' 'unsafe-inline' https:; object-src 'none'");
    assert.deepEqual(f.slice(0, 2).sort(), [
      'HIGH PLAIN_URL_SCHEMES script-src',
      'HIGH SCRIPT_UNSAFE_INLINE script-src',
    ]);
  });
  test('-elem and -attr directives count', () => {
    assert.ok(
      types("script-src 'self'; script-src-elem 'unsafe-inline'; object-src 'none'").includes(
        'HIGH SCRIPT_UNSAFE_INLINE script-src-elem',
      ),
    );
  });
  test('missing directives, syntax findings', () => {
    assert.ok(types("script-src 'self'").includes('HIGH MISSING_DIRECTIVES object-src'));
    assert.ok(types("default-src 'self'").every((t) => !t.includes('MISSING_DIRECTIVES')));
    assert.ok(types("script-src self; object-src 'none'").includes('SYNTAX INVALID_KEYWORD script-src'));
    assert.ok(types("script-src 'self' object-src 'none'").includes('SYNTAX MISSING_SEMICOLON script-src'));
    assert.ok(types("default-src 'self'; foo-src x").includes('SYNTAX UNKNOWN_DIRECTIVE foo-src'));
  });
  test('object-src allowlists and nonce charset', () => {
    assert.ok(
      types("script-src 'none'; object-src 'self'").includes(
        'MEDIUM_MAYBE OBJECT_ALLOWLIST_BYPASS object-src',
      ),
    );
    assert.ok(
      types("script-src 'nonce-abc!defgh'; object-src 'none'; base-uri 'none'").includes(
        'INFO NONCE_CHARSET script-src',
      ),
    );
  });
  test('comma-joined policies are evaluated one by one', () => {
    const f = evaluateCsp("default-src 'self', script-src 'unsafe-inline'");
    assert.ok(f.some((x) => x.policy === 1 && x.type === 'SCRIPT_UNSAFE_INLINE'));
  });
});

describe('offline mode (--headers)', () => {
  test('raw HTTP, HAR and JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corsgate-offline-'));
    writeFileSync(
      join(dir, 'raw.txt'),
      'HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nAccess-Control-Allow-Credentials: true\r\nContent-Type: application/json\r\n\r\n{}',
    );
    const raw = await runCli(['scan', '--headers', join(dir, 'raw.txt'), '--json']);
    assert.equal(raw.code, 0, raw.stderr);
    const res = JSON.parse(raw.stdout).results[0];
    assert.deepEqual(
      res.findings.map((f: { id: string; severity: string }) => `${f.id} ${f.severity}`),
      ['invalid-acao low', 'wildcard-origin info'],
    );
    assert.equal(res.grade, 'D');
    writeFileSync(
      join(dir, 'page.har'),
      JSON.stringify({
        log: {
          entries: [
            {
              request: { url: 'https://a.example/' },
              response: { status: 200, headers: [{ name: 'Access-Control-Allow-Origin', value: '*' }] },
            },
          ],
        },
      }),
    );
    const har = JSON.parse((await runCli(['scan', '--headers', join(dir, 'page.har'), '--json'])).stdout);
    assert.equal(har.results[0].findings[0].id, 'wildcard-origin');
    writeFileSync(
      join(dir, 'h.json'),
      JSON.stringify({
        url: 'https://b.example/',
        headers: { 'Content-Security-Policy': "script-src 'unsafe-inline'" },
      }),
    );
    const json = JSON.parse((await runCli(['scan', '--headers', join(dir, 'h.json'), '--json'])).stdout);
    assert.ok(json.results[0].csp.some((c: { type: string }) => c.type === 'SCRIPT_UNSAFE_INLINE'));
    writeFileSync(join(dir, 'bad.txt'), 'garbage');
    assert.equal((await runCli(['scan', '--headers', join(dir, 'bad.txt')])).code, 2);
  });
});

describe('usage errors exit 2 with a message naming the flag', () => {
  const cases: Array<[string[], RegExp]> = [
    [['scan'], /give at least one URL/],
    [
      ['scan', 'https://x.example/', '--origin', 'app.example.com'],
      /--origin 'app\.example\.com' must be an origin/,
    ],
    [
      ['scan', 'https://x.example/', '--resolve', 'x.example:443'],
      /--resolve 'x\.example:443' must be host:port:address/,
    ],
    [['scan', 'https://x.example/', '--proxy', 'nope'], /--proxy 'nope' is not a URL/],
    [['scan', 'https://x.example/', '--json', '--sarif'], /choose --json or --sarif/],
    [
      ['scan', 'https://x.example/', '--fail-on', 'severe'],
      /--fail-on must be one of critical, high, medium, low, info/,
    ],
    [['scan', 'https://x.example/', '--rate', 'fast'], /--rate takes a whole number/],
    [['scan', '--bogus'], /Unknown option '--bogus'/],
  ];
  for (const [args, message] of cases) {
    test(args.slice(1).join(' ') || '(no URL)', async () => {
      const r = await runCli(args);
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
    });
  }
});
