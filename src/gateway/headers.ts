/**
 * Headers on the hot path: the few request headers the gateway decides on, read from Node's
 * `req.headers`; raw header arrays (`req.rawHeaders`, the upstream's response) classified by
 * length and a case-insensitive compare (no lower-cased copies) where they are copied on.
 */

/** Header classes; 0 is an ordinary end-to-end header. */
export const H = {
  other: 0,
  host: 1,
  origin: 2,
  connection: 6,
  /** RFC 9110 §7.6.1 connection-specific fields (and `proxy-connection`): never forwarded. */
  hop: 7,
  contentLength: 8,
  transferEncoding: 9,
  expect: 10,
  xForwardedFor: 11,
  /** X-Forwarded-Host/-Proto: replaced by the gateway's own. */
  xForwarded: 12,
  /** X-Original-URL, X-Rewrite-URL: servers such as IIS and some Java frameworks route on them. */
  rewrite: 13,
  contentType: 14,
  vary: 15,
  /** Access-Control-*: the gateway is the only CORS authority. */
  cors: 16,
  /** An HTTP/2 pseudo-header (RFC 9113 §8.3): never forwarded as a field. */
  pseudo: 17,
  /** `:authority`, which stands in for Host on HTTP/2 (RFC 9113 §8.3.1). */
  authority: 18,
  /** Location: an upstream redirect, rewritten to the gateway (redirect.ts). */
  location: 19,
} as const;

