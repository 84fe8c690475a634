/** One named test per behaviour issue 15 pins in the Observatory port and the CSP Evaluator checks. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCsp, grade, gradeOf, type CspCheck } from '@corsgate/scan';
import type { RedirectHop } from '@corsgate/scan/internal/observatory/index.js';

const page = (headers: Record<string, string>, body?: string, url = 'https://www.example.org/') =>
  grade({
    response: {
      url,
      status: 200,
      headers: { 'content-type': 'text/html', ...headers },
      ...(body !== undefined ? { body } : {}),
    },
  });
const result = (name: string, headers: Record<string, string>, body?: string) =>
  page(headers, body).tests[name]!.result;
const chain = (...urls: string[]): RedirectHop[] =>
  urls.map((u, i) => ({ url: u, status: i < urls.length - 1 ? 301 : 200, location: urls[i + 1] ?? null }));
const redirection = (hops: RedirectHop[]) =>
  grade({ response: { url: 'https://example.org/', status: 200, headers: {} }, httpRedirects: hops }).tests
    .redirection!.result;

describe('Observatory: redirection over the whole http:// chain', () => {
  test('an http chain that never reaches https is not-to-https, however long', () => {
    assert.equal(
      redirection(chain('http://example.org/', 'http://www.example.org/', 'http://www.example.org/en/')),
      'redirection-not-to-https',
    );
  });
  test('a first hop to http, then https, is not-to-https-on-initial-redirection', () => {
    assert.equal(
      redirection(chain('http://example.org/', 'http://www.example.org/', 'https://www.example.org/')),
      'redirection-not-to-https-on-initial-redirection',
    );
  });
  test('the first hop to another host over https is off-host; relative Locations resolve against their hop', () => {
    assert.equal(
      redirection(chain('http://example.org/', 'https://www.example.org/')),
      'redirection-off-host-from-http',
    );
    assert.equal(
      redirection([
        { url: 'http://example.org/', status: 301, location: 'https://example.org/' },
        { status: 302, location: '/en/' },
        { status: 200, location: null },
      ]),
      'redirection-to-https',
    );
  });
  test('no http answer at all is not-needed; an answer without a redirect is missing', () => {
    assert.equal(redirection([]), 'redirection-not-needed-no-http');
    assert.equal(redirection(chain('http://example.org/')), 'redirection-missing');
  });
});

describe('Observatory: subresource integrity', () => {
  const sri = (html: string, url = 'https://example.org/') =>
    grade({ response: { url, status: 200, headers: { 'content-type': 'text/html' }, body: html } }).tests[
      'subresource-integrity'
    ]!.result;
  test('a script on another host of the same registrable domain is not external', () => {
    assert.equal(
      sri('<script src="https://cdn.example.org/a.js"></script>'),
      'sri-not-implemented-but-all-scripts-loaded-from-secure-origin',
    );
    assert.equal(
      sri('<script src="https://cdn.example.net/a.js"></script>'),
      'sri-not-implemented-but-external-scripts-loaded-securely',
    );
  });
  test('a protocol-relative script is external and not loaded securely, even on the same host', () => {
    assert.equal(
      sri('<script src="//example.org/a.js"></script>'),
      'sri-not-implemented-and-external-scripts-not-loaded-securely',
    );
    assert.equal(
      sri('<script src="//cdn.example.net/a.js" integrity="sha384-x"></script>'),
      'sri-implemented-but-external-scripts-not-loaded-securely',
    );
  });
  test('integrity on same-origin scripts earns sri-implemented-and-all-scripts-loaded-securely', () => {
    assert.equal(
      sri('<script src="/a.js" integrity="sha384-x" crossorigin="anonymous"></script>'),
      'sri-implemented-and-all-scripts-loaded-securely',
    );
  });
  test('scripts inside HTML comments are not loaded', () => {
    assert.equal(
      sri(
        '<!--[if IE 9]><script src="http://cdn.example.net/ie.js"></script><![endif]--><script src="/a.js"></script>',
      ),
      'sri-not-implemented-but-all-scripts-loaded-from-secure-origin',
    );
  });
});

describe('Observatory: headers', () => {
  test('<meta name="referrer"> overrides the header', () => {
    assert.equal(
      result(
        'referrer-policy',
        { 'referrer-policy': 'unsafe-url' },
        '<meta name="referrer" content="no-referrer">',
      ),
      'referrer-policy-private',
    );
    assert.equal(
      result(
        'referrer-policy',
        { 'referrer-policy': 'no-referrer' },
        '<meta content="unsafe-url" name="Referrer">',
      ),
      'referrer-policy-unsafe',
    );
  });
  test("CORP, COEP and COOP use the peer's result names", () => {
    assert.equal(
      result('cross-origin-resource-policy', { 'cross-origin-resource-policy': 'same-site' }),
      'corp-implemented-with-same-site',
    );
    assert.equal(
      result('cross-origin-embedder-policy', { 'cross-origin-embedder-policy': 'credentialless' }),
      'coep-implemented-with-credentialless',
    );
    assert.equal(
      result('cross-origin-opener-policy', { 'cross-origin-opener-policy': 'noopener-allow-popups' }),
      'coop-implemented-with-noopener-allow-popups',
    );
  });
  test('CORP, COEP and COOP values are case-sensitive tokens; malformed parameters and repeats are invalid', () => {
    assert.equal(
      result('cross-origin-resource-policy', { 'cross-origin-resource-policy': 'Same-Origin' }),
      'corp-header-invalid',
    );
    assert.equal(
      result('cross-origin-resource-policy', { 'cross-origin-resource-policy': 'same-origin, same-origin' }),
      'corp-header-invalid',
    );
    assert.equal(
      result('cross-origin-embedder-policy', {
        'cross-origin-embedder-policy': 'require-corp;report-to="e"',
      }),
      'coep-implemented-with-require-corp',
    );
    assert.equal(
      result('cross-origin-embedder-policy', {
        'cross-origin-embedder-policy': 'require-corp; report-to=e f',
      }),
      'coep-header-invalid',
    );
    assert.equal(
      result('cross-origin-opener-policy', { 'cross-origin-opener-policy': '"same-origin"' }),
      'coop-header-invalid',
    );
    assert.equal(
      result('cross-origin-opener-policy', {
        'cross-origin-opener-policy': 'same-origin; report-to="a\\"b"',
      }),
      'coop-implemented-with-same-origin',
    );
  });
  test('cookies: heroku-session-affinity is ignored; SameSite=None without Secure is invalid', () => {
    const cookies = (setCookies: string[]) =>
      grade({ response: { url: 'https://example.org/', status: 200, headers: {}, setCookies } }).tests
        .cookies!.result;
    assert.equal(cookies(['heroku-session-affinity=x; Path=/']), 'cookies-not-found');
    assert.equal(cookies(['id=1; SameSite=None']), 'cookies-samesite-flag-invalid');
    assert.equal(
      cookies(['id=1; Secure; SameSite=Lax']),
      'cookies-secure-with-httponly-sessions-and-samesite',
    );
  });
  test('X-Frame-Options sent twice arrives joined and is invalid', () => {
    assert.equal(
      result('x-frame-options', { 'x-frame-options': 'DENY, DENY' }),
      'x-frame-options-header-invalid',
    );
  });
  test('gradeOf: a negative score is an F, and scores above 100 are A+', () => {
    assert.equal(gradeOf(-10), 'F');
    assert.equal(gradeOf(Number.NaN), 'F');
    assert.equal(gradeOf(135), 'A+');
  });
});

describe('CSP Evaluator: checks finding for finding', () => {
  const kinds = (csp: string, type?: string) =>
    evaluateCsp(csp)
      .filter((f) => type === undefined || f.type === type)
      .map((f) => `${f.severity} ${f.directive} ${f.value ?? ''}`.trim());
  test('a script finding is reported once, under default-src when script-src falls back to it', () => {
    assert.deepEqual(kinds("default-src 'unsafe-inline' 'unsafe-eval'", 'SCRIPT_UNSAFE_INLINE'), [
      "HIGH default-src 'unsafe-inline'",
    ]);
    assert.deepEqual(kinds("default-src 'self'; script-src 'unsafe-eval'", 'SCRIPT_UNSAFE_EVAL'), [
      "MEDIUM_MAYBE script-src 'unsafe-eval'",
    ]);
    // -attr and -elem fall back to script-src first (CSP3 §6.8.3), not straight to default-src.
    assert.deepEqual(kinds("default-src *; script-src 'none'; object-src 'none'", 'PLAIN_WILDCARD'), []);
  });
  test("'none' stops the allowlist-bypass check", () => {
    assert.deepEqual(kinds("script-src *.google.com 'none'", 'SCRIPT_ALLOWLIST_BYPASS'), []);
  });
  test('wildcards are *, http://*, https://* and //*', () => {
    assert.equal(kinds('object-src * http://* https://* //* *.example.org', 'PLAIN_WILDCARD').length, 4);
  });
  test('a malformed nonce or hash is INVALID_KEYWORD and does not cancel unsafe-inline', () => {
    assert.deepEqual(kinds("script-src 'unsafe-inline' 'nonce-abc$def1'", 'INVALID_KEYWORD'), [
      "SYNTAX script-src 'nonce-abc$def1'",
    ]);
    assert.equal(kinds("script-src 'unsafe-inline' 'nonce-abc$def1'", 'SCRIPT_UNSAFE_INLINE').length, 1);
    assert.equal(kinds("script-src 'unsafe-inline' 'nonce-abcdef12'", 'SCRIPT_UNSAFE_INLINE').length, 0);
  });
  test('IP_SOURCE covers protocol-relative and IPv6 sources; SRC_HTTP covers an http report-uri', () => {
    assert.equal(
      kinds('img-src //10.0.0.1 https://[2001:db8::1]:8443 10.0.0.2.example', 'IP_SOURCE').length,
      2,
    );
    assert.deepEqual(
      evaluateCsp('report-uri http://r.example/csp')
        .filter((f) => f.type === 'SRC_HTTP')
        .map((f) => f.description),
      ['Use HTTPS to send violation reports securely.'],
    );
  });
  test('JSONP and AngularJS hosts from the shipped lists make an allowlisted script source HIGH', () => {
    assert.deepEqual(kinds('script-src https://accounts.google.com', 'SCRIPT_ALLOWLIST_BYPASS'), [
      'HIGH script-src https://accounts.google.com',
    ]);
    assert.deepEqual(kinds('script-src cdnjs.cloudflare.com', 'SCRIPT_ALLOWLIST_BYPASS'), [
      'HIGH script-src cdnjs.cloudflare.com',
    ]);
    // A path narrows the source: only listed URLs under it count.
    assert.deepEqual(kinds('script-src https://accounts.google.com/other/', 'SCRIPT_ALLOWLIST_BYPASS'), [
      'MEDIUM_MAYBE script-src https://accounts.google.com/other/',
    ]);
    assert.deepEqual(kinds('object-src ajax.googleapis.com', 'OBJECT_ALLOWLIST_BYPASS'), [
      'HIGH object-src ajax.googleapis.com',
    ]);
  });
  test('evaluateCsp runs a list of check functions, the defaults unless told otherwise', () => {
    const only: CspCheck = ({ parsed }) =>
      parsed.has('img-src')
        ? [{ type: 'CUSTOM', severity: 'INFO', directive: 'img-src', description: 'seen' }]
        : [];
    assert.deepEqual(
      evaluateCsp("img-src 'self', img-src *", [only]).map((f) => `${f.type} ${f.policy}`),
      ['CUSTOM 0', 'CUSTOM 1'],
    );
  });
});
