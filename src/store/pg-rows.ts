/**
 * What PostgreSQL's answers mean to the store: error mapping (full disk, unreachable server, unique
 * violations), keyset pages (the same cursors as SQLite), and the allowlist kept between reads so
 * that a node reads only what changed.
 */
import { decodeKeyCursor, encodeCursor, type Row } from './sqlite-rows.js';
import type pg from 'pg';
import { DEFAULT_SETTINGS, StoreError, type ListQuery, type Page, type Settings } from './types.js';

/** PostgreSQL's SQLSTATE classes and codes (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
const DISK_FULL = '53100';
const UNIQUE_VIOLATION = '23505';
/** Class 08 (connection exception), 57P01-57P03 (shutdown, cannot connect now). */
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3])/;
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_ERRNO.has(code) || UNAVAILABLE_SQLSTATE.test(code)))
    return true;
  const message = err instanceof Error ? err.message : '';
  // node-postgres reports a dropped socket and a pool timeout by message only.
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection timeout|Query read timeout/i.test(
    message,
  );
}

export const unavailable = (detail: string) =>
  new StoreError(
    'store-unavailable',
    `the store (PostgreSQL) cannot be reached (${detail}); nothing was written: try again once it is back`,
  );

/** A failed write's error as the admin API should see it; `uniques` names each unique constraint's field and message. */
export function mapWriteError(
  err: unknown,
  uniques: Record<string, [field: string, message: string]> = {},
): unknown {
  if (err instanceof StoreError) return err;
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e.code === DISK_FULL)
    return new StoreError('store-full', 'the store is full (no room left on its disk); nothing was written');
  if (e.code === UNIQUE_VIOLATION) {
    const hit = uniques[e.constraint ?? ''];
    if (hit) return new StoreError('duplicate', hit[1], hit[0]);
    return new StoreError('duplicate', 'that entry already exists');
  }
  if (isUnavailable(err)) return unavailable(e.message ?? 'connection lost');
  return err;
}

/** A keyset page over `table`, as the SQLite store pages (same cursors). */
export async function page<T>(
  read: (sql: string, p: unknown[]) => Promise<Row[]>,
  table: string,
  search: string,
  query: ListQuery,
  sortable: string,
  map: (r: Row) => T,
): Promise<Page<T>> {
  const sortColumn = query.sort === sortable.replace('url_pattern', 'urlPattern') ? sortable : 'seq';
  const desc = query.order === 'desc';
  // Byte order, as SQLite sorts text: the same cursors page the same way on both stores.
  const order = sortColumn === 'seq' ? 'seq' : `${sortColumn} COLLATE "C"`;
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.q) {
    params.push(query.q.toLowerCase());
    where.push(search.replaceAll('$Q', `$${params.length}`));
  }
  if (query.cursor) {
    params.push(decodeKeyCursor(query.cursor, sortColumn));
    where.push(`${order} ${desc ? '<' : '>'} $${params.length}`);
  }
  params.push(query.limit + 1);
  const rows = await read(
    `SELECT * FROM ${table} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${order} ${desc ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
    params,
  );
  const more = rows.length > query.limit;
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return {
    items: items.map(map),
    nextCursor: more && last ? encodeCursor([sortColumn, last[sortColumn]]) : null,
  };
}

/** Whether the store reaches PostgreSQL, as the gateway reports it. */
export interface StoreHealth {
  connected: boolean;
  /** When the store last reached PostgreSQL (ms since the epoch), 0 if never. */
  lastContact: number;
  lastError: string | null;
}

export const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

/**
 * The allowlist as of one version, id → pattern in creation order (a Map keeps insertion order, and
 * rows are created in commit order because every write holds the version row's lock first).
 */
export class AllowlistMirror {
  constructor(
    public version: number,
    readonly byId: Map<string, string>,
  ) {}

  /**
   * Rows changed since `version` (the ids the change log names): present ones are set, absent ones
   * deleted. Returns the patterns of the present rows (the node checks them) and the change as
   * patterns removed and added (a row whose pattern did not change is in neither).
   */
  apply(
    version: number,
    changedIds: readonly string[],
    present: ReadonlyMap<string, { pattern: string; seq: number }>,
  ): { changed: string[]; removed: string[]; added: string[] } {
    const changed: string[] = [];
    const removed: string[] = [];
    const added: string[] = [];
    const fresh: { id: string; pattern: string; seq: number }[] = [];
    for (const id of changedIds) {
      const row = present.get(id);
      const before = this.byId.get(id);
      if (before !== undefined && before !== row?.pattern) removed.push(before);
      if (!row) this.byId.delete(id);
      else if (before !== undefined) this.byId.set(id, row.pattern);
      else fresh.push({ id, ...row });
      if (row) changed.push(row.pattern);
      if (row && before !== row.pattern) added.push(row.pattern);
    }
    fresh.sort((a, b) => a.seq - b.seq);
    for (const f of fresh) this.byId.set(f.id, f.pattern);
    this.version = version;
    return { changed, removed, added };
  }

  patterns(): string[] {
    return [...this.byId.values()];
  }
}

/** The settings table's rows over the defaults. */
export function settingsOf(rows: Row[]): Settings {
  const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const r of rows)
    if (Object.hasOwn(out, r.key as string)) out[r.key as string] = JSON.parse(r.value as string);
  return out as unknown as Settings;
}

/** The audit rows of one write, inserted in the write's transaction. */
export async function insertAudits(client: pg.PoolClient, audits: unknown[][]): Promise<void> {
  // In chunks of 1,000 rows (7,000 parameters, below the protocol's 65,535).
  for (let i = 0; i < audits.length; i += 1000) {
    const chunk = audits.slice(i, i + 1000);
    const values = chunk
      .map(
        (_, j) =>
          `($${j * 7 + 1}, $${j * 7 + 2}, $${j * 7 + 3}, $${j * 7 + 4}, $${j * 7 + 5}, $${j * 7 + 6}, $${j * 7 + 7})`,
      )
      .join(', ');
    await client.query(
      `INSERT INTO audit (at, actor, action, entity, entity_id, before, after) VALUES ${values}`,
      chunk.flat(),
    );
  }
}
