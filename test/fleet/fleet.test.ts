/**
 * Three `corsgate serve` nodes on one real PostgreSQL database (of this test's own), each through its
 * own TCP relay: propagation, deletion, the migration race, notifications missed, a bad row, an
 * atomic 10,000-entry import watched from another node, kill -9 mid-import and mid-write, an
 * outage of every node with a node restarted during it, recovery, and a node started from its
 * cache while the store holds a version it refuses. Waits are bounded; timings are the fleet
 * benchmark's business, not these tests'.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../gateway/helpers.js';
import { PG_MIGRATIONS } from '../../src/store/pg-schema.js';
import { sql, testDatabase } from '../support/pg.js';
import { allows, readyz, Relay, startNode, until, type FleetNodeProc } from './harness.js';

let db: Awaited<ReturnType<typeof testDatabase>>;
let tmp: ReturnType<typeof tempDir>;
const nodes: FleetNodeProc[] = [];
const relays: Relay[] = [];

const everywhere = (what: string, origin: string, want: boolean, among = nodes) =>
  until(`${what}: ${origin} ${want ? 'allowed' : 'refused'} on every node`, async () =>
    (await Promise.all(among.map((n) => allows(n, origin)))).every((a) => a === want),
  );

before(async () => {
  db = await testDatabase('fleet');
  tmp = tempDir();
  for (let i = 0; i < 3; i++) {
    const r = new Relay({ host: db.host, port: db.port });
    await r.start();
    relays.push(r);
  }
  // The migration race: three nodes start at once on the empty database.
  const started = await Promise.allSettled(relays.map((r, i) => startNode(`n${i + 1}`, r, db, tmp.dir)));
  for (const s of started) if (s.status === 'fulfilled') nodes.push(s.value);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
});

after(async () => {
  await Promise.all(nodes.map((n) => n.gw.stop()));
  for (const r of relays) await r.close();
  await db?.drop();
  tmp?.cleanup();
});

test('three nodes started at once on an empty database: one schema, all ready, all listed', async () => {
  const [schema] = await sql<{ version: number }>(db.url, 'SELECT version FROM corsgate_schema');
  assert.equal(schema!.version, PG_MIGRATIONS.length);
  for (const n of nodes) assert.equal((await readyz(n)).body.status, 'ready', n.gw.stderr);
  await until(
    'every node listed in /api/nodes',
    async () => (await nodes[0]!.admin('GET', '/api/nodes')).json.items.length === 3,
  );
  const listed = (await nodes[0]!.admin('GET', '/api/nodes')).json.items;
  assert.deepEqual(
    listed.map((n: { id: string }) => n.id),
    ['n1', 'n2', 'n3'],
  );
});

test('propagation and deletion: a change made on one node is enforced by every node', async () => {
  const created = await nodes[0]!.admin('POST', '/api/allowlist?wait=all', {
    urlPattern: 'https://app.example.com',
  });
  assert.equal(created.status, 201, created.text);
  // ?wait=all answered: every live node enforces it now.
  for (const n of nodes) assert.equal(await allows(n, 'https://app.example.com'), true, n.id);
  const listed = (await nodes[2]!.admin('GET', '/api/nodes')).json.items as {
    version: number;
    checksum: string;
  }[];
  assert.equal(new Set(listed.map((n) => `${n.version}/${n.checksum}`)).size, 1, JSON.stringify(listed));
  assert.equal((await nodes[1]!.admin('DELETE', `/api/allowlist/${created.json.id}`)).status, 204);
  await everywhere('deleted on n2', 'https://app.example.com', false);
  assert.equal(
    (await nodes[1]!.admin('POST', '/api/allowlist?wait=sometimes', { urlPattern: 'https://x.example.com' }))
      .status,
    400,
  );
});

/** A write whose triggers do not fire (replica role): no NOTIFY at all, the version bumped by hand. */
const quietWrite = (id: string, origin: string) =>
  sql(
    db.url,
    `BEGIN; SET LOCAL session_replication_role = replica;
    UPDATE config_state SET version = version + 1;
    INSERT INTO allowlist (id, url_pattern, created_at, created_by) VALUES ('${id}', '${origin}', now()::text, 'sql');
    INSERT INTO config_changes SELECT version, 'allowlist', '${id}' FROM config_state; COMMIT`,
  );

test('a change that sends no notification to connected listeners is picked up by the heartbeat', async () => {
  await quietWrite('silent', 'https://silent.example.com');
  await everywhere('written without NOTIFY, listeners connected', 'https://silent.example.com', true);
});

test('every notification missed: the listeners are terminated and the write sends none; the heartbeat converges', async () => {
  await sql(
    db.url,
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'corsgate-listen' AND datname = current_database()",
  );
  await quietWrite('quiet', 'https://quiet.example.com');
  await everywhere('written without NOTIFY', 'https://quiet.example.com', true);
});

