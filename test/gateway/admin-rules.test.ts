// The admin API's pure rules, table-tested without sockets: which route and settings changes widen
// CORS, the failed-authentication throttle, and the body validator's bounds.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findWidening, type RouteTable } from '../../src/gateway/admin/widening.js';
import { clientKey, FailureThrottle } from '../../src/gateway/admin/throttle.js';
import { checkBody, SCHEMAS } from '../../src/gateway/admin/schema.js';
import { DEFAULT_SETTINGS, type RouteFields } from '../../src/store/types.js';

const table = (...routes: (RouteFields & { id: string })[]): RouteTable => ({
  routes,
  settings: { ...DEFAULT_SETTINGS, oauthPreset: false },
});
const closed: RouteFields & { id: string } = { id: 'c', kind: 'closed', paths: ['/admin/*'], priority: 10 };

describe('findWidening', () => {
  const cases: [string, RouteTable, RouteTable, boolean][] = [
    [
      'a public route anywhere',
      table(),
      table({ id: 'n', kind: 'public', paths: ['/x'], hosts: ['a.example.com'], priority: -5 }),
      true,
    ],
    [
      'allowlist over a closed route, higher priority',
      table(closed),
      table(closed, { id: 'n', kind: 'allowlist', paths: ['/admin/x'], priority: 11 }),
      true,
    ],
    [
      'allowlist over a closed route, same priority (the older one wins)',
      table(closed),
      table(closed, { id: 'n', kind: 'allowlist', paths: ['/admin/x'], priority: 10 }),
      false,
    ],
    [
      'opt-in over a closed route',
      table(closed),
      table(closed, {
        id: 'n',
        kind: 'opt-in',
        setting: 'corsForOAuthEndpoints',
        hosts: ['*'],
        paths: ['/admin/*'],
        priority: 11,
      }),
      true,
    ],
    [
      'opt-in with no host matches nothing',
      table(closed),
      table(closed, {
        id: 'n',
        kind: 'opt-in',
        setting: 'corsForOAuthEndpoints',
        hosts: [],
        paths: ['/admin/*'],
        priority: 11,
      }),
      false,
    ],
    ['a closed route narrowed by paths', table(closed), table({ ...closed, paths: ['/admin/secret'] }), true],
    ['a closed route narrowed by hosts', table(closed), table({ ...closed, hosts: ['a.example.com'] }), true],
    ['a closed route widened', table(closed), table({ ...closed, paths: ['/admin/*', '/ops/*'] }), false],
    ['a closed route deleted', table(closed), table(), true],
    [
      'opt-in becomes allowlist',
      table({ id: 'o', kind: 'opt-in', setting: 's', hosts: ['*'], paths: ['/o'], priority: 0 }),
      table({ id: 'o', kind: 'allowlist', paths: ['/o'], priority: 0 }),
      true,
    ],
    [
      'opt-in depends on another setting',
      table({ id: 'o', kind: 'opt-in', setting: 's', hosts: ['*'], paths: ['/o'], priority: 0 }),
      table({ id: 'o', kind: 'opt-in', setting: 't', hosts: ['*'], paths: ['/o'], priority: 0 }),
      true,
    ],
    [
      'allowlist becomes closed',
      table({ id: 'a', kind: 'allowlist', paths: ['/a'], priority: 0 }),
      table({ id: 'a', kind: 'closed', paths: ['/a'], priority: 0 }),
      false,
    ],
    [
      'a wildcard host inside a closed exact host',
      table({ ...closed, hosts: ['*.example.com'] }),
      table(
        { ...closed, hosts: ['*.example.com'] },
        { id: 'n', kind: 'allowlist', hosts: ['x.example.com'], paths: ['/admin/*'], priority: 11 },
      ),
      true,
    ],
  ];
  for (const [name, before, after, widens] of cases) {
    test(name, () =>
      assert.equal(findWidening(before, after) !== null, widens, JSON.stringify(findWidening(before, after))),
    );
  }

  test('settings: the preset off, Enable CORS for OAuth endpoints on, more hosts', () => {
    const preset = { routes: [], settings: { ...DEFAULT_SETTINGS } };
    assert.ok(findWidening(preset, { routes: [], settings: { ...DEFAULT_SETTINGS, oauthPreset: false } }));
    assert.ok(
      findWidening(preset, { routes: [], settings: { ...DEFAULT_SETTINGS, corsForOAuthEndpoints: true } }),
    );
    assert.ok(
      findWidening(preset, {
        routes: [],
        settings: { ...DEFAULT_SETTINGS, experienceCloudHosts: ['site.example.com'] },
      }),
    );
    assert.equal(
      findWidening(preset, { routes: [], settings: { ...DEFAULT_SETTINGS, refusedStatus: 404 } }),
      null,
    );
    assert.equal(
      findWidening({ routes: [], settings: { ...DEFAULT_SETTINGS, corsForOAuthEndpoints: true } }, preset),
      null,
    );
  });

  test('the answer says where, from what and to what', () => {
    assert.deepEqual(findWidening(table(closed), table()), {
      host: 'any host',
      path: '/admin/*',
      from: 'closed (route c)',
      to: 'allowlist (no route)',
    });
  });
});

