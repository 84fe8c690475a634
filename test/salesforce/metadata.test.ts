/** Salesforce metadata: every accepted shape, every problem coded and located, and round trips. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { strToU8, zipSync } from 'fflate';
import { exportMetadata, fullNameForPattern, importMetadata } from '../../src/salesforce/index.js';

const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
const cors = (p: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<CorsWhitelistOrigin ${NS}>\n  <developerName>E1</developerName>\n  <urlPattern>${p}</urlPattern>\n</CorsWhitelistOrigin>`;
const site = `<CspTrustedSite ${NS}><description>maps</description><endpointUrl>https://www.maptestsite.net/</endpointUrl><isActive>true</isActive><context>LEX</context><isApplicableToImgSrc>true</isApplicableToImgSrc></CspTrustedSite>`;
const security = (on: boolean) =>
  `<SecuritySettings ${NS}><sessionSettings><enableOauthCorsPolicy>${on}</enableOauthCorsPolicy></sessionSettings></SecuritySettings>`;

describe('importMetadata', () => {
  test('a single CorsWhitelistOrigin file', () => {
    const { bundle, problems } = importMetadata(cors('https://*.example.com'), {
      filename: 'E1.corsWhitelistOrigin-meta.xml',
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(bundle.corsOrigins, [{ urlPattern: 'https://*.example.com', fullName: 'E1' }]);
  });
  test('a single CspTrustedSite and Security.settings', () => {
    const s = importMetadata(site, { filename: 'Maps.cspTrustedSite' });
    assert.deepEqual(s.problems, []);
    assert.equal(s.bundle.trustedSites[0]?.name, 'Maps');
    assert.equal(s.bundle.trustedSites[0]?.isApplicableToImgSrc, true);
    assert.equal(
      importMetadata(security(true), { filename: 'Security.settings' }).bundle.settings.corsForOAuthEndpoints,
      true,
    );
  });
  test('a zip in the SFDX source layout and one in the Metadata API layout', () => {
    const sfdx = zipSync({
      'force-app/main/default/corsWhitelistOrigins/A.corsWhitelistOrigin-meta.xml': strToU8(
        cors('https://a.example.com'),
      ),
      'force-app/main/default/cspTrustedSites/Maps.cspTrustedSite-meta.xml': strToU8(site),
      'force-app/main/default/settings/Security.settings-meta.xml': strToU8(security(false)),
    });
    const a = importMetadata(sfdx, { filename: 'src.zip' });
    assert.deepEqual(a.problems, []);
    assert.equal(a.bundle.corsOrigins.length, 1);
    assert.equal(a.bundle.settings.corsForOAuthEndpoints, false);
    const mdapi = zipSync({
      'unpackaged/package.xml': strToU8('<Package/>'),
      'unpackaged/corswhitelistorigins/B.corswhitelistorigin': strToU8(cors('http://localhost:3000')),
    });
    assert.deepEqual(
      importMetadata(mdapi).bundle.corsOrigins.map((o) => o.urlPattern),
      ['http://localhost:3000'],
    );
  });
  test('every problem is reported, with file, field and a stable code', () => {
    const zip = zipSync({
      'corsWhitelistOrigins/Bad.corsWhitelistOrigin': strToU8(cors('http://app.example.com')),
      'corsWhitelistOrigins/Path.corsWhitelistOrigin': strToU8(cors('https://app.example.com/path')),
      'cspTrustedSites/Broken.cspTrustedSite': strToU8('<CspTrustedSite><endpointUrl>x</CspTrustedSite>'),
      'cspTrustedSites/NoDir.cspTrustedSite': strToU8(
        `<CspTrustedSite ${NS}><endpointUrl>https://x.example.com</endpointUrl><isApplicableToImgSrc>false</isApplicableToImgSrc></CspTrustedSite>`,
      ),
      'settings/Security.settings': strToU8(security(true).replace('true', 'yes')),
    });
    const { problems } = importMetadata(zip);
    const errors = problems.filter((p) => p.severity === 'error').map((p) => [p.file, p.code]);
    assert.deepEqual(errors, [
      ['corsWhitelistOrigins/Bad.corsWhitelistOrigin', 'origin-insecure'],
      ['corsWhitelistOrigins/Path.corsWhitelistOrigin', 'origin-path'],
      ['cspTrustedSites/Broken.cspTrustedSite', 'metadata-xml-invalid'],
      ['cspTrustedSites/NoDir.cspTrustedSite', 'trusted-site-no-directive'],
      ['settings/Security.settings', 'metadata-boolean-invalid'],
    ]);
  });
  test('garbage, DOCTYPE and a broken zip are refused without a crash', () => {
    assert.equal(importMetadata('not xml at all').problems[0]?.code, 'metadata-xml-invalid');
    assert.equal(
      importMetadata(`<!DOCTYPE x [<!ENTITY a "b">]>${cors('https://a.example.com')}`).problems[0]?.code,
      'metadata-xml-invalid',
    );
    assert.equal(
      importMetadata(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3])).problems[0]?.code,
      'metadata-zip-invalid',
    );
    assert.equal(importMetadata('<Other/>').problems[0]?.code, 'metadata-type-unsupported');
  });
});

describe('exportMetadata', () => {
  test('fullNames are valid API names', () => {
    assert.equal(fullNameForPattern('https://*.example.com:8443'), 'https_star_example_com_8443');
    assert.equal(fullNameForPattern('http://[::1]:3000'), 'http_1_3000');
  });
  test('export then import gives the same bundle (descriptions of origins aside)', () => {
    const bundle = {
      corsOrigins: [{ urlPattern: 'https://b.example.com' }, { urlPattern: 'https://*.example.org:*' }],
      trustedSites: [
        {
          name: 'Fonts',
          endpointUrl: 'https://fonts.example.com',
          context: 'All',
          isActive: true,
          description: 'web fonts',
          isApplicableToConnectSrc: false,
          isApplicableToFontSrc: true,
          isApplicableToFrameSrc: false,
          isApplicableToImgSrc: false,
          isApplicableToMediaSrc: false,
          isApplicableToStyleSrc: true,
        },
      ],
      settings: { corsForOAuthEndpoints: true },
    };
    const { zip, files } = exportMetadata(bundle);
    assert.equal(files[0]!.path, 'package.xml');
    const back = importMetadata(zip);
    assert.deepEqual(back.problems, []);
    assert.deepEqual(
      back.bundle.corsOrigins.map((o) => o.urlPattern).sort(),
      bundle.corsOrigins.map((o) => o.urlPattern).sort(),
    );
    assert.deepEqual(back.bundle.trustedSites, bundle.trustedSites);
    assert.deepEqual(back.bundle.settings, bundle.settings);
    assert.deepEqual(exportMetadata(bundle).zip, zip, 'the same bundle gives the same bytes');
  });
});
