/**
 * `corsgate scan <url>...`: CORS misconfigurations and security headers of live URLs, with a CI
 * contract: exit 0 when nothing reaches --fail-on, 1 when something does, 2 on usage or network errors.
 */
import { fstatSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { readStdin } from './io.js';
import {
  analyseSaved,
  SCAN_DEFAULTS,
  scan,
  SEVERITIES,
  UsageError,
  type ScanResult,
  type Severity,
} from '@corsgate/scan';
import { toHuman, toJson, toSarif } from '@corsgate/scan/internal/output.js';

const HELP = `Usage: corsgate scan <url>... [options]     (also --file urls.txt, or URLs on stdin: - or a pipe)

Output:   --json | --sarif (default: a human report)
CI:       --fail-on <critical|high|medium|low|info> (default high): exit 1 when a finding is at or above it
Probing:  --origin <legitimate origin> (repeatable)   --header 'Name: value' (repeatable)   --cookie 'a=b'
          --resolve host:port:address (repeatable)    --insecure (accept self-signed TLS)   --proxy URL
Limits:   --timeout ms (${SCAN_DEFAULTS.timeout})  --retries n (${SCAN_DEFAULTS.retries})  --concurrency n per host (${SCAN_DEFAULTS.concurrency})  --rate n req/s per host (${SCAN_DEFAULTS.rate}, 0 = none)
Offline:  --headers FILE  grade saved response headers (raw HTTP, HAR or JSON) without any request
          --no-progress
Exit: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage or network errors.
`;

function fail(message: string): number {
  process.stderr.write(`corsgate scan: ${message}\n\n${HELP}`);
  return 2;
}

function urlsFrom(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

function int(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError('scan-option-invalid', `${name} takes a whole number`);
  return Number(value);
}

const parse = (argv: string[]) =>
  parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      sarif: { type: 'boolean' },
      'fail-on': { type: 'string' },
      file: { type: 'string' },
      origin: { type: 'string', multiple: true },
      header: { type: 'string', short: 'H', multiple: true },
      cookie: { type: 'string' },
      resolve: { type: 'string', multiple: true },
      insecure: { type: 'boolean', short: 'k' },
      proxy: { type: 'string' },
      timeout: { type: 'string' },
      retries: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      headers: { type: 'string' },
      'no-progress': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
type Parsed = ReturnType<typeof parse>;
type Values = Parsed['values'];

/** The URLs to scan: positionals, --file and standard input ('-', '--file -', or piped input when no URL is given), once each. */
async function urlsToScan(o: Values, positionals: string[]): Promise<string[]> {
  const urls = positionals.filter((p) => p !== '-');
  const stdinPiped = () => {
    try {
      const st = fstatSync(0);
      return st.isFIFO() || st.isFile();
    } catch {
      return false;
    }
  };
  if (
    positionals.includes('-') ||
    o.file === '-' ||
    (urls.length === 0 && o.file === undefined && stdinPiped())
  )
    urls.push(...urlsFrom(await readStdin()));
  if (o.file !== undefined && o.file !== '-') urls.push(...urlsFrom(await readFile(o.file, 'utf8')));
  return [...new Set(urls)];
}

/** The probing options (--header, --proxy, --origin, the limits, the progress bar); a UsageError names a bad one. */
function scanOptions(o: Values, urlCount: number): Parameters<typeof scan>[1] {
  const headers = Object.fromEntries(
    (o.header ?? []).map((h) => {
      const i = h.indexOf(':');
      if (i <= 0) throw new UsageError('scan-option-invalid', `--header '${h}' must be 'Name: value'`);
      return [h.slice(0, i).trim().toLowerCase(), h.slice(i + 1).trim()];
    }),
  );
  if (o.proxy !== undefined && !URL.canParse(o.proxy))
    throw new UsageError(
      'scan-option-invalid',
      `--proxy '${o.proxy}' is not a URL (for example http://proxy.internal:3128)`,
    );
  // Origins as browsers send them: scheme://host[:port], nothing else.
  const origins = (o.origin ?? []).map((v) => {
    const u = URL.canParse(v) ? new URL(v) : null;
    if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:'))
      throw new UsageError(
        'scan-option-invalid',
        `--origin '${v}' must be an origin such as https://app.example.com`,
      );
    return u.origin;
  });
  const progress = process.stderr.isTTY && !o['no-progress'] && urlCount > 1;
  return {
    origins,
    headers,
    ...(o.cookie ? { cookie: o.cookie } : {}),
    resolve: o.resolve ?? [],
    insecure: o.insecure === true,
    ...(o.proxy ? { proxy: o.proxy } : {}),
    timeout: int(o.timeout, '--timeout', SCAN_DEFAULTS.timeout),
    retries: int(o.retries, '--retries', SCAN_DEFAULTS.retries),
    concurrency: int(o.concurrency, '--concurrency', SCAN_DEFAULTS.concurrency),
    rate: int(o.rate, '--rate', SCAN_DEFAULTS.rate),
    ...(progress
      ? {
          onProgress: (done: number, total: number) => {
            const width = 30;
            const filled = Math.round((done / total) * width);
            process.stderr.write(
              `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`,
            );
          },
        }
      : {}),
  };
}

/** The results: of saved headers (--headers), or of scanning the URLs; a number is the exit code of a usage error. */
async function results(parsed: Parsed): Promise<ScanResult[] | number> {
  const o = parsed.values;
  if (o.headers !== undefined) {
    const text = o.headers === '-' ? await readStdin() : await readFile(o.headers, 'utf8');
    return analyseSaved(text, parsed.positionals[0]);
  }
  const urls = await urlsToScan(o, parsed.positionals);
  if (urls.length === 0) return fail('give at least one URL (or --file, or - for stdin)');
  return (await scan(urls, scanOptions(o, urls.length))).results;
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    return fail((err as Error).message);
  }
  const o = parsed.values;
  if (o.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const failOn = (o['fail-on'] ?? 'high') as Severity;
  if (!SEVERITIES.includes(failOn)) return fail(`--fail-on must be one of ${SEVERITIES.join(', ')}`);
  if (o.json && o.sarif) return fail('choose --json or --sarif, not both');

  let found: ScanResult[] | number;
  try {
    found = await results(parsed);
  } catch (err) {
    const e = err as Error & { code?: string };
    process.stderr.write(`corsgate scan: ${e.message}${e.code ? ` [${e.code}]` : ''}\n`);
    return 2;
  }
  if (typeof found === 'number') return found;
  const version = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
  process.stdout.write(o.json ? toJson(found) : o.sarif ? toSarif(found, version) : toHuman(found, failOn));
  if (found.some((r) => r.error)) return 2;
  const threshold = SEVERITIES.indexOf(failOn);
  return found.some((r) => r.findings.some((f) => SEVERITIES.indexOf(f.severity) <= threshold)) ? 1 : 0;
}
