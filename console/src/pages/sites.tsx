/** CSP Trusted Sites: Salesforce's fields, per-directive checkboxes and a live header preview. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { buildContentSecurityPolicy, validateTrustedSite, type TrustedSite } from '../../../src/csp/index.js';
import { api, can, type Me } from '../api.js';
import { Busy, ErrorText, ReadOnly, useBusy } from '../components.js';

type Site = TrustedSite & { id?: string };

// Salesforce's labels for the six directive checkboxes.
const DIRECTIVES = [
  ['isApplicableToConnectSrc', 'connect-src (scripts)'],
  ['isApplicableToFontSrc', 'font-src (fonts)'],
  ['isApplicableToFrameSrc', 'frame-src (iframe content)'],
  ['isApplicableToImgSrc', 'img-src (images)'],
  ['isApplicableToMediaSrc', 'media-src (audio and video)'],
  ['isApplicableToStyleSrc', 'style-src (stylesheets)'],
] as const;

const FIELD_LABELS: Record<string, string> = {
  name: 'Trusted site name',
  endpointUrl: 'URL',
  context: 'Context',
  description: 'Description',
  isApplicableToConnectSrc: 'CSP directives',
};

const EMPTY: Site = {
  name: '', endpointUrl: '', context: 'All', isActive: true, description: '',
  isApplicableToConnectSrc: true, isApplicableToFontSrc: false, isApplicableToFrameSrc: false,
  isApplicableToImgSrc: false, isApplicableToMediaSrc: false, isApplicableToStyleSrc: false,
};

export function TrustedSites({ me }: { me: Me }) {
  const writable = can(me, 'customize-application');
  const [sites, setSites] = useState<Site[]>([]);
  const [draft, setDraft] = useState<Site>(EMPTY);
  const [error, setError] = useState<unknown>(null);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    api<{ items: Site[] }>('GET', '/api/trusted-sites?limit=1000').then((p) => setSites(p.items), setError);
  }, [reload]);

  // Salesforce's own checks, as you type (warnings do not block saving, as in the API).
  const problems = useMemo(() => (draft.name || draft.endpointUrl ? validateTrustedSite(draft).filter((p) => (p as { severity?: string }).severity !== 'warning') : []), [draft]);
  const nameInput = useRef<HTMLInputElement>(null);
  const preview = useMemo(() => {
    const others = sites.filter((s) => s.id !== draft.id);
    return buildContentSecurityPolicy(problems.length === 0 && draft.endpointUrl ? [...others, draft] : others);
  }, [sites, draft, problems]);

  const set = <K extends keyof Site>(key: K, value: Site[K]) => setDraft({ ...draft, [key]: value });
  const [busy, busyWith] = useBusy();
  const save = (e: Event) => {
    e.preventDefault();
    setError(null);
    const { id, ...body } = draft as Site & { createdAt?: string; createdBy?: string };
    delete (body as Record<string, unknown>).createdAt;
    delete (body as Record<string, unknown>).createdBy;
    return busyWith(async () => {
      await api(id ? 'PUT' : 'POST', id ? `/api/trusted-sites/${encodeURIComponent(id)}` : '/api/trusted-sites', body);
      setDraft(EMPTY);
      setReload((n) => n + 1);
    }, setError);
  };
  const remove = (site: Site) => {
    if (!confirm(`Delete trusted site ${site.name}? Its URL leaves the Content-Security-Policy at once.`)) return;
    setError(null);
    return busyWith(async () => {
      await api('DELETE', `/api/trusted-sites/${encodeURIComponent(site.id!)}`);
      setReload((n) => n + 1);
    }, setError);
  };

  return (
    <div>
      <h1>Trusted sites (CSP)</h1>
      <p>Each active trusted site adds its URL to the chosen directives of the <code>Content-Security-Policy</code> the gateway sends on HTML pages, after <code>'self'</code>.</p>
      {!writable && <ReadOnly what="trusted sites" needs="customize-application" />}
      <form class="card" onSubmit={save} aria-labelledby="site-title">
        <h2 id="site-title">{draft.id ? `Edit ${draft.name}` : 'Add a trusted site'}</h2>
        <div class="row">
          <div><label for="site-name">Trusted site name</label><input id="site-name" ref={nameInput} required aria-describedby="site-problems" spellcheck={false} disabled={!writable} value={draft.name} onInput={(e) => set('name', e.currentTarget.value)} /></div>
          <div><label for="site-url">URL</label><input id="site-url" required aria-describedby="site-problems" spellcheck={false} disabled={!writable} placeholder="https://cdn.example.com" value={draft.endpointUrl} onInput={(e) => set('endpointUrl', e.currentTarget.value)} /></div>
          <div>
            <label for="site-context">Context</label>
            <select id="site-context" disabled={!writable} value={draft.context} onChange={(e) => set('context', e.currentTarget.value)}>
              {['All', 'LEX', 'Communities', 'VisualForce'].map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          </div>
        </div>
        <label for="site-description">Description</label>
        <input id="site-description" disabled={!writable} value={draft.description ?? ''} onInput={(e) => set('description', e.currentTarget.value)} />
        <label class="check"><input type="checkbox" disabled={!writable} checked={draft.isActive} onChange={(e) => set('isActive', e.currentTarget.checked)} /> Active (inactive sites stay listed but leave the header)</label>
        <fieldset>
          <legend>CSP directives: allow this site for</legend>
          {DIRECTIVES.map(([key, label]) => (
            <label class="check" key={key}><input type="checkbox" disabled={!writable} checked={draft[key]} onChange={(e) => set(key, e.currentTarget.checked)} /> {label}</label>
          ))}
        </fieldset>
        <ul id="site-problems" class="problems" aria-live="polite">{problems.map((p) => <li key={p.code + p.field} class="error">{FIELD_LABELS[p.field] ?? p.field}: {p.message}</li>)}</ul>
        <button type="submit" disabled={!writable || busy || problems.length > 0 || !draft.name || !draft.endpointUrl}>{draft.id ? 'Save' : 'Add trusted site'}</button><Busy busy={busy} />
        {draft.id && <button type="button" class="secondary" onClick={() => setDraft(EMPTY)}>Cancel</button>}
        <ErrorText error={error} />
      </form>
      <section class="card" aria-labelledby="preview-title">
        <h2 id="preview-title">Content-Security-Policy preview</h2>
        <p>{draft.endpointUrl && problems.length === 0 ? 'The header the gateway will send once you save this site' : 'The header the gateway sends now'}: <strong>{preview.bytes.toLocaleString('en')} bytes</strong>{preview.bytes > 12288 ? ' (above 12 KB browsers and proxies start to fail)' : ''}.</p>
        <pre class="headers" data-testid="csp-preview"><code>Content-Security-Policy: {preview.header}</code></pre>
        {preview.warnings.map((w) => <p key={w.code} class="error">{w.message}</p>)}
      </section>
      <h2>Trusted sites ({sites.length})</h2>
      <table class="list">
        <caption class="sr-only">Trusted sites</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">URL</th><th scope="col">Context</th><th scope="col">Directives</th><th scope="col">Active</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {sites.map((s) => (
            <tr key={s.id}>
              <td data-label="Name">{s.name}</td><td data-label="URL"><code>{s.endpointUrl}</code></td><td data-label="Context">{s.context}</td>
              <td data-label="Directives">{DIRECTIVES.filter(([k]) => s[k]).map(([, l]) => l.split(' ')[0]).join(', ')}</td>
              <td data-label="Active">{s.isActive ? 'yes' : 'no'}</td>
              <td class="actions">
                <button type="button" class="secondary" disabled={!writable} onClick={() => { setDraft(s); nameInput.current?.focus(); }} aria-label={`Edit ${s.name}`}>Edit</button>
                <button type="button" class="danger" disabled={!writable || busy} onClick={() => remove(s)} aria-label={`Delete ${s.name}`}>Delete</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
