/**
 * Online backup and restore of the SQLite store, through SQLite's backup API (better-sqlite3's
 * `db.backup`). Copying the file with `cp` while the gateway runs loses whatever sits in the WAL
 * file; the backup API instead copies a consistent snapshot under a read transaction, which in WAL
 * mode never blocks the gateway's writers (https://www.sqlite.org/backup.html).
 *
 * A restore writes into the store with the same API, which "holds a write transaction open on the
 * destination database file for the duration of the backup operation"
 * (https://www.sqlite.org/c3ref/backup_finish.html): a restore interrupted half-way leaves the
 * previous content, never a mix.
 */
import Database from 'better-sqlite3';
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CorsgateError } from 'corsgate/internal/errors.js';
import { MIGRATIONS } from './migrations.js';
import { SqliteStore } from './sqlite.js';

/** The codes of BackupError (documented in docs/deploy.md, "Backup and restore errors"). */
export const BACKUP_ERROR_CODES = [
  'backup-file-missing',
  'backup-not-sqlite',
  'backup-not-corsgate',
  'backup-corrupt',
  'backup-newer-schema',
  'backup-onto-store',
  'store-missing',
  'store-not-corsgate',
  'store-in-use',
] as const;
export type BackupErrorCode = (typeof BACKUP_ERROR_CODES)[number];

export class BackupError extends CorsgateError<BackupErrorCode> {
  constructor(code: BackupErrorCode, message: string) {
    super(code, message);
  }
}

/** What a corsgate database holds, as backup and restore report it. */
export interface DatabaseSummary {
  schemaVersion: number;
  /** The store's change counter: every committed change bumps it. */
  changeCounter: number;
  allowlist: number;
  trustedSites: number;
  routes: number;
  tokens: number;
  audit: number;
}

/** The tables of schema version 1, which every later version keeps. */
const CORE_TABLES = ['meta', 'allowlist', 'trusted_sites', 'routes', 'settings', 'tokens', 'audit'] as const;

/** SQLite's own verdict on a file that is not a database, or a damaged one, as a BackupError. */
function unreadable(err: unknown, label: string): BackupError | null {
  const code = (err as { code?: string }).code;
  if (code === 'SQLITE_NOTADB')
    return new BackupError(
      'backup-not-sqlite',
      `${label} is not a SQLite database (${(err as Error).message})`,
    );
  if (code?.startsWith('SQLITE_CORRUPT'))
    return new BackupError(
      'backup-corrupt',
      `${label} fails SQLite's integrity check: ${(err as Error).message}`,
    );
  return null;
}

/** Checks that `db` is a corsgate database this version can use, and counts what it holds. */
export function inspect(
  db: Database.Database,
  label: string,
  notCorsgate: BackupErrorCode = 'backup-not-corsgate',
): DatabaseSummary {
  let tables: Set<string>;
  try {
    tables = new Set(
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[],
    );
  } catch (err) {
    throw unreadable(err, label) ?? err;
  }
  const version = db.pragma('user_version', { simple: true }) as number;
  const missing = CORE_TABLES.filter((t) => !tables.has(t));
  if (missing.length > 0 || version < 1) {
    const hint =
      tables.size === 0
        ? ': it has no tables (a copy made with cp while the gateway ran lacks the data still in the -wal file; use corsgate backup)'
        : `: it lacks the tables ${missing.join(', ')}`;
    throw new BackupError(notCorsgate, `${label} is not a corsgate database${hint}`);
  }
  if (version > MIGRATIONS.length)
    throw new BackupError(
      'backup-newer-schema',
      `${label} has schema version ${version}, newer than this corsgate knows (${MIGRATIONS.length}): restore it with the corsgate version that wrote it, or upgrade corsgate`,
    );
  const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  const counter = db.prepare("SELECT value FROM meta WHERE key = 'change_counter'").pluck().get() as
    string | undefined;
  return {
    schemaVersion: version,
    changeCounter: Number(counter ?? 0),
    allowlist: count('allowlist'),
    trustedSites: count('trusted_sites'),
    routes: count('routes'),
    tokens: count('tokens'),
    audit: count('audit'),
  };
}

/** `PRAGMA integrity_check` must answer exactly `ok`; otherwise its first findings are the message. */
function checkIntegrity(db: Database.Database, label: string): void {
  let rows: string[];
  try {
    rows = (db.pragma('integrity_check(20)') as { integrity_check: string }[]).map((r) => r.integrity_check);
  } catch (err) {
    throw unreadable(err, label) ?? err;
  }
  if (rows.length !== 1 || rows[0] !== 'ok')
    throw new BackupError(
      'backup-corrupt',
      `${label} fails SQLite's integrity check: ${rows.slice(0, 3).join('; ')}`,
    );
}

/** Copies every page in one step: one consistent snapshot, never restarted by a concurrent write. */
async function copyDatabase(from: Database.Database, to: string): Promise<void> {
  await from.backup(to, { progress: () => 0x7fffffff });
}

function openExisting(path: string, label: string, options: Database.Options = {}): Database.Database {
  try {
    return new Database(path, { fileMustExist: true, ...options });
  } catch (err) {
    throw unreadable(err, label) ?? err;
  }
}

