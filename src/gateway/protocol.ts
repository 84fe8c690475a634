/**
 * The messages between the primary process (store, admin listener) and the proxy workers. The
 * primary checks a state's allowlist once (at a lower CPU priority, for every worker) and packs
 * its exact origins into the typed arrays of an OriginTable; the state then travels in slices
 * (`state-begin`, `state-bytes`… of those arrays, `state-chunk`… of the few other patterns,
 * `state-end`), each sent only when the worker asks for it (`more`, once it has applied the previous
 * one). A worker's share of a million-entry change is a few dozen memory copies between requests:
 * it never checks, hashes or parses a million strings on the thread that serves the proxy.
 * Messages use node's "advanced" serialization (typed arrays travel as bytes). A newer version
 * abandons an older one. A state that changes only a few exact origins travels as one `state-delta`
 * instead (pack.ts), applied by the worker to a copy of its own table.
 */
import type { Route, Settings, TrustedSite, UsageBatch } from '../store/types.js';
import type { SnapshotInfo } from './snapshot.js';
import type { AllowlistOverrides } from './engine.js';
import type { GatewayConfig } from './config.js';
import type { ListenerLimits } from './listener.js';

/** Patterns per `state-chunk`. */
export const CHUNK = 2_000;
/** Bytes per `state-bytes` message: a copy of a few hundred microseconds for the worker. */
export const BYTES_CHUNK = 1 << 20;

/** The typed arrays of a packed OriginTable, by name. */
export type TableField = 'arena' | 'offsets' | 'lengths' | 'hashes';

export type ToWorker =
  | {
      t: 'state-begin';
      version: number;
      routes: Route[];
      settings: Settings;
      trustedSites: TrustedSite[];
      /** The policy file's engine options that are no settings (pool.setOverrides). */
      overrides: AllowlistOverrides;
      /** The exact origins' table: entries, slots, arena bytes. */
      table: { size: number; capacity: number; arenaBytes: number };
      /** The primary's warnings about entries it dropped. */
      warnings: string[];
    }
  | { t: 'state-bytes'; version: number; field: TableField; at: number; bytes: Uint8Array }
  | { t: 'state-chunk'; version: number; items: string[] }
  | { t: 'state-end'; version: number }
  /**
   * A state as a change of the one the worker holds (`from`): the routes, settings and trusted sites
   * whole (small), the primary's warnings, the exact-origin table's removals and additions and its
   * new size; the other patterns (wildcards…) are those of `from`. A worker that does not hold
   * `from` answers `resync`.
   */
  | {
      t: 'state-delta';
      version: number;
      from: number;
      routes: Route[];
      settings: Settings;
      trustedSites: TrustedSite[];
      overrides: AllowlistOverrides;
      warnings: string[];
      size: number;
      del: string[];
      add: string[];
    }
  | { t: 'metrics'; id: number }
  /** The primary got SIGHUP: run the worker's own reloaders (signals.ts). */
  | { t: 'reload' }
  /** DELETE /api/usage: forget the counts gathered since the last batch. */
  | { t: 'usage-reset' }
  | { t: 'shutdown' };

export type FromWorker =
  /** The worker listens for messages: states sent before this would be lost. */
  | { t: 'ready' }
  | { t: 'listening'; port: number }
  /** Send the next chunk of this version. */
  | { t: 'more'; version: number }
  | { t: 'published'; version: number; info: SnapshotInfo }
  | { t: 'compile-failed'; version: number; message: string }
  /** A `state-delta` for a version this worker does not hold: send the whole state. */
  | { t: 'resync'; version: number }
  | { t: 'metrics'; id: number; data: unknown }
  /** The usage counters gathered since the last batch (every usageFlushMs, and at shutdown). */
  | { t: 'usage'; batch: UsageBatch };

/** What a worker is started with (JSON in the CORSGATE_WORKER environment variable). */
export type WorkerConfig = Pick<
  GatewayConfig,
  | 'host'
  | 'port'
  | 'timeoutMs'
  | 'connectTimeoutMs'
  | 'logLevel'
  | 'accessLog'
  | 'maxInFlight'
  | 'tlsCert'
  | 'tlsKey'
  | 'upstreamCa'
  | 'upstreamInsecure'
  | 'websocketHandshakeTimeoutMs'
  | 'websocketIdleTimeoutMs'
  | 'trustProxy'
  | 'usageFlushMs'
  | 'usageTopN'
  | 'cspReportPath'
  | keyof ListenerLimits
> & {
  /** The upstream's URL (the demo API's, when none was configured). */
  upstream: string;
  overrides: AllowlistOverrides;
};
