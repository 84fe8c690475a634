/**
 * The Store contract, table-driven over both stores: a real SQLite file and a real PostgreSQL
 * database of this test's own. Each write is one transaction with its audit row and a version bump
 * (gap-free, in commit order), uniqueness, revoked tokens, the allowlist `name`, imports all or
 * nothing, paging, store-full.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/index.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { PG_MIGRATIONS } from '../../src/store/pg-schema.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { StoreError, type Store } from '../../src/store/types.js';
import { tempDir } from '../gateway/helpers.js';
import { sql, testDatabase } from '../support/pg.js';

interface Kind {
  name: string;
  open(): Promise<Store>;
  /** Makes the next write fail as a full disk does. */
  fill(store: Store): Promise<void>;
  unfill(store: Store): Promise<void>;
  done(): Promise<void>;
}

async function sqliteKind(): Promise<Kind> {
  const tmp = tempDir();
  let n = 0;
  const db = (s: Store) => (s as unknown as { db: Database.Database }).db;
  return {
    name: 'sqlite',
    open: async () => new SqliteStore(`${tmp.dir}/s${n++}.db`),
    fill: async (s) =>
      void db(s).pragma(`max_page_count = ${db(s).pragma('page_count', { simple: true }) as number}`),
    unfill: async (s) => void db(s).pragma('max_page_count = 1073741823'),
    done: async () => tmp.cleanup(),
  };
}

async function postgresKind(): Promise<Kind> {
  const dbs: Awaited<ReturnType<typeof testDatabase>>[] = [];
  let n = 0;
  const urlOf = (s: Store) => dbs[(s as unknown as { idx: number }).idx]!.url;
  return {
    name: 'postgres',
    open: async () => {
      const d = await testDatabase(`contract_${n}`);
      dbs.push(d);
      const s = await PostgresStore.open(d.url);
      (s as unknown as { idx: number }).idx = n++;
      return s;
    },
    // PostgreSQL answers a full disk with SQLSTATE 53100; a trigger raising it stands in for the disk.
    fill: async (s) =>
      void (await sql(
        urlOf(s),
        `CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = '53100'; END $$;
        CREATE TRIGGER full_disk BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION full_disk()`,
      )),
    unfill: async (s) => void (await sql(urlOf(s), 'DROP TRIGGER full_disk ON audit')),
    done: async () => {
      for (const d of dbs) await d.drop();
    },
  };
}

