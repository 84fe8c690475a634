/** Unit tests of the simulator, one rule each, named after the Fetch Standard section that decides it. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { explain, ExplainInputError, type ExplainInput } from '../../src/explain/index.js';
import { corsUnsafeRequestHeaderNames, isCorsSafelistedRequestHeader, normalizeMethod } from '../../src/explain/request.js';
import { connectViolations } from '../../src/explain/csp.js';

const PAGE = 'https://app.example.com';
const API = 'https://api.example.net/v1/items';
const base = (over: Partial<ExplainInput['request']> = {}, response: ExplainInput['response'] = { status: 200, headers: { 'Access-Control-Allow-Origin': PAGE } }, preflightResponse?: ExplainInput['preflightResponse']): ExplainInput => ({
  page: { origin: PAGE },
  request: { url: API, ...over },
  response,
  ...(preflightResponse ? { preflightResponse } : {}),
});

describe('#concept-method-normalize', () => {
  test('only the six standard methods are upper-cased', () => {
    assert.equal(normalizeMethod('get'), 'GET');
    assert.equal(normalizeMethod('delete'), 'DELETE');
    assert.equal(normalizeMethod('patch'), 'patch');
    assert.equal(normalizeMethod('Foo'), 'Foo');
  });
  test('a lower-case patch is only matched by a lower-case grant', () => {
    const r = explain(base({ method: 'patch' }, undefined, { status: 204, headers: { 'Access-Control-Allow-Origin': PAGE, 'Access-Control-Allow-Methods': 'PATCH' } }));
    assert.equal(r.allowed, false);
    assert.match(r.console[0]!, /Method patch is not allowed by Access-Control-Allow-Methods in preflight response\.$/);
  });
});

describe('#cors-safelisted-request-header', () => {
  test('value rules', () => {
    assert.equal(isCorsSafelistedRequestHeader('content-type', 'Text/Plain;charset=utf-8', true), true);
    assert.equal(isCorsSafelistedRequestHeader('content-type', 'application/json', true), false);
    assert.equal(isCorsSafelistedRequestHeader('content-type', 'text/plain,x/x', true), false);
    assert.equal(isCorsSafelistedRequestHeader('accept', 'a'.repeat(128), true), true);
    assert.equal(isCorsSafelistedRequestHeader('accept', 'a'.repeat(129), true), false, '128-byte limit');
    assert.equal(isCorsSafelistedRequestHeader('accept-language', '@', true), false);
    assert.equal(isCorsSafelistedRequestHeader('range', 'bytes=0-100', true), true);
    assert.equal(isCorsSafelistedRequestHeader('range', 'bytes=-500', true), false);
    assert.equal(isCorsSafelistedRequestHeader('dpr', '2', false), true, 'Chromium safelists client hints');
    assert.equal(isCorsSafelistedRequestHeader('dpr', '2', true), false, 'the Standard does not');
  });
  test('#cors-unsafe-request-header-names: sorted, lower-case, and the 1024-byte total', () => {
    assert.deepEqual(corsUnsafeRequestHeaderNames([['X-B', '1'], ['x-a', '1'], ['Content-Type', 'application/json']], true).sorted, ['content-type', 'x-a', 'x-b']);
    const many: [string, string][] = Array.from({ length: 9 }, () => ['Accept', 'a'.repeat(120)]);
    assert.deepEqual(corsUnsafeRequestHeaderNames(many, true).sorted, ['accept']);
  });
});

describe('#cors-check', () => {
  test('ACAO must equal the origin byte for byte', () => {
    for (const acao of [`${PAGE}/`, 'HTTPS://app.example.com', 'https://app.example.com:443']) {
      const r = explain(base({}, { status: 200, headers: { 'Access-Control-Allow-Origin': acao } }));
      assert.equal(r.allowed, false, acao);
      assert.equal(r.responseType, 'error');
      assert.equal(r.actualRequestSent, true);
    }
  });
  test('* passes without credentials and fails with them', () => {
    assert.equal(explain(base({}, { status: 200, headers: { 'Access-Control-Allow-Origin': '*' } })).allowed, true);
    const r = explain(base({ credentials: 'include' }, { status: 200, headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Credentials': 'true' } }));
    assert.equal(r.allowed, false);
    assert.match(r.console[0]!, /must not be the wildcard '\*' when the request's credentials mode is 'include'\.$/);
    assert.deepEqual(r.fix?.headers, { 'Access-Control-Allow-Origin': PAGE, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' });
  });
  test('ACAC must be exactly true', () => {
    const r = explain(base({ credentials: 'include' }, { status: 200, headers: { 'Access-Control-Allow-Origin': PAGE, 'Access-Control-Allow-Credentials': 'True' } }));
    assert.equal(r.allowed, false);
    assert.match(r.console[0]!, /is 'True' which must be 'true'/);
  });
  test('two ACAO lines are multiple values', () => {
    const r = explain(base({}, { status: 200, headers: [['Access-Control-Allow-Origin', PAGE], ['Access-Control-Allow-Origin', PAGE]] }));
    assert.match(r.console[0]!, /contains multiple values 'https:\/\/app\.example\.com, https:\/\/app\.example\.com', but only one is allowed\. Have the server send the header with a valid value\.$/);
    assert.deepEqual(r.console.slice(1), ['Failed to load resource: net::ERR_FAILED']);
  });
  test('the exact Chromium sentence for a missing ACAO', () => {
    const r = explain(base({}, { status: 200, headers: {} }));
    assert.deepEqual(r.console, [`Access to fetch at '${API}' from origin '${PAGE}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.`, 'Failed to load resource: net::ERR_FAILED']);
  });
});

describe('#cors-preflight-fetch', () => {
  const granted = { 'Access-Control-Allow-Origin': PAGE, 'Access-Control-Allow-Methods': 'PUT', 'Access-Control-Allow-Headers': 'x-custom' };
  test('a preflight that passes lets the request go', () => {
    const r = explain(base({ method: 'PUT', headers: { 'X-Custom': '1' } }, undefined, { status: 204, headers: granted }));
    assert.equal(r.preflight, true);
    assert.equal(r.actualRequestSent, true);
    assert.equal(r.allowed, true);
    assert.deepEqual(r.preflightRequest?.headers, { Origin: PAGE, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'x-custom' });
  });
  test('a redirect is never followed', () => {
    const r = explain(base({ method: 'PUT' }, undefined, { status: 302, headers: { ...granted, Location: '/x' } }));
    assert.equal(r.actualRequestSent, false);
    assert.match(r.console[0]!, /Response to preflight request doesn't pass access control check: Redirect is not allowed for a preflight request\.$/);
  });
  test('Chromium reports a missing ACAO before a bad status', () => {
    const r = explain(base({ method: 'PUT' }, undefined, { status: 404, headers: {} }));
    assert.match(r.console[0]!, /check: No 'Access-Control-Allow-Origin' header/);
    const s = explain(base({ method: 'PUT' }, undefined, { status: 404, headers: granted }));
    assert.match(s.console[0]!, /check: It does not have HTTP ok status\.$/);
  });
  test('Authorization and *: Chromium lets it through, the Standard does not', () => {
    const input = base({ headers: { Authorization: 'Bearer x' } }, undefined, { status: 204, headers: { 'Access-Control-Allow-Origin': PAGE, 'Access-Control-Allow-Headers': '*' } });
    assert.equal(explain(input).allowed, true);
    const spec = explain(input, { spec: true });
    assert.equal(spec.allowed, false);
    assert.match(spec.console[0]!, /Request header field authorization is not allowed/);
  });
  test('with credentials, * covers neither methods nor headers', () => {
    const r = explain(base({ method: 'PUT', credentials: 'include' }, undefined, { status: 204, headers: { 'Access-Control-Allow-Origin': PAGE, 'Access-Control-Allow-Credentials': 'true', 'Access-Control-Allow-Methods': '*' } }));
    assert.equal(r.allowed, false);
    assert.equal(r.fix?.where, 'preflight response');
    assert.deepEqual(r.fix?.policy, { origins: [PAGE], credentials: true, methods: ['GET', 'HEAD', 'POST', 'PUT'] });
  });
  test('the first refused header in request order is reported (Chromium)', () => {
    const r = explain(base({ headers: [['X-C', '1'], ['X-B', '1'], ['X-A', '1']] }, undefined, { status: 204, headers: { 'Access-Control-Allow-Origin': PAGE, 'Access-Control-Allow-Headers': 'x-a' } }));
    assert.match(r.console[0]!, /Request header field x-c is not allowed/);
  });
  test('unparsable grants', () => {
    const r = explain(base({ method: 'PUT' }, undefined, { status: 204, headers: { 'Access-Control-Allow-Origin': PAGE, 'Access-Control-Allow-Methods': 'bad method' } }));
    assert.match(r.console[0]!, /: Cannot parse Access-Control-Allow-Methods response header field in preflight response\.$/);
  });
  test('a missing preflight answer is a network error: preflight sent, nothing else', () => {
    const r = explain({ page: { origin: PAGE }, request: { url: API, method: 'PUT' }, response: { status: 200 } });
    assert.equal(r.preflight, true);
    assert.equal(r.actualRequestSent, false);
    assert.equal(r.allowed, false);
    assert.equal(r.responseType, 'error');
    assert.deepEqual(r.console, ['Failed to load resource: net::ERR_EMPTY_RESPONSE']);
    assert.equal(r.awaiting?.kind, 'preflight');
    assert.deepEqual(r.awaiting?.headers, [['Accept', '*/*'], ['Origin', PAGE], ['Access-Control-Request-Method', 'PUT']]);
  });
});

