/**
 * The shared store of a fleet: PostgreSQL through node-postgres. Same contract as the SQLite store
 * (types.ts): every change is one transaction with its version bump and audit rows; `onChange` is
 * fed by LISTEN/NOTIFY plus a one-second heartbeat (pg-listen.ts).
 */
import { randomUUID } from 'node:crypto';
import { PgBase, type Audit, type Tx } from './pg-base.js';
import * as usage from './pg-usage.js';
import type { AllowlistUsage, UsageBatch, UsageLimits, UsageQuery, UsageTotals } from './usage-types.js';
import { page, settingsOf } from './pg-rows.js';
import { decodeCursor, encodeCursor, rowToAllowlist, rowToRoute, rowToSite, rowToToken } from './sqlite-rows.js';
import {
  StoreError,
  type AllowlistEntry,
  type AuditEntry,
  type ImportPlan,
  type ImportResult,
  type ListQuery,
  type Page,
  type Permission,
  type Route,
  type RouteFields,
  type Settings,
  type Store,
  type TokenRecord,
  type TrustedSite,
  type TrustedSiteFields,
} from './types.js';

const dupPattern = (p: string): Record<string, [string, string]> => ({ allowlist_url_pattern_key: ['urlPattern', `the origin pattern '${p}' is already in the allowlist`] });
const dupSite = (n: string): Record<string, [string, string]> => ({ trusted_sites_name_key: ['name', `a trusted site named '${n}' already exists`] });

export class PostgresStore extends PgBase implements Store {
  /** Opens, migrates and starts listening (see PgBase.init for an unreachable server). */
  static async open(url: string): Promise<PostgresStore> {
    const store = new PostgresStore(url);
    await store.init();
    return store;
  }

  // ---- allowlist ---------------------------------------------------------------------------

  listAllowlist(query: ListQuery): Promise<Page<AllowlistEntry>> {
    return page((s, p) => this.read(s, p), 'allowlist', '(strpos(lower(url_pattern), $Q) > 0 OR strpos(lower(description), $Q) > 0)', query, 'url_pattern', rowToAllowlist);
  }

  async getAllowlist(id: string): Promise<AllowlistEntry | null> {
    const [r] = await this.read('SELECT * FROM allowlist WHERE id = $1', [id]);
    return r ? rowToAllowlist(r) : null;
  }

  private async insertAllowlist(tx: Tx, input: { urlPattern: string; description?: string; name?: string }, actor: string): Promise<AllowlistEntry> {
    const entry: AllowlistEntry = { id: randomUUID(), urlPattern: input.urlPattern, description: input.description ?? '', ...(input.name ? { name: input.name } : {}), createdAt: tx.at, createdBy: actor };
    await tx.q('INSERT INTO allowlist (id, url_pattern, description, name, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)', [entry.id, entry.urlPattern, entry.description, entry.name ?? '', entry.createdAt, entry.createdBy]);
    return entry;
  }

  createAllowlist(input: { urlPattern: string; description?: string }, actor: string): Promise<AllowlistEntry> {
    return this.change(async (tx) => {
      const entry = await this.insertAllowlist(tx, input, actor);
      tx.audit({ action: 'create', entity: 'allowlist', entityId: entry.id, before: null, after: entry });
      return entry;
    }, actor, dupPattern(input.urlPattern));
  }

  createAllowlistMany(items: { urlPattern: string; description?: string }[], actor: string) {
    return this.change(async (tx) => {
      const existing = new Set((await tx.q<{ url_pattern: string }>('SELECT url_pattern FROM allowlist WHERE url_pattern = ANY($1)', [items.map((i) => i.urlPattern)])).map((r) => r.url_pattern));
      const rows: AllowlistEntry[] = [];
      const out = items.map((item) => {
        if (existing.has(item.urlPattern)) return { duplicate: true as const };
        existing.add(item.urlPattern);
        const entry: AllowlistEntry = { id: randomUUID(), urlPattern: item.urlPattern, description: item.description ?? '', createdAt: tx.at, createdBy: actor };
        rows.push(entry);
        tx.audit({ action: 'create', entity: 'allowlist', entityId: entry.id, before: null, after: entry });
        return { entry };
      });
      await insertAllowlistRows(tx, rows.map((e) => ({ ...e, name: '' })));
      return out;
    }, actor);
  }

  updateAllowlist(id: string, input: { urlPattern: string; description?: string }, actor: string): Promise<AllowlistEntry> {
    return this.change(async (tx) => {
      const [before] = await tx.q('SELECT * FROM allowlist WHERE id = $1', [id]);
      if (!before) throw new StoreError('not-found', `no allowlist entry with id '${id}'`);
      const [after] = await tx.q('UPDATE allowlist SET url_pattern = $1, description = $2 WHERE id = $3 RETURNING *', [input.urlPattern, input.description ?? '', id]);
      tx.audit({ action: 'update', entity: 'allowlist', entityId: id, before: rowToAllowlist(before), after: rowToAllowlist(after!) });
      return rowToAllowlist(after!);
    }, actor, dupPattern(input.urlPattern));
  }

