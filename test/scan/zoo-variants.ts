/**
 * A second, independent zoo, written the way another team would plant the same classes: checks
 * on the legitimate front end's origin (app.<domain>) rather than the API's own, hosts under
 * multi-label public suffixes (co.uk, com.au), three servers on their own ports reached through
 * several --resolve flags, https with a self-signed certificate, CORS answered only on OPTIONS, a
 * same-host redirect, a 404, and correctly configured endpoints that must stay quiet.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const API = 'api.zoo-two.co.uk';
export const SVC = 'svc.zoo-two.co.uk';
export const DATA = 'data.zoo-two.com.au';
const APP = 'https://app.zoo-two.co.uk';
const WWW = 'https://www.zoo-two.co.uk';

type Res = http.ServerResponse;
type Req = http.IncomingMessage;

function allow(res: Res, value: string | string[], credentials = true): void {
  res.setHeader('Access-Control-Allow-Origin', value);
  if (credentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
}

function hostnameOf(origin: string): string | null {
  try {
    return new URL(origin).hostname;
  } catch {
    return null;
  }
}

/** A check on the Origin; the matching origin is echoed with credentials and `Vary: Origin`. */
const ECHOING: Record<string, (o: string) => boolean> = {
  '/endswith': (o) => o.startsWith('https://') && (hostnameOf(o)?.endsWith('zoo-two.co.uk') ?? false),
  '/startswith': (o) => o.startsWith(APP),
  '/includes': (o) => o.includes('zoo-two.co.uk'),
  '/dot-first': (o) => /^https:\/\/app.zoo-two\.co\.uk$/.test(o),
  '/dot-inner': (o) => /^https:\/\/app\.zoo-two\.co.uk$/.test(o),
  '/list-includes': (o) => `${APP} ${WWW}`.includes(o),
  '/underscore': (o) => /^https:\/\/([a-z0-9.-]+)/.exec(o)?.[1] === 'app.zoo-two.co.uk',
  '/backtick': (o) => o.split('`')[0] === APP,
  '/subdomains': (o) => /^https:\/\/[a-z]+\.zoo-two\.co\.uk$/.test(o),
  '/http-legit': (o) => [APP, 'http://app.zoo-two.co.uk'].includes(o),
  '/thirdparty': (o) =>
    o === APP || (hostnameOf(o)?.endsWith('.github.io') ?? false) || o === 'https://jsfiddle.net',
  '/localhost': (o) => o === APP || /^https?:\/\/localhost/.test(o),
  '/null': (o) => o === APP || o === 'null',
  // eslint-disable-next-line no-control-regex
  '/tab-strip': (o) => o.replace(/[\x00-\x1f]/g, '') === APP,
  '/missing': () => true,
};

