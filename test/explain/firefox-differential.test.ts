/**
 * Differential test against real headless Firefox ESR, over WebDriver BiDi: the same generated cases
 * and loopback servers as the Chromium differential (page http://127.0.0.1:<p>, API http://localhost:<q>
 * and http://127.0.0.1:<r>), many fetches at a time in one page.
 *
 * Page outcomes come from the page script. Console errors arrive as BiDi `log.entryAdded` entries;
 * warnings do not (Firefox forwards only errors there), so a console listener registered in the parent
 * process (chrome scope) collects every message, with its level and category (Firefox's message key).
 * CSP messages arrive after the fetch settles, so each batch ends with a marker that travels the same
 * path (an uncaught error from the page) and is awaited on both channels.
 *
 * CORSGATE_DIFF_VERBOSE=1 prints every console difference; CORSGATE_FIREFOX_RECORD=<file> writes what
 * Firefox did for each case (outcome, console lines with their keys, what the servers saw).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { launchFirefox, type Firefox } from '../support/firefox.js';
import { explain } from '@corsgate/explain';
import { FIREFOX } from '@corsgate/explain/internal/browsers.js';
import { FIREFOX_MESSAGES, type FirefoxKey } from '@corsgate/explain/internal/messages-firefox.js';
import { generateCases } from './cases.js';
import { batchOf, runBatchInPage, simulatedInput, verdictProblems, type Outcome } from './differential.js';
import { startDiffServers, type DiffServers } from './diff-server.js';
import { FIREFOX_CONSOLE_EXCEPTIONS, FIREFOX_PAGE_CATEGORIES } from './firefox-exceptions.js';

const cases = generateCases();
const CHUNK = 48;
let servers: DiffServers;
let firefox: Firefox;
let context: string;

/** A console message as the parent process's listener saw it. */
interface Seen {
  level: 'error' | 'warning' | 'info';
  category: string;
  text: string;
}

before(async () => {
  servers = await startDiffServers(cases);
  firefox = await launchFirefox();
  await firefox.send('session.subscribe', { events: ['log.entryAdded'] });
  const tree = await firefox.send<{ contexts: Array<{ context: string }> }>('browsingContext.getTree', {
    maxDepth: 0,
  });
  context = tree.contexts[0]!.context;
  // nsIScriptError flags: 0 error, 1 warning, 4 info (js/xpconnect/idl/nsIScriptError.idl). Messages of
  // the browser's own code (chrome context) are not the page's.
  await firefox.chrome(`(() => {
    globalThis.__corsgateSeen = [];
    Services.console.registerListener({ observe(m) {
      if (!(m instanceof Ci.nsIScriptError) || m.isFromChromeContext || m.category === 'chrome javascript') return;
      globalThis.__corsgateSeen.push({ level: m.flags & 1 ? 'warning' : m.flags & 4 ? 'info' : 'error', category: m.category, text: m.errorMessage });
    } });
    return 'true';
  })()`);
});

after(async () => {
  await firefox?.close();
  servers?.close();
});

/** The case a console message belongs to: by the URL in its text. */
function caseOf(text: string): number | null {
  const hit = /\/case\/(\d+)\//.exec(text);
  return hit ? Number(hit[1]) : null;
}

