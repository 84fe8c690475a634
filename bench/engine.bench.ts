/**
 * Policy engine benchmark: cost per decision (allowed, refused, preflight) at allowlist sizes
 * 1 … 1,000,000, next to expressjs/cors's middleware called on the same requests with a stub
 * response that records headers; the bare origin check of each; compile time (CPU time, median of
 * a few compiles) and memory.
 * The peer gets the same allowlist: exact origins as strings, wildcard patterns as anchored RegExps.
 * Method: after a warm-up, corsgate and the peer run in alternating ≈1 ms batches (so a slow
 * stretch of a shared machine hits both alike); the lower decile of the batch means of each side
 * is reported (preemption only ever adds time).
 * Bounded to about a minute in total. Results go to bench/results/engine.md.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import cors from 'cors';
import { median, writeResults } from './support.js';
import { createPolicy, type Policy, type PolicyOptions, type RequestLike } from 'corsgate';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SIZES = [1, 10, 100, 10_000, 1_000_000];
const CELL_BUDGET_NS = 300_000_000n; // per measured pair of cells (at least 5 rounds each)
const COMPILE_RUNS = 3;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'];
const REQUEST_HEADERS = ['content-type', 'x-request-id'];

class StubResponse {
  headers: Record<string, string | number> = {};
  statusCode = 200;
  ended = false;
  setHeader(name: string, value: string | number): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }
  getHeader(name: string): string | number | undefined {
    return this.headers[name.toLowerCase()];
  }
  removeHeader(name: string): void {
    delete this.headers[name.toLowerCase()];
  }
  end(): void {
    this.ended = true;
  }
}

interface Lists {
  patterns: string[];
  peer: Array<string | RegExp>;
  allowedExact: string;
  allowedWildcard: string | null;
}

/**
 * Every tenth entry (from size 10 up) is a subdomain wildcard; the allowed origins sit mid-list.
 * The strings go through JSON, as a policy file's would, so they are flat and unhashed.
 */
function buildLists(n: number): Lists {
  const patterns: string[] = new Array(n);
  const peer: Array<string | RegExp> = new Array(n);
  let wildIndex = -1;
  for (let i = 0; i < n; i++) {
    const domain = `example${i % 1000}.com`;
    if (n >= 10 && i % 10 === 9) {
      patterns[i] = `https://*.t${i}.${domain}`;
      peer[i] = new RegExp(`^https://([a-z0-9-]+\\.)+t${i}\\.example${i % 1000}\\.com$`);
      if (wildIndex < 0 && i >= n / 2) wildIndex = i;
    } else {
      patterns[i] = `https://app${i}.${domain}`;
      peer[i] = patterns[i]!;
    }
  }
  let mid = Math.floor(n / 2);
  if (n >= 10 && mid % 10 === 9) mid--;
  return {
    patterns: JSON.parse(JSON.stringify(patterns)) as string[],
    peer: (
      JSON.parse(JSON.stringify(peer.map((p) => (typeof p === 'string' ? p : null)))) as Array<string | null>
    ).map((p, i) => p ?? peer[i]!),
    allowedExact: `https://app${mid}.example${mid % 1000}.com`,
    allowedWildcard: wildIndex < 0 ? null : `https://api.t${wildIndex}.example${wildIndex % 1000}.com`,
  };
}

/** The peer's bare check, equivalent to expressjs/cors's array scan (=== for strings, RegExp.test). */
function peerAllows(list: ReadonlyArray<string | RegExp>, origin: string): boolean {
  for (const entry of list) {
    if (typeof entry === 'string' ? entry === origin : entry.test(origin)) return true;
  }
  return false;
}

let sink = 0;

/** Number of calls of `fn` that take about `targetNs` (at least 1), estimated after ≈20 ms of warm-up calls. */
function batchSize(fn: () => void, targetNs: number): number {
  const t0 = process.hrtime.bigint();
  let calls = 0;
  let elapsed = 0;
  while (elapsed < 20e6) {
    fn();
    calls++;
    elapsed = Number(process.hrtime.bigint() - t0);
  }
  return Math.max(1, Math.round(targetNs / (elapsed / calls)));
}