for (const make of [sqliteKind, postgresKind]) {
  describe(`store contract: ${make.name.replace('Kind', '')}`, () => {
    let kind: Kind;
    let store: Store;
    before(async () => {
      kind = await make();
      store = await kind.open();
    });
    after(async () => {
      await store?.close();
      await kind?.done();
    });

    test('every write bumps the version by one and appends its audit row; appendAudit does not bump', async () => {
      const v0 = await store.version();
      const seen: number[] = [];
      const off = store.onChange((v) => seen.push(v));
      const a = await store.createAllowlist(
        { urlPattern: 'https://a.example.com', description: 'A' },
        'token:t',
      );
      assert.equal(await store.version(), v0 + 1);
      await store.updateAllowlist(a.id, { urlPattern: 'https://a2.example.com' }, 'token:t');
      await store.deleteAllowlist(a.id, 'token:t');
      assert.equal(await store.version(), v0 + 3);
      // Each version is announced (a reconnecting listener may announce one again).
      for (const v of [v0 + 1, v0 + 2, v0 + 3]) assert.ok(seen.includes(v), `${v} in ${seen}`);
      off();
      await store.appendAudit({
        actor: 'system',
        action: 'block',
        entity: 'address',
        entityId: '192.0.2.1',
        before: null,
        after: { failures: 5 },
      });
      assert.equal(await store.version(), v0 + 3);
      const audit = (await store.listAudit({ limit: 10 })).items;
      assert.deepEqual(
        audit.slice(0, 4).map((e) => [e.action, e.entity]),
        [
          ['block', 'address'],
          ['delete', 'allowlist'],
          ['update', 'allowlist'],
          ['create', 'allowlist'],
        ],
      );
      assert.equal((audit[2]!.after as { urlPattern: string }).urlPattern, 'https://a2.example.com');
      assert.equal((await store.listAudit({ limit: 10, entity: 'address' })).items.length, 1);
    });

    test('concurrent writers get contiguous versions, one each, in commit order', async () => {
      const v0 = await store.version();
      const got: number[] = [];
      const off = store.onChange((v) => got.push(v));
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.createAllowlist({ urlPattern: `https://c${i}.example.com` }, 'token:t'),
        ),
      );
      off();
      assert.equal(await store.version(), v0 + 20);
      const state = await store.loadState();
      assert.equal(state.version, v0 + 20);
      for (let i = 0; i < 20; i++) assert.ok(state.allowlist.includes(`https://c${i}.example.com`));
    });

    test('a failed write changes nothing and consumes no version', async () => {
      const v0 = await store.version();
      await assert.rejects(
        store.createAllowlist({ urlPattern: 'https://c0.example.com' }, 'token:t'),
        (e: StoreError) => e.code === 'duplicate' && e.field === 'urlPattern',
      );
      await assert.rejects(store.deleteRoute('nope', 'token:t'), (e: StoreError) => e.code === 'not-found');
      assert.equal(await store.version(), v0);
      const one = await store.createAllowlist({ urlPattern: 'https://after-fail.example.com' }, 'token:t');
      assert.equal(await store.version(), v0 + 1);
      await store.deleteAllowlist(one.id, 't');
    });

    test('paging by seq and by pattern, forwards and backwards, with search', async () => {
      const asc = await store.listAllowlist({ limit: 5, sort: 'urlPattern' });
      assert.equal(asc.items.length, 5);
      const next = await store.listAllowlist({ limit: 100, sort: 'urlPattern', cursor: asc.nextCursor! });
      const all = [...asc.items, ...next.items].map((e) => e.urlPattern);
      assert.deepEqual(all, [...all].sort());
      assert.equal(new Set(all).size, all.length);
      const q = await store.listAllowlist({ limit: 50, q: 'C1' });
      assert.ok(q.items.length >= 1 && q.items.every((e) => e.urlPattern.includes('c1')));
      const desc = await store.listAllowlist({ limit: 3, order: 'desc' });
      const bySeq = (await store.listAllowlist({ limit: 1000 })).items.map((e) => e.id);
      assert.deepEqual(
        desc.items.map((e) => e.id),
        bySeq.reverse().slice(0, 3),
      );
      await assert.rejects(
        store.listAllowlist({ limit: 3, sort: 'urlPattern', cursor: desc.nextCursor! }),
        (e: StoreError) => e.code === 'conflict',
      );
    });

    test('imports are all or nothing, keep names, and report duplicates', async () => {
      const v0 = await store.version();
      const plan = {
        allowlist: Array.from({ length: 1200 }, (_, i) => ({
          urlPattern: `https://imp${i}.example.com`,
          description: '',
          name: `Imp${i}`,
        })),
        trustedSites: [],
        settings: { refusedStatus: 404 },
      };
      const r = await store.applyImport(plan, 'token:t');
      assert.deepEqual([r.allowlistCreated, r.allowlistUnchanged, r.settingsChanged], [1200, 0, true]);
      assert.equal(await store.version(), v0 + 1);
      const page = await store.listAllowlist({ limit: 1, q: 'imp1199.' });
      assert.equal(page.items[0]!.name, 'Imp1199');
      assert.equal((await store.getSettings()).refusedStatus, 404);
      const again = await store.applyImport(plan, 'token:t');
      assert.deepEqual(
        [again.allowlistCreated, again.allowlistUnchanged, again.settingsChanged],
        [0, 1200, false],
      );
      const many = await store.createAllowlistMany(
        [
          { urlPattern: 'https://imp0.example.com' },
          { urlPattern: 'https://m.example.com' },
          { urlPattern: 'https://m.example.com' },
        ],
        't',
      );
      assert.deepEqual(
        many.map((m) => 'duplicate' in m),
        [true, false, true],
      );
    });

    test('trusted sites, routes and settings round-trip', async () => {
      const fields = {
        name: 'CDN',
        endpointUrl: 'https://cdn.example.com',
        context: 'All',
        isActive: true,
        description: 'd',
        isApplicableToConnectSrc: true,
        isApplicableToFontSrc: false,
        isApplicableToFrameSrc: false,
        isApplicableToImgSrc: true,
        isApplicableToMediaSrc: false,
        isApplicableToStyleSrc: true,
      };
      const site = await store.createTrustedSite(fields, 't');
      await assert.rejects(
        store.createTrustedSite(fields, 't'),
        (e: StoreError) => e.code === 'duplicate' && e.field === 'name',
      );
      assert.equal((await store.getTrustedSite(site.id))!.endpointUrl, 'https://cdn.example.com');
      const route = await store.createRoute({ kind: 'public', paths: ['/a/*'], priority: 1 }, 't');
      const updated = await store.updateRoute(
        route.id,
        { kind: 'closed', paths: ['/a/*'], priority: 2 },
        't',
      );
      assert.equal(updated.kind, 'closed');
      const state = await store.loadState();
      assert.equal(state.routes.find((r) => r.id === route.id)!.priority, 2);
      assert.equal(state.trustedSites.length, 1);
      await store.deleteTrustedSite(site.id, 't');
      await store.deleteRoute(route.id, 't');
      assert.equal((await store.listRoutes()).length, 0);
    });

    test('token names are unique; a deleted token is remembered as revoked by its hash', async () => {
      const t = await store.createToken(
        { name: 'ci', permissions: ['view-setup'], hash: 'h1' },
        'token:admin',
      );
      await assert.rejects(
        store.createToken({ name: 'ci', permissions: ['view-setup'], hash: 'h2' }, 'token:admin'),
        (e: StoreError) => e.code === 'duplicate' && e.field === 'name',
      );
      assert.equal((await store.findTokenByHash('h1'))!.hash, 'h1');
      assert.equal(await store.findRevokedToken('h1'), null);
      await store.deleteToken(t.id, 'token:admin');
      assert.equal(await store.findTokenByHash('h1'), null);
      assert.equal((await store.findRevokedToken('h1'))!.name, 'ci');
      assert.equal(await store.countTokens(), 0);
    });

    test('usage counters: summed across nodes, top-N per node, no version bump, reset with an audit row', async () => {
      const entry = await store.createAllowlist({ urlPattern: 'https://used.example.com' }, 't');
      const v0 = await store.version();
      const minute = Math.floor(Date.now() / 60_000);
      const batch = (hits: number, origins: string[]) => ({
        entries: [{ pattern: entry.urlPattern, hits, lastSeenAt: Date.now() }],
        refused: origins.map((origin, i) => ({
          route: 'default',
          origin,
          count: 10 - i,
          lastSeenAt: Date.now(),
          examplePath: `/p${i}`,
        })),
        upstream: [],
        traffic: [{ minute, allowed: hits, refused: origins.length, wouldRefuse: 0 }],
        csp: [],
        cspIntake: { dropped: 0, malformed: 1 },
      });
      await store.recordUsage(
        'node-a',
        batch(3, ['https://r1.example', 'https://r2.example', 'https://r3.example']),
        { topN: 2 },
      );
      await store.recordUsage('node-b', batch(4, ['https://r1.example']), { topN: 2 });
      assert.equal(await store.version(), v0, 'counters are no configuration');
      const page = await store.listAllowlistUsage({ limit: 10, sort: 'hits', order: 'desc' });
      const used = page.items.find((i) => i.urlPattern === entry.urlPattern)!;
      assert.equal(used.hits, 7, 'summed across the two nodes');
      assert.ok(used.lastSeenAt !== null);
      const totals = await store.readUsage(minute - 1, 10);
      assert.deepEqual(
        totals.refused.map((r) => [r.origin, r.count]),
        [
          ['https://r1.example', 20],
          ['https://r2.example', 9],
        ],
        'node-a kept its top 2; r1 summed',
      );
      assert.deepEqual(
        totals.traffic.map((t) => t.allowed),
        [7],
      );
      assert.equal(totals.cspIntake.malformed, 2);
      await store.resetUsage('token:admin');
      assert.equal((await store.readUsage(0, 10)).refused.length, 0);
      assert.equal(
        (await store.listAllowlistUsage({ limit: 10, sort: 'createdAt', order: 'desc' })).items.find(
          (i) => i.urlPattern === entry.urlPattern,
        )!.hits,
        0,
      );
      const audit = await store.listAudit({ limit: 1 });
      assert.deepEqual([audit.items[0]!.action, audit.items[0]!.entity], ['reset', 'usage']);
      await store.deleteAllowlist(entry.id, 't');
    });

    test('a full store answers store-full, writes nothing, and recovers', async () => {
      const v0 = await store.version();
      await kind.fill(store);
      let err: unknown = null;
      for (let i = 0; i < 300 && !err; i++)
        await store
          .createAllowlist({ urlPattern: `https://fill${i}.example.com`, description: 'x'.repeat(255) }, 't')
          .catch((e) => (err = e));
      assert.ok(err instanceof StoreError && err.code === 'store-full', String(err));
      await kind.unfill(store);
      const v1 = await store.version();
      assert.ok(v1 >= v0);
      await store.createAllowlist({ urlPattern: 'https://after-full.example.com' }, 't');
      assert.equal(await store.version(), v1 + 1);
    });
  });
}

