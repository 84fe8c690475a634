/**
 * This gateway as a node of a fleet: what it enforces (version, checksum), whether it reaches the
 * store, the last version it refused and why. It checks each state before it is published (a row no
 * node can compile rejects the whole version; the previous one stays in force), keeps the cache of
 * the last state every worker enforces, heartbeats its row of the `nodes` table (the fleet's
 * acknowledgements) and answers /readyz, /api/nodes and `?wait=all`.
 *
 * With the SQLite store the same answers hold for the one node there is.
 */
import { createHash } from 'node:crypto';
import type { ClientBase } from 'pg';
import { Gauge, Histogram } from 'prom-client';
import { PostgresStore } from '../../store/postgres.js';
import type { Store, StoreState } from '../../store/types.js';
import { parseAllowlistEntry } from '../core/entry.js';
import type { Metrics } from '../metrics.js';
import type { ConfigCache } from './cache.js';

import type { NodeRow } from './types.js';
export type { NodeRow };

/** A node whose row was refreshed within this long is live (it heartbeats every second). */
const LIVE_MS = 3000;
/** Nodes listed by /api/nodes: seen within the last minutes. */
const LISTED_MINUTES = 10;

export class BadConfigError extends Error {
  constructor(
    readonly version: number,
    message: string,
  ) {
    super(message);
    this.name = 'BadConfigError';
  }
}

/**
 * An order-free digest of the allowlist as a multiset: per lane, the sum (mod 2^32) of each
 * pattern's hash (FNV-1a with two offset bases), and the count. A delta moves it by the patterns
 * removed and added, so a one-entry change costs one entry, and it equals the digest of the whole
 * list it leads to.
 */
export class AllowlistDigest {
  private a = 0;
  private b = 0;
  private count = 0;

  static of(patterns: readonly string[]): AllowlistDigest {
    const d = new AllowlistDigest();
    d.move(patterns, 1);
    return d;
  }

  /** Adds (`sign` 1) or removes (-1) patterns. */
  move(patterns: readonly string[], sign: 1 | -1): void {
    for (const p of patterns) {
      let h1 = 0x811c9dc5;
      let h2 = 0x050c5d1f;
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x01000193);
      }
      this.a = (this.a + sign * (h1 >>> 0)) >>> 0;
      this.b = (this.b + sign * (h2 >>> 0)) >>> 0;
    }
    this.count += sign * patterns.length;
  }

  toString(): string {
    return `${this.count}:${this.a.toString(16)}:${this.b.toString(16)}`;
  }
}

/** sha256 of what the workers enforce (the version aside): equal on every node at one version. */
export function checksumOf(
  state: StoreState,
  digest: AllowlistDigest = AllowlistDigest.of(state.allowlist),
): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([digest.toString(), state.trustedSites, state.routes, state.settings]));
  return h.digest('hex').slice(0, 16);
}

export class FleetNode {
  version = 0;
  checksum = '';
  lastError: string | null = null;
  /** Whether a configuration is in force (from the store or the cache). */
  inForce = false;
  private rejected = false;
  /** Whether a state was checked yet (the first check may tolerate invalid rows, see check). */
  private checked = false;
  /** Invalid rows found at start with nothing earlier to keep: left out of every version. */
  private readonly tolerated = new Set<string>();
  private pending = new Map<number, { state: StoreState; checksum: string }>();
  /** The allowlist digest of the last state published, which the next state's delta moves. */
  private digest: { version: number; digest: AllowlistDigest } | null = null;
  private readonly pg: PostgresStore | null;
  private readonly applyTime: Histogram;

