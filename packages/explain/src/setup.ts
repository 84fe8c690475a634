/**
 * Before anything leaves the browser: building the request (#dom-request, as fetch() and
 * XMLHttpRequest do it), the page's Content-Security-Policy (CSP3 connect-src), and Chromium's
 * Local Network Access notice.
 */
import { isToken, type HeaderList } from 'corsgate/internal/http/headers.js';
import { connectViolations } from './csp.js';
import type { Refusal } from './events.js';
import type { Outcome } from './outcomes.js';
import {
  isForbiddenMethod,
  isForbiddenRequestHeader,
  isNoCorsSafelistedRequestHeader,
  isSafelistedMethod,
  normalizeMethod,
} from './request.js';
import { addressSpaceOf } from './sites.js';
import type { FetchContext } from './trace.js';

/** The request as the browser will send it. */
export interface PreparedRequest {
  method: string;
  headers: HeaderList;
}

/** For each refusal: the step's detail, the section that decides it, and the fix. */
function refusalText(r: Refusal): { detail: string; spec: string; fix: string } {
  switch (r.code) {
    case 'method-invalid':
      return {
        detail: `'${r.method}' is not a method name (an HTTP token).`,
        spec: '#concept-method',
        fix: 'Use a method name made of token characters.',
      };
    case 'method-forbidden':
      return {
        detail: `${r.method} is a forbidden method.`,
        spec: '#forbidden-method',
        fix: `Use another method; ${r.method.toUpperCase()} cannot be sent from a page.`,
      };
    case 'header-name-invalid':
      return {
        detail: `'${r.name}' is not a header name.`,
        spec: '#concept-header-name',
        fix: 'Use a header name made of token characters.',
      };
    case 'header-value-invalid':
      return {
        detail: `the value of ${r.name} holds a NUL, CR or LF.`,
        spec: '#concept-header-value',
        fix: 'Remove control characters from the header value.',
      };
    case 'header-value-not-latin1':
      return {
        detail: `the value of ${r.name} holds a character above U+00FF; header values are byte strings.`,
        spec: '#concept-header-value',
        fix: 'Encode the value (for example percent-encode it) so that it is ISO-8859-1.',
      };
    case 'no-cors-method':
      return {
        detail: `no-cors requests may only use GET, HEAD or POST, not ${r.method}.`,
        spec: '#dom-request',
        fix: "Use mode 'cors' and have the server allow the page's origin, method and headers.",
      };
    case 'body-with-get-or-head':
      return {
        detail: `a ${r.method} request cannot have a body.`,
        spec: '#dom-request',
        fix: `Send the body with POST (or another method), or drop it from the ${r.method}.`,
      };
  }
}

function refuse(ctx: FetchContext, refusal: Refusal): Outcome {
  const text = refusalText(refusal);
  ctx.trace.step({
    id: 'request',
    title: 'Build the request',
    outcome: 'fail',
    detail: text.detail,
    spec: text.spec,
  });
  return { kind: 'request-refused', refusal, fix: text.fix };
}

/** Why the request cannot be built, checked in the order fetch() checks (method, headers, mode, body). */
function refusalOf(ctx: FetchContext): Refusal | null {
  const { req } = ctx;
  // #dom-request: the method must be a token and not forbidden; it is then normalised.
  if (!isToken(req.rawMethod)) return { code: 'method-invalid', method: req.rawMethod };
  if (isForbiddenMethod(req.rawMethod)) return { code: 'method-forbidden', method: req.rawMethod };
  const method = normalizeMethod(req.rawMethod);
  for (const [name, value] of req.headers) {
    if (!isToken(name)) return { code: 'header-name-invalid', name };
    if (/[\0\r\n]/.test(value)) return { code: 'header-value-invalid', name, value };
    if ([...value].some((ch) => ch.codePointAt(0)! > 0xff))
      return { code: 'header-value-not-latin1', name, value, headersAsRecord: req.headersAsRecord };
  }
  if (req.mode === 'no-cors' && !isSafelistedMethod(method)) return { code: 'no-cors-method', method };
  if (hasBody(ctx, method) && (method === 'GET' || method === 'HEAD'))
    return { code: 'body-with-get-or-head', method };
  return null;
}

