/**
 * Does the page's Content-Security-Policy let it connect to a URL? (CSP Level 3: the effective
 * directive for fetch() is `connect-src`, falling back to `default-src`; §6.7.2 "Does url match
 * source list", with its scheme upgrades). A header may carry several policies joined by commas;
 * every one of them must allow the request. Policies are read by the one spec parser (src/csp).
 */
import { parsePolicyList } from 'corsgate/internal/csp/parse.js';
import { DEFAULT_PORTS } from 'corsgate/internal/http/url.js';

export interface CspViolation {
  /** The directive as written, e.g. `connect-src 'self'`. */
  directiveText: string;
  /** True when `default-src` was used because `connect-src` was absent. */
  fallback: boolean;
  /** The directive's name (lower-cased) and its source expressions as written. */
  name: string;
  sources: string[];
}

/** The default port of the URL's scheme, as text (undefined when the scheme has none). */
const defaultPort = (url: URL): string | undefined => DEFAULT_PORTS[url.protocol.slice(0, -1)]?.toString();

function schemeMatches(expression: string, url: string): boolean {
  // §6.7.2.7 scheme-part match, with the secure upgrades.
  if (expression === url) return true;
  return (
    (expression === 'http:' && url === 'https:') ||
    (expression === 'ws:' && (url === 'wss:' || url === 'http:' || url === 'https:')) ||
    (expression === 'wss:' && url === 'https:')
  );
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern === host;
}

function portMatches(pattern: string | null, url: URL): boolean {
  const urlPort = url.port || defaultPort(url) || '';
  if (pattern === '*') return true;
  if (pattern === null) return urlPort === defaultPort(url);
  if (pattern === urlPort) return true;
  return pattern === '80' && urlPort === '443' && (url.protocol === 'https:' || url.protocol === 'wss:');
}

function matchesExpression(expression: string, url: URL, self: URL): boolean {
  const e = expression.toLowerCase();
  if (e === '*')
    return (
      ['http:', 'https:', 'ws:', 'wss:', 'ftp:'].includes(url.protocol) || url.protocol === self.protocol
    );
  if (e === "'self'") {
    if (url.origin === self.origin) return true;
    // Secure upgrades of the page's own host and port.
    if (url.hostname !== self.hostname) return false;
    const samePort = (url.port || defaultPort(url)) === (self.port || defaultPort(self));
    const upgrade =
      (self.protocol === 'http:' &&
        (url.protocol === 'https:' || url.protocol === 'wss:' || url.protocol === 'ws:')) ||
      (self.protocol === 'https:' && url.protocol === 'wss:');
    return upgrade && (samePort || url.protocol === 'https:' || url.protocol === 'wss:');
  }
  if (e.startsWith("'")) return false; // nonces, hashes, 'none', 'unsafe-*': no URL matches them
  if (/^[a-z][a-z0-9+.-]*:$/.test(e)) return schemeMatches(e, url.protocol);
  const m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*|\*\.[^/:]+|[^/:*]+)(?::(\*|\d+))?(\/.*)?$/.exec(e);
  if (!m) return false;
  const [, scheme, host, port, path] = m;
  if (scheme !== undefined) {
    if (!schemeMatches(`${scheme}:`, url.protocol)) return false;
  } else if (!schemeMatches(self.protocol, url.protocol)) {
    return false;
  }
  if (host !== '*' && !hostMatches(host!, url.hostname)) return false;
  if (!portMatches(port ?? null, url)) return false;
  if (path !== undefined && path !== '') {
    const urlPath = decodeURIComponent(url.pathname);
    if (path.endsWith('/') ? !urlPath.startsWith(path) : urlPath !== path) return false;
  }
  return true;
}

/** Returns every policy's violation for connecting to `url` from a page at `pageOrigin` (none: allowed). */
export function connectViolations(
  csp: string | readonly string[] | undefined,
  url: URL,
  pageOrigin: string,
): CspViolation[] {
  if (csp === undefined) return [];
  const policies = parsePolicyList(typeof csp === 'string' ? csp : [...csp]);
  let self: URL;
  try {
    self = new URL(pageOrigin);
  } catch {
    return [];
  }
  const violations: CspViolation[] = [];
  for (const { directives } of policies) {
    const connect = directives.get('connect-src');
    const directive = connect ?? directives.get('default-src');
    if (!directive) continue;
    const allowed = directive.values.some((s) => matchesExpression(s, url, self));
    // Chromium quotes the directive as `<name lower-cased> <value as written>` (a space even when empty).
    if (!allowed)
      violations.push({
        directiveText: `${directive.name} ${directive.text}`,
        fallback: connect === undefined,
        name: directive.name,
        sources: [...directive.values],
      });
  }
  return violations;
}
