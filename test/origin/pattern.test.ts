import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOriginPattern, PolicyError, createPolicy } from 'corsgate';

const VALID: Array<[string, Record<string, unknown>]> = [
  ['https://app.example.com', { kind: 'exact', scheme: 'https', host: 'app.example.com', port: null }],
  ['https://app.example.com:8443', { kind: 'exact', port: 8443 }],
  [
    'http://localhost:3000',
    { kind: 'exact', scheme: 'http', host: 'localhost', port: 3000, insecure: false },
  ],
  ['http://127.0.0.1:8080', { kind: 'exact', hostKind: 'ipv4', insecure: false }],
  ['http://[::1]:8080', { kind: 'exact', hostKind: 'ipv6', insecure: false }],
  ['https://192.0.2.10', { kind: 'exact', hostKind: 'ipv4' }],
  ['https://[2001:db8::1]:8443', { kind: 'exact', hostKind: 'ipv6', host: '[2001:db8::1]', port: 8443 }],
  ['chrome-extension://abdkkegmcbiomijcbdaodaflgehfffed', { kind: 'exact', scheme: 'chrome-extension' }],
  ['moz-extension://1234ab56-78c9-1df2-3efg-4567891hi1j2', { kind: 'exact', scheme: 'moz-extension' }],
  ['https://*.example.com', { kind: 'subdomains', host: 'example.com', port: null }],
  ['https://*.example.co.uk', { kind: 'subdomains', host: 'example.co.uk' }],
  ['https://*.example.com:*', { kind: 'subdomains', port: '*' }],
  ['http://localhost:*', { kind: 'exact', port: '*' }],
  ['https://xn--rsum-bpad.com', { kind: 'exact' }],
  ['*', { kind: 'any' }],
  ['https://*.www.ck', { kind: 'subdomains', host: 'www.ck' }], // PSL exception rule: www.ck is registrable
  ['http://*.localhost:*', { kind: 'subdomains', host: 'localhost', port: '*', insecure: false }],
  ['https://example.com:1', { kind: 'exact', port: 1 }],
  ['https://example.com:65535', { kind: 'exact', port: 65535 }],
  [`https://${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(51)}.com`, { kind: 'exact' }], // exactly 255 characters
];

for (const [pattern, expected] of VALID) {
  test(`pattern accepted: ${pattern}`, () => {
    const p = parseOriginPattern(pattern) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(expected)) assert.deepEqual(p[k], v, k);
  });
}

