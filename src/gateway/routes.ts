/**
 * Route matching: which CORS regime (public, allowlist, opt-in, closed) applies to a host and path.
 * Routes are compiled once per snapshot into sorted matchers; matching a request allocates nothing.
 */
import type { GatewayMode, RouteFields, RouteKind, Settings } from '../store/types.js';

export interface CompiledRoute {
  id: string;
  kind: RouteKind;
  setting: string | null;
  csp: boolean;
  /** The route's own mode, or null to follow the `mode` setting. */
  mode: GatewayMode | null;
  priority: number;
  /** Whether WebSocket handshakes may be decided by the regime at all (`websocket: false` refuses them). */
  websocket: boolean;
  /** The route's own upstream URL, or null for the gateway's default upstream. */
  upstream: string | null;
  /** null: any host */
  hostExact: ReadonlySet<string> | null;
  hostSuffixes: readonly string[];
  pathExact: ReadonlySet<string>;
  pathPrefixes: readonly string[];
  builtIn: boolean;
}

/**
 * Salesforce's OAuth endpoint layout (Help, "Enable CORS for OAuth Endpoints"):
 * discovery endpoints always open, userinfo through the allowlist, the token family behind the
 * "Enable CORS for OAuth endpoints" setting on My Domain / Experience Cloud hosts only, headless
 * identity endpoints on Experience Cloud hosts only, every other OAuth endpoint closed
 * (e.g. /services/oauth2/singleaccess has no CORS at all).
 */
export function oauthPresetRoutes(settings: Settings): (RouteFields & { id: string })[] {
  const myDomainOrSite = [...settings.myDomainHosts, ...settings.experienceCloudHosts];
  return [
    {
      id: 'preset:oauth-discovery',
      kind: 'public',
      paths: [
        '/.well-known/openid-configuration',
        '/.well-known/auth-configuration',
        '/services/oauth2/id/keys',
      ],
      priority: 1_000_003,
    },
    {
      id: 'preset:oauth-userinfo',
      kind: 'allowlist',
      paths: ['/services/oauth2/userinfo'],
      priority: 1_000_002,
    },
    {
      id: 'preset:oauth-endpoints',
      kind: 'opt-in',
      setting: 'corsForOAuthEndpoints',
      hosts: myDomainOrSite,
      paths: [
        '/services/oauth2/token',
        '/services/oauth2/revoke',
        '/services/oauth2/introspect',
        '/services/oauth2/authorize',
        '/services/oauth2/pkce/generator',
      ],
      priority: 1_000_001,
    },
    {
      id: 'preset:headless-identity',
      kind: 'opt-in',
      setting: 'corsForOAuthEndpoints',
      hosts: settings.experienceCloudHosts,
      paths: [
        '/services/auth/headless/init/registration',
        '/services/auth/headless/init/passwordless/login',
        '/services/auth/headless/forgot_password',
      ],
      priority: 1_000_001,
    },
    {
      id: 'preset:oauth-closed',
      kind: 'closed',
      paths: ['/services/oauth2/*', '/services/auth/*'],
      priority: 1_000_000,
    },
  ];
}

function compileOne(route: RouteFields & { id: string }, builtIn: boolean): CompiledRoute {
  const hosts = route.hosts ?? [];
  // An opt-in route with an empty host list matches no host (it is enabled nowhere).
  const anyHost = route.kind === 'opt-in' ? hosts.includes('*') : hosts.length === 0 || hosts.includes('*');
  const hostExact = new Set<string>();
  const hostSuffixes: string[] = [];
  for (const h of hosts) {
    const lower = withoutTrailingDots(h.toLowerCase());
    if (lower.startsWith('*.')) hostSuffixes.push(lower.slice(1));
    else if (lower !== '*') hostExact.add(lower);
  }
  const pathExact = new Set<string>();
  const pathPrefixes: string[] = [];
  for (const p of route.paths) {
    if (p === '*' || p === '/*') pathPrefixes.push('/');
    else if (p.endsWith('/*')) {
      pathPrefixes.push(p.slice(0, -1));
      pathExact.add(p.slice(0, -2));
    } else pathExact.add(p);
  }
  return {
    id: route.id,
    kind: route.kind,
    setting: route.setting ?? null,
    csp: route.csp === true,
    mode: route.mode ?? null,
    priority: route.priority,
    websocket: route.websocket !== false,
    upstream: route.upstream ?? null,
    hostExact: anyHost ? null : hostExact,
    hostSuffixes: anyHost ? [] : hostSuffixes,
    pathExact,
    pathPrefixes,
    builtIn,
  };
}

/** A route's `upstream` that cannot be used, with its stable code (docs/gateway.md, "Routes"). */
export interface UpstreamProblem {
  code:
    | 'route-upstream-invalid'
    | 'route-upstream-scheme'
    | 'route-upstream-credentials'
    | 'route-upstream-fragment';
  message: string;
}

/**
 * Checks a route's `upstream`: an absolute http(s) URL (WHATWG URL Standard parsing), with no
 * user name or password (they would end up in logs and metrics labels; send credentials as the
 * client's headers instead), no query and no fragment (a fragment is never sent, RFC 9110 §4.2.5).
 */
