/** The route form's fields, and the names every routes-page file shares (the kinds, path and host lists). */
import type { RouteFields } from '../../../src/store/types.js';

export type ListedRoute = RouteFields & { id: string; builtIn?: boolean };

export const KINDS: Record<RouteFields['kind'], string> = {
  public:
    'Any origin may read it, without credentials (Access-Control-Allow-Origin: *), like the OAuth discovery endpoints.',
  allowlist:
    'Only the allowed origins, with credentials; other origins get 403. This is what applies where no route matches.',
  'opt-in':
    'Like allowlist, but only while the named setting is on and only on the listed hosts (like the OAuth token endpoint); otherwise 403.',
  closed: 'Never CORS: any cross-origin request gets 403, so other sites can never read it.',
};

export const splitList = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);
export const pathsText = (r: { paths: string[] }) => r.paths.join(', ');

export const fieldId = (name: string) => `route-${name}`;

export function KindField({
  writable,
  kind,
  onChange,
}: {
  writable: boolean;
  kind: RouteFields['kind'];
  onChange: (kind: RouteFields['kind']) => void;
}) {
  const id = fieldId;
  return (
    <div>
      <label for={id('kind')}>Kind</label>
      <select
        id={id('kind')}
        disabled={!writable}
        value={kind}
        aria-describedby={id('kind-help')}
        onChange={(e) => onChange(e.currentTarget.value as RouteFields['kind'])}
      >
        {Object.keys(KINDS).map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
      <p id={id('kind-help')} class="muted">
        {KINDS[kind]}
      </p>
    </div>
  );
}

export function PriorityField({
  writable,
  priority,
  ok,
  onChange,
}: {
  writable: boolean;
  priority: string;
  ok: boolean;
  onChange: (value: string) => void;
}) {
  const id = fieldId;
  return (
    <div>
      <label for={id('priority')}>Priority</label>
      <input
        id={id('priority')}
        disabled={!writable}
        inputMode="numeric"
        value={priority}
        aria-invalid={ok ? 'false' : 'true'}
        aria-describedby={id('priority-help')}
        onInput={(e) => onChange(e.currentTarget.value)}
      />
      <p id={id('priority-help')} class={ok ? 'muted' : 'error'}>
        {ok
          ? 'Higher is tried first (the OAuth preset uses 1,000,000 and up).'
          : 'A whole number from -1000000 to 999999.'}
      </p>
    </div>
  );
}

export function UpstreamField({
  writable,
  upstream,
  ok,
  onChange,
}: {
  writable: boolean;
  upstream: string;
  ok: boolean;
  onChange: (value: string) => void;
}) {
  const id = fieldId;
  return (
    <div>
      <label for={id('upstream')}>Upstream</label>
      <input
        id={id('upstream')}
        disabled={!writable}
        value={upstream}
        placeholder="the gateway's --upstream"
        aria-invalid={ok ? 'false' : 'true'}
        aria-describedby={id('upstream-help')}
        onInput={(e) => onChange(e.currentTarget.value)}
      />
      <p id={id('upstream-help')} class={ok ? 'muted' : 'error'}>
        {ok
          ? 'Empty for the default upstream; or an absolute URL such as http://10.0.0.5:8080 this route forwards to.'
          : 'An absolute http:// or https:// URL, without user name, password, query or #fragment.'}
      </p>
    </div>
  );
}

export function DescriptionField({
  writable,
  description,
  onChange,
}: {
  writable: boolean;
  description: string;
  onChange: (value: string) => void;
}) {
  return (
    <div>
      <label for={fieldId('description')}>Description</label>
      <input
        id={fieldId('description')}
        disabled={!writable}
        value={description}
        maxLength={255}
        onInput={(e) => onChange(e.currentTarget.value)}
      />
    </div>
  );
}
