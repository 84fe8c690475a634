/** Small shared pieces: read-only notices, error messages, copyable code. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure } from './api.js';

export function ReadOnly({ what, needs }: { what: string; needs: string }) {
  return <p class="notice" role="note">Read-only: your token can view {what} but changing it needs the <code>{needs}</code> permission, so the controls below are disabled.</p>;
}

export function ErrorText({ error }: { error: unknown }) {
  if (!error) return null;
  if (error instanceof ApiFailure) {
    const more = error.problems.filter((p) => p.message !== error.message);
    return (
      <div class="error" role="alert">
        <p>{error.status === 403 ? 'Not allowed: ' : ''}{error.message} <span class="muted">[{error.code}]</span></p>
        {error.hint && <p>Fix: {error.hint}</p>}
        {more.length > 0 && <ul>{more.map((p, i) => <li key={i}>{p.path ? `${p.path}: ` : ''}{p.message}</li>)}</ul>}
      </div>
    );
  }
  return <p class="error" role="alert">{error instanceof Error ? error.message : String(error)}</p>;
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
