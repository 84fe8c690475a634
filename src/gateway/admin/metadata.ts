/**
 * Salesforce metadata import/export for the admin API. Import reads CorsWhitelistOrigin and
 * CspTrustedSite XML files (alone or zipped as a metadata folder) and Security.settings, validates
 * everything (the metadata module's checks, then the engine's pattern check and Salesforce's
 * trusted-site rules), and writes nothing unless every item is valid.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AllowlistEntry, ImportPlan } from '../../store/types.js';
import { checkAllowlistEntry, fixHint } from '../core/entry.js';
import { salesforceModule, type MetadataBundle, type MetadataProblem } from '../modules.js';
import type { ApiContext } from './api.js';
import { normaliseTrustedSite } from './api.js';
import { ApiError, readRaw, sendBytes, sendJson } from './http.js';

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
function multipartFile(raw: Buffer, contentType: string | undefined): { data: Buffer; filename?: string } | null {
  const m = contentType ? /^multipart\/form-data;.*\bboundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType) : null;
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
    if (filename !== undefined) return { data: raw.subarray(headersEnd + 4, next), ...(filename ? { filename } : {}) };
    start = next + 2;
  }
  throw new ApiError(400, 'import-multipart-invalid', 'the multipart upload holds no file part (send it as: curl -F file=@metadata.zip …)');
}

export async function importMetadataHandler(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, actor: string): Promise<void> {
  const mod = await salesforceModule();
  if (!mod) throw new ApiError(501, 'import-unavailable', 'this build has no Salesforce metadata module');
  const url = new URL(req.url ?? '/', 'http://x');
  let raw = await readRaw(req, 50_000_000);
  let contentType = req.headers['content-type'];
  let filename = filenameOf(req, url);
  const part = multipartFile(raw, contentType);
  if (part) {
    raw = part.data;
    filename ??= part.filename;
    contentType = undefined;
  }
  if (raw.length === 0) throw new ApiError(400, 'import-empty', 'send the metadata file (XML or zip) as the request body');
  let parsed: { bundle: MetadataBundle; problems: MetadataProblem[] };
  try {
    parsed = await mod.importMetadata(new Uint8Array(raw), { ...(filename ? { filename } : {}), ...(contentType ? { contentType } : {}) });
  } catch (err) {
    throw new ApiError(400, 'import-invalid', `the upload could not be read: ${(err as Error).message}`, undefined, { problems: [{ code: 'import-unreadable', message: (err as Error).message }] });
  }
  // A pattern the metadata module refused is worded by the shared entry check (no policy options to advise here).
  const problems: MetadataProblem[] = parsed.problems
    .filter((p) => (p as { severity?: string }).severity !== 'warning')
    .map((p) => {
      const entry = typeof p.urlPattern === 'string' ? checkAllowlistEntry(p.urlPattern) : null;
      if (entry === null) return p;
      const hint = fixHint(entry, false);
      return { ...p, code: entry.code, message: `${p.urlPattern as string}: ${entry.message}`, ...(hint ? { hint } : {}) };
    });
  const plan: ImportPlan = { allowlist: [], trustedSites: [] };
  parsed.bundle.corsOrigins.forEach((o, i) => {
    const problem = checkAllowlistEntry(o.urlPattern);
    const file = (o as { fullName?: string }).fullName;
    const hint = problem ? fixHint(problem, false) : undefined;
    if (problem) problems.push({ severity: 'error', code: problem.code, ...(file ? { file } : {}), field: 'urlPattern', message: `${o.urlPattern}: ${problem.message}`, ...(hint ? { hint } : {}), path: `corsOrigins[${i}]` });
    else plan.allowlist.push({ urlPattern: o.urlPattern, description: o.description ?? '' });
  });
  for (const [i, s] of parsed.bundle.trustedSites.entries()) {
    const { site, problems: siteProblems } = await normaliseTrustedSite(s);
    for (const p of siteProblems) problems.push({ severity: 'error', ...p, file: site.name, message: `${site.name || `trustedSites[${i}]`}: ${p.message}`, path: `trustedSites[${i}]` });
    if (!siteProblems.length) plan.trustedSites.push(site);
  }
  if (typeof parsed.bundle.settings?.corsForOAuthEndpoints === 'boolean') plan.settings = { corsForOAuthEndpoints: parsed.bundle.settings.corsForOAuthEndpoints };
  if (problems.length > 0) {
    throw new ApiError(400, 'import-invalid', `nothing was imported: ${problems.length} problem(s) found`, undefined, { problems });
  }
  const result = await ctx.store.applyImport(plan, actor);
  await ctx.sync();
  sendJson(res, 200, { ...result, found: { corsOrigins: parsed.bundle.corsOrigins.length, trustedSites: parsed.bundle.trustedSites.length, settings: plan.settings ?? null } });
}

async function currentBundle(ctx: ApiContext): Promise<MetadataBundle> {
  const origins: AllowlistEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.store.listAllowlist({ limit: 1000, ...(cursor ? { cursor } : {}) });
    origins.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const sites = [];
  cursor = undefined;
  do {
    const page = await ctx.store.listTrustedSites({ limit: 1000, ...(cursor ? { cursor } : {}) });
    sites.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const settings = await ctx.store.getSettings();
  return {
    corsOrigins: origins.map((o) => ({ urlPattern: o.urlPattern, ...(o.description ? { description: o.description } : {}) })),
    trustedSites: sites.map(({ id: _id, createdAt: _c, createdBy: _b, ...fields }) => fields),
    settings: { corsForOAuthEndpoints: settings.corsForOAuthEndpoints },
  };
}

export async function exportMetadataHandler(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const format = url.searchParams.get('format') ?? 'zip';
  if (format !== 'zip' && format !== 'json') throw new ApiError(400, 'query-invalid', '?format must be zip (Salesforce metadata folder) or json (the same files as JSON)', 'format');
  const mod = await salesforceModule();
  if (!mod) throw new ApiError(501, 'export-unavailable', 'this build has no Salesforce metadata module');
  const bundle = await currentBundle(ctx);
  const out = await mod.exportMetadata(bundle);
  if (format === 'json') return sendJson(res, 200, { files: out.files, bundle });
  sendBytes(res, 200, 'application/zip', out.zip, { 'content-disposition': 'attachment; filename="corsgate-metadata.zip"' });
}
