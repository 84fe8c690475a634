/**
 * The embedded store: SQLite through better-sqlite3, behind the Store interface. Every change is
 * one transaction holding the change itself, its audit row and the change-counter bump
 * (SqliteDatabase in sqlite-base.ts); this file says, method by method, what each change writes.
 */
import { randomUUID } from 'node:crypto';
import { whenFull, type Duplicate } from './sqlite-base.js';
import { SqlitePolicyTables } from './sqlite-policy.js';
import * as usage from './sqlite-usage.js';
import {
  decodeCursor,
  encodeCursor,
  ENTITY_TABLES as T,
  rowToAllowlist,
  rowToRoute,
  rowToSite,
  rowToToken,
  type Row,
} from './sqlite-rows.js';
import {
  DEFAULT_SETTINGS,
  StoreError,
  type AuditEntry,
  type ImportPlan,
  type ImportResult,
  type Page,
  type Permission,
  type RouteFields,
  type Store,
  type StoreState,
  type TokenRecord,
  type AllowlistUsage,
  type UsageBatch,
  type UsageLimits,
  type UsageQuery,
  type UsageTotals,
} from './types.js';

export class SqliteStore extends SqlitePolicyTables implements Store {
  async loadState(): Promise<StoreState> {
    // One read transaction so the snapshot is consistent.
    return this.db
      .transaction(() => ({
        version: this.readCounter(),
        allowlist: this.db
          .prepare('SELECT url_pattern FROM allowlist ORDER BY seq')
          .pluck()
          .all() as string[],
        trustedSites: (this.db.prepare('SELECT * FROM trusted_sites ORDER BY seq').all() as Row[]).map(
          rowToSite,
        ),
        routes: (this.db.prepare('SELECT * FROM routes ORDER BY seq').all() as Row[]).map(rowToRoute),
        settings: this.readSettings(),
      }))
      .deferred();
  }

  // ---- import ------------------------------------------------------------------------------

