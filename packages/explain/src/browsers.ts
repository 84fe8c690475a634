/**
 * The browsers explain models, as data: where each one departs from the Fetch Standard. The
 * algorithm functions (request.ts, preflight.ts, checks.ts, redirect.ts) read these switches instead
 * of branching on a browser's name, and every switch is a rule a `differences` entry can name.
 */

export type BrowserName = 'chromium' | 'firefox';

/** How a browser decides which request headers need a preflight (#cors-unsafe-request-header-names). */
export interface SafelistRules {
  /** Chromium's client-hint names (DPR, Width, …), safelisted with their value rules. */
  clientHints: boolean;
  /** A repeated header judged on its combined value `a, b` (Chromium) rather than entry by entry. */
  combineRepeated: boolean;
  /** The 1024-byte total of safelisted values, past which all of them need a preflight. */
  totalLimit: boolean;
  /** Any byte ≥ 0x80 in Accept or Content-Type is CORS-unsafe (Firefox), beyond the Standard's list. */
  nonAsciiUnsafe: boolean;
  /** The unsafe names are de-duplicated (the Standard, Chromium); Firefox repeats a repeated name. */
  dedupe: boolean;
}

export interface BrowserModel {
  name: BrowserName;
  /** The build the differential tests were run against. */
  version: string;
  /** Display name in prose. */
  label: string;
  safelist: SafelistRules;
  /** `*` in Access-Control-Allow-Headers covers Authorization (both browsers, deprecated); the Standard says no. */
  authorizationCoveredByWildcard: boolean;
  /**
   * How #cors-check names a failure: Chromium by the value's look (a space or comma: several values;
   * not a URL: invalid), Firefox by counting Access-Control-Allow-Origin lines first.
   */
  corsCheckOrder: 'chromium' | 'firefox';
  /**
   * Order in which the request headers are checked against the preflight's grants; the first refused
   * one is named. Chromium: its header table's order (blink-header-order.ts); Firefox: sorted names.
   */
  headerCheckOrder: 'blink-header-map' | 'sorted';
  /** Preflight checks: Chromium refuses a redirect before reading headers; Firefox checks the origin first. */
  preflightRedirectFirst: boolean;
  /** Chromium parses both grant lists before checking either; Firefox checks the method before it parses the headers. */
  parseGrantsFirst: boolean;
  /**
   * Firefox keeps the original request's unsafe header names for every redirect hop (less those a
   * redirect removed), so a request preflighted for its headers is preflighted again at each hop,
   * where the Standard decides again from the request as it is.
   */
  repreflightAfterRedirect: boolean;
  /** Firefox sends (and checks) a redirected request's preflight with the page's origin, not `null`. */
  preflightOriginUntainted: boolean;
  /** What script sees when fetch() fails on the network. */
  fetchFailure: string;
  /** Chromium's Local Network Access permission gate (shown as an information step). */
  localNetworkAccess: boolean;
}

export const CHROMIUM: BrowserModel = {
  name: 'chromium',
  version: '156.0.8078.114',
  label: 'Chromium',
  safelist: {
    clientHints: true,
    combineRepeated: true,
    totalLimit: true,
    nonAsciiUnsafe: false,
    dedupe: true,
  },
  authorizationCoveredByWildcard: true,
  corsCheckOrder: 'chromium',
  headerCheckOrder: 'blink-header-map',
  preflightRedirectFirst: true,
  parseGrantsFirst: true,
  repreflightAfterRedirect: false,
  preflightOriginUntainted: false,
  fetchFailure: 'TypeError: Failed to fetch',
  localNetworkAccess: true,
};

export const FIREFOX: BrowserModel = {
  name: 'firefox',
  version: '153.8.0esr',
  label: 'Firefox',
  safelist: {
    clientHints: false,
    combineRepeated: false,
    totalLimit: false,
    nonAsciiUnsafe: true,
    dedupe: false,
  },
  authorizationCoveredByWildcard: true,
  corsCheckOrder: 'firefox',
  headerCheckOrder: 'sorted',
  preflightRedirectFirst: false,
  parseGrantsFirst: false,
  repreflightAfterRedirect: true,
  preflightOriginUntainted: true,
  fetchFailure: 'TypeError: NetworkError when attempting to fetch resource.',
  localNetworkAccess: false,
};

export const BROWSERS: Record<BrowserName, BrowserModel> = { chromium: CHROMIUM, firefox: FIREFOX };

/** The Standard's rules where a browser departs from it on the points `--spec` covers. */
export function specVariant(model: BrowserModel): BrowserModel {
  return {
    ...model,
    safelist: {
      clientHints: false,
      combineRepeated: false,
      totalLimit: true,
      nonAsciiUnsafe: false,
      dedupe: true,
    },
    authorizationCoveredByWildcard: false,
  };
}

/**
 * The points where a browser departs from the Fetch Standard, as the simulation notes them; a
 * `differences` entry between two browsers quotes the departures behind it.
 */
export const DEPARTURES: Record<string, { browser: BrowserName | 'both'; text: string }> = {
  'client-hints': {
    browser: 'chromium',
    text: 'Chromium safelists the client-hint request headers (DPR, Width, Viewport-Width, Device-Memory, RTT, Downlink, ECT, Save-Data, Intervention) with valid values, so they need no preflight; Firefox, like the Fetch Standard, preflights them.',
  },
  'combine-repeated': {
    browser: 'chromium',
    text: 'Chromium judges a repeated request header on its combined value (`a, b`); Firefox and the Fetch Standard judge each value on its own, so the 128-byte limit and the value rules can decide differently.',
  },
  'no-total-limit': {
    browser: 'firefox',
    text: 'Firefox has no 1024-byte limit on the total of the safelisted header values; Chromium and the Fetch Standard preflight all of them past it.',
  },
  'non-ascii': {
    browser: 'firefox',
    text: 'Firefox treats any byte from 0x80 in Accept or Content-Type as CORS-unsafe, so such a value needs a preflight; Chromium and the Fetch Standard do not.',
  },
  'repeated-names': {
    browser: 'firefox',
    text: 'Firefox names a repeated unsafe header once per value in Access-Control-Request-Headers (x-a,x-a); Chromium sends each name once.',
  },
  repreflight: {
    browser: 'firefox',
    text: "Firefox preflights every redirect hop of a request it preflighted for its headers, with the first request's header names; Chromium decides again at each hop from the request as it then is (a redirect to another origin drops Authorization, a 303 the body headers).",
  },
  'preflight-origin': {
    browser: 'firefox',
    text: "At a redirect hop after the origin turned opaque, Firefox sends the preflight with the page's origin and checks its answer against that origin (the request itself carries Origin: null); Chromium sends and checks Origin: null.",
  },
  'preflight-same-origin': {
    browser: 'firefox',
    text: "Firefox does not CORS-check a redirected request's preflight when it goes to the page's own origin.",
  },
  'authorization-wildcard': {
    browser: 'both',
    text: "Both browsers let `*` in Access-Control-Allow-Headers cover Authorization, which the Fetch Standard forbids; Firefox logs a 'Cross-Origin Request Warning' that it will stop doing so, Chromium only a DevTools issue.",
  },
};