  constructor(
    public id: string,
    private readonly store: Store,
    private readonly cache: ConfigCache | null,
    metrics: Metrics,
    private readonly log: (level: 'info' | 'warn' | 'error', message: string) => void,
  ) {
    this.pg = store instanceof PostgresStore ? store : null;
    const self = this;
    const registers = [metrics.registry];
    new Gauge({
      name: 'corsgate_config_applied_version',
      help: 'Configuration version every worker of this node enforces.',
      registers,
      collect() {
        this.set(self.version);
      },
    });
    new Gauge({
      name: 'corsgate_store_connected',
      help: '1 when this node reaches its store, 0 while it is unreachable.',
      registers,
      collect() {
        this.set(self.connected() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'corsgate_config_stale_seconds',
      help: 'Seconds since this node last reached its store (0 while connected).',
      registers,
      collect() {
        this.set(self.staleSeconds());
      },
    });
    this.applyTime = new Histogram({
      name: 'corsgate_config_commit_to_applied_seconds',
      help: "Time from a version's commit to every worker of this node enforcing it.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.pg?.setHeartbeat((client) => this.beat(client));
    this.pg?.onHealth((h) => {
      if (h.connected) this.log('info', `store ${this.store.description}: connected`);
      else
        this.log(
          'warn',
          `store ${this.store.description}: unreachable (${h.lastError}); serving version ${this.version} until it is back`,
        );
    });
  }

  connected(): boolean {
    return this.pg ? this.pg.health.connected : true;
  }

  staleSeconds(): number {
    if (!this.pg || this.pg.health.connected) return 0;
    const since = this.pg.health.lastContact || this.startedAt;
    return Math.max(0, Math.round((Date.now() - since) / 1000));
  }

  private readonly startedAt = Date.now();

  /**
   * Refuses a state with a row no worker can compile: the allowlist rows that changed (all of them
   * after a refusal or a full read). Throws BadConfigError; the caller keeps the previous state.
   */
  check(state: StoreState): void {
    const first = !this.checked;
    this.checked = true;
    let nothingToKeep: boolean | null = null; // read from the cache on the first invalid row only
    const rows = state.changedAllowlist && !this.rejected ? state.changedAllowlist : state.allowlist;
    for (const p of rows) {
      const entry = parseAllowlistEntry(p);
      if (entry.problem !== null && this.tolerated.has(p)) continue;
      if (entry.problem !== null && first && (nothingToKeep ??= !this.cache?.read())) {
        // At start with no earlier version to keep (and no cache), refusing the version would leave
        // nothing in force. The row is left out instead, which can only refuse more origins, never
        // allow one; it stays left out in later versions, and /api/nodes shows why.
        this.tolerated.add(p);
        this.lastError = `allowlist entry '${String(p).slice(0, 200)}' is invalid and left out: ${entry.problem.message}`;
        this.log('warn', this.lastError);
        continue;
      }
      if (entry.problem !== null) {
        this.rejected = true;
        this.lastError = `version ${state.version} refused: allowlist entry '${String(p).slice(0, 200)}': ${entry.problem.message}; version ${this.version} stays in force`;
        this.log('error', this.lastError);
        void this.report();
        throw new BadConfigError(state.version, this.lastError);
      }
    }
    this.rejected = false;
  }

  /** A state handed to the workers (checked); its checksum from the previous one's when the store gave a delta. */
  publishing(state: StoreState): void {
    const d = state.allowlistDelta;
    const prev = this.digest;
    let digest: AllowlistDigest;
    if (d !== undefined && prev !== null && d.from === prev.version) {
      digest = prev.digest;
      digest.move(d.removed, -1);
      digest.move(d.added, 1);
    } else digest = AllowlistDigest.of(state.allowlist);
    this.digest = { version: state.version, digest };
    this.pending.set(state.version, { state, checksum: checksumOf(state, digest) });
  }

  /** A state taken from the cache at start, before any worker enforces it. */
  seeded(state: StoreState, checksum: string): void {
    this.pending.set(state.version, { state, checksum });
  }

  /** Every worker now enforces `minVersion` (or later). */
  applied(minVersion: number): void {
    let best: { state: StoreState; checksum: string } | null = null;
    for (const [v, p] of this.pending)
      if (v <= minVersion) {
        if (!best || v > best.state.version) best = p;
        this.pending.delete(v);
      }
    if (!best || best.state.version < this.version) return;
    const first = !this.inForce;
    this.version = best.state.version;
    this.checksum = best.checksum;
    this.inForce = true;
    if (!this.rejected) this.lastError = null;
    if (best.state.committedAt && !first)
      this.applyTime.observe(Math.max(0, Date.now() - best.state.committedAt) / 1000);
    if (this.pg && this.pg.health.connected) this.cache?.save(best.state, best.checksum);
    void this.report();
  }

  private row(): unknown[] {
    return [this.id, this.version, this.checksum, this.lastError];
  }

  private static readonly UPSERT =
    "INSERT INTO nodes (id, version, checksum, last_seen_at, store, last_error) VALUES ($1, $2, $3, now(), 'connected', $4) ON CONFLICT (id) DO UPDATE SET version = excluded.version, checksum = excluded.checksum, last_seen_at = excluded.last_seen_at, store = excluded.store, last_error = excluded.last_error";

  private async beat(client: ClientBase): Promise<void> {
    if (this.id === '') return; // named once the proxy port is known
    await client.query(FleetNode.UPSERT, this.row());
  }

  /** Writes this node's row now (an applied or refused version is acknowledged at once). */
  private async report(): Promise<void> {
    if (!this.pg || !this.pg.health.connected || this.id === '') return;
    await this.pg.query(FleetNode.UPSERT, this.row()).catch(() => undefined);
  }

  self(): NodeRow {
    return {
      id: this.id,
      version: this.version,
      checksum: this.checksum,
      lastSeenAt: new Date().toISOString(),
      store: this.connected() ? 'connected' : 'unreachable',
      lastError: this.lastError,
    };
  }

  /** Nodes seen in the last minutes; this node alone on SQLite, or while PostgreSQL is unreachable. */
  async nodes(): Promise<{ items: NodeRow[]; fromCache: boolean }> {
    if (!this.pg) return { items: [this.self()], fromCache: false };
    try {
      const rows = await this.pg.query<{
        id: string;
        version: number;
        checksum: string;
        seen: Date;
        live: boolean;
        last_error: string | null;
      }>(
        `SELECT id, version, checksum, last_seen_at AS seen, last_seen_at > now() - $1 * interval '1 millisecond' AS live, last_error FROM nodes WHERE last_seen_at > now() - interval '${LISTED_MINUTES} minutes' ORDER BY id`,
        [LIVE_MS],
      );
      return {
        items: rows.map((r) => ({
          id: r.id,
          version: Number(r.version),
          checksum: r.checksum,
          lastSeenAt: new Date(r.seen).toISOString(),
          store: r.live ? 'connected' : 'unreachable',
          lastError: r.last_error,
        })),
        fromCache: false,
      };
    } catch {
      return { items: [this.self()], fromCache: true };
    }
  }

  /** The live nodes that do not enforce `version` after `timeoutMs` (empty: all do). */
  async laggards(version: number, timeoutMs: number): Promise<string[]> {
    if (!this.pg) return [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let behind: string[];
      try {
        const rows = await this.pg.query<{ id: string }>(
          `SELECT id FROM nodes WHERE last_seen_at > now() - $1 * interval '1 millisecond' AND version < $2 ORDER BY id`,
          [LIVE_MS, version],
        );
        behind = rows.map((r) => r.id);
      } catch {
        behind = ['(the store is unreachable: no node could be asked)'];
      }
      if (behind.length === 0 || Date.now() >= deadline) return behind;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The /readyz answer. */
  readiness(): { status: number; body: Record<string, unknown> } {
    const store = this.connected() ? 'connected' : 'unreachable';
    const body = {
      status: !this.inForce ? 'not-ready' : store === 'connected' ? 'ready' : 'degraded',
      version: this.version,
      store,
      staleSeconds: this.staleSeconds(),
    };
    return { status: this.inForce ? 200 : 503, body };
  }

  close(): void {
    this.cache?.close();
  }
}
