/**
 * `decide(snapshot, request)`: the gateway's whole CORS judgement for one request, pure and
 * I/O-free. The outcome is one of three:
 * - `answer`: the gateway answers here (an allowed preflight, `OPTIONS *`);
 * - `refuse`: the gateway refuses here with a status and a reason (a refused origin never reaches
 *   the upstream: Salesforce's REST behaviour);
 * - `forward`: the request goes to the upstream, and these CORS headers go on its response.
 * Every outcome names its route and carries `Vary: Origin`, so no answer is ever cache-unsafe
 * (a shared cache must not serve one origin's answer to another, RFC 9111 §4.1).
 */
import type { Decision, RequestHeadersLike } from 'corsgate/internal/policy/types.js';
import { emptyBodyLength, mergeVary } from 'corsgate/internal/adapters/shared.js';
import { hostMatches, hostName, pathMatches, routingPath, type PathMatcher } from '../routes.js';
import type {
  Answer,
  AnswerLookup,
  BoundRoute,
  Forward,
  Outcome,
  OutcomeDecision,
  Refusal,
} from './outcome.js';
import { isSameOrigin, type SelfOrigin } from './self-origin.js';
import { emptyAnswerHead } from './wire-head.js';

export interface DecideSnapshot {
  /** Bound routes, highest priority first. */
  readonly routes: readonly BoundRoute[];
  /** Every path some route matches (routes.ts, `routePaths`). */
  readonly routePaths: PathMatcher;
  readonly defaultRoute: BoundRoute;
  /** Status of every refusal (Salesforce documents 403). */
  readonly refusedStatus: number;
  /** How a same-origin request is recognised (the `publicOrigins` setting, or derived per request). */
  readonly self: SelfOrigin;
}

export interface GateRequest {
  readonly method: string;
  /** The request target as received: origin-form `/p?q`, absolute-form `http://h/p`, or `*`. */
  readonly target: string;
  /** The Host header (ignored for an absolute-form target, RFC 9112 §3.2.2). */
  readonly host: string | undefined;
  /** For the engine: Origin, Access-Control-Request-Method/-Headers/-Private-Network. */
  readonly headers: RequestHeadersLike;
  /** The scheme the client used: the listener's, or X-Forwarded-Proto from a trusted proxy (default `http`). */
  readonly scheme?: string;
  /** X-Forwarded-Host from a trusted proxy (the host the client addressed), else null or absent. */
  readonly forwardedHost?: string | null;
}

export type { Answer, Forward, Outcome, Refusal } from './outcome.js';

const VARY_ORIGIN = 'Origin';
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** `OPTIONS *` asks about the server as a whole (RFC 9110 §9.3.7): the gateway answers it itself. */
const SERVER_OPTIONS_HEADERS = Object.freeze({ Allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' });

/**
 * The flat header list of an answer (built once per answer: a remembered preflight reuses it).
 * Read-only by type, not frozen: Node's `writeHead` reads a frozen array's elements on a slower
 * path (about 2% of a preflight's CPU in a micro-benchmark), and nothing here writes to it.
 */
function headerListOf(status: number, headers: Readonly<Record<string, string>>): readonly string[] {
  const list: string[] = [];
  for (const name in headers) list.push(name, headers[name]!);
  const length = emptyBodyLength(status);
  if (length !== null) list.push('Content-Length', length);
  return list;
}

const SERVER_OPTIONS_LIST = headerListOf(204, SERVER_OPTIONS_HEADERS);
const SERVER_OPTIONS_HEAD = emptyAnswerHead(204, SERVER_OPTIONS_LIST);

function isOptions(method: string): boolean {
  return method === 'OPTIONS';
}

function readOrigin(headers: RequestHeadersLike): string | undefined {
  const h = headers as { get?: (n: string) => string | null; origin?: unknown };
  if (typeof h.get === 'function') return h.get('origin') ?? undefined;
  return typeof h.origin === 'string' ? h.origin : undefined;
}

/** The route of a request: the first bound route whose hosts and paths match, else the default one. */
function matchRoute(snap: DecideSnapshot, hostHeader: string | undefined, upstreamPath: string): BoundRoute {
  const routes = snap.routes;
  // No routes (the usual snapshot): every request meets the default route, so the Host header's
  // name and the resolved path are never computed for nothing.
  if (routes.length === 0) return snap.defaultRoute;
  const q = upstreamPath.indexOf('?');
  const path = routingPath(q === -1 ? upstreamPath : upstreamPath.slice(0, q));
  if (!pathMatches(snap.routePaths, path)) return snap.defaultRoute;
  let host: string | null = null; // resolved once a route's paths match
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i]!;
    if (!pathMatches(r.match!, path)) continue;
    host ??= hostName(hostHeader);
    if (hostMatches(r.match!, host)) return r;
  }
  return snap.defaultRoute;
}

