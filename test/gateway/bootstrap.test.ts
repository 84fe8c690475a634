// The bootstrap admin token (issue 19 §4, issue 17 §5.2): a weak CORSGATE_ADMIN_TOKEN stops the
// start with a message naming the variable (unless --allow-weak-admin-token), and setting the
// variable revokes the token generated on the first start, with an audit row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CLI, api, startCli, strongToken, tempDir } from './helpers.js';

test('a weak CORSGATE_ADMIN_TOKEN is refused with exit 2 and a message naming the variable', () => {
  const tmp = tempDir();
  try {
    const cases: [string, RegExp][] = [
      ['x', /is 1 character long; it needs at least 24/],
      ['change-me', /is 9 characters long/],
      ['a'.repeat(40), /only 1 different characters/],
      ['change-me-change-me-change-me', /made of repeats/],
      ['abcdefgh'.repeat(4), /made of repeats/],
      ['abcdefghijklmnopqrstuvwxyz0123456789', /neighbouring characters/],
    ];
    for (const [token, why] of cases) {
      const run = spawnSync(
        process.execPath,
        [CLI, 'serve', '--port', '0', '--admin-port', '0', '--store', `sqlite:${tmp.dir}/weak.db`],
        { encoding: 'utf8', env: { ...process.env, CORSGATE_ADMIN_TOKEN: token }, timeout: 20_000 },
      );
      assert.equal(run.status, 2, `${token}: ${run.stderr}`);
      assert.match(run.stderr, /CORSGATE_ADMIN_TOKEN/);
      assert.match(run.stderr, why);
      assert.match(run.stderr, /openssl rand -hex 24/, 'says how to make a good one');
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      if (token.length > 3) assert.ok(!run.stderr.includes(token), 'the token itself is not echoed');
    }
  } finally {
    tmp.cleanup();
  }
});

test('--allow-weak-admin-token accepts a weak token (for tests), with a warning', async () => {
  const tmp = tempDir();
  const gw = await startCli(['--store', `sqlite:${tmp.dir}/allow.db`, '--allow-weak-admin-token'], {
    CORSGATE_ADMIN_TOKEN: 'change-me',
  });
  try {
    assert.equal((await api(gw.admin, 'change-me')('GET', '/api/me')).status, 200);
    assert.match(
      gw.stdout,
      /"level":40,[^\n]*CORSGATE_ADMIN_TOKEN is 9 characters long.*--allow-weak-admin-token/,
      'a warning in the log',
    );
  } finally {
    await gw.stop();
    tmp.cleanup();
  }
});

test('setting CORSGATE_ADMIN_TOKEN revokes the token generated on the first start, with an audit row', async () => {
  const tmp = tempDir();
  try {
    const store = `sqlite:${tmp.dir}/bootstrap.db`;
    const first = await startCli(['--store', store], { CORSGATE_ADMIN_TOKEN: '' });
    const generated = /admin token \(shown once[^\n]*\n\s+(cgt_\S+)/.exec(first.stdout)![1]!;
    assert.equal((await api(first.admin, generated)('GET', '/api/me')).status, 200);
    await first.stop();

    const chosen = strongToken();
    const second = await startCli(['--store', store], { CORSGATE_ADMIN_TOKEN: chosen });
    try {
      const old = await api(second.admin, generated)('GET', '/api/me');
      assert.equal(old.status, 401, 'the generated token no longer works');
      assert.equal(old.json.error.code, 'token-revoked');
      const admin = api(second.admin, chosen);
      assert.equal((await admin('GET', '/api/me')).json.name, 'admin (CORSGATE_ADMIN_TOKEN)');
      assert.deepEqual(
        (await admin('GET', '/api/tokens')).json.items.map((t: { name: string }) => t.name),
        ['admin (CORSGATE_ADMIN_TOKEN)'],
      );
      const audit = (await admin('GET', '/api/audit?entity=token')).json.items as {
        action: string;
        actor: string;
        before: { name: string } | null;
      }[];
      const revoked = audit.find((e) => e.action === 'delete');
      assert.ok(revoked, 'an audit row for the revocation');
      assert.equal(revoked.actor, 'system');
      assert.equal(revoked.before?.name, 'admin');
      assert.match(second.stdout, /CORSGATE_ADMIN_TOKEN is set: the token 'admin' created .* is revoked/);
      const log = second.stdout.slice(second.stdout.indexOf('\n{')) + second.stderr;
      assert.ok(!log.includes(generated) && !log.includes(chosen), 'no secret in the log');
    } finally {
      await second.stop();
    }
  } finally {
    tmp.cleanup();
  }
});
