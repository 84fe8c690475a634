/**
 * Salesforce metadata export for the admin API: the allowlist as CorsWhitelistOrigin files, the
 * trusted sites as CspTrustedSite files and the OAuth CORS setting as Security.settings, zipped as
 * a metadata folder (or as JSON); `?format=policy` gives a policy file for --policy instead.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { salesforceModule, type MetadataBundle } from '../modules.js';
import { requestUrl, type ApiContext } from './context.js';
import { ApiError, sendBytes, sendJson } from './http.js';
import { policyDocument } from './policy-export.js';

/** Every item of a paged store list, a thousand at a time. */
async function allPages<T>(
  list: (q: { limit: number; cursor?: string }) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: 1000, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

async function currentBundle(ctx: ApiContext): Promise<MetadataBundle> {
  const origins = await allPages((q) => ctx.store.listAllowlist(q));
  const sites = await allPages((q) => ctx.store.listTrustedSites(q));
  const settings = await ctx.store.getSettings();
  return {
    corsOrigins: origins.map((o) => ({
      urlPattern: o.urlPattern,
      ...(o.description ? { description: o.description } : {}),
      ...(o.name ? { fullName: o.name } : {}),
    })),
    trustedSites: sites.map(({ id: _id, createdAt: _c, createdBy: _b, reportOnly: _r, ...fields }) => fields),
    settings: { corsForOAuthEndpoints: settings.corsForOAuthEndpoints },
  };
}

export async function exportMetadataHandler(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = requestUrl(req);
  const format = url.searchParams.get('format') ?? 'zip';
  if (format === 'policy') return sendJson(res, 200, await policyDocument(ctx.store));
  if (format !== 'zip' && format !== 'json')
    throw new ApiError(
      400,
      'query-invalid',
      '?format must be zip (Salesforce metadata folder), json (the same files as JSON) or policy (a policy file for --policy)',
      'format',
    );
  const mod = await salesforceModule();
  if (!mod) throw new ApiError(501, 'export-unavailable', 'this build has no Salesforce metadata module');
  const bundle = await currentBundle(ctx);
  const out = await mod.exportMetadata(bundle);
  if (format === 'json') return sendJson(res, 200, { files: out.files, bundle });
  sendBytes(res, 200, 'application/zip', out.zip, {
    'content-disposition': 'attachment; filename="corsgate-metadata.zip"',
  });
}
