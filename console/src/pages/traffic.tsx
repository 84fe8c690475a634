/**
 * Traffic: what the gateway saw (issue 14), so that an admin acts on evidence — the requests over
 * time, the refused origins (add one to the allowlist with the pattern the engine suggests), the
 * entries nobody used for 30 days (delete), the CSP violations (add the trusted site that would
 * allow one) and, in report-only mode, where corsgate and the upstream disagree. Every action is
 * the same admin API call the other pages make, confirmed first.
 */
import { useState } from 'preact/hooks';
import type { Settings } from '../../../src/store/types.js';
import { api, canChange, type Me } from '../api.js';
import { ErrorText, notify } from '../components.js';
import { Busy, ReadOnly, useApi, useBusy, useSettings } from '../kit.js';
import { TrafficChart } from './traffic-chart.js';

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
type List<T> = { items: T[] };

const when = (iso: string) => <time dateTime={iso}>{new Date(iso).toLocaleString()}</time>;

function ModeCard({ me }: { me: Me }) {
  const settings = useSettings();
  const mode = settings.data?.mode ?? 'enforce';
  const next: Settings['mode'] = mode === 'enforce' ? 'report-only' : 'enforce';
  const change = () => {
    const what = next === 'enforce' ? 'Enforce: origins outside the allowlist are refused from now on.' : 'Report-only: every request is forwarded untouched and only recorded.';
    if (!confirm(`Switch the gateway to ${next}? ${what}`)) return;
    return settings.save({ mode: next }, (s) => `The gateway is in ${s.mode} mode now.`);
  };
  return (
    <section class="card" aria-labelledby="mode-title">
      <h2 id="mode-title">Mode: {mode}</h2>
      <p>{mode === 'enforce' ? 'corsgate decides and answers every cross-origin request.' : "corsgate forwards every request, preflights included, leaves the upstream's CORS answer untouched and records what it would have done."} A route's own mode overrides this.</p>
      <button type="button" class={next === 'enforce' ? '' : 'secondary'} disabled={!canChange(me, 'customize-application') || settings.busy || !settings.data} onClick={change}>Switch to {next}</button>
      <Busy busy={settings.busy} />
      <ErrorText error={settings.error} />
    </section>
  );
}

