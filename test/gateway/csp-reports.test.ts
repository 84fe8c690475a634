// Issue 14 §3: CSP violation reports — the reporting directives, the intake's bounds, the aggregate,
// and a real Chromium page whose blocked connection reaches the endpoint.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import {
  api,
  eventually,
  startCli,
  startUpstream,
  tempDir,
  type RunningGateway,
  type Upstream,
} from './helpers.js';

const PATH = '/.corsgate/csp-reports';
const UNTRUSTED = 'https://untrusted.example';

function report(directive: string, blocked: string, page: string) {
  return {
    type: 'csp-violation',
    age: 1,
    url: page,
    user_agent: 'test',
    body: {
      documentURL: page,
      blockedURL: blocked,
      effectiveDirective: directive,
      disposition: 'enforce',
      originalPolicy: "connect-src 'self'",
    },
  };
}

describe('CSP violation reports', () => {
  let upstream: Upstream;
  let gw: RunningGateway;
  let tmp: ReturnType<typeof tempDir>;
  let call: ReturnType<typeof api>;
  let browser: Browser;

  before(async () => {
    tmp = tempDir();
    upstream = await startUpstream((req, res) => {
      if (req.url?.startsWith('/app/page')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        // The baseline's script-src 'self' admits a script file of the page's own origin.
        res.end('<!doctype html><title>app</title><script src="/app/app.js"></script>');
        return true;
      }
      if (req.url === '/app/app.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(`fetch('${UNTRUSTED}/data?token=secret').catch(() => { document.title = 'blocked'; });`);
        return true;
      }
      return false;
    });
    // --trust-proxy: the tests below stand for a TLS front that says so with X-Forwarded-Proto.
    gw = await startCli([
      '--upstream',
      upstream.url,
      '--store',
      `sqlite:${tmp.dir}/gw.db`,
      '--usage-flush',
      '100',
      '--trust-proxy',
    ]);
    call = api(gw.admin);
    assert.equal(
      (await call('POST', '/api/routes', { kind: 'allowlist', paths: ['/app/*'], csp: true })).status,
      201,
    );
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await gw.stop();
    await upstream.close();
    tmp.cleanup();
  });

  test('a CSP route reports to the gateway: report-to with Reporting-Endpoints over TLS, and report-uri', async () => {
    // Behind a TLS front (X-Forwarded-Proto: https): both forms.
    const res = await fetch(`${gw.proxy}/app/page`, { headers: { 'x-forwarded-proto': 'https' } });
    const csp = res.headers.get('content-security-policy')!;
    assert.ok(csp.endsWith(`; report-uri ${PATH}; report-to corsgate`), csp);
    assert.equal(res.headers.get('reporting-endpoints'), `corsgate="${PATH}"`);
    // Plain HTTP: Chromium ignores Reporting-Endpoints there and would then drop report-uri too.
    const plainHttp = await fetch(`${gw.proxy}/app/page`);
    assert.ok(plainHttp.headers.get('content-security-policy')!.endsWith(`; report-uri ${PATH}`));
    assert.equal(plainHttp.headers.get('reporting-endpoints'), null);
    assert.equal(res.headers.get('content-security-policy-report-only'), null, 'no report-only site yet');
    const plain = await fetch(`${gw.proxy}/page`);
    assert.equal(plain.headers.get('reporting-endpoints'), null, 'routes without the CSP get no reporting');
  });

  test("without --trust-proxy, X-Forwarded-Proto does not choose the reporting headers: the listener's scheme does", async () => {
    // A client reaching the gateway directly over plain HTTP could otherwise ask for report-to, which
    // Chromium ignores over HTTP together with report-uri (no report would ever arrive).
    const direct = await startCli(['--upstream', upstream.url, '--store', `sqlite:${tmp.dir}/direct.db`]);
    try {
      const route = await api(direct.admin)('POST', '/api/routes', {
        kind: 'allowlist',
        paths: ['/app/*'],
        csp: true,
      });
      assert.equal(route.status, 201, route.text);
      const res = await fetch(`${direct.proxy}/app/page`, { headers: { 'x-forwarded-proto': 'https' } });
      const csp = res.headers.get('content-security-policy')!;
      assert.ok(csp.endsWith(`; report-uri ${PATH}`), csp);
      assert.equal(res.headers.get('reporting-endpoints'), null);
    } finally {
      await direct.stop();
    }
  });

  test('a report-only trusted site goes into Content-Security-Policy-Report-Only only', async () => {
    const site = await call('POST', '/api/trusted-sites', {
      name: 'trial',
      endpointUrl: 'https://trial.example.com',
      isApplicableToImgSrc: true,
      reportOnly: true,
    });
    assert.equal(site.status, 201, site.text);
    assert.equal(site.json.reportOnly, true);
    const res = await fetch(`${gw.proxy}/app/page`, { headers: { 'x-forwarded-proto': 'https' } });
    assert.doesNotMatch(res.headers.get('content-security-policy')!, /trial\.example\.com/);
    assert.match(
      res.headers.get('content-security-policy-report-only')!,
      /img-src [^;]*https:\/\/trial\.example\.com[^;]*;.*report-to corsgate$/,
    );
    assert.equal((await call('DELETE', `/api/trusted-sites/${site.json.id}`)).status, 204);
  });

  // Before the intake test: its burst empties this client's report budget for a couple of seconds.
  test('Chromium: a blocked connection to an untrusted site reaches the endpoint (report-uri over HTTP), and its trusted site clears it', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${gw.proxy}/app/page`);
      await page.waitForFunction(() => document.title === 'blocked');
      const row = await eventually(async () => {
        const r = await call('GET', '/api/usage/csp?limit=1000');
        return r.json.items.find((i: { blockedOrigin: string }) => i.blockedOrigin === UNTRUSTED);
      }, 20_000);
      assert.equal(row.directive, 'connect-src');
      assert.deepEqual(row.pages, [`${gw.proxy}/app/page`]);
      assert.equal(row.trustedSite.flag, 'isApplicableToConnectSrc');
      const site = await call('POST', '/api/trusted-sites', {
        name: row.trustedSite.name,
        endpointUrl: row.trustedSite.endpointUrl,
        [row.trustedSite.flag]: true,
      });
      assert.equal(site.status, 201, site.text);
      const res = await fetch(`${gw.proxy}/app/page`);
      assert.match(
        res.headers.get('content-security-policy')!,
        /connect-src [^;]*https:\/\/untrusted\.example/,
      );
    } finally {
      await page.close();
    }
  });
  test('the intake validates, bounds and counts; nothing is stored raw', async () => {
    const post = (type: string, body: string) =>
      fetch(gw.proxy + PATH, { method: 'POST', headers: { 'content-type': type }, body });
    const page = `${gw.proxy}/app/form?session=abc`;
    assert.equal(
      (
        await post(
          'application/reports+json',
          JSON.stringify([report('img-src', 'https://cdn.example.com/a.png?x=1', page)]),
        )
      ).status,
      204,
    );
    const legacy = {
      'csp-report': {
        'document-uri': page,
        'blocked-uri': 'https://cdn.example.com/b.png',
        'violated-directive': 'img-src',
        'effective-directive': 'img-src',
      },
    };
    assert.equal((await post('application/csp-report', JSON.stringify(legacy))).status, 204);
    const bad = await post(
      'application/reports+json',
      JSON.stringify([{ type: 'csp-violation', body: { effectiveDirective: 'img-src' } }]),
    );
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, 'csp-report-invalid');
    assert.equal((await post('application/reports+json', '{not json')).status, 400);
    assert.equal((await post('text/plain', '[]')).status, 415);
    assert.equal((await post('application/reports+json', 'x'.repeat(70_000))).status, 413);
    assert.equal((await fetch(gw.proxy + PATH)).status, 405);
    // 100 reports at once from one client: the burst is kept, the surplus dropped and counted.
    const many = Array.from({ length: 100 }, (_, i) =>
      report('font-src', `https://fonts${i}.example.com/f.woff`, page),
    );
    assert.equal((await post('application/reports+json', JSON.stringify(many))).status, 204);
    const agg = await eventually(async () => {
      const r = await call('GET', '/api/usage/csp?limit=1000');
      return (
        r.json.dropped > 0 &&
        r.json.items.some((i: { directive: string }) => i.directive === 'img-src') &&
        r.json
      );
    });
    assert.ok(agg.dropped >= 50, `dropped ${agg.dropped}`);
    assert.ok(agg.malformed >= 4, `malformed ${agg.malformed}`);
    const img = agg.items.find((i: { directive: string }) => i.directive === 'img-src');
    assert.equal(img.blockedOrigin, 'https://cdn.example.com');
    assert.equal(img.count, 2);
    assert.deepEqual(img.pages, [`${gw.proxy}/app/form`], 'pages without their query');
    assert.deepEqual(img.trustedSite, {
      name: 'cdn_example_com',
      endpointUrl: 'https://cdn.example.com',
      flag: 'isApplicableToImgSrc',
    });
    assert.equal(upstream.last?.url.startsWith(PATH), false, 'reports never reach the upstream');
  });
});
