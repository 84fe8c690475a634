/** Small shared pieces: read-only notices, error messages, copyable code. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiFailure } from './api.js';

export function ReadOnly({ what }: { what: string }) {
  return <p class="notice" role="note">Your token can view {what} but not change it: the controls are shown read-only.</p>;
}

export function ErrorText({ error }: { error: unknown }) {
  if (!error) return null;
  const text = error instanceof ApiFailure ? `${error.message} [${error.code}]` : error instanceof Error ? error.message : String(error);
  return <p class="error" role="alert">{text}</p>;
}

export function Copyable({ label, text }: { label: string; text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <figure class="code">
      <figcaption>
        {label}
        <button type="button" onClick={() => navigator.clipboard.writeText(text).then(() => setCopied(true), () => setCopied(false))}>
          {copied ? 'Copied' : 'Copy'}
        </button>
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
