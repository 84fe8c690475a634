/**
 * The same small application in every framework, behind corsgate's adapter for it:
 *   GET/PUT /api/data  → 200 JSON, sets `X-Total` and `Vary: Accept-Encoding` itself
 *   GET /api/boom      → the handler throws (the framework answers 500)
 *   GET /api/missing   → no route (the framework answers 404)
 *   GET /public/info   → a second, per-route policy
 * `hits` counts handler calls, so tests can prove a request never reached the application.
 * A request carrying `X-Test-Vary` gets that value as `Vary` from a middleware that runs BEFORE the
 * adapter, so tests can check that the adapter appends to an existing Vary without duplicating it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { getRequestListener } from '@hono/node-server';
import Koa from 'koa';
import type { Policy, PolicyOptions } from 'corsgate/internal/policy/types.js';
import type { PolicyInput } from 'corsgate/internal/adapters/shared.js';
import nodeCors from 'corsgate/internal/adapters/node.js';
import expressCors from 'corsgate/internal/adapters/express.js';
import fastifyCors from 'corsgate/internal/adapters/fastify.js';
import honoCors from 'corsgate/internal/adapters/hono.js';
import koaCors from 'corsgate/internal/adapters/koa.js';
import fetchCors from 'corsgate/internal/adapters/fetch.js';

export interface AppServer {
  url: string;
  hits: { count: number };
  update(api: PolicyInput): Policy;
  /** The /api policy in force now. */
  policy(): Policy;
  close(): Promise<void>;
}

export interface Policies {
  api: PolicyInput;
  public: PolicyInput;
}

const DATA = JSON.stringify({ ok: true });

function preVary(header: string | string[] | null | undefined): string | undefined {
  return typeof header === 'string' && header !== '' ? header : undefined;
}

function listen(server: http.Server, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, host, () =>
      resolve(
        `http://${host === '127.0.0.1' ? '127.0.0.1' : host}:${(server.address() as AddressInfo).port}`,
      ),
    ),
  );
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function nodeApp(p: Policies, host?: string): Promise<AppServer> {
  const hits = { count: 0 };
  const api = nodeCors(p.api);
  const pub = nodeCors(p.public);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const cors = path.startsWith('/public/') ? pub : api;
    const pre = preVary(req.headers['x-test-vary']);
    if (pre) res.setHeader('Vary', pre);
    if (cors(req, res)) return;
    if (path === '/api/data' && (req.method === 'GET' || req.method === 'PUT')) {
      hits.count++;
      res.setHeader('X-Total', '1');
      res.setHeader(
        'Vary',
        res.getHeader('Vary') ? `${res.getHeader('Vary')}, Accept-Encoding` : 'Accept-Encoding',
      );
      res.setHeader('Content-Type', 'application/json');
      res.end(DATA);
    } else if (path === '/api/boom') {
      hits.count++;
      res.statusCode = 500;
      res.end('boom');
    } else if (path === '/public/info' && req.method === 'GET') {
      hits.count++;
      res.end('public');
    } else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  const url = await listen(server, host);
  return {
    url,
    hits,
    update: (x) => api.update(x),
    policy: () => api.policy,
    close: () => closeServer(server),
  };
}

async function expressApp(p: Policies, host?: string): Promise<AppServer> {
  const hits = { count: 0 };
  const api = expressCors(p.api);
  const app = express();
  app.use((req, res, next) => {
    const pre = preVary(req.headers['x-test-vary']);
    if (pre) res.setHeader('Vary', pre);
    next();
  });
  app.use('/public', expressCors(p.public));
  app.use('/api', api);
  const data = (_req: express.Request, res: express.Response) => {
    hits.count++;
    res.set('X-Total', '1').vary('Accept-Encoding').json({ ok: true });
  };
  app.get('/api/data', data);
  app.put('/api/data', data);
  app.get('/api/boom', () => {
    hits.count++;
    throw new Error('boom');
  });
  app.get('/public/info', (_req, res) => {
    hits.count++;
    res.send('public');
  });
  const server = http.createServer(app);
  const url = await listen(server, host);
  return {
    url,
    hits,
    update: (x) => api.update(x),
    policy: () => api.policy,
    close: () => closeServer(server),
  };
}

