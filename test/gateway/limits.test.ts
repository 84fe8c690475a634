// --max-in-flight: past the cap the gateway answers 503 at once (with the request's CORS headers)
// rather than queueing without bound; and the terminal log format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prettyLine } from '../../src/gateway/log.js';
import { api, startCli, startUpstream, tempDir } from './helpers.js';

const ALLOWED = 'https://app.example.com';

test('--max-in-flight: one request too many gets 503 upstream-busy with Retry-After and its CORS headers', async () => {
  const tmp = tempDir();
  const upstream = await startUpstream((req, res) => {
    if (req.url !== '/slow') return false;
    setTimeout(() => (res.writeHead(200), res.end('late')), 800).unref();
    return true;
  });
  const gw = await startCli([
    '--upstream',
    upstream.url,
    '--store',
    `sqlite:${tmp.dir}/l.db`,
    '--max-in-flight',
    '1',
  ]);
  try {
    assert.equal((await api(gw.admin)('POST', '/api/allowlist', { urlPattern: ALLOWED })).status, 201);
    const first = fetch(`${gw.proxy}/slow`, { headers: { origin: ALLOWED } });
    await new Promise((r) => setTimeout(r, 200));
    const second = await fetch(`${gw.proxy}/fast`, { headers: { origin: ALLOWED } });
    assert.equal(second.status, 503);
    assert.equal(second.headers.get('retry-after'), '1');
    assert.equal(second.headers.get('access-control-allow-origin'), ALLOWED);
    assert.equal(((await second.json()) as { error: { code: string } }).error.code, 'upstream-busy');
    assert.equal((await first).status, 200);
    // The slot is free again.
    assert.equal((await fetch(`${gw.proxy}/fast`, { headers: { origin: ALLOWED } })).status, 200);
  } finally {
    await gw.stop();
    await upstream.close();
    tmp.cleanup();
  }
});

test('on a terminal, a log line reads as time, level, message and fields', () => {
  const line = prettyLine(
    JSON.stringify({
      level: 30,
      time: Date.UTC(2026, 0, 1, 12, 0, 1),
      pid: 1,
      worker: 1,
      msg: 'request',
      method: 'GET',
      status: 200,
      origin: null,
    }),
  );
  assert.match(line, /^\d\d:\d\d:\d\d INFO request method=GET status=200 origin=null\n$/);
  assert.equal(prettyLine('not json'), 'not json');
});
