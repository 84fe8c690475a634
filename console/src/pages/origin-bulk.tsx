/** The allowlist's "Bulk paste": many origins at once, with each line's result. */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorText, notify } from '../components.js';
import { Busy, useBusy } from '../kit.js';
import { checkPattern } from './origin-check.js';

interface BulkResult {
  index: number;
  /** The line in the pasted text (blank lines count). */
  line?: number;
  urlPattern: string;
  status: 'created' | 'invalid' | 'duplicate';
  error?: { message: string; code: string };
}

export function BulkPaste({ disabled, onDone }: { disabled: boolean; onDone: () => void }) {
  const [text, setText] = useState('');
  const [results, setResults] = useState<BulkResult[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Each non-blank line with its number in the text as typed, so results name the line the user sees.
  const lines = text
    .split('\n')
    .map((l, i) => ({ line: i + 1, text: l.trim() }))
    .filter((l) => l.text !== '');
  const [busy, busyWith] = useBusy();
  const submit = (e: Event) => {
    e.preventDefault();
    setError(null);
    const items = lines.map((l) => {
      const [urlPattern, ...rest] = l.text.split(/\s+/);
      return { urlPattern: urlPattern!, ...(rest.length ? { description: rest.join(' ') } : {}) };
    });
    // '*' is no allowlist entry: refuse it before sending.
    const star = items.findIndex((i) => i.urlPattern === '*');
    if (star >= 0) {
      setResults(null);
      setError(
        new Error(
          `Line ${lines[star]!.line}: ${checkPattern('*')!.message}. Fix: ${checkPattern('*')!.hint}. Nothing was added.`,
        ),
      );
      return;
    }
    return busyWith(async () => {
      const out = await api<{ results: BulkResult[]; created: number; invalid: number; duplicates: number }>(
        'POST',
        '/api/allowlist/bulk',
        { items },
      );
      setResults(out.results.map((r) => ({ ...r, line: lines[r.index]!.line })));
      notify(
        out.created > 0
          ? `Bulk paste: ${out.created} ${out.created === 1 ? 'origin' : 'origins'} added and in force; each line's result is below.`
          : "Bulk paste: nothing was added; each line's result is below.",
      );
      onDone();
    }, setError);
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="bulk-title">
      <h2 id="bulk-title">Bulk paste</h2>
      <label for="bulk">One origin per line (optionally followed by a description)</label>
      <textarea
        id="bulk"
        rows={5}
        disabled={disabled}
        value={text}
        spellcheck={false}
        placeholder={'https://app.example.com web app\nhttps://*.example.org'}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit" disabled={disabled || busy || lines.length === 0}>
        Add all{lines.length > 1 ? ` ${lines.length}` : ''}
      </button>
      <Busy busy={busy} what="Adding" />
      <ErrorText error={error} />
      {results && <BulkResults results={results} />}
    </form>
  );
}

/** Each pasted line's result, and the counts. */
function BulkResults({ results }: { results: BulkResult[] }) {
  const count = (s: BulkResult['status']) => results.filter((r) => r.status === s).length;
  return (
    <>
      <p role="status">
        {count('created')} added, {count('invalid')} invalid, {count('duplicate')} duplicate.
      </p>
      <table class="list results" aria-label="Bulk paste results">
        <thead>
          <tr>
            <th scope="col">Line</th>
            <th scope="col">Pattern</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {results.map((r) => (
            <tr key={r.index} class={r.status === 'created' ? 'ok' : 'bad'}>
              <td>{r.line}</td>
              <td>
                <code>{r.urlPattern}</code>
              </td>
              <td>
                {r.status === 'created' ? (
                  'added'
                ) : (
                  <>
                    {r.status}: {r.error?.message ?? ''}
                    {hintFor(r)}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** The fix hint for an invalid bulk line (the bulk API reports the message only; the engine knows the hint). */
function hintFor(r: BulkResult): string {
  if (r.status !== 'invalid') return '';
  const hint = checkPattern(r.urlPattern)?.hint;
  return hint ? ` Fix: ${hint}` : '';
}
