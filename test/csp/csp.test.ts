/** CSP Trusted Sites: Salesforce's validation rules and the header they produce. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildContentSecurityPolicy,
  checkEndpointUrl,
  validateTrustedSite,
  type TrustedSite,
} from 'corsgate/internal/csp/index.js';

const site = (over: Partial<TrustedSite>): TrustedSite => ({
  name: 'Cdn',
  endpointUrl: 'https://cdn.example.com',
  context: 'All',
  isActive: true,
  isApplicableToConnectSrc: false,
  isApplicableToFontSrc: false,
  isApplicableToFrameSrc: false,
  isApplicableToImgSrc: true,
  isApplicableToMediaSrc: false,
  isApplicableToStyleSrc: false,
  ...over,
});

describe('endpointUrl (Salesforce: https://, wss:// or *.domain, optional port)', () => {
  test('accepted forms', () => {
    for (const url of [
      'https://example.com',
      'https://example.com:8080',
      'wss://ws.example.com',
      '*.example.com',
      'https://*.example.com',
      'https://www.maptestsite.net/',
    ]) {
      assert.equal(checkEndpointUrl(url), null, url);
    }
  });
  test('refused forms, each with its code', () => {
    const cases: Array<[string, string]> = [
      ['http://example.com', 'trusted-site-url-insecure'],
      ['example.com', 'trusted-site-url-scheme-missing'],
      ['ftp://example.com', 'trusted-site-url-scheme'],
      ['malformed^url.example.com', 'trusted-site-url-scheme-missing'],
      ['https://malformed^url.example.com', 'trusted-site-url-host'],
      ['https://{subdomain}.example.com', 'trusted-site-url-host'],
      ['https://example.com:0', 'trusted-site-url-port'],
      ['https://example.com/path', 'trusted-site-url-path'],
      [' https://example.com', 'trusted-site-url-whitespace'],
      ['', 'trusted-site-url-missing'],
    ];
    for (const [url, code] of cases) assert.equal(checkEndpointUrl(url)?.code, code, url);
    assert.match(checkEndpointUrl('http://example.com')!.message, /did you mean https:\/\/example\.com\?/);
  });
});

describe('validateTrustedSite', () => {
  test('a valid site has no problem', () => assert.deepEqual(validateTrustedSite(site({})), []));
  test('at least one directive (API 59+), API-name rules, context', () => {
    const problems = validateTrustedSite(
      site({ name: 'My CDN', isApplicableToImgSrc: false, context: 'Everywhere' }),
    );
    assert.deepEqual(problems.map((p) => p.code).sort(), [
      'trusted-site-context-invalid',
      'trusted-site-name-invalid',
      'trusted-site-no-directive',
    ]);
    assert.match(
      problems.find((p) => p.code === 'trusted-site-name-invalid')!.message,
      /did you mean My_CDN\?/,
    );
    assert.equal(validateTrustedSite(site({ name: 'a__b' }))[0]?.code, 'trusted-site-name-invalid');
    assert.equal(validateTrustedSite(null)[0]?.code, 'trusted-site-invalid');
  });
});

describe('buildContentSecurityPolicy', () => {
  test("'self' first, active sites per directive, sorted and deduplicated", () => {
    const out = buildContentSecurityPolicy([
      site({ name: 'B', endpointUrl: 'https://b.example.com', isApplicableToConnectSrc: true }),
      site({ name: 'A', endpointUrl: 'https://a.example.com/' }),
      site({ name: 'A2', endpointUrl: 'https://a.example.com' }),
      site({ name: 'Off', endpointUrl: 'https://off.example.com', isActive: false }),
    ]);
    assert.equal(
      out.header,
      "connect-src 'self' https://b.example.com; font-src 'self'; frame-src 'self'; img-src 'self' https://a.example.com https://b.example.com; media-src 'self'; style-src 'self'",
    );
    assert.equal(out.bytes, out.header.length);
    assert.deepEqual(out.warnings, []);
  });
  test('context filter: All always applies', () => {
    const sites = [
      site({ name: 'Lex', endpointUrl: 'https://lex.example.com', context: 'LEX' }),
      site({ name: 'Any', endpointUrl: 'https://any.example.com' }),
    ];
    assert.doesNotMatch(
      buildContentSecurityPolicy(sites, { context: 'Communities' }).header,
      /lex\.example\.com/,
    );
    assert.match(buildContentSecurityPolicy(sites, { context: 'LEX' }).header, /lex\.example\.com/);
  });
  test('warns past 12 KB', () => {
    const many = Array.from({ length: 500 }, (_, i) =>
      site({ name: `S${i}`, endpointUrl: `https://host-number-${i}.example.com` }),
    );
    const out = buildContentSecurityPolicy(many);
    assert.ok(out.bytes > 12288);
    assert.equal(out.warnings[0]?.code, 'csp-header-large');
  });
});
