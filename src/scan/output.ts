/** Reports: human text, JSON (deterministic) and SARIF 2.1.0 for code-scanning tools. */
import { SEVERITIES, type Severity } from './classify.js';
import type { ScanResult } from './index.js';

const MARK: Record<Severity, string> = { critical: '‼', high: '✖', medium: '!', low: '·', info: 'i' };

export function toJson(results: ScanResult[]): string {
  return `${JSON.stringify({ results }, null, 2)}\n`;
}

export function toHuman(results: ScanResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    if (r.error) {
      out.push(`✖ ${r.url}\n  error: ${r.error.message} [${r.error.code}]\n`);
      continue;
    }
    const worst = r.findings[0]?.severity;
    const verdict = worst ? `${r.findings.length} CORS finding${r.findings.length === 1 ? '' : 's'}, worst ${worst}` : 'no CORS misconfiguration found';
    out.push(`${worst && SEVERITIES.indexOf(worst) <= 1 ? '✖' : '✔'} ${r.url}: ${verdict}; security headers grade ${r.grade} (${r.score})`);
    if (r.finalUrl && r.finalUrl !== r.url) out.push(`  final URL ${r.finalUrl} after ${r.redirects.map((x) => x.status).join(' → ')}`);
    for (const f of r.findings) {
      out.push(`  ${MARK[f.severity]} ${f.severity.toUpperCase()} ${f.id}: ${f.title}${f.credentials ? ' (with credentials)' : ''}`);
      out.push(`      sent Origin: ${JSON.stringify(f.probe.headers.Origin ?? '')} (${f.probe.method}); got ${f.evidence.status} ${Object.entries(f.evidence.headers).map(([n, v]) => `${n}: ${v}`).join('; ')}`);
      out.push(`      fix: ${f.fix.text}`);
    }
    const failed = Object.values(r.observatory?.tests ?? {}).filter((t) => t.scoreModifier < 0);
    if (failed.length) out.push(`  headers: ${failed.map((t) => `${t.result} (${t.scoreModifier})`).join(', ')}`);
    const csp = r.csp.filter((c) => c.severity === 'HIGH' || c.severity === 'SYNTAX' || c.severity === 'MEDIUM');
    for (const c of csp) out.push(`  csp ${c.severity} ${c.type} ${c.directive}${c.value ? ` ${c.value}` : ''}: ${c.description}`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

export function toSarif(results: ScanResult[], version: string): string {
  const rules = new Map<string, { id: string; shortDescription: { text: string }; defaultConfiguration: { level: string } }>();
  const sarifResults = [];
  for (const r of results) {
    for (const f of r.findings) {
      if (!rules.has(f.id)) rules.set(f.id, { id: f.id, shortDescription: { text: f.title }, defaultConfiguration: { level: LEVEL[f.severity] } });
      sarifResults.push({
        ruleId: f.id,
        level: LEVEL[f.severity],
        message: { text: `${f.title}: Origin ${JSON.stringify(f.probe.headers.Origin ?? '')} got Access-Control-Allow-Origin ${JSON.stringify(f.evidence.headers['access-control-allow-origin'] ?? '')}${f.credentials ? ' with credentials' : ''}. ${f.fix.text}` },
        locations: [{ physicalLocation: { artifactLocation: { uri: r.url } } }],
        properties: { severity: f.severity, credentials: f.credentials, probe: f.probe, evidence: f.evidence },
      });
    }
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'corsgate', version, informationUri: 'https://www.npmjs.com/package/corsgate', rules: [...rules.values()] } }, results: sarifResults }],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
