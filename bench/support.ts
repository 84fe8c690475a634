/** Small helpers shared by benchmark suites: medians, the repository root, writing results. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, totalmem } from 'node:os';

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the benchmark');
    dir = up;
  }
  return dir;
}

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`;
}

/** Writes bench/results/<suite>.md with the table, the machine and the command that produced it. */
export function writeResults(suite: string, table: string, notes = ''): void {
  const dir = join(repoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const text = `# ${suite} benchmark\n\nMachine: ${machine()}\nDate: ${new Date().toISOString()}\nCommand: \`npm run bench -- ${suite}\`\n\n${table}\n${notes ? `\n${notes}\n` : ''}`;
  writeFileSync(join(dir, `${suite}.md`), text);
}

/** The admin token every benchmark gateway starts with (CORSGATE_ADMIN_TOKEN). */
export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

/** Node's arguments for `corsgate serve` in front of `upstream` on a SQLite store, ports chosen by the system. */
export function gatewayArgs(upstream: string, db: string, flags: readonly string[] = []): string[] {
  return [
    join(repoRoot(), 'dist', 'src', 'cli', 'main.js'),
    'serve',
    '--upstream',
    upstream,
    '--store',
    `sqlite:${db}`,
    '--port',
    '0',
    '--admin-port',
    '0',
    '--log-level',
    'warn',
    ...flags,
  ];
}