function refusal(
  route: BoundRoute,
  origin: string | null,
  status: number,
  code: string,
  message: string,
  preflight: boolean,
  vary = VARY_ORIGIN,
): Refusal {
  return {
    kind: 'refuse',
    route,
    decision: 'refused',
    reason: code,
    preflight,
    origin,
    status,
    code,
    message,
    vary,
  };
}

function forward(route: BoundRoute, path: string, d: Decision | null, decision: OutcomeDecision): Forward {
  const headers = d === null ? NO_HEADERS : d.headers;
  const vary =
    d === null || d.vary === null || d.vary === VARY_ORIGIN ? VARY_ORIGIN : mergeVary(d.vary, VARY_ORIGIN);
  return {
    kind: 'forward',
    route,
    decision,
    reason: d === null ? 'no-origin' : d.reason,
    preflight: false,
    origin: d === null ? null : d.origin,
    path,
    headers,
    vary,
    csp: route.csp,
    reportOnly: false,
  };
}

/**
 * Report-only (issue 14): every request goes to the upstream, preflights included, carrying what
 * enforcing would have decided. Only a target that cannot be forwarded at all is still answered.
 */
function reportOnly(o: Answer | Refusal, target: string): Outcome {
  if (o.reason === 'target-invalid' || o.reason === 'server-options') return o;
  const path = target.charCodeAt(0) === 47 /* / */ ? target : splitAbsolute(target)!.rest;
  return {
    kind: 'forward',
    route: o.route,
    decision: o.decision,
    reason: o.reason,
    preflight: o.preflight,
    origin: o.origin,
    path,
    headers: NO_HEADERS,
    vary: '',
    csp: o.route.csp,
    reportOnly: true,
  };
}

function reportOnlyForward(o: Forward): Forward {
  return { ...o, headers: NO_HEADERS, vary: '', reportOnly: true };
}

export function decide(snap: DecideSnapshot, req: GateRequest): Outcome {
  const o = judge(snap, req);
  if (!o.route.reportOnly) return o;
  return o.kind === 'forward' ? reportOnlyForward(o) : reportOnly(o, req.target);
}

/** Whether the request's Origin is the origin it was made to (see self-origin.ts). */
function sameOrigin(
  snap: DecideSnapshot,
  req: GateRequest,
  origin: string,
  hostHeader: string | undefined,
): boolean {
  return isSameOrigin(snap.self, origin, req.scheme ?? 'http', req.forwardedHost ?? hostHeader);
}

/** A same-origin request passes as one without Origin does: no CORS headers, `Vary: Origin`. */
function sameOriginForward(route: BoundRoute, path: string, origin: string): Forward {
  return {
    kind: 'forward',
    route,
    decision: 'passthrough',
    reason: 'same-origin',
    preflight: false,
    origin,
    path,
    headers: NO_HEADERS,
    vary: VARY_ORIGIN,
    csp: route.csp,
    reportOnly: false,
  };
}

