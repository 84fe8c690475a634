// Allowlist deltas (pack.ts, receiver.ts): a state applied as a change of the previous one, in the
// primary's checked table and in a worker's tables, decides exactly as the same state compiled whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deserialize, serialize } from 'node:v8';
import pino from 'pino';
import { OriginTable } from 'corsgate/internal/origin/origin-table.js';
import {
  applyStateDelta,
  checkState,
  packDelta,
  packState,
  type CheckedState,
} from '../../src/gateway/pack.js';
import type { ToWorker, WorkerConfig } from '../../src/gateway/protocol.js';
import { StateReceiver } from '../../src/gateway/receiver.js';
import { compileSnapshot, type Snapshot } from '../../src/gateway/snapshot.js';
import { engine } from '../../src/gateway/engine.js';
import { Metrics } from '../../src/gateway/metrics.js';
import { DEFAULT_SETTINGS, type StoreState } from '../../src/store/types.js';
import { AllowlistDigest, checksumOf } from '../../src/gateway/fleet/node.js';

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('OriginTable.delete: random additions and removals in a crowded table agree with a Set', () => {
  const rnd = random(7);
  const table = new OriginTable(400);
  const set = new Set<string>();
  const pool = Array.from({ length: 600 }, (_, i) => `https://h${i}.example.com`);
  for (let step = 0; step < 20_000; step++) {
    const o = pool[Math.floor(rnd() * pool.length)]!;
    if (rnd() < 0.5) {
      if (set.size < 400 || set.has(o)) assert.equal(table.add(o), !set.has(o));
      set.add(o);
    } else assert.equal(table.delete(o), set.delete(o));
    assert.equal(table.size, set.size);
  }
  for (const o of pool) assert.equal(table.has(o), set.has(o), o);
  assert.deepEqual(table.list().sort(), [...set].sort());
});

/** The policy file's options, one object (a reloaded file is another, and makes the next state whole). */
const OV = {};

const state = (
  version: number,
  allowlist: string[],
  from?: { version: number; list: string[] },
): StoreState => {
  const s: StoreState = {
    version,
    allowlist,
    trustedSites: [],
    routes: [],
    settings: { ...DEFAULT_SETTINGS },
  };
  if (from) s.allowlistDelta = { from: from.version, ...multisetDiff(from.list, allowlist) };
  return s;
};

/** `before` → `after` as the removed and added patterns (multisets). */
function multisetDiff(before: string[], after: string[]): { removed: string[]; added: string[] } {
  const count = new Map<string, number>();
  for (const p of before) count.set(p, (count.get(p) ?? 0) + 1);
  const added: string[] = [];
  for (const p of after) {
    const n = count.get(p) ?? 0;
    if (n > 0) count.set(p, n - 1);
    else added.push(p);
  }
  const removed = [...count].flatMap(([p, n]) => Array<string>(n).fill(p));
  return { removed, added };
}

/** A worker's receiver fed in process, with the snapshots it publishes. */
function worker() {
  const published: Snapshot[] = [];
  const waits: Array<() => void> = [];
  const config = { overrides: {}, cspReportPath: null } as unknown as WorkerConfig;
  const receiver = new StateReceiver(
    config,
    new Metrics(),
    (s) => (published.push(s), waits.splice(0).forEach((w) => w()), true),
    pino({ level: 'silent' }),
  );
  const feed = async (messages: ToWorker[], version: number) => {
    const done = new Promise<void>((resolve) => waits.push(resolve));
    for (const m of messages) receiver.on(deserialize(serialize(m)) as ToWorker);
    if (published.at(-1)?.version !== version) await done;
    return published.at(-1)!;
  };
  return { feed };
}

function probes(list: string[], rnd: () => number): string[] {
  const out = new Set<string>(list.filter((p) => !p.includes('*')));
  for (let i = 0; i < 40; i++) out.add(`https://o${Math.floor(rnd() * 400)}.example.com`);
  out.add('https://deep.w1.example.net');
  out.add('https://w2.example.net');
  out.add('http://localhost:8080');
  out.add('https://evil.example');
  return [...out];
}

