/**
 * The allowlist regime's CORS options and the gateway's public origins, edited as settings. Every
 * keystroke is checked by the engine's own validation (bundled: src/gateway/core/settings-check.ts),
 * so the errors and warnings shown are the ones the gateway would answer, worded the same way.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { checkSettings, type SettingsProblem } from '../../../src/gateway/core/settings-check.js';
import type { Settings } from '../../../src/store/types.js';
import { splitList } from './route-fields.js';

type CorsPatch = Pick<
  Settings,
  'methods' | 'requestHeaders' | 'exposeHeaders' | 'maxAge' | 'credentials' | 'publicOrigins'
>;

/** Open on wide screens, closed on a phone (the routes page stays short there). */
const wide = () => typeof matchMedia === 'function' && matchMedia('(min-width: 641px)').matches;

const listText = (v: string[] | '*') => (v === '*' ? '*' : v.join(', '));
const listValue = (text: string): string[] | '*' => (text.trim() === '*' ? '*' : splitList(text));

function Problems({ list, kind }: { list: SettingsProblem[]; kind: 'error' | 'warning' }) {
  if (list.length === 0) return null;
  return (
    <ul
      class={kind === 'error' ? 'error' : 'warning'}
      aria-label={kind === 'error' ? 'Problems' : 'Warnings'}
    >
      {list.map((p, i) => (
        <li key={i}>
          <code>{p.field}</code>: {p.message}
          {p.hint ? ` (${p.hint})` : ''} <span class="muted">[{p.code}]</span>
        </li>
      ))}
    </ul>
  );
}

export function CorsOptionsCard({
  settings,
  writable,
  onSave,
}: {
  settings: Settings;
  writable: boolean;
  onSave: (patch: Partial<Settings>, done: string) => void;
}) {
  const d = useCorsDraft(settings);
  const { maxAgeOk, patch, check } = d;
  return (
    <details class="card form-box" open={wide()}>
      <summary>
        <h2 id="cors-options-title" class="inline-title">
          Allowlist CORS options
        </h2>
      </summary>
      <p class="muted">
        How the gateway answers allowed origins (the default route, allowlist and opt-in routes). Changing
        them needs the modify-all-data permission.
      </p>
      <CorsFieldsRow d={d} writable={writable} />
      <div class="setting">
        <label class="check">
          <input
            type="checkbox"
            disabled={!writable}
            checked={d.credentials}
            onChange={(e) => d.setCredentials(e.currentTarget.checked)}
          />{' '}
          Allow credentials (cookies, HTTP authentication)
        </label>
      </div>
      <TextField
        writable={writable}
        id="cors-public-origins"
        label="Public origins of this gateway"
        value={d.publicOrigins}
        set={d.setPublicOrigins}
        help="Origins browsers reach the gateway at (behind a proxy: the proxy's), comma-separated. A request from one of them is same-origin. Empty: derived from each request's scheme and Host."
      />
      <Problems list={check.errors} kind="error" />
      <Problems list={check.warnings} kind="warning" />
      <button
        type="button"
        disabled={!writable || !maxAgeOk || check.errors.length > 0}
        onClick={() => onSave(patch, 'Saved the CORS options: in force at the gateway now.')}
      >
        Save CORS options
      </button>
    </details>
  );
}

