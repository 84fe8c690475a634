/**
 * The gateway's persistent state behind one interface, so that the embedded SQLite store can be
 * joined later by PostgreSQL (whose LISTEN/NOTIFY maps onto `onChange`). Every method is async for
 * that reason even though better-sqlite3 is synchronous.
 *
 * Contract every implementation keeps:
 * - each mutating call is one transaction that also appends its audit row and bumps the change
 *   counter; when the returned promise resolves, the change is durable (fsynced);
 * - `onChange` fires for changes made by this process immediately, and for changes made by other
 *   processes sharing the store within about a second (SQLite: polling; PostgreSQL: NOTIFY).
 */

import type { AllowlistUsage, UsageBatch, UsageLimits, UsageQuery, UsageTotals } from './usage-types.js';
export * from './usage-types.js';
import { DEFAULT_CSP_BASELINE, type TrustedSite as CspTrustedSite } from 'corsgate/internal/csp/index.js';
import { CorsgateError } from 'corsgate/internal/errors.js';

export type RouteKind = 'public' | 'allowlist' | 'opt-in' | 'closed';
/** `enforce` decides and answers; `report-only` forwards everything untouched and records what it would have done. */
export type GatewayMode = 'enforce' | 'report-only';
export const GATEWAY_MODES: readonly GatewayMode[] = Object.freeze(['enforce', 'report-only']);

export const PERMISSIONS = ['view-setup', 'customize-application', 'modify-all-data'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface AllowlistEntry {
  id: string;
  urlPattern: string;
  description: string;
  /** The Salesforce CorsWhitelistOrigin fullName it was imported under, if any (exported under it). */
  name?: string;
  createdAt: string;
  createdBy: string;
}

/** Salesforce's CspTrustedSite fields (src/csp), with the description always present in the store. */
export interface TrustedSiteFields extends CspTrustedSite {
  description: string;
  /** corsgate's own: the site goes into Content-Security-Policy-Report-Only only (tried before it is enforced). */
  reportOnly?: boolean;
}

/** Salesforce's CspTrustedSite fields, exactly, plus our bookkeeping (id, createdAt, createdBy). */
export interface TrustedSite extends TrustedSiteFields {
  id: string;
  createdAt: string;
  createdBy: string;
}

export interface RouteFields {
  kind: RouteKind;
  /** Host names this route applies to (`*.example.com` wildcards); absent or empty: any host. */
  hosts?: string[];
  /** Path patterns: exact (`/a/b`) or prefix (`/a/*`). */
  paths: string[];
  /** For `opt-in`: the boolean setting that turns CORS on. */
  setting?: string;
  /** Add the trusted-sites Content-Security-Policy to HTML responses of this route. */
  csp?: boolean;
  /** Higher wins; ties: the order of creation. */
  priority: number;
  /** `false`: every WebSocket handshake on this route is refused (absent: decided like CORS by the route's regime). */
  websocket?: boolean;
  /** Absolute http(s) URL this route forwards to instead of the gateway's `--upstream`. */
  upstream?: string;
  description?: string;
  /** Overrides the `mode` setting on this route (switch an API over endpoint by endpoint). */
  mode?: GatewayMode;
}

export interface Route extends RouteFields {
  id: string;
  createdAt: string;
  createdBy: string;
}

export interface Settings {
  /** Salesforce's "Enable CORS for OAuth endpoints" (SecuritySettings.sessionSettings.enableOauthCorsPolicy). */
  corsForOAuthEndpoints: boolean;
  /** Status for a refused origin (403 by default, as Salesforce's REST pages document). */
  refusedStatus: number;
  /** Apply Salesforce's OAuth endpoint layout as built-in routes. */
  oauthPreset: boolean;
  /** Hosts treated as "My Domain" hosts by the OAuth preset (`*` = any host). */
  myDomainHosts: string[];
  /** Hosts treated as Experience Cloud site hosts by the OAuth preset. */
  experienceCloudHosts: string[];
  /** Add the trusted-sites CSP to HTML responses of requests no route matches. */
  cspOnDefaultRoute: boolean;
  /** The CSP's directives besides the six trusted sites widen (script-src, object-src, …); '' for none. */
  cspBaseline: string;
  /**
   * Private, loopback and other non-public addresses that scans started through the admin API may
   * reach, besides the upstream and the gateway's proxy: IPs, CIDR ranges, host names, `*.domain`, `*`.
   */
  scanTargets: string[];
  /**
   * The gateway's own origins as browsers see them (behind a proxy: the proxy's). A request whose
   * Origin is one of them is same-origin and passes as a request without Origin does. Empty: the
   * origin is derived from each request (scheme plus Host).
   */
  publicOrigins: string[];
  /** The allowlist regime's methods (Salesforce's REST answer by default); `'*'`: any. */
  methods: string[] | '*';
  /** Request headers a preflight may ask for; `'*'` (default): any, each checked, then echoed. */
  requestHeaders: string[] | '*';
  /** Response headers scripts of allowed origins may read (Access-Control-Expose-Headers). */
  exposeHeaders: string[] | '*';
  /** Access-Control-Max-Age of an allowed preflight, in seconds. */
  maxAge: number;
  /** Send Access-Control-Allow-Credentials: true to allowed origins (Salesforce does). */
  credentials: boolean;
  /** `enforce` (default) or `report-only`: forward every request and record what corsgate would have done. */
  mode: GatewayMode;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  corsForOAuthEndpoints: false,
  refusedStatus: 403,
  oauthPreset: true,
  myDomainHosts: ['*'],
  experienceCloudHosts: [],
  cspOnDefaultRoute: false,
  cspBaseline: DEFAULT_CSP_BASELINE,
  scanTargets: [],
  publicOrigins: [],
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  requestHeaders: '*',
  exposeHeaders: [],
  maxAge: 600,
  credentials: true,
  mode: 'enforce',
});

