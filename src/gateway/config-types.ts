/**
 * The gateway's settings as `corsgate serve` resolves them (config.ts reads them from flags, the
 * environment and a config file), and their defaults.
 */
export interface GatewayConfig {
  upstream: string | null;
  host: string;
  port: number;
  adminHost: string;
  adminPort: number;
  store: string;
  /** Fleet mode: the file holding this node's copy of the last configuration it applied. */
  cache: string;
  /** This node's name in /api/nodes and in its usage counters (null: host name and proxy port). */
  nodeId: string | null;
  policy: string | null;
  timeoutMs: number;
  connectTimeoutMs: number;
  consoleDir: string | null;
  /** Proxy worker processes; `auto` is resolved to the number of CPUs at start. */
  workers: number | 'auto';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  accessLog: boolean;
  /** Time a client has to send a request's headers (slowloris defence), on every listener. */
  headersTimeoutMs: number;
  /** Time a client has to send a whole request, body included. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** Largest request head (request line and headers) in bytes; larger ones are answered 431. */
  maxHeaderSize: number;
  /** Most header fields in a request; more are answered 431. */
  maxHeaders: number;
  /** Open proxy connections per worker; at the cap the oldest idle one is closed for a new one. */
  maxConnections: number;
  /** Requests in flight to the upstream per worker; more are answered 503 with Retry-After. */
  maxInFlight: number;
  /** Open admin connections (the admin listener keeps its own cap, so an attack on the proxy never locks it). */
  adminMaxConnections: number;
  allowWeakAdminToken: boolean;
  /** PEM certificate chain and key files: the proxy listener serves HTTPS (h2 and HTTP/1.1 by ALPN). */
  tlsCert: string | null;
  tlsKey: string | null;
  /** The same for the admin listener. */
  adminTlsCert: string | null;
  adminTlsKey: string | null;
  /** PEM CA bundle trusted for https:// upstreams (instead of Node's built-in roots). */
  upstreamCa: string | null;
  /** Do not verify https:// upstreams' certificates (warned about at start). */
  upstreamInsecure: boolean;
  /** Time an upstream has to answer a WebSocket handshake (504 after it). */
  websocketHandshakeTimeoutMs: number;
  /** A WebSocket with no frame either way for this long is closed. */
  websocketIdleTimeoutMs: number;
  /**
   * Trust X-Forwarded-Proto and X-Forwarded-Host from the client: only when every connection comes
   * through a proxy that sets them (a client reaching the gateway directly could otherwise choose them).
   */
  trustProxy: boolean;
  /** Usage counters (issue 14): flush period and top-N bound (kept per node, under nodeId). */
  usageFlushMs: number;
  usageTopN: number;
  /** The proxy listener's path reserved for CSP violation reports. */
  cspReportPath: string;
}

export const DEFAULTS: GatewayConfig = {
  upstream: null,
  host: '127.0.0.1',
  port: 8080,
  adminHost: '127.0.0.1',
  adminPort: 8081,
  store: 'sqlite:./corsgate.db',
  cache: './corsgate-cache.db',
  nodeId: null,
  policy: null,
  timeoutMs: 30_000,
  connectTimeoutMs: 5_000,
  consoleDir: null,
  workers: 1,
  logLevel: 'info',
  accessLog: true,
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderSize: 16_384,
  maxHeaders: 200,
  maxConnections: 10_000,
  maxInFlight: 1024,
  adminMaxConnections: 256,
  allowWeakAdminToken: false,
  tlsCert: null,
  tlsKey: null,
  adminTlsCert: null,
  adminTlsKey: null,
  upstreamCa: null,
  upstreamInsecure: false,
  websocketHandshakeTimeoutMs: 10_000,
  websocketIdleTimeoutMs: 300_000,
  trustProxy: false,
  usageFlushMs: 10_000,
  usageTopN: 1000,
  cspReportPath: '/.corsgate/csp-reports',
};
