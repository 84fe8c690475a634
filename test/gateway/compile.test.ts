// The sliced allowlist compile: the off-heap exact-origin table and the policy built around it
// decide exactly as the engine's own createPolicy does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPolicy } from '../../src/policy/index.js';
import { AllowlistBuilder } from '../../src/gateway/compile.js';
import { allowlistOptions } from '../../src/gateway/engine.js';
import { OriginTable } from '../../src/gateway/origin-table.js';

test('OriginTable: exact byte equality, duplicates refused, sized once', () => {
  const t = new OriginTable(3);
  assert.equal(t.add('https://a.example.com'), true);
  assert.equal(t.add('https://a.example.com'), false);
  assert.equal(t.add('https://b.example.com:8443'), true);
  assert.equal(t.has('https://a.example.com'), true);
  assert.equal(t.has('https://a.example.co'), false);
  assert.equal(t.has('https://a.example.com.'), false);
  assert.equal(t.has('HTTPS://a.example.com'), false);
  assert.equal(t.has(''), false);
  assert.deepEqual(t.list().sort(), ['https://a.example.com', 'https://b.example.com:8443']);
});

test('the sliced builder decides as createPolicy does, and drops entries the check refuses with a warning', () => {
  const patterns = ['https://app.example.com', 'https://*.example.org', 'http://localhost:*', 'https://api.example.com:8443', 'http://insecure.example.com', '*', 'https://xn--bcher-kva.example'];
  const builder = new AllowlistBuilder({}, patterns.length);
  builder.add(patterns, 0, 3);
  builder.add(patterns, 3);
  const sliced = builder.build();
  assert.equal(builder.size, 5);
  assert.equal(builder.warnings.length, 2);
  assert.match(builder.warnings.join('\n'), /'http:\/\/insecure\.example\.com' ignored.*did you mean https:\/\/insecure\.example\.com\?/);
  assert.match(builder.warnings.join('\n'), /'\*' ignored: '\*' is not an origin/);
  const engine = createPolicy(allowlistOptions(patterns.filter((p) => p !== '*' && !p.startsWith('http://insecure'))));
  const origins = ['https://app.example.com', 'https://a.b.example.org', 'https://example.org', 'http://localhost', 'http://localhost:3000', 'https://api.example.com:8443', 'https://api.example.com', 'https://xn--bcher-kva.example', 'http://insecure.example.com', 'null', 'https://APP.example.com', `https://${'a'.repeat(400)}.com`];
  for (const origin of origins) {
    for (const request of [{ method: 'GET', headers: { origin } }, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-a' } }]) {
      assert.deepEqual(sliced.evaluate(request), engine.evaluate(request), `${request.method} ${origin}`);
    }
  }
  assert.deepEqual([...sliced.options.origins].sort(), [...engine.options.origins].sort());
  // More entries than announced still work (the table grows once).
  const small = new AllowlistBuilder({}, 1);
  small.add(Array.from({ length: 100 }, (_, i) => `https://o${i}.example.com`));
  assert.equal(small.build().allowsOrigin('https://o99.example.com'), true);
});
