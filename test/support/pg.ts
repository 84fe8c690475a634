/**
 * A PostgreSQL database of the test's own on the real server (127.0.0.1:5432, user postgres, trust
 * auth, as on these machines; PGHOST/PGPORT/PGUSER override). Without a server the test FAILS: a
 * store test that cannot reach PostgreSQL proves nothing, so it is never counted as a skip.
 */
import pg from 'pg';

const host = process.env.PGHOST ?? '127.0.0.1';
const port = Number(process.env.PGPORT ?? 5432);
const user = process.env.PGUSER ?? 'postgres';

export const PG_ADMIN_URL = `postgres://${user}@${host}:${port}/postgres`;

/** `postgres://…/corsgate_test_fleet_<pid>_<tag>`; `drop()` removes it (ending its sessions first). */
export async function testDatabase(
  tag: string,
): Promise<{ url: string; name: string; host: string; port: number; drop(): Promise<void> }> {
  const name = `corsgate_test_fleet_${process.pid}_${tag}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is needed at ${host}:${port} for this test and cannot be reached (${(err as Error).message}); start it (see .ci/run)`,
      { cause: err },
    );
  }
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://${user}@${host}:${port}/${name}`,
    name,
    host,
    port,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Runs SQL on a database directly (what an operator's hand-written SQL would do). */
export async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(text, params)).rows;
  } finally {
    await c.end();
  }
}