test('random deltas (removals, re-additions, duplicates, wildcards) decide as the same state compiled whole, in the primary and a worker', async () => {
  const rnd = random(13);
  const exact = (i: number) => `https://o${i}.example.com`;
  const wild = ['https://*.w1.example.net', 'https://*.example.net', 'http://localhost:*'];
  let list = Array.from({ length: 300 }, (_, i) => exact(i));
  let version = 1;
  let base: CheckedState = (await checkState(state(version, list), OV, () => true))!;
  const w = worker();
  const first = packState(state(version, list), base);
  await w.feed([first.begin, ...first.pieces], version);
  let deltas = 0;
  for (let step = 0; step < 120; step++) {
    const next = [...list];
    const r = rnd();
    for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) {
      if (r < 0.35)
        next.push(exact(Math.floor(rnd() * 400))); // new, re-added after a removal, or a duplicate
      else if (r < 0.7 && next.length > 0) next.splice(Math.floor(rnd() * next.length), 1);
      else if (r < 0.8)
        next[Math.floor(rnd() * next.length)] = exact(400 + step); // a row changed in place
      else if (r < 0.9) next.push(wild[Math.floor(rnd() * wild.length)]!);
      else if (next.some((p) => p.includes('*')))
        next.splice(
          next.findIndex((p) => p.includes('*')),
          1,
        );
    }
    const s = state(version + 1, next, { version, list });
    const from = version;
    version++;
    const ops = applyStateDelta(base, s, OV);
    let messages: ToWorker[];
    if (ops !== null) {
      deltas++;
      messages = [packDelta(s, from, base, ops)];
    } else {
      base = (await checkState(s, OV, () => true))!;
      const packed = packState(s, base);
      messages = [packed.begin, ...packed.pieces];
    }
    list = next;
    const whole = (await checkState(s, OV, () => true))!;
    // The primary's table after the delta holds what a whole check holds.
    assert.equal(base.builder.size, whole.builder.size, `step ${step}: size`);
    assert.deepEqual(
      base.builder.packed().others,
      whole.builder.packed().others,
      `step ${step}: other patterns, in order`,
    );
    assert.deepEqual(base.builder.warnings, whole.builder.warnings, `step ${step}: warnings`);
    const snap = await w.feed(messages, version);
    const reference = await compileSnapshot(engine, s);
    assert.equal(snap.version, version);
    assert.equal(snap.allowlistSize, reference.allowlistSize, `step ${step}: worker's size`);
    assert.deepEqual(
      [...snap.allowlist.options.origins].sort(),
      [...reference.allowlist.options.origins].sort(),
      `step ${step}: origins`,
    );
    for (const origin of probes(list, rnd)) {
      const preflight = { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'PUT' } };
      assert.deepEqual(
        snap.allowlist.evaluate(preflight),
        reference.allowlist.evaluate(preflight),
        `step ${step}: ${origin}`,
      );
      assert.equal(snap.entryOf(origin), reference.entryOf(origin), `step ${step}: entry of ${origin}`);
    }
  }
  assert.ok(deltas > 60, `${deltas} of 120 states went as deltas`);
});

test("a worker that does not hold the delta's base version asks for the whole state, and serves on", async () => {
  const w = worker();
  let base = (await checkState(state(1, ['https://a.example.com']), OV, () => true))!;
  const first = packState(state(1, ['https://a.example.com']), base);
  await w.feed([first.begin, ...first.pieces], 1);
  const s = state(3, ['https://a.example.com', 'https://b.example.com'], {
    version: 2,
    list: ['https://a.example.com'],
  });
  base = { ...base, version: 2 };
  const ops = applyStateDelta(base, s, OV)!;
  const sent: unknown[] = [];
  const original = process.send;
  process.send = ((m: unknown) => (sent.push(m), true)) as typeof process.send;
  try {
    const snap = await Promise.race([
      w.feed([packDelta(s, 2, base, ops)], 3),
      new Promise<null>((r) => setTimeout(() => r(null), 200)),
    ]);
    assert.equal(snap, null, 'nothing published');
  } finally {
    process.send = original;
  }
  assert.deepEqual(sent, [{ t: 'resync', version: 3 }]);
});

test('named cases: a duplicate removed keeps its origin, a removed origin added again, a wildcard makes the state whole', async () => {
  const a = 'https://a.example.com';
  const b = 'https://b.example.com';
  const w = worker();
  let list = [a, a, b];
  const base = (await checkState(state(1, list), OV, () => true))!;
  const first = packState(state(1, list), base);
  await w.feed([first.begin, ...first.pieces], 1);
  const steps: Array<[string[], boolean]> = [
    [[a, b], true], // one copy of a removed: a stays, the table unchanged
    [[b], true],
    [[b, a], true], // a again
    [[b, a, 'https://*.example.org'], false],
  ];
  let version = 1;
  for (const [next, asDelta] of steps) {
    const s = state(version + 1, next, { version, list });
    const ops = applyStateDelta(base, s, OV);
    assert.equal(ops !== null, asDelta, `${next.join(' ')}`);
    if (ops === null) break;
    const snap = await w.feed([packDelta(s, version, base, ops)], version + 1);
    for (const o of [a, b])
      assert.equal(snap.allowlist.allowsOrigin(o), next.includes(o), `${next.join(' ')}: ${o}`);
    version++;
    list = next;
  }
});

test('the checksum moved by deltas equals the checksum of the whole state it leads to', () => {
  const rnd = random(5);
  let list = Array.from({ length: 200 }, (_, i) => `https://o${i}.example.com`);
  const digest = AllowlistDigest.of(list);
  for (let step = 0; step < 200; step++) {
    const next = [...list];
    if (rnd() < 0.5) next.push(`https://o${Math.floor(rnd() * 300)}.example.com`);
    else next.splice(Math.floor(rnd() * next.length), 1);
    const { removed, added } = multisetDiff(list, next);
    digest.move(removed, -1);
    digest.move(added, 1);
    list = next;
    assert.equal(checksumOf(state(step, list), digest), checksumOf(state(step, list)), `step ${step}`);
  }
  assert.notEqual(checksumOf(state(1, list)), checksumOf(state(1, list.slice(1))));
});
