/**
 * Issue 14's "Done when", in real Chromium as a new user would try it: corsgate in report-only in
 * front of an API with its own permissive CORS; three origins browse; the Traffic page shows all
 * three with what the upstream answered; two are added with one click each; the gateway switches
 * to enforce and the third is refused. Then an entry the page shows as unused is deleted and a
 * trusted site is added from a CSP report. Screenshots of the page (desktop and phone) are taken;
 * CORSGATE_UPDATE_SCREENSHOTS=1 copies them to docs/screenshots/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import {
  api,
  eventually,
  repoRoot,
  startCli,
  startUpstream,
  tempDir,
  TOKEN,
  type RunningGateway,
  type Upstream,
} from '../gateway/helpers.js';

const OLD = 'https://old-partner.example.com';
const UNTRUSTED = 'https://widgets.example.net';

/** A site on its own loopback port (its own origin) whose page calls the API through the gateway. */
async function site(gateway: () => string): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>site</title><script>
      fetch('${gateway()}/api/orders', { credentials: 'include' }).then((r) => r.json()).then(() => { document.title = 'read'; }, () => { document.title = 'blocked'; });
    </script>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('console: the traffic view, report-only to enforce', () => {
  let upstream: Upstream;
  let gw: RunningGateway;
  let browser: Browser;
  let page: Page;
  let cleanup: () => void;
  const sites: { origin: string; server: Server }[] = [];
  const problems: string[] = [];
  const shots = mkdtempSync(join(tmpdir(), 'corsgate-traffic-'));
  const call = () => api(gw.admin);

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    // The API's own CORS: any origin, with credentials (the migration's starting point).
    upstream = await startUpstream((req, res) => {
      if (req.url === '/app/page') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><title>app</title><script src="/app/app.js"></script>');
        return true;
      }
      if (req.url === '/app/app.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(`fetch('${UNTRUSTED}/feed').catch(() => { document.title = 'csp-blocked'; });`);
        return true;
      }
      const origin = req.headers.origin;
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(origin
          ? {
              'access-control-allow-origin': origin,
              'access-control-allow-credentials': 'true',
              vary: 'Origin',
            }
          : {}),
      });
      res.end('{"orders":[]}');
      return true;
    });
    gw = await startCli([
      '--upstream',
      upstream.url,
      '--store',
      `sqlite:${join(t.dir, 'traffic.db')}`,
      '--usage-flush',
      '200',
    ]);
    for (let i = 0; i < 3; i++) sites.push(await site(() => gw.proxy));
    assert.equal(
      (await call()('POST', '/api/allowlist', { urlPattern: OLD, description: 'a partner that left' }))
        .status,
      201,
    );
    assert.equal(
      (await call()('POST', '/api/routes', { kind: 'allowlist', paths: ['/app/*'], csp: true })).status,
      201,
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('dialog', (d) => void d.accept());
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) problems.push(m.text());
    });
    await page.goto(`${gw.admin}/#/traffic`);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Traffic', level: 1 }).waitFor();
  });

  after(async () => {
    await browser?.close();
    for (const s of sites) s.server.close();
    await gw?.stop();
    await upstream?.close();
    cleanup?.();
  });

  /** Opens a site's page in a tab of its own and says whether its script could read the API. */
  const browse = async (origin: string): Promise<string> => {
    const tab = await browser.newPage();
    try {
      await tab.goto(`${origin}/`);
      await tab.waitForFunction(() => document.title !== 'site');
      return await tab.title();
    } finally {
      await tab.close();
    }
  };
  const refresh = () => page.getByRole('button', { name: 'Refresh' }).click();
  const refusedRow = (origin: string) =>
    page
      .getByRole('table', { name: /Refused and would-be-refused/ })
      .getByRole('row')
      .filter({ hasText: origin });

  test('report-only: three origins browse, the view shows each with what the upstream answered', async () => {
    await page.getByRole('button', { name: 'Switch to report-only' }).click();
    await page.getByRole('heading', { name: 'Mode: report-only' }).waitFor();
    for (const s of sites)
      assert.equal(
        await browse(s.origin),
        'read',
        `${s.origin}: the upstream's own CORS answer reaches the page`,
      );
    await eventually(async () => (await call()('GET', '/api/usage/refused')).json.items.length === 3);
    await refresh();
    for (const s of sites) {
      await refusedRow(s.origin).getByText(`granted (${s.origin})`).waitFor();
      await page
        .getByRole('table', { name: /upstream granted/ })
        .getByRole('row')
        .filter({ hasText: s.origin })
        .getByText(`Access-Control-Allow-Origin: ${s.origin}`)
        .waitFor();
    }
  });

  test('two origins added with one click each, then enforce: the third is refused', async () => {
    for (const s of sites.slice(0, 2)) {
      await refusedRow(s.origin)
        .getByRole('button', { name: `Add ${s.origin} to the allowlist` })
        .click();
      await page.getByText(`Added ${s.origin}: in force at the gateway now.`).waitFor();
      await refusedRow(s.origin).getByText('Added to the allowlist').waitFor();
    }
    const entries = (await call()('GET', '/api/allowlist')).json.items.map(
      (e: { urlPattern: string }) => e.urlPattern,
    );
    assert.deepEqual(entries.sort(), [OLD, sites[0]!.origin, sites[1]!.origin].sort());
    await page.getByRole('button', { name: 'Switch to enforce' }).click();
    await page.getByRole('heading', { name: 'Mode: enforce' }).waitFor();
    assert.equal(await browse(sites[0]!.origin), 'read');
    assert.equal(await browse(sites[1]!.origin), 'read');
    assert.equal(await browse(sites[2]!.origin), 'blocked', 'refused by corsgate now');
    const third = await eventually(async () => {
      const rows = (await call()('GET', '/api/usage/traffic?period=hour')).json.buckets;
      return rows.some((b: { refused: number }) => b.refused > 0) && rows;
    });
    assert.ok(third.some((b: { wouldRefuse: number }) => b.wouldRefuse >= 3));
    await refresh();
    await refusedRow(sites[2]!.origin).waitFor();
  });

  test('an entry shown as unused is deleted; a trusted site is added from a CSP report', async () => {
    // The enforce-mode visits are hits of the two new entries once written (every 200 ms here).
    await eventually(
      async () => (await call()('GET', '/api/usage/allowlist?unused=true')).json.items.length === 1,
    );
    await refresh();
    const unused = page.getByRole('table', { name: /not seen in the last 30 days/ });
    await unused.getByRole('cell', { name: OLD, exact: true }).waitFor();
    assert.equal(
      await unused.getByRole('cell', { name: sites[0]!.origin, exact: true }).count(),
      0,
      'used entries are not offered',
    );
    await unused.getByRole('button', { name: `Delete ${OLD}` }).click();
    await page.getByText(`Deleted ${OLD}: in force at the gateway now.`).waitFor();
    assert.equal(
      (await call()('GET', '/api/allowlist')).json.items.some(
        (e: { urlPattern: string }) => e.urlPattern === OLD,
      ),
      false,
    );

    const tab = await browser.newPage();
    await tab.goto(`${gw.proxy}/app/page`);
    await tab.waitForFunction(() => document.title === 'csp-blocked');
    await tab.close();
    await eventually(async () => (await call()('GET', '/api/usage/csp')).json.items.length > 0);
    await refresh();
    const csp = page.getByRole('table', { name: /CSP violations reported/ });
    await csp.getByRole('cell', { name: UNTRUSTED, exact: true }).waitFor();
    await csp.getByRole('button', { name: `Add trusted site ${UNTRUSTED}` }).click();
    await page.getByText(`Trusted ${UNTRUSTED} for connect-src: in force at the gateway now.`).waitFor();
    const sitesList = (await call()('GET', '/api/trusted-sites')).json.items;
    assert.equal(sitesList[0].endpointUrl, UNTRUSTED);
    assert.equal(sitesList[0].isApplicableToConnectSrc, true);
    const res = await fetch(`${gw.proxy}/app/page`);
    assert.match(
      res.headers.get('content-security-policy')!,
      /connect-src [^;]*https:\/\/widgets\.example\.net/,
    );
  });

  test('trusted sites: one added report-only goes into Content-Security-Policy-Report-Only only', async () => {
    await page.goto(`${gw.admin}/#/sites`);
    await page.getByLabel('Trusted site name').fill('trial');
    await page.getByLabel('URL', { exact: true }).fill('https://trial.example.com');
    await page.getByLabel(/Report-only first/).check();
    await page.getByRole('button', { name: 'Add trusted site' }).click();
    await page.getByRole('cell', { name: 'https://trial.example.com' }).waitFor();
    await page.getByRole('cell', { name: 'report-only' }).waitFor();
    assert.doesNotMatch(
      await page.getByTestId('csp-preview').innerText(),
      /trial\.example\.com/,
      'the preview is the enforced header',
    );
    const res = await fetch(`${gw.proxy}/app/page`);
    assert.doesNotMatch(res.headers.get('content-security-policy')!, /trial\.example\.com/);
    assert.match(
      res.headers.get('content-security-policy-report-only')!,
      /connect-src [^;]*https:\/\/trial\.example\.com/,
    );
    await page.goto(`${gw.admin}/#/traffic`);
    await page.getByRole('heading', { name: 'Traffic', level: 1 }).waitFor();
  });

  test('screenshots of the traffic page at desktop and phone widths', async () => {
    await refresh();
    for (const [label, viewport] of [
      ['desktop', { width: 1280, height: 800 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
      // The notices go by themselves after a while: one may be gone before it is clicked.
      for (const b of await page.getByRole('button', { name: 'Dismiss' }).all())
        await b.click({ timeout: 1000 }).catch(() => undefined);
      await page.evaluate(() => document.querySelector('.notices')?.replaceChildren());
      const height = Math.min(
        await page.evaluate(() => document.documentElement.scrollHeight),
        label === 'desktop' ? 1800 : 2400,
      );
      await page.screenshot({
        path: join(shots, `traffic-${label}.png`),
        fullPage: true,
        clip: { x: 0, y: 0, width: viewport.width, height },
      });
    }
    assert.equal(
      await page.evaluate(() => document.documentElement.scrollWidth),
      390,
      'nothing sticks out sideways on a phone',
    );
    assert.deepEqual(problems, [], 'no script error and no CSP violation on the console');
    if (process.env.CORSGATE_UPDATE_SCREENSHOTS === '1') {
      const dest = join(repoRoot(), 'docs', 'screenshots');
      mkdirSync(dest, { recursive: true });
      for (const label of ['desktop', 'phone'])
        copyFileSync(join(shots, `traffic-${label}.png`), join(dest, `traffic-${label}.png`));
    }
  });
});
