// Stolen-token guessing (issue 19 §4): failed authentications are limited per client address with a
// 429, Retry-After and a growing wait; the wait is audited and counted; during it no token is
// looked at (not even the right one), and once it is over the right token works again. Loopback only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { api, startCli, tempDir, type RunningGateway } from '../gateway/helpers.js';

const guess = () => `cgt_${randomBytes(32).toString('base64url')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('token guessing', () => {
  let gw: RunningGateway;
  let tmp: ReturnType<typeof tempDir>;

  before(async () => {
    tmp = tempDir();
    gw = await startCli(['--store', `sqlite:${tmp.dir}/guess.db`]);
  });
  after(async () => {
    await gw.stop();
    tmp.cleanup();
  });

  test('a burst of guesses: a few are answered 401, the rest 429 with Retry-After', async () => {
    // 200 guesses at once, as a guessing script sends them.
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => api(gw.admin, guess())('GET', '/api/me')),
    );
    const seconds = (Date.now() - started) / 1000;
    const unauthorized = answers.filter((a) => a.status === 401);
    const throttled = answers.filter((a) => a.status === 429);
    assert.equal(unauthorized.length + throttled.length, 200);
    // Five free failures, then one more each time a wait (1 s, 2 s, …) ends during the burst.
    assert.ok(
      unauthorized.length <= 6 + Math.log2(seconds + 1),
      `${unauthorized.length} guesses were evaluated in ${seconds} s`,
    );
    assert.equal(unauthorized[0]!.json.error.code, 'token-unknown');
    for (const t of throttled) {
      assert.equal(t.json.error.code, 'auth-throttled');
      assert.match(t.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    }
  });

  test('during a wait even the right token is refused; after it, the right token works; each wait is longer', async () => {
    // Wait out what the burst left, as a client honouring Retry-After does.
    for (
      let res = await api(gw.admin)('GET', '/api/me');
      res.status !== 200;
      res = await api(gw.admin)('GET', '/api/me')
    ) {
      assert.equal(res.status, 429);
      await sleep(Number(res.headers.get('retry-after')) * 1000 + 100);
    }
    const waits: number[] = [];
    for (let i = 0; i < 2; i++) {
      assert.equal(
        (await api(gw.admin, guess())('GET', '/api/me')).status,
        401,
        'after a wait, one more guess is evaluated',
      );
      const waiting = await api(gw.admin)('GET', '/api/me');
      assert.equal(waiting.status, 429, 'the right token waits too');
      waits.push(Number(waiting.headers.get('retry-after')));
      await sleep(waits[i]! * 1000 + 100);
      assert.equal(
        (await api(gw.admin)('GET', '/api/me')).status,
        200,
        'the right token works once the wait is over',
      );
    }
    // Doubling: 2 s then 4 s after a six-guess burst.
    assert.ok(waits[1]! > waits[0]! && waits[0]! >= 2, `waits ${waits.join(', ')} s`);
  });

  test('each wait has an audit row and a metric; the guessed tokens appear nowhere', async () => {
    const audit = await api(gw.admin)('GET', '/api/audit?entity=auth');
    assert.equal(audit.status, 200);
    const rows = audit.json.items as {
      actor: string;
      action: string;
      entityId: string;
      after: { failures: number; waitSeconds: number };
    }[];
    assert.ok(rows.length >= 3, `${rows.length} audit rows`);
    assert.equal(rows[0]!.action, 'auth-throttled');
    assert.equal(rows[0]!.entityId, '127.0.0.1');
    assert.ok(rows[0]!.after.failures > 5);
    assert.doesNotMatch(audit.text, /cgt_/, 'no presented token in the audit');
    const metrics = await (await fetch(`${gw.admin}/metrics`)).text();
    assert.match(metrics, /^corsgate_admin_auth_failures_total\{reason="unknown"\} \d+$/m);
    assert.match(metrics, /^corsgate_admin_auth_failures_total\{reason="throttled"\} [1-9]\d*$/m);
    assert.ok(
      Number(/^corsgate_admin_auth_blocks_total (\d+)$/m.exec(metrics)?.[1]) >= 3,
      'every wait counted',
    );
    assert.match(gw.stdout, /"level":40,[^\n]*failed authentications from 127\.0\.0\.1: it waits \d+ s/);
    assert.doesNotMatch(gw.stdout + gw.stderr, /cgt_/, 'no presented token in the log');
  });

  test('requests without a token are not failures; the OpenAPI document needs no token', async () => {
    for (let i = 0; i < 20; i++) assert.equal((await api(gw.admin, '')('GET', '/api/me')).status, 401);
    assert.equal((await api(gw.admin)('GET', '/api/me')).status, 200);
    assert.equal((await fetch(`${gw.admin}/api/openapi.json`)).status, 200);
  });
});
