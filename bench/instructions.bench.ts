/**
 * Instructions per request, counted by callgrind: the gateway's cost without this machine's noise.
 * CPU time per request moves by ±30% from one run to the next on a shared machine (other guests
 * on the host, cache and frequency drift), while the instructions a process runs for the same
 * requests are nearly the same each time, whatever else runs. Each server runs under
 * `valgrind --tool=callgrind`; a Node keep-alive client (20 connections) sends WARM requests, the
 * counters are zeroed (`callgrind_control -z`), COUNT more are sent, and the counts are dumped.
 * The figure is the server's main thread (where requests are handled) per request; V8's compiler
 * and GC helper threads, and a gateway's primary, are shown apart. Instructions are no time: a
 * cache miss costs more than an add. They tell what work each request does, and how it changes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite.js';
import { startNginx, UPSTREAM_HTTP } from './gateway.bench.js';
import { BENCH_ADMIN_TOKEN, gatewayArgs, repoRoot, writeResults } from './support.js';

const WARM = Number(process.env.CORSGATE_BENCH_WARM ?? '20000');
const COUNT = 4000;
const ORIGIN = 'https://app0.example.com';
const PREFLIGHT = {
  origin: ORIGIN,
  'access-control-request-method': 'PUT',
  'access-control-request-headers': 'content-type',
};

/** Sends `n` requests over 20 keep-alive connections. */
async function load(port: number, n: number, method: 'GET' | 'OPTIONS'): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 20 });
  const headers = method === 'OPTIONS' ? PREFLIGHT : { origin: ORIGIN };
  let left = n;
  const one = (): Promise<void> =>
    left-- <= 0
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          const r = request({ host: '127.0.0.1', port, path: '/data', method, headers, agent }, (res) => {
            res.resume();
            res.on('end', resolve);
          });
          r.on('error', reject);
          r.end();
        }).then(one);
  await Promise.all(Array.from({ length: 20 }, one));
  agent.destroy();
}

interface Counted {
  main: number;
  helpers: number;
  primary: number;
}

/** Runs `args` under callgrind (children traced), loads it, and counts COUNT requests. */
async function count(dir: string, name: string, args: string[], method: 'GET' | 'OPTIONS'): Promise<Counted> {
  const out = join(dir, `${name}.%p`);
  const child: ChildProcess = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--trace-children=yes',
      '--separate-threads=yes',
      '--smc-check=all-non-file',
      `--callgrind-out-file=${out}`,
      process.execPath,
      ...args,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_ENV: 'production',
        CORSGATE_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      },
    },
  );
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  let port = 0;
  for (const until = Date.now() + 120_000; port === 0;) {
    if (Date.now() > until) throw new Error(`${name} did not start under valgrind:\n${text}`);
    await new Promise((r) => setTimeout(r, 250));
    port = Number(/(?:proxy:\s+http:\/\/127\.0\.0\.1:|READY )(\d+)/.exec(text)?.[1] ?? 0);
  }
  await load(port, WARM, method);
  const pids = () =>
    readdirSync('/proc').filter((p) => /^\d+$/.test(p) && readCmd(p).includes(`--callgrind-out-file=${out}`));
  for (const pid of pids()) spawnSync('callgrind_control', ['-z', pid]);
  await load(port, COUNT, method);
  for (const pid of pids()) spawnSync('callgrind_control', ['-d', pid]);
  child.kill('SIGTERM');
  for (const pid of pids()) spawnSync('kill', ['-TERM', pid]);
  await new Promise((r) => setTimeout(r, 1500));
  // One file per process and thread: <name>.<pid>.1-<thread>; thread 01 is the main thread.
  const parts = readdirSync(dir)
    .filter((f) => f.startsWith(`${name}.`) && /\.1-\d+$/.test(f))
    .map((f) => {
      const [, pid, thread] = /\.(\d+)\.1-(\d+)$/.exec(f)!;
      const total = Number(
        /^(?:summary|totals):\s+(\d+)/m.exec(readFileSync(join(dir, f), 'utf8'))?.[1] ?? 0,
      );
      return { pid: pid!, main: thread === '01', n: total / COUNT };
    });
  // The process that served the requests is the one whose main thread ran the most (a gateway's worker).
  const served = parts.filter((x) => x.main).sort((a, b) => b.n - a.n)[0]!.pid;
  const c: Counted = { main: 0, helpers: 0, primary: 0 };
  for (const x of parts) {
    if (x.pid !== served) c.primary += x.n;
    else if (x.main) c.main += x.n;
    else c.helpers += x.n;
  }
  return c;
}

