/**
 * Versioned schema migrations, run in order at start inside one transaction each. The applied
 * version is kept in SQLite's `user_version` pragma. Append new migrations; never edit old ones.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: initial schema
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  INSERT INTO meta (key, value) VALUES ('change_counter', '0');

  CREATE TABLE allowlist (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    url_pattern TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
  );

  CREATE TABLE trusted_sites (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
  );

  CREATE TABLE routes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
  );

  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  CREATE TABLE tokens (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    permissions TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
  );

  -- Append-only: triggers refuse UPDATE and DELETE.
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    before TEXT,
    after TEXT
  );
  CREATE INDEX audit_entity ON audit (entity, id);
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
  `,
  // 2: an allowlist entry keeps the Salesforce component name (fullName) it was imported under, so an
  // export deploys back over the same component instead of a duplicate
  `
  ALTER TABLE allowlist ADD COLUMN name TEXT NOT NULL DEFAULT '';
  `,
  // 3: token names are unique. A store that already holds duplicates keeps the first of each name
  // and renames the later ones "<name> (duplicate <seq>)", each with an audit row. Revoked tokens are
  // remembered by their hash, so that presenting one can be answered "revoked" rather than "unknown".
  // Settings rows named after Object.prototype members (accepted before the admin API checked own
  // keys only) are dropped: they never were settings.
  `
  INSERT INTO audit (at, actor, action, entity, entity_id, before, after)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'system', 'rename', 'token', id,
           json_object('name', name), json_object('name', name || ' (duplicate ' || seq || ')')
    FROM tokens WHERE seq NOT IN (SELECT min(seq) FROM tokens GROUP BY name) ORDER BY seq;
  UPDATE tokens SET name = name || ' (duplicate ' || seq || ')' WHERE seq NOT IN (SELECT min(seq) FROM tokens GROUP BY name);
  CREATE UNIQUE INDEX tokens_name ON tokens (name);

  CREATE TABLE revoked_tokens (
    hash TEXT PRIMARY KEY,
    token_id TEXT NOT NULL,
    name TEXT NOT NULL,
    revoked_at TEXT NOT NULL,
    revoked_by TEXT NOT NULL
  );

  DELETE FROM settings WHERE key IN ('__proto__', 'constructor', 'prototype', 'toString', 'toLocaleString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable');
  `,
  // 4: usage counters (issue 14), one row per node and key, summed on read. Plain SQL types so that
  // every store keeps them alike: times are epoch milliseconds, minutes epoch minutes.
  `
  CREATE TABLE usage_entries (node TEXT NOT NULL, pattern TEXT NOT NULL, hits INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, PRIMARY KEY (node, pattern));
  CREATE TABLE usage_refused (
    node TEXT NOT NULL, route TEXT NOT NULL, origin TEXT NOT NULL, count INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, example_path TEXT NOT NULL,
    PRIMARY KEY (node, route, origin)
  );
  CREATE TABLE usage_upstream (
    node TEXT NOT NULL, route TEXT NOT NULL, origin TEXT NOT NULL, decision TEXT NOT NULL, upstream_allow_origin TEXT NOT NULL,
    count INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, example_path TEXT NOT NULL,
    PRIMARY KEY (node, route, origin, decision, upstream_allow_origin)
  );
  CREATE TABLE usage_traffic (node TEXT NOT NULL, minute INTEGER NOT NULL, allowed INTEGER NOT NULL, refused INTEGER NOT NULL, would_refuse INTEGER NOT NULL, PRIMARY KEY (node, minute));
  CREATE TABLE usage_csp (
    node TEXT NOT NULL, directive TEXT NOT NULL, blocked_origin TEXT NOT NULL, page TEXT NOT NULL, count INTEGER NOT NULL, last_seen_at INTEGER NOT NULL,
    PRIMARY KEY (node, directive, blocked_origin, page)
  );
  CREATE TABLE usage_csp_intake (node TEXT PRIMARY KEY, dropped INTEGER NOT NULL, malformed INTEGER NOT NULL);
  `,
];
