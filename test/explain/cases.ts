/**
 * Generated request/response combinations for the Chromium differential test. `{origin}` stands for
 * the page's origin, filled in at run time. Valid answers and near misses alike.
 */
import type { ExplainInput } from '../../src/explain/index.js';

export interface DiffCase {
  name: string;
  csp?: string;
  request: Omit<ExplainInput['request'], 'url'>;
  preflightResponse?: { status: number; headers: [string, string][] };
  response: { status: number; headers: [string, string][] };
}

const O = '{origin}';
const OK: [string, string][] = [['Access-Control-Allow-Origin', O]];
const OK_CRED: [string, string][] = [['Access-Control-Allow-Origin', O], ['Access-Control-Allow-Credentials', 'true']];

const ACTUAL_VARIANTS: Array<[string, number, [string, string][]]> = [
  ['acao exact', 200, OK],
  ['acao missing', 200, []],
  ['acao star', 200, [['Access-Control-Allow-Origin', '*']]],
  ['acao trailing slash', 200, [['Access-Control-Allow-Origin', `${O}/`]]],
  ['acao uppercase scheme', 200, [['Access-Control-Allow-Origin', 'HTTP://127.0.0.1']]],
  ['acao two lines', 200, [['Access-Control-Allow-Origin', O], ['Access-Control-Allow-Origin', O]]],
  ['acao two values', 200, [['Access-Control-Allow-Origin', `${O}, https://other.example`]]],
  ['acao null', 200, [['Access-Control-Allow-Origin', 'null']]],
  ['acao empty', 200, [['Access-Control-Allow-Origin', '']]],
  ['acao double star', 200, [['Access-Control-Allow-Origin', '**']]],
  ['acao other origin', 200, [['Access-Control-Allow-Origin', 'https://other.example']]],
  ['acao with creds true', 200, OK_CRED],
  ['acao with creds True', 200, [['Access-Control-Allow-Origin', O], ['Access-Control-Allow-Credentials', 'True']]],
  ['star with creds true', 200, [['Access-Control-Allow-Origin', '*'], ['Access-Control-Allow-Credentials', 'true']]],
  ['500 with acao', 500, OK_CRED],
  ['404 without acao', 404, []],
  ['expose list', 200, [...OK_CRED, ['X-Test', '1'], ['X-Other', '2'], ['Access-Control-Expose-Headers', 'x-test']]],
  ['expose star', 200, [...OK_CRED, ['X-Test', '1'], ['Access-Control-Expose-Headers', '*']]],
  ['expose leading empty', 200, [...OK, ['bb-8', '1'], ['Access-Control-Expose-Headers', ',bb-8']]],
  ['expose invalid', 200, [...OK, ['bb-8', '1'], ['Access-Control-Expose-Headers', 'bb-8, no no']]],
  ['set-cookie exposed', 200, [...OK_CRED, ['Set-Cookie', 'a=b'], ['Access-Control-Expose-Headers', 'set-cookie']]],
];

const PREFLIGHT_VARIANTS: Array<[string, number, [string, string][]]> = [
  ['grant all', 204, [...OK_CRED, ['Access-Control-Allow-Methods', 'PUT, PATCH, patch, DELETE'], ['Access-Control-Allow-Headers', 'x-custom, content-type, authorization, x-a, x-b, x-c, accept, accept-language, range']]],
  ['200 grant all', 200, [...OK_CRED, ['Access-Control-Allow-Methods', 'PUT, PATCH, patch, DELETE'], ['Access-Control-Allow-Headers', 'x-custom, content-type, authorization, x-a, x-b, x-c, accept, accept-language, range']]],
  ['stars', 204, [...OK, ['Access-Control-Allow-Methods', '*'], ['Access-Control-Allow-Headers', '*']]],
  ['stars with creds', 204, [...OK_CRED, ['Access-Control-Allow-Methods', '*'], ['Access-Control-Allow-Headers', '*']]],
  ['404', 404, [...OK_CRED, ['Access-Control-Allow-Methods', 'PUT'], ['Access-Control-Allow-Headers', 'x-custom']]],
  ['500 no acao', 500, []],
  ['302 redirect', 302, [['Location', '/elsewhere'], ...OK_CRED]],
  ['no acao', 204, [['Access-Control-Allow-Methods', 'PUT'], ['Access-Control-Allow-Headers', 'x-custom']]],
  ['acao star only', 204, [['Access-Control-Allow-Origin', '*'], ['Access-Control-Allow-Methods', 'PUT, PATCH'], ['Access-Control-Allow-Headers', 'x-custom, content-type, authorization']]],
  ['methods missing', 204, [...OK_CRED, ['Access-Control-Allow-Headers', 'x-custom, content-type, authorization']]],
  ['method lowercase put', 204, [...OK_CRED, ['Access-Control-Allow-Methods', 'put'], ['Access-Control-Allow-Headers', 'x-custom, content-type']]],
  ['method upper PATCH', 204, [...OK_CRED, ['Access-Control-Allow-Methods', 'PATCH'], ['Access-Control-Allow-Headers', 'x-custom, content-type']]],
  ['headers missing', 204, [...OK_CRED, ['Access-Control-Allow-Methods', 'PUT, patch']]],
  ['methods unparsable', 204, [...OK_CRED, ['Access-Control-Allow-Methods', 'bad method'], ['Access-Control-Allow-Headers', 'x-custom']]],
  ['headers unparsable', 204, [...OK_CRED, ['Access-Control-Allow-Methods', 'PUT'], ['Access-Control-Allow-Headers', 'bad value']]],
  ['acac True', 204, [['Access-Control-Allow-Origin', O], ['Access-Control-Allow-Credentials', 'True'], ['Access-Control-Allow-Methods', 'PUT'], ['Access-Control-Allow-Headers', 'x-custom']]],
  ['only x-a', 204, [...OK_CRED, ['Access-Control-Allow-Methods', 'PUT'], ['Access-Control-Allow-Headers', 'x-a']]],
];

