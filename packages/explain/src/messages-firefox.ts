/**
 * Firefox's console texts, word for word, as Firefox 153 ESR prints them: the templates of its
 * en-US security.properties, csp.properties, caps.properties and necko.properties (keys below are
 * Firefox's own, which its console also uses as each message's category), and the order in which
 * netwerk/protocol/http/nsCORSListenerProxy.cpp logs them.
 */
import { HASH_SOURCE, isSchemeSource, NONCE_SOURCE, normalizeSource } from 'corsgate/internal/csp/parse.js';
import { headerValueBytes } from 'corsgate/internal/http/headers.js';
import type { CheckFailure, FailureReason } from './checks.js';
import type { CspViolation } from './csp.js';
import type { ConsoleContext, ConsoleEvent, Initiator, Refusal } from './events.js';

const BLOCKED =
  'Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at';

/** %1$S is the request's URL, %2$S the message's parameter ("(null)" when the browser passes none). */
export const FIREFOX_MESSAGES = {
  CORSDidNotSucceed2: `${BLOCKED} %1$S. (Reason: CORS request did not succeed). Status code: %2$S.`,
  CORSExternalRedirectNotAllowed: `${BLOCKED} %1$S. (Reason: CORS request external redirect not allowed).`,
  CORSRequestNotHttp: `${BLOCKED} %1$S. (Reason: CORS request not http).`,
  CORSMissingAllowOrigin2: `${BLOCKED} %1$S. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: %2$S.`,
  CORSMultipleAllowOriginNotAllowed: `${BLOCKED} %1$S. (Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed).`,
  CORSAllowOriginNotMatchingOrigin: `${BLOCKED} %1$S. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘%2$S’).`,
  CORSNotSupportingCredentials: `${BLOCKED} ‘%1$S’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’).`,
  CORSMethodNotFound: `${BLOCKED} %1$S. (Reason: Did not find method in CORS header ‘Access-Control-Allow-Methods’).`,
  CORSMissingAllowCredentials: `${BLOCKED} %1$S. (Reason: expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’).`,
  CORSPreflightDidNotSucceed3: `${BLOCKED} %1$S. (Reason: CORS preflight response did not succeed). Status code: %2$S.`,
  CORSInvalidAllowMethod: `${BLOCKED} %1$S. (Reason: invalid token ‘%2$S’ in CORS header ‘Access-Control-Allow-Methods’).`,
  CORSInvalidAllowHeader: `${BLOCKED} %1$S. (Reason: invalid token ‘%2$S’ in CORS header ‘Access-Control-Allow-Headers’).`,
  CORSMissingAllowHeaderFromPreflight2: `${BLOCKED} %1$S. (Reason: header ‘%2$S’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response).`,
  CORSAllowHeaderFromPreflightDeprecation:
    'Cross-Origin Request Warning: The Same Origin Policy will disallow reading the remote resource at %1$S soon. (Reason: When the `Access-Control-Allow-Headers` is `*`, the `Authorization` header is not covered. To include the `Authorization` header, it must be explicitly listed in CORS header `Access-Control-Allow-Headers`).',
  BlockRedirectToDataURI: 'Redirecting to data: URI not allowed (Blocked loading of: “%1$S”)',
  CSPGenericViolation:
    'Content-Security-Policy: The page’s settings blocked the loading of a resource (%3$S) at %2$S because it violates the following directive: “%1$S”',
  CheckSameOriginError: 'Security Error: Content at %1$S may not load data from %2$S.',
  CheckLoadURIError: 'Security Error: Content at %1$S may not load or link to %2$S.',
  CORPBlocked:
    'The resource at “%1$S” was blocked due to its Cross-Origin-Resource-Policy header (or lack thereof). See %2$S',
} as const;

export type FirefoxKey = keyof typeof FIREFOX_MESSAGES;

/** nsContentUtils::FormatLocalizedString: %n$S is the n-th parameter. */
export function firefoxMessage(key: FirefoxKey, ...params: string[]): string {
  return FIREFOX_MESSAGES[key].replace(/%(\d)\$S/g, (_, n: string) => params[Number(n) - 1] ?? '');
}

