import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Run the real command line: compiled JS under dist/, or the TypeScript source through tsx.
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}
const root = repoRoot();
const fromSource = import.meta.url.endsWith('.ts');
const cli = fromSource
  ? ['--import', 'tsx', join(root, 'src/cli/main.ts')]
  : [join(root, 'dist/src/cli/main.js')];

function lint(...args: string[]) {
  const r = spawnSync(process.execPath, [...cli, 'lint', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'corsgate-lint-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

test('a clean policy exits 0', () => {
  const file = write(
    'ok.json',
    JSON.stringify({
      origins: ['https://app.example.com', 'https://*.example.org'],
      credentials: true,
      maxAge: 600,
    }),
  );
  const r = lint(file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /ok, no problems/);
});

test('warnings alone exit 0 and are printed with path and hint', () => {
  const file = write('warn.yaml', 'origins:\n  - https://app.example.com\n  - https://app.example.com\n');
  const r = lint(file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /warning +origins\[1\] .*\[origin-duplicate\]/);
  assert.match(r.stdout, /fix: remove one of them/);
});

test('errors exit 1, each with its path, code and fix', () => {
  const file = write(
    'bad.yml',
    "origins:\n  - http://app.example.com\n  - https://*.github.io\n  - https://x.example.com/\ncredentials: true\nexposeHeaders: '*'\nmaxAge: 100000\n",
  );
  const r = lint(file);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /5 errors/);
  assert.match(
    r.stdout,
    /origins\[0\] .*\[origin-insecure\]\n +fix: did you mean https:\/\/app\.example\.com\?/,
  );
  assert.match(r.stdout, /origins\[1\] .*\[origin-wildcard-public-suffix\]/);
  assert.match(
    r.stdout,
    /origins\[2\] .*\[origin-trailing-slash\]\n +fix: did you mean https:\/\/x\.example\.com\?/,
  );
  assert.match(r.stdout, /exposeHeaders .*\[expose-wildcard-with-credentials\]/);
  assert.match(r.stdout, /maxAge .*\[max-age-out-of-range\]/);
});

test('--json gives a machine-readable report', () => {
  const file = write('bad.json', JSON.stringify({ origins: '*', credentials: true, orgins: [] }));
  const r = lint(file, '--json');
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout);
  assert.equal(report.ok, false);
  assert.deepEqual(report.errors.map((e: { code: string; path: string }) => `${e.path}:${e.code}`).sort(), [
    'credentials:credentials-with-any-origin',
    'orgins:option-unknown',
  ]);
  assert.equal(
    report.errors.find((e: { code: string }) => e.code === 'option-unknown').hint,
    'did you mean "origins"?',
  );
  assert.deepEqual(report.warnings, []);
});

test('unusable input exits 2', () => {
  assert.equal(lint(join(dir, 'missing.json')).code, 2);
  assert.equal(lint(write('broken.json', '{ "origins": [')).code, 2);
  const yaml = lint(write('broken.yaml', 'origins: [a\n  b: : :'));
  assert.equal(yaml.code, 2);
  assert.match(yaml.stderr, /not valid YAML/);
  assert.equal(lint().code, 2);
  const j = lint(join(dir, 'missing.json'), '--json');
  assert.equal(j.code, 2);
  assert.equal(JSON.parse(j.stdout).fatal.code, 'file-unreadable');
});

test('a file that is not an object is an error, not a crash', () => {
  const r = lint(write('list.json', '[1, 2]'));
  assert.equal(r.code, 1);
  assert.match(r.stdout, /\[options-not-object\]/);
});

test('a "$schema" key naming the published schema is accepted, as in an editor-validated file', () => {
  const file = write(
    'schema.json',
    JSON.stringify({
      $schema: './node_modules/corsgate/schema/policy.schema.json',
      origins: ['https://app.example.com'],
    }),
  );
  const r = lint(file, '--json');
  assert.equal(r.code, 0, r.stdout);
  assert.deepEqual(JSON.parse(r.stdout).errors, []);
});

test('every error of a YAML file is reported with its path and a fix, in text and JSON', () => {
  const text = [
    'origins:',
    '  - https://App.example.com',
    '  - https://ex*ample.com',
    '  - null',
    '  - https://*.co.uk',
    '  - https://example.com:443',
    'methods: [GET, CONNECT]',
    'requestHeaders: [Cookie]',
    'exposeHeaders: [Set-Cookie]',
    'maxAge: -5',
    'onDisallowed: block',
    'credentals: true',
  ].join('\n');
  const file = write('many.yaml', text);
  const r = lint(file, '--json');
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout);
  const got = report.errors.map((e: { path: string; code: string }) => `${e.path}:${e.code}`).sort();
  assert.deepEqual(got, [
    'credentals:option-unknown',
    'exposeHeaders[0]:expose-forbidden',
    'maxAge:max-age-out-of-range',
    'methods[1]:method-forbidden',
    'onDisallowed:on-disallowed-invalid',
    'origins[0]:origin-not-canonical',
    'origins[1]:origin-wildcard-misplaced',
    'origins[2]:origin-null',
    'origins[3]:origin-wildcard-public-suffix',
    'origins[4]:origin-default-port',
    'requestHeaders[0]:header-forbidden',
  ]);
  for (const e of report.errors) assert.ok(typeof e.message === 'string' && e.message.length > 0, e.code);
  const hint = (code: string) => report.errors.find((e: { code: string }) => e.code === code).hint;
  assert.equal(hint('origin-not-canonical'), 'did you mean https://app.example.com?');
  assert.equal(hint('origin-default-port'), 'did you mean https://example.com?');
  assert.equal(hint('option-unknown'), 'did you mean "credentials"?');
  const t = lint(file);
  assert.equal(t.code, 1);
  assert.match(t.stdout, /11 errors/);
  assert.match(
    t.stdout,
    /origins\[0\] .*\[origin-not-canonical\]\n +fix: did you mean https:\/\/app\.example\.com\?/,
  );
});

