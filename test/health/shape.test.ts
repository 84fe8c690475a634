/**
 * The house's shape, gateway and stores included: no function over 80 lines unless it is a table,
 * no file over 350 lines, no import cycle. The script is scripts/check-shape.mjs; `npm run shape`
 * lists the same from the command line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}
const root = repoRoot();

interface Shape {
  functions: { file: string; line: number; name: string; lines: number }[];
  files: { file: string; lines: number }[];
  cycles: string[][];
}
type ShapeModule = {
  checkShape(dirs: string[], exclude?: string[]): Shape;
  longFunctions(file: string, text: string): Shape['functions'];
  importCycles(files: string[]): string[][];
};
const load = async (): Promise<ShapeModule> =>
  (await import(join(root, 'scripts/check-shape.mjs'))) as ShapeModule;

/** The workspace packages' sources (the library, scan, explain). */
const PACKAGE_SOURCES = ['packages/corsgate/src', 'packages/scan/src', 'packages/explain/src'];

test('the whole house, gateway included: no function over 80 lines, no file over 350 lines, no import cycle', async () => {
  const { checkShape } = await load();
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const shape = checkShape(['src', 'console/src', ...PACKAGE_SOURCES]);
    assert.deepEqual(shape, { functions: [], files: [], cycles: [] });
  } finally {
    process.chdir(cwd);
  }
});

test('the script sees a long function, lets a table through, and finds a cycle', async () => {
  const { longFunctions, importCycles } = await load();
  const body = Array.from({ length: 85 }, (_, i) => `  const v${i} = ${i};`).join('\n');
  const long = longFunctions('x.ts', `export function big() {\n${body}\n}\n`);
  assert.deepEqual(
    long.map((f) => [f.name, f.lines]),
    [['big', 87]],
  );
  const rows = Array.from({ length: 85 }, (_, i) => `    k${i}: ${i},`).join('\n');
  assert.deepEqual(longFunctions('t.ts', `export function table() {\n  return {\n${rows}\n  };\n}\n`), []);
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'corsgate-shape-'));
  try {
    writeFileSync(join(dir, 'a.ts'), "import { b } from './b.js';\nexport const a = b;\n");
    writeFileSync(
      join(dir, 'b.ts'),
      "import type { a } from './a.js';\nexport const b = 1 as unknown as typeof a;\n",
    );
    writeFileSync(join(dir, 'c.ts'), "import { a } from './a.js';\nexport const c = a;\n");
    const cycles = importCycles(['a.ts', 'b.ts', 'c.ts'].map((f) => join(dir, f)));
    assert.equal(cycles.length, 1);
    assert.deepEqual(cycles[0]!.map((f) => f.slice(dir.length + 1)).sort(), ['a.ts', 'b.ts']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
