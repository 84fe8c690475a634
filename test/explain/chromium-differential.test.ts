/**
 * Differential test: every generated case is served from a loopback API (http://localhost:<q>) and
 * fetched by a page on http://127.0.0.1:<p> in real headless Chromium. The simulator must agree with
 * Chromium on every verdict (page outcome, response type, whether the preflight and the request
 * reached the server, readable headers), and its console messages must match to the letter on at
 * least 95% of the cases.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { explain, type ExplainInput } from '../../src/explain/index.js';
import { generateCases, type DiffCase } from './cases.js';

interface Seen {
  preflight: boolean;
  actual: boolean;
}

const cases = generateCases();
const seen = new Map<number, Seen>();
let pageOrigin = '';
let apiBase = '';
let browser: Browser;
let page: Page;
const servers: Array<http.Server | net.Server> = [];

const fill = (headers: [string, string][]): [string, string][] => headers.map(([n, v]) => [n, v.replaceAll('{origin}', pageOrigin)]);

function listen(server: http.Server | net.Server): Promise<number> {
  servers.push(server);
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
}

before(async () => {
  // A raw HTTP/1.1 server: node:http's parser refuses methods it does not know (such as a
  // lower-case `patch`, which browsers send as is), and the test must see every request.
  const api = net.createServer((socket) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
      const [method = '', target = ''] = lines[0]!.split(' ');
      const headers = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const length = Number(headers.get('content-length') ?? 0);
      if (buffer.length < end + 4 + length) return;
      socket.removeAllListeners('data');
      const m = /^\/case\/(\d+)/.exec(target);
      const c = m ? cases[Number(m[1])] : undefined;
      const isPreflight = method === 'OPTIONS' && headers.has('access-control-request-method');
      let status = 404;
      let answerHeaders: [string, string][] = [];
      if (c) {
        const s = seen.get(Number(m![1])) ?? { preflight: false, actual: false };
        seen.set(Number(m![1]), s);
        if (isPreflight) s.preflight = true;
        else s.actual = true;
        const answer = isPreflight ? c.preflightResponse ?? { status: 404, headers: [] } : c.response;
        status = answer.status;
        answerHeaders = fill(answer.headers);
      }
      const body = isPreflight || !c ? '' : 'body';
      // Exactly the case's headers, plus the two the simulator is told about (see simulatedInput).
      const head = [`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Unknown'}`, ...answerHeaders.map(([n, v]) => `${n}: ${v}`), `Content-Length: ${body.length}`, 'Connection: close'];
      socket.end(`${head.join('\r\n')}\r\n\r\n${method === 'HEAD' ? '' : body}`);
    });
    socket.on('error', () => {});
  });
  const apiPort = await listen(api);
  apiBase = `http://localhost:${apiPort}`;
  const pages = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const csp = url.searchParams.get('csp');
    res.writeHead(200, { 'Content-Type': 'text/html', ...(csp ? { 'Content-Security-Policy': csp } : {}) });
    res.end('<!doctype html><title>differential</title>');
  });
  pageOrigin = `http://127.0.0.1:${await listen(pages)}`;
  browser = await launchChromium();
  page = await browser.newPage();
});

after(async () => {
  await browser?.close();
  for (const s of servers) {
    if (s instanceof http.Server) s.closeAllConnections();
    s.close();
  }
});

function simulatedInput(c: DiffCase, index: number): ExplainInput {
  const withServerHeaders = (r: { status: number; headers: [string, string][] }, bodyLength: number) => ({
    status: r.status,
    headers: [...fill(r.headers), ['Content-Length', String(bodyLength)], ['Connection', 'close']] as [string, string][],
  });
  return {
    page: { origin: pageOrigin, ...(c.csp ? { csp: c.csp } : {}) },
    request: { ...c.request, url: `${apiBase}/case/${index}` },
    ...(c.preflightResponse ? { preflightResponse: withServerHeaders(c.preflightResponse, 0) } : {}),
    response: withServerHeaders(c.response, 4),
  };
}

test('the simulator agrees with Chromium on every generated case', async () => {
  const messages: string[] = [];
  page.on('console', (m) => messages.push(m.text()));
  let currentCsp: string | undefined = 'unset';
  let consoleMatches = 0;
  const disagreements: string[] = [];

  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    if (c.csp !== currentCsp) {
      await page.goto(`${pageOrigin}/${c.csp ? `?csp=${encodeURIComponent(c.csp)}` : ''}`);
      currentCsp = c.csp;
    }
    messages.length = 0;
    const init = { method: c.request.method, headers: c.request.headers as HeadersInit | undefined, credentials: c.request.credentials, mode: c.request.mode, body: c.request.body as string | undefined };
    const outcome = await page.evaluate(async ({ url, init }) => {
      try {
        const res = await fetch(url, init as RequestInit);
        await res.text();
        return { resolved: true, type: res.type, status: res.status, headers: [...res.headers.keys()] };
      } catch (e) {
        return { resolved: false, error: String(e) };
      }
    }, { url: `${apiBase}/case/${i}`, init });
    await new Promise((r) => setTimeout(r, 60)); // console events trail the promise slightly
    const browserSaw = { outcome, seen: seen.get(i) ?? { preflight: false, actual: false }, console: [...messages] };

    const sim = explain(simulatedInput(c, i));
    const simType = sim.responseType === 'basic' ? 'basic' : sim.responseType;
    const chromiumType = outcome.resolved ? outcome.type : 'error';
    const problems: string[] = [];
    if (simType !== chromiumType) problems.push(`type: simulator ${simType}, Chromium ${chromiumType} ${outcome.error ?? ''}`);
    if (sim.allowed !== (chromiumType === 'cors')) problems.push(`allowed: simulator ${sim.allowed}`);
    if (sim.preflight !== browserSaw.seen.preflight) problems.push(`preflight: simulator ${sim.preflight}, server saw ${browserSaw.seen.preflight}`);
    if (sim.actualRequestSent !== browserSaw.seen.actual) problems.push(`actual request: simulator ${sim.actualRequestSent}, server saw ${browserSaw.seen.actual}`);
    if (chromiumType === 'cors' && JSON.stringify(sim.exposedHeaders) !== JSON.stringify(outcome.headers)) problems.push(`readable headers: simulator ${JSON.stringify(sim.exposedHeaders)}, Chromium ${JSON.stringify(outcome.headers)}`);
    if (problems.length) disagreements.push(`#${i} ${c.name}: ${problems.join('; ')}`);
    if (JSON.stringify(sim.console) === JSON.stringify(browserSaw.console)) consoleMatches++;
    else if (process.env.CORSGATE_DIFF_VERBOSE) console.log(`console #${i} ${c.name}\n  sim: ${JSON.stringify(sim.console)}\n  cr:  ${JSON.stringify(browserSaw.console)}`);
  }
  const ratio = consoleMatches / cases.length;
  console.log(`differential: ${cases.length} cases, verdict disagreements ${disagreements.length}, console messages identical on ${consoleMatches}/${cases.length} (${(ratio * 100).toFixed(1)}%)`);
  assert.deepEqual(disagreements, [], 'the simulator and Chromium disagree');
  assert.ok(ratio >= 0.95, `console messages match on only ${(ratio * 100).toFixed(1)}% of cases`);
});
