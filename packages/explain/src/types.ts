import { CorsgateError } from 'corsgate/internal/errors.js';
import type { HeadersInput } from 'corsgate/internal/http/headers.js';
import type { PolicyOptions } from 'corsgate/internal/policy/types.js';
import type { BrowserName } from './browsers.js';
import type { NetworkErrorCode } from './events.js';

export interface ExplainInput {
  page: { origin: string; csp?: string | string[] };
  request: {
    url: string;
    method?: string;
    headers?: HeadersInput;
    credentials?: 'omit' | 'same-origin' | 'include';
    mode?: 'cors' | 'no-cors' | 'same-origin';
    body?: unknown;
    /** `fetch` (default) or `xhr`: only the console wording differs. */
    initiator?: 'fetch' | 'xhr';
  };
  /**
   * `{ notRecorded: true }`: the preflight was sent and passed, but its answer is not known (a HAR
   * without preflights); with `failed: true`, the request was never sent after it.
   */
  preflightResponse?: ResponseInput | { notRecorded: true; failed?: boolean };
  /** statusText: the reason phrase of the status line, when known (Chromium quotes it in its console). */
  response?: ResponseInput;
  /** When `response` is a redirect: the answers at each redirect target, in order. */
  redirects?: Array<{
    preflightResponse?: ResponseInput | { notRecorded: true; failed?: boolean };
    response?: ResponseInput;
  }>;
}

/**
 * A server's answer. Headers as an object, [name, value] pairs, or {name, value} objects (HAR).
 * `networkError` instead says there was no answer, and why (`connection-refused`, `name-not-resolved`,
 * `connection-reset`, `timed-out`, `empty-response`), optionally with the error's own message.
 */
export interface ResponseInput {
  status?: number;
  statusText?: string;
  headers?: HeadersInput | ReadonlyArray<{ name: string; value: string }>;
  networkError?: NetworkErrorCode | { code: NetworkErrorCode; message?: string };
}

/** A request the browser put on the network (the preflights aside). */
export interface SentRequest {
  url: string;
  method: string;
  /** The Origin header it carried; null when none. */
  origin: string | null;
}

export interface ExplainOptions {
  /** Follow the Fetch Standard where Chromium differs (see docs/explain.md). */
  spec?: boolean;
  /** The browser to model (default chromium). */
  browser?: BrowserName;
}

export type StepOutcome = 'pass' | 'fail' | 'skipped' | 'info';

export interface Step {
  id: string;
  title: string;
  outcome: StepOutcome;
  detail: string;
  /** Fetch Standard (or CSP) section that decides this step. */
  spec?: string;
}

export interface Fix {
  summary: string;
  /** Where the change goes: the server's preflight answer, its actual answer, or the page. */
  where: 'preflight response' | 'response' | 'page' | 'request';
  /** Headers to send (name → value) on that response, when the fix is a header. */
  headers?: Record<string, string>;
  /** A corsgate policy that produces the right answers. */
  policy?: PolicyOptions;
}

export interface Explanation {
  preflight: boolean;
  actualRequestSent: boolean;
  allowed: boolean;
  responseType: 'cors' | 'opaque' | 'error' | 'basic';
  exposedHeaders: string[] | null;
  console: string[];
  explanation: string;
  fix: Fix | null;
  /** One line: what happened. */
  verdict: string;
  steps: Step[];
  /** The actual request, and its follow-ups at each redirect target, as sent. */
  requests: SentRequest[];
  /**
   * When an answer the browser waits for was not given (and so was taken as a network error): the
   * request it would have sent. Live mode sends exactly this and explains again.
   */
  awaiting?: {
    kind: 'preflight' | 'response';
    hop: number;
    url: string;
    method: string;
    headers: [string, string][];
  };
  /** The (first) preflight the browser sends, when it sends one. */
  preflightRequest?: { method: 'OPTIONS'; headers: Record<string, string> };
  /** The browser build this answer models. */
  browser: { name: BrowserName; version: string };
  /**
   * How the fetch ended, in stable terms: `kind` (allowed, preflight-failed, response-failed, …), and
   * for a failure its `reason` (origin-missing, method-not-allowed, …), the value it is about (`hint`)
   * and the redirect hop (0: the request's own URL).
   */
  outcome: { kind: string; reason?: string; hint?: string; hop?: number };
  /** Where this run departed from the Fetch Standard (see docs/explain.md for each id). */
  departures: string[];
}

/** The codes of ExplainInputError (documented in docs/explain.md, "Errors"). */
export const EXPLAIN_INPUT_ERROR_CODES = [
  'input-invalid',
  'input-missing',
  'browser-invalid',
  'url-missing',
  'url-invalid',
  'origin-missing',
  'origin-invalid',
  'method-invalid',
  'mode-invalid',
  'credentials-invalid',
  'header-invalid',
  'headers-invalid',
  'status-invalid',
  'redirects-invalid',
  'network-error-invalid',
  'csp-invalid',
  'har-invalid',
  'har-unreadable',
] as const;
export type ExplainInputErrorCode = (typeof EXPLAIN_INPUT_ERROR_CODES)[number];

/** Unusable input to explain: what (`code`), where (`path`, e.g. `response.headers`) and why. */
export class ExplainInputError extends CorsgateError<ExplainInputErrorCode> {
  constructor(
    code: ExplainInputErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(code, message);
  }
}
