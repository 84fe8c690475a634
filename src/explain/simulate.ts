/**
 * The simulator: runs a page's request and the server's answers through the browser's algorithm
 * (Fetch #main-fetch, #http-fetch, #cors-preflight-fetch, #cors-check, as Chromium 156 ships it)
 * and reports what happens, the console messages, and the fix. Pure: no I/O.
 */
import { getHeader, toHeaderList, type HeaderList } from '../http/headers.js';
import { checkAccess, checkHeaders, checkMethod, parsePreflight, readableHeaderNames, type CheckFailure } from './checks.js';
import { connectViolations } from './csp.js';
import { suggestFix } from './fix.js';
import { corsConsoleMessage, cspConsoleMessages, httpErrorMessage, NET_ERR_FAILED, type Initiator } from './messages.js';
import { corsUnsafeRequestHeaderNames, isForbiddenMethod, isForbiddenRequestHeader, isNoCorsSafelistedRequestHeader, isSafelistedMethod, normalizeMethod } from './request.js';
import { ExplainInputError, type ExplainInput, type ExplainOptions, type Explanation, type Step } from './types.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const CORS_SCHEMES = 'chrome, chrome-extension, chrome-untrusted, data, http, https, isolated-app';

function requireObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ExplainInputError('input-invalid', path, `${path} must be an object`);
  return value as Record<string, unknown>;
}

function requireStatus(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 100 || value > 599) throw new ExplainInputError('status-invalid', path, `${path} must be an HTTP status code (100–599)`);
  return value;
}

interface Normalized {
  pageOrigin: string;
  csp: string | string[] | undefined;
  url: URL;
  method: string;
  headers: HeaderList;
  credentials: 'omit' | 'same-origin' | 'include';
  mode: 'cors' | 'no-cors' | 'same-origin';
  initiator: Initiator;
}

function normalize(input: ExplainInput): Normalized {
  const root = requireObject(input, 'input');
  const page = requireObject(root.page, 'page');
  const request = requireObject(root.request, 'request');
  if (typeof page.origin !== 'string' || page.origin === '') throw new ExplainInputError('origin-missing', 'page.origin', 'page.origin must be the page\'s origin, e.g. "https://app.example.com"');
  let pageOrigin = page.origin;
  if (pageOrigin !== 'null') {
    let parsed: URL;
    try {
      parsed = new URL(pageOrigin);
    } catch {
      throw new ExplainInputError('origin-invalid', 'page.origin', `page.origin '${pageOrigin}' is not an origin (scheme://host[:port])`);
    }
    pageOrigin = parsed.origin;
  }
  if (typeof request.url !== 'string') throw new ExplainInputError('url-missing', 'request.url', 'request.url must be the absolute URL the page fetches');
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    throw new ExplainInputError('url-invalid', 'request.url', `request.url '${request.url}' is not an absolute URL`);
  }
  const method = normalizeMethod(typeof request.method === 'string' && request.method !== '' ? request.method : 'GET');
  const credentials = (request.credentials ?? 'same-origin') as Normalized['credentials'];
  if (!['omit', 'same-origin', 'include'].includes(credentials)) throw new ExplainInputError('credentials-invalid', 'request.credentials', "request.credentials must be 'omit', 'same-origin' or 'include'");
  const mode = (request.mode ?? 'cors') as Normalized['mode'];
  if (!['cors', 'no-cors', 'same-origin'].includes(mode)) throw new ExplainInputError('mode-invalid', 'request.mode', "request.mode must be 'cors', 'no-cors' or 'same-origin'");
  const initiator = request.initiator === 'xhr' ? 'xhr' : 'fetch';
  const csp = page.csp as string | string[] | undefined;
  return { pageOrigin, csp, url, method, headers: toHeaderList(request.headers as never), credentials, mode, initiator };
}

