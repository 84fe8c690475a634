/** `corsgate explain` as a user runs it: JSON in and out, JSON Lines, live requests, HAR files. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { repoRoot, runCli } from '../support/cli.js';

const PAGE = 'http://127.0.0.1:3000';

describe('corsgate explain', () => {
  let server: http.Server;
  let base = '';
  const hits: string[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      hits.push(`${req.method} ${req.url}${req.headers.origin === 'null' ? ' (Origin: null)' : ''}`);
      if (req.url === '/moved') {
        res
          .writeHead(302, {
            Location: `http://127.0.0.1:${(server.address() as AddressInfo).port}/open`,
            'Access-Control-Allow-Origin': '*',
          })
          .end();
        return;
      }
      if (req.url === '/open') {
        res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
        res.setHeader('Access-Control-Allow-Methods', 'PUT');
        res.setHeader('Access-Control-Allow-Headers', 'x-custom');
      }
      res.statusCode = req.method === 'OPTIONS' ? 204 : 200;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://localhost:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  test('--json prints the contract fields', async () => {
    const input = {
      page: { origin: PAGE },
      request: { url: 'http://localhost:9/x', method: 'GET' },
      response: { status: 200, headers: {} },
    };
    const r = await runCli(['explain', '--json'], JSON.stringify(input));
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out).slice(0, 8), [
      'preflight',
      'actualRequestSent',
      'allowed',
      'responseType',
      'exposedHeaders',
      'console',
      'explanation',
      'fix',
    ]);
    assert.equal(out.allowed, false);
    assert.equal(out.responseType, 'error');
    assert.equal(out.exposedHeaders, null);
    assert.match(out.console[0], /No 'Access-Control-Allow-Origin' header is present/);
  });

  test('--batch answers one line per input line, in order, errors included', async () => {
    const ok = {
      page: { origin: PAGE },
      request: { url: 'http://localhost:9/x' },
      response: { status: 200, headers: { 'Access-Control-Allow-Origin': '*' } },
    };
    const r = await runCli(
      ['explain', '--json', '--batch'],
      `${JSON.stringify(ok)}\n{not json\n${JSON.stringify({ page: {}, request: { url: 'http://x' } })}\n${JSON.stringify(ok)}\n`,
    );
    assert.equal(r.code, 0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 4);
    assert.equal(lines[0].allowed, true);
    assert.equal(lines[1].error.code, 'json-invalid');
    assert.equal(lines[2].error.code, 'origin-missing');
    assert.equal(lines[3].allowed, true);
  });

  test('unusable input exits 2 with the reason', async () => {
    const r = await runCli(['explain', '--json'], '{"page":{"origin":"nope"},"request":{"url":"http://x"}}');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /origin-invalid/);
  });

  test('live mode sends the preflight and the request, then explains', async () => {
    hits.length = 0;
    const good = await runCli([
      'explain',
      `${base}/open`,
      '--origin',
      PAGE,
      '-X',
      'PUT',
      '-H',
      'X-Custom: 1',
      '--json',
    ]);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(JSON.parse(good.stdout).allowed, true);
    assert.deepEqual(hits, ['OPTIONS /open', 'PUT /open']);
    hits.length = 0;
    const bad = await runCli(['explain', `${base}/closed`, '--origin', PAGE, '-X', 'PUT']);
    assert.equal(bad.code, 0);
    assert.match(bad.stdout, /^✖ Blocked: the preflight failed/);
    assert.match(bad.stdout, /← fails here/);
    assert.deepEqual(hits, ['OPTIONS /closed'], 'the actual request is not sent after a failed preflight');
  });

  test('live mode follows a redirect as the browser does, with Origin: null at a second origin', async () => {
    hits.length = 0;
    const r = await runCli(['explain', `${base}/moved`, '--origin', PAGE, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).allowed, true);
    assert.deepEqual(hits, ['GET /moved', 'GET /open (Origin: null)']);
  });

  test('live mode: a server that does not answer is a network error, not a crash', async () => {
    const r = await runCli(['explain', 'http://127.0.0.1:1/x', '--origin', PAGE, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(
      [out.allowed, out.responseType, out.console],
      [false, 'error', ['Failed to load resource: net::ERR_CONNECTION_REFUSED']],
    );
  });

  test('--batch keeps one answer per input line: blank and CRLF lines included', async () => {
    const ok = JSON.stringify({
      page: { origin: PAGE },
      request: { url: 'http://localhost:9/x' },
      response: { status: 200, headers: [['Access-Control-Allow-Origin', '*']] },
    });
    const r = await runCli(['explain', '--json', '--batch'], `${ok}\r\n\n${ok}\n`);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.allowed ?? l.error.code),
      [true, 'input-missing', true],
    );
    assert.equal(lines[1].line, 2);
  });

  test('--har explains every cross-origin request of a DevTools export (preflights and redirect hops paired)', async () => {
    const file = join(repoRoot(), 'test', 'explain', 'fixtures', 'devtools.har');
    const r = await runCli(['explain', '--har', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const { results } = JSON.parse(r.stdout);
    assert.deepEqual(
      results.map((x: { method: string; url: string; result: { allowed: boolean; verdict: string } }) => [
        x.method,
        x.url,
        x.result.allowed,
        x.result.verdict,
      ]),
      [
        ['GET', 'https://api.example.net/items', true, 'Allowed'],
        ['PUT', 'https://api.example.net/items/1', false, 'Blocked: the preflight failed'],
        ['GET', 'https://api.example.net/me', false, 'Blocked: the response fails the CORS check'],
        [
          'POST',
          'https://analytics.example.org/collect',
          false,
          "Blocked by the page's Content-Security-Policy",
        ],
        ['GET', 'https://api.example.net/old-report', false, 'Blocked: the response fails the CORS check'],
      ],
    );
    assert.match(
      results[1].result.console[0],
      /Method PUT is not allowed by Access-Control-Allow-Methods in preflight response\.$/,
    );
    assert.match(
      results[4].result.console[0],
      /^Access to fetch at 'https:\/\/cdn\.example\.org\/report\.json' \(redirected from 'https:\/\/api\.example\.net\/old-report'\)/,
    );
    const human = await runCli(['explain', '--har', file, '--origin', 'http://127.0.0.1:5173']);
    assert.match(human.stdout, /^✔ Allowed\n {2}GET https:\/\/api\.example\.net\/items\n/);
    assert.match(human.stdout, /✖ Preflight: method: .*← fails here/);
  });

  test("--browser firefox: the same fields, in Firefox 153 ESR's words, with the browser named", async () => {
    const input = {
      page: { origin: PAGE },
      request: { url: 'http://localhost:9/x', method: 'PUT' },
      preflightResponse: { status: 404, headers: { 'Access-Control-Allow-Origin': PAGE } },
    };
    const r = await runCli(['explain', '--json', '--browser', 'firefox'], JSON.stringify(input));
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out).slice(0, 8), [
      'preflight',
      'actualRequestSent',
      'allowed',
      'responseType',
      'exposedHeaders',
      'console',
      'explanation',
      'fix',
    ]);
    assert.deepEqual(out.browser, { name: 'firefox', version: '153.8.0esr' });
    assert.deepEqual(out.console, [
      'Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://localhost:9/x. (Reason: CORS preflight response did not succeed). Status code: 404.',
      'Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://localhost:9/x. (Reason: CORS request did not succeed). Status code: (null).',
    ]);
    const chromium = JSON.parse((await runCli(['explain', '--json'], JSON.stringify(input))).stdout);
    assert.deepEqual(chromium.browser, { name: 'chromium', version: '156.0.8078.114' });
  });

  test('--browser both --batch: one line per input line, each with chromium, firefox and the differences', async () => {
    const dpr = JSON.stringify({
      page: { origin: PAGE },
      request: { url: 'http://localhost:9/x', headers: { DPR: '2' } },
      preflightResponse: { status: 204, headers: {} },
      response: { status: 200, headers: { 'Access-Control-Allow-Origin': '*' } },
    });
    const r = await runCli(['explain', '--json', '--batch', '--browser', 'both'], `${dpr}\n{bad\n${dpr}\n`);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 3);
    assert.deepEqual(Object.keys(lines[0]), ['chromium', 'firefox', 'differences']);
    assert.deepEqual([lines[0].chromium.allowed, lines[0].firefox.allowed], [true, false]);
    const preflight = lines[0].differences.find((d: { field: string }) => d.field === 'preflight');
    assert.deepEqual([preflight.chromium, preflight.firefox], [false, true]);
    assert.match(preflight.why[0], /Chromium safelists the client-hint request headers/);
    assert.equal(lines[1].error.code, 'json-invalid');
  });

  test("--browser both, human: each browser's report, then the differences", async () => {
    const input = {
      page: { origin: PAGE },
      request: { url: 'http://localhost:9/x', headers: { Authorization: 'Bearer x' } },
      preflightResponse: {
        status: 204,
        headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*' },
      },
      response: { status: 200, headers: { 'Access-Control-Allow-Origin': '*' } },
    };
    const r = await runCli(['explain', '--browser', 'both'], JSON.stringify(input));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^── Chromium 156\.0\.8078\.114\n✔ Allowed/);
    assert.match(r.stdout, /── Firefox 153\.8\.0esr\n✔ Allowed/);
    assert.match(r.stdout, /Console \(as Firefox prints it\):\n {2}Cross-Origin Request Warning/);
    assert.match(r.stdout, /── Differences:\n {2}• warnings: Chromium \[\]; Firefox/);
  });

  test('an unknown --browser is refused with its code', async () => {
    const r = await runCli(['explain', '--json', '--browser', 'safari'], '{}');
    assert.equal(r.code, 2);
    assert.equal(JSON.parse(r.stdout).error.code, 'browser-invalid');
  });

  test('live mode with --browser both talks to the server once per browser', async () => {
    hits.length = 0;
    const r = await runCli([
      'explain',
      `${base}/open`,
      '--origin',
      PAGE,
      '-X',
      'PUT',
      '-H',
      'X-Custom: 1',
      '--json',
      '--browser',
      'both',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual([out.chromium.allowed, out.firefox.allowed, out.differences], [true, true, []]);
    assert.deepEqual(hits, ['OPTIONS /open', 'PUT /open', 'OPTIONS /open', 'PUT /open']);
    const refused = await runCli([
      'explain',
      'http://127.0.0.1:1/x',
      '--origin',
      PAGE,
      '--json',
      '--browser',
      'firefox',
    ]);
    assert.deepEqual(JSON.parse(refused.stdout).console, [
      'Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:1/x. (Reason: CORS request did not succeed). Status code: (null).',
    ]);
  });

  test('--har --browser firefox and both', async () => {
    const file = join(repoRoot(), 'test', 'explain', 'fixtures', 'devtools.har');
    const fx = JSON.parse(
      (await runCli(['explain', '--har', file, '--json', '--browser', 'firefox'])).stdout,
    ).results;
    assert.match(
      fx[1].result.console[0],
      /Did not find method in CORS header ‘Access-Control-Allow-Methods’/,
    );
    const both = JSON.parse(
      (await runCli(['explain', '--har', file, '--json', '--browser', 'both'])).stdout,
    ).results;
    assert.deepEqual(Object.keys(both[0].result), ['chromium', 'firefox', 'differences']);
    assert.deepEqual(
      both.map((x: { result: { chromium: { allowed: boolean }; firefox: { allowed: boolean } } }) => [
        x.result.chromium.allowed,
        x.result.firefox.allowed,
      ]),
      [
        [true, true],
        [false, false],
        [false, false],
        [false, false],
        [false, false],
      ],
    );
  });
});
