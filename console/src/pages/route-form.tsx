/** The routes page's forms: add or edit a route, and "Which rule applies?" with the gateway's own matcher. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { checkUpstreamUrl, compileRoutes, matchRoute, routingPath, type CompiledRoute } from '../../../src/gateway/routes.js';
import type { RouteFields, Settings } from '../../../src/store/types.js';
import { api } from '../api.js';
import { ErrorText, notify } from '../components.js';
import { Busy, useBusy } from '../kit.js';

export type ListedRoute = RouteFields & { id: string; builtIn?: boolean };

export const KINDS: Record<RouteFields['kind'], string> = {
  public: "Any origin may read it, without credentials (Access-Control-Allow-Origin: *), like the OAuth discovery endpoints.",
  allowlist: 'Only the allowed origins, with credentials; other origins get 403. This is what applies where no route matches.',
  'opt-in': 'Like allowlist, but only while the named setting is on and only on the listed hosts (like the OAuth token endpoint); otherwise 403.',
  closed: 'Never CORS: any cross-origin request gets 403, so other sites can never read it.',
};

export const splitList = (s: string) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);
export const pathsText = (r: { paths: string[] }) => r.paths.join(', ');

const fieldId = (name: string) => `route-${name}`;

function KindField({ writable, kind, onChange }: { writable: boolean; kind: RouteFields['kind']; onChange: (kind: RouteFields['kind']) => void }) {
  const id = fieldId;
  return (
    <div>
      <label for={id('kind')}>Kind</label>
      <select id={id('kind')} disabled={!writable} value={kind} aria-describedby={id('kind-help')} onChange={(e) => onChange(e.currentTarget.value as RouteFields['kind'])}>
        {Object.keys(KINDS).map((k) => <option key={k} value={k}>{k}</option>)}
      </select>
      <p id={id('kind-help')} class="muted">{KINDS[kind]}</p>
    </div>
  );
}

function PriorityField({ writable, priority, ok, onChange }: { writable: boolean; priority: string; ok: boolean; onChange: (value: string) => void }) {
  const id = fieldId;
  return (
    <div>
      <label for={id('priority')}>Priority</label>
      <input id={id('priority')} disabled={!writable} inputMode="numeric" value={priority} aria-invalid={ok ? 'false' : 'true'} aria-describedby={id('priority-help')} onInput={(e) => onChange(e.currentTarget.value)} />
      <p id={id('priority-help')} class={ok ? 'muted' : 'error'}>{ok ? 'Higher is tried first (the OAuth preset uses 1,000,000 and up).' : 'A whole number from -1000000 to 999999.'}</p>
    </div>
  );
}

function UpstreamField({ writable, upstream, ok, onChange }: { writable: boolean; upstream: string; ok: boolean; onChange: (value: string) => void }) {
  const id = fieldId;
  return (
    <div>
      <label for={id('upstream')}>Upstream</label>
      <input id={id('upstream')} disabled={!writable} value={upstream} placeholder="the gateway's --upstream" aria-invalid={ok ? 'false' : 'true'} aria-describedby={id('upstream-help')} onInput={(e) => onChange(e.currentTarget.value)} />
      <p id={id('upstream-help')} class={ok ? 'muted' : 'error'}>{ok ? 'Empty for the default upstream; or an absolute URL such as http://10.0.0.5:8080 this route forwards to.' : 'An absolute http:// or https:// URL, without user name, password, query or #fragment.'}</p>
    </div>
  );
}

function DescriptionField({ writable, description, onChange }: { writable: boolean; description: string; onChange: (value: string) => void }) {
  return (
    <div>
      <label for={fieldId('description')}>Description</label>
      <input id={fieldId('description')} disabled={!writable} value={description} maxLength={255} onInput={(e) => onChange(e.currentTarget.value)} />
    </div>
  );
}

/** Adds a route, or edits `editing` (a custom route) and hands back when saved or cancelled. */
export function RouteForm({ writable, editing, onSaved, onCancel }: { writable: boolean; editing: ListedRoute | null; onSaved: () => void; onCancel: () => void }) {
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
  const pathList = splitList(paths);
  const badPath = pathList.find((p) => !(p.startsWith('/') || p === '*'));
  const priorityOk = /^-?\d+$/.test(priority.trim()) && Number(priority) <= 999_999 && Number(priority) >= -1_000_000;
  const upstreamOk = upstream.trim() === '' || checkUpstreamUrl(upstream.trim()) === null;
  const [busy, busyWith] = useBusy();
  const submit = (e: Event) => {
    e.preventDefault();
    setError(null);
    return busyWith(async () => {
      const hostList = splitList(hosts);
      const body = { kind, paths: pathList, priority: Number(priority), ...(hostList.length ? { hosts: hostList } : {}), ...(kind === 'opt-in' ? { setting } : {}), ...(csp ? { csp } : {}), ...(websocket ? {} : { websocket: false }), ...(upstream.trim() ? { upstream: upstream.trim() } : {}), ...(description ? { description } : {}) };
      await api(editing ? 'PUT' : 'POST', editing ? `/api/routes/${encodeURIComponent(editing.id)}` : '/api/routes', body);
      notify(`${editing ? 'Saved the' : 'Added a'} ${kind} route for ${pathList.join(', ')}: in force at the gateway now.`);
      reset(null);
      onSaved();
    }, setError);
  };
  const title = editing ? `Edit the route for ${pathsText(editing)}` : 'Add a route';
  const id = fieldId;
  return (
    <form class="card" onSubmit={submit} aria-label={title}>
      {/* The add form sits in a <details> whose summary is its heading. */}
      {editing && <h2>{title}</h2>}
      <div class="row">
        <KindField writable={writable} kind={kind} onChange={setKind} />
        <div>
          <label for={id('paths')}>Paths</label>
          <input id={id('paths')} disabled={!writable} value={paths} placeholder="/public/*, /health" aria-invalid={badPath ? 'true' : 'false'} aria-describedby={id('paths-help')} onInput={(e) => setPaths(e.currentTarget.value)} />
          <p id={id('paths-help')} class={badPath ? 'error' : 'muted'}>{badPath ? `"${badPath}" must start with / (or be * for every path).` : 'Comma-separated; exact (/health) or a prefix ending in /* (/public/*).'}</p>
        </div>
        <div>
          <label for={id('hosts')}>Hosts</label>
          <input id={id('hosts')} disabled={!writable} value={hosts} placeholder="any host" aria-describedby={id('hosts-help')} onInput={(e) => setHosts(e.currentTarget.value)} />
          <p id={id('hosts-help')} class="muted">{kind === 'opt-in' ? 'Required for opt-in routes: the hosts where CORS may be turned on (* for any).' : 'Empty for any host; api.example.com or *.example.com.'}</p>
        </div>
        {kind === 'opt-in' && (
          <div>
            <label for={id('setting')}>Setting that turns it on</label>
            <input id={id('setting')} disabled={!writable} value={setting} onInput={(e) => setSetting(e.currentTarget.value)} />
          </div>
        )}
        <PriorityField writable={writable} priority={priority} ok={priorityOk} onChange={setPriority} />
        <UpstreamField writable={writable} upstream={upstream} ok={upstreamOk} onChange={setUpstream} />
        <DescriptionField writable={writable} description={description} onChange={setDescription} />
      </div>
      <label class="check"><input type="checkbox" disabled={!writable} checked={websocket} onChange={(e) => setWebsocket(e.currentTarget.checked)} /> Allow WebSocket connections (decided by this route's origins, like CORS; unchecked refuses every handshake with 403)</label>
      <label class="check"><input type="checkbox" disabled={!writable} checked={csp} onChange={(e) => setCsp(e.currentTarget.checked)} /> Send the trusted-sites Content-Security-Policy on HTML pages of this route</label>
      <div>
        <button type="submit" disabled={!writable || busy || pathList.length === 0 || !!badPath || !priorityOk || !upstreamOk}>{editing ? 'Save route' : 'Add route'}</button>
        {editing && <button type="button" class="secondary" onClick={() => { reset(null); onCancel(); }}>Cancel</button>}
        <Busy busy={busy} what={editing ? 'Saving' : 'Adding'} />
      </div>
      <ErrorText error={error} />
    </form>
  );
}

const HOSTISH = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$|^\[[0-9a-f:.]+\]$/i;

/**
 * What the tester was given: a bare path (any host), a host and path, or a URL. Anything else is
 * refused with the reason, rather than answered as if it were a host.
 */
export function parseTarget(input: string): { host: string | null; path: string } | { problem: string } {
  const text = input.trim();
  const problem = `'${text}' is not a URL or a path: enter /services/oauth2/token, login.example.com/services/oauth2/token or https://login.example.com/services/oauth2/token`;
  if (text.startsWith('/')) {
    if (/\s/.test(text)) return { problem };
    const u = new URL(text, 'https://any-host.invalid');
    return { host: null, path: routingPath(u.pathname) };
  }
  let u: URL;
  try {
    u = new URL(text.includes('://') ? text : `https://${text}`);
  } catch {
    return { problem };
  }
  // "notaurl" parses as a URL with that host; a host needs a dot (or is localhost or an IP literal).
  if (!/^https?:$/.test(u.protocol) || !HOSTISH.test(u.hostname) || !(u.hostname.includes('.') || u.hostname === 'localhost' || u.hostname.startsWith('['))) return { problem };
  return { host: u.hostname.toLowerCase().replace(/\.$/, ''), path: routingPath(u.pathname) };
}

function ruleText(hit: CompiledRoute, settings: Settings): string {
  const on = hit.setting ? (settings as unknown as Record<string, unknown>)[hit.setting] === true : true;
  return `${hit.builtIn ? 'the OAuth preset’s' : 'your'} ${hit.kind} route (priority ${hit.priority}) applies: ${KINDS[hit.kind]}${hit.setting ? ` The setting ${hit.setting} is ${on ? 'on' : 'off'}, so CORS is ${on ? 'answered for allowed origins on this host' : 'refused here'}.` : ''}`;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The answer for a bare path: the rule on hosts no route names, and the host-specific rules before it. */
function anyHostAnswer(compiled: readonly CompiledRoute[], path: string, settings: Settings): string {
  // '' is a host no route lists: only routes for any host match it.
  const general = matchRoute(compiled, '', path);
  const specific: string[] = [];
  for (const r of compiled) {
    if (r === general) break;
    if (r.hostExact === null) continue;
    const hosts = [...r.hostExact, ...r.hostSuffixes.map((s) => `*${s}`)];
    const sample = hosts[0]?.replace(/^\*/, 'x');
    if (sample && matchRoute([r], sample, path)) specific.push(`On ${hosts.join(', ')}: ${ruleText(r, settings)}`);
  }
  const rest = general ? capital(ruleText(general, settings)) : 'No route matches: the allowlist applies (allowed origins with credentials, others 403).';
  return specific.length ? `${specific.join(' ')} On any other host: ${rest}` : `On any host: ${rest}`;
}

/** Answers "which rule applies to this URL or path?" with the gateway's own matcher and path rules. */
export function WhichRule({ routes, settings }: { routes: ListedRoute[]; settings: Settings }) {
  const [url, setUrl] = useState('');
  const compiled = useMemo(() => compileRoutes(routes, settings), [routes, settings]);
  let answer: string | null = null;
  let problem: string | null = null;
  if (url.trim()) {
    const target = parseTarget(url);
    if ('problem' in target) problem = target.problem;
    else if (target.host === null) answer = `${target.path}: ${anyHostAnswer(compiled, target.path, settings)}`;
    else {
      const hit = matchRoute(compiled, target.host, target.path);
      answer = hit ? capital(ruleText(hit, settings)) : `No route matches ${target.host}${target.path}: the allowlist applies (allowed origins with credentials, others 403).`;
    }
  }
  return (
    <section class="card" aria-labelledby="which-title">
      <h2 id="which-title">Which rule applies?</h2>
      <label for="which-url">URL or path at the gateway</label>
      <input id="which-url" value={url} placeholder="/services/oauth2/token or https://api.example.com/v1/me" spellcheck={false} aria-invalid={problem ? 'true' : 'false'} onInput={(e) => setUrl(e.currentTarget.value)} />
      <p aria-live="polite" class={problem ? 'error' : ''}>{problem ?? answer ?? ''}</p>
    </section>
  );
}
