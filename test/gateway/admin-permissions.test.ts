// Admin API hardening, black-box over HTTP against a spawned `corsgate serve` (issue 19 §5, §7.5,
// §7.9, §7.10; issue 17 §5.3): changes that widen CORS need modify-all-data, own keys only, host
// and length limits, unique token names, and 401s that say what is wrong with the token.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS } from '../../src/store/types.js';
import { api, startCli, tempDir, type RunningGateway } from './helpers.js';

describe('admin API: permissions and validation', () => {
  let gw: RunningGateway;
  let tmp: ReturnType<typeof tempDir>;
  let admin: ReturnType<typeof api>;
  let custom: ReturnType<typeof api>;

  before(async () => {
    tmp = tempDir();
    gw = await startCli(['--store', `sqlite:${tmp.dir}/perm.db`]);
    admin = api(gw.admin);
    const created = await admin('POST', '/api/tokens', {
      name: 'customizer',
      permissions: ['customize-application'],
    });
    custom = api(gw.admin, created.json.token);
  });
  after(async () => {
    await gw.stop();
    tmp.cleanup();
  });

  const forbidden = async (res: Promise<{ status: number; json: any }>, what: string) => {
    const r = await res;
    assert.equal(r.status, 403, `${what}: ${JSON.stringify(r.json)}`);
    assert.equal(r.json.error.code, 'forbidden');
    assert.equal(r.json.error.needs, 'modify-all-data');
    assert.match(r.json.error.message, /more origins read responses.*modify-all-data/);
    return r.json.error;
  };

  test('customize-application cannot widen CORS through routes: public anywhere, closed paths opened by kind, paths, hosts, priority or deletion', async () => {
    const err = await forbidden(
      custom('POST', '/api/routes', { kind: 'public', paths: ['/*'] }),
      'a public route',
    );
    assert.deepEqual(Object.keys(err.widens).sort(), ['from', 'host', 'path', 'to']);
    await forbidden(
      custom('POST', '/api/routes', {
        kind: 'public',
        paths: ['/nothing/here'],
        hosts: ['nowhere.example.com'],
      }),
      'a public route anywhere',
    );
    // A closed route of the admin's, then attempts to open it.
    const closed = await admin('POST', '/api/routes', {
      kind: 'closed',
      paths: ['/internal/*'],
      hosts: ['api.example.com'],
      priority: 10,
    });
    assert.equal(closed.status, 201);
    await forbidden(
      custom('POST', '/api/routes', { kind: 'allowlist', paths: ['/internal/reports'], priority: 11 }),
      'an allowlist route above a closed one',
    );
    await forbidden(
      custom('POST', '/api/routes', {
        kind: 'opt-in',
        setting: 'corsForOAuthEndpoints',
        hosts: ['*'],
        paths: ['/internal/*'],
        priority: 20,
      }),
      'an opt-in route above a closed one',
    );
    await forbidden(
      custom('PUT', `/api/routes/${closed.json.id}`, {
        kind: 'allowlist',
        paths: ['/internal/*'],
        hosts: ['api.example.com'],
        priority: 10,
      }),
      'closed turned allowlist',
    );
    await forbidden(
      custom('PUT', `/api/routes/${closed.json.id}`, {
        kind: 'closed',
        paths: ['/internal/secret'],
        hosts: ['api.example.com'],
        priority: 10,
      }),
      'closed paths narrowed',
    );
    await forbidden(
      custom('PUT', `/api/routes/${closed.json.id}`, {
        kind: 'closed',
        paths: ['/internal/*'],
        hosts: ['other.example.com'],
        priority: 10,
      }),
      'closed hosts moved',
    );
    await forbidden(custom('DELETE', `/api/routes/${closed.json.id}`), 'a closed route deleted');
    // The OAuth preset's routes outrank every user route, so a route under them changes nothing.
    assert.equal(
      (
        await custom('POST', '/api/routes', {
          kind: 'allowlist',
          paths: ['/services/oauth2/singleaccess'],
          priority: 999_999,
        })
      ).status,
      201,
    );
    // What does not widen stays allowed with customize-application.
    assert.equal(
      (await custom('POST', '/api/routes', { kind: 'allowlist', paths: ['/internal/reports'], priority: 5 }))
        .status,
      201,
      'below the closed route: no change',
    );
    const mine = await custom('POST', '/api/routes', {
      kind: 'closed',
      paths: ['/private/*'],
      description: 'mine',
    });
    assert.equal(mine.status, 201, 'a closed route only closes');
    assert.equal(
      (
        await custom('PUT', `/api/routes/${mine.json.id}`, {
          kind: 'closed',
          paths: ['/private/*', '/more/*'],
          description: 'wider closed',
        })
      ).status,
      200,
    );
    assert.equal(
      (
        await custom('PUT', `/api/routes/${closed.json.id}`, {
          kind: 'closed',
          paths: ['/internal/*'],
          hosts: ['api.example.com'],
          priority: 10,
          description: 'reworded',
        })
      ).status,
      200,
    );
    // modify-all-data may do all of it.
    const pub = await admin('POST', '/api/routes', { kind: 'public', paths: ['/public/*'] });
    assert.equal(pub.status, 201);
    assert.equal(
      (await custom('DELETE', `/api/routes/${pub.json.id}`)).status,
      204,
      'removing a public route narrows',
    );
    assert.equal((await admin('DELETE', `/api/routes/${closed.json.id}`)).status, 204);
  });

  test('customize-application cannot widen CORS through settings; other settings stay theirs', async () => {
    await forbidden(
      custom('PUT', '/api/settings', { corsForOAuthEndpoints: true }),
      "Salesforce's Enable CORS for OAuth endpoints",
    );
    await forbidden(
      custom('PUT', '/api/settings', { oauthPreset: false }),
      "dropping the preset's closed routes",
    );
    await forbidden(
      custom('PUT', '/api/settings', { myDomainHosts: ['*'], experienceCloudHosts: ['site.example.com'] }),
      'more hosts for the headless endpoints',
    );
    assert.equal((await custom('PUT', '/api/settings', { refusedStatus: 404 })).status, 200);
    assert.equal(
      (await admin('PUT', '/api/settings', { corsForOAuthEndpoints: true, refusedStatus: 403 })).status,
      200,
    );
    assert.equal(
      (await custom('PUT', '/api/settings', { corsForOAuthEndpoints: false })).status,
      200,
      'turning it off narrows',
    );
  });

  test('__proto__, constructor, toString and valueOf are unknown fields, never stored', async () => {
    for (const key of ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
      const body = `{"${key}":{"refusedStatus":401},"refusedStatus":403}`;
      const res = await admin('PUT', '/api/settings', body);
      assert.equal(res.status, 400, `${key}: ${res.text}`);
      assert.equal(res.json.error.code, 'body-unknown-field');
      assert.equal(res.json.error.field, key);
      const route = await admin('POST', '/api/routes', `{"kind":"closed","paths":["/p"],"${key}":1}`);
      assert.equal(route.status, 400, `${key} in a route`);
    }
    const settings = await admin('GET', '/api/settings');
    assert.deepEqual(Object.keys(settings.json).sort(), Object.keys(DEFAULT_SETTINGS).sort());
  });

  test('hosts are validated where they are stored, with a clear message; text fields have length limits', async () => {
    const cases: [unknown, RegExp][] = [
      [['api.example.com:8443'], /without a port/],
      [['api.example.com.'], /must not end with a dot: write api\.example\.com/],
      [['bad host'], /must be a host name/],
      [['https://api.example.com'], /must be a host name/],
      [['*.*.example.com'], /must be a host name/],
    ];
    for (const [hosts, message] of cases) {
      const res = await admin('POST', '/api/routes', { kind: 'closed', paths: ['/h'], hosts });
      assert.equal(res.status, 400, JSON.stringify(hosts));
      assert.equal(res.json.error.code, 'body-bad-format');
      assert.equal(res.json.error.field, 'hosts[0]');
      assert.match(res.json.error.message, message);
      assert.equal(
        (await admin('PUT', '/api/settings', { myDomainHosts: hosts })).status,
        400,
        `myDomainHosts ${JSON.stringify(hosts)}`,
      );
    }
    const ok = await admin('POST', '/api/routes', {
      kind: 'closed',
      paths: ['/h'],
      hosts: ['API.Example.com', '*.example.org', '*', '127.0.0.1', '[::1]', 'xn--bcher-kva.example'],
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
    for (const [method, path, body, field] of [
      ['POST', '/api/routes', { kind: 'closed', paths: ['/d'], description: 'd'.repeat(256) }, 'description'],
      [
        'POST',
        '/api/allowlist',
        { urlPattern: 'https://len.example.com', description: 'd'.repeat(256) },
        'description',
      ],
      [
        'POST',
        '/api/trusted-sites',
        { name: 'n'.repeat(81), endpointUrl: 'https://n.example.com', isApplicableToImgSrc: true },
        'name',
      ],
      ['POST', '/api/tokens', { name: 't'.repeat(101), permissions: ['view-setup'] }, 'name'],
      [
        'POST',
        '/api/routes',
        { kind: 'closed', paths: ['/d'], hosts: [`${'a'.repeat(63)}.`.repeat(4) + 'com'] },
        'hosts[0]',
      ],
    ] as const) {
      const res = await admin(method, path, body);
      assert.equal(res.status, 400, `${path} ${field}`);
      assert.equal(res.json.error.code, 'body-too-long');
      assert.equal(res.json.error.field, field);
    }
  });

  test('token names are unique: a second token with the same name is 409', async () => {
    assert.equal(
      (await admin('POST', '/api/tokens', { name: 'ci', permissions: ['view-setup'] })).status,
      201,
    );
    const again = await admin('POST', '/api/tokens', { name: 'ci', permissions: ['modify-all-data'] });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'duplicate');
    assert.equal(again.json.error.field, 'name');
    assert.match(again.json.error.message, /a token named 'ci' already exists/);
  });

  test('an unknown token is told it is unknown, a revoked one that it was revoked', async () => {
    const none = await api(gw.admin, '')('GET', '/api/me');
    assert.equal(none.status, 401);
    assert.match(none.json.error.message, /send an admin token/);
    const unknown = await api(gw.admin, 'cgt_not-a-token-anyone-has')('GET', '/api/me');
    assert.equal(unknown.status, 401);
    assert.equal(unknown.json.error.code, 'token-unknown');
    assert.match(unknown.json.error.message, /unknown/);
    assert.doesNotMatch(unknown.json.error.message, /send an admin token/);
    const t = await admin('POST', '/api/tokens', { name: 'leaving', permissions: ['view-setup'] });
    assert.equal((await api(gw.admin, t.json.token)('GET', '/api/me')).status, 200);
    assert.equal((await admin('DELETE', `/api/tokens/${t.json.id}`)).status, 204);
    const revoked = await api(gw.admin, t.json.token)('GET', '/api/me');
    assert.equal(revoked.status, 401);
    assert.equal(revoked.json.error.code, 'token-revoked');
    assert.match(revoked.json.error.message, /token \('leaving'\) was revoked at \d{4}-\d\d-\d\dT/);
    const malformed = await api(gw.admin, '')('GET', '/api/me', undefined, { authorization: 'Basic abc' });
    assert.match(malformed.json.error.message, /Bearer <token>/);
  });
});