// [pattern, code, hint fragment (or null when no hint is expected)]
const INVALID: Array<[string, string, string | null]> = [
  ['null', 'origin-null', null],
  ['', 'origin-empty', null],
  ['app.example.com', 'origin-scheme-missing', 'https://app.example.com'],
  ['https://example.com/', 'origin-trailing-slash', 'https://example.com?'],
  ['https://EXAMPLE.com/', 'origin-trailing-slash', 'https://example.com?'],
  ['https://example.com/app', 'origin-path', 'https://example.com?'],
  ['https://example.com?', 'origin-query', 'https://example.com?'],
  ['https://example.com?a=1', 'origin-query', null],
  ['https://example.com#x', 'origin-fragment', null],
  ['https://user:pw@example.com', 'origin-userinfo', 'https://example.com?'],
  [' https://example.com', 'origin-whitespace', 'https://example.com'],
  ['https://exa mple.com', 'origin-whitespace', null],
  ['https://ex*ample.com', 'origin-wildcard-misplaced', null],
  ['https://*.*.example.com', 'origin-wildcard-misplaced', null],
  ['https://example.*', 'origin-wildcard-misplaced', null],
  ['https://a.*.example.com', 'origin-wildcard-misplaced', null],
  ['https://*example.com', 'origin-wildcard-misplaced', null],
  ['https://*.127.0.0.1', 'origin-wildcard-misplaced', null],
  ['https://*.[::1]', 'origin-wildcard-misplaced', null],
  ['https://*.[::1]:8443', 'origin-wildcard-misplaced', null],
  ['https://a[::1]', 'origin-host-invalid', null],
  ['https://*.com', 'origin-wildcard-public-suffix', null],
  ['https://*.co.uk', 'origin-wildcard-public-suffix', null],
  ['https://*.github.io', 'origin-wildcard-public-suffix', null],
  ['ftp://example.com', 'origin-scheme-unsupported', null],
  ['gopher://example.com', 'origin-scheme-unsupported', null],
  ['file:///etc/passwd', 'origin-scheme-file', null],
  ['https://example.com:0', 'origin-port-out-of-range', null],
  ['https://example.com:65536', 'origin-port-out-of-range', null],
  ['https://example.com:08443', 'origin-not-canonical', 'https://example.com:8443'],
  ['https://example.com:abc', 'origin-port-invalid', null],
  ['https://example.com:443', 'origin-default-port', 'https://example.com?'],
  ['http://localhost:80', 'origin-default-port', 'http://localhost?'],
  ['https://Example.com', 'origin-not-canonical', 'https://example.com?'],
  ['HTTPS://example.com', 'origin-not-canonical', 'https://example.com?'],
  ['https://résumé.com', 'origin-not-canonical', 'https://xn--rsum-bpad.com'],
  ['https://example.com.', 'origin-not-canonical', 'https://example.com?'],
  ['http://127.1', 'origin-not-canonical', 'http://127.0.0.1?'],
  ['https://[2001:DB8::1]', 'origin-not-canonical', 'https://[2001:db8::1]?'],
  ['https://[2001:db8:0:0:0:0:0:1]', 'origin-not-canonical', 'https://[2001:db8::1]?'],
  ['https://example..com', 'origin-host-invalid', null],
  ['https://', 'origin-host-missing', null],
  ['https://:8080', 'origin-host-missing', null],
  ['chrome-extension://ABDKKEGMCBIOMIJCBDAODAFLGEHFFFED', 'origin-extension-id-invalid', null],
  ['chrome-extension://abdkkegmcbiomijcbdaodaflgehfff12', 'origin-extension-id-invalid', null],
  ['moz-extension://not-a-uuid', 'origin-extension-id-invalid', null],
  ['HTTPS://192.0.2.10', 'origin-not-canonical', 'https://192.0.2.10?'],
  ['HTTPS://[::1]:8080', 'origin-not-canonical', 'https://[::1]:8080?'],
  [
    'Chrome-Extension://abdkkegmcbiomijcbdaodaflgehfffed',
    'origin-not-canonical',
    'chrome-extension://abdkkegmcbiomijcbdaodaflgehfffed?',
  ],
  ['https://example.com:00443', 'origin-not-canonical', 'did you mean https://example.com?'],
  ['https:/example.com', 'origin-scheme-missing', 'did you mean https://example.com?'],
  ['https:example.com', 'origin-scheme-missing', 'did you mean https://example.com?'],
  ['//example.com', 'origin-scheme-missing', 'did you mean https://example.com?'],
  ['*://example.com', 'origin-wildcard-misplaced', null],
  ['http*://example.com', 'origin-wildcard-misplaced', null],
  ['https://*.example.com:8*', 'origin-wildcard-misplaced', 'https://*.example.com:*?'],
  ['https://*', 'origin-wildcard-misplaced', null],
  ['https://*.*', 'origin-wildcard-misplaced', null],
  ['https://**.example.com', 'origin-wildcard-misplaced', null],
  ['https://*.example.com/', 'origin-trailing-slash', 'https://*.example.com?'],
  ['https://example.com/*', 'origin-path', 'https://example.com?'],
  ['https://example.com\n', 'origin-whitespace', null],
  ['https://[fe80::1%25eth0]', 'origin-host-invalid', null],
  ['https://example.com:65536', 'origin-port-out-of-range', null],
  ['https://example.com:99999', 'origin-port-out-of-range', null],
  ['https://*.ck', 'origin-wildcard-public-suffix', null],
  ['https://*.foo.ck', 'origin-wildcard-public-suffix', null],
  ['https://*.s3.amazonaws.com', 'origin-wildcard-public-suffix', null],
  ['http://app.example.com', 'origin-insecure', 'did you mean https://app.example.com?'],
  ['http://*.example.com:8080', 'origin-insecure', 'https://*.example.com:8080'],
  [`https://${'a'.repeat(250)}.com`, 'origin-too-long', null],
  [
    `https://${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(52)}.com`,
    'origin-too-long',
    null,
  ], // 256 characters
];

for (const [pattern, code, hint] of INVALID) {
  test(`pattern refused: ${JSON.stringify(pattern).slice(0, 60)} → ${code}`, () => {
    let caught: unknown;
    try {
      parseOriginPattern(pattern);
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof PolicyError, 'throws a PolicyError');
    assert.equal(caught.code, code);
    assert.equal(caught.problems.length, 1);
    assert.equal(caught.problems[0]!.code, code);
    assert.ok(caught.message.length > 10);
    if (hint !== null)
      assert.ok(
        caught.problems[0]!.hint?.includes(hint),
        `hint ${caught.problems[0]!.hint} should include ${hint}`,
      );
    // The same pattern inside a policy gives the same code at origins[1].
    assert.throws(
      () => createPolicy({ origins: ['https://ok.example.com', pattern] }),
      (err: unknown) => {
        assert.ok(err instanceof PolicyError);
        assert.equal(err.code, 'policy-invalid');
        const p = err.problems.find((x) => x.path === 'origins[1]');
        assert.equal(p?.code, code);
        assert.equal(p?.severity, 'error');
        return true;
      },
    );
  });
}

test('the insecure message says what to do in plain words', () => {
  assert.throws(
    () => parseOriginPattern('http://app.example.com'),
    /http is only allowed for loopback hosts.*did you mean https:\/\/app\.example\.com\?/,
  );
});

test('allowInsecureOrigins turns the insecure error into a warning', () => {
  assert.equal(parseOriginPattern('http://app.example.com', { allowInsecureOrigins: true }).kind, 'exact');
  const p = createPolicy({ origins: ['http://app.example.com'], allowInsecureOrigins: true });
  assert.equal(p.warnings[0]?.code, 'origin-insecure-allowed');
  assert.equal(p.warnings[0]?.path, 'origins[0]');
});
