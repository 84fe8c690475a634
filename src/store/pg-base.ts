/**
 * The PostgreSQL store's connection handling: a small pool for reads and writes, the listening
 * connection (pg-listen.ts), the one-transaction write helper and the consistent snapshot read.
 * The entity methods are in postgres.ts.
 */
import pg from 'pg';
import { Listener } from './pg-listen.js';
import { migrate } from './pg-schema.js';
import {
  AllowlistMirror,
  insertAudits,
  isUnavailable,
  json,
  mapWriteError,
  settingsOf,
  unavailable,
  type StoreHealth,
} from './pg-rows.js';
import { rowToRoute, rowToSite, type Row } from './sqlite-rows.js';
import { StoreError, type AuditEntry, type StoreState } from './types.js';

/** int8 (bigserial ids, versions) as numbers: they stay far below 2^53. */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** Past this many versions behind, a node reads the whole allowlist rather than the change log. */
const DELTA_MAX_VERSIONS = 500;
/** Past this many changed rows, reading the whole allowlist is cheaper than looking each one up. */
const DELTA_MAX_ROWS = 20_000;
/** Change-log rows older than this many versions are trimmed (a node that far behind reads everything). */
const CHANGE_LOG_KEEP = 2000;

export type Audit = (a: Omit<AuditEntry, 'id' | 'at' | 'actor'>) => void;
export interface Tx {
  q<R extends Row = Row>(sql: string, params?: unknown[]): Promise<R[]>;
  audit: Audit;
  at: string;
  version: number;
}

export class PgBase {
  readonly description: string;
  protected pool: pg.Pool;
  protected listener: Listener;
  protected locked = false;
  private listeners = new Set<(version: number) => void>();
  private statusListeners = new Set<(h: StoreHealth) => void>();
  private lastSeen = -1;
  private mirror: AllowlistMirror | null = null;
  private loading: Promise<unknown> = Promise.resolve();
  private heartbeatHook: ((client: pg.ClientBase) => Promise<void>) | null = null;
  readonly health: StoreHealth = { connected: false, lastContact: 0, lastError: null };

  constructor(url: string) {
    const u = new URL(url);
    if (u.password) u.password = '***';
    this.description = u.href;
    const config: pg.ClientConfig = { connectionString: url, types: TYPES, application_name: 'corsgate' };
    this.pool = new pg.Pool({
      ...config,
      max: 4,
      connectionTimeoutMillis: 2000,
      idleTimeoutMillis: 10_000,
      query_timeout: 15_000,
    });
    this.pool.on('error', () => undefined); // an idle client lost: the next checkout connects anew
    this.listener = new Listener(
      { ...config, application_name: 'corsgate-listen' },
      {
        connect: (client) => migrate(client).then(() => undefined),
        version: (v) => {
          this.health.lastContact = Date.now();
          if (v !== this.lastSeen) this.emit(v);
        },
        connected: (up, err) => {
          this.health.connected = up;
          // Every reconnect re-reads: the version is emitted again, and the allowlist read whole.
          if (up) {
            this.health.lastContact = Date.now();
            this.lastSeen = -1;
            this.mirror = null;
          }
          this.health.lastError = up ? null : (err?.message ?? 'disconnected');
          for (const l of this.statusListeners) l(this.health);
        },
        heartbeat: (client) => (this.heartbeatHook ? this.heartbeatHook(client) : Promise.resolve()),
      },
    );
  }

  /**
   * Migrates (refusing a newer schema) and starts listening. When PostgreSQL cannot be reached the
   * store starts anyway, unreachable, and connects by itself later: the gateway decides whether it
   * can serve (from its cache) meanwhile.
   */
  async init(): Promise<void> {
    try {
      const client = await this.pool.connect();
      try {
        await migrate(client);
      } finally {
        client.release();
      }
      this.health.connected = true;
      this.health.lastContact = Date.now();
    } catch (err) {
      if (!isUnavailable(err)) {
        await this.pool.end().catch(() => undefined);
        throw err;
      }
      this.health.lastError = (err as Error).message;
    }
    this.listener.start();
  }

  get readOnly(): boolean {
    return this.locked;
  }

  lock(): void {
    this.locked = true;
  }

