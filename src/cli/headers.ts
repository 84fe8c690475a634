/**
 * `corsgate headers`: the header generator on the command line.
 *   corsgate headers --origin https://app.example.com --method PUT --header content-type --credentials
 *   corsgate headers --origin '*' --format nginx
 */
import { parseArgs } from 'node:util';
import { generate, type Configs, type GeneratorInput } from '../generator/index.js';
import { PolicyError } from 'corsgate/internal/policy/index.js';

const FORMATS = [
  'text',
  'json',
  'express',
  'fastify',
  'hono',
  'koa',
  'node',
  'fetch',
  'policy',
  'nginx',
] as const;

const HELP = `Usage: corsgate headers --origin <origin or pattern>... [options]

  --origin O       an allowed origin or pattern (repeatable), or '*'
  --method M       an allowed method (repeatable; default GET, HEAD, POST)
  --header H       an allowed request header (repeatable), or '*'
  --expose H       a response header scripts may read (repeatable)
  --credentials    allow credentials (cookies, HTTP authentication)
  --max-age N      preflight cache lifetime in seconds
  --private        the API is not meant for any website
  --format F       ${FORMATS.join(' | ')} (default text)
Exit: 0 ok, 1 the choices make an invalid policy (every problem printed), 2 usage error.
`;

function list(values: string[] | undefined): string[] | '*' | undefined {
  if (!values) return undefined;
  const items = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return items.length === 1 && items[0] === '*' ? '*' : items;
}

type Format = (typeof FORMATS)[number];
type Choices = GeneratorInput;

/** The command line read into the generator's choices and a format, or the exit code of a usage error (or --help). */
function parseHeadersArgs(argv: string[]): { choices: Choices; format: Format } | number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        origin: { type: 'string', multiple: true },
        method: { type: 'string', multiple: true },
        header: { type: 'string', multiple: true },
        expose: { type: 'string', multiple: true },
        credentials: { type: 'boolean' },
        'max-age': { type: 'string' },
        private: { type: 'boolean' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`corsgate headers: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const o = parsed.values;
  if (o.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const format = (o.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) {
    process.stderr.write(`corsgate headers: --format must be one of ${FORMATS.join(', ')}\n`);
    return 2;
  }
  const origins = list(o.origin);
  if (!origins) {
    process.stderr.write(`corsgate headers: give at least one --origin\n\n${HELP}`);
    return 2;
  }
  if (o['max-age'] !== undefined && !/^\d+$/.test(o['max-age'])) {
    process.stderr.write('corsgate headers: --max-age takes a whole number of seconds\n');
    return 2;
  }
  const choices: Choices = {
    origins,
    ...(o.method ? { methods: list(o.method)! } : {}),
    ...(o.header ? { requestHeaders: list(o.header)! } : {}),
    ...(o.expose ? { exposeHeaders: list(o.expose)! } : {}),
    credentials: o.credentials === true,
    ...(o['max-age'] !== undefined ? { maxAge: Number(o['max-age']) } : {}),
    privateApi: o.private === true,
  };
  return { choices, format };
}

/** The generator's answer in the chosen format: JSON, one configuration, or the text summary. */
function printHeaders(out: ReturnType<typeof generate>, format: Format): void {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  if (format !== 'text') {
    const key: keyof Configs = format === 'policy' ? 'policyFile' : format;
    process.stdout.write(out.configs[key]);
    return;
  }
  const show = (title: string, x: typeof out.preflight) => {
    process.stdout.write(
      `${title}\n  > ${x.request.method} ${Object.entries(x.request.headers)
        .map(([n, v]) => `${n}: ${v}`)
        .join(' | ')}\n`,
    );
    process.stdout.write(
      `  < ${x.status}\n${Object.entries(x.headers)
        .map(([n, v]) => `    ${n}: ${v}`)
        .join('\n')}\n\n`,
    );
  };
  show('Sample preflight', out.preflight);
  show('Sample request', out.actual);
  if (out.warnings.length)
    process.stdout.write(
      `Notes:\n${out.warnings.map((w) => `  ${w.severity === 'error' ? '✖' : w.severity === 'warning' ? '!' : '•'} ${w.message}`).join('\n')}\n\n`,
    );
  process.stdout.write(`Configuration: --format ${FORMATS.slice(2).join(' | ')}\n`);
}

export async function run(argv: string[]): Promise<number> {
  const args = parseHeadersArgs(argv);
  if (typeof args === 'number') return args;
  let out;
  try {
    out = generate(args.choices);
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    for (const p of err.problems)
      process.stderr.write(
        `${p.severity}  ${p.path || '(policy)'}  ${p.message} [${p.code}]${p.hint ? `\n        fix: ${p.hint}` : ''}\n`,
      );
    return 1;
  }
  printHeaders(out, args.format);
  return 0;
}
