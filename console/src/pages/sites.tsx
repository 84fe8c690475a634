/** CSP Trusted Sites: Salesforce's fields, per-directive checkboxes and a live header preview. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { buildContentSecurityPolicy, cspGaps, DEFAULT_CSP_BASELINE, parseCspBaseline, validateTrustedSite, type TrustedSite } from 'corsgate/internal/csp/index.js';
import { api, canChange, type Me } from '../api.js';
import { ErrorText, notify } from '../components.js';
import { Busy, ReadOnly, useApi, useBusy, useSettings } from '../kit.js';

type Site = TrustedSite & { id?: string; reportOnly?: boolean };

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

/** The fields Salesforce knows (corsgate's own `reportOnly` left out) for its checks and the preview. */
function salesforceFields<T extends { reportOnly?: boolean }>(site: T): Omit<T, 'reportOnly'> {
  const { reportOnly: _ro, ...fields } = site;
  return fields;
}

/** The header the gateway sends (or will, once the draft is saved): size, value, warnings, gaps. */
function PreviewHeader({ pending, preview }: { pending: boolean; preview: ReturnType<typeof buildContentSecurityPolicy> }) {
  return (
    <>
      <h2 id="preview-title">Content-Security-Policy preview</h2>
      <p>{pending ? 'The header the gateway will send once you save this site' : 'The header the gateway sends now'}: <strong>{preview.bytes.toLocaleString('en')} bytes</strong>{preview.bytes > 12288 ? ' (above 12 KB browsers and proxies start to fail)' : ''}.</p>
      <pre class="headers" data-testid="csp-preview"><code>Content-Security-Policy: {preview.header}</code></pre>
      {preview.warnings.map((w) => <p key={w.code} class="error">{w.message}</p>)}
      <Gaps header={preview.header} />
    </>
  );
}

/** A site's checkboxes: active, report-only first, and the directives it is allowed for. */
function SiteChecks({ draft, writable, onChange }: { draft: Site; writable: boolean; onChange: <K extends keyof Site>(key: K, value: Site[K]) => void }) {
  return (
    <>
      <label class="check"><input type="checkbox" disabled={!writable} checked={draft.isActive} onChange={(e) => onChange('isActive', e.currentTarget.checked)} /> Active (inactive sites stay listed but leave the header)</label>
      <label class="check"><input type="checkbox" disabled={!writable} checked={draft.reportOnly === true} onChange={(e) => onChange('reportOnly', e.currentTarget.checked)} /> Report-only first (only in Content-Security-Policy-Report-Only: see what it changes before enforcing it)</label>
      <fieldset>
        <legend>CSP directives: allow this site for</legend>
        {DIRECTIVES.map(([key, label]) => (
          <label class="check" key={key}><input type="checkbox" disabled={!writable} checked={draft[key]} onChange={(e) => onChange(key, e.currentTarget.checked)} /> {label}</label>
        ))}
      </fieldset>
    </>
  );
}

export function TrustedSites({ me }: { me: Me }) {
  const writable = canChange(me, 'customize-application');
  const list = useApi<{ items: Site[] }>('/api/trusted-sites?limit=1000');
  const sites = list.data?.items ?? [];
  const settings = useSettings();
  const [baseline, setBaseline] = useState<string | null>(null);
  useEffect(() => setBaseline(settings.data?.cspBaseline ?? null), [settings.data]);
  const [draft, setDraft] = useState<Site>(EMPTY);
  const [error, setError] = useState<unknown>(null);

  // Salesforce's own checks, as you type (warnings do not block saving, as in the API).
  const problems = useMemo(() => (draft.name || draft.endpointUrl ? validateTrustedSite(salesforceFields(draft)).filter((p) => (p as { severity?: string }).severity !== 'warning') : []), [draft]);
  const nameInput = useRef<HTMLInputElement>(null);
  const baselineProblems = useMemo(() => parseCspBaseline(baseline ?? '').problems, [baseline]);
  const preview = useMemo(() => {
    // The header enforced: a report-only site is only in Content-Security-Policy-Report-Only.
    const others = sites.filter((s) => s.id !== draft.id && s.reportOnly !== true);
    // The baseline as typed, when it is sound; otherwise the one in force.
    const base = baselineProblems.length === 0 ? baseline ?? '' : settings.data?.cspBaseline ?? '';
    return buildContentSecurityPolicy(problems.length === 0 && draft.endpointUrl && draft.reportOnly !== true ? [...others, salesforceFields(draft)] : others, { baseline: base });
  }, [sites, draft, problems, baseline, baselineProblems, settings.data]);

  const set = <K extends keyof Site>(key: K, value: Site[K]) => setDraft({ ...draft, [key]: value });
  const [busy, busyWith] = useBusy();
  const save = (e: Event) => {
    e.preventDefault();
    setError(null);
    // The stored entry's bookkeeping is not a field the API takes.
    const { id, createdAt: _createdAt, createdBy: _createdBy, ...body } = draft as Site & { createdAt?: string; createdBy?: string };
    return busyWith(async () => {
      await api(id ? 'PUT' : 'POST', id ? `/api/trusted-sites/${encodeURIComponent(id)}` : '/api/trusted-sites', body);
      notify(`${id ? 'Saved' : 'Added'} the trusted site ${body.name}: the Content-Security-Policy follows now.`);
      setDraft(EMPTY);
      list.reload();
    }, setError);
  };
  const remove = (site: Site) => {
    if (!confirm(`Delete trusted site ${site.name}? Its URL leaves the Content-Security-Policy at once.`)) return;
    setError(null);
    return busyWith(async () => {
      await api('DELETE', `/api/trusted-sites/${encodeURIComponent(site.id!)}`);
      notify(`Deleted the trusted site ${site.name}: its URL has left the Content-Security-Policy.`);
      list.reload();
    }, setError);
  };

  return (
    <div>
      <h1>Trusted sites (CSP)</h1>
      <p>Each active trusted site adds its URL to the chosen directives of the <code>Content-Security-Policy</code> the gateway sends on HTML pages, after <code>'self'</code>.</p>
      <ReadOnly me={me} what="trusted sites" needs="customize-application" />
      <ErrorText error={list.error} />
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
        <SiteChecks draft={draft} writable={writable} onChange={set} />
        <ul id="site-problems" class="problems" aria-live="polite">{problems.map((p) => <li key={p.code + p.field} class="error">{FIELD_LABELS[p.field] ?? p.field}: {p.message}</li>)}</ul>
        <button type="submit" disabled={!writable || busy || problems.length > 0 || !draft.name || !draft.endpointUrl}>{draft.id ? 'Save' : 'Add trusted site'}</button><Busy busy={busy} />
        {draft.id && <button type="button" class="secondary" onClick={() => setDraft(EMPTY)}>Cancel</button>}
        <ErrorText error={error} />
      </form>
      <section class="card" aria-labelledby="preview-title">
        <PreviewHeader pending={!!draft.endpointUrl && problems.length === 0} preview={preview} />
        {baseline !== null && <BaselineForm value={baseline} stored={settings.data?.cspBaseline ?? ''} problems={baselineProblems} writable={writable} onChange={setBaseline} settings={settings} />}
      </section>
      <SitesTable sites={sites} writable={writable && !busy} onEdit={(site) => { setDraft(site); nameInput.current?.focus(); }} onRemove={remove} />
    </div>
  );
}