  onChange(listener: (version: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onHealth(listener: (h: StoreHealth) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** A query run on the listening connection each second (the gateway's node row). */
  setHeartbeat(hook: (client: pg.ClientBase) => Promise<void>): void {
    this.heartbeatHook = hook;
  }

  private emit(version: number): void {
    this.lastSeen = version;
    for (const l of this.listeners) l(version);
  }

  /** A pooled connection; an unreachable server becomes StoreError('store-unavailable'). */
  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      throw unavailable((err as Error).message);
    }
  }

  /** A read outside any write; an unreachable server becomes StoreError('store-unavailable'). */
  protected async read<R extends Row = Row>(sql: string, params: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (err) {
      throw isUnavailable(err) ? unavailable((err as Error).message) : err;
    }
  }

  /** A read of the gateway's own (the fleet's node rows), outside any write. */
  query<R extends Row = Row>(sql: string, params: unknown[] = []): Promise<R[]> {
    return this.read<R>(sql, params);
  }

  async version(): Promise<number> {
    const rows = await this.read<{ version: number }>('SELECT version FROM config_state');
    return Number(rows[0]?.version ?? 0);
  }

  /**
   * One transaction: the version bump first (its row lock serialises writers, so versions follow
   * commit order without gaps), then the change and its audit rows; COMMIT delivers the NOTIFY.
   */
  protected async change<T>(
    fn: (tx: Tx) => Promise<T>,
    actor: string,
    uniques: Record<string, [string, string]> = {},
    force = false,
  ): Promise<T> {
    if (this.locked && !force)
      throw new StoreError(
        'read-only',
        'the gateway runs from a policy file (--policy): admin writes are disabled',
      );
    const client = await this.connect();
    const at = new Date().toISOString();
    const audits: unknown[][] = [];
    try {
      await client.query('BEGIN');
      const version = Number((await client.query<{ v: number }>('SELECT corsgate_bump() AS v')).rows[0]!.v);
      const tx: Tx = {
        q: async (sql, params) => (await client.query(sql, params)).rows,
        audit: (a) => audits.push([at, actor, a.action, a.entity, a.entityId, json(a.before), json(a.after)]),
        at,
        version,
      };
      const out = await fn(tx);
      if (audits.length) await insertAudits(client, audits);
      if (version % 100 === 0)
        await client.query('DELETE FROM config_changes WHERE version < $1', [version - CHANGE_LOG_KEEP]);
      // The commit's time as nearly as SQL can tell it (now() is the transaction's start): nodes measure commit → applied from it.
      await client.query('UPDATE config_state SET committed_at = clock_timestamp()');
      await client.query('COMMIT');
      client.release();
      if (version > this.lastSeen) this.emit(version);
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(isUnavailable(err));
      throw mapWriteError(err, uniques);
    }
  }

  /** A transaction that changes no configuration (no version bump, no NOTIFY): the usage counters. */
  protected async plain(fn: (q: Tx['q']) => Promise<void>): Promise<void> {
    const client = await this.connect();
    try {
      await client.query('BEGIN');
      await fn(async (sql, params) => (await client.query(sql, params)).rows);
      await client.query('COMMIT');
      client.release();
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(isUnavailable(err));
      throw mapWriteError(err);
    }
  }

  async appendAudit(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<void> {
    try {
      await this.pool.query(
        'INSERT INTO audit (at, actor, action, entity, entity_id, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [
          new Date().toISOString(),
          entry.actor,
          entry.action,
          entry.entity,
          entry.entityId,
          json(entry.before),
          json(entry.after),
        ],
      );
    } catch (err) {
      throw mapWriteError(err);
    }
  }

  /** One consistent snapshot (REPEATABLE READ, read only); loads run one at a time. */
  loadState(): Promise<StoreState> {
    const next = this.loading.then(() => this.loadOnce());
    this.loading = next.catch(() => undefined);
    return next;
  }

  private async loadOnce(): Promise<StoreState> {
    const client = await this.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const q = async <R extends Row>(sql: string, p: unknown[] = []) => (await client.query<R>(sql, p)).rows;
      const [state] = await q<{ version: number; at: number }>(
        'SELECT version, (extract(epoch FROM committed_at) * 1000)::float8 AS at FROM config_state',
      );
      const version = Number(state!.version);
      const { allowlist, changed, delta } = await this.readAllowlist(q, version);
      const trustedSites = (await q('SELECT * FROM trusted_sites ORDER BY seq')).map(rowToSite);
      const routes = (await q('SELECT * FROM routes ORDER BY seq')).map(rowToRoute);
      const settings = settingsOf(await q('SELECT key, value FROM settings'));
      await client.query('COMMIT');
      client.release();
      return {
        version,
        allowlist,
        trustedSites,
        routes,
        settings,
        committedAt: Number(state!.at),
        ...(changed ? { changedAllowlist: changed } : {}),
        ...(delta ? { allowlistDelta: delta } : {}),
      };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(isUnavailable(err));
      throw isUnavailable(err) ? unavailable((err as Error).message) : err;
    }
  }

  /** The allowlist at `version`: from the change log when this node's mirror is close behind, else whole. */
  private async readAllowlist(
    q: <R extends Row>(sql: string, p?: unknown[]) => Promise<R[]>,
    version: number,
  ): Promise<{ allowlist: string[]; changed?: string[]; delta?: StoreState['allowlistDelta'] }> {
    const m = this.mirror;
    if (m && m.version <= version && version - m.version <= DELTA_MAX_VERSIONS) {
      const from = m.version;
      if (from === version)
        return { allowlist: m.patterns(), changed: [], delta: { from, removed: [], added: [] } };
      const ids = (
        await q<{ entity_id: string }>(
          "SELECT DISTINCT entity_id FROM config_changes WHERE entity = 'allowlist' AND version > $1 AND version <= $2",
          [m.version, version],
        )
      ).map((r) => r.entity_id);
      if (ids.length > DELTA_MAX_ROWS) return this.readWholeAllowlist(q, version);
      const rows = ids.length
        ? await q<{ id: string; url_pattern: string; seq: number }>(
            'SELECT id, url_pattern, seq FROM allowlist WHERE id = ANY($1)',
            [ids],
          )
        : [];
      const { changed, removed, added } = m.apply(
        version,
        ids,
        new Map(rows.map((r) => [r.id, { pattern: r.url_pattern, seq: Number(r.seq) }])),
      );
      return { allowlist: m.patterns(), changed, delta: { from, removed, added } };
    }
    return this.readWholeAllowlist(q, version);
  }

  private async readWholeAllowlist(
    q: <R extends Row>(sql: string, p?: unknown[]) => Promise<R[]>,
    version: number,
  ): Promise<{ allowlist: string[] }> {
    const rows = await q<{ id: string; url_pattern: string }>(
      'SELECT id, url_pattern FROM allowlist ORDER BY seq',
    );
    this.mirror = new AllowlistMirror(version, new Map(rows.map((r) => [r.id, r.url_pattern])));
    return { allowlist: rows.map((r) => r.url_pattern) };
  }

  /** Forget the mirror: the next load reads everything (after a reconnect, where a gap is possible). */
  resync(): void {
    this.mirror = null;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.listener.stop();
    await this.pool.end().catch(() => undefined);
  }
}
