/** The Content-Security-Policy the trusted sites make: its preview, what it leaves open, and the baseline form. */
import { useMemo } from 'preact/hooks';
import {
  cspGaps,
  DEFAULT_CSP_BASELINE,
  type buildContentSecurityPolicy,
} from 'corsgate/internal/csp/index.js';
import { ErrorText } from '../components.js';
import { Busy, type useSettings } from '../kit.js';

/** The header the gateway sends (or will, once the draft is saved): size, value, warnings, gaps. */
export function PreviewHeader({
  pending,
  preview,
}: {
  pending: boolean;
  preview: ReturnType<typeof buildContentSecurityPolicy>;
}) {
  return (
    <>
      <h2 id="preview-title">Content-Security-Policy preview</h2>
      <p>
        {pending
          ? 'The header the gateway will send once you save this site'
          : 'The header the gateway sends now'}
        : <strong>{preview.bytes.toLocaleString('en')} bytes</strong>
        {preview.bytes > 12288 ? ' (above 12 KB browsers and proxies start to fail)' : ''}.
      </p>
      <pre class="headers" data-testid="csp-preview">
        <code>Content-Security-Policy: {preview.header}</code>
      </pre>
      {preview.warnings.map((w) => (
        <p key={w.code} class="error">
          {w.message}
        </p>
      ))}
      <Gaps header={preview.header} />
    </>
  );
}

/** The directives besides the six trusted sites widen: shown, edited and checked as you type. */
export function BaselineForm({
  value,
  stored,
  problems,
  writable,
  onChange,
  settings,
}: {
  value: string;
  stored: string;
  problems: { message: string }[];
  writable: boolean;
  onChange: (v: string) => void;
  settings: ReturnType<typeof useSettings>;
}) {
  const save = (e: Event) => {
    e.preventDefault();
    return settings.save({ cspBaseline: value.trim() }, (saved) =>
      saved.cspBaseline
        ? 'Saved the CSP baseline: the Content-Security-Policy carries it now.'
        : 'Saved an empty CSP baseline: the policy now restricts only the six trusted-site directives.',
    );
  };
  return (
    <form onSubmit={save} aria-labelledby="baseline-title">
      <h3 id="baseline-title">Baseline directives</h3>
      <p class="muted">
        Sent after the six directives above on every page that gets this policy. The default is Salesforce's
        Lightning baseline (<code>script-src 'self'</code>) with plugins, <code>&lt;base&gt;</code>, form
        targets and framing kept to the site. Leave it empty to send the six directives only.
      </p>
      <label for="csp-baseline">Baseline</label>
      <textarea
        id="csp-baseline"
        rows={2}
        spellcheck={false}
        disabled={!writable}
        value={value}
        aria-invalid={problems.length ? 'true' : 'false'}
        aria-describedby="baseline-problems"
        onInput={(e) => onChange(e.currentTarget.value)}
      />
      <ul id="baseline-problems" class="problems" aria-live="polite">
        {problems.map((p) => (
          <li key={p.message} class="error">
            {p.message}
          </li>
        ))}
      </ul>
      <button
        type="submit"
        disabled={!writable || settings.busy || problems.length > 0 || value.trim() === stored}
      >
        Save baseline
      </button>
      <button
        type="button"
        class="secondary"
        disabled={!writable || value === DEFAULT_CSP_BASELINE}
        onClick={() => onChange(DEFAULT_CSP_BASELINE)}
      >
        Use the default
      </button>
      <Busy busy={settings.busy} />
      <ErrorText error={settings.error} />
    </form>
  );
}

/** What the policy leaves open when the baseline does not close it, in plain words. */
function Gaps({ header }: { header: string }) {
  const gaps = useMemo(() => cspGaps(header), [header]);
  if (gaps.length === 0)
    return (
      <p class="ok">
        Scripts, plugins, <code>&lt;base&gt;</code>, form targets and framing are restricted too: corsgate
        scan finds no high-severity gap in this policy.
      </p>
    );
  return (
    <div class="notice" role="note">
      <p>
        <strong>What this policy leaves open</strong> (trusted sites only widen the six directives above; the
        baseline below closes the rest):
      </p>
      <ul>
        {gaps.map((g) => (
          <li key={g}>{g}</li>
        ))}
      </ul>
    </div>
  );
}
