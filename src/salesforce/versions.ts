/**
 * Which Metadata API version a file belongs to, and what that version makes of a CspTrustedSite with
 * no directive set. The version comes from the nearest package.xml `<version>` (a Metadata API
 * folder), else the upload's one package.xml version, else an sfdx-project.json `sourceApiVersion`
 * (SFDX source), else the import's `?apiVersion=`.
 */
import { DIRECTIVE_FIELDS } from 'corsgate/internal/csp/index.js';
import { parseXml } from './xml.js';

export interface ApiVersion {
  value: number;
  /** As written, normalised to `NN.0`. */
  text: string;
  /** Where it was read, for messages: `package.xml`, `sfdx-project.json` or `?apiVersion=`. */
  from: string;
}

/** `47.0`, `47` → API 47; anything else → null. */
export function parseApiVersion(raw: string, from: string): ApiVersion | null {
  const m = /^\s*(\d{2,3})(?:\.0)?\s*$/.exec(raw);
  return m ? { value: Number(m[1]), text: `${Number(m[1])}.0`, from } : null;
}

function declaredVersion(path: string, content: string): ApiVersion | null {
  if (path.toLowerCase().endsWith('sfdx-project.json')) {
    try {
      const v = (JSON.parse(content) as { sourceApiVersion?: unknown }).sourceApiVersion;
      return typeof v === 'string' ? parseApiVersion(v, path) : null;
    } catch {
      return null;
    }
  }
  const xml = parseXml(content, path);
  const v = xml.ok && xml.root === 'Package' ? xml.value.version : undefined;
  return typeof v === 'string' ? parseApiVersion(v, path) : null;
}

const dirOf = (path: string) => path.slice(0, path.lastIndexOf('/') + 1);

/** The API version that governs `path`, from the package.xml and sfdx-project.json files of the upload. */
export function apiVersionOf(path: string, declared: Record<string, string>): ApiVersion | null {
  const versions = Object.entries(declared)
    .map(([p, c]) => ({
      path: p,
      dir: dirOf(p),
      manifest: !p.toLowerCase().endsWith('.json'),
      version: declaredVersion(p, c),
    }))
    .filter((d): d is typeof d & { version: ApiVersion } => d.version !== null);
  const nearest = (list: typeof versions) =>
    list.filter((d) => path.startsWith(d.dir)).sort((a, b) => b.dir.length - a.dir.length)[0]?.version;
  const manifests = versions.filter((d) => d.manifest);
  const projects = versions.filter((d) => !d.manifest);
  const single = (list: typeof versions) =>
    new Set(list.map((d) => d.version.value)).size === 1 ? list[0]!.version : undefined;
  return nearest(manifests) ?? single(manifests) ?? nearest(projects) ?? single(projects) ?? null;
}

type DirectiveField = (typeof DIRECTIVE_FIELDS)[number][1];

/**
 * What Salesforce does with a trusted site whose isApplicableTo… and canAccess… fields are all false
 * (Metadata API Developer Guide, CspTrustedSite): up to API 49 all six directives apply; from 50 to 58
 * img-src does; from 59 the site is refused. Of unknown version, a file with no such element at all
 * (how API 47–58 files were written) gets img-src; one that sets them all false is refused.
 */
export function defaultDirectives(version: number | null, noElement: boolean): DirectiveField[] | 'refuse' {
  if (version === null) return noElement ? ['isApplicableToImgSrc'] : 'refuse';
  if (version <= 49) return DIRECTIVE_FIELDS.map(([, f]) => f);
  if (version <= 58) return ['isApplicableToImgSrc'];
  return 'refuse';
}
