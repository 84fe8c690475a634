/**
 * End to end in real headless Chromium: a page on http://127.0.0.1:<p> calls an API on
 * http://localhost:<q> behind each adapter, and we check what script can and cannot read.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { FRAMEWORKS, type AppServer } from './servers.js';

interface Outcome {
  ok: boolean;
  status?: number;
  total?: string | null;
  hidden?: string | null;
  error?: string;
}

async function pageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end('<!doctype html><title>page</title><p>page</p>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function call(
  page: Page,
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string },
): Promise<Outcome> {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const res = await fetch(url, { ...init, credentials: 'include' });
        return {
          ok: true,
          status: res.status,
          total: res.headers.get('X-Total'),
          hidden: res.headers.get('Vary'),
        };
      } catch (e) {
        return { ok: false, error: String(e) };
      }
    },
    { url, init },
  );
}

describe('adapters in Chromium', () => {
  let browser: Browser;
  let allowedPage: Page;
  let refusedPage: Page;
  const pages: Array<{ close(): Promise<void> }> = [];

  before(async () => {
    browser = await launchChromium();
    const allowed = await pageServer();
    const refused = await pageServer();
    pages.push(allowed, refused);
    allowedPage = await browser.newPage();
    await allowedPage.goto(`${allowed.origin}/`);
    refusedPage = await browser.newPage();
    await refusedPage.goto(`${refused.origin}/`);
  });
  after(async () => {
    await browser?.close();
    for (const p of pages) await p.close();
  });

  for (const [name, start] of Object.entries(FRAMEWORKS)) {
    test(`${name}: what the page can and cannot read`, async () => {
      const allowedOrigin = new URL(allowedPage.url()).origin;
      const app: AppServer = await start({
        api: {
          origins: [allowedOrigin],
          credentials: true,
          methods: ['GET', 'PUT'],
          requestHeaders: ['x-custom', 'content-type'],
          exposeHeaders: ['X-Total'],
          onDisallowed: 'reject',
        },
        public: { origins: '*' },
      });
      try {
        const api = `${app.url.replace('127.0.0.1', 'localhost')}/api/data`;

        const put = await call(allowedPage, api, {
          method: 'PUT',
          headers: { 'X-Custom': 'yes', 'Content-Type': 'application/json' },
          body: '{"a":1}',
        });
        assert.deepEqual(put.ok, true, `credentialed PUT with custom headers: ${put.error}`);
        assert.equal(put.status, 200);
        assert.equal(put.total, '1', 'the exposed header is readable');
        assert.equal(put.hidden, null, 'a header that is neither safelisted nor exposed is hidden');

        // The framework's own error answers stay readable, so the page sees the real error, not a CORS failure.
        for (const [path, status] of [
          ['/api/missing', 404],
          ['/api/boom', 500],
        ] as const) {
          const err = await call(allowedPage, `${api.replace('/api/data', path)}`, { method: 'GET' });
          assert.equal(err.ok, true, `${path} is readable by the page: ${err.error}`);
          assert.equal(err.status, status);
        }

        const hitsBefore = app.hits.count;
        const badHeader = await call(allowedPage, api, { method: 'PUT', headers: { 'X-Secret': 'no' } });
        assert.equal(badHeader.ok, false, 'a request header the policy does not allow fails');
        assert.equal(app.hits.count, hitsBefore, 'the refused preflight stopped it before the handler');

        const refused = await call(refusedPage, api, { method: 'GET' });
        assert.equal(refused.ok, false, 'a refused origin cannot read the API');
        const refusedPut = await call(refusedPage, api, { method: 'PUT', headers: { 'X-Custom': 'yes' } });
        assert.equal(refusedPut.ok, false, 'nor send it a preflighted request');
        assert.equal(
          app.hits.count,
          hitsBefore,
          'under reject, the refused origin never reaches the handler',
        );
      } finally {
        await app.close();
      }
    });
  }
});
