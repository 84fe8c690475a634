// Upstream redirects (issue 17 §4): a Location at the upstream's own origin becomes the gateway's
// public origin, as nginx's `proxy_redirect default` does; relative and foreign ones are kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSelfOrigin, DERIVED_SELF } from '../../src/gateway/core/self-origin.js';
import { rewriteLocation } from '../../src/gateway/redirect.js';
import { api, startCli, startUpstream, tempDir } from './helpers.js';

const UP = { origin: 'http://10.0.0.5:3000', scheme: 'http', basePath: '' };
const client = { scheme: 'http', host: 'gw.example.com:8080', self: DERIVED_SELF };

test('rewriteLocation: the upstream origin becomes the gateway origin; everything else is kept', () => {
  assert.equal(
    rewriteLocation('http://10.0.0.5:3000/login?next=%2Fa#top', UP, client),
    'http://gw.example.com:8080/login?next=%2Fa#top',
  );
  assert.equal(
    rewriteLocation('HTTP://10.0.0.5:3000', UP, client),
    'http://gw.example.com:8080/',
    'scheme and host compare case-insensitively; an empty path is /',
  );
  assert.equal(
    rewriteLocation('//10.0.0.5:3000/x', UP, client),
    'http://gw.example.com:8080/x',
    'scheme-relative',
  );
  assert.equal(rewriteLocation('/relative/path', UP, client), '/relative/path');
  assert.equal(rewriteLocation('other?x=1', UP, client), 'other?x=1');
  assert.equal(
    rewriteLocation('https://10.0.0.5:3000/x', UP, client),
    'https://10.0.0.5:3000/x',
    'another scheme is another origin',
  );
  assert.equal(rewriteLocation('http://10.0.0.5:3001/x', UP, client), 'http://10.0.0.5:3001/x');
  assert.equal(rewriteLocation('https://idp.example/authorize', UP, client), 'https://idp.example/authorize');
  const based = { ...UP, basePath: '/api' };
  assert.equal(
    rewriteLocation('http://10.0.0.5:3000/api/items/1', based, client),
    'http://gw.example.com:8080/items/1',
    'the base path maps to /',
  );
  assert.equal(rewriteLocation('http://10.0.0.5:3000/api', based, client), 'http://gw.example.com:8080/');
  assert.equal(
    rewriteLocation('http://10.0.0.5:3000/apix', based, client),
    'http://10.0.0.5:3000/apix',
    'outside the base path: not the gateway',
  );
  assert.equal(
    rewriteLocation('http://10.0.0.5:3000/x', UP, { ...client, scheme: 'https', host: 'gw.example.com:443' }),
    'https://gw.example.com/x',
  );
  const listed = {
    ...client,
    self: compileSelfOrigin(['https://www.example.com', 'https://gw.example.com:8080']),
  };
  assert.equal(
    rewriteLocation('http://10.0.0.5:3000/x', UP, listed),
    'https://www.example.com/x',
    'publicOrigins: the first, when the request did not address a listed one',
  );
  assert.equal(
    rewriteLocation('http://10.0.0.5:3000/x', UP, { ...listed, scheme: 'https' }),
    'https://gw.example.com:8080/x',
    'the listed origin the client addressed',
  );
  assert.equal(
    rewriteLocation('http://10.0.0.5:3000/x', UP, { ...client, host: undefined }),
    '/x',
    'no Host: a relative reference',
  );
});

test('through the gateway: redirects of the upstream point at the gateway', async () => {
  const tmp = tempDir();
  let upstreamUrl = '';
  const upstream = await startUpstream((req, res) => {
    const to: Record<string, string> = {
      '/base/abs': `${upstreamUrl}/base/next?q=1`,
      '/base/rel': '/base/next',
      '/base/away': 'https://idp.example/authorize',
    };
    const location = to[req.url ?? ''];
    if (location === undefined) return false;
    res.writeHead(302, { location, 'content-length': '0' });
    res.end();
    return true;
  });
  upstreamUrl = upstream.url;
  const gw = await startCli([
    '--upstream',
    `${upstream.url}/base`,
    '--store',
    `sqlite:${tmp.dir}/r.db`,
    '--trust-proxy',
  ]);
  try {
    const get = async (path: string, headers: Record<string, string> = {}) =>
      (await fetch(gw.proxy + path, { redirect: 'manual', headers })).headers.get('location');
    assert.equal(await get('/abs'), `${gw.proxy}/next?q=1`);
    assert.equal(await get('/rel'), '/base/next', 'a relative Location is kept');
    assert.equal(await get('/away'), 'https://idp.example/authorize');
    assert.equal(
      await get('/abs', { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' }),
      'https://api.example.com/next?q=1',
      'behind a trusted proxy: the origin the client used',
    );
    // --trust-proxy: the proxy's X-Forwarded-Proto/-Host name the gateway's origin for same-origin requests too.
    const viaProxy = await fetch(`${gw.proxy}/base-less`, {
      method: 'POST',
      headers: {
        origin: 'https://api.example.com',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'api.example.com',
      },
    });
    assert.equal(viaProxy.status, 200);
    const other = await fetch(`${gw.proxy}/base-less`, {
      method: 'POST',
      headers: {
        origin: 'https://evil.example',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'api.example.com',
      },
    });
    assert.equal(other.status, 403);
    assert.equal(
      (await api(gw.admin)('PUT', '/api/settings', { publicOrigins: ['https://www.example.com'] })).status,
      200,
    );
    assert.equal(await get('/abs'), 'https://www.example.com/next?q=1');
  } finally {
    await gw.stop();
    await upstream.close();
    tmp.cleanup();
  }
});
