/**
 * How `corsgate explain` prints an answer: the JSON contract (--json) and the human report, for one
 * browser or for both side by side with their differences.
 */
import { BROWSERS, groupedByWhy, type BothExplanation, type Explanation } from '@corsgate/explain';

export type ExplainAnswer = Explanation | BothExplanation;

export function isBoth(a: ExplainAnswer): a is BothExplanation {
  return 'differences' in a;
}

/** What --json prints for one browser: the contract's fields first. */
export function explanationJson(e: Explanation): object {
  const {
    preflight,
    actualRequestSent,
    allowed,
    responseType,
    exposedHeaders,
    console,
    explanation,
    fix,
    verdict,
    steps,
    browser,
    outcome,
    departures,
  } = e;
  return {
    preflight,
    actualRequestSent,
    allowed,
    responseType,
    exposedHeaders,
    console,
    explanation,
    fix,
    verdict,
    steps,
    browser,
    outcome,
    departures,
  };
}

/** --json for one browser, or `{ chromium, firefox, differences }` for both. */
export function jsonOf(a: ExplainAnswer): object {
  return isBoth(a)
    ? {
        chromium: explanationJson(a.chromium),
        firefox: explanationJson(a.firefox),
        differences: a.differences,
      }
    : explanationJson(a);
}

const MARK: Record<string, string> = { pass: '✔', fail: '✖', info: '•', skipped: '-' };

export function formatHuman(e: Explanation, title?: string): string {
  const lines: string[] = [];
  lines.push(`${e.allowed ? '✔' : '✖'} ${e.verdict}`);
  if (title) lines.push(`  ${title}`);
  lines.push('', 'Steps:');
  for (const s of e.steps)
    lines.push(
      `  ${MARK[s.outcome]} ${s.title}: ${s.detail}${s.spec ? ` [${s.spec}]` : ''}${s.outcome === 'fail' ? '   ← fails here' : ''}`,
    );
  if (e.console.length) {
    lines.push('', `Console (as ${BROWSERS[e.browser.name].label} prints it):`);
    for (const c of e.console) lines.push(`  ${c}`);
  }
  lines.push('', `Why: ${e.explanation}`);
  if (e.exposedHeaders) lines.push(`Readable response headers: ${e.exposedHeaders.join(', ') || '(none)'}`);
  if (e.fix) {
    lines.push('', `Fix (${e.fix.where}): ${e.fix.summary}`);
    for (const [n, v] of Object.entries(e.fix.headers ?? {})) lines.push(`  ${n}: ${v}`);
    if (e.fix.policy) lines.push(`  corsgate policy: ${JSON.stringify(e.fix.policy)}`);
  }
  return `${lines.join('\n')}\n`;
}

const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Both browsers' reports, then each point where they disagree and why. */
export function formatBoth(b: BothExplanation, title?: string): string {
  const header = (e: Explanation) => `── ${BROWSERS[e.browser.name].label} ${e.browser.version}`;
  const parts = [
    `${header(b.chromium)}\n${formatHuman(b.chromium, title)}`,
    `${header(b.firefox)}\n${formatHuman(b.firefox, title)}`,
  ];
  if (b.differences.length === 0)
    parts.push(
      '── Differences: none; both browsers decide and behave alike (their console wording aside).\n',
    );
  else {
    const lines = ['── Differences:'];
    for (const group of groupedByWhy(b.differences)) {
      for (const d of group.differences)
        lines.push(`  • ${d.field}: Chromium ${shown(d.chromium)}; Firefox ${shown(d.firefox)}`);
      for (const w of group.why) lines.push(`      ${w}`);
    }
    parts.push(`${lines.join('\n')}\n`);
  }
  return parts.join('\n');
}

export function humanOf(a: ExplainAnswer, title?: string): string {
  return isBoth(a) ? formatBoth(a, title) : formatHuman(a, title);
}
