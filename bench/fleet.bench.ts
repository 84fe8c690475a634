/**
 * Fleet propagation: three `corsgate serve` nodes on one PostgreSQL database, each through its own
 * TCP relay (test/fleet/harness.ts). Every figure is the time from a write's start (or its commit)
 * until EVERY node enforces the change, observed from outside by preflights on each node's proxy:
 * - 500 one-entry writes on rotating nodes, small allowlist;
 * - one-entry writes on an allowlist of 100,000 origins;
 * - a change written with no NOTIFY while the listeners are terminated (the heartbeat's bound);
 * - a 10,000-origin import, from its commit (`committed_at`, stamped just before COMMIT);
 * - a node started while PostgreSQL is unreachable: spawn until it serves its cache.
 * Bounded to a few minutes. Results go to bench/results/fleet.md.
 *
 * Environment, for a focused look (results are then printed, not written): CORSGATE_BENCH_FLEET=big
 * runs only the 100,000-origin rows (the load by SQL, then the one-entry writes), and
 * CORSGATE_BENCH_FLEET_WRITES the number of those writes (default 100).
 */
import { tempDir } from '../test/gateway/helpers.js';
import { allows, Relay, readyz, startNode, type FleetNodeProc } from '../test/fleet/harness.js';
import { sql, testDatabase } from '../test/support/pg.js';
import { writeResults } from './support.js';

const q = (s: number[], p: number) => {
  const a = [...s].sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.ceil((p / 100) * a.length) - 1)]!;
};
const row = (name: string, s: number[], target: string) =>
  `| ${name} | ${s.length} | ${q(s, 50).toFixed(0)} | ${q(s, 95).toFixed(0)} | ${q(s, 99).toFixed(0)} | ${Math.max(...s).toFixed(0)} | ${target} |`;

/** Polls every node until each allows `origin` (or refuses it, `want` false); returns ms since `t0`. */
async function enforcedEverywhere(
  nodes: FleetNodeProc[],
  origin: string,
  t0: number,
  want = true,
  limitMs = 20_000,
): Promise<number> {
  const pending = new Set(nodes);
  const deadline = t0 + limitMs;
  while (pending.size) {
    await Promise.all([...pending].map(async (n) => (await allows(n, origin)) === want && pending.delete(n)));
    if (performance.now() > deadline) throw new Error(`${origin} not enforced everywhere within 20 s`);
  }
  return performance.now() - t0;
}

async function writes(nodes: FleetNodeProc[], count: number, prefix: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const origin = `https://${prefix}${i}.example.com`;
    const t0 = performance.now();
    const res = await nodes[i % nodes.length]!.admin('POST', '/api/allowlist', { urlPattern: origin });
    if (res.status !== 201) throw new Error(`write ${i}: ${res.status} ${res.text}`);
    out.push(await enforcedEverywhere(nodes, origin, t0));
  }
  return out;
}

async function missed(nodes: FleetNodeProc[], url: string, rounds: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await sql(
      url,
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'corsgate-listen' AND datname = current_database()",
    );
    const origin = `https://quiet${i}.example.com`;
    const t0 = performance.now();
    await sql(
      url,
      `BEGIN; SET LOCAL session_replication_role = replica; UPDATE config_state SET version = version + 1;
      INSERT INTO allowlist (id, url_pattern, created_at, created_by) VALUES ('quiet${i}', '${origin}', now()::text, 'bench');
      INSERT INTO config_changes SELECT version, 'allowlist', 'quiet${i}' FROM config_state; COMMIT`,
    );
    out.push(await enforcedEverywhere(nodes, origin, t0));
    await new Promise((r) => setTimeout(r, 300));
  }
  return out;
}

async function imports(nodes: FleetNodeProc[], url: string, rounds: number): Promise<number[]> {
  const out: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const items = Array.from({ length: 10_000 }, (_, i) => ({
      urlPattern: `https://imp${r}-${i}.example.com`,
    }));
    const res = await nodes[r % nodes.length]!.admin('POST', '/api/allowlist/bulk', { items });
    if (res.status !== 200) throw new Error(`import: ${res.status}`);
    // The commit's time: the write stamps config_state.committed_at with clock_timestamp() just before COMMIT.
    const [{ at }] = (await sql<{ at: number }>(
      url,
      'SELECT (extract(epoch FROM committed_at) * 1000)::float8 AS at FROM config_state',
    )) as [{ at: number }];
    const t0 = performance.now() - (Date.now() - Number(at));
    out.push(await enforcedEverywhere(nodes, items[9999]!.urlPattern, t0));
  }
  return out;
}

/** Cache starts measured from the node's first log line (filled by cacheStarts). */
const afterLoad: number[] = [];

