// The admin REST API, black-box over real HTTP against a spawned `corsgate serve`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { api, startCli, tempDir, type RunningGateway } from './helpers.js';

describe('corsgate serve: admin API', () => {
  let gw: RunningGateway;
  let tmp: ReturnType<typeof tempDir>;
  let admin: ReturnType<typeof api>;

  before(async () => {
    tmp = tempDir();
    gw = await startCli(['--store', `sqlite:${tmp.dir}/admin.db`]);
    admin = api(gw.admin);
  });

  after(async () => {
    await gw.stop();
    tmp.cleanup();
  });

  test('no token: 401; wrong token: 401; /api/me names the token and its effective permissions', async () => {
    assert.equal((await api(gw.admin, '')('GET', '/api/allowlist')).status, 401);
    assert.equal((await api(gw.admin, 'nope')('GET', '/api/allowlist')).status, 401);
    const me = await admin('GET', '/api/me');
    assert.equal(me.status, 200);
    assert.deepEqual(me.json.permissions, ['view-setup', 'customize-application', 'modify-all-data']);
    assert.equal(typeof me.json.name, 'string');
  });

  test('permissions: view-setup reads only; customize-application edits trusted sites, settings, routes but not the allowlist', async () => {
    const viewer = await admin('POST', '/api/tokens', { name: 'viewer', permissions: ['view-setup'] });
    assert.equal(viewer.status, 201);
    assert.match(viewer.json.token, /^cgt_/);
    const custom = await admin('POST', '/api/tokens', {
      name: 'customizer',
      permissions: ['customize-application'],
    });
    const v = api(gw.admin, viewer.json.token);
    const c = api(gw.admin, custom.json.token);
    assert.deepEqual((await v('GET', '/api/me')).json, {
      name: 'viewer',
      tokenId: viewer.json.id,
      permissions: ['view-setup'],
      readOnly: false,
      policyFile: null,
    });
    assert.equal((await v('GET', '/api/allowlist')).status, 200);
    assert.equal((await v('GET', '/api/audit')).status, 200);
    assert.equal((await v('POST', '/api/allowlist', { urlPattern: 'https://v.example.com' })).status, 403);
    assert.equal((await v('PUT', '/api/settings', { corsForOAuthEndpoints: true })).status, 403);
    assert.equal(
      (await v('POST', '/api/tokens', { name: 'x', permissions: ['modify-all-data'] })).status,
      403,
    );
    const denied = await c('POST', '/api/allowlist', { urlPattern: 'https://c.example.com' });
    assert.equal(denied.status, 403);
    assert.equal(denied.json.error.code, 'forbidden');
    assert.equal((await c('PUT', '/api/settings', { refusedStatus: 403 })).status, 200);
    assert.equal(
      (
        await c('POST', '/api/trusted-sites', {
          name: 'Img',
          endpointUrl: 'https://img.example.com',
          isApplicableToImgSrc: true,
        })
      ).status,
      201,
    );
    assert.equal((await c('POST', '/api/routes', { kind: 'closed', paths: ['/admin/*'] })).status, 201);
    assert.equal((await c('POST', '/api/tokens', { name: 'x', permissions: ['view-setup'] })).status, 403);
  });

  test('allowlist CRUD: 201, 400 in the engine words, 409 duplicate, 404 unknown id, PUT and DELETE', async () => {
    const created = await admin('POST', '/api/allowlist', {
      urlPattern: 'https://*.crud.example.com',
      description: 'subdomains',
    });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.json).sort(), [
      'createdAt',
      'createdBy',
      'description',
      'id',
      'urlPattern',
    ]);
    const bad = await admin('POST', '/api/allowlist', { urlPattern: 'http://crud.example.com' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'urlPattern');
    assert.equal(typeof bad.json.error.code, 'string');
    assert.match(bad.json.error.message, /http/);
    assert.equal(
      bad.json.error.hint,
      'did you mean https://crud.example.com?',
      'no advice about options the admin API does not have',
    );
    assert.equal(
      (await admin('POST', '/api/allowlist', { urlPattern: 'https://*.crud.example.com' })).status,
      409,
    );
    assert.equal((await admin('GET', '/api/allowlist/does-not-exist')).status, 404);
    assert.equal(
      (await admin('PUT', '/api/allowlist/does-not-exist', { urlPattern: 'https://a.example.com' })).status,
      404,
    );
    assert.equal((await admin('DELETE', '/api/allowlist/does-not-exist')).status, 404);
    const id = created.json.id;
    const updated = await admin('PUT', `/api/allowlist/${id}`, {
      urlPattern: 'https://crud.example.com',
      description: 'apex',
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.json.urlPattern, 'https://crud.example.com');
    assert.equal((await admin('GET', `/api/allowlist/${id}`)).json.description, 'apex');
    assert.equal((await admin('DELETE', `/api/allowlist/${id}`)).status, 204);
    assert.equal((await admin('GET', `/api/allowlist/${id}`)).status, 404);
  });

  test('request bodies are validated against the published schemas: 400, never 500', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/allowlist', '{not json', 'body-malformed-json'],
      ['POST', '/api/allowlist', { urlPattern: 42 }, 'body-wrong-type'],
      [
        'POST',
        '/api/allowlist',
        { urlPattern: 'https://u.example.com', colour: 'red' },
        'body-unknown-field',
      ],
      ['POST', '/api/allowlist', {}, 'body-missing-field'],
      ['POST', '/api/allowlist', [], 'body-wrong-type'],
      ['PUT', '/api/settings', { corsForOAuthEndpoints: 'yes' }, 'body-wrong-type'],
      ['POST', '/api/routes', { kind: 'sometimes', paths: ['/a'] }, 'body-not-allowed-value'],
      ['POST', '/api/tokens', { name: 't', permissions: ['root'] }, 'body-not-allowed-value'],
      [
        'POST',
        '/api/trusted-sites',
        { name: 'x', endpointUrl: 'https://x.example.com', isActive: 1 },
        'body-wrong-type',
      ],
    ];
    for (const [method, path, body, code] of cases) {
      const res = await admin(method, path, body);
      assert.equal(res.status, 400, `${method} ${path} ${JSON.stringify(body)}`);
      assert.equal(res.json.error.code, code, `${method} ${path}`);
      assert.equal(typeof res.json.error.message, 'string');
    }
    const doc = await fetch(`${gw.admin}/api/openapi.json`);
    assert.equal(doc.status, 200);
    const openapi = (await doc.json()) as any;
    assert.equal(openapi.openapi, '3.1.0');
    assert.equal(openapi.components.schemas.AllowlistInput.additionalProperties, false);
    assert.ok(openapi.paths['/api/allowlist'].post.requestBody);
    // Every body the API validates is documented, from the same route table the dispatcher uses.
    for (const [path, method, schema] of [
      ['/api/allowlist/bulk', 'post', 'AllowlistBulkInput'],
      ['/api/scans', 'post', 'ScanInput'],
      ['/api/settings', 'put', 'SettingsInput'],
    ]) {
      assert.equal(
        openapi.paths[path][method].requestBody.content['application/json'].schema.$ref,
        `#/components/schemas/${schema}`,
        `${method} ${path}`,
      );
    }
    assert.deepEqual(
      openapi.paths['/api/allowlist'].get.parameters.map((p: { name: string }) => p.name).slice(0, 3),
      ['limit', 'cursor', 'q'],
    );
    assert.equal(
      openapi.paths['/api/allowlist'].post.responses['201'].content['application/json'].schema.$ref,
      '#/components/schemas/AllowlistEntry',
    );
    assert.deepEqual(openapi.components.schemas.AllowlistEntry.required, [
      'id',
      'urlPattern',
      'description',
      'createdAt',
      'createdBy',
    ]);
  });

  test('odd requests get a 4xx with a JSON error, never a 500: malformed ids, forged cursors, bad queries, huge and odd bodies', async () => {
    const cursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const cases: [string, string, unknown, number][] = [
      ['GET', '/api/allowlist/%E0%A4%A', undefined, 400],
      ['DELETE', '/api/trusted-sites/%', undefined, 400],
      ['PUT', '/api/routes/%zz', { kind: 'closed', paths: ['/a'] }, 400],
      ['GET', `/api/allowlist?cursor=${cursor(['seq', {}])}`, undefined, 400],
      ['GET', `/api/allowlist?cursor=${cursor(['seq', [1, 2]])}`, undefined, 400],
      ['GET', `/api/trusted-sites?cursor=${cursor(['seq', [1, 2, 3]])}`, undefined, 400],
      ['GET', `/api/allowlist?sort=urlPattern&cursor=${cursor(['url_pattern', 5])}`, undefined, 400],
      ['GET', `/api/audit?cursor=${cursor(1.5)}`, undefined, 400],
      ['GET', '/api/allowlist?cursor=not-a-cursor', undefined, 400],
      ['GET', '/api/allowlist?limit=1.5', undefined, 400],
      ['GET', '/api/allowlist?order=sideways', undefined, 400],
      ['GET', '/api/export?format=pdf', undefined, 400],
      ['POST', '/api/allowlist', 'null', 400],
      ['POST', '/api/allowlist', '[', 400],
      ['POST', '/api/allowlist', '['.repeat(100_000), 400],
      ['POST', '/api/allowlist', '{"__proto__":{"urlPattern":"https://x.example.com"}}', 400],
      ['POST', '/api/allowlist', { urlPattern: 'https://x.example.com', description: 5 }, 400],
      ['POST', '/api/allowlist/bulk', { items: [null] }, 400],
      ['PUT', '/api/settings', { refusedStatus: 1.5 }, 400],
      ['PUT', '/api/settings', { refusedStatus: '403' }, 400],
      ['POST', '/api/routes', { kind: 'opt-in', paths: ['/x'] }, 400],
      ['POST', '/api/routes', { kind: 'public', paths: [] }, 400],
      ['POST', '/api/tokens', { name: 'x', permissions: 'view-setup' }, 400],
      ['PUT', '/api/allowlist', { urlPattern: 'https://x.example.com' }, 405],
    ];
    for (const [method, path, body, status] of cases) {
      const res = await admin(method, path, body);
      assert.equal(
        res.status,
        status,
        `${method} ${path} ${String(JSON.stringify(body)).slice(0, 60)}: ${res.text.slice(0, 200)}`,
      );
      assert.equal(typeof res.json?.error?.code, 'string', `${method} ${path}: a JSON error`);
    }
    // A JSON body sent with another content type is still read as JSON (curl -d sends form encoding).
    const form = await admin(
      'POST',
      '/api/allowlist',
      JSON.stringify({ urlPattern: 'https://form.example.com' }),
      { 'content-type': 'application/x-www-form-urlencoded' },
    );
    assert.equal(form.status, 201);
    // A body over the limit: 413, and the gateway keeps serving.
    const huge = await admin('POST', '/api/allowlist', 'x'.repeat(6_000_000), {
      'content-type': 'application/json',
    });
    assert.equal(huge.status, 413);
    assert.equal(huge.json.error.code, 'body-too-large');
    assert.equal(huge.json.error.limit, 'maxBodyBytes', 'the answer names the limit');
    assert.equal(huge.json.error.max, 5_000_000);
    assert.equal((await admin('GET', '/api/me')).status, 200);
  });

  test("'*' is not an allowlist pattern: 400 in the engine's words, and nothing stored", async () => {
    for (const body of [{ urlPattern: '*' }]) {
      const res = await admin('POST', '/api/allowlist', body);
      assert.equal(res.status, 400);
      assert.equal(res.json.error.field, 'urlPattern');
      assert.match(res.json.error.message, /any origin/);
    }
    const bulk = await admin('POST', '/api/allowlist/bulk', { items: [{ urlPattern: '*' }] });
    assert.equal(bulk.json.invalid, 1);
    const list = await admin('GET', '/api/allowlist?q=*&limit=1000');
    assert.ok(!list.json.items.some((e: { urlPattern: string }) => e.urlPattern === '*'));
  });

  test('trusted sites: at least one directive, Salesforce URL rules, 409 on a duplicate name', async () => {
    const none = await admin('POST', '/api/trusted-sites', {
      name: 'None',
      endpointUrl: 'https://none.example.com',
    });
    assert.equal(none.status, 400);
    const badUrl = await admin('POST', '/api/trusted-sites', {
      name: 'Bad',
      endpointUrl: 'https://{subdomain}.example.com',
      isApplicableToImgSrc: true,
    });
    assert.equal(badUrl.status, 400);
    const ok = await admin('POST', '/api/trusted-sites', {
      name: 'Ws',
      endpointUrl: 'wss://ws.example.com',
      isApplicableToConnectSrc: true,
    });
    assert.equal(ok.status, 201);
    assert.equal(ok.json.context, 'All');
    assert.equal(ok.json.isActive, true);
    assert.equal(
      (
        await admin('POST', '/api/trusted-sites', {
          name: 'Ws',
          endpointUrl: 'wss://ws2.example.com',
          isApplicableToConnectSrc: true,
        })
      ).status,
      409,
    );
  });

  test('listing: keyset pagination with limit and cursor, search, sort and order; bulk create reports per line', async () => {
    const items = Array.from({ length: 25 }, (_, i) => ({
      urlPattern: `https://p${String(i).padStart(2, '0')}.page.example.com`,
    }));
    const bulk = await admin('POST', '/api/allowlist/bulk', {
      items: [...items, { urlPattern: 'ftp://nope' }, { urlPattern: items[0]!.urlPattern }],
    });
    assert.equal(bulk.status, 200);
    assert.equal(bulk.json.created, 25);
    assert.equal(bulk.json.invalid, 1);
    assert.equal(bulk.json.duplicates, 1);
    assert.equal(bulk.json.results[25].index, 25);
    assert.equal(bulk.json.results[25].status, 'invalid');
    assert.equal(bulk.json.results[26].status, 'duplicate');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await admin(
        'GET',
        `/api/allowlist?q=page.example&limit=10&sort=urlPattern&order=desc${cursor ? `&cursor=${cursor}` : ''}`,
      );
      assert.equal(page.status, 200);
      assert.ok(page.json.items.length <= 10);
      seen.push(...page.json.items.map((e: { urlPattern: string }) => e.urlPattern));
      cursor = page.json.nextCursor;
    } while (cursor);
    assert.equal(seen.length, 25);
    assert.deepEqual(seen, [...items.map((i) => i.urlPattern)].sort().reverse());
    assert.equal((await admin('GET', '/api/allowlist?limit=0')).status, 400);
    assert.equal((await admin('GET', '/api/allowlist?sort=colour')).status, 400);
    assert.equal((await admin('GET', '/api/allowlist?limit=5000')).json.items.length <= 1000, true);
  });

  test('audit: who, when, what, before and after', async () => {
    const created = await admin('POST', '/api/allowlist', {
      urlPattern: 'https://audit.example.com',
      description: 'one',
    });
    await admin('PUT', `/api/allowlist/${created.json.id}`, {
      urlPattern: 'https://audit.example.com',
      description: 'two',
    });
    await admin('DELETE', `/api/allowlist/${created.json.id}`);
    const audit = await admin('GET', '/api/audit?entity=allowlist&limit=3');
    assert.equal(audit.status, 200);
    const [del, upd, cre] = audit.json.items;
    assert.equal(del.action, 'delete');
    assert.equal(del.before.description, 'two');
    assert.equal(del.after, null);
    assert.equal(upd.action, 'update');
    assert.equal(upd.before.description, 'one');
    assert.equal(upd.after.description, 'two');
    assert.equal(cre.action, 'create');
    assert.equal(cre.before, null);
    assert.equal(cre.after.urlPattern, 'https://audit.example.com');
    for (const e of [del, upd, cre]) {
      assert.match(e.actor, /admin/);
      assert.ok(!Number.isNaN(Date.parse(e.at)));
      assert.equal(e.entityId, created.json.id);
    }
    assert.equal((await admin('DELETE', '/api/audit')).status, 405);
  });

  test('the admin listener serves the console with a strict CSP', async () => {
    const res = await fetch(`${gw.admin}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy')!, /default-src 'self'.*frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  });

  test('--policy FILE: read-only config-as-code mode', async () => {
    const file = `${tmp.dir}/policy.yaml`;
    writeFileSync(file, 'origins:\n  - https://code.example.com\nsettings:\n  corsForOAuthEndpoints: true\n');
    const g = await startCli(['--policy', file]);
    try {
      const a = api(g.admin);
      const list = await a('GET', '/api/allowlist');
      assert.equal(list.status, 200);
      assert.equal(list.json.items[0].urlPattern, 'https://code.example.com');
      const me = (await a('GET', '/api/me')).json;
      assert.equal(me.readOnly, true, 'the console learns the read-only state up front');
      assert.equal(me.policyFile, file);
      const write = await a('POST', '/api/allowlist', { urlPattern: 'https://more.example.com' });
      assert.equal(write.status, 409);
      assert.equal(write.json.error.code, 'read-only');
      assert.equal((await a('PUT', '/api/settings', { corsForOAuthEndpoints: false })).status, 409);
      const res = await fetch(`${g.proxy}/api/hello`, { headers: { origin: 'https://code.example.com' } });
      assert.equal(res.headers.get('access-control-allow-origin'), 'https://code.example.com');
    } finally {
      await g.stop();
    }
    writeFileSync(file, 'origins:\n  - http://insecure.example.com\n');
    await assert.rejects(startCli(['--policy', file]), /insecure\.example\.com/);
    // Options given in the file replace the allowlist regime's Salesforce defaults; every problem is listed.
    writeFileSync(
      file,
      'origins: [https://code.example.com]\nmethods: [GET, PUT]\ncredentials: false\nmaxAge: 60\n',
    );
    const h = await startCli(['--policy', file]);
    try {
      const get = await fetch(`${h.proxy}/api/hello`, { headers: { origin: 'https://code.example.com' } });
      assert.equal(get.headers.get('access-control-allow-origin'), 'https://code.example.com');
      assert.equal(
        get.headers.get('access-control-allow-credentials'),
        null,
        'credentials: false is honoured',
      );
      const put = await fetch(`${h.proxy}/api/hello`, {
        method: 'OPTIONS',
        headers: { origin: 'https://code.example.com', 'access-control-request-method': 'PUT' },
      });
      assert.equal(put.status, 204);
      assert.equal(put.headers.get('access-control-max-age'), '60');
      const del = await fetch(`${h.proxy}/api/hello`, {
        method: 'OPTIONS',
        headers: { origin: 'https://code.example.com', 'access-control-request-method': 'DELETE' },
      });
      assert.equal(del.status, 403, 'DELETE is not in the methods of the file');
    } finally {
      await h.stop();
    }
    writeFileSync(file, 'origins: [https://code.example.com]\nexposeHeaders: "*"\nonDisallowed: omit\n');
    await assert.rejects(
      startCli(['--policy', file]),
      (err: Error) =>
        /onDisallowed/.test(err.message) && /expose-wildcard-with-credentials/.test(err.message),
    );
  });
});
