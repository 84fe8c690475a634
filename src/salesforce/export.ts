/** Salesforce metadata export: a deployable folder, and the same as a zip, from a bundle. */
import { strToU8, zipSync } from 'fflate';
import { API_NAME, DIRECTIVE_FIELDS, PERMISSION_FIELDS } from 'corsgate/internal/csp/index.js';
import { METADATA_NS, writeXml } from './xml.js';
import type { MetadataBundle } from './types.js';

/**
 * A metadata fullName for an origin pattern: letters, digits and single underscores, starting with a
 * letter, at most 80 characters (`https://*.example.com:8443` → `https_star_example_com_8443`).
 */
export function fullNameForPattern(pattern: string): string {
  let name = pattern
    .replace('://', '_')
    .replace(/\*/g, 'star')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
  if (!/^[A-Za-z]/.test(name)) name = `o_${name}`;
  return name.slice(0, 80).replace(/_$/, '');
}

function unique(name: string, used: Set<string>): string {
  let out = name;
  for (let i = 2; used.has(out.toLowerCase()); i++) out = `${name.slice(0, 76)}_${i}`;
  used.add(out.toLowerCase());
  return out;
}

const usable = (name: string | undefined): name is string =>
  name !== undefined && name.length <= 80 && API_NAME.test(name) && !name.endsWith('_');

/** A deployable metadata folder (Metadata API layout, camelCase folders) and the same as a zip. */
export function exportMetadata(bundle: MetadataBundle): {
  files: { path: string; content: string }[];
  zip: Uint8Array;
} {
  const files: { path: string; content: string }[] = [];
  const used = new Set<string>();
  // Components keep their own names; the rest get one derived from the pattern, never clashing.
  const origins = [...bundle.corsOrigins].sort((a, b) => a.urlPattern.localeCompare(b.urlPattern));
  const named = new Map(origins.filter((o) => usable(o.fullName)).map((o) => [o, unique(o.fullName!, used)]));
  for (const o of origins) {
    const name = named.get(o) ?? unique(fullNameForPattern(o.urlPattern), used);
    // CorsWhitelistOrigin has only urlPattern; a description cannot be deployed.
    files.push({
      path: `corsWhitelistOrigins/${name}.corsWhitelistOrigin`,
      content: writeXml('CorsWhitelistOrigin', [['urlPattern', o.urlPattern]]),
    });
  }
  const siteNames = new Set<string>();
  for (const s of [...bundle.trustedSites].sort((a, b) => a.name.localeCompare(b.name))) {
    const name = unique(s.name, siteNames);
    files.push({
      path: `cspTrustedSites/${name}.cspTrustedSite`,
      // Elements in WSDL (alphabetical) order.
      content: writeXml('CspTrustedSite', [
        ...PERMISSION_FIELDS.map((f) => [f, s[f]] as [string, boolean | undefined]),
        ['context', s.context],
        ['description', s.description],
        ['endpointUrl', s.endpointUrl],
        ['isActive', s.isActive],
        ...DIRECTIVE_FIELDS.map(([, f]) => [f, s[f]] as [string, boolean]),
      ]),
    });
  }
  if (bundle.settings.corsForOAuthEndpoints !== undefined) {
    files.push({
      path: 'settings/Security.settings',
      content: `<?xml version="1.0" encoding="UTF-8"?>\n<SecuritySettings xmlns="${METADATA_NS}">\n    <sessionSettings>\n        <enableOauthCorsPolicy>${bundle.settings.corsForOAuthEndpoints}</enableOauthCorsPolicy>\n    </sessionSettings>\n</SecuritySettings>\n`,
    });
  }
  const types = [
    bundle.corsOrigins.length
      ? '    <types>\n        <members>*</members>\n        <name>CorsWhitelistOrigin</name>\n    </types>'
      : '',
    bundle.trustedSites.length
      ? '    <types>\n        <members>*</members>\n        <name>CspTrustedSite</name>\n    </types>'
      : '',
    bundle.settings.corsForOAuthEndpoints !== undefined
      ? '    <types>\n        <members>Security</members>\n        <name>Settings</name>\n    </types>'
      : '',
  ].filter(Boolean);
  files.unshift({
    path: 'package.xml',
    content: `<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="${METADATA_NS}">\n${types.join('\n')}\n    <version>67.0</version>\n</Package>\n`,
  });
  const mtime = new Date('2000-01-01T00:00:00Z'); // fixed, so the same bundle gives the same bytes
  const zip = zipSync(
    Object.fromEntries(files.map((f) => [`metadata/${f.path}`, [strToU8(f.content), { mtime }]])),
  );
  return { files, zip };
}
