/**
 * `corsgate serve` configuration: flags, then CORSGATE_* environment variables, then a config file
 * (`--config FILE`, JSON or YAML), then defaults. Each problem is reported with where it came from.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

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

export class ConfigError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

interface Option {
  key: keyof GatewayConfig;
  flag: string;
  env: string;
  file: string;
  /** `flag`: a switch that takes no value on the command line (`true`/`false` elsewhere). */
  type: 'string' | 'port' | 'ms' | 'url' | 'count' | 'workers' | 'level' | 'onoff' | 'flag';
  help: string;
}

export const OPTIONS: readonly Option[] = [
  { key: 'upstream', flag: '--upstream', env: 'CORSGATE_UPSTREAM', file: 'upstream', type: 'url', help: 'URL of the API to protect (default: the built-in demo API)' },
  { key: 'host', flag: '--host', env: 'CORSGATE_HOST', file: 'host', type: 'string', help: 'proxy listen address (default 127.0.0.1)' },
  { key: 'port', flag: '--port', env: 'CORSGATE_PORT', file: 'port', type: 'port', help: 'proxy port (default 8080; 0 = any free port)' },
  { key: 'adminHost', flag: '--admin-host', env: 'CORSGATE_ADMIN_HOST', file: 'adminHost', type: 'string', help: 'admin listen address (default 127.0.0.1)' },
  { key: 'adminPort', flag: '--admin-port', env: 'CORSGATE_ADMIN_PORT', file: 'adminPort', type: 'port', help: 'admin port: console, /api, /metrics, /healthz (default 8081)' },
  { key: 'store', flag: '--store', env: 'CORSGATE_STORE', file: 'store', type: 'string', help: 'store URL: sqlite:PATH, or postgres://USER[:PASSWORD]@HOST:PORT/DB for a fleet (default sqlite:./corsgate.db)' },
  { key: 'cache', flag: '--cache', env: 'CORSGATE_CACHE', file: 'cache', type: 'string', help: 'with a postgres:// store: file of the last configuration applied, served when PostgreSQL is unreachable (default ./corsgate-cache.db)' },
  { key: 'nodeId', flag: '--node-id', env: 'CORSGATE_NODE_ID', file: 'nodeId', type: 'string', help: 'this node\'s name in /api/nodes and its usage counters (default: host name:proxy port)' },
  { key: 'policy', flag: '--policy', env: 'CORSGATE_POLICY', file: 'policy', type: 'string', help: 'policy file (JSON/YAML): read-only config-as-code mode, no admin writes' },
  { key: 'timeoutMs', flag: '--timeout', env: 'CORSGATE_TIMEOUT_MS', file: 'timeoutMs', type: 'ms', help: 'upstream response timeout in ms, answered 504 (default 30000)' },
  { key: 'connectTimeoutMs', flag: '--connect-timeout', env: 'CORSGATE_CONNECT_TIMEOUT_MS', file: 'connectTimeoutMs', type: 'ms', help: 'upstream connect timeout in ms (default 5000)' },
  { key: 'workers', flag: '--workers', env: 'CORSGATE_WORKERS', file: 'workers', type: 'workers', help: 'proxy worker processes sharing the proxy port: a number, or auto for one per CPU (default 1)' },
  { key: 'logLevel', flag: '--log-level', env: 'CORSGATE_LOG_LEVEL', file: 'logLevel', type: 'level', help: 'fatal, error, warn, info, debug, trace or silent (default info)' },
  { key: 'accessLog', flag: '--access-log', env: 'CORSGATE_ACCESS_LOG', file: 'accessLog', type: 'onoff', help: 'one log line per proxied request: on or off (default on)' },
  { key: 'headersTimeoutMs', flag: '--headers-timeout', env: 'CORSGATE_HEADERS_TIMEOUT_MS', file: 'headersTimeoutMs', type: 'ms', help: 'time a client has to send its request headers, in ms (default 15000)' },
  { key: 'requestTimeoutMs', flag: '--request-timeout', env: 'CORSGATE_REQUEST_TIMEOUT_MS', file: 'requestTimeoutMs', type: 'ms', help: 'time a client has to send a whole request, in ms (default 120000)' },
  { key: 'keepAliveTimeoutMs', flag: '--keep-alive-timeout', env: 'CORSGATE_KEEP_ALIVE_TIMEOUT_MS', file: 'keepAliveTimeoutMs', type: 'ms', help: 'idle keep-alive connections are closed after this many ms (default 5000)' },
  { key: 'maxHeaderSize', flag: '--max-header-size', env: 'CORSGATE_MAX_HEADER_SIZE', file: 'maxHeaderSize', type: 'count', help: 'largest request head in bytes, else 431 (default 16384)' },
  { key: 'maxHeaders', flag: '--max-headers', env: 'CORSGATE_MAX_HEADERS', file: 'maxHeaders', type: 'count', help: 'most header fields in a request, else 431 (default 200)' },
  { key: 'maxConnections', flag: '--max-connections', env: 'CORSGATE_MAX_CONNECTIONS', file: 'maxConnections', type: 'count', help: 'open proxy connections per worker; the oldest idle one is closed first at the cap (default 10000)' },
  { key: 'maxInFlight', flag: '--max-in-flight', env: 'CORSGATE_MAX_IN_FLIGHT', file: 'maxInFlight', type: 'count', help: 'requests in flight to the upstream per worker, else 503 (default 1024)' },
  { key: 'adminMaxConnections', flag: '--admin-max-connections', env: 'CORSGATE_ADMIN_MAX_CONNECTIONS', file: 'adminMaxConnections', type: 'count', help: 'open admin connections (default 256)' },
  { key: 'tlsCert', flag: '--tls-cert', env: 'CORSGATE_TLS_CERT', file: 'tlsCert', type: 'string', help: 'PEM certificate (chain) file: the proxy serves HTTPS, h2 and HTTP/1.1; SIGHUP reloads it' },
  { key: 'tlsKey', flag: '--tls-key', env: 'CORSGATE_TLS_KEY', file: 'tlsKey', type: 'string', help: 'PEM private key file for --tls-cert' },
  { key: 'adminTlsCert', flag: '--admin-tls-cert', env: 'CORSGATE_ADMIN_TLS_CERT', file: 'adminTlsCert', type: 'string', help: 'PEM certificate file: the admin listener serves HTTPS' },
  { key: 'adminTlsKey', flag: '--admin-tls-key', env: 'CORSGATE_ADMIN_TLS_KEY', file: 'adminTlsKey', type: 'string', help: 'PEM private key file for --admin-tls-cert' },
  { key: 'upstreamCa', flag: '--upstream-ca', env: 'CORSGATE_UPSTREAM_CA', file: 'upstreamCa', type: 'string', help: 'PEM CA file trusted for https:// upstreams (a private CA)' },
  { key: 'upstreamInsecure', flag: '--upstream-insecure', env: 'CORSGATE_UPSTREAM_INSECURE', file: 'upstreamInsecure', type: 'flag', help: "do not verify https:// upstreams' certificates (warned at start; tests only)" },
  { key: 'websocketHandshakeTimeoutMs', flag: '--websocket-handshake-timeout', env: 'CORSGATE_WEBSOCKET_HANDSHAKE_TIMEOUT_MS', file: 'websocketHandshakeTimeoutMs', type: 'ms', help: 'time the upstream has to answer a WebSocket handshake, in ms, else 504 (default 10000)' },
  { key: 'websocketIdleTimeoutMs', flag: '--websocket-idle-timeout', env: 'CORSGATE_WEBSOCKET_IDLE_TIMEOUT_MS', file: 'websocketIdleTimeoutMs', type: 'ms', help: 'a WebSocket with no traffic for this many ms is closed (default 300000)' },
  { key: 'trustProxy', flag: '--trust-proxy', env: 'CORSGATE_TRUST_PROXY', file: 'trustProxy', type: 'flag', help: 'trust X-Forwarded-Proto/-Host from a proxy in front (same-origin checks, redirects, upstream headers)' },
  { key: 'consoleDir', flag: '--console-dir', env: 'CORSGATE_CONSOLE_DIR', file: 'consoleDir', type: 'string', help: 'folder of the built console (default console/dist of this package)' },
  { key: 'allowWeakAdminToken', flag: '--allow-weak-admin-token', env: 'CORSGATE_ALLOW_WEAK_ADMIN_TOKEN', file: 'allowWeakAdminToken', type: 'flag', help: 'accept a short or simple CORSGATE_ADMIN_TOKEN (for tests only)' },
  { key: 'usageFlushMs', flag: '--usage-flush', env: 'CORSGATE_USAGE_FLUSH_MS', file: 'usageFlushMs', type: 'ms', help: 'usage counters are written to the store every this many ms (default 10000)' },
  { key: 'usageTopN', flag: '--usage-top', env: 'CORSGATE_USAGE_TOP', file: 'usageTopN', type: 'count', help: 'refused origins, upstream comparisons and CSP violations kept per node, the most frequent first (default 1000)' },
  { key: 'cspReportPath', flag: '--csp-report-path', env: 'CORSGATE_CSP_REPORT_PATH', file: 'cspReportPath', type: 'string', help: 'proxy path reserved for CSP violation reports (default /.corsgate/csp-reports)' },
];

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

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function usage(): string {
  const w = Math.max(...OPTIONS.map((o) => `${o.flag} VALUE`.length));
  const lines = OPTIONS.map((o) => `  ${(o.type === 'flag' ? o.flag : `${o.flag} VALUE`).padEnd(w)}  ${o.help} [env ${o.env}]`);
  return (
    'Usage: corsgate serve [options]\n\n' +
    'Runs the gateway: a CORS/CSP reverse proxy plus the admin listener (console, REST API under /api,\n' +
    '/metrics, /healthz).\n\nOptions:\n' +
    lines.join('\n') +
    `\n  ${'--config FILE'.padEnd(w)}  JSON or YAML file with any of the keys: ${OPTIONS.map((o) => o.file).join(', ')} [env CORSGATE_CONFIG]\n` +
    `  ${'--help'.padEnd(w)}  show this help\n\n` +
    'CORSGATE_ADMIN_TOKEN sets the bootstrap admin token (stored only as a hash); otherwise one is\n' +
    'generated on first start and printed once.\n'
  );
}

