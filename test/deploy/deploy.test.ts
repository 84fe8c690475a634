/**
 * The deployment files in deploy/: the systemd units pass `systemd-analyze verify` (Debian's systemd
 * package provides it; .ci/run installs it, and a machine without it fails that test) without a single warning,
 * and their sections and keys are checked here in any case;
 * the Dockerfile is parsed and held to its promises (two stages, a non-root user, sources that exist
 * and are not ignored, the package's files copied); hadolint is not packaged by Debian, so it runs
 * only where someone installed it. Then both are run as they would run: the unit's command with its
 * environment, its backup job beside it, and the image's file layout with its entrypoint and health check.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../../src/gateway/config.js';
import { repoRoot, startCli, tempDir } from '../gateway/helpers.js';

const root = repoRoot();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[]; engines: { node: string } };
const BIN = pkg.bin.corsgate!;

const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

// ---- systemd -------------------------------------------------------------------------------

type Unit = Map<string, [key: string, value: string][]>;

/** systemd's unit syntax (systemd.syntax(7)): [Section] headers, Key=Value lines, # and ; comments, \ continuations. */
function parseUnit(text: string, name: string): Unit {
  const unit: Unit = new Map();
  let section: [string, string][] | null = null;
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      assert.ok(!unit.has(header[1]!), `${name}:${i + 1}: section [${header[1]}] twice`);
      section = [];
      unit.set(header[1]!, section);
      return;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    assert.ok(kv, `${name}:${i + 1}: not Key=Value: ${line}`);
    assert.ok(section, `${name}:${i + 1}: a key before any section`);
    section.push([kv[1]!, kv[2]!]);
  });
  return unit;
}

/** The keys these units may use, per section (systemd.unit(5), systemd.service(5), systemd.exec(5), systemd.timer(5)). */
const KNOWN: Record<string, ReadonlySet<string>> = {
  Unit: new Set(['Description', 'Documentation', 'After', 'Wants', 'Requires']),
  Install: new Set(['WantedBy']),
  Timer: new Set(['OnCalendar', 'RandomizedDelaySec', 'Persistent']),
  Service: new Set([
    'Type', 'DynamicUser', 'StateDirectory', 'StateDirectoryMode', 'WorkingDirectory', 'Environment', 'EnvironmentFile', 'ExecStart',
    'ExecStartPre', 'ExecStartPost', 'ExecReload', 'KillSignal', 'TimeoutStopSec', 'Restart', 'RestartSec', 'UMask', 'NoNewPrivileges',
    'ProtectSystem', 'ProtectHome', 'PrivateTmp', 'PrivateDevices', 'ProtectKernelTunables', 'ProtectKernelModules', 'ProtectKernelLogs',
    'ProtectControlGroups', 'ProtectClock', 'ProtectHostname', 'ProtectProc', 'RestrictAddressFamilies', 'RestrictNamespaces',
    'RestrictRealtime', 'RestrictSUIDSGID', 'LockPersonality', 'SystemCallArchitectures', 'SystemCallFilter', 'CapabilityBoundingSet',
    'ReadWritePaths',
  ]),
};

function checkUnit(file: string, sections: string[]): Unit {
  const unit = parseUnit(readFileSync(join(root, 'deploy', file), 'utf8'), file);
  assert.deepEqual([...unit.keys()], sections, `${file}: sections`);
  for (const [section, keys] of unit) for (const [key] of keys) assert.ok(KNOWN[section]?.has(key), `${file}: [${section}] ${key} is not a key this check knows`);
  return unit;
}

const UNITS = ['corsgate.service', 'corsgate-backup.service', 'corsgate-backup.timer'];

const values = (unit: Unit, section: string, key: string) => (unit.get(section) ?? []).filter(([k]) => k === key).map(([, v]) => v);
const one = (unit: Unit, section: string, key: string) => {
  const v = values(unit, section, key);
  assert.equal(v.length, 1, `[${section}] ${key} once`);
  return v[0]!;
};

