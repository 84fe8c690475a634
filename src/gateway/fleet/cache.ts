/**
 * A node's last-known-good configuration (`--cache FILE`): the last state every worker of this node
 * enforced, kept in a SQLite file of its own so that the node can serve it while PostgreSQL is
 * unreachable, including after a restart. Written in one transaction (WAL, synchronous=FULL), so a
 * kill -9 leaves the previous copy or the new one, never half of one.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StoreState } from '../../store/types.js';

export interface CachedState {
  state: StoreState;
  checksum: string;
  savedAt: number;
}

export class ConfigCache {
  private db: Database.Database | null = null;
  private pending: { state: StoreState; checksum: string } | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly path: string) {}

  private open(): Database.Database {
    if (this.db) return this.db;
    mkdirSync(dirname(this.path), { recursive: true });
    const db = new Database(this.path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE IF NOT EXISTS cached_config (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, checksum TEXT NOT NULL, saved_at INTEGER NOT NULL, state TEXT NOT NULL)');
    this.db = db;
    return db;
  }

  /** The cached state, or null when there is none (no file, an empty or unreadable one). */
  read(): CachedState | null {
    try {
      const row = this.open().prepare('SELECT checksum, saved_at, state FROM cached_config WHERE id = 1').get() as { checksum: string; saved_at: number; state: string } | undefined;
      if (!row) return null;
      return { state: JSON.parse(row.state) as StoreState, checksum: row.checksum, savedAt: row.saved_at };
    } catch {
      return null;
    }
  }

  /**
   * Saves a state now in force. Saves are gathered (at most one per 100 ms, always the newest), so
   * that a burst of changes to a large allowlist does not write the whole list each time.
   */
  save(state: StoreState, checksum: string): void {
    this.pending = { state, checksum };
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), 100);
    this.timer.unref();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const p = this.pending;
    this.pending = null;
    if (!p) return;
    const { changedAllowlist: _c, allowlistDelta: _d, ...state } = p.state;
    this.open()
      .prepare('INSERT INTO cached_config (id, version, checksum, saved_at, state) VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, checksum = excluded.checksum, saved_at = excluded.saved_at, state = excluded.state')
      .run(state.version, p.checksum, Date.now(), JSON.stringify(state));
  }

  close(): void {
    try {
      this.flush();
    } finally {
      this.db?.close();
      this.db = null;
    }
  }
}