describe('FailureThrottle', () => {
  test('five free failures, then waits that double up to the cap; forgotten after an hour', () => {
    let now = 0;
    const t = new FailureThrottle(
      { freeFailures: 5, firstBlockMs: 1000, maxBlockMs: 8000, forgetMs: 3_600_000, maxAddresses: 2 },
      () => now,
    );
    for (let i = 0; i < 5; i++) assert.equal(t.fail('a').blockMs, 0);
    assert.equal(t.waitMs('a'), 0);
    assert.deepEqual(
      [1, 2, 3, 4, 5].map(() => t.fail('a').blockMs),
      [1000, 2000, 4000, 8000, 8000],
    );
    assert.equal(t.waitMs('a'), 8000);
    now += 3000;
    assert.equal(t.waitMs('a'), 5000);
    assert.equal(t.waitMs('b'), 0, 'per address');
    now += 3_600_001;
    assert.equal(t.waitMs('a'), 0);
    assert.equal(t.fail('a').failures, 1, 'forgotten');
    // At most maxAddresses remembered: the longest quiet one goes first.
    t.fail('b');
    t.fail('c');
    for (let i = 0; i < 10; i++) t.fail('c');
    assert.equal(t.waitMs('a'), 0);
    assert.ok(t.waitMs('c') > 0);
  });

  test('addresses: IPv4 (mapped or not) as is, IPv6 by /64', () => {
    assert.equal(clientKey('127.0.0.1'), '127.0.0.1');
    assert.equal(clientKey('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(clientKey(undefined), 'unknown');
  });
});

describe('checkBody', () => {
  test('own keys only: inherited names are unknown fields', () => {
    for (const key of ['__proto__', 'constructor', 'toString', 'valueOf']) {
      const { problems } = checkBody(SCHEMAS.SettingsInput, JSON.parse(`{"${key}":1}`));
      assert.deepEqual(
        problems.map((p) => [p.code, p.field]),
        [['body-unknown-field', key]],
      );
    }
    // `required` is met by own keys only, too.
    assert.equal(
      checkBody(SCHEMAS.ScanInput, Object.create({ url: 'https://x.example.com' })).problems[0]?.code,
      'body-missing-field',
    );
  });

  test('sizes before contents; 100 problems listed, every one counted', () => {
    const tooMany = checkBody(SCHEMAS.SettingsInput, { myDomainHosts: Array(1_000_000).fill(1) });
    assert.deepEqual([tooMany.total, tooMany.problems[0]!.code], [1, 'body-too-many-items']);
    const tooLong = checkBody(SCHEMAS.RouteInput, { kind: 'closed', paths: ['x'.repeat(3000)] });
    assert.deepEqual(
      tooLong.problems.map((p) => p.code),
      ['body-too-long'],
      'no pattern check on an oversized string',
    );
    const many = checkBody(SCHEMAS.SettingsInput, {
      myDomainHosts: Array(1000).fill(1),
      experienceCloudHosts: Array(1000).fill('a b'),
    });
    assert.equal(many.total, 2000);
    assert.equal(many.problems.length, 100);
  });
});
