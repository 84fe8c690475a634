/**
 * The console for the people who run the gateway, in real headless Chromium against the real
 * gateway: token management (list, create with a chosen permission, shown once, revoke), the phone
 * layout of the routes page, and the page-weight budget of what each page loads.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { api, repoRoot, startCli, tempDir, TOKEN, type RunningGateway } from '../gateway/helpers.js';

/** Gzipped bytes the console's shell may weigh (entry script and stylesheet), and any one page chunk. */
const SHELL_BUDGET = 12 * 1024;
const PAGE_BUDGET = 16 * 1024;
/** The policy engine with the public suffix list: shared, loaded only by the pages that check patterns. */
const ENGINE_BUDGET = 52 * 1024;
/** The explain page: the browser simulator with Chromium's and Firefox's models and message tables. */
const EXPLAIN_BUDGET = 28 * 1024;
/** The routes page at phone width, with the OAuth preset's routes: it was 4,594 px tall. */
const PHONE_ROUTES_MAX_PX = 2600;

describe('console: operations', () => {
  let gw: RunningGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cleanup: () => void;
  const problems: string[] = [];

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    gw = await startCli(['--store', `sqlite:${join(t.dir, 'ops.db')}`]);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gw.admin });
    page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${gw.admin}/#/tokens`);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Tokens', exact: true }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
    cleanup?.();
  });

  test('tokens: the list marks yours; create one with a chosen permission, shown once; it works; revoke it and it stops working', async () => {
    const table = page.getByRole('table', { name: 'Admin tokens' });
    await table.getByRole('cell', { name: 'admin (CORSGATE_ADMIN_TOKEN) (you)' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('ci-deploy');
    await page.getByRole('radio', { name: /^customize-application: also change trusted sites/ }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByText('Created the token ci-deploy: copy it now, it is shown only once.').waitFor();
    const shown = page.getByRole('figure').filter({ hasText: 'Token for ci-deploy' });
    const token = (await shown.locator('code').innerText()).trim();
    assert.match(token, /^cgt_[A-Za-z0-9_-]{43}$/);
    await shown.getByRole('button', { name: 'Copy' }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
    await table.getByRole('cell', { name: 'ci-deploy', exact: true }).waitFor();
    assert.match(await table.innerText(), /ci-deploy\s+customize-application/);

    const me = await api(gw.admin, token)('GET', '/api/me');
    assert.deepEqual(
      me.json.permissions,
      ['view-setup', 'customize-application'],
      'the token holds the chosen permission and what it implies',
    );
    assert.equal(
      (await api(gw.admin, token)('POST', '/api/allowlist', { urlPattern: 'https://x.example.com' })).status,
      403,
      'and no more',
    );

    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.reload();
    await table.getByRole('cell', { name: 'ci-deploy', exact: true }).waitFor();
    assert.doesNotMatch(await page.locator('main').innerText(), new RegExp(token), 'never shown again');

    await page.getByRole('button', { name: 'Revoke ci-deploy' }).click();
    await page.getByText('Revoked ci-deploy: it no longer works.').waitFor();
    await table.getByRole('cell', { name: 'ci-deploy', exact: true }).waitFor({ state: 'detached' });
    assert.equal((await api(gw.admin, token)('GET', '/api/me')).status, 401);
    const audit = await api(gw.admin)('GET', '/api/audit?entity=token&limit=2');
    assert.deepEqual(
      audit.json.items.map((e: { action: string }) => e.action),
      ['delete', 'create'],
      'both audited',
    );
  });

  test('tokens: a customize-application token sees the tokens but cannot create or revoke, and is told why up front', async () => {
    const created = await api(gw.admin)('POST', '/api/tokens', {
      name: 'designer',
      permissions: ['customize-application'],
    });
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const p = await other.newPage();
      await p.goto(`${gw.admin}/#/tokens`);
      await p.getByLabel('Admin token').fill(created.json.token);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p
        .getByText(
          /Read-only: your token can view tokens but changing it needs the modify-all-data permission/,
        )
        .waitFor();
      await p.getByRole('cell', { name: 'designer (you)' }).waitFor();
      assert.equal(await p.getByLabel('Name', { exact: true }).isDisabled(), true);
      assert.equal(await p.getByRole('button', { name: 'Revoke designer' }).isDisabled(), true);
    } finally {
      await other.close();
    }
  });

  test(`the routes page on a phone is a stack of compact cards, at most ${PHONE_ROUTES_MAX_PX} px tall`, async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const p = await phone.newPage();
      await p.goto(`${gw.admin}/#/routes`);
      await p.getByLabel('Admin token').fill(TOKEN);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByRole('cell', { name: /\/services\/oauth2\/token/ }).waitFor();
      const height = await p.evaluate(() => document.documentElement.scrollHeight);
      assert.ok(height <= PHONE_ROUTES_MAX_PX, `${height} px`);
      assert.equal(
        await p.evaluate(() => document.documentElement.scrollWidth),
        390,
        'nothing sticks out sideways',
      );
      // Collapsed, not gone: the kinds and the add form open with a tap.
      await p.locator('summary', { hasText: 'Add a route' }).click();
      await p.getByLabel('Paths').waitFor();
      await p.locator('summary', { hasText: 'The four kinds of route' }).click();
      await p.getByText(/Never CORS: any cross-origin request gets 403/).waitFor();
      // Priority, kind and origin of a route share one line.
      const row = p.getByRole('row').filter({ hasText: '/services/oauth2/userinfo' });
      const [priority, from] = await Promise.all([
        row.locator('td.inline').first().boundingBox(),
        row.locator('td.from').boundingBox(),
      ]);
      assert.ok(priority && from && Math.abs(priority.y - from.y) < 4, 'one line');
    } finally {
      await phone.close();
    }
  });

  test('page weight: the shell and every page stay within their gzipped budgets', async () => {
    const dist = join(repoRoot(), 'console', 'dist');
    const gz = (path: string) => gzipSync(readFileSync(join(dist, path)), { level: 9 }).length;
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const p = await fresh.newPage();
      const loaded: string[] = [];
      p.on('response', (r) => {
        const path = new URL(r.url()).pathname;
        if (path.startsWith('/assets/')) loaded.push(path);
      });
      await p.goto(`${gw.admin}/`);
      await p.getByRole('heading', { name: 'Sign in' }).waitFor();
      const shell = [...loaded];
      const shellBytes = shell.reduce((n, f) => n + gz(f), 0);
      assert.ok(
        shellBytes <= SHELL_BUDGET,
        `the shell and sign-in form: ${shellBytes} bytes gzipped (${shell.join(', ')})`,
      );
      await p.getByLabel('Admin token').fill(TOKEN);
      await p.getByRole('button', { name: 'Sign in' }).click();
      for (const hash of ['origins', 'routes', 'sites', 'generator', 'explain', 'scan', 'audit', 'tokens']) {
        await p.goto(`${gw.admin}/#/${hash}`);
        await p.locator('main h1').waitFor();
      }
      const chunks = [...new Set(loaded)].filter((f) => !shell.includes(f));
      assert.ok(chunks.length >= 8, `every page is its own chunk: ${chunks.join(', ')}`);
      for (const chunk of chunks) {
        const bytes = gz(chunk);
        const engine = bytes > PAGE_BUDGET && readFileSync(join(dist, chunk), 'utf8').includes('blogspot');
        const budget = engine
          ? ENGINE_BUDGET
          : chunk.startsWith('/assets/explain-')
            ? EXPLAIN_BUDGET
            : PAGE_BUDGET;
        assert.ok(bytes <= budget, `${chunk}: ${bytes} bytes gzipped (budget ${budget})`);
      }
    } finally {
      await fresh.close();
    }
    assert.deepEqual(problems, []);
  });
});
