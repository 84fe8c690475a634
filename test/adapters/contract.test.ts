/**
 * The public contract of the adapter modules, as a user meets it: each subpath export
 * (`corsgate/node`, …) has a named `cors` that is also the default export and takes either options
 * or a compiled policy; plus the framework-specific promises that the shared app table in
 * servers.ts does not reach (Fastify registered at the root and its encapsulation, Hono on
 * Web-standard types only, node's boolean and Connect forms).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { createPolicy, PolicyError } from 'corsgate/internal/policy/index.js';
import type { Policy, PolicyOptions } from 'corsgate/internal/policy/types.js';
import { send, varyTokens } from './client.js';

const ALLOWED = 'https://app.example.com';
const OPTIONS: PolicyOptions = {
  origins: [ALLOWED],
  credentials: true,
  methods: ['GET', 'PUT'],
  requestHeaders: ['x-custom'],
};
const SUBPATHS = ['node', 'express', 'fastify', 'hono', 'koa', 'fetch'] as const;

interface AdapterModule {
  cors: (input: unknown) => { policy: Policy; update(input: unknown): Policy };
  default: unknown;
}

// Imported by package name, through package.json "exports", exactly as a user imports them.
async function load(subpath: string): Promise<AdapterModule> {
  const specifier = `corsgate/${subpath}`;
  return (await import(specifier)) as AdapterModule;
}

describe('adapter modules (subpath exports)', () => {
  for (const subpath of SUBPATHS) {
    test(`corsgate/${subpath}: named cors is the default export; options or a compiled policy; update()`, async () => {
      const mod = await load(subpath);
      assert.equal(typeof mod.cors, 'function');
      assert.equal(mod.default, mod.cors);

      const fromOptions = mod.cors(OPTIONS);
      assert.deepEqual(fromOptions.policy.options.origins, [ALLOWED]);
      const compiled = createPolicy(OPTIONS);
      const fromPolicy = mod.cors(compiled);
      assert.equal(fromPolicy.policy, compiled, 'a compiled policy is used as is');

      assert.throws(
        () => mod.cors({ origins: ['https://*.com'] }),
        PolicyError,
        'bad options throw PolicyError at once',
      );
      assert.throws(() => fromPolicy.update({ origins: ['not an origin'] }), PolicyError);
      assert.equal(fromPolicy.policy, compiled, 'a refused update keeps the old policy');
      const next = fromPolicy.update({ origins: ['https://admin.example.com'] });
      assert.equal(fromPolicy.policy, next);
      assert.equal(next.allowsOrigin('https://admin.example.com'), true);
    });
  }
});

function listen(server: http.Server): Promise<string> {
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}
function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

describe('corsgate/node forms', () => {
  test('cors(options) returns true exactly when it answered; handle() calls next() otherwise', async () => {
    const { cors } = await import('corsgate/internal/adapters/node.js');
    const mw = cors({ ...OPTIONS, onDisallowed: 'reject' as const });
    const returned: boolean[] = [];
    const nextCalls: string[] = [];
    const server = http.createServer((req, res) => {
      if (req.url === '/connect') {
        mw.handle(req, res, () => {
          nextCalls.push(req.method!);
          res.end('next');
        });
        return;
      }
      const answered = mw(req, res);
      returned.push(answered);
      if (!answered) res.end('handler');
    });
    const url = await listen(server);
    try {
      assert.equal((await send(`${url}/x`, 'GET', { Origin: ALLOWED })).body, 'handler');
      assert.equal(
        (await send(`${url}/x`, 'OPTIONS', { Origin: ALLOWED, 'Access-Control-Request-Method': 'PUT' }))
          .status,
        204,
      );
      assert.equal((await send(`${url}/x`, 'GET', { Origin: 'https://evil.example.net' })).status, 403);
      assert.deepEqual(returned, [false, true, true]);

      assert.equal((await send(`${url}/connect`, 'GET', { Origin: ALLOWED })).body, 'next');
      assert.equal(
        (await send(`${url}/connect`, 'OPTIONS', { Origin: ALLOWED, 'Access-Control-Request-Method': 'PUT' }))
          .status,
        204,
      );
      assert.equal((await send(`${url}/connect`, 'GET', { Origin: 'https://evil.example.net' })).status, 403);
      assert.deepEqual(nextCalls, ['GET']);
    } finally {
      await close(server);
    }
  });
});

describe('corsgate/fastify: app.register(cors, options) and encapsulation', () => {
  test('at the root: preflights answered with no OPTIONS route, 404s carry CORS, handler never runs for refusals', async () => {
    const { default: cors } = await import('corsgate/internal/adapters/fastify.js');
    const app = Fastify();
    let hits = 0;
    // Written as in the README, a literal with no casts: this also checks the plugin's typing.
    await app.register(cors, {
      origins: [ALLOWED],
      credentials: true,
      methods: ['GET', 'PUT'],
      requestHeaders: ['x-custom'],
      onDisallowed: 'reject',
    });
    app.put('/data', async () => {
      hits++;
      return { ok: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      const pre = await send(`${url}/data`, 'OPTIONS', {
        Origin: ALLOWED,
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'x-custom',
      });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers['access-control-allow-methods'], 'PUT');
      assert.equal(pre.headers['access-control-allow-headers'], 'x-custom');
      assert.equal(pre.headers['content-length'], undefined);
      const put = await send(`${url}/data`, 'PUT', { Origin: ALLOWED });
      assert.equal(put.status, 200);
      assert.equal(put.headers['access-control-allow-credentials'], 'true');
      assert.equal(hits, 1);
      const missing = await send(`${url}/nowhere`, 'GET', { Origin: ALLOWED });
      assert.equal(missing.status, 404);
      assert.equal(missing.headers['access-control-allow-origin'], ALLOWED);
      const refused = await send(`${url}/data`, 'PUT', { Origin: 'https://evil.example.net' });
      assert.equal(refused.status, 403);
      assert.equal(hits, 1, 'the refused origin never reached the handler');
    } finally {
      await app.close();
    }
  });

  test('registered inside a plugin, the policy covers that plugin only; siblings and the root are untouched', async () => {
    const { default: cors } = await import('corsgate/internal/adapters/fastify.js');
    const app = Fastify();
    await app.register(
      async (api) => {
        await api.register(cors, createPolicy(OPTIONS)); // a compiled policy works as register options too
        api.get('/data', async () => ({ api: true }));
      },
      { prefix: '/api' },
    );
    await app.register(
      async (other) => {
        other.get('/data', async () => ({ other: true }));
      },
      { prefix: '/other' },
    );
    app.get('/root', async () => ({ root: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      const api = await send(`${url}/api/data`, 'GET', { Origin: ALLOWED });
      assert.equal(api.headers['access-control-allow-origin'], ALLOWED);
      const apiPreflight = await send(`${url}/api/data`, 'OPTIONS', {
        Origin: ALLOWED,
        'Access-Control-Request-Method': 'PUT',
      });
      assert.equal(apiPreflight.status, 204, 'preflight inside the scope answered without an OPTIONS route');
      const apiMissing = await send(`${url}/api/missing`, 'GET', { Origin: ALLOWED });
      assert.equal(apiMissing.status, 404);
      assert.equal(apiMissing.headers['access-control-allow-origin'], ALLOWED);

      for (const path of ['/other/data', '/root']) {
        const res = await send(`${url}${path}`, 'GET', { Origin: ALLOWED });
        assert.equal(res.status, 200);
        assert.equal(res.headers['access-control-allow-origin'], undefined, `${path} is outside the plugin`);
        assert.ok(!varyTokens(res).includes('origin'), `${path} is outside the plugin`);
      }
      const otherPreflight = await send(`${url}/other/data`, 'OPTIONS', {
        Origin: ALLOWED,
        'Access-Control-Request-Method': 'PUT',
      });
      assert.equal(otherPreflight.status, 404);
      assert.equal(otherPreflight.headers['access-control-allow-origin'], undefined);
    } finally {
      await app.close();
    }
  });

  test('the factory form: cors(options) is a plugin with update()', async () => {
    const { cors } = await import('corsgate/internal/adapters/fastify.js');
    const plugin = cors(OPTIONS);
    const app = Fastify();
    await app.register(plugin);
    app.get('/data', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      assert.equal(
        (await send(`${url}/data`, 'GET', { Origin: ALLOWED })).headers['access-control-allow-origin'],
        ALLOWED,
      );
      plugin.update({ origins: ['https://admin.example.com'] });
      assert.equal(
        (await send(`${url}/data`, 'GET', { Origin: ALLOWED })).headers['access-control-allow-origin'],
        undefined,
      );
      assert.equal(
        (await send(`${url}/data`, 'GET', { Origin: 'https://admin.example.com' })).headers[
          'access-control-allow-origin'
        ],
        'https://admin.example.com',
      );
    } finally {
      await app.close();
    }
  });
});

/** Every module reachable from a compiled module through static imports, and its bare imports. */
function importGraph(entry: string): { files: string[]; external: string[] } {
  const files = new Set<string>();
  const external = new Set<string>();
  const walk = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(
      /^(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|^import\s*['"]([^'"]+)['"]/gm,
    )) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) walk(resolve(dirname(file), spec));
      else external.add(spec);
    }
  };
  walk(entry);
  return { files: [...files], external: [...external] };
}

