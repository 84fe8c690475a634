/**
 * The request headers a proxied request carries upstream, copied from the raw header array in its
 * order and spelling (RFC 9110 §7.6.1: hop-by-hop fields and those the Connection field lists are
 * not forwarded; the X-Forwarded-* fields are the gateway's own).
 */
import type { IncomingMessage } from 'node:http';
import {
  classify,
  clientHost,
  clientScheme,
  connectionTokens,
  forwardedFor,
  H,
  type GateEdge,
  type RequestScan,
} from './headers.js';

/** The request headers as sent upstream: hop-by-hop, rewrite and forwarding headers replaced. */
export function requestHeaders(req: IncomingMessage, scan: RequestScan, edge: GateEdge): string[] {
  const raw = req.rawHeaders;
  const dropped = scan.connection === null ? null : connectionTokens(scan.connection);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    switch (classify(name)) {
      case H.other:
      case H.origin:
      case H.contentLength:
      case H.contentType:
        if (dropped === null || !dropped.has(name.toLowerCase())) out.push(name, raw[i + 1]!);
        break;
      // host and h2's pseudo-headers (undici sets the upstream's), connection and hop-by-hop, transfer-encoding (undici
      // frames the body itself), expect (answered here), X-Forwarded-* (replaced below) and the
      // rewrite headers X-Original-URL / X-Rewrite-URL are never forwarded.
    }
  }
  const ip = req.socket.remoteAddress ?? '';
  // From a trusted proxy, the scheme and host the client used pass on; otherwise the gateway's own.
  out.push('X-Forwarded-For', forwardedFor(scan, ip), 'X-Forwarded-Proto', clientScheme(edge, scan));
  const host = clientHost(edge, scan);
  if (host !== undefined) out.push('X-Forwarded-Host', host);
  return out;
}
