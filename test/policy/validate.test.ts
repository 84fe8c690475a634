import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPolicy, PolicyError, validatePolicy, type PolicyProblem } from 'corsgate';

const codes = (problems: PolicyProblem[]) => problems.map((p) => `${p.path}:${p.code}`).sort();

function errorsOf(options: unknown): string[] {
  try {
    createPolicy(options as never);
  } catch (err) {
    assert.ok(err instanceof PolicyError);
    assert.ok(err instanceof Error);
    return codes(err.problems.filter((p) => p.severity === 'error'));
  }
  return [];
}

test('every problem is reported at once, with path, message and hint', () => {
  const options = {
    origins: ['https://ok.example.com', 'https://ok.example.com/', 'http://plain.example.com'],
    methods: ['GET', 'CONNECT', 'bad method'],
    requestHeaders: ['X-Ok', 'Cookie', 'Sec-Fetch-Mode', 'Proxy-Authorization', 'Host', 'bad name'],
    exposeHeaders: ['Set-Cookie'],
    maxAge: 86401,
    preflightStatus: 302,
    onDisallowed: 'block',
    orign: ['x'],
  };
  const { errors, warnings } = validatePolicy(options);
  assert.deepEqual(codes(errors), [
    'exposeHeaders[0]:expose-forbidden',
    'maxAge:max-age-out-of-range',
    'methods[1]:method-forbidden',
    'methods[2]:method-invalid',
    'onDisallowed:on-disallowed-invalid',
    'origins[1]:origin-trailing-slash',
    'origins[2]:origin-insecure',
    'orign:option-unknown',
    'preflightStatus:preflight-status-invalid',
    'requestHeaders[1]:header-forbidden',
    'requestHeaders[2]:header-forbidden',
    'requestHeaders[3]:header-forbidden',
    'requestHeaders[4]:header-forbidden',
    'requestHeaders[5]:header-invalid',
  ]);
  assert.deepEqual(warnings, []);
  for (const e of errors) {
    assert.equal(e.severity, 'error');
    assert.ok(e.message.length > 0);
  }
  assert.equal(errors.find((e) => e.code === 'option-unknown')?.hint, 'did you mean "origins"?');
  assert.deepEqual(errorsOf(options), codes(errors));
});

test('credentials combinations', () => {
  assert.deepEqual(errorsOf({ origins: '*', credentials: true }), [
    'credentials:credentials-with-any-origin',
  ]);
  assert.deepEqual(errorsOf({ origins: ['*'], credentials: true }), [
    'credentials:credentials-with-any-origin',
  ]);
  assert.deepEqual(errorsOf({ origins: ['https://a.example.com'], credentials: true, exposeHeaders: '*' }), [
    'exposeHeaders:expose-wildcard-with-credentials',
  ]);
  assert.deepEqual(
    errorsOf({ origins: ['https://a.example.com'], credentials: true, methods: '*', requestHeaders: '*' }),
    [],
  );
  assert.deepEqual(errorsOf({ origins: '*', privateNetwork: true }), [
    'privateNetwork:private-network-with-any-origin',
  ]);
});