  async deleteAllowlist(id: string, actor: string): Promise<void> {
    await this.change(async (tx) => {
      const [before] = await tx.q('DELETE FROM allowlist WHERE id = $1 RETURNING *', [id]);
      if (!before) throw new StoreError('not-found', `no allowlist entry with id '${id}'`);
      tx.audit({ action: 'delete', entity: 'allowlist', entityId: id, before: rowToAllowlist(before), after: null });
    }, actor);
  }

  // ---- trusted sites -----------------------------------------------------------------------

  listTrustedSites(query: ListQuery): Promise<Page<TrustedSite>> {
    return page((s, p) => this.read(s, p), 'trusted_sites', 'strpos(lower(data), $Q) > 0', query, 'name', rowToSite);
  }

  async getTrustedSite(id: string): Promise<TrustedSite | null> {
    const [r] = await this.read('SELECT * FROM trusted_sites WHERE id = $1', [id]);
    return r ? rowToSite(r) : null;
  }

  private async insertSite(tx: Tx, input: TrustedSiteFields, actor: string): Promise<TrustedSite> {
    const site: TrustedSite = { id: randomUUID(), ...input, createdAt: tx.at, createdBy: actor };
    await tx.q('INSERT INTO trusted_sites (id, name, data, created_at, created_by) VALUES ($1, $2, $3, $4, $5)', [site.id, input.name, JSON.stringify(input), tx.at, actor]);
    return site;
  }

  createTrustedSite(input: TrustedSiteFields, actor: string): Promise<TrustedSite> {
    return this.change(async (tx) => {
      const site = await this.insertSite(tx, input, actor);
      tx.audit({ action: 'create', entity: 'trusted-site', entityId: site.id, before: null, after: site });
      return site;
    }, actor, dupSite(input.name));
  }

  updateTrustedSite(id: string, input: TrustedSiteFields, actor: string): Promise<TrustedSite> {
    return this.change(async (tx) => {
      const [before] = await tx.q('SELECT * FROM trusted_sites WHERE id = $1', [id]);
      if (!before) throw new StoreError('not-found', `no trusted site with id '${id}'`);
      const [after] = await tx.q('UPDATE trusted_sites SET name = $1, data = $2 WHERE id = $3 RETURNING *', [input.name, JSON.stringify(input), id]);
      tx.audit({ action: 'update', entity: 'trusted-site', entityId: id, before: rowToSite(before), after: rowToSite(after!) });
      return rowToSite(after!);
    }, actor, dupSite(input.name));
  }

  async deleteTrustedSite(id: string, actor: string): Promise<void> {
    await this.change(async (tx) => {
      const [before] = await tx.q('DELETE FROM trusted_sites WHERE id = $1 RETURNING *', [id]);
      if (!before) throw new StoreError('not-found', `no trusted site with id '${id}'`);
      tx.audit({ action: 'delete', entity: 'trusted-site', entityId: id, before: rowToSite(before), after: null });
    }, actor);
  }

  // ---- routes ------------------------------------------------------------------------------

  async listRoutes(): Promise<Route[]> {
    return (await this.read('SELECT * FROM routes ORDER BY seq')).map(rowToRoute);
  }

  async getRoute(id: string): Promise<Route | null> {
    const [r] = await this.read('SELECT * FROM routes WHERE id = $1', [id]);
    return r ? rowToRoute(r) : null;
  }

  createRoute(input: RouteFields, actor: string): Promise<Route> {
    return this.change(async (tx) => {
      const route: Route = { id: randomUUID(), ...input, createdAt: tx.at, createdBy: actor };
      await tx.q('INSERT INTO routes (id, data, created_at, created_by) VALUES ($1, $2, $3, $4)', [route.id, JSON.stringify(input), tx.at, actor]);
      tx.audit({ action: 'create', entity: 'route', entityId: route.id, before: null, after: route });
      return route;
    }, actor);
  }

  updateRoute(id: string, input: RouteFields, actor: string): Promise<Route> {
    return this.change(async (tx) => {
      const [before] = await tx.q('SELECT * FROM routes WHERE id = $1', [id]);
      if (!before) throw new StoreError('not-found', `no route with id '${id}'`);
      const [after] = await tx.q('UPDATE routes SET data = $1 WHERE id = $2 RETURNING *', [JSON.stringify(input), id]);
      tx.audit({ action: 'update', entity: 'route', entityId: id, before: rowToRoute(before), after: rowToRoute(after!) });
      return rowToRoute(after!);
    }, actor);
  }