function samePath(a: string, b: string): boolean {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  return real(a) === real(b);
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A temporary name beside `path`, so that the final rename stays on one file system. */
function partialBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.partial-${process.pid}-${Date.now()}`);
}

function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}

/**
 * Writes a consistent copy of the store at `storePath` to `file` while the gateway may be running:
 * a single self-contained file (rollback journal, no -wal), readable by its owner only, checked
 * with `integrity_check`, and renamed into place only when complete.
 */
export async function backupSqlite(
  storePath: string,
  file: string,
): Promise<DatabaseSummary & { bytes: number }> {
  if (!existsSync(storePath))
    throw new BackupError('store-missing', `there is no SQLite database at ${storePath}`);
  for (const suffix of ['', '-wal', '-shm', '-journal'])
    if (samePath(storePath + suffix, file))
      throw new BackupError(
        'backup-onto-store',
        `the backup file ${file} is the store itself: choose another path`,
      );
  const source = openExisting(storePath, `the store ${storePath}`);
  try {
    source.pragma('busy_timeout = 5000');
    inspect(source, `the store ${storePath}`, 'store-not-corsgate');
    mkdirSync(dirname(resolve(file)), { recursive: true });
    const partial = partialBeside(resolve(file));
    try {
      await copyDatabase(source, partial);
      const copy = new Database(partial, { fileMustExist: true });
      let summary: DatabaseSummary;
      try {
        copy.pragma('journal_mode = DELETE');
        checkIntegrity(copy, `the copy ${partial}`);
        summary = inspect(copy, `the copy ${partial}`);
      } finally {
        copy.close();
      }
      // The file holds token hashes and the audit trail: owner only.
      chmodSync(partial, 0o600);
      syncFile(partial);
      renameSync(partial, file);
      syncFile(dirname(resolve(file)));
      return { ...summary, bytes: statSync(file).size };
    } finally {
      removeDatabaseFiles(partial);
    }
  } finally {
    source.close();
  }
}

/**
 * Proves that no other connection has the store open: leaving WAL mode needs exclusive access, and
 * SQLite answers SQLITE_BUSY while any other process (a running gateway) holds it open. A gateway
 * that was killed holds nothing: its WAL is recovered into the file by this step.
 */
function claimIdle(db: Database.Database, storePath: string): void {
  db.pragma('busy_timeout = 0');
  let mode: unknown;
  try {
    mode = db.pragma('journal_mode = DELETE', { simple: true });
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) mode = 'busy';
    else throw err;
  }
  if (mode !== 'delete')
    throw new BackupError(
      'store-in-use',
      `the store ${storePath} is in use (a gateway has it open): stop every gateway that uses it, then restore`,
    );
}

export interface RestoreOutcome extends DatabaseSummary {
  /** Where the store's previous content was saved, or null when there was none. */
  previous: string | null;
}

/**
 * Replaces the store at `storePath` with the backup `file`: the file must pass `integrity_check`,
 * be a corsgate database and not be newer than this corsgate; older schemas are migrated on a
 * copy first. The store must not be in use. Its previous content is kept beside it.
 */
export async function restoreSqlite(file: string, storePath: string): Promise<RestoreOutcome> {
  if (!existsSync(file)) throw new BackupError('backup-file-missing', `there is no backup file ${file}`);
  if (samePath(file, storePath))
    throw new BackupError('backup-onto-store', `${file} is the store itself: nothing to restore`);
  const label = `the backup ${file}`;
  const backup = openExisting(file, label, { readonly: true });
  mkdirSync(dirname(resolve(storePath)), { recursive: true });
  const staged = partialBeside(resolve(storePath));
  try {
    checkIntegrity(backup, label);
    inspect(backup, label);
    // Stage a copy and bring it to this version's schema, so the operator's file is never written.
    await copyDatabase(backup, staged);
    await new SqliteStore(staged).close();
    const ready = new Database(staged, { fileMustExist: true });
    try {
      checkIntegrity(ready, `the staged copy of ${file}`);
      const summary = inspect(ready, `the staged copy of ${file}`);
      const previous = existsSync(storePath) ? savePrevious(storePath) : null;
      await copyDatabase(ready, storePath);
      const restored = new Database(storePath, { fileMustExist: true });
      try {
        checkIntegrity(restored, `the restored store ${storePath}`);
        const check = inspect(restored, `the restored store ${storePath}`);
        if (check.changeCounter !== summary.changeCounter || check.audit !== summary.audit)
          throw new Error(`the restored store ${storePath} does not match the backup`);
      } finally {
        restored.close();
      }
      return { ...summary, previous };
    } finally {
      ready.close();
    }
  } finally {
    backup.close();
    removeDatabaseFiles(staged);
  }
}

/** Checks that the existing store is idle and a corsgate database, then saves a copy of it beside itself. */
function savePrevious(storePath: string): string {
  const current = openExisting(storePath, `the store ${storePath}`);
  try {
    inspect(current, `the store ${storePath}`, 'store-not-corsgate');
    claimIdle(current, storePath);
    const saved = `${storePath}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    // The store is in rollback-journal mode and nobody else has it open: a file copy is consistent.
    current.exec(`VACUUM INTO '${saved.replace(/'/g, "''")}'`);
    chmodSync(saved, 0o600);
    return saved;
  } finally {
    current.close();
  }
}
