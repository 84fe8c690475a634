/**
 * Salesforce metadata import and export: CorsWhitelistOrigin and CspTrustedSite files, alone or as a
 * zipped metadata folder (Metadata API or SFDX source layout), and Security.settings for
 * "Enable CORS for OAuth endpoints". Import validates everything and reports every problem; the
 * caller writes nothing unless `problems` holds no error. Pure and browser-safe.
 */
import { strToU8, strFromU8, unzipSync, zipSync } from 'fflate';
import { parseOriginPattern, PolicyError } from '../policy/index.js';
import { DIRECTIVE_FIELDS, validateTrustedSite, type TrustedSite } from '../csp/index.js';
import { parseXml, writeXml } from './xml.js';

export interface CorsOriginRecord {
  urlPattern: string;
  description?: string;
  fullName?: string;
}

export interface MetadataBundle {
  corsOrigins: CorsOriginRecord[];
  trustedSites: TrustedSite[];
  settings: { corsForOAuthEndpoints?: boolean };
}

export interface MetadataProblem {
  severity: 'error' | 'warning';
  code: string;
  file: string;
  field?: string;
  /** The refused pattern, for a `urlPattern` problem (so an importer can word its own fix). */
  urlPattern?: string;
  message: string;
}

type Kind = 'cors' | 'csp' | 'settings' | 'package' | 'unknown';

/** Which metadata type a path holds, by its folder and suffix (both casings, both layouts). */
function kindOf(path: string): Kind {
  const p = path.toLowerCase();
  const base = p.split('/').pop()!;
  if (base === 'package.xml' || base === 'destructivechanges.xml') return 'package';
  if (base.endsWith('.corswhitelistorigin') || base.endsWith('.corswhitelistorigin-meta.xml')) return 'cors';
  if (base.endsWith('.csptrustedsite') || base.endsWith('.csptrustedsite-meta.xml')) return 'csp';
  if (base === 'security.settings' || base === 'security.settings-meta.xml') return 'settings';
  return 'unknown';
}

function fullNameOf(path: string): string {
  return path.split('/').pop()!.replace(/(-meta\.xml)$/i, '').replace(/\.[^.]+$/, '');
}

const ROOT_KIND: Record<string, Kind> = { CorsWhitelistOrigin: 'cors', CspTrustedSite: 'csp', SecuritySettings: 'settings', Package: 'package' };

function bool(value: unknown, file: string, field: string, problems: MetadataProblem[]): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  problems.push({ severity: 'error', code: 'metadata-boolean-invalid', file, field, message: `<${field}> must be true or false, not '${String(value)}'` });
  return undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : value === undefined ? undefined : String(value);
}

function readCors(value: Record<string, unknown>, file: string, bundle: MetadataBundle, problems: MetadataProblem[]): void {
  const urlPattern = text(value.urlPattern);
  if (!urlPattern) {
    problems.push({ severity: 'error', code: 'cors-url-pattern-missing', file, field: 'urlPattern', message: '<urlPattern> is missing' });
    return;
  }
  try {
    parseOriginPattern(urlPattern);
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    problems.push({ severity: 'error', code: err.code, file, field: 'urlPattern', urlPattern, message: err.message });
    return;
  }
  const description = text(value.description);
  bundle.corsOrigins.push({ urlPattern, fullName: text(value.fullName) ?? text(value.developerName) ?? fullNameOf(file), ...(description ? { description } : {}) });
}

