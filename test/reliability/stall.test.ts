// A write must not stall the proxy (issue 19 §6), the bounded CI form of `npm run bench -- stall`:
// a healthy client keeps requesting through the gateway while admin writes land on a large
// allowlist, with 1 and 2 workers. Every answer during the writes must be the right one (the old
// entries stay allowed, each written origin is allowed once its write has answered, nothing fails),
// and every healthy request must be answered while the snapshots compile. The latency rise is the
// benchmark's to judge (timed assertions are not tests); it is printed here as a diagnostic only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pool } from 'undici';
import { SqliteStore } from '../../src/store/sqlite.js';
import { api, startCli, startUpstream, tempDir } from '../gateway/helpers.js';

const ENTRIES = 100_000;
const WRITES = 3;

async function fill(db: string): Promise<void> {
  const store = new SqliteStore(db);
  for (let i = 0; i < ENTRIES; i += 50_000) {
    const items = Array.from({ length: Math.min(50_000, ENTRIES - i) }, (_, k) => ({
      urlPattern: `https://app${i + k}.example.com`,
    }));
    await store.createAllowlistMany(items, 'test');
  }
  await store.close();
}

const p99 = (v: number[]) =>
  [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(0.99 * v.length))] ?? NaN;

for (const workers of [1, 2]) {
  test(`writes on ${ENTRIES.toLocaleString('en')} entries, ${workers} worker(s): every healthy request answered, every answer right`, async () => {
    const tmp = tempDir();
    const up = await startUpstream();
    await fill(`${tmp.dir}/s.db`);
    const gw = await startCli([
      '--upstream',
      up.url,
      '--store',
      `sqlite:${tmp.dir}/s.db`,
      '--workers',
      String(workers),
      '--access-log',
      'off',
    ]);
    const pool = new Pool(gw.proxy, { connections: 4 });
    try {
      const old = `https://app${ENTRIES - 1}.example.com`;
      const written: string[] = [];
      const wrong: string[] = [];
      const latencies = { quiet: [] as number[], writes: [] as number[] };
      let phase: 'quiet' | 'writes' | 'done' = 'quiet';
      const now = () => phase; // read after each await (the writer moves it on meanwhile)
      const get = async (origin: string) => {
        const res = await pool.request({ path: '/data', method: 'GET', headers: { origin } });
        await res.body.dump();
        return res;
      };
      const client = async () => {
        for (let i = 0; now() !== 'done'; i++) {
          // Alternate an old entry with the newest written one, whose write has already answered.
          const origin = i % 2 === 0 || written.length === 0 ? old : written[written.length - 1]!;
          const t0 = performance.now();
          try {
            const res = await get(origin);
            if (res.statusCode !== 200 || res.headers['access-control-allow-origin'] !== origin)
              wrong.push(`${origin}: ${res.statusCode}`);
          } catch (err) {
            wrong.push(`${origin}: ${(err as Error).message}`);
          }
          const at = now();
          if (at !== 'done') latencies[at].push(performance.now() - t0);
          await new Promise((r) => setTimeout(r, 5));
        }
      };
      const clients = Array.from({ length: 4 }, client);
      await new Promise((r) => setTimeout(r, 2000));
      phase = 'writes';
      for (let i = 0; i < WRITES; i++) {
        const origin = `https://written${i}.example.net`;
        const res = await api(gw.admin)('POST', '/api/allowlist', { urlPattern: origin });
        assert.equal(res.status, 201, `write ${i}`);
        written.push(origin);
      }
      await new Promise((r) => setTimeout(r, 200));
      phase = 'done';
      await Promise.all(clients);
      assert.ok(
        latencies.quiet.length > 50 && latencies.writes.length > 50,
        `requests: ${latencies.quiet.length} quiet, ${latencies.writes.length} during writes`,
      );
      assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} wrong or failed answers`);
      for (const origin of written)
        assert.equal((await get(origin)).headers['access-control-allow-origin'], origin);
      console.log(
        `# p99 ${p99(latencies.quiet).toFixed(1)} ms quiet, ${p99(latencies.writes).toFixed(1)} ms during writes (diagnostic; npm run bench -- stall judges)`,
      );
    } finally {
      await pool.close();
      await gw.stop();
      await up.close();
      tmp.cleanup();
    }
  });
}
