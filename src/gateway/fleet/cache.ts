/**
 * A node's last-known-good configuration (`--cache FILE`): the last state every worker of this node
 * enforced, kept in a SQLite file of its own so that the node can serve it while PostgreSQL is
 * unreachable, including after a restart. Written in one transaction (WAL, synchronous=FULL), so a
 * kill -9 leaves the previous copy or the new one, never half of one.
 *
 * A state is written whole (`cached_config`), and the states after it that the store gave as small
 * allowlist deltas as rows of `cached_changes` (the patterns removed and added, and the rest of the
 * state, which is small): a one-entry change writes one entry, not the whole allowlist. Reading
 * applies the changes to the whole state; past CHANGES_MAX rows the next save writes whole again.
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

/** Change rows kept before the next save writes the whole state again. */
const CHANGES_MAX = 500;

type Rest = Omit<StoreState, 'allowlist' | 'changedAllowlist' | 'allowlistDelta'>;
interface ChangeRow {
  version: number;
  checksum: string;
  saved_at: number;
  removed: string;
  added: string;
  rest: string;
}

function restOf(state: StoreState): Rest {
  const { allowlist: _a, changedAllowlist: _c, allowlistDelta: _d, ...rest } = state;
  return rest;
}

/** `base` changed by each row's removals, then additions, in order (the removals take the first copies). */
function applyChanges(base: readonly string[], rows: readonly ChangeRow[]): string[] {
  const drop = new Map<string, number>();
  const appended: string[] = [];
  for (const r of rows) {
    for (const p of JSON.parse(r.removed) as string[]) {
      const at = appended.indexOf(p);
      if (at >= 0) appended.splice(at, 1);
      else drop.set(p, (drop.get(p) ?? 0) + 1);
    }
    appended.push(...(JSON.parse(r.added) as string[]));
  }
  const kept = base.filter((p) => {
    const n = drop.get(p);
    if (n === undefined) return true;
    if (n > 1) drop.set(p, n - 1);
    else drop.delete(p);
    return false;
  });
  return [...kept, ...appended];
}

export class ConfigCache {
  private db: Database.Database | null = null;
  /** States to save (oldest first, the newest last): saves are gathered, see `save`. */
  private pending: { state: StoreState; checksum: string }[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** The version the file holds, and its change rows (null: unknown, the next save writes whole). */
  private saved: { version: number; changes: number } | null = null;

  constructor(readonly path: string) {}

  private open(): Database.Database {
    if (this.db) return this.db;
    mkdirSync(dirname(this.path), { recursive: true });
    const db = new Database(this.path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(
      'CREATE TABLE IF NOT EXISTS cached_config (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, checksum TEXT NOT NULL, saved_at INTEGER NOT NULL, state TEXT NOT NULL)',
    );
    db.exec(
      'CREATE TABLE IF NOT EXISTS cached_changes (n INTEGER PRIMARY KEY, version INTEGER NOT NULL, checksum TEXT NOT NULL, saved_at INTEGER NOT NULL, removed TEXT NOT NULL, added TEXT NOT NULL, rest TEXT NOT NULL)',
    );
    this.db = db;
    return db;
  }

  /** The cached state, or null when there is none (no file, an empty or unreadable one). */
  read(): CachedState | null {
    try {
      const db = this.open();
      const row = db.prepare('SELECT checksum, saved_at, state FROM cached_config WHERE id = 1').get() as
        { checksum: string; saved_at: number; state: string } | undefined;
      if (!row) return null;
      const state = JSON.parse(row.state) as StoreState;
      const changes = db
        .prepare('SELECT version, checksum, saved_at, removed, added, rest FROM cached_changes ORDER BY n')
        .all() as ChangeRow[];
      const last = changes.at(-1);
      if (last === undefined) return { state, checksum: row.checksum, savedAt: row.saved_at };
      const rest = JSON.parse(last.rest) as Rest;
      return {
        state: { ...rest, version: last.version, allowlist: applyChanges(state.allowlist, changes) },
        checksum: last.checksum,
        savedAt: last.saved_at,
      };
    } catch {
      return null;
    }
  }

  /**
   * Saves a state now in force. Saves are gathered (at most one write per 100 ms), so that a burst
   * of changes to a large allowlist does not write the whole list each time.
   */
  save(state: StoreState, checksum: string): void {
    this.pending.push({ state, checksum });
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), 100);
    this.timer.unref();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const states = this.pending;
    this.pending = [];
    if (states.length === 0) return;
    const db = this.open();
    const now = Date.now();
    db.transaction(() => {
      if (this.asChanges(states)) {
        const insert = db.prepare(
          'INSERT INTO cached_changes (version, checksum, saved_at, removed, added, rest) VALUES (?, ?, ?, ?, ?, ?)',
        );
        for (const { state: s, checksum } of states)
          insert.run(
            s.version,
            checksum,
            now,
            JSON.stringify(s.allowlistDelta!.removed),
            JSON.stringify(s.allowlistDelta!.added),
            JSON.stringify(restOf(s)),
          );
        this.saved = { version: states.at(-1)!.state.version, changes: this.saved!.changes + states.length };
        return;
      }
      const { state, checksum } = states.at(-1)!;
      db.prepare(
        'INSERT INTO cached_config (id, version, checksum, saved_at, state) VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, checksum = excluded.checksum, saved_at = excluded.saved_at, state = excluded.state',
      ).run(state.version, checksum, now, JSON.stringify({ ...restOf(state), allowlist: state.allowlist }));
      db.prepare('DELETE FROM cached_changes').run();
      this.saved = { version: state.version, changes: 0 };
    })();
  }

  /**
   * Whether `states` can be saved as change rows: each a delta of the one before it (the first of
   * the version the file holds), with no pattern whose place in the list matters (a wildcard's:
   * which one admits an origin first), and the rows stay few.
   */
  private asChanges(states: readonly { state: StoreState }[]): boolean {
    if (this.saved === null || this.saved.changes + states.length > CHANGES_MAX) return false;
    let version = this.saved.version;
    for (const { state } of states) {
      const d = state.allowlistDelta;
      if (d === undefined || d.from !== version || [...d.removed, ...d.added].some((p) => p.includes('*')))
        return false;
      version = state.version;
    }
    return true;
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