async function fastifyApp(p: Policies, host?: string): Promise<AppServer> {
  const hits = { count: 0 };
  const api = fastifyCors(p.api);
  const app = Fastify();
  app.addHook('onRequest', async (request, reply) => {
    const pre = preVary(request.headers['x-test-vary']);
    if (pre) reply.header('Vary', pre);
  });
  await app.register(
    async (scope) => {
      await scope.register(api);
      const data = async (_req: unknown, reply: import('fastify').FastifyReply) => {
        hits.count++;
        reply.header('X-Total', '1');
        reply.header(
          'Vary',
          reply.getHeader('vary') ? `${reply.getHeader('vary')}, Accept-Encoding` : 'Accept-Encoding',
        );
        return { ok: true };
      };
      scope.get('/data', data);
      scope.put('/data', data);
      scope.get('/boom', async () => {
        hits.count++;
        throw new Error('boom');
      });
    },
    { prefix: '/api' },
  );
  await app.register(
    async (scope) => {
      await scope.register(fastifyCors, p.public as PolicyOptions);
      scope.get('/info', async () => {
        hits.count++;
        return 'public';
      });
    },
    { prefix: '/public' },
  );
  await app.listen({ port: 0, host: host ?? '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return {
    url: `http://${host ?? '127.0.0.1'}:${port}`,
    hits,
    update: (x) => api.update(x),
    policy: () => api.policy,
    close: () => app.close(),
  };
}

function honoRoutes(app: Hono, hits: { count: number }): void {
  const data = (c: import('hono').Context) => {
    hits.count++;
    c.header('X-Total', '1');
    c.header('Vary', 'Accept-Encoding', { append: true });
    return c.json({ ok: true });
  };
  app.get('/api/data', data);
  app.put('/api/data', data);
  app.get('/api/boom', () => {
    hits.count++;
    throw new Error('boom');
  });
  app.get('/public/info', (c) => {
    hits.count++;
    return c.text('public');
  });
}

async function honoApp(p: Policies, host?: string): Promise<AppServer> {
  const hits = { count: 0 };
  const api = honoCors(p.api);
  const app = new Hono();
  app.use('*', async (c, next) => {
    const pre = preVary(c.req.header('x-test-vary'));
    if (pre) c.header('Vary', pre);
    await next();
  });
  app.use('/api/*', api);
  app.use('/public/*', honoCors(p.public));
  honoRoutes(app, hits);
  app.onError((_err, c) => c.text('Internal Server Error', 500));
  const server = http.createServer(getRequestListener(app.fetch));
  const url = await listen(server, host);
  return {
    url,
    hits,
    update: (x) => api.update(x),
    policy: () => api.policy,
    close: () => closeServer(server),
  };
}

async function koaApp(p: Policies, host?: string): Promise<AppServer> {
  const hits = { count: 0 };
  const api = koaCors(p.api);
  const pub = koaCors(p.public);
  const app = new Koa();
  app.silent = true;
  app.use((ctx, next) => {
    const pre = preVary(ctx.get('X-Test-Vary'));
    if (pre) ctx.set('Vary', pre);
    return next();
  });
  app.use((ctx, next) => (ctx.path.startsWith('/public/') ? pub(ctx, next) : api(ctx, next)));
  app.use(async (ctx) => {
    if (ctx.path === '/api/data' && (ctx.method === 'GET' || ctx.method === 'PUT')) {
      hits.count++;
      ctx.set('X-Total', '1');
      ctx.vary('Accept-Encoding');
      ctx.body = { ok: true };
    } else if (ctx.path === '/api/boom') {
      hits.count++;
      throw new Error('boom');
    } else if (ctx.path === '/public/info' && ctx.method === 'GET') {
      hits.count++;
      ctx.body = 'public';
    }
    // Anything else: Koa's own 404.
  });
  const server = http.createServer(app.callback());
  const url = await listen(server, host);
  return {
    url,
    hits,
    update: (x) => api.update(x),
    policy: () => api.policy,
    close: () => closeServer(server),
  };
}

async function fetchApp(p: Policies, host?: string): Promise<AppServer> {
  const hits = { count: 0 };
  const api = fetchCors(p.api);
  const pub = fetchCors(p.public);
  const apiHandler = api(async (request: Request) => {
    const path = new URL(request.url).pathname;
    if (path === '/api/data' && (request.method === 'GET' || request.method === 'PUT')) {
      hits.count++;
      const pre = preVary(request.headers.get('x-test-vary'));
      const vary = pre ? `${pre}, Accept-Encoding` : 'Accept-Encoding';
      return new Response(DATA, {
        headers: { 'Content-Type': 'application/json', 'X-Total': '1', Vary: vary },
      });
    }
    if (path === '/api/boom') {
      hits.count++;
      throw new Error('boom');
    }
    return new Response('not found', { status: 404 });
  });
  const publicHandler = pub(async () => {
    hits.count++;
    return new Response('public');
  });
  const handler = (request: Request) =>
    new URL(request.url).pathname.startsWith('/public/') ? publicHandler(request) : apiHandler(request);
  const server = http.createServer(getRequestListener(handler));
  const url = await listen(server, host);
  return {
    url,
    hits,
    update: (x) => api.update(x),
    policy: () => api.policy,
    close: () => closeServer(server),
  };
}

export const FRAMEWORKS: Record<string, (p: Policies, host?: string) => Promise<AppServer>> = {
  node: nodeApp,
  express: expressApp,
  fastify: fastifyApp,
  hono: honoApp,
  koa: koaApp,
  fetch: fetchApp,
};
