/** One allowlist entry in the list: shown, edited in place, or deleted. */
import { useState } from 'preact/hooks';
import type { AllowlistEntry } from '../../../src/store/types.js';
import { api } from '../api.js';
import { ErrorText, notify } from '../components.js';
import { Busy, useBusy } from '../kit.js';
import { checkPattern, ProblemText, type EntryProblem } from './origin-check.js';

export function Row({
  entry,
  writable,
  onChanged,
}: {
  entry: AllowlistEntry;
  writable: boolean;
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [pattern, setPattern] = useState(entry.urlPattern);
  const [description, setDescription] = useState(entry.description ?? '');
  const [error, setError] = useState<unknown>(null);
  const problem = editing ? checkPattern(pattern) : null;
  const [busy, busyWith] = useBusy();
  const save = (e: Event) => {
    e.preventDefault();
    setError(null);
    return busyWith(async () => {
      await api('PUT', `/api/allowlist/${encodeURIComponent(entry.id)}`, {
        urlPattern: pattern.trim(),
        description,
      });
      notify(
        pattern.trim() === entry.urlPattern
          ? `Saved ${entry.urlPattern}.`
          : `Saved: ${pattern.trim()} replaces ${entry.urlPattern}, in force now.`,
      );
      setEditing(false);
      onChanged();
    }, setError);
  };
  const remove = () => {
    if (!confirm(`Delete ${entry.urlPattern}? Requests from it will be refused at once.`)) return;
    return busyWith(async () => {
      await api('DELETE', `/api/allowlist/${encodeURIComponent(entry.id)}`);
      notify(`Deleted ${entry.urlPattern}: requests from it are refused now.`);
      onChanged();
    }, setError);
  };
  const cancel = () => {
    setEditing(false);
    setPattern(entry.urlPattern);
    setDescription(entry.description ?? '');
    setError(null);
  };
  if (editing) {
    return (
      <RowEditor
        entry={entry}
        pattern={pattern}
        onPattern={setPattern}
        description={description}
        onDescription={setDescription}
        problem={problem}
        busy={busy}
        error={error}
        onSave={save}
        onCancel={cancel}
      />
    );
  }
  return (
    <RowView
      entry={entry}
      writable={writable}
      busy={busy}
      error={error}
      onEdit={() => setEditing(true)}
      onDelete={remove}
    />
  );
}

interface EditorProps {
  entry: AllowlistEntry;
  pattern: string;
  onPattern: (value: string) => void;
  description: string;
  onDescription: (value: string) => void;
  problem: EntryProblem | null;
  busy: boolean;
  error: unknown;
  onSave: (e: Event) => void;
  onCancel: () => void;
}

/** The entry's row while it is edited: its pattern and description, Save and Cancel. */
function RowEditor({
  entry,
  pattern,
  onPattern,
  description,
  onDescription,
  problem,
  busy,
  error,
  onSave,
  onCancel,
}: EditorProps) {
  return (
    <tr>
      <td colSpan={4}>
        <form class="edit" onSubmit={onSave} aria-label={`Edit ${entry.urlPattern}`}>
          <div class="row">
            <div>
              <label for={`p-${entry.id}`}>Origin URL pattern</label>
              <input
                id={`p-${entry.id}`}
                value={pattern}
                aria-invalid={problem ? 'true' : 'false'}
                aria-describedby={`ph-${entry.id}`}
                spellcheck={false}
                onInput={(e) => onPattern(e.currentTarget.value)}
              />
              <ProblemText id={`ph-${entry.id}`} problem={problem} />
            </div>
            <div>
              <label for={`d-${entry.id}`}>Description</label>
              <input
                id={`d-${entry.id}`}
                value={description}
                maxLength={255}
                onInput={(e) => onDescription(e.currentTarget.value)}
              />
            </div>
          </div>
          <button type="submit" disabled={busy || !!problem || pattern.trim() === ''}>
            Save
          </button>
          <button type="button" class="secondary" onClick={onCancel}>
            Cancel
          </button>
          <Busy busy={busy} />
          <ErrorText error={error} />
        </form>
      </td>
    </tr>
  );
}

interface ViewProps {
  entry: AllowlistEntry;
  writable: boolean;
  busy: boolean;
  error: unknown;
  onEdit: () => void;
  onDelete: () => void;
}

/** The entry's row as listed: pattern, description, when and by whom, Edit and Delete. */
function RowView({ entry, writable, busy, error, onEdit, onDelete }: ViewProps) {
  return (
    <tr>
      <td>
        <code>{entry.urlPattern}</code>
        <ErrorText error={error} />
      </td>
      <td data-label={entry.description ? 'Description' : undefined}>{entry.description}</td>
      <td data-label="Created">
        <time dateTime={entry.createdAt}>{new Date(entry.createdAt).toLocaleString()}</time>{' '}
        <span class="muted">by {entry.createdBy}</span>
      </td>
      <td class="actions">
        <button
          type="button"
          class="secondary"
          disabled={!writable}
          onClick={onEdit}
          aria-label={`Edit ${entry.urlPattern}`}
        >
          Edit
        </button>
        <button
          type="button"
          class="danger"
          disabled={!writable || busy}
          onClick={onDelete}
          aria-label={`Delete ${entry.urlPattern}`}
        >
          Delete
        </button>
        <Busy busy={busy} what="Deleting" />
      </td>
    </tr>
  );
}
