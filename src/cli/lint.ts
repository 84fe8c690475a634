/**
 * `corsgate lint policy.json|policy.yaml [--json]`: checks a policy file (a PolicyOptions object
 * in JSON or YAML) and prints every error and warning with its path and a fix hint.
 * Exit codes: 0 clean (warnings allowed), 1 errors found, 2 unusable input.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validatePolicy } from '../policy/validate.js';
import type { PolicyProblem } from '../policy/types.js';

export const LINT_USAGE = `Usage: corsgate lint <policy.json|policy.yaml> [--json]

Checks a CORS policy file and prints every error and warning with its path and a fix hint.
The file holds the options of createPolicy (JSON or YAML); schema: corsgate/schema/policy.json.

Options:
  --json      print a JSON report on stdout instead of text
  -h, --help  show this help

Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 unusable input.
`;

export interface LintReport {
  file: string;
  ok: boolean;
  errors: PolicyProblem[];
  warnings: PolicyProblem[];
}

type Loaded = { ok: true; value: unknown } | { ok: false; code: string; message: string };

/** Reads and parses a policy file: `.yaml`/`.yml` as YAML, `.json` as JSON, anything else JSON then YAML. */
export async function loadPolicyFile(file: string): Promise<Loaded> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, code: 'file-unreadable', message: `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message}` };
  }
  const ext = extname(file).toLowerCase();
  const asJson = (): Loaded => {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (err) {
      return { ok: false, code: 'json-invalid', message: `${file} is not valid JSON: ${(err as Error).message}` };
    }
  };
  const asYaml = (): Loaded => {
    try {
      return { ok: true, value: parseYaml(text, { uniqueKeys: true, prettyErrors: true }) };
    } catch (err) {
      return { ok: false, code: 'yaml-invalid', message: `${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}` };
    }
  };
  if (ext === '.json') return asJson();
  if (ext === '.yaml' || ext === '.yml') return asYaml();
  const json = asJson();
  return json.ok ? json : asYaml();
}

function formatProblem(p: PolicyProblem): string {
  const where = p.path === '' ? '(policy)' : p.path;
  const lines = [`  ${p.severity.padEnd(7)} ${where}  ${p.message} [${p.code}]`];
  if (p.hint) lines.push(`          fix: ${p.hint}`);
  return lines.join('\n');
}

export function formatReport(report: LintReport): string {
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const head = `${report.file}: ${report.errors.length === 0 && report.warnings.length === 0 ? 'ok, no problems' : `${count(report.errors.length, 'error')}, ${count(report.warnings.length, 'warning')}`}`;
  return [head, ...report.errors.map(formatProblem), ...report.warnings.map(formatProblem)].join('\n') + '\n';
}

/** A policy file may name its JSON Schema (`"$schema": ".../policy.schema.json"`) for editors; it is not an option. */
function withoutSchemaKey(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !('$schema' in value)) return value;
  const { $schema, ...rest } = value as Record<string, unknown>;
  return typeof $schema === 'string' ? rest : value;
}

export async function run(argv: string[]): Promise<number> {
  let json = false;
  const files: string[] = [];
  for (const arg of argv) {
    if (arg === '--json') json = true;
    else if (arg === '-h' || arg === '--help') {
      process.stdout.write(LINT_USAGE);
      return 0;
    } else if (arg.startsWith('-') && arg !== '-') {
      process.stderr.write(`corsgate lint: unknown option ${arg}\n\n${LINT_USAGE}`);
      return 2;
    } else files.push(arg);
  }
  if (files.length !== 1) {
    process.stderr.write(`corsgate lint: expected one policy file\n\n${LINT_USAGE}`);
    return 2;
  }
  const file = files[0]!;
  const loaded = await loadPolicyFile(file);
  if (!loaded.ok) {
    if (json) process.stdout.write(`${JSON.stringify({ file, ok: false, fatal: { code: loaded.code, message: loaded.message } }, null, 2)}\n`);
    else process.stderr.write(`corsgate lint: ${loaded.message}\n`);
    return 2;
  }
  const { errors, warnings } = validatePolicy(withoutSchemaKey(loaded.value));
  const report: LintReport = { file, ok: errors.length === 0, errors, warnings };
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return errors.length > 0 ? 1 : 0;
}