describe('deploy: systemd', () => {
  // Debian's systemd package provides systemd-analyze (.ci/run installs it). A machine without it fails
  // here rather than skipping: a check that did not run proves nothing.
  test('systemd-analyze verify accepts every unit without a warning', () => {
    assert.ok(onPath('systemd-analyze'), "systemd-analyze is not installed (Debian's systemd package)");
    for (const file of UNITS) {
      // verify exits 0 even on unknown keys and bad values: it only warns, so any output is a failure.
      const run = spawnSync('systemd-analyze', ['verify', join(root, 'deploy', file)], { encoding: 'utf8', cwd: root });
      assert.equal(run.status, 0, `${file}: ${run.stderr}`);
      assert.equal(`${run.stdout}${run.stderr}`.trim(), '', `${file}: systemd-analyze verify is silent`);
    }
  });

  test('corsgate.service: a dynamic user, the store in its state directory, the package bin, SIGHUP to reload, hardened', async () => {
    const unit = checkUnit('corsgate.service', ['Unit', 'Service', 'Install']);
    const exec = one(unit, 'Service', 'ExecStart').split(' ');
    assert.deepEqual(exec, ['/usr/bin/node', `/opt/corsgate/${BIN.replace(/^\.\//, '')}`, 'serve'], 'runs the package bin');
    assert.equal(one(unit, 'Service', 'DynamicUser'), 'yes');
    const state = `/var/lib/${one(unit, 'Service', 'StateDirectory')}`;
    assert.equal(one(unit, 'Service', 'WorkingDirectory'), state);
    const env = Object.fromEntries(values(unit, 'Service', 'Environment').map((e) => e.split(/=(.*)/s).slice(0, 2) as [string, string]));
    assert.equal(env.CORSGATE_STORE, `sqlite:${state}/corsgate.db`, 'the store lives in the state directory');
    assert.equal(one(unit, 'Service', 'ExecReload'), '/bin/kill -HUP $MAINPID');
    assert.equal(one(unit, 'Service', 'EnvironmentFile'), '-/etc/corsgate/corsgate.env');
    for (const [key, value] of [['NoNewPrivileges', 'yes'], ['ProtectSystem', 'strict'], ['ProtectHome', 'yes'], ['PrivateTmp', 'yes'], ['CapabilityBoundingSet', '']]) assert.equal(one(unit, 'Service', key), value, key);
    assert.equal(values(unit, 'Service', 'MemoryDenyWriteExecute').length, 0, "V8's JIT needs W+X memory");
    assert.equal(one(unit, 'Install', 'WantedBy'), 'multi-user.target');

    // The unit's command, with its environment, in a stand-in for its state directory.
    const tmp = tempDir();
    try {
      const stateDir = join(tmp.dir, 'state');
      mkdirSync(stateDir);
      const local = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replaceAll(state, stateDir)]));
      const gw = await startCli([], local, stateDir);
      try {
        const health = await fetch(`${gw.admin}/healthz`);
        assert.equal(health.status, 200);
        assert.ok(existsSync(join(stateDir, 'corsgate.db')), 'the store is created in the state directory');

        // The nightly backup job's command, while the gateway runs.
        const backup = checkUnit('corsgate-backup.service', ['Unit', 'Service']);
        assert.equal(one(backup, 'Service', 'Type'), 'oneshot');
        const backups = join(tmp.dir, 'backups');
        mkdirSync(backups);
        const command = one(backup, 'Service', 'ExecStart')
          .replaceAll('%%', '%')
          .replaceAll('/opt/corsgate/', `${root}/`)
          .replaceAll('/var/backups/corsgate', backups)
          .replaceAll(state, stateDir)
          .replace(/^\/bin\/sh -c '(.*)'$/s, '$1')
          .replace('/usr/bin/node', process.execPath);
        const run = spawnSync('sh', ['-c', command], { encoding: 'utf8' });
        assert.equal(run.status, 0, run.stderr);
        assert.match(run.stdout, /^backed up sqlite:.*corsgate\.db to .*corsgate-\d{4}-\d{2}-\d{2}\.db/);
        assert.equal(readdirSync(backups).length, 1);
      } finally {
        await gw.stop();
      }
    } finally {
      tmp.cleanup();
    }
  });

  test('corsgate-backup.timer: nightly, catching up after a missed night', () => {
    const unit = checkUnit('corsgate-backup.timer', ['Unit', 'Timer', 'Install']);
    assert.match(one(unit, 'Timer', 'OnCalendar'), /^\*-\*-\* \d\d:\d\d:\d\d$/);
    assert.equal(one(unit, 'Timer', 'Persistent'), 'true');
    assert.equal(one(unit, 'Install', 'WantedBy'), 'timers.target');
  });
});

