/**
 * PostgreSQL schema and its migrations. Several nodes may start at once on an empty database: each
 * runs every pending migration in one transaction that first takes a transaction-level advisory lock
 * (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS), so one migrates and
 * the others wait, then find nothing to do. The lock is released at commit or when the session dies
 * (kill -9 of the migrating node rolls its work back and frees the others).
 *
 * Append new migrations; never edit old ones. A database migrated by a newer corsgate is refused.
 */
import type { ClientBase } from 'pg';
import { StoreError } from './types.js';

/** Arbitrary, fixed: the advisory-lock key of corsgate's migrations ("corsgate" as bytes, truncated). */
const MIGRATION_LOCK = 0x636f7273_6761;

export const NOTIFY_CHANNEL = 'corsgate_config';

export const PG_MIGRATIONS: readonly string[] = [
  // 1: initial schema. `config_state` is one row whose version every write bumps first in its
  // transaction: the row lock, held to commit, serialises writers, so versions follow commit order
  // with no gap. Its trigger notifies the version only, delivered at commit (sql-notify.html).
  `
  CREATE TABLE config_state (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    version bigint NOT NULL,
    last_txid xid8,
    committed_at timestamptz NOT NULL DEFAULT now()
  );
  INSERT INTO config_state (id, version) VALUES (true, 0);
  -- Bumps the version once per transaction and returns it. corsgate calls it first in every write;
  -- the triggers below call it too, so an edit made by hand in SQL also bumps and notifies.
  CREATE FUNCTION corsgate_bump() RETURNS bigint LANGUAGE plpgsql AS $$
  DECLARE v bigint;
  BEGIN
    UPDATE config_state SET version = version + 1, last_txid = pg_current_xact_id(), committed_at = now()
      WHERE last_txid IS DISTINCT FROM pg_current_xact_id();
    SELECT version INTO v FROM config_state;
    RETURN v;
  END $$;
  CREATE FUNCTION corsgate_notify_version() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('${NOTIFY_CHANNEL}', NEW.version::text);
    RETURN NEW;
  END $$;
  CREATE TRIGGER config_state_notify AFTER UPDATE OF version ON config_state
    FOR EACH ROW EXECUTE FUNCTION corsgate_notify_version();

  -- What each version changed, so that a node at version N reads only what N+1.. changed.
  CREATE TABLE config_changes (
    version bigint NOT NULL,
    entity text NOT NULL,
    entity_id text NOT NULL,
    PRIMARY KEY (version, entity, entity_id)
  );

  CREATE TABLE allowlist (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    url_pattern text NOT NULL UNIQUE,
    description text NOT NULL DEFAULT '',
    name text NOT NULL DEFAULT '',
    created_at text NOT NULL,
    created_by text NOT NULL
  );
  CREATE TABLE trusted_sites (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    name text NOT NULL UNIQUE,
    data text NOT NULL,
    created_at text NOT NULL,
    created_by text NOT NULL
  );
  CREATE TABLE routes (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    data text NOT NULL,
    created_at text NOT NULL,
    created_by text NOT NULL
  );
  CREATE TABLE settings (key text PRIMARY KEY, value text NOT NULL);
  CREATE TABLE tokens (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    name text NOT NULL CONSTRAINT tokens_name_key UNIQUE,
    hash text NOT NULL CONSTRAINT tokens_hash_key UNIQUE,
    permissions text NOT NULL,
    created_at text NOT NULL,
    created_by text NOT NULL
  );
  CREATE TABLE revoked_tokens (
    hash text PRIMARY KEY,
    token_id text NOT NULL,
    name text NOT NULL,
    revoked_at text NOT NULL,
    revoked_by text NOT NULL
  );
  CREATE TABLE audit (
    id bigserial PRIMARY KEY,
    at text NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    entity text NOT NULL,
    entity_id text,
    before text,
    after text
  );
  CREATE INDEX audit_entity ON audit (entity, id);
  CREATE FUNCTION corsgate_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN RAISE EXCEPTION 'audit is append-only'; END $$;
  CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION corsgate_audit_append_only();

  -- Each node heartbeats its row: what it enforces, and whether it reaches the store.
  CREATE FUNCTION corsgate_bump_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN PERFORM corsgate_bump(); RETURN NULL; END $$;
  CREATE FUNCTION corsgate_log_new() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE v bigint := corsgate_bump();
  BEGIN
    INSERT INTO config_changes SELECT v, TG_ARGV[0], id FROM new_rows ON CONFLICT DO NOTHING;
    RETURN NULL;
  END $$;
  CREATE FUNCTION corsgate_log_old() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE v bigint := corsgate_bump();
  BEGIN
    INSERT INTO config_changes SELECT v, TG_ARGV[0], id FROM old_rows ON CONFLICT DO NOTHING;
    RETURN NULL;
  END $$;
  CREATE TRIGGER allowlist_ins AFTER INSERT ON allowlist REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION corsgate_log_new('allowlist');
  CREATE TRIGGER allowlist_upd AFTER UPDATE ON allowlist REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION corsgate_log_new('allowlist');
  CREATE TRIGGER allowlist_del AFTER DELETE ON allowlist REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION corsgate_log_old('allowlist');
  CREATE TRIGGER trusted_sites_bump AFTER INSERT OR UPDATE OR DELETE ON trusted_sites
    FOR EACH STATEMENT EXECUTE FUNCTION corsgate_bump_trigger();
  CREATE TRIGGER routes_bump AFTER INSERT OR UPDATE OR DELETE ON routes
    FOR EACH STATEMENT EXECUTE FUNCTION corsgate_bump_trigger();
  CREATE TRIGGER settings_bump AFTER INSERT OR UPDATE OR DELETE ON settings
    FOR EACH STATEMENT EXECUTE FUNCTION corsgate_bump_trigger();

  CREATE TABLE nodes (
    id text PRIMARY KEY,
    version bigint NOT NULL,
    checksum text NOT NULL,
    last_seen_at timestamptz NOT NULL,
    store text NOT NULL,
    last_error text
  );
  `,
  // 2: usage counters (issue 14), one row per node and key, summed on read; the same tables as the
  // SQLite store's (times in epoch milliseconds, hence bigint). No trigger: counters are no
  // configuration, so writing them bumps no version and recompiles nothing.
  `
  CREATE TABLE usage_entries (node text NOT NULL, pattern text NOT NULL, hits bigint NOT NULL, last_seen_at bigint NOT NULL, PRIMARY KEY (node, pattern));
  CREATE TABLE usage_refused (
    node text NOT NULL, route text NOT NULL, origin text NOT NULL, count bigint NOT NULL, last_seen_at bigint NOT NULL, example_path text NOT NULL,
    PRIMARY KEY (node, route, origin)
  );
  CREATE TABLE usage_upstream (
    node text NOT NULL, route text NOT NULL, origin text NOT NULL, decision text NOT NULL, upstream_allow_origin text NOT NULL,
    count bigint NOT NULL, last_seen_at bigint NOT NULL, example_path text NOT NULL,
    PRIMARY KEY (node, route, origin, decision, upstream_allow_origin)
  );
  CREATE TABLE usage_traffic (node text NOT NULL, minute bigint NOT NULL, allowed bigint NOT NULL, refused bigint NOT NULL, would_refuse bigint NOT NULL, PRIMARY KEY (node, minute));
  CREATE TABLE usage_csp (
    node text NOT NULL, directive text NOT NULL, blocked_origin text NOT NULL, page text NOT NULL, count bigint NOT NULL, last_seen_at bigint NOT NULL,
    PRIMARY KEY (node, directive, blocked_origin, page)
  );
  CREATE TABLE usage_csp_intake (node text PRIMARY KEY, dropped bigint NOT NULL, malformed bigint NOT NULL);
  `,
];

/** Refused at start: the database was migrated by a newer corsgate. */
export class SchemaNewerError extends StoreError {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(
      'schema-newer',
      `the PostgreSQL schema is at version ${found}, newer than this corsgate knows (${known}): upgrade corsgate on this node rather than risk the data`,
    );
  }
}

/** Brings the schema up to date; returns how many migrations this call applied (0 when another node did). */
export async function migrate(client: ClientBase): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS corsgate_schema (id boolean PRIMARY KEY DEFAULT true CHECK (id), version int NOT NULL)',
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM corsgate_schema');
    const current = rows[0]?.version ?? 0;
    if (current > PG_MIGRATIONS.length) throw new SchemaNewerError(current, PG_MIGRATIONS.length);
    for (let v = current; v < PG_MIGRATIONS.length; v++) await client.query(PG_MIGRATIONS[v]!);
    if (current < PG_MIGRATIONS.length)
      await client.query(
        'INSERT INTO corsgate_schema (id, version) VALUES (true, $1) ON CONFLICT (id) DO UPDATE SET version = excluded.version',
        [PG_MIGRATIONS.length],
      );
    await client.query('COMMIT');
    return PG_MIGRATIONS.length - current;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
