/**
 * The types of the gateway's core that refer to each other: a route bound to its regime, the
 * outcomes `decide` returns (each names its route), and the memo of a route's allowed preflights
 * (which holds outcomes). One file, so that regime.ts, decide.ts and answer-memo.ts import them
 * without importing each other in a circle. Types only.
 */
import type { Policy, RequestHeadersLike } from 'corsgate/internal/policy/types.js';
import type { CompiledRoute } from '../routes.js';

/** A route's answer to a cross-origin request it never allows. */
export interface FixedRefusal {
  readonly code: 'cors-closed' | 'cors-not-enabled';
  readonly message: string;
}

/**
 * Counts what the gateway decided on one route; bound once per snapshot and route (see
 * `RouteTallies`). Called on the hot path for every request: keep it to a few increments.
 */
export interface RouteTally {
  count(decision: OutcomeDecision, reason: string, preflight: boolean, origin: string | null): void;
}

export type OutcomeDecision = 'allowed' | 'refused' | 'passthrough';

/** The allowed preflights a route answered under one snapshot (answer-memo.ts's `AnswerMemo`). */
export interface AnswerLookup {
  get(headers: RequestHeadersLike): Answer | null;
  set(headers: RequestHeadersLike, answer: Answer): void;
}

export interface BoundRoute {
  readonly id: string;
  readonly kind: CompiledRoute['kind'];
  /** The policy that decides requests with an Origin, or null when they are refused (`refusal`). */
  readonly policy: Policy | null;
  readonly refusal: FixedRefusal | null;
  /** The CSP to add to HTML responses, or null. */
  readonly csp: string | null;
  /** Every CSP header for HTML responses (null: none); see `CspHeaders`. */
  readonly cspHeaders: CspHeaders | null;
  readonly tally: RouteTally;
  /** `report-only`: forward untouched, record what would have been decided (the route's mode, else the setting). */
  readonly reportOnly: boolean;
  /** false: every WebSocket handshake is refused (`websocket: false`). */
  readonly websocket: boolean;
  /** The route's own upstream URL, or null for the default upstream. */
  readonly upstream: string | null;
  /** The matcher fields (hosts, paths, priority) of the compiled route; null for the default route. */
  readonly match: CompiledRoute | null;
  /** The allowed preflights this route answered under this snapshot (null when it has no policy). */
  readonly answers: AnswerLookup | null;
}

/**
 * The headers HTML responses of CSP routes get, as flat name/value pairs: Content-Security-Policy,
 * -Report-Only (with the report-only trusted sites), Reporting-Endpoints. `secure` for responses
 * the client receives over TLS, `plain` otherwise (see snapshot.ts for why they differ).
 */
export interface CspHeaders {
  readonly secure: readonly string[];
  readonly plain: readonly string[];
}

interface OutcomeBase {
  readonly route: BoundRoute;
  /** For metrics and the access log. */
  readonly decision: OutcomeDecision;
  readonly reason: string;
  readonly preflight: boolean;
  /** The request's Origin, or null. */
  readonly origin: string | null;
}

export interface Answer extends OutcomeBase {
  readonly kind: 'answer';
  readonly status: number;
  /** Every header of the answer (canonical case); a 204 has no Content-Length (RFC 9110 §8.6). */
  readonly headers: Readonly<Record<string, string>>;
  /** The same headers as one flat name/value list, Content-Length included when the status needs one (what the gate writes). */
  readonly headerList: readonly string[];
  /** The answer's HTTP/1.1 head without Date and Connection, built once (wire-head.ts), or null: sent through `writeHead`. */
  readonly head: string | null;
}

export interface Refusal extends OutcomeBase {
  readonly kind: 'refuse';
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly vary: string;
}

export interface Forward extends OutcomeBase {
  readonly kind: 'forward';
  /** The target to send upstream, in origin-form. */
  readonly path: string;
  /** CORS headers to set on the response (any `Vary` among them is already in `vary`). */
  readonly headers: Readonly<Record<string, string>>;
  /** Tokens to merge into the response's Vary. */
  readonly vary: string;
  /** The CSP to add if the response is HTML, or null. */
  readonly csp: string | null;
  /**
   * Report-only: the upstream's answer goes to the client untouched (its CORS headers kept, none
   * added, `headers` empty and `vary` ''); `decision`/`reason` say what enforcing would have done.
   */
  readonly reportOnly: boolean;
}

export type Outcome = Answer | Refusal | Forward;
