// Fix hints name only what the reader can set (issue 17 §5.8): the engine carries its fixes as data
// (`suggestion`, `option`), the library's words may name an option, the gateway's admin API,
// imports and settings never name one it does not have; its policy file may (it has them all).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromEngine } from '../../src/gateway/core/settings-check.js';
import { validatePolicy } from 'corsgate/internal/policy/index.js';
import { CLI } from '../support/cli.js';
import { TOKEN, api, startCli, tempDir } from './helpers.js';

const INSECURE = 'http://app.example.com';
const NS = 'http://soap.sforce.com/2006/04/metadata';

test('the engine carries the fix as data; the library words it with its option, the gateway without', () => {
  const [p] = validatePolicy({ origins: [INSECURE] }).errors;
  assert.equal(p!.code, 'origin-insecure');
  assert.equal(p!.suggestion, 'https://app.example.com');
  assert.equal(p!.option, 'allowInsecureOrigins');
  assert.match(p!.hint!, /allowInsecureOrigins: true/, 'a library user can set the option');
  const inGateway = fromEngine(p!);
  assert.equal(inGateway.hint, 'did you mean https://app.example.com?');
  assert.equal(inGateway.suggestion, 'https://app.example.com');
  const [star] = validatePolicy({ origins: ['https://a.example'], methods: ['GET', '*'] }).errors;
  assert.match(
    fromEngine(star!).hint!,
    /methods: '\*'/,
    'an option the gateway has as a setting is still named',
  );
});

test('no gateway admin surface names an option it does not have', async () => {
  const tmp = tempDir();
  const gw = await startCli(['--store', `sqlite:${tmp.dir}/h.db`]);
  const admin = api(gw.admin);
  try {
    const one = await admin('POST', '/api/allowlist', { urlPattern: INSECURE });
    const bulk = await admin('POST', '/api/allowlist/bulk', {
      items: [{ urlPattern: INSECURE }, { urlPattern: 'http://*.example.com' }],
    });
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<CorsWhitelistOrigin xmlns="${NS}">\n    <urlPattern>${INSECURE}</urlPattern>\n</CorsWhitelistOrigin>\n`;
    const imported = await fetch(`${gw.admin}/api/import?filename=Origin.corsWhitelistOrigin`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/xml' },
      body: xml,
    });
    const importText = await imported.text();
    const settings = await admin('PUT', '/api/settings', { publicOrigins: ['http://GW.example.com'] });
    for (const [what, status, text] of [
      ['POST /api/allowlist', one.status, one.text],
      ['bulk', bulk.status, bulk.text],
      ['import', imported.status, importText],
      ['settings', settings.status, settings.text],
    ] as const) {
      assert.ok(status >= 200, what);
      assert.doesNotMatch(text, /allowInsecureOrigins|set [a-zA-Z]+: (true|false)/, `${what}: ${text}`);
    }
    assert.equal(one.status, 400);
    assert.match(one.json.error.hint, /did you mean https:\/\/app\.example\.com\?/);
    assert.match(importText, /https:\/\/app\.example\.com/, 'the import offers the corrected pattern');
  } finally {
    await gw.stop();
    tmp.cleanup();
  }
});

test('the policy file has every engine option, so its fix may name one', () => {
  const tmp = tempDir();
  try {
    const file = join(tmp.dir, 'p.json');
    writeFileSync(file, JSON.stringify({ origins: [INSECURE] }));
    const run = spawnSync(
      process.execPath,
      [CLI, 'serve', '--policy', file, '--port', '0', '--admin-port', '0'],
      { encoding: 'utf8', env: { ...process.env, CORSGATE_ADMIN_TOKEN: TOKEN }, timeout: 20_000 },
    );
    assert.notEqual(run.status, 0);
    assert.match(
      run.stdout + run.stderr,
      /did you mean https:\/\/app\.example\.com\? \(or set allowInsecureOrigins: true\)/,
    );
  } finally {
    tmp.cleanup();
  }
});
