/**
 * The CSP baseline: the gateway's trusted-sites policy carries, after the six directives trusted
 * sites widen, the `cspBaseline` setting's directives (by default script-src 'self', object-src
 * 'none', base-uri, form-action, frame-ancestors), so that the header passes corsgate's own scan.
 * The admin sees and changes it; a bad one is refused with the reason; '' brings back the six only.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildContentSecurityPolicy,
  cspGaps,
  DEFAULT_CSP_BASELINE,
  parseCspBaseline,
} from 'corsgate/internal/csp/index.js';
import { evaluateCsp, grade } from '@corsgate/scan';
import { api, eventually, startCli, tempDir } from '../gateway/helpers.js';

const SIX =
  "connect-src 'self'; font-src 'self'; frame-src 'self'; img-src 'self'; media-src 'self'; style-src 'self'";

describe('the CSP baseline', () => {
  test("the default baseline follows the six directives, and the whole header passes CSP Evaluator's high checks and the Observatory's CSP test", () => {
    const { header } = buildContentSecurityPolicy([], { baseline: DEFAULT_CSP_BASELINE });
    assert.equal(header, `${SIX}; ${DEFAULT_CSP_BASELINE}`);
    assert.deepEqual(
      evaluateCsp(header).filter((f) => /high/i.test(f.severity)),
      [],
    );
    const observatory = grade({
      response: {
        url: 'https://app.example.com/',
        status: 200,
        headers: { 'content-security-policy': header, 'content-type': 'text/html' },
        setCookies: [],
      },
    });
    assert.equal(observatory.tests['content-security-policy']!.pass, true);
    // Without it, corsgate's own scan fails the header, as the issue found.
    assert.ok(evaluateCsp(SIX).some((f) => /high/i.test(f.severity) && f.directive === 'script-src'));
    assert.deepEqual(cspGaps(header), []);
    assert.equal(cspGaps(SIX).length, 5);
    assert.match(cspGaps(SIX)[0]!, /scripts may load from any site/);
  });

  test('bad baselines are refused with the reason; the builder keeps only the sound directives', () => {
    const cases: [string, RegExp][] = [
      ["connect-src 'self' https://x.example.com", /connect-src is built from the trusted sites/],
      ["scrip-src 'self'", /'scrip-src' is not a CSP directive \(did you mistype it\?\)/],
      ["script-src 'self', object-src 'none'", /a comma would start a second policy/],
      ["script-src 'self'; script-src *", /script-src is given twice/],
      ["style-src-elem 'self'", /style-src-elem would override style-src/],
      ["script-src 'self'\nX-Injected: 1", /plain ASCII text on one line/],
      ["sc@ript 'self'", /is not a directive name/],
    ];
    for (const [value, message] of cases) {
      const { problems } = parseCspBaseline(value);
      assert.equal(problems.length, 1, value);
      assert.match(problems[0]!.message, message);
    }
    assert.deepEqual(parseCspBaseline("  script-src   'self' ;; object-src 'none';").directives, [
      "script-src 'self'",
      "object-src 'none'",
    ]);
    const built = buildContentSecurityPolicy([], {
      baseline: "script-src 'self', evil *; object-src 'none'",
    });
    assert.equal(
      built.header,
      `${SIX}; object-src 'none'`,
      'a directive with a comma never reaches the header',
    );
    assert.match(built.warnings[0]!.message, /^the CSP baseline: .*comma/);
    assert.equal(
      buildContentSecurityPolicy([]).header,
      SIX,
      'the library alone keeps Salesforce’s six directives',
    );
  });

  test('through the gateway: the header carries the setting, scanned clean by corsgate scan; the admin changes it, and a bad one is refused', async () => {
    const tmp = tempDir();
    const g = await startCli(['--store', `sqlite:${tmp.dir}/baseline.db`]);
    try {
      const admin = api(g.admin);
      assert.equal(
        (await admin('GET', '/api/settings')).json.cspBaseline,
        DEFAULT_CSP_BASELINE,
        'visible in the settings',
      );
      assert.equal(
        (await admin('POST', '/api/routes', { kind: 'allowlist', paths: ['/'], csp: true, priority: 1 }))
          .status,
        201,
      );
      const header = async () => {
        const res = await fetch(`${g.proxy}/`);
        await res.arrayBuffer();
        return res.headers.get('content-security-policy')!;
      };
      // The gateway points violation reports at itself (report-uri over plain HTTP; docs/gateway.md).
      const REPORTS = '; report-uri /.corsgate/csp-reports';
      assert.equal(await header(), `${SIX}; ${DEFAULT_CSP_BASELINE}${REPORTS}`);
      // corsgate's own scan of the gateway's own page (the proxy may always be scanned).
      const started = await admin('POST', '/api/scans', { url: `${g.proxy}/` });
      assert.equal(started.status, 202, started.text);
      const job = await eventually(async () => {
        const j = (await admin('GET', `/api/scans/${started.json.id}`)).json;
        return j.status !== 'running' && j;
      }, 30_000);
      const result = job.results[0];
      assert.deepEqual(
        result.csp.filter((f: { severity: string }) => /high/i.test(f.severity)),
        [],
        JSON.stringify(result.csp),
      );
      assert.equal(result.observatory.tests['content-security-policy'].pass, true);

      const bad = await admin('PUT', '/api/settings', { cspBaseline: "script-src 'self'; img-src *" });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.code, 'csp-baseline-invalid');
      assert.equal(bad.json.error.field, 'cspBaseline');
      assert.match(bad.json.error.message, /img-src is built from the trusted sites/);
      assert.equal(
        (
          await admin('PUT', '/api/settings', {
            cspBaseline: "script-src 'self' https://js.example.com; object-src 'none'",
          })
        ).status,
        200,
      );
      assert.equal(
        await header(),
        `${SIX}; script-src 'self' https://js.example.com; object-src 'none'${REPORTS}`,
      );
      assert.equal((await admin('PUT', '/api/settings', { cspBaseline: '' })).status, 200);
      assert.equal(await header(), `${SIX}${REPORTS}`, "'' leaves the six directives only");
      const audit = await admin('GET', '/api/audit?entity=settings&limit=1');
      assert.equal(audit.json.items[0].after.cspBaseline, '');
    } finally {
      await g.stop();
      tmp.cleanup();
    }
  });
});