/** Whether `name` equals `lower` (an ASCII lower-case constant of the same length), ignoring case. */
function eq(name: string, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const c = name.charCodeAt(i);
    if (c !== lower.charCodeAt(i) && (c | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

export function classify(name: string): number {
  if (name.charCodeAt(0) === 58 /* : */) return name === ':authority' ? H.authority : H.pseudo;
  switch (name.length) {
    case 2:
      return eq(name, 'te') ? H.hop : H.other;
    case 4:
      return eq(name, 'host') ? H.host : H.other;
    case 6:
      return eq(name, 'origin') ? H.origin : eq(name, 'expect') ? H.expect : H.other;
    case 7:
      return eq(name, 'trailer') || eq(name, 'upgrade') ? H.hop : H.other;
    case 10:
      return eq(name, 'connection') ? H.connection : eq(name, 'keep-alive') ? H.hop : H.other;
    case 12:
      return eq(name, 'content-type') ? H.contentType : H.other;
    case 13:
      return eq(name, 'x-rewrite-url') ? H.rewrite : H.other;
    case 14:
      return eq(name, 'content-length') ? H.contentLength : eq(name, 'x-original-url') ? H.rewrite : H.other;
    case 15:
      return eq(name, 'x-forwarded-for') ? H.xForwardedFor : H.other;
    case 16:
      return eq(name, 'proxy-connection') ? H.hop : eq(name, 'x-forwarded-host') ? H.xForwarded : H.other;
    case 17:
      return eq(name, 'transfer-encoding')
        ? H.transferEncoding
        : eq(name, 'x-forwarded-proto')
          ? H.xForwarded
          : H.other;
    case 18:
      return eq(name, 'proxy-authenticate') ? H.hop : H.other;
    case 19:
      return eq(name, 'proxy-authorization') ? H.hop : H.other;
    default:
      return H.other;
  }
}

/** Response-side classes: hop-by-hop, Vary, Content-Type and any Access-Control-* header. */
export function classifyResponse(name: string): number {
  if (name.length === 4 && eq(name, 'vary')) return H.vary;
  if (name.length === 8 && eq(name, 'location')) return H.location;
  if (name.length > 15 && eq(name, 'access-control-')) return H.cors;
  const c = classify(name);
  return c === H.hop || c === H.connection || c === H.transferEncoding || c === H.contentType ? c : H.other;
}

/** The request's header fields as Node gives them: names lower-case, repeated values joined. */
export type HeaderFields = Readonly<Record<string, string | string[] | undefined>>;

/** Node's own test for `Expect: 100-continue` (it decides whether 'checkContinue' fires). */
const CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i;

/**
 * The request headers the gateway reads, shaped for the engine (`get(name)`, Fetch's "get":
 * repeated values joined with ", "). They are read from Node's `req.headers`, which Node builds for
 * every HTTP/1.1 request anyway (it checks Host and Expect on it), with the same joining: a second
 * pass over `req.rawHeaders` would classify every name again. Host and Content-Length keep their
 * first value there (llhttp refuses a request whose Content-Length values differ). One instance
 * per gate, refilled for each request: the gate is synchronous up to the decision, so it is never shared.
 */
export class RequestScan {
  origin: string | null = null;
  acrm: string | null = null;
  acrh: string | null = null;
  acrpn: string | null = null;
  host: string | undefined = undefined;
  private h: HeaderFields = {};

  /** `h`: `req.headers` (on HTTP/2 with its pseudo-headers: `:authority` stands for Host, RFC 9113 §8.3.1). */
  fill(h: HeaderFields): void {
    this.h = h;
    this.origin = field(h.origin);
    this.acrm = field(h['access-control-request-method']);
    this.acrh = field(h['access-control-request-headers']);
    this.acrpn = field(h['access-control-request-private-network']);
    this.host = field(h[':authority']) ?? field(h.host) ?? undefined;
  }

  // What only forwarding or a refusal needs is read when asked (an answered preflight never asks).

  /** Connection header value, when it names more than keep-alive/close (its tokens are hop-by-hop too). */
  get connection(): string | null {
    const connection = field(this.h.connection);
    return connection === null || isPlainConnection(connection) ? null : connection;
  }

  /** The last X-Forwarded-Proto value: the one the nearest proxy wrote. */
  get xForwardedProto(): string | null {
    const proto = field(this.h['x-forwarded-proto']);
    return proto === null ? null : lastValue(proto);
  }

  get xForwardedFor(): string | null {
    return field(this.h['x-forwarded-for']);
  }

  /** The last X-Forwarded-Host value: the one the nearest proxy wrote. */
  get xForwardedHost(): string | null {
    const host = field(this.h['x-forwarded-host']);
    return host === null ? null : lastValue(host);
  }

  get expectContinue(): boolean {
    const expect = field(this.h.expect);
    return expect !== null && CONTINUE.test(expect);
  }

  get hasBody(): boolean {
    const length = this.h['content-length'];
    return (length !== undefined && length !== '0') || this.h['transfer-encoding'] !== undefined;
  }

  get(name: string): string | null {
    switch (name) {
      case 'origin':
        return this.origin;
      case 'access-control-request-method':
        return this.acrm;
      case 'access-control-request-headers':
        return this.acrh;
      case 'access-control-request-private-network':
        return this.acrpn;
      default:
        return null;
    }
  }
}

/** The last element of a comma-separated list, trimmed (a proxy that appends puts its own last). */
function lastValue(value: string): string {
  const comma = value.lastIndexOf(',');
  return (comma === -1 ? value : value.slice(comma + 1)).trim();
}

/** A field's value, its values joined as Fetch's "get" does (#concept-header-list-get) when Node kept a list, or null. */
function field(v: string | string[] | undefined): string | null {
  if (v === undefined) return null;
  return typeof v === 'string' ? v : v.join(', ');
}

/** `keep-alive` or `close`: a Connection value that names no other header. */
export function isPlainConnection(value: string): boolean {
  return (value.length === 10 && eq(value, 'keep-alive')) || (value.length === 5 && eq(value, 'close'));
}

/** The header names a Connection value lists (RFC 9110 §7.6.1), lower-case. */
export function connectionTokens(value: string): Set<string> {
  const out = new Set<string>();
  for (const t of value.split(',')) {
    const token = t.trim().toLowerCase();
    if (token !== '') out.add(token);
  }
  return out;
}

/** Where the gate listens: its scheme, and whether X-Forwarded-Proto/-Host come from a proxy it trusts. */
export interface GateEdge {
  scheme: 'http' | 'https';
  trustProxy: boolean;
}

/**
 * The scheme the client used: X-Forwarded-Proto only from a trusted proxy, and only http or https
 * (read only then: from an untrusted client it is never looked at).
 */
export function clientScheme(edge: GateEdge, headers: { readonly xForwardedProto: string | null }): string {
  if (!edge.trustProxy) return edge.scheme;
  const forwarded = headers.xForwardedProto;
  if (forwarded === null) return edge.scheme;
  const p = forwarded.toLowerCase();
  return p === 'https' || p === 'http' ? p : edge.scheme;
}

/** X-Forwarded-Host from a trusted proxy (the host the client addressed), else null: an untrusted one is never read. */
export function forwardedHost(
  edge: GateEdge,
  headers: { readonly xForwardedHost: string | null },
): string | null {
  return edge.trustProxy ? headers.xForwardedHost : null;
}

/** The host the client addressed: a trusted proxy's X-Forwarded-Host, else the request's own Host. */
export function clientHost(edge: GateEdge, scan: RequestScan): string | undefined {
  return forwardedHost(edge, scan) ?? scan.host;
}

/** X-Forwarded-For as sent upstream: the client's list, if any, with the peer's address appended. */
export function forwardedFor(scan: RequestScan, peer: string): string {
  return scan.xForwardedFor === null ? peer : `${scan.xForwardedFor}, ${peer}`;
}
