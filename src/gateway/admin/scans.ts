/**
 * Scans run from the console: `POST /api/scans { url, origins?, resolve?, cookie? }` starts
 * `corsgate scan` on one URL in the background and answers 202 with its id; `GET /api/scans/{id}`
 * reports progress and results; `GET /api/scans` lists the recent ones, newest first. Kept in
 * memory (the last 50): a scan is a diagnosis, not configuration. Where a scan may go is decided
 * by scan-targets.ts: the target before the scan starts, and every connection while it runs.
 */
import { randomUUID } from 'node:crypto';
import { scanModule } from '../modules.js';
import { ApiError } from './http.js';
import { checkScanTarget, scanGuard, type ScanScope } from './scan-targets.js';
import type { ScanInput, ScanJob, ScanListItem } from './types.js';

export type { ScanInput, ScanJob } from './types.js';

const jobs = new Map<string, ScanJob>();
const KEEP = 50;

type ScanFn = (
  urls: string[],
  options: {
    origins?: string[];
    resolve?: string[];
    cookie?: string;
    guard?: ReturnType<typeof scanGuard>;
    onProgress?: (done: number, total: number) => void;
  },
) => Promise<{ results: unknown[] }>;

/** An origin as browsers send it (scheme://host[:port]), as `corsgate scan --origin` takes it. */
function originOf(value: string): string {
  const u = URL.canParse(value) ? new URL(value) : null;
  if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:'))
    throw new ApiError(
      400,
      'scan-origin-invalid',
      `'${value}' is not an origin such as https://app.example.com`,
      'origins',
    );
  return u.origin;
}

export async function startScan(input: ScanInput, actor: string, scope: ScanScope): Promise<ScanJob> {
  const { url } = input;
  let target: URL;
  try {
    target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new ApiError(400, 'scan-url-invalid', `'${url}' is not an http(s) URL`, 'url');
  }
  const origins = (input.origins ?? []).map(originOf);
  // Control characters would split the header (RFC 9110 §5.5); undici would refuse them later, less clearly.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point here
  if (input.cookie !== undefined && /[\x00-\x08\x0a-\x1f\x7f]/.test(input.cookie))
    throw new ApiError(
      400,
      'scan-cookie-invalid',
      'the cookie must be one line of text, as in a Cookie header',
      'cookie',
    );
  const resolve = input.resolve ?? [];
  await checkScanTarget(target, resolve, scope);
  const mod = await scanModule();
  const scan = mod?.scan as ScanFn | undefined;
  if (!scan) throw new ApiError(501, 'scan-unavailable', 'this build has no scanner module');
  const job: ScanJob = {
    id: randomUUID(),
    url,
    status: 'running',
    progress: { done: 0, total: 1 },
    createdAt: new Date().toISOString(),
    createdBy: actor,
    options: { origins, resolve, cookie: input.cookie !== undefined && input.cookie !== '' },
  };
  jobs.set(job.id, job);
  for (const id of [...jobs.keys()].slice(0, Math.max(0, jobs.size - KEEP))) jobs.delete(id);
  scan([url], {
    origins,
    resolve,
    guard: scanGuard(scope),
    ...(input.cookie ? { cookie: input.cookie } : {}),
    onProgress: (done, total) => (job.progress = { done, total }),
  }).then(
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

/** The recent scans, newest first, without their results (fetch one by id for those). */
export function listScans(): ScanListItem[] {
  return [...jobs.values()].reverse().map(({ results, ...rest }) => {
    const first = (results?.[0] ?? null) as {
      grade?: string | null;
      findings?: { severity: string }[];
      error?: { code: string; message: string };
    } | null;
    return {
      ...rest,
      ...(first
        ? {
            summary: {
              grade: first.grade ?? null,
              findings: first.findings?.length ?? 0,
              ...(first.error ? { error: first.error } : {}),
            },
          }
        : {}),
    };
  });
}
