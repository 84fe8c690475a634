/**
 * `corsgate/scan`: probes URLs for CORS misconfigurations and grades their security headers.
 * `scan(urls, options)` is what `corsgate scan` and the gateway's scan API call.
 */
import { classify, type Finding, type ProbeResult } from './classify.js';
import { evaluateCsp, type CspFinding } from './csp-evaluator.js';
import { Prober, type HttpOptions } from './http.js';
import { grade, OBSERVATORY_ORIGIN, type Grade, type GradedResponse } from './observatory/index.js';
import { followUpProbes, probesFor, randomLabel, targetOf, type Probe } from './probes.js';

export { classify, FINDING_IDS, SEVERITIES, type Finding, type Severity } from './classify.js';
export { evaluateCsp, type CspFinding } from './csp-evaluator.js';
export { grade, gradeOf, type Grade } from './observatory/index.js';
export { followUpProbes, probesFor, targetOf } from './probes.js';
export { UsageError } from './http.js';

export interface ScanOptions extends Partial<HttpOptions> {
  /** Origins the user says are legitimate. */
  origins?: string[];
  /** URLs scanned at once. */
  parallel?: number;
  onProgress?: (done: number, total: number, url: string) => void;
}

export interface ScanResult {
  url: string;
  status: number | null;
  finalUrl: string | null;
  redirects: { status: number; location: string }[];
  grade: string | null;
  score: number | null;
  findings: Finding[];
  observatory: Grade | null;
  csp: CspFinding[];
  error?: { code: string; message: string };
}

export const DEFAULTS: HttpOptions = { timeout: 10_000, retries: 1, insecure: false, resolve: [], headers: {}, concurrency: 4, rate: 30 };

function gradedFrom(url: string, a: { status: number; headers: Record<string, string>; setCookies?: string[]; body?: string }): GradedResponse {
  return { url, status: a.status, headers: a.headers, setCookies: a.setCookies ?? [], ...(a.body !== undefined ? { body: a.body } : {}) };
}

async function scanOne(prober: Prober, url: string, options: ScanOptions, label: string): Promise<ScanResult> {
  const result: ScanResult = { url, status: null, finalUrl: null, redirects: [], grade: null, score: null, findings: [], observatory: null, csp: [] };
  let target: URL;
  try {
    // A bare host (api.example.com/v1, localhost:8080) means https, as a browser's address bar would.
    target = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('only http and https URLs can be scanned');
  } catch (err) {
    result.error = { code: 'url-invalid', message: `${url}: ${(err as Error).message}` };
    return result;
  }
  try {
    // The page as a browser would first load it, following same-host redirects.
    let current = target;
    let answer = await prober.send(current.href, 'GET', {}, true);
    for (let hops = 0; answer.location && answer.status >= 300 && answer.status < 400 && hops < 5; hops++) {
      const next = new URL(answer.location, current);
      result.redirects.push({ status: answer.status, location: next.href });
      if (next.host !== target.host) break;
      current = next;
      answer = await prober.send(current.href, 'GET', {}, true);
    }
    result.status = answer.status;
    result.finalUrl = current.href;
    const t = targetOf(current);
    const legit = options.origins ?? [];
    const ask = (probes: Probe[]) => Promise.all(probes.map(async (probe): Promise<ProbeResult> => {
      try {
        const a = await prober.send(current.href, probe.method, probe.headers);
        return { probe, url: current.href, status: a.status, headers: a.headers };
      } catch (err) {
        return { probe, url: current.href, status: 0, headers: {}, error: (err as Error).message };
      }
    }));
    const first = await ask(probesFor(t, { legitOrigins: legit, label }));
    if (first.every((a) => a.error !== undefined)) throw new Error(first[0]?.error ?? 'no probe answered');
    const second = await ask(followUpProbes(t, first, { legitOrigins: legit, label }));
    result.findings = classify(t, [...first, ...second], legit);
    const cors = await prober.send(current.href, 'OPTIONS', { Origin: OBSERVATORY_ORIGIN, 'Access-Control-Request-Method': 'GET' }).catch(() => null);
    let httpRedirects: { status: number; location: string | null }[] | undefined;
    if (current.protocol === 'https:' && current.port === '') {
      const plain = await prober.send(`http://${current.hostname}/`, 'GET', {}).catch(() => null);
      httpRedirects = plain ? [{ status: plain.status, location: plain.status >= 300 && plain.status < 400 ? plain.location : null }] : [];
    }
    const g = grade({ response: gradedFrom(current.href, answer), ...(cors ? { corsPreflight: gradedFrom(current.href, cors) } : {}), ...(httpRedirects ? { httpRedirects } : {}) });
    result.observatory = g;
    result.grade = g.grade;
    result.score = g.score;
    if (answer.headers['content-security-policy']) result.csp = evaluateCsp(answer.headers['content-security-policy']);
  } catch (err) {
    const e = err as { code?: string; message: string };
    // One stable code for every failure to get an answer; the system's own code goes in the message.
    const tlsHint = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT/i.test(e.code ?? '') ? ' (use --insecure to accept a self-signed or otherwise untrusted certificate)' : '';
    result.error = { code: 'network-error', message: `${url}: ${e.message}${e.code ? ` (${e.code})` : ''}${tlsHint}` };
  }
  return result;
}

/** Scans every URL; results in input order, findings sorted by severity then id. */
export async function scan(urls: string[], options: ScanOptions = {}): Promise<{ results: ScanResult[] }> {
  const prober = new Prober({ ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as HttpOptions);
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
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel ?? 8, urls.length)) }, worker));
  } finally {
    await prober.close();
  }
  return { results };
}

export { analyseSaved } from './offline.js';
