/**
 * Forwarding to the upstream at the Node floor: undici's `Pool.dispatch()` with a handler that
 * writes the upstream's answer straight into the ServerResponse. Request and response bodies
 * stream with backpressure both ways (undici pauses the request stream; a full response buffer
 * pauses the upstream until `drain`); X-Forwarded-* are set, hop-by-hop fields (RFC 9110 §7.6.1)
 * and the upstream's own CORS headers removed; an abort on either side ends the other; a timeout
 * answers 504 and an unreachable upstream 502, both carrying the request's CORS headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mergeVary } from 'corsgate/internal/adapters/shared.js';
import type { Forward } from './core/decide.js';
import { DERIVED_SELF, type SelfOrigin } from './core/self-origin.js';
import { rewriteLocation, type ClientAddress } from './redirect.js';
import {
  classifyResponse,
  clientHost,
  clientScheme,
  connectionTokens,
  H,
  isPlainConnection,
  type GateEdge,
  type RequestScan,
} from './headers.js';
import type { Upstream, UpstreamLookup } from './upstreams.js';
import { requestHeaders } from './request-headers.js';

/** What the forwarder reports (metrics and the access log); `status` 0 means the client went away. */
export interface ProxyObserver {
  upstreamError(kind: 'timeout' | 'unreachable' | 'body' | 'busy', detail: string, upstream: Upstream): void;
  finished(req: IncomingMessage, outcome: Forward, status: number, upstreamMs: number, bytes: number): void;
  /** Report-only: the upstream's own Access-Control-Allow-Origin (null: none) for this outcome. */
  upstreamCors(outcome: Forward, allowOrigin: string | null): void;
}

/** The gateway's own answers about the upstream: JSON, no internal address (that goes to the log). */
const ERRORS = {
  timeout: {
    status: 504,
    body: JSON.stringify({
      error: { code: 'upstream-timeout', message: 'the upstream did not answer in time' },
    }),
  },
  unreachable: {
    status: 502,
    body: JSON.stringify({
      error: { code: 'upstream-unreachable', message: 'the upstream could not be reached' },
    }),
  },
  busy: {
    status: 503,
    body: JSON.stringify({
      error: {
        code: 'upstream-busy',
        message: 'too many requests are in flight to the upstream; retry shortly',
      },
    }),
  },
} as const;

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const kExchange = Symbol('corsgate.exchange');

type Res = ServerResponse & { [kExchange]?: Exchange };

/** Writes the gateway's own error answer with the request's CORS headers (as adapters do for a framework's 500). */
function sendError(res: ServerResponse, outcome: Forward, kind: keyof typeof ERRORS): number {
  const e = ERRORS[kind];
  if (res.headersSent) {
    res.destroy();
    return 0;
  }
  const headers: string[] = [
    'Content-Type',
    'application/json; charset=utf-8',
    'Content-Length',
    String(Buffer.byteLength(e.body)),
    'Cache-Control',
    'no-store',
  ];
  if (outcome.vary !== '') headers.push('Vary', outcome.vary);
  pushCors(headers, outcome);
  if (kind === 'busy') headers.push('Retry-After', '1');
  res.writeHead(e.status, headers);
  res.end(e.body);
  return e.status;
}

function pushCors(out: string[], outcome: Forward): void {
  const cors = outcome.headers;
  for (const name in cors) if (name !== 'Vary') out.push(name, cors[name]!);
}

function isHtml(value: string): boolean {
  return (
    value.length >= 9 &&
    (value.charCodeAt(0) | 0x20) === 116 /* t */ &&
    value.slice(0, 9).toLowerCase() === 'text/html'
  );
}

/** Report-only: the upstream's Access-Control-Allow-Origin seen by the last `responseHeaders` call. */
let upstreamAllowOrigin: string | null = null;

/** The upstream's response headers as sent to the client: filtered, CORS and CSP added. */
function responseHeaders(raw: Buffer[], outcome: Forward, exchange: Exchange): string[] {
  const out: string[] = [];
  let vary = false;
  let html = false;
  let listed: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    const value = raw[i + 1]!.toString('latin1');
    switch (classifyResponse(name)) {
      case H.other:
        out.push(name, value);
        break;
      case H.contentType:
        html = isHtml(value);
        out.push(name, value);
        break;
      case H.location:
        out.push(name, exchange.location(value));
        break;
      case H.vary:
        vary = true;
        out.push(name, outcome.reportOnly ? value : mergeVary(value, outcome.vary));
        break;
      case H.cors:
        // Report-only leaves the upstream's CORS answer untouched (and notes what it granted).
        if (outcome.reportOnly) {
          out.push(name, value);
          if (name.length === 27 && name.toLowerCase() === 'access-control-allow-origin')
            upstreamAllowOrigin = value;
        }
        break;
      case H.connection:
        if (!isPlainConnection(value)) listed = listed === null ? value : `${listed}, ${value}`;
        break;
      // hop-by-hop, transfer-encoding and the upstream's CORS headers are dropped
    }
  }
  if (listed !== null) dropListed(out, connectionTokens(listed));
  if (!vary && outcome.vary !== '') out.push('Vary', outcome.vary);
  pushCors(out, outcome);
  // An upstream's own CSP is kept next to the trusted-sites one: a browser enforces every policy it
  // receives (CSP Level 3 §4.1), so the gateway can never weaken it.
  const headers = outcome.route.cspHeaders;
  if (html && headers !== null) {
    // The scheme the client used: the listener's, or X-Forwarded-Proto only from a trusted proxy.
    const csp = exchange.scheme === 'https' ? headers.secure : headers.plain;
    for (let i = 0; i < csp.length; i++) out.push(csp[i]!);
  }
  return out;
}

