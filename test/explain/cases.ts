/**
 * Generated request/response combinations for the Chromium differential test: valid answers and
 * near misses alike. Placeholders in header values, filled in at run time: `{origin}` the page's
 * origin, `{next}` the URL of the next redirect hop (`{nextUserinfo}` the same with user:pass@),
 * `{case}` the case's own path prefix (so that a message quoting a non-HTTP URL still names its case).
 */
import type { ExplainInput } from '@corsgate/explain';

export interface Answer {
  status: number;
  statusText?: string;
  headers: [string, string][];
  body?: string;
}
/** Where a redirect hop goes: the API's origin again, a second cross origin, or the page's own origin. */
export type HopTarget = 'same' | 'other' | 'page';
/** An answer, or 'drop': the server closes the connection without answering. */
export type Reply = Answer | 'drop';

export interface DiffCase {
  name: string;
  /** Appended to the request's URL (a query or a fragment). */
  urlSuffix?: string;
  csp?: string;
  request: Omit<ExplainInput['request'], 'url'>;
  preflightResponse?: Reply;
  response: Reply;
  /** The answers at each redirect target, in order. */
  redirects?: Array<{ at: HopTarget; preflightResponse?: Reply; response: Reply }>;
}

type H = [string, string][];
const O = '{origin}';
const ACAO: H = [['Access-Control-Allow-Origin', O]];
const CRED: H = [
  ['Access-Control-Allow-Origin', O],
  ['Access-Control-Allow-Credentials', 'true'],
];
const STAR: H = [['Access-Control-Allow-Origin', '*']];
const ok = (headers: H, status = 200, extra: Partial<Answer> = {}): Answer => ({ status, headers, ...extra });

/** The actual response's Access-Control-Allow-Origin / -Credentials variants. */
const ORIGIN_VARIANTS: Array<[string, H]> = [
  ['acao exact', ACAO],
  ['acao missing', []],
  ['acao star', STAR],
  ['acao star, spaces', [['Access-Control-Allow-Origin', ' * ']]],
  ['acao trailing slash', [['Access-Control-Allow-Origin', `${O}/`]]],
  ['acao with path', [['Access-Control-Allow-Origin', `${O}/app`]]],
  ['acao uppercase scheme', [['Access-Control-Allow-Origin', 'HTTP://127.0.0.1']]],
  ['acao uppercase host', [['Access-Control-Allow-Origin', 'http://LOCALHOST']]],
  ['acao without port', [['Access-Control-Allow-Origin', 'http://127.0.0.1']]],
  [
    'acao two lines',
    [
      ['Access-Control-Allow-Origin', O],
      ['Access-Control-Allow-Origin', O],
    ],
  ],
  [
    'acao star twice',
    [
      ['Access-Control-Allow-Origin', '*'],
      ['Access-Control-Allow-Origin', '*'],
    ],
  ],
  ['acao two values', [['Access-Control-Allow-Origin', `${O}, https://other.example`]]],
  ['acao two values, space', [['Access-Control-Allow-Origin', `${O} https://other.example`]]],
  ['acao null', [['Access-Control-Allow-Origin', 'null']]],
  ['acao Null', [['Access-Control-Allow-Origin', 'Null']]],
  ['acao empty', [['Access-Control-Allow-Origin', '']]],
  ['acao double star', [['Access-Control-Allow-Origin', '**']]],
  ['acao other origin', [['Access-Control-Allow-Origin', 'https://other.example']]],
  ['acao host only', [['Access-Control-Allow-Origin', '127.0.0.1']]],
  ['acao quoted', [['Access-Control-Allow-Origin', `"${O}"`]]],
  ['acao latin-1', [['Access-Control-Allow-Origin', 'http://exämple.com']]],
  ['acao utf-8', [['Access-Control-Allow-Origin', 'http://ex€mple.com']]],
  ['acao control byte', [['Access-Control-Allow-Origin', 'http://a\x01b']]],
  ['acac true', CRED],
  ['acac True', [...ACAO, ['Access-Control-Allow-Credentials', 'True']]],
  ['acac TRUE', [...ACAO, ['Access-Control-Allow-Credentials', 'TRUE']]],
  ['acac false', [...ACAO, ['Access-Control-Allow-Credentials', 'false']]],
  ['acac empty', [...ACAO, ['Access-Control-Allow-Credentials', '']]],
  [
    'acac twice',
    [...ACAO, ['Access-Control-Allow-Credentials', 'true'], ['Access-Control-Allow-Credentials', 'true']],
  ],
  ['star with acac true', [...STAR, ['Access-Control-Allow-Credentials', 'true']]],
  [
    'null with acac',
    [
      ['Access-Control-Allow-Origin', 'null'],
      ['Access-Control-Allow-Credentials', 'true'],
    ],
  ],
];