/**
 * ns per call of `ours` and of `peer` (lower decile of batch means), measured in alternating rounds (ours, peer, ours, …)
 * so that a slow stretch of a shared machine hits both sides alike and the ratio stays meaningful.
 * When the peer is much slower, each round runs several short batches of ours, so both figures rest
 * on enough samples.
 */
function measurePair(ours: () => void, peer: () => void): [number, number] {
  gc();
  const target = 5e5; // ≈ 0.5 ms per batch: short enough that most batches run unpreempted
  const nOurs = batchSize(ours, target);
  const nPeer = batchSize(peer, target);
  const a: number[] = [];
  const b: number[] = [];
  let oursPerRound = 1;
  const start = process.hrtime.bigint();
  while (b.length < 5 || (process.hrtime.bigint() - start < CELL_BUDGET_NS && b.length < 300)) {
    let oursNs = 0;
    for (let r = 0; r < oursPerRound; r++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < nOurs; i++) ours();
      const dt = Number(process.hrtime.bigint() - t0);
      oursNs += dt;
      a.push(dt / nOurs);
    }
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < nPeer; i++) peer();
    const peerNs = Number(process.hrtime.bigint() - t0);
    b.push(peerNs / nPeer);
    oursPerRound = Math.min(30, Math.max(1, Math.round(peerNs / (oursNs / oursPerRound) / 4)));
  }
  return [lowerDecile(a), lowerDecile(b)];
}

/**
 * The 10th percentile of the batch means: on a shared machine most of the spread comes from batches
 * that were preempted, and those only ever add time. Both sides get the same statistic.
 */
function lowerDecile(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  return s[Math.floor((s.length - 1) / 10)]!;
}

const fmt = (ns: number) =>
  ns >= 1e6
    ? `${(ns / 1e6).toFixed(2)} ms`
    : ns >= 1e3
      ? `${(ns / 1e3).toFixed(2)} µs`
      : `${ns.toFixed(0)} ns`;
const ratio = (peer: number, ours: number) => `${(peer / ours).toFixed(peer / ours >= 10 ? 0 : 1)}×`;

/** CPU time (user + system, all threads) since `start`, in ns. */
function cpuNs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) * 1000;
}

