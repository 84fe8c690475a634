/**
 * A fleet node's first configuration: from the store when it answers; from the node's cache when
 * the store is unreachable (or holds a version this node refuses); otherwise an empty one that is
 * not "in force" (/readyz answers 503) until the store comes back.
 */
import { hostname } from 'node:os';
import { DEFAULT_SETTINGS, StoreError, type StoreState } from '../../store/types.js';
import type { SnapshotPipeline } from '../pipeline.js';
import type { ConfigCache } from './cache.js';
import { BadConfigError, type FleetNode } from './node.js';

export function defaultNodeId(proxyPort: number): string {
  return `${hostname()}:${proxyPort}`;
}

export async function firstState(
  pipeline: SnapshotPipeline,
  node: FleetNode,
  cache: ConfigCache | null,
  log: (message: string) => void,
): Promise<StoreState> {
  try {
    return await pipeline.first();
  } catch (err) {
    const unreachable = err instanceof StoreError && err.code === 'store-unavailable';
    if (!unreachable && !(err instanceof BadConfigError)) throw err;
    const cached = cache?.read() ?? null;
    if (cached) {
      log(
        `${(err as Error).message}: serving the cached configuration (version ${cached.state.version}, saved ${new Date(cached.savedAt).toISOString()}) from ${cache!.path}`,
      );
      node.seeded(cached.state, cached.checksum);
      pipeline.seed(cached.state.version);
      return cached.state;
    }
    log(
      `${(err as Error).message}: no cached configuration${cache ? ` in ${cache.path}` : ''}; not ready until the store answers`,
    );
    // Nothing published yet: the first state the store gives is sent whatever its version.
    pipeline.seed(-1);
    return { version: 0, allowlist: [], trustedSites: [], routes: [], settings: { ...DEFAULT_SETTINGS } };
  }
}