// ---- Dockerfile ----------------------------------------------------------------------------

interface Instruction {
  line: number;
  op: string;
  args: string;
}

/** The Dockerfile's instructions (Dockerfile reference: continuations, comments, one parser directive). */
function parseDockerfile(text: string): { directives: string[]; instructions: Instruction[] } {
  const directives: string[] = [];
  const instructions: Instruction[] = [];
  let pending: Instruction | null = null;
  let header = true;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (header && /^#\s*\w+=/.test(line)) return void directives.push(line);
    header = false;
    if (line.startsWith('#') || (line === '' && !pending)) return;
    const continues = line.endsWith('\\');
    const body = continues ? line.slice(0, -1).trim() : line;
    if (pending) pending.args += ` ${body}`;
    else {
      const m = /^([A-Za-z]+)\s+(.*)$/.exec(body);
      assert.ok(m, `Dockerfile:${i + 1}: not an instruction: ${line}`);
      pending = { line: i + 1, op: m[1]!.toUpperCase(), args: m[2]! };
    }
    if (!continues) {
      instructions.push(pending!);
      pending = null;
    }
  });
  assert.equal(pending, null, 'the Dockerfile ends inside a continued line');
  return { directives, instructions };
}

const INSTRUCTIONS = new Set(['FROM', 'ARG', 'RUN', 'WORKDIR', 'COPY', 'ENV', 'VOLUME', 'USER', 'EXPOSE', 'HEALTHCHECK', 'STOPSIGNAL', 'ENTRYPOINT', 'CMD', 'LABEL']);

