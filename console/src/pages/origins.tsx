/** Allowed origins: server-side search, sorting and cursor paging (fast at 100,000 entries). */
import { useEffect, useState } from 'preact/hooks';
import type { AllowlistEntry, Page } from '../../../src/store/types.js';
import { canChange, type Me } from '../api.js';
import { ErrorText } from '../components.js';
import { ReadOnly, useApi } from '../kit.js';
import { ImportExport } from './metadata.js';
import { AddOrigin } from './origin-add.js';
import { BulkPaste } from './origin-bulk.js';
import { Row } from './origin-row.js';

const PAGE_SIZE = 50;

/** The list's query: the search (sent after a pause in typing), the sort and the cursors of the pages seen. */
function useAllowlistQuery() {
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
  return { q, setQ, query, sort, setSort, cursors, setCursors, params };
}

export function Origins({ me }: { me: Me }) {
  const writable = canChange(me, 'modify-all-data');
  const view = useAllowlistQuery();
  const list = useApi<Page<AllowlistEntry>>(`/api/allowlist?${view.params}`);
  const status = useApi<{ allowlistEntries: number }>('/api/status');
  const total = status.error ? null : (status.data?.allowlistEntries ?? null);

  const refresh = () => {
    list.reload();
    status.reload();
  };
  return (
    <div>
      <h1>Allowed origins</h1>
      <p>
        Web pages from these origins may call the API through the gateway, with cookies and credentials. Any
        other origin gets 403 and never reaches the API.
      </p>
      <ReadOnly me={me} what="the allowlist" needs="modify-all-data" />
      <AddOrigin disabled={!writable} onAdded={refresh} />
      <div class="row two">
        <BulkPaste disabled={!writable} onDone={refresh} />
        <ImportExport disabled={!writable} onImported={refresh} />
      </div>
      <AllowlistSection view={view} list={list} total={total} writable={writable} onChanged={refresh} />
    </div>
  );
}

interface SectionProps {
  view: View;
  list: { data: Page<AllowlistEntry> | null; loading: boolean; error: unknown };
  total: number | null;
  writable: boolean;
  onChanged: () => void;
}

/** The allowlist itself: search, sort, one page of entries, and the pager. */
function AllowlistSection({ view, list, total, writable, onChanged }: SectionProps) {
  const { query } = view;
  const { data: page, loading, error } = list;
  return (
    <section aria-labelledby="list-title">
      <h2 id="list-title">
        The allowlist
        {total !== null ? ` (${total.toLocaleString('en')} ${total === 1 ? 'origin' : 'origins'})` : ''}
      </h2>
      <AllowlistToolbar view={view} />
      <ErrorText error={error} />
      <table class="list" aria-busy={loading ? 'true' : 'false'}>
        <caption class="sr-only">Allowed origins{query ? ` matching ${query}` : ''}</caption>
        <thead>
          <tr>
            <th scope="col">Origin URL pattern</th>
            <th scope="col">Description</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {page?.items.map((e) => (
            <Row key={e.id} entry={e} writable={writable} onChanged={onChanged} />
          ))}
          {page && page.items.length === 0 && (
            <tr>
              <td colSpan={4} class="muted">
                No origins{query ? ` match “${query}”` : ' yet: add the first one above'}.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager view={view} page={page} total={total} />
    </section>
  );
}

type View = ReturnType<typeof useAllowlistQuery>;

/** Search and sort; a new sort starts again from the first page. */
function AllowlistToolbar({ view }: { view: View }) {
  const { q, setQ, sort, setSort, setCursors } = view;
  return (
    <div class="toolbar">
      <span class="field">
        <label for="search">Search</label>
        <input
          id="search"
          type="search"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
          placeholder="part of a pattern or description"
        />
      </span>
      <span class="field">
        <label for="sort">Sort</label>
        <select
          id="sort"
          value={sort}
          onChange={(e) => {
            setSort(e.currentTarget.value);
            setCursors([null]);
          }}
        >
          <option value="urlPattern:asc">Pattern A–Z</option>
          <option value="urlPattern:desc">Pattern Z–A</option>
          <option value="createdAt:desc">Newest first</option>
          <option value="createdAt:asc">Oldest first</option>
        </select>
      </span>
    </div>
  );
}

/** Previous and Next through the cursors, and where the page is. */
function Pager({
  view,
  page,
  total,
}: {
  view: View;
  page: Page<AllowlistEntry> | null;
  total: number | null;
}) {
  const { query, cursors, setCursors } = view;
  const first = (cursors.length - 1) * PAGE_SIZE;
  const shown = page?.items.length ?? 0;
  return (
    <nav class="pager" aria-label="Allowlist pages">
      <button
        type="button"
        class="secondary"
        disabled={cursors.length === 1}
        onClick={() => setCursors(cursors.slice(0, -1))}
      >
        Previous
      </button>
      <span role="status">{pagerText(cursors.length, first, shown, query, total)}</span>
      <button
        type="button"
        class="secondary"
        disabled={!page?.nextCursor}
        onClick={() => setCursors([...cursors, page!.nextCursor])}
      >
        Next
      </button>
    </nav>
  );
}

/** "Page 2 of 7: 51–100 of 321", or what there is when nothing is shown (never "Page 1 of 0"). */
function pagerText(page: number, first: number, shown: number, query: string, total: number | null): string {
  if (shown === 0)
    return page > 1
      ? `Page ${page}: no more origins`
      : query
        ? `No origins match “${query}”`
        : 'No origins yet';
  const range = `${(first + 1).toLocaleString('en')}–${(first + shown).toLocaleString('en')}`;
  if (query) return `Page ${page}: ${range} of the matches for “${query}”`;
  if (total === null) return `Page ${page}: ${range}`;
  return `Page ${page} of ${Math.max(1, Math.ceil(total / PAGE_SIZE)).toLocaleString('en')}: ${range} of ${total.toLocaleString('en')}`;
}
