/** Row mapping and cursor encoding for the SQLite store. */
import {
  StoreError,
  type AllowlistEntry,
  type Permission,
  type Route,
  type RouteFields,
  type TokenRecord,
  type TrustedSite,
  type TrustedSiteFields,
} from './types.js';

export type Row = Record<string, unknown>;

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new StoreError('conflict', 'the cursor is not one this API returned', 'cursor');
  }
}

/**
 * Decodes a keyset cursor `[column, lastValue]` of a listing sorted by `column`; anything else (another
 * sort order, a forged value of the wrong type) is refused, since the value is bound into the query.
 */
export function decodeKeyCursor(cursor: string, column: string): number | string {
  const c = decodeCursor(cursor);
  if (!Array.isArray(c) || c.length !== 2 || c[0] !== column)
    throw new StoreError(
      'conflict',
      'the cursor belongs to another sort order or is not one this API returned',
      'cursor',
    );
  const value: unknown = c[1];
  const ok = column === 'seq' ? Number.isSafeInteger(value) : typeof value === 'string';
  if (!ok) throw new StoreError('conflict', 'the cursor is not one this API returned', 'cursor');
  return value as number | string;
}

export function rowToAllowlist(r: Row): AllowlistEntry {
  return {
    id: r.id as string,
    urlPattern: r.url_pattern as string,
    description: r.description as string,
    createdAt: r.created_at as string,
    createdBy: r.created_by as string,
    ...(r.name ? { name: r.name as string } : {}),
  };
}

export function rowToSite(r: Row): TrustedSite {
  return {
    id: r.id as string,
    ...(JSON.parse(r.data as string) as TrustedSiteFields),
    createdAt: r.created_at as string,
    createdBy: r.created_by as string,
  };
}

export function rowToRoute(r: Row): Route {
  return {
    id: r.id as string,
    ...(JSON.parse(r.data as string) as RouteFields),
    createdAt: r.created_at as string,
    createdBy: r.created_by as string,
  };
}

export function rowToToken(r: Row): TokenRecord {
  return {
    id: r.id as string,
    name: r.name as string,
    permissions: JSON.parse(r.permissions as string) as Permission[],
    createdAt: r.created_at as string,
    createdBy: r.created_by as string,
  };
}

export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * One table of entries kept by id: where its rows are, the entity its audit rows name, how a
 * missing id is said, and how a row reads back. The store's get, update and delete (each with its
 * audit row) are written once over this table rather than once per kind of entry.
 */
export interface EntityTable<T> {
  readonly table: 'allowlist' | 'trusted_sites' | 'routes' | 'tokens';
  readonly entity: 'allowlist' | 'trusted-site' | 'route' | 'token';
  /** The start of the not-found message: "no route" with id '…'. */
  readonly missing: string;
  readonly fromRow: (r: Row) => T;
}

export const ENTITY_TABLES = {
  allowlist: {
    table: 'allowlist',
    entity: 'allowlist',
    missing: 'no allowlist entry',
    fromRow: rowToAllowlist,
  } satisfies EntityTable<AllowlistEntry>,
  trustedSite: {
    table: 'trusted_sites',
    entity: 'trusted-site',
    missing: 'no trusted site',
    fromRow: rowToSite,
  } satisfies EntityTable<TrustedSite>,
  route: {
    table: 'routes',
    entity: 'route',
    missing: 'no route',
    fromRow: rowToRoute,
  } satisfies EntityTable<Route>,
  token: {
    table: 'tokens',
    entity: 'token',
    missing: 'no token',
    fromRow: rowToToken,
  } satisfies EntityTable<TokenRecord>,
} as const;
