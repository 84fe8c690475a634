/** Routes and endpoint rules: which CORS regime applies to which host and path, and the Salesforce OAuth preset. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Settings } from '../../../src/store/types.js';
import { api, canChange, type Me } from '../api.js';
import { ErrorText, notify } from '../components.js';
import { Busy, ReadOnly, useApi, useBusy } from '../kit.js';
import { CorsOptionsCard } from './cors-options.js';
import { KINDS, pathsText, RouteForm, splitList, WhichRule, type ListedRoute } from './route-form.js';

const hostsText = (hosts: string[] | undefined, kind: string) =>
  hosts?.includes('*') ? 'any host' : hosts && hosts.length ? hosts.join(', ') : kind === 'opt-in' ? 'no host (enabled nowhere)' : 'any host';

/** Opens on wide screens, starts closed on a phone (where the page would otherwise be very long). */
const wide = () => typeof matchMedia === 'function' && matchMedia('(min-width: 641px)').matches;

export function RoutesPage({ me }: { me: Me }) {
  const writable = canChange(me, 'customize-application');
  const routes = useApi<{ items: ListedRoute[]; builtIn?: ListedRoute[] }>('/api/routes');
  const stored = useApi<Settings>('/api/settings');
  const [settings, setSettings] = useState<Settings | null>(null);
  useEffect(() => setSettings(stored.data), [stored.data]);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<ListedRoute | null>(null);
  const formRef = useRef<HTMLDivElement>(null);
  const refresh = () => {
    routes.reload();
    stored.reload();
  };
  const [busy, busyWith] = useBusy();

  const saveSettings = (patch: Partial<Settings>, done: string) => {
    setError(null);
    // Show the new value at once; a refused save reloads the stored one.
    if (settings) setSettings({ ...settings, ...patch });
    return busyWith(async () => {
      setSettings(await api<Settings>('PUT', '/api/settings', patch));
      notify(done);
      refresh();
    }, (err) => {
      setError(err);
      refresh();
    });
  };
  const remove = (r: ListedRoute) => {
    if (!confirm(`Delete the ${r.kind} route for ${pathsText(r)}?`)) return;
    setError(null);
    return busyWith(async () => {
      await api('DELETE', `/api/routes/${encodeURIComponent(r.id)}`);
      notify(`Deleted the ${r.kind} route for ${pathsText(r)}: in force at the gateway now.`);
      if (editing?.id === r.id) setEditing(null);
      refresh();
    }, setError);
  };
  const edit = (r: ListedRoute) => {
    setEditing(r);
    formRef.current?.scrollIntoView({ block: 'start' });
  };
  const items = routes.data?.items ?? [];
  // The gateway's own order: highest priority first, then creation order.
  const all = useMemo(() => [...items.map((r) => ({ ...r, builtIn: false })), ...(routes.data?.builtIn ?? []).map((r) => ({ ...r, builtIn: true }))].sort((a, b) => b.priority - a.priority), [routes.data]);

  return (
    <div class="routes-page">
      <h1>Routes & endpoint rules</h1>
      <p>Each request is matched by host and path against the routes below, highest priority first; the first match decides how CORS is answered. A request no route matches uses the allowlist.</p>
      <ReadOnly me={me} what="routes and settings" needs="customize-application" />
      <ErrorText error={error ?? routes.error ?? stored.error} />
      <Busy busy={busy} />
      {settings && <SettingsCard settings={settings} writable={writable && !busy} onSave={saveSettings} />}
      {settings && <CorsOptionsCard settings={settings} writable={canChange(me, 'modify-all-data') && !busy} onSave={saveSettings} />}
      <details class="kinds-box">
        <summary>The four kinds of route</summary>
        <dl class="kinds">{Object.entries(KINDS).map(([k, v]) => [<dt key={`t${k}`}><code>{k}</code></dt>, <dd key={`d${k}`}>{v}</dd>])}</dl>
      </details>
      <RoutesTable routes={all} loading={routes.loading} editing={editing} settings={settings} writable={writable && !busy} onEdit={edit} onRemove={remove} />
      {settings && <WhichRule routes={items} settings={settings} />}
      <div ref={formRef}>
        {editing ? (
          <RouteForm writable={writable} editing={editing} onSaved={() => { setEditing(null); refresh(); }} onCancel={() => setEditing(null)} />
        ) : (
          <details class="form-box" open={wide()}>
            <summary>Add a route</summary>
            <RouteForm writable={writable} editing={null} onSaved={refresh} onCancel={() => undefined} />
          </details>
        )}
      </div>
    </div>
  );
}