/** Status codes and readable headers of an otherwise allowed actual response. */
const RESPONSE_VARIANTS: Array<[string, Answer]> = [
  ['201', ok(CRED, 201)],
  ['204', ok(CRED, 204)],
  ['400 with acao', ok(CRED, 400)],
  ['401 with acao', ok(CRED, 401)],
  ['403 without acao', ok([], 403)],
  ['404 without acao', ok([], 404)],
  ['404 custom phrase', ok(CRED, 404, { statusText: 'Nope' })],
  ['500 with acao', ok(CRED, 500)],
  ['503 without acao', ok([], 503)],
  ['302 without location', ok(CRED, 302)],
  [
    'expose list',
    ok([...CRED, ['X-Test', '1'], ['X-Other', '2'], ['Access-Control-Expose-Headers', 'x-test']]),
  ],
  ['expose mixed case', ok([...CRED, ['X-Test', '1'], ['Access-Control-Expose-Headers', 'X-TEST']])],
  ['expose star', ok([...CRED, ['X-Test', '1'], ['Access-Control-Expose-Headers', '*']])],
  [
    'expose star and name',
    ok([...CRED, ['X-Test', '1'], ['X-Other', '1'], ['Access-Control-Expose-Headers', '*, x-other']]),
  ],
  [
    'expose two lines',
    ok([
      ...CRED,
      ['X-Test', '1'],
      ['X-Other', '1'],
      ['Access-Control-Expose-Headers', 'x-test'],
      ['Access-Control-Expose-Headers', 'x-other'],
    ]),
  ],
  ['expose leading empty', ok([...CRED, ['bb-8', '1'], ['Access-Control-Expose-Headers', ',bb-8']])],
  ['expose invalid', ok([...CRED, ['bb-8', '1'], ['Access-Control-Expose-Headers', 'bb-8, no no']])],
  [
    'expose set-cookie',
    ok([...CRED, ['Set-Cookie', 'a=b'], ['Access-Control-Expose-Headers', 'set-cookie']]),
  ],
  [
    'expose star set-cookie',
    ok([...CRED, ['Set-Cookie', 'a=b'], ['X-Test', '1'], ['Access-Control-Expose-Headers', '*']]),
  ],
  [
    'safelisted response headers',
    ok([
      ...CRED,
      ['Cache-Control', 'no-store'],
      ['Content-Language', 'en'],
      ['Content-Type', 'text/plain'],
      ['Expires', '0'],
      ['Last-Modified', 'Mon, 01 Jan 2024 00:00:00 GMT'],
      ['Pragma', 'no-cache'],
      ['Server', 'x'],
      ['Age', '1'],
    ]),
  ],
  [
    'expose acao itself',
    ok([...CRED, ['Access-Control-Expose-Headers', 'access-control-allow-origin, content-length']]),
  ],
];

/** Requests that need no preflight. */
const SIMPLE: Array<[string, DiffCase['request']]> = [
  ['GET', { method: 'GET' }],
  ['no method', {}],
  ['get lowercase', { method: 'get' }],
  ['GET include', { method: 'GET', credentials: 'include' }],
  ['GET omit', { method: 'GET', credentials: 'omit' }],
  ['HEAD', { method: 'HEAD' }],
  ['POST text/plain', { method: 'POST', headers: { 'Content-Type': 'text/plain;charset=utf-8' }, body: 'x' }],
  [
    'post include form',
    {
      method: 'post',
      credentials: 'include',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'a=b',
    },
  ],
];