test('the simulator agrees with Firefox on every generated case', async () => {
  const errorsByCase = new Map<number, string[]>();
  const markers = new Set<string>();
  firefox.onEvent((e) => {
    if (e.method !== 'log.entryAdded') return;
    const text = String(e.params.text ?? '');
    const marker = /corsgate-marker-\d+/.exec(text);
    if (marker) return void markers.add(marker[0]);
    const i = caseOf(text);
    if (i !== null && e.params.level === 'error') errorsByCase.set(i, [...(errorsByCase.get(i) ?? []), text]);
  });
  const seenByCase = new Map<number, Seen[]>();
  const stray: Seen[] = [];
  const chromeMarkers = new Set<string>();
  const drain = async () => {
    for (const m of await firefox.chrome<Seen[]>('JSON.stringify(globalThis.__corsgateSeen.splice(0))')) {
      const marker = /corsgate-marker-\d+/.exec(m.text);
      if (marker) chromeMarkers.add(marker[0]);
      const i = caseOf(m.text);
      if (i === null) {
        if (!marker) stray.push(m);
      } else seenByCase.set(i, [...(seenByCase.get(i) ?? []), m]);
    }
  };
  const outcomes = new Map<number, Outcome>();
  const byCsp = new Map<string, number[]>();
  cases.forEach((c, i) => byCsp.set(c.csp ?? '', [...(byCsp.get(c.csp ?? '') ?? []), i]));
  let markerCount = 0;
  for (const [csp, indexes] of byCsp) {
    await firefox.send('browsingContext.navigate', {
      context,
      url: `${servers.pageOrigin}/${csp ? `?csp=${encodeURIComponent(csp)}` : ''}`,
      wait: 'complete',
    });
    for (let start = 0; start < indexes.length; start += CHUNK) {
      const batch = batchOf(cases, servers, indexes.slice(start, start + CHUNK));
      const results = await firefox.evaluate<Array<{ i: number; outcome: Outcome }>>(
        context,
        `(${runBatchInPage.toString()})(${JSON.stringify(batch)}).then(JSON.stringify)`,
      );
      for (const { i, outcome } of results) outcomes.set(i, outcome);
      // The marker: an uncaught error, reported (like CSP's messages) once the page's task ends.
      const marker = `corsgate-marker-${++markerCount}`;
      await firefox.evaluate(
        context,
        `setTimeout(() => { throw new Error(${JSON.stringify(marker)}); }, 0), 'true'`,
      );
      for (const started = Date.now(); !(markers.has(marker) && chromeMarkers.has(marker));) {
        if (Date.now() - started > 20_000) throw new Error(`the console marker ${marker} never arrived`);
        await new Promise((r) => setTimeout(r, 20));
        await drain();
      }
    }
  }
  await drain();

  let consoleMatches = 0;
  let exactMatches = 0;
  const disagreements: string[] = [];
  const consoleDiffs: string[] = [];
  const channelDiffs: string[] = [];
  const record: object[] = [];
  const used = new Map<(typeof FIREFOX_CONSOLE_EXCEPTIONS)[number], number>();
  const ignored = new Set(FIREFOX_CONSOLE_EXCEPTIONS.flatMap((x) => (x.category ? [x.category] : [])));
  cases.forEach((c, i) => {
    const outcome = outcomes.get(i)!;
    const seen = seenByCase.get(i) ?? [];
    // Every error the parent's listener saw is one the page's console showed (and the other way round).
    const errors = seen.filter((m) => m.level === 'error').map((m) => m.text);
    if (JSON.stringify(errors) !== JSON.stringify(errorsByCase.get(i) ?? []))
      channelDiffs.push(
        `#${i} ${c.name}: listener ${JSON.stringify(errors)}, log.entryAdded ${JSON.stringify(errorsByCase.get(i) ?? [])}`,
      );
    if (process.env.CORSGATE_FIREFOX_RECORD)
      record.push({ i, name: c.name, outcome, console: seen, seen: servers.seen.get(i) ?? [] });
    let sim;
    try {
      sim = explain(simulatedInput(c, i, servers), { browser: 'firefox' });
    } catch (err) {
      disagreements.push(`#${i} ${c.name}: the simulator threw ${String(err)}`);
      return;
    }
    const problems = verdictProblems(sim, outcome, servers, i, 'Firefox');
    if (problems.length) disagreements.push(`#${i} ${c.name}: ${problems.join('; ')}`);
    const kept = seen.filter((m) => !ignored.has(m.category));
    for (const x of FIREFOX_CONSOLE_EXCEPTIONS)
      if (
        (x.category && kept.length < seen.length && seen.some((m) => m.category === x.category)) ||
        x.cases?.(c.name)
      )
        used.set(x, (used.get(x) ?? 0) + 1);
    const unordered = FIREFOX_CONSOLE_EXCEPTIONS.some((x) => x.unordered && x.cases?.(c.name));
    const fx = kept.map((m) => m.text);
    const same = unordered
      ? JSON.stringify([...sim.console].sort()) === JSON.stringify([...fx].sort())
      : JSON.stringify(sim.console) === JSON.stringify(fx);
    if (JSON.stringify(sim.console) === JSON.stringify(seen.map((m) => m.text))) exactMatches++;
    if (same) consoleMatches++;
    else
      consoleDiffs.push(
        `#${i} ${c.name}\n  sim: ${JSON.stringify(sim.console)}\n  fx:  ${JSON.stringify(fx)}`,
      );
  });
  if (process.env.CORSGATE_FIREFOX_RECORD)
    writeFileSync(
      process.env.CORSGATE_FIREFOX_RECORD,
      JSON.stringify(
        {
          version: firefox.version,
          pageOrigin: servers.pageOrigin,
          bases: servers.bases,
          cases: record,
          stray,
        },
        null,
        1,
      ),
    );
  if (process.env.CORSGATE_DIFF_VERBOSE)
    console.log(
      [...consoleDiffs, ...channelDiffs, ...stray.map((s) => `stray: ${JSON.stringify(s)}`)].join('\n'),
    );
  // Each message Firefox logged under one of explain's keys reads as that key's template says.
  const templateMisses: string[] = [];
  const asPattern = (template: string) =>
    new RegExp(`^${template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%\d\\\$S/g, '.*')}$`, 's');
  for (const seen of seenByCase.values()) {
    for (const m of seen) {
      const key = m.category.replace(/^CSP_/, '');
      if (key in FIREFOX_MESSAGES && !asPattern(FIREFOX_MESSAGES[key as FirefoxKey]).test(m.text))
        templateMisses.push(`${m.category}: ${m.text}`);
    }
  }
  const keysSeen = new Set(
    [...seenByCase.values()].flatMap((l) => l.map((m) => m.category.replace(/^CSP_/, ''))),
  );
  const exceptions = FIREFOX_CONSOLE_EXCEPTIONS.map((x) => `${used.get(x) ?? 0} case(s): ${x.reason}`);
  console.log(
    `firefox differential (Firefox ${firefox.version}): ${cases.length} cases, verdicts agree on ${cases.length - disagreements.length}/${cases.length}, console lines identical on ${exactMatches}/${cases.length}, and on ${consoleMatches - exactMatches} more under the documented exceptions:\n  ${exceptions.join('\n  ')}`,
  );
  assert.equal(
    firefox.version.split('.')[0],
    FIREFOX.version.split('.')[0],
    `explain models Firefox ${FIREFOX.version}; this is Firefox ${firefox.version}`,
  );
  assert.deepEqual(channelDiffs, [], 'the parent-process listener and log.entryAdded saw different errors');
  assert.deepEqual(templateMisses, [], "messages that do not read as their key's template");
  assert.ok(
    keysSeen.has('CORSMissingAllowOrigin2') &&
      keysSeen.has('CORSAllowHeaderFromPreflightDeprecation') &&
      keysSeen.has('CSPGenericViolation'),
    `keys seen: ${[...keysSeen].join(', ')}`,
  );
  assert.deepEqual(
    stray.filter((m) => !FIREFOX_PAGE_CATEGORIES.has(m.category)),
    [],
    'messages that name no case and are not page-level',
  );
  for (const x of FIREFOX_CONSOLE_EXCEPTIONS)
    assert.ok(used.has(x), `a documented exception applies to no case any more: ${x.reason}`);
  assert.deepEqual(disagreements, [], 'the simulator and Firefox disagree');
  assert.deepEqual(consoleDiffs, [], 'console lines differ outside the documented exceptions');
});
