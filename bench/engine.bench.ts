/**
 * Policy engine benchmark: cost per decision (allowed, refused, preflight) at allowlist sizes
 * 1 … 1,000,000, next to expressjs/cors's middleware called on the same requests with a stub
 * response that records headers; the bare origin check of each; compile time and memory.
 * The peer gets the same allowlist: exact origins as strings, wildcard patterns as anchored RegExps.
 * Method: process.hrtime.bigint() around batches, after warm-up; the median per-operation time of
 * the batches is reported. Bounded to about a minute in total.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import cors from 'cors';
import { createPolicy, type Policy, type PolicyOptions, type RequestLike } from '../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SIZES = [1, 10, 100, 10_000, 1_000_000];
const CELL_BUDGET_NS = 200_000_000n; // per measured cell
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

/** Every tenth entry (from size 10 up) is a subdomain wildcard; the allowed origins sit mid-list. */
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
    patterns,
    peer,
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
/** Median ns per call of `fn`, measured in batches after a warm-up, within the cell budget. */
function measure(fn: () => void): number {
  // Warm-up and batch sizing: grow the batch until it takes ≥ 2 ms (or one call exceeds it).
  let batch = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    const dt = process.hrtime.bigint() - t0;
    if (dt >= 2_000_000n || batch >= 1 << 22) break;
    batch *= 2;
  }
  const samples: number[] = [];
  const start = process.hrtime.bigint();
  while (samples.length < 5 || (process.hrtime.bigint() - start < CELL_BUDGET_NS && samples.length < 200)) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t0) / batch);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const fmt = (ns: number) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);
const ratio = (peer: number, ours: number) => `${(peer / ours).toFixed(peer / ours >= 10 ? 0 : 1)}×`;

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
    const options: PolicyOptions = { origins: lists.patterns, methods: METHODS, requestHeaders: REQUEST_HEADERS, maxAge: 600 };
    const m0 = heapMB();
    const t0 = process.hrtime.bigint();
    const policy: Policy = createPolicy(options);
    const compileNs = Number(process.hrtime.bigint() - t0);
    const m1 = heapMB();
    const peerMw = cors({ origin: lists.peer, methods: METHODS, allowedHeaders: REQUEST_HEADERS, maxAge: 600 }) as unknown as (req: unknown, res: unknown, next: () => void) => void;
    const peerMB = n >= 1000 ? estimatePeerMB(n) : null;
    if (n >= 10_000) {
      const per100k = 100_000 / n;
      compileRows.push([n.toLocaleString('en-US'), fmt(compileNs), `${((compileNs / 1e6) * per100k).toFixed(0)} ms`, `${((m1 - m0) * per100k).toFixed(1)} MB`, peerMB === null ? '-' : `${(peerMB * per100k).toFixed(1)} MB`]);
    }

    const actual = (origin: string): RequestLike => ({ method: 'GET', headers: { host: 'api.example.com', origin, accept: '*/*' } });
    const requests: Array<[string, RequestLike]> = [
      ['allowed', actual(lists.allowedExact)],
      ['refused', actual('https://evil.example.net')],
      ['preflight', { method: 'OPTIONS', headers: { host: 'api.example.com', origin: lists.allowedExact, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type,x-request-id' } }],
    ];
    for (const [name, req] of requests) {
      const ours = measure(() => {
        const res = new StubResponse();
        const d = policy.evaluate(req);
        for (const k in d.headers) res.setHeader(k, d.headers[k]!);
        if (d.status !== null) {
          res.statusCode = d.status;
          res.end();
        }
        sink += res.statusCode;
      });
      const peer = measure(() => {
        const res = new StubResponse();
        peerMw(req, res, () => {
          sink++;
        });
        sink += res.statusCode;
      });
      decisionRows.push([n.toLocaleString('en-US'), name, fmt(ours), fmt(peer), ratio(peer, ours)]);
    }
    const checks: Array<[string, string | null]> = [['allowed exact', lists.allowedExact], ['allowed wildcard', lists.allowedWildcard], ['refused', 'https://evil.example.net']];
    for (const [name, origin] of checks) {
      if (origin === null) continue;
      const ours = measure(() => {
        if (policy.allowsOrigin(origin)) sink++;
      });
      const peer = measure(() => {
        if (peerAllows(lists.peer, origin)) sink++;
      });
      if (!policy.allowsOrigin(origin) !== (name === 'refused') || peerAllows(lists.peer, origin) !== policy.allowsOrigin(origin)) {
        throw new Error(`bench setup error: ${name} ${origin}`);
      }
      checkRows.push([n.toLocaleString('en-US'), name, fmt(ours), fmt(peer), ratio(peer, ours)]);
    }
  }

  printTable('Full decision (evaluate + headers onto a stub response) vs expressjs/cors middleware', ['patterns', 'request', 'corsgate', 'cors', 'cors/corsgate'], decisionRows);
  printTable('Bare origin check: policy.allowsOrigin vs an array scan like cors (=== / RegExp.test)', ['patterns', 'origin', 'corsgate', 'cors scan', 'scan/corsgate'], checkRows);
  printTable('Compile time and heap (10 % wildcards)', ['patterns', 'createPolicy', 'per 100k', 'heap per 100k', 'cors list heap per 100k'], compileRows);
  const flat = checkRows.filter((r) => r[1] === 'refused' && r[0] !== '1');
  console.log(`\ncorsgate refused-origin check, slowest/fastest over 10 … 1,000,000 patterns: ${(Math.max(...flat.map((r) => parseNs(r[2]!))) / Math.min(...flat.map((r) => parseNs(r[2]!)))).toFixed(2)}×`);
  console.log(`(total ${((Date.now() - began) / 1000).toFixed(1)} s; sink ${sink % 7})`);
}

/** Runs every measured path for a while first, so the first table rows are not paid for by the JIT. */
function warmUp(): void {
  const lists = buildLists(100);
  const policy = createPolicy({ origins: lists.patterns, methods: METHODS, requestHeaders: REQUEST_HEADERS, maxAge: 600 });
  const peerMw = cors({ origin: lists.peer, methods: METHODS, allowedHeaders: REQUEST_HEADERS, maxAge: 600 }) as unknown as (req: unknown, res: unknown, next: () => void) => void;
  const reqs: RequestLike[] = [
    { method: 'GET', headers: { origin: lists.allowedExact } },
    { method: 'GET', headers: { origin: 'https://evil.example.net' } },
    { method: 'OPTIONS', headers: { origin: lists.allowedExact, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' } },
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

function printTable(title: string, head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  console.log(`\n${title}\n`);
  console.log(`| ${head.map((h, i) => h.padEnd(widths[i]!)).join(' | ')} |`);
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(`| ${r.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`);
}
