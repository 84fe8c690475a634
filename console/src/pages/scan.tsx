/** Scan a URL through the gateway's scanner API and show the findings and the grade. */
import { useEffect, useState } from 'preact/hooks';
import type { ScanResult } from '../../../src/scan/index.js';
import { api, ApiFailure, can, type Me } from '../api.js';
import { ErrorText, ReadOnly } from '../components.js';

interface ScanState {
  id: string;
  url: string;
  status: 'running' | 'done' | 'failed';
  progress?: { done: number; total: number };
  results?: ScanResult[];
  error?: { message: string };
}

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
  const [scan, setScan] = useState<ScanState | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [unavailable, setUnavailable] = useState(false);

  useEffect(() => {
    if (!scan || scan.status !== 'running') return;
    const t = setTimeout(() => api<ScanState>('GET', `/api/scans/${encodeURIComponent(scan.id)}`).then(setScan, setError), 500);
    return () => clearTimeout(t);
  }, [scan]);

  const start = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setScan(null);
    try {
      setScan(await api<ScanState>('POST', '/api/scans', { url: url.trim() }));
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 501) setUnavailable(true);
      else setError(err);
    }
  };
  const running = scan?.status === 'running';
  return (
    <div>
      <h1>Scan</h1>
      <p>Probe a live URL for CORS misconfigurations (reflected origins, trusted <code>null</code>, look-alike domains, missing <code>Vary: Origin</code>…) and weak security headers: the same checks as <code>corsgate scan</code>. The gateway sends the probes.</p>
      {!writable && <ReadOnly what="scans" needs="customize-application" />}
      {unavailable && <p class="notice" role="status">Scanning is not available on this gateway. Run <code>npx corsgate scan {url || '<url>'}</code> instead.</p>}
      <form class="card" onSubmit={start}>
        <label for="scan-url">URL</label>
        <input id="scan-url" type="url" required disabled={!writable} value={url} onInput={(e) => setUrl(e.currentTarget.value)} placeholder="https://api.example.com/v1/me" />
        <button type="submit" disabled={!writable || running}>{running ? 'Scanning…' : 'Scan'}</button>
        <ErrorText error={error} />
      </form>
      {scan && (
        <section class="card" aria-live="polite" aria-busy={running ? 'true' : 'false'}>
          <h2>Status: {scan.status === 'failed' ? 'failed: the target could not be scanned' : scan.status}</h2>
          {scan.progress && running && (
            <p>
              <label for="scan-progress">Probes sent</label>
              <progress id="scan-progress" max={scan.progress.total} value={scan.progress.done}>{scan.progress.done}/{scan.progress.total}</progress> {scan.progress.done} of {scan.progress.total}
            </p>
          )}
          {scan.error && !scan.results?.length && <p class="error">{scan.error.message}</p>}
          {scan.results?.map((r) => <Result key={r.url} r={r} />)}
        </section>
      )}
    </div>
  );
}
