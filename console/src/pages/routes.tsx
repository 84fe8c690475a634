/** Routes and endpoint rules: which CORS regime applies to which host and path, and the Salesforce OAuth preset. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { compileRoutes, matchRoute } from '../../../src/gateway/routes.js';
import type { RouteFields, Settings } from '../../../src/store/types.js';
import { api, can, type Me } from '../api.js';
import { Busy, ErrorText, ReadOnly, useBusy } from '../components.js';

type Route = RouteFields & { id: string; builtIn?: boolean };

const KINDS: Record<RouteFields['kind'], string> = {
  public: "Any origin may read it, without credentials (Access-Control-Allow-Origin: *), like the OAuth discovery endpoints.",
  allowlist: 'Only the allowed origins, with credentials; other origins get 403. This is what applies where no route matches.',
  'opt-in': 'Like allowlist, but only while the named setting is on and only on the listed hosts (like the OAuth token endpoint); otherwise 403.',
  closed: 'Never CORS: any cross-origin request gets 403, so other sites can never read it.',
};

const hostsText = (hosts: string[] | undefined, kind: string) =>
  hosts?.includes('*') ? 'any host' : hosts && hosts.length ? hosts.join(', ') : kind === 'opt-in' ? 'no host (enabled nowhere)' : 'any host';
const splitList = (s: string) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);

export function RoutesPage({ me }: { me: Me }) {
  const writable = can(me, 'customize-application');
  const [routes, setRoutes] = useState<Route[]>([]);
  const [builtIn, setBuiltIn] = useState<Route[]>([]);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    api<{ items: Route[]; builtIn?: Route[] }>('GET', '/api/routes').then((r) => { setRoutes(r.items); setBuiltIn(r.builtIn ?? []); }, setError);
    api<Settings>('GET', '/api/settings').then(setSettings, setError);
  }, [reload]);
  const refresh = () => setReload((n) => n + 1);
  const [busy, busyWith] = useBusy();

  const saveSettings = (patch: Partial<Settings>) => {
    setError(null);
    // Show the new value at once; a refused save reloads the stored one.
    if (settings) setSettings({ ...settings, ...patch });
    return busyWith(async () => {
      setSettings(await api<Settings>('PUT', '/api/settings', patch));
      refresh();
    }, (err) => {
      setError(err);
      refresh();
    });
  };
  const remove = (r: Route) => {
    if (!confirm(`Delete the ${r.kind} route for ${r.paths.join(', ')}?`)) return;
    setError(null);
    return busyWith(async () => {
      await api('DELETE', `/api/routes/${encodeURIComponent(r.id)}`);
      refresh();
    }, setError);
  };
  // The gateway's own order: highest priority first, then creation order.
  const all = useMemo(() => [...routes.map((r) => ({ ...r, builtIn: false })), ...builtIn.map((r) => ({ ...r, builtIn: true }))].sort((a, b) => b.priority - a.priority), [routes, builtIn]);

  return (
    <div>
      <h1>Routes & endpoint rules</h1>
      <p>Each request is matched by host and path against the routes below, highest priority first; the first match decides how CORS is answered. A request no route matches uses the allowlist.</p>
      {!writable && <ReadOnly what="routes and settings" needs="customize-application" />}
      <ErrorText error={error} />
      <Busy busy={busy} />
      {settings && <SettingsCard settings={settings} writable={writable && !busy} onSave={saveSettings} />}
      <section aria-labelledby="kinds-title">
        <h2 id="kinds-title">The four kinds of route</h2>
        <dl class="kinds">{Object.entries(KINDS).map(([k, v]) => [<dt key={`t${k}`}><code>{k}</code></dt>, <dd key={`d${k}`}>{v}</dd>])}</dl>
      </section>
      <section aria-labelledby="routes-title">
        <h2 id="routes-title">Routes in force</h2>
        <table class="list">
          <caption class="sr-only">Routes, in the order the gateway tries them</caption>
          <thead><tr><th scope="col">Priority</th><th scope="col">Kind</th><th scope="col">Hosts</th><th scope="col">Paths</th><th scope="col">Needs setting</th><th scope="col">CSP</th><th scope="col">From</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {all.map((r) => (
              <tr key={r.id}>
                <td data-label="Priority">{r.priority}</td>
                <td data-label="Kind"><code>{r.kind}</code></td>
                <td data-label="Hosts">{hostsText(r.hosts, r.kind)}</td>
                <td data-label="Paths">{r.paths.map((p) => <code key={p} class="chip">{p}</code>)}</td>
                <td data-label={r.setting ? 'Needs setting' : undefined}>{r.setting ? <>{r.setting} <span class="muted">({settings && (settings as unknown as Record<string, unknown>)[r.setting] === true ? 'on' : 'off'})</span></> : ''}</td>
                <td data-label={r.csp ? 'CSP' : undefined}>{r.csp ? 'yes' : ''}</td>
                <td data-label="From">{r.builtIn ? 'OAuth preset' : r.description || 'custom'}</td>
                <td class="actions">{!r.builtIn && <button type="button" class="danger" disabled={!writable || busy} onClick={() => remove(r)} aria-label={`Delete route ${r.paths.join(', ')}`}>Delete</button>}</td>
              </tr>
            ))}
            <tr><td data-label="Priority">—</td><td data-label="Kind"><code>allowlist</code></td><td data-label="Hosts">any host</td><td data-label="Paths">everything else</td><td /><td data-label={settings?.cspOnDefaultRoute ? 'CSP' : undefined}>{settings?.cspOnDefaultRoute ? 'yes' : ''}</td><td data-label="From">default</td><td /></tr>
          </tbody>
        </table>
      </section>
      {settings && <WhichRule routes={routes} settings={settings} />}
      <AddRoute writable={writable} onAdded={refresh} />
    </div>
  );
}

function SettingsCard({ settings, writable, onSave }: { settings: Settings; writable: boolean; onSave: (patch: Partial<Settings>) => void }) {
  const [myDomain, setMyDomain] = useState(settings.myDomainHosts.join(', '));
  const [experience, setExperience] = useState(settings.experienceCloudHosts.join(', '));
  const [refused, setRefused] = useState(String(settings.refusedStatus));
  useEffect(() => {
    setMyDomain(settings.myDomainHosts.join(', '));
    setExperience(settings.experienceCloudHosts.join(', '));
    setRefused(String(settings.refusedStatus));
  }, [settings]);
  const refusedOk = /^4\d\d$/.test(refused.trim());
  return (
    <section class="card" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <div class="setting">
        <label class="check"><input type="checkbox" disabled={!writable} checked={settings.oauthPreset} aria-describedby="help-preset" onChange={(e) => onSave({ oauthPreset: e.currentTarget.checked })} /> OAuth preset: apply Salesforce's OAuth endpoint layout</label>
        <p id="help-preset" class="muted">Adds built-in routes for <code>/services/oauth2/*</code> and <code>/services/auth/*</code>: discovery endpoints (OpenID configuration, JWKS) are open to any site, userinfo follows the allowlist, the token family follows the next setting, every other OAuth endpoint is closed.</p>
      </div>
      <div class="setting">
        <label class="check"><input type="checkbox" disabled={!writable} checked={settings.corsForOAuthEndpoints} aria-describedby="help-oauth" onChange={(e) => onSave({ corsForOAuthEndpoints: e.currentTarget.checked })} /> Enable CORS for OAuth endpoints</label>
        <p id="help-oauth" class="muted">When on, allowed origins may call the OAuth token, revoke, introspect, authorize and PKCE endpoints from the browser, on the My Domain and Experience Cloud hosts below; when off, those endpoints refuse cross-origin requests (Salesforce's default).</p>
      </div>
      <div class="row">
        <div>
          <label for="set-mydomain">My Domain hosts</label>
          <input id="set-mydomain" disabled={!writable} value={myDomain} aria-describedby="help-mydomain" onInput={(e) => setMyDomain(e.currentTarget.value)} />
          <p id="help-mydomain" class="muted">Hosts where the OAuth token endpoints may use CORS (comma-separated, <code>*.example.com</code> for subdomains, <code>*</code> for any host).</p>
        </div>
        <div>
          <label for="set-experience">Experience Cloud hosts</label>
          <input id="set-experience" disabled={!writable} value={experience} aria-describedby="help-experience" onInput={(e) => setExperience(e.currentTarget.value)} />
          <p id="help-experience" class="muted">Site hosts where the token endpoints and the headless identity endpoints (registration, passwordless login, forgot password) may use CORS.</p>
        </div>
        <div>
          <label for="set-refused">Status for a refused origin</label>
          <input id="set-refused" disabled={!writable} inputMode="numeric" value={refused} aria-invalid={refusedOk ? 'false' : 'true'} aria-describedby="help-refused" onInput={(e) => setRefused(e.currentTarget.value)} />
          <p id="help-refused" class={refusedOk ? 'muted' : 'error'}>{refusedOk ? 'The HTTP status the gateway answers when an origin is not allowed (403, as Salesforce does).' : 'Use a 4xx status from 400 to 499, for example 403.'}</p>
        </div>
      </div>
      <button type="button" disabled={!writable || !refusedOk} onClick={() => onSave({ myDomainHosts: splitList(myDomain), experienceCloudHosts: splitList(experience), refusedStatus: Number(refused.trim()) })}>Save hosts and status</button>
      <div class="setting">
        <label class="check"><input type="checkbox" disabled={!writable} checked={settings.cspOnDefaultRoute} aria-describedby="help-cspdefault" onChange={(e) => onSave({ cspOnDefaultRoute: e.currentTarget.checked })} /> Send the trusted-sites CSP on pages no route matches</label>
        <p id="help-cspdefault" class="muted">Adds the Content-Security-Policy built from Trusted sites to HTML responses of requests that fall through to the default allowlist rule (routes choose it with their own CSP box).</p>
      </div>
    </section>
  );
}

/** Answers "which rule applies to this URL?" with the gateway's own matcher. */
function WhichRule({ routes, settings }: { routes: Route[]; settings: Settings }) {
  const [url, setUrl] = useState('');
  const compiled = useMemo(() => compileRoutes(routes, settings), [routes, settings]);
  let answer: string | null = null;
  let problem: string | null = null;
  if (url.trim()) {
    try {
      const u = new URL(url.trim().includes('://') ? url.trim() : `https://${url.trim()}`);
      const hit = matchRoute(compiled, u.hostname.toLowerCase().replace(/\.$/, ''), u.pathname);
      if (!hit) answer = `No route matches ${u.hostname}${u.pathname}: the allowlist applies (allowed origins with credentials, others 403).`;
      else {
        const on = hit.setting ? (settings as unknown as Record<string, unknown>)[hit.setting] === true : true;
        answer = `${hit.builtIn ? 'The OAuth preset' : 'Your'} ${hit.kind} route (priority ${hit.priority}) applies: ${KINDS[hit.kind]}${hit.setting ? ` The setting ${hit.setting} is ${on ? 'on' : 'off'}, so CORS is ${on ? 'answered for allowed origins on this host' : 'refused here'}.` : ''}`;
      }
    } catch {
      problem = 'Enter a URL such as https://login.example.com/services/oauth2/token or a host and path.';
    }
  }
  return (
    <section class="card" aria-labelledby="which-title">
      <h2 id="which-title">Which rule applies?</h2>
      <label for="which-url">URL at the gateway</label>
      <input id="which-url" value={url} placeholder="https://api.example.com/services/oauth2/token" spellcheck={false} onInput={(e) => setUrl(e.currentTarget.value)} />
      <p aria-live="polite" class={problem ? 'error' : ''}>{problem ?? answer ?? ''}</p>
    </section>
  );
}

