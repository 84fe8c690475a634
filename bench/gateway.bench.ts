/**
 * `npm run bench -- gateway`: what `corsgate serve` costs per request, against the floors and the
 * proxies users pick instead, all in front of the same nginx upstream, in one run:
 * - corsgate at 1 and 10,000 allowlisted origins (GET, POST with a 64 KB body, preflight), with the
 *   access log off and on, with 1 and 2 workers (and node:cluster's two scheduling policies);
 * - the Node floor: node:http + undici `Pool.dispatch()` writing straight into the response;
 * - the preflight floors: a bare node:http server answering 204 (no CORS field: Date, Connection and
 *   Keep-Alive only), and the same server answering 204 with corsgate's header block (the fair
 *   floor for a preflight answer; see bench/servers/proxy-peers.ts);
 * - @fastify/reply-from and http-proxy;
 * - nginx with a `map $http_origin` CORS configuration (one worker, upstream keep-alive).
 *
 * Method (bench/http.bench.ts's): the process(es) under test pinned to CPU 0, wrk and the nginx
 * upstream to CPU 1 (taskset); CPU time per request read from /proc/PID/stat (utime + stime of the
 * server and its workers) around each wrk run; the servers' runs alternate (A B …, then … B A),
 * round after round, each run just after a run of its floor; every figure is a median, "× floor"
 * the median of each run's ratio to the floor run before it, other ratios medians of same-round ones.
 * The latency the gateway adds (p50, p99) is measured apart, at 4 connections, against requests
 * sent straight to the upstream. nginx instances run from a generated config in a temp folder.
 * Environment: CORSGATE_BENCH_SECONDS (per run, default 2), CORSGATE_BENCH_RUNS (default 5); for a
 * focused look, CORSGATE_BENCH_ONLY (entry names, e.g. "corsgate-1,floor") and CORSGATE_BENCH_KINDS
 * ("GET,preflight"): the summary then shows only the ratios it can.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../src/store/sqlite.js';
import { BENCH_ADMIN_TOKEN, gatewayArgs, median, writeResults } from './support.js';

const SECONDS = Math.max(1, Math.round(Number(process.env.CORSGATE_BENCH_SECONDS ?? '2')));
const RUNS = Math.max(1, Math.round(Number(process.env.CORSGATE_BENCH_RUNS ?? '5')));
const CONNECTIONS = 50;
const NGINX = '/usr/sbin/nginx';
const TICK_US = 1e6 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || '100');
const PIN = cpus().length >= 2 && !spawnSync('taskset', ['-c', '0', 'true']).error;
const pinned = (cpu: string, cmd: string, args: string[]): [string, string[]] =>
  PIN ? ['taskset', ['-c', cpu, cmd, ...args]] : [cmd, args];
const here = dirname(fileURLToPath(import.meta.url));

type Kind = 'GET' | 'POST 64 KB' | 'preflight';
const KINDS: Kind[] = ['GET', 'POST 64 KB', 'preflight'];
const origins = (n: number) => Array.from({ length: n }, (_, i) => `https://app${i}.example.com`);
const allowedOf = (n: number) => `https://app${n - 1}.example.com`;

export interface Proc {
  port: number;
  /** Every process whose CPU time counts (a gateway's primary and its workers). */
  pids(): number[];
  stop(): void;
}

function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
  } catch {
    return 0;
  }
}

function signal(p: Proc, sig: 'SIGSTOP' | 'SIGCONT'): void {
  for (const pid of p.pids()) {
    try {
      process.kill(pid, sig);
    } catch {
      // gone
    }
  }
}

/**
 * Only the server being measured runs; every other one is stopped (SIGSTOP) until its turn. A
 * score of idle servers, each woken by its own timers on the measured server's CPU, evict that
 * server's caches; a big process (a gateway) pays more for that than a small one (a floor), which
 * says nothing about either. In production a gateway has its machine to itself.
 */
class Stage {
  private awake: Proc | null = null;
  constructor(private readonly servers: readonly Proc[]) {
    for (const p of servers) signal(p, 'SIGSTOP');
  }
  focus(p: Proc): void {
    if (this.awake === p) return;
    if (this.awake !== null) signal(this.awake, 'SIGSTOP');
    signal(p, 'SIGCONT');
    this.awake = p;
  }
  /** Every server running again (to be stopped for good, or drained). */
  release(): void {
    for (const p of this.servers) signal(p, 'SIGCONT');
    this.awake = null;
  }
}

