/**
 * Explains every cross-origin request in a HAR file as DevTools exports it. DevTools records a
 * preflight as its own OPTIONS entry (`_resourceType: "preflight"`), each redirect hop as its own
 * entry, and headers the browser added itself beside the script's own; this file puts them back
 * together: the page's CSP from its document entry, each request with its preflight and its hops.
 */
import { isRedirectStatus } from 'corsgate/internal/http/responses.js';
import { isForbiddenRequestHeader } from './request.js';
import { explain } from './simulate.js';
import {
  ExplainInputError,
  type ExplainInput,
  type ExplainOptions,
  type Explanation,
  type ResponseInput,
} from './types.js';

interface HarHeader {
  name: string;
  value: string;
}
interface HarEntry {
  _resourceType?: string;
  request?: { method?: string; url?: string; headers?: HarHeader[]; postData?: { text?: string } };
  response?: {
    status?: number;
    statusText?: string;
    headers?: HarHeader[];
    redirectURL?: string;
    content?: { mimeType?: string };
  };
}

export interface HarExplanation {
  index: number;
  method: string;
  url: string;
  result?: Explanation;
  /** What the recording leaves unknown (a preflight it does not hold). */
  warnings?: string[];
  error?: { code: string; message: string; path: string };
}

export interface HarOptions extends ExplainOptions {
  /** Overrides the credentials mode, which a HAR does not record (default: include when cookies were sent). */
  credentials?: 'omit' | 'same-origin' | 'include';
}

/**
 * Request headers the browser adds itself (HAR records them beside the script's own), beyond the
 * forbidden ones the simulator drops anyway: they are not the script's and must not decide a preflight.
 */
const UA_ADDED = new Set(['user-agent', 'pragma', 'cache-control', 'priority', 'upgrade-insecure-requests']);

function pairs(headers: HarHeader[] | undefined, dropUaAdded = false): [string, string][] {
  return (headers ?? [])
    .filter(
      (h) =>
        typeof h?.name === 'string' &&
        !h.name.startsWith(':') &&
        !(dropUaAdded && UA_ADDED.has(h.name.toLowerCase())),
    )
    .map((h) => [h.name, String(h.value ?? '')]);
}

function headerOf(headers: HarHeader[] | undefined, name: string): string | undefined {
  return headers?.find((h) => h?.name?.toLowerCase() === name)?.value;
}

function originOf(url: string | undefined): string | null {
  try {
    return url ? new URL(url).origin : null;
  } catch {
    return null;
  }
}

function isPreflight(e: HarEntry): boolean {
  return (
    e._resourceType === 'preflight' ||
    (e.request?.method === 'OPTIONS' &&
      headerOf(e.request?.headers, 'access-control-request-method') !== undefined)
  );
}

function answer(e: HarEntry): ResponseInput {
  const r = e.response ?? {};
  // A request that got no answer: HAR says status 0 (Playwright -1).
  return {
    status: r.status !== undefined && r.status > 0 ? r.status : 0,
    ...(r.statusText ? { statusText: r.statusText } : {}),
    headers: pairs(r.headers),
  };
}

function redirectTarget(e: HarEntry): string | null {
  const status = e.response?.status ?? 0;
  if (!isRedirectStatus(status)) return null;
  const location = e.response?.redirectURL || headerOf(e.response?.headers, 'location');
  if (!location) return null;
  try {
    return new URL(location, e.request?.url).href;
  } catch {
    return null;
  }
}

/** The page's origin as DevTools names it: the first document entry (or the page's title, a URL). */
export function harPageOrigin(har: unknown): string | null {
  const log = (har as { log?: { pages?: Array<{ title?: string }>; entries?: HarEntry[] } })?.log;
  const doc = log?.entries?.find((e) => e._resourceType === 'document');
  return originOf(doc?.request?.url) ?? originOf(log?.pages?.[0]?.title);
}

/** The recorded answer at a hop: 0 is the request itself, n the n-th redirect target. */
function recordedResponse(input: ExplainInput, hop: number): ResponseInput | undefined {
  return hop === 0 ? input.response : input.redirects?.[hop - 1]?.response;
}

function withUnrecordedPreflight(input: ExplainInput, hop: number, failed: boolean): ExplainInput {
  const preflightResponse = { notRecorded: true as const, failed };
  if (hop === 0) return { ...input, preflightResponse };
  const redirects = [...(input.redirects ?? [])];
  redirects[hop - 1] = { ...redirects[hop - 1], preflightResponse };
  return { ...input, redirects };
}

/**
 * Explains a recorded request. Where the browser would have preflighted but the HAR holds no
 * preflight (Playwright's HARs hold none), the request having gone out means the preflight passed:
 * it is taken as passed, and the warning says what cannot be known. A request that failed without a
 * recorded preflight stays a failure whose reason the file cannot tell.
 */
