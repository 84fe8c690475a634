/**
 * Serves the built console (console/dist) on the admin listener with a strict CSP. Unknown paths
 * without a file extension fall back to index.html (client-side routing).
 */
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

export const CONSOLE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>corsgate admin</title></head>
<body><h1>corsgate admin</h1><p>The console is not built. The admin REST API is available under <code>/api</code>
(see <a href="/api/openapi.json">/api/openapi.json</a>), with <a href="/metrics">/metrics</a> and <a href="/healthz">/healthz</a>.</p></body></html>`;

function send(
  res: ServerResponse,
  req: IncomingMessage,
  status: number,
  type: string,
  body: Buffer | string,
  cache: string,
): void {
  res.writeHead(status, {
    ...CONSOLE_HEADERS,
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': cache,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export async function serveConsole(
  dir: string | null,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...CONSOLE_HEADERS, allow: 'GET, HEAD' });
    res.end();
    return;
  }
  const index = dir ? join(dir, 'index.html') : null;
  if (!dir || !index || !(await stat(index).catch(() => null)))
    return send(res, req, 200, 'text/html; charset=utf-8', NOT_BUILT, 'no-store');
  let path: string;
  try {
    path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
  } catch {
    return send(res, req, 400, 'text/plain; charset=utf-8', 'bad path', 'no-store');
  }
  const file = normalize(join(dir, path));
  if (file !== dir && !file.startsWith(dir.endsWith(sep) ? dir : dir + sep))
    return send(res, req, 404, 'text/plain; charset=utf-8', 'not found', 'no-store');
  const st = await stat(file).catch(() => null);
  if (st?.isFile()) {
    const immutable = /\/assets\//.test(path);
    return send(
      res,
      req,
      200,
      TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      await readFile(file),
      immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
  }
  if (extname(path) !== '') return send(res, req, 404, 'text/plain; charset=utf-8', 'not found', 'no-store');
  send(res, req, 200, 'text/html; charset=utf-8', await readFile(index), 'no-cache');
}
