// Real Chromium, through the gateway with the built-in demo API: a page the gateway serves uses its
// own API (same-origin POST with Origin), a page elsewhere still cannot; an exposed header set
// through the settings API is readable by an allowlisted page (issue 17 §2, §3).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { api, pageServer, startCli, startUpstream, tempDir } from './helpers.js';

type Result =
  { ok: true; status: number; body: string; header: string | null } | { ok: false; error: string };

const post = (url: string, header = 'x-request-id') => `
  (async () => {
    try {
      const res = await fetch(${JSON.stringify(url)}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
      return { ok: true, status: res.status, body: await res.text(), header: res.headers.get(${JSON.stringify(header)}) };
    } catch (err) {
      return { ok: false, error: String(err) };
    }
  })()`;

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser.close();
});

test('Chromium: the demo page POSTs to its own API through the gateway; an unlisted origin is still refused', async () => {
  const tmp = tempDir();
  const other = await pageServer('localhost');
  const gw = await startCli(['--store', `sqlite:${tmp.dir}/s.db`]);
  try {
    const page = await browser.newPage();
    await page.goto(`${gw.proxy}/`);
    const own = (await page.evaluate(post('/api/echo'))) as Result;
    assert.equal(own.ok, true, JSON.stringify(own));
    assert.equal(own.ok && own.status, 200, JSON.stringify(own));
    // Chromium did send Origin (the gateway passed it on), and it was the page's own origin.
    assert.equal(own.ok && JSON.parse(own.body).headers.origin, new URL(gw.proxy).origin);

    await page.goto(`${other.origin}/`);
    const cross = (await page.evaluate(post(`${gw.proxy}/api/echo`))) as Result;
    assert.equal(cross.ok, false, 'a cross-origin POST from an unlisted origin is blocked');
    const direct = await fetch(`${gw.proxy}/api/echo`, { method: 'POST', headers: { origin: other.origin } });
    assert.equal(direct.status, 403);
    assert.equal(((await direct.json()) as { error: { code: string } }).error.code, 'origin-not-allowed');
  } finally {
    await gw.stop();
    other.server.close();
    tmp.cleanup();
  }
});

test('Chromium: an exposed header set through PUT /api/settings is read by an allowlisted page', async () => {
  const tmp = tempDir();
  const client = await pageServer('localhost');
  const upstream = await startUpstream((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-42' });
    res.end('{"ok":true}');
    req.resume();
    return true;
  });
  const gw = await startCli(['--upstream', upstream.url, '--store', `sqlite:${tmp.dir}/s.db`]);
  const admin = api(gw.admin);
  try {
    assert.equal((await admin('POST', '/api/allowlist', { urlPattern: client.origin })).status, 201);
    const page = await browser.newPage();
    await page.goto(`${client.origin}/`);
    const hidden = (await page.evaluate(post(`${gw.proxy}/api/data`))) as Result;
    assert.equal(hidden.ok && hidden.status, 200, JSON.stringify(hidden));
    assert.equal(hidden.ok && hidden.header, null, 'not exposed: the page cannot read it');
    const put = await admin('PUT', '/api/settings', { exposeHeaders: ['X-Request-Id'] });
    assert.equal(put.status, 200, put.text);
    const read = (await page.evaluate(post(`${gw.proxy}/api/data`))) as Result;
    assert.equal(read.ok && read.header, 'req-42', JSON.stringify(read));
  } finally {
    await gw.stop();
    await upstream.close();
    client.server.close();
    tmp.cleanup();
  }
});
