/**
 * `corsgate backup` and `corsgate restore`: an online, consistent copy of the store, and putting one
 * back. The store is found as `corsgate serve` finds it (--store, CORSGATE_STORE, --config, default).
 * Exit codes: 0 done, 1 refused (the file or the store is not fit, or the store is in use), 2 usage.
 */
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig } from '../gateway/config.js';
import { BackupError, backupSqlite, restoreSqlite, type DatabaseSummary } from '../store/backup.js';

const STORE_HELP = `  --store URL    the store, as for corsgate serve (default: CORSGATE_STORE, else the --config file's store, else sqlite:./corsgate.db)
  --config FILE  read the store URL from corsgate serve's config file
  --help         show this help`;

const BACKUP_HELP = `Usage: corsgate backup [--store URL] FILE

Writes a consistent copy of a SQLite store to FILE while the gateway runs (SQLite's online backup
API; copying the .db file with cp misses what is still in its -wal file). FILE is one self-contained
database file, readable by its owner only, checked with integrity_check and renamed into place only
when complete. PostgreSQL stores are backed up with pg_dump (the command prints how).

${STORE_HELP}

Exit: 0 written, 1 refused (no store there, not a corsgate database), 2 usage errors.
`;

const RESTORE_HELP = `Usage: corsgate restore [--store URL] FILE

Replaces the store with the backup FILE. FILE must pass SQLite's integrity_check, be a corsgate
database and not be newer than this corsgate (an older one is migrated). The store must not be in
use: stop every gateway that uses it first. The previous content is kept beside the store as
<store>.before-restore-<time>; the swap is one SQLite transaction, so it is all or nothing.

${STORE_HELP}

Exit: 0 restored, 1 refused (bad file, newer schema, store in use), 2 usage errors.
`;

type Parsed = { storeUrl: string; file: string } | { exit: number };

function parse(command: string, help: string, argv: string[]): Parsed {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        store: { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`corsgate ${command}: ${(err as Error).message}\n\n${help}`);
    return { exit: 2 };
  }
  if (parsed.values.help) {
    process.stdout.write(help);
    return { exit: 0 };
  }
  if (parsed.positionals.length !== 1) {
    process.stderr.write(
      `corsgate ${command}: give exactly one FILE${parsed.positionals.length ? ` (got ${parsed.positionals.length})` : ''}\n\n${help}`,
    );
    return { exit: 2 };
  }
  const args = [
    ...(parsed.values.store !== undefined ? ['--store', parsed.values.store] : []),
    ...(parsed.values.config !== undefined ? ['--config', parsed.values.config] : []),
  ];
  try {
    const config = parseConfig(args, process.env);
    if (config === 'help') return { exit: 0 };
    return { storeUrl: config.store, file: parsed.positionals[0]! };
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`corsgate ${command}: ${err.message}\n`);
      return { exit: 2 };
    }
    throw err;
  }
}

/** The URL without its password, so that guidance never prints a secret. */
function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '';
    return u.href;
  } catch {
    return '<the store URL>';
  }
}

/** The SQLite file of a store URL, or an exit code after saying why there is none. */
function sqlitePath(command: string, storeUrl: string): string | number {
  if (storeUrl.startsWith('sqlite:')) {
    const path = storeUrl.slice('sqlite:'.length);
    if (path === '' || path === ':memory:') {
      process.stderr.write(
        `corsgate ${command}: --store '${storeUrl}' has no file to ${command}: give sqlite:PATH\n`,
      );
      return 2;
    }
    return path;
  }
  if (/^postgres(ql)?:/i.test(storeUrl)) {
    const url = withoutPassword(storeUrl);
    process.stderr.write(
      `corsgate ${command}: a PostgreSQL store is backed up and restored with PostgreSQL's own tools, which take a\n` +
        `consistent snapshot while gateways run (https://www.postgresql.org/docs/current/app-pgdump.html):\n\n` +
        `  pg_dump --format=custom --file=corsgate.dump '${url}'\n` +
        `  pg_restore --clean --if-exists --single-transaction --dbname='${url}' corsgate.dump\n\n` +
        `Stop the gateways before pg_restore. The password is left out above: use PGPASSWORD or ~/.pgpass.\n`,
    );
    return 2;
  }
  process.stderr.write(
    `corsgate ${command}: --store '${storeUrl}': unknown store; use sqlite:PATH (e.g. sqlite:./corsgate.db)\n`,
  );
  return 2;
}

function describe(s: DatabaseSummary): string {
  const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
  return `schema ${s.schemaVersion}, change ${s.changeCounter}: ${n(s.allowlist, 'origin')}, ${n(s.trustedSites, 'trusted site')}, ${n(s.routes, 'route')}, ${n(s.tokens, 'token')}, ${n(s.audit, 'audit entry', 'audit entries')}`;
}

function refused(command: string, err: unknown): number {
  if (err instanceof BackupError) {
    process.stderr.write(`corsgate ${command}: ${err.message} [${err.code}]\n`);
    return 1;
  }
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code === 'string' && /^(E[A-Z]+|SQLITE_\w+)$/.test(e.code)) {
    process.stderr.write(`corsgate ${command}: ${e.message} [${e.code}]\n`);
    return 1;
  }
  throw err;
}

/** Parses the command line, finds the store's file, runs `action` and prints its report, or says why not. */
async function command(
  name: 'backup' | 'restore',
  help: string,
  argv: string[],
  action: (path: string, file: string, storeUrl: string) => Promise<string>,
): Promise<number> {
  const args = parse(name, help, argv);
  if ('exit' in args) return args.exit;
  const path = sqlitePath(name, args.storeUrl);
  if (typeof path === 'number') return path;
  try {
    process.stdout.write(await action(path, args.file, args.storeUrl));
    return 0;
  } catch (err) {
    return refused(name, err);
  }
}

export function backup(argv: string[]): Promise<number> {
  return command('backup', BACKUP_HELP, argv, async (path, file, storeUrl) => {
    const out = await backupSqlite(path, file);
    return `backed up ${storeUrl} to ${file} (${describe(out)}; ${out.bytes.toLocaleString('en')} bytes)\n`;
  });
}

export function restore(argv: string[]): Promise<number> {
  return command('restore', RESTORE_HELP, argv, async (path, file, storeUrl) => {
    const out = await restoreSqlite(file, path);
    return (
      `restored ${file} into ${storeUrl} (${describe(out)})\n` +
      (out.previous ? `the previous store is kept in ${out.previous}\n` : '') +
      `start the gateway: corsgate serve --store ${storeUrl}\n`
    );
  });
}
