/**
 * Throughput and p99 latency over loopback HTTP: bare node:http, a hand-written minimal CORS, and
 * each framework with its usual CORS package and with corsgate, for an allowed GET, a preflight and
 * a refused GET, at allowlists of 1, 100 and 10,000 origins. Load comes from wrk (Debian's package)
 * in its own process, the server runs in a child process; each cell is the median of 3 runs.
 * CORSGATE_BENCH_SECONDS sets the length of one run (whole seconds, default 1).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, writeResults } from './support.js';

const SERVERS = ['bare', 'handwritten', 'corsgate-node', 'express-cors', 'express-corsgate', 'fastify-cors', 'fastify-corsgate', 'hono-cors', 'hono-corsgate', 'koa-cors', 'koa-corsgate'];
const SIZES = [1, 100, 10_000];
const RUNS = 3;
const SECONDS = Math.max(1, Math.round(Number(process.env.CORSGATE_BENCH_SECONDS ?? '1'))); // wrk takes whole seconds

interface Kind {
  name: string;
  lua: (allowed: string) => string;
}
const KINDS: Kind[] = [
  { name: 'allowed GET', lua: (o) => `wrk.method = "GET"\nwrk.headers["Origin"] = "${o}"\n` },
  { name: 'preflight', lua: (o) => `wrk.method = "OPTIONS"\nwrk.headers["Origin"] = "${o}"\nwrk.headers["Access-Control-Request-Method"] = "PUT"\nwrk.headers["Access-Control-Request-Headers"] = "x-custom"\n` },
  { name: 'refused GET', lua: () => `wrk.method = "GET"\nwrk.headers["Origin"] = "https://evil.example.net"\n` },
];

interface Cell {
  rps: number;
  p99ms: number;
}

function startServer(name: string, size: number): Promise<{ port: number; child: ChildProcess }> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'servers', 'http-server.js');
  const child = spawn(process.execPath, [script, name, String(size)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), child });
    });
    child.on('exit', (code) => reject(new Error(`benchmark server ${name} exited with ${code}`)));
  });
}

function parseWrk(text: string): Cell {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN);
  const m = /^\s+99%\s+([\d.]+)(us|ms|s)/m.exec(text);
  const unit = m?.[2] === 'us' ? 0.001 : m?.[2] === 's' ? 1000 : 1;
  return { rps, p99ms: m ? Number(m[1]) * unit : NaN };
}

function wrk(url: string, luaFile: string): Cell {
  const r = spawnSync('wrk', ['-t1', '-c32', `-d${SECONDS}s`, '--latency', '-s', luaFile, url], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  return parseWrk(r.stdout);
}

export default async function run(): Promise<void> {
  if (spawnSync('wrk', ['--version']).error) {
    console.log('wrk is not installed (apt-get install -y wrk): HTTP benchmark not run');
    process.exitCode = 1;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'corsgate-bench-'));
  const results = new Map<string, Cell>(); // key: server|size|kind
  for (const size of SIZES) {
    const allowed = `https://o${size - 1}.example.com`;
    const luaFiles = KINDS.map((k, i) => {
      const f = join(dir, `k${i}-${size}.lua`);
      writeFileSync(f, k.lua(allowed));
      return f;
    });
    for (const server of SERVERS) {
      if ((server === 'bare' || server === 'handwritten') && size !== 1) continue; // independent of the list
      const { port, child } = await startServer(server, size);
      try {
        const url = `http://127.0.0.1:${port}/data`;
        wrk(url, luaFiles[0]!); // warm-up
        KINDS.forEach((kind, i) => {
          const runs = Array.from({ length: RUNS }, () => wrk(url, luaFiles[i]!));
          results.set(`${server}|${size}|${kind.name}`, { rps: median(runs.map((r) => r.rps)), p99ms: median(runs.map((r) => r.p99ms)) });
        });
      } finally {
        child.kill();
      }
      process.stderr.write('.');
    }
  }
  process.stderr.write('\n');

  const get = (server: string, size: number, kind: string) => results.get(`${server}|${server === 'bare' || server === 'handwritten' ? 1 : size}|${kind}`)!;
  const lines = ['| origins | request | server | req/s | p99 ms | vs bare | corsgate vs peer |', '|---:|---|---|---:|---:|---:|---:|'];
  for (const size of SIZES) {
    for (const kind of KINDS) {
      const bare = get('bare', size, kind.name).rps;
      for (const server of SERVERS) {
        const cell = get(server, size, kind.name);
        let vsPeer = '';
        if (server.endsWith('-corsgate')) vsPeer = `${(cell.rps / get(server.replace('-corsgate', '-cors'), size, kind.name).rps).toFixed(2)}×`;
        if (server === 'corsgate-node') vsPeer = `${(cell.rps / get('handwritten', size, kind.name).rps).toFixed(2)}× hand-written`;
        lines.push(`| ${size} | ${kind.name} | ${server} | ${Math.round(cell.rps)} | ${cell.p99ms.toFixed(2)} | ${(cell.rps / bare).toFixed(3)} | ${vsPeer} |`);
      }
    }
  }
  const table = lines.join('\n');
  console.log(table);
  writeResults('http', table, `wrk -t1 -c32, ${SECONDS} s per run, median of ${RUNS} runs; the server runs in a child process. "vs bare" is the ratio of throughput to bare node:http answering without CORS.`);
}
