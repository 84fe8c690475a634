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
import { explain, explainHar, ExplainInputError, type ExplainInput, type Explanation } from '../explain/index.js';
import { corsUnsafeRequestHeaderNames, isForbiddenRequestHeader, isSafelistedMethod, normalizeMethod } from '../explain/request.js';

const HELP = `Usage:
  corsgate explain --json [--batch] [--spec]     read a JSON case (or JSON Lines with --batch) on stdin
  corsgate explain <url> --origin <page origin> [-X METHOD] [-H 'Name: value']... [--credentials include]
  corsgate explain --har <file.har> --origin <page origin>

Input JSON: { page: { origin, csp? }, request: { url, method?, headers?, credentials?, mode? },
              preflightResponse?: { status, headers }, response?: { status, headers } }
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

async function send(url: string, method: string, headers: Record<string, string>, timeout: number): Promise<{ status: number; headers: [string, string][] }> {
  const res = await request(url, { method: method as never, headers, headersTimeout: timeout, bodyTimeout: timeout, maxRedirections: 0 } as never);
  await res.body.dump();
  const out: [string, string][] = [];
  for (const [n, v] of Object.entries(res.headers)) {
    if (Array.isArray(v)) for (const x of v) out.push([n, x]);
    else if (v !== undefined) out.push([n, String(v)]);
  }
  return { status: res.statusCode, headers: out };
}

/** Live mode: sends the preflight (when one is needed) and the request, then explains the answers. */
async function live(url: string, origin: string, method: string, rawHeaders: [string, string][], credentials: ExplainInput['request']['credentials'], timeout: number): Promise<Explanation> {
  const m = normalizeMethod(method);
  const headers = rawHeaders.filter(([n, v]) => !isForbiddenRequestHeader(n, v));
  const unsafe = corsUnsafeRequestHeaderNames(headers, false).sorted;
  const input: ExplainInput = { page: { origin }, request: { url, method: m, headers, credentials } };
  if (!isSafelistedMethod(m) || unsafe.length > 0) {
    const pf = await send(url, 'OPTIONS', { Origin: origin, 'Access-Control-Request-Method': m, ...(unsafe.length ? { 'Access-Control-Request-Headers': unsafe.join(',') } : {}) }, timeout);
    input.preflightResponse = pf;
    try {
      return explain(input); // the preflight failed: the browser stops here
    } catch (err) {
      // 'response-missing': the preflight passed, so the browser goes on to the actual request.
      if (!(err instanceof ExplainInputError && err.code === 'response-missing')) throw err;
    }
  }
  input.response = await send(url, m, { ...Object.fromEntries(headers), Origin: origin }, timeout);
  return explain(input);
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
      if (!o.origin) throw new ExplainInputError('origin-missing', '--origin', '--har needs --origin <page origin>');
      const har = JSON.parse(await readFile(o.har, 'utf8')) as unknown;
      const results = explainHar(har, o.origin, options);
      if (o.json) process.stdout.write(`${JSON.stringify({ results: results.map((r) => ({ ...r, result: r.result ? toJson(r.result) : undefined })) }, null, 2)}\n`);
      else {
        if (results.length === 0) process.stdout.write(`No cross-origin requests from ${o.origin} in ${o.har}.\n`);
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
      const result = await live(url, o.origin, o.request ?? 'GET', headerPairs(o.header ?? []), credentials, Number(o.timeout ?? 10000));
      process.stdout.write(o.json ? `${JSON.stringify(toJson(result), null, 2)}\n` : formatHuman(result, `${o.request ?? 'GET'} ${url} from ${o.origin}`));
      return 0;
    }
    const text = await readStdin();
    if (o.batch) {
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        let out: object;
        try {
          out = toJson(explain(JSON.parse(line) as ExplainInput, options));
        } catch (err) {
          out = errorJson(err);
        }
        process.stdout.write(`${JSON.stringify(out)}\n`);
      }
      return 0;
    }
    if (text.trim() === '') throw new ExplainInputError('input-missing', 'stdin', 'give a JSON case on stdin, a URL with --origin, or --har');
    const result = explain(JSON.parse(text) as ExplainInput, options);
    process.stdout.write(o.json ? `${JSON.stringify(toJson(result), null, 2)}\n` : formatHuman(result));
    return 0;
  } catch (err) {
    if (o.json) process.stdout.write(`${JSON.stringify(errorJson(err))}\n`);
    const message = err instanceof ExplainInputError ? `${err.message} [${err.code}]` : err instanceof SyntaxError ? `not valid JSON: ${err.message}` : (err as Error).message;
    process.stderr.write(`corsgate explain: ${message}\n`);
    return 2;
  }
}
