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

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  if (err.closeConnection) res.setHeader('connection', 'close');
  sendJson(res, err.status, {
    error: { code: err.code, message: err.message, ...(err.field !== undefined ? { field: err.field } : {}), ...(err.extra ?? {}) },
  });
}

export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204, SECURITY_HEADERS);
  res.end();
}

export function sendBytes(res: ServerResponse, status: number, contentType: string, body: Uint8Array, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': contentType, 'content-length': body.byteLength, ...extra });
  res.end(body);
}

/**
 * Reads the whole body up to `limit` bytes. Past the limit the rest is drained and discarded (not
 * destroyed, so the 413 answer still reaches the client) and the connection is closed after it.
 */
export function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      req.off('end', onEnd);
      req.resume();
      reject(new ApiError(413, 'body-too-large', `the request body is larger than ${limit} bytes`, undefined, undefined, true));
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const raw = await readRaw(req, 5_000_000);
  if (raw.length === 0) throw new ApiError(400, 'body-missing', 'a JSON body is required');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ApiError(400, 'body-malformed-json', `the body is not valid JSON: ${(err as Error).message}`);
  }
}
