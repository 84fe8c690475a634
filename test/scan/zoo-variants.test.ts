/**
 * The second zoo (zoo-variants.ts) scanned as an outside team would: several --resolve flags,
 * --insecure, no --origin. Each planted class is found with the right id and severity, the only
 * other findings at low or above are ones that are also true of that server, and the correctly
 * configured endpoints yield nothing at low or above.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { createPolicy } from 'corsgate';
import { runCli } from '../support/cli.js';
import { startVariantZoo, type VariantZoo } from './zoo-variants.js';

interface JsonFinding {
  id: string;
  severity: string;
  credentials: boolean;
  title: string;
  probe: { method: string; url: string; headers: Record<string, string> };
  evidence: { status: number; headers: Record<string, string> };
  fix: { text: string; policy?: Parameters<typeof createPolicy>[0] };
}
interface JsonResult {
  url: string;
  status: number;
  finalUrl: string;
  redirects: { status: number; location: string }[];
  grade: string;
  score: number;
  findings: JsonFinding[];
}

const AT_LEAST_LOW = new Set(['critical', 'high', 'medium', 'low']);

/** path → [planted id, its severity, other ids that may also be reported at low or above (true of that server too)]. */
const PLANTED: Array<[string, string, string, string[]]> = [
  [
    '/reflect-nocred',
    'origin-reflected',
    'high',
    ['null-origin-trusted', 'insecure-origin-trusted', 'origin-header-injection'],
  ],
  ['/endswith', 'suffix-match', 'high', ['any-subdomain-trusted', 'unescaped-dot']],
  ['/startswith', 'prefix-match', 'high', ['special-char-bypass']],
  [
    '/includes',
    'substring-match',
    'high',
    [
      'prefix-match',
      'suffix-match',
      'any-subdomain-trusted',
      'unescaped-dot',
      'special-char-bypass',
      'insecure-origin-trusted',
    ],
  ],
  ['/dot-first', 'unescaped-dot', 'high', []],
  ['/dot-inner', 'unescaped-dot', 'high', []],
  ['/list-includes', 'substring-match', 'high', []],
  ['/underscore', 'special-char-bypass', 'high', []],
  ['/backtick', 'special-char-bypass', 'medium', []],
  ['/subdomains', 'any-subdomain-trusted', 'medium', []],
  ['/http-legit', 'insecure-origin-trusted', 'medium', []],
  ['/thirdparty', 'third-party-origin-trusted', 'high', []],
  ['/localhost', 'localhost-prefix-trusted', 'high', []],
  ['/null', 'null-origin-trusted', 'high', []],
  ['/star-cred', 'invalid-acao', 'low', []],
  ['/multi', 'invalid-acao', 'low', []],
  ['/two-headers', 'invalid-acao', 'info', []],
  ['/malformed', 'invalid-acao', 'low', []],
  ['/trailing-slash', 'invalid-acao', 'low', []],
  ['/novary', 'missing-vary-origin', 'medium', []],
  ['/tab-strip', 'origin-header-injection', 'info', []],
  ['/preflight-star', 'permissive-preflight', 'low', []],
  ['/preflight-headers', 'permissive-preflight', 'info', []],
  ['/port-regex', 'unescaped-dot', 'high', []],
  ['/preflight-reflect-methods', 'permissive-preflight', 'medium', []],
  [
    '/missing',
    'origin-reflected',
    'critical',
    ['null-origin-trusted', 'insecure-origin-trusted', 'origin-header-injection'],
  ],
];
const CORRECT = ['/exact', '/public', '/none', '/static', '/normalizing', '/middleware-defaults', '/old'];