/** An absolute-form target's authority and origin-form rest, or null when it is not `http(s)://…`. */
function splitAbsolute(target: string): { authority: string; rest: string } | null {
  const m = /^https?:\/\/([^/?#]*)(.*)$/i.exec(target);
  if (m === null) return null;
  const rest = m[2]!;
  if (rest.startsWith('#')) return null;
  return { authority: m[1]!, rest: rest === '' || rest[0] === '?' ? `/${rest}` : rest };
}

/** What enforcing decides. */
function judge(snap: DecideSnapshot, req: GateRequest): Outcome {
  const target = req.target;
  if (target.charCodeAt(0) === 47 /* / */) return judgeAt(snap, req, req.host, target);
  if (target === '*' && isOptions(req.method)) {
    return {
      kind: 'answer',
      route: snap.defaultRoute,
      decision: 'passthrough',
      reason: 'server-options',
      preflight: false,
      origin: readOrigin(req.headers) ?? null,
      status: 204,
      headers: SERVER_OPTIONS_HEADERS,
      headerList: SERVER_OPTIONS_LIST,
      head: SERVER_OPTIONS_HEAD,
    };
  }
  const abs = splitAbsolute(target);
  if (abs === null)
    return refusal(
      snap.defaultRoute,
      readOrigin(req.headers) ?? null,
      400,
      'target-invalid',
      'the request target must be a path (/…) or an absolute http(s) URL',
      false,
    );
  // RFC 9112 §3.2.2: the target's authority replaces Host; the upstream gets the origin-form.
  return judgeAt(snap, req, abs.authority, abs.rest);
}

/** The request as the route for `hostHeader` and `upstreamPath` sees it. */
function judgeAt(
  snap: DecideSnapshot,
  req: GateRequest,
  hostHeader: string | undefined,
  upstreamPath: string,
): Outcome {
  const route = matchRoute(snap, hostHeader, upstreamPath);
  const policy = route.policy;
  if (policy === null) return judgeWithoutPolicy(snap, req, route, hostHeader, upstreamPath);
  // A preflight this route answered before, answered again (same snapshot, same request fields).
  const memo = isOptions(req.method) ? route.answers : null;
  if (memo !== null) {
    const hit = memo.get(req.headers);
    if (hit !== null) return hit;
  }
  const d = policy.evaluate(req);
  if (d.kind === 'none') return forward(route, upstreamPath, d, 'passthrough');
  if (!d.allowed) {
    // Only a request about to be refused pays for the same-origin check (allowed ones never do).
    if (d.origin !== null && sameOrigin(snap, req, d.origin, hostHeader))
      return sameOriginForward(route, upstreamPath, d.origin);
    return refusal(
      route,
      d.origin,
      snap.refusedStatus,
      d.reason,
      d.message,
      d.preflight,
      d.vary ?? VARY_ORIGIN,
    );
  }
  // An allowed preflight is answered here; it never reaches the upstream.
  if (d.status !== null) return allowedPreflight(route, req, d, d.status, memo);
  return forward(route, upstreamPath, d, 'allowed');
}

/** A closed route, or an opt-in one with its setting off: a request without Origin is no CORS request and passes. */
function judgeWithoutPolicy(
  snap: DecideSnapshot,
  req: GateRequest,
  route: BoundRoute,
  hostHeader: string | undefined,
  upstreamPath: string,
): Outcome {
  const origin = readOrigin(req.headers);
  if (origin === undefined) return forward(route, upstreamPath, null, 'passthrough');
  if (sameOrigin(snap, req, origin, hostHeader)) return sameOriginForward(route, upstreamPath, origin);
  const preflight = isOptions(req.method) && hasHeader(req.headers, 'access-control-request-method');
  return refusal(route, origin, snap.refusedStatus, route.refusal!.code, route.refusal!.message, preflight);
}

/** The answer to an allowed preflight, remembered for the next identical one. */
function allowedPreflight(
  route: BoundRoute,
  req: GateRequest,
  d: Decision,
  status: number,
  memo: AnswerLookup | null,
): Answer {
  const headers =
    d.vary !== null && d.vary.startsWith(VARY_ORIGIN)
      ? d.headers
      : { ...d.headers, Vary: d.vary === null ? VARY_ORIGIN : mergeVary(d.vary, VARY_ORIGIN) };
  const headerList = headerListOf(status, headers);
  const answer: Answer = Object.freeze({
    kind: 'answer',
    route,
    decision: 'allowed',
    reason: d.reason,
    preflight: true,
    origin: d.origin,
    status,
    headers,
    headerList,
    head: emptyAnswerHead(status, headerList),
  });
  memo?.set(req.headers, answer);
  return answer;
}

function hasHeader(headers: RequestHeadersLike, lower: string): boolean {
  const h = headers as { get?: (n: string) => string | null } & Record<string, unknown>;
  if (typeof h.get === 'function') return h.get(lower) !== null;
  return h[lower] !== undefined;
}
