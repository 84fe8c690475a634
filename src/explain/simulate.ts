/**
 * The simulator: runs a page's request and the server's answers through the browser's algorithm
 * (Fetch #main-fetch, #http-fetch, #cors-preflight-fetch, #cors-check, #http-redirect-fetch, as
 * Chromium 156 ships it) and reports what happens, the console messages, and the fix. Pure: no I/O.
 */
import { getHeader, isToken, type HeaderList } from '../http/headers.js';
import { isForbiddenResponseHeader, REDIRECT_STATUSES } from '../http/responses.js';
import { checkAccess, checkHeaders, checkMethod, parsePreflight, readableHeaderNames, type CheckFailure } from './checks.js';
import { connectViolations } from './csp.js';
import { suggestFix } from './fix.js';
import { normalize, type Answer } from './input.js';
import { addressSpaceOf, corpBlocks } from './sites.js';
import { corsConsoleMessage, cspConsoleMessages, httpErrorMessage, netErrorMessage, NET_ERR_FAILED } from './messages.js';
import { corsUnsafeRequestHeaderNames, isForbiddenMethod, isForbiddenRequestHeader, isNoCorsSafelistedRequestHeader, isSafelistedMethod, normalizeMethod } from './request.js';
import type { ExplainInput, ExplainOptions, Explanation, SentRequest, Step } from './types.js';

const CORS_SCHEMES = 'chrome, chrome-extension, chrome-untrusted, data, http, https, isolated-app';
/** #http-redirect-fetch: "If request's redirect count is 20, return a network error." */
const MAX_REDIRECTS = 20;
const REQUEST_BODY_HEADERS = new Set(['content-encoding', 'content-language', 'content-location', 'content-type']);

