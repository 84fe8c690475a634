/**
 * Writes an empty answer the gateway gives itself (an allowed preflight, `OPTIONS *`). On HTTP/1.x
 * the head the answer carries (built and checked once, core/wire-head.ts) goes out as it is, with
 * the Date and Connection fields Node would add, so that a remembered preflight costs what Node's
 * bare `writeHead(204)` costs, not the per-field checks and serialisation of six CORS fields.
 *
 * This sets the fields Node's own `writeHead` sets on an HTTP/1 `ServerResponse` (lib/_http_outgoing.js,
 * `_storeHeader`: `_header`, `_headerSent`, `_last`). They are Node's private fields, so a probe at
 * load checks that a response still has them, with the types and defaults this relies on; on any
 * other Node, on HTTP/2, or without a head, the answer goes through `writeHead` as before.
 * test/gateway/answer-write.test.ts compares both ways byte for byte on real connections.
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Answer } from './core/outcome.js';

/** The private fields of an HTTP/1 ServerResponse that this writer reads or sets. */
interface Http1Response {
  _header: string | null;
  _headerSent: boolean;
  _hasBody: boolean;
  _last: boolean;
  _keepAliveTimeout: number;
  _defaultKeepAlive: boolean;
  _maxRequestsPerSocket: number;
  shouldKeepAlive: boolean;
  useChunkedEncodingByDefault: boolean;
  maxRequestsOnConnectionReached: boolean;
  sendDate: boolean;
}

/** Whether a fresh response has the fields, types and defaults the direct path relies on. */
function probe(): boolean {
  try {
    const req = { method: 'OPTIONS', httpVersionMajor: 1, httpVersionMinor: 1, headers: {} };
    const r = new ServerResponse(req as IncomingMessage) as unknown as Http1Response;
    return (
      r._header === null &&
      r._headerSent === false &&
      r._hasBody === true &&
      r._last === false &&
      r._defaultKeepAlive === true &&
      r.useChunkedEncodingByDefault === true &&
      r.sendDate === true &&
      typeof r.shouldKeepAlive === 'boolean' &&
      typeof r.maxRequestsOnConnectionReached === 'boolean'
    );
  } catch {
    return false;
  }
}

const DIRECT = probe();

/** Whether answers take the direct path on this Node (tests assert it, so a Node upgrade that breaks the probe is seen). */
export const directAnswers = DIRECT;

let dateField = '';

/**
 * `Date: <IMF-fixdate>` (RFC 9110 §6.6.1), made once a second as Node makes its own
 * (lib/internal/http.js, `utcDate`): kept until a timer clears it at the next second, so a
 * request reads no clock. Clearing it also empties the whole heads, which carry it.
 */
function dateLine(): string {
  if (dateField === '') {
    const d = new Date();
    dateField = `Date: ${d.toUTCString()}\r\n`;
    setTimeout(expireDate, 1000 - d.getMilliseconds()).unref();
  }
  return dateField;
}

function expireDate(): void {
  dateField = '';
  wholeHeads.clear();
}

/**
 * Whole heads for this second (an answer's head, Date and the usual keep-alive fields), flat: a
 * string built by `+` is a rope that every write would walk again. At most one per remembered
 * answer, emptied each second; bounded anyway, should answers churn within one.
 */
const wholeHeads = new Map<string, string>();
const MAX_WHOLE_HEADS = 4096;

/** The rope `s` as one flat string (Node copies a latin1 buffer into a sequential string). */
function flat(s: string): string {
  return Buffer.from(s, 'latin1').toString('latin1');
}

function wholeHead(head: string, connection: string): string {
  if (connection !== keepAliveFields) return head + dateLine() + connection;
  const date = dateLine(); // first: a new second empties the cache
  let whole = wholeHeads.get(head);
  if (whole === undefined) {
    if (wholeHeads.size >= MAX_WHOLE_HEADS) wholeHeads.clear();
    whole = flat(head + date + connection);
    wholeHeads.set(head, whole);
  }
  return whole;
}

/** The keep-alive fields for the last server settings seen (one listener's: they never change per request). */
let keepAliveTimeout = -1;
let keepAliveMax = -1;
let keepAliveFields = '';

/** Node's keep-alive fields for a response without a body (`_storeHeader`'s keep-alive logic). */
function connectionLines(r: Http1Response): string {
  if (r.shouldKeepAlive && r.useChunkedEncodingByDefault) {
    if (r.maxRequestsOnConnectionReached) return 'Connection: close\r\n\r\n';
    if (!(r._keepAliveTimeout && r._defaultKeepAlive)) return 'Connection: keep-alive\r\n\r\n';
    const max = r._maxRequestsPerSocket;
    if (r._keepAliveTimeout !== keepAliveTimeout || max !== keepAliveMax) {
      wholeHeads.clear();
      keepAliveTimeout = r._keepAliveTimeout;
      keepAliveMax = max;
      const maxField = ~~max > 0 ? `, max=${max}` : '';
      keepAliveFields = `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(keepAliveTimeout / 1000)}${maxField}\r\n\r\n`;
    }
    return keepAliveFields;
  }
  r._last = true;
  return 'Connection: close\r\n\r\n';
}

/** Sends `answer` (empty) on `res` and ends it; `res` has no header set yet (the gate sets none before it answers). */
export function writeAnswer(res: ServerResponse, answer: Answer): void {
  const r = res as unknown as Http1Response;
  if (
    answer.head === null ||
    !DIRECT ||
    !(res instanceof ServerResponse) ||
    r._header !== null ||
    !r.sendDate
  ) {
    res.writeHead(answer.status, answer.headerList as string[]);
    res.end();
    return;
  }
  res.statusCode = answer.status;
  r._hasBody = false;
  r._header = wholeHead(answer.head, connectionLines(r));
  r._headerSent = false;
  res.end();
}