function readSite(value: Record<string, unknown>, file: string, bundle: MetadataBundle, problems: MetadataProblem[]): void {
  const flags = Object.fromEntries(DIRECTIVE_FIELDS.map(([, f]) => [f, bool(value[f], file, f, problems)])) as Record<(typeof DIRECTIVE_FIELDS)[number][1], boolean | undefined>;
  const noneGiven = Object.values(flags).every((v) => v === undefined);
  const site: TrustedSite = {
    name: text(value.fullName) ?? fullNameOf(file),
    endpointUrl: text(value.endpointUrl) ?? '',
    // Files from API 45–53 omitted context; LEX was the documented default then.
    context: text(value.context) ?? 'LEX',
    isActive: bool(value.isActive, file, 'isActive', problems) ?? true,
    ...(text(value.description) ? { description: text(value.description)! } : {}),
    isApplicableToConnectSrc: flags.isApplicableToConnectSrc ?? false,
    isApplicableToFontSrc: flags.isApplicableToFontSrc ?? false,
    isApplicableToFrameSrc: flags.isApplicableToFrameSrc ?? false,
    // API 50–58: a site with no directive set applies to img-src.
    isApplicableToImgSrc: flags.isApplicableToImgSrc ?? noneGiven,
    isApplicableToMediaSrc: flags.isApplicableToMediaSrc ?? false,
    isApplicableToStyleSrc: flags.isApplicableToStyleSrc ?? false,
  };
  if (noneGiven) problems.push({ severity: 'warning', code: 'csp-directives-defaulted', file, message: 'no isApplicableTo… element: img-src assumed, as Salesforce did for API 50–58 files' });
  const siteProblems = validateTrustedSite(site);
  for (const p of siteProblems) problems.push({ severity: 'error', code: p.code, file, field: p.field, message: p.message });
  if (siteProblems.length === 0) bundle.trustedSites.push(site);
}

function readSettings(value: Record<string, unknown>, file: string, bundle: MetadataBundle, problems: MetadataProblem[]): void {
  const session = value.sessionSettings as Record<string, unknown> | undefined;
  const flag = bool(session?.enableOauthCorsPolicy, file, 'enableOauthCorsPolicy', problems);
  if (flag !== undefined) bundle.settings.corsForOAuthEndpoints = flag;
}

function readFile(path: string, content: string, bundle: MetadataBundle, problems: MetadataProblem[]): void {
  const xml = parseXml(content);
  if (!xml.ok) {
    problems.push({ severity: 'error', code: 'metadata-xml-invalid', file: path, message: xml.message });
    return;
  }
  const kind = ROOT_KIND[xml.root];
  const expected = kindOf(path);
  if (!kind) {
    problems.push({ severity: 'error', code: 'metadata-type-unsupported', file: path, message: `<${xml.root}> is not a CorsWhitelistOrigin, CspTrustedSite or SecuritySettings document` });
    return;
  }
  if (expected !== 'unknown' && expected !== kind) {
    problems.push({ severity: 'error', code: 'metadata-type-mismatch', file: path, message: `the file name says ${expected} but the document is <${xml.root}>` });
    return;
  }
  if (kind === 'cors') readCors(xml.value, path, bundle, problems);
  else if (kind === 'csp') readSite(xml.value, path, bundle, problems);
  else if (kind === 'settings') readSettings(xml.value, path, bundle, problems);
}

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Reads a metadata upload (one XML file, or a zip of a metadata folder). */
export function importMetadata(input: Uint8Array | string, hint: { filename?: string; contentType?: string } = {}): { bundle: MetadataBundle; problems: MetadataProblem[] } {
  const bundle: MetadataBundle = { corsOrigins: [], trustedSites: [], settings: {} };
  const problems: MetadataProblem[] = [];
  const bytes = typeof input === 'string' ? strToU8(input) : input;
  if (isZip(bytes)) {
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(bytes);
    } catch (err) {
      problems.push({ severity: 'error', code: 'metadata-zip-invalid', file: hint.filename ?? 'upload.zip', message: `the zip cannot be read: ${(err as Error).message}` });
      return { bundle, problems };
    }
    const paths = Object.keys(files).filter((p) => !p.endsWith('/') && !p.split('/').some((s) => s.startsWith('.') || s === '__MACOSX')).sort();
    for (const path of paths) {
      const kind = kindOf(path);
      if (kind === 'package') continue;
      if (kind === 'unknown') {
        problems.push({ severity: 'warning', code: 'metadata-file-ignored', file: path, message: 'not a CorsWhitelistOrigin, CspTrustedSite or Security.settings file: ignored' });
        continue;
      }
      readFile(path, strFromU8(files[path]!), bundle, problems);
    }
    if (bundle.corsOrigins.length + bundle.trustedSites.length === 0 && bundle.settings.corsForOAuthEndpoints === undefined && !problems.some((p) => p.severity === 'error')) {
      problems.push({ severity: 'error', code: 'metadata-empty', file: hint.filename ?? 'upload.zip', message: 'the zip holds no CorsWhitelistOrigin, CspTrustedSite or Security.settings file' });
    }
  } else {
    readFile(hint.filename ?? 'upload.xml', strFromU8(bytes), bundle, problems);
  }
  // The same pattern twice would be a duplicate in the allowlist.
  const seen = new Set<string>();
  for (const o of bundle.corsOrigins) {
    if (seen.has(o.urlPattern)) problems.push({ severity: 'error', code: 'cors-url-pattern-duplicate', file: o.fullName ?? '', field: 'urlPattern', message: `${o.urlPattern} appears more than once` });
    seen.add(o.urlPattern);
  }
  return { bundle, problems };
}

