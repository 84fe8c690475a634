/**
 * One benchmark server per process: `node dist/bench/servers/http-server.js <server> <allowlist size>`.
 * Prints `READY <port>` once listening. Every server answers GET /data with the same small body;
 * the allowlist is `https://o0.example.com` … and the allowed origin used by the load is the last one.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import expressCors from 'cors';
import Fastify from 'fastify';
import fastifyCors from '@fastify/cors';
import { Hono } from 'hono';
import { cors as honoCors } from 'hono/cors';
import { getRequestListener } from '@hono/node-server';
import Koa from 'koa';
import koaCors from '@koa/cors';
import { cors as corsgateNode } from '../../src/adapters/node.js';
import { cors as corsgateExpress } from '../../src/adapters/express.js';
import { cors as corsgateFastify } from '../../src/adapters/fastify.js';
import { cors as corsgateHono } from '../../src/adapters/hono.js';
import { cors as corsgateKoa } from '../../src/adapters/koa.js';
import type { PolicyOptions } from '../../src/policy/types.js';

export function allowlist(size: number): string[] {
  return Array.from({ length: size }, (_, i) => `https://o${i}.example.com`);
}

const BODY = 'hello';
const [, , name = 'bare', sizeArg = '1'] = process.argv;
const origins = allowlist(Number(sizeArg));
const policy: PolicyOptions = { origins, methods: ['GET', 'PUT'], requestHeaders: ['x-custom'] };
const peerMethods = ['GET', 'PUT'];

function plain(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.setHeader('Content-Type', 'text/plain');
  res.end(BODY);
}

async function build(): Promise<http.Server> {
  switch (name) {
    case 'bare':
      return http.createServer(plain);
    case 'handwritten': {
      // The practical limit: one exact origin compared by hand, nothing else.
      const allowed = origins[origins.length - 1];
      return http.createServer((req, res) => {
        const origin = req.headers.origin;
        res.setHeader('Vary', 'Origin');
        if (origin === allowed) res.setHeader('Access-Control-Allow-Origin', origin);
        if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
          if (origin === allowed) {
            res.setHeader('Access-Control-Allow-Methods', 'PUT');
            res.setHeader('Access-Control-Allow-Headers', 'x-custom');
          }
          res.statusCode = origin === allowed ? 204 : 403;
          res.end();
          return;
        }
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
      app.use(name === 'express-cors' ? expressCors({ origin: origins, methods: peerMethods, allowedHeaders: ['x-custom'] }) : corsgateExpress(policy));
      app.get('/data', (_req, res) => void res.type('text/plain').send(BODY));
      return http.createServer(app);
    }
    case 'fastify-cors':
    case 'fastify-corsgate': {
      let server: http.Server | undefined;
      const app = Fastify({ serverFactory: (handler) => (server = http.createServer(handler)) });
      if (name === 'fastify-cors') await app.register(fastifyCors, { origin: origins, methods: peerMethods, allowedHeaders: ['x-custom'] });
      else await app.register(corsgateFastify, policy);
      app.get('/data', async (_req, reply) => reply.type('text/plain').send(BODY));
      await app.ready();
      return server!;
    }
    case 'hono-cors':
    case 'hono-corsgate': {
      const app = new Hono();
      app.use('*', name === 'hono-cors' ? honoCors({ origin: origins, allowMethods: peerMethods, allowHeaders: ['x-custom'] }) : corsgateHono(policy));
      app.get('/data', (c) => c.text(BODY));
      return http.createServer(getRequestListener(app.fetch));
    }
    case 'koa-cors':
    case 'koa-corsgate': {
      const app = new Koa();
      if (name === 'koa-cors') {
        // @koa/cors takes one origin or a function: the function scans the same list.
        app.use(koaCors({ origin: (ctx) => (origins.includes(ctx.get('Origin')) ? ctx.get('Origin') : ''), allowMethods: peerMethods, allowHeaders: ['x-custom'] }));
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
