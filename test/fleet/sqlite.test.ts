/**
 * The fleet's answers on the SQLite store, a fleet of one: /readyz, /api/nodes, ?wait=all and the
 * fleet metrics, through the real CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { api, startCli, tempDir } from '../gateway/helpers.js';

test('SQLite: /readyz is ready, /api/nodes lists this node, ?wait=all answers as usual', async () => {
  const tmp = tempDir();
  const gw = await startCli(['--store', `sqlite:${tmp.dir}/one.db`, '--access-log', 'off']);
  try {
    const admin = api(gw.admin);
    const created = await admin('POST', '/api/allowlist?wait=all', { urlPattern: 'https://one.example.com' });
    assert.equal(created.status, 201, created.text);
    const ready = await fetch(`${gw.admin}/readyz`);
    assert.equal(ready.status, 200);
    const body = (await ready.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['staleSeconds', 'status', 'store', 'version']);
    assert.equal(body.status, 'ready');
    assert.equal(body.store, 'connected');
    assert.equal(body.staleSeconds, 0);
    assert.ok(Number(body.version) >= 1);
    const nodes = await admin('GET', '/api/nodes');
    assert.equal(nodes.status, 200);
    assert.equal(nodes.json.items.length, 1);
    assert.equal(nodes.json.items[0].id, `${hostname()}:${new URL(gw.proxy).port}`);
    assert.equal(nodes.json.items[0].version, body.version);
    assert.equal(nodes.json.items[0].lastError, null);
    assert.equal((await api(gw.admin, '')('GET', '/api/nodes')).status, 401);
    assert.equal((await admin('DELETE', `/api/allowlist/${created.json.id}?wait=soon`)).status, 400);
    const metrics = await (await fetch(`${gw.admin}/metrics`)).text();
    assert.match(metrics, new RegExp(`^corsgate_config_applied_version ${body.version}$`, 'm'));
    assert.match(metrics, /^corsgate_store_connected 1$/m);
  } finally {
    await gw.stop();
    tmp.cleanup();
  }
});
