// Salesforce metadata import/export through the admin API: round trip and all-or-nothing import.
import { REPORT_ENDPOINT } from '../../src/gateway/snapshot.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { TOKEN, api, startCli, tempDir } from './helpers.js';

const NS = 'http://soap.sforce.com/2006/04/metadata';
const cors = (p: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<CorsWhitelistOrigin xmlns="${NS}">\n    <urlPattern>${p}</urlPattern>\n</CorsWhitelistOrigin>\n`;
const site = `<?xml version="1.0" encoding="UTF-8"?>
<CspTrustedSite xmlns="${NS}">
    <context>All</context>
    <description>Hosts the embedded widget</description>
    <endpointUrl>https://support.example.com</endpointUrl>
    <isActive>true</isActive>
    <isApplicableToConnectSrc>true</isApplicableToConnectSrc>
    <isApplicableToFontSrc>false</isApplicableToFontSrc>
    <isApplicableToFrameSrc>true</isApplicableToFrameSrc>
    <isApplicableToImgSrc>true</isApplicableToImgSrc>
    <isApplicableToMediaSrc>false</isApplicableToMediaSrc>
    <isApplicableToStyleSrc>false</isApplicableToStyleSrc>
</CspTrustedSite>
`;
const security = `<?xml version="1.0" encoding="UTF-8"?>\n<SecuritySettings xmlns="${NS}">\n    <sessionSettings>\n        <enableOauthCorsPolicy>true</enableOauthCorsPolicy>\n    </sessionSettings>\n</SecuritySettings>\n`;

function metadataZip(patterns: string[]): Uint8Array {
  const files: Record<string, Uint8Array> = {
    'unpackaged/cspTrustedSites/Support_Widget.cspTrustedSite': strToU8(site),
    'unpackaged/settings/Security.settings': strToU8(security),
  };
  patterns.forEach(
    (p, i) => (files[`unpackaged/corsWhitelistOrigins/Origin_${i}.corsWhitelistOrigin`] = strToU8(cors(p))),
  );
  return zipSync(files);
}

async function upload(admin: string, body: Uint8Array | string, filename: string, type: string) {
  const res = await fetch(`${admin}/api/import?filename=${encodeURIComponent(filename)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': type },
    body: typeof body === 'string' ? body : Buffer.from(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

test('import a metadata zip, export it, and import the export into a fresh gateway: same state', async () => {
  const tmp = tempDir();
  const a = await startCli(['--store', `sqlite:${tmp.dir}/a.db`]);
  const b = await startCli(['--store', `sqlite:${tmp.dir}/b.db`]);
  try {
    const patterns = ['https://app.example.com', 'https://*.example.org', 'http://localhost:3000'];
    const imported = await upload(a.admin, metadataZip(patterns), 'metadata.zip', 'application/zip');
    assert.equal(imported.status, 200, JSON.stringify(imported.json));
    assert.equal(imported.json.allowlistCreated, 3);
    assert.equal(imported.json.trustedSitesCreated, 1);
    const adminA = api(a.admin);
    assert.equal((await adminA('GET', '/api/settings')).json.corsForOAuthEndpoints, true);
    const res = await fetch(`${a.proxy}/api/hello`, { headers: { origin: 'https://deep.sub.example.org' } });
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://deep.sub.example.org');

    const exported = await fetch(`${a.admin}/api/export`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get('content-type')!, /zip/);
    const zip = new Uint8Array(await exported.arrayBuffer());
    const names = Object.keys(unzipSync(zip));
    assert.ok(
      names.some((n) => /corsWhitelistOrigin/i.test(n)),
      names.join(', '),
    );
    assert.ok(
      names.some((n) => /cspTrustedSite/i.test(n)),
      names.join(', '),
    );

    const again = await upload(b.admin, zip, 'export.zip', 'application/zip');
    assert.equal(again.status, 200, JSON.stringify(again.json));
    const adminB = api(b.admin);
    const listA = (await adminA('GET', '/api/allowlist?sort=urlPattern')).json.items.map(
      (e: any) => e.urlPattern,
    );
    const listB = (await adminB('GET', '/api/allowlist?sort=urlPattern')).json.items.map(
      (e: any) => e.urlPattern,
    );
    assert.deepEqual(listB, listA);
    const strip = (s: any) => {
      const { id: _i, createdAt: _c, createdBy: _b, ...rest } = s;
      return rest;
    };
    assert.deepEqual(
      (await adminB('GET', '/api/trusted-sites')).json.items.map(strip),
      (await adminA('GET', '/api/trusted-sites')).json.items.map(strip),
    );
    assert.equal((await adminB('GET', '/api/settings')).json.corsForOAuthEndpoints, true);
  } finally {
    await a.stop();
    await b.stop();
    tmp.cleanup();
  }
});

test('import is all or nothing and reports every problem', async () => {
  const tmp = tempDir();
  const g = await startCli(['--store', `sqlite:${tmp.dir}/c.db`]);
  try {
    const bad = await upload(
      g.admin,
      metadataZip(['https://good.example.com', 'http://insecure.example.com', 'https://*.com']),
      'metadata.zip',
      'application/zip',
    );
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'import-invalid');
    assert.ok(Array.isArray(bad.json.error.problems));
    assert.ok(bad.json.error.problems.length >= 2, JSON.stringify(bad.json.error.problems));
    const text = JSON.stringify(bad.json.error.problems);
    assert.match(text, /insecure\.example\.com/);
    assert.match(text, /\*\.com/);
    const admin = api(g.admin);
    assert.deepEqual((await admin('GET', '/api/allowlist')).json.items, [], 'nothing was written');
    assert.deepEqual((await admin('GET', '/api/trusted-sites')).json.items, []);
    assert.equal((await admin('GET', '/api/settings')).json.corsForOAuthEndpoints, false);
    // A single XML file works too.
    const one = await upload(
      g.admin,
      cors('https://single.example.com'),
      'Single.corsWhitelistOrigin',
      'application/xml',
    );
    assert.equal(one.status, 200, JSON.stringify(one.json));
    assert.equal(
      (await admin('GET', '/api/allowlist')).json.items[0].urlPattern,
      'https://single.example.com',
    );
    // A multipart upload (curl -F file=@…) works too; the part's file name tells the type.
    const form = new FormData();
    form.append('file', new Blob([cors('https://multipart.example.com')]), 'Multi.corsWhitelistOrigin');
    const multi = await fetch(`${g.admin}/api/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: form,
    });
    assert.equal(multi.status, 200, await multi.clone().text());
    assert.equal(((await multi.json()) as { allowlistCreated: number }).allowlistCreated, 1);
    // Import needs modify-all-data.
    const viewer = await admin('POST', '/api/tokens', { name: 'v', permissions: ['customize-application'] });
    const denied = await fetch(`${g.admin}/api/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer.json.token}` },
      body: cors('https://x.example.com'),
    });
    assert.equal(denied.status, 403);
  } finally {
    await g.stop();
    tmp.cleanup();
  }
});

test("imported origins have the admin API's length limits: a long description is a problem, not stored", async () => {
  const tmp = tempDir();
  const g = await startCli(['--store', `sqlite:${tmp.dir}/len.db`]);
  try {
    const longDescription = `<?xml version="1.0" encoding="UTF-8"?>\n<CorsWhitelistOrigin xmlns="${NS}">\n    <description>${'d'.repeat(300)}</description>\n    <urlPattern>https://long.example.com</urlPattern>\n</CorsWhitelistOrigin>\n`;
    const bad = await upload(
      g.admin,
      zipSync({ 'corsWhitelistOrigins/Long.corsWhitelistOrigin': strToU8(longDescription) }),
      'long.zip',
      'application/zip',
    );
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'import-invalid');
    const problems = bad.json.error.problems as { code: string; field: string; file?: string }[];
    assert.deepEqual(
      problems.map((p) => [p.code, p.field, p.file]),
      [['body-too-long', 'description', 'corsWhitelistOrigins/Long.corsWhitelistOrigin']],
    );
    assert.deepEqual((await api(g.admin)('GET', '/api/allowlist')).json.items, [], 'nothing was written');
  } finally {
    await g.stop();
    tmp.cleanup();
  }
});

test('trusted sites become one CSP header on HTML responses of CSP routes; past 12 KB the gateway warns', async () => {
  const tmp = tempDir();
  const g = await startCli(['--store', `sqlite:${tmp.dir}/csp.db`]);
  try {
    const admin = api(g.admin);
    assert.equal(
      (await admin('POST', '/api/routes', { kind: 'allowlist', paths: ['/'], csp: true, priority: 1 }))
        .status,
      201,
    );
    const flags = ['ConnectSrc', 'FontSrc', 'FrameSrc', 'ImgSrc', 'MediaSrc', 'StyleSrc']
      .map((d) => `    <isApplicableTo${d}>true</isApplicableTo${d}>`)
      .join('\n');
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 70; i++) {
      const xml = `<CspTrustedSite xmlns="${NS}">\n    <context>All</context>\n    <endpointUrl>https://cdn-${String(i).padStart(3, '0')}.assets-example.com</endpointUrl>\n    <isActive>true</isActive>\n${flags}\n</CspTrustedSite>\n`;
      files[`metadata/cspTrustedSites/Cdn_${i}.cspTrustedSite`] = strToU8(xml);
    }
    const imported = await upload(g.admin, zipSync(files), 'sites.zip', 'application/zip');
    assert.equal(imported.status, 200, JSON.stringify(imported.json));
    assert.equal(imported.json.trustedSitesCreated, 70);
    const page = await fetch(`${g.proxy}/`);
    const header = page.headers.get('content-security-policy')!;
    assert.match(header, /^connect-src 'self' https:\/\/cdn-000\.assets-example\.com /);
    assert.ok(Buffer.byteLength(header) > 12 * 1024);
    const status = await admin('GET', '/api/status');
    // The status gives the largest header the gateway sends: over TLS it also names the Reporting-Endpoints group.
    assert.match(header, /; report-uri \/\.corsgate\/csp-reports$/);
    assert.equal(status.json.cspBytes, Buffer.byteLength(`${header}; report-to ${REPORT_ENDPOINT}`));
    assert.match(JSON.stringify(status.json.warnings), /12 KB/);
    // JSON responses never get the header.
    assert.equal((await fetch(`${g.proxy}/api/hello`)).headers.get('content-security-policy'), null);
  } finally {
    await g.stop();
    tmp.cleanup();
  }
});
