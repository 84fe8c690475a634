import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRoutes, pathMatches, routePaths, routingPath } from '../../src/gateway/routes.js';
import { DEFAULT_SETTINGS } from '../../src/store/types.js';

test('routingPath: ordinary paths unchanged; other spellings of a path resolve to it (no route bypass)', () => {
  const cases: [string, string][] = [
    ['/', '/'],
    ['/api/hello', '/api/hello'],
    ['/api/hello/', '/api/hello/'],
    ['/.well-known/openid-configuration', '/.well-known/openid-configuration'],
    ['/Internal/A', '/Internal/A'], // paths are case-sensitive
    ['/%69nternal/a', '/internal/a'],
    ['//internal/a', '/internal/a'],
    ['/x/../internal/a', '/internal/a'],
    ['/./internal/./a', '/internal/a'],
    ['/internal/a/..', '/internal/'],
    ['/../../internal', '/internal'],
    ['/a%2Fb', '/a%2Fb'], // an encoded slash is not a separator
    ['/bad%zzescape', '/bad%zzescape'],
  ];
  for (const [raw, expected] of cases) assert.equal(routingPath(raw), expected, raw);
});

test("routePaths: one matcher that matches a path exactly when some route's paths do", () => {
  const routes = compileRoutes(
    [
      { id: 'a', kind: 'public', paths: ['/api/*', '/api/v2/*', '/status'], priority: 1 },
      { id: 'b', kind: 'closed', paths: ['/internal', '/api/v2/admin/*'], priority: 2 },
    ],
    { ...DEFAULT_SETTINGS, oauthPreset: true },
  );
  const all = routePaths(routes);
  // `/api/` covers `/api/v2/` and `/api/v2/admin/`: only the shortest prefix is kept.
  assert.deepEqual(
    all.pathPrefixes.filter((p) => p.startsWith('/api')),
    ['/api/'],
  );
  const paths = [
    '/',
    '/x',
    '/api',
    '/api/',
    '/api/v2/admin/x',
    '/apix',
    '/status',
    '/status/',
    '/internal',
    '/internal/a',
    '/services/oauth2/token',
    '/services/oauth2',
    '/services/auth/x',
    '/services',
    '/.well-known/openid-configuration',
    '/.well-known/x',
    '/services/oauth2/userinfo',
  ];
  for (const p of paths)
    assert.equal(
      pathMatches(all, p),
      routes.some((r) => pathMatches(r, p)),
      p,
    );
  assert.equal(pathMatches(routePaths([]), '/'), false, 'no routes: no path');
});
