/** The routes page's route form: add a route, or edit one. */
import { useEffect, useState } from 'preact/hooks';
import { checkUpstreamUrl } from '../../../src/gateway/routes.js';
import type { RouteFields } from '../../../src/store/types.js';
import { api } from '../api.js';
import { ErrorText, notify } from '../components.js';
import { Busy, useBusy } from '../kit.js';
import {
  DescriptionField,
  fieldId,
  KindField,
  pathsText,
  PriorityField,
  splitList,
  UpstreamField,
  type ListedRoute,
} from './route-fields.js';

/** The form's fields, as typed, and `reset` to a route's values (or the add form's defaults); follows `editing`. */
function useRouteDraft(editing: ListedRoute | null) {
  const [kind, setKind] = useState<RouteFields['kind']>('public');
  const [paths, setPaths] = useState('');
  const [hosts, setHosts] = useState('');
  const [setting, setSetting] = useState('corsForOAuthEndpoints');
  const [priority, setPriority] = useState('0');
  const [csp, setCsp] = useState(false);
  const [description, setDescription] = useState('');
  const [upstream, setUpstream] = useState('');
  const [websocket, setWebsocket] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const reset = (r: ListedRoute | null) => {
    setKind(r?.kind ?? 'public');
    setPaths(r ? r.paths.join(', ') : '');
    setHosts(r?.hosts?.join(', ') ?? '');
    setSetting(r?.setting ?? 'corsForOAuthEndpoints');
    setPriority(String(r?.priority ?? 0));
    setCsp(r?.csp === true);
    setDescription(r?.description ?? '');
    setUpstream(r?.upstream ?? '');
    setWebsocket(r?.websocket !== false);
    setError(null);
  };
  useEffect(() => reset(editing), [editing]);
  return {
    kind,
    setKind,
    paths,
    setPaths,
    hosts,
    setHosts,
    setting,
    setSetting,
    priority,
    setPriority,
    csp,
    setCsp,
    description,
    setDescription,
    upstream,
    setUpstream,
    websocket,
    setWebsocket,
    error,
    setError,
    reset,
  };
}

type Draft = ReturnType<typeof useRouteDraft>;

/** What the form checks as you type: the path list, a path that does not start with /, the priority, the upstream. */
function checksOf({ paths, priority, upstream }: Draft) {
  const pathList = splitList(paths);
  const badPath = pathList.find((p) => !(p.startsWith('/') || p === '*'));
  const priorityOk =
    /^-?\d+$/.test(priority.trim()) && Number(priority) <= 999_999 && Number(priority) >= -1_000_000;
  const upstreamOk = upstream.trim() === '' || checkUpstreamUrl(upstream.trim()) === null;
  return { pathList, badPath, priorityOk, upstreamOk };
}

/** The API's body for the draft: only the fields that say something. */
function routeBody(
  { kind, hosts, setting, priority, csp, websocket, upstream, description }: Draft,
  pathList: string[],
) {
  const hostList = splitList(hosts);
  return {
    kind,
    paths: pathList,
    priority: Number(priority),
    ...(hostList.length ? { hosts: hostList } : {}),
    ...(kind === 'opt-in' ? { setting } : {}),
    ...(csp ? { csp } : {}),
    ...(websocket ? {} : { websocket: false }),
    ...(upstream.trim() ? { upstream: upstream.trim() } : {}),
    ...(description ? { description } : {}),
  };
}

/** The WebSocket and CSP boxes. */
function RouteChecks({ draft, writable }: { draft: Draft; writable: boolean }) {
  return (
    <>
      <label class="check">
        <input
          type="checkbox"
          disabled={!writable}
          checked={draft.websocket}
          onChange={(e) => draft.setWebsocket(e.currentTarget.checked)}
        />{' '}
        Allow WebSocket connections (decided by this route's origins, like CORS; unchecked refuses every
        handshake with 403)
      </label>
      <label class="check">
        <input
          type="checkbox"
          disabled={!writable}
          checked={draft.csp}
          onChange={(e) => draft.setCsp(e.currentTarget.checked)}
        />{' '}
        Send the trusted-sites Content-Security-Policy on HTML pages of this route
      </label>
    </>
  );
}

