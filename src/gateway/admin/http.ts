/** Small HTTP helpers for the admin listener: JSON answers, errors, body reading. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly extra?: Record<string, unknown>,
    /** Close the connection after the answer (the request body was not read to its end). */
    readonly closeConnection = false,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** At most this many problems are listed in an answer; the rest are counted ("and N more"). */
export const MAX_LISTED_PROBLEMS = 100;

/**
 * An answer the client has not taken within this time is dropped with its connection, so that
 * clients that never read their answers cannot make the gateway hold them.
 */
export const UNREAD_ANSWER_MS = 30_000;

function dropIfUnread(res: ServerResponse): void {
  if (res.writableFinished) return;
  const timer = setTimeout(() => res.destroy(), UNREAD_ANSWER_MS);
  timer.unref();
  res.once('finish', () => clearTimeout(timer));
  res.once('close', () => clearTimeout(timer));
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...extraHeaders,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
  dropIfUnread(res);
}

/**
 * The `problems` of an error answer: the first MAX_LISTED_PROBLEMS, and `moreProblems` counting the
 * rest, so that the answer stays small however many problems the request had.
 */
export function listedProblems(
  problems: readonly unknown[],
  total = problems.length,
): { problems: unknown[]; moreProblems?: number } {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
  return total > listed.length
    ? { problems: listed, moreProblems: total - listed.length }
    : { problems: listed };
}

/** " (the first 100 are listed, and N more)" when problems were left out, else "". */
export function andMore(total: number): string {
  return total > MAX_LISTED_PROBLEMS
    ? ` (the first ${MAX_LISTED_PROBLEMS} are listed, and ${total - MAX_LISTED_PROBLEMS} more)`
    : '';
}

export function sendError(res: ServerResponse, err: ApiError, headers: Record<string, string> = {}): void {
  if (err.closeConnection) res.setHeader('connection', 'close');
  sendJson(
    res,
    err.status,
    {
      error: {
        code: err.code,
        message: err.message,
        ...(err.field !== undefined ? { field: err.field } : {}),
        ...(err.extra ?? {}),
      },
    },
    headers,
  );
}

export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204, SECURITY_HEADERS);
  res.end();
}

export function sendBytes(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: Uint8Array,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': contentType,
    'content-length': body.byteLength,
    ...extra,
  });
  res.end(body);
  dropIfUnread(res);
}

/** The largest JSON body the admin API reads. */
export const MAX_BODY_BYTES = 5_000_000;

/**
 * Reads the whole body up to `limit` bytes (`limitName` names it in the 413 answer). Past the limit
 * the rest is drained and discarded (not destroyed, so the 413 answer still reaches the client) and
 * the connection is closed after it.
 */
export function readRaw(req: IncomingMessage, limit: number, limitName = 'maxBodyBytes'): Promise<Buffer> {
  const tooLarge = () =>
    new ApiError(
      413,
      'body-too-large',
      `the request body is larger than ${limit} bytes (limit ${limitName})`,
      undefined,
      { limit: limitName, max: limit },
      true,
    );
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      req.off('end', onEnd);
      req.resume();
      reject(tooLarge());
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}
