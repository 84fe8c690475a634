/** Small shared pieces: read-only notices, success notices, error messages, copyable code, data loading. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure, can, type Me, type Permission } from './api.js';

/**
 * Says up front why the controls below are disabled: the gateway runs from a policy file (for
 * policy, not for scans), or the token lacks the permission. Nothing when the page may be changed.
 */
export function ReadOnly({ me, what, needs, policy = true }: { me: Me; what: string; needs: Permission; policy?: boolean }) {
  if (policy && me.readOnly)
    return <p class="notice" role="note">Read-only: this gateway runs from the policy file <code>{me.policyFile}</code> (<code>--policy</code>), so {what} can change only in that file; the controls below are disabled.</p>;
  if (!can(me, needs)) return <p class="notice" role="note">Read-only: your token can view {what} but changing it needs the <code>{needs}</code> permission, so the controls below are disabled.</p>;
  return null;
}

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
          <button type="button" class="link" aria-label="Dismiss" onClick={() => setItems((prev) => prev.filter((x) => x.id !== n.id))}>×</button>
        </p>
      ))}
    </div>
  );
}

/** One GET of the admin API, reloaded when `deps` change or on `reload()`. */
export function useApi<T>(path: string | null, deps: readonly unknown[] = []): { data: T | null; error: unknown; loading: boolean; reload: () => void; setData: (value: T) => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setLoading(true);
    api<T>('GET', path).then(
      (value) => live && (setData(value), setError(null)),
      (err) => live && setError(err),
    ).finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [path, tick, ...deps]);
  return { data, error, loading, reload: () => setTick((n) => n + 1), setData };
}

/** An error in words, with the API's code, fix hint and every problem; `about` names what failed (e.g. a file). */
export function ErrorText({ error, about }: { error: unknown; about?: string }) {
  if (!error) return null;
  const prefix = about ? `${about}: ` : '';
  if (error instanceof ApiFailure) {
    const more = error.problems.filter((p) => p.message !== error.message);
    return (
      <div class="error" role="alert">
        <p>{prefix}{error.status === 403 ? 'Not allowed: ' : ''}{error.message} <span class="muted">[{error.code}]</span></p>
        {error.hint && <p>Fix: {error.hint}</p>}
        {more.length > 0 && <ul>{more.map((p, i) => <li key={i}>{p.file ? `${p.file}: ` : p.path ? `${p.path}: ` : ''}{p.message}</li>)}</ul>}
      </div>
    );
  }
  return <p class="error" role="alert">{prefix}{error instanceof Error ? error.message : String(error)}</p>;
}

export function Copyable({ label, text }: { label: string; text: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => setCopied(false), [text]);
  return (
    <figure class="code">
      <figcaption>
        {label}
        <button type="button" onClick={() => navigator.clipboard.writeText(text).then(() => setCopied(true), () => setCopied(false))}>
          {copied ? 'Copied' : 'Copy'}
        </button>
        <span class="sr-only" role="status">{copied ? `${label} copied to the clipboard` : ''}</span>
      </figcaption>
      <pre><code>{text}</code></pre>
    </figure>
  );
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function HeaderTable({ headers }: { headers: Record<string, string> }) {
  const entries = Object.entries(headers);
  if (entries.length === 0) return <p class="muted">(no headers)</p>;
  return (
    <pre class="headers"><code>{entries.map(([n, v]) => `${n}: ${v}`).join('\n')}</code></pre>
  );
}

/**
 * Runs one write at a time and says so: a write answers only once it is in force at the gateway,
 * which can take a moment on a large store.
 */
export function useBusy(): [boolean, (work: () => Promise<void>, onError: (err: unknown) => void) => Promise<void>] {
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<void>, onError: (err: unknown) => void): Promise<void> => {
    if (busy) return;
    setBusy(true);
    try {
      await work();
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  return [busy, run];
}

export function Busy({ busy, what = 'Saving' }: { busy: boolean; what?: string }) {
  return busy ? <span class="muted" role="status"> {what}… (applying at the gateway)</span> : null;
}