function api(req: Req, res: Res): void {
  const path = (req.url ?? '/').split('?')[0]!;
  const origin = req.headers.origin;
  const preflight = req.method === 'OPTIONS';
  res.setHeader('Content-Type', 'application/json');
  const end = (status = preflight ? 204 : 200) => {
    res.statusCode = status;
    res.end(preflight ? undefined : '{"ok":true}');
  };
  if (path === '/old') {
    res.setHeader('Location', '/exact');
    return end(301);
  }
  if (path in ECHOING) {
    res.setHeader('Vary', 'Origin');
    if (origin !== undefined && ECHOING[path]!(origin)) allow(res, origin);
    return end(path === '/missing' ? 404 : undefined);
  }
  if (path === '/port-regex') {
    // The API's own origin, port included, in a regex whose dots were never escaped.
    res.setHeader('Vary', 'Origin');
    if (
      origin !== undefined &&
      new RegExp(`^https://api.zoo-two.co.uk:${req.socket.localPort}$`).test(origin)
    )
      allow(res, origin);
    return end();
  }
  switch (path) {
    case '/preflight-headers':
      res.setHeader('Vary', 'Origin');
      if (origin === APP) {
        allow(res, origin);
        if (preflight) {
          res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
          res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? '');
        }
      }
      break;
    case '/middleware-defaults': // what the popular `cors` middleware sends with { origin: [...], credentials: true }
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      if (origin === APP || origin === WWW) res.setHeader('Access-Control-Allow-Origin', origin);
      if (preflight) {
        res.setHeader('Access-Control-Allow-Methods', 'GET,HEAD,PUT,PATCH,POST,DELETE');
        if (req.headers['access-control-request-headers'])
          res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers']);
      }
      break;
    case '/auth': // CORS only for a signed-in caller
      res.setHeader('Vary', 'Origin, Cookie, Authorization');
      if (
        origin !== undefined &&
        /(^|; )session=abc(;|$)/.test(req.headers.cookie ?? '') &&
        req.headers.authorization === 'Bearer t0ken'
      )
        allow(res, origin);
      break;
    case '/reflect-nocred':
      res.setHeader('Vary', 'Origin');
      if (origin !== undefined) allow(res, origin, false);
      break;
    case '/star-cred':
      allow(res, '*');
      break;
    case '/multi':
      allow(res, `${APP}, ${WWW}`);
      break;
    case '/two-headers':
      allow(res, [APP, WWW], false);
      break;
    case '/malformed':
      allow(res, 'zoo-two.co.uk');
      break;
    case '/trailing-slash':
      res.setHeader('Vary', 'Origin');
      if (origin === APP) allow(res, `${APP}/`);
      break;
    case '/novary':
      if (origin === APP || origin === WWW) allow(res, origin);
      break;
    case '/preflight-star':
      res.setHeader('Vary', 'Origin');
      if (origin === APP) {
        allow(res, origin);
        if (preflight) {
          res.setHeader('Access-Control-Allow-Methods', '*');
          res.setHeader('Access-Control-Allow-Headers', '*');
        }
      }
      break;
    case '/preflight-reflect-methods':
      res.setHeader('Vary', 'Origin');
      if (origin === APP) {
        allow(res, origin);
        if (preflight)
          res.setHeader(
            'Access-Control-Allow-Methods',
            req.headers['access-control-request-method'] ?? 'GET',
          );
      }
      break;
    // Correctly configured endpoints.
    case '/exact':
      res.setHeader('Vary', 'Origin');
      if (origin === APP || origin === WWW) {
        allow(res, origin);
        if (preflight) {
          res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
          res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
          res.setHeader('Access-Control-Max-Age', '600');
        }
      }
      break;
    case '/public':
      allow(res, '*', false);
      break;
    case '/static':
      allow(res, APP);
      break;
    case '/normalizing': {
      res.setHeader('Vary', 'Origin');
      let normalized: string | null = null;
      try {
        normalized = origin === undefined ? null : new URL(origin).origin;
      } catch {
        /* not an origin */
      }
      if (normalized === APP) allow(res, normalized);
      break;
    }
    default: // '/none' and anything else: no CORS at all
  }
  end();
}

/** CORS only on preflights, reflecting any origin. */
function svc(req: Req, res: Res): void {
  res.setHeader('Vary', 'Origin');
  if (req.method === 'OPTIONS' && req.headers.origin !== undefined) allow(res, req.headers.origin);
  res.statusCode = req.method === 'OPTIONS' ? 204 : 200;
  res.end(req.method === 'OPTIONS' ? undefined : '{}');
}

/** A plain-http API whose checks only think in https origins. */
function data(req: Req, res: Res): void {
  const path = (req.url ?? '/').split('?')[0]!;
  const origin = req.headers.origin ?? '';
  res.setHeader('Vary', 'Origin');
  if (path === '/dot' && /^https:\/\/data.zoo-two\.com\.au$/.test(origin)) allow(res, origin);
  if (path === '/underscore' && /^http:\/\/([a-z0-9.-]+)/.exec(origin)?.[1] === 'data.zoo-two.com.au')
    allow(res, origin);
  if (path === '/reflect' && origin !== '') allow(res, origin);
  if (path === '/good' && origin === 'https://app.zoo-two.com.au') allow(res, origin);
  res.end('{}');
}

export interface VariantZoo {
  api: string;
  svc: string;
  data: string;
  resolve: string[];
  close(): void;
}

export async function startVariantZoo(): Promise<VariantZoo> {
  const dir = mkdtempSync(join(tmpdir(), 'corsgate-zoo2-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      `/CN=${API}`,
      '-addext',
      `subjectAltName=DNS:${API},DNS:${SVC}`,
    ],
    { stdio: 'ignore' },
  );
  const tls = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  const servers = [https.createServer(tls, api), https.createServer(tls, svc), http.createServer(data)];
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))));
  const [pa, ps, pd] = servers.map((s) => (s.address() as AddressInfo).port);
  return {
    api: `https://${API}:${pa}`,
    svc: `https://${SVC}:${ps}`,
    data: `http://${DATA}:${pd}`,
    resolve: [`${API}:${pa}:127.0.0.1`, `${SVC}:${ps}:127.0.0.1`, `${DATA}:${pd}:127.0.0.1`],
    close: () => {
      for (const s of servers) {
        s.closeAllConnections();
        s.close();
      }
    },
  };
}
