/** Explain (public): paste a case or a HAR file and see what Chromium, Firefox, or both do with it. */
import { useState } from 'preact/hooks';
import {
  BROWSERS,
  differencesOf,
  explain,
  explainBoth,
  explainHar,
  groupedByWhy,
  type BrowserName,
  type Difference,
  type Explanation,
} from '@corsgate/explain';
import { ErrorText } from '../components.js';

const SAMPLE = JSON.stringify(
  {
    page: { origin: 'https://app.example.com' },
    request: {
      url: 'https://api.example.net/items',
      method: 'PUT',
      credentials: 'include',
      headers: { 'Content-Type': 'application/json' },
    },
    preflightResponse: {
      status: 204,
      headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'PUT' },
    },
    response: { status: 200, headers: {} },
  },
  null,
  2,
);

type Choice = BrowserName | 'both';

interface Shown {
  title?: string;
  results: Explanation[];
  differences?: Difference[];
  warnings?: string[];
}

function Result({ e, title }: { e: Explanation; title?: string }) {
  const label = BROWSERS[e.browser.name].label;
  return (
    <article class={`card verdict ${e.allowed ? 'ok' : 'bad'}`}>
      <p class="muted">
        {label} {e.browser.version}
      </p>
      <h2>
        {e.allowed ? '✔' : '✖'} {e.verdict}
      </h2>
      {title && (
        <p>
          <code>{title}</code>
        </p>
      )}
      <ol class="steps">
        {e.steps.map((s) => (
          <li key={s.id + s.title} class={s.outcome}>
            <strong>{s.title}</strong>: {s.detail}
            {s.outcome === 'fail' ? ' ← fails here' : ''}
          </li>
        ))}
      </ol>
      {e.console.length > 0 && (
        <>
          <h3>Console (as {label} prints it)</h3>
          <pre class="console">
            <code>{e.console.join('\n')}</code>
          </pre>
        </>
      )}
      <p>{e.explanation}</p>
      {e.fix && (
        <>
          <h3>Fix ({e.fix.where})</h3>
          <p>{e.fix.summary}</p>
          {e.fix.headers && (
            <pre class="headers">
              <code>
                {Object.entries(e.fix.headers)
                  .map(([n, v]) => `${n}: ${v}`)
                  .join('\n')}
              </code>
            </pre>
          )}
          {e.fix.policy && (
            <pre>
              <code>{JSON.stringify(e.fix.policy, null, 2)}</code>
            </pre>
          )}
        </>
      )}
    </article>
  );
}

const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function Differences({ list }: { list: Difference[] }) {
  return (
    <article class="card">
      <h2>Where Chromium and Firefox differ</h2>
      {list.length === 0 ? (
        <p>Nowhere: both decide and behave alike (their console wording aside).</p>
      ) : (
        groupedByWhy(list).map((g) => (
          <div key={g.why.join()}>
            <ul>
              {g.differences.map((d) => (
                <li key={d.field}>
                  <strong>{d.field}</strong>: Chromium <code>{shown(d.chromium)}</code>, Firefox{' '}
                  <code>{shown(d.firefox)}</code>
                </li>
              ))}
            </ul>
            {g.why.map((w) => (
              <p key={w}>{w}</p>
            ))}
          </div>
        ))
      )}
    </article>
  );
}

/** Every cross-origin request of a HAR file, for the chosen browser or both. */
function fromHar(har: unknown, origin: string, browser: Choice): Shown[] {
  const run = (b: BrowserName) => explainHar(har, origin, { browser: b });
  const primary = run(browser === 'both' ? 'chromium' : browser);
  const firefox = browser === 'both' ? run('firefox') : [];
  return primary.flatMap((r, i) => {
    if (!r.result) return [];
    const f = firefox[i]?.result;
    return [
      {
        title: `${r.method} ${r.url}`,
        results: f ? [r.result, f] : [r.result],
        ...(f ? { differences: differencesOf(r.result, f) } : {}),
        ...(r.warnings ? { warnings: r.warnings } : {}),
      },
    ];
  });
}

/** What the pasted text explains: every cross-origin request of a HAR file, or the one case, for the chosen browser or both. */
function explainText(text: string, origin: string, browser: Choice): Shown[] {
  const input = JSON.parse(text) as { log?: unknown };
  if (input.log) {
    const found = fromHar(input, origin, browser);
    if (found.length === 0)
      throw new Error(`no cross-origin request from ${origin} in this HAR file: check the page origin`);
    return found;
  }
  if (browser === 'both') {
    const b = explainBoth(input as never);
    return [{ results: [b.chromium, b.firefox], differences: b.differences }];
  }
  return [{ results: [explain(input as never, { browser })] }];
}

/** One explained request: its warnings, each browser's result side by side, and where they differ. */
function ShownCase({ s }: { s: Shown }) {
  return (
    <section>
      {s.warnings?.map((w) => (
        <p key={w} class="card warning">
          {w}
        </p>
      ))}
      {s.results.length > 1 ? (
        <div class="row two">
          {s.results.map((e) => (
            <Result key={e.browser.name} e={e} title={s.title} />
          ))}
        </div>
      ) : (
        <Result e={s.results[0]!} title={s.title} />
      )}
      {s.differences && <Differences list={s.differences} />}
    </section>
  );
}

export function ExplainPage() {
  const [text, setText] = useState(SAMPLE);
  const [origin, setOrigin] = useState('https://app.example.com');
  const [browser, setBrowser] = useState<Choice>('chromium');
  const [shownList, setShown] = useState<Shown[]>([]);
  const [error, setError] = useState<unknown>(null);
  const run = (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      setShown(explainText(text, origin, browser));
    } catch (err) {
      setShown([]);
      setError(err);
    }
  };
  const onFile = async (ev: Event) => {
    const file = (ev.currentTarget as HTMLInputElement).files?.[0];
    if (file) setText(await file.text());
  };
  return (
    <div>
      <h1>Explain</h1>
      <p>
        Paste the request a page makes and the server's answers (or a HAR file exported from DevTools): see
        what the browser does, its exact console messages, and the fix. Choose both to see where Chromium and
        Firefox differ.
      </p>
      <form class="card" onSubmit={run}>
        <label for="explain-input">Case (JSON: page, request, preflightResponse, response) or HAR</label>
        <textarea
          id="explain-input"
          rows={14}
          spellcheck={false}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <div class="row">
          <div>
            <label for="explain-har">Or load a HAR file</label>
            <input id="explain-har" type="file" accept=".har,application/json" onChange={onFile} />
          </div>
          <div>
            <label for="explain-origin">Page origin (for HAR files)</label>
            <input id="explain-origin" value={origin} onInput={(e) => setOrigin(e.currentTarget.value)} />
          </div>
          <div>
            <label for="explain-browser">Browser</label>
            <select
              id="explain-browser"
              value={browser}
              onChange={(e) => setBrowser(e.currentTarget.value as Choice)}
            >
              <option value="chromium">Chromium {BROWSERS.chromium.version}</option>
              <option value="firefox">Firefox {BROWSERS.firefox.version}</option>
              <option value="both">Both, with their differences</option>
            </select>
          </div>
        </div>
        <button type="submit">Explain</button>
        <ErrorText error={error} />
      </form>
      <div aria-live="polite">
        {shownList.map((s, i) => (
          <ShownCase key={i} s={s} />
        ))}
      </div>
    </div>
  );
}