/** The directives besides the six trusted sites widen: shown, edited and checked as you type. */
function BaselineForm({ value, stored, problems, writable, onChange, settings }: { value: string; stored: string; problems: { message: string }[]; writable: boolean; onChange: (v: string) => void; settings: ReturnType<typeof useSettings> }) {
  const save = (e: Event) => {
    e.preventDefault();
    return settings.save({ cspBaseline: value.trim() }, (saved) => (saved.cspBaseline ? 'Saved the CSP baseline: the Content-Security-Policy carries it now.' : 'Saved an empty CSP baseline: the policy now restricts only the six trusted-site directives.'));
  };
  return (
    <form onSubmit={save} aria-labelledby="baseline-title">
      <h3 id="baseline-title">Baseline directives</h3>
      <p class="muted">Sent after the six directives above on every page that gets this policy. The default is Salesforce's Lightning baseline (<code>script-src 'self'</code>) with plugins, <code>&lt;base&gt;</code>, form targets and framing kept to the site. Leave it empty to send the six directives only.</p>
      <label for="csp-baseline">Baseline</label>
      <textarea id="csp-baseline" rows={2} spellcheck={false} disabled={!writable} value={value} aria-invalid={problems.length ? 'true' : 'false'} aria-describedby="baseline-problems" onInput={(e) => onChange(e.currentTarget.value)} />
      <ul id="baseline-problems" class="problems" aria-live="polite">{problems.map((p) => <li key={p.message} class="error">{p.message}</li>)}</ul>
      <button type="submit" disabled={!writable || settings.busy || problems.length > 0 || value.trim() === stored}>Save baseline</button>
      <button type="button" class="secondary" disabled={!writable || value === DEFAULT_CSP_BASELINE} onClick={() => onChange(DEFAULT_CSP_BASELINE)}>Use the default</button>
      <Busy busy={settings.busy} />
      <ErrorText error={settings.error} />
    </form>
  );
}

/** What the policy leaves open when the baseline does not close it, in plain words. */
function Gaps({ header }: { header: string }) {
  const gaps = useMemo(() => cspGaps(header), [header]);
  if (gaps.length === 0) return <p class="ok">Scripts, plugins, <code>&lt;base&gt;</code>, form targets and framing are restricted too: corsgate scan finds no high-severity gap in this policy.</p>;
  return (
    <div class="notice" role="note">
      <p><strong>What this policy leaves open</strong> (trusted sites only widen the six directives above; the baseline below closes the rest):</p>
      <ul>{gaps.map((g) => <li key={g}>{g}</li>)}</ul>
    </div>
  );
}

function SitesTable({ sites, writable, onEdit, onRemove }: { sites: Site[]; writable: boolean; onEdit: (site: Site) => void; onRemove: (site: Site) => void }) {
  return (
    <>
      <h2>Trusted sites ({sites.length})</h2>
      <table class="list">
        <caption class="sr-only">Trusted sites</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">URL</th><th scope="col">Context</th><th scope="col">Directives</th><th scope="col">Active</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {sites.map((s) => (
            <tr key={s.id}>
              <td data-label="Name">{s.name}</td><td data-label="URL"><code>{s.endpointUrl}</code></td><td data-label="Context">{s.context}</td>
              <td data-label="Directives">{DIRECTIVES.filter(([k]) => s[k]).map(([, l]) => l.split(' ')[0]).join(', ')}</td>
              <td data-label="Active">{s.isActive ? (s.reportOnly ? 'report-only' : 'yes') : 'no'}</td>
              <td class="actions">
                <button type="button" class="secondary" disabled={!writable} onClick={() => onEdit(s)} aria-label={`Edit ${s.name}`}>Edit</button>
                <button type="button" class="danger" disabled={!writable} onClick={() => onRemove(s)} aria-label={`Delete ${s.name}`}>Delete</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