export function checkUpstreamUrl(value: unknown): UpstreamProblem | null {
  if (typeof value !== 'string' || value.trim() !== value || value === '')
    return {
      code: 'route-upstream-invalid',
      message: 'upstream must be an absolute URL such as http://10.0.0.5:8080',
    };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return {
      code: 'route-upstream-invalid',
      message: `'${value}' is not an absolute URL (e.g. http://10.0.0.5:8080)`,
    };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return {
      code: 'route-upstream-scheme',
      message: `upstream must be http:// or https://, not ${url.protocol}//`,
    };
  if (url.username !== '' || url.password !== '')
    return { code: 'route-upstream-credentials', message: 'upstream must not carry a user name or password' };
  if (value.includes('#'))
    return { code: 'route-upstream-fragment', message: 'upstream must not have a #fragment' };
  if (value.includes('?'))
    return {
      code: 'route-upstream-invalid',
      message: 'upstream must not have a ?query (the request keeps its own)',
    };
  if (url.hostname === '') return { code: 'route-upstream-invalid', message: 'upstream needs a host' };
  return null;
}

/** Compiles user routes plus (when enabled) the OAuth preset; highest priority first, then creation order. */
export function compileRoutes(
  userRoutes: readonly (RouteFields & { id: string })[],
  settings: Settings,
): CompiledRoute[] {
  const compiled = userRoutes.map((r) => compileOne(r, false));
  if (settings.oauthPreset) compiled.push(...oauthPresetRoutes(settings).map((r) => compileOne(r, true)));
  return compiled
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.priority - a.r.priority || a.i - b.i)
    .map(({ r }) => r);
}

export function hostMatches(route: CompiledRoute, host: string): boolean {
  if (route.hostExact === null) return true;
  if (route.hostExact.has(host)) return true;
  for (const s of route.hostSuffixes) if (host.length > s.length && host.endsWith(s)) return true;
  return false;
}

/** The path matchers of a route, or of all routes together (`routePaths`). */
export type PathMatcher = Pick<CompiledRoute, 'pathExact' | 'pathPrefixes'>;

export function pathMatches(route: PathMatcher, path: string): boolean {
  if (route.pathExact.has(path)) return true;
  for (const p of route.pathPrefixes) if (path.startsWith(p)) return true;
  return false;
}

/**
 * Every path some route matches, as one matcher: a path it does not match meets no route, so most
 * requests (none of whose paths a route names) are told apart with one lookup, not one per route.
 */
export function routePaths(routes: readonly CompiledRoute[]): PathMatcher {
  const pathExact = new Set<string>();
  const prefixes = new Set<string>();
  for (const r of routes) {
    for (const p of r.pathExact) pathExact.add(p);
    for (const p of r.pathPrefixes) prefixes.add(p);
  }
  // A prefix another prefix starts with adds nothing (`/services/` covers `/services/oauth2/`).
  const pathPrefixes = [...prefixes].filter((p) => ![...prefixes].some((q) => q !== p && p.startsWith(q)));
  return { pathExact, pathPrefixes };
}

/** `host` lower-case without port; `path` without query. */
export function matchRoute(
  routes: readonly CompiledRoute[],
  host: string,
  path: string,
): CompiledRoute | null {
  for (const r of routes) if (pathMatches(r, path) && hostMatches(r, host)) return r;
  return null;
}

/**
 * The request path as an upstream will most likely route it, so that a route cannot be sidestepped
 * by spelling the same path differently (`/%69nternal/a`, `//internal/a`, `/x/../internal/a`,
 * `/internal;jsessionid=1/a`): percent-escapes decoded (except `%2F`, which is not a separator to
 * most servers), repeated slashes collapsed, dot segments resolved (RFC 3986 §5.2.4) and `;` path
 * parameters dropped from every segment, as Servlet containers (Tomcat, Jetty) and IIS do before
 * they route (RFC 3986 §3.3 leaves `;` to the scheme or server). Case is kept: paths are
 * case-sensitive. Matching must be on this form; the upstream still receives the request's own path.
 */
/** A path that ends in a directory: `/`, `/.` or `/..`. */
const TRAILING_SLASH = /\/(?:\.{1,2})?$/;

function decodeSegment(raw: string): string {
  // `;` starts the segment's parameters, whether written plainly or escaped (%3B).
  let seg = raw;
  const semi = seg.indexOf(';');
  if (semi !== -1) seg = seg.slice(0, semi);
  if (seg.includes('%')) {
    try {
      seg = decodeURIComponent(seg.replace(/%2f/gi, '%252F'));
    } catch {
      // A malformed escape is left as it is (and so matches only a route spelled that way).
    }
    const decodedSemi = seg.indexOf(';');
    if (decodedSemi !== -1) seg = seg.slice(0, decodedSemi);
  }
  return seg;
}

export function routingPath(rawPath: string): string {
  // The usual path has nothing to resolve: answer it as it is, without splitting.
  if (
    rawPath.charCodeAt(0) === 47 &&
    !rawPath.includes('%') &&
    !rawPath.includes('//') &&
    !rawPath.includes('/.') &&
    !rawPath.includes(';')
  )
    return rawPath;
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    const seg = decodeSegment(raw);
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const trailing = rawPath.length > 1 && TRAILING_SLASH.test(rawPath) && segments.length > 0 ? '/' : '';
  return `/${segments.join('/')}${trailing}`;
}

function withoutTrailingDots(host: string): string {
  let end = host.length;
  while (end > 0 && host.charCodeAt(end - 1) === 46 /* . */) end--;
  return end === host.length ? host : host.slice(0, end);
}

/**
 * The Host header's name part, lower-case, without the port and without a trailing dot
 * (`api.example.com.` is the same host to DNS, RFC 1034 §3.1, so it must meet the same route).
 * IPv6 literals keep their brackets.
 */
export function hostName(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  const h = hostHeader.toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  return withoutTrailingDots(colon === -1 ? h : h.slice(0, colon));
}
