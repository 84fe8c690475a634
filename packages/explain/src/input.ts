/**
 * Reads an explain input liberally (headers as an object, [name, value] pairs or HAR-style
 * {name, value} objects; a status given as a string; a missing method meaning GET) and rejects
 * what cannot be understood with an ExplainInputError naming the field.
 */
import { toHeaderList, type HeaderList } from 'corsgate/internal/http/headers.js';
import { NETWORK_ERROR_CODES, type Initiator, type NetworkErrorCode } from './events.js';
import { ExplainInputError, type ExplainInput, type ExplainInputErrorCode } from './types.js';

/** A server answer. */
export interface Answer {
  status: number;
  statusText: string | undefined;
  headers: HeaderList;
}

/** No answer, and why. An answer not given at all, or status 0 as HAR records failures, is `empty-response`. */
export interface NoAnswer {
  networkError: NetworkErrorCode;
  message: string | undefined;
}

/**
 * A preflight that was sent but whose answer the recording does not hold (HAR files from some tools):
 * it passed, or (`failed`) the request was never sent after it.
 */
export interface NotRecorded {
  notRecorded: true;
  failed: boolean;
}

export type Reply = Answer | NoAnswer | NotRecorded | null;

export interface Hop {
  preflightResponse: Reply;
  response: Answer | NoAnswer | null;
}

export function isAnswer(reply: Reply): reply is Answer {
  return reply !== null && !('networkError' in reply) && !('notRecorded' in reply);
}

export interface Normalized {
  pageOrigin: string;
  csp: string | string[] | undefined;
  url: URL;
  /** The method as given (fetch() normalises it; see request.ts). */
  rawMethod: string;
  headers: HeaderList;
  /** The headers were given as an object rather than a list of pairs (fetch() words some errors by the shape). */
  headersAsRecord: boolean;
  credentials: 'omit' | 'same-origin' | 'include';
  mode: 'cors' | 'no-cors' | 'same-origin';
  initiator: Initiator;
  hasBody: boolean;
  /** hops[0]: the answers at the request's URL; hops[n]: at the n-th redirect target. */
  hops: Hop[];
}

function requireObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ExplainInputError('input-invalid', path, `${path} must be an object`);
  return value as Record<string, unknown>;
}

/** Headers as an object, [name, value] pairs, or {name, value} objects (HAR). */
export function readHeaders(value: unknown, path: string): HeaderList {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') {
    // A raw header block ("Name: value" lines), as copied from DevTools or curl -i.
    const pairs: [string, string][] = [];
    for (const line of value.split(/\r?\n/)) {
      if (line.trim() === '' || /^HTTP\//i.test(line)) continue;
      const colon = line.indexOf(':');
      if (colon <= 0)
        throw new ExplainInputError(
          'headers-invalid',
          path,
          `${path}: '${line}' is not a 'Name: value' line`,
        );
      pairs.push([line.slice(0, colon).trim(), line.slice(colon + 1)]);
    }
    return toHeaderList(pairs);
  }
  if (typeof value !== 'object')
    throw new ExplainInputError(
      'headers-invalid',
      path,
      `${path} must be an object or a list of [name, value] pairs`,
    );
  if (Array.isArray(value)) {
    const pairs: [string, string][] = [];
    value.forEach((item: unknown, i) => {
      if (Array.isArray(item) && item.length === 2 && typeof item[0] === 'string')
        pairs.push([item[0], String(item[1])]);
      else if (
        typeof item === 'object' &&
        item !== null &&
        typeof (item as { name?: unknown }).name === 'string'
      )
        pairs.push([(item as { name: string }).name, String((item as { value?: unknown }).value ?? '')]);
      else
        throw new ExplainInputError(
          'headers-invalid',
          `${path}[${i}]`,
          `${path}[${i}] must be a [name, value] pair or a {name, value} object`,
        );
    });
    return toHeaderList(pairs);
  }
  return toHeaderList(value as Record<string, string>);
}

function readNetworkError(value: unknown, path: string): NoAnswer {
  const o = typeof value === 'string' ? { code: value } : requireObject(value, path);
  if (!NETWORK_ERROR_CODES.includes(o.code as NetworkErrorCode))
    throw new ExplainInputError(
      'network-error-invalid',
      path,
      `${path} must be one of ${NETWORK_ERROR_CODES.map((c) => `'${c}'`).join(', ')}`,
    );
  return {
    networkError: o.code as NetworkErrorCode,
    message: typeof o.message === 'string' ? o.message : undefined,
  };
}

function readPreflight(value: unknown, path: string): Reply {
  const o = value as { notRecorded?: unknown; failed?: unknown } | null | undefined;
  if (typeof o === 'object' && o !== null && o.notRecorded === true)
    return { notRecorded: true, failed: o.failed === true };
  return readAnswer(value, path);
}

