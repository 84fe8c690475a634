/** The audit log: who changed what and when, with before/after values. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorText } from '../components.js';
import type { AuditEntry } from '../../../src/store/types.js';


/** The fields that differ between two values, for a compact diff. */
function changedKeys(before: unknown, after: unknown): string[] {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]));
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

export function Audit() {
  const [entity, setEntity] = useState('');
  const [items, setItems] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const params = new URLSearchParams({ limit: '50' });
    if (entity) params.set('entity', entity);
    if (cursor) params.set('cursor', cursor);
    api<{ items: AuditEntry[]; nextCursor: string | null }>('GET', `/api/audit?${params}`).then((p) => {
      setItems(cursor ? (prev) => [...prev, ...p.items] : p.items);
      setNext(p.nextCursor);
    }, setError);
  }, [entity, cursor]);
  return (
    <div>
      <h1>Audit log</h1>
      <p>Every change, who made it and when, with the values before and after. The log is append-only.</p>
      <div class="toolbar">
        <label for="audit-entity">Show</label>
        <select id="audit-entity" value={entity} onChange={(e) => { setCursor(null); setEntity(e.currentTarget.value); }}>
          <option value="">everything</option>
          <option value="allowlist">allowlist</option>
          <option value="trusted-site">trusted sites</option>
          <option value="settings">settings</option>
          <option value="route">routes</option>
          <option value="token">tokens</option>
        </select>
      </div>
      <ErrorText error={error} />
      <table class="list">
        <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Change</th></tr></thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.id}>
              <td><time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time></td>
              <td>{e.actor}</td>
              <td>{e.action} {e.entity}{e.entityId ? ` ${e.entityId}` : ''}</td>
              <td><Diff before={e.before} after={e.after} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      {next && <button type="button" onClick={() => setCursor(next)}>Load more</button>}
    </div>
  );
}
