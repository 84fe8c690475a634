/** The probe set, the classifier's decision rules and curl-style --resolve, without any network. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, followUpProbes, probesFor, targetOf } from '@corsgate/scan';
import { Resolver, UsageError } from '@corsgate/scan/internal/http.js';
import type { Probe, ProbeResult } from '@corsgate/scan/internal/probes.js';

const target = targetOf(new URL('https://api.shop.example.co.uk:8443/v1/me'));
const origins = (cls: string) =>
  probesFor(target, { label: 'cgtest' })
    .filter((p) => p.class === cls && p.method === 'GET')
    .map((p) => p.origin);

describe('probes', () => {
  test('the registrable domain comes from the Public Suffix List', () => {
    assert.equal(target.domain, 'example.co.uk');
    assert.equal(targetOf(new URL('https://me.github.io/')).domain, 'me.github.io');
    assert.equal(targetOf(new URL('http://127.0.0.1:9/')).domain, '127.0.0.1');
  });
  test('look-alikes: prefix, suffix on the registrable domain, a dot replaced inside the host', () => {
    assert.ok(origins('prefix-match').includes('https://api.shop.example.co.uk.cgtest-attacker.com'));
    assert.ok(origins('suffix-match').includes('https://cgtestexample.co.uk'));
    const dots = origins('unescaped-dot');
    assert.ok(
      dots.includes('https://apixshop.example.co.uk'),
      'the first dot, inside the host (not the last one, as CORScanner does)',
    );
    assert.ok(dots.includes('https://api.shopxexample.co.uk'));
    assert.ok(origins('any-subdomain-trusted').includes('https://cgtest.example.co.uk'));
    assert.ok(origins('insecure-origin-trusted').includes('http://api.shop.example.co.uk:8443'));
    assert.ok(origins('insecure-origin-trusted').includes('http://api.shop.example.co.uk'));
    assert.ok(origins('insecure-origin-trusted').includes('http://app.example.co.uk'));
  });
  test('special characters are sent literally (a raw backtick, not %60); null in lower case', () => {
    const special = origins('special-char-bypass');
    assert.ok(special.includes('https://api.shop.example.co.uk`.cgtest-attacker.com'));
    assert.ok(special.includes('https://api.shop.example.co.uk_.cgtest-attacker.com'));
    assert.ok(special.every((o) => !o.includes('%60')));
    assert.deepEqual(origins('null-origin-trusted'), ['null']);
  });
  test('attacker labels are random per run', () => {
    const a = probesFor(target).find((p) => p.class === 'origin-reflected')!.origin;
    const b = probesFor(target).find((p) => p.class === 'origin-reflected')!.origin;
    assert.notEqual(a, b);
    assert.match(
      a,
      /^https:\/\/cg[a-z]{8}-attacker\.com$/,
      'letters only, so [a-z]+ label checks treat it as any label',
    );
  });
  test('simple requests and preflights are both sent', () => {
    const probes = probesFor(target, { label: 'cgtest' });
    assert.ok(
      probes.some((p) => p.method === 'OPTIONS' && p.headers['Access-Control-Request-Method'] === 'XCGTEST'),
    );
    assert.ok(probes.some((p) => p.method === 'OPTIONS' && p.origin === 'null'));
  });
});

function answer(probe: Probe, headers: Record<string, string>): ProbeResult {
  return { probe, url: target.url.href, status: 200, headers };
}

describe('decision rules', () => {
  const probes = probesFor(target, { label: 'cgtest' });
  const respond = (rule: (p: Probe) => object) =>
    probes.map((p) => answer(p, rule(p) as Record<string, string>));

  test('ACAO is compared byte for byte and ACAC must be exactly "true"', () => {
    const upper = classify(
      target,
      respond((p) =>
        p.class === 'null-origin-trusted'
          ? {
              'access-control-allow-origin': 'NULL',
              'access-control-allow-credentials': 'true',
              vary: 'Origin',
            }
          : { vary: 'Origin' },
      ),
    );
    assert.ok(!upper.some((f) => f.id === 'null-origin-trusted'));
    const loose = classify(
      target,
      respond((p) =>
        p.class === 'null-origin-trusted'
          ? {
              'access-control-allow-origin': 'null',
              'access-control-allow-credentials': 'True',
              vary: 'Origin',
            }
          : { vary: 'Origin' },
      ),
    );
    const f = loose.find((x) => x.id === 'null-origin-trusted')!;
    assert.equal(f.credentials, false);
    assert.equal(f.severity, 'medium', 'one level below high without credentials');
  });
  test('every matching class is reported, not only the first', () => {
    const trusts = (o: string) => o === 'null' || o.startsWith('http://') || o.endsWith('.github.io');
    const ids = classify(
      target,
      respond((p) =>
        trusts(p.origin)
          ? {
              'access-control-allow-origin': p.origin,
              'access-control-allow-credentials': 'true',
              vary: 'Origin',
            }
          : { vary: 'Origin' },
      ),
    ).map((f) => f.id);
    for (const id of ['null-origin-trusted', 'insecure-origin-trusted', 'third-party-origin-trusted'])
      assert.ok(ids.includes(id), `${id} in ${ids}`);
  });
  test("an echo of the probe's own odd Origin is not an invalid value; several values are", () => {
    const echo = classify(
      target,
      respond((p) => ({ 'access-control-allow-origin': p.origin, vary: 'Origin' })),
    );
    assert.ok(!echo.some((f) => f.id === 'invalid-acao'));
    const several = classify(
      target,
      respond(() => ({ 'access-control-allow-origin': 'https://a.example.co.uk https://b.example.co.uk' })),
    );
    assert.ok(several.some((f) => f.id === 'invalid-acao'));
  });
  test('a fixed allowed origin on a platform where anyone publishes is third-party trust', () => {
    const ids = classify(
      target,
      respond(() => ({
        'access-control-allow-origin': 'https://team.github.io',
        'access-control-allow-credentials': 'true',
      })),
    ).map((f) => `${f.id} ${f.severity}`);
    assert.deepEqual(ids, ['third-party-origin-trusted high']);
    const named = probes.map((p) =>
      answer(
        { ...p, class: 'legit-origin', origin: 'https://team.github.io' },
        { 'access-control-allow-origin': 'https://team.github.io' },
      ),
    );
    const fix = classify(target, [
      ...named,
      ...respond(() => ({ 'access-control-allow-origin': 'https://team.github.io' })),
    ])[0]!.fix.policy!;
    assert.deepEqual(fix.origins, ['https://app.example.co.uk'], 'the fix never keeps the platform origin');
  });
  test('follow-up probes start from the origins the server trusts', () => {
    const first = respond((p) =>
      p.origin === 'https://app.example.co.uk'
        ? { 'access-control-allow-origin': p.origin, vary: 'Origin' }
        : { vary: 'Origin' },
    );
    const next = followUpProbes(target, first, { label: 'cgtest' }).map(
      (p) => `${p.method} ${p.class} ${p.origin}`,
    );
    assert.ok(next.includes('GET unescaped-dot https://appxexample.co.uk'));
    assert.ok(next.includes('GET prefix-match https://app.example.co.uk.cgtest-attacker.com'));
    assert.ok(next.includes('GET substring-match https://app.example.co.u'));
    assert.ok(
      !next.some((p) => p.startsWith('OPTIONS unescaped-dot')),
      'no preflight copies while preflights answer like simple requests',
    );
  });
});

describe('--resolve (curl syntax)', () => {
  test('host:port:address, +host, * for any host, several addresses, bracketed IPv6', () => {
    const r = new Resolver([
      'api.example.com:8443:127.0.0.1',
      '+svc.example.com:443:10.0.0.2,10.0.0.3',
      '*:9000:127.0.0.9',
      'v6.example.com:443:[::1]',
    ]);
    assert.equal(r.lookup('API.example.com', 8443), '127.0.0.1');
    assert.equal(r.lookup('svc.example.com', 443), '10.0.0.2');
    assert.equal(r.lookup('other.example', 9000), '127.0.0.9');
    assert.equal(r.lookup('v6.example.com', 443), '::1');
    assert.equal(
      r.lookup('api.example.com', 80),
      '127.0.0.1',
      'a pinned host stays pinned on its other ports',
    );
    assert.equal(r.lookup('unpinned.example', 443), undefined);
  });
  test('bad entries are usage errors', () => {
    for (const bad of [
      'api.example.com',
      'api.example.com:x:127.0.0.1',
      'api.example.com:443:not-an-ip',
      'api.example.com:70000:127.0.0.1',
    ]) {
      assert.throws(() => new Resolver([bad]), UsageError, bad);
    }
  });
});
