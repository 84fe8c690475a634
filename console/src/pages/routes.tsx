/** Routes and endpoint rules: which CORS regime applies to which host and path, and the Salesforce OAuth preset. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Settings } from '../../../src/store/types.js';
import { api, canChange, type Me } from '../api.js';
import { ErrorText, notify } from '../components.js';
import { Busy, ReadOnly, useApi, useBusy } from '../kit.js';
import { CorsOptionsCard } from './cors-options.js';
import { KINDS, pathsText, type ListedRoute } from './route-fields.js';
import { RouteForm } from './route-form.js';
import { WhichRule } from './route-which.js';
import { SettingsCard } from './route-settings.js';
import { RoutesTable } from './routes-table.js';

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
  const { busy, saveSettings, remove } = useRouteActions({
    settings,
    setSettings,
    setError,
    editing,
    setEditing,
    refresh,
  });
  const edit = (r: ListedRoute) => {
    setEditing(r);
    formRef.current?.scrollIntoView({ block: 'start' });
  };
  const items = routes.data?.items ?? [];
  // The gateway's own order: highest priority first, then creation order.
  const all = useMemo(
    () =>
      [
        ...items.map((r) => ({ ...r, builtIn: false })),
        ...(routes.data?.builtIn ?? []).map((r) => ({ ...r, builtIn: true })),
      ].sort((a, b) => b.priority - a.priority),
    [routes.data],
  );

  return (
    <div class="routes-page">
      <h1>Routes & endpoint rules</h1>
      <p>
        Each request is matched by host and path against the routes below, highest priority first; the first
        match decides how CORS is answered. A request no route matches uses the allowlist.
      </p>
      <ReadOnly me={me} what="routes and settings" needs="customize-application" />
      <ErrorText error={error ?? routes.error ?? stored.error} />
      <Busy busy={busy} />
      {settings && <SettingsCard settings={settings} writable={writable && !busy} onSave={saveSettings} />}
      {settings && (
        <CorsOptionsCard
          settings={settings}
          writable={canChange(me, 'modify-all-data') && !busy}
          onSave={saveSettings}
        />
      )}
      <KindsBox />
      <RoutesTable
        routes={all}
        loading={routes.loading}
        editing={editing}
        settings={settings}
        writable={writable && !busy}
        onEdit={edit}
        onRemove={remove}
      />
      {settings && <WhichRule routes={items} settings={settings} />}
      <div ref={formRef}>
        <RouteFormArea writable={writable} editing={editing} setEditing={setEditing} refresh={refresh} />
      </div>
    </div>
  );
}

interface ActionDeps {
  settings: Settings | null;
  setSettings: (s: Settings) => void;
  setError: (err: unknown) => void;
  editing: ListedRoute | null;
  setEditing: (r: ListedRoute | null) => void;
  refresh: () => void;
}

/** Saving a settings patch (shown at once, reloaded when refused) and deleting a route; `busy` while one runs. */
function useRouteActions({ settings, setSettings, setError, editing, setEditing, refresh }: ActionDeps) {
  const [busy, busyWith] = useBusy();

  const saveSettings = (patch: Partial<Settings>, done: string) => {
    setError(null);
    // Show the new value at once; a refused save reloads the stored one.
    if (settings) setSettings({ ...settings, ...patch });
    return busyWith(
      async () => {
        setSettings(await api<Settings>('PUT', '/api/settings', patch));
        notify(done);
        refresh();
      },
      (err) => {
        setError(err);
        refresh();
      },
    );
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
  return { busy, saveSettings, remove };
}

/** What each kind of route does, folded. */
function KindsBox() {
  return (
    <details class="kinds-box">
      <summary>The four kinds of route</summary>
      <dl class="kinds">
        {Object.entries(KINDS).map(([k, v]) => [
          <dt key={`t${k}`}>
            <code>{k}</code>
          </dt>,
          <dd key={`d${k}`}>{v}</dd>,
        ])}
      </dl>
    </details>
  );
}

/** The route form: editing the chosen route, or (folded on a phone) adding one. */
function RouteFormArea({
  writable,
  editing,
  setEditing,
  refresh,
}: {
  writable: boolean;
  editing: ListedRoute | null;
  setEditing: (r: ListedRoute | null) => void;
  refresh: () => void;
}) {
  return (
    <>
      {editing ? (
        <RouteForm
          writable={writable}
          editing={editing}
          onSaved={() => {
            setEditing(null);
            refresh();
          }}
          onCancel={() => setEditing(null)}
        />
      ) : (
        <details class="form-box" open={wide()}>
          <summary>Add a route</summary>
          <RouteForm writable={writable} editing={null} onSaved={refresh} onCancel={() => undefined} />
        </details>
      )}
    </>
  );
}
