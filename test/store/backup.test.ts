/**
 * `corsgate backup` and `corsgate restore` through the real CLI, against a real gateway and real
 * SQLite files: a backup taken while the gateway is being written to restores to exactly the state
 * it captured; restore refuses a store in use, a file that is not a corsgate database, a corrupt
 * one and a newer schema, and leaves the store untouched when it refuses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { runCli } from '../support/cli.js';
import { api, startCli, tempDir, TOKEN } from '../gateway/helpers.js';

/** What a store holds, read straight from its file. */
function contents(file: string) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return {
      origins: db.prepare('SELECT url_pattern FROM allowlist ORDER BY seq').pluck().all() as string[],
      counter: Number(db.prepare("SELECT value FROM meta WHERE key = 'change_counter'").pluck().get()),
      audit: db.prepare('SELECT count(*) FROM audit').pluck().get() as number,
      settings: db.prepare('SELECT key, value FROM settings ORDER BY key').all(),
    };
  } finally {
    db.close();
  }
}

const origin = (i: number) => `https://w${i}.backup.example.com`;

describe('backup and restore', () => {
  let tmp: ReturnType<typeof tempDir>;
  before(() => {
    tmp = tempDir();
  });
  after(() => tmp.cleanup());

  test('a backup taken while the gateway is written to restores to exactly the state it captured', async () => {
    const live = join(tmp.dir, 'live.db');
    const gw = await startCli(['--store', `sqlite:${live}`]);
    const a = api(gw.admin);
    const acknowledged: string[] = [];
    let stop = false;
    let cpCopy = '';
    // One writer, each write awaited: the store's history is w0, w1, w2, … in that order.
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const res = await a('POST', '/api/allowlist', { urlPattern: origin(i) });
        assert.equal(res.status, 201, res.text);
        acknowledged.push(origin(i));
        if (i === 3) {
          // What the issue saw: a plain file copy while the gateway runs misses what is in the -wal file.
          cpCopy = join(tmp.dir, 'cp-copy.db');
          copyFileSync(live, cpCopy);
        }
      }
    })();
    try {
      while (acknowledged.length < 30) await new Promise((r) => setTimeout(r, 5));
      const file = join(tmp.dir, 'nightly', 'corsgate-backup.db');
      const before = acknowledged.length;
      const run = await runCli(['backup', '--store', `sqlite:${live}`, file]);
      const afterBackup = acknowledged.length;
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stdout,
        new RegExp(
          `^backed up sqlite:.*live\\.db to .*corsgate-backup\\.db \\(schema ${MIGRATIONS.length}, change \\d+: \\d+ origins, 0 trusted sites, 0 routes, 1 token, \\d+ audit entries; [\\d,]+ bytes\\)\\n$`,
        ),
      );
      while (acknowledged.length < afterBackup + 20) await new Promise((r) => setTimeout(r, 5));
      stop = true;
      await writer;

      const saved = contents(file);
      assert.ok(
        saved.origins.length >= before && saved.origins.length <= afterBackup,
        `the backup holds the ${before}–${afterBackup} writes acknowledged around it, not ${saved.origins.length}`,
      );
      assert.deepEqual(
        saved.origins,
        acknowledged.slice(0, saved.origins.length),
        'a consistent snapshot: a prefix of the history, no gap',
      );
      assert.equal(
        saved.counter,
        saved.audit,
        'every change in the backup has its audit row (the token and each origin)',
      );
      assert.equal(statSync(file).mode & 0o777, 0o600, 'the backup is readable by its owner only');
      assert.deepEqual(
        readdirSync(join(tmp.dir, 'nightly')),
        ['corsgate-backup.db'],
        'one self-contained file: no -wal, no partial file left',
      );

      // The plain copy is refused by restore with the reason.
      const fromCp = await runCli(['restore', '--store', `sqlite:${join(tmp.dir, 'never.db')}`, cpCopy]);
      assert.equal(fromCp.code, 1);
      assert.match(
        fromCp.stderr,
        /is not a corsgate database: it has no tables \(a copy made with cp while the gateway ran lacks the data still in the -wal file; use corsgate backup\) \[backup-not-corsgate\]/,
      );
      assert.equal(existsSync(join(tmp.dir, 'never.db')), false, 'a refused restore creates no store');

      // Restore into a new folder on a "new machine", start a gateway on it: the state is the backup's.
      const restoredPath = join(tmp.dir, 'new-machine', 'data', 'corsgate.db');
      const restored = await runCli(['restore', '--store', `sqlite:${restoredPath}`, file]);
      assert.equal(restored.code, 0, restored.stderr);
      assert.match(
        restored.stdout,
        new RegExp(
          `^restored .* into sqlite:.*corsgate\\.db \\(schema ${MIGRATIONS.length}, change \\d+: .*\\)\\nstart the gateway: corsgate serve --store sqlite:`,
        ),
      );
      const second = await startCli(['--store', `sqlite:${restoredPath}`]);
      try {
        const list = await api(second.admin)('GET', '/api/allowlist?limit=1000&sort=createdAt');
        assert.deepEqual(
          list.json.items.map((e: { urlPattern: string }) => e.urlPattern),
          saved.origins,
        );
        const inBackup = await fetch(`${second.proxy}/api/hello`, {
          headers: { origin: saved.origins.at(-1)! },
        });
        await inBackup.arrayBuffer();
        assert.equal(inBackup.headers.get('access-control-allow-origin'), saved.origins.at(-1));
        const later = await fetch(`${second.proxy}/api/hello`, { headers: { origin: acknowledged.at(-1)! } });
        await later.arrayBuffer();
        assert.equal(later.status, 403, 'an origin added after the backup is not in the restored store');

        // The same store while a gateway has it open: refused, and left as it is.
        const busy = await runCli(['restore', '--store', `sqlite:${restoredPath}`, file]);
        assert.equal(busy.code, 1);
        assert.match(
          busy.stderr,
          /is in use \(a gateway has it open\): stop every gateway that uses it, then restore \[store-in-use\]/,
        );
        assert.equal(
          (
            await api(second.admin)('POST', '/api/allowlist', {
              urlPattern: 'https://still-writable.example.com',
            })
          ).status,
          201,
          'the running gateway is unharmed',
        );
      } finally {
        await second.stop();
      }
    } finally {
      stop = true;
      await writer.catch(() => undefined);
      await gw.stop();
    }

    // Restore over the (stopped) live store, which has moved on: the previous content is kept beside it.
    const liveBefore = contents(live);
    const file = join(tmp.dir, 'nightly', 'corsgate-backup.db');
    const back = await runCli(['restore', '--store', `sqlite:${live}`, file]);
    assert.equal(back.code, 0, back.stderr);
    const previous = /the previous store is kept in (\S+)\n/.exec(back.stdout)?.[1];
    assert.ok(previous && existsSync(previous), back.stdout);
    assert.deepEqual(contents(previous).origins, liveBefore.origins, 'the previous store is kept whole');
    assert.deepEqual(contents(live).origins, contents(file).origins);
    const third = await startCli(['--store', `sqlite:${live}`], { CORSGATE_ADMIN_TOKEN: TOKEN });
    try {
      const list = await api(third.admin)('GET', '/api/allowlist?limit=1000&sort=createdAt');
      assert.deepEqual(
        list.json.items.map((e: { urlPattern: string }) => e.urlPattern),
        contents(file).origins,
      );
    } finally {
      await third.stop();
    }
  });

  test('restore refuses what is not a sound corsgate database of this version, and leaves the store as it was', async () => {
    const dir = join(tmp.dir, 'refusals');
    mkdirSync(dir);
    const store = join(dir, 'kept.db');
    const gw = await startCli(['--store', `sqlite:${store}`]);
    assert.equal(
      (await api(gw.admin)('POST', '/api/allowlist', { urlPattern: 'https://kept.example.com' })).status,
      201,
    );
    await gw.stop();
    const good = join(dir, 'good.db');
    assert.equal((await runCli(['backup', '--store', `sqlite:${store}`, good])).code, 0);
    const kept = contents(store);

    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'this is not a database, just notes\n'.repeat(200));
    const other = join(dir, 'other-app.db');
    const o = new Database(other);
    o.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)');
    o.close();
    const newer = join(dir, 'newer.db');
    copyFileSync(good, newer);
    const n = new Database(newer);
    n.pragma('user_version = 99');
    n.close();
    const corrupt = join(dir, 'corrupt.db');
    copyFileSync(good, corrupt);
    const pageSize = 4096;
    const fd = openSync(corrupt, 'r+');
    // Scribble over the b-tree pages after the schema page.
    writeSync(fd, Buffer.alloc(pageSize * 3, 0xa5), 0, pageSize * 3, pageSize);
    closeSync(fd);

    for (const [file, message, code] of [
      [join(dir, 'no-such-backup.db'), /there is no backup file/, 'backup-file-missing'],
      [text, /is not a SQLite database/, 'backup-not-sqlite'],
      [other, /is not a corsgate database: it lacks the tables meta, allowlist/, 'backup-not-corsgate'],
      [
        newer,
        new RegExp(
          `has schema version 99, newer than this corsgate knows \\(${MIGRATIONS.length}\\): restore it with the corsgate version that wrote it, or upgrade corsgate`,
        ),
        'backup-newer-schema',
      ],
      [corrupt, /fails SQLite's integrity check/, 'backup-corrupt'],
      [store, /is the store itself/, 'backup-onto-store'],
    ] as const) {
      const run = await runCli(['restore', '--store', `sqlite:${store}`, file]);
      assert.equal(run.code, 1, `${file}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.match(run.stderr, new RegExp(`\\[${code}\\]\\n$`));
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      assert.deepEqual(contents(store), kept, `${file}: the store is untouched`);
    }
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('.partial-') || f.includes('before-restore')),
      [],
      'a refused restore leaves no file behind',
    );

    // A store that is some other application's database is not overwritten.
    const overOther = await runCli(['restore', '--store', `sqlite:${other}`, good]);
    assert.equal(overOther.code, 1);
    assert.match(
      overOther.stderr,
      /the store .*other-app\.db is not a corsgate database.*\[store-not-corsgate\]/,
    );
  });

  test('a backup of an older schema is migrated on the way in; the file itself is left as it was', async () => {
    const dir = join(tmp.dir, 'older');
    mkdirSync(dir);
    const old = join(dir, 'schema-1.db');
    const db = new Database(old);
    db.exec(MIGRATIONS[0]!);
    db.pragma('user_version = 1');
    db.prepare(
      "INSERT INTO allowlist (id, url_pattern, description, created_at, created_by) VALUES ('a1', 'https://old.example.com', '', '2026-01-01T00:00:00.000Z', 'test')",
    ).run();
    db.prepare(
      "INSERT INTO audit (at, actor, action, entity, entity_id, before, after) VALUES ('2026-01-01T00:00:00.000Z', 'test', 'create', 'allowlist', 'a1', NULL, NULL)",
    ).run();
    db.prepare("UPDATE meta SET value = '1' WHERE key = 'change_counter'").run();
    db.close();
    const store = join(dir, 'store.db');
    const run = await runCli(['restore', '--store', `sqlite:${store}`, old]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`\\(schema ${MIGRATIONS.length}, change 1: 1 origin,`));
    const version = (file: string) => {
      const d = new Database(file, { readonly: true });
      try {
        return d.pragma('user_version', { simple: true });
      } finally {
        d.close();
      }
    };
    assert.equal(version(store), MIGRATIONS.length);
    assert.equal(version(old), 1, 'the backup file is never written');
    const gw = await startCli(['--store', `sqlite:${store}`]);
    try {
      const list = await api(gw.admin)('GET', '/api/allowlist');
      assert.deepEqual(
        list.json.items.map((e: { urlPattern: string }) => e.urlPattern),
        ['https://old.example.com'],
      );
    } finally {
      await gw.stop();
    }
  });

  test('backup refuses a missing store and its own store as the target; PostgreSQL gets pg_dump guidance without the password', async () => {
    const missing = await runCli([
      'backup',
      '--store',
      `sqlite:${join(tmp.dir, 'nothing-here.db')}`,
      join(tmp.dir, 'x.db'),
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /there is no SQLite database at .*nothing-here\.db \[store-missing\]/);
    assert.equal(existsSync(join(tmp.dir, 'nothing-here.db')), false, 'backup never creates an empty store');

    const store = join(tmp.dir, 'refusals', 'kept.db');
    const onto = await runCli(['backup', '--store', `sqlite:${store}`, `${store}-wal`]);
    assert.equal(onto.code, 1);
    assert.match(onto.stderr, /is the store itself: choose another path \[backup-onto-store\]/);

    const pg = await runCli([
      'backup',
      '--store',
      'postgres://corsgate:s3cret@db.internal:5432/corsgate',
      join(tmp.dir, 'pg.dump'),
    ]);
    assert.equal(pg.code, 2);
    assert.match(
      pg.stderr,
      /pg_dump --format=custom --file=corsgate\.dump 'postgres:\/\/corsgate@db\.internal:5432\/corsgate'/,
    );
    assert.match(pg.stderr, /pg_restore --clean --if-exists --single-transaction/);
    assert.doesNotMatch(pg.stderr, /s3cret/, 'the password never reaches the output');

    const fromEnv = await runCli(['backup', join(tmp.dir, 'env.db')], '', {
      CORSGATE_STORE: `sqlite:${store}`,
    });
    assert.equal(fromEnv.code, 0, 'the store comes from CORSGATE_STORE, as for corsgate serve');

    for (const args of [['backup'], ['restore', 'a.db', 'b.db'], ['backup', '--stor', 'x', 'f.db']]) {
      const run = await runCli(args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /Usage: corsgate (backup|restore)/);
    }
    const help = await runCli(['restore', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /The store must not be in\s+use/);
    const top = await runCli(['--help']);
    assert.match(top.stdout, /backup\s+copy the gateway's store/);
    assert.match(top.stdout, /restore\s+replace a stopped gateway's store/);
  });
});