/**
 * A metadata fullName for an origin pattern: letters, digits and single underscores, starting with a
 * letter, at most 80 characters (`https://*.example.com:8443` → `https_star_example_com_8443`).
 */
export function fullNameForPattern(pattern: string): string {
  let name = pattern.replace('://', '_').replace(/\*/g, 'star').replace(/[^A-Za-z0-9]+/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '');
  if (!/^[A-Za-z]/.test(name)) name = `o_${name}`;
  return name.slice(0, 80).replace(/_$/, '');
}

function unique(name: string, used: Set<string>): string {
  let out = name;
  for (let i = 2; used.has(out); i++) out = `${name.slice(0, 76)}_${i}`;
  used.add(out);
  return out;
}

/** A deployable metadata folder (Metadata API layout, camelCase folders) and the same as a zip. */
export function exportMetadata(bundle: MetadataBundle): { files: { path: string; content: string }[]; zip: Uint8Array } {
  const files: { path: string; content: string }[] = [];
  const used = new Set<string>();
  for (const o of [...bundle.corsOrigins].sort((a, b) => a.urlPattern.localeCompare(b.urlPattern))) {
    const name = unique(fullNameForPattern(o.urlPattern), used);
    // CorsWhitelistOrigin has only urlPattern; a description cannot be deployed.
    files.push({ path: `corsWhitelistOrigins/${name}.corsWhitelistOrigin`, content: writeXml('CorsWhitelistOrigin', [['urlPattern', o.urlPattern]]) });
  }
  const siteNames = new Set<string>();
  for (const s of [...bundle.trustedSites].sort((a, b) => a.name.localeCompare(b.name))) {
    const name = unique(s.name, siteNames);
    files.push({
      path: `cspTrustedSites/${name}.cspTrustedSite`,
      content: writeXml('CspTrustedSite', [
        ['context', s.context], ['description', s.description], ['endpointUrl', s.endpointUrl], ['isActive', s.isActive],
        ...DIRECTIVE_FIELDS.map(([, f]) => [f, s[f]] as [string, boolean]),
      ]),
    });
  }
  if (bundle.settings.corsForOAuthEndpoints !== undefined) {
    files.push({ path: 'settings/Security.settings', content: `<?xml version="1.0" encoding="UTF-8"?>\n<SecuritySettings xmlns="http://soap.sforce.com/2006/04/metadata">\n    <sessionSettings>\n        <enableOauthCorsPolicy>${bundle.settings.corsForOAuthEndpoints}</enableOauthCorsPolicy>\n    </sessionSettings>\n</SecuritySettings>\n` });
  }
  const types = [
    bundle.corsOrigins.length ? '    <types>\n        <members>*</members>\n        <name>CorsWhitelistOrigin</name>\n    </types>' : '',
    bundle.trustedSites.length ? '    <types>\n        <members>*</members>\n        <name>CspTrustedSite</name>\n    </types>' : '',
    bundle.settings.corsForOAuthEndpoints !== undefined ? '    <types>\n        <members>Security</members>\n        <name>Settings</name>\n    </types>' : '',
  ].filter(Boolean);
  files.unshift({ path: 'package.xml', content: `<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">\n${types.join('\n')}\n    <version>67.0</version>\n</Package>\n` });
  const mtime = new Date('2000-01-01T00:00:00Z'); // fixed, so the same bundle gives the same bytes
  const zip = zipSync(Object.fromEntries(files.map((f) => [`metadata/${f.path}`, [strToU8(f.content), { mtime }]])));
  return { files, zip };
}
