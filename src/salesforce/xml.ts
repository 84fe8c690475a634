/**
 * Reading and writing Salesforce metadata XML safely: no DOCTYPE (so no entity definitions at all),
 * and IMPORT_LIMITS on size, depth, elements and entity expansions, each refused with an
 * ImportLimitError naming it.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { checkDocumentSize, IMPORT_LIMITS, ImportLimitError } from './limits.js';

export const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';

/** Elements of the document being parsed (parsing is synchronous, so one counter serves). */
let elements = 0;
class TooManyElements extends Error {}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: { enabled: true, maxTotalExpansions: IMPORT_LIMITS.maxEntityExpansions },
  ignoreDeclaration: true,
  maxNestedTags: IMPORT_LIMITS.maxXmlDepth,
  jPath: false,
  // Called once for every element: the cheapest place to count them.
  updateTag: () => {
    if (++elements > IMPORT_LIMITS.maxXmlElements) throw new TooManyElements();
    return true;
  },
});

type XmlLimit = 'maxXmlDepth' | 'maxXmlElements' | 'maxEntityExpansions';

/** Which limit a parser error is (fast-xml-parser's own by the start of their message), and what it means. */
const XML_LIMITS: readonly { limit: XmlLimit; is: (err: unknown) => boolean; message: string }[] = [
  {
    limit: 'maxXmlDepth',
    is: (e) => /^Maximum nested tags exceeded/.test((e as Error).message),
    message: `the document nests elements more than ${IMPORT_LIMITS.maxXmlDepth} deep`,
  },
  {
    limit: 'maxXmlElements',
    is: (e) => e instanceof TooManyElements,
    message: `the document has more than ${IMPORT_LIMITS.maxXmlElements} elements`,
  },
  {
    limit: 'maxEntityExpansions',
    is: (e) => /^\[EntityReplacer\] Entity expansion count limit/.test((e as Error).message),
    message: `the document expands more than ${IMPORT_LIMITS.maxEntityExpansions} entity or character references`,
  },
];

function parseBounded(text: string, file: string | undefined): Record<string, unknown> {
  elements = 0;
  try {
    return parser.parse(text) as Record<string, unknown>;
  } catch (err) {
    const known = XML_LIMITS.find((l) => l.is(err));
    if (known) throw new ImportLimitError(known.limit, IMPORT_LIMITS[known.limit], known.message, file);
    throw err;
  }
}

export type XmlResult =
  { ok: true; root: string; value: Record<string, unknown> } | { ok: false; message: string };

/**
 * Parses one metadata XML document; its single root element and that element's children.
 * `file` names the document in an ImportLimitError.
 */
export function parseXml(text: string, file?: string): XmlResult {
  checkDocumentSize(text.length, file);
  if (/<!DOCTYPE/i.test(text))
    return { ok: false, message: 'DOCTYPE declarations are not allowed in metadata files' };
  const valid = XMLValidator.validate(text);
  if (valid !== true)
    return { ok: false, message: `line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}` };
  const doc = parseBounded(text, file);
  const roots = Object.keys(doc).filter((k) => !k.startsWith('?'));
  if (roots.length !== 1) return { ok: false, message: 'expected exactly one root element' };
  const value = doc[roots[0]!];
  return {
    ok: true,
    root: roots[0]!,
    value: typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {},
  };
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** One metadata document: the root element with its children in the given (WSDL) order. */
export function writeXml(root: string, fields: Array<[string, string | boolean | undefined]>): string {
  const body = fields
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `    <${k}>${escapeXml(String(v))}</${k}>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${METADATA_NS}">\n${body}\n</${root}>\n`;
}
