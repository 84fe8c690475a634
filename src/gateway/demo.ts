/**
 * The built-in demo API that `corsgate serve` fronts when no --upstream is given. It runs
 * in-process on a loopback port of its own and is reached through the same forwarding path as a
 * real upstream. Its endpoints mirror what the gateway's rules are about: plain JSON, echo,
 * an HTML page (for the CSP header) and Salesforce-shaped OAuth endpoints.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 1_000_000) break;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const HOME = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>corsgate demo API</title></head>
<body><h1>corsgate demo API</h1>
<p>This page is served by the built-in demo upstream, through the gateway.</p>
<ul>
<li><code>GET /api/hello</code> JSON greeting</li>
<li><code>ANY /api/echo</code> echoes the method, path, headers and body</li>
<li><code>GET /.well-known/openid-configuration</code>, <code>/.well-known/auth-configuration</code>, <code>/services/oauth2/id/keys</code> (public)</li>
<li><code>POST /services/oauth2/token</code>, <code>/revoke</code>, <code>/introspect</code>; <code>GET /services/oauth2/userinfo</code></li>
</ul></body></html>
`;

function handle(req: IncomingMessage, res: ServerResponse, base: () => string): void {
  const url = new URL(req.url ?? '/', 'http://demo.invalid');
  const path = url.pathname;
  if (path === '/' || path === '/index.html') {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(HOME),
    });
    res.end(req.method === 'HEAD' ? undefined : HOME);
    return;
  }
  if (path === '/api/hello')
    return json(res, 200, { message: 'Hello from the corsgate demo API', time: new Date().toISOString() });
  if (path === '/api/echo' || path.startsWith('/api/echo/')) {
    void readBody(req).then((body) =>
      json(res, 200, {
        method: req.method,
        path,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
      }),
    );
    return;
  }
  if (path === '/.well-known/openid-configuration') {
    const issuer = base();
    return json(res, 200, {
      issuer,
      authorization_endpoint: `${issuer}/services/oauth2/authorize`,
      token_endpoint: `${issuer}/services/oauth2/token`,
      revocation_endpoint: `${issuer}/services/oauth2/revoke`,
      introspection_endpoint: `${issuer}/services/oauth2/introspect`,
      userinfo_endpoint: `${issuer}/services/oauth2/userinfo`,
      jwks_uri: `${issuer}/services/oauth2/id/keys`,
      response_types_supported: ['code', 'token'],
      code_challenge_methods_supported: ['S256'],
    });
  }
  if (path === '/.well-known/auth-configuration')
    return json(res, 200, { authConfig: { type: 'demo', selfRegistrationEnabled: false } });
  if (path === '/services/oauth2/id/keys') return json(res, 200, { keys: [] });
  if (path === '/services/oauth2/token') {
    void readBody(req).then(() =>
      json(res, 200, {
        access_token: 'demo-access-token',
        token_type: 'Bearer',
        instance_url: base(),
        issued_at: String(Date.now()),
      }),
    );
    return;
  }
  if (path === '/services/oauth2/revoke') return json(res, 200, {});
  if (path === '/services/oauth2/introspect') return json(res, 200, { active: false });
  if (path === '/services/oauth2/userinfo') return json(res, 200, { sub: 'demo-user', name: 'Demo User' });
  if (path.startsWith('/services/')) return json(res, 200, { path, note: 'demo endpoint' });
  json(res, 404, { error: { code: 'not-found', message: `the demo API has no ${path}` } });
}

export interface DemoApi {
  url: URL;
  close(): Promise<void>;
}

/** `publicBase` gives the gateway's public URL, used in the discovery document. */
export async function startDemoApi(publicBase: () => string): Promise<DemoApi> {
  const server: Server = createServer((req, res) => handle(req, res, publicBase));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
