/**
 * The embedded store: SQLite through better-sqlite3, WAL journal with synchronous=FULL so that a
 * commit is on disk before the call returns (an acknowledged write survives kill -9). Every change
 * is one transaction holding the change itself, its audit row and the change-counter bump.
 * Other processes sharing the file are noticed by polling the counter every 250 ms.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { MIGRATIONS } from './migrations.js';
import * as usage from './sqlite-usage.js';
import { decodeCursor, decodeKeyCursor, encodeCursor, ENTITY_TABLES as T, isUniqueViolation, rowToAllowlist, rowToRoute, rowToSite, rowToToken, type EntityTable, type Row } from './sqlite-rows.js';
import {
  DEFAULT_SETTINGS,
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
  type StoreState,
  type TokenRecord,
  type TrustedSite,
  type TrustedSiteFields,
  type AllowlistUsage,
  type UsageBatch,
  type UsageLimits,
  type UsageQuery,
  type UsageTotals,
} from './types.js';

type Db = Database.Database;
type Audit = (a: Omit<AuditEntry, 'id' | 'at' | 'actor'>) => void;
/** What a unique-constraint violation means for one write, as the StoreError to throw. */
type Duplicate = (err: Error) => StoreError;

/** Runs a write; a unique-constraint violation becomes `duplicate()`'s StoreError. */
function uniquely<T>(duplicate: Duplicate | undefined, write: () => T): T {
  try {
    return write();
  } catch (err) {
    if (duplicate && isUniqueViolation(err)) throw duplicate(err as Error);
    throw err;
  }
}

const allowlistDuplicate = (urlPattern: string): Duplicate => () => new StoreError('duplicate', `the origin pattern '${urlPattern}' is already in the allowlist`, 'urlPattern');
const siteDuplicate = (name: string): Duplicate => () => new StoreError('duplicate', `a trusted site named '${name}' already exists`, 'name');

const POLL_MS = 250;

/** Runs a write; SQLITE_FULL (no room on the disk, or max_page_count reached) becomes StoreError('store-full'). */
function whenFull<T>(write: () => T): T {
  try {
    return write();
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_FULL')
      throw new StoreError('store-full', 'the store is full (no room left on its disk); nothing was written', undefined);
    throw err;
  }
}

export class SqliteStore implements Store {
  readonly description: string;
  private db: Db;
  private listeners = new Set<(version: number) => void>();
  private lastSeen = 0;
  private timer: NodeJS.Timeout | null = null;
  private locked = false;

  constructor(path: string) {
    this.description = `sqlite:${path}`;
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    this.lastSeen = this.readCounter();
    if (path !== ':memory:') {
      this.timer = setInterval(() => this.poll(), POLL_MS);
      this.timer.unref();
    }
  }

  get readOnly(): boolean {
    return this.locked;
  }