const SIMPLE_REQUESTS: Array<[string, DiffCase['request']]> = [
  ['GET', { method: 'GET' }],
  ['GET include', { method: 'GET', credentials: 'include' }],
  ['POST text/plain', { method: 'POST', headers: { 'Content-Type': 'text/plain;charset=utf-8' }, body: 'x' }],
  ['GET Text/Plain;garbage', { method: 'GET', headers: { 'Content-Type': 'Text/Plain;garbage' } }],
  ['GET range 100-200', { method: 'GET', headers: { Range: 'bytes=100-200' } }],
  ['GET DPR 2', { method: 'GET', headers: { DPR: '2' } }],
  ['HEAD omit', { method: 'HEAD', credentials: 'omit' }],
];

const PREFLIGHTED_REQUESTS: Array<[string, DiffCase['request']]> = [
  ['PUT x-custom include', { method: 'PUT', credentials: 'include', headers: { 'X-Custom': '1', 'Content-Type': 'application/json' }, body: '{}' }],
  ['PUT x-custom', { method: 'PUT', headers: { 'X-Custom': '1' } }],
  ['patch lowercase', { method: 'patch', headers: { 'X-Custom': '1' } }],
  ['GET authorization', { method: 'GET', headers: { Authorization: 'Bearer x' } }],
  ['GET x-c x-b x-a', { method: 'GET', headers: [['X-C', '1'], ['X-B', '1'], ['X-A', '1']] }],
  ['GET accept 129 bytes', { method: 'GET', headers: { Accept: 'a'.repeat(129) } }],
  ['GET accept-language @', { method: 'GET', headers: { 'Accept-Language': '@' } }],
  ['GET range suffix', { method: 'GET', headers: { Range: 'bytes=-500' } }],
  ['POST json', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }],
  ['DELETE include', { method: 'DELETE', credentials: 'include' }],
];

export function generateCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (const [rn, request] of SIMPLE_REQUESTS) {
    for (const [vn, status, headers] of ACTUAL_VARIANTS) cases.push({ name: `${rn} / ${vn}`, request, response: { status, headers } });
  }
  for (const [rn, request] of PREFLIGHTED_REQUESTS) {
    for (const [vn, status, headers] of PREFLIGHT_VARIANTS) {
      cases.push({ name: `${rn} / preflight ${vn}`, request, preflightResponse: { status, headers }, response: { status: 200, headers: [...OK_CRED, ['X-Test', '1']] } });
    }
    cases.push({ name: `${rn} / actual without acao`, request, preflightResponse: { status: 204, headers: PREFLIGHT_VARIANTS[0]![2] }, response: { status: 200, headers: [] } });
  }
  // The page's own CSP.
  for (const csp of ["connect-src 'self'", "default-src 'self'", 'connect-src http://localhost:*', 'connect-src *', 'connect-src http:', "default-src 'none'; connect-src 'self'", "connect-src 'self', connect-src *", "img-src 'self'"]) {
    cases.push({ name: `csp ${csp}`, csp, request: { method: 'GET' }, response: { status: 200, headers: OK } });
  }
  // no-cors.
  cases.push({ name: 'no-cors GET', request: { method: 'GET', mode: 'no-cors' }, response: { status: 200, headers: [] } });
  cases.push({ name: 'no-cors POST x-custom dropped', request: { method: 'POST', mode: 'no-cors', headers: { 'X-Custom': '1' } }, response: { status: 200, headers: [] } });
  cases.push({ name: 'no-cors PUT', request: { method: 'PUT', mode: 'no-cors' }, response: { status: 200, headers: [] } });
  cases.push({ name: 'no-cors 404', request: { method: 'GET', mode: 'no-cors' }, response: { status: 404, headers: [] } });
  return cases;
}
