// Hostile uploads to POST /api/import (issue 19 §2): zip bombs and XML bombs get a small 413 naming
// the limit they passed, the gateway's memory stays bounded, and it keeps serving. Loopback only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TOKEN, startCli, tempDir, type RunningGateway } from '../gateway/helpers.js';
import { buildZip, type BombEntry } from '../support/zipbomb.js';
import { peakRssMib } from './process.js';

const NS = 'http://soap.sforce.com/2006/04/metadata';
const cors = (p: string, inner = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<CorsWhitelistOrigin xmlns="${NS}">${inner}<urlPattern>${p}</urlPattern></CorsWhitelistOrigin>\n`;
const origin = (i: number | string) => `corsWhitelistOrigins/O_${i}.corsWhitelistOrigin`;

/** `size` bytes that compress about 30:1 (random characters, each repeated 60 times): under maxCompressionRatio. */
function compressible(size: number): string {
  return [...randomBytes(Math.ceil(size / 60)).toString('base64')]
    .map((c) => c.repeat(60))
    .join('')
    .slice(0, size);
}

describe('hostile uploads to /api/import', () => {
  let gw: RunningGateway;
  let tmp: ReturnType<typeof tempDir>;

  before(async () => {
    tmp = tempDir();
    gw = await startCli(['--store', `sqlite:${tmp.dir}/uploads.db`]);
  });
  after(async () => {
    await gw.stop();
    tmp.cleanup();
  });

  async function post(body: Uint8Array | string, filename: string, type = 'application/zip') {
    // Each upload on a connection of its own: building a large zip blocks this process for seconds, so a
    // pooled keep-alive connection could be reused just as the gateway closes it for idleness (EPIPE).
    const res = await fetch(`${gw.admin}/api/import?filename=${filename}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': type, connection: 'close' },
      body: typeof body === 'string' ? body : Buffer.from(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      text,
      json: JSON.parse(text) as {
        error?: { code: string; message: string; limit?: string; max?: number; file?: string };
      },
    };
  }

  async function refused(body: Uint8Array | string, filename: string, limit: string, type?: string) {
    const res = await post(body, filename, type);
    assert.equal(res.status, 413, `${filename}: ${res.text.slice(0, 300)}`);
    assert.equal(res.json.error?.code, 'import-too-large');
    assert.equal(res.json.error?.limit, limit, res.text);
    assert.equal(typeof res.json.error?.max, 'number');
    assert.match(res.json.error!.message, new RegExp(limit), 'the message names the limit');
    assert.ok(res.text.length < 2000, 'a small answer');
    return res.json.error!;
  }

  test('the reported bomb (266 KB that expands to 256 MiB) is refused with 413 maxEntryBytes, and memory stays bounded', async () => {
    const bomb = buildZip([{ name: origin('bomb'), mib: 256 }]);
    assert.ok(bomb.length < 300_000);
    const err = await refused(bomb, 'bomb.zip', 'maxEntryBytes');
    assert.equal(err.max, 4 * 1024 * 1024);
    assert.equal(err.file, origin('bomb'));
    // Headers that lie about the size, or give none (a data descriptor), are caught by the bytes themselves.
    await refused(
      buildZip([{ name: origin('liar'), mib: 256, declaredSize: 120 }]),
      'liar.zip',
      'maxCompressionRatio',
    );
    await refused(
      buildZip([{ name: origin('stream'), mib: 256, dataDescriptor: true }]),
      'stream.zip',
      'maxCompressionRatio',
    );
    // Bytes that compress less than 100:1 still stop at maxEntryBytes, whatever the header says.
    await refused(
      buildZip([{ name: origin('big'), content: compressible(5 * 1024 * 1024), declaredSize: 120 }]),
      'big.zip',
      'maxEntryBytes',
    );
    // The same bomb inside a multipart upload.
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bomb)]), 'bomb.zip');
    const multi = await fetch(`${gw.admin}/api/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: form,
    });
    assert.equal(multi.status, 413);
    assert.equal(((await multi.json()) as { error: { limit: string } }).error.limit, 'maxEntryBytes');
    assert.ok(peakRssMib(gw.child.pid!) < 400, `peak RSS ${peakRssMib(gw.child.pid!)} MiB`);
    assert.equal((await fetch(`${gw.admin}/healthz`)).status, 200);
  });

  test('compression ratio, total size and number of entries are bounded', async () => {
    await refused(
      buildZip([{ name: origin('ratio'), content: '<'.repeat(900 * 1024) }]),
      'ratio.zip',
      'maxCompressionRatio',
    );
    // 70 entries of 1 MiB each: 70 MiB in all.
    const mib = compressible(1024 * 1024 - 1);
    const total = await refused(
      buildZip(Array.from({ length: 70 }, (_, i): BombEntry => ({ name: origin(i), content: mib }))),
      'total.zip',
      'maxTotalBytes',
    );
    assert.equal(total.max, 64 * 1024 * 1024);
    const many = await refused(
      buildZip(
        Array.from({ length: 20_001 }, (_, i): BombEntry => ({ name: `other/${i}.txt`, content: 'x' })),
      ),
      'many.zip',
      'maxEntries',
    );
    assert.equal(many.max, 20_000);
  });

  test('XML: depth, number of elements, entity expansions and size are bounded', async () => {
    const file = 'O_x.corsWhitelistOrigin';
    await refused(
      cors('https://a.example.com', '<a>'.repeat(1000) + '</a>'.repeat(1000)),
      file,
      'maxXmlDepth',
      'application/xml',
    );
    await refused(
      cors('https://a.example.com', '<a/>'.repeat(200_000)),
      file,
      'maxXmlElements',
      'application/xml',
    );
    await refused(
      cors('https://a.example.com', `<description>${'&amp;'.repeat(20_000)}</description>`),
      file,
      'maxEntityExpansions',
      'application/xml',
    );
    await refused(
      cors('https://a.example.com', `<description>${'x'.repeat(5 * 1024 * 1024)}</description>`),
      file,
      'maxEntryBytes',
      'application/xml',
    );
    // Inside a zip, the document is named.
    const nested = await refused(
      buildZip([
        {
          name: origin('deep'),
          content: cors('https://a.example.com', '<a>'.repeat(1000) + '</a>'.repeat(1000)),
        },
      ]),
      'deep.zip',
      'maxXmlDepth',
    );
    assert.equal(nested.file, origin('deep'));
  });

  test('entries that are not read are never decompressed; streamed zips (data descriptors) import', async () => {
    const ok = await post(
      buildZip([
        { name: 'unpackaged/staticresources/Big.resource', mib: 256 },
        {
          name: `unpackaged/${origin('a')}`,
          content: cors('https://a.uploads.example.com'),
          dataDescriptor: true,
        },
        { name: `unpackaged/${origin('b')}`, content: cors('https://b.uploads.example.com') },
      ]),
      'fine.zip',
    );
    assert.equal(ok.status, 200, ok.text);
    assert.equal((ok.json as unknown as { allowlistCreated: number }).allowlistCreated, 2);
  });

  test('an import with many problems answers the first 100 and counts the rest', async () => {
    const bad = await post(
      buildZip(
        Array.from({ length: 150 }, (_, i): BombEntry => ({
          name: origin(i),
          content: cors(`http://bad${i}.example.com`),
        })),
      ),
      'bad.zip',
    );
    assert.equal(bad.status, 400);
    const error = bad.json.error as unknown as {
      code: string;
      message: string;
      problems: unknown[];
      moreProblems: number;
    };
    assert.equal(error.code, 'import-invalid');
    assert.equal(error.problems.length, 100);
    assert.equal(error.moreProblems, 50);
    assert.match(error.message, /150 problem\(s\).*and 50 more/);
  });
});
