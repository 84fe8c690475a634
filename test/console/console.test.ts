/**
 * The admin console in real headless Chromium, against the real gateway (compiled CLI, temp SQLite
 * store): sign in, manage origins (valid, invalid, delete, bulk paste), trusted sites with the CSP
 * preview, the header generator, explain, and the audit log. Screenshots of every page at desktop and
 * phone widths are taken on each run; CORSGATE_UPDATE_SCREENSHOTS=1 copies them to docs/screenshots/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { repoRoot, startCli, tempDir, TOKEN, type RunningGateway } from '../gateway/helpers.js';

const APP = 'https://app.example.com';

describe('admin console', () => {
  let gw: RunningGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cleanup: () => void;
  const shots = mkdtempSync(join(tmpdir(), 'corsgate-shots-'));

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    gw = await startCli(['--store', `sqlite:${join(t.dir, 'console.db')}`]);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gw.admin });
    page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
    cleanup?.();
  });

  const proxyOrigin = async (origin: string) => {
    const res = await fetch(`${gw.proxy}/api/hello`, { headers: { Origin: origin } });
    await res.arrayBuffer();
    return { status: res.status, acao: res.headers.get('access-control-allow-origin') };
  };

  test('the console is served under a strict CSP and clickjacking protection', async () => {
    const res = await fetch(`${gw.admin}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.match(await res.text(), /<script type="module" crossorigin src="\/assets\//);
  });

  test('sign in with a token; a wrong token is refused', async () => {
    await page.goto(`${gw.admin}/#/signin`);
    await page.getByLabel('Admin token').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Allowed origins' }).waitFor();
    assert.ok(!page.url().includes(TOKEN), 'the token never appears in a URL');
  });

  test('add a valid origin and see it take effect through the proxy; an invalid one gets the engine\'s message', async () => {
    assert.equal((await proxyOrigin(APP)).status, 403);
    await page.getByLabel('Origin URL pattern').fill('http://app.example.com');
    await page.getByText('http is only allowed for loopback hosts').first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add origin' }).isDisabled(), true);
    await page.getByLabel('Origin URL pattern').fill(APP);
    await page.getByLabel('Description', { exact: true }).fill('web app');
    await page.getByRole('button', { name: 'Add origin' }).click();
    await page.getByRole('cell', { name: APP, exact: true }).waitFor();
    const after = await proxyOrigin(APP);
    assert.equal(after.status, 200);
    assert.equal(after.acao, APP);
  });

  test('bulk paste reports each line', async () => {
    await page.getByLabel(/One origin per line/).fill(`https://a.example.com first\nhttp://bad.example.com\n${APP}`);
    await page.getByRole('button', { name: 'Add all' }).click();
    const results = page.getByRole('table', { name: 'Bulk paste results' });
    await results.waitFor();
    const text = await results.innerText();
    assert.match(text, /a\.example\.com\s+added/);
    assert.match(text, /bad\.example\.com\s+invalid/);
    assert.match(text, /duplicate/);
  });

  test('delete an origin: the proxy refuses it again', async () => {
    await page.getByRole('button', { name: `Delete ${APP}` }).click();
    await page.locator('table.list').first().getByRole('cell', { name: APP, exact: true }).waitFor({ state: 'detached' });
    assert.equal((await proxyOrigin(APP)).status, 403);
  });

  test('trusted site with the live CSP preview', async () => {
    await page.goto(`${gw.admin}/#/sites`);
    await page.getByLabel('Trusted site name').fill('cdn');
    await page.getByLabel('URL', { exact: true }).fill('https://cdn.example.com');
    await page.getByLabel(/img-src/).check();
    const preview = page.getByTestId('csp-preview');
    await page.waitForFunction(() => document.querySelector('[data-testid="csp-preview"]')?.textContent?.includes('https://cdn.example.com'));
    assert.match(await preview.innerText(), /img-src 'self' https:\/\/cdn\.example\.com/);
    await page.getByRole('button', { name: 'Add trusted site' }).click();
    await page.getByRole('cell', { name: 'https://cdn.example.com' }).waitFor();
  });

  test('header generator: headers, warnings and a config to copy', async () => {
    await page.goto(`${gw.admin}/#/generator`);
    await page.getByText('Sample preflight answer').waitFor();
    await page.getByRole('tab', { name: 'Express' }).click();
    await page.getByRole('button', { name: 'Copy' }).click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(copied, /corsgate\/express/);
    await page.getByLabel(/Allowed origins/).fill('*');
    await page.getByText(/credentials/i).first().waitFor();
  });

  test('explain a pasted case', async () => {
    await page.goto(`${gw.admin}/#/explain`);
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.getByText('Blocked: the preflight failed').waitFor();
    await page.getByText("must not be the wildcard '*'").first().waitFor();
  });

  test('scan a URL from the console: findings and grade', async () => {
    const { createServer } = await import('node:http');
    const reflecting = createServer((req, res) => {
      if (req.headers.origin) {
        res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
        res.setHeader('Access-Control-Allow-Credentials', 'true');
      }
      res.end('{}');
    });
    await new Promise<void>((r) => reflecting.listen(0, '127.0.0.1', () => r()));
    try {
      const address = reflecting.address() as { port: number };
      await page.goto(`${gw.admin}/#/scan`);
      await page.getByLabel('URL').fill(`http://127.0.0.1:${address.port}/api`);
      await page.getByRole('button', { name: 'Scan' }).click();
      await page.getByText('Status: done').waitFor({ timeout: 30_000 });
      await page.getByRole('cell', { name: 'origin-reflected' }).waitFor();
      await page.getByText(/grade [A-F]/).first().waitFor();
    } finally {
      reflecting.closeAllConnections();
      reflecting.close();
    }
  });

  test('the audit log shows who changed what', async () => {
    await page.goto(`${gw.admin}/#/audit`);
    await page.getByRole('cell', { name: /allowlist/ }).first().waitFor();
    const text = await page.locator('table.list').innerText();
    assert.match(text, /https:\/\/app\.example\.com/);
  });

  test('screenshots of every page at desktop and phone widths', async () => {
    const pages = ['origins', 'routes', 'sites', 'generator', 'explain', 'scan', 'audit'];
    for (const [label, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]] as const) {
      await page.setViewportSize(viewport);
      for (const p of pages) {
        await page.goto(`${gw.admin}/#/${p}`);
        await page.locator('main h1').waitFor();
        await page.waitForTimeout(150);
        const file = join(shots, `${p}-${label}.png`);
        await page.screenshot({ path: file, fullPage: false });
      }
    }
    if (process.env.CORSGATE_UPDATE_SCREENSHOTS === '1') {
      const dest = join(repoRoot(), 'docs', 'screenshots');
      mkdirSync(dest, { recursive: true });
      for (const p of pages) for (const label of ['desktop', 'phone']) copyFileSync(join(shots, `${p}-${label}.png`), join(dest, `${p}-${label}.png`));
    }
  });
});
