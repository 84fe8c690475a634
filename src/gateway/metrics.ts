/**
 * `/metrics` through prom-client: its default process metrics (CPU, memory, event-loop lag, GC),
 * the gateway's counters and histograms, and, with several workers, the whole node aggregated with
 * `AggregatorRegistry.aggregate` (counters summed, gauges as declared).
 *
 * The hot path never builds a label string: each route's counters, like each upstream's latency
 * buckets, are plain numbers bound once (`route(id)`, `upstreamTimer`), and prom-client reads them
 * when it is scraped.
 */
import {
  AggregatorRegistry,
  collectDefaultMetrics,
  Counter,
  Gauge,
  Registry,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client';
import type { OutcomeDecision, RouteTallies, RouteTally } from './core/regime.js';
import { UpstreamLatency } from './latency-histogram.js';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One route's counts by decision and reason; lives as long as the process, across snapshots. */
class RouteCounts implements RouteTally {
  readonly byDecision: Record<OutcomeDecision, Map<string, { n: number }>> = {
    allowed: new Map(),
    refused: new Map(),
    passthrough: new Map(),
  };
  constructor(private readonly preflights: { allowed: number; refused: number }) {}

  count(decision: OutcomeDecision, reason: string, preflight: boolean): void {
    const cells = this.byDecision[decision];
    const cell = cells.get(reason);
    if (cell === undefined) cells.set(reason, { n: 1 });
    else cell.n++;
    if (preflight) {
      if (decision === 'allowed') this.preflights.allowed++;
      else this.preflights.refused++;
    }
  }
}

export interface SnapshotGauges {
  version: number;
  allowlistSize: number;
  cspBytes: number;
}

type Registers = Registry[];

/** Requests and preflights, read from the routes' plain counters when scraped. */
function registerRouteCounters(
  registers: Registers,
  routes: ReadonlyMap<string, RouteCounts>,
  preflights: { allowed: number; refused: number },
): void {
  new Counter({
    name: 'corsgate_requests_total',
    help: 'Proxied requests by CORS decision, reason and route.',
    labelNames: ['decision', 'reason', 'route'],
    registers,
    collect() {
      this.reset();
      for (const [route, counts] of routes)
        for (const decision of ['allowed', 'refused', 'passthrough'] as const)
          for (const [reason, cell] of counts.byDecision[decision])
            this.inc({ decision, reason, route }, cell.n);
    },
  });
  new Counter({
    name: 'corsgate_preflights_total',
    help: 'CORS preflight requests answered by the gateway.',
    labelNames: ['result'],
    registers,
    collect() {
      this.reset();
      this.inc({ result: 'allowed' }, preflights.allowed);
      this.inc({ result: 'refused' }, preflights.refused);
    },
  });
}

/** Upstream failures and WebSocket handshakes, counted under newline-joined label keys. */
function registerEventCounters(
  registers: Registers,
  upstreamErrors: ReadonlyMap<string, number>,
  handshakes: ReadonlyMap<string, number>,
): void {
  new Counter({
    name: 'corsgate_upstream_errors_total',
    help: 'Upstream failures answered with 502, 503 or 504 (or a cut response body).',
    labelNames: ['kind', 'upstream'],
    registers,
    collect() {
      this.reset();
      for (const [key, n] of upstreamErrors) {
        const [kind, upstream] = key.split('\n') as [string, string];
        this.inc({ kind, upstream }, n);
      }
    },
  });
  new Counter({
    name: 'corsgate_websocket_handshakes_total',
    help: 'WebSocket handshakes by decision (allowed, refused, passthrough: no Origin), reason and route.',
    labelNames: ['decision', 'reason', 'route'],
    registers,
    collect() {
      this.reset();
      for (const [key, n] of handshakes) {
        const [decision, reason, route] = key.split('\n') as [string, string, string];
        this.inc({ decision, reason, route }, n);
      }
    },
  });
}

function registerConnectionMetrics(
  registers: Registers,
  listeners: ReadonlyMap<string, { open: number; evicted: number }>,
): void {
  new Gauge({
    name: 'corsgate_connections_open',
    help: 'Open client connections, by listener.',
    labelNames: ['listener'],
    registers,
    collect() {
      for (const [listener, c] of listeners) this.set({ listener }, c.open);
    },
  });
  new Counter({
    name: 'corsgate_connections_evicted_total',
    help: 'Connections closed at the connection cap (the oldest idle one first), by listener.',
    labelNames: ['listener'],
    registers,
    collect() {
      this.reset();
      for (const [listener, c] of listeners) this.inc({ listener }, c.evicted);
    },
  });
}

/** The metrics incremented directly: upstream latency and the admin side's. */
function directMetrics(registers: Registers) {
  return {
    latency: new UpstreamLatency(
      'corsgate_upstream_duration_seconds',
      'Time to the upstream response headers, by upstream.',
      LATENCY_BUCKETS,
      registers,
    ),
    admin: new Counter({
      name: 'corsgate_admin_requests_total',
      help: 'Admin API requests by method and status.',
      labelNames: ['method', 'status'],
      registers,
    }),
    adminAuthFailures: new Counter({
      name: 'corsgate_admin_auth_failures_total',
      help: 'Failed admin authentications by reason (throttled: refused while the address waits).',
      labelNames: ['reason'],
      registers,
    }),
    adminAuthBlocks: new Counter({
      name: 'corsgate_admin_auth_blocks_total',
      help: 'Client addresses made to wait after repeated failed authentications.',
      registers,
    }),
  };
}

/** Every worker publishes the same snapshot: across the node these are the same, not a sum. */
function registerSnapshotGauges(registers: Registers, gauges: Readonly<SnapshotGauges>): void {
  const gauge = (name: string, help: string, key: keyof SnapshotGauges) =>
    new Gauge({
      name,
      help,
      registers,
      aggregator: 'max',
      collect() {
        this.set(gauges[key]);
      },
    });
  gauge('corsgate_policy_version', 'Store change counter of the policy snapshot in use.', 'version');
  gauge('corsgate_allowlist_entries', 'Origin patterns in the active allowlist.', 'allowlistSize');
  gauge('corsgate_csp_header_bytes', 'Size of the trusted-sites Content-Security-Policy header.', 'cspBytes');
}

export class Metrics implements RouteTallies {
  readonly registry = new Registry();
  private readonly routes = new Map<string, RouteCounts>();
  private readonly preflights = { allowed: 0, refused: 0 };
  private readonly upstreamErrors = new Map<string, number>();
  private readonly handshakes = new Map<string, number>();
  private readonly latency: UpstreamLatency;
  private readonly admin: Counter<'method' | 'status'>;
  private readonly adminAuthFailures: Counter<'reason'>;
  private readonly adminAuthBlocks: Counter;
  private readonly gauges: SnapshotGauges = { version: 0, allowlistSize: 0, cspBytes: 0 };
  private readonly listeners = new Map<string, { open: number; evicted: number }>();

  constructor() {
    const registers = [this.registry];
    // The event-loop lag is sampled every 100 ms, not prom-client's 10: a timer 100 times a second
    // kept every process busy (about 1% of a CPU each, the idle primary included) for a lag metric
    // whose percentiles ten samples a second give as well.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
    // Registration order is the exposition's order.
    registerRouteCounters(registers, this.routes, this.preflights);
    registerEventCounters(registers, this.upstreamErrors, this.handshakes);
    registerConnectionMetrics(registers, this.listeners);
    const direct = directMetrics(registers);
    this.latency = direct.latency;
    this.admin = direct.admin;
    this.adminAuthFailures = direct.adminAuthFailures;
    this.adminAuthBlocks = direct.adminAuthBlocks;
    registerSnapshotGauges(registers, this.gauges);
  }

  /** Reports a listener's connections (open now, closed at the cap) under `listener`. */
  connections(listener: 'proxy' | 'admin', stats: { open: number; evicted: number }): void {
    this.listeners.set(listener, stats);
  }

  /** RouteTallies: the counters of one route, bound once per snapshot. */
  route(id: string): RouteTally {
    let counts = this.routes.get(id);
    if (counts === undefined) this.routes.set(id, (counts = new RouteCounts(this.preflights)));
    return counts;
  }

  published(g: SnapshotGauges): void {
    Object.assign(this.gauges, g);
  }

  /** One upstream's latency histogram, its cells bound once (per upstream, not per request). */
  upstreamTimer(upstream: string): { observe(seconds: number): void } {
    return this.latency.cellsOf(upstream);
  }

  upstreamError(kind: string, upstream: string): void {
    const key = `${kind}\n${upstream}`;
    this.upstreamErrors.set(key, (this.upstreamErrors.get(key) ?? 0) + 1);
  }

  /** A WebSocket handshake and what was decided about it. */
  websocketHandshake(decision: string, reason: string, route: string): void {
    const key = `${decision}\n${reason}\n${route}`;
    this.handshakes.set(key, (this.handshakes.get(key) ?? 0) + 1);
  }

  adminRequest(method: string, status: number): void {
    this.admin.inc({ method, status: String(status) });
  }

  /** A failed admin authentication: reason unknown, revoked, malformed, or throttled (refused 429 while its address waits). */
  adminAuthFailure(reason: string): void {
    this.adminAuthFailures.inc({ reason });
  }

  /** An address made to wait after repeated failed authentications. */
  adminAuthBlocked(): void {
    this.adminAuthBlocks.inc();
  }

  json(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    return this.registry.getMetricsAsJSON();
  }
}

/** The exposition of the whole node: this process's metrics plus every worker's, aggregated. */
export async function nodeMetrics(
  own: Metrics,
  workers: readonly unknown[],
): Promise<{ text: string; contentType: string }> {
  const all = [await own.json(), ...(workers as Awaited<ReturnType<Metrics['json']>>[])];
  const registry = AggregatorRegistry.aggregate(all as Parameters<typeof AggregatorRegistry.aggregate>[0]);
  return { text: await registry.metrics(), contentType: registry.contentType };
}
