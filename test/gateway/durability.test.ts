// Durability: restart persistence, and every write acknowledged with a 2xx survives kill -9.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, startCli, strongToken, tempDir } from './helpers.js';

test('the allowlist, settings and tokens persist across a restart; the bootstrap token is printed only once', async () => {
  const tmp = tempDir();
  try {
    const store = `sqlite:${tmp.dir}/persist.db`;
    const first = await startCli(['--store', store], { CORSGATE_ADMIN_TOKEN: '' });
    const m = /admin token \(shown once[^\n]*\n\s+(cgt_\S+)/.exec(first.stdout);
    assert.ok(m, `a generated token is printed on first start:\n${first.stdout}`);
    const token = m[1]!;
    const a = api(first.admin, token);
    assert.equal(
      (await a('POST', '/api/allowlist', { urlPattern: 'https://persist.example.com' })).status,
      201,
    );
    assert.equal((await a('PUT', '/api/settings', { corsForOAuthEndpoints: true })).status, 200);
    assert.equal(await first.stop('SIGTERM'), 0, 'graceful shutdown exits 0');

    const second = await startCli(['--store', store], { CORSGATE_ADMIN_TOKEN: '' });
    try {
      assert.doesNotMatch(second.stdout, /cgt_/, 'the token is not shown again');
      const b = api(second.admin, token);
      const list = await b('GET', '/api/allowlist');
      assert.equal(list.status, 200, 'the generated token still works (its hash was stored)');
      assert.deepEqual(
        list.json.items.map((e: { urlPattern: string }) => e.urlPattern),
        ['https://persist.example.com'],
      );
      assert.equal((await b('GET', '/api/settings')).json.corsForOAuthEndpoints, true);
      const res = await fetch(`${second.proxy}/api/hello`, {
        headers: { origin: 'https://persist.example.com' },
      });
      assert.equal(res.headers.get('access-control-allow-origin'), 'https://persist.example.com');
    } finally {
      await second.stop();
    }
  } finally {
    tmp.cleanup();
  }
});

test('kill -9 in the middle of a burst of writes loses no acknowledged write', async () => {
  const tmp = tempDir();
  try {
    const store = `sqlite:${tmp.dir}/burst.db`;
    const gw = await startCli(['--store', store]);
    const a = api(gw.admin);
    const acknowledged: string[] = [];
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const urlPattern = `https://w${w}-n${i}.burst.example.com`;
        try {
          const res = await a('POST', '/api/allowlist', { urlPattern });
          if (res.status === 201) acknowledged.push(urlPattern);
        } catch {
          return; // the process is gone
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    while (acknowledged.length < 60) await new Promise((r) => setTimeout(r, 5));
    gw.child.kill('SIGKILL');
    await gw.stop();
    stop = true;
    await Promise.all(writers);
    assert.ok(acknowledged.length >= 60);

    const again = await startCli(['--store', store]);
    try {
      const b = api(again.admin);
      const present = new Set<string>();
      let cursor: string | null = null;
      do {
        const page: any = await b('GET', `/api/allowlist?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
        for (const e of page.json.items) present.add(e.urlPattern);
        cursor = page.json.nextCursor;
      } while (cursor);
      const lost = acknowledged.filter((p) => !present.has(p));
      assert.deepEqual(lost, [], 'every 2xx-acknowledged write is present after kill -9');
      // Each surviving entry has its audit row (same transaction).
      const audit = await b('GET', '/api/audit?entity=allowlist&limit=1000');
      assert.equal(audit.json.items.length, present.size);
    } finally {
      await again.stop();
    }
  } finally {
    tmp.cleanup();
  }
});

test('a changed CORSGATE_ADMIN_TOKEN replaces the previous one across a restart; tokens are listed without secrets', async () => {
  const tmp = tempDir();
  try {
    const store = `sqlite:${tmp.dir}/rotate.db`;
    const firstToken = strongToken();
    const secondToken = strongToken();
    const first = await startCli(['--store', store], { CORSGATE_ADMIN_TOKEN: firstToken });
    const viewer = await api(first.admin, firstToken)('POST', '/api/tokens', {
      name: 'viewer',
      permissions: ['view-setup'],
    });
    assert.equal(viewer.status, 201);
    await first.stop();
    const second = await startCli(['--store', store], { CORSGATE_ADMIN_TOKEN: secondToken });
    try {
      assert.equal(
        (await api(second.admin, firstToken)('GET', '/api/me')).status,
        401,
        'the old bootstrap token is revoked',
      );
      assert.equal((await api(second.admin, secondToken)('GET', '/api/me')).status, 200);
      const list = await api(second.admin, viewer.json.token)('GET', '/api/tokens');
      assert.equal(list.status, 200, 'view-setup reads the token list');
      assert.deepEqual(list.json.items.map((t: { name: string }) => t.name).sort(), [
        'admin (CORSGATE_ADMIN_TOKEN)',
        'viewer',
      ]);
      assert.doesNotMatch(list.text, new RegExp(`hash|${firstToken}|${secondToken}|cgt_`));
    } finally {
      await second.stop();
    }
  } finally {
    tmp.cleanup();
  }
});
