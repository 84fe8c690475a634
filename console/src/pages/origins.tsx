/** Allowed origins: server-side search, sorting and cursor paging (fast at 100,000 entries). */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { checkAllowlistEntry, fixHint } from '../../../src/gateway/core/entry.js';
import type { AllowlistEntry, Page } from '../../../src/store/types.js';
import { api, canChange, type Me } from '../api.js';
import { ErrorText, notify } from '../components.js';
import { Busy, ReadOnly, useApi, useBusy } from '../kit.js';
import { ImportExport } from './metadata.js';

interface BulkResult {
  index: number;
  /** The line in the pasted text (blank lines count). */
  line?: number;
  urlPattern: string;
  status: 'created' | 'invalid' | 'duplicate';
  error?: { message: string; code: string };
}

export interface EntryProblem {
  message: string;
  hint?: string;
}

/**
 * The server's own check of an allowlist entry, as you type: the console bundles the very module
 * the admin API, import and snapshot compilation use, so it can never disagree with the server.
 */
export function checkPattern(value: string): EntryProblem | null {
  const pattern = value.trim();
  if (pattern === '') return null;
  const problem = checkAllowlistEntry(pattern);
  if (problem === null) return null;
  const hint = fixHint(problem, false);
  return { message: problem.message, ...(hint ? { hint } : {}) };
}

function ProblemText({ id, problem, idle }: { id: string; problem: EntryProblem | null; idle?: string }) {
  return (
    <div id={id} class={problem ? 'error' : 'muted'} aria-live="polite">
      {problem ? <><p>{problem.message}</p>{problem.hint && <p>Fix: {problem.hint}</p>}</> : idle && <p>{idle}</p>}
    </div>
  );
}

const PAGE_SIZE = 50;

export function Origins({ me }: { me: Me }) {
  const writable = canChange(me, 'modify-all-data');
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState('urlPattern:asc');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);

  // Search runs on the server after a short pause in typing, so 100,000 entries stay quick.
  useEffect(() => {
    const t = setTimeout(() => {
      setQuery(q.trim());
      setCursors([null]);
    }, 250);
    return () => clearTimeout(t);
  }, [q]);

  const cursor = cursors[cursors.length - 1];
  const [by, order] = sort.split(':');
  const params = new URLSearchParams({ limit: String(PAGE_SIZE), sort: by!, order: order! });
  if (query) params.set('q', query);
  if (cursor) params.set('cursor', cursor);
  const list = useApi<Page<AllowlistEntry>>(`/api/allowlist?${params}`);
  const status = useApi<{ allowlistEntries: number }>('/api/status');
  const { data: page, loading, error } = list;
  const total = status.error ? null : (status.data?.allowlistEntries ?? null);

  const refresh = () => {
    list.reload();
    status.reload();
  };
  const first = (cursors.length - 1) * PAGE_SIZE;
  const shown = page?.items.length ?? 0;
  return (
    <div>
      <h1>Allowed origins</h1>
      <p>Web pages from these origins may call the API through the gateway, with cookies and credentials. Any other origin gets 403 and never reaches the API.</p>
      <ReadOnly me={me} what="the allowlist" needs="modify-all-data" />
      <AddOrigin disabled={!writable} onAdded={refresh} />
      <div class="row two">
        <BulkPaste disabled={!writable} onDone={refresh} />
        <ImportExport disabled={!writable} onImported={refresh} />
      </div>
      <section aria-labelledby="list-title">
        <h2 id="list-title">The allowlist{total !== null ? ` (${total.toLocaleString('en')} ${total === 1 ? 'origin' : 'origins'})` : ''}</h2>
        <div class="toolbar">
          <span class="field">
            <label for="search">Search</label>
            <input id="search" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} placeholder="part of a pattern or description" />
          </span>
          <span class="field">
            <label for="sort">Sort</label>
            <select id="sort" value={sort} onChange={(e) => { setSort(e.currentTarget.value); setCursors([null]); }}>
            <option value="urlPattern:asc">Pattern A–Z</option>
            <option value="urlPattern:desc">Pattern Z–A</option>
            <option value="createdAt:desc">Newest first</option>
            <option value="createdAt:asc">Oldest first</option>
            </select>
          </span>
        </div>
        <ErrorText error={error} />
        <table class="list" aria-busy={loading ? 'true' : 'false'}>
          <caption class="sr-only">Allowed origins{query ? ` matching ${query}` : ''}</caption>
          <thead><tr><th scope="col">Origin URL pattern</th><th scope="col">Description</th><th scope="col">Created</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {page?.items.map((e) => <Row key={e.id} entry={e} writable={writable} onChanged={refresh} />)}
            {page && page.items.length === 0 && <tr><td colSpan={4} class="muted">No origins{query ? ` match “${query}”` : ' yet: add the first one above'}.</td></tr>}
          </tbody>
        </table>
        <nav class="pager" aria-label="Allowlist pages">
          <button type="button" class="secondary" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>Previous</button>
          <span role="status">{pagerText(cursors.length, first, shown, query, total)}</span>
          <button type="button" class="secondary" disabled={!page?.nextCursor} onClick={() => setCursors([...cursors, page!.nextCursor])}>Next</button>
        </nav>
      </section>
    </div>
  );
}

