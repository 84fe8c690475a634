/**
 * Salesforce metadata import and export: CorsWhitelistOrigin and CspTrustedSite files, alone or as a
 * zipped metadata folder (Metadata API or SFDX source layout), and Security.settings for
 * "Enable CORS for OAuth endpoints". Import validates everything and reports every problem, each
 * naming its file; the caller writes nothing unless `problems` holds no error. Each component keeps
 * its own name (fullName), so an export deploys back over the same components. Pure and browser-safe.
 */
import { strToU8, strFromU8, zipSync } from 'fflate';
import { parseOriginPattern, PolicyError } from 'corsgate/internal/policy/index.js';
import { API_NAME, DIRECTIVE_FIELDS, PERMISSION_FIELDS, validateTrustedSite, type TrustedSite } from 'corsgate/internal/csp/index.js';
import { ImportLimitError } from './limits.js';
import { METADATA_NS, parseXml, writeXml } from './xml.js';
import { unzipBounded } from './zip.js';
import { apiVersionOf, defaultDirectives, parseApiVersion, type ApiVersion } from './versions.js';

export { parseApiVersion, type ApiVersion } from './versions.js';
export { IMPORT_LIMITS, ImportLimitError, type ImportLimitErrorCode, type ImportLimitName } from './limits.js';

