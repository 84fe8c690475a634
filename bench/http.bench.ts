/**
 * Throughput, p99 latency and server CPU per request over loopback HTTP: bare node:http, a
 * hand-written minimal CORS and corsgate's node adapter; then each framework with its usual CORS
 * package and with corsgate; for an allowed GET, a preflight and a refused GET, at allowlists of
 * 1, 100 and 10,000 entries (bench/servers/allowlist.ts).
 *
 * Method, chosen to make the comparison fair on a small shared machine:
 * - load from wrk (Debian's package) in its own process; each server in a child process of its own;
 *   with taskset and two or more CPUs, servers are pinned to CPU 0 and wrk to CPU 1;
 * - the servers being compared run side by side (bare, hand-written, corsgate-node; or a peer and
 *   corsgate in one framework) and their runs alternate, A B / B A, round after round, so drift in
 *   the machine falls on both alike; every server gets a warm-up before its first measured run;
 * - each cell is the median of RUNS runs; "corsgate vs peer" is the median of the ratios of
 *   neighbouring runs (same round, same request), which cancels slow drift further;
 * - CPU µs/req is the server process's CPU time during a run divided by the requests it answered:
 *   unlike req/s it barely moves when other processes share the machine.
 * Environment: CORSGATE_BENCH_SECONDS (per run, default 2), CORSGATE_BENCH_RUNS (default 3),
 * CORSGATE_BENCH_SIZES (e.g. "1,100"), CORSGATE_BENCH_GROUPS (e.g. "node,hono") for short checks.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { median, writeResults } from './support.js';
import { allowlist } from './servers/allowlist.js';

interface Group {
  name: string;
  servers: string[];
}
const ALL_GROUPS: Group[] = [
  { name: 'node', servers: ['bare', 'handwritten', 'corsgate-node'] },
  { name: 'express', servers: ['express-cors', 'express-corsgate'] },
  { name: 'fastify', servers: ['fastify-cors', 'fastify-corsgate'] },
  { name: 'hono', servers: ['hono-cors', 'hono-corsgate'] },
  { name: 'koa', servers: ['koa-cors', 'koa-corsgate'] },
];
const KINDS = ['allowed GET', 'preflight', 'refused GET'] as const;
type Kind = (typeof KINDS)[number];

function envList(name: string): string[] | null {
  const v = process.env[name];
  return v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : null;
}
const SECONDS = Math.max(1, Math.round(Number(process.env.CORSGATE_BENCH_SECONDS ?? '2'))); // wrk takes whole seconds
const RUNS = Math.max(1, Math.round(Number(process.env.CORSGATE_BENCH_RUNS ?? '3')));
const WARMUP_SECONDS = 1;
const CONNECTIONS = 32;
const SIZES = (envList('CORSGATE_BENCH_SIZES') ?? ['1', '100', '10000']).map(Number);
const GROUPS = ALL_GROUPS.filter((g) =>
  (envList('CORSGATE_BENCH_GROUPS') ?? ALL_GROUPS.map((x) => x.name)).includes(g.name),
);

const PIN = cpus().length >= 2 && !spawnSync('taskset', ['-c', '0', 'true']).error;
const pinned = (cpu: number, cmd: string, args: string[]): [string, string[]] =>
  PIN ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args];

interface Sample {
  rps: number;
  p99ms: number;
  cpuUsPerReq: number;
}

class BenchServer {
  private pendingCpu: Array<{ resolve: (us: number) => void; reject: (err: Error) => void }> = [];
  private exited = false;
  private constructor(
    readonly name: string,
    readonly port: number,
    private child: ChildProcess,
  ) {
    child.on('exit', (code) => {
      this.exited = true;
      for (const p of this.pendingCpu.splice(0))
        p.reject(new Error(`benchmark server ${name} exited with ${code}`));
    });
  }

  static start(name: string, size: number): Promise<BenchServer> {
    const script = join(dirname(fileURLToPath(import.meta.url)), 'servers', 'http-server.js');
    const [cmd, args] = pinned(0, process.execPath, [script, name, String(size)]);
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, NODE_ENV: 'production' },
    });
    return new Promise((resolve, reject) => {
      let server: BenchServer | undefined;
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const ready = /^READY (\d+)$/.exec(line);
        if (ready && !server) resolve((server = new BenchServer(name, Number(ready[1]), child)));
        const cpu = /^CPU (\d+)$/.exec(line);
        if (cpu && server) server.pendingCpu.shift()?.resolve(Number(cpu[1]));
      });
      child.on('exit', (code) => {
        if (!server) reject(new Error(`benchmark server ${name} exited with ${code}`));
      });
    });
  }

  cpu(): Promise<number> {
    if (this.exited) return Promise.reject(new Error(`benchmark server ${this.name} is not running`));
    return new Promise((resolve, reject) => {
      this.pendingCpu.push({ resolve, reject });
      this.child.stdin!.write('cpu\n');
    });
  }

  stop(): void {
    this.exited = true;
    this.child.stdin!.end();
    this.child.kill();
  }
}

function wrkArgs(luaFile: string, url: string, seconds: number): string[] {
  return ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '-s', luaFile, url];
}

function runWrk(
  luaFile: string,
  url: string,
  seconds: number,
): { rps: number; p99ms: number; requests: number; text: string } {
  const [cmd, args] = pinned(1, 'wrk', wrkArgs(luaFile, url, seconds));
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const text = r.stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN);
  const requests = Number(/(\d+) requests in/.exec(text)?.[1] ?? NaN);
  const m = /^\s+99%\s+([\d.]+)(us|ms|s)/m.exec(text);
  const unit = m?.[2] === 'us' ? 0.001 : m?.[2] === 's' ? 1000 : 1;
  // Every request kind is answered 2xx by every server: anything else is a broken server, not a figure.
  if (/Non-2xx or 3xx responses/.test(text)) throw new Error(`wrk saw non-2xx answers from ${url}:\n${text}`);
  if (/Socket errors/.test(text))
    process.stderr.write(`\nwrk saw socket errors against ${url}: ${/Socket errors:.*/.exec(text)?.[0]}\n`);
  return { rps, p99ms: m ? Number(m[1]) * unit : NaN, requests, text };
}

async function measure(server: BenchServer, luaFile: string): Promise<Sample> {
  const url = `http://127.0.0.1:${server.port}/data`;
  const before = await server.cpu();
  const r = runWrk(luaFile, url, SECONDS);
  const after = await server.cpu();
  return { rps: r.rps, p99ms: r.p99ms, cpuUsPerReq: (after - before) / r.requests };
}

