/** One scanned URL's result: its grade, CORS findings, failed Observatory checks and CSP findings. */
import type { ScanResult } from '@corsgate/scan';

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'];

export function Result({ r }: { r: ScanResult }) {
  // An error is not a pass: a target that could not be scanned shows why, and no verdict.
  if (r.error) {
    return (
      <div class="scan-result">
        <h3>
          {r.url}: <span class="error">could not be scanned</span>
        </h3>
        <p class="error" role="alert">
          {r.error.message} <span class="muted">[{r.error.code}]</span>
        </p>
        <p class="muted">
          Nothing is known about its CORS or security headers: check the URL, that the target is up and
          reachable from the gateway, then scan again.
        </p>
      </div>
    );
  }
  return (
    <div class="scan-result">
      <h3>
        {r.url}: <span class="grade">grade {r.grade ?? '—'}</span>{' '}
        <span class="muted">
          (score {r.score ?? '—'}
          {r.status !== null ? `, HTTP ${r.status}` : ''})
        </span>
      </h3>
      {r.redirects.length > 0 && (
        <p class="muted">Redirected: {r.redirects.map((x) => `${x.status} → ${x.location}`).join(', ')}</p>
      )}
      <h4>CORS findings</h4>
      <CorsFindings findings={r.findings} />
      <ObservatoryFailures r={r} />
      <CspFindings csp={r.csp} />
    </div>
  );
}

/** The CORS findings, worst first. */
function CorsFindings({ findings: unsorted }: { findings: ScanResult['findings'] }) {
  const findings = [...unsorted].sort(
    (a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity),
  );
  if (findings.length === 0) return <p class="ok">No CORS misconfiguration found.</p>;
  return (
    <table class="list">
      <thead>
        <tr>
          <th scope="col">Severity</th>
          <th scope="col">Finding</th>
          <th scope="col">Evidence</th>
          <th scope="col">Fix</th>
        </tr>
      </thead>
      <tbody>
        {findings.map((f, i) => (
          <tr key={i}>
            <td data-label="Severity">
              <span class={`sev sev-${f.severity}`}>{f.severity}</span>
            </td>
            <td data-label="Finding">
              {f.title} <code class="muted">{f.id}</code>
            </td>
            <td data-label="Evidence">
              <code>{f.probe.headers.Origin ?? f.probe.headers.origin ?? ''}</code> →{' '}
              {f.evidence.headers['access-control-allow-origin'] ? (
                <code>Access-Control-Allow-Origin: {f.evidence.headers['access-control-allow-origin']}</code>
              ) : (
                `HTTP ${f.evidence.status}`
              )}
              {f.credentials ? ' (with credentials)' : ''}
            </td>
            <td data-label="Fix">{f.fix.text}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The Mozilla Observatory checks that failed. */
function ObservatoryFailures({ r }: { r: ScanResult }) {
  const failedTests = r.observatory ? Object.values(r.observatory.tests).filter((t) => !t.pass) : [];
  if (failedTests.length === 0) return null;
  return (
    <>
      <h4>Security headers (Mozilla Observatory checks that failed)</h4>
      <ul>
        {failedTests.map((t) => (
          <li key={t.name}>
            <strong>{t.name}</strong>: {t.result} <span class="muted">({t.scoreModifier})</span>
          </li>
        ))}
      </ul>
    </>
  );
}

/** CSP Evaluator's findings on the Content-Security-Policy. */
function CspFindings({ csp }: { csp: ScanResult['csp'] }) {
  if (csp.length === 0) return null;
  return (
    <>
      <h4>Content-Security-Policy</h4>
      <ul>
        {csp.map((c, i) => (
          <li key={i}>
            <span class={`sev sev-${c.severity}`}>{c.severity}</span> <code>{c.directive}</code>
            {c.value ? (
              <>
                {' '}
                <code>{c.value}</code>
              </>
            ) : null}
            : {c.description}
          </li>
        ))}
      </ul>
    </>
  );
}
