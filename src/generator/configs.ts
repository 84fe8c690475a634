/** Ready-to-copy configuration for each adapter, the gateway's policy file, and nginx. */
import type { PolicyOptions } from '../policy/types.js';

function js(options: PolicyOptions, indent: string): string {
  return JSON.stringify(options, null, 2).replace(/\n/g, `\n${indent}`);
}

/** An anchored nginx regex for an origin pattern (wildcards become label and port classes). */
export function nginxRegexFor(pattern: string): string {
  const anyPort = pattern.endsWith(':*');
  const base = anyPort ? pattern.slice(0, -2) : pattern;
  // Escape everything regex-special except the wildcard, then turn the leading `*.` into one or more labels.
  const escaped = base.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace('*\\.', '([a-z0-9-]+\\.)+');
  return `~^${escaped}${anyPort ? '(:[0-9]+)?' : ''}$`;
}

function nginx(options: PolicyOptions, preflight: Record<string, string>): string {
  const any = options.origins === '*';
  const lines: string[] = [];
  lines.push('# corsgate-generated nginx CORS configuration.');
  lines.push('# Limits: nginx treats every OPTIONS as a preflight and answers refused preflights with 204 and no');
  lines.push('# Access-Control-Allow-Origin (browsers then block them); the corsgate gateway answers 403 instead.');
  if (!any) {
    lines.push('map $http_origin $cors_origin {', '    default "";');
    for (const o of options.origins as string[]) lines.push(o.includes('*') ? `    "${nginxRegexFor(o)}" $http_origin;` : `    "${o}" $http_origin;`);
    lines.push('}');
    if (options.credentials) lines.push('map $cors_origin $cors_credentials {', '    "" "";', '    default "true";', '}');
  }
  const origin = any ? '*' : '$cors_origin';
  const common = [`add_header Access-Control-Allow-Origin ${origin} always;`];
  if (options.credentials) common.push('add_header Access-Control-Allow-Credentials $cors_credentials always;');
  if (!any) common.push('add_header Vary Origin always;');
  const pfHeaders = [...common];
  const methods = options.methods === '*' ? preflight['Access-Control-Allow-Methods'] ?? 'GET, HEAD, POST' : (options.methods ?? ['GET', 'HEAD', 'POST']).join(', ');
  pfHeaders.push(`add_header Access-Control-Allow-Methods "${methods}" always;`);
  const headers = options.requestHeaders === '*' ? '$http_access_control_request_headers' : (options.requestHeaders ?? []).join(', ');
  if (headers) pfHeaders.push(`add_header Access-Control-Allow-Headers "${headers}" always;`);
  if (options.maxAge !== undefined) pfHeaders.push(`add_header Access-Control-Max-Age ${options.maxAge} always;`);
  const actual = [...common];
  if (options.exposeHeaders && options.exposeHeaders.length) actual.push(`add_header Access-Control-Expose-Headers "${options.exposeHeaders === '*' ? '*' : options.exposeHeaders.join(', ')}" always;`);
  lines.push('', 'server {', '    location / {', '        if ($request_method = OPTIONS) {');
  for (const h of pfHeaders) lines.push(`            ${h}`);
  lines.push('            return 204;', '        }');
  for (const h of actual) lines.push(`        ${h}`);
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

/** The configurations, exactly in the shape the README documents for each adapter. */
export function configsFor(options: PolicyOptions, preflightHeaders: Record<string, string>): Configs {
  return {
    express: `import express from 'express';\nimport { cors } from 'corsgate/express';\n\nconst app = express();\napp.use(cors(${js(options, '')}));\n`,
    fastify: `import Fastify from 'fastify';\nimport cors from 'corsgate/fastify';\n\nconst app = Fastify();\nawait app.register(cors, ${js(options, '')});\n`,
    hono: `import { Hono } from 'hono';\nimport { cors } from 'corsgate/hono';\n\nconst app = new Hono();\napp.use('*', cors(${js(options, '')}));\n`,
    koa: `import Koa from 'koa';\nimport { cors } from 'corsgate/koa';\n\nconst app = new Koa();\napp.use(cors(${js(options, '')}));\n`,
    node: `import http from 'node:http';\nimport { cors } from 'corsgate/node';\n\nconst corsMiddleware = cors(${js(options, '')});\n\nhttp.createServer((req, res) => {\n  if (corsMiddleware(req, res)) return; // a preflight or a refusal was answered\n  res.end('hello');\n}).listen(3000);\n`,
    fetch: `import { cors } from 'corsgate/fetch';\n\nconst handler = (request) => new Response('hello');\nexport default { fetch: cors(${js(options, '')})(handler) };\n`,
    policyFile: `${JSON.stringify(options, null, 2)}\n`,
    nginx: nginx(options, preflightHeaders),
  };
}
