/**
 * `npm run bench -- stall`: does an admin write stall the proxy? A healthy client sends requests
 * through `corsgate serve` at a steady pace and records each one's latency, first with no writes,
 * then while admin writes land on an allowlist of 1,000,000 entries (each write recompiles the
 * whole allowlist and waits for it to be in force). Target (issue 19 §6): the client's p99 rises
 * by at most 5 ms.
 *
 * The gateway (primary and worker) is pinned to CPU 0, the client and its upstream to CPU 1.
 * Environment: CORSGATE_STALL_ENTRIES (default 1000000), CORSGATE_STALL_WRITES (default 5).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { SqliteStore } from '../src/store/sqlite.js';
import { BENCH_ADMIN_TOKEN, gatewayArgs, median, writeResults } from './support.js';

const ENTRIES = Number(process.env.CORSGATE_STALL_ENTRIES ?? '1000000');
const WRITES = Number(process.env.CORSGATE_STALL_WRITES ?? '5');
const PACE_MS = 5; // one request per 5 ms per connection
const CONNECTIONS = 4;
const TOKEN = BENCH_ADMIN_TOKEN;
const PIN = cpus().length >= 2 && !spawnSync('taskset', ['-c', '0', 'true']).error;

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function fill(db: string): Promise<number> {
  const started = Date.now();
  const store = new SqliteStore(db);
  const chunk = 50_000;
  for (let i = 0; i < ENTRIES; i += chunk) {
    const items = Array.from({ length: Math.min(chunk, ENTRIES - i) }, (_, k) => ({
      urlPattern: `https://app${i + k}.example.com`,
    }));
    await store.createAllowlistMany(items, 'bench');
  }
  await store.close();
  return Date.now() - started;
}

export default async function run(): Promise<void> {
  if (PIN) spawnSync('taskset', ['-cp', '1', String(process.pid)]);
  const dir = mkdtempSync(join(tmpdir(), 'corsgate-stall-'));
  const upstream = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upstreamPort = (upstream.address() as AddressInfo).port;
  const db = join(dir, 'stall.db');
  console.log(`filling a store with ${ENTRIES.toLocaleString('en')} allowlist entries…`);
  const fillMs = await fill(db);
  const out = join(dir, 'gateway.out');
  const args = gatewayArgs(`http://127.0.0.1:${upstreamPort}`, db, ['--access-log', 'off']);
  const [cmd, a] = PIN ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
  const child = spawn('sh', ['-c', `exec "$@" > ${out} 2>&1`, 'sh', cmd, ...a], {
    env: { ...process.env, CORSGATE_ADMIN_TOKEN: TOKEN, NODE_ENV: 'production' },
    stdio: 'ignore',
  });
  const startedAt = Date.now();
  let proxy = '';
  let admin = '';
  try {
    while (!proxy) {
      if (Date.now() - startedAt > 120_000)
        throw new Error(`the gateway did not start:\n${readFileSync(out, 'utf8')}`);
      await new Promise((r) => setTimeout(r, 200));
      const text = readFileSync(out, 'utf8');
      proxy = /proxy:\s+(http:\/\/\S+)/.exec(text)?.[1] ?? '';
      admin = /admin:\s+(http:\/\/\S+)/.exec(text)?.[1] ?? '';
    }
    const startMs = Date.now() - startedAt;
    const pool = new Pool(proxy, { connections: CONNECTIONS });
    const origin = `https://app${ENTRIES - 1}.example.com`;
    let phase: 'warm' | 'quiet' | 'writes' | 'done' = 'warm';
    const latencies = { quiet: [] as number[], writes: [] as number[] };
    let errors = 0;
    const client = async () => {
      while (phase !== 'done') {
        const t0 = performance.now();
        try {
          const res = await pool.request({ path: '/data', method: 'GET', headers: { origin } });
          await res.body.dump();
          if (res.statusCode !== 200 || res.headers['access-control-allow-origin'] !== origin) errors++;
        } catch {
          errors++;
        }
        const ms = performance.now() - t0;
        if (phase === 'quiet' || phase === 'writes') latencies[phase].push(ms);
        const wait = PACE_MS - ms;
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    };
    const clients = Array.from({ length: CONNECTIONS }, client);
    await new Promise((r) => setTimeout(r, 1500));
    phase = 'quiet';
    await new Promise((r) => setTimeout(r, 5000));
    phase = 'writes';
    const writeMs: number[] = [];
    for (let i = 0; i < WRITES; i++) {
      const t0 = performance.now();
      const res = await fetch(`${admin}/api/allowlist`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ urlPattern: `https://written${i}.example.net` }),
      });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`write ${i} answered ${res.status}`);
      writeMs.push(performance.now() - t0);
    }
    phase = 'done';
    await Promise.all(clients);
    await pool.close();
    const row = (name: string, v: number[]) =>
      `| ${name} | ${v.length} | ${median(v).toFixed(2)} | ${percentile(v, 99).toFixed(2)} | ${Math.max(...v).toFixed(2)} |`;
    const rise = percentile(latencies.writes, 99) - percentile(latencies.quiet, 99);
    const table = [
      '| healthy client (GET through the proxy) | requests | p50 ms | p99 ms | max ms |',
      '|---|---:|---:|---:|---:|',
      row('no admin writes', latencies.quiet),
      row(`during ${WRITES} writes on ${ENTRIES.toLocaleString('en')} entries`, latencies.writes),
      '',
      `p99 rise: **${rise.toFixed(2)} ms** (target ≤ 5 ms); wrong or failed answers: ${errors}.`,
      `Each write's answer (in force on every worker): median ${median(writeMs).toFixed(0)} ms, max ${Math.max(...writeMs).toFixed(0)} ms. Gateway start with ${ENTRIES.toLocaleString('en')} entries: ${startMs} ms; filling the store: ${fillMs} ms.`,
    ].join('\n');
    console.log(table);
    writeResults(
      'stall',
      table,
      `${CONNECTIONS} client connections, one request per ${PACE_MS} ms each, 5 s without writes, then ${WRITES} admin writes one after another (each waits until the new snapshot is in force). ${PIN ? 'The gateway (primary and worker) on CPU 0; the client, its upstream and this script on CPU 1.' : 'No CPU pinning.'} The machine is shared: compare the two rows, not runs.`,
    );
  } finally {
    child.kill('SIGTERM');
    upstream.close();
    await new Promise((r) => setTimeout(r, 1000));
    rmSync(dir, { recursive: true, force: true });
  }
}
