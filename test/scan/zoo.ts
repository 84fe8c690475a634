/**
 * A zoo of deliberately misconfigured CORS servers (one path per class) and correctly configured
 * ones, served over https with a self-signed certificate made at test time (and over http), as
 * api.zoo-test.example — reached through --resolve, as an external zoo would be.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const HOST = 'api.zoo-test.example';
export const LEGIT = 'https://app.zoo-test.example';

type Rule = (origin: string, own: string) => boolean;

/** path → which origins the server echoes back with credentials. */
const ECHO_WITH_CREDENTIALS: Record<string, Rule> = {
  '/reflect': () => true,
  '/null': (o) => o === 'null',
  '/prefix': (o) => o.startsWith(`https://${HOST}`),
  '/suffix': (o) => o.endsWith('zoo-test.example'),
  '/dot': (o) => /^https:\/\/api.zoo-test.example(:\d+)?$/.test(o),
  '/substring': (o) => `${LEGIT},https://zoo-test.example`.includes(o),
  // A host extracted by a regex that stops at unusual characters: "api.zoo-test.example_.evil.com" passes.
  '/underscore': (o) => /^https:\/\/([a-z0-9.-]+)/.exec(o)?.[1] === HOST,
  '/anysub': (o) => o.endsWith('.zoo-test.example') && o.startsWith('https://'),
  '/http': (o) => /^https?:\/\/(api|app)\.zoo-test\.example(:\d+)?$/.test(o),
  '/thirdparty': (o) => o === LEGIT || o.endsWith('.github.io') || o === 'https://codepen.io',
  '/localhost': (o) => /^https?:\/\/localhost/.test(o),
  '/good': (o) => o === LEGIT,
};

export interface Zoo {
  https: string;
  http: string;
  httpsPort: number;
  close(): void;
}

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0]!;
  const origin = req.headers.origin;
  const own = `https://${req.headers.host}`;
  res.setHeader('Content-Type', 'application/json');
  if (path === '/star') res.setHeader('Access-Control-Allow-Origin', '*');
  else if (path === '/starcred') {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
  } else if (path === '/novary') {
    if (origin === LEGIT || origin === own) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
  } else if (path === '/preflight') {
    res.setHeader('Vary', 'Origin');
    if (origin === LEGIT || origin === own) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      if (req.headers['access-control-request-method'])
        res.setHeader('Access-Control-Allow-Methods', req.headers['access-control-request-method']);
      if (req.headers['access-control-request-headers'])
        res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers']);
    }
  } else if (origin !== undefined && ECHO_WITH_CREDENTIALS[path]?.(origin, own)) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Vary', 'Origin');
  } else if (ECHO_WITH_CREDENTIALS[path]) {
    res.setHeader('Vary', 'Origin');
  }
  res.statusCode = req.method === 'OPTIONS' ? 204 : 200;
  res.end(req.method === 'OPTIONS' ? undefined : '{"ok":true}');
}

export async function startZoo(): Promise<Zoo> {
  const dir = mkdtempSync(join(tmpdir(), 'corsgate-zoo-'));
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
      `/CN=${HOST}`,
      '-addext',
      `subjectAltName=DNS:${HOST}`,
    ],
    { stdio: 'ignore' },
  );
  const tls = https.createServer(
    { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
    handler,
  );
  const plain = http.createServer(handler);
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', () => r()));
  const httpsPort = (tls.address() as AddressInfo).port;
  return {
    https: `https://${HOST}:${httpsPort}`,
    http: `http://127.0.0.1:${(plain.address() as AddressInfo).port}`,
    httpsPort,
    close: () => {
      tls.closeAllConnections();
      plain.closeAllConnections();
      tls.close();
      plain.close();
    },
  };
}
