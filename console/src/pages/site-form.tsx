/** A trusted site's fields as the console edits them, and the add/edit form. */
import type { Ref } from 'preact';
import type { FieldProblem, TrustedSite } from 'corsgate/internal/csp/index.js';
import { ErrorText } from '../components.js';
import { Busy } from '../kit.js';

export type Site = TrustedSite & { id?: string; reportOnly?: boolean };

// Salesforce's labels for the six directive checkboxes.
export const DIRECTIVES = [
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

export const EMPTY: Site = {
  name: '',
  endpointUrl: '',
  context: 'All',
  isActive: true,
  description: '',
  isApplicableToConnectSrc: true,
  isApplicableToFontSrc: false,
  isApplicableToFrameSrc: false,
  isApplicableToImgSrc: false,
  isApplicableToMediaSrc: false,
  isApplicableToStyleSrc: false,
};

/** The fields Salesforce knows (corsgate's own `reportOnly` left out) for its checks and the preview. */
export function salesforceFields<T extends { reportOnly?: boolean }>(site: T): Omit<T, 'reportOnly'> {
  const { reportOnly: _ro, ...fields } = site;
  return fields;
}

/** A site's checkboxes: active, report-only first, and the directives it is allowed for. */
function SiteChecks({
  draft,
  writable,
  onChange,
}: {
  draft: Site;
  writable: boolean;
  onChange: <K extends keyof Site>(key: K, value: Site[K]) => void;
}) {
  return (
    <>
      <label class="check">
        <input
          type="checkbox"
          disabled={!writable}
          checked={draft.isActive}
          onChange={(e) => onChange('isActive', e.currentTarget.checked)}
        />{' '}
        Active (inactive sites stay listed but leave the header)
      </label>
      <label class="check">
        <input
          type="checkbox"
          disabled={!writable}
          checked={draft.reportOnly === true}
          onChange={(e) => onChange('reportOnly', e.currentTarget.checked)}
        />{' '}
        Report-only first (only in Content-Security-Policy-Report-Only: see what it changes before enforcing
        it)
      </label>
      <fieldset>
        <legend>CSP directives: allow this site for</legend>
        {DIRECTIVES.map(([key, label]) => (
          <label class="check" key={key}>
            <input
              type="checkbox"
              disabled={!writable}
              checked={draft[key]}
              onChange={(e) => onChange(key, e.currentTarget.checked)}
            />{' '}
            {label}
          </label>
        ))}
      </fieldset>
    </>
  );
}

interface SiteFormProps {
  draft: Site;
  set: <K extends keyof Site>(key: K, value: Site[K]) => void;
  writable: boolean;
  busy: boolean;
  problems: FieldProblem[];
  nameInput: Ref<HTMLInputElement>;
  error: unknown;
  onSave: (e: Event) => void;
  onCancel: () => void;
}

/** The add/edit form: Salesforce's fields, the checkboxes, and the problems found as you type. */
export function SiteForm({
  draft,
  set,
  writable,
  busy,
  problems,
  nameInput,
  error,
  onSave,
  onCancel,
}: SiteFormProps) {
  return (
    <form class="card" onSubmit={onSave} aria-labelledby="site-title">
      <h2 id="site-title">{draft.id ? `Edit ${draft.name}` : 'Add a trusted site'}</h2>
      <SiteNameFields draft={draft} set={set} writable={writable} nameInput={nameInput} />
      <label for="site-description">Description</label>
      <input
        id="site-description"
        disabled={!writable}
        value={draft.description ?? ''}
        onInput={(e) => set('description', e.currentTarget.value)}
      />
      <SiteChecks draft={draft} writable={writable} onChange={set} />
      <ul id="site-problems" class="problems" aria-live="polite">
        {problems.map((p) => (
          <li key={p.code + p.field} class="error">
            {FIELD_LABELS[p.field] ?? p.field}: {p.message}
          </li>
        ))}
      </ul>
      <button
        type="submit"
        disabled={!writable || busy || problems.length > 0 || !draft.name || !draft.endpointUrl}
      >
        {draft.id ? 'Save' : 'Add trusted site'}
      </button>
      <Busy busy={busy} />
      {draft.id && (
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      )}
      <ErrorText error={error} />
    </form>
  );
}

/** Name, URL and context, side by side. */
function SiteNameFields({
  draft,
  set,
  writable,
  nameInput,
}: Pick<SiteFormProps, 'draft' | 'set' | 'writable' | 'nameInput'>) {
  return (
    <div class="row">
      <div>
        <label for="site-name">Trusted site name</label>
        <input
          id="site-name"
          ref={nameInput}
          required
          aria-describedby="site-problems"
          spellcheck={false}
          disabled={!writable}
          value={draft.name}
          onInput={(e) => set('name', e.currentTarget.value)}
        />
      </div>
      <div>
        <label for="site-url">URL</label>
        <input
          id="site-url"
          required
          aria-describedby="site-problems"
          spellcheck={false}
          disabled={!writable}
          placeholder="https://cdn.example.com"
          value={draft.endpointUrl}
          onInput={(e) => set('endpointUrl', e.currentTarget.value)}
        />
      </div>
      <div>
        <label for="site-context">Context</label>
        <select
          id="site-context"
          disabled={!writable}
          value={draft.context}
          onChange={(e) => set('context', e.currentTarget.value)}
        >
          {['All', 'LEX', 'Communities', 'VisualForce'].map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
