/** Scan a URL through the gateway's scanner API and show the findings and the grade. */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure, can, type Me } from '../api.js';
import { ErrorText, notify } from '../components.js';
import { ReadOnly, useApi } from '../kit.js';
import { History, ScanStatus, type ScanState } from './scan-jobs.js';
import { ScanTargets } from './scan-targets.js';

const lines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

export function ScanPage({ me }: { me: Me }) {
  const writable = can(me, 'customize-application');
  const [url, setUrl] = useState('');
  const [origins, setOrigins] = useState('');
  const [resolve, setResolve] = useState('');
  const [cookie, setCookie] = useState('');
  const [scan, setScan] = useState<ScanState | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [unavailable, setUnavailable] = useState(false);
  const history = useApi<{ items: ScanState[] }>('/api/scans');

  usePolling(scan, setScan, setError, history.reload);

  const start = starter({ url, origins, resolve, cookie }, setScan, setError, setUnavailable, history.reload);
  const show = (id: string) =>
    api<ScanState>('GET', `/api/scans/${encodeURIComponent(id)}`).then(setScan, setError);
  const running = scan?.status === 'running';
  return (
    <div>
      <h1>Scan</h1>
      <p>
        Probe a live URL for CORS misconfigurations (reflected origins, trusted <code>null</code>, look-alike
        domains, missing <code>Vary: Origin</code>…) and weak security headers: the same checks as{' '}
        <code>corsgate scan</code>. The gateway sends the probes.
      </p>
      <ReadOnly me={me} what="scans" needs="customize-application" policy={false} />
      {unavailable && (
        <p class="notice" role="status">
          Scanning is not available on this gateway. Run <code>npx corsgate scan {url || '<url>'}</code>{' '}
          instead.
        </p>
      )}
      <form class="card" onSubmit={start} aria-label="Start a scan">
        <label for="scan-url">URL</label>
        <input
          id="scan-url"
          type="url"
          required
          disabled={!writable}
          value={url}
          onInput={(e) => setUrl(e.currentTarget.value)}
          placeholder="https://api.example.com/v1/me"
        />
        <ScanOptions
          writable={writable}
          origins={origins}
          onOrigins={setOrigins}
          resolve={resolve}
          onResolve={setResolve}
          cookie={cookie}
          onCookie={setCookie}
        />
        <button type="submit" disabled={!writable || running}>
          {running ? 'Scanning…' : 'Scan'}
        </button>
        <ErrorText error={error} />
      </form>
      {scan && <ScanStatus scan={scan} />}
      <ScanTargets me={me} />
      <History
        items={history.data?.items ?? []}
        loading={history.loading}
        current={scan?.id ?? null}
        onShow={show}
      />
    </div>
  );
}

/** While the scan runs, its state again every half second; the history once it ends. */
function usePolling(
  scan: ScanState | null,
  setScan: (s: ScanState) => void,
  setError: (err: unknown) => void,
  reload: () => void,
) {
  useEffect(() => {
    if (!scan || scan.status !== 'running') return;
    const t = setTimeout(
      () =>
        api<ScanState>('GET', `/api/scans/${encodeURIComponent(scan.id)}`).then((next) => {
          setScan(next);
          if (next.status !== 'running') reload();
        }, setError),
      500,
    );
    return () => clearTimeout(t);
  }, [scan]);
}

interface OptionsProps {
  writable: boolean;
  origins: string;
  onOrigins: (v: string) => void;
  resolve: string;
  onResolve: (v: string) => void;
  cookie: string;
  onCookie: (v: string) => void;
}

/** The scan's options, folded: legitimate origins, resolve entries, a cookie (the CLI's --origin, --resolve, --cookie). */
function ScanOptions({ writable, origins, onOrigins, resolve, onResolve, cookie, onCookie }: OptionsProps) {
  return (
    <details class="options">
      <summary>Options: legitimate origins, resolve, cookie</summary>
      <div class="row">
        <div>
          <label for="scan-origins">Legitimate origins</label>
          <textarea
            id="scan-origins"
            rows={2}
            disabled={!writable}
            spellcheck={false}
            value={origins}
            placeholder="https://app.example.com"
            aria-describedby="scan-origins-help"
            onInput={(e) => onOrigins(e.currentTarget.value)}
          />
          <p id="scan-origins-help" class="muted">
            One per line (<code>--origin</code>): the origins your API should allow; the probes are built
            around them.
          </p>
        </div>
        <div>
          <label for="scan-resolve">Resolve</label>
          <textarea
            id="scan-resolve"
            rows={2}
            disabled={!writable}
            spellcheck={false}
            value={resolve}
            placeholder="api.example.com:443:10.0.0.5"
            aria-describedby="scan-resolve-help"
            onInput={(e) => onResolve(e.currentTarget.value)}
          />
          <p id="scan-resolve-help" class="muted">
            <code>host:port:address</code>, one per line (curl's <code>--resolve</code>): scan a host at an
            address of your choosing.
          </p>
        </div>
        <div>
          <label for="scan-cookie">Cookie</label>
          <input
            id="scan-cookie"
            type="password"
            autoComplete="off"
            disabled={!writable}
            value={cookie}
            placeholder="session=…"
            aria-describedby="scan-cookie-help"
            onInput={(e) => onCookie(e.currentTarget.value)}
          />
          <p id="scan-cookie-help" class="muted">
            Sent with every probe (<code>--cookie</code>), for endpoints behind a login; never stored or shown
            again.
          </p>
        </div>
      </div>
    </details>
  );
}

/** Starts a scan of the form's URL with its options; a gateway without a scanner (501) says so instead of failing. */
function starter(
  form: { url: string; origins: string; resolve: string; cookie: string },
  setScan: (s: ScanState | null) => void,
  setError: (err: unknown) => void,
  setUnavailable: (v: boolean) => void,
  reload: () => void,
) {
  const { url, origins, resolve, cookie } = form;
  return async (e: Event) => {
    e.preventDefault();
    setError(null);
    setScan(null);
    try {
      const started = await api<ScanState>('POST', '/api/scans', {
        url: url.trim(),
        origins: lines(origins),
        resolve: lines(resolve),
        ...(cookie ? { cookie } : {}),
      });
      setScan(started);
      notify(`Scan of ${started.url} started: the results appear below.`);
      reload();
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 501) setUnavailable(true);
      else setError(err);
    }
  };
}
