/** The one spec CSP parser (src/csp/parse.ts) that explain and scan share. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  governingDirective,
  hostOfSource,
  normalizeSource,
  parsePolicy,
  parsePolicyList,
} from 'corsgate/internal/csp/index.js';

describe('CSP3 parsing', () => {
  test('directives split on ;, names lower-cased, the first occurrence wins, the value kept as written', () => {
    const p = parsePolicy("  Default-Src 'self'  https://A.example ;default-src *;\n img-src\tdata: ; ;");
    assert.deepEqual([...p.directives.keys()], ['default-src', 'img-src']);
    assert.deepEqual(p.directives.get('default-src')!.values, ["'self'", 'https://A.example']);
    assert.equal(p.directives.get('default-src')!.text, "'self'  https://A.example");
    assert.deepEqual(p.duplicates, ['default-src']);
  });
  test('a header list splits on commas and drops empty policies', () => {
    assert.equal(parsePolicyList(["default-src 'self', img-src *", ' , ']).length, 2);
  });
  test('fallback lists: script-src-elem → script-src → default-src; base-uri only itself', () => {
    const p = parsePolicy("default-src 'none'; script-src 'self'");
    assert.equal(governingDirective(p, 'script-src-elem')!.name, 'script-src');
    assert.equal(governingDirective(p, 'img-src')!.name, 'default-src');
    assert.equal(governingDirective(p, 'base-uri'), null);
  });
  test('keywords and schemes are case-insensitive; hosts keep their case; hosts of host-sources', () => {
    assert.deepEqual(["'SELF'", 'HTTPS:', 'Example.com/Path', "'NONCE-AbC'"].map(normalizeSource), [
      "'self'",
      'https:',
      'Example.com/Path',
      "'nonce-AbC'",
    ]);
    assert.deepEqual(
      ['//10.0.0.1', 'https://[::1]:8443/x', '*.Example.org', "'self'", 'data:'].map(hostOfSource),
      ['10.0.0.1', '[::1]', '*.example.org', null, null],
    );
  });
});
