/**
 * `corsgate explain`'s live mode: the requests the browser would send, sent for real, and the
 * conversation explained hop by hop.
 */
import { request } from 'undici';
import {
  differencesOf,
  explain,
  type BrowserName,
  type ExplainInput,
  type Explanation,
  type NetworkErrorCode,
  type ResponseInput,
} from '@corsgate/explain';
import type { ExplainAnswer } from './explain-report.js';

async function send(
  url: string,
  method: string,
  headers: [string, string][],
  timeout: number,
): Promise<{ status: number; headers: [string, string][] }> {
  const res = await request(url, {
    method: method as never,
    headers: headers.flat(),
    headersTimeout: timeout,
    bodyTimeout: timeout,
    maxRedirections: 0,
  } as never);
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

export interface LiveRequest {
  url: string;
  origin: string;
  method: string;
  headers: [string, string][];
  credentials: ExplainInput['request']['credentials'];
  timeout: number;
}

/**
 * Live mode: asks the simulator what the browser sends next (a preflight, the request, a request to a
 * redirect target), sends exactly that, and explains again, until the browser would be done. A request
 * that gets no answer is given to the simulator as that network error.
 */
async function live(r: LiveRequest, spec: boolean, browser: BrowserName): Promise<Explanation> {
  type Hop = { preflightResponse?: ResponseInput; response?: ResponseInput };
  const hops: Hop[] = [{}];
  const input = (): ExplainInput => ({
    page: { origin: r.origin },
    request: { url: r.url, method: r.method, headers: r.headers, credentials: r.credentials },
    ...hops[0],
    redirects: hops.slice(1),
  });
  for (;;) {
    const e = explain(input(), { spec, browser });
    const next = e.awaiting;
    if (!next) return e;
    let reply: ResponseInput;
    try {
      reply = await send(next.url, next.method, next.headers, r.timeout);
    } catch (err) {
      reply = { networkError: { code: networkError(err), message: (err as Error).message } };
    }
    const hop = (hops[next.hop] ??= {});
    if (next.kind === 'preflight') hop.preflightResponse = reply;
    else hop.response = reply;
  }
}

/** Live mode for the chosen browser; for both, each browser's own conversation with the server. */
export async function liveAnswer(
  r: LiveRequest,
  o: { spec: boolean; browser: BrowserName | 'both' },
): Promise<ExplainAnswer> {
  if (o.browser !== 'both') return live(r, o.spec, o.browser);
  const chromium = await live(r, o.spec, 'chromium');
  const firefox = await live(r, o.spec, 'firefox');
  return { chromium, firefox, differences: differencesOf(chromium, firefox) };
}