function readAnswer(value: unknown, path: string): Answer | NoAnswer | null {
  if (value === undefined || value === null) return null;
  const o = requireObject(value, path);
  if (Object.keys(o).length === 0) return null;
  if (o.networkError !== undefined && o.networkError !== null)
    return readNetworkError(o.networkError, `${path}.networkError`);
  // A missing status with headers given means a plain 200; a numeric string is read as a number.
  const status =
    o.status === undefined || o.status === null
      ? 200
      : typeof o.status === 'string' && /^\d+$/.test(o.status.trim())
        ? Number(o.status)
        : o.status;
  if (status === 0) return null;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
    throw new ExplainInputError(
      'status-invalid',
      `${path}.status`,
      `${path}.status must be an HTTP status code (100–599)`,
    );
  return {
    status,
    statusText: typeof o.statusText === 'string' ? o.statusText : undefined,
    headers: readHeaders(o.headers, `${path}.headers`),
  };
}

function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  fallback: T,
  code: ExplainInputErrorCode,
  path: string,
): T {
  if (value === undefined || value === null || value === '') return fallback;
  const v = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  throw new ExplainInputError(code, path, `${path} must be ${allowed.map((a) => `'${a}'`).join(', ')}`);
}

/** The page's origin, serialized (or 'null' for an opaque one). */
function readPageOrigin(page: Record<string, unknown>): string {
  if (typeof page.origin !== 'string' || page.origin === '')
    throw new ExplainInputError(
      'origin-missing',
      'page.origin',
      'page.origin must be the page\'s origin, e.g. "https://app.example.com"',
    );
  let pageOrigin = page.origin.trim();
  if (pageOrigin !== 'null') {
    try {
      pageOrigin = new URL(pageOrigin).origin;
    } catch {
      throw new ExplainInputError(
        'origin-invalid',
        'page.origin',
        `page.origin '${pageOrigin}' is not an origin (scheme://host[:port])`,
      );
    }
    if (pageOrigin === 'null')
      throw new ExplainInputError(
        'origin-invalid',
        'page.origin',
        `page.origin '${page.origin}' has no origin of its own; give 'null' for an opaque origin`,
      );
  }
  return pageOrigin;
}

/** The request's URL, resolved against the page's origin. */
function readUrl(request: Record<string, unknown>, pageOrigin: string): URL {
  if (typeof request.url !== 'string' || request.url === '')
    throw new ExplainInputError('url-missing', 'request.url', 'request.url must be the URL the page fetches');
  try {
    return pageOrigin === 'null' ? new URL(request.url) : new URL(request.url, pageOrigin);
  } catch {
    throw new ExplainInputError('url-invalid', 'request.url', `request.url '${request.url}' is not a URL`);
  }
}

/** The answers of the first hop and of each redirect target, in order. */
function readHops(root: Record<string, unknown>): Hop[] {
  const hops: Hop[] = [
    {
      preflightResponse: readPreflight(root.preflightResponse, 'preflightResponse'),
      response: readAnswer(root.response, 'response'),
    },
  ];
  if (root.redirects !== undefined && root.redirects !== null) {
    if (!Array.isArray(root.redirects))
      throw new ExplainInputError(
        'redirects-invalid',
        'redirects',
        'redirects must be a list of { preflightResponse?, response } for each redirect target, in order',
      );
    root.redirects.forEach((r: unknown, i) => {
      const o = requireObject(r, `redirects[${i}]`);
      hops.push({
        preflightResponse: readPreflight(o.preflightResponse, `redirects[${i}].preflightResponse`),
        response: readAnswer(o.response, `redirects[${i}].response`),
      });
    });
  }
  return hops;
}

export function normalize(input: ExplainInput): Normalized {
  const root = requireObject(input, 'input');
  const page = typeof root.page === 'string' ? { origin: root.page } : requireObject(root.page, 'page');
  const request = requireObject(root.request, 'request');
  const pageOrigin = readPageOrigin(page);
  const url = readUrl(request, pageOrigin);
  if (request.method !== undefined && request.method !== null && typeof request.method !== 'string')
    throw new ExplainInputError('method-invalid', 'request.method', 'request.method must be a string');
  // Absent means GET; an empty string is what fetch() refuses ('' is not a valid HTTP method).
  const rawMethod = typeof request.method === 'string' ? request.method : 'GET';
  const credentials = oneOf(
    request.credentials === true ? 'include' : request.credentials,
    ['omit', 'same-origin', 'include'] as const,
    'same-origin',
    'credentials-invalid',
    'request.credentials',
  );
  const mode = oneOf(
    request.mode,
    ['cors', 'no-cors', 'same-origin'] as const,
    'cors',
    'mode-invalid',
    'request.mode',
  );
  const initiator = request.initiator === 'xhr' ? 'xhr' : 'fetch';
  const csp =
    page.csp === undefined || page.csp === null || page.csp === ''
      ? undefined
      : (page.csp as string | string[]);
  if (
    csp !== undefined &&
    typeof csp !== 'string' &&
    !(Array.isArray(csp) && csp.every((c) => typeof c === 'string'))
  )
    throw new ExplainInputError(
      'csp-invalid',
      'page.csp',
      'page.csp must be the Content-Security-Policy header value (or a list of them)',
    );
  const hops = readHops(root);
  return {
    pageOrigin,
    csp,
    url,
    rawMethod,
    headers: readHeaders(request.headers, 'request.headers'),
    headersAsRecord:
      typeof request.headers === 'object' && request.headers !== null && !Array.isArray(request.headers),
    credentials,
    mode,
    initiator,
    hasBody: request.body !== undefined && request.body !== null,
    hops,
  };
}