/** Whether `path` is excluded by the .dockerignore patterns (only the plain and `*.ext`-style ones used here). */
function ignored(patterns: string[], path: string): boolean {
  return patterns.some((p) => {
    const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/|$)`);
    return re.test(path);
  });
}

describe('deploy: Dockerfile', () => {
  const { directives, instructions } = parseDockerfile(readFileSync(join(root, 'deploy', 'Dockerfile'), 'utf8'));
  const ignore = readFileSync(join(root, 'deploy', 'Dockerfile.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages: Instruction[][] = [];
  for (const ins of instructions) {
    if (ins.op === 'FROM') stages.push([]);
    stages.at(-1)?.push(ins);
  }
  const [build, run] = stages as [Instruction[], Instruction[]];
  const find = (stage: Instruction[], op: string) => stage.filter((i) => i.op === op);

  test('well formed: known instructions, the BuildKit syntax directive, two stages from a Node the package supports', () => {
    assert.deepEqual(directives, ['# syntax=docker/dockerfile:1']);
    for (const i of instructions) assert.ok(INSTRUCTIONS.has(i.op), `line ${i.line}: ${i.op}`);
    assert.equal(stages.length, 2, 'a build stage and a run stage');
    assert.match(build[0]!.args, /^node:\$\{NODE_VERSION\}-bookworm-slim AS build$/);
    assert.equal(run[0]!.args, 'node:${NODE_VERSION}-bookworm-slim', 'the run stage has the build stage’s libc, for the compiled better-sqlite3');
    const version = /^NODE_VERSION=(\d+)$/.exec(instructions.find((i) => i.op === 'ARG')!.args)?.[1];
    assert.ok(Number(version) >= Number(/\d+/.exec(pkg.engines.node)![0]), `Node ${version} satisfies engines ${pkg.engines.node}`);
    assert.ok(!instructions.some((i) => i.op === 'ADD'), 'COPY, never ADD');
    if (onPath('hadolint')) {
      const lint = spawnSync('hadolint', [join(root, 'deploy', 'Dockerfile')], { encoding: 'utf8' });
      assert.equal(lint.status, 0, lint.stdout + lint.stderr);
    }
  });

  test('the build stage copies sources that exist and are not ignored, and builds with npm ci', () => {
    for (const copy of find(build, 'COPY')) {
      const parts = copy.args.split(/\s+/);
      for (const source of parts.slice(0, -1)) {
        assert.ok(existsSync(join(root, source)), `COPY ${source}: exists`);
        assert.ok(!ignored(ignore, source), `COPY ${source}: not excluded by Dockerfile.dockerignore`);
      }
    }
    for (const path of ['node_modules', 'dist', 'console/dist', 'corsgate.db', 'x.db-wal', '.git']) assert.ok(ignored(ignore, path), `${path} stays out of the build context`);
    assert.ok(find(build, 'RUN').some((r) => /npm ci --no-audit --no-fund/.test(r.args) && /npm prune --omit=dev/.test(r.args)));
  });

  test('the run stage: the package files from the build stage, a non-root user, the store in a volume, the default ports, a health check', () => {
    const copied = find(run, 'COPY').map((c) => {
      const m = /^--from=build \/src\/(\S+) \.\/(\S+)$/.exec(c.args);
      assert.ok(m && m[1] === m[2], `copied from the build stage to the same place: ${c.args}`);
      return m![1]!;
    });
    for (const f of pkg.files) assert.ok(copied.includes(f), `the package's ${f}`);
    assert.ok(copied.includes('node_modules') && copied.includes('package.json'));
    const users = find(run, 'USER');
    assert.equal(users.length, 1);
    assert.doesNotMatch(users[0]!.args, /^(root|0)(:|$)/, 'not root');
    assert.ok(run.indexOf(users[0]!) > Math.max(...find(run, 'RUN').map((r) => run.indexOf(r))), 'USER after the last RUN');
    const env = find(run, 'ENV')[0]!.args;
    assert.match(env, /CORSGATE_STORE=sqlite:\/data\/corsgate\.db/);
    assert.equal(find(run, 'VOLUME')[0]!.args, '/data');
    assert.deepEqual(find(run, 'EXPOSE')[0]!.args.split(' ').map(Number), [DEFAULTS.port, DEFAULTS.adminPort]);
    assert.deepEqual(JSON.parse(find(run, 'ENTRYPOINT')[0]!.args), ['node', `/app/${BIN.replace(/^\.\//, '')}`]);
    assert.deepEqual(JSON.parse(find(run, 'CMD')[0]!.args), ['serve']);
    assert.match(find(run, 'HEALTHCHECK')[0]!.args, /^--interval=\S+ --timeout=\S+ .*CMD \[/);
  });

  test("the image's layout runs: entrypoint, environment and console from /app, and the health check passes", async () => {
    const tmp = tempDir();
    try {
      const app = join(tmp.dir, 'app');
      mkdirSync(app);
      const copied = find(run, 'COPY').map((c) => /^--from=build \/src\/(\S+) /.exec(c.args)![1]!);
      for (const path of copied) {
        if (path === 'node_modules') symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'));
        else cpSync(join(root, path), join(app, path), { recursive: true });
      }
      const data = join(tmp.dir, 'data');
      mkdirSync(data);
      const env = Object.fromEntries([...find(run, 'ENV')[0]!.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!.replace('/data', data)]));
      // Loopback rather than 0.0.0.0 in a test; everything else as the image sets it.
      const gw = await startCli([], { ...env, CORSGATE_HOST: '127.0.0.1', CORSGATE_ADMIN_HOST: '127.0.0.1' }, tmp.dir, join(app, BIN));
      try {
        const page = await fetch(`${gw.admin}/`);
        assert.match(await page.text(), /<div id="app">/, 'the console is served from /app/console/dist');
        assert.ok(existsSync(join(data, 'corsgate.db')), 'the store is in the volume');
        const check = JSON.parse(/CMD (\[.*\])$/.exec(find(run, 'HEALTHCHECK')[0]!.args)![1]!) as string[];
        const health = spawnSync(process.execPath, check.slice(1), { env: { ...process.env, CORSGATE_ADMIN_PORT: new URL(gw.admin).port }, encoding: 'utf8' });
        assert.equal(health.status, 0, health.stderr);
        const down = spawnSync(process.execPath, check.slice(1), { env: { ...process.env, CORSGATE_ADMIN_PORT: '9' }, encoding: 'utf8' });
        assert.equal(down.status, 1, 'and fails when nothing answers');
      } finally {
        await gw.stop();
      }
    } finally {
      tmp.cleanup();
    }
  });
});
