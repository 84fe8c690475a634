/**
 * Scans run from the console: `POST /api/scans { url }` starts `corsgate scan` on one URL in the
 * background and answers 202 with its id; `GET /api/scans/{id}` reports progress and results.
 * Kept in memory (the last 50): a scan is a diagnosis, not configuration.
 */
import { randomUUID } from 'node:crypto';
import { scanModule } from '../modules.js';
import { ApiError } from './http.js';

export interface ScanJob {
  id: string;
  url: string;
  status: 'running' | 'done' | 'failed';
  progress: { done: number; total: number };
  createdAt: string;
  createdBy: string;
  results?: unknown[];
  error?: { code: string; message: string };
}

const jobs = new Map<string, ScanJob>();
const KEEP = 50;

type ScanFn = (urls: string[], options: { onProgress?: (done: number, total: number) => void }) => Promise<{ results: unknown[] }>;

export async function startScan(url: string, actor: string): Promise<ScanJob> {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new ApiError(400, 'scan-url-invalid', `'${url}' is not an http(s) URL`, 'url');
  }
  const mod = await scanModule();
  const scan = mod?.scan as ScanFn | undefined;
  if (!scan) throw new ApiError(501, 'scan-unavailable', 'this build has no scanner module');
  const job: ScanJob = { id: randomUUID(), url, status: 'running', progress: { done: 0, total: 1 }, createdAt: new Date().toISOString(), createdBy: actor };
  jobs.set(job.id, job);
  for (const id of [...jobs.keys()].slice(0, Math.max(0, jobs.size - KEEP))) jobs.delete(id);
  scan([url], { onProgress: (done, total) => (job.progress = { done, total }) }).then(
    (out) => {
      job.results = out.results;
      // A target that could not be scanned is a failed scan, not a clean one (its result says why).
      const error = (out.results[0] as { error?: { code: string; message: string } } | undefined)?.error;
      job.status = error ? 'failed' : 'done';
      if (error) job.error = error;
    },
    (err: unknown) => {
      job.status = 'failed';
      job.error = { code: 'scan-failed', message: (err as Error).message };
    },
  );
  return job;
}

export function getScan(id: string): ScanJob {
  const job = jobs.get(id);
  if (!job) throw new ApiError(404, 'not-found', `no scan with id '${id}'`);
  return job;
}
