/**
 * `decideUpgrade(snapshot, request)`: the gateway's judgement of a WebSocket handshake, pure.
 *
 * Browsers send `Origin` on a WebSocket handshake (RFC 6455 §4.1, item 8; Fetch "establish a
 * WebSocket connection") but apply no CORS check to the answer: whatever the server accepts, the
 * page gets, with the user's cookies. A CORS allowlist protects a WebSocket endpoint only if the
 * server refuses the handshake itself (RFC 6455 §10.2), so the gateway decides it with the same
 * route and regime as any request (`decide`): an allowed origin is forwarded, a refused one (or a
 * closed route) is refused before the upstream sees it, and a handshake without `Origin` (not a
 * browser) passes, as plain requests do. A route with `websocket: false` refuses every handshake.
 */
import { decide, type Forward, type GateRequest, type Refusal } from './decide.js';
import type { DecideSnapshot } from './decide.js';

export type UpgradeOutcome = Forward | Refusal;

/** The refusal of a handshake on a `websocket: false` route (stable code, see docs/gateway.md). */
export const WEBSOCKET_REFUSED = 'websocket-refused';
/** An Upgrade to anything but `websocket` (e.g. h2c, a request-smuggling vector through proxies). */
export const UPGRADE_UNSUPPORTED = 'upgrade-unsupported';

/** `websocket`: the Upgrade field names the WebSocket protocol (RFC 6455 §4.2.1, item 3; case-insensitive). */
export function decideUpgrade(snap: DecideSnapshot, req: GateRequest, websocket: boolean): UpgradeOutcome {
  const outcome = decide(snap, req);
  const origin = outcome.origin;
  if (!websocket || req.method !== 'GET')
    return refusal(
      outcome,
      origin,
      400,
      UPGRADE_UNSUPPORTED,
      'this gateway forwards only WebSocket upgrades (GET with Upgrade: websocket)',
    );
  if (outcome.kind === 'refuse') return outcome;
  if (outcome.kind === 'answer')
    return refusal(outcome, origin, 400, UPGRADE_UNSUPPORTED, 'this request cannot be a WebSocket handshake');
  if (!outcome.route.websocket)
    return refusal(
      outcome,
      origin,
      snap.refusedStatus,
      WEBSOCKET_REFUSED,
      `WebSocket connections are not allowed here (route '${outcome.route.id}' sets websocket: false)`,
    );
  return outcome;
}

function refusal(
  from: { route: Forward['route'] },
  origin: string | null,
  status: number,
  code: string,
  message: string,
): Refusal {
  return {
    kind: 'refuse',
    route: from.route,
    decision: 'refused',
    reason: code,
    preflight: false,
    origin,
    status,
    code,
    message,
    vary: 'Origin',
  };
}
