// The gateway at the edge in real Chromium: an HTTPS (h2) gateway with a self-signed certificate
// (accepted by --ignore-certificate-errors on the throwaway profile playwright gives each launch),
// a credentialed cross-origin fetch over h2, and a WebSocket chat through the gateway from an
// allowlisted page, refused from another page before the upstream sees the handshake.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/browser.js';
import { api, pageServer, startCli, tempDir } from './helpers.js';
import { makeCert, startEchoUpstream } from './edge-support.js';

test('Chromium over HTTPS/h2: CORS fetch and a WebSocket chat for the allowlisted origin; another origin is refused before the upstream', async () => {
  const tmp = tempDir();
  const upstream = await startEchoUpstream('chat');
  const allowed = await pageServer('localhost', 'chat');
  const other = await pageServer('127.0.0.1', 'chat');
  const pair = makeCert(tmp.dir);
  const gw = await startCli([
    '--upstream',
    upstream.url,
    '--store',
    `sqlite:${tmp.dir}/b.db`,
    '--tls-cert',
    pair.cert,
    '--tls-key',
    pair.key,
  ]);
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, '--ignore-certificate-errors'],
  });
  try {
    assert.equal((await api(gw.admin)('POST', '/api/allowlist', { urlPattern: allowed.origin })).status, 201);
    const page = await browser.newPage();
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(m.text()));
    // The protocol of each response as Chromium's network stack saw it (cross-origin timing hides it from the page).
    const protocols = new Map<string, string>();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    cdp.on('Network.responseReceived', (e: { response: { url: string; protocol?: string } }) =>
      protocols.set(e.response.url, e.response.protocol ?? ''),
    );
    const read = (url: string) =>
      page.evaluate(async (u) => {
        try {
          const res = await fetch(u, { credentials: 'include' });
          return { ok: true, status: res.status, body: await res.text() };
        } catch (err) {
          return { ok: false, error: String(err) };
        }
      }, url);
    const chat = (url: string) =>
      page.evaluate(
        (u) =>
          new Promise<{ opened: boolean; replies: string[]; closeCode: number }>((resolve) => {
            const ws = new WebSocket(u);
            const replies: string[] = [];
            let opened = false;
            ws.onopen = () => {
              opened = true;
              ws.send('hi');
            };
            ws.onmessage = (e) => {
              replies.push(String(e.data));
              if (replies.length === 1) ws.send('bye');
              else ws.close(1000);
            };
            ws.onclose = (e) => resolve({ opened, replies, closeCode: e.code });
          }),
        url,
      );

    await page.goto(`${allowed.origin}/`);
    const good = await read(`${gw.proxy}/api/data`);
    assert.equal(good.ok, true, JSON.stringify(good));
    assert.equal(good.status, 200);
    assert.equal(protocols.get(`${gw.proxy}/api/data`), 'h2', 'Chromium fetched over HTTP/2');
    const wss = `${gw.proxy.replace('https:', 'wss:')}/chat`;
    const talk = await chat(wss);
    assert.deepEqual(talk, { opened: true, replies: ['chat:hi', 'chat:bye'], closeCode: 1000 });
    assert.deepEqual(upstream.handshakes, [allowed.origin]);

    await page.goto(`${other.origin}/`);
    const bad = await read(`${gw.proxy}/api/data`);
    assert.equal(bad.ok, false, 'the browser blocks the read');
    const refused = await chat(wss);
    assert.equal(refused.opened, false);
    assert.equal(refused.closeCode, 1006);
    assert.deepEqual(
      upstream.handshakes,
      [allowed.origin],
      'the upstream saw no handshake from the refused origin',
    );
    // The console line corsgate explain describes for a refused handshake.
    assert.ok(
      consoleLines.some((l) =>
        l.includes(
          `WebSocket connection to '${wss}' failed: Error during WebSocket handshake: Unexpected response code: 403`,
        ),
      ),
      consoleLines.join('\n'),
    );
  } finally {
    await browser.close();
    await gw.stop();
    await upstream.close();
    allowed.server.close();
    other.server.close();
    tmp.cleanup();
  }
});
