/** The routes in force, in the order the gateway tries them, then the default rule. */
import type { Settings } from '../../../src/store/types.js';
import { pathsText, type ListedRoute } from './route-fields.js';

const hostsText = (hosts: string[] | undefined, kind: string) =>
  hosts?.includes('*')
    ? 'any host'
    : hosts && hosts.length
      ? hosts.join(', ')
      : kind === 'opt-in'
        ? 'no host (enabled nowhere)'
        : 'any host';

/** Every route in force, the gateway's order, then the default rule. */
export function RoutesTable({
  routes,
  loading,
  editing,
  settings,
  writable,
  onEdit,
  onRemove,
}: {
  routes: ListedRoute[];
  loading: boolean;
  editing: ListedRoute | null;
  settings: Settings | null;
  writable: boolean;
  onEdit: (r: ListedRoute) => void;
  onRemove: (r: ListedRoute) => void;
}) {
  const settingOn = (name: string) =>
    settings !== null && (settings as unknown as Record<string, unknown>)[name] === true;
  return (
    <section aria-labelledby="routes-title">
      <h2 id="routes-title">Routes in force</h2>
      <table class="list routes" aria-busy={loading ? 'true' : 'false'}>
        <caption class="sr-only">Routes, in the order the gateway tries them</caption>
        <thead>
          <tr>
            <th scope="col">Priority</th>
            <th scope="col">Kind</th>
            <th scope="col">From</th>
            <th scope="col">Hosts</th>
            <th scope="col">Paths</th>
            <th scope="col">Needs setting</th>
            <th scope="col">CSP</th>
            <th scope="col">Upstream</th>
            <th scope="col">WebSocket</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {routes.map((r) => (
            <RouteRow
              key={r.id}
              r={r}
              editing={editing}
              settingOn={settingOn}
              writable={writable}
              onEdit={onEdit}
              onRemove={onRemove}
            />
          ))}
          <tr>
            <td class="inline" data-label="Priority">
              —
            </td>
            <td class="inline kind">
              <code>allowlist</code>
            </td>
            <td class="inline from" data-label="From">
              default
            </td>
            <td data-label="Hosts">any host</td>
            <td class="paths">everything else</td>
            <td />
            <td data-label={settings?.cspOnDefaultRoute ? 'CSP' : undefined}>
              {settings?.cspOnDefaultRoute ? 'yes' : ''}
            </td>
            <td data-label="Upstream">default</td>
            <td />
            <td />
          </tr>
        </tbody>
      </table>
    </section>
  );
}

interface RowProps {
  r: ListedRoute;
  editing: ListedRoute | null;
  settingOn: (name: string) => boolean;
  writable: boolean;
  onEdit: (r: ListedRoute) => void;
  onRemove: (r: ListedRoute) => void;
}

/** One route: where it applies, what it needs, and Edit and Delete unless the preset built it. */
function RouteRow({ r, editing, settingOn, writable, onEdit, onRemove }: RowProps) {
  return (
    <tr class={editing?.id === r.id ? 'editing' : undefined}>
      <td class="inline" data-label="Priority">
        {r.priority}
      </td>
      <td class="inline kind">
        <code>{r.kind}</code>
      </td>
      <td class="inline from" data-label="From">
        {r.builtIn ? 'OAuth preset' : r.description || 'custom'}
      </td>
      <td data-label="Hosts">{hostsText(r.hosts, r.kind)}</td>
      <td class="paths">
        <span class="sr-only">Paths: </span>
        {r.paths.map((p) => (
          <code key={p} class="chip">
            {p}
          </code>
        ))}
      </td>
      <td data-label={r.setting ? 'Needs setting' : undefined}>
        {r.setting ? (
          <>
            {r.setting} <span class="muted">({settingOn(r.setting) ? 'on' : 'off'})</span>
          </>
        ) : (
          ''
        )}
      </td>
      <td data-label={r.csp ? 'CSP' : undefined}>{r.csp ? 'yes' : ''}</td>
      <td data-label={r.upstream ? 'Upstream' : undefined}>{r.upstream ? <code>{r.upstream}</code> : ''}</td>
      <td data-label={r.websocket === false ? 'WebSocket' : undefined}>
        {r.websocket === false ? 'refused' : ''}
      </td>
      <td class="actions">
        {!r.builtIn && (
          <>
            <button
              type="button"
              class="secondary"
              disabled={!writable}
              onClick={() => onEdit(r)}
              aria-label={`Edit route ${pathsText(r)}`}
            >
              Edit
            </button>
            <button
              type="button"
              class="danger"
              disabled={!writable}
              onClick={() => onRemove(r)}
              aria-label={`Delete route ${pathsText(r)}`}
            >
              Delete
            </button>
          </>
        )}
      </td>
    </tr>
  );
}