function RefusedTable({ me, tick, changed }: { me: Me; tick: number; changed: () => void }) {
  const refused = useApi<List<Refused>>('/api/usage/refused?limit=50', [tick]);
  const [error, setError] = useState<unknown>(null);
  const [busy, busyWith] = useBusy();
  // The counters keep the refusals of the past: an origin added here says so instead of offering it again.
  const [added, setAdded] = useState<ReadonlySet<string>>(new Set());
  const add = (r: Refused) => {
    if (!r.suggestedPattern || !confirm(`Add ${r.suggestedPattern} to the allowlist? Requests from ${r.origin} are then allowed.`)) return;
    setError(null);
    return busyWith(async () => {
      await api('POST', '/api/allowlist', { urlPattern: r.suggestedPattern, description: `added from the traffic view (${r.count} refused)` });
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
        <thead><tr><th scope="col">Origin</th><th scope="col">Requests</th><th scope="col">Last seen</th><th scope="col">Example</th><th scope="col">Upstream answered</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {refused.data?.items.map((r) => (
            <tr key={`${r.route} ${r.origin}`}>
              <td data-label="Origin"><code>{r.origin}</code></td>
              <td data-label="Requests">{r.count}</td>
              <td data-label="Last seen">{when(r.lastSeenAt)}</td>
              <td data-label="Example"><code>{r.examplePath}</code> <span class="muted">route {r.route}</span></td>
              <td data-label="Upstream answered">{r.upstreamAllowOrigin === undefined ? <span class="muted">—</span> : r.upstreamGranted ? <span class="warn">granted (<code>{r.upstreamAllowOrigin}</code>)</span> : 'refused'}</td>
              <td class="actions">
                {r.suggestedPattern && added.has(r.suggestedPattern) ? (
                  <span class="ok">Added to the allowlist</span>
                ) : r.suggestedPattern ? (
                  <button type="button" disabled={!canChange(me, 'modify-all-data') || busy} onClick={() => add(r)} aria-label={`Add ${r.suggestedPattern} to the allowlist`}>Add to allowlist</button>
                ) : (
                  <span class="muted">{r.problem?.hint ?? r.problem?.message}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {refused.data?.items.length === 0 && <p class="muted">No refused origin seen yet.</p>}
    </section>
  );
}

function Disagreements({ tick }: { tick: number }) {
  const rows = useApi<List<Comparison>>('/api/usage/report-only?disagreements=true&limit=50', [tick]);
  return (
    <section aria-labelledby="disagree-title">
      <h2 id="disagree-title">Report-only: where corsgate and the upstream disagree</h2>
      <ErrorText error={rows.error} />
      <table class="list" aria-busy={rows.loading ? 'true' : 'false'}>
        <caption class="sr-only">Origins the upstream granted that corsgate would refuse, and the reverse</caption>
        <thead><tr><th scope="col">Origin</th><th scope="col">corsgate would</th><th scope="col">Upstream answered</th><th scope="col">Requests</th><th scope="col">Example</th></tr></thead>
        <tbody>
          {rows.data?.items.map((u) => (
            <tr key={`${u.route} ${u.origin} ${u.decision} ${u.upstreamAllowOrigin ?? ''}`}>
              <td data-label="Origin"><code>{u.origin}</code></td>
              <td data-label="corsgate would">{u.decision === 'allowed' ? 'allow' : 'refuse'}</td>
              <td data-label="Upstream answered">{u.upstreamAllowOrigin === null ? 'no Access-Control-Allow-Origin' : <code>Access-Control-Allow-Origin: {u.upstreamAllowOrigin}</code>}</td>
              <td data-label="Requests">{u.count}</td>
              <td data-label="Example"><code>{u.examplePath}</code></td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.data?.items.length === 0 && <p class="muted">No disagreement recorded.</p>}
    </section>
  );
}

function UnusedEntries({ me, tick, changed }: { me: Me; tick: number; changed: () => void }) {
  const rows = useApi<List<Unused>>('/api/usage/allowlist?unused=true&days=30&sort=lastSeenAt&limit=50', [tick]);
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
        <thead><tr><th scope="col">Entry</th><th scope="col">Unused since</th><th scope="col">Hits</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {rows.data?.items.map((e) => (
            <tr key={e.id}>
              <td data-label="Entry"><code>{e.urlPattern}</code></td>
              <td data-label="Unused since">{e.unusedSince ? when(e.unusedSince) : '—'}{e.lastSeenAt === null && <span class="muted"> (never seen)</span>}</td>
              <td data-label="Hits">{e.hits}</td>
              <td class="actions"><button type="button" class="danger" disabled={!canChange(me, 'modify-all-data') || busy} onClick={() => remove(e)} aria-label={`Delete ${e.urlPattern}`}>Delete</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.data?.items.length === 0 && <p class="muted">Every entry was used in the last 30 days.</p>}
    </section>
  );
}

function CspViolations({ me, tick, changed }: { me: Me; tick: number; changed: () => void }) {
  const rows = useApi<List<Violation>>('/api/usage/csp?limit=50', [tick]);
  const [error, setError] = useState<unknown>(null);
  const [busy, busyWith] = useBusy();
  const add = (v: Violation) => {
    const site = v.trustedSite!;
    if (!confirm(`Add the trusted site ${site.endpointUrl} for ${v.directive}? Pages then may load it.`)) return;
    setError(null);
    return busyWith(async () => {
      await api('POST', '/api/trusted-sites', { name: site.name, endpointUrl: site.endpointUrl, [site.flag]: true, description: 'added from a CSP report' });
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
        <caption class="sr-only">CSP violations reported by browsers, by directive and blocked origin</caption>
        <thead><tr><th scope="col">Directive</th><th scope="col">Blocked</th><th scope="col">Reports</th><th scope="col">Pages</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {rows.data?.items.map((v) => (
            <tr key={`${v.directive} ${v.blockedOrigin}`}>
              <td data-label="Directive"><code>{v.directive}</code></td>
              <td data-label="Blocked"><code>{v.blockedOrigin}</code></td>
              <td data-label="Reports">{v.count}</td>
              <td data-label="Pages">{v.pages.slice(0, 3).map((p) => <code key={p} class="chip">{p}</code>)}</td>
              <td class="actions">
                {v.trustedSite ? (
                  <button type="button" disabled={!canChange(me, 'customize-application') || busy} onClick={() => add(v)} aria-label={`Add trusted site ${v.trustedSite.endpointUrl}`}>Add trusted site</button>
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

export function Traffic({ me }: { me: Me }) {
  const [tick, setTick] = useState(0);
  const changed = () => setTick((n) => n + 1);
  return (
    <div>
      <h1>Traffic</h1>
      <p>What the gateway saw: counters are written every few seconds, summed over every node. <button type="button" class="secondary" onClick={changed}>Refresh</button></p>
      <ReadOnly me={me} what="the allowlist and trusted sites" needs="modify-all-data" />
      <ModeCard me={me} />
      <TrafficChart tick={tick} />
      <RefusedTable me={me} tick={tick} changed={changed} />
      <Disagreements tick={tick} />
      <UnusedEntries me={me} tick={tick} changed={changed} />
      <CspViolations me={me} tick={tick} changed={changed} />
    </div>
  );
}