/** Adds a route, or edits `editing` (a custom route) and hands back when saved or cancelled. */
export function RouteForm({
  writable,
  editing,
  onSaved,
  onCancel,
}: {
  writable: boolean;
  editing: ListedRoute | null;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const draft = useRouteDraft(editing);
  const { kind, reset, setError } = draft;
  const { pathList, badPath, priorityOk, upstreamOk } = checksOf(draft);
  const [busy, busyWith] = useBusy();
  const submit = (e: Event) => {
    e.preventDefault();
    setError(null);
    return busyWith(async () => {
      const body = routeBody(draft, pathList);
      await api(
        editing ? 'PUT' : 'POST',
        editing ? `/api/routes/${encodeURIComponent(editing.id)}` : '/api/routes',
        body,
      );
      notify(
        `${editing ? 'Saved the' : 'Added a'} ${kind} route for ${pathList.join(', ')}: in force at the gateway now.`,
      );
      reset(null);
      onSaved();
    }, setError);
  };
  const title = editing ? `Edit the route for ${pathsText(editing)}` : 'Add a route';
  return (
    <form class="card" onSubmit={submit} aria-label={title}>
      {/* The add form sits in a <details> whose summary is its heading. */}
      {editing && <h2>{title}</h2>}
      <RouteFieldsRow
        draft={draft}
        writable={writable}
        badPath={badPath}
        priorityOk={priorityOk}
        upstreamOk={upstreamOk}
      />
      <RouteChecks draft={draft} writable={writable} />
      <div>
        <button
          type="submit"
          disabled={!writable || busy || pathList.length === 0 || !!badPath || !priorityOk || !upstreamOk}
        >
          {editing ? 'Save route' : 'Add route'}
        </button>
        {editing && (
          <button
            type="button"
            class="secondary"
            onClick={() => {
              reset(null);
              onCancel();
            }}
          >
            Cancel
          </button>
        )}
        <Busy busy={busy} what={editing ? 'Saving' : 'Adding'} />
      </div>
      <ErrorText error={draft.error} />
    </form>
  );
}

interface RowProps {
  draft: Draft;
  writable: boolean;
  badPath: string | undefined;
  priorityOk: boolean;
  upstreamOk: boolean;
}

/** The route's fields side by side: kind, paths, hosts, the opt-in setting, priority, upstream, description. */
function RouteFieldsRow({ draft, writable, badPath, priorityOk, upstreamOk }: RowProps) {
  const { kind, paths, hosts, setting, priority, upstream, description } = draft;
  const id = fieldId;
  return (
    <div class="row">
      <KindField writable={writable} kind={kind} onChange={draft.setKind} />
      <div>
        <label for={id('paths')}>Paths</label>
        <input
          id={id('paths')}
          disabled={!writable}
          value={paths}
          placeholder="/public/*, /health"
          aria-invalid={badPath ? 'true' : 'false'}
          aria-describedby={id('paths-help')}
          onInput={(e) => draft.setPaths(e.currentTarget.value)}
        />
        <p id={id('paths-help')} class={badPath ? 'error' : 'muted'}>
          {badPath
            ? `"${badPath}" must start with / (or be * for every path).`
            : 'Comma-separated; exact (/health) or a prefix ending in /* (/public/*).'}
        </p>
      </div>
      <div>
        <label for={id('hosts')}>Hosts</label>
        <input
          id={id('hosts')}
          disabled={!writable}
          value={hosts}
          placeholder="any host"
          aria-describedby={id('hosts-help')}
          onInput={(e) => draft.setHosts(e.currentTarget.value)}
        />
        <p id={id('hosts-help')} class="muted">
          {kind === 'opt-in'
            ? 'Required for opt-in routes: the hosts where CORS may be turned on (* for any).'
            : 'Empty for any host; api.example.com or *.example.com.'}
        </p>
      </div>
      {kind === 'opt-in' && (
        <div>
          <label for={id('setting')}>Setting that turns it on</label>
          <input
            id={id('setting')}
            disabled={!writable}
            value={setting}
            onInput={(e) => draft.setSetting(e.currentTarget.value)}
          />
        </div>
      )}
      <PriorityField writable={writable} priority={priority} ok={priorityOk} onChange={draft.setPriority} />
      <UpstreamField writable={writable} upstream={upstream} ok={upstreamOk} onChange={draft.setUpstream} />
      <DescriptionField writable={writable} description={description} onChange={draft.setDescription} />
    </div>
  );
}
