/**
 * `corsgate explain`: the browser's verdict on a cross-origin request, its console message and the fix.
 *   corsgate explain --json [--batch] [--spec] [--browser chromium|firefox|both]   < input.json | input.jsonl
 *   corsgate explain <url> --origin <page origin> [-X METHOD] [-H 'Name: value'] [--credentials include]
 *   corsgate explain --har file.har --origin <page origin>
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { readStdin } from './io.js';
import {
  differencesOf,
  explain,
  explainBoth,
  explainHar,
  ExplainInputError,
  harPageOrigin,
  type BrowserName,
  type ExplainInput,
  type HarExplanation,
  type HarOptions,
} from '@corsgate/explain';
import { humanOf, jsonOf, type ExplainAnswer } from './explain-report.js';
import { liveAnswer } from './explain-live.js';

export { formatHuman } from './explain-report.js';

const HELP = `Usage:
  corsgate explain --json [--batch] [--spec]     read a JSON case (or JSON Lines with --batch) on stdin
  corsgate explain <url> --origin <page origin> [-X METHOD] [-H 'Name: value']... [--credentials include]
  corsgate explain --har <file.har> [--origin <page origin>] [--credentials include]

Input JSON: { page: { origin, csp? }, request: { url, method?, headers?, credentials?, mode?, body? },
              preflightResponse?: { status, headers }, response?: { status, headers },
              redirects?: [ { preflightResponse?, response } ] }   (see docs/explain.md)
Options:
  --browser B    chromium (default), firefox, or both (each browser's answer and where they differ)
  --json         print JSON instead of the human report
  --batch        JSON Lines in, one JSON line out per input line, in order
  --spec         follow the Fetch Standard where the browser differs
  --timeout MS   live mode: timeout per request (default 10000)
Exit: 0 when an explanation was produced (whatever the verdict), 2 on unusable input.
`;

export type BrowserChoice = BrowserName | 'both';

export interface RunOptions {
  spec: boolean;
  browser: BrowserChoice;
}

/** One case explained for the chosen browser, or for both. */
function answer(input: ExplainInput, o: RunOptions): ExplainAnswer {
  return o.browser === 'both'
    ? explainBoth(input, { spec: o.spec })
    : explain(input, { spec: o.spec, browser: o.browser });
}

function errorJson(err: unknown): object {
  if (err instanceof ExplainInputError)
    return { error: { code: err.code, path: err.path, message: err.message } };
  if (err instanceof SyntaxError)
    return { error: { code: 'json-invalid', path: '', message: `not valid JSON: ${err.message}` } };
  return { error: { code: 'internal', path: '', message: String(err) } };
}

function isSingleJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * --batch: one answer line per input line, in order (a trailing newline ends the last line; it does
 * not start another). A line that cannot be explained gets its error object, and the batch goes on.
 */
export function runBatch(text: string, options: { spec: boolean; browser?: BrowserChoice }): string {
  const o: RunOptions = { spec: options.spec, browser: options.browser ?? 'chromium' };
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1]!.trim() === '') lines.pop();
  let out = '';
  for (const [index, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '');
    let result: object;
    try {
      if (line.trim() === '')
        throw new ExplainInputError('input-missing', 'line', 'empty line: expected one JSON case');
      result = jsonOf(answer(JSON.parse(line) as ExplainInput, o));
    } catch (err) {
      result = { ...errorJson(err), line: index + 1 };
    }
    out += `${JSON.stringify(result)}\n`;
  }
  return out;
}

function headerPairs(list: string[]): [string, string][] {
  return list.map((h) => {
    const i = h.indexOf(':');
    if (i <= 0) throw new ExplainInputError('header-invalid', '-H', `-H '${h}' must be 'Name: value'`);
    return [h.slice(0, i).trim(), h.slice(i + 1).trim()];
  });
}

type HarAnswer = Omit<HarExplanation, 'result'> & { result?: ExplainAnswer };

/** Every cross-origin request of a HAR file, for the chosen browser or both. */
function harAnswers(har: unknown, origin: string, options: HarOptions, o: RunOptions): HarAnswer[] {
  if (o.browser !== 'both') return explainHar(har, origin, { ...options, browser: o.browser });
  const firefox = explainHar(har, origin, { ...options, browser: 'firefox' });
  return explainHar(har, origin, { ...options, browser: 'chromium' }).map((c, i) => {
    const f = firefox[i]!;
    return c.result && f.result
      ? {
          ...c,
          result: { chromium: c.result, firefox: f.result, differences: differencesOf(c.result, f.result) },
        }
      : c;
  });
}

