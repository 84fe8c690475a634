/**
 * Forwarding to the upstream with undici: streaming request and response bodies, X-Forwarded-*,
 * hop-by-hop header removal (RFC 9110 §7.6.1), timeouts, and a clean 502/504 on failure.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Agent, errors as undiciErrors } from 'undici';
import type { Metrics } from './metrics.js';

/** RFC 9110 §7.6.1 connection-specific fields, plus `proxy-connection` and `expect` (answered here). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect', 'host']);

export interface ProxyOptions {
  upstream: URL;
  connectTimeoutMs: number;
  /** Time allowed for the upstream's response headers (504 after it). */
  timeoutMs: number;
}

export type ResponseHeaders = Record<string, string | string[]>;

export interface Forwarder {
  /** Forwards `req`; `decorate` edits the response headers (CORS, CSP) before they are sent. */
  forward(req: IncomingMessage, res: ServerResponse, decorate: (headers: ResponseHeaders) => void): Promise<void>;
  close(): Promise<void>;
}

function connectionTokens(value: string | string[] | undefined): string[] {
  if (!value) return [];
  return (Array.isArray(value) ? value.join(',') : value).split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

export function createForwarder(options: ProxyOptions, metrics: Metrics): Forwarder {
  const agent = new Agent({
    connectTimeout: options.connectTimeoutMs,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 10_000,
  });
  const origin = options.upstream.origin;
  const basePath = options.upstream.pathname.replace(/\/$/, '');

  async function forward(req: IncomingMessage, res: ServerResponse, decorate: (headers: ResponseHeaders) => void): Promise<void> {
    const dropped = new Set(connectionTokens(req.headers.connection));
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name) || dropped.has(name)) continue;
      headers[name] = value;
    }
    const clientIp = req.socket.remoteAddress ?? '';
    const prior = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${clientIp}` : clientIp;
    headers['x-forwarded-proto'] = 'http';
    if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;

    const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && (req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined);
    const abort = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) abort.abort();
    };
    res.on('close', onClose);
    const started = process.hrtime.bigint();
    let upstream;
    try {
      upstream = await agent.request({
        origin,
        path: basePath + (req.url ?? '/'),
        method: req.method as 'GET',
        headers,
        body: hasBody ? req : null,
        signal: abort.signal,
      });
    } catch (err) {
      res.off('close', onClose);
      if (abort.signal.aborted) return;
      if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.ConnectTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
        metrics.upstreamError('timeout');
        sendError(res, 504, 'upstream-timeout', `the upstream ${origin} did not answer in time`);
      } else {
        metrics.upstreamError('unreachable');
        sendError(res, 502, 'upstream-unreachable', `the upstream ${origin} could not be reached (${(err as { code?: string }).code ?? (err as Error).message})`);
      }
      return;
    }
    metrics.upstreamLatency(Number(process.hrtime.bigint() - started) / 1e9);

    const out: ResponseHeaders = {};
    const droppedOut = new Set(connectionTokens(upstream.headers.connection));
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name) || droppedOut.has(name)) continue;
      // The gateway is the only CORS authority: the upstream's own CORS headers never reach the client.
      if (name.startsWith('access-control-')) continue;
      out[name] = value;
    }
    decorate(out);
    try {
      res.writeHead(upstream.statusCode, out);
      await pipeline(upstream.body, res);
    } catch {
      upstream.body.destroy();
      if (!res.writableEnded) res.destroy();
      if (!abort.signal.aborted) metrics.upstreamError('body');
    } finally {
      res.off('close', onClose);
    }
  }

  return { forward, close: () => agent.close() };
}