describe('#concept-filtered-response-cors: readable headers', () => {
  test('safelisted names plus the exposed ones; Set-Cookie never', () => {
    const r = explain(base({ credentials: 'include' }, { status: 200, headers: { 'Access-Control-Allow-Origin': PAGE, 'Access-Control-Allow-Credentials': 'true', 'Content-Type': 'text/plain', 'X-A': '1', 'X-B': '1', 'Set-Cookie': 'a=b', 'Access-Control-Expose-Headers': 'x-a, set-cookie' } }));
    assert.deepEqual(r.exposedHeaders, ['content-type', 'x-a']);
  });
  test('* exposes everything only without credentials', () => {
    const headers = { 'Access-Control-Allow-Origin': PAGE, 'X-A': '1', 'Access-Control-Expose-Headers': '*' };
    assert.deepEqual(explain(base({}, { status: 200, headers })).exposedHeaders, ['access-control-allow-origin', 'access-control-expose-headers', 'x-a']);
  });
});

describe('CSP connect-src', () => {
  test('connect-src, and default-src as the fallback, block before the request leaves', () => {
    const r = explain({ ...base(), page: { origin: PAGE, csp: "default-src 'self'" } });
    assert.equal(r.actualRequestSent, false);
    assert.deepEqual(r.console, [
      `Connecting to '${API}' violates the following Content Security Policy directive: "default-src 'self'". Note that 'connect-src' was not explicitly set, so 'default-src' is used as a fallback. The action has been blocked.`,
      `Fetch API cannot load ${API}. Refused to connect because it violates the document's Content Security Policy.`,
    ]);
    assert.equal(r.fix?.where, 'page');
  });
  test('source expressions', () => {
    const url = new URL(API);
    assert.equal(connectViolations('connect-src https://*.example.net', url, PAGE).length, 0);
    assert.equal(connectViolations('connect-src https://example.net', url, PAGE).length, 1);
    assert.equal(connectViolations('connect-src https:', url, PAGE).length, 0);
    assert.equal(connectViolations('connect-src api.example.net/v1/', url, PAGE).length, 0);
    assert.equal(connectViolations('connect-src api.example.net/v2/', url, PAGE).length, 1);
    assert.equal(connectViolations("connect-src 'self', connect-src *", url, PAGE).length, 1, 'every policy of a comma-joined header applies');
    assert.equal(connectViolations("img-src 'self'", url, PAGE).length, 0);
  });
});

describe('no-cors', () => {
  test('opaque response, nothing readable', () => {
    const r = explain(base({ mode: 'no-cors' }, { status: 200, headers: {} }));
    assert.deepEqual([r.responseType, r.allowed, r.exposedHeaders, r.preflight, r.actualRequestSent], ['opaque', false, null, false, true]);
  });
  test('PUT throws before sending', () => {
    const r = explain(base({ mode: 'no-cors', method: 'PUT' }));
    assert.equal(r.actualRequestSent, false);
    assert.match(r.explanation, /'PUT' is unsupported in no-cors mode/);
  });
});

describe('redirects (#http-redirect-fetch)', () => {
  test('a redirect to a second cross origin carries Origin: null onward', () => {
    const r = explain(base({}, { status: 302, headers: { 'Access-Control-Allow-Origin': PAGE, Location: 'https://cdn.example.org/x' } }));
    assert.match(r.explanation, /Origin: null/);
  });
});
