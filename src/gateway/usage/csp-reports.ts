/**
 * CSP violation report intake on the proxy listener's reserved path (issue 14 §3). Accepts the
 * Reporting API's `application/reports+json` (W3C Reporting API §2.4, CSP Level 3 §5.3 `csp-violation`
 * bodies) and the legacy `application/csp-report` (CSP Level 2 §4.4 `report-uri`). Bounded: body
 * size, reports per second per client address (the surplus is dropped and counted), and distinct
 * (directive, blocked origin, page) keys (the usage counter's top N). Each report is validated and
 * reduced to its key; a malformed body is answered 400 and counted, and nothing is stored raw.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UsageCounter } from './counter.js';

/** Largest report body read; a browser's batch of a few reports is a few KB. */
export const MAX_REPORT_BODY = 64 * 1024;
/** Reports per second per client address, with bursts up to `BURST`. */
const RATE = 20;
const BURST = 40;
/** Client buckets kept at once; past it the table starts afresh (a flood of addresses cannot grow it). */
const MAX_CLIENTS = 10_000;
const MAX_FIELD = 512;

const KEYWORDS = new Set([
  'inline',
  'eval',
  'wasm-eval',
  'data',
  'blob',
  'trusted-types-policy',
  'trusted-types-sink',
  'self',
]);

export interface Violation {
  directive: string;
  blockedOrigin: string;
  page: string;
}

/** The origin of a blocked URL, or the CSP keyword a report uses for a non-URL source ('inline', 'eval', …). */
function blockedOriginOf(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 4096) return null;
  if (KEYWORDS.has(value)) return value;
  if (!URL.canParse(value)) return null;
  const url = new URL(value);
  if (url.protocol === 'data:' || url.protocol === 'blob:') return url.protocol.slice(0, -1);
  return url.origin === 'null' ? null : url.origin;
}

/** The page without query or fragment (they may carry secrets), bounded. */
function pageOf(value: unknown): string | null {
  if (typeof value !== 'string' || !URL.canParse(value)) return null;
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return `${url.origin}${url.pathname}`.slice(0, MAX_FIELD);
}

function directiveOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  // `violated-directive` (CSP2) may carry its source list: the directive name is its first token.
  const name = value.trim().split(/\s+/)[0]!.toLowerCase();
  return /^[a-z][a-z-]{0,63}$/.test(name) ? name : null;
}

function violation(directive: unknown, blocked: unknown, page: unknown): Violation | null {
  const d = directiveOf(directive);
  const b = blockedOriginOf(blocked);
  const p = pageOf(page);
  return d === null || b === null || p === null ? null : { directive: d, blockedOrigin: b, page: p };
}

/** The violations in a body, or null when it is malformed (any report in it). */
export function parseReports(contentType: string, text: string): Violation[] | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (contentType === 'application/csp-report') {
    const r = (data as { 'csp-report'?: Record<string, unknown> } | null)?.['csp-report'];
    if (r === null || typeof r !== 'object') return null;
    const v = violation(
      r['effective-directive'] ?? r['violated-directive'],
      r['blocked-uri'],
      r['document-uri'],
    );
    return v === null ? null : [v];
  }
  if (!Array.isArray(data) || data.length === 0 || data.length > 100) return null;
  const out: Violation[] = [];
  for (const item of data as unknown[]) {
    const report = item as { type?: unknown; body?: Record<string, unknown> } | null;
    if (
      report === null ||
      typeof report !== 'object' ||
      typeof report.body !== 'object' ||
      report.body === null
    )
      return null;
    if (report.type !== 'csp-violation') continue; // other report types may share the endpoint: not ours
    const v = violation(report.body.effectiveDirective, report.body.blockedURL, report.body.documentURL);
    if (v === null) return null;
    out.push(v);
  }
  return out;
}

function answer(res: ServerResponse, status: number, code?: string, message?: string): void {
  if (code === undefined) {
    res.writeHead(status, { 'Cache-Control': 'no-store' });
    res.end();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

export class CspReportIntake {
  private clients = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly usage: UsageCounter) {}

  /** Takes one report from `client`'s bucket; false when over the rate. */
  private take(client: string, n: number): boolean {
    const now = this.usage.clock;
    let b = this.clients.get(client);
    if (b === undefined) {
      if (this.clients.size >= MAX_CLIENTS) this.clients = new Map();
      b = { tokens: BURST, at: now };
      this.clients.set(client, b);
    }
    b.tokens = Math.min(BURST, b.tokens + ((now - b.at) / 1000) * RATE);
    b.at = now;
    if (b.tokens < n) return false;
    b.tokens -= n;
    return true;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      req.resume();
      return answer(res, 405, 'csp-report-method', 'CSP reports are POSTed to this path');
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/reports+json' && type !== 'application/csp-report') {
      this.usage.cspRejected('malformed');
      req.resume();
      return answer(
        res,
        415,
        'csp-report-type',
        'send application/reports+json (Reporting API) or application/csp-report (report-uri)',
      );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REPORT_BODY) over = true;
      else chunks.push(c);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      if (over) {
        this.usage.cspRejected('malformed');
        return answer(
          res,
          413,
          'csp-report-too-large',
          `a report body may hold at most ${MAX_REPORT_BODY} bytes`,
        );
      }
      const reports = parseReports(type, Buffer.concat(chunks).toString('utf8'));
      if (reports === null) {
        this.usage.cspRejected('malformed');
        return answer(res, 400, 'csp-report-invalid', 'not a valid CSP violation report');
      }
      const client = req.socket.remoteAddress ?? '';
      for (const r of reports) {
        if (this.take(client, 1)) this.usage.violation(r.directive, r.blockedOrigin, r.page);
        else this.usage.cspRejected('dropped');
      }
      answer(res, 204);
    });
  }
}