/** XMLHttpRequest's send() ignores a body on GET and HEAD; fetch() refuses it. */
function hasBody(ctx: FetchContext, method: string): boolean {
  return ctx.req.hasBody && !(ctx.req.initiator === 'xhr' && (method === 'GET' || method === 'HEAD'));
}

/**
 * Request construction (#dom-request, #concept-method-normalize): refuses what fetch() refuses,
 * drops what the Headers guard drops (#forbidden-request-header, the no-cors guard), and adds the
 * Content-Type a text body brings (#concept-bodyinit-extract).
 */
export function setUpRequest(ctx: FetchContext): PreparedRequest | Outcome {
  const { req } = ctx;
  const refusal = refusalOf(ctx);
  if (refusal) return refuse(ctx, refusal);
  const method = normalizeMethod(req.rawMethod);
  const kept = (n: string, v: string) =>
    !isForbiddenRequestHeader(n, v) && (req.mode !== 'no-cors' || isNoCorsSafelistedRequestHeader(n, v));
  const dropped = req.headers.filter(([n, v]) => !kept(n, v)).map(([n]) => n.toLowerCase());
  let headers: HeaderList = req.headers.filter(([n, v]) => kept(n, v));
  if (hasBody(ctx, method) && !headers.some(([n]) => n.toLowerCase() === 'content-type'))
    headers = [...headers, ['Content-Type', 'text/plain;charset=UTF-8']];
  ctx.trace.step({
    id: 'request',
    title: 'Build the request',
    outcome: 'pass',
    detail: `${method} ${ctx.initialUrl}${method !== req.rawMethod ? ` (fetch() normalised '${req.rawMethod}')` : ''}${dropped.length ? `; the browser silently drops the header(s) ${dropped.join(', ')}` : ''}.`,
    spec: '#concept-method-normalize',
  });
  return { method, headers };
}

/** The page's CSP decides before anything leaves (CSP3 connect-src, falling back to default-src). */
export function checkPageCsp(ctx: FetchContext, method: string): Outcome | null {
  const { req } = ctx;
  const violations = connectViolations(req.csp, req.url, req.pageOrigin);
  const title = "Check the page's Content-Security-Policy";
  if (violations.length > 0) {
    ctx.trace.step({
      id: 'csp',
      title,
      outcome: 'fail',
      detail: `The page's policy (${violations.map((v) => `"${v.directiveText}"`).join(', ')}) does not allow connecting to ${req.url.origin}.`,
    });
    ctx.trace.log({ kind: 'csp', url: ctx.initialUrl, violations });
    return {
      kind: 'csp-blocked',
      violations,
      facts: { pageOrigin: req.pageOrigin, url: req.url, method, credentials: req.credentials },
    };
  }
  if (req.csp !== undefined)
    ctx.trace.step({
      id: 'csp',
      title,
      outcome: 'pass',
      detail: 'connect-src (or default-src) allows this URL.',
    });
  return null;
}

/**
 * Local Network Access (Chromium 142+): a public page reaching a loopback or private address needs
 * the user's permission. Shown, not decided: the input cannot say whether the user grants it.
 */
export function noteLocalNetworkAccess(ctx: FetchContext): void {
  const { req } = ctx;
  if (!ctx.model.localNetworkAccess) return;
  const lna = addressSpaceOf(req.url.hostname);
  const pageHostSpace =
    req.pageOrigin === 'null' ? 'public' : addressSpaceOf(new URL(req.pageOrigin).hostname);
  const pageSpace = pageHostSpace === 'unknown' ? 'public' : pageHostSpace; // a page served under a domain name is public
  if (
    lna === 'public' ||
    lna === 'unknown' ||
    !(pageSpace === 'public' || (pageSpace === 'local' && lna === 'loopback'))
  )
    return;
  ctx.trace.step({
    id: 'local-network-access',
    title: 'Local Network Access',
    outcome: 'info',
    detail: `The page (${pageSpace === 'public' ? 'a public address' : 'a private address'}) reaches a ${lna} address: Chromium asks the user for permission first (only from a secure context). If it is denied the request never leaves and the console says "… has been blocked by CORS policy: Permission was denied for this request to access the \`${lna}\` address space." No response header can change that.`,
  });
}
