/**
 * The allowlist CORS options in the console, in real Chromium (issue 17 §3): the engine's errors
 * and warnings show as one types, a refused value cannot be saved, and an exposed header saved in
 * the console is read by an allowlisted page through the gateway.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchChromium } from '../support/browser.js';
import { api, startCli, startUpstream, tempDir, TOKEN } from '../gateway/helpers.js';

test('console: an exposed header set on the routes page is read by a page; the engine words every problem', async () => {
  const tmp = tempDir();
  const client = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>client</title>');
  });
  await new Promise<void>((r) => client.listen(0, '127.0.0.1', r));
  const clientOrigin = `http://localhost:${(client.address() as AddressInfo).port}`;
  const upstream = await startUpstream((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'console-7' });
    res.end('{}');
    req.resume();
    return true;
  });
  const gw = await startCli(['--upstream', upstream.url, '--store', `sqlite:${tmp.dir}/c.db`]);
  const browser = await launchChromium();
  try {
    assert.equal((await api(gw.admin)('POST', '/api/allowlist', { urlPattern: clientOrigin })).status, 201);
    const page = await browser.newPage();
    await page.goto(`${gw.admin}/`);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Allowed origins' }).waitFor();
    await page.goto(`${gw.admin}/#/routes`);
    const exposed = page.getByLabel('Exposed headers');
    const save = page.getByRole('button', { name: 'Save CORS options' });
    await exposed.fill('Set-Cookie');
    await page
      .getByRole('list', { name: 'Problems' })
      .getByText(/Set-Cookie can never be exposed to scripts/)
      .waitFor();
    assert.equal(await save.isDisabled(), true, 'an error cannot be saved');
    await exposed.fill('Content-Type');
    await page
      .getByRole('list', { name: 'Warnings' })
      .getByText(/always readable by scripts/)
      .waitFor();
    await page.getByLabel('Public origins of this gateway').fill('https://gw.example.com/');
    await page
      .getByRole('list', { name: 'Problems' })
      .getByText(/did you mean https:\/\/gw\.example\.com\?/)
      .waitFor();
    await page.getByLabel('Public origins of this gateway').fill('');
    await exposed.fill('X-Request-Id');
    await save.click();
    await page.getByText('Saved the CORS options: in force at the gateway now.').waitFor();
    assert.deepEqual((await api(gw.admin)('GET', '/api/settings')).json.exposeHeaders, ['X-Request-Id']);

    const reader = await browser.newPage();
    await reader.goto(`${clientOrigin}/`);
    const header = await reader.evaluate(
      async (u) => (await fetch(u)).headers.get('x-request-id'),
      `${gw.proxy}/api/data`,
    );
    assert.equal(header, 'console-7');
  } finally {
    await browser.close();
    await gw.stop();
    await upstream.close();
    client.close();
    tmp.cleanup();
  }
});
