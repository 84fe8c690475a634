// SIGHUP and the watched --policy file (issue 17 §4): an edit is in force without a restart, a bad
// edit keeps the old policy and the log says why, and SIGHUP never ends the gateway, its workers
// included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCli, startUpstream, tempDir, type RunningGateway } from './helpers.js';

const A = 'https://a.example.com';
const B = 'https://b.example.com';

/** Saves as editors do: a new file renamed over the old one (the watched inode goes away). */
function save(path: string, doc: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(doc));
  renameSync(`${path}.tmp`, path);
}

const status = async (gw: RunningGateway, origin: string) =>
  (await fetch(`${gw.proxy}/x`, { headers: { origin } })).status;

/** The pino lines logged so far whose msg matches. */
function logged(gw: RunningGateway, msg: RegExp): Record<string, unknown>[] {
  return gw.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => typeof l.msg === 'string' && msg.test(l.msg));
}

function children(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
}

test('the policy file: an edit is in force, a bad edit keeps the old policy and logs why, SIGHUP reloads', async () => {
  const tmp = tempDir();
  const upstream = await startUpstream();
  const file = join(tmp.dir, 'policy.json');
  save(file, { origins: [A], exposeHeaders: ['X-Request-Id'] });
  const gw = await startCli(['--upstream', upstream.url, '--policy', file, '--log-level', 'info']);
  try {
    assert.equal(await status(gw, A), 200);
    assert.equal(await status(gw, B), 403);

    save(file, { origins: [A, B], exposeHeaders: ['X-Request-Id'] });
    await eventually(async () => (await status(gw, B)) === 200);
    // Log lines are written in batches: the reload may be in force a moment before its line is out.
    assert.equal(
      (await eventually(async () => logged(gw, /^policy file reloaded$/)[0]))?.cause,
      'file changed',
    );

    save(file, { origins: [A, 'https://b.example.com/'], exposeHeaders: ['Set-Cookie'] });
    const bad = await eventually(async () => logged(gw, /the policy file has problems/)[0]);
    const problems = (bad.problems as string[]).join('\n');
    assert.match(problems, /origins\[1\].*trailing/i);
    assert.match(problems, /exposeHeaders\[0\].*expose-forbidden/);
    assert.equal(await status(gw, B), 200, 'the previous policy stays in force');

    // SIGHUP reloads the file even when no change was seen; the gateway keeps running.
    save(file, { origins: [A] });
    gw.child.kill('SIGHUP');
    await eventually(async () => logged(gw, /^policy file reloaded$/).some((l) => l.cause === 'SIGHUP'));
    assert.equal(await status(gw, B), 403);
    assert.equal(gw.child.exitCode, null);
  } finally {
    await gw.stop();
    await upstream.close();
    tmp.cleanup();
  }
});

test('SIGHUP never ends the gateway: store mode, two workers, the signal sent to every process', async () => {
  const tmp = tempDir();
  const upstream = await startUpstream();
  const gw = await startCli([
    '--upstream',
    upstream.url,
    '--store',
    `sqlite:${tmp.dir}/s.db`,
    '--workers',
    '2',
  ]);
  try {
    const workers = children(gw.child.pid!);
    assert.ok(workers.length >= 2, `two workers: ${workers.join(', ')}`);
    for (const pid of [gw.child.pid!, ...workers]) process.kill(pid, 'SIGHUP');
    await eventually(async () => logged(gw, /^SIGHUP: reloading$/).length > 0);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(gw.child.exitCode, null, 'the primary runs');
    for (const pid of workers) assert.doesNotThrow(() => process.kill(pid, 0), `worker ${pid} runs`);
    assert.equal((await fetch(`${gw.proxy}/x`)).status, 200);
    assert.doesNotMatch(gw.stdout, /died/);
  } finally {
    await gw.stop();
    await upstream.close();
    tmp.cleanup();
  }
});
