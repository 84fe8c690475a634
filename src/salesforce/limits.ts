/**
 * How much a metadata upload may expand to. A zip is read as a stream and every limit is checked
 * as the bytes come out of the decompressor, so a zip bomb is stopped after at most one limit's
 * worth of output; XML documents are bounded in depth, elements and entity expansions. Beyond a
 * limit the import stops with an ImportLimitError naming it (the admin API answers 413).
 *
 * The sizes start from Salesforce's own Metadata API limits ("Metadata Limits": up to 10,000 files
 * per deploy or retrieve, a 39 MB zip, 600 MB uncompressed) and from what the files read here can
 * hold: a CorsWhitelistOrigin or CspTrustedSite file is well under 1 KB, and the largest file read,
 * a package.xml naming 35,000 components (an AppExchange package's most), about 2.5 MB.
 */
import { CorsgateError } from 'corsgate/internal/errors.js';

export const IMPORT_LIMITS = {
  /** Entries (files and folders) in a zip; twice Salesforce's 10,000 files, so folder entries fit. */
  maxEntries: 20_000,
  /** Decompressed bytes of one file read (a zip entry, or an XML upload). */
  maxEntryBytes: 4 * 1024 * 1024,
  /** Decompressed bytes of all the files read from one zip. */
  maxTotalBytes: 64 * 1024 * 1024,
  /** Decompressed : compressed bytes of one entry, checked once it has produced RATIO_FLOOR_BYTES. */
  maxCompressionRatio: 100,
  /** Nesting depth of an XML document (metadata files nest three or four levels). */
  maxXmlDepth: 32,
  /** Elements in one XML document (a package.xml holds one per component). */
  maxXmlElements: 100_000,
  /** Entity and character references expanded in one XML document. */
  maxEntityExpansions: 10_000,
} as const;

export type ImportLimitName = keyof typeof IMPORT_LIMITS;

/** Below this many output bytes an entry's compression ratio is not judged (tiny files compress oddly). */
export const RATIO_FLOOR_BYTES = 64 * 1024;

/** The one code of ImportLimitError; `limit` says which limit was passed. */
export type ImportLimitErrorCode = 'import-too-large';

export class ImportLimitError extends CorsgateError<ImportLimitErrorCode> {
  constructor(
    /** Which limit was passed (a key of IMPORT_LIMITS). */
    readonly limit: ImportLimitName,
    readonly max: number,
    message: string,
    /** The file being read, when there is one. */
    readonly file?: string,
  ) {
    super('import-too-large', `${file ? `${file}: ` : ''}${message} (limit ${limit}: ${max})`);
  }
}

/** Refuses one metadata document larger than maxEntryBytes. */
export function checkDocumentSize(bytes: number, file?: string): void {
  const max = IMPORT_LIMITS.maxEntryBytes;
  if (bytes > max)
    throw new ImportLimitError('maxEntryBytes', max, `the metadata file is larger than ${max} bytes`, file);
}
