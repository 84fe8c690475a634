// The worker's usage counter in memory: bounded tables, entry resolution, the one-origin cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TopN, UsageCounter, examplePath } from '../../src/gateway/usage/counter.js';
import type { Outcome } from '../../src/gateway/core/decide.js';

const route = { id: 'r', kind: 'allowlist' } as unknown as Outcome['route'];
const outcome = (decision: 'allowed' | 'refused', origin: string, kind: 'forward' | 'refuse' = 'forward') =>
  ({ kind, decision, origin, route, path: '/p' }) as unknown as Outcome;

test('a flood of random origins keeps at most 2n keys and drains the n most frequent', () => {
  const t = new TopN<{ count: number }>(10);
  t.set('hot', { count: 1000 });
  for (let i = 0; i < 10_000; i++) t.set(`k${i}`, { count: 1 });
  assert.ok(t.size <= 20);
  const top = t.drain();
  assert.equal(top.length, 10);
  assert.equal(top[0]!.count, 1000, 'the frequent key survives the flood');
});

test('allowed origins are counted under their entry; refused ones with route, path and the would-be kind', () => {
  const u = new UsageCounter(100);
  for (let i = 0; i < 5; i++) u.record(outcome('allowed', 'https://a.example.com'), '/x');
  u.record(outcome('allowed', 'https://b.example.com'), '/x');
  u.record(outcome('allowed', 'https://a.example.com'), '/x');
  u.record(outcome('refused', 'https://evil.example', 'refuse'), '/secret?token=1');
  u.record(outcome('refused', 'https://evil.example'), '/secret');
  const b = u.drain((o) => (o.endsWith('.example.com') ? 'https://*.example.com' : null));
  assert.deepEqual(
    b.entries.map((e) => [e.pattern, e.hits]),
    [['https://*.example.com', 7]],
  );
  assert.deepEqual(
    b.refused.map((r) => [r.route, r.origin, r.count, r.examplePath]),
    [['r', 'https://evil.example', 2, '/secret']],
  );
  const t = b.traffic[0]!;
  assert.deepEqual([t.allowed, t.refused, t.wouldRefuse], [7, 1, 1]);
  assert.deepEqual(u.drain(() => null).entries, [], 'a drain starts afresh');
});

test('the one-origin cache never counts into a cell the table dropped', () => {
  const u = new UsageCounter(2);
  u.record(outcome('allowed', 'https://keep.example'), '/');
  u.record(outcome('allowed', 'https://keep.example'), '/');
  for (let i = 0; i < 10; i++) u.record(outcome('allowed', `https://x${i}.example`), '/');
  for (let i = 0; i < 3; i++) u.record(outcome('allowed', 'https://keep.example'), '/');
  const b = u.drain((o) => o);
  assert.equal(b.entries.find((e) => e.pattern === 'https://keep.example')!.hits, 5);
});

test('example paths lose their query and are bounded', () => {
  assert.equal(examplePath('/a/b?x=1'), '/a/b');
  assert.equal(examplePath(`/${'a'.repeat(1000)}`).length, 256);
});