function dropListed(out: string[], tokens: Set<string>): void {
  for (let i = 0; i < out.length;) {
    if (tokens.has(out[i]!.toLowerCase())) out.splice(i, 2);
    else i += 2;
  }
}

function onDrain(this: Res): void {
  this[kExchange]?.resumeUpstream();
}

function onClientClose(this: Res): void {
  this[kExchange]?.clientClosed();
}

/** One forwarded request: undici's dispatch handler, writing into the client's response. */
class Exchange implements ClientAddress {
  private abort: ((err?: Error) => void) | null = null;
  private resume: (() => void) | null = null;
  private listeningDrain = false;
  private upstreamStarted = 0;
  private bytes = 0;
  private ended = false;
  /** The client went away: the upstream request is being aborted, which is no upstream failure. */
  private clientGone = false;

  constructor(
    private readonly forwarder: Forwarder,
    private readonly upstream: Upstream,
    private readonly req: IncomingMessage,
    private readonly res: Res,
    private readonly outcome: Forward,
    // What the client addressed, for a redirect (the gate's header scan is reused by the next
    // request): references to strings that exist already, so forwarding allocates nothing for it.
    readonly scheme: string,
    readonly host: string | undefined,
    readonly self: SelfOrigin,
  ) {}

  /** The upstream's Location as the client gets it (redirect.ts). */
  location(value: string): string {
    const u = this.upstream;
    return rewriteLocation(
      value,
      { origin: u.name, scheme: u.url.protocol.slice(0, -1), basePath: u.basePath },
      this,
    );
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.ended) abort();
    else this.abort = abort;
    this.upstreamStarted = performance.now();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    const upstreamMs = performance.now() - this.upstreamStarted;
    this.upstream.latency.observe(upstreamMs / 1000);
    this.upstreamStarted = upstreamMs; // from here on: the time to the headers, for the access log
    this.resume = resume;
    if (this.outcome.reportOnly) {
      upstreamAllowOrigin = null;
      this.res.writeHead(statusCode, responseHeaders(rawHeaders, this.outcome, this));
      this.forwarder.observer.upstreamCors(this.outcome, upstreamAllowOrigin);
      return true;
    }
    this.res.writeHead(statusCode, responseHeaders(rawHeaders, this.outcome, this));
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    if (this.res.write(chunk)) return true;
    if (!this.listeningDrain) {
      this.listeningDrain = true;
      this.res.on('drain', onDrain);
    }
    return false;
  }

  onComplete(): void {
    this.res.end();
    this.finish(this.res.statusCode);
  }

  onError(err: Error & { code?: string }): void {
    if (this.ended || this.clientGone) return; // the client went away first; nothing to answer
    const code = err.code ?? err.name;
    const kind = TIMEOUT_CODES.has(code) ? 'timeout' : this.res.headersSent ? 'body' : 'unreachable';
    this.forwarder.observer.upstreamError(
      kind,
      `${this.upstream.name}: ${code}: ${err.message}`,
      this.upstream,
    );
    const status =
      kind === 'body'
        ? (this.res.destroy(), 0)
        : sendError(this.res, this.outcome, kind === 'timeout' ? 'timeout' : 'unreachable');
    this.finish(status);
  }

  resumeUpstream(): void {
    this.resume?.();
  }

  clientClosed(): void {
    if (this.ended) return;
    // The client went away before the answer was complete: stop the upstream request too. undici
    // reports the abort through onError at once (UND_ERR_ABORTED): not an upstream failure to count.
    this.clientGone = true;
    this.abort?.();
    this.finish(0);
  }

  private finish(status: number): void {
    if (this.ended) return;
    this.ended = true;
    this.res[kExchange] = undefined;
    this.upstream.inFlight--;
    this.forwarder.observer.finished(this.req, this.outcome, status, this.upstreamStarted, this.bytes);
  }
}

export class Forwarder {
  /** `edge`: the listener's scheme and whether the proxy in front is trusted (X-Forwarded-Proto/-Host). */
  constructor(
    private readonly upstreams: UpstreamLookup,
    readonly observer: ProxyObserver,
    private readonly edge: GateEdge,
  ) {}

  forward(
    req: IncomingMessage,
    res: Res,
    outcome: Forward,
    scan: RequestScan,
    self: SelfOrigin = DERIVED_SELF,
  ): void {
    const upstream = this.upstreams.of(outcome);
    if (upstream === null || upstream.inFlight >= upstream.maxInFlight) {
      if (upstream !== null)
        this.observer.upstreamError(
          'busy',
          `${upstream.name}: ${upstream.inFlight} requests in flight`,
          upstream,
        );
      req.resume();
      this.observer.finished(
        req,
        outcome,
        sendError(res, outcome, upstream === null ? 'unreachable' : 'busy'),
        0,
        0,
      );
      return;
    }
    upstream.inFlight++;
    const exchange = new Exchange(
      this,
      upstream,
      req,
      res,
      outcome,
      clientScheme(this.edge, scan),
      clientHost(this.edge, scan),
      self,
    );
    res[kExchange] = exchange;
    res.on('close', onClientClose);
    upstream.pool.dispatch(
      {
        path: upstream.basePath + outcome.path,
        method: req.method as 'GET',
        headers: requestHeaders(req, scan, this.edge),
        body: scan.hasBody ? req : null,
      },
      exchange,
    );
  }
}