/** Firefox's message key for each failure, and the parameter it quotes. */
const FAILURE_KEYS: Record<FailureReason, FirefoxKey> = {
  'origin-wildcard-with-credentials': 'CORSNotSupportingCredentials',
  'origin-missing': 'CORSMissingAllowOrigin2',
  'origin-multiple': 'CORSMultipleAllowOriginNotAllowed',
  'origin-invalid': 'CORSAllowOriginNotMatchingOrigin',
  'origin-mismatch': 'CORSAllowOriginNotMatchingOrigin',
  'credentials-not-true': 'CORSMissingAllowCredentials',
  'preflight-status': 'CORSPreflightDidNotSucceed3',
  'preflight-redirect': 'CORSExternalRedirectNotAllowed',
  'methods-unparsable': 'CORSInvalidAllowMethod',
  'headers-unparsable': 'CORSInvalidAllowHeader',
  'method-not-allowed': 'CORSMethodNotFound',
  'header-not-allowed': 'CORSMissingAllowHeaderFromPreflight2',
};

const UTF8 = new TextDecoder('utf-8');

/** A header value as Firefox quotes it: its bytes read as UTF-8 (NS_ConvertUTF8toUTF16), bad bytes as U+FFFD. */
function quoted(value: string): string {
  return UTF8.decode(new Uint8Array(headerValueBytes(value)));
}

function failureLine(url: string, failure: CheckFailure, status: number): string {
  const key = FAILURE_KEYS[failure.reason];
  switch (failure.reason) {
    case 'origin-missing':
    case 'preflight-status':
      return firefoxMessage(key, url, String(status));
    case 'origin-mismatch':
    case 'origin-invalid':
      return firefoxMessage(key, url, quoted(failure.hint));
    default:
      return firefoxMessage(key, url, failure.hint);
  }
}

/** The request failed (it was cancelled, or never answered): the line Firefox adds for the request itself. */
function didNotSucceed(url: string): string {
  return firefoxMessage('CORSDidNotSucceed2', url, '(null)');
}

const KEYWORDS = new Set([
  "'self'",
  "'none'",
  "'unsafe-inline'",
  "'unsafe-eval'",
  "'strict-dynamic'",
  "'unsafe-hashes'",
  "'report-sample'",
  "'wasm-unsafe-eval'",
  "'unsafe-allow-redirects'",
  "'inline-speculation-rules'",
]);

/**
 * A source expression as Firefox's CSP parser keeps and prints it (nsCSPUtils toString): keywords
 * and schemes lower-cased, a host-source's scheme and host too (its path as written); null when it
 * drops the token (an unknown keyword, something that is not a source).
 */
function firefoxSource(token: string): string | null {
  const source = normalizeSource(token);
  if (source.startsWith("'"))
    return KEYWORDS.has(source) || NONCE_SOURCE.test(source) || HASH_SOURCE.test(source) ? source : null;
  if (source === '*' || isSchemeSource(source)) return source;
  const host = /^((?:[a-z][a-z0-9+.-]*:\/\/)?)(\*|\*\.[^/:]+|[^/:*]+)((?::(?:\*|\d+))?)(\/.*)?$/i.exec(token);
  return host ? `${host[1]!.toLowerCase()}${host[2]!.toLowerCase()}${host[3]}${host[4] ?? ''}` : null;
}

/** A directive as Firefox prints it: name, then its kept sources one space apart; none left is 'none'. */
export function firefoxDirective(v: Pick<CspViolation, 'name' | 'sources'>): string {
  const sources = v.sources.map(firefoxSource).filter((s): s is string => s !== null);
  return `${v.name} ${sources.length ? sources.join(' ') : "'none'"}`;
}

const CORP_HELP = 'https://developer.mozilla.org/docs/Web/HTTP/Cross-Origin_Resource_Policy_(CORP)#';

