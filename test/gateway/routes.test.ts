import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routingPath } from '../../src/gateway/routes.js';

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
