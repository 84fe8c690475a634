/**
 * `npm run bench`: runs every benchmark suite, in one process and one run, so that corsgate and
 * its peers are measured under the same conditions. Each suite is a module `bench/<name>.bench.ts`
 * whose default export runs it and prints its own table with ratios. Suites are bounded in time.
 * Usage: npm run bench [-- name ...]   (names filter the suites, e.g. `npm run bench -- engine`)
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpus } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const suites = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => filters.length === 0 || filters.some((name) => f.startsWith(name)))
  .sort();

console.log(`corsgate benchmarks — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
for (const file of suites) {
  console.log(`\n## ${file.replace('.bench.js', '')}\n`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: () => Promise<void> };
  await mod.default();
}
