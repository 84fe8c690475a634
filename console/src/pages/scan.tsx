/** Scan a URL through the gateway's scanner API and show the findings and the grade. */
import { useEffect, useState } from 'preact/hooks';
import type { ScanResult } from '@corsgate/scan';
import type { ScanJob, ScanListItem } from '../../../src/gateway/admin/types.js';
import { api, ApiFailure, can, canChange, type Me } from '../api.js';
import { ErrorText, notify } from '../components.js';
import { Busy, ReadOnly, useApi, useSettings } from '../kit.js';

/** A scan job as `GET /api/scans/{id}` answers it, with the summary `GET /api/scans` adds in the history list. */
type ScanState = ScanJob<ScanResult> & Pick<ScanListItem, 'summary'>;

const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);
const list = (s: string) => s.split(/[\s,]+/).map((l) => l.trim()).filter(Boolean);

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'];

function Result({ r }: { r: ScanResult }) {
  const findings = [...r.findings].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
  const failedTests = r.observatory ? Object.values(r.observatory.tests).filter((t) => !t.pass) : [];
  // An error is not a pass: a target that could not be scanned shows why, and no verdict.
  if (r.error) {
    return (
      <div class="scan-result">
        <h3>{r.url}: <span class="error">could not be scanned</span></h3>
        <p class="error" role="alert">{r.error.message} <span class="muted">[{r.error.code}]</span></p>
        <p class="muted">Nothing is known about its CORS or security headers: check the URL, that the target is up and reachable from the gateway, then scan again.</p>
      </div>
    );
  }
  return (
    <div class="scan-result">
      <h3>
        {r.url}: <span class="grade">grade {r.grade ?? '—'}</span> <span class="muted">(score {r.score ?? '—'}{r.status !== null ? `, HTTP ${r.status}` : ''})</span>
      </h3>
      {r.redirects.length > 0 && <p class="muted">Redirected: {r.redirects.map((x) => `${x.status} → ${x.location}`).join(', ')}</p>}
      <h4>CORS findings</h4>
      {findings.length === 0 ? <p class="ok">No CORS misconfiguration found.</p> : (
        <table class="list">
          <thead><tr><th scope="col">Severity</th><th scope="col">Finding</th><th scope="col">Evidence</th><th scope="col">Fix</th></tr></thead>
          <tbody>
            {findings.map((f, i) => (
              <tr key={i}>
                <td data-label="Severity"><span class={`sev sev-${f.severity}`}>{f.severity}</span></td>
                <td data-label="Finding">{f.title} <code class="muted">{f.id}</code></td>
                <td data-label="Evidence"><code>{f.probe.headers.Origin ?? f.probe.headers.origin ?? ''}</code> → {f.evidence.headers['access-control-allow-origin'] ? <code>Access-Control-Allow-Origin: {f.evidence.headers['access-control-allow-origin']}</code> : `HTTP ${f.evidence.status}`}{f.credentials ? ' (with credentials)' : ''}</td>
                <td data-label="Fix">{f.fix.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {failedTests.length > 0 && (
        <>
          <h4>Security headers (Mozilla Observatory checks that failed)</h4>
          <ul>{failedTests.map((t) => <li key={t.name}><strong>{t.name}</strong>: {t.result} <span class="muted">({t.scoreModifier})</span></li>)}</ul>
        </>
      )}
      {r.csp.length > 0 && (
        <>
          <h4>Content-Security-Policy</h4>
          <ul>{r.csp.map((c, i) => <li key={i}><span class={`sev sev-${c.severity}`}>{c.severity}</span> <code>{c.directive}</code>{c.value ? <> <code>{c.value}</code></> : null}: {c.description}</li>)}</ul>
        </>
      )}
    </div>
  );
}

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

  useEffect(() => {
    if (!scan || scan.status !== 'running') return;
    const t = setTimeout(() => api<ScanState>('GET', `/api/scans/${encodeURIComponent(scan.id)}`).then((next) => {
      setScan(next);
      if (next.status !== 'running') history.reload();
    }, setError), 500);
    return () => clearTimeout(t);
  }, [scan]);

  const start = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setScan(null);
    try {
      const started = await api<ScanState>('POST', '/api/scans', { url: url.trim(), origins: lines(origins), resolve: lines(resolve), ...(cookie ? { cookie } : {}) });
      setScan(started);
      notify(`Scan of ${started.url} started: the results appear below.`);
      history.reload();
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 501) setUnavailable(true);
      else setError(err);
    }
  };
  const show = (id: string) => api<ScanState>('GET', `/api/scans/${encodeURIComponent(id)}`).then(setScan, setError);
  const running = scan?.status === 'running';
  return (
    <div>
      <h1>Scan</h1>
      <p>Probe a live URL for CORS misconfigurations (reflected origins, trusted <code>null</code>, look-alike domains, missing <code>Vary: Origin</code>…) and weak security headers: the same checks as <code>corsgate scan</code>. The gateway sends the probes.</p>
      <ReadOnly me={me} what="scans" needs="customize-application" policy={false} />
      {unavailable && <p class="notice" role="status">Scanning is not available on this gateway. Run <code>npx corsgate scan {url || '<url>'}</code> instead.</p>}
      <form class="card" onSubmit={start} aria-label="Start a scan">
        <label for="scan-url">URL</label>
        <input id="scan-url" type="url" required disabled={!writable} value={url} onInput={(e) => setUrl(e.currentTarget.value)} placeholder="https://api.example.com/v1/me" />
        <details class="options">
          <summary>Options: legitimate origins, resolve, cookie</summary>
          <div class="row">
            <div>
              <label for="scan-origins">Legitimate origins</label>
              <textarea id="scan-origins" rows={2} disabled={!writable} spellcheck={false} value={origins} placeholder="https://app.example.com" aria-describedby="scan-origins-help" onInput={(e) => setOrigins(e.currentTarget.value)} />
              <p id="scan-origins-help" class="muted">One per line (<code>--origin</code>): the origins your API should allow; the probes are built around them.</p>
            </div>
            <div>
              <label for="scan-resolve">Resolve</label>
              <textarea id="scan-resolve" rows={2} disabled={!writable} spellcheck={false} value={resolve} placeholder="api.example.com:443:10.0.0.5" aria-describedby="scan-resolve-help" onInput={(e) => setResolve(e.currentTarget.value)} />
              <p id="scan-resolve-help" class="muted"><code>host:port:address</code>, one per line (curl's <code>--resolve</code>): scan a host at an address of your choosing.</p>
            </div>
            <div>
              <label for="scan-cookie">Cookie</label>
              <input id="scan-cookie" type="password" autoComplete="off" disabled={!writable} value={cookie} placeholder="session=…" aria-describedby="scan-cookie-help" onInput={(e) => setCookie(e.currentTarget.value)} />
              <p id="scan-cookie-help" class="muted">Sent with every probe (<code>--cookie</code>), for endpoints behind a login; never stored or shown again.</p>
            </div>
          </div>
        </details>
        <button type="submit" disabled={!writable || running}>{running ? 'Scanning…' : 'Scan'}</button>
        <ErrorText error={error} />
      </form>
      {scan && <ScanStatus scan={scan} />}
      <ScanTargets me={me} />
      <History items={history.data?.items ?? []} loading={history.loading} current={scan?.id ?? null} onShow={show} />
    </div>
  );
}

/** A scan's state: progress while it runs, then its results (or why it could not run). */
function ScanStatus({ scan }: { scan: ScanState }) {
  const running = scan.status === 'running';
  return (
    <section class="card" aria-live="polite" aria-busy={running ? 'true' : 'false'}>
      <h2>Status: {scan.status === 'failed' ? 'failed: the target could not be scanned' : scan.status}</h2>
      <p class="muted">{scan.url}, started <time dateTime={scan.createdAt}>{new Date(scan.createdAt).toLocaleString()}</time> by {scan.createdBy}{scan.options.origins.length ? `; origins ${scan.options.origins.join(', ')}` : ''}{scan.options.resolve.length ? `; resolve ${scan.options.resolve.join(', ')}` : ''}{scan.options.cookie ? '; with a cookie' : ''}</p>
      {scan.progress && running && (
        <p>
          <label for="scan-progress">Probes sent</label>
          <progress id="scan-progress" max={scan.progress.total} value={scan.progress.done}>{scan.progress.done}/{scan.progress.total}</progress> {scan.progress.done} of {scan.progress.total}
        </p>
      )}
      {scan.error && !scan.results?.length && <p class="error">{scan.error.message}</p>}
      {scan.results?.map((r) => <Result key={r.url} r={r} />)}
    </section>
  );
}

function History({ items, loading, current, onShow }: { items: ScanState[]; loading: boolean; current: string | null; onShow: (id: string) => void }) {
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Recent scans</h2>
      <p class="muted">The gateway keeps the last 50 scans in memory (a scan is a diagnosis, not configuration).</p>
      <table class="list" aria-busy={loading ? 'true' : 'false'}>
        <caption class="sr-only">Recent scans, newest first</caption>
        <thead><tr><th scope="col">When</th><th scope="col">URL</th><th scope="col">By</th><th scope="col">Result</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {items.map((j) => (
            <tr key={j.id} class={j.id === current ? 'editing' : undefined}>
              <td data-label="When"><time dateTime={j.createdAt}>{new Date(j.createdAt).toLocaleString()}</time></td>
              <td data-label="URL"><code>{j.url}</code></td>
              <td data-label="By">{j.createdBy}</td>
              <td data-label="Result">{j.status === 'running' ? 'running…' : j.summary?.error ? <span class="error">not scanned: {j.summary.error.code}</span> : j.status === 'failed' ? <span class="error">failed</span> : `grade ${j.summary?.grade ?? '—'}, ${j.summary?.findings ?? 0} CORS ${j.summary?.findings === 1 ? 'finding' : 'findings'}`}</td>
              <td class="actions"><button type="button" class="secondary" onClick={() => onShow(j.id)} aria-label={`Show the scan of ${j.url} from ${new Date(j.createdAt).toLocaleString()}`}>Show</button></td>
            </tr>
          ))}
          {items.length === 0 && !loading && <tr><td colSpan={5} class="muted">No scan yet.</td></tr>}
        </tbody>
      </table>
    </section>
  );
}

/** Where the gateway's scans may go: the scanTargets setting, beside what is always allowed. */
function ScanTargets({ me }: { me: Me }) {
  const writable = canChange(me, 'modify-all-data');
  const settings = useSettings();
  const status = useApi<{ upstream: string; proxyUrl: string }>('/api/status');
  const [text, setText] = useState('');
  useEffect(() => setText(settings.data?.scanTargets.join(', ') ?? ''), [settings.data]);
  const save = (e: Event) => {
    e.preventDefault();
    return settings.save({ scanTargets: list(text) }, (saved) => (saved.scanTargets.length ? `Saved: scans may also reach ${saved.scanTargets.join(', ')}.` : 'Saved: scans may reach public addresses, the upstream and the proxy only.'));
  };
  return (
    <form class="card" onSubmit={save} aria-labelledby="targets-title">
      <h2 id="targets-title">Where scans may go</h2>
      <p>Scans are sent from the gateway, inside your network. They may always reach public addresses, the upstream{status.data ? <> (<code>{status.data.upstream}</code>)</> : ''} and the gateway's proxy{status.data ? <> (<code>{status.data.proxyUrl}</code>)</> : ''}. Private, loopback and link-local addresses (10.0.0.0/8, 127.0.0.1, 169.254.169.254, …) only when listed here.</p>
      <ReadOnly me={me} what="where scans may go" needs="modify-all-data" />
      <label for="scan-targets">Also allowed</label>
      <input id="scan-targets" disabled={!writable} spellcheck={false} value={text} placeholder="none: e.g. 10.0.0.0/8, api.internal, *.corp.example" aria-describedby="scan-targets-help" onInput={(e) => setText(e.currentTarget.value)} />
      <p id="scan-targets-help" class="muted">IP addresses, CIDR ranges, host names and <code>*.domain</code>, comma-separated; <code>*</code> allows everything. Every connection of a scan, redirects included, is checked and sent to the address checked.</p>
      <button type="submit" disabled={!writable || settings.busy || settings.data === null || text === settings.data.scanTargets.join(', ')}>Save</button><Busy busy={settings.busy} />
      <ErrorText error={settings.error} />
    </form>
  );
}