function SettingsCard({ settings, writable, onSave }: { settings: Settings; writable: boolean; onSave: (patch: Partial<Settings>, done: string) => void }) {
  const [myDomain, setMyDomain] = useState(settings.myDomainHosts.join(', '));
  const [experience, setExperience] = useState(settings.experienceCloudHosts.join(', '));
  const [refused, setRefused] = useState(String(settings.refusedStatus));
  useEffect(() => {
    setMyDomain(settings.myDomainHosts.join(', '));
    setExperience(settings.experienceCloudHosts.join(', '));
    setRefused(String(settings.refusedStatus));
  }, [settings]);
  const refusedOk = /^4\d\d$/.test(refused.trim());
  const toggle = (key: 'oauthPreset' | 'corsForOAuthEndpoints' | 'cspOnDefaultRoute', label: string) => (e: Event) => {
    const on = (e.currentTarget as HTMLInputElement).checked;
    onSave({ [key]: on }, `${label}: ${on ? 'on' : 'off'}, in force at the gateway now.`);
  };
  return (
    <section class="card" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <div class="setting">
        <label class="check"><input type="checkbox" disabled={!writable} checked={settings.oauthPreset} aria-describedby="help-preset" onChange={toggle('oauthPreset', 'OAuth preset')} /> OAuth preset: apply Salesforce's OAuth endpoint layout</label>
        <p id="help-preset" class="muted">Built-in routes for <code>/services/oauth2/*</code> and <code>/services/auth/*</code>: discovery (OpenID configuration, JWKS) open to any site, userinfo by the allowlist, the token family by the next setting, the rest closed.</p>
      </div>
      <div class="setting">
        <label class="check"><input type="checkbox" disabled={!writable} checked={settings.corsForOAuthEndpoints} aria-describedby="help-oauth" onChange={toggle('corsForOAuthEndpoints', 'Enable CORS for OAuth endpoints')} /> Enable CORS for OAuth endpoints</label>
        <p id="help-oauth" class="muted">On: allowed origins may call the token, revoke, introspect, authorize and PKCE endpoints on the hosts below. Off (Salesforce's default): those endpoints refuse cross-origin requests.</p>
      </div>
      <div class="row">
        <div>
          <label for="set-mydomain">My Domain hosts</label>
          <input id="set-mydomain" disabled={!writable} value={myDomain} aria-describedby="help-mydomain" onInput={(e) => setMyDomain(e.currentTarget.value)} />
          <p id="help-mydomain" class="muted">Where the token endpoints may use CORS: comma-separated, <code>*.example.com</code>, <code>*</code> for any host.</p>
        </div>
        <div>
          <label for="set-experience">Experience Cloud hosts</label>
          <input id="set-experience" disabled={!writable} value={experience} aria-describedby="help-experience" onInput={(e) => setExperience(e.currentTarget.value)} />
          <p id="help-experience" class="muted">Site hosts for the token endpoints and the headless identity ones (registration, passwordless login, forgot password).</p>
        </div>
        <div>
          <label for="set-refused">Status for a refused origin</label>
          <input id="set-refused" disabled={!writable} inputMode="numeric" value={refused} aria-invalid={refusedOk ? 'false' : 'true'} aria-describedby="help-refused" onInput={(e) => setRefused(e.currentTarget.value)} />
          <p id="help-refused" class={refusedOk ? 'muted' : 'error'}>{refusedOk ? 'Answered to an origin that is not allowed (403, as Salesforce does).' : 'Use a 4xx status from 400 to 499, for example 403.'}</p>
        </div>
      </div>
      <button type="button" disabled={!writable || !refusedOk} onClick={() => onSave({ myDomainHosts: splitList(myDomain), experienceCloudHosts: splitList(experience), refusedStatus: Number(refused.trim()) }, 'Saved the hosts and the refusal status: in force at the gateway now.')}>Save hosts and status</button>
      <div class="setting">
        <label class="check"><input type="checkbox" disabled={!writable} checked={settings.cspOnDefaultRoute} aria-describedby="help-cspdefault" onChange={toggle('cspOnDefaultRoute', 'Trusted-sites CSP on pages no route matches')} /> Send the trusted-sites CSP on pages no route matches</label>
        <p id="help-cspdefault" class="muted">Adds the Content-Security-Policy built from Trusted sites to HTML pages that no route matches (routes choose it with their own CSP box).</p>
      </div>
    </section>
  );
}

/** Every route in force, the gateway's order, then the default rule. */
function RoutesTable({ routes, loading, editing, settings, writable, onEdit, onRemove }: { routes: ListedRoute[]; loading: boolean; editing: ListedRoute | null; settings: Settings | null; writable: boolean; onEdit: (r: ListedRoute) => void; onRemove: (r: ListedRoute) => void }) {
  const settingOn = (name: string) => settings !== null && (settings as unknown as Record<string, unknown>)[name] === true;
  return (
    <section aria-labelledby="routes-title">
      <h2 id="routes-title">Routes in force</h2>
      <table class="list routes" aria-busy={loading ? 'true' : 'false'}>
        <caption class="sr-only">Routes, in the order the gateway tries them</caption>
        <thead><tr><th scope="col">Priority</th><th scope="col">Kind</th><th scope="col">From</th><th scope="col">Hosts</th><th scope="col">Paths</th><th scope="col">Needs setting</th><th scope="col">CSP</th><th scope="col">Upstream</th><th scope="col">WebSocket</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {routes.map((r) => (
            <tr key={r.id} class={editing?.id === r.id ? 'editing' : undefined}>
              <td class="inline" data-label="Priority">{r.priority}</td>
              <td class="inline kind"><code>{r.kind}</code></td>
              <td class="inline from" data-label="From">{r.builtIn ? 'OAuth preset' : r.description || 'custom'}</td>
              <td data-label="Hosts">{hostsText(r.hosts, r.kind)}</td>
              <td class="paths"><span class="sr-only">Paths: </span>{r.paths.map((p) => <code key={p} class="chip">{p}</code>)}</td>
              <td data-label={r.setting ? 'Needs setting' : undefined}>{r.setting ? <>{r.setting} <span class="muted">({settingOn(r.setting) ? 'on' : 'off'})</span></> : ''}</td>
              <td data-label={r.csp ? 'CSP' : undefined}>{r.csp ? 'yes' : ''}</td>
              <td data-label={r.upstream ? 'Upstream' : undefined}>{r.upstream ? <code>{r.upstream}</code> : ''}</td>
              <td data-label={r.websocket === false ? 'WebSocket' : undefined}>{r.websocket === false ? 'refused' : ''}</td>
              <td class="actions">
                {!r.builtIn && <>
                  <button type="button" class="secondary" disabled={!writable} onClick={() => onEdit(r)} aria-label={`Edit route ${pathsText(r)}`}>Edit</button>
                  <button type="button" class="danger" disabled={!writable} onClick={() => onRemove(r)} aria-label={`Delete route ${pathsText(r)}`}>Delete</button>
                </>}
              </td>
            </tr>
          ))}
          <tr><td class="inline" data-label="Priority">—</td><td class="inline kind"><code>allowlist</code></td><td class="inline from" data-label="From">default</td><td data-label="Hosts">any host</td><td class="paths">everything else</td><td /><td data-label={settings?.cspOnDefaultRoute ? 'CSP' : undefined}>{settings?.cspOnDefaultRoute ? 'yes' : ''}</td><td data-label="Upstream">default</td><td /><td /></tr>
        </tbody>
      </table>
    </section>
  );
}