export interface TokenRecord {
  id: string;
  name: string;
  permissions: Permission[];
  createdAt: string;
  createdBy: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
}

export interface ListQuery {
  limit: number;
  cursor?: string;
  q?: string;
  sort?: string;
  order?: 'asc' | 'desc';
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Everything the gateway compiles into one snapshot. */
export interface StoreState {
  version: number;
  allowlist: string[];
  trustedSites: TrustedSite[];
  routes: Route[];
  settings: Settings;
  /** When `version` was committed (ms since the epoch), where the store knows it. */
  committedAt?: number;
  /**
   * The allowlist patterns added or changed since the state the same store returned before (absent:
   * unknown, everything may have changed). Lets the gateway check only what changed.
   */
  changedAllowlist?: string[];
  /**
   * The allowlist as a change of the one this store returned at version `from`: the patterns
   * removed (one per row removed or changed), then those added (one per row added or changed), as
   * multisets. Absent when unknown (a whole read). Lets the gateway apply a small change without
   * checking the whole allowlist again; `allowlist` is always whole.
   */
  allowlistDelta?: { from: number; removed: string[]; added: string[] };
}

export interface ImportPlan {
  allowlist: { urlPattern: string; description: string; name?: string }[];
  trustedSites: TrustedSiteFields[];
  settings?: Partial<Settings>;
}

export interface ImportResult {
  allowlistCreated: number;
  allowlistUnchanged: number;
  trustedSitesCreated: number;
  trustedSitesUpdated: number;
  settingsChanged: boolean;
}

/**
 * The codes of StoreError. `store-full`: the disk or the database's size limit has no room; nothing
 * was written (507). `store-unavailable`: the shared store (PostgreSQL) cannot be reached; nothing
 * was written (503). `schema-newer`: the database was migrated by a newer corsgate; this one refuses
 * to start.
 */
export const STORE_ERROR_CODES = [
  'not-found',
  'duplicate',
  'read-only',
  'conflict',
  'store-full',
  'store-unavailable',
  'schema-newer',
] as const;
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

/** Thrown by stores for expected failures; the admin API maps `code` to a status. */
export class StoreError extends CorsgateError<StoreErrorCode> {
  constructor(
    code: StoreErrorCode,
    message: string,
    /** The field at fault, when there is one (a duplicate name, say). */
    readonly field?: string,
  ) {
    super(code, message);
  }
}

export interface Store {
  /** e.g. `sqlite:./corsgate.db` */
  readonly description: string;
  readonly readOnly: boolean;
  /** Current change counter (bumped by every change). */
  version(): Promise<number>;
  /** Subscribe to changes; returns an unsubscribe function. */
  onChange(listener: (version: number) => void): () => void;
  loadState(): Promise<StoreState>;

