/**
 * Helpers for the gateway-at-the-edge tests: a self-signed certificate made with Debian's
 * `openssl` (as the README tells users to), and a WebSocket echo upstream (the `ws` package) that
 * records every handshake it receives.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';

export interface CertFiles {
  cert: string;
  key: string;
}

/** `openssl req -x509` for localhost and 127.0.0.1, the README's one-liner. */
export function makeCert(dir: string, name = 'cert', cn = 'localhost'): CertFiles {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}-key.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

export interface EchoUpstream {
  url: string;
  /** Every handshake's Origin (null: none), in order. */
  handshakes: (string | null)[];
  /** Plain HTTP requests: method and url. */
  requests: string[];
  close(): Promise<void>;
}

/** An HTTP upstream that answers JSON naming itself, and echoes WebSocket messages. */
export async function startEchoUpstream(name: string): Promise<EchoUpstream> {
  const state: EchoUpstream = { url: '', handshakes: [], requests: [], close: async () => undefined };
  const server: Server = createServer((req, res) => {
    state.requests.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(200, {
      'content-type': 'application/json',
      connection: 'keep-alive, x-hop',
      'keep-alive': 'timeout=5',
      'x-hop': 'no',
      'set-cookie': 'a=1',
    });
    res.end(
      JSON.stringify({
        upstream: name,
        url: req.url,
        proto: req.headers['x-forwarded-proto'] ?? null,
        host: req.headers['x-forwarded-host'] ?? null,
      }),
    );
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    state.handshakes.push(typeof req.headers.origin === 'string' ? req.headers.origin : null);
    wss.handleUpgrade(req, socket, head, (ws) =>
      ws.on('message', (data, binary) => ws.send(binary ? data : `${name}:${data.toString()}`)),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((r) => {
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}