async function cacheStarts(
  nodes: FleetNodeProc[],
  db: { name: string },
  dir: string,
  rounds: number,
): Promise<number[]> {
  const out: number[] = [];
  const n = nodes[2]!;
  for (let r = 0; r < rounds; r++) {
    n.relay.cut();
    await nodes[2]!.gw.stop();
    const t0 = performance.now();
    nodes[2] = await startNode('n3', n.relay, db, dir);
    while (!(
      (await readyz(nodes[2]!)).status === 200 && (await allows(nodes[2]!, 'https://small0.example.com'))
    ))
      await new Promise((res) => setTimeout(res, 5));
    out.push(performance.now() - t0);
    // The same, from the node's first log line (the store found unreachable), without the process's own start-up.
    const line = nodes[2]!.gw.stdout.split('\n').find((l) => l.includes('admin token not checked at start'));
    if (line) afterLoad.push(Date.now() - (JSON.parse(line) as { time: number }).time);
    n.relay.heal();
    await new Promise((res) => setTimeout(res, 1500));
  }
  return out;
}

const ONLY_BIG = process.env.CORSGATE_BENCH_FLEET === 'big';
const BIG_WRITES = Math.max(1, Math.round(Number(process.env.CORSGATE_BENCH_FLEET_WRITES ?? '100')));

/** 100,000 origins, written by SQL in one transaction (the triggers bump and log it once), then one-entry writes. */
async function bigRows(nodes: FleetNodeProc[], url: string): Promise<{ loaded: number; big: number[] }> {
  await sql(
    url,
    "INSERT INTO allowlist (id, url_pattern, created_at, created_by) SELECT 'big' || i, 'https://big' || i || '.example.com', now()::text, 'bench' FROM generate_series(1, 100000) AS i",
  );
  const loaded = await enforcedEverywhere(
    nodes,
    'https://big100000.example.com',
    performance.now(),
    true,
    120_000,
  );
  console.log(`100k rows added by SQL: every node enforces them after ${loaded.toFixed(0)} ms`);
  const big = await writes(nodes, BIG_WRITES, 'one');
  console.log(row('100k allowlist, one entry', big, '≤300 ms p99'));
  return { loaded, big };
}

export default async function run(): Promise<void> {
  const db = await testDatabase('bench');
  const tmp = tempDir();
  const relays = await Promise.all(
    [0, 1, 2].map(async () => {
      const r = new Relay({ host: db.host, port: db.port });
      await r.start();
      return r;
    }),
  );
  const nodes: FleetNodeProc[] = [];
  try {
    nodes.push(...(await Promise.all(relays.map((r, i) => startNode(`n${i + 1}`, r, db, tmp.dir)))));
    if (ONLY_BIG) {
      await bigRows(nodes, db.url);
      return;
    }
    const small = await writes(nodes, 500, 'small');
    console.log(row('small allowlist', small, '≤150 ms p99'));
    const cache = await cacheStarts(nodes, db, tmp.dir, 3);
    console.log(row('cache start', cache, '≤1 s'));
    const quiet = await missed(nodes, db.url, 5);
    console.log(row('notifications missed', quiet, '≤1.5 s'));
    const imp = await imports(nodes, db.url, 3);
    console.log(row('10k import', imp, '≤1 s'));
    const { loaded, big } = await bigRows(nodes, db.url);
    const table = [
      '| scenario | n | p50 ms | p95 ms | p99 ms | max ms | target |',
      '|---|---|---|---|---|---|---|',
      row('small allowlist: write start → every node enforces', small, '≤150 ms p99'),
      row('100k allowlist, one-entry change', big, '≤300 ms p99'),
      row('every notification missed (listeners terminated, no NOTIFY)', quiet, '≤1.5 s'),
      row('10,000-origin import: commit → every node', imp, '≤1 s'),
      row('node started during an outage: spawn → serving its cache', cache, '≤1 s'),
      ...(afterLoad.length
        ? [
            row(
              "the same, from the node's first log line (store found unreachable) → serving",
              afterLoad,
              '≤1 s',
            ),
          ]
        : []),
      `| 100,000 origins added by SQL in one transaction → every node | 1 | ${loaded.toFixed(0)} | | | | |`,
    ].join('\n');
    console.log(`\n${table}`);
    writeResults(
      'fleet',
      table,
      `Three nodes (1 proxy worker each) on loopback, each through its own TCP relay to PostgreSQL ${(await sql<{ server_version: string }>(db.url, 'SHOW server_version'))[0]!.server_version} on 127.0.0.1; probes are preflights on each node's proxy. Load average at the end: ${(
        await import('node:os')
      )
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (the machine is shared).`,
    );
  } finally {
    await Promise.all(nodes.map((n) => n.gw.stop()));
    for (const r of relays) await r.close();
    await db.drop();
    tmp.cleanup();
  }
}
