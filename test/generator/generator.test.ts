/** The header generator: sample answers straight from the engine, warnings, and configs that really work. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from '../../src/generator/index.js';
import { PolicyError } from 'corsgate/internal/policy/index.js';
import { runCli } from '../support/cli.js';

describe('generate', () => {
  test("sample preflight and request answers are the engine's", () => {
    const out = generate({
      origins: ['https://app.example.com'],
      methods: ['GET', 'PUT'],
      requestHeaders: ['content-type'],
      credentials: true,
      maxAge: 600,
    });
    assert.equal(out.preflight.status, 204);
    assert.deepEqual(out.preflight.headers, {
      'Access-Control-Allow-Origin': 'https://app.example.com',
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Allow-Methods': 'PUT',
      'Access-Control-Allow-Headers': 'content-type',
      'Access-Control-Max-Age': '600',
      Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    });
    assert.deepEqual(out.actual.headers, {
      'Access-Control-Allow-Origin': 'https://app.example.com',
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin',
    });
    assert.ok(out.warnings.some((w) => w.code === 'vary-origin'));
    assert.ok(out.warnings.some((w) => w.code === 'preflight-options'));
  });
  test('a wildcard sample origin for wildcard patterns', () => {
    assert.equal(
      generate({ origins: ['https://*.example.com:*'] }).actual.headers['Access-Control-Allow-Origin'],
      'https://app.example.com',
    );
  });
  test("* with credentials is refused with the engine's problems; * on a private API is flagged", () => {
    assert.throws(
      () => generate({ origins: '*', credentials: true }),
      (e: unknown) =>
        e instanceof PolicyError && e.problems.some((p) => p.code === 'credentials-with-any-origin'),
    );
    assert.ok(
      generate({ origins: '*', privateApi: true }).warnings.some(
        (w) => w.code === 'any-origin-private-api' && w.severity === 'error',
      ),
    );
  });
  test("configs follow the adapters' documented usage", () => {
    const { configs } = generate({
      origins: ['https://app.example.com', 'https://*.example.org'],
      credentials: true,
    });
    assert.match(
      configs.express,
      /import \{ cors \} from 'corsgate\/express';\n[\s\S]*app\.use\(cors\(\{\n {2}origins: \['https:\/\/app\.example\.com', 'https:\/\/\*\.example\.org'\],\n {2}credentials: true,\n\}\)\);/,
    );
    assert.match(configs.fastify, /await app\.register\(cors, \{/);
    assert.match(configs.hono, /app\.use\('\*', cors\(\{/);
    assert.match(configs.node, /if \(corsMiddleware\(req, res\)\) return;/);
    assert.match(configs.fetch, /export default \{ fetch: cors\(/);
    assert.deepEqual(JSON.parse(configs.policyFile), {
      origins: ['https://app.example.com', 'https://*.example.org'],
      credentials: true,
    });
    assert.match(configs.nginx, /"~\^https:\/\/\(\[a-z0-9-\]\+\\\.\)\+example\\\.org\$" \$http_origin;/);
    assert.match(configs.nginx, /add_header Vary Origin always;/);
    // snippets.test.ts runs every one of them.
  });
});

describe('corsgate headers', () => {
  test('text report, formats and exit codes', async () => {
    const text = await runCli([
      'headers',
      '--origin',
      'https://app.example.com',
      '--method',
      'PUT',
      '--credentials',
    ]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Access-Control-Allow-Methods: PUT/);
    const nginx = await runCli(['headers', '--origin', 'https://app.example.com', '--format', 'nginx']);
    assert.match(nginx.stdout, /map \$http_origin \$cors_origin/);
    const bad = await runCli(['headers', '--origin', '*', '--credentials']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /credentials-with-any-origin/);
    assert.equal((await runCli(['headers'])).code, 2);
  });
});