/** Firefox's console lines for one event, errors and warnings, in the order its web console shows them. */
export function firefoxLines(e: ConsoleEvent, ctx: ConsoleContext): string[] {
  switch (e.kind) {
    case 'csp':
      return e.violations.map((v) =>
        firefoxMessage('CSPGenericViolation', firefoxDirective(v), e.url, 'connect-src'),
      );
    case 'mode':
      return [firefoxMessage('CheckSameOriginError', `${ctx.pageOrigin}/`, e.url)];
    case 'scheme':
      if (e.url.startsWith('file:'))
        return [firefoxMessage('CheckLoadURIError', `${ctx.pageOrigin}/`, e.url)];
      return e.url.startsWith('ws:') || e.url.startsWith('wss:')
        ? []
        : [firefoxMessage('CORSRequestNotHttp', e.url)];
    case 'cors':
      return corsLines(e);
    case 'no-answer':
      if (!e.cors) return [];
      if (e.what === 'preflight') return [didNotSucceed(e.url), didNotSucceed(e.url)];
      // After a preflight, Firefox reads the missing answer's headers as a second Access-Control-Allow-Origin.
      return [
        e.afterPreflight ? firefoxMessage('CORSMultipleAllowOriginNotAllowed', e.url) : didNotSucceed(e.url),
      ];
    case 'http-status':
      return [];
    case 'corp':
      return [firefoxMessage('CORPBlocked', e.url, CORP_HELP)];
    case 'redirect':
      if (!e.cors) return [];
      return e.reason === 'not-http' && e.location.toLowerCase().startsWith('data:')
        ? [firefoxMessage('BlockRedirectToDataURI', e.location), didNotSucceed(e.url)]
        : [didNotSucceed(e.url)];
    case 'authorization-wildcard':
      return [firefoxMessage('CORSAllowHeaderFromPreflightDeprecation', e.url)];
  }
}

/**
 * A CORS failure. The request's own listener reports a failed preflight once more ("did not
 * succeed"); a redirect answer is checked when the redirect is seen and then again, failed.
 */
function corsLines(e: Extract<ConsoleEvent, { kind: 'cors' }>): string[] {
  const line = failureLine(e.url, e.failure, e.status);
  if (e.phase === 'response') return [line];
  if (e.phase === 'redirect') return [line, didNotSucceed(e.url)];
  if (e.failure.reason === 'preflight-redirect')
    return [
      line,
      firefoxMessage('CORSPreflightDidNotSucceed3', e.url, String(e.status)),
      didNotSucceed(e.url),
    ];
  return e.redirected ? [line, didNotSucceed(e.url), didNotSucceed(e.url)] : [line, didNotSucceed(e.url)];
}

/** The first code unit above U+00FF: where it is and what it is, as WebIDL's ByteString conversion reports it. */
function notLatin1(value: string): string {
  let index = 0;
  while (index < value.length && value.charCodeAt(index) <= 0xff) index++;
  return `to ByteString because the character at index ${index} has value ${value.charCodeAt(index)} which is greater than 255.`;
}

/** The exception Firefox throws for a request it refuses to build (fetch() a TypeError; XMLHttpRequest its own). */
export function firefoxTypeError(r: Refusal, initiator: Initiator): string {
  if (initiator === 'xhr') {
    switch (r.code) {
      case 'method-invalid':
        return 'SyntaxError: An invalid or illegal string was specified';
      case 'method-forbidden':
        return 'SecurityError: The operation is insecure.';
      case 'header-name-invalid':
      case 'header-value-invalid':
        return 'SyntaxError: Invalid header name.';
      case 'header-value-not-latin1':
        return `TypeError: XMLHttpRequest.setRequestHeader: Cannot convert argument 2 ${notLatin1(r.value)}`;
      default:
        break;
    }
  }
  const union = '(sequence<sequence<ByteString>> or record<ByteString, ByteString>)';
  switch (r.code) {
    case 'method-invalid':
    case 'method-forbidden':
    case 'no-cors-method':
      return `TypeError: Window.fetch: Invalid request method ${r.method}.`;
    case 'header-name-invalid':
      return `TypeError: Window.fetch: ${r.name.toLowerCase()} is an invalid header name.`;
    case 'header-value-invalid':
      return `TypeError: Window.fetch: ${r.value} is an invalid header value.`;
    case 'header-value-not-latin1':
      return `TypeError: Window.fetch: Cannot convert ${r.headersAsRecord ? 'value in record<ByteString, ByteString>' : 'element of element of sequence<sequence<ByteString>>'} branch of ${union} ${notLatin1(r.value)}`;
    case 'body-with-get-or-head':
      return 'TypeError: Window.fetch: HEAD or GET Request cannot have a body.';
  }
}
