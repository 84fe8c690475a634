// The SQLite store under the admin API (issue 19 §7.7, §7.10): a full store answers 507 store-full
// and is logged, the gateway keeps serving and recovers; token names are unique, and migration 3
// renames the duplicates an older store may hold. Real SQLite files in a temp folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import pino from 'pino';
import { startGateway } from '../../src/gateway/server.js';
import { DEFAULTS } from '../../src/gateway/config.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { StoreError } from '../../src/store/types.js';
import { api, strongToken, tempDir } from './helpers.js';

/** The store's own connection: `max_page_count` is per connection, so a full disk is simulated on it. */
const dbOf = (store: unknown) => (store as { db: Database.Database }).db;

test('a full store answers 507 {"error":{"code":"store-full"}}, is logged, keeps serving reads, and recovers', async () => {
  const tmp = tempDir();
  const lines: string[] = [];
  const token = strongToken();
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  const gw = await startGateway(
    { ...DEFAULTS, port: 0, adminPort: 0, accessLog: false, store: `sqlite:${tmp.dir}/full.db` },
    { CORSGATE_ADMIN_TOKEN: token },
    logger,
  );
  try {
    const admin = api(gw.adminUrl, token);
    assert.equal(
      (await admin('POST', '/api/allowlist', { urlPattern: 'https://before.example.com' })).status,
      201,
    );
    const db = dbOf(gw.store);
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    let full: Awaited<ReturnType<typeof admin>> | null = null;
    for (let i = 0; i < 500 && !full; i++) {
      const res = await admin('POST', '/api/allowlist', {
        urlPattern: `https://fill${i}.example.com`,
        description: 'x'.repeat(255),
      });
      if (res.status !== 201) full = res;
    }
    assert.ok(full, 'the store filled up');
    assert.equal(full.status, 507);
    assert.equal(full.json.error.code, 'store-full');
    assert.match(full.json.error.message, /full/);
    assert.ok(
      lines.some((l) => /507 store-full/.test(l)),
      `logged: ${lines.join('\n')}`,
    );
    // Everything acknowledged is still there and readable; the proxy still answers.
    const list = await admin('GET', '/api/allowlist?q=before');
    assert.equal(list.status, 200);
    assert.equal(list.json.items.length, 1);
    assert.equal((await fetch(`${gw.proxyUrl}/api/hello`)).status, 200);
    // Other writes get the same clear answer (settings, tokens), not a 500.
    assert.equal(
      (
        await admin('PUT', '/api/settings', {
          myDomainHosts: Array.from({ length: 500 }, (_, i) => `h${i}.example.com`),
        })
      ).status,
      507,
    );
    // Room again: writes work again.
    db.pragma('max_page_count = 1073741823');
    assert.equal(
      (await admin('POST', '/api/allowlist', { urlPattern: 'https://after.example.com' })).status,
      201,
    );
  } finally {
    await gw.close();
    tmp.cleanup();
  }
});

test('migration 3: duplicate token names in an older store are renamed with an audit row; names are unique from then on', async () => {
  const tmp = tempDir();
  try {
    const file = `${tmp.dir}/v1.db`;
    const old = new Database(file);
    old.exec(MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    const insert = old.prepare(
      "INSERT INTO tokens (id, name, hash, permissions, created_at, created_by) VALUES (?, ?, ?, '[\"view-setup\"]', '2024-01-01T00:00:00.000Z', 'token:admin')",
    );
    insert.run('t1', 'ci', 'h1');
    insert.run('t2', 'ci', 'h2');
    insert.run('t3', 'other', 'h3');
    insert.run('t4', 'ci', 'h4');
    old
      .prepare(
        "INSERT INTO settings (key, value) VALUES ('__proto__', '{\"refusedStatus\":401}'), ('toString', '1'), ('refusedStatus', '404')",
      )
      .run();
    old.close();

    const store = new SqliteStore(file);
    try {
      assert.deepEqual(
        (await store.listTokens()).map((t) => t.name),
        ['ci', 'ci (duplicate 2)', 'other', 'ci (duplicate 4)'],
      );
      const renames = (await store.listAudit({ limit: 10, entity: 'token' })).items.filter(
        (e) => e.action === 'rename',
      );
      assert.deepEqual(
        renames
          .map((e) => [e.entityId, (e.before as { name: string }).name, (e.after as { name: string }).name])
          .sort(),
        [
          ['t2', 'ci', 'ci (duplicate 2)'],
          ['t4', 'ci', 'ci (duplicate 4)'],
        ],
      );
      const settings = await store.getSettings();
      assert.equal(settings.refusedStatus, 404);
      assert.equal(Object.getPrototypeOf(settings), Object.prototype);
      assert.ok(!Object.hasOwn(settings, 'toString'));
      await assert.rejects(
        store.createToken({ name: 'other', permissions: ['view-setup'], hash: 'h5' }, 'token:admin'),
        (e: unknown) => e instanceof StoreError && e.code === 'duplicate' && e.field === 'name',
      );
      // Revoked tokens are remembered by hash, for the 401 that says so.
      await store.deleteToken('t3', 'token:admin');
      assert.deepEqual(Object.keys((await store.findRevokedToken('h3'))!).sort(), ['name', 'revokedAt']);
      assert.equal((await store.findRevokedToken('h3'))!.name, 'other');
      assert.equal(await store.findRevokedToken('h1'), null);
    } finally {
      await store.close();
    }
  } finally {
    tmp.cleanup();
  }
});