describe('corsgate/hono and corsgate/fetch on Web-standard types only', () => {
  for (const name of ['hono', 'fetch']) {
    test(`${name}: nothing Node-specific is imported, so it runs on Bun, Deno and Workers`, () => {
      const graph = importGraph(fileURLToPath(import.meta.resolve(`corsgate/${name}`)));
      assert.ok(graph.files.length > 1);
      const nodeOnly = graph.external.filter(
        (s) => s.startsWith('node:') || ['http', 'https', 'net', 'fs', 'buffer', 'stream'].includes(s),
      );
      assert.deepEqual(nodeOnly, [], `Node-only imports: ${nodeOnly.join(', ')}`);
    });
  }

  test('hono: app.request() with Web-standard Request/Response, no Node server involved', async () => {
    const { cors } = await import('corsgate/internal/adapters/hono.js');
    const app = new Hono();
    let hits = 0;
    app.use('*', cors({ ...OPTIONS, exposeHeaders: ['x-total'], onDisallowed: 'reject' as const }));
    app.put('/data', (c) => {
      hits++;
      c.header('X-Total', '1');
      return c.json({ ok: true });
    });
    const pre = await app.request('/data', {
      method: 'OPTIONS',
      headers: {
        Origin: ALLOWED,
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'x-custom',
      },
    });
    assert.ok(pre instanceof Response);
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-headers'), 'x-custom');
    assert.equal(await pre.text(), '');
    const put = await app.request('/data', { method: 'PUT', headers: { Origin: ALLOWED } });
    assert.equal(put.status, 200);
    assert.equal(put.headers.get('access-control-allow-origin'), ALLOWED);
    assert.equal(put.headers.get('access-control-expose-headers'), 'x-total');
    assert.equal(put.headers.get('x-total'), '1');
    const refused = await app.request('/data', {
      method: 'PUT',
      headers: { Origin: 'https://evil.example.net' },
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
    assert.equal(hits, 1);
  });

  test('fetch: wraps a plain (request) => Response, including a fetch()-style response with immutable headers', async () => {
    const { cors } = await import('corsgate/internal/adapters/fetch.js');
    const wrapped = cors(OPTIONS)(() => Response.redirect('https://app.example.com/elsewhere', 302));
    const res = await wrapped(new Request('http://api.test/data', { headers: { Origin: ALLOWED } }));
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), 'https://app.example.com/elsewhere');
    assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
    assert.deepEqual(res.headers.get('vary'), 'Origin');
  });
});