  async deleteRoute(id: string, actor: string): Promise<void> {
    await this.change(async (tx) => {
      const [before] = await tx.q('DELETE FROM routes WHERE id = $1 RETURNING *', [id]);
      if (!before) throw new StoreError('not-found', `no route with id '${id}'`);
      tx.audit({ action: 'delete', entity: 'route', entityId: id, before: rowToRoute(before), after: null });
    }, actor);
  }

  // ---- settings ----------------------------------------------------------------------------

  async getSettings(): Promise<Settings> {
    return settingsOf(await this.read('SELECT key, value FROM settings'));
  }

  putSettings(settings: Settings, actor: string): Promise<Settings> {
    return this.change(async (tx) => {
      await writeSettings(tx, settings);
      return settingsOf(await tx.q('SELECT key, value FROM settings'));
    }, actor);
  }

  // ---- import ------------------------------------------------------------------------------

  applyImport(plan: ImportPlan, actor: string): Promise<ImportResult> {
    return this.change(async (tx) => {
      const result: ImportResult = { allowlistCreated: 0, allowlistUnchanged: 0, trustedSitesCreated: 0, trustedSitesUpdated: 0, settingsChanged: false };
      const existing = new Map((await tx.q('SELECT * FROM allowlist WHERE url_pattern = ANY($1)', [plan.allowlist.map((i) => i.urlPattern)])).map((r) => [r.url_pattern as string, r]));
      const fresh: (AllowlistEntry & { name: string })[] = [];
      for (const item of plan.allowlist) {
        const row = existing.get(item.urlPattern);
        if (row) {
          // An entry created by hand learns the component name it has in the org.
          if (item.name && !row.name) {
            await tx.q('UPDATE allowlist SET name = $1 WHERE id = $2', [item.name, row.id]);
            tx.audit({ action: 'import', entity: 'allowlist', entityId: row.id as string, before: rowToAllowlist(row), after: { ...rowToAllowlist(row), name: item.name } });
          }
          result.allowlistUnchanged++;
          continue;
        }
        const entry = { id: randomUUID(), urlPattern: item.urlPattern, description: item.description, ...(item.name ? { name: item.name } : {}), createdAt: tx.at, createdBy: actor };
        existing.set(item.urlPattern, { id: entry.id, name: item.name ?? '' });
        fresh.push({ ...entry, name: item.name ?? '' });
        tx.audit({ action: 'import', entity: 'allowlist', entityId: entry.id, before: null, after: entry });
        result.allowlistCreated++;
      }
      await insertAllowlistRows(tx, fresh);
      for (const site of plan.trustedSites) {
        const [before] = await tx.q('SELECT * FROM trusted_sites WHERE name = $1', [site.name]);
        if (before) {
          const [after] = await tx.q('UPDATE trusted_sites SET data = $1 WHERE id = $2 RETURNING *', [JSON.stringify(site), before.id]);
          tx.audit({ action: 'import', entity: 'trusted-site', entityId: before.id as string, before: rowToSite(before), after: rowToSite(after!) });
          result.trustedSitesUpdated++;
        } else {
          const created = await this.insertSite(tx, site, actor);
          tx.audit({ action: 'import', entity: 'trusted-site', entityId: created.id, before: null, after: created });
          result.trustedSitesCreated++;
        }
      }
      if (plan.settings) result.settingsChanged = await writeSettings(tx, { ...settingsOf(await tx.q('SELECT key, value FROM settings')), ...plan.settings });
      return result;
    }, actor);
  }

  // ---- tokens ------------------------------------------------------------------------------

  async findTokenByHash(hash: string): Promise<(TokenRecord & { hash: string }) | null> {
    const [r] = await this.read('SELECT * FROM tokens WHERE hash = $1', [hash]);
    return r ? { ...rowToToken(r), hash: r.hash as string } : null;
  }

  async findRevokedToken(hash: string): Promise<{ name: string; revokedAt: string } | null> {
    const [r] = await this.read('SELECT name, revoked_at FROM revoked_tokens WHERE hash = $1', [hash]);
    return r ? { name: r.name as string, revokedAt: r.revoked_at as string } : null;
  }

  async countTokens(): Promise<number> {
    const [r] = await this.read<{ n: number }>('SELECT count(*)::int AS n FROM tokens');
    return r!.n;
  }

  async listTokens(): Promise<TokenRecord[]> {
    return (await this.read('SELECT * FROM tokens ORDER BY seq')).map(rowToToken);
  }

