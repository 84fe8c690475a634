/**
 * Salesforce metadata import and export: CorsWhitelistOrigin and CspTrustedSite files, alone or as a
 * zipped metadata folder (Metadata API or SFDX source layout), and Security.settings for
 * "Enable CORS for OAuth endpoints". Import validates everything and reports every problem, each
 * naming its file; the caller writes nothing unless `problems` holds no error. Each component keeps
 * its own name (fullName), so an export deploys back over the same components. Pure and browser-safe.
 */
import { strToU8, strFromU8 } from 'fflate';
import { ImportLimitError } from './limits.js';
import { unzipBounded } from './zip.js';
import { apiVersionOf, parseApiVersion, type ApiVersion } from './versions.js';
import { kindOf, readMetadataFile } from './read.js';
import type { ImportHint, ImportOutcome } from './types.js';

export { parseApiVersion, type ApiVersion } from './versions.js';
export {
  IMPORT_LIMITS,
  ImportLimitError,
  type ImportLimitErrorCode,
  type ImportLimitName,
} from './limits.js';
export type {
  CorsOriginRecord,
  ImportHint,
  ImportOutcome,
  MetadataBundle,
  MetadataProblem,
} from './types.js';
export { exportMetadata, fullNameForPattern } from './export.js';

function isZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
  );
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
    out.problems.push({
      severity: 'error',
      code: 'metadata-zip-invalid',
      file: hint.filename ?? 'upload.zip',
      message: `the zip cannot be read (${(err as Error).message}): zip the metadata folder again`,
    });
    return;
  }
  const paths = Object.keys(files)
    .filter((p) => !isHidden(p))
    .sort();
  const declared = Object.fromEntries(
    paths.filter((p) => ['package', 'project'].includes(kindOf(p))).map((p) => [p, strFromU8(files[p]!)]),
  );
  for (const path of paths) {
    const kind = kindOf(path);
    if (kind === 'package' || kind === 'project') continue;
    if (kind === 'unknown') {
      out.problems.push({
        severity: 'warning',
        code: 'metadata-file-ignored',
        file: path,
        message: 'not a CorsWhitelistOrigin, CspTrustedSite or Security.settings file: ignored',
      });
      continue;
    }
    readMetadataFile(path, strFromU8(files[path]!), apiVersionOf(path, declared) ?? fallback, out);
  }
  const nothing =
    out.bundle.corsOrigins.length + out.bundle.trustedSites.length === 0 &&
    out.bundle.settings.corsForOAuthEndpoints === undefined;
  if (nothing && !out.problems.some((p) => p.severity === 'error')) {
    out.problems.push({
      severity: 'error',
      code: 'metadata-empty',
      file: hint.filename ?? 'upload.zip',
      message:
        'the zip holds no CorsWhitelistOrigin, CspTrustedSite or Security.settings file: zip the folder that holds them',
    });
  }
}

/**
 * Reads a metadata upload (one XML file, or a zip of a metadata folder). Throws ImportLimitError
 * when the upload expands beyond IMPORT_LIMITS (limits.ts).
 */
export function importMetadata(input: Uint8Array | string, hint: ImportHint = {}): ImportOutcome {
  const out: ImportOutcome = {
    bundle: { corsOrigins: [], trustedSites: [], settings: {} },
    problems: [],
    sources: { corsOrigins: [], trustedSites: [] },
  };
  const fallback = hint.apiVersion === undefined ? null : parseApiVersion(hint.apiVersion, '?apiVersion=');
  if (hint.apiVersion !== undefined && fallback === null) {
    out.problems.push({
      severity: 'error',
      code: 'metadata-api-version-invalid',
      file: '?apiVersion',
      message: `'${hint.apiVersion}' is not an API version: use a number such as 47.0 or 62.0`,
    });
  }
  const bytes = typeof input === 'string' ? strToU8(input) : input;
  if (isZip(bytes)) readZip(bytes, hint, fallback, out);
  else readMetadataFile(hint.filename ?? 'upload.xml', strFromU8(bytes), fallback, out);
  // The same pattern twice would be a duplicate in the allowlist; the same name twice, one component.
  const seen = new Map<string, string>();
  out.bundle.corsOrigins.forEach((o, i) => {
    const file = out.sources.corsOrigins[i]!;
    const first = seen.get(o.urlPattern);
    if (first !== undefined)
      out.problems.push({
        severity: 'error',
        code: 'cors-url-pattern-duplicate',
        file,
        field: 'urlPattern',
        message: `${o.urlPattern} is also in ${first}: keep one of the two files`,
      });
    else seen.set(o.urlPattern, file);
  });
  return out;
}
