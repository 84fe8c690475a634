/**
 * The rows that the PostgreSQL store's write transactions insert and the settings they rewrite,
 * shared by the single writes (pg-config.ts) and the import (pg-import.ts): each runs inside the
 * caller's transaction (PgBase.change) and leaves the audit rows to it unless it says otherwise.
 */
import { randomUUID } from 'node:crypto';
import type { Audit, Tx } from './pg-base.js';
import { settingsOf } from './pg-rows.js';
import type { AllowlistEntry, Settings, TrustedSite, TrustedSiteFields } from './types.js';

/** The unique constraints of the allowlist and trusted sites, as the field and message a duplicate gets. */
export const dupPattern = (p: string): Record<string, [string, string]> => ({
  allowlist_url_pattern_key: ['urlPattern', `the origin pattern '${p}' is already in the allowlist`],
});
export const dupSite = (n: string): Record<string, [string, string]> => ({
  trusted_sites_name_key: ['name', `a trusted site named '${n}' already exists`],
});

export async function insertAllowlist(
  tx: Tx,
  input: { urlPattern: string; description?: string; name?: string },
  actor: string,
): Promise<AllowlistEntry> {
  const entry: AllowlistEntry = {
    id: randomUUID(),
    urlPattern: input.urlPattern,
    description: input.description ?? '',
    ...(input.name ? { name: input.name } : {}),
    createdAt: tx.at,
    createdBy: actor,
  };
  await tx.q(
    'INSERT INTO allowlist (id, url_pattern, description, name, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)',
    [entry.id, entry.urlPattern, entry.description, entry.name ?? '', entry.createdAt, entry.createdBy],
  );
  return entry;
}

/** Many allowlist rows in few statements (unnest of arrays: one round trip per 5,000 rows). */
export async function insertAllowlistRows(
  tx: Tx,
  rows: (AllowlistEntry & { name: string })[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) {
    const c = rows.slice(i, i + 5000);
    await tx.q(
      'INSERT INTO allowlist (id, url_pattern, description, name, created_at, created_by) SELECT id, p, d, n, c, b FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS t(id, p, d, n, c, b, o) ORDER BY o',
      [
        c.map((r) => r.id),
        c.map((r) => r.urlPattern),
        c.map((r) => r.description),
        c.map((r) => r.name),
        c.map((r) => r.createdAt),
        c.map((r) => r.createdBy),
      ],
    );
  }
}

export async function insertSite(tx: Tx, input: TrustedSiteFields, actor: string): Promise<TrustedSite> {
  const site: TrustedSite = { id: randomUUID(), ...input, createdAt: tx.at, createdBy: actor };
  await tx.q(
    'INSERT INTO trusted_sites (id, name, data, created_at, created_by) VALUES ($1, $2, $3, $4, $5)',
    [site.id, input.name, JSON.stringify(input), tx.at, actor],
  );
  return site;
}

/** Writes the settings that differ; true when something changed (with its audit row). */
export async function writeSettings(tx: Tx & { audit: Audit }, next: Settings): Promise<boolean> {
  const before = settingsOf(await tx.q('SELECT key, value FROM settings'));
  if (JSON.stringify(before) === JSON.stringify(next)) return false;
  const entries = Object.entries(next);
  await tx.q(
    'INSERT INTO settings (key, value) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    [entries.map(([k]) => k), entries.map(([, v]) => JSON.stringify(v))],
  );
  tx.audit({
    action: 'update',
    entity: 'settings',
    entityId: null,
    before,
    after: settingsOf(await tx.q('SELECT key, value FROM settings')),
  });
  return true;
}
