/** CSP Trusted Sites: Salesforce's fields, per-directive checkboxes and a live header preview. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  buildContentSecurityPolicy,
  parseCspBaseline,
  validateTrustedSite,
} from 'corsgate/internal/csp/index.js';
import { api, canChange, type Me } from '../api.js';
import { ErrorText, notify } from '../components.js';
import { ReadOnly, useApi, useBusy, useSettings } from '../kit.js';
import { BaselineForm, PreviewHeader } from './site-csp.js';
import { DIRECTIVES, EMPTY, salesforceFields, SiteForm, type Site } from './site-form.js';

/** The header the gateway will send with the draft saved: the enforced sites, and the baseline as typed when it is sound. */
function usePreview(
  sites: Site[],
  draft: Site,
  problems: unknown[],
  baseline: string | null,
  baselineProblems: unknown[],
  stored: string,
) {
  return useMemo(() => {
    // The header enforced: a report-only site is only in Content-Security-Policy-Report-Only.
    const others = sites.filter((s) => s.id !== draft.id && s.reportOnly !== true);
    // The baseline as typed, when it is sound; otherwise the one in force.
    const base = baselineProblems.length === 0 ? (baseline ?? '') : stored;
    return buildContentSecurityPolicy(
      problems.length === 0 && draft.endpointUrl && draft.reportOnly !== true
        ? [...others, salesforceFields(draft)]
        : others,
      { baseline: base },
    );
  }, [sites, draft, problems, baseline, baselineProblems, stored]);
}

/** Saving the draft (added or edited) and deleting a site, each with its notice; `busy` while one runs. */
function useSiteActions(
  draft: Site,
  setDraft: (site: Site) => void,
  setError: (err: unknown) => void,
  reload: () => void,
) {
  const [busy, busyWith] = useBusy();
  const save = (e: Event) => {
    e.preventDefault();
    setError(null);
    // The stored entry's bookkeeping is not a field the API takes.
    const {
      id,
      createdAt: _createdAt,
      createdBy: _createdBy,
      ...body
    } = draft as Site & { createdAt?: string; createdBy?: string };
    return busyWith(async () => {
      await api(
        id ? 'PUT' : 'POST',
        id ? `/api/trusted-sites/${encodeURIComponent(id)}` : '/api/trusted-sites',
        body,
      );
      notify(
        `${id ? 'Saved' : 'Added'} the trusted site ${body.name}: the Content-Security-Policy follows now.`,
      );
      setDraft(EMPTY);
      reload();
    }, setError);
  };
  const remove = (site: Site) => {
    if (!confirm(`Delete trusted site ${site.name}? Its URL leaves the Content-Security-Policy at once.`))
      return;
    setError(null);
    return busyWith(async () => {
      await api('DELETE', `/api/trusted-sites/${encodeURIComponent(site.id!)}`);
      notify(`Deleted the trusted site ${site.name}: its URL has left the Content-Security-Policy.`);
      reload();
    }, setError);
  };
  return { busy, save, remove };
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
  const problems = useMemo(
    () =>
      draft.name || draft.endpointUrl
        ? validateTrustedSite(salesforceFields(draft)).filter(
            (p) => (p as { severity?: string }).severity !== 'warning',
          )
        : [],
    [draft],
  );
  const nameInput = useRef<HTMLInputElement>(null);
  const baselineProblems = useMemo(() => parseCspBaseline(baseline ?? '').problems, [baseline]);
  const preview = usePreview(
    sites,
    draft,
    problems,
    baseline,
    baselineProblems,
    settings.data?.cspBaseline ?? '',
  );

  const set = <K extends keyof Site>(key: K, value: Site[K]) => setDraft({ ...draft, [key]: value });
  const { busy, save, remove } = useSiteActions(draft, setDraft, setError, list.reload);

  return (
    <div>
      <h1>Trusted sites (CSP)</h1>
      <p>
        Each active trusted site adds its URL to the chosen directives of the{' '}
        <code>Content-Security-Policy</code> the gateway sends on HTML pages, after <code>'self'</code>.
      </p>
      <ReadOnly me={me} what="trusted sites" needs="customize-application" />
      <ErrorText error={list.error} />
      <SiteForm
        draft={draft}
        set={set}
        writable={writable}
        busy={busy}
        problems={problems}
        nameInput={nameInput}
        error={error}
        onSave={save}
        onCancel={() => setDraft(EMPTY)}
      />
      <section class="card" aria-labelledby="preview-title">
        <PreviewHeader pending={!!draft.endpointUrl && problems.length === 0} preview={preview} />
        {baseline !== null && (
          <BaselineForm
            value={baseline}
            stored={settings.data?.cspBaseline ?? ''}
            problems={baselineProblems}
            writable={writable}
            onChange={setBaseline}
            settings={settings}
          />
        )}
      </section>
      <SitesTable
        sites={sites}
        writable={writable && !busy}
        onEdit={(site) => {
          setDraft(site);
          nameInput.current?.focus();
        }}
        onRemove={remove}
      />
    </div>
  );
}

function SitesTable({
  sites,
  writable,
  onEdit,
  onRemove,
}: {
  sites: Site[];
  writable: boolean;
  onEdit: (site: Site) => void;
  onRemove: (site: Site) => void;
}) {
  return (
    <>
      <h2>Trusted sites ({sites.length})</h2>
      <table class="list">
        <caption class="sr-only">Trusted sites</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">URL</th>
            <th scope="col">Context</th>
            <th scope="col">Directives</th>
            <th scope="col">Active</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sites.map((s) => (
            <tr key={s.id}>
              <td data-label="Name">{s.name}</td>
              <td data-label="URL">
                <code>{s.endpointUrl}</code>
              </td>
              <td data-label="Context">{s.context}</td>
              <td data-label="Directives">
                {DIRECTIVES.filter(([k]) => s[k])
                  .map(([, l]) => l.split(' ')[0])
                  .join(', ')}
              </td>
              <td data-label="Active">{s.isActive ? (s.reportOnly ? 'report-only' : 'yes') : 'no'}</td>
              <td class="actions">
                <button
                  type="button"
                  class="secondary"
                  disabled={!writable}
                  onClick={() => onEdit(s)}
                  aria-label={`Edit ${s.name}`}
                >
                  Edit
                </button>
                <button
                  type="button"
                  class="danger"
                  disabled={!writable}
                  onClick={() => onRemove(s)}
                  aria-label={`Delete ${s.name}`}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
