/**
 * The messages between the primary process (store, admin listener) and the proxy workers. A state
 * travels in slices (`state-begin`, `state-chunk`…, `state-end`) so that neither side ever
 * serialises or parses a million entries in one go; a newer version abandons an older one.
 */
import type { Route, Settings, TrustedSite } from '../store/types.js';
import type { SnapshotInfo } from './snapshot.js';
import type { AllowlistOverrides } from './engine.js';

export const CHUNK = 5_000;

export type ToWorker =
  | { t: 'state-begin'; version: number; routes: Route[]; settings: Settings; trustedSites: TrustedSite[]; count: number }
  | { t: 'state-chunk'; version: number; items: string[] }
  | { t: 'state-end'; version: number }
  | { t: 'metrics'; id: number }
  | { t: 'shutdown' };

export type FromWorker =
  /** The worker listens for messages: states sent before this would be lost. */
  | { t: 'ready' }
  | { t: 'listening'; port: number }
  | { t: 'published'; version: number; info: SnapshotInfo }
  | { t: 'compile-failed'; version: number; message: string }
  | { t: 'metrics'; id: number; data: unknown };

/** What a worker is started with (JSON in the CORSGATE_WORKER environment variable). */
export interface WorkerConfig {
  upstream: string;
  host: string;
  port: number;
  timeoutMs: number;
  connectTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  accessLog: boolean;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxHeaderSize: number;
  maxHeaders: number;
  maxConnections: number;
  maxInFlight: number;
  overrides: AllowlistOverrides;
}