/** "Page 2 of 7: 51–100 of 321", or what there is when nothing is shown (never "Page 1 of 0"). */
function pagerText(page: number, first: number, shown: number, query: string, total: number | null): string {
  if (shown === 0) return page > 1 ? `Page ${page}: no more origins` : query ? `No origins match “${query}”` : 'No origins yet';
  const range = `${(first + 1).toLocaleString('en')}–${(first + shown).toLocaleString('en')}`;
  if (query) return `Page ${page}: ${range} of the matches for “${query}”`;
  if (total === null) return `Page ${page}: ${range}`;
  return `Page ${page} of ${Math.max(1, Math.ceil(total / PAGE_SIZE)).toLocaleString('en')}: ${range} of ${total.toLocaleString('en')}`;
}

function AddOrigin({ disabled, onAdded }: { disabled: boolean; onAdded: () => void }) {
  const [pattern, setPattern] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, busyWith] = useBusy();
  const problem = useMemo(() => checkPattern(pattern), [pattern]);
  const submit = (e: Event) => {
    e.preventDefault();
    setError(null);
    return busyWith(async () => {
      await api('POST', '/api/allowlist', { urlPattern: pattern.trim(), ...(description ? { description } : {}) });
      notify(`Added ${pattern.trim()}: it is in force at the gateway now.`);
      setPattern('');
      setDescription('');
      onAdded();
    }, setError);
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="add-title">
      <h2 id="add-title">Add an origin</h2>
      <div class="row">
        <div>
          <label for="pattern">Origin URL pattern</label>
          <input id="pattern" name="urlPattern" required disabled={disabled} value={pattern} aria-invalid={problem ? 'true' : 'false'} aria-describedby="pattern-help" placeholder="https://app.example.com" autoComplete="off" spellcheck={false} onInput={(e) => setPattern(e.currentTarget.value)} />
          <ProblemText id="pattern-help" problem={problem} idle="https://host or https://host:port; https://*.example.com for every subdomain; http:// only for localhost and 127.0.0.1." />
        </div>
        <div>
          <label for="description">Description</label>
          <input id="description" name="description" disabled={disabled} value={description} maxLength={255} onInput={(e) => setDescription(e.currentTarget.value)} />
        </div>
      </div>
      <button type="submit" disabled={disabled || busy || !!problem || pattern.trim() === ''}>Add origin</button><Busy busy={busy} what="Adding" />
      <ErrorText error={error} />
    </form>
  );
}

