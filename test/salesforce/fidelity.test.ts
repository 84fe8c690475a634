/** Salesforce metadata as people commit it: one named test per behaviour of issue 15 §3. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { strToU8, zipSync } from 'fflate';
import { exportMetadata, importMetadata } from '../../src/salesforce/index.js';

const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
const site = (endpoint: string, extra = '') =>
  `<CspTrustedSite ${NS}><context>All</context><endpointUrl>${endpoint}</endpointUrl><isActive>true</isActive>${extra}</CspTrustedSite>`;
const pkg = (version: string) =>
  `<Package ${NS}><types><members>*</members><name>CspTrustedSite</name></types><version>${version}</version></Package>`;
const flagsOf = (s: object) =>
  Object.entries(s)
    .filter(([k, v]) => k.startsWith('isApplicableTo') && v === true)
    .map(([k]) => k)
    .sort();
const ALL_SIX = [
  'isApplicableToConnectSrc',
  'isApplicableToFontSrc',
  'isApplicableToFrameSrc',
  'isApplicableToImgSrc',
  'isApplicableToMediaSrc',
  'isApplicableToStyleSrc',
];

describe('trusted sites on loopback', () => {
  test('http:// on localhost, 127.0.0.0/8 and [::1], and https://localhost, are accepted', () => {
    for (const url of [
      'http://localhost:4300',
      'http://localhost:5173',
      'https://localhost',
      'http://127.0.0.1:8080',
      'http://[::1]:3000',
    ]) {
      const { problems, bundle } = importMetadata(
        site(url, '<isApplicableToFrameSrc>true</isApplicableToFrameSrc>'),
        { filename: 'Dev.cspTrustedSite' },
      );
      assert.deepEqual(problems, [], url);
      assert.equal(bundle.trustedSites[0]?.endpointUrl, url);
    }
  });
  test('http:// elsewhere is still refused, naming the file and the fix', () => {
    const { problems } = importMetadata(
      site('http://www.example.com', '<isApplicableToImgSrc>true</isApplicableToImgSrc>'),
      { filename: 'Cafe.cspTrustedSite' },
    );
    assert.deepEqual(
      problems.map((p) => [p.code, p.file]),
      [['trusted-site-url-insecure', 'Cafe.cspTrustedSite']],
    );
    assert.match(problems[0]!.message, /did you mean https:\/\/www\.example\.com/);
  });
});

describe('a trusted site with no directive follows its API version', () => {
  const zip = (files: Record<string, string>) =>
    zipSync(Object.fromEntries(Object.entries(files).map(([p, c]) => [p, strToU8(c)])));
  test('package.xml at API 49 or earlier: all six directives', () => {
    const { bundle, problems } = importMetadata(
      zip({
        'pkg/package.xml': pkg('40.0'),
        'pkg/cspTrustedSites/Live.cspTrustedSite': site('https://*.salesforceliveagent.com'),
      }),
    );
    assert.deepEqual(
      problems.filter((p) => p.severity === 'error'),
      [],
    );
    assert.deepEqual(flagsOf(bundle.trustedSites[0]!), ALL_SIX);
  });
  test('sfdx-project.json sourceApiVersion 55.0: img-src only', () => {
    const { bundle } = importMetadata(
      zip({
        'sfdx-project.json': '{"sourceApiVersion":"55.0"}',
        'force-app/main/default/cspTrustedSites/Maps.cspTrustedSite-meta.xml':
          site('https://maps.example.com'),
      }),
    );
    assert.deepEqual(flagsOf(bundle.trustedSites[0]!), ['isApplicableToImgSrc']);
  });
  test("?apiVersion=47.0 when the upload declares none; the upload's own version wins", () => {
    assert.deepEqual(
      flagsOf(
        importMetadata(site('https://a.example.com'), { filename: 'A.cspTrustedSite', apiVersion: '47.0' })
          .bundle.trustedSites[0]!,
      ),
      ALL_SIX,
    );
    const declared = importMetadata(
      zip({
        'p/package.xml': pkg('52.0'),
        'p/cspTrustedSites/A.cspTrustedSite': site('https://a.example.com'),
      }),
      { apiVersion: '47.0' },
    );
    assert.deepEqual(flagsOf(declared.bundle.trustedSites[0]!), ['isApplicableToImgSrc']);
  });
  test('API 59 and later: refused, with the reason', () => {
    const { problems, bundle } = importMetadata(site('https://a.example.com'), {
      filename: 'A.cspTrustedSite',
      apiVersion: '62.0',
    });
    assert.equal(bundle.trustedSites.length, 0);
    assert.deepEqual(
      problems.map((p) => p.code),
      ['trusted-site-no-directive'],
    );
    assert.match(problems[0]!.message, /API 59; this file is API 62\.0/);
  });
  test('a malformed ?apiVersion= is a problem', () => {
    assert.deepEqual(
      importMetadata(site('https://a.example.com', '<isApplicableToImgSrc>true</isApplicableToImgSrc>'), {
        filename: 'A.cspTrustedSite',
        apiVersion: 'latest',
      }).problems.map((p) => p.code),
      ['metadata-api-version-invalid'],
    );
  });
});

describe('round trips to the org', () => {
  test('each component keeps its own name and is exported under it', () => {
    const cors = `<CorsWhitelistOrigin ${NS}><urlPattern>https://172.20.64.1:3000</urlPattern></CorsWhitelistOrigin>`;
    const { bundle } = importMetadata(
      zipSync({ 'corsWhitelistOrigins/http_localhost_3000.corsWhitelistOrigin-meta.xml': strToU8(cors) }),
    );
    assert.equal(bundle.corsOrigins[0]?.fullName, 'http_localhost_3000');
    assert.deepEqual(
      exportMetadata(bundle).files.map((f) => f.path),
      ['package.xml', 'corsWhitelistOrigins/http_localhost_3000.corsWhitelistOrigin'],
    );
  });
  test('canAccessCamera and canAccessMicrophone are kept and exported, in WSDL order', () => {
    const xml = site(
      'https://meet.example.com',
      '<canAccessCamera>true</canAccessCamera><canAccessMicrophone>false</canAccessMicrophone>',
    );
    const { bundle, problems } = importMetadata(xml, { filename: 'Meet.cspTrustedSite', apiVersion: '62.0' });
    assert.deepEqual(problems, [], 'a camera grant counts as a directive from API 59');
    assert.equal(bundle.trustedSites[0]?.canAccessCamera, true);
    const out = exportMetadata(bundle).files.find((f) => f.path.endsWith('Meet.cspTrustedSite'))!.content;
    assert.ok(
      out.indexOf('<canAccessCamera>true</canAccessCamera>') <
        out.indexOf('<canAccessMicrophone>false</canAccessMicrophone>'),
    );
    assert.ok(out.indexOf('<canAccessMicrophone>') < out.indexOf('<context>'));
  });
  test('every context value of the current Metadata API, LightningOut included', () => {
    for (const context of [
      'All',
      'LEX',
      'Communities',
      'FieldServiceMobileExtension',
      'VisualForce',
      'LightningOut',
    ]) {
      const xml = `<CspTrustedSite ${NS}><context>${context}</context><endpointUrl>https://a.example.com</endpointUrl><isActive>true</isActive><isApplicableToImgSrc>true</isApplicableToImgSrc></CspTrustedSite>`;
      const { bundle, problems } = importMetadata(xml, { filename: 'A.cspTrustedSite' });
      assert.deepEqual(problems, [], context);
      assert.match(exportMetadata(bundle).files[1]!.content, new RegExp(`<context>${context}</context>`));
    }
  });
  test('the metadata namespace is checked, naming the file', () => {
    const { problems } = importMetadata(
      '<CorsWhitelistOrigin xmlns="urn:other"><urlPattern>https://a.example.com</urlPattern></CorsWhitelistOrigin>',
      { filename: 'A.corsWhitelistOrigin' },
    );
    assert.deepEqual(
      problems.map((p) => [p.code, p.file]),
      [['metadata-namespace-invalid', 'A.corsWhitelistOrigin']],
    );
    assert.match(problems[0]!.message, /xmlns="http:\/\/soap\.sforce\.com\/2006\/04\/metadata"/);
  });
  test('every problem at once, each with its file; the valid entries are still read', () => {
    const { problems, bundle, sources } = importMetadata(
      zipSync({
        'o/corsWhitelistOrigins/Good.corsWhitelistOrigin': strToU8(
          `<CorsWhitelistOrigin ${NS}><urlPattern>https://app.example.com</urlPattern></CorsWhitelistOrigin>`,
        ),
        'o/corsWhitelistOrigins/Bad.corsWhitelistOrigin': strToU8(
          `<CorsWhitelistOrigin ${NS}><urlPattern>https://*.*.example.com</urlPattern></CorsWhitelistOrigin>`,
        ),
        'o/cspTrustedSites/Plain.cspTrustedSite': strToU8(
          site('http://cdn.example.com', '<isApplicableToImgSrc>true</isApplicableToImgSrc>'),
        ),
      }),
    );
    assert.deepEqual(
      problems
        .filter((p) => p.severity === 'error')
        .map((p) => p.file)
        .sort(),
      ['o/corsWhitelistOrigins/Bad.corsWhitelistOrigin', 'o/cspTrustedSites/Plain.cspTrustedSite'],
    );
    assert.deepEqual(
      bundle.corsOrigins.map((o) => o.urlPattern),
      ['https://app.example.com'],
    );
    assert.deepEqual(sources.corsOrigins, ['o/corsWhitelistOrigins/Good.corsWhitelistOrigin']);
  });
});