/** The card's fields as typed, reset whenever the stored settings change. */
function useCorsDraft(settings: Settings) {
  const [methods, setMethods] = useState(listText(settings.methods));
  const [requestHeaders, setRequestHeaders] = useState(listText(settings.requestHeaders));
  const [exposeHeaders, setExposeHeaders] = useState(listText(settings.exposeHeaders));
  const [maxAge, setMaxAge] = useState(String(settings.maxAge));
  const [credentials, setCredentials] = useState(settings.credentials);
  const [publicOrigins, setPublicOrigins] = useState(settings.publicOrigins.join(', '));
  useEffect(() => {
    setMethods(listText(settings.methods));
    setRequestHeaders(listText(settings.requestHeaders));
    setExposeHeaders(listText(settings.exposeHeaders));
    setMaxAge(String(settings.maxAge));
    setCredentials(settings.credentials);
    setPublicOrigins(settings.publicOrigins.join(', '));
  }, [settings]);
  const maxAgeOk = /^\d{1,5}$/.test(maxAge.trim()) && Number(maxAge.trim()) <= 86400;
  const patch: CorsPatch = {
    methods: listValue(methods),
    requestHeaders: listValue(requestHeaders),
    exposeHeaders: listValue(exposeHeaders),
    maxAge: maxAgeOk ? Number(maxAge.trim()) : 0,
    credentials,
    publicOrigins: splitList(publicOrigins),
  };
  const check = useMemo(
    () => checkSettings({ ...settings, ...patch }),
    [methods, requestHeaders, exposeHeaders, maxAge, credentials, publicOrigins, settings],
  );
  return {
    methods,
    setMethods,
    requestHeaders,
    setRequestHeaders,
    exposeHeaders,
    setExposeHeaders,
    maxAge,
    setMaxAge,
    credentials,
    setCredentials,
    publicOrigins,
    setPublicOrigins,
    maxAgeOk,
    patch,
    check,
  };
}

/** The preflight Max-Age, checked as you type (0 to 86400 seconds). */
function MaxAgeField({
  writable,
  maxAge,
  ok: maxAgeOk,
  onChange,
}: {
  writable: boolean;
  maxAge: string;
  ok: boolean;
  onChange: (v: string) => void;
}) {
  return (
    <div>
      <label for="cors-max-age">Preflight Max-Age (seconds)</label>
      <input
        id="cors-max-age"
        disabled={!writable}
        inputMode="numeric"
        value={maxAge}
        aria-invalid={maxAgeOk ? 'false' : 'true'}
        aria-describedby="cors-max-age-help"
        onInput={(e) => onChange(e.currentTarget.value)}
      />
      <p id="cors-max-age-help" class={maxAgeOk ? 'muted' : 'error'}>
        {maxAgeOk
          ? 'How long a browser may reuse an allowed preflight (600 by default).'
          : 'A whole number of seconds from 0 to 86400.'}
      </p>
    </div>
  );
}

/** One text setting with its help line. */
function TextField({
  writable,
  id,
  label,
  value,
  set,
  help,
}: {
  writable: boolean;
  id: string;
  label: string;
  value: string;
  set: (v: string) => void;
  help: string;
}) {
  return (
    <div>
      <label for={id}>{label}</label>
      <input
        id={id}
        disabled={!writable}
        value={value}
        aria-describedby={`${id}-help`}
        onInput={(e) => set(e.currentTarget.value)}
      />
      <p id={`${id}-help`} class="muted">
        {help}
      </p>
    </div>
  );
}

/** Methods, request and exposed headers, and Max-Age, side by side. */
function CorsFieldsRow({ d, writable }: { d: ReturnType<typeof useCorsDraft>; writable: boolean }) {
  return (
    <div class="row">
      <TextField
        writable={writable}
        id="cors-methods"
        label="Methods"
        value={d.methods}
        set={d.setMethods}
        help="Comma-separated, or * for any method."
      />
      <TextField
        writable={writable}
        id="cors-request-headers"
        label="Request headers"
        value={d.requestHeaders}
        set={d.setRequestHeaders}
        help="Headers a preflight may ask for; * (default): any, each checked, then echoed."
      />
      <TextField
        writable={writable}
        id="cors-expose-headers"
        label="Exposed headers"
        value={d.exposeHeaders}
        set={d.setExposeHeaders}
        help="Response headers scripts may read, e.g. X-Request-Id (Access-Control-Expose-Headers)."
      />
      <MaxAgeField writable={writable} maxAge={d.maxAge} ok={d.maxAgeOk} onChange={d.setMaxAge} />
    </div>
  );
}
