/**
 * The listening connection of a PostgreSQL store: its own long-lived client (LISTEN cannot go
 * through a pool, which closes idle clients). Notifications carry the version only and are lost
 * while the connection is down (sql-listen.html: registrations end with the session), so:
 * - each connect runs LISTEN before reading the version, so nothing committed in between is missed;
 * - every half second a heartbeat on this same connection reads the version (1 s timeout), which
 *   bounds a lost notification to well under a second and detects a dead connection that sent no event;
 * - a lost connection is replaced (a pg Client cannot be reused) after a backoff of 100 ms doubling
 *   to 2 s, with jitter, for ever.
 */
import pg from 'pg';
import { NOTIFY_CHANNEL } from './pg-schema.js';

export interface ListenerEvents {
  /** Runs first on each new connection (migrations: a database may come up empty). */
  connect?(client: pg.Client): Promise<void>;
  /** The database's version as read or notified (may repeat). */
  version(version: number): void;
  /** The connection came up (true) or went down (false). */
  connected(up: boolean, error?: Error): void;
  /** Runs on the listening connection at each heartbeat before the version read (the node's own row). */
  heartbeat?(client: pg.Client): Promise<void>;
}

/** Half a second: a missed notification costs at most this plus one read, well inside the 1.5 s budget. */
const HEARTBEAT_MS = 500;
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 2000;

export class Listener {
  private client: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private backoff = BACKOFF_MIN_MS;
  private stopped = false;
  private beating = false;
  up = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly events: ListenerEvents,
  ) {}

  start(): void {
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      ...this.config,
      keepAlive: true,
      query_timeout: 1000,
      connectionTimeoutMillis: 2000,
    });
    this.client = client;
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('the listening connection ended')));
    client.on('notification', (msg) => {
      const v = Number(msg.payload);
      if (Number.isSafeInteger(v)) this.events.version(v);
    });
    try {
      await client.connect();
      await this.events.connect?.(client);
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      const v = await this.readVersion(client);
      if (this.client !== client) return;
      this.backoff = BACKOFF_MIN_MS;
      this.up = true;
      this.events.connected(true);
      this.events.version(v);
      this.timer = setInterval(() => void this.beat(client), HEARTBEAT_MS);
      this.timer.unref();
    } catch (err) {
      this.lost(client, err as Error);
    }
  }

  private async readVersion(client: pg.Client): Promise<number> {
    const { rows } = await client.query<{ version: string }>('SELECT version FROM config_state');
    return Number(rows[0]?.version ?? 0);
  }

  private async beat(client: pg.Client): Promise<void> {
    if (this.beating || this.client !== client) return;
    this.beating = true;
    try {
      await this.events.heartbeat?.(client);
      const v = await this.readVersion(client);
      if (this.client === client) this.events.version(v);
    } catch (err) {
      this.lost(client, err as Error);
    } finally {
      this.beating = false;
    }
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    client.removeAllListeners('notification');
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.up || this.backoff === BACKOFF_MIN_MS) this.events.connected(false, err);
    this.up = false;
    if (this.stopped) return;
    const delay = this.backoff / 2 + Math.random() * (this.backoff / 2);
    this.backoff = Math.min(BACKOFF_MAX_MS, this.backoff * 2);
    setTimeout(() => void this.connect(), delay).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const c = this.client;
    this.client = null;
    if (c) {
      c.on('error', () => undefined);
      await c.end().catch(() => undefined);
    }
  }
}
