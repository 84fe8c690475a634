/**
 * Chromium's console texts, word for word (third_party/blink/renderer/platform/loader/cors/
 * cors_error_string.cc and services/network/public/mojom/cors.mojom, as Chromium 156 prints them).
 */

import { headerValueBytes } from 'corsgate/internal/http/headers.js';
import type { CheckFailure, FailureReason } from './checks.js';
import type { ConsoleContext, ConsoleEvent, Initiator, NetworkErrorCode, Refusal } from './events.js';

export type CorsError =
  | 'WildcardOriginNotAllowed'
  | 'MissingAllowOriginHeader'
  | 'MultipleAllowOriginValues'
  | 'InvalidAllowOriginValue'
  | 'AllowOriginMismatch'
  | 'InvalidAllowCredentials'
  | 'PreflightInvalidStatus'
  | 'PreflightDisallowedRedirect'
  | 'InvalidAllowMethodsPreflightResponse'
  | 'InvalidAllowHeadersPreflightResponse'
  | 'MethodDisallowedByPreflightResponse'
  | 'HeaderDisallowedByPreflightResponse'
  | 'RedirectContainsCredentials'
  | 'CorsDisabledScheme';

const WITH_CREDENTIALS =
  ' The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute.';
const VALID_VALUE = ' Have the server send the header with a valid value.';

/** EncodeHint: the header's bytes, printable ASCII kept and every other byte written as \u00XX. */
function encodeHint(hint: string): string {
  let out = '';
  for (const b of headerValueBytes(hint))
    out +=
      b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\u${b.toString(16).toUpperCase().padStart(4, '0')}`;
  return out;
}

export function reasonText(error: CorsError, hint: string, initiator: Initiator): string {
  const h = encodeHint(hint);
  const fetch = initiator === 'fetch';
  switch (error) {
    case 'WildcardOriginNotAllowed':
      return `The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.${fetch ? '' : WITH_CREDENTIALS}`;
    case 'MissingAllowOriginHeader':
      return "No 'Access-Control-Allow-Origin' header is present on the requested resource.";
    case 'MultipleAllowOriginValues':
      return `The 'Access-Control-Allow-Origin' header contains multiple values '${h}', but only one is allowed.${fetch ? VALID_VALUE : ''}`;
    case 'InvalidAllowOriginValue':
      return `The 'Access-Control-Allow-Origin' header contains the invalid value '${h}'.${fetch ? VALID_VALUE : ''}`;
    case 'AllowOriginMismatch':
      return `The 'Access-Control-Allow-Origin' header has a value '${h}' that is not equal to the supplied origin.${fetch ? VALID_VALUE : ''}`;
    case 'InvalidAllowCredentials':
      return `The value of the 'Access-Control-Allow-Credentials' header in the response is '${h}' which must be 'true' when the request's credentials mode is 'include'.${fetch ? '' : WITH_CREDENTIALS}`;
    case 'PreflightInvalidStatus':
      return 'It does not have HTTP ok status.';
    case 'PreflightDisallowedRedirect':
      return 'Redirect is not allowed for a preflight request.';
    case 'InvalidAllowMethodsPreflightResponse':
      return 'Cannot parse Access-Control-Allow-Methods response header field in preflight response.';
    case 'InvalidAllowHeadersPreflightResponse':
      return 'Cannot parse Access-Control-Allow-Headers response header field in preflight response.';
    case 'MethodDisallowedByPreflightResponse':
      return `Method ${h} is not allowed by Access-Control-Allow-Methods in preflight response.`;
    case 'HeaderDisallowedByPreflightResponse':
      return `Request header field ${h} is not allowed by Access-Control-Allow-Headers in preflight response.`;
    case 'RedirectContainsCredentials':
      return `Redirect location '${h}' contains a username and password, which is disallowed for cross-origin requests.`;
    case 'CorsDisabledScheme':
      return `Cross origin requests are only supported for protocol schemes: ${h}.`;
  }
}

