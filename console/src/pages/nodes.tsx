/** The fleet: every node seen lately, what it enforces (version, checksum), whether it reaches the store, its last error. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorText } from '../components.js';

import type { NodeRow } from '../../../src/gateway/fleet/types.js';

interface NodesAnswer {
  items: NodeRow[];
  stale?: boolean;
  message?: string;
}

/** Refreshed every 2 s while the page is open: the heartbeat is 1 s. */
const REFRESH_MS = 2000;

export function NodesPage() {
  const [answer, setAnswer] = useState<NodesAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      api<NodesAnswer>('GET', '/api/nodes').then(
        (a) => live && (setAnswer(a), setError(null)),
        (e: unknown) => live && setError(e),
      );
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  const newest = Math.max(0, ...(answer?.items ?? []).map((n) => n.version));
  return (
    <section aria-labelledby="nodes-title">
      <h1 id="nodes-title">Nodes</h1>
      <p class="muted">
        Every gateway sharing this store, as each last reported itself. Equal version and checksum mean the
        same configuration.
      </p>
      {error !== null && <ErrorText error={error} />}
      {answer?.stale && (
        <p class="warning" role="status">
          {answer.message}
        </p>
      )}
      {answer && (
        <table class="nodes">
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Version</th>
              <th scope="col">Checksum</th>
              <th scope="col">Last seen</th>
              <th scope="col">Store</th>
              <th scope="col">Last error</th>
            </tr>
          </thead>
          <tbody>
            {answer.items.map((n) => (
              <tr key={n.id} data-node={n.id}>
                <th scope="row">{n.id}</th>
                <td>
                  {n.version}
                  {n.version < newest && (
                    <span class="badge" title={`behind version ${newest}`}>
                      {' '}
                      behind
                    </span>
                  )}
                </td>
                <td>
                  <code>{n.checksum}</code>
                </td>
                <td>
                  <time dateTime={n.lastSeenAt}>{new Date(n.lastSeenAt).toLocaleString()}</time>
                </td>
                <td>{n.store === 'connected' ? 'connected' : <strong>unreachable</strong>}</td>
                <td class={n.lastError ? 'error' : 'muted'}>{n.lastError ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