  /** Bootstrap tokens (actor `system`) are written even in read-only mode (they are not policy). */
  createToken(input: { name: string; permissions: Permission[]; hash: string }, actor: string): Promise<TokenRecord> {
    const uniques: Record<string, [string, string]> = { tokens_name_key: ['name', `a token named '${input.name}' already exists`], tokens_hash_key: ['token', 'that token already exists'] };
    return this.change(async (tx) => {
      const id = randomUUID();
      const [row] = await tx.q('INSERT INTO tokens (id, name, hash, permissions, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *', [id, input.name, input.hash, JSON.stringify(input.permissions), tx.at, actor]);
      await tx.q('DELETE FROM revoked_tokens WHERE hash = $1', [input.hash]);
      const rec = rowToToken(row!);
      tx.audit({ action: 'create', entity: 'token', entityId: id, before: null, after: rec });
      return rec;
    }, actor, uniques, actor === 'system');
  }

  async deleteToken(id: string, actor: string): Promise<void> {
    await this.change(async (tx) => {
      const [before] = await tx.q('DELETE FROM tokens WHERE id = $1 RETURNING *', [id]);
      if (!before) throw new StoreError('not-found', `no token with id '${id}'`);
      await tx.q('INSERT INTO revoked_tokens (hash, token_id, name, revoked_at, revoked_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO UPDATE SET token_id = excluded.token_id, name = excluded.name, revoked_at = excluded.revoked_at, revoked_by = excluded.revoked_by', [before.hash, id, before.name, tx.at, actor]);
      tx.audit({ action: 'delete', entity: 'token', entityId: id, before: rowToToken(before), after: null });
    }, actor);
  }

  // ---- audit -------------------------------------------------------------------------------

  async listAudit(query: { limit: number; cursor?: string; entity?: string }): Promise<Page<AuditEntry>> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.entity) {
      params.push(query.entity);
      where.push(`entity = $${params.length}`);
    }
    if (query.cursor) {
      const c = decodeCursor(query.cursor);
      if (!Number.isSafeInteger(c)) throw new StoreError('conflict', 'the cursor is not one this API returned', 'cursor');
      params.push(c);
      where.push(`id < $${params.length}`);
    }
    params.push(query.limit + 1);
    const rows = await this.read(`SELECT * FROM audit ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT $${params.length}`, params);
    const more = rows.length > query.limit;
    const items = rows.slice(0, query.limit).map((r) => ({
      id: Number(r.id),
      at: r.at as string,
      actor: r.actor as string,
      action: r.action as string,
      entity: r.entity as string,
      entityId: (r.entity_id as string | null) ?? null,
      before: r.before === null ? null : JSON.parse(r.before as string),
      after: r.after === null ? null : JSON.parse(r.after as string),
    }));
    const last = items[items.length - 1];
    return { items, nextCursor: more && last ? encodeCursor(last.id) : null };
  }

  // ---- usage counters (pg-usage.ts): no version bump, they are no configuration ------------
  async recordUsage(node: string, batch: UsageBatch, limits: UsageLimits): Promise<void> {
    await this.plain((q) => usage.recordUsage(q, node, batch, limits));
  }

  readUsage(sinceMinute: number, limit: number): Promise<UsageTotals> {
    return usage.readUsage((sql, params) => this.read(sql, params), sinceMinute, limit);
  }

  listAllowlistUsage(query: UsageQuery): Promise<Page<AllowlistUsage>> {
    return usage.listAllowlistUsage((sql, params) => this.read(sql, params), query);
  }

  async resetUsage(actor: string): Promise<void> {
    await this.plain(async (q) => {
      await usage.resetUsage(q);
      await q('INSERT INTO audit (at, actor, action, entity, entity_id, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)', [new Date().toISOString(), actor, 'reset', 'usage', null, null, null]);
    });
  }
}

/** Many allowlist rows in few statements (unnest of arrays: one round trip per 5,000 rows). */
async function insertAllowlistRows(tx: Tx, rows: (AllowlistEntry & { name: string })[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) {
    const c = rows.slice(i, i + 5000);
    await tx.q(
      'INSERT INTO allowlist (id, url_pattern, description, name, created_at, created_by) SELECT id, p, d, n, c, b FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS t(id, p, d, n, c, b, o) ORDER BY o',
      [c.map((r) => r.id), c.map((r) => r.urlPattern), c.map((r) => r.description), c.map((r) => r.name), c.map((r) => r.createdAt), c.map((r) => r.createdBy)],
    );
  }
}

/** Writes the settings that differ; true when something changed (with its audit row). */
async function writeSettings(tx: Tx & { audit: Audit }, next: Settings): Promise<boolean> {
  const before = settingsOf(await tx.q('SELECT key, value FROM settings'));
  if (JSON.stringify(before) === JSON.stringify(next)) return false;
  const entries = Object.entries(next);
  await tx.q('INSERT INTO settings (key, value) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [entries.map(([k]) => k), entries.map(([, v]) => JSON.stringify(v))]);
  tx.audit({ action: 'update', entity: 'settings', entityId: null, before, after: settingsOf(await tx.q('SELECT key, value FROM settings')) });
  return true;
}