describe('corsgate scan against an independently built zoo', () => {
  let zoo: VariantZoo;
  let results: JsonResult[];
  let byUrl: Map<string, JsonResult>;
  let urls: string[];

  before(async () => {
    zoo = await startVariantZoo();
    urls = [
      ...[...PLANTED.map((p) => p[0]), ...CORRECT].map((p) => `${zoo.api}${p}`),
      `${zoo.svc}/v1/items`,
      `${zoo.data}/dot`,
      `${zoo.data}/underscore`,
      `${zoo.data}/reflect`,
      `${zoo.data}/good`,
    ];
    const r = await runCli([
      'scan',
      ...urls,
      ...zoo.resolve.flatMap((x) => ['--resolve', x]),
      '--insecure',
      '--json',
      '--rate',
      '0',
      '--concurrency',
      '8',
    ]);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 1, 'findings at or above high');
    results = (JSON.parse(r.stdout) as { results: JsonResult[] }).results;
    byUrl = new Map(results.map((x) => [x.url, x]));
  });
  after(() => zoo.close());

  test('results come in input order, one per URL', () => {
    assert.deepEqual(
      results.map((x) => x.url),
      urls,
    );
  });

  for (const [path, id, severity, alsoTrue] of PLANTED) {
    test(`${path}: ${id} (${severity}), nothing unrelated`, () => {
      const r = byUrl.get(`${zoo.api}${path}`)!;
      const f = r.findings.find((x) => x.id === id);
      assert.ok(f, `${id} not found on ${path}: ${JSON.stringify(r.findings.map((x) => x.id))}`);
      assert.equal(f.severity, severity, `${path} ${id}`);
      const unrelated = r.findings.filter(
        (x) => AT_LEAST_LOW.has(x.severity) && x.id !== id && !alsoTrue.includes(x.id),
      );
      assert.deepEqual(
        unrelated.map((x) => `${x.id} ${x.severity} ${JSON.stringify(x.probe.headers.Origin)}`),
        [],
        path,
      );
    });
  }

  test('correctly configured endpoints: no finding at low or above', () => {
    for (const path of CORRECT) {
      const bad = byUrl.get(`${zoo.api}${path}`)!.findings.filter((f) => AT_LEAST_LOW.has(f.severity));
      assert.deepEqual(
        bad.map((f) => `${f.id} ${JSON.stringify(f.probe.headers)}`),
        [],
        path,
      );
    }
    assert.deepEqual(byUrl.get(`${zoo.data}/good`)!.findings, []);
    assert.deepEqual(
      byUrl.get(`${zoo.api}/public`)!.findings.map((f) => `${f.id} ${f.severity}`),
      ['wildcard-origin info'],
    );
  });

  test('CORS answered only on preflights is still found, with the preflight as the probe', () => {
    const f = byUrl.get(`${zoo.svc}/v1/items`)!.findings.find((x) => x.id === 'origin-reflected');
    assert.ok(f);
    assert.equal(f.severity, 'critical');
    assert.equal(f.probe.method, 'OPTIONS');
  });

  test('a plain-http API whose checks think in https origins', () => {
    assert.ok(
      byUrl.get(`${zoo.data}/dot`)!.findings.some((f) => f.id === 'unescaped-dot' && f.severity === 'high'),
    );
    assert.deepEqual(
      byUrl.get(`${zoo.data}/underscore`)!.findings.map((f) => `${f.id} ${f.severity}`),
      ['special-char-bypass high'],
      'an http-only host extraction',
    );
    const reflect = byUrl.get(`${zoo.data}/reflect`)!.findings.map((f) => f.id);
    assert.ok(reflect.includes('origin-reflected'));
    assert.ok(!reflect.includes('insecure-origin-trusted'), 'http origins are the norm for an http target');
  });

  test('status, redirects and final URL are recorded', () => {
    assert.equal(byUrl.get(`${zoo.api}/missing`)!.status, 404);
    const old = byUrl.get(`${zoo.api}/old`)!;
    assert.equal(old.status, 200);
    assert.equal(old.finalUrl, `${zoo.api}/exact`);
    assert.deepEqual(old.redirects, [{ status: 301, location: `${zoo.api}/exact` }]);
  });

  test('every finding carries its probe, evidence, credentials and a valid corsgate policy as the fix', () => {
    for (const r of results) {
      for (const f of r.findings) {
        assert.ok(f.probe.method === 'GET' || f.probe.method === 'OPTIONS');
        assert.equal(typeof f.probe.headers.Origin, 'string');
        assert.equal(f.probe.url, r.finalUrl);
        assert.equal(typeof f.evidence.status, 'number');
        assert.equal(typeof f.credentials, 'boolean');
        assert.equal(
          f.credentials,
          f.evidence.headers['access-control-allow-credentials'] === 'true' && f.id !== 'wildcard-origin',
        );
        assert.ok(f.fix.text.length > 20 && f.fix.policy, `${f.id} has a fix`);
        assert.doesNotThrow(() => createPolicy(f.fix.policy!), `${f.id}: ${JSON.stringify(f.fix.policy)}`);
      }
      const order = ['critical', 'high', 'medium', 'low', 'info'];
      const ranks = r.findings.map((f) => order.indexOf(f.severity));
      assert.deepEqual(
        ranks,
        [...ranks].sort((a, b) => a - b),
        'worst first',
      );
    }
  });

  test('without credentials a finding drops one level instead of disappearing', () => {
    const f = byUrl.get(`${zoo.api}/reflect-nocred`)!.findings.find((x) => x.id === 'origin-reflected')!;
    assert.equal(f.credentials, false);
    assert.equal(f.severity, 'high');
  });

  test('--proxy: every request goes through the proxy (CONNECT), which resolves the host itself', async () => {
    const seen: string[] = [];
    const port = Number(new URL(zoo.data).port);
    const proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      seen.push(req.url ?? '');
      const upstream = net.connect(port, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    try {
      const r = await runCli([
        'scan',
        `${zoo.data}/reflect`,
        '--proxy',
        `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        '--json',
        '--rate',
        '0',
      ]);
      assert.equal(r.code, 1, r.stderr);
      assert.ok(
        JSON.parse(r.stdout).results[0].findings.some((f: JsonFinding) => f.id === 'origin-reflected'),
      );
      assert.ok(
        seen.length > 0 && seen.every((u) => u === `${new URL(zoo.data).host}`),
        JSON.stringify(seen.slice(0, 3)),
      );
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });

  test('--cookie and --header reach an authenticated endpoint; URLs on stdin; valid SARIF', async () => {
    const flags = [...zoo.resolve.flatMap((x) => ['--resolve', x]), '--insecure', '--rate', '0'];
    const anonymous = await runCli(['scan', `${zoo.api}/auth`, ...flags, '--json']);
    assert.equal(anonymous.code, 0, anonymous.stderr);
    const signedIn = await runCli(
      [
        'scan',
        '-',
        ...flags,
        '--cookie',
        'session=abc',
        '--header',
        'Authorization: Bearer t0ken',
        '--sarif',
      ],
      `${zoo.api}/auth\n`,
    );
    assert.equal(signedIn.code, 1, signedIn.stderr);
    const sarif = JSON.parse(signedIn.stdout);
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    assert.equal(run.tool.driver.name, 'corsgate');
    assert.equal(run.invocations[0].executionSuccessful, true);
    const result = run.results.find((r: { ruleId: string }) => r.ruleId === 'origin-reflected');
    assert.ok(result);
    assert.equal(result.level, 'error');
    assert.equal(run.tool.driver.rules[result.ruleIndex].id, 'origin-reflected');
    assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, `${zoo.api}/auth`);
    for (const rule of run.tool.driver.rules)
      assert.match(rule.properties['security-severity'], /^\d+(\.\d)?$/);
  });

  test('--fail-on sets the exit threshold; the human report gives a verdict and the fix', async () => {
    const flags = [...zoo.resolve.flatMap((x) => ['--resolve', x]), '--insecure', '--rate', '0'];
    const byDefault = await runCli(['scan', `${zoo.api}/novary`, ...flags]);
    assert.equal(byDefault.code, 0, 'a medium finding is below the default threshold (high)');
    assert.match(
      byDefault.stdout,
      /! https:\/\/api\.zoo-two\.co\.uk:\d+\/novary: 1 CORS finding, worst medium/,
    );
    assert.match(byDefault.stdout, /MEDIUM missing-vary-origin/);
    assert.match(byDefault.stdout, /fix: Add Vary: Origin .* corsgate policy: \{"origins":\[/);
    assert.match(byDefault.stdout, /1 URL scanned: 0 with findings at or above high\./);
    assert.equal(
      (await runCli(['scan', `${zoo.api}/novary`, ...flags, '--fail-on', 'medium', '--json'])).code,
      1,
    );
    assert.equal(
      (await runCli(['scan', `${zoo.api}/public`, ...flags, '--fail-on', 'low', '--json'])).code,
      0,
      'wildcard-origin is info',
    );
    assert.equal(
      (await runCli(['scan', `${zoo.api}/public`, ...flags, '--fail-on', 'info', '--json'])).code,
      1,
    );
  });
});