test('types and ranges', () => {
  assert.deepEqual(errorsOf(null), [':options-not-object']);
  assert.deepEqual(errorsOf([]), [':options-not-object']);
  assert.deepEqual(errorsOf({}), ['origins:origins-missing']);
  assert.deepEqual(errorsOf({ origins: 'https://a.example.com' }), ['origins:origins-invalid']);
  assert.equal(
    validatePolicy({ origins: 'https://a.example.com' }).errors[0]?.hint,
    'write a list: origins: ["https://a.example.com"]',
  );
  assert.deepEqual(errorsOf({ origins: [42] }), ['origins[0]:origin-not-string']);
  assert.deepEqual(errorsOf({ origins: [null] }), ['origins[0]:origin-null']); // YAML reads an unquoted null as null
  assert.deepEqual(errorsOf({ origins: [], credentials: 'yes' }), ['credentials:credentials-invalid']);
  assert.deepEqual(errorsOf({ origins: [], maxAge: 1.5 }), ['maxAge:max-age-invalid']);
  assert.deepEqual(errorsOf({ origins: [], maxAge: -1 }), ['maxAge:max-age-out-of-range']);
  assert.deepEqual(errorsOf({ origins: [], maxAge: 86400 }), []);
  assert.deepEqual(errorsOf({ origins: [], maxAge: 0 }), []);
  assert.deepEqual(errorsOf({ origins: [], methods: 'GET' }), ['methods:methods-invalid']);
  assert.deepEqual(errorsOf({ origins: [], methods: ['*'] }), ['methods[0]:method-wildcard-in-list']);
  assert.deepEqual(errorsOf({ origins: [], methods: ['trace'] }), ['methods[0]:method-forbidden']);
  assert.deepEqual(errorsOf({ origins: [], exposeHeaders: ['Access-Control-Allow-Origin', 'set-cookie2'] }), [
    'exposeHeaders[0]:expose-cors-header',
    'exposeHeaders[1]:expose-forbidden',
  ]);
  assert.deepEqual(errorsOf({ origins: [], preflightStatus: 200 }), []);
  assert.deepEqual(errorsOf({ origins: [], preflightStatus: 299 }), []);
  for (const bad of [199, 300, 404, 204.5, '204', null])
    assert.deepEqual(
      errorsOf({ origins: [], preflightStatus: bad }),
      ['preflightStatus:preflight-status-invalid'],
      String(bad),
    );
});

test('warnings do not stop a policy', () => {
  const { errors, warnings } = validatePolicy({
    origins: ['https://a.example.com', 'https://a.example.com', 'http://b.example.com'],
    allowInsecureOrigins: true,
    methods: ['patch', 'get'],
    requestHeaders: ['X-A', 'x-a'],
    exposeHeaders: ['Content-Type'],
    maxAge: 86400,
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(codes(warnings), [
    'exposeHeaders[0]:expose-safelisted',
    'maxAge:max-age-above-browser-cap',
    'methods[0]:method-lower-case',
    'methods[1]:method-not-normalized',
    'origins[1]:origin-duplicate',
    'origins[2]:origin-insecure-allowed',
    'requestHeaders[1]:header-duplicate',
  ]);
  assert.deepEqual(codes(validatePolicy({ origins: [] }).warnings), ['origins:origins-empty']);
  assert.deepEqual(codes(validatePolicy({ origins: [], allowInsecureOrigins: true }).warnings), [
    'allowInsecureOrigins:allow-insecure-origins-unused',
    'origins:origins-empty',
  ]);
});

test('PolicyError lists errors first and names each in its message', () => {
  try {
    createPolicy({ origins: ['https://a.example.com', 'https://a.example.com', 'null'] });
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof PolicyError);
    assert.equal(err.name, 'PolicyError');
    assert.equal(err.problems[0]!.severity, 'error');
    assert.equal(err.problems[1]!.severity, 'warning');
    assert.match(err.message, /origins\[2\]/);
    assert.deepEqual(
      err.errors.map((e) => e.code),
      ['origin-null'],
    );
  }
});

test('validatePolicy never throws on odd input', () => {
  for (const v of [
    undefined,
    0,
    'x',
    true,
    { origins: [null, {}, []] },
    { origins: ['*', 'https://a.example.com'] },
    Object.create(null),
  ]) {
    const r = validatePolicy(v);
    assert.ok(Array.isArray(r.errors) && Array.isArray(r.warnings));
  }
});

test('an unknown key named like an Object.prototype member gets the list of options, not a function', () => {
  for (const key of ['constructor', '__proto__', 'hasOwnProperty']) {
    const options = JSON.parse(`{"origins": [], "${key}": 1}`);
    const problem = validatePolicy(options).errors.find((p) => p.code === 'option-unknown');
    assert.equal(problem?.path, key);
    assert.match(problem?.hint ?? '', /^known options: origins, /, key);
  }
});