function Row({ entry, writable, onChanged }: { entry: AllowlistEntry; writable: boolean; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const [pattern, setPattern] = useState(entry.urlPattern);
  const [description, setDescription] = useState(entry.description ?? '');
  const [error, setError] = useState<unknown>(null);
  const problem = editing ? checkPattern(pattern) : null;
  const [busy, busyWith] = useBusy();
  const save = (e: Event) => {
    e.preventDefault();
    setError(null);
    return busyWith(async () => {
      await api('PUT', `/api/allowlist/${encodeURIComponent(entry.id)}`, { urlPattern: pattern.trim(), description });
      notify(pattern.trim() === entry.urlPattern ? `Saved ${entry.urlPattern}.` : `Saved: ${pattern.trim()} replaces ${entry.urlPattern}, in force now.`);
      setEditing(false);
      onChanged();
    }, setError);
  };
  const remove = () => {
    if (!confirm(`Delete ${entry.urlPattern}? Requests from it will be refused at once.`)) return;
    return busyWith(async () => {
      await api('DELETE', `/api/allowlist/${encodeURIComponent(entry.id)}`);
      notify(`Deleted ${entry.urlPattern}: requests from it are refused now.`);
      onChanged();
    }, setError);
  };
  if (editing) {
    return (
      <tr>
        <td colSpan={4}>
          <form class="edit" onSubmit={save} aria-label={`Edit ${entry.urlPattern}`}>
            <div class="row">
              <div>
                <label for={`p-${entry.id}`}>Origin URL pattern</label>
                <input id={`p-${entry.id}`} value={pattern} aria-invalid={problem ? 'true' : 'false'} aria-describedby={`ph-${entry.id}`} spellcheck={false} onInput={(e) => setPattern(e.currentTarget.value)} />
                <ProblemText id={`ph-${entry.id}`} problem={problem} />
              </div>
              <div><label for={`d-${entry.id}`}>Description</label><input id={`d-${entry.id}`} value={description} maxLength={255} onInput={(e) => setDescription(e.currentTarget.value)} /></div>
            </div>
            <button type="submit" disabled={busy || !!problem || pattern.trim() === ''}>Save</button>
            <button type="button" class="secondary" onClick={() => { setEditing(false); setPattern(entry.urlPattern); setDescription(entry.description ?? ''); setError(null); }}>Cancel</button>
            <Busy busy={busy} />
            <ErrorText error={error} />
          </form>
        </td>
      </tr>
    );
  }
  return (
    <tr>
      <td><code>{entry.urlPattern}</code><ErrorText error={error} /></td>
      <td data-label={entry.description ? 'Description' : undefined}>{entry.description}</td>
      <td data-label="Created"><time dateTime={entry.createdAt}>{new Date(entry.createdAt).toLocaleString()}</time> <span class="muted">by {entry.createdBy}</span></td>
      <td class="actions">
        <button type="button" class="secondary" disabled={!writable} onClick={() => setEditing(true)} aria-label={`Edit ${entry.urlPattern}`}>Edit</button>
        <button type="button" class="danger" disabled={!writable || busy} onClick={remove} aria-label={`Delete ${entry.urlPattern}`}>Delete</button><Busy busy={busy} what="Deleting" />
      </td>
    </tr>
  );
}

function BulkPaste({ disabled, onDone }: { disabled: boolean; onDone: () => void }) {
  const [text, setText] = useState('');
  const [results, setResults] = useState<BulkResult[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Each non-blank line with its number in the text as typed, so results name the line the user sees.
  const lines = text.split('\n').map((l, i) => ({ line: i + 1, text: l.trim() })).filter((l) => l.text !== '');
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
      setError(new Error(`Line ${lines[star]!.line}: ${checkPattern('*')!.message}. Fix: ${checkPattern('*')!.hint}. Nothing was added.`));
      return;
    }
    return busyWith(async () => {
      const out = await api<{ results: BulkResult[]; created: number; invalid: number; duplicates: number }>('POST', '/api/allowlist/bulk', { items });
      setResults(out.results.map((r) => ({ ...r, line: lines[r.index]!.line })));
      notify(out.created > 0 ? `Bulk paste: ${out.created} ${out.created === 1 ? 'origin' : 'origins'} added and in force; each line's result is below.` : "Bulk paste: nothing was added; each line's result is below.");
      onDone();
    }, setError);
  };
  const count = (s: BulkResult['status']) => results?.filter((r) => r.status === s).length ?? 0;
  return (
    <form class="card" onSubmit={submit} aria-labelledby="bulk-title">
      <h2 id="bulk-title">Bulk paste</h2>
      <label for="bulk">One origin per line (optionally followed by a description)</label>
      <textarea id="bulk" rows={5} disabled={disabled} value={text} spellcheck={false} placeholder={'https://app.example.com web app\nhttps://*.example.org'} onInput={(e) => setText(e.currentTarget.value)} />
      <button type="submit" disabled={disabled || busy || lines.length === 0}>Add all{lines.length > 1 ? ` ${lines.length}` : ''}</button><Busy busy={busy} what="Adding" />
      <ErrorText error={error} />
      {results && (
        <>
          <p role="status">{count('created')} added, {count('invalid')} invalid, {count('duplicate')} duplicate.</p>
          <table class="list results" aria-label="Bulk paste results">
            <thead><tr><th scope="col">Line</th><th scope="col">Pattern</th><th scope="col">Result</th></tr></thead>
            <tbody>
              {results.map((r) => (
                <tr key={r.index} class={r.status === 'created' ? 'ok' : 'bad'}>
                  <td>{r.line}</td><td><code>{r.urlPattern}</code></td>
                  <td>{r.status === 'created' ? 'added' : <>{r.status}: {r.error?.message ?? ''}{hintFor(r)}</>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </form>
  );
}

/** The fix hint for an invalid bulk line (the bulk API reports the message only; the engine knows the hint). */
function hintFor(r: BulkResult): string {
  if (r.status !== 'invalid') return '';
  const hint = checkPattern(r.urlPattern)?.hint;
  return hint ? ` Fix: ${hint}` : '';
}
