/**
 * `corsgate serve` configuration: flags, then CORSGATE_* environment variables, then a config file
 * (`--config FILE`, JSON or YAML), then defaults. Each problem is reported with where it came from.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { OPTIONS, type Option } from './config-options.js';
import { DEFAULTS, type GatewayConfig } from './config-types.js';

export type { GatewayConfig } from './config-types.js';
export { DEFAULTS } from './config-types.js';
export { OPTIONS } from './config-options.js';

export class ConfigError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function usage(): string {
  const w = Math.max(...OPTIONS.map((o) => `${o.flag} VALUE`.length));
  const lines = OPTIONS.map(
    (o) => `  ${(o.type === 'flag' ? o.flag : `${o.flag} VALUE`).padEnd(w)}  ${o.help} [env ${o.env}]`,
  );
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

function invalid(source: string, message: string, code = 'config-invalid-value'): ConfigError {
  return new ConfigError(code, `${source}: ${message}`);
}

function toFlag(raw: unknown, source: string): boolean {
  if (raw === true || raw === false) return raw;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw invalid(source, `expected true or false, not '${String(raw)}'`);
}

/** A count of at least 1; a worker count (at most 256) may also be `auto`. */
function toCount(o: Option, raw: unknown, text: unknown, source: string): number | 'auto' {
  if (o.type === 'workers' && text === 'auto') return 'auto';
  const n =
    typeof text === 'number' ? text : typeof text === 'string' && /^\d+$/.test(text) ? Number(text) : NaN;
  const max = o.type === 'workers' ? 256 : 100_000_000;
  const what = o.type === 'workers' ? `a worker count (1-${max}) or auto` : 'a whole number of at least 1';
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw invalid(source, `'${String(raw)}' is not ${what}`, 'config-invalid-number');
  return n;
}

function toLevel(raw: unknown, text: unknown, source: string): string {
  if (typeof text !== 'string' || !LEVELS.includes(text))
    throw invalid(source, `'${String(raw)}' is not a log level (${LEVELS.join(', ')})`);
  return text;
}

function toOnOff(raw: unknown, text: unknown, source: string): boolean {
  if (text === true || text === 'on') return true;
  if (text === false || text === 'off') return false;
  throw invalid(source, `'${String(raw)}' must be on or off`);
}

/** A port (0-65535) or a duration in ms (1 ms to one hour). */
function toNumber(o: Option, raw: unknown, source: string): number {
  const n =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && /^\d+$/.test(raw.trim())
        ? Number(raw.trim())
        : NaN;
  const max = o.type === 'port' ? 65535 : 3_600_000;
  const what = o.type === 'port' ? 'port (0-65535)' : 'duration in ms';
  if (!Number.isInteger(n) || n < 0 || n > max || (o.type === 'ms' && n === 0))
    throw invalid(source, `'${String(raw)}' is not a valid ${what}`, 'config-invalid-number');
  return n;
}

/** A non-empty string; an upstream must also be an http:// or https:// URL. */
function toText(o: Option, raw: unknown, source: string): string {
  if (typeof raw !== 'string' || raw === '') throw invalid(source, 'expected a non-empty string');
  if (o.type === 'url') {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw invalid(source, `'${raw}' is not a URL (e.g. http://127.0.0.1:3000)`, 'config-invalid-url');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw invalid(source, 'the upstream must be http:// or https://', 'config-invalid-url');
  }
  return raw;
}

function convert(o: Option, raw: unknown, source: string): unknown {
  const text = typeof raw === 'string' ? raw.trim() : raw;
  switch (o.type) {
    case 'flag':
      return toFlag(raw, source);
    case 'count':
    case 'workers':
      return toCount(o, raw, text, source);
    case 'level':
      return toLevel(raw, text, source);
    case 'onoff':
      return toOnOff(raw, text, source);
    case 'port':
    case 'ms':
      return toNumber(o, raw, source);
    default:
      return toText(o, raw, source);
  }
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
    throw new ConfigError(
      'config-file-invalid',
      `--config ${path}: not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
    );
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new ConfigError('config-file-invalid', `--config ${path}: expected an object of settings`);
  const known = new Set(OPTIONS.map((o) => o.file));
  for (const k of Object.keys(data))
    if (!known.has(k))
      throw new ConfigError(
        'config-unknown-key',
        `--config ${path}: unknown key '${k}' (known: ${[...known].join(', ')})`,
      );
  return data as Record<string, unknown>;
}

/** The command line's options by flag (a switch given alone is `true`), and `--config`'s file; 'help' for --help. */
function readArgv(argv: readonly string[], configPath: string | null) {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const known = name === '--config' || OPTIONS.some((o) => o.flag === name);
    if (!known)
      throw new ConfigError('config-unknown-flag', `unknown option '${name}' (see corsgate serve --help)`);
    if (eq === -1 && OPTIONS.some((o) => o.flag === name && o.type === 'flag')) {
      flags.set(name, 'true');
      continue;
    }
    const value: string | undefined = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new ConfigError('config-missing-value', `option '${name}' needs a value`);
    if (name === '--config') configPath = value;
    else flags.set(name, value);
  }
  return { flags, configPath };
}

function checkCspReportPath(path: unknown): void {
  if (typeof path !== 'string' || !/^\/[!-~]*$/.test(path) || /[?#]/.test(path))
    throw new ConfigError(
      'config-invalid-value',
      `cspReportPath: '${String(path)}' must be a path starting with / (no query, no spaces)`,
    );
}

export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): GatewayConfig | 'help' {
  const command = readArgv(argv, env.CORSGATE_CONFIG || null);
  if (command === 'help') return 'help';
  const { flags, configPath } = command;
  const file = configPath ? readConfigFile(configPath) : {};
  const config: Record<string, unknown> = { ...DEFAULTS };
  for (const o of OPTIONS) {
    if (flags.has(o.flag)) config[o.key] = convert(o, flags.get(o.flag), `option ${o.flag}`);
    else if (env[o.env] !== undefined && env[o.env] !== '')
      config[o.key] = convert(o, env[o.env], `environment ${o.env}`);
    else if (file[o.file] !== undefined)
      config[o.key] = convert(o, file[o.file], `config file key '${o.file}'`);
  }
  checkCspReportPath(config.cspReportPath);
  pairOf(config, 'tlsCert', 'tlsKey', '--tls-cert', '--tls-key');
  pairOf(config, 'adminTlsCert', 'adminTlsKey', '--admin-tls-cert', '--admin-tls-key');
  return config as unknown as GatewayConfig;
}

/** A certificate needs its key and a key its certificate: half a pair is a mistake, never plain HTTP. */
function pairOf(
  config: Record<string, unknown>,
  cert: string,
  key: string,
  certFlag: string,
  keyFlag: string,
): void {
  if ((config[cert] === null) !== (config[key] === null))
    throw new ConfigError(
      'config-tls-incomplete',
      `${config[cert] === null ? certFlag : keyFlag} is missing: ${certFlag} and ${keyFlag} go together`,
    );
}
