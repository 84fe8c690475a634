/**
 * `--browser both`: the same request explained for Chromium and for Firefox, and each point where
 * the two disagree, with the rule behind it.
 */
import { DEPARTURES } from './browsers.js';
import { explain } from './simulate.js';
import type { ExplainInput, ExplainOptions, Explanation } from './types.js';

export interface Difference {
  /** What differs: a verdict field, the request put on the network, how it fails, a warning. */
  field: string;
  chromium: unknown;
  firefox: unknown;
  /** The rules behind it, in plain words. */
  why: string[];
}

export interface BothExplanation {
  chromium: Explanation;
  firefox: Explanation;
  differences: Difference[];
}

type Summary = Explanation['outcome'];

/** Departures that change what goes on the network (and so whatever follows from it). */
const REQUEST_DEPARTURES = [
  'client-hints',
  'combine-repeated',
  'no-total-limit',
  'non-ascii',
  'repeated-names',
  'repreflight',
  'preflight-origin',
  'preflight-same-origin',
];

/** How the browsers differ in the checks themselves: same answer, another failure named. */
const CHECK_RULES: Array<{ applies: (c: Summary, f: Summary) => boolean; text: string }> = [
  {
    applies: (c, f) =>
      c.hop === f.hop && c.reason === 'headers-unparsable' && f.reason === 'method-not-allowed',
    text: 'Firefox checks the method before it parses Access-Control-Allow-Headers; Chromium parses both lists before it checks either.',
  },
  {
    applies: (c, f) =>
      c.hop === f.hop &&
      c.reason === 'preflight-redirect' &&
      f.kind === 'preflight-failed' &&
      f.reason !== 'preflight-redirect',
    text: "Firefox checks a redirecting preflight answer's Access-Control-Allow-Origin before it refuses the redirect; Chromium refuses any redirect first.",
  },
  {
    applies: (c, f) =>
      c.kind === f.kind &&
      c.hop === f.hop &&
      (c.reason !== f.reason || c.hint !== f.hint) &&
      (c.reason ?? '').startsWith('origin-') &&
      (f.reason ?? '').startsWith('origin-'),
    text: "The browsers name a bad Access-Control-Allow-Origin differently: Firefox counts the header's lines first and calls any other wrong value a mismatch; Chromium reads the value (a space or comma: several values; not a URL: invalid).",
  },
  {
    applies: (c, f) =>
      c.hop === f.hop &&
      c.reason === 'header-not-allowed' &&
      f.reason === 'header-not-allowed' &&
      c.hint !== f.hint,
    text: "With several refused headers the browsers name different ones: Chromium the first in its header table's order, Firefox the first in sorted order.",
  },
];

function departuresOf(c: Explanation, f: Explanation, only?: string[]): string[] {
  const ids = [...new Set([...c.departures, ...f.departures])].filter((d) => !only || only.includes(d));
  return ids.map((d) => DEPARTURES[d]!.text);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Each point where the two explanations disagree. */
export function differencesOf(c: Explanation, f: Explanation): Difference[] {
  const out: Difference[] = [];
  const add = (field: string, a: unknown, b: unknown, why: string[]) => {
    if (!same(a, b))
      out.push({
        field,
        chromium: a,
        firefox: b,
        why: why.length ? why : ['The browsers take different paths here; compare the steps of each.'],
      });
  };
  const requestWhy = departuresOf(c, f, REQUEST_DEPARTURES);
  const checkWhy = CHECK_RULES.filter((r) => r.applies(c.outcome, f.outcome)).map((r) => r.text);
  for (const field of ['preflight', 'actualRequestSent'] as const) add(field, c[field], f[field], requestWhy);
  add(
    'preflightRequest',
    c.preflightRequest?.headers ?? null,
    f.preflightRequest?.headers ?? null,
    requestWhy,
  );
  add('requests', c.requests, f.requests, requestWhy);
  const verdictWhy = [
    ...requestWhy,
    ...checkWhy,
    ...departuresOf(c, f).filter((t) => !requestWhy.includes(t)),
  ];
  for (const field of ['allowed', 'responseType', 'exposedHeaders'] as const)
    add(field, c[field], f[field], verdictWhy);
  add('outcome', c.outcome, f.outcome, [...checkWhy, ...requestWhy]);
  const warnings = (e: Explanation) => e.console.filter((line) => /^Cross-Origin Request Warning/.test(line));
  add('warnings', warnings(c), warnings(f), departuresOf(c, f, ['authorization-wildcard']));
  return out;
}

/** The differences grouped by the rules behind them, in first-seen order: for reports that say each reason once. */
export function groupedByWhy(
  differences: readonly Difference[],
): Array<{ why: string[]; differences: Difference[] }> {
  const groups = new Map<string, { why: string[]; differences: Difference[] }>();
  for (const d of differences) {
    const key = d.why.join('\n');
    const group = groups.get(key) ?? { why: d.why, differences: [] };
    group.differences.push(d);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** Explains the request for both browsers and lists where they disagree. */
export function explainBoth(
  input: ExplainInput,
  options: Omit<ExplainOptions, 'browser'> = {},
): BothExplanation {
  const chromium = explain(input, { ...options, browser: 'chromium' });
  const firefox = explain(input, { ...options, browser: 'firefox' });
  return { chromium, firefox, differences: differencesOf(chromium, firefox) };
}
