// Issue 14 §1–§2, black-box: report-only mode (global and per route) and the usage counters.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  api,
  eventually,
  startCli,
  startUpstream,
  tempDir,
  type RunningGateway,
  type Upstream,
} from './helpers.js';

const ALLOWED = 'https://app.example.com';
const STRANGER = 'https://stranger.example.net';

describe('corsgate serve: report-only mode and usage counters', () => {
  let upstream: Upstream;
  let gw: RunningGateway;
  let tmp: ReturnType<typeof tempDir>;
  let call: ReturnType<typeof api>;
  const args = () => [
    '--upstream',
    upstream.url,
    '--store',
    `sqlite:${tmp.dir}/gw.db`,
    '--usage-flush',
    '100',
    '--node-id',
    'node-a',
  ];

  before(async () => {
    tmp = tempDir();
    // The upstream's own permissive CORS: it reflects any Origin.
    upstream = await startUpstream((req, res) => {
      const origin = req.headers.origin;
      const cors: Record<string, string> = origin
        ? {
            'access-control-allow-origin': origin,
            'access-control-allow-credentials': 'true',
            vary: 'Origin',
          }
        : {};
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { ...cors, 'access-control-allow-methods': 'PUT', 'x-upstream-preflight': 'yes' });
        res.end();
        return true;
      }
      if (req.url?.startsWith('/stingy')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
        return true;
      }
      res.writeHead(200, { 'content-type': 'application/json', ...cors });
      res.end('{}');
      return true;
    });
    gw = await startCli(args());
    call = api(gw.admin);
    assert.equal((await call('POST', '/api/allowlist', { urlPattern: ALLOWED })).status, 201);
    assert.equal(
      (await call('POST', '/api/allowlist', { urlPattern: 'https://*.wild.example.com' })).status,
      201,
    );
    assert.equal(
      (await call('POST', '/api/allowlist', { urlPattern: 'https://never.example.org' })).status,
      201,
    );
  });

  after(async () => {
    await gw.stop();
    await upstream.close();
    tmp.cleanup();
  });

  test('enforce (the default): a stranger is refused at the gateway and counted with its path', async () => {
    const hitsBefore = upstream.hits;
    const res = await fetch(`${gw.proxy}/api/data?secret=1`, { headers: { origin: STRANGER } });
    assert.equal(res.status, 403);
    assert.equal(upstream.hits, hitsBefore);
    const ok = await fetch(`${gw.proxy}/api/data`, { headers: { origin: ALLOWED } });
    assert.equal(ok.headers.get('access-control-allow-origin'), ALLOWED);
    await fetch(`${gw.proxy}/api/data`, { headers: { origin: 'https://a.wild.example.com' } });
    await fetch(`${gw.proxy}/api/data`, { headers: { origin: 'https://b.wild.example.com' } });
    const refused = await eventually(async () => {
      const r = await call('GET', '/api/usage/refused');
      return r.json.items.find((i: { origin: string }) => i.origin === STRANGER);
    });
    assert.equal(refused.count, 1);
    assert.equal(refused.route, 'default');
    assert.equal(refused.examplePath, '/api/data', 'the query is never kept');
    assert.equal(refused.suggestedPattern, STRANGER);
    assert.match(refused.lastSeenAt, /^\d{4}-\d\d-\d\dT/);
    const entries = await eventually(async () => {
      const r = await call('GET', '/api/usage/allowlist?sort=hits&order=desc');
      return r.json.items[0].hits === 2 && r.json.items;
    });
    assert.equal(
      entries[0].urlPattern,
      'https://*.wild.example.com',
      'two origins counted under their wildcard entry',
    );
    assert.equal(entries[1].urlPattern, ALLOWED);
    assert.equal(entries[1].hits, 1);
    assert.equal(entries[1].unusedSince, undefined);
    const never = entries.find((e: { urlPattern: string }) => e.urlPattern === 'https://never.example.org');
    assert.equal(never.hits, 0);
    assert.equal(never.lastSeenAt, null);
    assert.equal(never.unusedSince, never.createdAt);
    const unused = await call('GET', '/api/usage/allowlist?unused=true');
    assert.deepEqual(
      unused.json.items.map((e: { urlPattern: string }) => e.urlPattern),
      ['https://never.example.org'],
    );
    const paged = await call('GET', '/api/usage/allowlist?limit=2');
    assert.equal(paged.json.items.length, 2);
    const rest = await call('GET', `/api/usage/allowlist?limit=2&cursor=${paged.json.nextCursor}`);
    assert.equal(rest.json.items.length, 1);
    assert.equal(rest.json.nextCursor, null);
    assert.equal((await call('GET', '/api/usage/allowlist?sort=nope')).status, 400);
  });

  test('report-only: everything is forwarded, the upstream CORS answer untouched, and compared', async () => {
    const put = await call('PUT', '/api/settings', { mode: 'report-only' });
    assert.equal(put.status, 200);
    assert.equal(put.json.mode, 'report-only');
    const hitsBefore = upstream.hits;
    const res = await fetch(`${gw.proxy}/api/data`, { headers: { origin: STRANGER } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), STRANGER, "the upstream's own answer");
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(res.headers.get('vary'), 'Origin', 'no Vary added or merged');
    const pre = await fetch(`${gw.proxy}/api/data`, {
      method: 'OPTIONS',
      headers: { origin: STRANGER, 'access-control-request-method': 'PUT' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('x-upstream-preflight'), 'yes', 'preflights are forwarded too');
    assert.equal(upstream.hits, hitsBefore + 2);
    // An allowed origin the upstream does not grant: the reverse disagreement.
    const stingy = await fetch(`${gw.proxy}/stingy`, { headers: { origin: ALLOWED } });
    assert.equal(stingy.headers.get('access-control-allow-origin'), null, 'corsgate adds none of its own');
    const rows = await eventually(async () => {
      const r = await call('GET', '/api/usage/report-only?disagreements=true');
      return r.json.items.length >= 2 && r.json.items;
    });
    const stranger = rows.find((u: { origin: string }) => u.origin === STRANGER);
    assert.equal(stranger.decision, 'refused');
    assert.equal(stranger.upstreamAllowOrigin, STRANGER);
    assert.equal(stranger.upstreamGranted, true);
    assert.equal(stranger.agrees, false);
    const reverse = rows.find((u: { origin: string }) => u.origin === ALLOWED);
    assert.equal(reverse.decision, 'allowed');
    assert.equal(reverse.upstreamAllowOrigin, null);
    assert.equal(reverse.examplePath, '/stingy');
    const refused = await eventually(async () => {
      const r = await call('GET', '/api/usage/refused');
      const i = r.json.items.find((x: { origin: string }) => x.origin === STRANGER);
      return i?.count === 3 && i;
    });
    assert.equal(refused.upstreamGranted, true);
    const traffic = await call('GET', '/api/usage/traffic?period=hour');
    assert.equal(traffic.json.buckets.length, 60);
    const sum = (k: string) =>
      traffic.json.buckets.reduce((n: number, b: Record<string, number>) => n + b[k]!, 0);
    assert.equal(sum('refused'), 1);
    assert.equal(sum('wouldRefuse'), 2);
    assert.ok(sum('allowed') >= 3);
  });

  test('a route in enforce inside a report-only gateway still enforces', async () => {
    const route = await call('POST', '/api/routes', {
      kind: 'allowlist',
      paths: ['/strict/*'],
      mode: 'enforce',
    });
    assert.equal(route.status, 201, route.text);
    assert.equal(route.json.mode, 'enforce');
    const res = await fetch(`${gw.proxy}/strict/x`, { headers: { origin: STRANGER } });
    assert.equal(res.status, 403);
    const elsewhere = await fetch(`${gw.proxy}/api/data`, { headers: { origin: STRANGER } });
    assert.equal(elsewhere.status, 200);
    assert.equal(
      (await call('POST', '/api/routes', { kind: 'allowlist', paths: ['/x'], mode: 'maybe' })).status,
      400,
    );
  });

  test('the counters survive a restart; DELETE /api/usage resets them with an audit entry', async () => {
    await eventually(async () =>
      (await call('GET', '/api/usage/refused')).json.items.some(
        (i: { route: string }) => i.route !== 'default',
      ),
    );
    await gw.stop();
    gw = await startCli(args());
    call = api(gw.admin);
    const after = await call('GET', '/api/usage/refused');
    assert.ok(
      after.json.items.some((i: { origin: string }) => i.origin === STRANGER),
      'kept across the restart',
    );
    assert.equal((await call('GET', '/api/settings')).json.mode, 'report-only', 'the mode is stored');
    const del = await call('DELETE', '/api/usage');
    assert.equal(del.status, 204);
    assert.deepEqual((await call('GET', '/api/usage/refused')).json.items, []);
    const audit = await call('GET', '/api/audit?entity=usage');
    assert.equal(audit.json.items[0].action, 'reset');
    const modes = await call('GET', '/api/audit?entity=settings');
    assert.ok(
      modes.json.items.some((a: { after: { mode?: string } }) => a.after?.mode === 'report-only'),
      'the mode change is audited',
    );
  });
});

