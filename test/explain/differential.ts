/**
 * What the Chromium and Firefox differential tests share: the page script that runs a batch of cases
 * (fetch() or XMLHttpRequest), the simulator's input for a case, and the comparison of a verdict with
 * what the browser did and what the servers saw.
 */
import type { ExplainInput, Explanation } from '@corsgate/explain';
import type { Answer, DiffCase, Reply } from './cases.js';
import type { DiffServers } from './diff-server.js';

/** What the page script saw. */
export interface Outcome {
  resolved: boolean;
  type?: string;
  status?: number;
  headers?: string[];
  error?: string;
}

export interface BatchItem {
  i: number;
  xhr: boolean;
  url: string;
  init: { method?: string; headers?: unknown; credentials?: string; mode?: string; body?: unknown };
}

export function batchOf(cases: DiffCase[], servers: DiffServers, indexes: number[]): BatchItem[] {
  return indexes.map((i) => {
    const r = cases[i]!.request;
    return {
      i,
      xhr: r.initiator === 'xhr',
      url: servers.caseUrl(i, 0, 'same') + (cases[i]!.urlSuffix ?? ''),
      init: { method: r.method, headers: r.headers, credentials: r.credentials, mode: r.mode, body: r.body },
    };
  });
}

/**
 * The page script, run in the browser with a batch (its argument): every case at once, each through
 * fetch() or XMLHttpRequest (credentials through withCredentials, headers through setRequestHeader).
 */
export async function runBatchInPage(batch: BatchItem[]): Promise<Array<{ i: number; outcome: Outcome }>> {
  return Promise.all(
    batch.map(async ({ i, url, init, xhr }) => {
      if (xhr) {
        return new Promise<{ i: number; outcome: Outcome }>((resolve) => {
          const x = new XMLHttpRequest();
          x.open(init.method ?? 'GET', url);
          x.withCredentials = init.credentials === 'include';
          const headers = (
            Array.isArray(init.headers)
              ? init.headers
              : Object.entries((init.headers as Record<string, string>) ?? {})
          ) as [string, string][];
          for (const [n, v] of headers) x.setRequestHeader(n, v);
          x.onload = () =>
            resolve({
              i,
              outcome: {
                resolved: true,
                type: 'cors',
                status: x.status,
                headers: [
                  ...new Set(
                    x
                      .getAllResponseHeaders()
                      .trim()
                      .split(/\r?\n/)
                      .filter(Boolean)
                      .map((l) => l.slice(0, l.indexOf(':')).toLowerCase()),
                  ),
                ].sort(),
              },
            });
          x.onerror = () => resolve({ i, outcome: { resolved: false, error: 'error event' } });
          x.send((init.body as string | undefined) ?? null);
        });
      }
      try {
        const res = await fetch(url, init as RequestInit);
        await res.text();
        return {
          i,
          outcome: { resolved: true, type: res.type, status: res.status, headers: [...res.headers.keys()] },
        };
      } catch (e) {
        return { i, outcome: { resolved: false, error: String(e) } };
      }
    }),
  );
}

/** What the simulator is told: the case's answers as the server sent them (it adds two headers). */
export function simulatedInput(c: DiffCase, index: number, servers: DiffServers): ExplainInput {
  const sent = (r: Reply | undefined, hop: number, isPreflight: boolean) => {
    if (r === undefined || r === 'drop') return undefined;
    const a: Answer = r;
    const bodyLength = isPreflight ? 0 : Buffer.byteLength(a.body ?? 'body');
    return {
      status: a.status,
      ...(a.statusText ? { statusText: a.statusText } : {}),
      headers: [
        ...servers.fill(index, hop, a.headers),
        ['Content-Length', String(bodyLength)],
        ['Connection', 'close'],
      ] as [string, string][],
    };
  };
  const hopAnswers = (hop: number, step: { preflightResponse?: Reply; response: Reply }) => {
    const pf = sent(step.preflightResponse, hop, true);
    const res = sent(step.response, hop, false);
    return { ...(pf ? { preflightResponse: pf } : {}), ...(res ? { response: res } : {}) };
  };
  return {
    page: { origin: servers.pageOrigin, ...(c.csp ? { csp: c.csp } : {}) },
    request: { ...c.request, url: servers.caseUrl(index, 0, 'same') + (c.urlSuffix ?? '') },
    ...hopAnswers(0, c),
    ...(c.redirects ? { redirects: c.redirects.map((r, i) => hopAnswers(i + 1, r)) } : {}),
  };
}

/**
 * Where the simulator's verdict disagrees with the browser and the servers: page outcome, response
 * type, whether the preflight and the request reached the server, the Origin and Access-Control-Request-*
 * headers they carried, the readable headers.
 */
export function verdictProblems(
  sim: Explanation,
  outcome: Outcome,
  servers: DiffServers,
  index: number,
  browser: string,
): string[] {
  const hops = servers.seen.get(index) ?? [];
  const browserType = outcome.resolved ? outcome.type : 'error';
  const problems: string[] = [];
  if (sim.responseType !== browserType)
    problems.push(`type: simulator ${sim.responseType}, ${browser} ${browserType} ${outcome.error ?? ''}`);
  if (sim.allowed !== (browserType === 'cors')) problems.push(`allowed: simulator ${sim.allowed}`);
  const sawPreflight = hops.some((h) => h?.preflight);
  const sawActual = hops.some((h) => h?.actual);
  if (sim.preflight !== sawPreflight)
    problems.push(`preflight: simulator ${sim.preflight}, server saw ${sawPreflight}`);
  if (sim.actualRequestSent !== sawActual)
    problems.push(`actual request: simulator ${sim.actualRequestSent}, server saw ${sawActual}`);
  const pf = hops[0]?.preflight;
  if (pf && sim.preflightRequest) {
    const want = sim.preflightRequest.headers;
    if (
      pf.acrm !== want['Access-Control-Request-Method'] ||
      pf.acrh !== want['Access-Control-Request-Headers'] ||
      pf.origin !== want.Origin
    ) {
      problems.push(`preflight headers: simulator ${JSON.stringify(want)}, server saw ${JSON.stringify(pf)}`);
    }
  }
  // Each hop's request as the simulator says it went out (method and Origin).
  sim.requests.forEach((r, hop) => {
    const got = hops[hop]?.actual;
    if (got && (got.method !== r.method || (got.origin ?? null) !== r.origin))
      problems.push(
        `hop ${hop}: simulator ${r.method} Origin ${r.origin}, server saw ${got.method} Origin ${got.origin}`,
      );
  });
  if (browserType === 'cors' && JSON.stringify(sim.exposedHeaders) !== JSON.stringify(outcome.headers))
    problems.push(
      `readable headers: simulator ${JSON.stringify(sim.exposedHeaders)}, ${browser} ${JSON.stringify(outcome.headers)}`,
    );
  if (browserType === 'opaque' && sim.exposedHeaders !== null)
    problems.push('readable headers: opaque responses have none');
  return problems;
}
