import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOrigin, serializeOrigin } from 'corsgate';

const SERIALIZED = [
  'https://example.com',
  'https://example.com:8443',
  'http://localhost:3000',
  'http://127.0.0.1',
  'https://[2001:db8::1]:8443',
  'http://[::1]',
  'https://xn--rsum-bpad.com',
  'chrome-extension://abdkkegmcbiomijcbdaodaflgehfffed',
  'null',
];

test('parseOrigin accepts serialized origins and serializeOrigin round-trips them', () => {
  for (const s of SERIALIZED) {
    const o = parseOrigin(s);
    assert.ok(o, s);
    assert.equal(serializeOrigin(o), s);
  }
});

test('parseOrigin gives the parts', () => {
  assert.deepEqual(parseOrigin('https://[2001:db8::1]:8443'), {
    opaque: false,
    scheme: 'https',
    host: '[2001:db8::1]',
    hostKind: 'ipv6',
    port: 8443,
  });
  assert.deepEqual(parseOrigin('http://127.0.0.1'), {
    opaque: false,
    scheme: 'http',
    host: '127.0.0.1',
    hostKind: 'ipv4',
    port: null,
  });
  assert.deepEqual(parseOrigin('null'), { opaque: true });
});

test('parseOrigin refuses anything that is not exactly a serialized origin', () => {
  for (const s of [
    'https://Example.com',
    'HTTPS://example.com',
    'https://example.com/',
    'https://example.com.',
    'https://example.com:443',
    'http://example.com:80',
    'https://example.com:0443',
    'https://example.com:0',
    'https://example.com:65536',
    'http://127.1',
    'https://[2001:DB8::1]',
    'https://résumé.com',
    'https://a..b',
    'https://user@example.com',
    'https://example.com?x',
    'https://example.com#x',
    'example.com',
    '',
    ' https://example.com',
    'Null',
    'https://',
    'h'.repeat(1 << 20),
  ]) {
    assert.equal(parseOrigin(s), null, s.slice(0, 50));
  }
});

test('serializeOrigin elides the default port', () => {
  assert.equal(
    serializeOrigin({ opaque: false, scheme: 'https', host: 'example.com', hostKind: 'domain', port: 443 }),
    'https://example.com',
  );
  assert.equal(
    serializeOrigin({ opaque: false, scheme: 'https', host: 'example.com', hostKind: 'domain', port: 80 }),
    'https://example.com:80',
  );
  assert.equal(serializeOrigin({ opaque: true }), 'null');
});