function descendants(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const c of readFileSync(`/proc/${out[i]}/task/${out[i]}/children`, 'utf8').trim().split(/\s+/))
        if (c) out.push(Number(c));
    } catch {
      // gone
    }
  }
  return out;
}

function waitPort(port: number, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tryOnce = () => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve()));
      s.once('error', () =>
        Date.now() > until ? reject(new Error(`port ${port} never opened`)) : setTimeout(tryOnce, 50),
      );
    };
    tryOnce();
  });
}

let nextPort = 20_000 + Math.floor(Math.random() * 20_000);

/** An nginx instance of its own: prefix, pid file, error log and temp paths in `dir`. */
export async function startNginx(dir: string, cpu: string, http: string): Promise<Proc> {
  const port = nextPort++;
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off;\nmaster_process off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\nevents { worker_connections 8192; }\n` +
      `http {\n  access_log off;\n  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;\n` +
      `  keepalive_requests 1000000;\n${http.replaceAll('PORT', String(port))}\n}\n`,
  );
  const [cmd, args] = pinned(cpu, NGINX, ['-p', dir, '-e', `${dir}/error.log`, '-c', conf]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitPort(port);
  return { port, pids: () => [child.pid!], stop: () => child.kill('SIGQUIT') };
}

export const UPSTREAM_HTTP = `  server {\n    listen 127.0.0.1:PORT backlog=4096;\n    client_max_body_size 1m;\n    client_body_buffer_size 128k;\n    location / { default_type application/json; return 200 '{"ok":true,"service":"upstream"}'; }\n  }`;

/** The nginx CORS configuration users write: a map of allowed origins, preflights answered by nginx. */
function nginxCorsHttp(upstreamPort: number, n: number): string {
  const map = origins(n)
    .map((o) => `    "${o}" $http_origin;`)
    .join('\n');
  const cors = `add_header Access-Control-Allow-Origin $cors_origin always; add_header Access-Control-Allow-Credentials $cors_credentials always; add_header Vary Origin always;`;
  return (
    `  map_hash_max_size 65536;\n  map_hash_bucket_size 128;\n  map $http_origin $cors_origin {\n    default "";\n${map}\n  }\n  map $cors_origin $cors_credentials { "" ""; default "true"; }\n` +
    `  upstream up { server 127.0.0.1:${upstreamPort}; keepalive 128; }\n` +
    `  server {\n    listen 127.0.0.1:PORT backlog=4096;\n    client_max_body_size 1m;\n    location / {\n` +
    `      if ($request_method = OPTIONS) { ${cors} add_header Access-Control-Allow-Methods "GET, HEAD, POST, PUT, PATCH, DELETE" always; add_header Access-Control-Allow-Headers $http_access_control_request_headers always; add_header Access-Control-Max-Age 600 always; return 204; }\n` +
    `      proxy_hide_header Access-Control-Allow-Origin; ${cors}\n      proxy_http_version 1.1;\n      proxy_set_header Connection "";\n      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n      proxy_pass http://up;\n    }\n  }`
  );
}

async function startNodeScript(
  cpu: string,
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Proc> {
  const [cmd, a] = pinned(cpu, process.execPath, [script, ...args]);
  const child = spawn(cmd, a, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production', ...env },
  });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^READY (\d+)$/.exec(line) ?? /proxy:\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { port, pids: () => descendants(child.pid!), stop: () => child.kill('SIGTERM') };
}

async function startCorsgate(
  dir: string,
  name: string,
  upstreamPort: number,
  n: number,
  flags: string[],
  cpu: string,
  env: Record<string, string> = {},
): Promise<Proc> {
  const db = join(dir, `${name}.db`);
  const store = new SqliteStore(db);
  const list = origins(n);
  for (let i = 0; i < list.length; i += 5000)
    await store.createAllowlistMany(
      list.slice(i, i + 5000).map((urlPattern) => ({ urlPattern })),
      'bench',
    );
  await store.close();
  const args = gatewayArgs(`http://127.0.0.1:${upstreamPort}`, db, flags);
  // The access log, when on, goes to a file as it would in production (not to this process's pipe).
  const out = join(dir, `${name}.log`);
  const [cmd, a] = pinned(cpu, process.execPath, args);
  const child = spawn('sh', ['-c', `exec "$@" > ${out}`, 'sh', cmd, ...a], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      CORSGATE_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      ...env,
    },
  });
  const until = Date.now() + 30_000;
  let port = 0;
  while (port === 0) {
    if (Date.now() > until) throw new Error(`corsgate ${name} did not start`);
    await new Promise((r) => setTimeout(r, 100));
    const m = /proxy:\s+https?:\/\/127\.0\.0\.1:(\d+)/.exec(
      (() => {
        try {
          return readFileSync(out, 'utf8');
        } catch {
          return '';
        }
      })(),
    );
    if (m) port = Number(m[1]);
  }
  return { port, pids: () => descendants(child.pid!), stop: () => child.kill('SIGTERM') };
}

