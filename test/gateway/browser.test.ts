// End to end in real Chromium: a page on an allowlisted origin reads the API through the gateway;
// a page on another origin cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../support/browser.js';
import { api, pageServer, startCli, startUpstream, tempDir } from './helpers.js';

test('Chromium: an allowlisted origin reads the API through the gateway, another origin is blocked', async () => {
  const tmp = tempDir();
  const upstream = await startUpstream();
  // Chromium treats localhost and 127.0.0.1 as different origins.
  const allowed = await pageServer('localhost');
  const other = await pageServer('127.0.0.1');
  const gw = await startCli(['--upstream', upstream.url, '--store', `sqlite:${tmp.dir}/b.db`]);
  const browser = await launchChromium();
  try {
    assert.equal((await api(gw.admin)('POST', '/api/allowlist', { urlPattern: allowed.origin })).status, 201);
    const page = await browser.newPage();
    const read = (url: string) =>
      page.evaluate(async (u) => {
        try {
          const res = await fetch(u, {
            method: 'PUT',
            credentials: 'include',
            headers: { 'content-type': 'application/json', 'x-client': '1' },
            body: '{"a":1}',
          });
          return { ok: true, status: res.status, body: await res.text() };
        } catch (err) {
          return { ok: false, error: String(err) };
        }
      }, url);

    await page.goto(`${allowed.origin}/`);
    const good = await read(`${gw.proxy}/api/data`);
    assert.equal(good.ok, true, JSON.stringify(good));
    assert.equal(good.status, 200);
    assert.match(good.body!, /"ok":true/);

    const hitsBefore = upstream.hits;
    await page.goto(`${other.origin}/`);
    const bad = await read(`${gw.proxy}/api/data`);
    assert.equal(bad.ok, false, 'the browser blocks the read');
    assert.match(bad.error!, /TypeError|Failed to fetch/);
    assert.equal(upstream.hits, hitsBefore, 'the refused origin never reached the upstream');
  } finally {
    await browser.close();
    await gw.stop();
    await upstream.close();
    allowed.server.close();
    other.server.close();
    tmp.cleanup();
  }
});