function heapMB(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

export default async function run(): Promise<void> {
  const decisionRows: string[][] = [];
  const checkRows: string[][] = [];
  const compileRows: string[][] = [];
  const began = Date.now();
  warmUp();

  for (const n of SIZES) {
    const lists = buildLists(n);
    const options: PolicyOptions = {
      origins: lists.patterns,
      methods: METHODS,
      requestHeaders: REQUEST_HEADERS,
      maxAge: 600,
    };
    const m0 = heapMB();
    let cpu = process.cpuUsage();
    const policy: Policy = createPolicy(options);
    const compileTimes = [cpuNs(cpu)];
    const m1 = heapMB();
    // Compile time is the median CPU time (every thread of the process) of a few compiles, so a busy
    // machine's preemption does not count; the heap is the first policy's.
    while (n >= 10_000 && compileTimes.length < COMPILE_RUNS) {
      cpu = process.cpuUsage();
      sink += createPolicy(options).allowsOrigin(lists.allowedExact) ? 1 : 0;
      compileTimes.push(cpuNs(cpu));
    }
    const compileNs = median(compileTimes);
    const peerMw = cors({
      origin: lists.peer,
      methods: METHODS,
      allowedHeaders: REQUEST_HEADERS,
      maxAge: 600,
    }) as unknown as (req: unknown, res: unknown, next: () => void) => void;
    const peerMB = n >= 1000 ? estimatePeerMB(n) : null;
    if (n >= 10_000) {
      const per100k = 100_000 / n;
      compileRows.push([
        n.toLocaleString('en-US'),
        fmt(compileNs),
        `${((compileNs / 1e6) * per100k).toFixed(0)} ms`,
        `${((m1 - m0) * per100k).toFixed(1)} MB`,
        peerMB === null ? '-' : `${(peerMB * per100k).toFixed(1)} MB`,
      ]);
    }

    const actual = (origin: string): RequestLike => ({
      method: 'GET',
      headers: { host: 'api.example.com', origin, accept: '*/*' },
    });
    const requests: Array<[string, RequestLike]> = [
      ['allowed', actual(lists.allowedExact)],
      ['refused', actual('https://evil.example.net')],
      [
        'preflight',
        {
          method: 'OPTIONS',
          headers: {
            host: 'api.example.com',
            origin: lists.allowedExact,
            'access-control-request-method': 'PUT',
            'access-control-request-headers': 'content-type,x-request-id',
          },
        },
      ],
    ];
    // A new policy has new closures, which V8 optimises afresh (in the background, slowly on a busy
    // machine): run every measured path for a while first, as a server would have.
    const warmUntil = process.hrtime.bigint() + 400_000_000n;
    while (process.hrtime.bigint() < warmUntil) {
      for (const [, req] of requests) {
        for (let i = 0; i < 200; i++) sink += policy.evaluate(req).headers.Vary === undefined ? 0 : 1;
        if (policy.allowsOrigin(lists.allowedWildcard ?? lists.allowedExact)) sink++;
      }
    }
    for (const [name, req] of requests) {
      const [ours, peer] = measurePair(
        () => {
          const res = new StubResponse();
          const d = policy.evaluate(req);
          for (const k in d.headers) res.setHeader(k, d.headers[k]!);
          if (d.status !== null) {
            res.statusCode = d.status;
            res.end();
          }
          sink += res.statusCode;
        },
        () => {
          const res = new StubResponse();
          peerMw(req, res, () => {
            sink++;
          });
          sink += res.statusCode;
        },
      );
      decisionRows.push([n.toLocaleString('en-US'), name, fmt(ours), fmt(peer), ratio(peer, ours)]);
    }
    const checks: Array<[string, string | null]> = [
      ['allowed exact', lists.allowedExact],
      ['allowed wildcard', lists.allowedWildcard],
      ['refused', 'https://evil.example.net'],
    ];
    for (const [name, origin] of checks) {
      if (origin === null) continue;
      const [ours, peer] = measurePair(
        () => {
          if (policy.allowsOrigin(origin)) sink++;
        },
        () => {
          if (peerAllows(lists.peer, origin)) sink++;
        },
      );
      if (
        !policy.allowsOrigin(origin) !== (name === 'refused') ||
        peerAllows(lists.peer, origin) !== policy.allowsOrigin(origin)
      ) {
        throw new Error(`bench setup error: ${name} ${origin}`);
      }
      checkRows.push([n.toLocaleString('en-US'), name, fmt(ours), fmt(peer), ratio(peer, ours)]);
    }
  }

  const tables = [
    table(
      'Full decision (evaluate + headers onto a stub response) vs expressjs/cors middleware',
      ['patterns', 'request', 'corsgate', 'cors', 'cors/corsgate'],
      decisionRows,
    ),
    table(
      'Bare origin check: policy.allowsOrigin vs an array scan like cors (=== / RegExp.test)',
      ['patterns', 'origin', 'corsgate', 'cors scan', 'scan/corsgate'],
      checkRows,
    ),
    table(
      `Compile time (CPU, median of ${COMPILE_RUNS}) and heap (10 % wildcards)`,
      ['patterns', 'createPolicy', 'per 100k', 'heap per 100k', 'cors list heap per 100k'],
      compileRows,
    ),
  ];
  const summary = summarise(decisionRows, checkRows);
  const text = `${tables.join('\n')}\n${summary}`;
  console.log(text);
  console.log(`(total ${((Date.now() - began) / 1000).toFixed(1)} s; sink ${sink % 7})`);
  writeResults(
    'engine',
    text,
    'Ratios above 1× mean corsgate is faster. Each pair of figures is measured in alternating batches in the same process; each figure is the lower decile of the per-call means of ≈0.5 ms batches.',
  );
}

/** The targets, as ratios read off the tables. */
function summarise(decisionRows: string[][], checkRows: string[][]): string {
  const lines = ['Summary', ''];
  const spread = (rows: string[][], kind: string) => {
    const ns = rows.filter((r) => r[1] === kind && r[0] !== '1').map((r) => parseNs(r[2]!));
    return ns.length < 2 ? '-' : `${(Math.max(...ns) / Math.min(...ns)).toFixed(2)}×`;
  };
  lines.push(
    `- origin check, slowest/fastest over 10 … 1,000,000 patterns (target ≤ 2×): allowed exact ${spread(checkRows, 'allowed exact')}, ` +
      `allowed wildcard ${spread(checkRows, 'allowed wildcard')}, refused ${spread(checkRows, 'refused')}`,
  );
  lines.push(
    `- full decision, slowest/fastest over 10 … 1,000,000 patterns: allowed ${spread(decisionRows, 'allowed')}, refused ${spread(decisionRows, 'refused')}, preflight ${spread(decisionRows, 'preflight')}`,
  );
  for (const [size, target] of [
    ['1', '≥ 1×'],
    ['10,000', '≥ 100×'],
  ] as const) {
    const cells = decisionRows.filter((r) => r[0] === size).map((r) => `${r[1]} ${r[4]}`);
    lines.push(
      `- full decision vs expressjs/cors at ${size} pattern${size === '1' ? '' : 's'} (target ${target}): ${cells.join(', ')}`,
    );
  }
  return lines.join('\n');
}

/** Runs every measured path for a while first, so the first table rows are not paid for by the JIT. */
function warmUp(): void {
  const lists = buildLists(100);
  const policy = createPolicy({
    origins: lists.patterns,
    methods: METHODS,
    requestHeaders: REQUEST_HEADERS,
    maxAge: 600,
  });
  const peerMw = cors({
    origin: lists.peer,
    methods: METHODS,
    allowedHeaders: REQUEST_HEADERS,
    maxAge: 600,
  }) as unknown as (req: unknown, res: unknown, next: () => void) => void;
  const reqs: RequestLike[] = [
    { method: 'GET', headers: { origin: lists.allowedExact } },
    { method: 'GET', headers: { origin: 'https://evil.example.net' } },
    {
      method: 'OPTIONS',
      headers: {
        origin: lists.allowedExact,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type',
      },
    },
  ];
  const until = Date.now() + 600;
  while (Date.now() < until) {
    for (const req of reqs) {
      const res = new StubResponse();
      const d = policy.evaluate(req);
      for (const k in d.headers) res.setHeader(k, d.headers[k]!);
      peerMw(req, new StubResponse(), () => {});
      if (policy.allowsOrigin(lists.allowedWildcard!) && peerAllows(lists.peer, lists.allowedExact)) sink++;
    }
  }
}

function estimatePeerMB(n: number): number {
  const before = heapMB();
  const lists = buildLists(n);
  const after = heapMB();
  sink += lists.peer.length;
  // buildLists also makes the corsgate pattern strings: measure those alone and subtract.
  const before2 = heapMB();
  const strings = lists.patterns.slice();
  const after2 = heapMB();
  sink += strings.length;
  return after - before - (after2 - before2);
}

function parseNs(s: string): number {
  const [v, unit] = s.split(' ');
  return Number(v) * (unit === 'ms' ? 1e6 : unit === 'µs' ? 1e3 : 1);
}

function table(title: string, head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const out = [
    `${title}`,
    '',
    `| ${head.map((h, i) => h.padEnd(widths[i]!)).join(' | ')} |`,
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
  ];
  for (const r of rows)
    out.push(`| ${r.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`);
  return `${out.join('\n')}\n`;
}
