/** The traffic page's calls to act: allowlist entries nobody used (delete), and CSP violations a trusted site would allow (add). */
import { useState } from 'preact/hooks';
import { api, canChange, type Me } from '../api.js';
import { ErrorText, notify } from '../components.js';
import { Busy, useApi, useBusy } from '../kit.js';
import { when, type List } from './traffic-shared.js';

interface Unused {
  id: string;
  urlPattern: string;
  hits: number;
  lastSeenAt: string | null;
  unusedSince?: string;
}
interface Violation {
  directive: string;
  blockedOrigin: string;
  count: number;
  pages: string[];
  lastSeenAt: string;
  trustedSite: { name: string; endpointUrl: string; flag: string } | null;
}
export function UnusedEntries({ me, tick, changed }: { me: Me; tick: number; changed: () => void }) {
  const rows = useApi<List<Unused>>('/api/usage/allowlist?unused=true&days=30&sort=lastSeenAt&limit=50', [
    tick,
  ]);
  const [error, setError] = useState<unknown>(null);
  const [busy, busyWith] = useBusy();
  const remove = (e: Unused) => {
    if (!confirm(`Delete ${e.urlPattern} from the allowlist? It was not seen in 30 days.`)) return;
    setError(null);
    return busyWith(async () => {
      await api('DELETE', `/api/allowlist/${encodeURIComponent(e.id)}`);
      notify(`Deleted ${e.urlPattern}: in force at the gateway now.`);
      changed();
    }, setError);
  };
  return (
    <section aria-labelledby="unused-title">
      <h2 id="unused-title">Allowlist entries unused for 30 days</h2>
      <ErrorText error={rows.error ?? error} />
      <Busy busy={busy} what="Deleting" />
      <table class="list" aria-busy={rows.loading ? 'true' : 'false'}>
        <caption class="sr-only">Allowlist entries not seen in the last 30 days</caption>
        <thead>
          <tr>
            <th scope="col">Entry</th>
            <th scope="col">Unused since</th>
            <th scope="col">Hits</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.data?.items.map((e) => (
            <tr key={e.id}>
              <td data-label="Entry">
                <code>{e.urlPattern}</code>
              </td>
              <td data-label="Unused since">
                {e.unusedSince ? when(e.unusedSince) : '—'}
                {e.lastSeenAt === null && <span class="muted"> (never seen)</span>}
              </td>
              <td data-label="Hits">{e.hits}</td>
              <td class="actions">
                <button
                  type="button"
                  class="danger"
                  disabled={!canChange(me, 'modify-all-data') || busy}
                  onClick={() => remove(e)}
                  aria-label={`Delete ${e.urlPattern}`}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.data?.items.length === 0 && <p class="muted">Every entry was used in the last 30 days.</p>}
    </section>
  );
}

export function CspViolations({ me, tick, changed }: { me: Me; tick: number; changed: () => void }) {
  const rows = useApi<List<Violation>>('/api/usage/csp?limit=50', [tick]);
  const [error, setError] = useState<unknown>(null);
  const [busy, busyWith] = useBusy();
  const add = (v: Violation) => {
    const site = v.trustedSite!;
    if (!confirm(`Add the trusted site ${site.endpointUrl} for ${v.directive}? Pages then may load it.`))
      return;
    setError(null);
    return busyWith(async () => {
      await api('POST', '/api/trusted-sites', {
        name: site.name,
        endpointUrl: site.endpointUrl,
        [site.flag]: true,
        description: 'added from a CSP report',
      });
      notify(`Trusted ${site.endpointUrl} for ${v.directive}: in force at the gateway now.`);
      changed();
    }, setError);
  };
  return (
    <section aria-labelledby="csp-title">
      <h2 id="csp-title">CSP violations</h2>
      <ErrorText error={rows.error ?? error} />
      <Busy busy={busy} what="Adding" />
      <table class="list" aria-busy={rows.loading ? 'true' : 'false'}>
        <caption class="sr-only">
          CSP violations reported by browsers, by directive and blocked origin
        </caption>
        <thead>
          <tr>
            <th scope="col">Directive</th>
            <th scope="col">Blocked</th>
            <th scope="col">Reports</th>
            <th scope="col">Pages</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.data?.items.map((v) => (
            <tr key={`${v.directive} ${v.blockedOrigin}`}>
              <td data-label="Directive">
                <code>{v.directive}</code>
              </td>
              <td data-label="Blocked">
                <code>{v.blockedOrigin}</code>
              </td>
              <td data-label="Reports">{v.count}</td>
              <td data-label="Pages">
                {v.pages.slice(0, 3).map((p) => (
                  <code key={p} class="chip">
                    {p}
                  </code>
                ))}
              </td>
              <td class="actions">
                {v.trustedSite ? (
                  <button
                    type="button"
                    disabled={!canChange(me, 'customize-application') || busy}
                    onClick={() => add(v)}
                    aria-label={`Add trusted site ${v.trustedSite.endpointUrl}`}
                  >
                    Add trusted site
                  </button>
                ) : (
                  <span class="muted">no trusted site allows this</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.data?.items.length === 0 && <p class="muted">No violation reported.</p>}
    </section>
  );
}
