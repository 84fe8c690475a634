// The sliced allowlist compile: the off-heap exact-origin table and the policy built around it
// decide exactly as the engine's own createPolicy does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPolicy } from 'corsgate/internal/policy/index.js';
import { AllowlistBuilder } from '../../src/gateway/compile.js';
import { allowlistOptions } from '../../src/gateway/engine.js';
import { OriginTable } from 'corsgate/internal/origin/origin-table.js';

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
  const patterns = [
    'https://app.example.com',
    'https://*.example.org',
    'http://localhost:*',
    'https://api.example.com:8443',
    'http://insecure.example.com',
    '*',
    'https://xn--bcher-kva.example',
  ];
  const builder = new AllowlistBuilder({}, patterns.length);
  builder.add(patterns, 0, 3);
  builder.add(patterns, 3);
  const sliced = builder.build();
  assert.equal(builder.size, 5);
  assert.equal(builder.warnings.length, 2);
  assert.match(
    builder.warnings.join('\n'),
    /'http:\/\/insecure\.example\.com' ignored.*did you mean https:\/\/insecure\.example\.com\?/,
  );
  assert.match(builder.warnings.join('\n'), /'\*' ignored: '\*' is not an origin/);
  const engine = createPolicy(
    allowlistOptions(patterns.filter((p) => p !== '*' && !p.startsWith('http://insecure'))),
  );
  const origins = [
    'https://app.example.com',
    'https://a.b.example.org',
    'https://example.org',
    'http://localhost',
    'http://localhost:3000',
    'https://api.example.com:8443',
    'https://api.example.com',
    'https://xn--bcher-kva.example',
    'http://insecure.example.com',
    'null',
    'https://APP.example.com',
    `https://${'a'.repeat(400)}.com`,
  ];
  for (const origin of origins) {
    for (const request of [
      { method: 'GET', headers: { origin } },
      {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-a' },
      },
    ]) {
      assert.deepEqual(sliced.evaluate(request), engine.evaluate(request), `${request.method} ${origin}`);
    }
  }
  assert.deepEqual([...sliced.options.origins].sort(), [...engine.options.origins].sort());
  // More entries than announced still work (the table grows once).
  const small = new AllowlistBuilder({}, 1);
  small.add(Array.from({ length: 100 }, (_, i) => `https://o${i}.example.com`));
  assert.equal(small.build().allowsOrigin('https://o99.example.com'), true);
});

test('a state packed by the primary and rebuilt from its pieces by a worker decides as the original does', async () => {
  const { checkState, packState } = await import('../../src/gateway/pack.js');
  const { BYTES_CHUNK } = await import('../../src/gateway/protocol.js');
  const { DEFAULT_SETTINGS } = await import('../../src/store/types.js');
  const { serialize, deserialize } = await import('node:v8');
  const allowlist = [
    ...Array.from({ length: 120_000 }, (_, i) => `https://o${i}.example.com`),
    'https://*.example.org',
    'http://insecure.example.com',
  ];
  const state = { version: 3, allowlist, routes: [], trustedSites: [], settings: { ...DEFAULT_SETTINGS } };
  const packed = packState(state, (await checkState(state, {}, () => true))!);
  assert.equal(packed.begin.table.size, 120_000);
  assert.deepEqual(packed.begin.warnings.length, 1, 'the refused entry is reported once, by the primary');
  assert.equal(packed.pieces.at(-1)!.t, 'state-end');
  // Each piece as the worker receives it (the IPC channel's "advanced" mode is the v8 serializer): a view travels as its own bytes.
  const received = packed.pieces.map((p) => deserialize(serialize(p)) as (typeof packed.pieces)[number]);
  for (const p of received) if (p.t === 'state-bytes') assert.ok(p.bytes.length <= BYTES_CHUNK);
  const { capacity, arenaBytes, size } = packed.begin.table;
  const table = {
    arena: new Uint8Array(arenaBytes),
    offsets: new Uint32Array(capacity),
    lengths: new Uint16Array(capacity),
    hashes: new Uint32Array(capacity),
  };
  const worker = new AllowlistBuilder({}, 0);
  for (const p of received) {
    if (p.t === 'state-bytes') new Uint8Array(table[p.field].buffer).set(p.bytes, p.at);
    else if (p.t === 'state-chunk') worker.add(p.items);
  }
  worker.adoptExact({ size, ...table });
  const rebuilt = worker.build();
  assert.equal(worker.size, 120_001);
  const allowed = ['https://o0.example.com', 'https://o119999.example.com', 'https://a.example.org'];
  for (const origin of [
    ...allowed,
    'https://o120000.example.com',
    'http://insecure.example.com',
    'https://evil.example',
    'https://O1.example.com',
  ]) {
    assert.equal(rebuilt.allowsOrigin(origin), allowed.includes(origin), origin);
  }
  // A newer state abandons the packing.
  assert.equal(await checkState(state, {}, () => false), null);
});