describe('PostgreSQL migrations', () => {
  test('three stores opening at once on an empty database: one migrates, none fails', async () => {
    const d = await testDatabase('race');
    try {
      // postgresql:// is the other libpq scheme; query parameters such as sslmode pass through to pg.
      const urls = [d.url, d.url.replace('postgres://', 'postgresql://'), `${d.url}?sslmode=disable`];
      const stores = (await Promise.all(urls.map((u) => openStore(u)))) as PostgresStore[];
      const [schema] = await sql<{ version: number }>(d.url, 'SELECT version FROM corsgate_schema');
      assert.equal(schema!.version, PG_MIGRATIONS.length);
      await stores[0]!.createAllowlist({ urlPattern: 'https://race.example.com' }, 't');
      for (const s of stores) assert.equal(await s.version(), 1);
      for (const s of stores) await s.close();
    } finally {
      await d.drop();
    }
  });

  test('a schema newer than the code is refused with code schema-newer', async () => {
    const d = await testDatabase('newer');
    try {
      await (await PostgresStore.open(d.url)).close();
      await sql(d.url, 'UPDATE corsgate_schema SET version = 99');
      await assert.rejects(
        PostgresStore.open(d.url),
        (e: StoreError) =>
          e.code === 'schema-newer' &&
          e.message.includes(`version 99, newer than this corsgate knows (${PG_MIGRATIONS.length})`),
      );
    } finally {
      await d.drop();
    }
  });
});
