/** Opens a store from its URL. Today: `sqlite:PATH` (or `sqlite::memory:`); PostgreSQL follows. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CorsgateError } from '../errors.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './types.js';

export * from './types.js';
export { SqliteStore } from './sqlite.js';

/** The one code of StoreUrlError: the `--store` URL names no store that can be opened. */
export type StoreUrlErrorCode = 'store-url-invalid';

export class StoreUrlError extends CorsgateError<StoreUrlErrorCode> {
  constructor(message: string) {
    super('store-url-invalid', message);
  }
}

export function openStore(url: string): Store & { lock(): void } {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') throw new StoreUrlError(`--store '${url}': give a file path after 'sqlite:', e.g. sqlite:./corsgate.db`);
    try {
      // `--store sqlite:./data/corsgate.db` on a fresh machine: make the folder, as the file itself is made.
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      return new SqliteStore(path);
    } catch (err) {
      // A missing folder, a file that is not a database, a newer schema: say so without a stack trace.
      throw new StoreUrlError(`--store '${url}': cannot open the SQLite database: ${(err as Error).message}`);
    }
  }
  if (url.startsWith('postgres:') || url.startsWith('postgresql:')) {
    throw new StoreUrlError(`--store '${url}': PostgreSQL is not supported yet; use sqlite:PATH`);
  }
  throw new StoreUrlError(`--store '${url}': unknown store; use sqlite:PATH (e.g. sqlite:./corsgate.db)`);
}
