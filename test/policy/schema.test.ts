import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPTION_NAMES } from '../../src/policy/validate.js';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

test('the published JSON Schema describes exactly the policy options', () => {
  const schema = JSON.parse(readFileSync(join(repoRoot(), 'schema/policy.schema.json'), 'utf8'));
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(schema.type, 'object');
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(schema.required, ['origins']);
  assert.deepEqual(Object.keys(schema.properties).filter((k) => k !== '$schema').sort(), [...OPTION_NAMES].sort());
  assert.equal(schema.properties.maxAge.maximum, 86400);
  assert.deepEqual([schema.properties.preflightStatus.minimum, schema.properties.preflightStatus.maximum], [200, 299]);
  const token = new RegExp(schema.$defs.token.pattern);
  assert.ok(token.test('X-Request-Id') && !token.test('bad name') && !token.test(''));
  const originItem = new RegExp(schema.properties.origins.oneOf[1].items.pattern);
  assert.ok(originItem.test('https://*.example.com') && originItem.test('*') && !originItem.test('https://example.com/') && !originItem.test('example.com'));
});
