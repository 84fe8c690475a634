/**
 * The console of a fleet node, in real headless Chromium: the Nodes page lists both nodes of a
 * two-node fleet on PostgreSQL with their versions, and a banner appears while the node the console
 * talks to cannot reach its store (its relay cut), and goes once it is back.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { tempDir, TOKEN } from '../gateway/helpers.js';
import { testDatabase } from '../support/pg.js';
import { Relay, startNode, type FleetNodeProc } from './harness.js';

let db: Awaited<ReturnType<typeof testDatabase>>;
let tmp: ReturnType<typeof tempDir>;
const relays: Relay[] = [];
const nodes: FleetNodeProc[] = [];
let browser: Browser;
let page: Page;

before(async () => {
  db = await testDatabase('console');
  tmp = tempDir();
  for (const id of ['a', 'b']) {
    const r = new Relay({ host: db.host, port: db.port });
    await r.start();
    relays.push(r);
    nodes.push(await startNode(id, r, db, tmp.dir));
  }
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.goto(`${nodes[0]!.gw.admin}/`);
  await page.getByLabel('Admin token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Allowed origins' }).waitFor();
});

after(async () => {
  await browser?.close();
  await Promise.all(nodes.map((n) => n.gw.stop()));
  for (const r of relays) await r.close();
  await db?.drop();
  tmp?.cleanup();
});

test('the Nodes page lists every node with its version, checksum and store', async () => {
  assert.equal(
    (await nodes[1]!.admin('POST', '/api/allowlist?wait=all', { urlPattern: 'https://console.example.com' }))
      .status,
    201,
  );
  await page.getByRole('link', { name: 'Nodes' }).click();
  await page.getByRole('heading', { name: 'Nodes', exact: true }).waitFor();
  const rows = page.locator('table.nodes tbody tr');
  await page.waitForFunction(
    () =>
      document.querySelectorAll('table.nodes tbody tr').length === 2 &&
      !document.querySelector('table.nodes .badge'),
  );
  assert.deepEqual(await rows.locator('th').allInnerTexts(), ['a', 'b']);
  const versions = await rows.locator('td:nth-child(2)').allInnerTexts();
  assert.equal(new Set(versions).size, 1, versions.join(' / '));
  assert.match(await rows.first().innerText(), /connected/);
});

test('a banner says so while this node cannot reach its store, and goes when it is back', async () => {
  const banner = page.getByRole('alert').filter({ hasText: 'cannot reach its store' });
  assert.equal(await banner.count(), 0);
  relays[0]!.cut();
  await banner.waitFor({ timeout: 15_000 });
  assert.match(await banner.innerText(), /keeps enforcing\s+version \d+/);
  relays[0]!.heal();
  await banner.waitFor({ state: 'detached', timeout: 15_000 });
});
