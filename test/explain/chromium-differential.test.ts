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
import { explain } from '@corsgate/explain';
import { CHROMIUM } from '@corsgate/explain/internal/browsers.js';
import { generateCases } from './cases.js';
import { batchOf, runBatchInPage, simulatedInput, verdictProblems, type Outcome } from './differential.js';
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
      const batch = batchOf(cases, servers, indexes.slice(start, start + CHUNK));
      const results = await page.evaluate(runBatchInPage, batch);
      for (const { i, outcome } of results) outcomes.set(i, outcome);
      // Console events trail the promises: wait until none has come for a while (a busy machine is slower).
      await new Promise((r) => setTimeout(r, 200));
      for (const started = Date.now(); Date.now() - lastConsoleAt < 300 && Date.now() - started < 5000;)
        await new Promise((r) => setTimeout(r, 50));
    }
  }

  let consoleMatches = 0;
  const disagreements: string[] = [];
  const consoleDiffs: string[] = [];
  cases.forEach((c, i) => {
    const outcome = outcomes.get(i)!;
    const cr = consoleByCase.get(i) ?? [];
    let sim;
    try {
      sim = explain(simulatedInput(c, i, servers));
    } catch (err) {
      disagreements.push(`#${i} ${c.name}: the simulator threw ${String(err)}`);
      return;
    }
    const problems = verdictProblems(sim, outcome, servers, i, 'Chromium');
    if (problems.length) disagreements.push(`#${i} ${c.name}: ${problems.join('; ')}`);
    if (JSON.stringify(sim.console) === JSON.stringify(cr)) consoleMatches++;
    else
      consoleDiffs.push(
        `#${i} ${c.name}\n  sim: ${JSON.stringify(sim.console)}\n  cr:  ${JSON.stringify(cr)}`,
      );
  });
  const ratio = consoleMatches / cases.length;
  if (process.env.CORSGATE_DIFF_VERBOSE)
    console.log([...consoleDiffs, ...stray.map((s) => `stray: ${s}`)].join('\n'));
  console.log(
    `differential: ${cases.length} cases, verdicts agree on ${cases.length - disagreements.length}/${cases.length}, console messages identical on ${consoleMatches}/${cases.length} (${(ratio * 100).toFixed(1)}%)`,
  );
  const version = browser.version();
  assert.equal(
    version.split('.')[0],
    CHROMIUM.version.split('.')[0],
    `explain models Chromium ${CHROMIUM.version}; this is Chromium ${version}`,
  );
  assert.deepEqual(disagreements, [], 'the simulator and Chromium disagree');
  assert.ok(
    ratio >= 0.95,
    `console messages match on only ${(ratio * 100).toFixed(1)}% of cases:\n${consoleDiffs.slice(0, 20).join('\n')}`,
  );
});