test('the command runs through a symlink, as npm installs bin entries (node_modules/.bin/corsgate)', () => {
  const link = join(dir, 'corsgate');
  symlinkSync(join(root, 'dist/src/cli/main.js'), link);
  const file = write('via-link.json', JSON.stringify({ origins: ['http://app.example.com'] }));
  const r = spawnSync(process.execPath, [link, 'lint', file], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /\[origin-insecure\]/);
});

test('a gateway policy file (corsgate serve --policy) is checked by the gateway loader: clean exits 0', () => {
  const file = write(
    'gateway.yaml',
    "origins:\n  - https://app.example.com\ntrustedSites:\n  - { name: Fonts, endpointUrl: https://fonts.example.com, isApplicableToFontSrc: true }\nsettings:\n  corsForOAuthEndpoints: true\nroutes:\n  - { kind: closed, paths: ['/internal/*'], priority: 10 }\n",
  );
  const r = lint(file, '--json');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual([report.format, report.ok, report.errors], ['gateway', true, []]);
  assert.equal(
    JSON.parse(
      lint(write('engine.json', JSON.stringify({ origins: ['https://a.example'] })), '--json').stdout,
    ).format,
    'policy',
  );
});

test('a gateway policy file with problems exits 1 with every problem, as serve would refuse it', () => {
  const file = write(
    'gateway-bad.yaml',
    "origins:\n  - http://app.example.com\nsettings:\n  nosuch: true\nroutes:\n  - { kind: closed, paths: ['/x'], setting: corsForOAuthEndpoints }\nonDisallowed: ignore\n",
  );
  const r = lint(file, '--json');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.format, 'gateway');
  const byPath = new Map((report.errors as { path: string; code: string }[]).map((e) => [e.path, e.code]));
  assert.equal(byPath.get('origins[0]'), 'origin-insecure');
  assert.ok(byPath.has('onDisallowed'), JSON.stringify(report.errors));
  assert.ok(
    [...byPath.keys()].some((p) => p.startsWith('settings')),
    JSON.stringify(report.errors),
  );
  const text = lint(file);
  assert.equal(text.code, 1);
  assert.match(text.stdout, /error +origins\[0\] .*\[origin-insecure\]/);
});
