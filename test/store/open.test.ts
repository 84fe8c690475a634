/**
 * Opening a store from its URL: `--store sqlite:./data/x.db` on a fresh machine creates the folder,
 * through the real CLI, as a new user would start it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { api, startCli, tempDir } from '../gateway/helpers.js';

test('serve --store sqlite:./data/sub/x.db creates the missing folders and the database', async () => {
  const tmp = tempDir();
  try {
    const gw = await startCli(['--store', 'sqlite:./data/sub/x.db'], {}, tmp.dir);
    try {
      assert.ok(statSync(join(tmp.dir, 'data', 'sub')).isDirectory());
      assert.ok(existsSync(join(tmp.dir, 'data', 'sub', 'x.db')));
      const created = await api(gw.admin)('POST', '/api/allowlist', {
        urlPattern: 'https://app.example.com',
      });
      assert.equal(created.status, 201);
    } finally {
      await gw.stop();
    }
  } finally {
    tmp.cleanup();
  }
});