/** Runs the simulation. Throws ExplainInputError (code, path) on unusable input. */
export function explain(input: ExplainInput, options: ExplainOptions = {}): Explanation {
  const spec = options.spec === true;
  const req = normalize(input);
  const steps: Step[] = [];
  const consoleLines: string[] = [];
  const requests: SentRequest[] = [];
  const include = req.credentials === 'include';
  const initialUrl = req.url.href;
  let preflightSent = false;
  let preflightRequest: Explanation['preflightRequest'];
  let pending: Explanation['awaiting'];
  const result = (r: Omit<Explanation, 'steps' | 'console' | 'preflight' | 'actualRequestSent' | 'requests' | 'preflightRequest'>): Explanation => ({
    preflight: preflightSent,
    actualRequestSent: requests.length > 0,
    ...r,
    console: consoleLines,
    steps,
    requests,
    ...(preflightRequest ? { preflightRequest } : {}),
    ...(pending ? { awaiting: pending } : {}),
  });
  /** fetch() throws before anything is sent (and Chromium logs nothing for a caught TypeError). */
  const typeError = (message: string, detail: string, specId: string, fix: string) => {
    steps.push({ id: 'request', title: 'Build the request', outcome: 'fail', detail, spec: specId });
    const thrower = req.initiator === 'xhr' ? `XMLHttpRequest throws "SyntaxError: Failed to execute 'open' on 'XMLHttpRequest'` : `fetch() throws "TypeError: Failed to execute 'fetch' on 'Window'`;
    return result({ allowed: false, responseType: 'error', exposedHeaders: null, explanation: `${thrower}: ${message}" and sends nothing.`, fix: { summary: fix, where: 'request' }, verdict: 'Blocked: fetch() refuses the request' });
  };

  // Request construction (#dom-request): the method must be a token and not forbidden; it is normalised.
  if (!isToken(req.rawMethod)) return typeError(`'${req.rawMethod}' is not a valid HTTP method.`, `'${req.rawMethod}' is not a method name (an HTTP token).`, '#concept-method', 'Use a method name made of token characters.');
  if (isForbiddenMethod(req.rawMethod)) return typeError(`'${req.rawMethod}' HTTP method is unsupported.`, `${req.rawMethod} is a forbidden method.`, '#forbidden-method', `Use another method; ${req.rawMethod.toUpperCase()} cannot be sent from a page.`);
  let method = normalizeMethod(req.rawMethod);
  for (const [name, value] of req.headers) {
    if (!isToken(name)) return typeError(`'${name}' is not a valid HTTP header field name.`, `'${name}' is not a header name.`, '#concept-header-name', 'Use a header name made of token characters.');
    if (/[\0\r\n]/.test(value)) return typeError(`'${value}' is not a valid HTTP header field value.`, `the value of ${name} holds a NUL, CR or LF.`, '#concept-header-value', 'Remove control characters from the header value.');
    if ([...value].some((ch) => ch.codePointAt(0)! > 0xff)) return typeError("Failed to read the 'headers' property from 'RequestInit': String contains non ISO-8859-1 code point.", `the value of ${name} holds a character above U+00FF; header values are byte strings.`, '#concept-header-value', 'Encode the value (for example percent-encode it) so that it is ISO-8859-1.');
  }
  if (req.mode === 'no-cors' && !isSafelistedMethod(method)) return typeError(`'${method}' is unsupported in no-cors mode.`, `no-cors requests may only use GET, HEAD or POST, not ${method}.`, '#dom-request', "Use mode 'cors' and have the server allow the page's origin, method and headers.");
  // XMLHttpRequest's send() ignores a body on GET and HEAD; fetch() refuses it.
  const hasBody = req.hasBody && !(req.initiator === 'xhr' && (method === 'GET' || method === 'HEAD'));
  if (hasBody && (method === 'GET' || method === 'HEAD')) return typeError('Request with GET/HEAD method cannot have body.', `a ${method} request cannot have a body.`, '#dom-request', `Send the body with POST (or another method), or drop it from the ${method}.`);
  const dropped = req.headers.filter(([n, v]) => isForbiddenRequestHeader(n, v) || (req.mode === 'no-cors' && !isNoCorsSafelistedRequestHeader(n, v))).map(([n]) => n.toLowerCase());
  let headers: HeaderList = req.headers.filter(([n, v]) => !isForbiddenRequestHeader(n, v) && (req.mode !== 'no-cors' || isNoCorsSafelistedRequestHeader(n, v)));
  // #dom-request "extract a body": a text body brings its own Content-Type unless the script set one.
  if (hasBody && !headers.some(([n]) => n.toLowerCase() === 'content-type')) headers = [...headers, ['Content-Type', 'text/plain;charset=UTF-8']];
  steps.push({ id: 'request', title: 'Build the request', outcome: 'pass', detail: `${method} ${initialUrl}${method !== req.rawMethod ? ` (fetch() normalised '${req.rawMethod}')` : ''}${dropped.length ? `; the browser silently drops the header(s) ${dropped.join(', ')}` : ''}.`, spec: '#concept-method-normalize' });

  // The page's CSP decides before anything leaves (CSP3 connect-src, falling back to default-src).
  const violations = connectViolations(req.csp, req.url, req.pageOrigin);
  if (violations.length > 0) {
    steps.push({ id: 'csp', title: "Check the page's Content-Security-Policy", outcome: 'fail', detail: `The page's policy (${violations.map((v) => `"${v.directiveText}"`).join(', ')}) does not allow connecting to ${req.url.origin}.` });
    consoleLines.push(...cspConsoleMessages(initialUrl, violations, req.initiator));
    return result({ allowed: false, responseType: 'error', exposedHeaders: null, explanation: "The page's own Content-Security-Policy blocks the request before it leaves the browser, so the server never sees it. CORS headers on the server cannot help.", fix: suggestFix({ kind: 'csp', req: { ...req, method }, violations }), verdict: "Blocked by the page's Content-Security-Policy" });
  }
  if (req.csp !== undefined) steps.push({ id: 'csp', title: "Check the page's Content-Security-Policy", outcome: 'pass', detail: 'connect-src (or default-src) allows this URL.' });

  // Local Network Access (Chromium 142+): a public page reaching a loopback or private address needs
  // the user's permission. Shown, not decided: the input cannot say whether the user grants it.
  const lna = addressSpaceOf(req.url.hostname);
  const pageHostSpace = req.pageOrigin === 'null' ? 'public' : addressSpaceOf(new URL(req.pageOrigin).hostname);
  const pageSpace = pageHostSpace === 'unknown' ? 'public' : pageHostSpace; // a page served under a domain name is public
  if (lna !== 'public' && lna !== 'unknown' && (pageSpace === 'public' || (pageSpace === 'local' && lna === 'loopback'))) {
    steps.push({ id: 'local-network-access', title: 'Local Network Access', outcome: 'info', detail: `The page (${pageSpace === 'public' ? 'a public address' : 'a private address'}) reaches a ${lna} address: Chromium asks the user for permission first (only from a secure context). If it is denied the request never leaves and the console says "… has been blocked by CORS policy: Permission was denied for this request to access the \`${lna}\` address space." No response header can change that.` });
  }

  let url = req.url;
  let tainting: 'basic' | 'cors' | 'opaque' = 'basic';
  /** #concept-request-tainted-origin: once a redirect crossed origins away from the page, Origin is null. */
  let tainted = false;
  for (let hop = 0; ; hop++) {
    /** Past the last hop given, the redirect target's answers are unknown (not a network error). */
    const beyondInput = hop >= req.hops.length;
    const answers = req.hops[hop] ?? { preflightResponse: null, response: null };
    const urlText = url.href;
    const serializedOrigin = tainted ? 'null' : req.pageOrigin;
    const facts = { pageOrigin: serializedOrigin, url, method, credentials: req.credentials };
    const blocked = (failure: CheckFailure, duringPreflight: boolean) => {
      consoleLines.push(corsConsoleMessage({ url: urlText, initialUrl, pageOrigin: req.pageOrigin, initiator: req.initiator, error: failure.error, hint: failure.hint, duringPreflight }));
      consoleLines.push(NET_ERR_FAILED);
    };
    const noAnswer = (what: string, awaiting: NonNullable<Explanation['awaiting']>) => {
      pending = awaiting;
      if (beyondInput) {
        return result({ allowed: false, responseType: 'error', exposedHeaders: null, explanation: `The browser follows the redirect to ${urlText}${awaiting.kind === 'preflight' ? ', first with a preflight' : ''}${tainting === 'cors' ? `, sending Origin: ${serializedOrigin}` : ''}; whether the page can read the final answer depends on that answer, which was not given (add it under "redirects").`, fix: null, verdict: 'Redirected: give the next answer to explain it' });
      }
      steps.push({ id: 'network', title: `Wait for the ${what}`, outcome: 'fail', detail: `No ${what} was given: treated as a network error (the server closed the connection without answering).`, spec: '#concept-network-error' });
      consoleLines.push(netErrorMessage('ERR_EMPTY_RESPONSE'));
      return result({ allowed: false, responseType: 'error', exposedHeaders: null, explanation: `The ${what} never came (a network error), so the page gets "TypeError: Failed to fetch". Give the server's answer to explain what the browser does with it.`, fix: null, verdict: `Failed: no ${what}` });
    };

    // #main-fetch: same origin (and still untainted) needs no CORS; otherwise the mode decides.
    if (tainting === 'basic' && url.origin !== req.pageOrigin) {
      if (req.mode === 'same-origin') {
        steps.push({ id: 'mode', title: 'Check the request mode', outcome: 'fail', detail: 'mode "same-origin" forbids cross-origin URLs.', spec: '#main-fetch' });
        consoleLines.push(`Fetch API cannot load ${urlText}. Request mode is "same-origin" but the URL's origin is not same as the request origin ${req.pageOrigin}.`);
        return result({ allowed: false, responseType: 'error', exposedHeaders: null, explanation: 'The request asks for mode "same-origin" but the URL is on another origin.', fix: { summary: "Use mode 'cors' (the default) and have the server allow the page's origin.", where: 'request' }, verdict: 'Blocked by the request mode' });
      }
      tainting = req.mode === 'no-cors' ? 'opaque' : 'cors';
      if (tainting === 'opaque') steps.push({ id: 'mode', title: 'no-cors request', outcome: 'info', detail: 'Sent without a preflight or CORS check; the page gets an opaque response (status 0, no headers, no body).', spec: '#concept-filtered-response-opaque' });
    } else if (hop === 0 && url.origin === req.pageOrigin) {
      steps.push({ id: 'same-origin', title: 'Same origin', outcome: 'pass', detail: "The URL has the page's origin: CORS does not apply.", spec: '#main-fetch' });
    }
    if (tainting === 'cors' && url.protocol !== 'http:' && url.protocol !== 'https:') {
      consoleLines.push(corsConsoleMessage({ url: urlText, initialUrl, pageOrigin: req.pageOrigin, initiator: req.initiator, error: 'CorsDisabledScheme', hint: CORS_SCHEMES, duringPreflight: false }));
      consoleLines.push(NET_ERR_FAILED);
      return result({ allowed: false, responseType: 'error', exposedHeaders: null, explanation: `CORS requests are only possible over http and https; ${url.protocol} cannot be fetched cross-origin.`, fix: null, verdict: 'Blocked: scheme without CORS' });
    }

    // Preflight decision (#main-fetch: method not safelisted, or CORS-unsafe request-header names).
    const unsafe = corsUnsafeRequestHeaderNames(headers, spec);
    if (tainting === 'cors' && (!isSafelistedMethod(method) || unsafe.sorted.length > 0)) {
      const why = [!isSafelistedMethod(method) ? `${method} is not a CORS-safelisted method` : '', unsafe.sorted.length ? `the header(s) ${unsafe.sorted.join(', ')} are not CORS-safelisted` : ''].filter(Boolean).join(' and ');
      const sentHeaders = { Origin: serializedOrigin, 'Access-Control-Request-Method': method, ...(unsafe.sorted.length ? { 'Access-Control-Request-Headers': unsafe.sorted.join(',') } : {}) };
      preflightRequest ??= { method: 'OPTIONS', headers: sentHeaders };
      preflightSent = true;
      steps.push({ id: 'preflight-needed', title: 'Decide on a preflight', outcome: 'info', detail: `A preflight (OPTIONS ${urlText}, Origin: ${serializedOrigin}) is needed: ${why}.`, spec: '#cors-safelisted-request-header' });
      const pf = answers.preflightResponse;
      if (!pf) return noAnswer('preflight response', { kind: 'preflight', hop, url: urlText, method: 'OPTIONS', headers: [['Accept', '*/*'], ...Object.entries(sentHeaders)] });
      const failPreflight = (failure: CheckFailure, title: string, specId: string) => {
        steps.push({ id: 'preflight', title, outcome: 'fail', detail: `The preflight fails: ${failure.why}.`, spec: specId });
        blocked(failure, true);
        return result({ allowed: false, responseType: 'error', exposedHeaders: null, explanation: `The browser sent a preflight (OPTIONS) and refused the answer: ${failure.why}. The actual request was ${requests.length ? 'not sent again' : 'never sent'}; script sees "TypeError: Failed to fetch".`, fix: suggestFix({ kind: 'preflight', req: facts, failure, unsafe: unsafe.sorted, include, tainted }), verdict: 'Blocked: the preflight failed' });
      };
      // cors/preflight_controller.cc: any redirect answer fails before its headers are looked at.
      if (REDIRECT_STATUSES.has(pf.status) && getHeader(pf.headers, 'Location') !== null) {
        return failPreflight({ error: 'PreflightDisallowedRedirect', hint: '', why: `it answered with a redirect (${pf.status}), which a preflight never follows` }, 'Preflight: redirect', '#cors-preflight-fetch');
      }
      // Chromium checks the origin (and credentials) before the status.
      const access = checkAccess(pf.headers, serializedOrigin, include);
      if (access) return failPreflight(access, 'Preflight: allowed origin', '#cors-check');
      if (pf.status < 200 || pf.status > 299) return failPreflight({ error: 'PreflightInvalidStatus', hint: '', why: `its status is ${pf.status}, and a preflight must answer with an ok status (2xx)` }, 'Preflight: status', '#cors-preflight-fetch');
      const grant = parsePreflight(pf.headers);
      if ('error' in grant) return failPreflight(grant, 'Preflight: parse the grants', '#cors-preflight-fetch');
      const methodFailure = checkMethod(grant, method, include);
      if (methodFailure) return failPreflight(methodFailure, 'Preflight: method', '#cors-preflight-fetch');
      const headerFailure = checkHeaders(grant, unsafe.inOrder, include, spec);
      if (headerFailure) return failPreflight(headerFailure, 'Preflight: headers', '#cors-preflight-fetch');
      steps.push({ id: 'preflight', title: 'Preflight', outcome: 'pass', detail: 'The preflight answer allows this origin, method and headers.', spec: '#cors-preflight-fetch' });
      if (unsafe.inOrder.includes('authorization') && !(grant.headerNames ?? []).includes('authorization')) {
        steps.push({ id: 'authorization-wildcard', title: 'Authorization covered by *', outcome: 'info', detail: "Chromium lets '*' in Access-Control-Allow-Headers cover Authorization (deprecated); the Fetch Standard does not (#cors-non-wildcard-request-header-name). List authorization by name to be safe (--spec shows the Standard's verdict).", spec: '#cors-non-wildcard-request-header-name' });
      }
    } else if (tainting === 'cors') {
      steps.push({ id: 'preflight-needed', title: 'Decide on a preflight', outcome: 'info', detail: 'No preflight: the method and headers are CORS-safelisted.', spec: '#cors-safelisted-request-header' });
    }

    // The request itself (#append-a-request-origin-header: CORS requests and non-GET/HEAD ones carry Origin).
    const sent: SentRequest = { url: urlText, method, origin: tainting === 'cors' || (method !== 'GET' && method !== 'HEAD') ? serializedOrigin : null };
    requests.push(sent);
    const res: Answer | null = answers.response;
    if (!res) return noAnswer('response', { kind: 'response', hop, url: urlText, method, headers: [...headers.map(([n, v]): [string, string] => [n, v]), ...(sent.origin !== null ? [['Origin', sent.origin] as [string, string]] : [])] });

    // #http-fetch: the CORS check runs on every response, redirects included.
    if (tainting === 'cors') {
      const access = checkAccess(res.headers, serializedOrigin, include);
      if (access) {
        steps.push({ id: 'cors-check', title: 'CORS check of the response', outcome: 'fail', detail: `The response${hop ? ` at ${urlText}` : ''} fails the CORS check: ${access.why}.`, spec: '#cors-check' });
        blocked(access, false);
        return result({ allowed: false, responseType: 'error', exposedHeaders: null, explanation: `The request reached the server (status ${res.status}), but the browser hides the response from the page: ${access.why}. Script sees "TypeError: Failed to fetch".`, fix: suggestFix({ kind: 'response', req: facts, failure: access, unsafe: unsafe.sorted, include, tainted }), verdict: 'Blocked: the response fails the CORS check' });
      }
    }

    // #cross-origin-resource-policy-check: only opaque (no-cors) responses are subject to it.
    if (tainting === 'opaque') {
      const corp = corpBlocks(getHeader(res.headers, 'Cross-Origin-Resource-Policy'), url, req.pageOrigin);
      if (corp) {
        steps.push({ id: 'corp', title: 'Cross-Origin-Resource-Policy', outcome: 'fail', detail: `The response says Cross-Origin-Resource-Policy: ${corp}, and the page is not ${corp === 'same-origin' ? 'same-origin' : 'same-site'} with it.`, spec: '#cross-origin-resource-policy-check' });
        consoleLines.push(netErrorMessage(`ERR_BLOCKED_BY_RESPONSE.${corp === 'same-origin' ? 'NotSameOrigin' : 'NotSameSite'}`));
        return result({ allowed: false, responseType: 'error', exposedHeaders: null, explanation: `The server's Cross-Origin-Resource-Policy: ${corp} forbids other ${corp === 'same-origin' ? 'origins' : 'sites'} to embed this response, so even the opaque no-cors response is withheld (a network error).`, fix: { summary: `Send Cross-Origin-Resource-Policy: cross-origin on this response, or fetch it with mode 'cors' and allow the page's origin.`, where: 'response', headers: { 'Cross-Origin-Resource-Policy': 'cross-origin' } }, verdict: 'Blocked by Cross-Origin-Resource-Policy' });
      }
    }

    const location = getHeader(res.headers, 'Location');
    if (REDIRECT_STATUSES.has(res.status) && location !== null) {
      // #http-redirect-fetch
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        steps.push({ id: 'redirect', title: 'Redirect', outcome: 'fail', detail: `The Location '${location}' is not a URL: network error.`, spec: '#http-redirect-fetch' });
        consoleLines.push(netErrorMessage('ERR_INVALID_REDIRECT'));
        return result({ allowed: false, responseType: 'error', exposedHeaders: null, explanation: `The server redirected to '${location}', which is not a URL; the browser fails the request.`, fix: { summary: 'Send an absolute (or correctly relative) URL in Location.', where: 'response' }, verdict: 'Failed: bad redirect' });
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        steps.push({ id: 'redirect', title: 'Redirect', outcome: 'fail', detail: `The redirect goes to ${next.protocol} URL: network error.`, spec: '#http-redirect-fetch' });
        consoleLines.push(netErrorMessage('ERR_UNSAFE_REDIRECT'));
        return result({ allowed: false, responseType: 'error', exposedHeaders: null, explanation: `The server redirected to a ${next.protocol} URL; fetch only follows redirects to http(s).`, fix: { summary: 'Redirect to an http(s) URL.', where: 'response' }, verdict: 'Failed: redirect to a non-HTTP URL' });
      }
      if (hop + 1 > MAX_REDIRECTS) {
        consoleLines.push(netErrorMessage('ERR_TOO_MANY_REDIRECTS'));
        return result({ allowed: false, responseType: 'error', exposedHeaders: null, explanation: 'More than 20 redirects: the browser gives up.', fix: { summary: 'Break the redirect loop.', where: 'response' }, verdict: 'Failed: too many redirects' });
      }
      if (tainting === 'cors' && (next.username !== '' || next.password !== '')) {
        const failure: CheckFailure = { error: 'RedirectContainsCredentials', hint: '', why: 'the redirect location contains a username and password' };
        steps.push({ id: 'redirect', title: 'Redirect', outcome: 'fail', detail: 'A CORS request may not be redirected to a URL with a username and password.', spec: '#http-redirect-fetch' });
        consoleLines.push(corsConsoleMessage({ url: urlText, initialUrl, pageOrigin: req.pageOrigin, initiator: req.initiator, error: failure.error, hint: '', duringPreflight: false }));
        consoleLines.push(NET_ERR_FAILED);
        return result({ allowed: false, responseType: 'error', exposedHeaders: null, explanation: 'The server redirected a CORS request to a URL with credentials (user:password@), which browsers refuse.', fix: { summary: 'Redirect to a URL without user:password@.', where: 'response' }, verdict: 'Blocked: redirect with credentials' });
      }
      const before = method;
      if (((res.status === 301 || res.status === 302) && method === 'POST') || (res.status === 303 && method !== 'GET' && method !== 'HEAD')) {
        method = 'GET';
        headers = headers.filter(([n]) => !REQUEST_BODY_HEADERS.has(n.toLowerCase()));
      }
      if (next.origin !== url.origin) headers = headers.filter(([n]) => n.toLowerCase() !== 'authorization');
      if (next.origin !== url.origin && req.pageOrigin !== url.origin) tainted = true;
      const nextOrigin = tainting === 'basic' && next.origin === req.pageOrigin ? null : tainted ? 'null' : req.pageOrigin;
      steps.push({ id: 'redirect', title: `Redirect (${res.status})`, outcome: 'info', detail: `The browser follows the redirect to ${next.href}${before !== method ? ` as ${method}` : ''}${nextOrigin !== null ? `, sending Origin: ${nextOrigin}${tainted ? ' (the redirect left the API\'s origin for another, so the origin is now opaque)' : ''}` : ''}; that answer is checked again.`, spec: '#http-redirect-fetch' });
      url = next;
      continue;
    }

    // The final response.
    const line = httpErrorMessage(res.status, res.statusText);
    if (line) consoleLines.push(line);
    if (tainting === 'opaque') {
      return result({ allowed: false, responseType: 'opaque', exposedHeaders: null, explanation: 'In no-cors mode the request is sent, but the page receives an opaque response: status 0, no readable headers, an empty body. Use mode "cors" to read it.', fix: suggestFix({ kind: 'opaque', req: facts }), verdict: 'Sent, but opaque: the page cannot read it' });
    }
    if (tainting === 'basic') {
      const names = [...new Set(res.headers.map(([n]) => n.toLowerCase()))].filter((n) => !isForbiddenResponseHeader(n)).sort();
      return result({ allowed: true, responseType: 'basic', exposedHeaders: names, explanation: 'The request is same-origin, so the page reads the response without any CORS check.', fix: null, verdict: 'Allowed: same origin' });
    }
    const exposed = readableHeaderNames(res.headers, include);
    steps.push({ id: 'cors-check', title: 'CORS check of the response', outcome: 'pass', detail: `The page can read the response (status ${res.status}) and the headers ${exposed.length ? exposed.join(', ') : '(none)'}.`, spec: '#cors-check' });
    return result({ allowed: true, responseType: 'cors', exposedHeaders: exposed, explanation: `The browser ${preflightSent ? 'sent a preflight, which passed, then ' : ''}sent the request, and the response passes the CORS check: the page can read it${res.status >= 400 ? ` (the server answered ${res.status}, which script sees as a normal response)` : ''}.`, fix: null, verdict: 'Allowed' });
  }
}
