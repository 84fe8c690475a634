/**
 * Every adapter configuration the generator prints is a complete program: these tests run each one
 * as printed (imports resolved to this build, only the final `listen` swapped for port 0 on
 * 127.0.0.1) and check the answers over HTTP, so a snippet that would not run fails here.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { generate } from '../../src/generator/index.js';

const OPTIONS = {
  origins: ['https://app.example.com', 'https://*.example.org'],
  methods: ['GET', 'HEAD', 'POST', 'PUT'],
  requestHeaders: ['content-type', 'authorization'],
  exposeHeaders: ['x-request-id'],
  credentials: true,
  maxAge: 600,
};
const { configs } = generate(OPTIONS);

const ADAPTERS = new Set(['node', 'express', 'fastify', 'hono', 'koa', 'fetch']);

/** Runs a printed snippet with its imports bound to real modules; `edits` turn its `listen` into a return. */
async function run(code: string, ...edits: [string, string][]): Promise<unknown> {
  for (const [from] of edits) assert.ok(code.includes(from), `the snippet has ${from}`);
  const names: string[] = [];
  const values: unknown[] = [];
  const imports: [string, string][] = [];
  const body = code.replace(/^import (.+) from '([^']+)';\n/gm, (_m, what: string, spec: string) => {
    imports.push([what, spec]);
    return '';
  });
  for (const [what, spec] of imports) {
    const sub = spec.startsWith('corsgate/') ? spec.slice('corsgate/'.length) : null;
    assert.ok(sub === null || ADAPTERS.has(sub), `corsgate/${sub} is a published entry point`);
    const mod = (await import(spec)) as Record<string, unknown>;
    if (what.startsWith('{')) {
      for (const name of what
        .slice(1, -1)
        .split(',')
        .map((s) => s.trim())) {
        assert.ok(name in mod, `${spec} exports ${name}`);
        names.push(name);
        values.push(mod[name]);
      }
    } else {
      names.push(what);
      values.push(mod.default);
    }
  }
  const AsyncFunction = (async () => {}).constructor as new (
    ...args: string[]
  ) => (...a: unknown[]) => Promise<unknown>;
  return new AsyncFunction(
    ...names,
    edits.reduce((text, [from, to]) => text.replace(from, to), body),
  )(...values);
}

type Fetcher = (
  path: string,
  init?: { method?: string; headers?: Record<string, string> },
) => Promise<Response>;

async function checkAnswers(fetcher: Fetcher): Promise<void> {
  const pf = await fetcher('/data', {
    method: 'OPTIONS',
    headers: {
      Origin: 'https://x.example.org',
      'Access-Control-Request-Method': 'PUT',
      'Access-Control-Request-Headers': 'content-type',
    },
  });
  assert.equal(pf.status, 204);
  assert.equal(pf.headers.get('access-control-allow-origin'), 'https://x.example.org');
  assert.equal(pf.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(pf.headers.get('access-control-allow-methods'), 'PUT');
  assert.equal(pf.headers.get('access-control-allow-headers'), 'content-type');
  assert.equal(pf.headers.get('access-control-max-age'), '600');
  assert.match(pf.headers.get('vary') ?? '', /Origin/);
  const ok = await fetcher('/data', { headers: { Origin: 'https://app.example.com' } });
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { hello: 'world' });
  assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example.com');
  assert.equal(ok.headers.get('access-control-expose-headers'), 'x-request-id');
  assert.equal(ok.headers.get('vary'), 'Origin');
  for (const evil of ['https://evil-example.org', 'https://example.org.evil.com', 'null']) {
    const no = await fetcher('/data', { headers: { Origin: evil } });
    await no.arrayBuffer();
    assert.equal(no.headers.get('access-control-allow-origin'), null, `${evil} is not granted`);
    assert.equal(no.headers.get('vary'), 'Origin');
  }
  const badPf = await fetcher('/data', {
    method: 'OPTIONS',
    headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'DELETE' },
  });
  await badPf.arrayBuffer();
  assert.equal(
    badPf.headers.get('access-control-allow-methods'),
    null,
    'a method outside the list gets no grant',
  );
}