test('a bad row is refused whole by every node: the previous version stays in force and lastError says why', async () => {
  const [{ version: before }] = (await sql<{ version: number }>(
    db.url,
    'SELECT version FROM config_state',
  )) as [{ version: number }];
  await sql(
    db.url,
    "INSERT INTO allowlist (id, url_pattern, created_at, created_by) VALUES ('bad', 'https://ok-with-bad.example.com', now()::text, 'sql'), ('bad2', 'not an origin at all', now()::text, 'sql')",
  );
  await until('every node reports the refusal', async () => {
    const items = (await nodes[0]!.admin('GET', '/api/nodes')).json.items as {
      lastError: string | null;
      version: number;
    }[];
    return (
      items.length === 3 &&
      items.every(
        (n) =>
          n.lastError !== null && /not an origin at all/.test(n.lastError) && n.version === Number(before),
      )
    );
  });
  for (const n of nodes)
    assert.equal(await allows(n, 'https://ok-with-bad.example.com'), false, `${n.id} applied half a version`);
  await sql(db.url, "DELETE FROM allowlist WHERE id = 'bad2'");
  await everywhere('fixed', 'https://ok-with-bad.example.com', true);
  await until('lastError cleared', async () =>
    ((await nodes[0]!.admin('GET', '/api/nodes')).json.items as { lastError: string | null }[]).every(
      (n) => n.lastError === null,
    ),
  );
});

test('a 10,000-entry import is atomic: probes on another node never see its first entry without its last, nor the reverse', async () => {
  const items = Array.from({ length: 10_000 }, (_, i) => ({ urlPattern: `https://bulk${i}.example.com` }));
  const first = items[0]!.urlPattern;
  const last = items[items.length - 1]!.urlPattern;
  let mixed = 0;
  let probes = 0;
  let done = false;
  // One swap turns both on together. Asked one after the other, a probe may straddle the swap only
  // as "earlier refused, later allowed"; "earlier allowed, later refused" means half an import.
  const probe = (async () => {
    while (!done) {
      const a = await allows(nodes[1]!, first);
      const b = await allows(nodes[1]!, last);
      const c = await allows(nodes[1]!, last);
      const d = await allows(nodes[1]!, first);
      probes += 2;
      if (a && !b) mixed++;
      if (c && !d) mixed++;
    }
  })();
  const res = await nodes[0]!.admin('POST', '/api/allowlist/bulk', { items });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.created, 10_000);
  await everywhere('imported', last, true);
  done = true;
  await probe;
  assert.ok(probes > 0);
  assert.equal(mixed, 0, `${mixed} of ${probes} probes saw a half-applied import`);
});

test('kill -9 of a node mid-import and mid-write: all or nothing is committed, versions stay contiguous, the fleet converges', async () => {
  const victim = nodes[0]!;
  const [{ version: v0 }] = (await sql<{ version: number }>(db.url, 'SELECT version FROM config_state')) as [
    { version: number },
  ];
  const items = Array.from({ length: 10_000 }, (_, i) => ({ urlPattern: `https://killed${i}.example.com` }));
  const pending = victim.admin('POST', '/api/allowlist/bulk', { items }).catch(() => null);
  const write = victim
    .admin('POST', '/api/allowlist', { urlPattern: 'https://killed-write.example.com' })
    .catch(() => null);
  await new Promise((r) => setTimeout(r, 150));
  victim.gw.child.kill('SIGKILL');
  await Promise.all([pending, write, victim.gw.stop()]);
  const [{ n }] = (await sql<{ n: number }>(
    db.url,
    "SELECT count(*)::int AS n FROM allowlist WHERE url_pattern LIKE 'https://killed%.example.com' AND url_pattern <> 'https://killed-write.example.com'",
  )) as [{ n: number }];
  assert.ok(n === 0 || n === 10_000, `a killed import left ${n} rows`);
  const [{ version: v1 }] = (await sql<{ version: number }>(db.url, 'SELECT version FROM config_state')) as [
    { version: number },
  ];
  const [{ writes }] = (await sql<{ writes: number }>(
    db.url,
    'SELECT count(DISTINCT version)::int AS writes FROM config_changes WHERE version > $1',
    [v0],
  )) as [{ writes: number }];
  assert.equal(Number(v1) - Number(v0), writes, 'every version consumed is a committed write');
  nodes[0] = await startNode('n1', relays[0]!, db, tmp.dir);
  const [{ version: now }] = (await sql<{ version: number }>(db.url, 'SELECT version FROM config_state')) as [
    { version: number },
  ];
  await until('every node at the database version', async () =>
    (await Promise.all(nodes.map(readyz))).every((r) => r.body.version === Number(now)),
  );
});

