/**
 * The console of a gateway started with `--policy FILE` (config as code), in real headless Chromium:
 * every page says up front that the policy lives in the file, with its controls disabled before any
 * click, even for a token that holds every permission; scans, which change no policy, still run.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { startCli, tempDir, TOKEN, type RunningGateway } from '../gateway/helpers.js';

describe('console: read-only under --policy', () => {
  let gw: RunningGateway;
  let browser: Browser;
  let page: Page;
  let cleanup: () => void;
  let file = '';
  const writes: string[] = [];
  const problems: string[] = [];

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    file = join(t.dir, 'policy.yaml');
    writeFileSync(
      file,
      'origins:\n  - https://code.example.com\ntrustedSites:\n  - { name: cdn, endpointUrl: "https://cdn.example.com", isApplicableToImgSrc: true }\nroutes:\n  - { kind: public, paths: ["/public/*"] }\n',
    );
    gw = await startCli(['--policy', file]);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('dialog', (d) => void d.dismiss());
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => {
      if (r.url().includes('/api/') && r.method() !== 'GET')
        writes.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });
    await page.goto(`${gw.admin}/`);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Allowed origins' }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
    cleanup?.();
  });

  test('every policy page shows the read-only state and disabled controls before any click', async () => {
    assert.match(await page.locator('header').innerText(), /read-only: policy file/);
    const pages = [
      [
        'origins',
        'Allowed origins',
        ['Origin URL pattern', /One origin per line/],
        ['Add origin', 'Delete https://code.example.com'],
      ],
      [
        'routes',
        'Routes & endpoint rules',
        ['Enable CORS for OAuth endpoints', 'My Domain hosts', 'Paths'],
        ['Add route', 'Delete route /public/*', 'Edit route /public/*'],
      ],
      [
        'sites',
        'Trusted sites (CSP)',
        ['Trusted site name', 'Baseline'],
        ['Add trusted site', 'Delete cdn', 'Save baseline'],
      ],
      ['tokens', 'Tokens', ['Name'], ['Create token', 'Revoke admin (CORSGATE_ADMIN_TOKEN)']],
    ] as const;
    for (const [hash, heading, fields, buttons] of pages) {
      await page.goto(`${gw.admin}/#/${hash}`);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      const note = page
        .getByRole('note')
        .filter({ hasText: 'Read-only: this gateway runs from the policy file' });
      await note.first().waitFor();
      assert.match(
        await note.first().innerText(),
        new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(--policy\\)`),
        `${hash}: the note names the file`,
      );
      for (const label of fields)
        assert.equal(
          await page
            .getByLabel(label, { exact: typeof label === 'string' })
            .first()
            .isDisabled(),
          true,
          `${hash}: ${String(label)} is disabled`,
        );
      for (const name of buttons)
        assert.equal(
          await page.getByRole('button', { name, exact: true }).isDisabled(),
          true,
          `${hash}: ${name} is disabled`,
        );
    }
    assert.deepEqual(writes, [], 'nothing was attempted: no refusal after a click');
  });

  test('scans still run: they change no policy', async () => {
    await page.goto(`${gw.admin}/#/scan`);
    await page.getByRole('heading', { name: 'Scan', exact: true }).waitFor();
    assert.equal(await page.getByLabel('URL', { exact: true }).isDisabled(), false);
    assert.equal(
      await page.getByLabel('Also allowed').isDisabled(),
      true,
      'where scans may go is policy: read-only',
    );
    await page.getByLabel('URL', { exact: true }).fill(`${gw.proxy}/api/hello`);
    await page.getByRole('button', { name: 'Scan', exact: true }).click();
    await page.getByText('Status: done').waitFor({ timeout: 30_000 });
    assert.deepEqual(problems, []);
  });
});
