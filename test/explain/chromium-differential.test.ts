/**
 * Differential test: every generated case is served from loopback API origins (http://localhost:<q>,
 * and http://127.0.0.1:<r> for cross-origin redirects) and fetched by a page on http://127.0.0.1:<p>
 * in real headless Chromium, many fetches at a time. The simulator must agree with Chromium on every
 * verdict (page outcome, response type, whether the preflight and the request reached the server,
 * the Origin and Access-Control-Request-* headers they carried, readable headers), and its console
 * messages must match to the letter on at least 95% of the cases.
 * CORSGATE_DIFF_VERBOSE=1 prints every console difference.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { explain, type ExplainInput } from '../../src/explain/index.js';
import { generateCases, type Answer, type DiffCase, type Reply } from './cases.js';
import { startDiffServers, type DiffServers } from './diff-server.js';

const cases = generateCases();
/** Fetches started at once from one page; Chromium queues past its 6 connections per host. */
const CHUNK = 48;
let servers: DiffServers;
let browser: Browser;
let page: Page;

before(async () => {
  servers = await startDiffServers(cases);
  browser = await launchChromium();
  page = await browser.newPage();
});

after(async () => {
  await browser?.close();
  servers?.close();
});

interface Outcome {
  resolved: boolean;
  type?: string;
  status?: number;
  headers?: string[];
  error?: string;
}