  /** Config-as-code mode: after loading, every write answers `read-only`. */
  lock(): void {
    this.locked = true;
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length)
      throw new StoreError('conflict', `${this.description} has schema version ${current}, newer than this corsgate knows (${MIGRATIONS.length}): upgrade corsgate rather than risk the data`);
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      }).immediate();
    }
  }

  private readCounter(): number {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'change_counter'").get() as Row | undefined;
    return Number(row?.value ?? 0);
  }

  private poll(): void {
    try {
      const v = this.readCounter();
      if (v !== this.lastSeen) this.emit(v);
    } catch {
      // a busy database is retried at the next tick
    }
  }

  private emit(version: number): void {
    this.lastSeen = version;
    for (const l of this.listeners) l(version);
  }

  /** Runs `fn` in one IMMEDIATE transaction with an audit row per change and a counter bump. */
  private change<T>(fn: (audit: Audit, at: string) => T, actor: string): T {
    if (this.locked) throw new StoreError('read-only', 'the gateway runs from a policy file (--policy): admin writes are disabled');
    const at = new Date().toISOString();
    const insertAudit = this.db.prepare(
      'INSERT INTO audit (at, actor, action, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    let version = 0;
    const result = whenFull(() =>
      this.db.transaction(() => {
        const out = fn((a) => {
          insertAudit.run(at, actor, a.action, a.entity, a.entityId, a.before === null ? null : JSON.stringify(a.before), a.after === null ? null : JSON.stringify(a.after));
        }, at);
        this.db.prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'change_counter'").run();
        version = this.readCounter();
        return out;
      }).immediate(),
    );
    this.emit(version);
    return result;
  }

  // ---- entries kept by id, one table each (ENTITY_TABLES) ---------------------------------

  private rowById(t: EntityTable<unknown>, id: string): Row | undefined {
    return this.db.prepare(`SELECT * FROM ${t.table} WHERE id = ?`).get(id) as Row | undefined;
  }

  private getById<E>(t: EntityTable<E>, id: string): E | null {
    const r = this.rowById(t, id);
    return r ? t.fromRow(r) : null;
  }

  /** The row of `id`, or StoreError('not-found'). Inside a change, so that the write sees the same row. */
  private existingRow(t: EntityTable<unknown>, id: string): Row {
    const r = this.rowById(t, id);
    if (!r) throw new StoreError('not-found', `${t.missing} with id '${id}'`);
    return r;
  }

  /** One new entry (`insert` writes it and answers it) with its audit row. */
  private createEntry<E extends { id: string }>(t: EntityTable<E>, insert: (at: string) => E, actor: string, duplicate?: Duplicate): E {
    return uniquely(duplicate, () =>
      this.change((audit, at) => {
        const entry = insert(at);
        audit({ action: 'create', entity: t.entity, entityId: entry.id, before: null, after: entry });
        return entry;
      }, actor),
    );
  }

  /** Sets `columns` (names, and their values in order) of entry `id`, with its audit row; answers the entry after. */
  private updateEntry<E>(t: EntityTable<E>, id: string, columns: Record<string, unknown>, actor: string, duplicate?: Duplicate): E {
    const names = Object.keys(columns);
    return uniquely(duplicate, () =>
      this.change((audit) => {
        const before = this.existingRow(t, id);
        this.db.prepare(`UPDATE ${t.table} SET ${names.map((n) => `${n} = ?`).join(', ')} WHERE id = ?`).run(...Object.values(columns), id);
        const after = t.fromRow(this.rowById(t, id)!);
        audit({ action: 'update', entity: t.entity, entityId: id, before: t.fromRow(before), after });
        return after;
      }, actor),
    );
  }

  /** Deletes entry `id` with its audit row; `also` runs in the same transaction with the row deleted. */
  private deleteEntry(t: EntityTable<unknown>, id: string, actor: string, also?: (before: Row, at: string) => void): void {
    this.change((audit, at) => {
      const before = this.existingRow(t, id);
      this.db.prepare(`DELETE FROM ${t.table} WHERE id = ?`).run(id);
      also?.(before, at);
      audit({ action: 'delete', entity: t.entity, entityId: id, before: t.fromRow(before), after: null });
    }, actor);
  }

  /**
   * One page of a keyset-paged listing sorted by `sortColumn` (`seq` keeps insertion order), with
   * an optional search clause; the cursor is the last row's sort key.
   */
  private keysetPage<E>(t: EntityTable<E>, query: ListQuery, sortColumn: string, search: { where: string; params: unknown[] } | null): Page<E> {
    const desc = query.order === 'desc';
    const where: string[] = [];
    const params: unknown[] = [];
    if (search) {
      where.push(search.where);
      params.push(...search.params);
    }
    if (query.cursor) {
      where.push(`${sortColumn} ${desc ? '<' : '>'} ?`);
      params.push(decodeKeyCursor(query.cursor, sortColumn));
    }
    const sql = `SELECT * FROM ${t.table} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${sortColumn} ${desc ? 'DESC' : 'ASC'} LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, query.limit + 1) as Row[];
    const more = rows.length > query.limit;
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { items: page.map(t.fromRow), nextCursor: more && last ? encodeCursor([sortColumn, last[sortColumn]]) : null };
  }

  async version(): Promise<number> {
    return this.readCounter();
  }

  onChange(listener: (version: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async loadState(): Promise<StoreState> {
    // One read transaction so the snapshot is consistent.
    return this.db.transaction(() => ({
      version: this.readCounter(),
      allowlist: (this.db.prepare('SELECT url_pattern FROM allowlist ORDER BY seq').pluck().all() as string[]),
      trustedSites: (this.db.prepare('SELECT * FROM trusted_sites ORDER BY seq').all() as Row[]).map(rowToSite),
      routes: (this.db.prepare('SELECT * FROM routes ORDER BY seq').all() as Row[]).map(rowToRoute),
      settings: this.readSettings(),
    })).deferred();
  }

  // ---- allowlist ---------------------------------------------------------------------------

  async listAllowlist(query: ListQuery): Promise<Page<AllowlistEntry>> {
    const q = query.q?.toLowerCase();
    const search = q ? { where: '(instr(lower(url_pattern), ?) > 0 OR instr(lower(description), ?) > 0)', params: [q, q] } : null;
    return this.keysetPage(T.allowlist, query, query.sort === 'urlPattern' ? 'url_pattern' : 'seq', search);
  }

  async getAllowlist(id: string): Promise<AllowlistEntry | null> {
    return this.getById(T.allowlist, id);
  }

  private insertAllowlist(input: { urlPattern: string; description?: string; name?: string }, actor: string, at: string): AllowlistEntry {
    const entry: AllowlistEntry = { id: randomUUID(), urlPattern: input.urlPattern, description: input.description ?? '', ...(input.name ? { name: input.name } : {}), createdAt: at, createdBy: actor };
    this.db
      .prepare('INSERT INTO allowlist (id, url_pattern, description, name, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)')
      .run(entry.id, entry.urlPattern, entry.description, entry.name ?? '', entry.createdAt, entry.createdBy);
    return entry;
  }

  async createAllowlist(input: { urlPattern: string; description?: string }, actor: string): Promise<AllowlistEntry> {
    return this.createEntry(T.allowlist, (at) => this.insertAllowlist(input, actor, at), actor, allowlistDuplicate(input.urlPattern));
  }

  async createAllowlistMany(items: { urlPattern: string; description?: string }[], actor: string) {
    return this.change((audit, at) => {
      const exists = this.db.prepare('SELECT 1 FROM allowlist WHERE url_pattern = ?').pluck();
      return items.map((item) => {
        if (exists.get(item.urlPattern)) return { duplicate: true as const };
        const entry = this.insertAllowlist(item, actor, at);
        audit({ action: 'create', entity: 'allowlist', entityId: entry.id, before: null, after: entry });
        return { entry };
      });
    }, actor);
  }

  async updateAllowlist(id: string, input: { urlPattern: string; description?: string }, actor: string): Promise<AllowlistEntry> {
    return this.updateEntry(T.allowlist, id, { url_pattern: input.urlPattern, description: input.description ?? '' }, actor, allowlistDuplicate(input.urlPattern));
  }

  async deleteAllowlist(id: string, actor: string): Promise<void> {
    this.deleteEntry(T.allowlist, id, actor);
  }

  // ---- trusted sites -----------------------------------------------------------------------

  async listTrustedSites(query: ListQuery): Promise<Page<TrustedSite>> {
    const q = query.q?.toLowerCase();
    return this.keysetPage(T.trustedSite, query, query.sort === 'name' ? 'name' : 'seq', q ? { where: 'instr(lower(data), ?) > 0', params: [q] } : null);
  }

  async getTrustedSite(id: string): Promise<TrustedSite | null> {
    return this.getById(T.trustedSite, id);
  }

  private insertSite(input: TrustedSiteFields, actor: string, at: string): TrustedSite {
    const site: TrustedSite = { id: randomUUID(), ...input, createdAt: at, createdBy: actor };
    this.db
      .prepare('INSERT INTO trusted_sites (id, name, data, created_at, created_by) VALUES (?, ?, ?, ?, ?)')
      .run(site.id, input.name, JSON.stringify(input), at, actor);
    return site;
  }

  async createTrustedSite(input: TrustedSiteFields, actor: string): Promise<TrustedSite> {
    return this.createEntry(T.trustedSite, (at) => this.insertSite(input, actor, at), actor, siteDuplicate(input.name));
  }

  async updateTrustedSite(id: string, input: TrustedSiteFields, actor: string): Promise<TrustedSite> {
    return this.updateEntry(T.trustedSite, id, { name: input.name, data: JSON.stringify(input) }, actor, siteDuplicate(input.name));
  }

  async deleteTrustedSite(id: string, actor: string): Promise<void> {
    this.deleteEntry(T.trustedSite, id, actor);
  }

  // ---- routes ------------------------------------------------------------------------------

  async listRoutes(): Promise<Route[]> {
    return (this.db.prepare('SELECT * FROM routes ORDER BY seq').all() as Row[]).map(rowToRoute);
  }

  async getRoute(id: string): Promise<Route | null> {
    return this.getById(T.route, id);
  }

  async createRoute(input: RouteFields, actor: string): Promise<Route> {
    return this.createEntry(T.route, (at) => {
      const route: Route = { id: randomUUID(), ...input, createdAt: at, createdBy: actor };
      this.db.prepare('INSERT INTO routes (id, data, created_at, created_by) VALUES (?, ?, ?, ?)').run(route.id, JSON.stringify(input), at, actor);
      return route;
    }, actor);
  }

  async updateRoute(id: string, input: RouteFields, actor: string): Promise<Route> {
    return this.updateEntry(T.route, id, { data: JSON.stringify(input) }, actor);
  }

  async deleteRoute(id: string, actor: string): Promise<void> {
    this.deleteEntry(T.route, id, actor);
  }

  // ---- settings ----------------------------------------------------------------------------

  private readSettings(): Settings {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as Row[];
    const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    for (const r of rows) if (Object.hasOwn(out, r.key as string)) out[r.key as string] = JSON.parse(r.value as string);
    return out as unknown as Settings;
  }

  private writeSettings(next: Settings, audit: Audit): boolean {
    const before = this.readSettings();
    if (JSON.stringify(before) === JSON.stringify(next)) return false;
    const upsert = this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    for (const [k, v] of Object.entries(next)) upsert.run(k, JSON.stringify(v));
    audit({ action: 'update', entity: 'settings', entityId: null, before, after: this.readSettings() });
    return true;
  }

  async getSettings(): Promise<Settings> {
    return this.readSettings();
  }

  async putSettings(settings: Settings, actor: string): Promise<Settings> {
    return this.change((audit, at) => {
      this.writeSettings(settings, audit);
      return this.readSettings();
    }, actor);
  }

  // ---- import ------------------------------------------------------------------------------

  async applyImport(plan: ImportPlan, actor: string): Promise<ImportResult> {
    return this.change((audit, at) => {
      const result: ImportResult = { allowlistCreated: 0, allowlistUnchanged: 0, trustedSitesCreated: 0, trustedSitesUpdated: 0, settingsChanged: false };
      const existing = this.db.prepare('SELECT * FROM allowlist WHERE url_pattern = ?');
      for (const item of plan.allowlist) {
        const row = existing.get(item.urlPattern) as Row | undefined;
        if (row) {
          // An entry created by hand learns the component name it has in the org.
          if (item.name && !row.name) {
            this.db.prepare('UPDATE allowlist SET name = ? WHERE id = ?').run(item.name, row.id);
            audit({ action: 'import', entity: 'allowlist', entityId: row.id as string, before: rowToAllowlist(row), after: { ...rowToAllowlist(row), name: item.name } });
          }
          result.allowlistUnchanged++;
          continue;
        }
        const entry = this.insertAllowlist(item, actor, at);
        audit({ action: 'import', entity: 'allowlist', entityId: entry.id, before: null, after: entry });
        result.allowlistCreated++;
      }
      for (const site of plan.trustedSites) {
        const existing = this.db.prepare('SELECT * FROM trusted_sites WHERE name = ?').get(site.name) as Row | undefined;
        if (existing) {
          this.db.prepare('UPDATE trusted_sites SET data = ? WHERE id = ?').run(JSON.stringify(site), existing.id);
          const after = rowToSite(this.db.prepare('SELECT * FROM trusted_sites WHERE id = ?').get(existing.id) as Row);
          audit({ action: 'import', entity: 'trusted-site', entityId: existing.id as string, before: rowToSite(existing), after });
          result.trustedSitesUpdated++;
        } else {
          const created = this.insertSite(site, actor, at);
          audit({ action: 'import', entity: 'trusted-site', entityId: created.id, before: null, after: created });
          result.trustedSitesCreated++;
        }
      }
      if (plan.settings) result.settingsChanged = this.writeSettings({ ...this.readSettings(), ...plan.settings }, audit);
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
        for (const table of ['allowlist', 'trusted_sites', 'routes', 'settings']) this.db.prepare(`DELETE FROM ${table}`).run();
        for (const item of plan.allowlist) this.insertAllowlist(item, actor, at);
        for (const site of plan.trustedSites) this.insertSite(site, actor, at);
        const insertRoute = this.db.prepare('INSERT INTO routes (id, data, created_at, created_by) VALUES (?, ?, ?, ?)');
        for (const r of plan.routes) insertRoute.run(randomUUID(), JSON.stringify(r), at, actor);
        this.writeSettings({ ...DEFAULT_SETTINGS, ...plan.settings }, () => undefined);
        audit({ action: 'reload', entity: 'policy-file', entityId: null, before: null, after: { allowlist: plan.allowlist.length, trustedSites: plan.trustedSites.length, routes: plan.routes.length } });
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
  async createToken(input: { name: string; permissions: Permission[]; hash: string }, actor: string): Promise<TokenRecord> {
    const wasLocked = this.locked;
    if (actor === 'system') this.locked = false;
    const duplicate: Duplicate = (err) =>
      /tokens\.name/.test(err.message) ? new StoreError('duplicate', `a token named '${input.name}' already exists`, 'name') : new StoreError('duplicate', 'that token already exists', 'token');
    try {
      return this.createEntry(T.token, (at) => {
        const id = randomUUID();
        this.db.prepare('INSERT INTO tokens (id, name, hash, permissions, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)').run(id, input.name, input.hash, JSON.stringify(input.permissions), at, actor);
        this.db.prepare('DELETE FROM revoked_tokens WHERE hash = ?').run(input.hash);
        return rowToToken(this.rowById(T.token, id)!);
      }, actor, duplicate);
    } finally {
      this.locked = wasLocked;
    }
  }

  /** Revoking a token deletes it and keeps its hash, so that a revoked token is told apart from an unknown one. */
  async deleteToken(id: string, actor: string): Promise<void> {
    this.deleteEntry(T.token, id, actor, (before, at) => {
      this.db.prepare('INSERT OR REPLACE INTO revoked_tokens (hash, token_id, name, revoked_at, revoked_by) VALUES (?, ?, ?, ?, ?)').run(before.hash, id, before.name, at, actor);
    });
  }

  async findRevokedToken(hash: string): Promise<{ name: string; revokedAt: string } | null> {
    const r = this.db.prepare('SELECT name, revoked_at FROM revoked_tokens WHERE hash = ?').get(hash) as Row | undefined;
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
      if (!Number.isSafeInteger(c)) throw new StoreError('conflict', 'the cursor is not one this API returned', 'cursor');
      where.push('id < ?');
      params.push(c);
    }
    const rows = this.db.prepare(`SELECT * FROM audit ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`).all(...params, query.limit + 1) as Row[];
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
        .prepare('INSERT INTO audit (at, actor, action, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(new Date().toISOString(), entry.actor, entry.action, entry.entity, entry.entityId, json(entry.before), json(entry.after)),
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
      this.db.transaction(() => {
        usage.resetUsage(this.db);
        this.db.prepare('INSERT INTO audit (at, actor, action, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)').run(at, actor, 'reset', 'usage', null, null, null);
      }).immediate(),
    );
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.listeners.clear();
    if (this.db.open) this.db.close();
  }
}