test('outage of every node, a node restarted during it, and recovery', async () => {
  for (const r of relays) r.cut();
  await until('every node degraded', async () =>
    (await Promise.all(nodes.map(readyz))).every(
      (r) => r.status === 200 && r.body.status === 'degraded' && r.body.store === 'unreachable',
    ),
  );
  for (const n of nodes)
    assert.equal(await allows(n, 'https://quiet.example.com'), true, `${n.id} keeps serving`);
  const refused = await nodes[1]!.admin('POST', '/api/allowlist', {
    urlPattern: 'https://during.example.com',
  });
  assert.equal(refused.status, 503, refused.text);
  assert.equal(refused.json.error.code, 'store-unavailable');
  assert.ok(Number(refused.headers.get('retry-after')) > 0);
  // A node restarted during the outage serves its cache.
  const version = (await readyz(nodes[2]!)).body.version;
  await nodes[2]!.gw.stop();
  nodes[2] = await startNode('n3', relays[2]!, db, tmp.dir);
  await until('n3 serving its cache', async () => (await readyz(nodes[2]!)).body.status === 'degraded');
  assert.equal((await readyz(nodes[2]!)).body.version, version);
  assert.equal(await allows(nodes[2]!, 'https://quiet.example.com'), true);
  // Recovery: writes work again and every node converges.
  for (const r of relays) r.heal();
  await until(
    'every node ready again',
    async () => (await Promise.all(nodes.map(readyz))).every((r) => r.body.status === 'ready'),
    10_000,
  );
  assert.equal(
    (await nodes[1]!.admin('POST', '/api/allowlist', { urlPattern: 'https://after.example.com' })).status,
    201,
  );
  await everywhere('after recovery', 'https://after.example.com', true);
});

test('a node with neither PostgreSQL nor a cache is not ready', async () => {
  const r = new Relay({ host: db.host, port: db.port });
  await r.start();
  relays.push(r);
  r.cut();
  const lonely = await startNode('n4', r, db, tmp.dir, ['--cache', `${tmp.dir}/none/n4.db`]);
  try {
    const ready = await readyz(lonely);
    assert.equal(ready.status, 503);
    assert.equal(ready.body.store, 'unreachable');
    r.heal();
    await until(
      'n4 ready once PostgreSQL is reachable',
      async () => (await readyz(lonely)).body.status === 'ready',
      10_000,
    );
    assert.equal(await allows(lonely, 'https://after.example.com'), true);
  } finally {
    await lonely.gw.stop();
  }
});

test('a node started with a cache while the store holds a version it refuses serves the cache and reports the refusal', async () => {
  const r = new Relay({ host: db.host, port: db.port });
  await r.start();
  relays.push(r);
  let n5 = await startNode('n5', r, db, tmp.dir);
  try {
    assert.equal(
      (await n5.admin('POST', '/api/allowlist', { urlPattern: 'https://before-refusal.example.com' })).status,
      201,
    );
    await everywhere('written', 'https://before-refusal.example.com', true, [...nodes, n5]);
    const cached = (await readyz(n5)).body.version;
    await n5.gw.stop(); // the cache is written at shutdown at the latest
    await sql(
      db.url,
      "INSERT INTO allowlist (id, url_pattern, created_at, created_by) VALUES ('bad3', 'https://ok-with-bad3.example.com', now()::text, 'sql'), ('bad4', 'not an origin either', now()::text, 'sql')",
    );
    n5 = await startNode('n5', r, db, tmp.dir);
    const ready = await readyz(n5);
    assert.equal(ready.status, 200);
    assert.equal(ready.body.version, cached, 'the cached version is in force');
    assert.equal(ready.body.store, 'connected');
    assert.equal(await allows(n5, 'https://before-refusal.example.com'), true);
    assert.equal(
      await allows(n5, 'https://ok-with-bad3.example.com'),
      false,
      'nothing of the refused version',
    );
    await until('n5 reports the refusal', async () => {
      const items = (await n5.admin('GET', '/api/nodes')).json.items as {
        id: string;
        lastError: string | null;
        version: number;
      }[];
      const me = items.find((n) => n.id === 'n5');
      return (
        me !== undefined &&
        me.version === cached &&
        me.lastError !== null &&
        /not an origin either/.test(me.lastError)
      );
    });
    assert.match(n5.gw.stdout + n5.gw.stderr, /not an origin either/);
    // Fixed in the store: the node leaves its cache for the store's version.
    await sql(db.url, "DELETE FROM allowlist WHERE id = 'bad4'");
    await everywhere('fixed', 'https://ok-with-bad3.example.com', true, [...nodes, n5]);
    await until(
      'n5 error cleared',
      async () =>
        ((await n5.admin('GET', '/api/nodes')).json.items as { id: string; lastError: string | null }[]).find(
          (n) => n.id === 'n5',
        )?.lastError === null,
    );
  } finally {
    await n5.gw.stop();
  }
});
