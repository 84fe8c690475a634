/** Opens a store from its URL: `sqlite:PATH` (or `sqlite::memory:`), or `postgres://…` / `postgresql://…`. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PostgresStore } from './postgres.js';
import { CorsgateError } from 'corsgate/internal/errors.js';
import { SqliteStore } from './sqlite.js';
import { StoreError, type Store } from './types.js';

export * from './types.js';
export { SqliteStore } from './sqlite.js';
export { PostgresStore } from './postgres.js';

/** The one code of StoreUrlError: the `--store` URL names no store that can be opened. */
export type StoreUrlErrorCode = 'store-url-invalid';

export class StoreUrlError extends CorsgateError<StoreUrlErrorCode> {
  constructor(message: string) {
    super('store-url-invalid', message);
  }
}

/** Whether a store URL names PostgreSQL (the libpq URI schemes). */
export const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//i.test(url);

/** A URL that names no store throws at once; opening (and PostgreSQL's migrations) is the promise's. */
export function openStore(url: string): Promise<Store & { lock(): void }> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '')
      throw new StoreUrlError(
        `--store '${url}': give a file path after 'sqlite:', e.g. sqlite:./corsgate.db`,
      );
    try {
      // `--store sqlite:./data/corsgate.db` on a fresh machine: make the folder, as the file itself is made.
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      return Promise.resolve(new SqliteStore(path));
    } catch (err) {
      // A missing folder, a file that is not a database, a newer schema: say so without a stack trace.
      throw new StoreUrlError(`--store '${url}': cannot open the SQLite database: ${(err as Error).message}`);
    }
  }
  if (isPostgresUrl(url)) {
    if (!URL.canParse(url))
      throw new StoreUrlError(
        `--store '${url}': not a valid PostgreSQL URL; use postgres://USER[:PASSWORD]@HOST:PORT/DB`,
      );
    return PostgresStore.open(url).catch((err: unknown) => {
      if (err instanceof StoreError) throw err;
      throw new StoreUrlError(
        `--store ${new URL(url).host}: cannot open the PostgreSQL store: ${(err as Error).message}`,
      );
    });
  }
  throw new StoreUrlError(
    `--store '${url}': unknown store; use sqlite:PATH (e.g. sqlite:./corsgate.db) or postgres://USER@HOST:PORT/DB`,
  );
}
