import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPTION_NAMES, validatePolicy } from 'corsgate/internal/policy/validate.js';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

test('the published JSON Schema describes exactly the policy options', () => {
  const schema = JSON.parse(
    readFileSync(join(repoRoot(), 'packages/corsgate/schema/policy.schema.json'), 'utf8'),
  );
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(schema.type, 'object');
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(schema.required, ['origins']);
  assert.deepEqual(
    Object.keys(schema.properties)
      .filter((k) => k !== '$schema')
      .sort(),
    [...OPTION_NAMES].sort(),
  );
  assert.equal(schema.properties.maxAge.maximum, 86400);
  assert.deepEqual(
    [schema.properties.preflightStatus.minimum, schema.properties.preflightStatus.maximum],
    [200, 299],
  );
  const token = new RegExp(schema.$defs.token.pattern);
  assert.ok(token.test('X-Request-Id') && !token.test('bad name') && !token.test(''));
  const originItem = new RegExp(schema.properties.origins.oneOf[1].items.pattern);
  assert.ok(
    originItem.test('https://*.example.com') &&
      originItem.test('*') &&
      !originItem.test('https://example.com/') &&
      !originItem.test('example.com'),
  );
});

// Ajv comes with Fastify (a dev dependency); strict mode also catches schema-authoring mistakes.
test('the schema compiles under a strict JSON Schema 2020-12 validator and agrees with lint on plain cases', async () => {
  const { Ajv2020 } = await import('ajv/dist/2020.js');
  const schema = JSON.parse(
    readFileSync(join(repoRoot(), 'packages/corsgate/schema/policy.schema.json'), 'utf8'),
  );
  const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
  const cases: Array<[unknown, boolean]> = [
    [
      {
        origins: ['https://app.example.com', 'https://*.example.org', 'http://localhost:*'],
        credentials: true,
        methods: ['GET', 'PUT'],
        requestHeaders: '*',
        maxAge: 600,
        onDisallowed: 'reject',
        preflightStatus: 200,
      },
      true,
    ],
    [
      { $schema: './node_modules/corsgate/schema/policy.schema.json', origins: '*', exposeHeaders: '*' },
      true,
    ],
    [{ origins: ['https://a.example.com/'] }, false],
    [{ origins: ['https://a.example.com'], maxAge: 90000 }, false],
    [{ origins: ['https://a.example.com'], orgins: [] }, false],
    [{ origins: ['https://a.example.com'], exposeHeaders: ['Set-Cookie'] }, false],
    [{ origins: ['https://a.example.com'], methods: ['trace'] }, false],
    [{ origins: ['https://a.example.com'], preflightStatus: 302 }, false],
    [{ methods: ['GET'] }, false],
  ];
  for (const [doc, valid] of cases) {
    assert.equal(validate(doc), valid, JSON.stringify(doc));
    const { $schema: _ignored, ...options } = doc as Record<string, unknown>;
    assert.equal(validatePolicy(options).errors.length === 0, valid, `lint agrees: ${JSON.stringify(doc)}`);
  }
});
