/**
 * The vocabulary the Fetch-algorithm functions and the two browsers' wording tables share: the
 * events a browser reports in its console, why a request is refused before it is sent, and what
 * every line of one request has in common. Types only (and one list), so that the algorithm, the
 * wording and the outcome table can all import it without importing one another.
 */
import type { CheckFailure } from './checks.js';
import type { CspViolation } from './csp.js';

/** How the request was started: fetch() or XMLHttpRequest (the messages differ). */
export type Initiator = 'fetch' | 'xhr';

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
  | {
      kind: 'cors';
      url: string;
      failure: CheckFailure;
      phase: 'preflight' | 'redirect' | 'response';
      status: number;
      redirected?: boolean;
    }
  /** A request that got no answer: the server closed the connection, or `networkError` says why. */
  | {
      kind: 'no-answer';
      url: string;
      what: 'preflight' | 'response';
      cors: boolean;
      afterPreflight: boolean;
      networkError?: NetworkErrorCode;
    }
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
export type NetworkErrorCode =
  'connection-refused' | 'name-not-resolved' | 'connection-reset' | 'timed-out' | 'empty-response';

export const NETWORK_ERROR_CODES: readonly NetworkErrorCode[] = [
  'connection-refused',
  'name-not-resolved',
  'connection-reset',
  'timed-out',
  'empty-response',
];

/** What every line of one request shares: the page it runs in and how it was started. */
export interface ConsoleContext {
  pageOrigin: string;
  initiator: Initiator;
  initialUrl: string;
}

/** Why fetch() (or XMLHttpRequest) refuses to build the request; nothing is sent. */
export type Refusal =
  | { code: 'method-invalid'; method: string }
  | { code: 'method-forbidden'; method: string }
  | { code: 'header-name-invalid'; name: string }
  | { code: 'header-value-invalid'; name: string; value: string }
  /** `headersAsRecord`: the headers were given as an object (Firefox words the error by the shape). */
  | { code: 'header-value-not-latin1'; name: string; value: string; headersAsRecord: boolean }
  | { code: 'no-cors-method'; method: string }
  | { code: 'body-with-get-or-head'; method: string };