describe('the mode in a policy file and in the export', () => {
  test('GET /api/export?format=policy round-trips the mode and a route mode through --policy', async () => {
    const tmp = tempDir();
    const gw = await startCli(['--store', `sqlite:${tmp.dir}/a.db`]);
    const call = api(gw.admin);
    try {
      assert.equal((await call('PUT', '/api/settings', { mode: 'report-only' })).status, 200);
      assert.equal(
        (await call('POST', '/api/routes', { kind: 'allowlist', paths: ['/v2/*'], mode: 'enforce' })).status,
        201,
      );
      assert.equal((await call('POST', '/api/allowlist', { urlPattern: ALLOWED })).status, 201);
      const doc = await call('GET', '/api/export?format=policy');
      assert.equal(doc.status, 200);
      assert.equal(doc.json.settings.mode, 'report-only');
      assert.equal(doc.json.routes[0].mode, 'enforce');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(`${tmp.dir}/policy.json`, JSON.stringify(doc.json));
      const fromFile = await startCli(['--policy', `${tmp.dir}/policy.json`]);
      try {
        const settings = await api(fromFile.admin)('GET', '/api/settings');
        assert.equal(settings.json.mode, 'report-only');
        const res = await fetch(`${fromFile.proxy}/v2/x`, { headers: { origin: STRANGER } });
        assert.equal(res.status, 403, 'the enforce route is enforced');
        // Usage is no policy: counters work, and reset, in read-only mode.
        assert.equal((await api(fromFile.admin)('DELETE', '/api/usage')).status, 204);
      } finally {
        await fromFile.stop();
      }
      const bad = `${tmp.dir}/bad.json`;
      writeFileSync(bad, JSON.stringify({ settings: { mode: 'watch' } }));
      await assert.rejects(startCli(['--policy', bad]), /settings\.mode/);
    } finally {
      await gw.stop();
      tmp.cleanup();
    }
  });
});
