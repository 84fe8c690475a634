/** Allowed origins: server-side search, sorting and cursor paging (fast at 100,000 entries). */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { parseOriginPattern, PolicyError } from '../../../src/index.js';
import { api, can, download, type Me } from '../api.js';
import { ErrorText, ReadOnly } from '../components.js';

interface Entry {
  id: string;
  urlPattern: string;
  description?: string;
  createdAt: string;
  createdBy: string;
}
interface Page {
  items: Entry[];
  nextCursor: string | null;
}
interface BulkResult {
  index: number;
  urlPattern: string;
  status: 'created' | 'invalid' | 'duplicate';
  error?: { message: string; code: string };
}

/** The engine's own words for a pattern, as you type. */
export function checkPattern(value: string): string | null {
  if (value.trim() === '') return null;
  try {
    parseOriginPattern(value);
    return null;
  } catch (err) {
    if (err instanceof PolicyError) return err.message;
    return String(err);
  }
}

export function Origins({ me }: { me: Me }) {
  const writable = can(me, 'modify-all-data');
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState('urlPattern:asc');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    const t = setTimeout(() => {
      setQuery(q);
      setCursors([null]);
    }, 250);
    return () => clearTimeout(t);
  }, [q]);

  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    const [by, order] = sort.split(':');
    const params = new URLSearchParams({ limit: '50', sort: by!, order: order! });
    if (query) params.set('q', query);
    if (cursor) params.set('cursor', cursor);
    api<Page>('GET', `/api/allowlist?${params}`).then(setPage, setError);
  }, [query, sort, cursor, reload]);

  const refresh = () => setReload((n) => n + 1);
  return (
    <div>
      <h1>Allowed origins</h1>
      <p>Origins listed here may call the API through the gateway with credentials. Others get 403 and never reach the API.</p>
      {!writable && <ReadOnly what="the allowlist" />}
      <AddOrigin disabled={!writable} onAdded={refresh} />
      <div class="toolbar">
        <label for="search">Search</label>
        <input id="search" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} placeholder="part of a pattern" />
        <label for="sort">Sort</label>
        <select id="sort" value={sort} onChange={(e) => { setSort(e.currentTarget.value); setCursors([null]); }}>
          <option value="urlPattern:asc">Pattern A–Z</option>
          <option value="urlPattern:desc">Pattern Z–A</option>
          <option value="createdAt:desc">Newest first</option>
          <option value="createdAt:asc">Oldest first</option>
        </select>
      </div>
      <ErrorText error={error} />
      <table class="list">
        <caption class="sr-only">Allowed origins</caption>
        <thead><tr><th scope="col">Origin URL pattern</th><th scope="col">Description</th><th scope="col">Created</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {page?.items.map((e) => <Row key={e.id} entry={e} writable={writable} onChanged={refresh} />)}
          {page && page.items.length === 0 && <tr><td colSpan={4} class="muted">No origins{query ? ` match “${query}”` : ' yet'}.</td></tr>}
        </tbody>
      </table>
      <div class="pager">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>Previous</button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={!page?.nextCursor} onClick={() => setCursors([...cursors, page!.nextCursor])}>Next</button>
      </div>
      <BulkPaste disabled={!writable} onDone={refresh} />
      <ImportExport disabled={!writable} onImported={refresh} />
    </div>
  );
}

function AddOrigin({ disabled, onAdded }: { disabled: boolean; onAdded: () => void }) {
  const [pattern, setPattern] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>(null);
  const problem = useMemo(() => checkPattern(pattern), [pattern]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', '/api/allowlist', { urlPattern: pattern.trim(), ...(description ? { description } : {}) });
      setPattern('');
      setDescription('');
      onAdded();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="add-title">
      <h2 id="add-title">Add an origin</h2>
      <div class="row">
        <div>
          <label for="pattern">Origin URL pattern</label>
          <input id="pattern" name="urlPattern" required disabled={disabled} value={pattern} aria-invalid={problem ? 'true' : 'false'} aria-describedby="pattern-help" placeholder="https://app.example.com" onInput={(e) => setPattern(e.currentTarget.value)} />
          <p id="pattern-help" class={problem ? 'error' : 'muted'} aria-live="polite">{problem ?? 'https://host[:port], https://*.example.com for every subdomain, http only for localhost.'}</p>
        </div>
        <div>
          <label for="description">Description</label>
          <input id="description" name="description" disabled={disabled} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </div>
      </div>
      <button type="submit" disabled={disabled || !!problem || pattern.trim() === ''}>Add origin</button>
      <ErrorText error={error} />
    </form>
  );
}

