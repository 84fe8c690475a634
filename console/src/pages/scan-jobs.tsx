/** Scan jobs: the current one's progress and results, and the recent ones. */
import type { ScanResult } from '@corsgate/scan';
import type { ScanJob, ScanListItem } from '../../../src/gateway/admin/types.js';
import { Result } from './scan-result.js';

/** A scan job as `GET /api/scans/{id}` answers it, with the summary `GET /api/scans` adds in the history list. */
export type ScanState = ScanJob<ScanResult> & Pick<ScanListItem, 'summary'>;

/** A scan's state: progress while it runs, then its results (or why it could not run). */
export function ScanStatus({ scan }: { scan: ScanState }) {
  const running = scan.status === 'running';
  return (
    <section class="card" aria-live="polite" aria-busy={running ? 'true' : 'false'}>
      <h2>Status: {scan.status === 'failed' ? 'failed: the target could not be scanned' : scan.status}</h2>
      <p class="muted">
        {scan.url}, started <time dateTime={scan.createdAt}>{new Date(scan.createdAt).toLocaleString()}</time>{' '}
        by {scan.createdBy}
        {scan.options.origins.length ? `; origins ${scan.options.origins.join(', ')}` : ''}
        {scan.options.resolve.length ? `; resolve ${scan.options.resolve.join(', ')}` : ''}
        {scan.options.cookie ? '; with a cookie' : ''}
      </p>
      {scan.progress && running && (
        <p>
          <label for="scan-progress">Probes sent</label>
          <progress id="scan-progress" max={scan.progress.total} value={scan.progress.done}>
            {scan.progress.done}/{scan.progress.total}
          </progress>{' '}
          {scan.progress.done} of {scan.progress.total}
        </p>
      )}
      {scan.error && !scan.results?.length && <p class="error">{scan.error.message}</p>}
      {scan.results?.map((r) => (
        <Result key={r.url} r={r} />
      ))}
    </section>
  );
}

export function History({
  items,
  loading,
  current,
  onShow,
}: {
  items: ScanState[];
  loading: boolean;
  current: string | null;
  onShow: (id: string) => void;
}) {
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Recent scans</h2>
      <p class="muted">
        The gateway keeps the last 50 scans in memory (a scan is a diagnosis, not configuration).
      </p>
      <table class="list" aria-busy={loading ? 'true' : 'false'}>
        <caption class="sr-only">Recent scans, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">URL</th>
            <th scope="col">By</th>
            <th scope="col">Result</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((j) => (
            <tr key={j.id} class={j.id === current ? 'editing' : undefined}>
              <td data-label="When">
                <time dateTime={j.createdAt}>{new Date(j.createdAt).toLocaleString()}</time>
              </td>
              <td data-label="URL">
                <code>{j.url}</code>
              </td>
              <td data-label="By">{j.createdBy}</td>
              <td data-label="Result">
                {j.status === 'running' ? (
                  'running…'
                ) : j.summary?.error ? (
                  <span class="error">not scanned: {j.summary.error.code}</span>
                ) : j.status === 'failed' ? (
                  <span class="error">failed</span>
                ) : (
                  `grade ${j.summary?.grade ?? '—'}, ${j.summary?.findings ?? 0} CORS ${j.summary?.findings === 1 ? 'finding' : 'findings'}`
                )}
              </td>
              <td class="actions">
                <button
                  type="button"
                  class="secondary"
                  onClick={() => onShow(j.id)}
                  aria-label={`Show the scan of ${j.url} from ${new Date(j.createdAt).toLocaleString()}`}
                >
                  Show
                </button>
              </td>
            </tr>
          ))}
          {items.length === 0 && !loading && (
            <tr>
              <td colSpan={5} class="muted">
                No scan yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
