/**
 * `corsgate/scan`: probes URLs for CORS misconfigurations and grades their security headers.
 * `scan(urls, options)` is what `corsgate scan` and the gateway's scan API call.
 */
import { classify, type ProbeResult } from './classify.js';
import { evaluateCsp } from './csp-evaluator.js';
import { Prober, type HttpAnswer, type HttpOptions } from './http.js';
import { grade, OBSERVATORY_ORIGIN, type GradedResponse, type RedirectHop } from './observatory/index.js';
import { followUpProbes, probesFor, randomLabel, targetOf, type Probe } from './probes.js';
import type { ScanOptions, ScanResult } from './types.js';

export {
  classify,
  FINDING_IDS,
  SEVERITIES,
  type Finding,
  type FindingId,
  type Severity,
} from './classify.js';
export { evaluateCsp, DEFAULT_CHECKS, type CspCheck, type CspFinding } from './csp-evaluator.js';
export { grade, gradeOf, type Grade } from './observatory/index.js';
export { followUpProbes, probesFor, targetOf } from './probes.js';
export { USAGE_ERROR_CODES, UsageError, type UsageErrorCode } from './http.js';
export { analyseSaved, SavedHeadersError, type SavedHeadersErrorCode } from './offline.js';
export type { ScanOptions, ScanResult } from './types.js';

/** What `scan` uses for an option not given (the CLI prints these in its help). */
export const SCAN_DEFAULTS: HttpOptions = {
  timeout: 10_000,
  retries: 1,
  insecure: false,
  resolve: [],
  headers: {},
  concurrency: 4,
  rate: 30,
};

/** Redirects followed on the http:// chain, as browsers cap them (Fetch §4.4 "HTTP-redirect fetch" step 5: 20). */
const MAX_HTTP_HOPS = 20;
/** Same-host redirects of the page itself followed before probing. */
const MAX_PAGE_HOPS = 5;

function gradedFrom(url: string, a: HttpAnswer): GradedResponse {
  return {
    url,
    status: a.status,
    headers: a.headers,
    setCookies: a.setCookies,
    ...(a.body !== undefined ? { body: a.body } : {}),
  };
}

const isRedirect = (a: HttpAnswer) => a.location !== null && a.status >= 300 && a.status < 400;

/** The URL as given; a bare host (api.example.com/v1, localhost:8080) means https, as an address bar does. */
function targetUrl(url: string): URL {
  // A WebSocket URL is scanned at its http(s) twin: the handshake is an HTTP/1.1 GET there (RFC 6455 §3).
  const u = new URL(
    /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url.replace(/^ws(s?):/i, 'http$1:') : `https://${url}`,
  );
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error('only http and https URLs can be scanned');
  return u;
}

/** The page as a browser would first load it, following same-host redirects. */
async function fetchPage(
  prober: Prober,
  target: URL,
  result: ScanResult,
): Promise<{ url: URL; answer: HttpAnswer }> {
  let url = target;
  let answer = await prober.send(url.href, 'GET', {}, true);
  for (let hops = 0; isRedirect(answer) && hops < MAX_PAGE_HOPS; hops++) {
    const next = new URL(answer.location!, url);
    result.redirects.push({ status: answer.status, location: next.href });
    if (next.host !== target.host) break;
    url = next;
    answer = await prober.send(url.href, 'GET', {}, true);
  }
  return { url, answer };
}

/**
 * Every hop of the http:// fetch Observatory's redirection test judges, each Location followed
 * wherever it leads; [] when nothing answers on http. A hop that fails ends the chain there.
 */
