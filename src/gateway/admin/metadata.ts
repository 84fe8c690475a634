/**
 * Salesforce metadata import for the admin API (metadata-export.ts exports). Import reads CorsWhitelistOrigin and
 * CspTrustedSite XML files (alone or zipped as a metadata folder) and Security.settings, validates
 * everything (the metadata module's checks, then the engine's pattern check and Salesforce's
 * trusted-site rules, the admin API's lengths for origins), and writes nothing unless every item is valid.
 * The upload is parsed in a worker thread within IMPORT_LIMITS (src/salesforce/limits.ts); beyond
 * one the answer is 413 `import-too-large` naming the limit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Worker } from 'node:worker_threads';
import type { ImportPlan } from '../../store/types.js';
import { checkAllowlistEntry, fixHint } from '../core/entry.js';
import { salesforceModule, type MetadataBundle, type MetadataProblem } from '../modules.js';
import { requestUrl, type ApiContext } from './context.js';
import { normaliseTrustedSite } from './bodies.js';
import { andMore, ApiError, listedProblems, MAX_LISTED_PROBLEMS, readRaw, sendJson } from './http.js';
import type { ImportJob, ImportReply } from './import-worker.js';
import { checkBody, SCHEMAS } from './schema.js';

function filenameOf(req: IncomingMessage, url: URL): string | undefined {
  const q = url.searchParams.get('filename');
  if (q) return q;
  const x = req.headers['x-filename'];
  if (typeof x === 'string' && x) return x;
  const cd = req.headers['content-disposition'];
  const m = cd ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd) : null;
  return m ? decodeURIComponent(m[1]!) : undefined;
}

/**
 * The first file of a multipart/form-data upload (`curl -F file=@metadata.zip`), with its file name;
 * null when the body is not multipart. RFC 7578: parts are separated by `--boundary` lines.
 */