/** Request headers, each probed once: whether it triggers a preflight (a refusing preflight tells). */
const HEADER_PROBES: Array<[string, H]> = [
  ['accept */*', [['Accept', '*/*']]],
  ['accept json', [['Accept', 'application/json, text/plain; q=0.9']]],
  ['accept 128 bytes', [['Accept', 'a'.repeat(128)]]],
  ['accept 129 bytes', [['Accept', 'a'.repeat(129)]]],
  ['accept 100 latin-1', [['Accept', 'é'.repeat(100)]]],
  ['accept quote', [['Accept', 'a"b']]],
  ['accept colon', [['Accept', 'a:b']]],
  ['accept braces', [['Accept', '{x}']]],
  ['accept at', [['Accept', 'a@b']]],
  ['accept tab', [['Accept', 'a\tb']]],
  ['accept DEL', [['Accept', 'a\x7fb']]],
  ['accept empty', [['Accept', '']]],
  [
    'accept twice',
    [
      ['Accept', 'a'],
      ['Accept', 'b'],
    ],
  ],
  [
    'accept twice over 128',
    [
      ['Accept', 'a'.repeat(100)],
      ['Accept', 'b'.repeat(30)],
    ],
  ],
  ['accept-language fr', [['Accept-Language', 'fr']]],
  ['accept-language full', [['Accept-Language', 'en-US,en;q=0.9,*']]],
  ['accept-language at', [['Accept-Language', '@']]],
  ['accept-language underscore', [['Accept-Language', 'fr_FR']]],
  ['accept-language slash', [['Accept-Language', 'a/b']]],
  ['accept-language 129', [['Accept-Language', 'a'.repeat(129)]]],
  ['content-language de', [['Content-Language', 'de-DE']]],
  ['content-language paren', [['Content-Language', '(de)']]],
  ['content-language apostrophe', [['Content-Language', "de'x"]]],
  ['content-type text/plain', [['Content-Type', 'text/plain']]],
  ['content-type Text/Plain;garbage', [['Content-Type', 'Text/Plain;garbage']]],
  ['content-type multipart', [['Content-Type', 'multipart/form-data; boundary=x']]],
  ['content-type form', [['Content-Type', 'application/x-www-form-urlencoded;charset=UTF-8']]],
  ['content-type json', [['Content-Type', 'application/json']]],
  ['content-type text/html', [['Content-Type', 'text/html']]],
  ['content-type text/plain, x/x', [['Content-Type', 'text/plain, x/x']]],
  ['content-type text/plain,', [['Content-Type', 'text/plain,']]],
  ['content-type space before ;', [['Content-Type', 'text/plain ;charset=x']]],
  ['content-type quoted param', [['Content-Type', 'text/plain;charset="utf-8"']]],
  ['content-type paren param', [['Content-Type', 'text/plain;a=(b)']]],
  ['content-type no subtype', [['Content-Type', 'text/']]],
  ['content-type text/plain/x', [['Content-Type', 'text/plain/x']]],
  ['content-type text', [['Content-Type', 'text']]],
  ['content-type csp-report', [['Content-Type', 'application/csp-report']]],
  ['content-type 129 bytes', [['Content-Type', `text/plain;a=${'b'.repeat(116)}`]]],
  ['content-type 128 bytes', [['Content-Type', `text/plain;a=${'b'.repeat(115)}`]]],
  ['range 0-100', [['Range', 'bytes=0-100']]],
  ['range 100-', [['Range', 'bytes=100-']]],
  ['range -500', [['Range', 'bytes=-500']]],
  ['range two', [['Range', 'bytes=0-1,2-3']]],
  ['range Bytes', [['Range', 'Bytes=0-1']]],
  ['range space', [['Range', 'bytes= 0-1']]],
  ['range reversed', [['Range', 'bytes=5-1']]],
  ['range 0-0', [['Range', 'bytes=0-0']]],
  ['range leading zero', [['Range', 'bytes=01-2']]],
  ['range items', [['Range', 'items=0-1']]],
  ['range empty', [['Range', 'bytes=-']]],
  ['dpr 2', [['DPR', '2']]],
  ['dpr 1.5', [['DPR', '1.5']]],
  ['dpr empty', [['DPR', '']]],
  ['dpr x', [['DPR', 'x']]],
  ['width 100', [['Width', '100']]],
  ['viewport-width 1.5', [['Viewport-Width', '1.5']]],
  ['device-memory 0.5', [['Device-Memory', '0.5']]],
  ['rtt 50', [['RTT', '50']]],
  ['downlink 1.5', [['Downlink', '1.5']]],
  ['ect 4g', [['ECT', '4g']]],
  ['ect 5g', [['ECT', '5g']]],
  ['save-data on', [['Save-Data', 'on']]],
  ['save-data off', [['Save-Data', 'off']]],
  ['intervention', [['Intervention', 'x']]],
  ['x-custom', [['X-Custom', '1']]],
  ['value above latin-1', [['X-Custom', '€']]],
  ['accept value above latin-1', [['Accept', '€']]],
  ['invalid name', [['X Custom', '1']]],
  [
    'accept empty and x-custom',
    [
      ['Accept', ''],
      ['x-custom', ''],
    ],
  ],
  ['authorization', [['Authorization', 'Bearer x']]],
  ['cookie dropped', [['Cookie', 'a=b']]],
  ['sec- dropped', [['Sec-Foo', '1']]],
  ['proxy- dropped', [['Proxy-Foo', '1']]],
  ['content-length dropped', [['Content-Length', '3']]],
  ['method override TRACE dropped', [['X-HTTP-Method-Override', 'TRACE']]],
  ['method override PUT kept', [['X-HTTP-Method-Override', 'PUT']]],
  ['origin dropped', [['Origin', 'http://evil.example']]],
  [
    'safelisted total 1024+',
    [
      ['Accept', 'a'.repeat(128)],
      ['Accept-Language', 'b'.repeat(128)],
      ['Content-Language', 'c'.repeat(128)],
      ['Content-Type', `text/plain;a=${'d'.repeat(115)}`],
      ['Range', 'bytes=0-100'],
      ['Intervention', 'e'.repeat(128)],
      ['DPR', '2'.repeat(128)],
      ['Device-Memory', '4'.repeat(128)],
      ['Downlink', '1'.repeat(128)],
    ],
  ],
  [
    'safelisted total 1024 exactly',
    [
      ['Accept', 'a'.repeat(128)],
      ['Accept-Language', 'b'.repeat(128)],
      ['Content-Language', 'c'.repeat(128)],
      ['Content-Type', `text/plain;a=${'d'.repeat(115)}`],
      ['Range', 'bytes=0-100'],
      ['Intervention', 'e'.repeat(128)],
      ['DPR', '2'.repeat(128)],
      ['Device-Memory', '4'.repeat(128)],
      ['Downlink', '1'.repeat(117)],
    ],
  ],
  [
    'safelisted total 1025',
    [
      ['Accept', 'a'.repeat(128)],
      ['Accept-Language', 'b'.repeat(128)],
      ['Content-Language', 'c'.repeat(128)],
      ['Content-Type', `text/plain;a=${'d'.repeat(115)}`],
      ['Range', 'bytes=0-100'],
      ['Intervention', 'e'.repeat(128)],
      ['DPR', '2'.repeat(128)],
      ['Device-Memory', '4'.repeat(128)],
      ['Downlink', '1'.repeat(118)],
    ],
  ],
  [
    'safelisted 1000 plus text body',
    [
      ['Accept', 'a'.repeat(128)],
      ['Accept-Language', 'b'.repeat(128)],
      ['Content-Language', 'c'.repeat(128)],
      ['Intervention', 'e'.repeat(128)],
      ['DPR', '2'.repeat(128)],
      ['Device-Memory', '4'.repeat(128)],
      ['Downlink', '1'.repeat(128)],
      ['Range', 'bytes=0-1'],
      ['Width', '1'.repeat(96)],
    ],
  ],
  [
    'safelisted total under 1024',
    [
      ['Accept', 'a'.repeat(128)],
      ['Accept-Language', 'b'.repeat(128)],
      ['Content-Language', 'c'.repeat(128)],
      ['Content-Type', `text/plain;a=${'d'.repeat(115)}`],
      ['Range', 'bytes=0-100'],
    ],
  ],
];

