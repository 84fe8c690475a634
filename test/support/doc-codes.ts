/**
 * Reads the stable codes a Markdown document names, so that a test can hold a module's code list and
 * its documentation to each other in both directions (as fastify's errors test does for its docs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

export function readDoc(relativePath: string): string {
  return readFileSync(join(repoRoot(), relativePath), 'utf8');
}

/** The text under a heading (`## Errors`), up to the next heading of the same or a higher level. */
export function markdownSection(markdown: string, heading: string): string {
  const level = /^#+/.exec(heading)?.[0].length ?? 0;
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) throw new Error(`no heading ${JSON.stringify(heading)}`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => {
    const m = /^(#+) /.exec(l);
    return m !== null && m[1]!.length <= level;
  });
  return (end < 0 ? rest : rest.slice(0, end)).join('\n');
}

/** The cells of one column (0-based) of every Markdown table row in `text`, header and rule rows left out. */
export function tableColumn(text: string, column: number): string[] {
  const rows = text.split('\n').filter((l) => l.trim().startsWith('|'));
  return rows
    .map((l) =>
      l
        .trim()
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((c) => c.trim()),
    )
    .filter((cells, i) => i > 0 && !cells.every((c) => /^:?-+:?$/.test(c)))
    .map((cells) => cells[column] ?? '');
}

/** The `code`-spans of a text that look like codes: lower-case words joined by dashes. */
export function codeSpans(text: string): string[] {
  return [...text.matchAll(/`([a-z][a-z0-9]*(?:-[a-z0-9]+)*)`/g)].map((m) => m[1]!);
}

/** What differs between the codes a module has and the codes its documentation names. */
export function compareCodes(
  actual: readonly string[],
  documented: readonly string[],
): { undocumented: string[]; unknown: string[] } {
  const doc = new Set(documented);
  const has = new Set(actual);
  return {
    undocumented: [...has].filter((c) => !doc.has(c)).sort(),
    unknown: [...doc].filter((c) => !has.has(c)).sort(),
  };
}
