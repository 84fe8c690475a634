/**
 * The shared store of a fleet: PostgreSQL through node-postgres. Same contract as the SQLite store
 * (types.ts): every change is one transaction with its version bump and audit rows; `onChange` is
 * fed by LISTEN/NOTIFY plus a one-second heartbeat (pg-listen.ts).
 */
import { randomUUID } from 'node:crypto';
import { PgConfigStore } from './pg-config.js';
import { importPlan } from './pg-import.js';
import * as usage from './pg-usage.js';
import type { AllowlistUsage, UsageBatch, UsageLimits, UsageQuery, UsageTotals } from './usage-types.js';
import { decodeCursor, encodeCursor, rowToToken } from './sqlite-rows.js';
import {
  StoreError,
  type AuditEntry,
  type ImportPlan,
  type ImportResult,
  type Page,
  type Permission,
  type Store,
  type TokenRecord,
} from './types.js';

export class PostgresStore extends PgConfigStore implements Store {
  /** Opens, migrates and starts listening (see PgBase.init for an unreachable server). */
  static async open(url: string): Promise<PostgresStore> {
    const store = new PostgresStore(url);
    await store.init();
    return store;
  }

  // ---- import (pg-import.ts) ---------------------------------------------------------------

  applyImport(plan: ImportPlan, actor: string): Promise<ImportResult> {
    return this.change((tx) => importPlan(tx, plan, actor), actor);
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
  createToken(
    input: { name: string; permissions: Permission[]; hash: string },
    actor: string,
  ): Promise<TokenRecord> {
    const uniques: Record<string, [string, string]> = {
      tokens_name_key: ['name', `a token named '${input.name}' already exists`],
      tokens_hash_key: ['token', 'that token already exists'],
    };
    return this.change(
      async (tx) => {
        const id = randomUUID();
        const [row] = await tx.q(
          'INSERT INTO tokens (id, name, hash, permissions, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
          [id, input.name, input.hash, JSON.stringify(input.permissions), tx.at, actor],
        );
        await tx.q('DELETE FROM revoked_tokens WHERE hash = $1', [input.hash]);
        const rec = rowToToken(row!);
        tx.audit({ action: 'create', entity: 'token', entityId: id, before: null, after: rec });
        return rec;
      },
      actor,
      uniques,
      actor === 'system',
    );
  }

  async deleteToken(id: string, actor: string): Promise<void> {
    await this.change(async (tx) => {
      const [before] = await tx.q('DELETE FROM tokens WHERE id = $1 RETURNING *', [id]);
      if (!before) throw new StoreError('not-found', `no token with id '${id}'`);
      await tx.q(
        'INSERT INTO revoked_tokens (hash, token_id, name, revoked_at, revoked_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO UPDATE SET token_id = excluded.token_id, name = excluded.name, revoked_at = excluded.revoked_at, revoked_by = excluded.revoked_by',
        [before.hash, id, before.name, tx.at, actor],
      );
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
      if (!Number.isSafeInteger(c))
        throw new StoreError('conflict', 'the cursor is not one this API returned', 'cursor');
      params.push(c);
      where.push(`id < $${params.length}`);
    }
    params.push(query.limit + 1);
    const rows = await this.read(
      `SELECT * FROM audit ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
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
      await q(
        'INSERT INTO audit (at, actor, action, entity, entity_id, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [new Date().toISOString(), actor, 'reset', 'usage', null, null, null],
      );
    });
  }
}