/** Requests that need a preflight. */
const PREFLIGHTED: Array<[string, DiffCase['request']]> = [
  [
    'PUT x-custom include',
    {
      method: 'PUT',
      credentials: 'include',
      headers: { 'X-Custom': '1', 'Content-Type': 'application/json' },
      body: '{}',
    },
  ],
  ['PUT x-custom', { method: 'PUT', headers: { 'X-Custom': '1' } }],
  ['put lowercase', { method: 'put' }],
  ['patch lowercase', { method: 'patch', headers: { 'X-Custom': '1' } }],
  ['PATCH include', { method: 'PATCH', credentials: 'include' }],
  ['Foo method', { method: 'Foo' }],
  ['options lowercase', { method: 'options' }],
  ['GET authorization', { method: 'GET', headers: { Authorization: 'Bearer x' } }],
  [
    'GET authorization include',
    { method: 'GET', credentials: 'include', headers: { Authorization: 'Bearer x' } },
  ],
  [
    'GET x-c x-b x-a',
    {
      method: 'GET',
      headers: [
        ['X-C', '1'],
        ['X-B', '1'],
        ['X-A', '1'],
      ],
    },
  ],
  ['GET accept 129 bytes', { method: 'GET', headers: { Accept: 'a'.repeat(129) } }],
  ['GET range suffix', { method: 'GET', headers: { Range: 'bytes=-500' } }],
  ['POST json', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }],
  ['DELETE include', { method: 'DELETE', credentials: 'include' }],
];

const GRANT_HEADERS = 'x-custom, content-type, authorization, x-a, x-b, x-c, accept, accept-language, range';
const GRANT_METHODS = 'PUT, put, PATCH, patch, Foo, OPTIONS, DELETE';
const PREFLIGHT_VARIANTS: Array<[string, Answer]> = [
  [
    'grant all',
    ok(
      [
        ...CRED,
        ['Access-Control-Allow-Methods', GRANT_METHODS],
        ['Access-Control-Allow-Headers', GRANT_HEADERS],
      ],
      204,
    ),
  ],
  [
    '200 grant all',
    ok([
      ...CRED,
      ['Access-Control-Allow-Methods', GRANT_METHODS],
      ['Access-Control-Allow-Headers', GRANT_HEADERS],
    ]),
  ],
  [
    '206 grant all',
    ok(
      [
        ...CRED,
        ['Access-Control-Allow-Methods', GRANT_METHODS],
        ['Access-Control-Allow-Headers', GRANT_HEADERS],
      ],
      206,
    ),
  ],
  ['stars', ok([...ACAO, ['Access-Control-Allow-Methods', '*'], ['Access-Control-Allow-Headers', '*']], 204)],
  [
    'stars with creds',
    ok([...CRED, ['Access-Control-Allow-Methods', '*'], ['Access-Control-Allow-Headers', '*']], 204),
  ],
  [
    'stars plus authorization',
    ok(
      [
        ...CRED,
        ['Access-Control-Allow-Methods', '*, PUT, patch, PATCH, DELETE, Foo, OPTIONS'],
        ['Access-Control-Allow-Headers', '*, authorization'],
      ],
      204,
    ),
  ],
  [
    'acao star, stars',
    ok([...STAR, ['Access-Control-Allow-Methods', '*'], ['Access-Control-Allow-Headers', '*']], 204),
  ],
  [
    '404',
    ok([...CRED, ['Access-Control-Allow-Methods', 'PUT'], ['Access-Control-Allow-Headers', 'x-custom']], 404),
  ],
  [
    '401 with grants',
    ok(
      [
        ...CRED,
        ['Access-Control-Allow-Methods', GRANT_METHODS],
        ['Access-Control-Allow-Headers', GRANT_HEADERS],
      ],
      401,
    ),
  ],
  ['500 no acao', ok([], 500)],
  ['503 with acao', ok(CRED, 503)],
  ['300 with acao', ok(CRED, 300)],
  ['302 redirect', ok([['Location', '/elsewhere'], ...CRED], 302)],
  ['307 redirect no acao', ok([['Location', '/elsewhere']], 307)],
  [
    '308 without location',
    ok(
      [
        ...CRED,
        ['Access-Control-Allow-Methods', GRANT_METHODS],
        ['Access-Control-Allow-Headers', GRANT_HEADERS],
      ],
      308,
    ),
  ],
  [
    '304',
    ok(
      [
        ...CRED,
        ['Access-Control-Allow-Methods', GRANT_METHODS],
        ['Access-Control-Allow-Headers', GRANT_HEADERS],
      ],
      304,
    ),
  ],
  [
    'no acao',
    ok(
      [
        ['Access-Control-Allow-Methods', 'PUT'],
        ['Access-Control-Allow-Headers', 'x-custom'],
      ],
      204,
    ),
  ],
  [
    'acao trailing slash',
    ok(
      [
        ['Access-Control-Allow-Origin', `${O}/`],
        ['Access-Control-Allow-Methods', '*'],
      ],
      204,
    ),
  ],
  [
    'acao two values',
    ok(
      [
        ['Access-Control-Allow-Origin', `${O}, ${O}`],
        ['Access-Control-Allow-Methods', '*'],
      ],
      204,
    ),
  ],
  [
    'acao null',
    ok(
      [
        ['Access-Control-Allow-Origin', 'null'],
        ['Access-Control-Allow-Methods', '*'],
      ],
      204,
    ),
  ],
  [
    'acao star only',
    ok(
      [
        ...STAR,
        ['Access-Control-Allow-Methods', 'PUT, PATCH'],
        ['Access-Control-Allow-Headers', 'x-custom, content-type, authorization'],
      ],
      204,
    ),
  ],
  ['methods missing', ok([...CRED, ['Access-Control-Allow-Headers', GRANT_HEADERS]], 204)],
  [
    'method lowercase put',
    ok(
      [...CRED, ['Access-Control-Allow-Methods', 'put'], ['Access-Control-Allow-Headers', GRANT_HEADERS]],
      204,
    ),
  ],
  [
    'method upper PATCH',
    ok(
      [...CRED, ['Access-Control-Allow-Methods', 'PATCH'], ['Access-Control-Allow-Headers', GRANT_HEADERS]],
      204,
    ),
  ],
  [
    'method list with empties',
    ok(
      [
        ...CRED,
        ['Access-Control-Allow-Methods', ',PUT,, patch ,DELETE,'],
        ['Access-Control-Allow-Headers', GRANT_HEADERS],
      ],
      204,
    ),
  ],
  [
    'methods two lines',
    ok(
      [
        ...CRED,
        ['Access-Control-Allow-Methods', 'PUT'],
        ['Access-Control-Allow-Methods', 'patch, DELETE, Foo, OPTIONS, PATCH'],
        ['Access-Control-Allow-Headers', GRANT_HEADERS],
      ],
      204,
    ),
  ],
  ['headers missing', ok([...CRED, ['Access-Control-Allow-Methods', GRANT_METHODS]], 204)],
  [
    'headers upper case',
    ok(
      [
        ...CRED,
        ['Access-Control-Allow-Methods', GRANT_METHODS],
        ['Access-Control-Allow-Headers', GRANT_HEADERS.toUpperCase()],
      ],
      204,
    ),
  ],
  [
    'methods unparsable',
    ok(
      [...CRED, ['Access-Control-Allow-Methods', 'bad method'], ['Access-Control-Allow-Headers', 'x-custom']],
      204,
    ),
  ],
  [
    'methods semicolon',
    ok(
      [...CRED, ['Access-Control-Allow-Methods', 'PUT;PATCH'], ['Access-Control-Allow-Headers', 'x-custom']],
      204,
    ),
  ],
  [
    'headers unparsable',
    ok(
      [
        ...CRED,
        ['Access-Control-Allow-Methods', GRANT_METHODS],
        ['Access-Control-Allow-Headers', 'bad value'],
      ],
      204,
    ),
  ],
  [
    'headers slash',
    ok(
      [...CRED, ['Access-Control-Allow-Methods', GRANT_METHODS], ['Access-Control-Allow-Headers', 'x/y']],
      204,
    ),
  ],
  [
    'acac True',
    ok(
      [
        ['Access-Control-Allow-Origin', O],
        ['Access-Control-Allow-Credentials', 'True'],
        ['Access-Control-Allow-Methods', GRANT_METHODS],
        ['Access-Control-Allow-Headers', GRANT_HEADERS],
      ],
      204,
    ),
  ],
  [
    'only x-a',
    ok(
      [...CRED, ['Access-Control-Allow-Methods', GRANT_METHODS], ['Access-Control-Allow-Headers', 'x-a']],
      204,
    ),
  ],
  [
    'max-age -1',
    ok(
      [
        ...CRED,
        ['Access-Control-Allow-Methods', GRANT_METHODS],
        ['Access-Control-Allow-Headers', GRANT_HEADERS],
        ['Access-Control-Max-Age', '-1'],
      ],
      204,
    ),
  ],
];

