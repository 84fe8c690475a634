/**
 * What the shell itself needs (the sign-in form and every page): error messages and the change
 * notices. The pieces only pages use are in kit.tsx, so that they load with the pages.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure } from './api.js';

// ---- success notices: one live region for the whole console --------------------------------

type Notice = { id: number; text: string };
const noticeListeners = new Set<(n: Notice) => void>();
let noticeId = 0;

/** Announces a change that succeeded ("Added https://…: in force at the gateway now."). */
export function notify(text: string): void {
  const n = { id: ++noticeId, text };
  for (const l of noticeListeners) l(n);
}

/** Shows the latest notices at the bottom of the window, each for a while, and announces them. */
export function Notices() {
  const [items, setItems] = useState<Notice[]>([]);
  useEffect(() => {
    const add = (n: Notice) => {
      setItems((prev) => [...prev.slice(-2), n]);
      setTimeout(() => setItems((prev) => prev.filter((x) => x.id !== n.id)), 8000);
    };
    noticeListeners.add(add);
    return () => void noticeListeners.delete(add);
  }, []);
  return (
    <div class="notices" role="status" aria-live="polite">
      {items.map((n) => (
        <p key={n.id} class="notice-ok">
          <span>{n.text}</span>
          <button
            type="button"
            class="link"
            aria-label="Dismiss"
            onClick={() => setItems((prev) => prev.filter((x) => x.id !== n.id))}
          >
            ×
          </button>
        </p>
      ))}
    </div>
  );
}

/** An error in words, with the API's code, fix hint and every problem; `about` names what failed (e.g. a file). */
export function ErrorText({ error, about }: { error: unknown; about?: string }) {
  if (!error) return null;
  const prefix = about ? `${about}: ` : '';
  if (error instanceof ApiFailure) {
    const more = error.problems.filter((p) => p.message !== error.message);
    return (
      <div class="error" role="alert">
        <p>
          {prefix}
          {error.status === 403 ? 'Not allowed: ' : ''}
          {error.message} <span class="muted">[{error.code}]</span>
        </p>
        {error.hint && <p>Fix: {error.hint}</p>}
        {more.length > 0 && (
          <ul>
            {more.map((p, i) => (
              <li key={i}>
                {p.file ? `${p.file}: ` : p.path ? `${p.path}: ` : ''}
                {p.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    );
  }
  return (
    <p class="error" role="alert">
      {prefix}
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}
