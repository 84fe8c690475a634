/**
 * The library installs on its own (issue 17 §1): `npm pack -w corsgate` gives a tarball whose only
 * runtime dependency is the public suffix list, that installs into a scratch project without a
 * native build, and that runs the README's Express program as printed (only the port changed).
 * Uses the npm registry (or npm's cache) for tldts and express, as a user's install would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/cli.js';

const root = repoRoot();
const npm = (args: string[], cwd: string) => {
  const run = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    timeout: 240_000,
  });
  assert.equal(run.status, 0, `npm ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
};

/** The first ```js block after a README heading. */
function readmeProgram(heading: string): string {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  const at = text.indexOf(`\n${heading}\n`);
  assert.ok(at >= 0, `the README has "${heading}"`);
  const m = /```js\n([\s\S]*?)```/.exec(text.slice(at));
  assert.ok(m, `a js block under "${heading}"`);
  return m[1]!;
}

/** Every package.json under node_modules, with its name and whether it builds native code. */
function installed(dir: string): { name: string; native: boolean }[] {
  const out: { name: string; native: boolean }[] = [];
  const visit = (nm: string) => {
    if (!existsSync(nm)) return;
    for (const entry of readdirSync(nm)) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@')) {
        for (const sub of readdirSync(join(nm, entry))) visit1(join(nm, entry, sub));
      } else visit1(join(nm, entry));
    }
  };
  const visit1 = (pkgDir: string) => {
    const file = join(pkgDir, 'package.json');
    if (!existsSync(file)) return;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
      name: string;
      scripts?: Record<string, string>;
      gypfile?: boolean;
    };
    const scripts = pkg.scripts ?? {};
    out.push({
      name: pkg.name,
      native:
        existsSync(join(pkgDir, 'binding.gyp')) ||
        pkg.gypfile === true ||
        Boolean(scripts.install || scripts.preinstall || scripts.postinstall),
    });
    visit(join(pkgDir, 'node_modules'));
  };
  visit(join(dir, 'node_modules'));
  return out;
}

test('npm pack -w corsgate: one runtime dependency, installs without a native build, runs the README Express program', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'corsgate-pack-'));
  try {
    const packed = JSON.parse(npm(['pack', '-w', 'corsgate', '--json', '--pack-destination', dir], root)) as {
      filename: string;
      files: { path: string }[];
    }[];
    const tarball = join(dir, packed[0]!.filename);
    const paths = packed[0]!.files.map((f) => f.path);
    assert.ok(
      paths.includes('dist/adapters/express.js') &&
        paths.includes('schema/policy.schema.json') &&
        paths.includes('LICENSE'),
      'the built library, its schema and licence',
    );
    assert.ok(!paths.some((p) => p.startsWith('src/') || p.endsWith('.map')), 'no sources or source maps');
    const manifest = JSON.parse(readFileSync(join(root, 'packages/corsgate/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    assert.deepEqual(
      Object.keys(manifest.dependencies),
      ['tldts'],
      'the public suffix list is the only runtime dependency',
    );

    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }),
    );
    npm(['install', tarball, 'express@5'], app);
    const tree = installed(app);
    assert.ok(tree.some((p) => p.name === 'corsgate') && tree.some((p) => p.name === 'tldts'));
    assert.deepEqual(
      tree.filter((p) => p.native).map((p) => p.name),
      [],
      'nothing builds native code or runs an install script',
    );
    assert.ok(
      !tree.some((p) =>
        ['better-sqlite3', 'undici', 'pino', 'yaml', 'fflate', 'fast-xml-parser'].includes(p.name),
      ),
      'none of the gateway’s dependencies',
    );

    const program = readmeProgram('### Express 5 (and 4)');
    assert.match(program, /app\.listen\(3000\);/);
    writeFileSync(
      join(app, 'server.js'),
      program.replace(
        'app.listen(3000);',
        "const server = app.listen(0, '127.0.0.1', () => console.log('port', server.address().port));",
      ),
    );
    const child = spawn(process.execPath, ['server.js'], { cwd: app, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.on('data', (b: Buffer) => {
          const m = /port (\d+)/.exec(b.toString());
          if (m) resolve(Number(m[1]));
        });
        child.on('exit', (code) => reject(new Error(`the program exited with ${code}`)));
      });
      const ok = await fetch(`http://127.0.0.1:${port}/api/data`, {
        headers: { origin: 'https://app.example.com' },
      });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example.com');
      assert.equal(ok.headers.get('access-control-expose-headers'), 'x-request-id');
      assert.deepEqual(await ok.json(), { hello: 'world' });
      const refused = await fetch(`http://127.0.0.1:${port}/api/data`, {
        headers: { origin: 'https://evil.example' },
      });
      await refused.arrayBuffer();
      assert.equal(refused.headers.get('access-control-allow-origin'), null);
      const open = await fetch(`http://127.0.0.1:${port}/public/info`, {
        headers: { origin: 'https://anyone.example' },
      });
      assert.equal(open.headers.get('access-control-allow-origin'), '*');
    } finally {
      child.kill();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
