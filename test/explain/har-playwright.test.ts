/**
 * `explain --har` with a HAR recorded by Playwright, which leaves preflights out: a PUT that worked
 * in the browser must be explained as working, with a warning about what the file cannot tell.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { runCli } from '../support/cli.js';

let browser: Browser;
let pageServer: http.Server;
let api: http.Server;
let dir: string;

const listen = async (server: http.Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'corsgate-har-'));
  browser = await launchChromium();
  pageServer = http.createServer((_req, res) =>
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>app</title>'),
  );
  api = http.createServer((req, res) => {
    const open = req.url === '/items/1';
    if (open) {
      res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
      res.setHeader('Access-Control-Allow-Methods', 'PUT');
      res.setHeader('Access-Control-Allow-Headers', 'content-type');
    }
    res.writeHead(req.method === 'OPTIONS' ? 204 : 200).end(req.method === 'OPTIONS' ? '' : '{}');
  });
});

after(async () => {
  await browser?.close();
  pageServer?.close();
  api?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a HAR without preflights: the working PUT is allowed, with a warning; the refused one says what cannot be known', async () => {
  const pagePort = await listen(pageServer);
  const apiPort = await listen(api);
  const origin = `http://127.0.0.1:${pagePort}`;
  const harPath = join(dir, 'playwright.har');
  const context = await browser.newContext({ recordHar: { path: harPath } });
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  const outcomes = await page.evaluate(async (apiBase) => {
    const put = (path: string) =>
      fetch(`${apiBase}${path}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      }).then(
        (r) => `ok ${r.status}`,
        (e) => String(e),
      );
    return [await put('/items/1'), await put('/closed')];
  }, `http://localhost:${apiPort}`);
  await context.close();
  assert.deepEqual(outcomes, ['ok 200', 'TypeError: Failed to fetch']);
  const har = JSON.parse(readFileSync(harPath, 'utf8')) as {
    log: { entries: Array<{ request: { method: string } }> };
  };
  assert.equal(
    har.log.entries.some((e) => e.request.method === 'OPTIONS'),
    false,
    'this test needs a HAR without preflights, as Playwright records them',
  );

  const r = await runCli(['explain', '--har', harPath, '--origin', origin, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const results = JSON.parse(r.stdout).results as Array<{
    method: string;
    url: string;
    result: { allowed: boolean; verdict: string; preflight: boolean };
    warnings?: string[];
  }>;
  const working = results.find((x) => x.url.endsWith('/items/1'))!;
  assert.deepEqual(
    [working.method, working.result.allowed, working.result.verdict, working.result.preflight],
    ['PUT', true, 'Allowed', true],
  );
  assert.match(
    working.warnings![0]!,
    /no preflight \(OPTIONS\) for this request \(the file holds none at all: the tool that recorded it, Playwright for one, leaves preflights out\)\. The request itself went out, so the browser's preflight passed/,
  );
  // Playwright records the refused PUT with status -1 (net::ERR_FAILED) and no preflight.
  const refused = results.find((x) => x.url.endsWith('/closed'))!;
  assert.deepEqual(
    [refused.result.allowed, refused.result.verdict, refused.result.preflight],
    [false, 'Blocked at the preflight, which is not recorded', true],
  );
  assert.match(
    refused.warnings![0]!,
    /and the request failed: the preflight may have been refused or gone unanswered, and which, and why, cannot be known from this file/,
  );
  // The page's origin comes from the document entry Playwright records.
  const human = await runCli(['explain', '--har', harPath]);
  assert.match(human.stdout, /^! PUT http:\/\/localhost:\d+\/items\/1: The HAR holds no preflight/m);
  assert.match(human.stdout, /Preflight \(answer not recorded\)/);
});
