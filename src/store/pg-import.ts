/**
 * The PostgreSQL store's import (Store.applyImport): a plan's allowlist, trusted sites and settings
 * written in the caller's one transaction (PgBase.change), each change with its audit row.
 */
import { randomUUID } from 'node:crypto';
import type { Tx } from './pg-base.js';
import { settingsOf } from './pg-rows.js';
import { insertAllowlistRows, insertSite, writeSettings } from './pg-write.js';
import { rowToAllowlist, rowToSite } from './sqlite-rows.js';
import type { AllowlistEntry, ImportPlan, ImportResult } from './types.js';

export async function importPlan(tx: Tx, plan: ImportPlan, actor: string): Promise<ImportResult> {
  const result: ImportResult = {
    allowlistCreated: 0,
    allowlistUnchanged: 0,
    trustedSitesCreated: 0,
    trustedSitesUpdated: 0,
    settingsChanged: false,
  };
  await importAllowlist(tx, plan.allowlist, actor, result);
  await importSites(tx, plan.trustedSites, actor, result);
  if (plan.settings)
    result.settingsChanged = await writeSettings(tx, {
      ...settingsOf(await tx.q('SELECT key, value FROM settings')),
      ...plan.settings,
    });
  return result;
}

/** New patterns are inserted together; one already there is left as it is, but learns its name. */
async function importAllowlist(
  tx: Tx,
  items: ImportPlan['allowlist'],
  actor: string,
  result: ImportResult,
): Promise<void> {
  const existing = new Map(
    (await tx.q('SELECT * FROM allowlist WHERE url_pattern = ANY($1)', [items.map((i) => i.urlPattern)])).map(
      (r) => [r.url_pattern as string, r],
    ),
  );
  const fresh: (AllowlistEntry & { name: string })[] = [];
  for (const item of items) {
    const row = existing.get(item.urlPattern);
    if (row) {
      // An entry created by hand learns the component name it has in the org.
      if (item.name && !row.name) {
        await tx.q('UPDATE allowlist SET name = $1 WHERE id = $2', [item.name, row.id]);
        tx.audit({
          action: 'import',
          entity: 'allowlist',
          entityId: row.id as string,
          before: rowToAllowlist(row),
          after: { ...rowToAllowlist(row), name: item.name },
        });
      }
      result.allowlistUnchanged++;
      continue;
    }
    const entry = {
      id: randomUUID(),
      urlPattern: item.urlPattern,
      description: item.description,
      ...(item.name ? { name: item.name } : {}),
      createdAt: tx.at,
      createdBy: actor,
    };
    existing.set(item.urlPattern, { id: entry.id, name: item.name ?? '' });
    fresh.push({ ...entry, name: item.name ?? '' });
    tx.audit({ action: 'import', entity: 'allowlist', entityId: entry.id, before: null, after: entry });
    result.allowlistCreated++;
  }
  await insertAllowlistRows(tx, fresh);
}

/** A trusted site is matched by name: updated when there, created when not. */
async function importSites(
  tx: Tx,
  sites: ImportPlan['trustedSites'],
  actor: string,
  result: ImportResult,
): Promise<void> {
  for (const site of sites) {
    const [before] = await tx.q('SELECT * FROM trusted_sites WHERE name = $1', [site.name]);
    if (before) {
      const [after] = await tx.q('UPDATE trusted_sites SET data = $1 WHERE id = $2 RETURNING *', [
        JSON.stringify(site),
        before.id,
      ]);
      tx.audit({
        action: 'import',
        entity: 'trusted-site',
        entityId: before.id as string,
        before: rowToSite(before),
        after: rowToSite(after!),
      });
      result.trustedSitesUpdated++;
    } else {
      const created = await insertSite(tx, site, actor);
      tx.audit({
        action: 'import',
        entity: 'trusted-site',
        entityId: created.id,
        before: null,
        after: created,
      });
      result.trustedSitesCreated++;
    }
  }
}