function AddRoute({ writable, onAdded }: { writable: boolean; onAdded: () => void }) {
  const [kind, setKind] = useState<RouteFields['kind']>('public');
  const [paths, setPaths] = useState('');
  const [hosts, setHosts] = useState('');
  const [setting, setSetting] = useState('corsForOAuthEndpoints');
  const [priority, setPriority] = useState('0');
  const [csp, setCsp] = useState(false);
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>(null);
  const pathList = splitList(paths);
  const badPath = pathList.find((p) => !(p.startsWith('/') || p === '*'));
  const priorityOk = /^-?\d+$/.test(priority.trim()) && Number(priority) <= 999_999 && Number(priority) >= -1_000_000;
  const [busy, busyWith] = useBusy();
  const add = (e: Event) => {
    e.preventDefault();
    setError(null);
    return busyWith(async () => {
      const hostList = splitList(hosts);
      await api('POST', '/api/routes', { kind, paths: pathList, priority: Number(priority), ...(hostList.length ? { hosts: hostList } : {}), ...(kind === 'opt-in' ? { setting } : {}), ...(csp ? { csp } : {}), ...(description ? { description } : {}) });
      setPaths('');
      setHosts('');
      setDescription('');
      onAdded();
    }, setError);
  };
  return (
    <form class="card" onSubmit={add} aria-labelledby="route-title">
      <h2 id="route-title">Add a route</h2>
      <div class="row">
        <div>
          <label for="route-kind">Kind</label>
          <select id="route-kind" disabled={!writable} value={kind} aria-describedby="route-kind-help" onChange={(e) => setKind(e.currentTarget.value as RouteFields['kind'])}>
            {Object.keys(KINDS).map((k) => <option key={k} value={k}>{k}</option>)}
          </select>
          <p id="route-kind-help" class="muted">{KINDS[kind]}</p>
        </div>
        <div>
          <label for="route-paths">Paths</label>
          <input id="route-paths" disabled={!writable} value={paths} placeholder="/public/*, /health" aria-invalid={badPath ? 'true' : 'false'} aria-describedby="route-paths-help" onInput={(e) => setPaths(e.currentTarget.value)} />
          <p id="route-paths-help" class={badPath ? 'error' : 'muted'}>{badPath ? `"${badPath}" must start with / (or be * for every path).` : 'Comma-separated; exact (/health) or a prefix ending in /* (/public/*).'}</p>
        </div>
        <div>
          <label for="route-hosts">Hosts</label>
          <input id="route-hosts" disabled={!writable} value={hosts} placeholder="any host" aria-describedby="route-hosts-help" onInput={(e) => setHosts(e.currentTarget.value)} />
          <p id="route-hosts-help" class="muted">{kind === 'opt-in' ? 'Required for opt-in routes: the hosts where CORS may be turned on (* for any).' : 'Empty for any host; api.example.com or *.example.com.'}</p>
        </div>
        {kind === 'opt-in' && (
          <div>
            <label for="route-setting">Setting that turns it on</label>
            <input id="route-setting" disabled={!writable} value={setting} onInput={(e) => setSetting(e.currentTarget.value)} />
          </div>
        )}
        <div>
          <label for="route-priority">Priority</label>
          <input id="route-priority" disabled={!writable} inputMode="numeric" value={priority} aria-invalid={priorityOk ? 'false' : 'true'} aria-describedby="route-priority-help" onInput={(e) => setPriority(e.currentTarget.value)} />
          <p id="route-priority-help" class={priorityOk ? 'muted' : 'error'}>{priorityOk ? 'Higher is tried first (the OAuth preset uses 1,000,000 and up).' : 'A whole number from -1000000 to 999999.'}</p>
        </div>
        <div>
          <label for="route-description">Description</label>
          <input id="route-description" disabled={!writable} value={description} maxLength={255} onInput={(e) => setDescription(e.currentTarget.value)} />
        </div>
      </div>
      <label class="check"><input type="checkbox" disabled={!writable} checked={csp} onChange={(e) => setCsp(e.currentTarget.checked)} /> Send the trusted-sites Content-Security-Policy on HTML pages of this route</label>
      <div><button type="submit" disabled={!writable || busy || pathList.length === 0 || !!badPath || !priorityOk}>Add route</button><Busy busy={busy} what="Adding" /></div>
      <ErrorText error={error} />
    </form>
  );
}
