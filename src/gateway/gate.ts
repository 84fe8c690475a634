/**
 * The proxy listener's request handler, the I/O shell around `decide`: read the few headers the
 * decision needs (one pass over the raw headers), decide, then answer here (preflight, refusal,
 * `OPTIONS *`) or forward with the outcome's header edits. Counting and the access log hang off
 * the outcome, so the core stays pure.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeAnswer } from './answer-write.js';
import { decide, type Outcome, type Refusal } from './core/decide.js';
import { clientScheme, forwardedHost, RequestScan, type GateEdge } from './headers.js';
import type { Forwarder } from './proxy.js';
import type { Snapshot } from './snapshot.js';

/** Hears about every request the gate answers itself (the forwarder reports forwarded ones). */
export interface GateObserver {
  answered(req: IncomingMessage, outcome: Outcome, status: number): void;
}

/** What `decide` reads, refilled per request (the gate is synchronous up to the decision). */
class GateView {
  method = '';
  target = '';
  host: string | undefined = undefined;
  scheme = 'http';
  forwardedHost: string | null = null;
  readonly headers = new RequestScan();
}

function refuse(req: IncomingMessage, res: ServerResponse, r: Refusal, view: GateView): void {
  const body = JSON.stringify({ error: { code: r.code, message: r.message } });
  const headers = [
    'Content-Type',
    'application/json; charset=utf-8',
    'Content-Length',
    String(Buffer.byteLength(body)),
    'Cache-Control',
    'no-store',
    'Vary',
    r.vary,
  ];
  // With `Expect: 100-continue` the client holds the body back until told to send it; it never is.
  // (HTTP/2 ends the stream instead: `Connection` is a field it forbids, RFC 9113 §8.2.2.)
  if (
    (view.headers.expectContinue || (view.headers.hasBody && r.status === 400)) &&
    req.httpVersionMajor !== 2
  )
    headers.push('Connection', 'close');
  res.writeHead(r.status, headers);
  res.end(body);
  req.resume();
}

/** Hears every outcome with its request target (the usage counters, issue 14). */
export interface UsageRecorder {
  record(outcome: Outcome, target: string): void;
}

const NO_USAGE: UsageRecorder = { record: () => undefined };

/** The proxy path reserved for CSP violation reports, and its handler. */
export interface ReservedPath {
  path: string;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

function isReserved(target: string, r: ReservedPath | null): boolean {
  if (r === null || !target.startsWith(r.path)) return false;
  return target.length === r.path.length || target.charCodeAt(r.path.length) === 63; /* ? */
}

export interface GateOptions {
  edge?: GateEdge;
  usage?: UsageRecorder;
  reserved?: ReservedPath | null;
}

export function createGate(
  getSnapshot: () => Snapshot,
  forwarder: Forwarder,
  observer: GateObserver,
  options: GateOptions = {},
) {
  const { edge = { scheme: 'http', trustProxy: false }, usage = NO_USAGE, reserved = null } = options;
  const view = new GateView();

  /** `continueExpected`: the request came through 'checkContinue' (Expect: 100-continue). */
  return function handle(req: IncomingMessage, res: ServerResponse, continueExpected = false): void {
    const target = req.url ?? '/';
    if (isReserved(target, reserved)) return reserved!.handle(req, res);
    const snap = getSnapshot(); // one snapshot for the whole request
    view.method = req.method ?? '';
    view.target = target;
    view.headers.fill(req.headers);
    view.host = view.headers.host;
    view.scheme = clientScheme(edge, view.headers);
    view.forwardedHost = forwardedHost(edge, view.headers);
    const outcome = decide(snap, view);
    outcome.route.tally.count(outcome.decision, outcome.reason, outcome.preflight, outcome.origin);
    usage.record(outcome, view.target);
    if (outcome.kind === 'forward') {
      // Decided first: a refused request never gets `100 Continue`.
      if (continueExpected) res.writeContinue();
      forwarder.forward(req, res, outcome, view.headers, snap.self);
      return;
    }
    if (outcome.kind === 'refuse') {
      refuse(req, res, outcome, view);
      observer.answered(req, outcome, outcome.status);
      return;
    }
    // An answer here (allowed preflight, OPTIONS *): empty; its head is built once per answer.
    writeAnswer(res, outcome);
    req.resume();
    observer.answered(req, outcome, outcome.status);
  };
}