function multipartFile(
  raw: Buffer,
  contentType: string | undefined,
): { data: Buffer; filename?: string } | null {
  const m = contentType
    ? /^multipart\/form-data;.*\bboundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType)
    : null;
  if (!m) return null;
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`);
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const headersStart = start + delimiter.length + 2; // CRLF after the delimiter
    const headersEnd = raw.indexOf('\r\n\r\n', headersStart);
    if (headersEnd === -1) break;
    const next = raw.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd + 4);
    if (next === -1) break;
    const headers = raw.subarray(headersStart, headersEnd).toString('utf8');
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
    if (filename !== undefined)
      return { data: raw.subarray(headersEnd + 4, next), ...(filename ? { filename } : {}) };
    start = next + 2;
  }
  throw new ApiError(
    400,
    'import-multipart-invalid',
    'the multipart upload holds no file part (send it as: curl -F file=@metadata.zip …)',
  );
}

/** The largest upload /api/import reads (the Metadata API's own SOAP limit is 50 MB too). */
export const MAX_UPLOAD_BYTES = 50_000_000;
/** Imports parsed at the same time; more answer 429 (each holds its upload and a worker). */
const MAX_CONCURRENT_IMPORTS = 2;
/** The worker's heap, and how long it may take, whatever the upload. */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 64 };
const WORKER_TIMEOUT_MS = 60_000;
/** Items checked with the engine between two turns of the event loop. */
const CHECKS_PER_TURN = 250;

const WORKER_URL = new URL('./import-worker.js', import.meta.url);
let importsRunning = 0;

type Parsed = {
  bundle: MetadataBundle;
  problems: MetadataProblem[];
  sources?: { corsOrigins: string[]; trustedSites: string[] };
};

function tooLarge(limit: string, max: number, message: string, file?: string): ApiError {
  return new ApiError(413, 'import-too-large', `nothing was imported: ${message}`, undefined, {
    limit,
    max,
    ...(file ? { file } : {}),
  });
}

/** Parses the upload in a worker thread (import-worker.ts): hostile uploads cannot block or exhaust the proxy. */
function parseInWorker(bytes: Uint8Array, hint: ImportJob['hint']): Promise<Parsed> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, {
      workerData: { bytes, hint } satisfies ImportJob,
      resourceLimits: WORKER_LIMITS,
    });
    const timer = setTimeout(() => {
      reject(
        tooLarge(
          'importTimeoutMs',
          WORKER_TIMEOUT_MS,
          `reading the upload took longer than ${WORKER_TIMEOUT_MS} ms`,
        ),
      );
      void worker.terminate();
    }, WORKER_TIMEOUT_MS);
    const done = () => clearTimeout(timer);
    worker.once('message', (reply: ImportReply) => {
      done();
      void worker.terminate();
      if (reply.ok) return resolve(reply.parsed as Parsed);
      const e = reply.error;
      if (e.limit) return reject(tooLarge(e.limit, e.max!, e.message, e.file));
      if (e.name === 'Unavailable') return reject(new ApiError(501, 'import-unavailable', e.message));
      reject(
        new ApiError(400, 'import-invalid', `the upload could not be read: ${e.message}`, undefined, {
          problems: [{ code: 'import-unreadable', message: e.message }],
        }),
      );
    });
    worker.once('error', (err: Error & { code?: string }) => {
      done();
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY')
        reject(
          tooLarge(
            'maxImportHeapMb',
            WORKER_LIMITS.maxOldGenerationSizeMb,
            'reading the upload needed more memory than the import may use',
          ),
        );
      else reject(err);
    });
    worker.once('exit', () => {
      done();
      reject(new Error('the import worker stopped without an answer'));
    });
  });
}

/** Lets the proxy's requests in between long runs of checks. */
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/** The lengths POST /api/allowlist allows (schema.ts), so an import cannot store more. */
function originProblems(origin: {
  urlPattern: string;
  description?: string;
}): { code: string; field: string; message: string }[] {
  const fields = SCHEMAS.AllowlistInput.properties;
  return [
    ...checkBody(fields.urlPattern, origin.urlPattern, 'urlPattern').problems,
    ...(origin.description === undefined
      ? []
      : checkBody(fields.description, origin.description, 'description').problems),
  ];
}

async function checkBundle(
  ctx: ApiContext,
  parsed: Parsed,
): Promise<{ plan: ImportPlan; problems: MetadataProblem[]; warnings: MetadataProblem[] }> {
  // A pattern the metadata module refused is worded by the shared entry check (no policy options to advise here).
  const problems: MetadataProblem[] = parsed.problems
    .filter((p) => (p as { severity?: string }).severity !== 'warning')
    .map((p) => {
      const entry = typeof p.urlPattern === 'string' ? checkAllowlistEntry(p.urlPattern) : null;
      if (entry === null) return p;
      const hint = fixHint(entry, false);
      return {
        ...p,
        code: entry.code,
        message: `${p.urlPattern}: ${entry.message}`,
        ...(hint ? { hint } : {}),
      };
    });
  const warnings = parsed.problems.filter((p) => (p as { severity?: string }).severity === 'warning');
  const plan: ImportPlan = { allowlist: [], trustedSites: [] };
  for (const [i, o] of parsed.bundle.corsOrigins.entries()) {
    if (i % CHECKS_PER_TURN === CHECKS_PER_TURN - 1) await nextTurn();
    const fullName = (o as { fullName?: string }).fullName;
    const file = parsed.sources?.corsOrigins[i] ?? fullName;
    const bad = originProblems(o);
    const problem = bad.length ? null : checkAllowlistEntry(o.urlPattern);
    const hint = problem ? fixHint(problem, false) : undefined;
    for (const p of bad)
      problems.push({ severity: 'error', ...p, ...(file ? { file } : {}), path: `corsOrigins[${i}]` });
    if (problem)
      problems.push({
        severity: 'error',
        code: problem.code,
        ...(file ? { file } : {}),
        field: 'urlPattern',
        message: `${o.urlPattern}: ${problem.message}`,
        ...(hint ? { hint } : {}),
        path: `corsOrigins[${i}]`,
      });
    else if (!bad.length)
      plan.allowlist.push({
        urlPattern: o.urlPattern,
        description: o.description ?? '',
        ...(fullName ? { name: fullName } : {}),
      });
  }
  for (const [i, s] of parsed.bundle.trustedSites.entries()) {
    if (i % CHECKS_PER_TURN === CHECKS_PER_TURN - 1) await nextTurn();
    // Salesforce's rules, lengths included (src/csp validateTrustedSite).
    const { site, problems: siteProblems } = await normaliseTrustedSite(s);
    const file = parsed.sources?.trustedSites[i] ?? site.name;
    for (const p of siteProblems)
      problems.push({
        severity: 'error',
        ...p,
        file,
        message: `${site.name || `trustedSites[${i}]`}: ${p.message}`,
        path: `trustedSites[${i}]`,
      });
    // Permissions-Policy grants (API 59+) travel with the site.
    const permissions = Object.fromEntries(
      (['canAccessCamera', 'canAccessMicrophone'] as const)
        .filter((f) => typeof s[f] === 'boolean')
        .map((f) => [f, s[f]]),
    );
    if (!siteProblems.length) plan.trustedSites.push({ ...site, ...permissions });
  }
  if (typeof parsed.bundle.settings?.corsForOAuthEndpoints === 'boolean')
    plan.settings = { corsForOAuthEndpoints: parsed.bundle.settings.corsForOAuthEndpoints };
  return { plan, problems, warnings };
}

export async function importMetadataHandler(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  actor: string,
): Promise<void> {
  if (!(await salesforceModule()))
    throw new ApiError(501, 'import-unavailable', 'this build has no Salesforce metadata module');
  if (importsRunning >= MAX_CONCURRENT_IMPORTS)
    throw new ApiError(
      429,
      'import-busy',
      `${MAX_CONCURRENT_IMPORTS} imports are already running; retry in a moment`,
      undefined,
      undefined,
      true,
    );
  importsRunning++;
  try {
    const url = requestUrl(req);
    let raw = await readRaw(req, MAX_UPLOAD_BYTES, 'maxUploadBytes');
    let contentType = req.headers['content-type'];
    let filename = filenameOf(req, url);
    const part = multipartFile(raw, contentType);
    if (part) {
      raw = part.data;
      filename ??= part.filename;
      contentType = undefined;
    }
    if (raw.length === 0)
      throw new ApiError(400, 'import-empty', 'send the metadata file (XML or zip) as the request body');
    // The API version a CspTrustedSite's defaults depend on, when the upload declares none (package.xml, sfdx-project.json).
    const apiVersion = url.searchParams.get('apiVersion');
    const parsed = await parseInWorker(raw, {
      ...(filename ? { filename } : {}),
      ...(contentType ? { contentType } : {}),
      ...(apiVersion ? { apiVersion } : {}),
    });
    const { plan, problems, warnings } = await checkBundle(ctx, parsed);
    // All or nothing: every problem at once (the first 100 listed), with how many entries were valid.
    const valid = { corsOrigins: plan.allowlist.length, trustedSites: plan.trustedSites.length };
    if (problems.length > 0) {
      const message = `nothing was imported: ${problems.length} problem(s) found${andMore(problems.length)}; ${valid.corsOrigins} origin(s) and ${valid.trustedSites} trusted site(s) were valid`;
      throw new ApiError(400, 'import-invalid', message, undefined, {
        ...listedProblems(problems),
        valid,
        warnings: warnings.slice(0, MAX_LISTED_PROBLEMS),
      });
    }
    const result = await ctx.store.applyImport(plan, actor);
    await ctx.sync();
    sendJson(res, 200, {
      ...result,
      found: {
        corsOrigins: parsed.bundle.corsOrigins.length,
        trustedSites: parsed.bundle.trustedSites.length,
        settings: plan.settings ?? null,
      },
      warnings: warnings.slice(0, MAX_LISTED_PROBLEMS),
    });
  } finally {
    importsRunning--;
  }
}