function Row({ entry, writable, onChanged }: { entry: Entry; writable: boolean; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const [pattern, setPattern] = useState(entry.urlPattern);
  const [description, setDescription] = useState(entry.description ?? '');
  const [error, setError] = useState<unknown>(null);
  const problem = checkPattern(pattern);
  const save = async () => {
    try {
      await api('PUT', `/api/allowlist/${encodeURIComponent(entry.id)}`, { urlPattern: pattern.trim(), description });
      setEditing(false);
      onChanged();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async () => {
    if (!confirm(`Delete ${entry.urlPattern}? Requests from it will be refused at once.`)) return;
    try {
      await api('DELETE', `/api/allowlist/${encodeURIComponent(entry.id)}`);
      onChanged();
    } catch (err) {
      setError(err);
    }
  };
  if (editing) {
    return (
      <tr>
        <td>
          <label class="sr-only" for={`p-${entry.id}`}>Origin URL pattern</label>
          <input id={`p-${entry.id}`} value={pattern} aria-invalid={problem ? 'true' : 'false'} onInput={(e) => setPattern(e.currentTarget.value)} />
          {problem && <p class="error">{problem}</p>}
          <ErrorText error={error} />
        </td>
        <td><label class="sr-only" for={`d-${entry.id}`}>Description</label><input id={`d-${entry.id}`} value={description} onInput={(e) => setDescription(e.currentTarget.value)} /></td>
        <td>{new Date(entry.createdAt).toLocaleString()}</td>
        <td class="actions"><button type="button" disabled={!!problem} onClick={save}>Save</button><button type="button" class="secondary" onClick={() => setEditing(false)}>Cancel</button></td>
      </tr>
    );
  }
  return (
    <tr>
      <td><code>{entry.urlPattern}</code><ErrorText error={error} /></td>
      <td>{entry.description}</td>
      <td><time dateTime={entry.createdAt}>{new Date(entry.createdAt).toLocaleString()}</time> <span class="muted">by {entry.createdBy}</span></td>
      <td class="actions">
        <button type="button" class="secondary" disabled={!writable} onClick={() => setEditing(true)} aria-label={`Edit ${entry.urlPattern}`}>Edit</button>
        <button type="button" class="danger" disabled={!writable} onClick={remove} aria-label={`Delete ${entry.urlPattern}`}>Delete</button>
      </td>
    </tr>
  );
}

function BulkPaste({ disabled, onDone }: { disabled: boolean; onDone: () => void }) {
  const [text, setText] = useState('');
  const [results, setResults] = useState<BulkResult[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const items = text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
      const [urlPattern, ...rest] = l.split(/\s+/);
      return { urlPattern: urlPattern!, ...(rest.length ? { description: rest.join(' ') } : {}) };
    });
    try {
      const out = await api<{ results: BulkResult[] }>('POST', '/api/allowlist/bulk', { items });
      setResults(out.results);
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="bulk-title">
      <h2 id="bulk-title">Bulk paste</h2>
      <label for="bulk">One origin per line (optionally followed by a description)</label>
      <textarea id="bulk" rows={5} disabled={disabled} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      <button type="submit" disabled={disabled || text.trim() === ''}>Add all</button>
      <ErrorText error={error} />
      {results && (
        <table class="list" aria-label="Bulk paste results">
          <thead><tr><th scope="col">Line</th><th scope="col">Pattern</th><th scope="col">Result</th></tr></thead>
          <tbody>
            {results.map((r) => (
              <tr key={r.index} class={r.status === 'created' ? 'ok' : 'bad'}>
                <td>{r.index + 1}</td><td><code>{r.urlPattern}</code></td><td>{r.status === 'created' ? 'added' : `${r.status}: ${r.error?.message ?? ''}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </form>
  );
}

function ImportExport({ disabled, onImported }: { disabled: boolean; onImported: () => void }) {
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const onFile = async (e: Event) => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    setError(null);
    try {
      const out = await api<Record<string, unknown>>('POST', `/api/import?filename=${encodeURIComponent(file.name)}`, undefined, { data: await file.arrayBuffer(), contentType: file.name.endsWith('.zip') ? 'application/zip' : 'application/xml' });
      setMessage(`Imported: ${JSON.stringify(out)}`);
      onImported();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section class="card" aria-labelledby="io-title">
      <h2 id="io-title">Salesforce metadata</h2>
      <p>Import <code>CorsWhitelistOrigin</code> and <code>CspTrustedSite</code> files, <code>Security.settings</code>, or a zip of a metadata folder. Everything is checked first; nothing is written unless all of it is valid.</p>
      <label for="import">Import a file</label>
      <input id="import" type="file" accept=".xml,.zip,.corsWhitelistOrigin,.cspTrustedSite,.settings" disabled={disabled} onChange={onFile} />
      <button type="button" class="secondary" onClick={() => download('/api/export', 'corsgate-metadata.zip').catch(setError)}>Export as a metadata zip</button>
      {message && <p role="status">{message}</p>}
      <ErrorText error={error} />
    </section>
  );
}
