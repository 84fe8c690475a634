/**
 * Observatory v6's redirection test (mdn/mdn-http-observatory src/analyzer/tests/redirection.js),
 * over the whole http:// chain: where it ends, where its first hop goes, and whether that hop stays
 * on the host.
 */
import { outcome, type TestResult } from './scores.js';
import type { ObservatoryInput } from './types.js';

/** The URLs of the http:// fetch, first to last, each Location resolved against the URL it came from. */
export function routeOf(input: ObservatoryInput): URL[] | null {
  const hops = input.httpRedirects;
  if (hops === undefined) return null;
  if (hops.length === 0) return [];
  const start = new URL(hops[0]!.url ?? `http://${new URL(input.response.url).host}/`);
  const route = [start];
  for (const hop of hops) {
    if (hop.location === null || hop.status < 300 || hop.status > 399) break;
    try {
      route.push(new URL(hop.location, route[route.length - 1]));
    } catch {
      break;
    }
  }
  return route;
}

export function redirectionTest(input: ObservatoryInput): TestResult | null {
  const name = 'redirection';
  const page = new URL(input.response.url);
  // An http:// page that was not followed as a chain: it did not redirect anywhere.
  const route = routeOf(input) ?? (page.protocol === 'http:' ? [page] : null);
  if (route === null) return null; // not fetched (offline, or a non-default https port)
  if (route.length === 0) return outcome(name, 'redirection-not-needed-no-http', true);
  if (route.length === 1) return outcome(name, 'redirection-missing', false);
  if (route[route.length - 1]!.protocol !== 'https:') return outcome(name, 'redirection-not-to-https', false);
  if (route[1]!.protocol === 'http:')
    return outcome(name, 'redirection-not-to-https-on-initial-redirection', false);
  if (route[0]!.hostname !== route[1]!.hostname)
    return outcome(name, 'redirection-off-host-from-http', false);
  return outcome(name, 'redirection-to-https', true);
}
