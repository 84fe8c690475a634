/**
 * The upstreams a worker forwards to: the default one (`--upstream`, or the built-in demo API) and
 * every route's own `upstream`. Each has its own undici Pool, timeouts, in-flight cap and metrics
 * label. The set follows the snapshots: before a snapshot is put in force every upstream it names
 * has a pool, and once it is, pools that no snapshot names any more are closed (undici's `close`
 * lets requests in flight finish first).
 */
import { Pool } from 'undici';
import type { Forward } from './core/decide.js';
import type { BoundRoute } from './core/regime.js';
import type { UpstreamTls } from './tls.js';

export interface UpstreamOptions {
  connectTimeoutMs: number;
  /** Time allowed for the upstream's response headers, and between body chunks (504 after it). */
  timeoutMs: number;
  /** Requests in flight to one upstream at once; more are answered 503 at once (not queued). */
  maxInFlight: number;
  tls: UpstreamTls;
}

/** One upstream's latency histogram (bound to its label once, never per request). */
export interface LatencyTimer {
  observe(seconds: number): void;
}

export class Upstream {
  inFlight = 0;
  /** The label in metrics and logs: the upstream's origin (never a path or credentials). */
  readonly name: string;
  readonly basePath: string;
  readonly pool: Pool;
  readonly maxInFlight: number;

  constructor(
    readonly url: URL,
    readonly options: UpstreamOptions,
    readonly latency: LatencyTimer,
  ) {
    this.name = url.origin;
    this.basePath = url.pathname.replace(/\/$/, '');
    this.maxInFlight = options.maxInFlight;
    this.pool = new Pool(url.origin, {
      connections: options.maxInFlight,
      connect: {
        timeout: options.connectTimeoutMs,
        ...(url.protocol === 'https:' ? { ...options.tls, servername: url.hostname } : {}),
      },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 4_000,
    });
  }
}

/** Finds the upstream of a forwarded request's route (the default one for routes that name none). */
export interface UpstreamLookup {
  of(outcome: Forward): Upstream | null;
}

/** The snapshot's routes that name an upstream. */
function namedUpstreams(routes: readonly BoundRoute[]): Set<string> {
  const out = new Set<string>();
  for (const r of routes) if (r.upstream !== null) out.add(r.upstream);
  return out;
}

export class UpstreamSet implements UpstreamLookup {
  private readonly byUrl = new Map<string, Upstream>();
  readonly default: Upstream;

  constructor(
    defaultUrl: URL,
    private readonly options: UpstreamOptions,
    private readonly timer: (name: string) => LatencyTimer,
  ) {
    this.default = new Upstream(defaultUrl, options, timer(defaultUrl.origin));
  }

  of(outcome: Forward): Upstream | null {
    return this.forRoute(outcome.route);
  }

  forRoute(route: BoundRoute): Upstream | null {
    const url = route.upstream;
    if (url === null) return this.default;
    return this.byUrl.get(url) ?? null;
  }

  /** Before `routes` are put in force: a pool for every upstream they name. */
  prepare(routes: readonly BoundRoute[]): void {
    for (const url of namedUpstreams(routes)) {
      if (this.byUrl.has(url)) continue;
      const parsed = new URL(url);
      this.byUrl.set(url, new Upstream(parsed, this.options, this.timer(parsed.origin)));
    }
  }

  /** After `routes` are in force: pools nothing names any more are closed once their requests finish. */
  retire(routes: readonly BoundRoute[]): void {
    const named = namedUpstreams(routes);
    for (const [url, upstream] of this.byUrl) {
      if (named.has(url)) continue;
      this.byUrl.delete(url);
      void upstream.pool.close().catch(() => undefined);
    }
  }

  get size(): number {
    return this.byUrl.size + 1;
  }

  async close(): Promise<void> {
    await Promise.all(
      [this.default, ...this.byUrl.values()].map((u) => u.pool.close().catch(() => undefined)),
    );
  }
}
