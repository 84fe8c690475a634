/** `corsgate explain` as a user runs it: JSON in and out, JSON Lines, live requests, HAR files. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { runCli } from '../support/cli.js';

const PAGE = 'http://127.0.0.1:3000';

describe('corsgate explain', () => {
  let server: http.Server;
  let base = '';
  const hits: string[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
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
    const input = { page: { origin: PAGE }, request: { url: 'http://localhost:9/x', method: 'GET' }, response: { status: 200, headers: {} } };
    const r = await runCli(['explain', '--json'], JSON.stringify(input));
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out).slice(0, 8), ['preflight', 'actualRequestSent', 'allowed', 'responseType', 'exposedHeaders', 'console', 'explanation', 'fix']);
    assert.equal(out.allowed, false);
    assert.equal(out.responseType, 'error');
    assert.equal(out.exposedHeaders, null);
    assert.match(out.console[0], /No 'Access-Control-Allow-Origin' header is present/);
  });

  test('--batch answers one line per input line, in order, errors included', async () => {
    const ok = { page: { origin: PAGE }, request: { url: 'http://localhost:9/x' }, response: { status: 200, headers: { 'Access-Control-Allow-Origin': '*' } } };
    const r = await runCli(['explain', '--json', '--batch'], `${JSON.stringify(ok)}\n{not json\n${JSON.stringify({ page: {}, request: { url: 'http://x' } })}\n${JSON.stringify(ok)}\n`);
    assert.equal(r.code, 0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
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
    const good = await runCli(['explain', `${base}/open`, '--origin', PAGE, '-X', 'PUT', '-H', 'X-Custom: 1', '--json']);
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

  test('--har explains every cross-origin request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corsgate-har-'));
    const har = { log: { entries: [
      { request: { method: 'GET', url: `${PAGE}/index.html`, headers: [] }, response: { status: 200, headers: [] } },
      { request: { method: 'GET', url: 'https://api.example.net/a', headers: [{ name: 'User-Agent', value: 'x' }] }, response: { status: 200, headers: [{ name: 'Access-Control-Allow-Origin', value: PAGE }] } },
      { request: { method: 'GET', url: 'https://api.example.net/b', headers: [] }, response: { status: 0, headers: [] } },
    ] } };
    const file = join(dir, 'page.har');
    writeFileSync(file, JSON.stringify(har));
    const r = await runCli(['explain', '--har', file, '--origin', PAGE, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const { results } = JSON.parse(r.stdout);
    assert.deepEqual(results.map((x: { url: string; result: { allowed: boolean } }) => [x.url, x.result.allowed]), [['https://api.example.net/a', true], ['https://api.example.net/b', false]]);
  });
});
