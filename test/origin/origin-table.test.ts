// The matcher's off-heap home for exact origins: the same answers as the Set it replaces, moved as bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkOriginPattern, OriginMatcherBuilder } from 'corsgate/internal/origin/index.js';
import { OriginTable } from 'corsgate/internal/origin/origin-table.js';

const PATTERNS = [
  'https://app.example.com',
  'https://api.example.com:8443',
  'http://localhost:*',
  'https://*.example.org',
  'https://xn--bcher-kva.example',
];
const PROBES = [
  'https://app.example.com',
  'https://APP.example.com',
  'https://app.example.com.',
  'https://api.example.com:8443',
  'https://api.example.com',
  'http://localhost:3000',
  'http://localhost',
  'https://a.example.org',
  'https://example.org',
  'https://xn--bcher-kva.example',
  'null',
  '',
  `https://${'a'.repeat(300)}.com`,
];

function build(options: { offHeapExact?: number }) {
  const b = new OriginMatcherBuilder(options);
  for (const p of PATTERNS) {
    const c = checkOriginPattern(p);
    assert.ok(c.pattern !== null, p);
    assert.equal(b.add(c.pattern), true, p);
  }
  return b;
}

test('an off-heap matcher answers as the Set-based one, refuses duplicates, and grows past its announced size', () => {
  const onHeap = build({}).build();
  const builder = build({ offHeapExact: 1 });
  assert.equal(builder.add(checkOriginPattern('https://app.example.com').pattern!), false, 'a duplicate');
  assert.equal(builder.tableSize, 3, 'the exact origins are in the table');
  const offHeap = builder.build();
  assert.equal(offHeap.size, onHeap.size);
  for (const o of PROBES) assert.equal(offHeap.allows(o), onHeap.allows(o), o);
  assert.deepEqual(builder.tableOrigins().sort(), [
    'https://api.example.com:8443',
    'https://app.example.com',
    'https://xn--bcher-kva.example',
  ]);
  assert.equal(new OriginMatcherBuilder().tableParts(), null, 'a Set-based builder has no table to move');
});

test('a table rebuilt from copies of its arrays answers as the original', () => {
  const t = new OriginTable(1000);
  for (let i = 0; i < 1000; i++) t.add(`https://o${i}.example.com`);
  const p = t.parts();
  const copy = OriginTable.fromParts({
    size: p.size,
    arena: p.arena.slice(),
    offsets: p.offsets.slice(),
    lengths: p.lengths.slice(),
    hashes: p.hashes.slice(),
  });
  assert.equal(copy.size, 1000);
  for (const o of [
    'https://o0.example.com',
    'https://o999.example.com',
    'https://o1000.example.com',
    'https://o1.example.co',
  ])
    assert.equal(copy.has(o), t.has(o), o);
  const receiver = new OriginMatcherBuilder({ offHeapExact: 0 });
  receiver.adoptTable(copy.parts());
  assert.equal(receiver.build().allows('https://o500.example.com'), true);
  assert.throws(() => new OriginMatcherBuilder().adoptTable(p), /off-heap builder/);
  assert.throws(() => OriginTable.fromParts({ ...p, lengths: new Uint16Array(3) }), /mismatched/);
});
