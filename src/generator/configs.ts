/**
 * Ready-to-copy configuration for each adapter, the gateway's policy file, and nginx. Every adapter
 * snippet is a complete program (imports, one route, listen) so it runs as pasted into a file.
 */
import type { PolicyOptions } from 'corsgate/internal/policy/types.js';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function jsString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A JavaScript literal as a person would write it: unquoted keys, single quotes, short arrays on one line. */
export function jsLiteral(value: unknown, indent = ''): string {
  if (typeof value === 'string') return jsString(value);
  if (Array.isArray(value)) {
    const items = value.map((v) => jsLiteral(v, `${indent}  `));
    const oneLine = `[${items.join(', ')}]`;
    return oneLine.length + indent.length <= 100
      ? oneLine
      : `[\n${items.map((i) => `${indent}  ${i},`).join('\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${indent}  ${IDENTIFIER.test(k) ? k : jsString(k)}: ${jsLiteral(v, `${indent}  `)},`).join('\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/** An anchored nginx regex for an origin pattern (wildcards become label and port classes). */
export function nginxRegexFor(pattern: string): string {
  const anyPort = pattern.endsWith(':*');
  const base = anyPort ? pattern.slice(0, -2) : pattern;
  // Escape everything regex-special except the wildcard, then turn the leading `*.` into one or more labels.
  const escaped = base.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace('*\\.', '([a-z0-9-]+\\.)+');
  return `~^${escaped}${anyPort ? '(:[0-9]+)?' : ''}$`;
}

const CORS_RESPONSE_HEADERS = [
  'Access-Control-Allow-Origin',
  'Access-Control-Allow-Credentials',
  'Access-Control-Allow-Methods',
  'Access-Control-Allow-Headers',
  'Access-Control-Expose-Headers',
  'Access-Control-Max-Age',
];

function nginx(options: PolicyOptions, preflight: Record<string, string>): string {
  const any = options.origins === '*';
  const echoHeaders = options.requestHeaders === '*';
  const lines: string[] = [];
  lines.push(
    '# corsgate-generated nginx CORS configuration: put it in the http {} block (e.g. /etc/nginx/conf.d/api.conf).',
  );
  lines.push(
    '# Limit: a refused preflight gets 204 without Access-Control-Allow-Origin (browsers then block it);',
  );
  lines.push('# the corsgate gateway answers 403 instead.');
  if (!any) {
    // Only listed origins are echoed; anything else maps to "" and nginx skips add_header with an empty value.
    lines.push('', 'map $http_origin $cors_origin {', '    default "";');
    for (const o of options.origins as string[])
      lines.push(o.includes('*') ? `    "${nginxRegexFor(o)}" $http_origin;` : `    "${o}" $http_origin;`);
    lines.push('}');
    if (options.credentials)
      lines.push('map $cors_origin $cors_credentials {', '    "" "";', '    default "true";', '}');
  }
  // A preflight is an OPTIONS request with Origin and Access-Control-Request-Method (Fetch, "CORS-preflight request").
  // (A method is a token, so it holds no ':'; an origin does, so it comes last.)
  lines.push(
    'map "$request_method:$http_access_control_request_method:$http_origin" $cors_preflight {',
    '    default 0;',
    '    "~^OPTIONS:[^:]+:.+$" 1;',
    '}',
  );
  const origin = any ? '*' : '$cors_origin';
  const common = [`add_header Access-Control-Allow-Origin ${origin} always;`];
  if (options.credentials)
    common.push('add_header Access-Control-Allow-Credentials $cors_credentials always;');
  const pfHeaders = [...common];
  const pfVary = [...(any ? [] : ['Origin']), ...(echoHeaders ? ['Access-Control-Request-Headers'] : [])];
  if (pfVary.length) pfHeaders.push(`add_header Vary "${pfVary.join(', ')}" always;`);
  const methods =
    options.methods === '*'
      ? (preflight['Access-Control-Allow-Methods'] ?? 'GET, HEAD, POST')
      : (options.methods ?? ['GET', 'HEAD', 'POST']).join(', ');
  pfHeaders.push(`add_header Access-Control-Allow-Methods "${methods}" always;`);
  const headers =
    options.requestHeaders === '*'
      ? '$http_access_control_request_headers'
      : (options.requestHeaders ?? []).join(', ');
  if (headers) pfHeaders.push(`add_header Access-Control-Allow-Headers "${headers}" always;`);
  if (options.maxAge !== undefined)
    pfHeaders.push(`add_header Access-Control-Max-Age ${options.maxAge} always;`);
  const actual = [...common];
  if (!any) actual.push('add_header Vary Origin always;');
  const expose = options.exposeHeaders === '*' ? '*' : (options.exposeHeaders ?? []).join(', ');
  if (expose) actual.push(`add_header Access-Control-Expose-Headers "${expose}" always;`);
  lines.push('', 'server {', '    listen 80;', '    location / {', '        if ($cors_preflight) {');
  for (const h of pfHeaders) lines.push(`            ${h}`);
  lines.push('            return 204;', '        }');
  lines.push('        # `always` keeps the headers on 4xx/5xx answers too, so pages see the real error.');
  for (const h of actual) lines.push(`        ${h}`);
  lines.push("        # The upstream's own CORS headers would conflict with these.");
  for (const h of CORS_RESPONSE_HEADERS) lines.push(`        proxy_hide_header ${h};`);
  lines.push('        proxy_pass http://127.0.0.1:3000;', '    }', '}');
  return `${lines.join('\n')}\n`;
}

export interface Configs {
  express: string;
  fastify: string;
  hono: string;
  koa: string;
  node: string;
  fetch: string;
  policyFile: string;
  nginx: string;
}

/** Complete programs in the shape the README documents for each adapter. */
export function configsFor(options: PolicyOptions, preflightHeaders: Record<string, string>): Configs {
  const o = jsLiteral(options);
  return {
    express: `import express from 'express';\nimport { cors } from 'corsgate/express';\n\nconst app = express();\napp.use(cors(${o}));\napp.get('/data', (req, res) => res.json({ hello: 'world' }));\napp.listen(3000);\n`,
    fastify: `import Fastify from 'fastify';\nimport cors from 'corsgate/fastify';\n\nconst app = Fastify();\nawait app.register(cors, ${o});\napp.get('/data', async () => ({ hello: 'world' }));\nawait app.listen({ port: 3000 });\n`,
    hono: `import { Hono } from 'hono';\nimport { serve } from '@hono/node-server';\nimport { cors } from 'corsgate/hono';\n\nconst app = new Hono();\napp.use('*', cors(${o}));\napp.get('/data', (c) => c.json({ hello: 'world' }));\nserve({ fetch: app.fetch, port: 3000 });\n`,
    koa: `import Koa from 'koa';\nimport { cors } from 'corsgate/koa';\n\nconst app = new Koa();\napp.use(cors(${o}));\napp.use((ctx) => {\n  ctx.body = { hello: 'world' };\n});\napp.listen(3000);\n`,
    node: `import http from 'node:http';\nimport { cors } from 'corsgate/node';\n\nconst corsMiddleware = cors(${o});\n\nhttp.createServer((req, res) => {\n  if (corsMiddleware(req, res)) return; // a preflight or a refusal was answered\n  res.setHeader('Content-Type', 'application/json');\n  res.end(JSON.stringify({ hello: 'world' }));\n}).listen(3000);\n`,
    fetch: `// For runtimes that serve a default-exported fetch handler (Workers, Bun, Deno).\nimport { cors } from 'corsgate/fetch';\n\nconst handler = (request) => Response.json({ hello: 'world' });\nexport default { fetch: cors(${o})(handler) };\n`,
    policyFile: `${JSON.stringify(options, null, 2)}\n`,
    nginx: nginx(options, preflightHeaders),
  };
}
