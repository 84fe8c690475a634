/**
 * `corsgate lint policy.json|policy.yaml [--json]`: checks a policy file and prints every error and
 * warning with its path and a fix hint. Two formats: the engine's (a PolicyOptions object, as
 * `createPolicy` takes) and the gateway's (`corsgate serve --policy`: the same keys plus `allowlist`,
 * `trustedSites`, `settings`, `routes`), which is checked by the very loader `serve` uses.
 * Exit codes: 0 clean (warnings allowed), 1 errors found, 2 unusable input.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validatePolicy } from 'corsgate/internal/policy/validate.js';
import type { PolicyProblem } from 'corsgate/internal/policy/types.js';

export const LINT_USAGE = `Usage: corsgate lint <policy.json|policy.yaml> [--json]

Checks a CORS policy file and prints every error and warning with its path and a fix hint.
The file holds the options of createPolicy (JSON or YAML; schema: corsgate/schema/policy.json),
or is a gateway policy file (corsgate serve --policy: allowlist, trustedSites, settings, routes).

Options:
  --json      print a JSON report on stdout instead of text
  -h, --help  show this help

Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 unusable input.
`;

/** Which of the two formats a file is: the engine's options, or `corsgate serve --policy`'s file. */
export type PolicyFileFormat = 'policy' | 'gateway';

/** The keys only a gateway policy file has. */
const GATEWAY_KEYS = ['allowlist', 'trustedSites', 'settings', 'routes'];

export interface LintReport {
  file: string;
  format: PolicyFileFormat;
  ok: boolean;
  errors: PolicyProblem[];
  warnings: PolicyProblem[];
}

type Loaded = { ok: true; value: unknown } | { ok: false; code: string; message: string };

/** Reads and parses a policy file: `.yaml`/`.yml` as YAML, `.json` as JSON, anything else JSON then YAML. */
export async function readPolicyDocument(file: string): Promise<Loaded> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      ok: false,
      code: 'file-unreadable',
      message: `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message}`,
    };
  }
  const ext = extname(file).toLowerCase();
  const asJson = (): Loaded => {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (err) {
      return {
        ok: false,
        code: 'json-invalid',
        message: `${file} is not valid JSON: ${(err as Error).message}`,
      };
    }
  };
  const asYaml = (): Loaded => {
    try {
      return { ok: true, value: parseYaml(text, { uniqueKeys: true, prettyErrors: true }) };
    } catch (err) {
      return {
        ok: false,
        code: 'yaml-invalid',
        message: `${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`,
      };
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
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !('$schema' in value))
    return value;
  const { $schema, ...rest } = value as Record<string, unknown>;
  return typeof $schema === 'string' ? rest : value;
}

function isGatewayFile(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    GATEWAY_KEYS.some((k) => k in value)
  );
}

function lintOptions(file: string, value: unknown): LintReport {
  const { errors, warnings } = validatePolicy(withoutSchemaKey(value));
  return { file, format: 'policy', ok: errors.length === 0, errors, warnings };
}

/**
 * A gateway policy file, checked by `corsgate serve --policy`'s own loader, so that lint accepts
 * exactly what serve accepts. Its problems are lines `where: [code: ]message`.
 */
async function lintGatewayFile(file: string): Promise<LintReport> {
  // Loaded only for such a file: the gateway's loader brings the admin API's schemas with it.
  const [{ engine }, { loadPolicyFile: loadGatewayPolicyFile, PolicyFileError }] = await Promise.all([
    import('../gateway/engine.js'),
    import('../gateway/policy-file.js'),
  ]);
  try {
    const { store } = await loadGatewayPolicyFile(file, engine);
    await store.close();
    return { file, format: 'gateway', ok: true, errors: [], warnings: [] };
  } catch (err) {
    if (!(err instanceof PolicyFileError)) throw err;
    const errors = err.problems.map((line): PolicyProblem => {
      const m = /^([^\s:]+): (?:([a-z]+(?:-[a-z]+)+): )?([\s\S]*)$/.exec(line);
      return {
        severity: 'error',
        code: m?.[2] ?? 'gateway-policy-invalid',
        path: m?.[1] ?? '',
        message: m?.[3] ?? line,
      };
    });
    return { file, format: 'gateway', ok: false, errors, warnings: [] };
  }
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
  const loaded = await readPolicyDocument(file);
  if (!loaded.ok) {
    if (json)
      process.stdout.write(
        `${JSON.stringify({ file, ok: false, fatal: { code: loaded.code, message: loaded.message } }, null, 2)}\n`,
      );
    else process.stderr.write(`corsgate lint: ${loaded.message}\n`);
    return 2;
  }
  const report = isGatewayFile(loaded.value) ? await lintGatewayFile(file) : lintOptions(file, loaded.value);
  const { errors } = report;
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return errors.length > 0 ? 1 : 0;
}
