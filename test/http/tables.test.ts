/** The Fetch and URL Standard tables that every module imports from src/http. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isForbiddenResponseHeader,
  isRedirectStatus,
  isSafelistedResponseHeader,
  REDIRECT_STATUSES,
  SAFELISTED_RESPONSE_HEADERS,
} from 'corsgate/internal/http/responses.js';
import { DEFAULT_PORTS, isCanonicalIPv4, isLoopbackHost } from 'corsgate/internal/http/url.js';

test('Fetch #cors-safelisted-response-header-name and #forbidden-response-header-name', () => {
  assert.deepEqual([...SAFELISTED_RESPONSE_HEADERS].sort(), [
    'cache-control',
    'content-language',
    'content-length',
    'content-type',
    'expires',
    'last-modified',
    'pragma',
  ]);
  assert.ok(
    isSafelistedResponseHeader('content-type') &&
      !isSafelistedResponseHeader('x-request-id') &&
      !isSafelistedResponseHeader('Content-Type'),
  );
  assert.ok(
    isForbiddenResponseHeader('set-cookie') &&
      isForbiddenResponseHeader('set-cookie2') &&
      !isForbiddenResponseHeader('cookie'),
  );
});

test('Fetch #redirect-status', () => {
  assert.deepEqual([...REDIRECT_STATUSES].sort(), [301, 302, 303, 307, 308]);
  for (const s of [300, 304, 305, 306, 200, 399]) assert.equal(isRedirectStatus(s), false, String(s));
});

test('URL Standard default ports, with no inherited keys', () => {
  assert.deepEqual({ ...DEFAULT_PORTS }, { http: 80, https: 443, ws: 80, wss: 443, ftp: 21 });
  for (const scheme of ['constructor', '__proto__', 'toString', 'chrome-extension', 'file'])
    assert.equal(DEFAULT_PORTS[scheme], undefined, scheme);
  assert.ok(Object.isFrozen(DEFAULT_PORTS));
});

test('loopback hosts: localhost, *.localhost, 127.0.0.0/8, [::1]', () => {
  for (const h of ['localhost', 'app.localhost', '127.0.0.1', '127.255.0.9', '[::1]'])
    assert.ok(isLoopbackHost(h), h);
  for (const h of [
    'localhost.example.com',
    '127.example.com',
    '127.1',
    '128.0.0.1',
    '[::2]',
    '::1',
    'LOCALHOST',
    '0.0.0.0',
  ])
    assert.equal(isLoopbackHost(h), false, h);
  assert.ok(isCanonicalIPv4('192.0.2.1') && !isCanonicalIPv4('192.0.2.01') && !isCanonicalIPv4('256.0.0.1'));
});