function lua(kind: Kind, origin: string): string {
  if (kind === 'GET') return `wrk.method = "GET"\nwrk.headers["Origin"] = "${origin}"\n`;
  if (kind === 'POST 64 KB')
    return `wrk.method = "POST"\nwrk.body = string.rep("x", 65536)\nwrk.headers["Content-Type"] = "text/plain"\nwrk.headers["Origin"] = "${origin}"\n`;
  return `wrk.method = "OPTIONS"\nwrk.headers["Origin"] = "${origin}"\nwrk.headers["Access-Control-Request-Method"] = "PUT"\nwrk.headers["Access-Control-Request-Headers"] = "content-type"\n`;
}

interface WrkResult {
  rps: number;
  requests: number;
  p50ms: number;
  p99ms: number;
}

function parseMs(text: string, pct: string): number {
  const m = new RegExp(`^\\s+${pct}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(text);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

/** Ports served over TLS (wrk speaks HTTP/1.1 over TLS to them; it has no HTTP/2). */
const TLS_PORTS = new Set<number>();

function wrk(
  luaFile: string,
  port: number,
  seconds: number,
  connections = CONNECTIONS,
  cpu = '1',
): WrkResult {
  const scheme = TLS_PORTS.has(port) ? 'https' : 'http';
  const [cmd, args] = pinned(cpu, 'wrk', [
    '-t1',
    `-c${connections}`,
    `-d${seconds}s`,
    '--latency',
    '-s',
    luaFile,
    `${scheme}://127.0.0.1:${port}/data`,
  ]);
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const text = r.stdout;
  if (/Non-2xx or 3xx responses/.test(text))
    throw new Error(`wrk saw non-2xx answers from port ${port}:\n${text}`);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN),
    requests: Number(/(\d+) requests in/.exec(text)?.[1] ?? NaN),
    p50ms: parseMs(text, '50'),
    p99ms: parseMs(text, '99'),
  };
}

interface Entry {
  name: string;
  label: string;
  kinds: Kind[];
  size: number;
  /** CPUs the server runs on (wrk always on CPU 1). */
  cpu: string;
  /** wrk's connections (default CONNECTIONS). */
  connections?: number;
  start(dir: string): Promise<Proc>;
}

interface Sample {
  rps: number;
  cpuUs: number;
  p99ms: number;
}

