/**
 * The public contract of the policy engine: what `createPolicy` accepts and what
 * `policy.evaluate` answers. Everything else in corsgate (adapters, gateway,
 * console, scanner fix advice) is written against these types.
 */

/** Options accepted by `createPolicy`. Unknown keys are an error (typos must not weaken a policy). */
export interface PolicyOptions {
  /** Origin patterns (see README, "Origin patterns"), or `'*'` for any origin (never with credentials). */
  origins: readonly string[] | '*';
  /** Allowed methods. Default: GET, HEAD, POST. `'*'` allows any method (echoed when credentials are on). */
  methods?: readonly string[] | '*';
  /** Allowed request header names. Default: none beyond the CORS-safelisted ones. `'*'`: any (echoed when credentials are on). */
  requestHeaders?: readonly string[] | '*';
  /** Response header names exposed to script. `'*'` is refused together with credentials. */
  exposeHeaders?: readonly string[] | '*';
  /** Send `Access-Control-Allow-Credentials: true` to allowed origins. Default false. */
  credentials?: boolean;
  /** Preflight cache lifetime in seconds, 0–86400. Absent: no `Access-Control-Max-Age` header. */
  maxAge?: number;
  /** Answer `Access-Control-Request-Private-Network: true` preflights with `Access-Control-Allow-Private-Network: true`. */
  privateNetwork?: boolean;
  /**
   * List every allowed method in an allowed preflight's `Access-Control-Allow-Methods`, whatever
   * was requested (Salesforce's REST API answer), instead of only the requested non-safelisted one.
   * The answer then does not vary on `Access-Control-Request-Method`. Needs a list of `methods`.
   */
  listAllowedMethods?: boolean;
  /** Status for a successful preflight: a 2xx status (default 204); browsers fail a preflight with any other. */
  preflightStatus?: number;
  /** What to do with a refused origin: `'omit'` CORS headers (default) or `'reject'` with 403 (Salesforce). */
  onDisallowed?: 'omit' | 'reject';
  /** Lift the HTTPS-except-loopback rule for origin patterns. Produces a warning. */
  allowInsecureOrigins?: boolean;
}

/**
 * `PolicyOptions` once validated: every option resolved to its value or its default, names
 * normalized (methods as Fetch normalizes them, header names in lower case, duplicates dropped).
 * This is what `policy.options` holds and what the compiler reads.
 */
export interface NormalizedPolicy {
  readonly origins: readonly string[] | '*';
  readonly methods: readonly string[] | '*';
  readonly requestHeaders: readonly string[] | '*';
  readonly exposeHeaders: readonly string[] | '*';
  readonly credentials: boolean;
  /** Absent: no `Access-Control-Max-Age` header (browsers then cache a preflight for 5 s). */
  readonly maxAge?: number;
  readonly privateNetwork: boolean;
  readonly preflightStatus: number;
  readonly onDisallowed: 'omit' | 'reject';
  readonly allowInsecureOrigins: boolean;
  /** Present (true) only when set, so that `policy.options` of existing policies keeps its shape. */
  readonly listAllowedMethods?: true;
}

export type ProblemSeverity = 'error' | 'warning';

/** One problem found while validating a policy. `code` is stable; `path` points into the options (e.g. `origins[3]`). */
export interface PolicyProblem {
  severity: ProblemSeverity;
  code: string;
  path: string;
  message: string;
  /** A concrete fix, when one can be suggested (e.g. the canonical form of a pattern). */
  hint?: string;
  /** The fix as data: the corrected value, when there is one (the hint says "did you mean …?"). */
  suggestion?: string;
  /**
   * The option that lifts the rule instead, when one does (`allowInsecureOrigins`). A reader that
   * cannot set it (the gateway's admin API and console) words the fix from `suggestion` alone.
   */
  option?: string;
}

/** Headers as any of: a Fetch `Headers`, Node's `IncomingHttpHeaders`, or a plain record (lower- or any-case keys). */
export type RequestHeadersLike =
  { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface RequestLike {
  /** Node's IncomingMessage types it as optional; a missing method is treated as a non-OPTIONS request. */
  method?: string | undefined;
  headers: RequestHeadersLike;
}

/** `preflight`: OPTIONS with Origin and Access-Control-Request-Method. `actual`: any other request with Origin. `none`: no Origin. */
export type RequestKind = 'preflight' | 'actual' | 'none';

/** Stable reason codes of a decision. */
export type DecisionReason =
  | 'allowed'
  | 'no-origin'
  | 'origin-not-allowed'
  | 'origin-malformed'
  | 'method-not-allowed'
  | 'method-malformed'
  | 'headers-not-allowed'
  | 'headers-malformed'
  | 'private-network-not-allowed';

export interface Decision {
  kind: RequestKind;
  /** Same as `kind === 'preflight'`. */
  preflight: boolean;
  allowed: boolean;
  reason: DecisionReason;
  /** One sentence for logs and error bodies. */
  message: string;
  /**
   * The status the caller must answer with itself (the preflight status for an allowed preflight,
   * 403 for a refused preflight or a refused request under `onDisallowed: 'reject'`), or `null`
   * when the request goes on to the handler.
   */
  status: number | null;
  /**
   * Exactly the response headers to add, with canonical-case names. When present, `Vary` holds
   * the tokens to append to any existing `Vary` (never replace, never duplicate).
   */
  headers: Readonly<Record<string, string>>;
  /** The tokens to append to `Vary` (same as `headers.Vary`), or null. */
  vary: string | null;
  /** The request's `Origin` value, or null when absent. */
  origin: string | null;
}

export interface Policy {
  /** The validated, normalised options this policy was compiled from, every option resolved (frozen). */
  readonly options: NormalizedPolicy;
  /** Warnings found at compile time (errors throw `PolicyError` instead). */
  readonly warnings: readonly PolicyProblem[];
  /** Decide what to answer for one request. Pure; never throws on request input. */
  evaluate(request: RequestLike): Decision;
  /** Whether a request-time `Origin` value is allowed by this policy (byte-exact serialized origins only). */
  allowsOrigin(origin: string): boolean;
}
