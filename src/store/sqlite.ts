/**
 * The embedded store: SQLite through better-sqlite3, WAL journal with synchronous=FULL so that a
 * commit is on disk before the call returns (an acknowledged write survives kill -9). Every change
 * is one transaction holding the change itself, its audit row and the change-counter bump.
 * Other processes sharing the file are noticed by polling the counter every 250 ms.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { MIGRATIONS } from './migrations.js';
import { decodeCursor, decodeKeyCursor, encodeCursor, isUniqueViolation, rowToAllowlist, rowToRoute, rowToSite, rowToToken, type Row } from './sqlite-rows.js';
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
} from './types.js';

type Db = Database.Database;

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
  private change<T>(fn: (audit: (a: Omit<AuditEntry, 'id' | 'at' | 'actor'>) => void, at: string) => T, actor: string): T {
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
    const sortColumn = query.sort === 'urlPattern' ? 'url_pattern' : 'seq';
    const desc = query.order === 'desc';
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.q) {
      where.push('(instr(lower(url_pattern), ?) > 0 OR instr(lower(description), ?) > 0)');
      params.push(query.q.toLowerCase(), query.q.toLowerCase());
    }
    if (query.cursor) {
      where.push(`${sortColumn} ${desc ? '<' : '>'} ?`);
      params.push(decodeKeyCursor(query.cursor, sortColumn));
    }
    const sql = `SELECT * FROM allowlist ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${sortColumn} ${desc ? 'DESC' : 'ASC'} LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, query.limit + 1) as Row[];
    const more = rows.length > query.limit;
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(rowToAllowlist),
      nextCursor: more && last ? encodeCursor([sortColumn, last[sortColumn]]) : null,
    };
  }

  async getAllowlist(id: string): Promise<AllowlistEntry | null> {
    const r = this.db.prepare('SELECT * FROM allowlist WHERE id = ?').get(id) as Row | undefined;
    return r ? rowToAllowlist(r) : null;
  }

  private insertAllowlist(input: { urlPattern: string; description?: string; name?: string }, actor: string, at: string): AllowlistEntry {
    const entry: AllowlistEntry = { id: randomUUID(), urlPattern: input.urlPattern, description: input.description ?? '', ...(input.name ? { name: input.name } : {}), createdAt: at, createdBy: actor };
    this.db
      .prepare('INSERT INTO allowlist (id, url_pattern, description, name, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)')
      .run(entry.id, entry.urlPattern, entry.description, entry.name ?? '', entry.createdAt, entry.createdBy);
    return entry;
  }

  async createAllowlist(input: { urlPattern: string; description?: string }, actor: string): Promise<AllowlistEntry> {
    try {
      return this.change((audit, at) => {
        const entry = this.insertAllowlist(input, actor, at);
        audit({ action: 'create', entity: 'allowlist', entityId: entry.id, before: null, after: entry });
        return entry;
      }, actor);
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreError('duplicate', `the origin pattern '${input.urlPattern}' is already in the allowlist`, 'urlPattern');
      throw err;
    }
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
    try {
      return this.change((audit, at) => {
        const before = this.db.prepare('SELECT * FROM allowlist WHERE id = ?').get(id) as Row | undefined;
        if (!before) throw new StoreError('not-found', `no allowlist entry with id '${id}'`);
        this.db.prepare('UPDATE allowlist SET url_pattern = ?, description = ? WHERE id = ?').run(input.urlPattern, input.description ?? '', id);
        const after = rowToAllowlist(this.db.prepare('SELECT * FROM allowlist WHERE id = ?').get(id) as Row);
        audit({ action: 'update', entity: 'allowlist', entityId: id, before: rowToAllowlist(before), after });
        return after;
      }, actor);
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreError('duplicate', `the origin pattern '${input.urlPattern}' is already in the allowlist`, 'urlPattern');
      throw err;
    }
  }

  async deleteAllowlist(id: string, actor: string): Promise<void> {
    this.change((audit, at) => {
      const before = this.db.prepare('SELECT * FROM allowlist WHERE id = ?').get(id) as Row | undefined;
      if (!before) throw new StoreError('not-found', `no allowlist entry with id '${id}'`);
      this.db.prepare('DELETE FROM allowlist WHERE id = ?').run(id);
      audit({ action: 'delete', entity: 'allowlist', entityId: id, before: rowToAllowlist(before), after: null });
    }, actor);
  }

  // ---- trusted sites -----------------------------------------------------------------------

  async listTrustedSites(query: ListQuery): Promise<Page<TrustedSite>> {
    const sortColumn = query.sort === 'name' ? 'name' : 'seq';
    const desc = query.order === 'desc';
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.q) {
      where.push('instr(lower(data), ?) > 0');
      params.push(query.q.toLowerCase());
    }
    if (query.cursor) {
      where.push(`${sortColumn} ${desc ? '<' : '>'} ?`);
      params.push(decodeKeyCursor(query.cursor, sortColumn));
    }
    const sql = `SELECT * FROM trusted_sites ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${sortColumn} ${desc ? 'DESC' : 'ASC'} LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, query.limit + 1) as Row[];
    const more = rows.length > query.limit;
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { items: page.map(rowToSite), nextCursor: more && last ? encodeCursor([sortColumn, last[sortColumn]]) : null };
  }

  async getTrustedSite(id: string): Promise<TrustedSite | null> {
    const r = this.db.prepare('SELECT * FROM trusted_sites WHERE id = ?').get(id) as Row | undefined;
    return r ? rowToSite(r) : null;
  }

  private insertSite(input: TrustedSiteFields, actor: string, at: string): TrustedSite {
    const site: TrustedSite = { id: randomUUID(), ...input, createdAt: at, createdBy: actor };
    this.db
      .prepare('INSERT INTO trusted_sites (id, name, data, created_at, created_by) VALUES (?, ?, ?, ?, ?)')
      .run(site.id, input.name, JSON.stringify(input), at, actor);
    return site;
  }

  async createTrustedSite(input: TrustedSiteFields, actor: string): Promise<TrustedSite> {
    try {
      return this.change((audit, at) => {
        const site = this.insertSite(input, actor, at);
        audit({ action: 'create', entity: 'trusted-site', entityId: site.id, before: null, after: site });
        return site;
      }, actor);
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreError('duplicate', `a trusted site named '${input.name}' already exists`, 'name');
      throw err;
    }
  }

  async updateTrustedSite(id: string, input: TrustedSiteFields, actor: string): Promise<TrustedSite> {
    try {
      return this.change((audit, at) => {
        const before = this.db.prepare('SELECT * FROM trusted_sites WHERE id = ?').get(id) as Row | undefined;
        if (!before) throw new StoreError('not-found', `no trusted site with id '${id}'`);
        this.db.prepare('UPDATE trusted_sites SET name = ?, data = ? WHERE id = ?').run(input.name, JSON.stringify(input), id);
        const after = rowToSite(this.db.prepare('SELECT * FROM trusted_sites WHERE id = ?').get(id) as Row);
        audit({ action: 'update', entity: 'trusted-site', entityId: id, before: rowToSite(before), after });
        return after;
      }, actor);
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreError('duplicate', `a trusted site named '${input.name}' already exists`, 'name');
      throw err;
    }
  }

  async deleteTrustedSite(id: string, actor: string): Promise<void> {
    this.change((audit, at) => {
      const before = this.db.prepare('SELECT * FROM trusted_sites WHERE id = ?').get(id) as Row | undefined;
      if (!before) throw new StoreError('not-found', `no trusted site with id '${id}'`);
      this.db.prepare('DELETE FROM trusted_sites WHERE id = ?').run(id);
      audit({ action: 'delete', entity: 'trusted-site', entityId: id, before: rowToSite(before), after: null });
    }, actor);
  }

  // ---- routes ------------------------------------------------------------------------------

  async listRoutes(): Promise<Route[]> {
    return (this.db.prepare('SELECT * FROM routes ORDER BY seq').all() as Row[]).map(rowToRoute);
  }

  async getRoute(id: string): Promise<Route | null> {
    const r = this.db.prepare('SELECT * FROM routes WHERE id = ?').get(id) as Row | undefined;
    return r ? rowToRoute(r) : null;
  }

  async createRoute(input: RouteFields, actor: string): Promise<Route> {
    return this.change((audit, at) => {
      const route: Route = { id: randomUUID(), ...input, createdAt: at, createdBy: actor };
      this.db.prepare('INSERT INTO routes (id, data, created_at, created_by) VALUES (?, ?, ?, ?)').run(route.id, JSON.stringify(input), at, actor);
      audit({ action: 'create', entity: 'route', entityId: route.id, before: null, after: route });
      return route;
    }, actor);
  }

  async updateRoute(id: string, input: RouteFields, actor: string): Promise<Route> {
    return this.change((audit, at) => {
      const before = this.db.prepare('SELECT * FROM routes WHERE id = ?').get(id) as Row | undefined;
      if (!before) throw new StoreError('not-found', `no route with id '${id}'`);
      this.db.prepare('UPDATE routes SET data = ? WHERE id = ?').run(JSON.stringify(input), id);
      const after = rowToRoute(this.db.prepare('SELECT * FROM routes WHERE id = ?').get(id) as Row);
      audit({ action: 'update', entity: 'route', entityId: id, before: rowToRoute(before), after });
      return after;
    }, actor);
  }

  async deleteRoute(id: string, actor: string): Promise<void> {
    this.change((audit, at) => {
      const before = this.db.prepare('SELECT * FROM routes WHERE id = ?').get(id) as Row | undefined;
      if (!before) throw new StoreError('not-found', `no route with id '${id}'`);
      this.db.prepare('DELETE FROM routes WHERE id = ?').run(id);
      audit({ action: 'delete', entity: 'route', entityId: id, before: rowToRoute(before), after: null });
    }, actor);
  }

  // ---- settings ----------------------------------------------------------------------------

  private readSettings(): Settings {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as Row[];
    const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    for (const r of rows) if (Object.hasOwn(out, r.key as string)) out[r.key as string] = JSON.parse(r.value as string);
    return out as unknown as Settings;
  }

  private writeSettings(next: Settings, audit: (a: Omit<AuditEntry, 'id' | 'at' | 'actor'>) => void): boolean {
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
    try {
      return this.change((audit, at) => {
        const id = randomUUID();
        this.db.prepare('INSERT INTO tokens (id, name, hash, permissions, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)').run(id, input.name, input.hash, JSON.stringify(input.permissions), at, actor);
        this.db.prepare('DELETE FROM revoked_tokens WHERE hash = ?').run(input.hash);
        const rec = rowToToken(this.db.prepare('SELECT * FROM tokens WHERE id = ?').get(id) as Row);
        audit({ action: 'create', entity: 'token', entityId: id, before: null, after: rec });
        return rec;
      }, actor);
    } catch (err) {
      if (isUniqueViolation(err) && /tokens\.name/.test((err as Error).message)) throw new StoreError('duplicate', `a token named '${input.name}' already exists`, 'name');
      if (isUniqueViolation(err)) throw new StoreError('duplicate', 'that token already exists', 'token');
      throw err;
    } finally {
      this.locked = wasLocked;
    }
  }

  async deleteToken(id: string, actor: string): Promise<void> {
    this.change((audit, at) => {
      const before = this.db.prepare('SELECT * FROM tokens WHERE id = ?').get(id) as Row | undefined;
      if (!before) throw new StoreError('not-found', `no token with id '${id}'`);
      this.db.prepare('DELETE FROM tokens WHERE id = ?').run(id);
      this.db.prepare('INSERT OR REPLACE INTO revoked_tokens (hash, token_id, name, revoked_at, revoked_by) VALUES (?, ?, ?, ?, ?)').run(before.hash, id, before.name, at, actor);
      audit({ action: 'delete', entity: 'token', entityId: id, before: rowToToken(before), after: null });
    }, actor);
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

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.listeners.clear();
    if (this.db.open) this.db.close();
  }
}
