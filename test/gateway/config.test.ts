// `corsgate serve` configuration: flags over environment over config file over defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ConfigError, DEFAULTS, parseConfig } from '../../src/gateway/config.js';
import { existsSync } from 'node:fs';
import { CLI, startCli, startUpstream, strongToken, tempDir } from './helpers.js';

test('defaults: proxy 127.0.0.1:8080, admin 127.0.0.1:8081, sqlite:./corsgate.db, demo upstream', () => {
  const c = parseConfig([], {});
  assert.deepEqual(c, DEFAULTS);
  assert.equal(DEFAULTS.port, 8080);
  assert.equal(DEFAULTS.adminPort, 8081);
  assert.equal(DEFAULTS.host, '127.0.0.1');
  assert.equal(DEFAULTS.adminHost, '127.0.0.1');
  assert.equal(DEFAULTS.store, 'sqlite:./corsgate.db');
  assert.equal(DEFAULTS.upstream, null);
});

test('flags beat environment, environment beats the config file', () => {
  const tmp = tempDir();
  try {
    const yaml = `${tmp.dir}/gw.yaml`;
    writeFileSync(
      yaml,
      'port: 9001\nadminPort: 9002\nupstream: http://127.0.0.1:7000\nstore: sqlite:/tmp/x.db\n',
    );
    const c = parseConfig(['--config', yaml, '--port=9100'], { CORSGATE_ADMIN_PORT: '9200' });
    assert.ok(c !== 'help');
    assert.equal(c.port, 9100);
    assert.equal(c.adminPort, 9200);
    assert.equal(c.upstream, 'http://127.0.0.1:7000');
    assert.equal(c.store, 'sqlite:/tmp/x.db');
    const json = `${tmp.dir}/gw.json`;
    writeFileSync(json, JSON.stringify({ host: '0.0.0.0', colour: 'red' }));
    assert.throws(
      () => parseConfig(['--config', json], {}),
      (e: unknown) => e instanceof ConfigError && e.code === 'config-unknown-key' && /colour/.test(e.message),
    );
  } finally {
    tmp.cleanup();
  }
});

test('bad values are refused with a message naming the source', () => {
  assert.throws(() => parseConfig(['--port', '70000'], {}), /option --port/);
  assert.throws(() => parseConfig([], { CORSGATE_PORT: 'abc' }), /environment CORSGATE_PORT/);
  assert.throws(() => parseConfig(['--upstream', 'ftp://x'], {}), /http/);
  assert.throws(
    () => parseConfig(['--nope'], {}),
    (e: unknown) => e instanceof ConfigError && e.code === 'config-unknown-flag',
  );
  assert.throws(() => parseConfig(['--port'], {}), /needs a value/);
});

test('the CLI exits 2 with a clear message on bad configuration, and prints help', () => {
  const bad = spawnSync(process.execPath, [CLI, 'serve', '--store', 'mysql://x'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown store/);
  const help = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--upstream/);
  assert.match(help.stdout, /CORSGATE_ADMIN_TOKEN/);
});

test('a store that cannot be used stops the start with exit 2 and a message, not a stack trace', () => {
  const tmp = tempDir();
  try {
    const newer = `${tmp.dir}/newer.db`;
    const db = new Database(newer);
    db.pragma('user_version = 99');
    db.close();
    writeFileSync(`${tmp.dir}/not.db`, 'not a database, just text');
    for (const [store, message] of [
      [`sqlite:${newer}`, /schema version 99, newer than this corsgate knows/],
      [`sqlite:${tmp.dir}/not.db`, /cannot open the SQLite database: file is not a database/],
      // A missing folder is created (test/store/open.test.ts); one that cannot be (a file is in the way) is reported.
      [`sqlite:${tmp.dir}/not.db/x.db`, /cannot open the SQLite database/],
    ] as const) {
      const run = spawnSync(
        process.execPath,
        [CLI, 'serve', '--port', '0', '--admin-port', '0', '--store', store],
        { encoding: 'utf8', env: { ...process.env, CORSGATE_ADMIN_TOKEN: strongToken() } },
      );
      assert.equal(run.status, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    }
  } finally {
    tmp.cleanup();
  }
});

test('a real start configured from the environment and a config file', async () => {
  const tmp = tempDir();
  const upstream = await startUpstream();
  try {
    const file = `${tmp.dir}/gateway.yaml`;
    writeFileSync(file, `store: sqlite:${tmp.dir}/from-file.db\nadminHost: localhost\ntimeoutMs: 2000\n`);
    const g = await startCli([], {
      CORSGATE_CONFIG: file,
      CORSGATE_UPSTREAM: upstream.url,
      CORSGATE_HOST: '127.0.0.1',
    });
    try {
      assert.match(g.admin, /^http:\/\/localhost:\d+$/);
      assert.match(g.stdout, new RegExp(`store:\\s+sqlite:${tmp.dir}/from-file\\.db`));
      assert.ok(existsSync(`${tmp.dir}/from-file.db`));
      const res = await fetch(`${g.proxy}/via-env`);
      assert.equal(res.status, 200);
      assert.equal(upstream.last?.url, '/via-env');
    } finally {
      await g.stop();
    }
  } finally {
    await upstream.close();
    tmp.cleanup();
  }
});