/** Runs the simulation. Throws ExplainInputError (code, path) on unusable input. */
export function explain(input: ExplainInput, options: ExplainOptions = {}): Explanation {
  const spec = options.spec === true;
  const req = normalize(input);
  const steps: Step[] = [];
  const consoleLines: string[] = [];
  const include = req.credentials === 'include';
  const urlText = req.url.href;
  const result = (r: Omit<Explanation, 'steps' | 'console'>): Explanation => ({ ...r, console: consoleLines, steps });
  const blockedByCors = (failure: CheckFailure, duringPreflight: boolean) => {
    consoleLines.push(corsConsoleMessage({ url: urlText, pageOrigin: req.pageOrigin, initiator: req.initiator, error: failure.error, hint: failure.hint, duringPreflight }));
    consoleLines.push(NET_ERR_FAILED);
  };
  const delivered = () => {
    const r = input.response as { status?: unknown; statusText?: unknown } | undefined;
    if (r && typeof r.status === 'number') {
      const line = httpErrorMessage(r.status, typeof r.statusText === 'string' ? r.statusText : undefined);
      if (line) consoleLines.push(line);
    }
  };

  // Request construction (#dom-request, #concept-method-normalize): forbidden methods throw.
  if (isForbiddenMethod(req.method)) {
    steps.push({ id: 'method', title: 'Build the request', outcome: 'fail', detail: `${req.method} is a forbidden method: fetch() throws a TypeError before sending anything.`, spec: '#forbidden-method' });
    return result({ preflight: false, actualRequestSent: false, allowed: false, responseType: 'error', exposedHeaders: null, explanation: `Browsers never send ${req.method} from script; fetch() throws "TypeError: Failed to execute 'fetch' on 'Window': '${req.method}' HTTP method is unsupported."`, fix: { summary: `Use another method; ${req.method} cannot be sent from a page.`, where: 'request' }, verdict: 'Blocked: forbidden method' });
  }
  const dropped = req.headers.filter(([n, v]) => isForbiddenRequestHeader(n, v)).map(([n]) => n.toLowerCase());
  let headers = req.headers.filter(([n, v]) => !isForbiddenRequestHeader(n, v));
  steps.push({ id: 'request', title: 'Build the request', outcome: 'pass', detail: `${req.method} ${urlText}${dropped.length ? `; the browser silently drops the forbidden header(s) ${dropped.join(', ')}` : ''}.`, spec: '#forbidden-request-header' });

  // The page's CSP decides before anything leaves (CSP3 connect-src, falling back to default-src).
  const violations = connectViolations(req.csp, req.url, req.pageOrigin);
  if (violations.length > 0) {
    steps.push({ id: 'csp', title: "Check the page's Content-Security-Policy", outcome: 'fail', detail: `The page's policy (${violations.map((v) => `"${v.directiveText}"`).join(', ')}) does not allow connecting to ${req.url.origin}.` });
    consoleLines.push(...cspConsoleMessages(urlText, violations, req.initiator));
    return result({ preflight: false, actualRequestSent: false, allowed: false, responseType: 'error', exposedHeaders: null, explanation: `The page's own Content-Security-Policy blocks the request before it leaves the browser, so the server never sees it. CORS headers on the server cannot help.`, fix: suggestFix({ kind: 'csp', req, violations }), verdict: 'Blocked by the page\'s Content-Security-Policy' });
  }
  if (req.csp !== undefined) steps.push({ id: 'csp', title: "Check the page's Content-Security-Policy", outcome: 'pass', detail: 'connect-src (or default-src) allows this URL.' });

  const responseHeaders = (): HeaderList | null => (input.response ? toHeaderList(input.response.headers as never) : null);

  // Same origin: no CORS at all (#main-fetch, tainting "basic").
  if (req.pageOrigin === req.url.origin) {
    steps.push({ id: 'same-origin', title: 'Same origin', outcome: 'pass', detail: 'The URL has the page\'s origin: CORS does not apply.', spec: '#main-fetch' });
    const rh = responseHeaders();
    delivered();
    return result({ preflight: false, actualRequestSent: true, allowed: true, responseType: 'basic', exposedHeaders: rh ? [...new Set(rh.map(([n]) => n.toLowerCase()))].filter((n) => n !== 'set-cookie' && n !== 'set-cookie2').sort() : null, explanation: 'The request is same-origin, so the page reads the response without any CORS check.', fix: null, verdict: 'Allowed: same origin' });
  }
  if (req.mode === 'same-origin') {
    steps.push({ id: 'mode', title: 'Check the request mode', outcome: 'fail', detail: 'mode "same-origin" forbids cross-origin URLs.', spec: '#main-fetch' });
    consoleLines.push(`Fetch API cannot load ${urlText}. Request mode is "same-origin" but the URL's origin is not same as the request origin ${req.pageOrigin}.`);
    return result({ preflight: false, actualRequestSent: false, allowed: false, responseType: 'error', exposedHeaders: null, explanation: 'The request asks for mode "same-origin" but the URL is on another origin.', fix: { summary: "Use mode 'cors' (the default) and have the server allow the page's origin.", where: 'request' }, verdict: 'Blocked by the request mode' });
  }
  if (req.mode === 'no-cors') {
    if (!isSafelistedMethod(req.method)) {
      steps.push({ id: 'mode', title: 'Check the request mode', outcome: 'fail', detail: `no-cors requests may only use GET, HEAD or POST; fetch() throws for ${req.method}.`, spec: '#dom-request' });
      return result({ preflight: false, actualRequestSent: false, allowed: false, responseType: 'error', exposedHeaders: null, explanation: `fetch() throws "TypeError: Failed to execute 'fetch' on 'Window': '${req.method}' is unsupported in no-cors mode." and sends nothing.`, fix: { summary: "Use mode 'cors' and have the server allow the page's origin, method and headers.", where: 'request' }, verdict: 'Blocked: method not allowed in no-cors mode' });
    }
    headers = headers.filter(([n, v]) => isNoCorsSafelistedRequestHeader(n, v));
    delivered();
    steps.push({ id: 'mode', title: 'no-cors request', outcome: 'info', detail: 'Sent without a preflight or CORS check; the page gets an opaque response (status 0, no headers, no body).', spec: '#concept-filtered-response-opaque' });
    return result({ preflight: false, actualRequestSent: true, allowed: false, responseType: 'opaque', exposedHeaders: null, explanation: 'In no-cors mode the request is sent, but the page receives an opaque response: status 0, no readable headers, an empty body. Use mode "cors" to read it.', fix: suggestFix({ kind: 'opaque', req }), verdict: 'Sent, but opaque: the page cannot read it' });
  }
  if (req.url.protocol !== 'http:' && req.url.protocol !== 'https:') {
    consoleLines.push(corsConsoleMessage({ url: urlText, pageOrigin: req.pageOrigin, initiator: req.initiator, error: 'CorsDisabledScheme', hint: CORS_SCHEMES, duringPreflight: false }));
    consoleLines.push(NET_ERR_FAILED);
    return result({ preflight: false, actualRequestSent: false, allowed: false, responseType: 'error', exposedHeaders: null, explanation: `CORS requests are only possible over http and https; ${req.url.protocol} cannot be fetched cross-origin.`, fix: null, verdict: 'Blocked: scheme without CORS' });
  }

  // Preflight decision (#main-fetch step "use-CORS-preflight flag … or unsafe request").
  const unsafe = corsUnsafeRequestHeaderNames(headers, spec);
  const needsPreflight = !isSafelistedMethod(req.method) || unsafe.sorted.length > 0;
  let preflightRequest: Explanation['preflightRequest'];
  if (needsPreflight) {
    const why = [!isSafelistedMethod(req.method) ? `${req.method} is not a CORS-safelisted method` : '', unsafe.sorted.length ? `the header(s) ${unsafe.sorted.join(', ')} are not CORS-safelisted` : ''].filter(Boolean).join(' and ');
    preflightRequest = { method: 'OPTIONS', headers: { Origin: req.pageOrigin, 'Access-Control-Request-Method': req.method, ...(unsafe.sorted.length ? { 'Access-Control-Request-Headers': unsafe.sorted.join(',') } : {}) } };
    steps.push({ id: 'preflight-needed', title: 'Decide on a preflight', outcome: 'info', detail: `A preflight is needed: ${why}.`, spec: '#cors-safelisted-request-header' });
    if (!input.preflightResponse) throw new ExplainInputError('preflight-response-missing', 'preflightResponse', `This request needs a preflight (${why}); give preflightResponse { status, headers }`);
    const pfStatus = requireStatus(input.preflightResponse.status, 'preflightResponse.status');
    const pf = toHeaderList(input.preflightResponse.headers as never);
    const failPreflight = (failure: CheckFailure, title: string, spec: string) => {
      steps.push({ id: 'preflight', title, outcome: 'fail', detail: `The preflight fails: ${failure.why}.`, spec });
      blockedByCors(failure, true);
      return result({ preflight: true, actualRequestSent: false, allowed: false, responseType: 'error', exposedHeaders: null, explanation: `The browser sent a preflight (OPTIONS) and refused the answer: ${failure.why}. The actual request was never sent; script sees "TypeError: Failed to fetch".`, fix: suggestFix({ kind: 'preflight', req, failure, unsafe: unsafe.sorted, include }), verdict: 'Blocked: the preflight failed', preflightRequest });
    };
    if (REDIRECT_STATUSES.has(pfStatus) && getHeader(pf, 'Location') !== null) {
      return failPreflight({ error: 'PreflightDisallowedRedirect', hint: '', why: `it answered with a redirect (${pfStatus}), which a preflight never follows` }, 'Preflight: redirect', '#cors-preflight-fetch');
    }
    const access = checkAccess(pf, req.pageOrigin, include);
    if (access) return failPreflight(access, 'Preflight: allowed origin', '#cors-check');
    if (pfStatus < 200 || pfStatus > 299) return failPreflight({ error: 'PreflightInvalidStatus', hint: '', why: `its status is ${pfStatus}, and a preflight must answer 2xx` }, 'Preflight: status', '#cors-preflight-fetch');
    const grant = parsePreflight(pf);
    if ('error' in grant) return failPreflight(grant, 'Preflight: parse the grants', '#cors-preflight-fetch');
    const methodFailure = checkMethod(grant, req.method, include);
    if (methodFailure) return failPreflight(methodFailure, 'Preflight: method', '#cors-preflight-fetch');
    const headerFailure = checkHeaders(grant, unsafe.inOrder, include, spec);
    if (headerFailure) return failPreflight(headerFailure, 'Preflight: headers', '#cors-preflight-fetch');
    steps.push({ id: 'preflight', title: 'Preflight', outcome: 'pass', detail: 'The preflight answer allows this origin, method and headers.', spec: '#cors-preflight-fetch' });
  } else {
    steps.push({ id: 'preflight-needed', title: 'Decide on a preflight', outcome: 'info', detail: 'No preflight: the method and headers are CORS-safelisted.', spec: '#cors-safelisted-request-header' });
  }

  // The actual request and its CORS check (#http-fetch: the check runs on every response, redirects included).
  if (!input.response) throw new ExplainInputError('response-missing', 'response', 'give response { status, headers } for the actual request');
  const status = requireStatus(input.response.status, 'response.status');
  const rh = responseHeaders()!;
  const access = checkAccess(rh, req.pageOrigin, include);
  if (access) {
    steps.push({ id: 'cors-check', title: 'CORS check of the response', outcome: 'fail', detail: `The response fails the CORS check: ${access.why}.`, spec: '#cors-check' });
    blockedByCors(access, false);
    return result({ preflight: needsPreflight, actualRequestSent: true, allowed: false, responseType: 'error', exposedHeaders: null, explanation: `The request reached the server (status ${status}), but the browser hides the response from the page: ${access.why}. Script sees "TypeError: Failed to fetch".`, fix: suggestFix({ kind: 'response', req, failure: access, unsafe: unsafe.sorted, include }), verdict: 'Blocked: the response fails the CORS check', ...(preflightRequest ? { preflightRequest } : {}) });
  }
  const location = getHeader(rh, 'Location');
  if (REDIRECT_STATUSES.has(status) && location !== null) {
    let target: URL | null = null;
    try {
      target = new URL(location, req.url);
    } catch {
      /* reported below */
    }
    const tainted = target !== null && target.origin !== req.url.origin && req.pageOrigin !== req.url.origin;
    steps.push({ id: 'redirect', title: 'Redirect', outcome: 'info', detail: target ? `The browser follows the redirect to ${target.href}, sending Origin: ${tainted ? 'null' : req.pageOrigin}; that response must pass the CORS check too.` : `The Location '${location}' is not a URL: network error.`, spec: '#http-redirect-fetch' });
    return result({ preflight: needsPreflight, actualRequestSent: true, allowed: false, responseType: 'error', exposedHeaders: null, explanation: target ? `The response is a redirect to ${target.href}. The browser follows it with Origin: ${tainted ? 'null (the request went to a second cross origin)' : req.pageOrigin}; whether the page can read the final answer depends on that response, which was not given.` : 'The redirect Location is not a URL.', fix: null, verdict: 'Redirected: explain the next response', ...(preflightRequest ? { preflightRequest } : {}) });
  }
  const exposed = readableHeaderNames(rh, include);
  delivered();
  steps.push({ id: 'cors-check', title: 'CORS check of the response', outcome: 'pass', detail: `The page can read the response (status ${status}) and the headers ${exposed.length ? exposed.join(', ') : '(none)'}.`, spec: '#cors-check' });
  return result({ preflight: needsPreflight, actualRequestSent: true, allowed: true, responseType: 'cors', exposedHeaders: exposed, explanation: `The browser ${needsPreflight ? 'sent a preflight, which passed, then ' : ''}sent the request, and the response passes the CORS check: the page can read it${status >= 400 ? ` (the server answered ${status}, which script sees as a normal response)` : ''}.`, fix: null, verdict: 'Allowed', ...(preflightRequest ? { preflightRequest } : {}) });
}