  async applyImport(plan: ImportPlan, actor: string): Promise<ImportResult> {
    return this.change((audit, at) => {
      const result: ImportResult = {
        allowlistCreated: 0,
        allowlistUnchanged: 0,
        trustedSitesCreated: 0,
        trustedSitesUpdated: 0,
        settingsChanged: false,
      };
      const existing = this.db.prepare('SELECT * FROM allowlist WHERE url_pattern = ?');
      for (const item of plan.allowlist) {
        const row = existing.get(item.urlPattern) as Row | undefined;
        if (row) {
          // An entry created by hand learns the component name it has in the org.
          if (item.name && !row.name) {
            this.db.prepare('UPDATE allowlist SET name = ? WHERE id = ?').run(item.name, row.id);
            audit({
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
        const entry = this.insertAllowlist(item, actor, at);
        audit({ action: 'import', entity: 'allowlist', entityId: entry.id, before: null, after: entry });
        result.allowlistCreated++;
      }
      for (const site of plan.trustedSites) {
        const existing = this.db.prepare('SELECT * FROM trusted_sites WHERE name = ?').get(site.name) as
          Row | undefined;
        if (existing) {
          this.db
            .prepare('UPDATE trusted_sites SET data = ? WHERE id = ?')
            .run(JSON.stringify(site), existing.id);
          const after = rowToSite(
            this.db.prepare('SELECT * FROM trusted_sites WHERE id = ?').get(existing.id) as Row,
          );
          audit({
            action: 'import',
            entity: 'trusted-site',
            entityId: existing.id as string,
            before: rowToSite(existing),
            after,
          });
          result.trustedSitesUpdated++;
        } else {
          const created = this.insertSite(site, actor, at);
          audit({
            action: 'import',
            entity: 'trusted-site',
            entityId: created.id,
            before: null,
            after: created,
          });
          result.trustedSitesCreated++;
        }
      }
      if (plan.settings)
        result.settingsChanged = this.writeSettings({ ...this.readSettings(), ...plan.settings }, audit);
      return result;
    }, actor);
  }

  /**
   * Replaces the whole policy at once (a policy file reloaded): one transaction, so the gateway
   * goes from the old policy to the new one with no state in between; one audit row says so.
   */
  async replacePolicy(plan: ImportPlan & { routes: RouteFields[] }, actor: string): Promise<void> {
    const wasLocked = this.locked;
    this.locked = false;
    try {
      this.change((audit, at) => {
        for (const table of ['allowlist', 'trusted_sites', 'routes', 'settings'])
          this.db.prepare(`DELETE FROM ${table}`).run();
        for (const item of plan.allowlist) this.insertAllowlist(item, actor, at);
        for (const site of plan.trustedSites) this.insertSite(site, actor, at);
        const insertRoute = this.db.prepare(
          'INSERT INTO routes (id, data, created_at, created_by) VALUES (?, ?, ?, ?)',
        );
        for (const r of plan.routes) insertRoute.run(randomUUID(), JSON.stringify(r), at, actor);
        this.writeSettings({ ...DEFAULT_SETTINGS, ...plan.settings }, () => undefined);
        audit({
          action: 'reload',
          entity: 'policy-file',
          entityId: null,
          before: null,
          after: {
            allowlist: plan.allowlist.length,
            trustedSites: plan.trustedSites.length,
            routes: plan.routes.length,
          },
        });
      }, actor);
    } finally {
      this.locked = wasLocked;
    }
  }

  // ---- tokens ------------------------------------------------------------------------------

  async findTokenByHash(hash: string): Promise<(TokenRecord & { hash: string }) | null> {
    const r = this.db.prepare('SELECT * FROM tokens WHERE hash = ?').get(hash) as Row | undefined;
    return r ? { ...rowToToken(r), hash: r.hash as string } : null;
  }

  async countTokens(): Promise<number> {
    return this.db.prepare('SELECT count(*) FROM tokens').pluck().get() as number;
  }

  async listTokens(): Promise<TokenRecord[]> {
    return (this.db.prepare('SELECT * FROM tokens ORDER BY seq').all() as Row[]).map(rowToToken);
  }

  /** Bootstrap tokens are written even in read-only mode (they are not policy). */
  async createToken(
    input: { name: string; permissions: Permission[]; hash: string },
    actor: string,
  ): Promise<TokenRecord> {
    const wasLocked = this.locked;
    if (actor === 'system') this.locked = false;
    const duplicate: Duplicate = (err) =>
      /tokens\.name/.test(err.message)
        ? new StoreError('duplicate', `a token named '${input.name}' already exists`, 'name')
        : new StoreError('duplicate', 'that token already exists', 'token');
    try {
      return this.createEntry(
        T.token,
        (at) => {
          const id = randomUUID();
          this.db
            .prepare(
              'INSERT INTO tokens (id, name, hash, permissions, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)',
            )
            .run(id, input.name, input.hash, JSON.stringify(input.permissions), at, actor);
          this.db.prepare('DELETE FROM revoked_tokens WHERE hash = ?').run(input.hash);
          return rowToToken(this.rowById(T.token, id)!);
        },
        actor,
        duplicate,
      );
    } finally {
      this.locked = wasLocked;
    }
  }

  /** Revoking a token deletes it and keeps its hash, so that a revoked token is told apart from an unknown one. */
  async deleteToken(id: string, actor: string): Promise<void> {
    this.deleteEntry(T.token, id, actor, (before, at) => {
      this.db
        .prepare(
          'INSERT OR REPLACE INTO revoked_tokens (hash, token_id, name, revoked_at, revoked_by) VALUES (?, ?, ?, ?, ?)',
        )
        .run(before.hash, id, before.name, at, actor);
    });
  }

  async findRevokedToken(hash: string): Promise<{ name: string; revokedAt: string } | null> {
    const r = this.db.prepare('SELECT name, revoked_at FROM revoked_tokens WHERE hash = ?').get(hash) as
      Row | undefined;
    return r ? { name: r.name as string, revokedAt: r.revoked_at as string } : null;
  }

  // ---- audit -------------------------------------------------------------------------------

  async listAudit(query: { limit: number; cursor?: string; entity?: string }): Promise<Page<AuditEntry>> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.entity) {
      where.push('entity = ?');
      params.push(query.entity);
    }
    if (query.cursor) {
      const c = decodeCursor(query.cursor);
      if (!Number.isSafeInteger(c))
        throw new StoreError('conflict', 'the cursor is not one this API returned', 'cursor');
      where.push('id < ?');
      params.push(c);
    }
    const rows = this.db
      .prepare(
        `SELECT * FROM audit ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`,
      )
      .all(...params, query.limit + 1) as Row[];
    const more = rows.length > query.limit;
    const page = rows.slice(0, query.limit).map((r) => ({
      id: r.id as number,
      at: r.at as string,
      actor: r.actor as string,
      action: r.action as string,
      entity: r.entity as string,
      entityId: (r.entity_id as string | null) ?? null,
      before: r.before === null ? null : JSON.parse(r.before as string),
      after: r.after === null ? null : JSON.parse(r.after as string),
    }));
    const last = page[page.length - 1];
    return { items: page, nextCursor: more && last ? encodeCursor(last.id) : null };
  }

  async appendAudit(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<void> {
    const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
    whenFull(() =>
      this.db
        .prepare(
          'INSERT INTO audit (at, actor, action, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          new Date().toISOString(),
          entry.actor,
          entry.action,
          entry.entity,
          entry.entityId,
          json(entry.before),
          json(entry.after),
        ),
    );
  }

  // ---- usage counters (sqlite-usage.ts) ------------------------------------------------------
  async recordUsage(node: string, batch: UsageBatch, limits: UsageLimits): Promise<void> {
    whenFull(() => usage.recordUsage(this.db, node, batch, limits));
  }

  async readUsage(sinceMinute: number, limit: number): Promise<UsageTotals> {
    return usage.readUsage(this.db, sinceMinute, limit);
  }

  async listAllowlistUsage(query: UsageQuery): Promise<Page<AllowlistUsage>> {
    return usage.listAllowlistUsage(this.db, query);
  }

  async resetUsage(actor: string): Promise<void> {
    const at = new Date().toISOString();
    whenFull(() =>
      this.db
        .transaction(() => {
          usage.resetUsage(this.db);
          this.db
            .prepare(
              'INSERT INTO audit (at, actor, action, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)',
            )
            .run(at, actor, 'reset', 'usage', null, null, null);
        })
        .immediate(),
    );
  }
}