export interface CorsOriginRecord {
  urlPattern: string;
  description?: string;
  /** The component's name in the org (its file name), exported under it. */
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

export interface ImportHint {
  filename?: string;
  contentType?: string;
  /** The API version when the upload declares none (`?apiVersion=` of the import), e.g. `47.0`. */
  apiVersion?: string;
}

export interface ImportOutcome {
  bundle: MetadataBundle;
  problems: MetadataProblem[];
  /** The file each bundle entry came from, index for index. */
  sources: { corsOrigins: string[]; trustedSites: string[] };
}

type Kind = 'cors' | 'csp' | 'settings' | 'package' | 'project' | 'unknown';

/** Which metadata type a path holds, by its folder and suffix (both casings, both layouts). */
function kindOf(path: string): Kind {
  const base = path.toLowerCase().split('/').pop()!;
  if (base === 'package.xml' || base === 'destructivechanges.xml') return 'package';
  if (base === 'sfdx-project.json') return 'project';
  if (base.endsWith('.corswhitelistorigin') || base.endsWith('.corswhitelistorigin-meta.xml')) return 'cors';
  if (base.endsWith('.csptrustedsite') || base.endsWith('.csptrustedsite-meta.xml')) return 'csp';
  if (base === 'security.settings' || base === 'security.settings-meta.xml') return 'settings';
  return 'unknown';
}

/** A component's fullName is its file name without the suffix (Metadata API and SFDX source alike). */
function fullNameOf(path: string): string {
  return path.split('/').pop()!.replace(/(-meta\.xml)$/i, '').replace(/\.[^.]+$/, '');
}

const ROOT_KIND: Record<string, Kind> = { CorsWhitelistOrigin: 'cors', CspTrustedSite: 'csp', SecuritySettings: 'settings', Package: 'package' };
/** Contexts and the API version that introduced them (Metadata API CspTrustedSiteContext). */
const CONTEXT_SINCE: Record<string, number> = { All: 44, LEX: 44, Communities: 44, FieldServiceMobileExtension: 47, VisualForce: 55, LightningOut: 64 };

interface Reader {
  file: string;
  problems: MetadataProblem[];
}

function problem(r: Reader, code: string, message: string, field?: string, severity: 'error' | 'warning' = 'error'): void {
  r.problems.push({ severity, code, file: r.file, ...(field ? { field } : {}), message });
}

function bool(r: Reader, value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  problem(r, 'metadata-boolean-invalid', `<${field}> must be true or false, not '${String(value)}'`, field);
  return undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : value === undefined ? undefined : String(value);
}

/** The component name: the file's when it is a metadata file, else a <fullName> element. */
function componentName(r: Reader, value: Record<string, unknown>): string | undefined {
  const name = kindOf(r.file) !== 'unknown' ? fullNameOf(r.file) : text(value.fullName);
  if (name === undefined) return undefined;
  if (name.length > 80 || !API_NAME.test(name) || name.endsWith('_')) {
    problem(r, 'metadata-name-invalid', `'${name}' is not a Salesforce API name (letters, digits and single underscores, starting with a letter, at most 80 characters): rename the file`);
  }
  return name;
}

function readCors(r: Reader, value: Record<string, unknown>, out: ImportOutcome): void {
  const urlPattern = text(value.urlPattern);
  if (!urlPattern) return problem(r, 'cors-url-pattern-missing', 'the <urlPattern> element is missing: add the origin, e.g. <urlPattern>https://app.example.com</urlPattern>', 'urlPattern');
  try {
    parseOriginPattern(urlPattern);
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    r.problems.push({ severity: 'error', code: err.code, file: r.file, field: 'urlPattern', urlPattern, message: `${urlPattern}: ${err.message}` });
    return;
  }
  const errors = r.problems.length;
  const fullName = componentName(r, value);
  if (r.problems.length > errors) return;
  const description = text(value.description);
  out.bundle.corsOrigins.push({ urlPattern, ...(fullName ? { fullName } : {}), ...(description ? { description } : {}) });
  out.sources.corsOrigins.push(r.file);
}

/**
 * A trusted site with no directive set: what Salesforce makes of it depends on the file's API version
 * (Metadata API Developer Guide, CspTrustedSite): all six directives up to API 49, img-src from 50 to
 * 58, refused from 59.
 */
function applyDefaults(r: Reader, site: TrustedSite, version: ApiVersion | null, noElement: boolean): void {
  const defaults = defaultDirectives(version?.value ?? null, noElement);
  const where = version ? `API ${version.text} (${version.from})` : 'an unknown API version';
  if (defaults === 'refuse') return; // validateTrustedSite reports it, with its fix
  for (const [, f] of DIRECTIVE_FIELDS) if (defaults.includes(f)) site[f] = true;
  const which = defaults.length === 6 ? 'all six directives' : 'img-src';
  problem(r, 'csp-directives-defaulted', `no directive is set: ${which} assumed, as Salesforce does for ${where}${version ? '' : '; pass ?apiVersion= to say which'}`, undefined, 'warning');
}

function readSite(r: Reader, value: Record<string, unknown>, version: ApiVersion | null, out: ImportOutcome): void {
  const flags = Object.fromEntries([...DIRECTIVE_FIELDS.map(([, f]) => f), ...PERMISSION_FIELDS].map((f) => [f, bool(r, value[f], f)]));
  const context = text(value.context);
  const site: TrustedSite = {
    name: componentName(r, value) ?? '',
    endpointUrl: text(value.endpointUrl) ?? '',
    // Files from API 44–53 could omit context; LEX was the documented default then.
    context: context ?? 'LEX',
    isActive: bool(r, value.isActive, 'isActive') ?? true,
    ...(text(value.description) ? { description: text(value.description)! } : {}),
    ...Object.fromEntries(DIRECTIVE_FIELDS.map(([, f]) => [f, flags[f] ?? false])),
    ...Object.fromEntries(PERMISSION_FIELDS.filter((f) => flags[f] !== undefined).map((f) => [f, flags[f]])),
  } as TrustedSite;
  const anySet = [...DIRECTIVE_FIELDS.map(([, f]) => f), ...PERMISSION_FIELDS].some((f) => site[f] === true);
  if (!anySet) applyDefaults(r, site, version, DIRECTIVE_FIELDS.every(([, f]) => value[f] === undefined));
  if (context !== undefined && version && CONTEXT_SINCE[context] !== undefined && version.value < CONTEXT_SINCE[context]!) {
    problem(r, 'trusted-site-context-too-new', `context ${context} exists from API ${CONTEXT_SINCE[context]}.0; this file is API ${version.text}`, 'context', 'warning');
  }
  const siteProblems = validateTrustedSite(site);
  for (const p of siteProblems) problem(r, p.code, `${p.message}${p.code === 'trusted-site-no-directive' && version ? ` (Salesforce requires one from API 59; this file is API ${version.text})` : ''}`, p.field);
  if (siteProblems.length === 0 && !r.problems.some((p) => p.severity === 'error' && p.file === r.file)) {
    out.bundle.trustedSites.push(site);
    out.sources.trustedSites.push(r.file);
  }
}

function readSettings(r: Reader, value: Record<string, unknown>, out: ImportOutcome): void {
  const session = value.sessionSettings as Record<string, unknown> | undefined;
  const flag = bool(r, session?.enableOauthCorsPolicy, 'enableOauthCorsPolicy');
  if (flag !== undefined) out.bundle.settings.corsForOAuthEndpoints = flag;
}

/** The namespace the root element declares (fast-xml-parser drops attributes, so it is read here). */
function rootNamespace(content: string, root: string): string | undefined {
  return new RegExp(`<${root}\\b[^>]*?\\bxmlns\\s*=\\s*["']([^"']*)["']`).exec(content)?.[1];
}

function readFile(path: string, content: string, version: ApiVersion | null, out: ImportOutcome): void {
  const r: Reader = { file: path, problems: out.problems };
  const xml = parseXml(content, path);
  if (!xml.ok) return problem(r, 'metadata-xml-invalid', `${xml.message}: the file is not well-formed XML`);
  const kind = ROOT_KIND[xml.root];
  const expected = kindOf(path);
  if (!kind || kind === 'package') return problem(r, 'metadata-type-unsupported', `<${xml.root}> is not a CorsWhitelistOrigin, CspTrustedSite or SecuritySettings document: remove the file from the upload`);
  if (expected !== 'unknown' && expected !== kind) return problem(r, 'metadata-type-mismatch', `the file name says ${expected} but the document is <${xml.root}>: rename the file or fix its root element`);
  const ns = rootNamespace(content, xml.root);
  if (ns !== METADATA_NS) {
    return problem(r, 'metadata-namespace-invalid', `<${xml.root}> must declare xmlns="${METADATA_NS}"${ns === undefined ? '' : ` (it declares "${ns}")`}: Salesforce refuses the file otherwise`);
  }
  if (kind === 'cors') readCors(r, xml.value, out);
  else if (kind === 'csp') readSite(r, xml.value, version, out);
  else readSettings(r, xml.value, out);
}

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Hidden files and macOS resource forks in a zip are never metadata. */
function isHidden(path: string): boolean {
  return path.endsWith('/') || path.split('/').some((s) => s.startsWith('.') || s === '__MACOSX');
}

/** A zip entry that is decompressed and read; the others are only listed (src/salesforce/limits.ts). */
function isRead(path: string): boolean {
  return !isHidden(path) && kindOf(path) !== 'unknown';
}

/** Throws ImportLimitError when the zip expands beyond IMPORT_LIMITS. */
function readZip(bytes: Uint8Array, hint: ImportHint, fallback: ApiVersion | null, out: ImportOutcome): void {
  let files: Record<string, Uint8Array | null>;
  try {
    files = unzipBounded(bytes, isRead);
  } catch (err) {
    if (err instanceof ImportLimitError) throw err;
    out.problems.push({ severity: 'error', code: 'metadata-zip-invalid', file: hint.filename ?? 'upload.zip', message: `the zip cannot be read (${(err as Error).message}): zip the metadata folder again` });
    return;
  }
  const paths = Object.keys(files).filter((p) => !isHidden(p)).sort();
  const declared = Object.fromEntries(paths.filter((p) => ['package', 'project'].includes(kindOf(p))).map((p) => [p, strFromU8(files[p]!)]));
  for (const path of paths) {
    const kind = kindOf(path);
    if (kind === 'package' || kind === 'project') continue;
    if (kind === 'unknown') {
      out.problems.push({ severity: 'warning', code: 'metadata-file-ignored', file: path, message: 'not a CorsWhitelistOrigin, CspTrustedSite or Security.settings file: ignored' });
      continue;
    }
    readFile(path, strFromU8(files[path]!), apiVersionOf(path, declared) ?? fallback, out);
  }
  const nothing = out.bundle.corsOrigins.length + out.bundle.trustedSites.length === 0 && out.bundle.settings.corsForOAuthEndpoints === undefined;
  if (nothing && !out.problems.some((p) => p.severity === 'error')) {
    out.problems.push({ severity: 'error', code: 'metadata-empty', file: hint.filename ?? 'upload.zip', message: 'the zip holds no CorsWhitelistOrigin, CspTrustedSite or Security.settings file: zip the folder that holds them' });
  }
}

/**
 * Reads a metadata upload (one XML file, or a zip of a metadata folder). Throws ImportLimitError
 * when the upload expands beyond IMPORT_LIMITS (limits.ts).
 */
export function importMetadata(input: Uint8Array | string, hint: ImportHint = {}): ImportOutcome {
  const out: ImportOutcome = { bundle: { corsOrigins: [], trustedSites: [], settings: {} }, problems: [], sources: { corsOrigins: [], trustedSites: [] } };
  const fallback = hint.apiVersion === undefined ? null : parseApiVersion(hint.apiVersion, '?apiVersion=');
  if (hint.apiVersion !== undefined && fallback === null) {
    out.problems.push({ severity: 'error', code: 'metadata-api-version-invalid', file: '?apiVersion', message: `'${hint.apiVersion}' is not an API version: use a number such as 47.0 or 62.0` });
  }
  const bytes = typeof input === 'string' ? strToU8(input) : input;
  if (isZip(bytes)) readZip(bytes, hint, fallback, out);
  else readFile(hint.filename ?? 'upload.xml', strFromU8(bytes), fallback, out);
  // The same pattern twice would be a duplicate in the allowlist; the same name twice, one component.
  const seen = new Map<string, string>();
  out.bundle.corsOrigins.forEach((o, i) => {
    const file = out.sources.corsOrigins[i]!;
    const first = seen.get(o.urlPattern);
    if (first !== undefined) out.problems.push({ severity: 'error', code: 'cors-url-pattern-duplicate', file, field: 'urlPattern', message: `${o.urlPattern} is also in ${first}: keep one of the two files` });
    else seen.set(o.urlPattern, file);
  });
  return out;
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
  for (let i = 2; used.has(out.toLowerCase()); i++) out = `${name.slice(0, 76)}_${i}`;
  used.add(out.toLowerCase());
  return out;
}

const usable = (name: string | undefined): name is string => name !== undefined && name.length <= 80 && API_NAME.test(name) && !name.endsWith('_');

/** A deployable metadata folder (Metadata API layout, camelCase folders) and the same as a zip. */
export function exportMetadata(bundle: MetadataBundle): { files: { path: string; content: string }[]; zip: Uint8Array } {
  const files: { path: string; content: string }[] = [];
  const used = new Set<string>();
  // Components keep their own names; the rest get one derived from the pattern, never clashing.
  const origins = [...bundle.corsOrigins].sort((a, b) => a.urlPattern.localeCompare(b.urlPattern));
  const named = new Map(origins.filter((o) => usable(o.fullName)).map((o) => [o, unique(o.fullName!, used)]));
  for (const o of origins) {
    const name = named.get(o) ?? unique(fullNameForPattern(o.urlPattern), used);
    // CorsWhitelistOrigin has only urlPattern; a description cannot be deployed.
    files.push({ path: `corsWhitelistOrigins/${name}.corsWhitelistOrigin`, content: writeXml('CorsWhitelistOrigin', [['urlPattern', o.urlPattern]]) });
  }
  const siteNames = new Set<string>();
  for (const s of [...bundle.trustedSites].sort((a, b) => a.name.localeCompare(b.name))) {
    const name = unique(s.name, siteNames);
    files.push({
      path: `cspTrustedSites/${name}.cspTrustedSite`,
      // Elements in WSDL (alphabetical) order.
      content: writeXml('CspTrustedSite', [
        ...PERMISSION_FIELDS.map((f) => [f, s[f]] as [string, boolean | undefined]),
        ['context', s.context], ['description', s.description], ['endpointUrl', s.endpointUrl], ['isActive', s.isActive],
        ...DIRECTIVE_FIELDS.map(([, f]) => [f, s[f]] as [string, boolean]),
      ]),
    });
  }
  if (bundle.settings.corsForOAuthEndpoints !== undefined) {
    files.push({ path: 'settings/Security.settings', content: `<?xml version="1.0" encoding="UTF-8"?>\n<SecuritySettings xmlns="${METADATA_NS}">\n    <sessionSettings>\n        <enableOauthCorsPolicy>${bundle.settings.corsForOAuthEndpoints}</enableOauthCorsPolicy>\n    </sessionSettings>\n</SecuritySettings>\n` });
  }
  const types = [
    bundle.corsOrigins.length ? '    <types>\n        <members>*</members>\n        <name>CorsWhitelistOrigin</name>\n    </types>' : '',
    bundle.trustedSites.length ? '    <types>\n        <members>*</members>\n        <name>CspTrustedSite</name>\n    </types>' : '',
    bundle.settings.corsForOAuthEndpoints !== undefined ? '    <types>\n        <members>Security</members>\n        <name>Settings</name>\n    </types>' : '',
  ].filter(Boolean);
  files.unshift({ path: 'package.xml', content: `<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="${METADATA_NS}">\n${types.join('\n')}\n    <version>67.0</version>\n</Package>\n` });
  const mtime = new Date('2000-01-01T00:00:00Z'); // fixed, so the same bundle gives the same bytes
  const zip = zipSync(Object.fromEntries(files.map((f) => [`metadata/${f.path}`, [strToU8(f.content), { mtime }]])));
  return { files, zip };
}
