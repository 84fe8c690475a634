/**
 * One benchmark server per process: `node dist/bench/servers/http-server.js <server> <allowlist size>`.
 * Prints `READY <port>` once listening; each line `cpu` on stdin is answered with `CPU <µs>` (this
 * process's user + system CPU time so far), so the harness can charge CPU time to each load run.
 * Every server answers GET /data with the same small body. The allowlist is described in
 * bench/allowlist.ts; corsgate gets it as origin patterns, the peers as strings plus RegExps.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import express from 'express';
import expressCors from 'cors';
import Fastify from 'fastify';
import fastifyCors from '@fastify/cors';
import { Hono } from 'hono';
import { cors as honoCors } from 'hono/cors';
import { getRequestListener } from '@hono/node-server';
import Koa from 'koa';
import koaCors from '@koa/cors';
import { cors as corsgateNode } from 'corsgate/internal/adapters/node.js';
import { cors as corsgateExpress } from 'corsgate/internal/adapters/express.js';
import { cors as corsgateFastify } from 'corsgate/internal/adapters/fastify.js';
import { cors as corsgateHono } from 'corsgate/internal/adapters/hono.js';
import { cors as corsgateKoa } from 'corsgate/internal/adapters/koa.js';
import type { PolicyOptions } from 'corsgate/internal/policy/types.js';
import { allowlist, ALLOWED_METHODS, ALLOWED_HEADERS } from './allowlist.js';

const BODY = 'hello';
const [, , name = 'bare', sizeArg = '1'] = process.argv;
const list = allowlist(Number(sizeArg));
const policy: PolicyOptions = {
  origins: list.patterns,
  methods: ALLOWED_METHODS,
  requestHeaders: ALLOWED_HEADERS,
};
// What a user of each peer writes: the exact origins and the wildcards as RegExps, in one array.
const peerOrigins: Array<string | RegExp> = [...list.exact, ...list.regexps];
// For the packages that take a function (hono with RegExps, @koa/cors): the usual includes + some.
const peerAllows = (origin: string): boolean =>
  list.exact.includes(origin) || list.regexps.some((r) => r.test(origin));

function plain(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.setHeader('Content-Type', 'text/plain');
  res.end(BODY);
}

async function build(): Promise<http.Server> {
  switch (name) {
    case 'bare':
      return http.createServer(plain);
    case 'handwritten': {
      // The practical limit: one Set lookup (the load's allowed origin counts as one more exact entry).
      const allowed = new Set([...list.exact, list.allowedOrigin]);
      const acam = ALLOWED_METHODS.join(',');
      const acah = ALLOWED_HEADERS.join(',');
      return http.createServer((req, res) => {
        const origin = req.headers.origin;
        const ok = origin !== undefined && allowed.has(origin);
        res.setHeader('Vary', 'Origin');
        if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
          if (ok) {
            res.setHeader('Access-Control-Allow-Origin', origin);
            res.setHeader('Access-Control-Allow-Methods', acam);
            res.setHeader('Access-Control-Allow-Headers', acah);
          }
          res.statusCode = ok ? 204 : 403;
          res.end();
          return;
        }
        if (ok) res.setHeader('Access-Control-Allow-Origin', origin);
        plain(req, res);
      });
    }
    case 'corsgate-node': {
      const cors = corsgateNode(policy);
      return http.createServer((req, res) => {
        if (!cors(req, res)) plain(req, res);
      });
    }
    case 'express-cors':
    case 'express-corsgate': {
      const app = express();
      app.disable('x-powered-by');
      app.disable('etag');
      app.use(
        name === 'express-cors'
          ? expressCors({ origin: peerOrigins, methods: ALLOWED_METHODS, allowedHeaders: ALLOWED_HEADERS })
          : corsgateExpress(policy),
      );
      app.get('/data', (_req, res) => void res.type('text/plain').send(BODY));
      return http.createServer(app);
    }
    case 'fastify-cors':
    case 'fastify-corsgate': {
      let server: http.Server | undefined;
      const app = Fastify({ serverFactory: (handler) => (server = http.createServer(handler)) });
      if (name === 'fastify-cors')
        await app.register(fastifyCors, {
          origin: peerOrigins,
          methods: ALLOWED_METHODS,
          allowedHeaders: ALLOWED_HEADERS,
        });
      else await app.register(corsgateFastify, policy);
      app.get('/data', async (_req, reply) => reply.type('text/plain').send(BODY));
      await app.ready();
      return server!;
    }
    case 'hono-cors':
    case 'hono-corsgate': {
      const app = new Hono();
      // hono/cors takes a string array (matched with includes) or a function; RegExps need the function.
      const origin = list.regexps.length === 0 ? list.exact : (o: string) => (peerAllows(o) ? o : null);
      app.use(
        '*',
        name === 'hono-cors'
          ? honoCors({ origin, allowMethods: ALLOWED_METHODS, allowHeaders: ALLOWED_HEADERS })
          : corsgateHono(policy),
      );
      app.get('/data', (c) => c.text(BODY));
      return http.createServer(getRequestListener(app.fetch));
    }
    case 'koa-cors':
    case 'koa-corsgate': {
      const app = new Koa();
      if (name === 'koa-cors') {
        // @koa/cors takes one origin or a function: the function checks the same list.
        app.use(
          koaCors({
            origin: (ctx) => (peerAllows(ctx.get('Origin')) ? ctx.get('Origin') : ''),
            allowMethods: ALLOWED_METHODS,
            allowHeaders: ALLOWED_HEADERS,
          }),
        );
      } else {
        app.use(corsgateKoa(policy));
      }
      app.use((ctx) => {
        ctx.type = 'text/plain';
        ctx.body = BODY;
      });
      return http.createServer(app.callback());
    }
    default:
      throw new Error(`unknown benchmark server '${name}'`);
  }
}

const server = await build();
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`);
});
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'cpu') return;
  const { user, system } = process.cpuUsage();
  process.stdout.write(`CPU ${user + system}\n`);
});
process.stdin.on('end', () => process.exit(0));