/** What the simulator is told: the case's answers as the server sent them (it adds two headers). */
function simulatedInput(c: DiffCase, index: number): ExplainInput {
  const sent = (r: Reply | undefined, hop: number, isPreflight: boolean) => {
    if (r === undefined || r === 'drop') return undefined;
    const a: Answer = r;
    const bodyLength = isPreflight ? 0 : Buffer.byteLength(a.body ?? 'body');
    return { status: a.status, ...(a.statusText ? { statusText: a.statusText } : {}), headers: [...servers.fill(index, hop, a.headers), ['Content-Length', String(bodyLength)], ['Connection', 'close']] as [string, string][] };
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

/** The case a console message belongs to: by the URL in its text, else by its source location. */
function caseOf(m: ConsoleMessage): number | null {
  const hit = /\/case\/(\d+)\//.exec(m.text()) ?? /\/case\/(\d+)\//.exec(m.location().url);
  return hit ? Number(hit[1]) : null;
}

test('the simulator agrees with Chromium on every generated case', async () => {
  const consoleByCase = new Map<number, string[]>();
  const stray: string[] = [];
  let lastConsoleAt = Date.now();
  page.on('console', (m) => {
    lastConsoleAt = Date.now();
    const i = caseOf(m);
    if (i === null) stray.push(m.text());
    else consoleByCase.set(i, [...(consoleByCase.get(i) ?? []), m.text()]);
  });
  const outcomes = new Map<number, Outcome>();
  // One page per CSP; the cases of a page are fetched CHUNK at a time.
  const byCsp = new Map<string, number[]>();
  cases.forEach((c, i) => byCsp.set(c.csp ?? '', [...(byCsp.get(c.csp ?? '') ?? []), i]));
  for (const [csp, indexes] of byCsp) {
    await page.goto(`${servers.pageOrigin}/${csp ? `?csp=${encodeURIComponent(csp)}` : ''}`);
    for (let start = 0; start < indexes.length; start += CHUNK) {
      const batch = indexes.slice(start, start + CHUNK).map((i) => {
        const r = cases[i]!.request;
        return { i, xhr: r.initiator === 'xhr', url: servers.caseUrl(i, 0, 'same') + (cases[i]!.urlSuffix ?? ''), init: { method: r.method, headers: r.headers, credentials: r.credentials, mode: r.mode, body: r.body } };
      });
      const results: Array<{ i: number; outcome: Outcome }> = await page.evaluate(async (batch) => Promise.all(batch.map(async ({ i, url, init, xhr }) => {
        if (xhr) {
          // XMLHttpRequest: credentials through withCredentials, headers through setRequestHeader.
          return new Promise<{ i: number; outcome: Outcome }>((resolve) => {
            const x = new XMLHttpRequest();
            x.open(init.method ?? 'GET', url);
            x.withCredentials = init.credentials === 'include';
            const headers = (Array.isArray(init.headers) ? init.headers : Object.entries(init.headers ?? {})) as [string, string][];
            for (const [n, v] of headers) x.setRequestHeader(n, v);
            x.onload = () => resolve({ i, outcome: { resolved: true, type: 'cors', status: x.status, headers: [...new Set(x.getAllResponseHeaders().trim().split(/\r?\n/).filter(Boolean).map((l) => l.slice(0, l.indexOf(':')).toLowerCase()))].sort() } });
            x.onerror = () => resolve({ i, outcome: { resolved: false, error: 'error event' } });
            x.send((init.body as string | undefined) ?? null);
          });
        }
        try {
          const res = await fetch(url, init as RequestInit);
          await res.text();
          return { i, outcome: { resolved: true, type: res.type, status: res.status, headers: [...res.headers.keys()] } };
        } catch (e) {
          return { i, outcome: { resolved: false, error: String(e) } };
        }
      })), batch);
      for (const { i, outcome } of results) outcomes.set(i, outcome);
      // Console events trail the promises: wait until none has come for a while (a busy machine is slower).
      await new Promise((r) => setTimeout(r, 200));
      for (const started = Date.now(); Date.now() - lastConsoleAt < 300 && Date.now() - started < 5000; ) await new Promise((r) => setTimeout(r, 50));
    }
  }

  let consoleMatches = 0;
  const disagreements: string[] = [];
  const consoleDiffs: string[] = [];
  cases.forEach((c, i) => {
    const outcome = outcomes.get(i)!;
    const hops = servers.seen.get(i) ?? [];
    const cr = consoleByCase.get(i) ?? [];
    let sim;
    try {
      sim = explain(simulatedInput(c, i));
    } catch (err) {
      disagreements.push(`#${i} ${c.name}: the simulator threw ${String(err)}`);
      return;
    }
    const chromiumType = outcome.resolved ? outcome.type : 'error';
    const problems: string[] = [];
    if (sim.responseType !== chromiumType) problems.push(`type: simulator ${sim.responseType}, Chromium ${chromiumType} ${outcome.error ?? ''}`);
    if (sim.allowed !== (chromiumType === 'cors')) problems.push(`allowed: simulator ${sim.allowed}`);
    const sawPreflight = hops.some((h) => h?.preflight);
    const sawActual = hops.some((h) => h?.actual);
    if (sim.preflight !== sawPreflight) problems.push(`preflight: simulator ${sim.preflight}, server saw ${sawPreflight}`);
    if (sim.actualRequestSent !== sawActual) problems.push(`actual request: simulator ${sim.actualRequestSent}, server saw ${sawActual}`);
    const pf = hops[0]?.preflight;
    if (pf && sim.preflightRequest) {
      const want = sim.preflightRequest.headers;
      if (pf.acrm !== want['Access-Control-Request-Method'] || pf.acrh !== want['Access-Control-Request-Headers'] || pf.origin !== want.Origin) {
        problems.push(`preflight headers: simulator ${JSON.stringify(want)}, server saw ${JSON.stringify(pf)}`);
      }
    }
    // Each hop's request as the simulator says it went out (method and Origin).
    sim.requests.forEach((r, hop) => {
      const got = hops[hop]?.actual;
      if (got && (got.method !== r.method || (got.origin ?? null) !== r.origin)) problems.push(`hop ${hop}: simulator ${r.method} Origin ${r.origin}, server saw ${got.method} Origin ${got.origin}`);
    });
    if (chromiumType === 'cors' && JSON.stringify(sim.exposedHeaders) !== JSON.stringify(outcome.headers)) problems.push(`readable headers: simulator ${JSON.stringify(sim.exposedHeaders)}, Chromium ${JSON.stringify(outcome.headers)}`);
    if (chromiumType === 'opaque' && sim.exposedHeaders !== null) problems.push('readable headers: opaque responses have none');
    if (problems.length) disagreements.push(`#${i} ${c.name}: ${problems.join('; ')}`);
    if (JSON.stringify(sim.console) === JSON.stringify(cr)) consoleMatches++;
    else consoleDiffs.push(`#${i} ${c.name}\n  sim: ${JSON.stringify(sim.console)}\n  cr:  ${JSON.stringify(cr)}`);
  });
  const ratio = consoleMatches / cases.length;
  if (process.env.CORSGATE_DIFF_VERBOSE) console.log([...consoleDiffs, ...stray.map((s) => `stray: ${s}`)].join('\n'));
  console.log(`differential: ${cases.length} cases, verdicts agree on ${cases.length - disagreements.length}/${cases.length}, console messages identical on ${consoleMatches}/${cases.length} (${(ratio * 100).toFixed(1)}%)`);
  assert.deepEqual(disagreements, [], 'the simulator and Chromium disagree');
  assert.ok(ratio >= 0.95, `console messages match on only ${(ratio * 100).toFixed(1)}% of cases:\n${consoleDiffs.slice(0, 20).join('\n')}`);
});