async function httpChain(prober: Prober, start: URL): Promise<RedirectHop[]> {
  const hops: RedirectHop[] = [];
  let url = start;
  for (let i = 0; i <= MAX_HTTP_HOPS; i++) {
    const answer = await prober.send(url.href, 'GET', {}).catch(() => null);
    if (answer === null) break;
    hops.push({
      url: url.href,
      status: answer.status,
      location: isRedirect(answer) ? answer.location : null,
    });
    if (!isRedirect(answer)) break;
    try {
      url = new URL(answer.location!, url);
    } catch {
      break;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') break;
  }
  return hops;
}

/**
 * A WebSocket handshake from an unrelated origin (`https://<label>-attacker.com`, as the reflection
 * probe): a server that switches protocols for it checks no Origin. Cookies or credentials are in
 * play when the scan sends some, or the page or the handshake sets a cookie (a browser would send it).
 */
async function probeWebSocket(
  prober: Prober,
  url: URL,
  options: ScanOptions,
  label: string,
  pageCookies: boolean,
): Promise<ProbeResult> {
  const origin = `https://${label}-attacker.com`;
  const headers = { Origin: origin, Upgrade: 'websocket', Connection: 'Upgrade' };
  const probe: Probe = {
    class: 'websocket-origin-not-checked',
    method: 'GET',
    origin,
    headers,
    note: 'a WebSocket handshake from an unrelated origin',
  };
  const answer = await prober.websocket(url.href, { origin });
  const sent =
    Object.keys(options.headers ?? {}).some((h) => /^(authorization|cookie)$/i.test(h)) ||
    Boolean(options.cookie);
  if (answer === null) return { probe, url: url.href, status: 0, headers: {} };
  return {
    probe,
    url: url.href,
    status: 101,
    headers: answer.headers,
    credentials: sent || pageCookies || answer.setCookies.length > 0,
  };
}

/** Both probe rounds against the final URL; a target that answers no probe could not be scanned. */
async function probeCors(
  prober: Prober,
  url: URL,
  options: ScanOptions,
  label: string,
  pageCookies = false,
): Promise<ScanResult['findings']> {
  const t = targetOf(url);
  const legit = options.origins ?? [];
  const ask = (probes: Probe[]) =>
    Promise.all(
      probes.map(async (probe): Promise<ProbeResult> => {
        try {
          const a = await prober.send(url.href, probe.method, probe.headers);
          return { probe, url: url.href, status: a.status, headers: a.headers };
        } catch (err) {
          return { probe, url: url.href, status: 0, headers: {}, error: (err as Error).message };
        }
      }),
    );
  const first = await ask(probesFor(t, { legitOrigins: legit, label }));
  if (first.every((a) => a.error !== undefined)) throw new Error(first[0]?.error ?? 'no probe answered');
  const second = await ask(followUpProbes(t, first, { legitOrigins: legit, label }));
  const socket = await probeWebSocket(prober, url, options, label, pageCookies);
  return classify(t, [...first, ...second, socket], legit);
}

/** One stable code for every failure to get an answer; the system's own code goes in the message. */
function networkError(url: string, err: unknown): ScanResult['error'] {
  const e = err as { code?: string; message: string };
  const tlsHint = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT/i.test(e.code ?? '')
    ? ' (use --insecure to accept a self-signed or otherwise untrusted certificate)'
    : '';
  return {
    code: 'network-error',
    message: `${url} could not be scanned: ${e.message}${e.code ? ` (${e.code})` : ''}${tlsHint}`,
  };
}

async function scanOne(
  prober: Prober,
  url: string,
  options: ScanOptions,
  label: string,
): Promise<ScanResult> {
  const result: ScanResult = {
    url,
    status: null,
    finalUrl: null,
    redirects: [],
    grade: null,
    score: null,
    findings: [],
    observatory: null,
    csp: [],
  };
  let target: URL;
  try {
    target = targetUrl(url);
  } catch (err) {
    result.error = { code: 'url-invalid', message: `${url}: ${(err as Error).message}` };
    return result;
  }
  try {
    const page = await fetchPage(prober, target, result);
    result.status = page.answer.status;
    result.finalUrl = page.url.href;
    result.findings = await probeCors(prober, page.url, options, label, page.answer.setCookies.length > 0);
    const cors = await prober
      .send(page.url.href, 'OPTIONS', { Origin: OBSERVATORY_ORIGIN, 'Access-Control-Request-Method': 'GET' })
      .catch(() => null);
    // Observatory fetches http://host/ beside an https site; an http target's own chain is the same test.
    const chainStart =
      page.url.protocol === 'https:'
        ? page.url.port === ''
          ? new URL(`http://${page.url.hostname}/`)
          : null
        : target;
    const httpRedirects = chainStart ? await httpChain(prober, chainStart) : undefined;
    const g = grade({
      response: gradedFrom(page.url.href, page.answer),
      ...(cors ? { corsPreflight: gradedFrom(page.url.href, cors) } : {}),
      ...(httpRedirects ? { httpRedirects } : {}),
    });
    result.observatory = g;
    result.grade = g.grade;
    result.score = g.score;
    const csp = page.answer.headers['content-security-policy'];
    if (csp) result.csp = evaluateCsp(csp);
  } catch (err) {
    Object.assign(result, {
      status: null,
      finalUrl: null,
      findings: [],
      observatory: null,
      grade: null,
      score: null,
      csp: [],
    });
    result.error = networkError(url, err);
  }
  return result;
}

/** Scans every URL; results in input order, findings sorted by severity then id. */
export async function scan(urls: string[], options: ScanOptions = {}): Promise<{ results: ScanResult[] }> {
  const prober = new Prober({
    ...SCAN_DEFAULTS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as HttpOptions);
  const label = randomLabel();
  const results: ScanResult[] = new Array(urls.length);
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const i = next++;
      results[i] = await scanOne(prober, urls[i]!, options, label);
      options.onProgress?.(++done, urls.length, urls[i]!);
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(options.parallel ?? 8, urls.length)) }, worker),
    );
  } finally {
    await prober.close();
  }
  return { results };
}
