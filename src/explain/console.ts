/**
 * What happens that a browser reports in its console, as events the Fetch-algorithm functions
 * emit. Each browser turns an event into its own lines (messages.ts for Chromium, messages-firefox.ts
 * for Firefox), so the algorithm stays one and the wording stays in one table per browser.
 */
import type { BrowserModel } from './browsers.js';
import type { CheckFailure } from './checks.js';
import type { CspViolation } from './csp.js';
import { chromiumLines, type Initiator } from './messages.js';
import { firefoxLines } from './messages-firefox.js';

export type ConsoleEvent =
  /** The page's CSP refused the connection (one entry per violated policy). */
  | { kind: 'csp'; url: string; violations: CspViolation[] }
  /** mode "same-origin" and a cross-origin URL. */
  | { kind: 'mode'; url: string }
  /** A URL whose scheme has no CORS (#main-fetch: not an HTTP(S) scheme). */
  | { kind: 'scheme'; url: string }
  /**
   * A CORS failure: of the preflight, of a redirect response, or of the final response.
   * `status` is the failing response's; `redirected` says the failing preflight answer was a redirect.
   */
  | { kind: 'cors'; url: string; failure: CheckFailure; phase: 'preflight' | 'redirect' | 'response'; status: number; redirected?: boolean }
  /** A request that got no answer: the server closed the connection, or `networkError` says why. */
  | { kind: 'no-answer'; url: string; what: 'preflight' | 'response'; cors: boolean; afterPreflight: boolean; networkError?: NetworkErrorCode }
  /** A delivered 4xx/5xx response. */
  | { kind: 'http-status'; status: number; statusText: string | undefined }
  /** Cross-Origin-Resource-Policy withheld an opaque response. */
  | { kind: 'corp'; url: string; policy: 'same-origin' | 'same-site' }
  /** A redirect the browser refuses to follow. */
  | { kind: 'redirect'; url: string; reason: RedirectFailure; location: string; cors: boolean }
  /** `*` in Access-Control-Allow-Headers let Authorization through (deprecated). */
  | { kind: 'authorization-wildcard'; url: string };

export type RedirectFailure = 'bad-location' | 'not-http' | 'too-many' | 'credentials';

/** Why a request got no answer; live mode learns it from the socket. */
export type NetworkErrorCode = 'connection-refused' | 'name-not-resolved' | 'connection-reset' | 'timed-out' | 'empty-response';

export const NETWORK_ERROR_CODES: readonly NetworkErrorCode[] = ['connection-refused', 'name-not-resolved', 'connection-reset', 'timed-out', 'empty-response'];

/** What every line of one request shares: the page it runs in and how it was started. */
export interface ConsoleContext {
  pageOrigin: string;
  initiator: Initiator;
  initialUrl: string;
}

export function consoleLines(model: BrowserModel, event: ConsoleEvent, ctx: ConsoleContext): string[] {
  switch (model.name) {
    case 'chromium':
      return chromiumLines(event, ctx);
    case 'firefox':
      return firefoxLines(event, ctx);
  }
}
