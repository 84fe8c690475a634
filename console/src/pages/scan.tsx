/** Scan a URL through the gateway's scanner API and show the findings and the grade. */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure, type Me } from '../api.js';
import { ErrorText } from '../components.js';

interface Finding {
  id: string;
  severity: string;
  fix?: { text?: string };
  evidence?: unknown;
}
interface ScanState {
  id: string;
  status: string;
  progress?: { done: number; total: number };
  results?: { url: string; status: number; grade?: string; score?: number; findings: Finding[] }[];
  error?: { message: string };
}

export function ScanPage(_props: { me: Me }) {
  const [url, setUrl] = useState('');
  const [scan, setScan] = useState<ScanState | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [unavailable, setUnavailable] = useState(false);

  useEffect(() => {
    if (!scan || scan.status === 'done' || scan.status === 'failed') return;
    const t = setTimeout(() => api<ScanState>('GET', `/api/scans/${encodeURIComponent(scan.id)}`).then(setScan, setError), 500);
    return () => clearTimeout(t);
  }, [scan]);

  const start = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      setScan(await api<ScanState>('POST', '/api/scans', { url }));
    } catch (err) {
      if (err instanceof ApiFailure && (err.status === 404 || err.status === 501)) setUnavailable(true);
      else setError(err);
    }
  };
  return (
    <div>
      <h1>Scan</h1>
      <p>Probe a live URL for CORS misconfigurations and weak security headers (the same checks as <code>corsgate scan</code>).</p>
      {unavailable && <p class="notice" role="status">Scanning is not available on this gateway. Run <code>npx corsgate scan {url || '<url>'}</code> instead.</p>}
      <form class="card" onSubmit={start}>
        <label for="scan-url">URL</label>
        <input id="scan-url" type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} placeholder="https://api.example.com/v1/me" />
        <button type="submit">Scan</button>
        <ErrorText error={error} />
      </form>
      {scan && (
        <section class="card" aria-live="polite">
          <h2>Status: {scan.status}</h2>
          {scan.progress && <progress max={scan.progress.total} value={scan.progress.done}>{scan.progress.done}/{scan.progress.total}</progress>}
          {scan.error && <p class="error">{scan.error.message}</p>}
          {scan.results?.map((r) => (
            <div key={r.url}>
              <h3>{r.url}: grade {r.grade ?? '—'} ({r.score ?? '—'}), HTTP {r.status}</h3>
              {r.findings.length === 0 ? <p>No findings.</p> : (
                <table class="list"><thead><tr><th scope="col">Finding</th><th scope="col">Severity</th><th scope="col">Fix</th></tr></thead>
                  <tbody>{r.findings.map((f, i) => <tr key={i}><td><code>{f.id}</code></td><td>{f.severity}</td><td>{f.fix?.text}</td></tr>)}</tbody>
                </table>
              )}
            </div>
          ))}
        </section>
      )}
    </div>
  );
}
