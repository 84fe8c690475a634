/**
 * Reading one metadata file: which type it holds (by its path), whether its XML and namespace are
 * right, and each CorsWhitelistOrigin, CspTrustedSite or Security.settings component into the bundle,
 * with a problem naming the file for everything that is wrong.
 */
import { parseOriginPattern, PolicyError } from 'corsgate/internal/policy/index.js';
import {
  API_NAME,
  DIRECTIVE_FIELDS,
  PERMISSION_FIELDS,
  validateTrustedSite,
  type TrustedSite,
} from 'corsgate/internal/csp/index.js';
import { METADATA_NS, parseXml } from './xml.js';
import { defaultDirectives, type ApiVersion } from './versions.js';
import type { ImportOutcome, MetadataProblem } from './types.js';

type Kind = 'cors' | 'csp' | 'settings' | 'package' | 'project' | 'unknown';

/** Which metadata type a path holds, by its folder and suffix (both casings, both layouts). */
export function kindOf(path: string): Kind {
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
  return path
    .split('/')
    .pop()!
    .replace(/(-meta\.xml)$/i, '')
    .replace(/\.[^.]+$/, '');
}

const ROOT_KIND: Record<string, Kind> = {
  CorsWhitelistOrigin: 'cors',
  CspTrustedSite: 'csp',
  SecuritySettings: 'settings',
  Package: 'package',
};
/** Contexts and the API version that introduced them (Metadata API CspTrustedSiteContext). */
const CONTEXT_SINCE: Record<string, number> = {
  All: 44,
  LEX: 44,
  Communities: 44,
  FieldServiceMobileExtension: 47,
  VisualForce: 55,
  LightningOut: 64,
};

interface Reader {
  file: string;
  problems: MetadataProblem[];
}

function problem(
  r: Reader,
  code: string,
  message: string,
  field?: string,
  severity: 'error' | 'warning' = 'error',
): void {
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
    problem(
      r,
      'metadata-name-invalid',
      `'${name}' is not a Salesforce API name (letters, digits and single underscores, starting with a letter, at most 80 characters): rename the file`,
    );
  }
  return name;
}

function readCors(r: Reader, value: Record<string, unknown>, out: ImportOutcome): void {
  const urlPattern = text(value.urlPattern);
  if (!urlPattern)
    return problem(
      r,
      'cors-url-pattern-missing',
      'the <urlPattern> element is missing: add the origin, e.g. <urlPattern>https://app.example.com</urlPattern>',
      'urlPattern',
    );
  try {
    parseOriginPattern(urlPattern);
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    r.problems.push({
      severity: 'error',
      code: err.code,
      file: r.file,
      field: 'urlPattern',
      urlPattern,
      message: `${urlPattern}: ${err.message}`,
    });
    return;
  }
  const errors = r.problems.length;
  const fullName = componentName(r, value);
  if (r.problems.length > errors) return;
  const description = text(value.description);
  out.bundle.corsOrigins.push({
    urlPattern,
    ...(fullName ? { fullName } : {}),
    ...(description ? { description } : {}),
  });
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
  problem(
    r,
    'csp-directives-defaulted',
    `no directive is set: ${which} assumed, as Salesforce does for ${where}${version ? '' : '; pass ?apiVersion= to say which'}`,
    undefined,
    'warning',
  );
}

function readSite(
  r: Reader,
  value: Record<string, unknown>,
  version: ApiVersion | null,
  out: ImportOutcome,
): void {
  const flags = Object.fromEntries(
    [...DIRECTIVE_FIELDS.map(([, f]) => f), ...PERMISSION_FIELDS].map((f) => [f, bool(r, value[f], f)]),
  );
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
  if (!anySet)
    applyDefaults(
      r,
      site,
      version,
      DIRECTIVE_FIELDS.every(([, f]) => value[f] === undefined),
    );
  if (
    context !== undefined &&
    version &&
    CONTEXT_SINCE[context] !== undefined &&
    version.value < CONTEXT_SINCE[context]!
  ) {
    problem(
      r,
      'trusted-site-context-too-new',
      `context ${context} exists from API ${CONTEXT_SINCE[context]}.0; this file is API ${version.text}`,
      'context',
      'warning',
    );
  }
  const siteProblems = validateTrustedSite(site);
  for (const p of siteProblems)
    problem(
      r,
      p.code,
      `${p.message}${p.code === 'trusted-site-no-directive' && version ? ` (Salesforce requires one from API 59; this file is API ${version.text})` : ''}`,
      p.field,
    );
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

export function readMetadataFile(
  path: string,
  content: string,
  version: ApiVersion | null,
  out: ImportOutcome,
): void {
  const r: Reader = { file: path, problems: out.problems };
  const xml = parseXml(content, path);
  if (!xml.ok) return problem(r, 'metadata-xml-invalid', `${xml.message}: the file is not well-formed XML`);
  const kind = ROOT_KIND[xml.root];
  const expected = kindOf(path);
  if (!kind || kind === 'package')
    return problem(
      r,
      'metadata-type-unsupported',
      `<${xml.root}> is not a CorsWhitelistOrigin, CspTrustedSite or SecuritySettings document: remove the file from the upload`,
    );
  if (expected !== 'unknown' && expected !== kind)
    return problem(
      r,
      'metadata-type-mismatch',
      `the file name says ${expected} but the document is <${xml.root}>: rename the file or fix its root element`,
    );
  const ns = rootNamespace(content, xml.root);
  if (ns !== METADATA_NS) {
    return problem(
      r,
      'metadata-namespace-invalid',
      `<${xml.root}> must declare xmlns="${METADATA_NS}"${ns === undefined ? '' : ` (it declares "${ns}")`}: Salesforce refuses the file otherwise`,
    );
  }
  if (kind === 'cors') readCors(r, xml.value, out);
  else if (kind === 'csp') readSite(r, xml.value, version, out);
  else readSettings(r, xml.value, out);
}
