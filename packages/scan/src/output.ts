/** Reports: human text, JSON (deterministic) and SARIF 2.1.0 for code-scanning tools. */
import { SEVERITIES, type Severity } from './classify.js';
import type { ScanResult } from './types.js';

const MARK: Record<Severity, string> = { critical: '‼', high: '✖', medium: '!', low: '·', info: 'i' };

export function toJson(results: ScanResult[]): string {
  return `${JSON.stringify({ results }, null, 2)}\n`;
}

/** Control characters shown escaped, as the JSON string would show them, so the terminal shows what came back. */
function visible(value: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x1f\x7f]/.test(value) ? JSON.stringify(value) : value;
}

export function toHuman(results: ScanResult[], failOn: Severity = 'high'): string {
  const out: string[] = [];
  const threshold = SEVERITIES.indexOf(failOn);
  for (const r of results) {
    if (r.error) {
      out.push(`✖ ${r.url}: could not be scanned\n  error: ${r.error.message} [${r.error.code}]\n`);
      continue;
    }
    const worst = r.findings[0]?.severity;
    const verdict = worst
      ? `${r.findings.length} CORS finding${r.findings.length === 1 ? '' : 's'}, worst ${worst}`
      : 'no CORS misconfiguration found';
    const mark =
      worst === undefined || (worst === 'info' && threshold < SEVERITIES.indexOf('info'))
        ? '✔'
        : SEVERITIES.indexOf(worst) <= threshold
          ? '✖'
          : '!';
    out.push(
      `${mark} ${r.url}: ${verdict}; status ${r.status}; security headers grade ${r.grade} (${r.score})`,
    );
    if (r.finalUrl && r.finalUrl !== r.url)
      out.push(`  final URL ${r.finalUrl} after ${r.redirects.map((x) => x.status).join(' → ')}`);
    else if (r.redirects.length)
      out.push(
        `  redirected off-host to ${r.redirects[r.redirects.length - 1]!.location} (${r.redirects.map((x) => x.status).join(' → ')}); probed ${r.finalUrl}`,
      );
    for (const f of r.findings) {
      out.push(
        `  ${MARK[f.severity]} ${f.severity.toUpperCase()} ${f.id}: ${f.title}${f.credentials ? ' (with credentials)' : ''}`,
      );
      out.push(
        `      sent Origin: ${JSON.stringify(f.probe.headers.Origin ?? '')} (${f.probe.method}); got ${f.evidence.status} ${Object.entries(
          f.evidence.headers,
        )
          .map(([n, v]) => `${n}: ${visible(v)}`)
          .join('; ')}`,
      );
      out.push(`      fix: ${f.fix.text}`);
    }
    const failed = Object.values(r.observatory?.tests ?? {}).filter((t) => t.scoreModifier < 0);
    if (failed.length)
      out.push(`  headers: ${failed.map((t) => `${t.result} (${t.scoreModifier})`).join(', ')}`);
    const csp = r.csp.filter(
      (c) => c.severity === 'HIGH' || c.severity === 'SYNTAX' || c.severity === 'MEDIUM',
    );
    for (const c of csp)
      out.push(
        `  csp ${c.severity} ${c.type} ${c.directive}${c.value ? ` ${c.value}` : ''}: ${c.description}`,
      );
    out.push('');
  }
  const failing = results.filter((r) =>
    r.findings.some((f) => SEVERITIES.indexOf(f.severity) <= threshold),
  ).length;
  const errors = results.filter((r) => r.error).length;
  const scanned = errors ? `${results.length - errors} of ${results.length}` : `${results.length}`;
  out.push(
    `${scanned} URL${results.length === 1 ? '' : 's'} scanned: ${failing} with findings at or above ${failOn}${errors ? `, ${errors} could not be scanned` : ''}.`,
  );
  return `${out.join('\n')}\n`;
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** GitHub code scanning reads `security-severity` (0.1–10) to rank security alerts. */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.5',
};

export function toSarif(results: ScanResult[], version: string): string {
  const rules: Array<{
    id: string;
    name: string;
    shortDescription: { text: string };
    fullDescription: { text: string };
    help: { text: string };
    defaultConfiguration: { level: string };
    properties: Record<string, unknown>;
  }> = [];
  const ruleIndex = new Map<string, number>();
  const sarifResults = [];
  for (const r of results) {
    for (const f of r.findings) {
      if (!ruleIndex.has(f.id)) {
        ruleIndex.set(f.id, rules.length);
        rules.push({
          id: f.id,
          name: f.id.replace(/(^|-)([a-z])/g, (_, _d: string, c: string) => c.toUpperCase()),
          shortDescription: { text: f.title },
          fullDescription: { text: f.title },
          help: { text: f.fix.text.replace(/ corsgate policy: .*$/, '') },
          defaultConfiguration: { level: LEVEL[f.severity] },
          properties: { tags: ['security', 'cors'], 'security-severity': SECURITY_SEVERITY[f.severity] },
        });
      }
      sarifResults.push({
        ruleId: f.id,
        ruleIndex: ruleIndex.get(f.id)!,
        level: LEVEL[f.severity],
        message: {
          text: `${f.title}: Origin ${JSON.stringify(f.probe.headers.Origin ?? '')} got Access-Control-Allow-Origin ${JSON.stringify(f.evidence.headers['access-control-allow-origin'] ?? '')}${f.credentials ? ' with credentials' : ''}. ${f.fix.text}`,
        },
        locations: [{ physicalLocation: { artifactLocation: { uri: r.url } } }],
        partialFingerprints: { 'corsgate/v1': `${f.id}:${r.url}` },
        properties: {
          severity: f.severity,
          'security-severity': SECURITY_SEVERITY[f.severity],
          credentials: f.credentials,
          status: r.status,
          finalUrl: r.finalUrl,
          probe: f.probe,
          evidence: f.evidence,
          fix: f.fix,
        },
      });
    }
  }
  const notifications = results
    .filter((r) => r.error)
    .map((r) => ({
      level: 'error',
      message: { text: r.error!.message },
      descriptor: { id: r.error!.code },
      locations: [{ physicalLocation: { artifactLocation: { uri: r.url } } }],
    }));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'corsgate',
            version,
            semanticVersion: version,
            informationUri: 'https://www.npmjs.com/package/corsgate',
            rules,
          },
        },
        invocations: [
          { executionSuccessful: notifications.length === 0, toolExecutionNotifications: notifications },
        ],
        results: sarifResults,
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
