/**
 * The admin API's fleet parts: `GET /api/nodes`, and `?wait=all` on a write, which answers as usual
 * once every live node enforces the change, or 202 naming the nodes that do not after 2 s.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FleetNode } from '../fleet/node.js';
import { requestUrl } from './context.js';
import { ApiError, sendJson } from './http.js';

/** How long `?wait=all` waits for the other nodes before answering 202. */
export const WAIT_ALL_MS = 2000;

export class NotAppliedEverywhere extends Error {
  constructor(
    readonly version: number,
    readonly laggards: string[],
  ) {
    super(
      `the change is saved (version ${version}) and in force on this node, but not yet on ${laggards.join(', ')} after ${WAIT_ALL_MS / 1000} s`,
    );
    this.name = 'NotAppliedEverywhere';
  }
}

/** `?wait=all`, `?wait=` (none) or another value (refused). */
export function wantsWaitAll(req: IncomingMessage): boolean {
  const url = requestUrl(req);
  const wait = url.searchParams.get('wait');
  if (wait === null) return false;
  if (wait !== 'all')
    throw new ApiError(
      400,
      'query-invalid',
      "?wait must be 'all' (answer once every live node enforces the change)",
      'wait',
    );
  return true;
}

/** The sync of a write made with `?wait=all`: this node's workers first, then every live node. */
export function syncAll(
  sync: () => Promise<void>,
  fleet: FleetNode,
  version: () => Promise<number>,
): () => Promise<void> {
  return async () => {
    await sync();
    const v = await version();
    const behind = await fleet.laggards(v, WAIT_ALL_MS);
    if (behind.length) throw new NotAppliedEverywhere(v, behind);
  };
}

export function sendNotApplied(res: ServerResponse, err: NotAppliedEverywhere): void {
  sendJson(res, 202, {
    status: 'pending',
    version: err.version,
    laggards: err.laggards,
    message: err.message,
  });
}

export async function listNodes(fleet: FleetNode, res: ServerResponse): Promise<void> {
  const { items, fromCache } = await fleet.nodes();
  if (fromCache) res.setHeader('x-corsgate-stale', 'store-unreachable');
  sendJson(res, 200, {
    items,
    ...(fromCache
      ? { stale: true, message: 'the store is unreachable: only this node is listed, as it knows itself' }
      : {}),
  });
}