async function runHar(file: string, o: ReturnType<typeof parseOptions>, ro: RunOptions): Promise<void> {
  let har: unknown;
  try {
    har = JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (err) {
    throw new ExplainInputError('har-unreadable', file, `cannot read ${file}: ${(err as Error).message}`);
  }
  const origin = o.origin ?? harPageOrigin(har);
  if (!origin)
    throw new ExplainInputError(
      'origin-missing',
      '--origin',
      '--har needs --origin <page origin> (the HAR names no page document)',
    );
  const credentials = o.credentials as HarOptions['credentials'];
  if (credentials !== undefined && !['omit', 'same-origin', 'include'].includes(credentials))
    throw new ExplainInputError(
      'credentials-invalid',
      '--credentials',
      "--credentials must be 'omit', 'same-origin' or 'include'",
    );
  const results = harAnswers(har, origin, { spec: ro.spec, ...(credentials ? { credentials } : {}) }, ro);
  if (o.json) {
    process.stdout.write(
      `${JSON.stringify({ results: results.map((r) => ({ ...r, result: r.result ? jsonOf(r.result) : undefined })) }, null, 2)}\n`,
    );
    return;
  }
  if (results.length === 0) process.stdout.write(`No cross-origin requests from ${origin} in ${file}.\n`);
  for (const r of results) {
    for (const w of r.warnings ?? []) process.stdout.write(`! ${r.method} ${r.url}: ${w}\n`);
    process.stdout.write(
      r.result ? humanOf(r.result, `${r.method} ${r.url}`) : `! ${r.method} ${r.url}: ${r.error?.message}\n`,
    );
    process.stdout.write('\n');
  }
}

async function runStdin(o: ReturnType<typeof parseOptions>, ro: RunOptions): Promise<number> {
  if (process.stdin.isTTY) {
    // Nothing piped in: a user at a terminal needs the usage, not a silent wait.
    process.stderr.write(HELP);
    return 2;
  }
  const text = (await readStdin()).replace(/^\uFEFF/, '');
  // JSON Lines: with --batch, or when stdin is several JSON values one per line.
  if (o.batch || (!isSingleJson(text) && text.trim() !== '')) {
    process.stdout.write(runBatch(text, ro));
    return 0;
  }
  if (text.trim() === '')
    throw new ExplainInputError(
      'input-missing',
      'stdin',
      'give a JSON case on stdin, a URL with --origin, or --har',
    );
  const parsed = JSON.parse(text) as unknown;
  if (Array.isArray(parsed)) {
    // A JSON array of cases: an array of answers, in order (errors in place).
    const answers = parsed.map((c, i) => {
      try {
        const a = answer(c as ExplainInput, ro);
        return o.json ? jsonOf(a) : humanOf(a, `case ${i + 1}`);
      } catch (err) {
        return o.json ? { ...errorJson(err), index: i } : `! case ${i + 1}: ${(err as Error).message}\n`;
      }
    });
    process.stdout.write(o.json ? `${JSON.stringify(answers, null, 2)}\n` : answers.join('\n'));
    return 0;
  }
  const result = answer(parsed as ExplainInput, ro);
  process.stdout.write(o.json ? `${JSON.stringify(jsonOf(result), null, 2)}\n` : humanOf(result));
  return 0;
}

function parseOptions(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      batch: { type: 'boolean' },
      spec: { type: 'boolean' },
      browser: { type: 'string' },
      har: { type: 'string' },
      origin: { type: 'string' },
      request: { type: 'string', short: 'X' },
      header: { type: 'string', short: 'H', multiple: true },
      credentials: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  return { ...values, positionals };
}

function browserChoice(value: string | undefined): BrowserChoice {
  const v = (value ?? 'chromium').toLowerCase();
  if (v === 'chromium' || v === 'firefox' || v === 'both') return v;
  throw new ExplainInputError(
    'browser-invalid',
    '--browser',
    `--browser must be 'chromium', 'firefox' or 'both', not '${value}'`,
  );
}

export async function run(argv: string[]): Promise<number> {
  let o: ReturnType<typeof parseOptions>;
  try {
    o = parseOptions(argv);
  } catch (err) {
    process.stderr.write(`corsgate explain: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    const ro: RunOptions = { spec: o.spec === true, browser: browserChoice(o.browser) };
    if (o.har !== undefined) {
      await runHar(o.har, o, ro);
      return 0;
    }
    if (o.positionals.length > 0) {
      const url = o.positionals[0]!;
      if (!o.origin)
        throw new ExplainInputError('origin-missing', '--origin', 'live mode needs --origin <page origin>');
      const credentials = (o.credentials ?? 'same-origin') as ExplainInput['request']['credentials'];
      const result = await liveAnswer(
        {
          url,
          origin: o.origin,
          method: o.request ?? 'GET',
          headers: headerPairs(o.header ?? []),
          credentials,
          timeout: Number(o.timeout ?? 10000),
        },
        ro,
      );
      process.stdout.write(
        o.json
          ? `${JSON.stringify(jsonOf(result), null, 2)}\n`
          : humanOf(result, `${o.request ?? 'GET'} ${url} from ${o.origin}`),
      );
      return 0;
    }
    return await runStdin(o, ro);
  } catch (err) {
    if (o.json) process.stdout.write(`${JSON.stringify(errorJson(err))}\n`);
    const message =
      err instanceof ExplainInputError
        ? `${err.message} [${err.code}]`
        : err instanceof SyntaxError
          ? `not valid JSON: ${err.message}`
          : (err as Error).message;
    process.stderr.write(`corsgate explain: ${message}\n`);
    return 2;
  }
}
