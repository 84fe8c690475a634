#!/usr/bin/env node
// The house's shape, read with the TypeScript compiler's own parser: functions over 80 lines,
// files over 350 lines, and import cycles between the modules of src/ (type-only imports
// included: a cycle of types is still two modules that cannot be read one after the other).
//
// Usage: node scripts/check-shape.mjs [--json] [--exclude PREFIX ...] [DIR ...]   (default DIR: src console/src and the packages' src)
// Exit code 1 when anything is listed, 0 otherwise.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export const MAX_FUNCTION_LINES = 80;
export const MAX_FILE_LINES = 350;

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** What a function-like node is called, for the report: `Class.method`, `name`, or `(anonymous)`. */
function nameOf(node, source) {
  const own = node.name ? node.name.getText(source) : null;
  if (own && ts.isClassElement(node) && node.parent && ts.isClassLike(node.parent) && node.parent.name)
    return `${node.parent.name.text}.${own}`;
  if (own) return own;
  let p = node.parent;
  if (p && ts.isVariableDeclaration(p)) return p.name.getText(source);
  if (p && ts.isPropertyAssignment(p)) return p.name.getText(source);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  return '(anonymous)';
}

/** A function whose body is one object or array literal is a table, which the rule allows. */
function isTable(node) {
  const body = node.body;
  if (!body) return false;
  let expr = body;
  if (ts.isBlock(body)) {
    if (body.statements.length !== 1 || !ts.isReturnStatement(body.statements[0])) return false;
    expr = body.statements[0].expression;
  }
  while (
    expr &&
    (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression?.(expr))
  )
    expr = expr.expression;
  return !!expr && (ts.isObjectLiteralExpression(expr) || ts.isArrayLiteralExpression(expr));
}

export function longFunctions(file, text = readFileSync(file, 'utf8')) {
  const source = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const found = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.end).line;
      const lines = end - start + 1;
      if (lines > MAX_FUNCTION_LINES && !isTable(node))
        found.push({ file, line: start + 1, name: nameOf(node, source), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function importsOf(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const out = [];
  for (const st of source.statements) {
    const spec =
      (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) &&
      st.moduleSpecifier &&
      ts.isStringLiteral(st.moduleSpecifier)
        ? st.moduleSpecifier.text
        : null;
    if (!spec || !spec.startsWith('.')) continue;
    const base = resolve(dirname(file), spec).replace(/\.js$/, '');
    for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
      if (existsSync(candidate)) {
        out.push(candidate);
        break;
      }
    }
  }
  return out;
}

/** Every cycle found by a depth-first walk (each reported once, from its first module in walk order). */
export function importCycles(files) {
  const graph = new Map(
    files.map((f) => [
      resolve(f),
      importsOf(f, readFileSync(f, 'utf8')).filter((d) => files.some((g) => resolve(g) === d)),
    ]),
  );
  const state = new Map();
  const stack = [];
  const cycles = [];
  const seen = new Set();
  const walk = (f) => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 'open') {
        const cycle = stack.slice(stack.indexOf(d));
        const key = [...cycle].sort().join('|');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(d)) walk(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) walk(f);
  return cycles;
}

export function checkShape(dirs, exclude = []) {
  const root = process.cwd();
  const rel = (f) => relative(root, f);
  const files = dirs.flatMap((d) => sourceFiles(d)).filter((f) => !exclude.some((p) => rel(f).startsWith(p)));
  const functions = files.flatMap((f) => longFunctions(f)).map((x) => ({ ...x, file: rel(x.file) }));
  const longFiles = files
    .map((f) => ({ file: rel(f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
    .filter((x) => x.lines > MAX_FILE_LINES);
  const cycles = importCycles(files).map((c) => c.map(rel));
  return { functions, files: longFiles, cycles };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const exclude = [];
  const dirs = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--json') continue;
    if (args[i] === '--exclude') exclude.push(args[++i]);
    else dirs.push(args[i]);
  }
  const report = checkShape(
    dirs.length
      ? dirs
      : ['src', 'console/src', 'packages/corsgate/src', 'packages/scan/src', 'packages/explain/src'],
    exclude,
  );
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    for (const f of report.functions)
      process.stdout.write(
        `function ${f.file}:${f.line} ${f.name}: ${f.lines} lines (over ${MAX_FUNCTION_LINES})\n`,
      );
    for (const f of report.files)
      process.stdout.write(`file     ${f.file}: ${f.lines} lines (over ${MAX_FILE_LINES})\n`);
    for (const c of report.cycles) process.stdout.write(`cycle    ${[...c, c[0]].join(' -> ')}\n`);
  }
  process.exit(report.functions.length + report.files.length + report.cycles.length > 0 ? 1 : 0);
}
