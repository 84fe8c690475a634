/** The traffic page's refused origins (with Add to allowlist) and report-only disagreements. */
import { useState } from 'preact/hooks';
import { api, canChange, type Me } from '../api.js';
import { ErrorText, notify } from '../components.js';
import { Busy, useApi, useBusy } from '../kit.js';
import { when, type List } from './traffic-shared.js';

interface Refused {
  origin: string;
  route: string;
  count: number;
  lastSeenAt: string;
  examplePath: string;
  suggestedPattern: string | null;
  problem?: { message: string; hint?: string };
  upstreamAllowOrigin?: string | null;
  upstreamGranted?: boolean;
}
interface Comparison {
  origin: string;
  route: string;
  decision: 'allowed' | 'refused';
  upstreamAllowOrigin: string | null;
  count: number;
  lastSeenAt: string;
  examplePath: string;
}
export function RefusedTable({ me, tick, changed }: { me: Me; tick: number; changed: () => void }) {
  const refused = useApi<List<Refused>>('/api/usage/refused?limit=50', [tick]);
  const [error, setError] = useState<unknown>(null);
  const [busy, busyWith] = useBusy();
  // The counters keep the refusals of the past: an origin added here says so instead of offering it again.
  const [added, setAdded] = useState<ReadonlySet<string>>(new Set());
  const add = (r: Refused) => {
    if (
      !r.suggestedPattern ||
      !confirm(`Add ${r.suggestedPattern} to the allowlist? Requests from ${r.origin} are then allowed.`)
    )
      return;
    setError(null);
    return busyWith(async () => {
      await api('POST', '/api/allowlist', {
        urlPattern: r.suggestedPattern,
        description: `added from the traffic view (${r.count} refused)`,
      });
      setAdded((prev) => new Set([...prev, r.suggestedPattern!]));
      notify(`Added ${r.suggestedPattern}: in force at the gateway now.`);
      changed();
    }, setError);
  };
  return (
    <section aria-labelledby="refused-title">
      <h2 id="refused-title">Top refused origins</h2>
      <ErrorText error={refused.error ?? error} />
      <Busy busy={busy} what="Adding" />
      <table class="list" aria-busy={refused.loading ? 'true' : 'false'}>
        <caption class="sr-only">Refused and would-be-refused origins, the most frequent first</caption>
        <thead>
          <tr>
            <th scope="col">Origin</th>
            <th scope="col">Requests</th>
            <th scope="col">Last seen</th>
            <th scope="col">Example</th>
            <th scope="col">Upstream answered</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {refused.data?.items.map((r) => (
            <RefusedRow
              key={`${r.route} ${r.origin}`}
              r={r}
              added={added}
              canAdd={canChange(me, 'modify-all-data') && !busy}
              onAdd={add}
            />
          ))}
        </tbody>
      </table>
      {refused.data?.items.length === 0 && <p class="muted">No refused origin seen yet.</p>}
    </section>
  );
}

export function Disagreements({ tick }: { tick: number }) {
  const rows = useApi<List<Comparison>>('/api/usage/report-only?disagreements=true&limit=50', [tick]);
  return (
    <section aria-labelledby="disagree-title">
      <h2 id="disagree-title">Report-only: where corsgate and the upstream disagree</h2>
      <ErrorText error={rows.error} />
      <table class="list" aria-busy={rows.loading ? 'true' : 'false'}>
        <caption class="sr-only">
          Origins the upstream granted that corsgate would refuse, and the reverse
        </caption>
        <thead>
          <tr>
            <th scope="col">Origin</th>
            <th scope="col">corsgate would</th>
            <th scope="col">Upstream answered</th>
            <th scope="col">Requests</th>
            <th scope="col">Example</th>
          </tr>
        </thead>
        <tbody>
          {rows.data?.items.map((u) => (
            <tr key={`${u.route} ${u.origin} ${u.decision} ${u.upstreamAllowOrigin ?? ''}`}>
              <td data-label="Origin">
                <code>{u.origin}</code>
              </td>
              <td data-label="corsgate would">{u.decision === 'allowed' ? 'allow' : 'refuse'}</td>
              <td data-label="Upstream answered">
                {u.upstreamAllowOrigin === null ? (
                  'no Access-Control-Allow-Origin'
                ) : (
                  <code>Access-Control-Allow-Origin: {u.upstreamAllowOrigin}</code>
                )}
              </td>
              <td data-label="Requests">{u.count}</td>
              <td data-label="Example">
                <code>{u.examplePath}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.data?.items.length === 0 && <p class="muted">No disagreement recorded.</p>}
    </section>
  );
}

/** One refused origin: how often, where, what the upstream said, and Add to allowlist when the engine suggests a pattern. */
function RefusedRow({
  r,
  added,
  canAdd,
  onAdd,
}: {
  r: Refused;
  added: ReadonlySet<string>;
  canAdd: boolean;
  onAdd: (r: Refused) => void;
}) {
  return (
    <tr>
      <td data-label="Origin">
        <code>{r.origin}</code>
      </td>
      <td data-label="Requests">{r.count}</td>
      <td data-label="Last seen">{when(r.lastSeenAt)}</td>
      <td data-label="Example">
        <code>{r.examplePath}</code> <span class="muted">route {r.route}</span>
      </td>
      <td data-label="Upstream answered">
        {r.upstreamAllowOrigin === undefined ? (
          <span class="muted">—</span>
        ) : r.upstreamGranted ? (
          <span class="warn">
            granted (<code>{r.upstreamAllowOrigin}</code>)
          </span>
        ) : (
          'refused'
        )}
      </td>
      <td class="actions">
        {r.suggestedPattern && added.has(r.suggestedPattern) ? (
          <span class="ok">Added to the allowlist</span>
        ) : r.suggestedPattern ? (
          <button
            type="button"
            disabled={!canAdd}
            onClick={() => onAdd(r)}
            aria-label={`Add ${r.suggestedPattern} to the allowlist`}
          >
            Add to allowlist
          </button>
        ) : (
          <span class="muted">{r.problem?.hint ?? r.problem?.message}</span>
        )}
      </td>
    </tr>
  );
}
