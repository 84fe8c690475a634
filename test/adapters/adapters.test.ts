/**
 * Every adapter, in its real framework over real HTTP on loopback, against the same table of cases.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FRAMEWORKS, type AppServer } from './servers.js';
import { send, varyTokens } from './client.js';
import type { PolicyOptions } from 'corsgate/internal/policy/types.js';
import { PolicyError } from 'corsgate/internal/policy/index.js';

const ALLOWED = 'https://allowed.test';
const OTHER = 'https://other.test';

const API_POLICY: PolicyOptions = {
  origins: [ALLOWED, 'http://localhost:*'],
  credentials: true,
  methods: ['GET', 'PUT'],
  requestHeaders: ['x-custom', 'content-type'],
  exposeHeaders: ['X-Total'],
  maxAge: 600,
};
const PUBLIC_POLICY: PolicyOptions = { origins: '*' };

for (const [name, start] of Object.entries(FRAMEWORKS)) {
  describe(`${name} adapter`, () => {
    let app: AppServer;
    before(async () => {
      app = await start({ api: API_POLICY, public: PUBLIC_POLICY });
    });
    after(() => app.close());

    test('allowed simple request: origin echoed with credentials, exposed header, Vary appended once', async () => {
      const res = await send(`${app.url}/api/data`, 'GET', { Origin: ALLOWED });
      assert.equal(res.status, 200);
      assert.equal(res.headers['access-control-allow-origin'], ALLOWED);
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
      assert.equal(res.headers['access-control-expose-headers'], 'x-total');
      assert.equal(res.headers['x-total'], '1', "the handler's own headers are kept");
      const vary = varyTokens(res);
      assert.ok(vary.includes('origin') && vary.includes('accept-encoding'), `Vary: ${res.headers.vary}`);
      assert.equal(new Set(vary).size, vary.length, `no duplicated Vary token: ${res.headers.vary}`);
    });

    test('a Vary set before the adapter runs is kept and extended, never duplicated', async () => {
      const res = await send(`${app.url}/api/data`, 'GET', {
        Origin: ALLOWED,
        'X-Test-Vary': 'Accept-Language, origin',
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers['access-control-allow-origin'], ALLOWED);
      const vary = varyTokens(res);
      assert.deepEqual(
        [...vary].sort(),
        ['accept-encoding', 'accept-language', 'origin'],
        `Vary: ${res.headers.vary}`,
      );
      const preflight = await send(`${app.url}/api/data`, 'OPTIONS', {
        Origin: ALLOWED,
        'Access-Control-Request-Method': 'PUT',
        'X-Test-Vary': 'Accept-Language',
      });
      assert.equal(preflight.status, 204);
      // The fetch wrapper is outermost: nothing runs before it, so its preflight answers have no earlier Vary.
      const earlier = name === 'fetch' ? [] : ['accept-language'];
      assert.deepEqual(varyTokens(preflight), [...earlier, 'origin', 'access-control-request-method']);
    });

    test('refused simple request: no CORS grant, Vary: Origin, handler still runs (onDisallowed omit)', async () => {
      const before = app.hits.count;
      const res = await send(`${app.url}/api/data`, 'GET', { Origin: OTHER });
      assert.equal(res.status, 200);
      assert.equal(res.headers['access-control-allow-origin'], undefined);
      assert.equal(res.headers['access-control-allow-credentials'], undefined);
      assert.ok(varyTokens(res).includes('origin'));
      assert.equal(app.hits.count, before + 1);
    });

    test('request without Origin still gets Vary: Origin and no grant', async () => {
      const res = await send(`${app.url}/api/data`, 'GET');
      assert.equal(res.status, 200);
      assert.equal(res.headers['access-control-allow-origin'], undefined);
      assert.ok(varyTokens(res).includes('origin'));
    });

    test('allowed preflight: 204, empty, no Content-Length, method and headers granted, handler not called', async () => {
      const before = app.hits.count;
      const res = await send(`${app.url}/api/data`, 'OPTIONS', {
        Origin: ALLOWED,
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'content-type,x-custom',
      });
      assert.equal(res.status, 204);
      assert.equal(res.body, '');
      assert.equal(res.headers['content-length'], undefined);
      assert.equal(res.headers['access-control-allow-origin'], ALLOWED);
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
      assert.equal(res.headers['access-control-allow-methods'], 'PUT');
      assert.equal(res.headers['access-control-allow-headers'], 'content-type,x-custom');
      assert.equal(res.headers['access-control-max-age'], '600');
      assert.equal(app.hits.count, before);
    });

    test('preflight for a method the policy does not allow: 403 with no grant', async () => {
      const res = await send(`${app.url}/api/data`, 'OPTIONS', {
        Origin: ALLOWED,
        'Access-Control-Request-Method': 'DELETE',
      });
      assert.equal(res.status, 403);
      assert.equal(res.headers['access-control-allow-origin'], undefined);
      assert.equal(res.headers['access-control-allow-methods'], undefined);
    });

    test('preflight for a header the policy does not allow: 403 with no grant', async () => {
      const res = await send(`${app.url}/api/data`, 'OPTIONS', {
        Origin: ALLOWED,
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'x-secret',
      });
      assert.equal(res.status, 403);
      assert.equal(res.headers['access-control-allow-origin'], undefined);
      assert.equal(res.headers['access-control-allow-headers'], undefined);
    });

    test('preflight from a refused origin: 403, handler not called', async () => {
      const before = app.hits.count;
      const res = await send(`${app.url}/api/data`, 'OPTIONS', {
        Origin: OTHER,
        'Access-Control-Request-Method': 'PUT',
      });
      assert.equal(res.status, 403);
      assert.equal(res.headers['access-control-allow-origin'], undefined);
      assert.equal(app.hits.count, before);
    });

    test('framework 404 and 500 responses carry the CORS headers', async () => {
      const missing = await send(`${app.url}/api/missing`, 'GET', { Origin: ALLOWED });
      assert.equal(missing.status, 404);
      assert.equal(missing.headers['access-control-allow-origin'], ALLOWED);
      const boom = await send(`${app.url}/api/boom`, 'GET', { Origin: ALLOWED });
      assert.equal(boom.status, 500);
      assert.equal(boom.headers['access-control-allow-origin'], ALLOWED);
      assert.equal(boom.headers['access-control-allow-credentials'], 'true');
    });

    test('per-route policy: /public answers * to anyone, without Vary: Origin', async () => {
      const res = await send(`${app.url}/public/info`, 'GET', { Origin: OTHER });
      assert.equal(res.status, 200);
      assert.equal(res.headers['access-control-allow-origin'], '*');
      assert.equal(res.headers['access-control-allow-credentials'], undefined);
      assert.ok(!varyTokens(res).includes('origin'));
      const api = await send(`${app.url}/api/data`, 'GET', { Origin: OTHER });
      assert.equal(
        api.headers['access-control-allow-origin'],
        undefined,
        'the /public policy does not leak into /api',
      );
    });

    test('live reconfiguration: update() swaps the policy; reject mode never calls the handler', async () => {
      const inForce = app.policy();
      assert.throws(
        () => app.update({ origins: ['https://*.com'] }),
        (err: unknown) => err instanceof PolicyError && err.code === 'policy-invalid',
      );
      assert.equal(app.policy(), inForce, 'the policy in force is still the same object');
      const still = await send(`${app.url}/api/data`, 'GET', { Origin: ALLOWED });
      assert.equal(
        still.headers['access-control-allow-origin'],
        ALLOWED,
        'a refused update keeps the old policy',
      );

      const next = app.update({
        ...API_POLICY,
        origins: [OTHER],
        onDisallowed: 'reject',
        preflightStatus: 200,
      });
      assert.equal(app.policy(), next, 'update() returns the policy now in force');
      const now = await send(`${app.url}/api/data`, 'GET', { Origin: OTHER });
      assert.equal(now.headers['access-control-allow-origin'], OTHER);

      const before = app.hits.count;
      const refused = await send(`${app.url}/api/data`, 'GET', { Origin: ALLOWED });
      assert.equal(refused.status, 403);
      assert.equal(refused.headers['access-control-allow-origin'], undefined);
      assert.equal(JSON.parse(refused.body).error.code, 'origin-not-allowed');
      assert.equal(app.hits.count, before, 'a refused origin never reaches the handler under reject');

      const preflight = await send(`${app.url}/api/data`, 'OPTIONS', {
        Origin: OTHER,
        'Access-Control-Request-Method': 'PUT',
      });
      assert.equal(preflight.status, 200);
      assert.equal(preflight.headers['content-length'], '0');
      assert.equal(preflight.body, '');
      app.update(API_POLICY);
    });

    test('update() under load: every response comes whole from one policy or the other', async () => {
      const a: PolicyOptions = {
        origins: [ALLOWED],
        credentials: true,
        exposeHeaders: ['X-Total'],
        methods: ['GET', 'PUT'],
      };
      const b: PolicyOptions = { origins: [ALLOWED], methods: ['GET', 'PUT'] };
      const responses: Promise<Awaited<ReturnType<typeof send>>>[] = [];
      // Waves: swap the policy, fire ten requests, and swap again as soon as one of them is answered,
      // so the others are in flight across the swap.
      for (let wave = 0; wave < 6; wave++) {
        app.update(wave % 2 === 0 ? a : b);
        const batch = Array.from({ length: 10 }, () =>
          send(`${app.url}/api/data`, 'GET', { Origin: ALLOWED }),
        );
        responses.push(...batch);
        await Promise.race(batch);
      }
      const seen = new Set<string>();
      for (const res of await Promise.all(responses)) {
        assert.equal(res.headers['access-control-allow-origin'], ALLOWED);
        const fromA =
          res.headers['access-control-allow-credentials'] === 'true' &&
          res.headers['access-control-expose-headers'] === 'x-total';
        const fromB =
          res.headers['access-control-allow-credentials'] === undefined &&
          res.headers['access-control-expose-headers'] === undefined;
        assert.ok(fromA || fromB, `half of each policy: ${JSON.stringify(res.headers)}`);
        seen.add(fromA ? 'a' : 'b');
      }
      assert.equal(seen.size, 2, 'both policies answered some of the requests');
      app.update(API_POLICY);
    });

    test('an OPTIONS request that is not a preflight reaches the application as usual', async () => {
      const res = await send(`${app.url}/api/data`, 'OPTIONS', { Origin: ALLOWED });
      assert.notEqual(res.status, 204);
      assert.notEqual(res.status, 403);
    });
  });
}
