/**
 * In-process metrics in the Prometheus text exposition format (version 0.0.4).
 * Counters are kept in Maps keyed by their label string, built once per distinct label set.
 */

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class Metrics {
  private requests = new Map<string, number>();
  private preflights = new Map<string, number>();
  private upstreamErrors = new Map<string, number>();
  private buckets = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  private latencySum = 0;
  private latencyCount = 0;
  private adminRequests = new Map<string, number>();
  private adminAuthFailures = new Map<string, number>();
  private adminAuthBlocks = 0;
  snapshotVersion = 0;
  allowlistSize = 0;
  cspBytes = 0;
  readonly startedAt = Date.now();

  private bump(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  /** decision: allowed | refused | passthrough; reason: the engine's or the gateway's reason code. */
  request(decision: string, reason: string, route: string): void {
    this.bump(this.requests, `decision="${decision}",reason="${escapeLabel(reason)}",route="${escapeLabel(route)}"`);
  }

  preflight(result: 'allowed' | 'refused'): void {
    this.bump(this.preflights, `result="${result}"`);
  }

  upstreamError(kind: string): void {
    this.bump(this.upstreamErrors, `kind="${kind}"`);
  }

  upstreamLatency(seconds: number): void {
    this.latencySum += seconds;
    this.latencyCount++;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]!) this.buckets[i]!++;
  }

  admin(method: string, status: number): void {
    this.bump(this.adminRequests, `method="${method}",status="${status}"`);
  }

  /** A failed admin authentication: reason unknown, revoked, malformed, or throttled (refused 429 while its address waits). */
  adminAuthFailure(reason: string): void {
    this.bump(this.adminAuthFailures, `reason="${reason}"`);
  }

  /** An address made to wait after repeated failed authentications. */
  adminAuthBlocked(): void {
    this.adminAuthBlocks++;
  }

  render(): string {
    const out: string[] = [];
    const counter = (name: string, help: string, map: Map<string, number>) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, v] of map) out.push(`${name}{${labels}} ${v}`);
    };
    counter('corsgate_requests_total', 'Proxied requests by CORS decision, reason and route.', this.requests);
    counter('corsgate_preflights_total', 'CORS preflight requests answered by the gateway.', this.preflights);
    counter('corsgate_upstream_errors_total', 'Upstream failures answered with 502 or 504.', this.upstreamErrors);
    counter('corsgate_admin_requests_total', 'Admin API requests by method and status.', this.adminRequests);
    counter('corsgate_admin_auth_failures_total', 'Failed admin authentications by reason (throttled: refused while the address waits).', this.adminAuthFailures);
    out.push('# HELP corsgate_admin_auth_blocks_total Client addresses made to wait after repeated failed authentications.', '# TYPE corsgate_admin_auth_blocks_total counter', `corsgate_admin_auth_blocks_total ${this.adminAuthBlocks}`);
    out.push('# HELP corsgate_upstream_duration_seconds Time to the upstream response headers.', '# TYPE corsgate_upstream_duration_seconds histogram');
    LATENCY_BUCKETS.forEach((le, i) => out.push(`corsgate_upstream_duration_seconds_bucket{le="${le}"} ${this.buckets[i]}`));
    out.push(`corsgate_upstream_duration_seconds_bucket{le="+Inf"} ${this.latencyCount}`);
    out.push(`corsgate_upstream_duration_seconds_sum ${this.latencySum}`, `corsgate_upstream_duration_seconds_count ${this.latencyCount}`);
    const gauge = (name: string, help: string, v: number) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${v}`);
    gauge('corsgate_policy_version', 'Store change counter of the policy snapshot in use.', this.snapshotVersion);
    gauge('corsgate_allowlist_entries', 'Origin patterns in the active allowlist.', this.allowlistSize);
    gauge('corsgate_csp_header_bytes', 'Size of the trusted-sites Content-Security-Policy header.', this.cspBytes);
    gauge('corsgate_uptime_seconds', 'Seconds since start.', Math.round((Date.now() - this.startedAt) / 1000));
    return out.join('\n') + '\n';
  }
}
