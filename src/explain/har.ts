/**
 * Explains every cross-origin request in a HAR file (as DevTools exports it). Preflights appear in
 * HAR as their own OPTIONS entries; each one is paired with the request it preceded.
 */
import { explain } from './simulate.js';
import { ExplainInputError, type ExplainInput, type ExplainOptions, type Explanation } from './types.js';

interface HarHeader {
  name: string;
  value: string;
}
interface HarEntry {
  request?: { method?: string; url?: string; headers?: HarHeader[] };
  response?: { status?: number; headers?: HarHeader[] };
}

export interface HarExplanation {
  index: number;
  method: string;
  url: string;
  result?: Explanation;
  error?: { code: string; message: string; path: string };
}

/** Headers the browser itself adds (HAR records them beside the script's own); not script-set. */
const UA_ADDED = new Set(['user-agent', 'pragma', 'cache-control', 'priority', 'upgrade-insecure-requests']);

function pairs(headers: HarHeader[] | undefined, dropUaAdded = false): [string, string][] {
  return (headers ?? [])
    .filter((h) => typeof h?.name === 'string' && !h.name.startsWith(':') && !(dropUaAdded && UA_ADDED.has(h.name.toLowerCase())))
    .map((h) => [h.name, String(h.value ?? '')]);
}

function headerOf(headers: HarHeader[] | undefined, name: string): string | undefined {
  return headers?.find((h) => h.name.toLowerCase() === name)?.value;
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

export function explainHar(har: unknown, pageOrigin: string, options: ExplainOptions = {}): HarExplanation[] {
  const entries = (har as { log?: { entries?: HarEntry[] } })?.log?.entries;
  if (!Array.isArray(entries)) throw new ExplainInputError('har-invalid', 'log.entries', 'not a HAR file: log.entries is missing');
  const out: HarExplanation[] = [];
  entries.forEach((entry, index) => {
    const method = entry.request?.method ?? 'GET';
    const url = entry.request?.url ?? '';
    const isPreflight = method === 'OPTIONS' && headerOf(entry.request?.headers, 'access-control-request-method') !== undefined;
    if (isPreflight || originOf(url) === null || originOf(url) === pageOrigin) return;
    // The preflight for this request: the closest earlier OPTIONS entry for the same URL.
    let preflight: HarEntry | undefined;
    for (let i = index - 1; i >= 0; i--) {
      const e = entries[i]!;
      if (e.request?.url === url && e.request?.method === 'OPTIONS' && headerOf(e.request?.headers, 'access-control-request-method') === method) {
        preflight = e;
        break;
      }
    }
    const requestHeaders = pairs(entry.request?.headers, true);
    const input: ExplainInput = {
      page: { origin: pageOrigin },
      request: {
        url,
        method,
        headers: requestHeaders,
        credentials: requestHeaders.some(([n]) => n.toLowerCase() === 'cookie') ? 'include' : 'same-origin',
      },
      response: { status: entry.response?.status || 200, headers: pairs(entry.response?.headers) },
      ...(preflight ? { preflightResponse: { status: preflight.response?.status || 200, headers: pairs(preflight.response?.headers) } } : {}),
    };
    try {
      out.push({ index, method, url, result: explain(input, options) });
    } catch (err) {
      if (!(err instanceof ExplainInputError)) throw err;
      out.push({ index, method, url, error: { code: err.code, message: err.message, path: err.path } });
    }
  });
  return out;
}
