/**
 * The messages between the primary process (store, admin listener) and the proxy workers. A state
 * travels in slices (`state-begin`, `state-chunk`…, `state-end`), each chunk sent only when the
 * worker asks for it (`more`, once it has compiled the previous one): neither side ever serialises
 * or parses a million entries in one go, and a worker never holds more than one chunk it has not
 * compiled (so the garbage collector never has a million young strings to copy). A newer version
 * abandons an older one.
 */
import type { Route, Settings, TrustedSite, UsageBatch } from '../store/types.js';
import type { SnapshotInfo } from './snapshot.js';
import type { AllowlistOverrides } from './engine.js';
import type { GatewayConfig } from './config.js';
import type { ListenerLimits } from './listener.js';

export const CHUNK = 2_000;

export type ToWorker =
  | { t: 'state-begin'; version: number; routes: Route[]; settings: Settings; trustedSites: TrustedSite[]; count: number; overrides: AllowlistOverrides }
  | { t: 'state-chunk'; version: number; items: string[] }
  | { t: 'state-end'; version: number }
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