/** A preflight answer that refuses everything: a request that is preflighted fails on it. */
const REFUSING_PREFLIGHT = ok([], 204);

const CSPS = [
  "connect-src 'self'",
  "default-src 'self'",
  "default-src 'none'",
  "connect-src 'none'",
  'connect-src http://localhost:*',
  'connect-src localhost:*',
  'connect-src http://localhost',
  'connect-src http://*.localhost:*',
  'connect-src *',
  'connect-src http:',
  'connect-src https:',
  'connect-src http://localhost:*/case/',
  'connect-src http://localhost:*/other/',
  "default-src 'none'; connect-src 'self'",
  "default-src *; connect-src 'self'",
  "connect-src 'self'; connect-src *",
  "CONNECT-SRC 'self'",
  "connect-src   'SELF'\tHTTP://LOCALHOST:1",
  'connect-src',
  "default-src 'self' ; ",
  "default-src 'self'; CONNECT-SRC http://localhost:1 'self'",
  "connect-src 'self', connect-src *",
  "connect-src *, connect-src 'self'",
  "img-src 'self'",
  "script-src 'self' 'unsafe-eval'",
  "connect-src 'self' 'unsafe-inline' 'nonce-abc'",
];

export function generateCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  // Simple requests × the actual response's origin checks.
  for (const [rn, request] of SIMPLE) {
    for (const [vn, headers] of ORIGIN_VARIANTS)
      cases.push({ name: `${rn} / ${vn}`, request, response: ok(headers) });
  }
  // Status codes and readable headers, with and without credentials.
  for (const [rn, request] of [SIMPLE[0]!, SIMPLE[3]!, SIMPLE[6]!]) {
    for (const [vn, answer] of RESPONSE_VARIANTS)
      cases.push({ name: `${rn} / ${vn}`, request, response: answer });
  }
  // Which request headers are safelisted: a preflight, if sent, is refused.
  for (const [hn, headers] of HEADER_PROBES) {
    cases.push({
      name: `GET ${hn}`,
      request: { method: 'GET', headers },
      preflightResponse: REFUSING_PREFLIGHT,
      response: ok(STAR),
    });
    cases.push({
      name: `POST ${hn} (stars)`,
      request: { method: 'POST', headers, body: 'x' },
      preflightResponse: ok(
        [...STAR, ['Access-Control-Allow-Methods', '*'], ['Access-Control-Allow-Headers', '*']],
        204,
      ),
      response: ok(STAR),
    });
  }
  // Preflighted requests × preflight answers.
  for (const [rn, request] of PREFLIGHTED) {
    for (const [vn, answer] of PREFLIGHT_VARIANTS) {
      cases.push({
        name: `${rn} / preflight ${vn}`,
        request,
        preflightResponse: answer,
        response: ok([...CRED, ['X-Test', '1']]),
      });
    }
    cases.push({
      name: `${rn} / actual without acao`,
      request,
      preflightResponse: PREFLIGHT_VARIANTS[0]![1],
      response: ok([]),
    });
    cases.push({
      name: `${rn} / actual acao star`,
      request,
      preflightResponse: PREFLIGHT_VARIANTS[0]![1],
      response: ok(STAR),
    });
  }
  // The page's own CSP: a simple and a preflighted request each.
  for (const csp of CSPS) {
    cases.push({ name: `csp ${csp}`, csp, request: { method: 'GET' }, response: ok(ACAO) });
    cases.push({
      name: `csp ${csp} / PUT`,
      csp,
      request: { method: 'PUT' },
      preflightResponse: ok([...ACAO, ['Access-Control-Allow-Methods', 'PUT']], 204),
      response: ok(ACAO),
    });
    cases.push({
      name: `csp ${csp} / no-cors`,
      csp,
      request: { method: 'GET', mode: 'no-cors' },
      response: ok([]),
    });
  }
  // no-cors: opaque, never preflighted, and what fetch() refuses outright.
  const noCors: Array<[string, DiffCase['request'], Answer]> = [
    ['no-cors GET', { method: 'GET', mode: 'no-cors' }, ok([])],
    ['no-cors GET include', { method: 'GET', mode: 'no-cors', credentials: 'include' }, ok(CRED)],
    ['no-cors HEAD', { method: 'HEAD', mode: 'no-cors' }, ok([])],
    [
      'no-cors POST x-custom dropped',
      { method: 'POST', mode: 'no-cors', headers: { 'X-Custom': '1' } },
      ok([]),
    ],
    [
      'no-cors POST json',
      { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'application/json' }, body: '{}' },
      ok([]),
    ],
    ['no-cors PUT', { method: 'PUT', mode: 'no-cors' }, ok([])],
    ['no-cors patch', { method: 'patch', mode: 'no-cors' }, ok([])],
    ['no-cors 404', { method: 'GET', mode: 'no-cors' }, ok([], 404)],
    ['no-cors 500', { method: 'GET', mode: 'no-cors' }, ok([], 500)],
    [
      'no-cors text/plain body',
      { method: 'GET', mode: 'no-cors' },
      ok([['Content-Type', 'text/plain']], 200, { body: 'hello' }),
    ],
    ['no-cors acao', { method: 'GET', mode: 'no-cors' }, ok(ACAO)],
    [
      'no-cors json',
      { method: 'GET', mode: 'no-cors' },
      ok([['Content-Type', 'application/json']], 200, { body: '{"a":1}' }),
    ],
    [
      'no-cors html',
      { method: 'GET', mode: 'no-cors' },
      ok([['Content-Type', 'text/html']], 200, { body: '<!doctype html><p>x' }),
    ],
    [
      'no-cors nosniff text',
      { method: 'GET', mode: 'no-cors' },
      ok(
        [
          ['Content-Type', 'text/plain'],
          ['X-Content-Type-Options', 'nosniff'],
        ],
        200,
        { body: 'x' },
      ),
    ],
    [
      'no-cors json 404',
      { method: 'GET', mode: 'no-cors' },
      ok([['Content-Type', 'application/json']], 404, { body: '{"a":1}' }),
    ],
    [
      'no-cors corp same-origin',
      { method: 'GET', mode: 'no-cors' },
      ok([['Cross-Origin-Resource-Policy', 'same-origin']]),
    ],
    [
      'no-cors corp same-site',
      { method: 'GET', mode: 'no-cors' },
      ok([['Cross-Origin-Resource-Policy', 'same-site']]),
    ],
    [
      'no-cors corp cross-origin',
      { method: 'GET', mode: 'no-cors' },
      ok([['Cross-Origin-Resource-Policy', 'cross-origin']]),
    ],
    [
      'cors corp same-origin',
      { method: 'GET' },
      ok([...ACAO, ['Cross-Origin-Resource-Policy', 'same-origin']]),
    ],
  ];
  for (const [n, request, answer] of noCors) cases.push({ name: n, request, response: answer });
  // Other request modes and methods fetch() refuses.
  cases.push({
    name: 'mode same-origin',
    request: { method: 'GET', mode: 'same-origin' },
    response: ok(ACAO),
  });
  cases.push({ name: 'TRACE', request: { method: 'TRACE' }, response: ok(ACAO) });
  cases.push({ name: 'connect lowercase', request: { method: 'connect' }, response: ok(ACAO) });
  cases.push({ name: 'GET with body', request: { method: 'GET', body: 'x' }, response: ok(ACAO) });
  cases.push({ name: 'GET with empty body', request: { method: 'GET', body: '' }, response: ok(ACAO) });
  cases.push({ name: 'HEAD with body', request: { method: 'HEAD', body: 'x' }, response: ok(ACAO) });
  cases.push({ name: 'POST with empty body', request: { method: 'POST', body: '' }, response: ok(ACAO) });
  cases.push({ name: 'empty method', request: { method: '' }, response: ok(ACAO) });
  cases.push({ name: 'invalid method token', request: { method: 'GE T' }, response: ok(ACAO) });

  // Redirects (#http-redirect-fetch): each hop gets its own CORS check; a second cross origin taints the origin.
  const redirect = (
    status: number,
    at: HopTarget,
    hop: Reply,
    first: H = ACAO,
    request: DiffCase['request'] = { method: 'GET' },
    preflights?: [Reply, Reply],
  ): DiffCase => ({
    name: `redirect ${status} to ${at} / ${request.method ?? 'GET'}${request.credentials ? ` ${request.credentials}` : ''} / first ${first.map(([, v]) => v).join(' ')} / then ${hop === 'drop' ? 'drop' : `${hop.status} ${hop.headers.map(([, v]) => v).join(' ')}`}`,
    request,
    ...(preflights ? { preflightResponse: preflights[0] } : {}),
    response: ok([...first, ['Location', '{next}']], status),
    redirects: [{ at, ...(preflights ? { preflightResponse: preflights[1] } : {}), response: hop }],
  });
  for (const status of [301, 302, 303, 307, 308]) {
    for (const at of ['same', 'other', 'page'] as HopTarget[]) {
      cases.push(redirect(status, at, ok(ACAO)));
      cases.push(redirect(status, at, ok(STAR)));
      cases.push(redirect(status, at, ok([['Access-Control-Allow-Origin', 'null']])));
    }
  }
  for (const at of ['same', 'other', 'page'] as HopTarget[]) {
    cases.push(redirect(302, at, ok([])));
    cases.push(redirect(302, at, ok(CRED), CRED, { method: 'GET', credentials: 'include' }));
    cases.push(
      redirect(
        302,
        at,
        ok([
          ['Access-Control-Allow-Origin', 'null'],
          ['Access-Control-Allow-Credentials', 'true'],
        ]),
        CRED,
        { method: 'GET', credentials: 'include' },
      ),
    );
    cases.push(redirect(302, at, ok(STAR), []));
    cases.push(
      redirect(307, at, ok(STAR), STAR, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: 'x',
      }),
    );
    cases.push(
      redirect(303, at, ok(STAR), STAR, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: 'x',
      }),
    );
    cases.push(
      redirect(301, at, ok(STAR), STAR, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: 'x',
      }),
    );
    const grant: Answer = ok(
      [...STAR, ['Access-Control-Allow-Methods', 'PUT'], ['Access-Control-Allow-Headers', 'x-custom']],
      204,
    );
    const grantOrigin: Answer = ok(
      [...ACAO, ['Access-Control-Allow-Methods', 'PUT'], ['Access-Control-Allow-Headers', 'x-custom']],
      204,
    );
    cases.push(
      redirect(307, at, ok(STAR), STAR, { method: 'PUT', headers: { 'X-Custom': '1' } }, [grant, grant]),
    );
    cases.push(
      redirect(307, at, ok(ACAO), ACAO, { method: 'PUT', headers: { 'X-Custom': '1' } }, [
        grantOrigin,
        grantOrigin,
      ]),
    );
    cases.push(
      redirect(307, at, ok(STAR), STAR, { method: 'PUT', headers: { 'X-Custom': '1' } }, [
        grant,
        REFUSING_PREFLIGHT,
      ]),
    );
    cases.push(
      redirect(303, at, ok(STAR), STAR, { method: 'PUT', headers: { 'X-Custom': '1' } }, [
        grant,
        REFUSING_PREFLIGHT,
      ]),
    );
    cases.push(
      redirect(302, at, ok(STAR), STAR, { method: 'GET', headers: { Authorization: 'Bearer x' } }, [
        ok([...STAR, ['Access-Control-Allow-Headers', 'authorization']], 204),
        REFUSING_PREFLIGHT,
      ]),
    );
  }
  cases.push({
    name: 'redirect to userinfo',
    request: { method: 'GET' },
    response: ok([...STAR, ['Location', '{nextUserinfo}']], 302),
    redirects: [{ at: 'same', response: ok(STAR) }],
  });
  cases.push({
    name: 'redirect to unparsable location',
    request: { method: 'GET' },
    response: ok([...STAR, ['Location', 'http://[bad']], 302),
  });
  cases.push({
    name: 'redirect to data:',
    request: { method: 'GET' },
    response: ok([...STAR, ['Location', 'data:,{case}']], 302),
  });
  cases.push({
    name: 'no-cors redirect to other',
    request: { method: 'GET', mode: 'no-cors' },
    response: ok([['Location', '{next}']], 302),
    redirects: [{ at: 'other', response: ok([]) }],
  });
  cases.push({
    name: 'two redirects, back to same',
    request: { method: 'GET' },
    response: ok([...ACAO, ['Location', '{next}']], 302),
    redirects: [
      { at: 'other', response: ok([...STAR, ['Location', '{next}']], 302) },
      { at: 'same', response: ok(ACAO) },
    ],
  });
  cases.push({
    name: 'two redirects, null at the end',
    request: { method: 'GET' },
    response: ok([...ACAO, ['Location', '{next}']], 302),
    redirects: [
      { at: 'other', response: ok([...STAR, ['Location', '{next}']], 302) },
      { at: 'same', response: ok([['Access-Control-Allow-Origin', 'null']]) },
    ],
  });

  // XMLHttpRequest: the same algorithm, its own console wording.
  for (const [vn, headers] of ORIGIN_VARIANTS) {
    cases.push({
      name: `xhr GET / ${vn}`,
      request: { method: 'GET', initiator: 'xhr' },
      response: ok(headers),
    });
    cases.push({
      name: `xhr GET withCredentials / ${vn}`,
      request: { method: 'GET', credentials: 'include', initiator: 'xhr' },
      response: ok(headers),
    });
  }
  for (const [vn, answer] of PREFLIGHT_VARIANTS.slice(0, 20)) {
    cases.push({
      name: `xhr PUT x-custom / preflight ${vn}`,
      request: { method: 'PUT', headers: { 'X-Custom': '1' }, initiator: 'xhr' },
      preflightResponse: answer,
      response: ok([...CRED, ['X-Test', '1'], ['Access-Control-Expose-Headers', 'x-test']]),
    });
  }
  cases.push({
    name: 'xhr GET with body',
    request: { method: 'GET', body: 'x', initiator: 'xhr' },
    response: ok(ACAO),
  });
  cases.push({
    name: 'xhr POST text body',
    request: { method: 'POST', body: 'x', initiator: 'xhr' },
    response: ok(ACAO),
  });
  for (const csp of CSPS.slice(0, 4))
    cases.push({
      name: `xhr csp ${csp}`,
      csp,
      request: { method: 'GET', initiator: 'xhr' },
      response: ok(ACAO),
    });
  cases.push(
    ...[301, 307].map((status): DiffCase => ({
      name: `xhr redirect ${status} to other`,
      request: { method: 'GET', initiator: 'xhr' },
      response: ok([...ACAO, ['Location', '{next}']], status),
      redirects: [{ at: 'other', response: ok(ACAO) }],
    })),
  );

  // The URL as Chromium quotes it.
  cases.push({
    name: 'url with query and fragment',
    urlSuffix: '?a=1&b=%20c#frag',
    request: { method: 'GET' },
    response: ok([]),
  });
  cases.push({
    name: 'url with fragment, preflighted',
    urlSuffix: '#frag',
    request: { method: 'PUT' },
    preflightResponse: ok([], 204),
    response: ok([]),
  });
  cases.push({
    name: 'url with unicode path',
    urlSuffix: '?q=é',
    request: { method: 'GET' },
    response: ok([]),
  });

  // Which refused header the console names when several are refused: Chromium in the order of its
  // header table (blink-header-order.ts), Firefox in sorted order.
  const refusing = ok([...ACAO, ['Access-Control-Allow-Headers', 'x-other']], 204);
  const headerSets: H[] = [
    [
      ['X-A', '1'],
      ['X-B', '1'],
      ['Authorization', 'Bearer x'],
    ],
    [
      ['x-custom', '1'],
      ['h2', '1'],
      ['qux', '1'],
      ['h1', '1'],
    ],
    [
      ['X-Requested-With', 'XMLHttpRequest'],
      ['X-CSRF-Token', 't'],
      ['X-Api-Key', 'k'],
      ['Content-Type', 'application/json'],
    ],
    Array.from({ length: 12 }, (_, i): [string, string] => [`h${i + 1}`, '1']),
  ];
  for (const headers of headerSets) {
    const names = headers.map(([n]) => n).join(', ');
    cases.push({
      name: `refused headers ${names}`,
      request: { method: 'GET', headers },
      preflightResponse: refusing,
      response: ok(ACAO),
    });
    cases.push({
      name: `xhr refused headers ${names}`,
      request: { method: 'GET', headers, initiator: 'xhr' },
      preflightResponse: refusing,
      response: ok(ACAO),
    });
  }
  // Where Firefox departs: a repeated unsafe name, a non-ASCII Content-Type, the method checked before the headers are parsed.
  cases.push({
    name: 'PUT x-a twice',
    request: {
      method: 'PUT',
      headers: [
        ['X-A', '1'],
        ['X-A', '2'],
      ],
    },
    preflightResponse: ok(
      [...ACAO, ['Access-Control-Allow-Methods', 'PUT'], ['Access-Control-Allow-Headers', 'x-a']],
      204,
    ),
    response: ok(ACAO),
  });
  cases.push({
    name: 'POST content-type non-ascii',
    request: { method: 'POST', headers: { 'Content-Type': 'text/plain;a=é' }, body: 'x' },
    preflightResponse: REFUSING_PREFLIGHT,
    response: ok(STAR),
  });
  cases.push({
    name: 'PUT unparsable headers, method not granted',
    request: { method: 'PUT', headers: { 'X-A': '1' } },
    preflightResponse: ok([...STAR, ['Access-Control-Allow-Headers', 'bad value']], 204),
    response: ok(STAR),
  });

  // Answers that never come: the server closes the connection.
  cases.push({
    name: 'preflight dropped',
    request: { method: 'PUT' },
    preflightResponse: 'drop',
    response: ok(ACAO),
  });
  cases.push({ name: 'response dropped', request: { method: 'GET' }, response: 'drop' });
  cases.push({
    name: 'response dropped after preflight',
    request: { method: 'PUT' },
    preflightResponse: ok([...ACAO, ['Access-Control-Allow-Methods', 'PUT']], 204),
    response: 'drop',
  });
  return cases;
}
