/** The allowlist's "Add an origin" form. */
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorText, notify } from '../components.js';
import { Busy, useBusy } from '../kit.js';
import { checkPattern, ProblemText } from './origin-check.js';

export function AddOrigin({ disabled, onAdded }: { disabled: boolean; onAdded: () => void }) {
  const [pattern, setPattern] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, busyWith] = useBusy();
  const problem = useMemo(() => checkPattern(pattern), [pattern]);
  const submit = (e: Event) => {
    e.preventDefault();
    setError(null);
    return busyWith(async () => {
      await api('POST', '/api/allowlist', {
        urlPattern: pattern.trim(),
        ...(description ? { description } : {}),
      });
      notify(`Added ${pattern.trim()}: it is in force at the gateway now.`);
      setPattern('');
      setDescription('');
      onAdded();
    }, setError);
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="add-title">
      <h2 id="add-title">Add an origin</h2>
      <div class="row">
        <div>
          <label for="pattern">Origin URL pattern</label>
          <input
            id="pattern"
            name="urlPattern"
            required
            disabled={disabled}
            value={pattern}
            aria-invalid={problem ? 'true' : 'false'}
            aria-describedby="pattern-help"
            placeholder="https://app.example.com"
            autoComplete="off"
            spellcheck={false}
            onInput={(e) => setPattern(e.currentTarget.value)}
          />
          <ProblemText
            id="pattern-help"
            problem={problem}
            idle="https://host or https://host:port; https://*.example.com for every subdomain; http:// only for localhost and 127.0.0.1."
          />
        </div>
        <div>
          <label for="description">Description</label>
          <input
            id="description"
            name="description"
            disabled={disabled}
            value={description}
            maxLength={255}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
        </div>
      </div>
      <button type="submit" disabled={disabled || busy || !!problem || pattern.trim() === ''}>
        Add origin
      </button>
      <Busy busy={busy} what="Adding" />
      <ErrorText error={error} />
    </form>
  );
}