function luaFor(kind: Kind, allowed: string, refused: string): string {
  // Every request kind answers 2xx, so wrk's error count stays a real check.
  switch (kind) {
    case 'allowed GET':
      return `wrk.method = "GET"\nwrk.headers["Origin"] = "${allowed}"\n`;
    case 'preflight':
      return `wrk.method = "OPTIONS"\nwrk.headers["Origin"] = "${allowed}"\nwrk.headers["Access-Control-Request-Method"] = "PUT"\nwrk.headers["Access-Control-Request-Headers"] = "x-custom"\n`;
    case 'refused GET':
      return `wrk.method = "GET"\nwrk.headers["Origin"] = "${refused}"\n`;
  }
}

const key = (server: string, size: number, kind: Kind) => `${server}|${size}|${kind}`;

export default async function run(): Promise<void> {
  if (spawnSync('wrk', ['--version']).error) {
    console.log('wrk is not installed (apt-get install -y wrk): HTTP benchmark not run');
    process.exitCode = 1;
    return;
  }
  const serverCount = GROUPS.reduce((n, g) => n + g.servers.length, 0);
  const estimate = SIZES.length * serverCount * KINDS.length * (WARMUP_SECONDS + RUNS * SECONDS);
  console.log(
    `${SIZES.length} sizes × ${serverCount} servers × ${KINDS.length} requests × (${WARMUP_SECONDS} s warm-up + ${RUNS} × ${SECONDS} s): about ${Math.ceil(estimate / 60)} min; ${PIN ? 'servers on CPU 0, wrk on CPU 1' : 'not pinned to CPUs'}`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'corsgate-bench-'));
  const samples = new Map<string, Sample[]>();
  const pairRatios = new Map<string, number[]>(); // corsgate ÷ its neighbour in the same round
  try {
    for (const size of SIZES) {
      const list = allowlist(size);
      const lua = new Map<Kind, string>();
      for (const kind of KINDS) {
        const f = join(dir, `${kind.replace(' ', '-')}-${size}.lua`);
        writeFileSync(f, luaFor(kind, list.allowedOrigin, list.refusedOrigin));
        lua.set(kind, f);
      }
      for (const group of GROUPS) {
        const servers: BenchServer[] = [];
        try {
          for (const name of group.servers) servers.push(await BenchServer.start(name, size));
          for (const kind of KINDS) {
            for (const s of servers)
              runWrk(lua.get(kind)!, `http://127.0.0.1:${s.port}/data`, WARMUP_SECONDS);
          }
          for (let round = 0; round < RUNS; round++) {
            for (const kind of KINDS) {
              const order = round % 2 === 0 ? servers : [...servers].reverse();
              const got = new Map<string, Sample>();
              for (const s of order) {
                const sample = await measure(s, lua.get(kind)!);
                got.set(s.name, sample);
                const k = key(s.name, size, kind);
                samples.set(k, [...(samples.get(k) ?? []), sample]);
              }
              const corsgate = group.servers.find((n) => n.includes('corsgate'))!;
              const peer = group.name === 'node' ? 'handwritten' : group.servers.find((n) => n !== corsgate)!;
              const k = key(corsgate, size, kind);
              pairRatios.set(k, [...(pairRatios.get(k) ?? []), got.get(corsgate)!.rps / got.get(peer)!.rps]);
              if (group.name === 'node') {
                const kb = `${k}|bare`;
                pairRatios.set(kb, [
                  ...(pairRatios.get(kb) ?? []),
                  got.get(corsgate)!.rps / got.get('bare')!.rps,
                ]);
              }
            }
          }
        } finally {
          for (const s of servers) s.stop();
        }
        process.stderr.write('.');
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stderr.write('\n');

  const cell = (server: string, size: number, kind: Kind) => {
    const runs = samples.get(key(server, size, kind));
    if (!runs) return null;
    return {
      rps: median(runs.map((r) => r.rps)),
      p99ms: median(runs.map((r) => r.p99ms)),
      cpu: median(runs.map((r) => r.cpuUsPerReq)),
    };
  };
  const lines = [
    '| origins | request | server | req/s | p99 ms | CPU µs/req | vs bare | corsgate vs peer |',
    '|---:|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const size of SIZES) {
    for (const kind of KINDS) {
      const bare = cell('bare', size, kind);
      for (const group of GROUPS) {
        for (const server of group.servers) {
          const c = cell(server, size, kind)!;
          let vsPeer = '';
          const ratios = pairRatios.get(key(server, size, kind));
          if (ratios && group.name === 'node') {
            vsPeer = `${median(ratios).toFixed(2)}× hand-written, ${median(pairRatios.get(`${key(server, size, kind)}|bare`)!).toFixed(3)}× bare`;
          } else if (ratios) vsPeer = `**${median(ratios).toFixed(2)}×**`;
          const vsBare = bare ? (c.rps / bare.rps).toFixed(3) : '';
          lines.push(
            `| ${size} | ${kind} | ${server} | ${Math.round(c.rps)} | ${c.p99ms.toFixed(2)} | ${c.cpu.toFixed(1)} | ${vsBare} | ${vsPeer} |`,
          );
        }
      }
    }
  }
  const table = lines.join('\n');
  console.log(table);
  const overrides = [
    'CORSGATE_BENCH_SECONDS',
    'CORSGATE_BENCH_RUNS',
    'CORSGATE_BENCH_SIZES',
    'CORSGATE_BENCH_GROUPS',
  ]
    .filter((v) => process.env[v])
    .map((v) => `${v}=${process.env[v]}`);
  writeResults(
    'http',
    table,
    [
      `wrk -t1 -c${CONNECTIONS}, ${SECONDS} s per run after a ${WARMUP_SECONDS} s warm-up per server and request, median of ${RUNS} runs; ${PIN ? 'servers pinned to CPU 0 and wrk to CPU 1 (taskset)' : 'no CPU pinning'}.`,
      'The servers compared run side by side and their runs alternate (A B, then B A). "vs bare" is the ratio of median throughputs to bare node:http measured in the same pass;',
      '"corsgate vs peer" is the median over rounds of corsgate\'s throughput divided by the peer\'s in the neighbouring run (for corsgate-node: the hand-written CORS, and bare node:http).',
      "CPU µs/req is the server's CPU time per answered request, the figure least disturbed by other load on the machine.",
      'Allowlists (bench/servers/allowlist.ts): n exact origins below 10 entries; from 10 on, one entry in ten is a subdomain wildcard, a RegExp for the peers; the allowed origin matches the last wildcard.',
      overrides.length ? `Overrides: ${overrides.join(' ')}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
}
