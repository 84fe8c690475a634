/** Routes and endpoint rules: which policy applies where, and the Salesforce OAuth preset. */
import { useEffect, useState } from 'preact/hooks';
import { api, can, type Me } from '../api.js';
import { ErrorText, ReadOnly } from '../components.js';

interface Route {
  id?: string;
  kind: 'public' | 'allowlist' | 'opt-in' | 'closed';
  hosts?: string[];
  paths: string[];
  setting?: string;
  csp?: boolean;
  priority?: number;
  builtIn?: boolean;
}
type Settings = Record<string, unknown> & { corsForOAuthEndpoints?: boolean; oauthPreset?: boolean };

const KINDS: Record<Route['kind'], string> = {
  public: 'Any origin may read it, without credentials (like the OAuth discovery endpoints).',
  allowlist: 'Only allowlisted origins, with credentials; others get 403. The default for everything.',
  'opt-in': 'CORS only while the named setting is on, and only on the listed hosts (like the OAuth token endpoint).',
  closed: 'Never CORS: cross-origin pages can never read it.',
};

export function RoutesPage({ me }: { me: Me }) {
  const writable = can(me, 'customize-application');
  const [routes, setRoutes] = useState<Route[]>([]);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reload, setReload] = useState(0);
  const [draft, setDraft] = useState<Route>({ kind: 'public', paths: [] });
  useEffect(() => {
    api<{ items: Route[] }>('GET', '/api/routes').then((r) => setRoutes(r.items), setError);
    api<Settings>('GET', '/api/settings').then(setSettings, setError);
  }, [reload]);

  const toggle = async (key: 'corsForOAuthEndpoints' | 'oauthPreset', value: boolean) => {
    try {
      setSettings(await api<Settings>('PUT', '/api/settings', { [key]: value }));
      setReload((n) => n + 1);
    } catch (err) {
      setError(err);
    }
  };
  const add = async (e: Event) => {
    e.preventDefault();
    try {
      await api('POST', '/api/routes', draft);
      setDraft({ kind: 'public', paths: [] });
      setReload((n) => n + 1);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div>
      <h1>Routes & endpoint rules</h1>
      {!writable && <ReadOnly what="routes and settings" />}
      <ErrorText error={error} />
      {settings && (
        <section class="card" aria-labelledby="settings-title">
          <h2 id="settings-title">Settings</h2>
          <label class="check"><input type="checkbox" disabled={!writable} checked={!!settings.oauthPreset} onChange={(e) => toggle('oauthPreset', e.currentTarget.checked)} /> Apply Salesforce's OAuth endpoint layout</label>
          <p class="muted">Discovery endpoints (OpenID configuration, auth configuration, JWKS) are always open; token, revoke, introspect, authorize and the PKCE generator follow the next setting.</p>
          <label class="check"><input type="checkbox" disabled={!writable} checked={!!settings.corsForOAuthEndpoints} onChange={(e) => toggle('corsForOAuthEndpoints', e.currentTarget.checked)} /> Enable CORS for OAuth endpoints</label>
          <p class="muted">When on, allowlisted origins may call the OAuth token and similar endpoints from the browser, on the host names the preset lists.</p>
        </section>
      )}
      <dl class="kinds">{Object.entries(KINDS).map(([k, v]) => [<dt key={`t${k}`}><code>{k}</code></dt>, <dd key={`d${k}`}>{v}</dd>])}</dl>
      <table class="list">
        <thead><tr><th scope="col">Kind</th><th scope="col">Paths</th><th scope="col">Hosts</th><th scope="col">Setting</th><th scope="col">CSP</th><th scope="col">Origin</th></tr></thead>
        <tbody>
          {routes.map((r, i) => (
            <tr key={r.id ?? i}><td><code>{r.kind}</code></td><td>{r.paths.join(', ')}</td><td>{r.hosts?.join(', ') ?? 'any'}</td><td>{r.setting ?? ''}</td><td>{r.csp ? 'yes' : ''}</td><td>{r.builtIn ? 'OAuth preset' : 'custom'}</td></tr>
          ))}
        </tbody>
      </table>
      <form class="card" onSubmit={add} aria-labelledby="route-title">
        <h2 id="route-title">Add a route</h2>
        <div class="row">
          <div>
            <label for="route-kind">Kind</label>
            <select id="route-kind" disabled={!writable} value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.currentTarget.value as Route['kind'] })}>
              {Object.keys(KINDS).map((k) => <option key={k} value={k}>{k}</option>)}
            </select>
          </div>
          <div><label for="route-paths">Paths (comma-separated, * as a suffix wildcard)</label><input id="route-paths" disabled={!writable} value={draft.paths.join(', ')} onInput={(e) => setDraft({ ...draft, paths: e.currentTarget.value.split(',').map((s) => s.trim()).filter(Boolean) })} /></div>
          {draft.kind === 'opt-in' && <div><label for="route-setting">Setting</label><input id="route-setting" disabled={!writable} value={draft.setting ?? ''} onInput={(e) => setDraft({ ...draft, setting: e.currentTarget.value })} /></div>}
        </div>
        <button type="submit" disabled={!writable || draft.paths.length === 0}>Add route</button>
      </form>
    </div>
  );
}
