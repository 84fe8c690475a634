/**
 * An upstream's redirect, seen by browsers as the gateway's: a `Location` that points at the
 * upstream's own origin (and under its base path) is rewritten to the gateway's public origin, as
 * nginx's `proxy_redirect default` does, so the upstream's address never reaches a browser and
 * the browser stays on the gateway. A relative `Location` (RFC 9110 §10.2.2 allows one; the
 * browser resolves it against the gateway's URL) and one pointing elsewhere are kept as they are.
 */
import { isSameOrigin, requestOrigin, type SelfOrigin } from './core/self-origin.js';

/** The upstream as redirects name it. */
export interface UpstreamBase {
  /** `scheme://host[:port]` of the upstream (URL's `origin`). */
  origin: string;
  scheme: string;
  /** The upstream URL's path without its trailing slash ('' for none). */
  basePath: string;
}

/** What the client addressed (captured at forward time: the gate's header scan is reused). */
export interface ClientAddress {
  scheme: string;
  host: string | undefined;
  self: SelfOrigin;
}

const ABSOLUTE = /^([a-z][a-z0-9+.-]*:)?\/\/([^/?#]*)(.*)$/is;

/** The gateway's public origin for this client: the one it addressed when listed (or derived), else the first listed. */
export function publicOriginOf(client: ClientAddress): string | null {
  const derived = requestOrigin(client.scheme, client.host);
  const listed = client.self.listed;
  if (listed === null) return derived;
  if (derived !== null && isSameOrigin(client.self, derived, client.scheme, client.host)) return derived;
  return listed.values().next().value ?? null;
}

/** The Location to send the client. */
export function rewriteLocation(value: string, upstream: UpstreamBase, client: ClientAddress): string {
  const m = ABSOLUTE.exec(value.trim());
  if (m === null) return value; // relative: resolved against the gateway's URL by the browser
  let origin: string;
  try {
    origin = new URL(`${m[1] ?? `${upstream.scheme}:`}//${m[2]}`).origin;
  } catch {
    return value;
  }
  if (origin !== upstream.origin) return value;
  let rest = m[3]!;
  if (upstream.basePath !== '') {
    if (!rest.startsWith(upstream.basePath) || !/^(?:[/?#]|$)/.test(rest.slice(upstream.basePath.length)))
      return value;
    rest = rest.slice(upstream.basePath.length);
  }
  if (rest === '' || rest[0] !== '/') rest = `/${rest}`;
  const gateway = publicOriginOf(client);
  return gateway === null ? rest : gateway + rest;
}
