/**
 * The proxy listener's request handler: pick the route, ask the policy engine, then either answer
 * the request here (preflight, refusal) or forward it with the decision's headers added.
 * A refused origin never reaches the upstream (Salesforce's REST behaviour, with a body that names
 * the reason). A request without Origin passes through untouched.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision, RequestLike } from '../policy/types.js';
import type { Metrics } from './metrics.js';
import type { Forwarder, ResponseHeaders } from './proxy.js';
import { hostName, matchRoute, routingPath, type CompiledRoute } from './routes.js';
import type { Snapshot } from './snapshot.js';

const DEFAULT_ROUTE_ID = 'default';

interface Refusal {
  code: string;
  message: string;
}

function refuse(res: ServerResponse, status: number, refusal: Refusal, vary: boolean): void {
  const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message } });
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  };
  if (vary) headers.vary = 'Origin';
  res.writeHead(status, headers);
  res.end(body);
}

function appendVary(headers: ResponseHeaders, tokens: string): void {
  const existing = headers.vary;
  const current = Array.isArray(existing) ? existing.join(', ') : existing ?? '';
  if (current.trim() === '*') return;
  const have = new Set(current.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean));
  const add = tokens.split(',').map((t) => t.trim()).filter((t) => t && !have.has(t.toLowerCase()));
  if (add.length === 0) return;
  headers.vary = current ? `${current}, ${add.join(', ')}` : add.join(', ');
}

function isHtml(headers: ResponseHeaders): boolean {
  const ct = headers['content-type'];
  const v = Array.isArray(ct) ? ct[0] : ct;
  return v !== undefined && v.toLowerCase().startsWith('text/html');
}

/**
 * Adds the trusted-sites CSP to an HTML response. An upstream's own policy is kept next to it (CSP
 * Level 3: a browser enforces every policy it receives), so the gateway can never weaken it.
 */
function addCsp(headers: ResponseHeaders, csp: string | null): void {
  if (!csp || !isHtml(headers)) return;
  const own = headers['content-security-policy'];
  headers['content-security-policy'] = own === undefined ? csp : [...(Array.isArray(own) ? own : [own]), csp];
}

export function createGate(getSnapshot: () => Snapshot, forwarder: Forwarder, metrics: Metrics) {
  return function handle(req: IncomingMessage, res: ServerResponse): void {
    const snap = getSnapshot(); // one snapshot for the whole request
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const host = hostName(req.headers.host);
    const route: CompiledRoute | null = matchRoute(snap.routes, host, routingPath(path));
    const kind = route?.kind ?? 'allowlist';
    const routeId = route?.id ?? DEFAULT_ROUTE_ID;
    const csp = route ? route.csp : snap.settings.cspOnDefaultRoute;
    const origin = req.headers.origin;

    const request = req as unknown as RequestLike; // IncomingMessage has method and headers
    let decision: Decision | null = null;
    if (kind === 'public') decision = snap.publicPolicy.evaluate(request);
    else if (kind === 'allowlist') decision = snap.allowlist.evaluate(request);
    else if (origin !== undefined) {
      // closed, or opt-in: CORS only when its setting is on, and then through the allowlist
      // (corsgate's decision where Salesforce is silent: the setting and the allowlist both apply).
      const enabled = kind === 'opt-in' && route?.setting != null && (snap.settings as unknown as Record<string, unknown>)[route.setting] === true;
      if (enabled) decision = snap.allowlist.evaluate(request);
      else {
        const refusal: Refusal =
          kind === 'closed'
            ? { code: 'cors-closed', message: `cross-origin requests to ${path} are never allowed (route '${routeId}' is closed)` }
            : { code: 'cors-not-enabled', message: `cross-origin requests to ${path} need the setting '${route?.setting ?? ''}' turned on` };
        metrics.request('refused', refusal.code, routeId);
        if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) metrics.preflight('refused');
        refuse(res, snap.settings.refusedStatus, refusal, true);
        req.resume();
        return;
      }
    }

    if (decision === null || decision.kind === 'none') {
      // No Origin: not a CORS request (curl, server to server); forwarded as is.
      metrics.request('passthrough', 'no-origin', routeId);
      void forwarder.forward(req, res, (h) => {
        if (decision?.vary) appendVary(h, decision.vary);
        if (csp) addCsp(h, snap.csp);
      });
      return;
    }

    if (decision.preflight) metrics.preflight(decision.allowed ? 'allowed' : 'refused');
    if (!decision.allowed) {
      metrics.request('refused', decision.reason, routeId);
      refuse(res, snap.settings.refusedStatus, { code: decision.reason, message: decision.message }, true);
      req.resume();
      return;
    }
    metrics.request('allowed', decision.reason, routeId);
    if (decision.status !== null) {
      // An allowed preflight is answered here; it never reaches the upstream.
      const headers: Record<string, string | number> = { ...decision.headers, 'content-length': 0 };
      if (kind !== 'public' && snap.allowlistMethods !== null) headers['Access-Control-Allow-Methods'] = snap.allowlistMethods;
      res.writeHead(decision.status, headers);
      res.end();
      req.resume();
      return;
    }
    void forwarder.forward(req, res, (h) => {
      for (const [name, value] of Object.entries(decision.headers)) {
        if (name === 'Vary') appendVary(h, value);
        else h[name.toLowerCase()] = value;
      }
      if (csp) addCsp(h, snap.csp);
    });
  };
}
