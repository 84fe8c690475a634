// --workers: the proxy port shared by N processes, a dead worker restarted and logged, SIGTERM
// draining every worker, and the snapshot pipeline's publish promise (unit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_SETTINGS, type Store, type StoreState } from '../../src/store/types.js';
import { SnapshotNotPublished, SnapshotPipeline } from '../../src/gateway/pipeline.js';
import { parseConfig } from '../../src/gateway/config.js';
import { workerExecArgv } from '../../src/gateway/cluster.js';
import { api, eventually, startCli, startUpstream, tempDir } from './helpers.js';

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

const argv = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('--workers 2: a killed worker is restarted and logged; SIGTERM drains every worker and exits 0', async () => {
  const tmp = tempDir();
  const upstream = await startUpstream();
  const gw = await startCli([
    '--upstream',
    upstream.url,
    '--store',
    `sqlite:${tmp.dir}/w.db`,
    '--workers',
    '2',
  ]);
  try {
    assert.match(gw.stdout, /\(2 workers\)/);
    const workers = children(gw.child.pid!);
    assert.equal(workers.length, 2, `two worker processes: ${workers}`);
    for (const pid of workers)
      assert.ok(argv(pid).includes('--min-semi-space-size=16'), `worker ${pid}: ${argv(pid)}`);
    assert.equal((await api(gw.admin)('GET', '/healthz')).json.workers, 2);
    process.kill(workers[0]!, 'SIGKILL');
    const replaced = await eventually(async () => {
      const now = children(gw.child.pid!);
      return now.length === 2 && !now.includes(workers[0]!) ? now : null;
    }, 10_000);
    assert.ok(replaced.includes(workers[1]!));
    const restarted = replaced.find((pid) => pid !== workers[1])!;
    assert.ok(argv(restarted).includes('--min-semi-space-size=16'), 'a restarted worker too');
    await eventually(
      async () => /proxy worker \d died \(SIGKILL\); starting a new one/.test(gw.stdout),
      5000,
    );
    // The new worker serves with the current policy.
    assert.equal(
      (await api(gw.admin)('POST', '/api/allowlist', { urlPattern: 'https://after.example.com' })).status,
      201,
    );
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${gw.proxy}/x`, {
        headers: { origin: 'https://after.example.com', connection: 'close' },
      });
      assert.equal(res.headers.get('access-control-allow-origin'), 'https://after.example.com');
    }
    const all = children(gw.child.pid!);
    assert.equal(await gw.stop('SIGTERM'), 0);
    for (const pid of all) assert.equal(alive(pid), false, `worker ${pid} is gone`);
  } finally {
    await gw.stop();
    await upstream.close();
    tmp.cleanup();
  }
});

test("workers start with a fixed young generation, unless the operator sets one (in Node's arguments or NODE_OPTIONS)", () => {
  assert.deepEqual(workerExecArgv([]), ['--min-semi-space-size=16']);
  assert.deepEqual(workerExecArgv(['--enable-source-maps']), [
    '--enable-source-maps',
    '--min-semi-space-size=16',
  ]);
  assert.deepEqual(workerExecArgv(['--max-semi-space-size=64']), ['--max-semi-space-size=64']);
  assert.deepEqual(workerExecArgv(['--min_semi_space_size=4']), ['--min_semi_space_size=4']);
  assert.deepEqual(workerExecArgv([], '--max-old-space-size=512 --max-semi-space-size=8'), []);
  assert.deepEqual(workerExecArgv([], '--max-old-space-size=512'), ['--min-semi-space-size=16']);
});

test('--workers auto and CORSGATE_WORKERS; bad values are refused', () => {
  const auto = parseConfig(['--workers', 'auto'], {});
  assert.ok(auto !== 'help' && auto.workers === 'auto');
  const env = parseConfig([], { CORSGATE_WORKERS: '3' });
  assert.ok(env !== 'help' && env.workers === 3);
  assert.throws(() => parseConfig(['--workers', '0'], {}), /worker count/);
  assert.throws(() => parseConfig(['--access-log', 'maybe'], {}), /on or off/);
  assert.throws(() => parseConfig(['--log-level', 'loud'], {}), /log level/);
});

function fakeStore(version: number): Store & { bump(): void } {
  const listeners = new Set<(v: number) => void>();
  const state = (): StoreState => ({
    version,
    allowlist: [],
    trustedSites: [],
    routes: [],
    settings: { ...DEFAULT_SETTINGS },
  });
  return {
    description: 'fake',
    readOnly: false,
    version: async () => version,
    onChange: (l: (v: number) => void) => (listeners.add(l), () => listeners.delete(l)),
    loadState: async () => state(),
    bump() {
      version++;
      for (const l of listeners) l(version);
    },
  } as unknown as Store & { bump(): void };
}

test('the pipeline: a write waits for every worker to publish its version, and hears so when that does not happen in time', async () => {
  const store = fakeStore(1);
  const published: number[] = [];
  let min = 1;
  const targets = { publish: (s: StoreState) => published.push(s.version), minVersion: () => min };
  const pipeline = new SnapshotPipeline(store, targets, () => undefined);
  await pipeline.first();
  pipeline.start();
  store.bump();
  const waiting = pipeline.whenPublished(2, 2000);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(published, [2], 'the new state went to the workers');
  let settled = false;
  void waiting.then(() => (settled = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(settled, false, 'not before every worker enforces it');
  min = 2;
  pipeline.published(2, {
    version: 2,
    settings: DEFAULT_SETTINGS,
    csp: null,
    cspBytes: 0,
    warnings: [],
    allowlistSize: 0,
  });
  await waiting;
  // No worker ever publishes version 3: the wait ends with SnapshotNotPublished, not a silent 2xx.
  store.bump();
  await assert.rejects(
    pipeline.whenPublished(3, 150),
    (e: unknown) => e instanceof SnapshotNotPublished && e.version === 3 && /within 150 ms/.test(e.message),
  );
  // A compile failure is reported at once.
  store.bump();
  const failing = pipeline.whenPublished(4, 5000);
  pipeline.failed(4, 'boom');
  await assert.rejects(failing, /could not be compiled \(boom\)/);
  pipeline.stop();
});
