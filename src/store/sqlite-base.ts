/**
 * The SQLite store's machinery, below the Store interface that SqliteStore (sqlite.ts) implements:
 * opening and migrating the database, the change transaction (the change itself, its audit row and
 * the change-counter bump, committed together), noticing other processes' changes, and the
 * table-driven get, create, update and delete of entries kept by id (ENTITY_TABLES).
 *
 * WAL journal with synchronous=FULL, so that a commit is on disk before the call returns (an
 * acknowledged write survives kill -9). Other processes sharing the file are noticed by polling
 * the counter every 250 ms.
 */
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';
import {
  decodeKeyCursor,
  encodeCursor,
  isUniqueViolation,
  type EntityTable,
  type Row,
} from './sqlite-rows.js';
import {
  DEFAULT_SETTINGS,
  StoreError,
  type AuditEntry,
  type ListQuery,
  type Page,
  type Settings,
} from './types.js';

type Db = Database.Database;
export type Audit = (a: Omit<AuditEntry, 'id' | 'at' | 'actor'>) => void;
/** What a unique-constraint violation means for one write, as the StoreError to throw. */
export type Duplicate = (err: Error) => StoreError;

/** Runs a write; a unique-constraint violation becomes `duplicate()`'s StoreError. */
export function uniquely<T>(duplicate: Duplicate | undefined, write: () => T): T {
  try {
    return write();
  } catch (err) {
    if (duplicate && isUniqueViolation(err)) throw duplicate(err as Error);
    throw err;
  }
}

const POLL_MS = 250;

/** Runs a write; SQLITE_FULL (no room on the disk, or max_page_count reached) becomes StoreError('store-full'). */
export function whenFull<T>(write: () => T): T {
  try {
    return write();
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_FULL')
      throw new StoreError(
        'store-full',
        'the store is full (no room left on its disk); nothing was written',
        undefined,
      );
    throw err;
  }
}

export abstract class SqliteDatabase {
  readonly description: string;
  protected db: Db;
  private listeners = new Set<(version: number) => void>();
  private lastSeen = 0;
  private timer: NodeJS.Timeout | null = null;
  protected locked = false;

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
      throw new StoreError(
        'conflict',
        `${this.description} has schema version ${current}, newer than this corsgate knows (${MIGRATIONS.length}): upgrade corsgate rather than risk the data`,
      );
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db
        .transaction(() => {
          this.db.exec(MIGRATIONS[v]!);
          this.db.pragma(`user_version = ${v + 1}`);
        })
        .immediate();
    }
  }

  protected readCounter(): number {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'change_counter'").get() as
      Row | undefined;
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
  protected change<T>(fn: (audit: Audit, at: string) => T, actor: string): T {
    if (this.locked)
      throw new StoreError(
        'read-only',
        'the gateway runs from a policy file (--policy): admin writes are disabled',
      );
    const at = new Date().toISOString();
    const insertAudit = this.db.prepare(
      'INSERT INTO audit (at, actor, action, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    let version = 0;
    const result = whenFull(() =>
      this.db
        .transaction(() => {
          const out = fn((a) => {
            insertAudit.run(
              at,
              actor,
              a.action,
              a.entity,
              a.entityId,
              a.before === null ? null : JSON.stringify(a.before),
              a.after === null ? null : JSON.stringify(a.after),
            );
          }, at);
          this.db
            .prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'change_counter'")
            .run();
          version = this.readCounter();
          return out;
        })
        .immediate(),
    );
    this.emit(version);
    return result;
  }

  // ---- entries kept by id, one table each (ENTITY_TABLES) ---------------------------------

  protected rowById(t: EntityTable<unknown>, id: string): Row | undefined {
    return this.db.prepare(`SELECT * FROM ${t.table} WHERE id = ?`).get(id) as Row | undefined;
  }

  protected getById<E>(t: EntityTable<E>, id: string): E | null {
    const r = this.rowById(t, id);
    return r ? t.fromRow(r) : null;
  }

  /** The row of `id`, or StoreError('not-found'). Inside a change, so that the write sees the same row. */
  protected existingRow(t: EntityTable<unknown>, id: string): Row {
    const r = this.rowById(t, id);
    if (!r) throw new StoreError('not-found', `${t.missing} with id '${id}'`);
    return r;
  }

  /** One new entry (`insert` writes it and answers it) with its audit row. */
  protected createEntry<E extends { id: string }>(
    t: EntityTable<E>,
    insert: (at: string) => E,
    actor: string,
    duplicate?: Duplicate,
  ): E {
    return uniquely(duplicate, () =>
      this.change((audit, at) => {
        const entry = insert(at);
        audit({ action: 'create', entity: t.entity, entityId: entry.id, before: null, after: entry });
        return entry;
      }, actor),
    );
  }

  /** Sets `columns` (names, and their values in order) of entry `id`, with its audit row; answers the entry after. */
  protected updateEntry<E>(
    t: EntityTable<E>,
    id: string,
    columns: Record<string, unknown>,
    actor: string,
    duplicate?: Duplicate,
  ): E {
    const names = Object.keys(columns);
    return uniquely(duplicate, () =>
      this.change((audit) => {
        const before = this.existingRow(t, id);
        this.db
          .prepare(`UPDATE ${t.table} SET ${names.map((n) => `${n} = ?`).join(', ')} WHERE id = ?`)
          .run(...Object.values(columns), id);
        const after = t.fromRow(this.rowById(t, id)!);
        audit({ action: 'update', entity: t.entity, entityId: id, before: t.fromRow(before), after });
        return after;
      }, actor),
    );
  }

  /** Deletes entry `id` with its audit row; `also` runs in the same transaction with the row deleted. */
  protected deleteEntry(
    t: EntityTable<unknown>,
    id: string,
    actor: string,
    also?: (before: Row, at: string) => void,
  ): void {
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
  protected keysetPage<E>(
    t: EntityTable<E>,
    query: ListQuery,
    sortColumn: string,
    search: { where: string; params: unknown[] } | null,
  ): Page<E> {
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
    return {
      items: page.map(t.fromRow),
      nextCursor: more && last ? encodeCursor([sortColumn, last[sortColumn]]) : null,
    };
  }

  async version(): Promise<number> {
    return this.readCounter();
  }

  onChange(listener: (version: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- settings (read by loadState, written by settings changes and imports) -------------

  protected readSettings(): Settings {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as Row[];
    const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    for (const r of rows)
      if (Object.hasOwn(out, r.key as string)) out[r.key as string] = JSON.parse(r.value as string);
    return out as unknown as Settings;
  }

  protected writeSettings(next: Settings, audit: Audit): boolean {
    const before = this.readSettings();
    if (JSON.stringify(before) === JSON.stringify(next)) return false;
    const upsert = this.db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    for (const [k, v] of Object.entries(next)) upsert.run(k, JSON.stringify(v));
    audit({ action: 'update', entity: 'settings', entityId: null, before, after: this.readSettings() });
    return true;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.listeners.clear();
    if (this.db.open) this.db.close();
  }
}