/** The checks of a preflight response that Chromium reports with the "Response to preflight request…" prefix. */
export function isPreflightPrefixed(error: CorsError, duringPreflight: boolean): boolean {
  if (!duringPreflight) return false;
  return (
    error !== 'InvalidAllowMethodsPreflightResponse' &&
    error !== 'InvalidAllowHeadersPreflightResponse' &&
    error !== 'MethodDisallowedByPreflightResponse' &&
    error !== 'HeaderDisallowedByPreflightResponse'
  );
}

export function corsConsoleMessage(opts: {
  url: string;
  initialUrl?: string;
  pageOrigin: string;
  initiator: Initiator;
  error: CorsError;
  hint: string;
  duringPreflight: boolean;
}): string {
  const kind = opts.initiator === 'fetch' ? 'fetch' : 'XMLHttpRequest';
  const redirected =
    opts.initialUrl && opts.initialUrl !== opts.url ? `(redirected from '${opts.initialUrl}') ` : '';
  const prefix = isPreflightPrefixed(opts.error, opts.duringPreflight)
    ? "Response to preflight request doesn't pass access control check: "
    : '';
  return `Access to ${kind} at '${opts.url}' ${redirected}from origin '${opts.pageOrigin}' has been blocked by CORS policy: ${prefix}${reasonText(opts.error, opts.hint, opts.initiator)}`;
}

/** Chromium's net error for a request that got no answer. */
const NET_ERRORS: Record<NetworkErrorCode, string> = {
  'connection-refused': 'ERR_CONNECTION_REFUSED',
  'name-not-resolved': 'ERR_NAME_NOT_RESOLVED',
  'connection-reset': 'ERR_CONNECTION_RESET',
  'timed-out': 'ERR_TIMED_OUT',
  'empty-response': 'ERR_EMPTY_RESPONSE',
};

const REDIRECT_ERRORS = {
  'bad-location': 'ERR_INVALID_REDIRECT',
  'not-http': 'ERR_UNSAFE_REDIRECT',
  'too-many': 'ERR_TOO_MANY_REDIRECTS',
} as const;

/** Cross origin requests are only supported for these schemes (Chromium 156 headless). */
const CORS_SCHEMES = 'chrome, chrome-extension, chrome-untrusted, data, http, https, isolated-app';

/** Chromium's CorsError for each failure (services/network/public/mojom/cors.mojom). */
const CORS_ERRORS: Record<FailureReason, CorsError> = {
  'origin-wildcard-with-credentials': 'WildcardOriginNotAllowed',
  'origin-missing': 'MissingAllowOriginHeader',
  'origin-multiple': 'MultipleAllowOriginValues',
  'origin-invalid': 'InvalidAllowOriginValue',
  'origin-mismatch': 'AllowOriginMismatch',
  'credentials-not-true': 'InvalidAllowCredentials',
  'preflight-status': 'PreflightInvalidStatus',
  'preflight-redirect': 'PreflightDisallowedRedirect',
  'methods-unparsable': 'InvalidAllowMethodsPreflightResponse',
  'headers-unparsable': 'InvalidAllowHeadersPreflightResponse',
  'method-not-allowed': 'MethodDisallowedByPreflightResponse',
  'header-not-allowed': 'HeaderDisallowedByPreflightResponse',
};

/** The failed parameter Chromium quotes: none for the unparsable lists and the status. */
function chromiumHint(failure: CheckFailure): string {
  return failure.reason === 'methods-unparsable' || failure.reason === 'headers-unparsable'
    ? ''
    : failure.hint;
}

