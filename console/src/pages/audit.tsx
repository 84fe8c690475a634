/** The audit log: who changed what and when, with before/after values. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorText } from '../components.js';
import type { AuditEntry } from '../../../src/store/types.js';

const NOISE = new Set(['id', 'createdAt', 'createdBy']);

/** The fields that differ between two values, for a compact diff. */
function changedKeys(before: unknown, after: unknown): string[] {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  // id and creation stamps are shown by the row itself.
  return [...new Set([...Object.keys(b), ...Object.keys(a)])].filter(
    (k) => !NOISE.has(k) && JSON.stringify(b[k]) !== JSON.stringify(a[k]),
  );
}

function Diff({ before, after }: { before: unknown; after: unknown }) {
  const keys = changedKeys(before, after);
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  if (keys.length === 0) return <span class="muted">no field changes</span>;
  return (
    <dl class="diff">
      {keys.map((k) => [
        <dt key={`k${k}`}>{k}</dt>,
        <dd key={`v${k}`}>
          {k in b && <del>{JSON.stringify(b[k])}</del>} {k in a && <ins>{JSON.stringify(a[k])}</ins>}
        </dd>,
      ])}
    </dl>
  );
}

const ENTITIES = [
  ['', 'everything'],
  ['allowlist', 'allowed origins'],
  ['trusted-site', 'trusted sites'],
  ['settings', 'settings'],
  ['route', 'routes'],
  ['token', 'tokens'],
  ['auth', 'repeated failed sign-ins'],
] as const;

/** What the entry is about, by name (the origin, the site's or token's name, the route's paths), not by id. */
export function entityName(e: AuditEntry): string {
  const v = (e.after ?? e.before ?? {}) as Record<string, unknown>;
  switch (e.entity) {
    case 'allowlist':
      return String(v.urlPattern ?? '');
    case 'trusted-site':
    case 'token':
      return String(v.name ?? '');
    case 'route':
      return Array.isArray(v.paths) ? `${String(v.kind ?? '')} ${v.paths.join(', ')}`.trim() : '';
    default:
      return '';
  }
}

function matches(e: AuditEntry, text: string): boolean {
  if (!text) return true;
  const t = text.toLowerCase();
  return [
    e.actor,
    e.action,
    e.entity,
    entityName(e),
    e.entityId ?? '',
    JSON.stringify(e.before ?? ''),
    JSON.stringify(e.after ?? ''),
  ].some((x) => x.toLowerCase().includes(t));
}

export function Audit() {
  const [entity, setEntity] = useState('');
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [text, setText] = useState('');
  const filters = { entity, actor, setActor, action, setAction, text, setText };
  const { items, next, error, loading, setCursor } = useAuditPages(entity);
  const actors = [...new Set(items.map((e) => e.actor))].sort();
  const actions = [...new Set(items.map((e) => e.action))].sort();
  const shown = items.filter(
    (e) => (!actor || e.actor === actor) && (!action || e.action === action) && matches(e, text.trim()),
  );
  return (
    <div>
      <h1>Audit log</h1>
      <p>
        Every change, who made it and when, with the values before (struck through) and after. The log is
        append-only, newest first.
      </p>
      <AuditFilters
        filters={filters}
        actors={actors}
        actions={actions}
        onEntity={(v) => {
          setCursor(null);
          setEntity(v);
        }}
      />
      <ErrorText error={error} />
      <p class="muted" role="status">
        {loading
          ? 'Loading the audit log…'
          : `Showing ${shown.length} of the ${items.length} latest entries${next ? ' loaded (load more to look further back)' : ''}.`}
      </p>
      <table class="list" aria-busy={loading ? 'true' : 'false'}>
        <caption class="sr-only">Audit log entries</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e) => (
            <AuditRow key={e.id} e={e} />
          ))}
        </tbody>
      </table>
      {next && (
        <button type="button" class="secondary" disabled={loading} onClick={() => setCursor(next)}>
          Load more
        </button>
      )}
    </div>
  );
}

/** The log, 100 entries at a time for the chosen entity; `setCursor` loads the next page (null starts again). */
function useAuditPages(entity: string) {
  const [cursor, setCursor] = useState<string | null>(null);
  const [items, setItems] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  useEffect(() => {
    setLoading(true);
    const params = new URLSearchParams({ limit: '100' });
    if (entity) params.set('entity', entity);
    if (cursor) params.set('cursor', cursor);
    api<{ items: AuditEntry[]; nextCursor: string | null }>('GET', `/api/audit?${params}`)
      .then((p) => {
        setItems(cursor ? (prev) => [...prev, ...p.items] : p.items);
        setNext(p.nextCursor);
      }, setError)
      .finally(() => setLoading(false));
  }, [entity, cursor]);
  return { items, next, error, loading, setCursor };
}

interface Filters {
  entity: string;
  actor: string;
  setActor: (v: string) => void;
  action: string;
  setAction: (v: string) => void;
  text: string;
  setText: (v: string) => void;
}

/** Show (entity, read by the server), who, action and text (filtered here, over the entries loaded). */
function AuditFilters({
  filters,
  actors,
  actions,
  onEntity,
}: {
  filters: Filters;
  actors: string[];
  actions: string[];
  onEntity: (v: string) => void;
}) {
  const { entity, actor, setActor, action, setAction, text, setText } = filters;
  return (
    <div class="toolbar">
      <span class="field">
        <label for="audit-entity">Show</label>
        <select id="audit-entity" value={entity} onChange={(e) => onEntity(e.currentTarget.value)}>
          {ENTITIES.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      </span>
      <span class="field">
        <label for="audit-actor">Who</label>
        <select id="audit-actor" value={actor} onChange={(e) => setActor(e.currentTarget.value)}>
          <option value="">anyone</option>
          {actors.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </span>
      <span class="field">
        <label for="audit-action">Action</label>
        <select id="audit-action" value={action} onChange={(e) => setAction(e.currentTarget.value)}>
          <option value="">any</option>
          {actions.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </span>
      <span class="field">
        <label for="audit-text">Containing</label>
        <input
          id="audit-text"
          type="search"
          value={text}
          placeholder="e.g. app.example.com"
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </span>
    </div>
  );
}

/** One change: when, who, what, and the values before and after. */
function AuditRow({ e }: { e: AuditEntry }) {
  return (
    <tr>
      <td data-label="When">
        <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>
      </td>
      <td data-label="Who">{e.actor}</td>
      <td data-label="What">
        {e.action} {e.entity}
        {entityName(e) ? (
          <>
            {' '}
            <strong title={e.entityId ? `id ${e.entityId}` : undefined}>{entityName(e)}</strong>
          </>
        ) : (
          ''
        )}
      </td>
      <td data-label="Change">
        <Diff before={e.before} after={e.after} />
      </td>
    </tr>
  );
}