function convert(o: Option, raw: unknown, source: string): unknown {
  const text = typeof raw === 'string' ? raw.trim() : raw;
  if (o.type === 'flag') {
    if (raw === true || raw === false) return raw;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new ConfigError('config-invalid-value', `${source}: expected true or false, not '${String(raw)}'`);
  }
  if (o.type === 'workers' && text === 'auto') return 'auto';
  if (o.type === 'count' || o.type === 'workers') {
    const n = typeof text === 'number' ? text : typeof text === 'string' && /^\d+$/.test(text) ? Number(text) : NaN;
    const max = o.type === 'workers' ? 256 : 100_000_000;
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new ConfigError('config-invalid-number', `${source}: '${String(raw)}' is not ${o.type === 'workers' ? `a worker count (1-${max}) or auto` : 'a whole number of at least 1'}`);
    return n;
  }
  if (o.type === 'level') {
    if (typeof text !== 'string' || !LEVELS.includes(text)) throw new ConfigError('config-invalid-value', `${source}: '${String(raw)}' is not a log level (${LEVELS.join(', ')})`);
    return text;
  }
  if (o.type === 'onoff') {
    if (text === true || text === 'on') return true;
    if (text === false || text === 'off') return false;
    throw new ConfigError('config-invalid-value', `${source}: '${String(raw)}' must be on or off`);
  }
  if (o.type === 'port' || o.type === 'ms') {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
    const max = o.type === 'port' ? 65535 : 3_600_000;
    if (!Number.isInteger(n) || n < 0 || n > max || (o.type === 'ms' && n === 0))
      throw new ConfigError('config-invalid-number', `${source}: '${String(raw)}' is not a valid ${o.type === 'port' ? 'port (0-65535)' : 'duration in ms'}`);
    return n;
  }
  if (typeof raw !== 'string' || raw === '') throw new ConfigError('config-invalid-value', `${source}: expected a non-empty string`);
  if (o.type === 'url') {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError('config-invalid-url', `${source}: '${raw}' is not a URL (e.g. http://127.0.0.1:3000)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('config-invalid-url', `${source}: the upstream must be http:// or https://`);
  }
  return raw;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('config-file-unreadable', `--config ${path}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError('config-file-invalid', `--config ${path}: not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new ConfigError('config-file-invalid', `--config ${path}: expected an object of settings`);
  const known = new Set(OPTIONS.map((o) => o.file));
  for (const k of Object.keys(data)) if (!known.has(k)) throw new ConfigError('config-unknown-key', `--config ${path}: unknown key '${k}' (known: ${[...known].join(', ')})`);
  return data as Record<string, unknown>;
}

export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): GatewayConfig | 'help' {
  const flags = new Map<string, string>();
  let configPath = env.CORSGATE_CONFIG || null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const known = name === '--config' || OPTIONS.some((o) => o.flag === name);
    if (!known) throw new ConfigError('config-unknown-flag', `unknown option '${name}' (see corsgate serve --help)`);
    if (eq === -1 && OPTIONS.some((o) => o.flag === name && o.type === 'flag')) {
      flags.set(name, 'true');
      continue;
    }
    const value: string | undefined = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new ConfigError('config-missing-value', `option '${name}' needs a value`);
    if (name === '--config') configPath = value;
    else flags.set(name, value);
  }
  const file = configPath ? readConfigFile(configPath) : {};
  const config: Record<string, unknown> = { ...DEFAULTS };
  for (const o of OPTIONS) {
    if (flags.has(o.flag)) config[o.key] = convert(o, flags.get(o.flag), `option ${o.flag}`);
    else if (env[o.env] !== undefined && env[o.env] !== '') config[o.key] = convert(o, env[o.env], `environment ${o.env}`);
    else if (file[o.file] !== undefined) config[o.key] = convert(o, file[o.file], `config file key '${o.file}'`);
  }
  if (typeof config.cspReportPath !== 'string' || !/^\/[!-~]*$/.test(config.cspReportPath) || /[?#]/.test(config.cspReportPath))
    throw new ConfigError('config-invalid-value', `cspReportPath: '${String(config.cspReportPath)}' must be a path starting with / (no query, no spaces)`);
  pairOf(config, 'tlsCert', 'tlsKey', '--tls-cert', '--tls-key');
  pairOf(config, 'adminTlsCert', 'adminTlsKey', '--admin-tls-cert', '--admin-tls-key');
  return config as unknown as GatewayConfig;
}

/** A certificate needs its key and a key its certificate: half a pair is a mistake, never plain HTTP. */
function pairOf(config: Record<string, unknown>, cert: string, key: string, certFlag: string, keyFlag: string): void {
  if ((config[cert] === null) !== (config[key] === null))
    throw new ConfigError('config-tls-incomplete', `${config[cert] === null ? certFlag : keyFlag} is missing: ${certFlag} and ${keyFlag} go together`);
}
