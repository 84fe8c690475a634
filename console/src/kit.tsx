/** Pieces the pages share: read-only notices, data loading, busy states, copyable code. */
import { useEffect, useState } from 'preact/hooks';
import type { Settings } from '../../src/store/types.js';
import { api, can, type Me, type Permission } from './api.js';
import { notify } from './components.js';

/**
 * Says up front why the controls below are disabled: the gateway runs from a policy file (for
 * policy, not for scans), or the token lacks the permission. Nothing when the page may be changed.
 */
export function ReadOnly({
  me,
  what,
  needs,
  policy = true,
}: {
  me: Me;
  what: string;
  needs: Permission;
  policy?: boolean;
}) {
  if (policy && me.readOnly)
    return (
      <p class="notice" role="note">
        Read-only: this gateway runs from the policy file <code>{me.policyFile}</code> (<code>--policy</code>
        ), so {what} can change only in that file; the controls below are disabled.
      </p>
    );
  if (!can(me, needs))
    return (
      <p class="notice" role="note">
        Read-only: your token can view {what} but changing it needs the <code>{needs}</code> permission, so
        the controls below are disabled.
      </p>
    );
  return null;
}

/** One GET of the admin API, reloaded when `deps` change or on `reload()`. */
export function useApi<T>(
  path: string | null,
  deps: readonly unknown[] = [],
): { data: T | null; error: unknown; loading: boolean; reload: () => void; setData: (value: T) => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setLoading(true);
    api<T>('GET', path)
      .then(
        (value) => live && (setData(value), setError(null)),
        (err) => live && setError(err),
      )
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [path, tick, ...deps]);
  return { data, error, loading, reload: () => setTick((n) => n + 1), setData };
}

export function Copyable({ label, text }: { label: string; text: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => setCopied(false), [text]);
  return (
    <figure class="code">
      <figcaption>
        {label}
        <button
          type="button"
          onClick={() =>
            navigator.clipboard.writeText(text).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <span class="sr-only" role="status">
          {copied ? `${label} copied to the clipboard` : ''}
        </span>
      </figcaption>
      <pre>
        <code>{text}</code>
      </pre>
    </figure>
  );
}

/**
 * Runs one write at a time and says so: a write answers only once it is in force at the gateway,
 * which can take a moment on a large store.
 */
export function useBusy(): [
  boolean,
  (work: () => Promise<void>, onError: (err: unknown) => void) => Promise<void>,
] {
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
  return busy ? (
    <span class="muted" role="status">
      {' '}
      {what}… (applying at the gateway)
    </span>
  ) : null;
}

/** The gateway's settings, and a save that merges a patch, keeps the answer and says what changed. */
export function useSettings() {
  const settings = useApi<Settings>('/api/settings');
  const [error, setError] = useState<unknown>(null);
  const [busy, busyWith] = useBusy();
  const save = (patch: Partial<Settings>, done: (saved: Settings) => string) => {
    setError(null);
    return busyWith(async () => {
      const saved = await api<Settings>('PUT', '/api/settings', patch);
      settings.setData(saved);
      notify(done(saved));
    }, setError);
  };
  return { ...settings, error: error ?? settings.error, busy, save };
}