describe('generated adapter configs run as printed', () => {
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  });
  const listening = async (server: Server): Promise<Fetcher> => {
    servers.push(server);
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    return (path, init) => fetch(`http://127.0.0.1:${port}${path}`, init);
  };

  test('Express', async () => {
    const app = (await run(configs.express, ['app.listen(3000);', 'return app;'])) as {
      listen: (port: number, host: string) => Server;
    };
    await checkAnswers(await listening(app.listen(0, '127.0.0.1')));
  });
  test('Fastify', async () => {
    const app = (await run(configs.fastify, ['await app.listen({ port: 3000 });', 'return app;'])) as {
      listen: (o: object) => Promise<string>;
      server: Server;
      close: () => Promise<void>;
    };
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      await checkAnswers(await listening(app.server));
    } finally {
      await app.close();
    }
  });
  test('Hono', async () => {
    const app = (await run(configs.hono, ['serve({ fetch: app.fetch, port: 3000 });', 'return app;'])) as {
      fetch: (r: Request) => Promise<Response>;
    };
    await checkAnswers((path, init) => app.fetch(new Request(`http://localhost${path}`, init)));
  });
  test('Koa', async () => {
    const app = (await run(configs.koa, ['app.listen(3000);', 'return app;'])) as {
      callback: () => Parameters<typeof import('node:http').createServer>[0];
    };
    const { createServer } = await import('node:http');
    await checkAnswers(await listening(createServer(app.callback())));
  });
  test('node:http', async () => {
    const server = (await run(
      configs.node,
      ['http.createServer(', 'return http.createServer('],
      ['}).listen(3000);', '});'],
    )) as Server;
    await checkAnswers(await listening(server));
  });
  test('fetch', async () => {
    const handler = (await run(configs.fetch, ['export default {', 'return {'])) as {
      fetch: (r: Request) => Promise<Response>;
    };
    await checkAnswers((path, init) => handler.fetch(new Request(`http://localhost${path}`, init)));
  });
});

describe('generated nginx config', () => {
  const conf = configs.nginx;
  test('echoes only listed origins through a map, with escaped, anchored regexes for wildcards', () => {
    assert.match(
      conf,
      /map \$http_origin \$cors_origin \{\n {4}default "";\n {4}"https:\/\/app\.example\.com" \$http_origin;\n {4}"~\^https:\/\/\(\[a-z0-9-\]\+\\\.\)\+example\\\.org\$" \$http_origin;\n\}/,
    );
    assert.ok(!/\$http_origin always/.test(conf), 'the raw Origin is never sent back');
  });
  test('credentials only for an allowed origin, Vary: Origin and `always` on every header', () => {
    assert.match(conf, /map \$cors_origin \$cors_credentials \{\n {4}"" "";\n {4}default "true";\n\}/);
    for (const line of conf.split('\n').filter((l) => l.trim().startsWith('add_header')))
      assert.match(line, / always;$/, line);
    assert.equal(
      conf.match(/add_header Vary/g)?.length,
      2,
      'Vary on the preflight and on the actual answers',
    );
  });
  test('answers only real preflights (OPTIONS with Access-Control-Request-Method and Origin) with 204', () => {
    assert.match(
      conf,
      /map "\$request_method:\$http_access_control_request_method:\$http_origin" \$cors_preflight \{\n {4}default 0;\n {4}"~\^OPTIONS:\[\^:\]\+:\.\+\$" 1;\n\}/,
    );
    const re = /^OPTIONS:[^:]+:.+$/;
    assert.ok(re.test('OPTIONS:PUT:https://app.example.com'));
    assert.ok(
      !re.test('OPTIONS::https://app.example.com'),
      'no Access-Control-Request-Method: not a preflight',
    );
    assert.ok(!re.test('OPTIONS:PUT:'), 'no Origin: not a preflight');
    assert.ok(!re.test('GET:PUT:https://app.example.com'));
    assert.match(conf, /if \(\$cors_preflight\) \{[^}]*return 204;\n {8}\}/);
  });
  test("hides the upstream's own CORS headers", () => {
    assert.match(conf, /proxy_hide_header Access-Control-Allow-Origin;/);
  });
  test("'*' without credentials: a literal *, no map, no Vary", () => {
    const star = generate({ origins: '*' }).configs.nginx;
    assert.match(star, /add_header Access-Control-Allow-Origin \* always;/);
    assert.ok(!star.includes('$cors_origin'));
    assert.ok(!star.includes('Vary'));
  });
});
