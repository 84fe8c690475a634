/**
 * Every JavaScript/TypeScript example in the README and docs/*.md type-checks under `strict`
 * against the built package's own types (issue 17 §1): each fenced ```js / ```ts block is written
 * as a module of its own and compiled by tsc with `moduleResolution: nodenext`, importing
 * `corsgate`, `corsgate/express`, … through the package's `exports` (a package may import itself
 * by name), exactly as a project that installed it does. A block that is not a program opts out
 * with `<!-- not-checked: why -->` on the line before it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/cli.js';

export interface Example {
  file: string;
  line: number;
  lang: string;
  code: string;
}

const LANGS = new Set(['js', 'mjs', 'javascript', 'ts', 'typescript']);

/** The fenced code blocks of a markdown text in the languages above (a marked block is left out). */
export function examplesOf(file: string, text: string): Example[] {
  const out: Example[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    const skipped = /<!--\s*not-checked:/.test(lines[start - 1] ?? '');
    if (LANGS.has(open[1]!) && !skipped)
      out.push({ file, line: start + 1, lang: open[1]!, code: lines.slice(start + 1, end).join('\n') });
    i = end;
  }
  return out;
}

function docs(root: string): string[] {
  return [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
}

test('examplesOf: finds js and ts blocks, skips other languages and marked blocks', () => {
  const md =
    '```sh\nnpm i\n```\n```js\nconst a = 1;\n```\n<!-- not-checked: a fragment -->\n```ts\nx\n```\n```ts\nlet b: number = 2;\n```\n';
  assert.deepEqual(
    examplesOf('x.md', md).map((e) => [e.line, e.code]),
    [
      [4, 'const a = 1;'],
      [11, 'let b: number = 2;'],
    ],
  );
});

test('every README and docs example type-checks under strict against the built package types', () => {
  const root = repoRoot();
  assert.ok(
    existsSync(join(root, 'packages/corsgate/dist/index.d.ts')),
    'the library is built (npm run build)',
  );
  const examples = docs(root).flatMap((f) => examplesOf(f, readFileSync(join(root, f), 'utf8')));
  assert.ok(examples.length >= 10, `the docs hold examples (${examples.length})`);
  // Inside the repository, so that `corsgate` resolves to the library's workspace link and its exports.
  const dir = join(root, 'dist', 'doc-examples');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const names = examples.map((e, i) => {
    const name = `${e.file.replace(/[/.]/g, '_')}_L${e.line}_${i}.ts`;
    // `export {}`: each block is a module of its own, so top-level await and names stay its own.
    writeFileSync(join(dir, name), `${e.code}\nexport {};\n`);
    return name;
  });
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        skipLibCheck: true,
        types: ['node'],
      },
      files: names,
    }),
  );
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], {
    encoding: 'utf8',
    cwd: dir,
  });
  const where = (out: string) =>
    out.replace(/^(\S+?)_L(\d+)_(\d+)\.ts\((\d+),(\d+)\)/gm, (_m, _f, _l, i: string, line: string) => {
      const e = examples[Number(i)]!;
      return `${e.file}:${e.line + Number(line)}`;
    });
  assert.equal(run.status, 0, `examples that do not type-check:\n${where(run.stdout + run.stderr)}`);
  rmSync(dir, { recursive: true, force: true });
});
