/**
 * `corsgate explain`: the browser's verdict on a cross-origin request, its console message and the fix.
 *   corsgate explain --json [--batch] [--spec]              < input.json | input.jsonl
 *   corsgate explain <url> --origin <page origin> [-X METHOD] [-H 'Name: value'] [--credentials include]
 *   corsgate explain --har file.har --origin <page origin>
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { readStdin } from './io.js';
import { request } from 'undici';
import { explain, explainHar, ExplainInputError, harPageOrigin, type ExplainInput, type ExplainOptions, type Explanation, type HarOptions, type NetworkErrorCode, type ResponseInput } from '../explain/index.js';

const HELP = `Usage:
  corsgate explain --json [--batch] [--spec]     read a JSON case (or JSON Lines with --batch) on stdin
  corsgate explain <url> --origin <page origin> [-X METHOD] [-H 'Name: value']... [--credentials include]
  corsgate explain --har <file.har> [--origin <page origin>] [--credentials include]

Input JSON: { page: { origin, csp? }, request: { url, method?, headers?, credentials?, mode?, body? },
              preflightResponse?: { status, headers }, response?: { status, headers },
              redirects?: [ { preflightResponse?, response } ] }   (see docs/explain.md)
Options:
  --json         print JSON instead of the human report
  --batch        JSON Lines in, one JSON line out per input line, in order
  --spec         follow the Fetch Standard where Chromium differs
  --timeout MS   live mode: timeout per request (default 10000)
Exit: 0 when an explanation was produced (whatever the verdict), 2 on unusable input.
`;


/** What --json prints: the contract's fields first. */
function toJson(e: Explanation): object {
  const { preflight, actualRequestSent, allowed, responseType, exposedHeaders, console, explanation, fix, verdict, steps } = e;
  return { preflight, actualRequestSent, allowed, responseType, exposedHeaders, console, explanation, fix, verdict, steps };
}

function errorJson(err: unknown): object {
  if (err instanceof ExplainInputError) return { error: { code: err.code, path: err.path, message: err.message } };
  if (err instanceof SyntaxError) return { error: { code: 'json-invalid', path: '', message: `not valid JSON: ${err.message}` } };
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
export function runBatch(text: string, options: { spec: boolean }): string {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1]!.trim() === '') lines.pop();
  let out = '';
  for (const [index, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '');
    let answer: object;
    try {
      if (line.trim() === '') throw new ExplainInputError('input-missing', 'line', 'empty line: expected one JSON case');
      answer = toJson(explain(JSON.parse(line) as ExplainInput, options));
    } catch (err) {
      answer = { ...errorJson(err), line: index + 1 };
    }
    out += `${JSON.stringify(answer)}\n`;
  }
  return out;
}

const MARK: Record<string, string> = { pass: '✔', fail: '✖', info: '•', skipped: '-' };

export function formatHuman(e: Explanation, title?: string): string {
  const lines: string[] = [];
  lines.push(`${e.allowed ? '✔' : '✖'} ${e.verdict}`);
  if (title) lines.push(`  ${title}`);
  lines.push('', 'Steps:');
  for (const s of e.steps) lines.push(`  ${MARK[s.outcome]} ${s.title}: ${s.detail}${s.spec ? ` [${s.spec}]` : ''}${s.outcome === 'fail' ? '   ← fails here' : ''}`);
  if (e.console.length) {
    lines.push('', 'Console (as Chromium prints it):');
    for (const c of e.console) lines.push(`  ${c}`);
  }
  lines.push('', `Why: ${e.explanation}`);
  if (e.exposedHeaders) lines.push(`Readable response headers: ${e.exposedHeaders.join(', ') || '(none)'}`);
  if (e.fix) {
    lines.push('', `Fix (${e.fix.where}): ${e.fix.summary}`);
    for (const [n, v] of Object.entries(e.fix.headers ?? {})) lines.push(`  ${n}: ${v}`);
    if (e.fix.policy) lines.push(`  corsgate policy: ${JSON.stringify(e.fix.policy)}`);
  }
  return `${lines.join('\n')}\n`;
}

function headerPairs(list: string[]): [string, string][] {
  return list.map((h) => {
    const i = h.indexOf(':');
    if (i <= 0) throw new ExplainInputError('header-invalid', '-H', `-H '${h}' must be 'Name: value'`);
    return [h.slice(0, i).trim(), h.slice(i + 1).trim()];
  });
}

async function send(url: string, method: string, headers: [string, string][], timeout: number): Promise<{ status: number; headers: [string, string][] }> {
  const res = await request(url, { method: method as never, headers: headers.flat(), headersTimeout: timeout, bodyTimeout: timeout, maxRedirections: 0 } as never);
  await res.body.dump();
  const out: [string, string][] = [];
  for (const [n, v] of Object.entries(res.headers)) {
    if (Array.isArray(v)) for (const x of v) out.push([n, x]);
    else if (v !== undefined) out.push([n, String(v)]);
  }
  // undici does not give the reason phrase; the standard one is assumed for the console line.
  return { status: res.statusCode, headers: out };
}

/** Why a request got no answer, from the socket's error code. */
function networkError(err: unknown): NetworkErrorCode {
  const code = (err as { code?: string }).code ?? '';
  if (code === 'ECONNREFUSED') return 'connection-refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'name-not-resolved';
  if (code === 'ECONNRESET') return 'connection-reset';
  if (code.includes('TIMEOUT')) return 'timed-out';
  return 'empty-response';
}