export default async function run(): Promise<void> {
  for (const [tool, probe] of [
    ['wrk', ['--version']],
    [NGINX, ['-v']],
  ] as const) {
    if (spawnSync(tool, probe).error) {
      console.log(`${tool} is not installed (apt-get install -y wrk nginx): gateway benchmark not run`);
      process.exitCode = 1;
      return;
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'corsgate-gwbench-'));
  const procs: Proc[] = [];
  let stage: Stage | null = null;
  try {
    const upstream = await startNginx(join(dir, 'upstream'), '1', UPSTREAM_HTTP);
    procs.push(upstream);
    const up = upstream.port;
    const peer = (name: string) => (_dir: string) =>
      startNodeScript('0', join(here, 'servers', 'proxy-peers.js'), [name, `http://127.0.0.1:${up}`]);
    const gw =
      (name: string, n: number, flags: string[], cpu = '0', env: Record<string, string> = {}) =>
      (d: string) =>
        startCorsgate(d, name, up, n, flags, cpu, env);
    // HTTPS rows: a self-signed certificate made as the README says; wrk keeps its TLS connections open.
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const tls = (name: string) => async (d: string) => {
      const p = await startCorsgate(
        d,
        name,
        up,
        1,
        ['--access-log', 'off', '--tls-cert', cert, '--tls-key', key],
        '0',
      );
      TLS_PORTS.add(p.port);
      return p;
    };
    const entries: Entry[] = [
      {
        name: 'corsgate-1',
        label: 'corsgate, 1 origin',
        kinds: KINDS,
        size: 1,
        cpu: '0',
        start: gw('corsgate-1', 1, ['--access-log', 'off']),
      },
      // Issue 14: the usage counters' cost, on against off (CORSGATE_USAGE_COUNTERS=off, for this comparison only).
      {
        name: 'corsgate-1-nousage',
        label: 'corsgate, 1 origin, usage counters off',
        kinds: ['GET', 'preflight'],
        size: 1,
        cpu: '0',
        start: gw('corsgate-1-nousage', 1, ['--access-log', 'off'], '0', { CORSGATE_USAGE_COUNTERS: 'off' }),
      },
      {
        name: 'corsgate-10k',
        label: 'corsgate, 10,000 origins',
        kinds: KINDS,
        size: 10_000,
        cpu: '0',
        start: gw('corsgate-10k', 10_000, ['--access-log', 'off']),
      },
      {
        name: 'corsgate-1-tls',
        label: 'corsgate, 1 origin, HTTPS (HTTP/1.1 over TLS)',
        kinds: KINDS,
        size: 1,
        cpu: '0',
        start: tls('corsgate-1-tls'),
      },
      {
        name: 'corsgate-1-log',
        label: 'corsgate, 1 origin, access log on',
        kinds: ['GET', 'preflight'],
        size: 1,
        cpu: '0',
        start: gw('corsgate-1-log', 1, ['--access-log', 'on', '--log-level', 'info']),
      },
      // CPU per request is compared with both workers on CPU 0 (a worker that is not saturated pays
      // more per request whatever the design); req/s on two CPUs is shown for what it is on 2 cores.
      {
        name: 'corsgate-w2',
        label: 'corsgate, 2 workers on CPU 0 (round-robin)',
        kinds: ['GET'],
        size: 1,
        cpu: '0',
        start: gw('corsgate-w2', 1, ['--access-log', 'off', '--workers', '2'], '0', {
          NODE_CLUSTER_SCHED_POLICY: 'rr',
        }),
      },
      {
        name: 'corsgate-w2-none',
        label: 'corsgate, 2 workers on CPU 0 (SCHED_NONE)',
        kinds: ['GET'],
        size: 1,
        cpu: '0',
        start: gw('corsgate-w2-none', 1, ['--access-log', 'off', '--workers', '2'], '0', {
          NODE_CLUSTER_SCHED_POLICY: 'none',
        }),
      },
      {
        name: 'corsgate-w2-2cpu',
        label: 'corsgate, 2 workers on CPUs 0,1 (round-robin)',
        kinds: ['GET'],
        size: 1,
        cpu: '0,1',
        start: gw('corsgate-w2-2cpu', 1, ['--access-log', 'off', '--workers', '2'], '0,1', {
          NODE_CLUSTER_SCHED_POLICY: 'rr',
        }),
      },
      {
        name: 'corsgate-w2-2cpu-none',
        label: 'corsgate, 2 workers on CPUs 0,1 (SCHED_NONE, the default)',
        kinds: ['GET'],
        size: 1,
        cpu: '0,1',
        start: gw('corsgate-w2-2cpu-none', 1, ['--access-log', 'off', '--workers', '2'], '0,1', {
          NODE_CLUSTER_SCHED_POLICY: 'none',
        }),
      },
      // The same, at the connections per worker the one-worker row has (50 each): with 50 in all each
      // worker sees half the concurrency, so fewer requests per event-loop wake.
      {
        name: 'corsgate-w2-2cpu-c100',
        label: 'corsgate, 2 workers on CPUs 0,1 (SCHED_NONE), 100 connections (50 per worker)',
        kinds: ['GET'],
        size: 1,
        cpu: '0,1',
        connections: 2 * CONNECTIONS,
        start: gw('corsgate-w2-2cpu-c100', 1, ['--access-log', 'off', '--workers', '2'], '0,1', {
          NODE_CLUSTER_SCHED_POLICY: 'none',
        }),
      },
      {
        name: 'floor',
        label: 'floor: node:http + undici dispatch',
        kinds: ['GET', 'POST 64 KB'],
        size: 1,
        cpu: '0',
        start: peer('floor'),
      },
      {
        name: 'preflight-floor',
        label: 'floor: node:http answering 204',
        kinds: ['preflight'],
        size: 1,
        cpu: '0',
        start: peer('preflight-floor'),
      },
      {
        name: 'preflight-floor-cors',
        label: 'floor: node:http answering 204 with the same CORS header block',
        kinds: ['preflight'],
        size: 1,
        cpu: '0',
        start: peer('preflight-floor-cors'),
      },
      {
        name: 'reply-from',
        label: 'fastify + @fastify/reply-from',
        kinds: ['GET', 'POST 64 KB'],
        size: 1,
        cpu: '0',
        start: peer('reply-from'),
      },
      {
        name: 'http-proxy',
        label: 'node:http + http-proxy',
        kinds: ['GET', 'POST 64 KB'],
        size: 1,
        cpu: '0',
        start: peer('http-proxy'),
      },
      {
        name: 'nginx-1',
        label: 'nginx map CORS, 1 origin',
        kinds: KINDS,
        size: 1,
        cpu: '0',
        start: (d) => startNginx(join(d, 'nginx-1'), '0', nginxCorsHttp(up, 1)),
      },
      {
        name: 'nginx-10k',
        label: 'nginx map CORS, 10,000 origins',
        kinds: KINDS,
        size: 10_000,
        cpu: '0',
        start: (d) => startNginx(join(d, 'nginx-10k'), '0', nginxCorsHttp(up, 10_000)),
      },
    ];
    const only = process.env.CORSGATE_BENCH_ONLY?.split(',');
    const kindsOnly = process.env.CORSGATE_BENCH_KINDS?.split(',');
    if (only) entries.splice(0, entries.length, ...entries.filter((e) => only.includes(e.name)));
    if (kindsOnly) for (const e of entries) e.kinds = e.kinds.filter((k) => kindsOnly.includes(k));
    const running = new Map<string, Proc>();
    for (const e of entries) {
      const p = await e.start(dir);
      procs.push(p);
      running.set(e.name, p);
    }
    stage = new Stage([...running.values()]);
    const luaFiles = new Map<string, string>();
    const luaFor = (kind: Kind, size: number) => {
      const key = `${kind}|${size}`;
      if (!luaFiles.has(key)) {
        const f = join(dir, `${luaFiles.size}.lua`);
        writeFileSync(f, lua(kind, allowedOf(size)));
        luaFiles.set(key, f);
      }
      return luaFiles.get(key)!;
    };
    // Every cell, plus the floor run measured before each (see `paired`).
    const runs = entries.reduce((n, e) => n + e.kinds.length, 0) * 2;
    console.log(
      `${runs} runs (every server × request cell, each after a run of its floor), ${RUNS} rounds of ${SECONDS} s, each after a 1 s warm-up: about ${Math.ceil((runs * RUNS * (SECONDS + 1) + 40) / 60)} min; ${PIN ? 'servers on CPU 0 (2-worker gateways on 0,1), wrk and the upstream on CPU 1' : 'not pinned'}`,
    );

    const floorOf = (kind: Kind) => (kind === 'preflight' ? 'preflight-floor' : 'floor');
    const samples = new Map<string, Sample[]>();
    // "× floor": each server's CPU per request over the floor's, measured just before it, so that
    // the two runs of a ratio are seconds apart, not a whole round (this machine's speed drifts).
    const paired = new Map<string, number[]>();
    const measure = (e: (typeof entries)[number], kind: Kind): Sample => {
      const p = running.get(e.name)!;
      stage!.focus(p);
      // A server idle for the rest of a round has gone cold (caches, and V8 drops code it has not
      // run lately): 1 s of the same load first, not measured, so every run measures a warm server.
      wrk(luaFor(kind, e.size), p.port, 1, e.connections);
      const pids = p.pids();
      const before = pids.reduce((s, pid) => s + cpuTicks(pid), 0);
      const r = wrk(luaFor(kind, e.size), p.port, SECONDS, e.connections);
      const after = pids.reduce((s, pid) => s + cpuTicks(pid), 0);
      const sample = { rps: r.rps, cpuUs: ((after - before) * TICK_US) / r.requests, p99ms: r.p99ms };
      const key = `${e.name}|${kind}`;
      samples.set(key, [...(samples.get(key) ?? []), sample]);
      return sample;
    };
    for (let round = 0; round < RUNS; round++) {
      const order = round % 2 === 0 ? entries : [...entries].reverse();
      for (const kind of KINDS) {
        const floor = entries.find((e) => e.name === floorOf(kind) && e.kinds.includes(kind));
        for (const e of order) {
          if (!e.kinds.includes(kind) || e === floor) continue;
          const base = floor ? measure(floor, kind) : null;
          const sample = measure(e, kind);
          if (base)
            paired.set(`${e.name}|${kind}`, [
              ...(paired.get(`${e.name}|${kind}`) ?? []),
              sample.cpuUs / base.cpuUs,
            ]);
        }
        if (floor && !samples.has(`${floor.name}|${kind}`)) measure(floor, kind);
      }
      process.stderr.write('.');
    }
    // Added latency at low load (4 connections): each proxy against requests sent straight upstream.
    const latency = new Map<string, { p50: number[]; p99: number[] }>();
    const latencyOf = [
      'direct',
      ...['corsgate-1', 'corsgate-10k', 'floor', 'nginx-1'].filter((n) => running.has(n)),
    ];
    for (let round = 0; round < RUNS; round++) {
      for (const name of round % 2 === 0 ? latencyOf : [...latencyOf].reverse()) {
        if (name !== 'direct') stage.focus(running.get(name)!);
        const port = name === 'direct' ? up : running.get(name)!.port;
        const r = wrk(luaFor('GET', name === 'corsgate-10k' ? 10_000 : 1), port, 2, 4);
        const l = latency.get(name) ?? { p50: [], p99: [] };
        l.p50.push(r.p50ms);
        l.p99.push(r.p99ms);
        latency.set(name, l);
      }
    }
    process.stderr.write('\n');

    const cell = (name: string, kind: Kind) => {
      const s = samples.get(`${name}|${kind}`);
      return s
        ? {
            rps: median(s.map((x) => x.rps)),
            cpu: median(s.map((x) => x.cpuUs)),
            p99: median(s.map((x) => x.p99ms)),
            cpus: s.map((x) => x.cpuUs),
          }
        : null;
    };
    const ratio = (name: string, base: string, kind: Kind) => {
      if (base === floorOf(kind)) {
        if (name === base) return 1;
        const pairs = paired.get(`${name}|${kind}`);
        if (pairs) return median(pairs);
      }
      const a = samples.get(`${name}|${kind}`);
      const b = samples.get(`${base}|${kind}`);
      if (!a || !b) return NaN;
      return median(a.map((x, i) => x.cpuUs / b[Math.min(i, b.length - 1)]!.cpuUs));
    };
    const lines = [
      '| request | server | req/s | CPU µs/req | × floor CPU | × nginx CPU | p99 ms (50 conns) |',
      '|---|---|---:|---:|---:|---:|---:|',
    ];
    for (const kind of KINDS) {
      for (const e of entries) {
        const c = cell(e.name, kind);
        if (!c) continue;
        const nginx = e.size === 10_000 ? 'nginx-10k' : 'nginx-1';
        const xf = ratio(e.name, floorOf(kind), kind);
        const xn = e.name.startsWith('nginx') ? NaN : ratio(e.name, nginx, kind);
        lines.push(
          `| ${kind} | ${e.label} | ${Math.round(c.rps)} | ${c.cpu.toFixed(1)} | ${Number.isNaN(xf) ? '' : `${xf.toFixed(2)}×`} | ${Number.isNaN(xn) ? '' : `${xn.toFixed(2)}×`} | ${c.p99.toFixed(2)} |`,
        );
      }
    }
    const extra: string[] = [];
    const w1 = cell('corsgate-1', 'GET');
    if (w1) {
      extra.push(
        '',
        '| 1 vs 2 workers (GET, 1 origin) | req/s | CPU µs/req | CPU vs 1 worker |',
        '|---|---:|---:|---:|',
      );
      extra.push(`| 1 worker | ${Math.round(w1.rps)} | ${w1.cpu.toFixed(1)} | 1.00× |`);
      for (const n of [
        'corsgate-w2',
        'corsgate-w2-none',
        'corsgate-w2-2cpu',
        'corsgate-w2-2cpu-none',
        'corsgate-w2-2cpu-c100',
      ]) {
        const c = cell(n, 'GET');
        if (c)
          extra.push(
            `| ${entries.find((e) => e.name === n)!.label.replace('corsgate, ', '')} | ${Math.round(c.rps)} | ${c.cpu.toFixed(1)} | ${ratio(n, 'corsgate-1', 'GET').toFixed(2)}× |`,
          );
      }
      const off = cell('corsgate-1-nousage', 'GET');
      if (off)
        extra.push(
          '',
          `Usage counters on vs off (1 origin): GET ${w1.cpu.toFixed(1)} vs ${off.cpu.toFixed(1)} µs/req (${ratio('corsgate-1', 'corsgate-1-nousage', 'GET').toFixed(3)}×), preflight ${ratio('corsgate-1', 'corsgate-1-nousage', 'preflight').toFixed(3)}× (target ≤ 1.03×).`,
        );
      const log = cell('corsgate-1-log', 'GET');
      if (log)
        extra.push(
          '',
          `Access log on vs off (GET, 1 origin): ${log.cpu.toFixed(1)} vs ${w1.cpu.toFixed(1)} µs/req (${ratio('corsgate-1-log', 'corsgate-1', 'GET').toFixed(2)}×); on vs the floor: ${ratio('corsgate-1-log', 'floor', 'GET').toFixed(2)}×.`,
        );
    }
    const direct = latency.get('direct') ?? { p50: [NaN], p99: [NaN] };
    extra.push(
      '',
      '| latency at 4 connections (GET) | p50 ms | p99 ms | added p50 ms | added p99 ms |',
      '|---|---:|---:|---:|---:|',
    );
    for (const name of latencyOf) {
      const l = latency.get(name);
      if (!l) continue;
      const p50 = median(l.p50);
      const p99 = median(l.p99);
      extra.push(
        `| ${name === 'direct' ? 'straight to the upstream' : entries.find((e) => e.name === name)!.label} | ${p50.toFixed(3)} | ${p99.toFixed(3)} | ${name === 'direct' ? '' : (p50 - median(direct.p50)).toFixed(3)} | ${name === 'direct' ? '' : (p99 - median(direct.p99)).toFixed(3)} |`,
      );
    }
    const table = lines.join('\n') + '\n' + extra.join('\n');
    console.log(table);
    const targets = [
      `corsgate GET ÷ floor: ${ratio('corsgate-1', 'floor', 'GET').toFixed(2)}× at 1 origin, ${ratio('corsgate-10k', 'floor', 'GET').toFixed(2)}× at 10,000 (target ≤ 1.25×)`,
      `corsgate POST 64 KB ÷ floor: ${ratio('corsgate-1', 'floor', 'POST 64 KB').toFixed(2)}× at 1 origin, ${ratio('corsgate-10k', 'floor', 'POST 64 KB').toFixed(2)}× at 10,000 (target ≤ 1.25×)`,
      `corsgate preflight ÷ node:http 204: ${ratio('corsgate-1', 'preflight-floor', 'preflight').toFixed(2)}× at 1 origin, ${ratio('corsgate-10k', 'preflight-floor', 'preflight').toFixed(2)}× at 10,000 (target ≤ 1.1×); ÷ node:http sending the same 204 (same header block): ${ratio('corsgate-1', 'preflight-floor-cors', 'preflight').toFixed(2)}× at 1 origin, ${ratio('corsgate-10k', 'preflight-floor-cors', 'preflight').toFixed(2)}× at 10,000; that 204 itself ÷ the bare one: ${ratio('preflight-floor-cors', 'preflight-floor', 'preflight').toFixed(2)}× (Node's validation and serialisation of six header fields)`,
      `corsgate GET ÷ reply-from: ${ratio('corsgate-1', 'reply-from', 'GET').toFixed(2)}×, ÷ http-proxy: ${ratio('corsgate-1', 'http-proxy', 'GET').toFixed(2)}× (target < 1)`,
      `corsgate ÷ nginx (CPU per request): GET ${ratio('corsgate-1', 'nginx-1', 'GET').toFixed(2)}×, POST ${ratio('corsgate-1', 'nginx-1', 'POST 64 KB').toFixed(2)}×, preflight ${ratio('corsgate-1', 'nginx-1', 'preflight').toFixed(2)}× at 1 origin; GET ${ratio('corsgate-10k', 'nginx-10k', 'GET').toFixed(2)}× at 10,000`,
      `corsgate HTTPS (HTTP/1.1 over TLS) ÷ plain HTTP, CPU per request: GET ${ratio('corsgate-1-tls', 'corsgate-1', 'GET').toFixed(2)}×, POST 64 KB ${ratio('corsgate-1-tls', 'corsgate-1', 'POST 64 KB').toFixed(2)}×, preflight ${ratio('corsgate-1-tls', 'corsgate-1', 'preflight').toFixed(2)}× (TLS record encryption; no HTTP/2 row: wrk has no h2, and h2load is not installed)`,
      `2 workers ÷ 1 worker, CPU per request: ${ratio('corsgate-w2', 'corsgate-1', 'GET').toFixed(2)}× round-robin, ${ratio('corsgate-w2-none', 'corsgate-1', 'GET').toFixed(2)}× SCHED_NONE with both on CPU 0; on CPUs 0 and 1: ${ratio('corsgate-w2-2cpu', 'corsgate-1', 'GET').toFixed(2)}× round-robin, ${ratio('corsgate-w2-2cpu-none', 'corsgate-1', 'GET').toFixed(2)}× SCHED_NONE (target ≤ 1.10×), ${ratio('corsgate-w2-2cpu-c100', 'corsgate-1', 'GET').toFixed(2)}× SCHED_NONE at 50 connections per worker; req/s on two CPUs ÷ one worker: ${((cell('corsgate-w2-2cpu', 'GET')?.rps ?? NaN) / (w1?.rps ?? NaN)).toFixed(2)}× round-robin, ${((cell('corsgate-w2-2cpu-none', 'GET')?.rps ?? NaN) / (w1?.rps ?? NaN)).toFixed(2)}× SCHED_NONE`,
    ];
    console.log('\n' + targets.join('\n'));
    writeResults(
      'gateway',
      table,
      [
        '## Against the targets',
        '',
        ...targets.map((t) => `- ${t}`),
        '',
        '## Method',
        '',
        `wrk -t1 -c${CONNECTIONS} (the 100-connection row: -c${2 * CONNECTIONS}), ${SECONDS} s per run after a 1 s warm-up, median of ${RUNS} rounds whose order alternates; ${PIN ? 'servers pinned to CPU 0 (2-worker gateways to CPUs 0 and 1), wrk and the nginx upstream to CPU 1' : 'no CPU pinning'}.`,
        'Only the server being measured runs: every other one is stopped (SIGSTOP) until its turn, so that a score of idle servers woken by their timers on CPU 0 does not evict its caches (a gateway, the bigger process, paid more for that than a floor).',
        'CPU µs/req: utime + stime from /proc/PID/stat of the server process and all its children (a gateway\'s primary and workers), per answered request. "× floor" is the median of ratios to the floor run just before each cell (seconds apart: this machine\'s speed drifts within a round); "× nginx" and the other ratios are medians of same-round ratios.',
        "The upstream is nginx answering a 31-byte JSON; every proxy keeps upstream connections alive. Allowlists are exact origins; the load's origin is the last entry. corsgate runs with --access-log off unless the row says otherwise (the log then goes to a file).",
        'nginx: one worker, master_process off, `map $http_origin`, preflights answered with `return 204`, proxy_pass with upstream keep-alive. The latency table is wrk at 4 connections, 2 s runs.',
        'Two workers on one CPU pay for being oversubscribed (neither is saturated, both switch); the figure that answers "does a second worker cost CPU per request" is the one on two CPUs, where wrk and the upstream share CPU 1 with the second worker. With 50 connections in all each of two workers serves 25, so each event-loop wake carries fewer requests than the single worker\'s; the 100-connection row gives each worker the single worker\'s 50 (both rows are kept: neither alone is the whole story).',
        "The bare 204 floor sends no CORS field (status line, Date, Connection, Keep-Alive: about 110 bytes); corsgate's allowed preflight carries six more (about 330 bytes), which Node's writeHead checks and serialises on every response: the \"same header block\" floor measures that. corsgate checks and serialises a remembered answer's head once (src/gateway/core/wire-head.ts; src/gateway/answer-write.ts writes it) and adds only Date and the keep-alive fields per response, as Node does.",
        'The machine is shared: req/s moves with other load, CPU µs/req much less. `uptime` load average at the start of this run: ' +
          readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', ') +
          '.',
      ].join('\n'),
    );
  } finally {
    stage?.release();
    for (const p of procs.reverse()) p.stop();
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dir, { recursive: true, force: true });
  }
}