/** Chromium's console lines for one event, in the order it prints them. */
export function chromiumLines(e: ConsoleEvent, ctx: ConsoleContext): string[] {
  const cors = (url: string, error: CorsError, hint: string, duringPreflight: boolean) => [
    corsConsoleMessage({
      url,
      initialUrl: ctx.initialUrl,
      pageOrigin: ctx.pageOrigin,
      initiator: ctx.initiator,
      error,
      hint,
      duringPreflight,
    }),
    NET_ERR_FAILED,
  ];
  switch (e.kind) {
    case 'csp':
      return cspConsoleMessages(e.url, e.violations, ctx.initiator);
    case 'mode':
      return [
        `Fetch API cannot load ${e.url}. Request mode is "same-origin" but the URL's origin is not same as the request origin ${ctx.pageOrigin}.`,
      ];
    case 'scheme':
      return cors(e.url, 'CorsDisabledScheme', CORS_SCHEMES, false);
    case 'cors':
      return cors(e.url, CORS_ERRORS[e.failure.reason], chromiumHint(e.failure), e.phase === 'preflight');
    case 'no-answer':
      return [netErrorMessage(NET_ERRORS[e.networkError ?? 'empty-response'])];
    case 'http-status': {
      const line = httpErrorMessage(e.status, e.statusText);
      return line ? [line] : [];
    }
    case 'corp':
      return [
        netErrorMessage(
          `ERR_BLOCKED_BY_RESPONSE.${e.policy === 'same-origin' ? 'NotSameOrigin' : 'NotSameSite'}`,
        ),
      ];
    case 'redirect':
      return e.reason === 'credentials'
        ? cors(e.url, 'RedirectContainsCredentials', '', false)
        : [netErrorMessage(REDIRECT_ERRORS[e.reason])];
    case 'authorization-wildcard':
      // Chromium records it for a DevTools issue only; the console stays silent.
      return [];
  }
}

/** The exception Chromium throws for a request it refuses to build (the explanation quotes it). */
export function chromiumTypeError(r: Refusal, initiator: Initiator): string {
  const prefix =
    initiator === 'xhr'
      ? "SyntaxError: Failed to execute 'open' on 'XMLHttpRequest'"
      : "TypeError: Failed to execute 'fetch' on 'Window'";
  return `${prefix}: ${REFUSALS[r.code](r as never)}`;
}

const REFUSALS: { [K in Refusal['code']]: (r: Extract<Refusal, { code: K }>) => string } = {
  'method-invalid': (r) => `'${r.method}' is not a valid HTTP method.`,
  'method-forbidden': (r) => `'${r.method}' HTTP method is unsupported.`,
  'header-name-invalid': (r) => `'${r.name}' is not a valid HTTP header field name.`,
  'header-value-invalid': (r) => `'${r.value}' is not a valid HTTP header field value.`,
  'header-value-not-latin1': () =>
    "Failed to read the 'headers' property from 'RequestInit': String contains non ISO-8859-1 code point.",
  'no-cors-method': (r) => `'${r.method}' is unsupported in no-cors mode.`,
  'body-with-get-or-head': () => 'Request with GET/HEAD method cannot have body.',
};

/** Chromium logs every failed load once more, from the network layer. */
export const NET_ERR_FAILED = 'Failed to load resource: net::ERR_FAILED';

/** The network layer's line for a load that failed with a net error other than a CORS one. */
export function netErrorMessage(code: string): string {
  return `Failed to load resource: net::${code}`;
}

export function cspConsoleMessages(
  url: string,
  violations: { directiveText: string; fallback: boolean }[],
  initiator: Initiator,
): string[] {
  const out = violations.map(
    (v) =>
      `Connecting to '${url}' violates the following Content Security Policy directive: "${v.directiveText}".${v.fallback ? " Note that 'connect-src' was not explicitly set, so 'default-src' is used as a fallback." : ''} The action has been blocked.`,
  );
  if (initiator === 'fetch')
    out.push(
      `Fetch API cannot load ${url}. Refused to connect because it violates the document's Content Security Policy.`,
    );
  return out;
}

const REASON_PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  418: "I'm a Teapot",
  421: 'Misdirected Request',
  422: 'Unprocessable Entity',
  423: 'Locked',
  424: 'Failed Dependency',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  509: 'Bandwidth Limit Exceeded',
  510: 'Not Extended',
  511: 'Network Authentication Required',
};

/**
 * Chromium logs every delivered 4xx/5xx response from the network layer. The phrase is the one on the
 * server's status line; without it, the standard phrase is assumed.
 */
export function httpErrorMessage(status: number, statusText?: string): string | null {
  if (status < 400) return null;
  const phrase = statusText ?? REASON_PHRASES[status];
  return `Failed to load resource: the server responded with a status of ${status}${phrase ? ` (${phrase})` : ''}`;
}