/**
 * Live mode: asks the simulator what the browser sends next (a preflight, the request, a request to a
 * redirect target), sends exactly that, and explains again, until the browser would be done. A request
 * that gets no answer is given to the simulator as that network error.
 */
async function live(url: string, origin: string, method: string, headers: [string, string][], credentials: ExplainInput['request']['credentials'], timeout: number, options: ExplainOptions): Promise<Explanation> {
  type Hop = { preflightResponse?: ResponseInput; response?: ResponseInput };
  const hops: Hop[] = [{}];
  const input = (): ExplainInput => ({ page: { origin }, request: { url, method, headers, credentials }, ...hops[0], redirects: hops.slice(1) });
  for (;;) {
    const e = explain(input(), options);
    const next = e.awaiting;
    if (!next) return e;
    let answer: ResponseInput;
    try {
      answer = await send(next.url, next.method, next.headers, timeout);
    } catch (err) {
      answer = { networkError: { code: networkError(err), message: (err as Error).message } };
    }
    const hop = (hops[next.hop] ??= {});
    if (next.kind === 'preflight') hop.preflightResponse = answer;
    else hop.response = answer;
  }
}

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        batch: { type: 'boolean' },
        spec: { type: 'boolean' },
        har: { type: 'string' },
        origin: { type: 'string' },
        request: { type: 'string', short: 'X' },
        header: { type: 'string', short: 'H', multiple: true },
        credentials: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`corsgate explain: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const o = args.values;
  if (o.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const options = { spec: o.spec === true };
  try {
    if (o.har !== undefined) {
      let har: unknown;
      try {
        har = JSON.parse(await readFile(o.har, 'utf8')) as unknown;
      } catch (err) {
        throw new ExplainInputError('har-unreadable', o.har, `cannot read ${o.har}: ${(err as Error).message}`);
      }
      const origin = o.origin ?? harPageOrigin(har);
      if (!origin) throw new ExplainInputError('origin-missing', '--origin', '--har needs --origin <page origin> (the HAR names no page document)');
      const credentials = o.credentials as HarOptions['credentials'];
      if (credentials !== undefined && !['omit', 'same-origin', 'include'].includes(credentials)) throw new ExplainInputError('credentials-invalid', '--credentials', "--credentials must be 'omit', 'same-origin' or 'include'");
      const results = explainHar(har, origin, { ...options, ...(credentials ? { credentials } : {}) });
      if (o.json) process.stdout.write(`${JSON.stringify({ results: results.map((r) => ({ ...r, result: r.result ? toJson(r.result) : undefined })) }, null, 2)}\n`);
      else {
        if (results.length === 0) process.stdout.write(`No cross-origin requests from ${origin} in ${o.har}.\n`);
        for (const r of results) {
          process.stdout.write(r.result ? formatHuman(r.result, `${r.method} ${r.url}`) : `! ${r.method} ${r.url}: ${r.error?.message}\n`);
          process.stdout.write('\n');
        }
      }
      return 0;
    }
    if (args.positionals.length > 0) {
      const url = args.positionals[0]!;
      if (!o.origin) throw new ExplainInputError('origin-missing', '--origin', 'live mode needs --origin <page origin>');
      const credentials = (o.credentials ?? 'same-origin') as ExplainInput['request']['credentials'];
      const result = await live(url, o.origin, o.request ?? 'GET', headerPairs(o.header ?? []), credentials, Number(o.timeout ?? 10000), options);
      process.stdout.write(o.json ? `${JSON.stringify(toJson(result), null, 2)}\n` : formatHuman(result, `${o.request ?? 'GET'} ${url} from ${o.origin}`));
      return 0;
    }
    if (process.stdin.isTTY) {
      // Nothing piped in: a user at a terminal needs the usage, not a silent wait.
      process.stderr.write(HELP);
      return 2;
    }
    const text = (await readStdin()).replace(/^\uFEFF/, '');
    // JSON Lines: with --batch, or when stdin is several JSON values one per line.
    if (o.batch || (!isSingleJson(text) && text.trim() !== '')) {
      process.stdout.write(runBatch(text, options));
      return 0;
    }
    if (text.trim() === '') throw new ExplainInputError('input-missing', 'stdin', 'give a JSON case on stdin, a URL with --origin, or --har');
    const parsed = JSON.parse(text) as unknown;
    if (Array.isArray(parsed)) {
      // A JSON array of cases: an array of answers, in order (errors in place).
      const answers = parsed.map((c, i) => {
        try {
          return o.json ? toJson(explain(c as ExplainInput, options)) : formatHuman(explain(c as ExplainInput, options), `case ${i + 1}`);
        } catch (err) {
          return o.json ? { ...errorJson(err), index: i } : `! case ${i + 1}: ${(err as Error).message}\n`;
        }
      });
      process.stdout.write(o.json ? `${JSON.stringify(answers, null, 2)}\n` : answers.join('\n'));
      return 0;
    }
    const result = explain(parsed as ExplainInput, options);
    process.stdout.write(o.json ? `${JSON.stringify(toJson(result), null, 2)}\n` : formatHuman(result));
    return 0;
  } catch (err) {
    if (o.json) process.stdout.write(`${JSON.stringify(errorJson(err))}\n`);
    const message = err instanceof ExplainInputError ? `${err.message} [${err.code}]` : err instanceof SyntaxError ? `not valid JSON: ${err.message}` : (err as Error).message;
    process.stderr.write(`corsgate explain: ${message}\n`);
    return 2;
  }
}
