/** The error base: stable code, problems, cause, and `instanceof` across two copies of corsgate. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CorsgateError } from 'corsgate/internal/errors.js';
import { createPolicy, PolicyError } from 'corsgate';

const compiledSrc = dirname(fileURLToPath(import.meta.resolve('corsgate/internal/errors.js')));

/** A second copy of the error modules, as a second corsgate in node_modules would hold. */
async function loadSecondCopy(): Promise<{
  CorsgateError: typeof CorsgateError;
  PolicyError: typeof PolicyError;
  cleanup(): void;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'corsgate-copy-'));
  mkdirSync(join(dir, 'policy'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  copyFileSync(join(compiledSrc, 'errors.js'), join(dir, 'errors.js'));
  copyFileSync(join(compiledSrc, 'policy/errors.js'), join(dir, 'policy/errors.js'));
  const base = (await import(pathToFileURL(join(dir, 'errors.js')).href)) as {
    CorsgateError: typeof CorsgateError;
  };
  const policy = (await import(pathToFileURL(join(dir, 'policy/errors.js')).href)) as {
    PolicyError: typeof PolicyError;
  };
  return {
    CorsgateError: base.CorsgateError,
    PolicyError: policy.PolicyError,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

test('a PolicyError is a CorsgateError with a stable code and every problem', () => {
  assert.throws(
    () => createPolicy({ origins: ['https://*.com'], maxAge: -1 }),
    (err: unknown) => {
      assert.ok(err instanceof CorsgateError && err instanceof PolicyError && err instanceof Error);
      assert.equal(err.name, 'PolicyError');
      assert.equal(err.code, 'policy-invalid');
      assert.deepEqual(
        err.problems.map((p) => p.code),
        ['origin-wildcard-public-suffix', 'max-age-out-of-range'],
      );
      assert.ok(err.stack?.includes('PolicyError'));
      return true;
    },
  );
});

test('a module error class is two lines: code union, name and problems come from the base', () => {
  class DemoError extends CorsgateError<'demo-broken' | 'demo-missing'> {}
  const cause = new Error('disk');
  const err = new DemoError('demo-missing', 'the demo is missing', {
    cause,
    problems: [{ code: 'demo-part', message: 'a part', path: 'parts[0]' }],
  });
  assert.ok(err instanceof DemoError && err instanceof CorsgateError && err instanceof Error);
  assert.equal(err instanceof PolicyError, false);
  assert.equal(err.name, 'DemoError');
  assert.equal(err.code, 'demo-missing');
  assert.equal(err.message, 'the demo is missing');
  assert.equal(err.cause, cause);
  assert.deepEqual(err.problems, [{ code: 'demo-part', message: 'a part', path: 'parts[0]' }]);
  assert.equal('problems' in new DemoError('demo-broken', 'x'), false, 'no problems property unless given');
  assert.deepEqual(
    Object.keys(new DemoError('demo-broken', 'x')),
    ['name', 'code'],
    'the brand is not enumerable',
  );
});

test('instanceof works across two copies of corsgate, and only for branded errors', async () => {
  const other = await loadSecondCopy();
  try {
    assert.notEqual(other.PolicyError, PolicyError, 'really a second copy');
    const theirs = new other.PolicyError([
      { severity: 'error', code: 'origin-null', path: 'origins[0]', message: 'no' },
    ]);
    assert.ok(theirs instanceof PolicyError, 'their PolicyError is our PolicyError');
    assert.ok(theirs instanceof CorsgateError);
    const ours = new PolicyError([]);
    assert.ok(ours instanceof other.PolicyError && ours instanceof other.CorsgateError);
    class OtherError extends other.CorsgateError<'other'> {}
    const otherError = new OtherError('other', 'x');
    assert.ok(otherError instanceof CorsgateError);
    assert.equal(
      otherError instanceof PolicyError,
      false,
      'another class of the other copy is not a PolicyError',
    );
  } finally {
    other.cleanup();
  }
  // Look-alikes without the brand are not corsgate errors.
  const lookAlike = Object.assign(new Error('x'), {
    name: 'PolicyError',
    code: 'policy-invalid',
    problems: [],
  });
  assert.equal(lookAlike instanceof PolicyError, false);
  assert.equal(lookAlike instanceof CorsgateError, false);
  for (const v of [null, undefined, 'PolicyError', 1, {}]) assert.equal(v instanceof CorsgateError, false);
});

test('every error class outside the gateway is a CorsgateError with its code, and keeps its own fields', async () => {
  const { ExplainInputError, explain } = await import('@corsgate/explain');
  const { UsageError, SavedHeadersError, analyseSaved } = await import('@corsgate/scan');
  const { Resolver } = await import('@corsgate/scan/internal/http.js');
  const { ImportLimitError } = await import('../../src/salesforce/index.js');
  const { StoreError, StoreUrlError, openStore } = await import('../../src/store/index.js');
  const thrown = (f: () => unknown): unknown => {
    try {
      f();
    } catch (err) {
      return err;
    }
    assert.fail('expected a throw');
  };
  const explainErr = thrown(() =>
    explain({ page: { origin: 'not an origin' }, request: { url: 'https://a.example/' } } as never),
  );
  assert.ok(explainErr instanceof ExplainInputError && explainErr instanceof CorsgateError);
  assert.equal(explainErr.code, 'origin-invalid');
  assert.equal(explainErr.path, 'page.origin');
  assert.equal(explainErr.name, 'ExplainInputError');

  const resolveErr = thrown(() => new Resolver(['nonsense']));
  assert.ok(resolveErr instanceof UsageError && resolveErr instanceof CorsgateError);
  assert.equal(resolveErr.code, 'scan-resolve-invalid');

  const savedErr = thrown(() => analyseSaved('not a response', 'https://a.example/'));
  assert.ok(savedErr instanceof SavedHeadersError && savedErr instanceof CorsgateError);
  assert.equal(savedErr.code, 'headers-file-invalid');

  const urlErr = thrown(() => openStore('nosuch:x'));
  assert.ok(urlErr instanceof StoreUrlError && urlErr instanceof CorsgateError);
  assert.equal(urlErr.code, 'store-url-invalid');

  const storeErr = new StoreError('duplicate', 'taken', 'name');
  assert.ok(storeErr instanceof CorsgateError);
  assert.deepEqual([storeErr.code, storeErr.field, storeErr.name], ['duplicate', 'name', 'StoreError']);

  const limitErr = new ImportLimitError('maxEntries', 3, 'too many', 'a.zip');
  assert.ok(limitErr instanceof CorsgateError);
  assert.deepEqual(
    [limitErr.code, limitErr.limit, limitErr.max, limitErr.file, limitErr.message],
    ['import-too-large', 'maxEntries', 3, 'a.zip', 'a.zip: too many (limit maxEntries: 3)'],
  );
});
