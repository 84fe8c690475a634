// A node's cache (fleet/cache.ts): states saved as change rows after a whole one read back as the
// state saved last, whole; a broken chain, a wildcard or too many rows write the state whole again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { ConfigCache } from '../../src/gateway/fleet/cache.js';
import { DEFAULT_SETTINGS, type StoreState } from '../../src/store/types.js';
import { tempDir } from '../gateway/helpers.js';

const state = (
  version: number,
  allowlist: string[],
  delta?: { from: number; removed: string[]; added: string[] },
): StoreState => ({
  version,
  allowlist,
  trustedSites: [],
  routes: [],
  settings: { ...DEFAULT_SETTINGS, refusedStatus: 400 + version },
  ...(delta ? { allowlistDelta: delta, changedAllowlist: delta.added } : {}),
});

const changeRows = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM cached_changes').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

test('changes saved after a whole state read back as the last state, whole; a wildcard change writes it whole again', () => {
  const t = tempDir();
  try {
    const path = `${t.dir}/c.db`;
    const cache = new ConfigCache(path);
    let list = ['https://a.example.com', 'https://b.example.com', 'https://c.example.com'];
    cache.save(state(1, list), 'k1');
    cache.flush();
    const steps: Array<[string[], string[]]> = [
      [['https://b.example.com'], ['https://d.example.com']],
      [[], ['https://b.example.com']], // added again
      [['https://d.example.com'], []],
      [['https://a.example.com'], ['https://e.example.com', 'https://a.example.com']],
    ];
    let version = 1;
    for (const [removed, added] of steps) {
      const next = [...list];
      for (const r of removed) next.splice(next.indexOf(r), 1);
      next.push(...added);
      cache.save(state(version + 1, next, { from: version, removed, added }), `k${version + 1}`);
      if (version % 2 === 0) cache.flush(); // some saves gathered, some not
      version++;
      list = next;
    }
    cache.flush();
    assert.equal(changeRows(path), 4);
    const read = new ConfigCache(path).read()!;
    assert.equal(read.checksum, `k${version}`);
    assert.deepEqual(read.state, {
      version,
      allowlist: list,
      trustedSites: [],
      routes: [],
      settings: { ...DEFAULT_SETTINGS, refusedStatus: 400 + version },
    });
    // A wildcard's place in the list matters: written whole, the change rows gone.
    const wild = [...list, 'https://*.example.org'];
    cache.save(
      state(version + 1, wild, { from: version, removed: [], added: ['https://*.example.org'] }),
      'kw',
    );
    cache.flush();
    assert.equal(changeRows(path), 0);
    assert.deepEqual(new ConfigCache(path).read()!.state.allowlist, wild);
    // A state that does not follow the one saved: whole.
    cache.save(
      state(version + 5, ['https://z.example.com'], {
        from: version + 3,
        removed: [],
        added: ['https://z.example.com'],
      }),
      'kz',
    );
    cache.close();
    assert.equal(changeRows(path), 0);
    assert.deepEqual(new ConfigCache(path).read()!.state.allowlist, ['https://z.example.com']);
  } finally {
    t.cleanup();
  }
});

test('a new cache object writes its first save whole (it does not know what the file holds)', () => {
  const t = tempDir();
  try {
    const path = `${t.dir}/c.db`;
    const first = new ConfigCache(path);
    first.save(state(1, ['https://a.example.com']), 'k1');
    first.close();
    const second = new ConfigCache(path);
    second.save(
      state(2, ['https://a.example.com', 'https://b.example.com'], {
        from: 1,
        removed: [],
        added: ['https://b.example.com'],
      }),
      'k2',
    );
    second.close();
    assert.equal(changeRows(path), 0);
    assert.deepEqual(new ConfigCache(path).read()!.state.allowlist, [
      'https://a.example.com',
      'https://b.example.com',
    ]);
  } finally {
    t.cleanup();
  }
});