function readCmd(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

export default async function run(): Promise<void> {
  for (const tool of ['valgrind', 'callgrind_control', '/usr/sbin/nginx'])
    if (spawnSync(tool, ['--version']).error) {
      console.log(
        `${tool} is not installed (apt-get install -y valgrind nginx): instruction counts not taken`,
      );
      process.exitCode = 1;
      return;
    }
  const dir = mkdtempSync(join(tmpdir(), 'corsgate-instr-'));
  const upstream = await startNginx(join(dir, 'upstream'), '1', UPSTREAM_HTTP);
  try {
    const db = join(dir, 'one.db');
    const store = new SqliteStore(db);
    await store.createAllowlistMany([{ urlPattern: ORIGIN }], 'bench');
    await store.close();
    const root = repoRoot();
    const peers = join(root, 'dist', 'bench', 'servers', 'proxy-peers.js');
    const up = `http://127.0.0.1:${upstream.port}`;
    const corsgate = gatewayArgs(up, db, ['--access-log', 'off']);
    const rows: string[] = [];
    const ratios: string[] = [];
    for (const [kind, method, floorName, floorArgs] of [
      ['preflight', 'OPTIONS', 'node:http answering 204', [peers, 'preflight-floor']],
      ['GET', 'GET', 'node:http + undici dispatch', [peers, 'floor', up]],
    ] as const) {
      const floor = await count(dir, `floor-${method}`, [...floorArgs], method);
      const gate = await count(dir, `corsgate-${method}`, corsgate, method);
      const k = (n: number) => (n / 1000).toFixed(1);
      rows.push(`| ${kind} | floor: ${floorName} | ${k(floor.main)} | 1.00× | ${k(floor.helpers)} | |`);
      rows.push(
        `| ${kind} | corsgate, 1 origin | ${k(gate.main)} | ${(gate.main / floor.main).toFixed(3)}× | ${k(gate.helpers)} | ${k(gate.primary)} |`,
      );
      ratios.push(
        `${kind} ${(gate.main / floor.main).toFixed(3)}× (with the primary ${((gate.main + gate.primary) / floor.main).toFixed(3)}×)`,
      );
      process.stderr.write('.');
    }
    process.stderr.write('\n');
    const table = [
      '| request | server | main thread, k instructions/req | × floor | other threads | primary |',
      '|---|---|---:|---:|---:|---:|',
      ...rows,
    ].join('\n');
    console.log(table);
    console.log(`\ncorsgate ÷ floor, main thread: ${ratios.join('; ')}`);
    writeResults(
      'instructions',
      table,
      [
        `corsgate ÷ floor, main thread: ${ratios.join('; ')}.`,
        '',
        `Method: each server under \`valgrind --tool=callgrind --trace-children=yes --separate-threads=yes\`; ${WARM} requests from a Node keep-alive client (20 connections) to warm it, counters zeroed, ${COUNT} more counted. The upstream is the gateway benchmark's nginx (CPU 1). "Other threads" are V8's compiler and GC helpers, still compiling under valgrind's slowdown; "primary" is the gateway's primary process (its timers run about 50 times more often per request under valgrind than at full speed). Instructions are not time (a cache miss costs more than an add); they show the work a request does, free of this shared machine's noise.`,
      ].join('\n'),
    );
  } finally {
    upstream.stop();
    await new Promise((r) => setTimeout(r, 300));
    rmSync(dir, { recursive: true, force: true });
  }
}