  listAllowlist(query: ListQuery): Promise<Page<AllowlistEntry>>;
  getAllowlist(id: string): Promise<AllowlistEntry | null>;
  createAllowlist(
    input: { urlPattern: string; description?: string },
    actor: string,
  ): Promise<AllowlistEntry>;
  /** Creates every item in one transaction; an item whose pattern already exists is reported, not created. */
  createAllowlistMany(
    items: { urlPattern: string; description?: string }[],
    actor: string,
  ): Promise<({ entry: AllowlistEntry } | { duplicate: true })[]>;
  updateAllowlist(
    id: string,
    input: { urlPattern: string; description?: string },
    actor: string,
  ): Promise<AllowlistEntry>;
  deleteAllowlist(id: string, actor: string): Promise<void>;

  listTrustedSites(query: ListQuery): Promise<Page<TrustedSite>>;
  getTrustedSite(id: string): Promise<TrustedSite | null>;
  createTrustedSite(input: TrustedSiteFields, actor: string): Promise<TrustedSite>;
  updateTrustedSite(id: string, input: TrustedSiteFields, actor: string): Promise<TrustedSite>;
  deleteTrustedSite(id: string, actor: string): Promise<void>;

  listRoutes(): Promise<Route[]>;
  getRoute(id: string): Promise<Route | null>;
  createRoute(input: RouteFields, actor: string): Promise<Route>;
  updateRoute(id: string, input: RouteFields, actor: string): Promise<Route>;
  deleteRoute(id: string, actor: string): Promise<void>;

  getSettings(): Promise<Settings>;
  putSettings(settings: Settings, actor: string): Promise<Settings>;

  /** Applies a validated import in one transaction (all or nothing). */
  applyImport(plan: ImportPlan, actor: string): Promise<ImportResult>;

  /** Tokens are stored as SHA-256 hashes only; the stored hash comes back for a constant-time check. */
  findTokenByHash(hash: string): Promise<(TokenRecord & { hash: string }) | null>;
  /** A deleted (revoked) token by its hash: deleteToken remembers the hash, never the token. */
  findRevokedToken(hash: string): Promise<{ name: string; revokedAt: string } | null>;
  countTokens(): Promise<number>;
  listTokens(): Promise<TokenRecord[]>;
  /** Token names are unique: a second token with the same name throws StoreError('duplicate', …, 'name'). */
  createToken(
    input: { name: string; permissions: Permission[]; hash: string },
    actor: string,
  ): Promise<TokenRecord>;
  deleteToken(id: string, actor: string): Promise<void>;

  listAudit(query: { limit: number; cursor?: string; entity?: string }): Promise<Page<AuditEntry>>;
  /**
   * Appends an audit row for an event that changes no configuration (e.g. an address blocked after
   * repeated failed authentications): no change-counter bump, and allowed in read-only mode.
   */
  appendAudit(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<void>;

  /**
   * Usage counters (issue 14): adds one node's batch in one transaction and keeps that node's top
   * `limits.topN` rows per table. No audit row, no change-counter bump; allowed in read-only mode.
   */
  recordUsage(node: string, batch: UsageBatch, limits: UsageLimits): Promise<void>;
  /** Refused origins, upstream comparisons, CSP violations (top `limit` each) and traffic from `sinceMinute`, summed across nodes. */
  readUsage(sinceMinute: number, limit: number): Promise<UsageTotals>;
  /** The allowlist with each entry's summed hits and last hit; sorted and paged. */
  listAllowlistUsage(query: UsageQuery): Promise<Page<AllowlistUsage>>;
  /** Deletes every usage counter of every node, with an audit row (action `reset`, entity `usage`). */
  resetUsage(actor: string): Promise<void>;

  close(): Promise<void>;
}
