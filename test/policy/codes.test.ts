/**
 * Every code in the engine's code lists is really produced: one example policy per code, typed by the
 * code union so that the compiler asks for an example when a code is added.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  POLICY_ERROR_CODES,
  POLICY_WARNING_CODES,
  type PolicyProblemCode,
} from 'corsgate/internal/policy/codes.js';
import { validatePolicy } from 'corsgate';

const o = (origins: unknown, rest: Record<string, unknown> = {}) => ({ origins, ...rest });
const pattern = (p: string) => o(['https://ok.example.com', p]);

const EXAMPLES: Record<PolicyProblemCode, unknown> = {
  'options-not-object': null,
  'option-unknown': o([], { orign: [] }),
  'origins-missing': {},
  'origins-invalid': o('https://a.example.com'),
  'origin-not-string': o([42]),
  'origin-empty': pattern(''),
  'origin-too-long': pattern(`https://${'a'.repeat(250)}.com`),
  'origin-whitespace': pattern(' https://a.example.com'),
  'origin-null': pattern('null'),
  'origin-scheme-missing': pattern('a.example.com'),
  'origin-scheme-file': pattern('file:///etc/passwd'),
  'origin-scheme-unsupported': pattern('ftp://a.example.com'),
  'origin-trailing-slash': pattern('https://a.example.com/'),
  'origin-path': pattern('https://a.example.com/app'),
  'origin-query': pattern('https://a.example.com?a=1'),
  'origin-fragment': pattern('https://a.example.com#x'),
  'origin-userinfo': pattern('https://user@a.example.com'),
  'origin-port-invalid': pattern('https://a.example.com:abc'),
  'origin-port-out-of-range': pattern('https://a.example.com:0'),
  'origin-default-port': pattern('https://a.example.com:443'),
  'origin-not-canonical': pattern('https://A.example.com'),
  'origin-host-missing': pattern('https://:8443'),
  'origin-host-invalid': pattern('https://a..example.com'),
  'origin-extension-id-invalid': pattern('chrome-extension://not-an-id'),
  'origin-wildcard-misplaced': pattern('https://ex*ample.com'),
  'origin-wildcard-public-suffix': pattern('https://*.co.uk'),
  'origin-insecure': pattern('http://a.example.com'),
  'credentials-with-any-origin': o('*', { credentials: true }),
  'private-network-with-any-origin': o('*', { privateNetwork: true }),
  'methods-invalid': o([], { methods: 'PUT' }),
  'method-invalid': o([], { methods: ['bad method'] }),
  'method-wildcard-in-list': o([], { methods: ['*'] }),
  'method-forbidden': o([], { methods: ['TRACE'] }),
  'request-headers-invalid': o([], { requestHeaders: 'X-A' }),
  'expose-headers-invalid': o([], { exposeHeaders: 'X-A' }),
  'header-invalid': o([], { requestHeaders: ['bad name'] }),
  'header-wildcard-in-list': o([], { exposeHeaders: ['*'] }),
  'header-forbidden': o([], { requestHeaders: ['Cookie'] }),
  'expose-forbidden': o([], { exposeHeaders: ['Set-Cookie'] }),
  'expose-cors-header': o([], { exposeHeaders: ['Access-Control-Allow-Origin'] }),
  'expose-wildcard-with-credentials': o(['https://a.example.com'], { credentials: true, exposeHeaders: '*' }),
  'max-age-invalid': o([], { maxAge: '600' }),
  'max-age-out-of-range': o([], { maxAge: 86401 }),
  'preflight-status-invalid': o([], { preflightStatus: 302 }),
  'on-disallowed-invalid': o([], { onDisallowed: 'block' }),
  'credentials-invalid': o([], { credentials: 'yes' }),
  'private-network-invalid': o([], { privateNetwork: 1 }),
  'allow-insecure-origins-invalid': o([], { allowInsecureOrigins: 'true' }),
  'list-allowed-methods-invalid': o([], { listAllowedMethods: 'yes' }),
  'list-allowed-methods-with-any-method': o([], { methods: '*', listAllowedMethods: true }),
  'origin-insecure-allowed': o(['http://a.example.com'], { allowInsecureOrigins: true }),
  'origin-duplicate': o(['https://a.example.com', 'https://a.example.com']),
  'origin-redundant': o(['*', 'https://a.example.com']),
  'origins-empty': o([]),
  'allow-insecure-origins-unused': o([], { allowInsecureOrigins: true }),
  'method-not-normalized': o([], { methods: ['put'] }),
  'method-lower-case': o([], { methods: ['patch'] }),
  'method-duplicate': o([], { methods: ['PATCH', 'PATCH'] }),
  'header-duplicate': o([], { requestHeaders: ['X-A', 'x-a'] }),
  'expose-safelisted': o([], { exposeHeaders: ['Content-Type'] }),
  'max-age-above-browser-cap': o([], { maxAge: 86400 }),
};

test('the error and warning lists are disjoint and have an example each', () => {
  const errors = new Set<string>(POLICY_ERROR_CODES);
  assert.deepEqual(
    POLICY_WARNING_CODES.filter((c) => errors.has(c)),
    [],
  );
  assert.deepEqual(Object.keys(EXAMPLES).sort(), [...POLICY_ERROR_CODES, ...POLICY_WARNING_CODES].sort());
});

for (const [code, options] of Object.entries(EXAMPLES)) {
  const severity = (POLICY_ERROR_CODES as readonly string[]).includes(code) ? 'error' : 'warning';
  test(`code ${code} is reported (${severity})`, () => {
    const { errors, warnings } = validatePolicy(options);
    const found = (severity === 'error' ? errors : warnings).filter((p) => p.code === code);
    assert.ok(
      found.length > 0,
      `validatePolicy(${JSON.stringify(options)}) reports ${code}; got ${JSON.stringify([...errors, ...warnings].map((p) => p.code))}`,
    );
    for (const p of found) assert.equal(p.severity, severity);
  });
}
