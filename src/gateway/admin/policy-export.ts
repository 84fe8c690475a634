/**
 * `GET /api/export?format=policy`: the gateway's whole configuration as a policy file (JSON) that
 * `corsgate serve --policy FILE` loads back: allowlist, trusted sites, every setting (`mode`
 * included) and the routes. The Salesforce formats carry only what Salesforce knows.
 */
import type { Store } from '../../store/types.js';

async function all<T>(
  list: (q: { limit: number; cursor?: string }) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: 1000, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

export async function policyDocument(store: Store): Promise<Record<string, unknown>> {
  const allowlist = await all((q) => store.listAllowlist(q));
  const sites = await all((q) => store.listTrustedSites(q));
  const routes = await store.listRoutes();
  return {
    allowlist: allowlist.map((a) =>
      a.description ? { urlPattern: a.urlPattern, description: a.description } : a.urlPattern,
    ),
    trustedSites: sites.map(({ id: _i, createdAt: _c, createdBy: _b, ...fields }) => fields),
    settings: await store.getSettings(),
    routes: routes.map(({ id: _i, createdAt: _c, createdBy: _b, ...fields }) => fields),
  };
}
