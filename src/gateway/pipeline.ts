/**
 * The snapshot pipeline, the seam between any Store and the proxy workers:
 *
 *   store.onChange → store.loadState() → targets.publish(state) → each worker compiles and
 *   acknowledges → whenPublished(version) resolves once every worker enforces that version.
 *
 * Changes arriving while a state is being loaded are coalesced into one more load. Nothing here
 * knows which Store it reads (SQLite today, PostgreSQL next) or how the workers compile.
 */
import type { Store, StoreState } from '../store/types.js';
import type { SnapshotInfo } from './snapshot.js';

export interface PublishTargets {
  publish(state: StoreState): void;
  /** The lowest snapshot version every target enforces. */
  minVersion(): number;
}

/** What a fleet node does around publishing (fleet/node.ts); absent hooks do nothing. */
export interface PipelineHooks {
  /** Throws to refuse a state whole: the previous one stays in force. */
  check?(state: StoreState): void;
  publishing?(state: StoreState): void;
}

export class SnapshotNotPublished extends Error {
  constructor(
    readonly version: number,
    reason: string,
  ) {
    super(reason);
    this.name = 'SnapshotNotPublished';
  }
}

interface Waiter {
  version: number;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class SnapshotPipeline {
  private loading = false;
  private again = false;
  private lastSent = 0;
  private waiters: Waiter[] = [];
  private unsubscribe: (() => void) | null = null;
  /** What the admin API shows: the newest snapshot some worker published. */
  info: SnapshotInfo | null = null;

  constructor(
    private readonly store: Store,
    private readonly targets: PublishTargets,
    private readonly log: (level: 'warn' | 'error', message: string) => void,
    private readonly hooks: PipelineHooks = {},
  ) {}

  /** Loads the first state (the caller hands it to the workers it starts). */
  async first(): Promise<StoreState> {
    const state = await this.store.loadState();
    this.hooks.check?.(state);
    this.hooks.publishing?.(state);
    this.lastSent = state.version;
    return state;
  }

  /** The workers start from a state that did not come from the store (a fleet node's cache). */
  seed(version: number): void {
    this.lastSent = version;
  }

  start(): void {
    this.unsubscribe = this.store.onChange(() => void this.reload());
  }

  private async reload(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return;
    }
    this.loading = true;
    try {
      do {
        this.again = false;
        const state = await this.store.loadState();
        if (state.version !== this.lastSent) {
          this.hooks.check?.(state);
          this.lastSent = state.version;
          this.targets.publish(state);
          // After the send: the workers compile while this process does its bookkeeping (acks arrive later).
          this.hooks.publishing?.(state);
        }
      } while (this.again);
    } catch (err) {
      // A refused version (a fleet node's check) fails whoever waits for it at once.
      const refused = (err as { version?: unknown }).version;
      if (typeof refused === 'number') this.failed(refused, (err as Error).message);
      this.log(
        'error',
        `the policy could not be loaded; the previous one stays in force: ${(err as Error).message}`,
      );
    } finally {
      this.loading = false;
    }
  }

  /** A worker published `version` (called by the worker pool). */
  published(version: number, info: SnapshotInfo): void {
    if (this.info === null || version >= this.info.version) this.info = info;
    const min = this.targets.minVersion();
    this.waiters = this.waiters.filter((w) => {
      if (w.version > min) return true;
      clearTimeout(w.timer);
      w.resolve();
      return false;
    });
  }

  /** A worker could not compile `version`: whoever waits for it (or an older one) is told at once. */
  failed(version: number, message: string): void {
    this.waiters = this.waiters.filter((w) => {
      if (w.version > version) return true;
      clearTimeout(w.timer);
      w.reject(
        new SnapshotNotPublished(
          version,
          `the change was saved, but its policy could not be compiled (${message}); the previous policy stays in force`,
        ),
      );
      return false;
    });
  }

  /** Resolves once every worker enforces `version` or later; rejects after `timeoutMs`. */
  whenPublished(version: number, timeoutMs: number): Promise<void> {
    if (this.targets.minVersion() >= version) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new SnapshotNotPublished(
            version,
            `the change was saved (version ${version}), but the gateway did not put it in force within ${timeoutMs} ms; it applies once the policy has compiled`,
          ),
        );
      }, timeoutMs);
      const waiter: Waiter = { version, resolve, reject, timer };
      this.waiters.push(waiter);
      if (this.lastSent < version && !this.loading) void this.reload(); // the change notification has not arrived yet
    });
  }

  stop(): void {
    this.unsubscribe?.();
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new SnapshotNotPublished(w.version, 'the gateway is shutting down'));
    }
    this.waiters = [];
  }
}
