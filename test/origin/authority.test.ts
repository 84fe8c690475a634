import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findHostEnd, splitAuthority } from 'corsgate/internal/origin/index.js';
import { parseOrigin, parseOriginPattern, PolicyError } from 'corsgate';

test('splitAuthority: the URL Standard host rule (a colon ends the host unless inside brackets)', () => {
  const cases: Array<[string, ReturnType<typeof splitAuthority>]> = [
    ['example.com', { host: 'example.com', port: null }],
    ['example.com:8443', { host: 'example.com', port: '8443' }],
    ['example.com:', { host: 'example.com', port: '' }],
    ['a:b:c', { host: 'a', port: 'b:c' }],
    [':8080', { host: '', port: '8080' }],
    ['', { host: '', port: null }],
    ['[::1]', { host: '[::1]', port: null }],
    ['[::1]:8080', { host: '[::1]', port: '8080' }],
    ['[2001:db8::1]:', { host: '[2001:db8::1]', port: '' }],
    ['[::1', 'ipv6-unterminated'],
    ['[::1]x', 'ipv6-trailing-characters'],
    ['[::1]]:1', 'ipv6-trailing-characters'],
  ];
  for (const [authority, expected] of cases) assert.deepEqual(splitAuthority(authority), expected, authority);
});

test('findHostEnd works inside a longer string without slicing it', () => {
  const origin = 'https://app.example.com:8443';
  assert.equal(origin.slice(8, findHostEnd(origin, 8)), 'app.example.com');
  assert.equal(findHostEnd('https://[::1]:80', 8), 13);
  assert.equal(findHostEnd('https://[::1', 8), -1);
  assert.equal(findHostEnd('https://example.com', 8), 'https://example.com'.length);
});

test('request-time origins and patterns split an authority the same way', () => {
  // Two colons outside brackets: the port is "8443:1", which is no port, for both.
  assert.equal(parseOrigin('https://example.com:8443:1'), null);
  assert.throws(
    () => parseOriginPattern('https://example.com:8443:1'),
    (err: unknown) => err instanceof PolicyError && err.code === 'origin-port-invalid',
  );
  assert.throws(
    () => parseOriginPattern('https://example.com:80:443'),
    (err: unknown) =>
      err instanceof PolicyError &&
      err.code === 'origin-port-invalid' &&
      /invalid port "80:443"/.test(err.message),
  );
  assert.throws(
    () => parseOriginPattern('https://:80:80'),
    (err: unknown) => err instanceof PolicyError && err.code === 'origin-host-missing',
  );
});