function explainRecorded(
  input: ExplainInput,
  options: HarOptions,
  harHasPreflights: boolean,
): { result: Explanation; warnings: string[] } {
  const warnings: string[] = [];
  const none = harHasPreflights
    ? ''
    : ' (the file holds none at all: the tool that recorded it, Playwright for one, leaves preflights out)';
  for (let current = input; ;) {
    const result = explain(current, options);
    const pending = result.awaiting;
    const recorded = pending?.kind === 'preflight' ? recordedResponse(current, pending.hop) : undefined;
    if (!pending || recorded === undefined) return { result, warnings };
    const where = pending.hop ? ` at ${pending.url}` : '';
    const failed = !recorded.status;
    warnings.push(
      failed
        ? `The HAR holds no preflight (OPTIONS)${where} for this request${none}, and the request failed: the preflight may have been refused or gone unanswered, and which, and why, cannot be known from this file.`
        : `The HAR holds no preflight (OPTIONS)${where} for this request${none}. The request itself went out, so the browser's preflight passed (or a cached one was used); what it allowed (methods, headers, Max-Age) cannot be checked from this file.`,
    );
    current = withUnrecordedPreflight(current, pending.hop, failed);
  }
}

/** The page's Content-Security-Policy, from its own document entry. */
function pageCsp(entries: HarEntry[], pageOrigin: string): string[] {
  const doc = entries.find(
    (e) =>
      originOf(e.request?.url) === pageOrigin &&
      (e._resourceType === 'document' || (e.response?.content?.mimeType ?? '').startsWith('text/html')),
  );
  return (doc?.response?.headers ?? [])
    .filter((h) => h.name.toLowerCase() === 'content-security-policy')
    .map((h) => h.value);
}

/** The preflight for a request at `url`: the nearest unused preflight entry for that URL and method (marked used). */
function preflightFinder(entries: HarEntry[], used: Set<number>) {
  return (index: number, url: string, method: string): HarEntry | undefined => {
    let best = -1;
    entries.forEach((e, i) => {
      if (used.has(i) || !isPreflight(e) || e.request?.url !== url) return;
      const acrm = headerOf(e.request?.headers, 'access-control-request-method');
      if (acrm !== undefined && acrm !== method) return;
      if (best === -1 || Math.abs(i - index) < Math.abs(best - index)) best = i;
    });
    if (best === -1) return undefined;
    used.add(best);
    return entries[best];
  };
}

export function explainHar(har: unknown, pageOrigin: string, options: HarOptions = {}): HarExplanation[] {
  const entries = (har as { log?: { entries?: HarEntry[] } })?.log?.entries;
  if (!Array.isArray(entries))
    throw new ExplainInputError('har-invalid', 'log.entries', 'not a HAR file: log.entries is missing');
  const csp = pageCsp(entries, pageOrigin);
  const used = new Set<number>();
  const harHasPreflights = entries.some(isPreflight);
  const preflightFor = preflightFinder(entries, used);

  const out: HarExplanation[] = [];
  entries.forEach((entry, index) => {
    if (used.has(index) || isPreflight(entry)) return;
    const method = entry.request?.method ?? 'GET';
    const url = entry.request?.url ?? '';
    if (originOf(url) === null || originOf(url) === pageOrigin) return;
    used.add(index);
    const allHeaders = pairs(entry.request?.headers, true);
    const withCookies = allHeaders.some(([n]) => n.toLowerCase() === 'cookie');
    // The forbidden ones (Origin, Referer, Sec-Fetch-*, Cookie…) are the browser's own, not the script's.
    const requestHeaders = allHeaders.filter(([n, v]) => !isForbiddenRequestHeader(n, v));
    const pf = preflightFor(index, url, method);
    // Follow the redirect chain: each hop is a later entry for the Location's URL.
    const redirects: NonNullable<ExplainInput['redirects']> = [];
    let hop: HarEntry = entry;
    for (let target = redirectTarget(hop); target !== null; target = redirectTarget(hop)) {
      const at = entries.findIndex(
        (e, i) => i > index && !used.has(i) && !isPreflight(e) && e.request?.url === target,
      );
      if (at === -1) break;
      used.add(at);
      hop = entries[at]!;
      const hopPreflight = preflightFor(at, target, hop.request?.method ?? method);
      redirects.push({
        ...(hopPreflight ? { preflightResponse: answer(hopPreflight) } : {}),
        response: answer(hop),
      });
    }
    const postData = entry.request?.postData?.text;
    const input: ExplainInput = {
      page: { origin: pageOrigin, ...(csp.length ? { csp } : {}) },
      request: {
        url,
        method,
        headers: requestHeaders,
        credentials: options.credentials ?? (withCookies ? 'include' : 'same-origin'),
        ...(postData !== undefined && method !== 'GET' && method !== 'HEAD' ? { body: postData } : {}),
      },
      response: answer(entry),
      ...(pf ? { preflightResponse: answer(pf) } : {}),
      ...(redirects.length ? { redirects } : {}),
    };
    try {
      const { result, warnings } = explainRecorded(input, options, harHasPreflights);
      out.push({ index, method, url, result, ...(warnings.length ? { warnings } : {}) });
    } catch (err) {
      if (!(err instanceof ExplainInputError)) throw err;
      out.push({ index, method, url, error: { code: err.code, message: err.message, path: err.path } });
    }
  });
  return out;
}
