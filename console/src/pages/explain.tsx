/** Explain (public): paste a case or a HAR file and see what Chromium does with it. */
import { useState } from 'preact/hooks';
import { explain, explainHar, type Explanation } from '../../../src/explain/index.js';
import { ErrorText } from '../components.js';

const SAMPLE = JSON.stringify({
  page: { origin: 'https://app.example.com' },
  request: { url: 'https://api.example.net/items', method: 'PUT', credentials: 'include', headers: { 'Content-Type': 'application/json' } },
  preflightResponse: { status: 204, headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'PUT' } },
  response: { status: 200, headers: {} },
}, null, 2);

function Result({ e, title }: { e: Explanation; title?: string }) {
  return (
    <article class={`card verdict ${e.allowed ? 'ok' : 'bad'}`}>
      <h2>{e.allowed ? '✔' : '✖'} {e.verdict}</h2>
      {title && <p><code>{title}</code></p>}
      <ol class="steps">{e.steps.map((s) => <li key={s.id + s.title} class={s.outcome}><strong>{s.title}</strong>: {s.detail}{s.outcome === 'fail' ? ' ← fails here' : ''}</li>)}</ol>
      {e.console.length > 0 && (<><h3>Console (as Chromium prints it)</h3><pre class="console"><code>{e.console.join('\n')}</code></pre></>)}
      <p>{e.explanation}</p>
      {e.fix && (<><h3>Fix ({e.fix.where})</h3><p>{e.fix.summary}</p>{e.fix.headers && <pre class="headers"><code>{Object.entries(e.fix.headers).map(([n, v]) => `${n}: ${v}`).join('\n')}</code></pre>}{e.fix.policy && <pre><code>{JSON.stringify(e.fix.policy, null, 2)}</code></pre>}</>)}
    </article>
  );
}

export function ExplainPage() {
  const [text, setText] = useState(SAMPLE);
  const [origin, setOrigin] = useState('https://app.example.com');
  const [results, setResults] = useState<{ title?: string; e: Explanation }[]>([]);
  const [error, setError] = useState<unknown>(null);
  const run = (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const input = JSON.parse(text) as { log?: unknown };
      if (input.log) {
        const found = explainHar(input, origin).flatMap((r) => (r.result ? [{ title: `${r.method} ${r.url}`, e: r.result }] : []));
        if (found.length === 0) throw new Error(`no cross-origin request from ${origin} in this HAR file: check the page origin`);
        setResults(found);
      } else setResults([{ e: explain(input as never) }]);
    } catch (err) {
      setResults([]);
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
      <p>Paste the request a page makes and the server's answers (or a HAR file exported from DevTools): see what Chromium does, its exact console message, and the fix.</p>
      <form class="card" onSubmit={run}>
        <label for="explain-input">Case (JSON: page, request, preflightResponse, response) or HAR</label>
        <textarea id="explain-input" rows={14} spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <div class="row">
          <div><label for="explain-har">Or load a HAR file</label><input id="explain-har" type="file" accept=".har,application/json" onChange={onFile} /></div>
          <div><label for="explain-origin">Page origin (for HAR files)</label><input id="explain-origin" value={origin} onInput={(e) => setOrigin(e.currentTarget.value)} /></div>
        </div>
        <button type="submit">Explain</button>
        <ErrorText error={error} />
      </form>
      <div aria-live="polite">
        {results.map((r, i) => <Result key={i} e={r.e} title={r.title} />)}
      </div>
    </div>
  );
}
