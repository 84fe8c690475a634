/** Reading and writing Salesforce metadata XML safely (no DOCTYPE, so no entity expansion tricks). */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, processEntities: true, ignoreDeclaration: true });

export type XmlResult = { ok: true; root: string; value: Record<string, unknown> } | { ok: false; message: string };

/** Parses one metadata XML document; its single root element and that element's children. */
export function parseXml(text: string): XmlResult {
  if (/<!DOCTYPE/i.test(text)) return { ok: false, message: 'DOCTYPE declarations are not allowed in metadata files' };
  const valid = XMLValidator.validate(text);
  if (valid !== true) return { ok: false, message: `line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}` };
  const doc = parser.parse(text) as Record<string, unknown>;
  const roots = Object.keys(doc).filter((k) => !k.startsWith('?'));
  if (roots.length !== 1) return { ok: false, message: 'expected exactly one root element' };
  const value = doc[roots[0]!];
  return { ok: true, root: roots[0]!, value: typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {} };
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** One metadata document: the root element with its children in the given (WSDL) order. */
export function writeXml(root: string, fields: Array<[string, string | boolean | undefined]>): string {
  const body = fields.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `    <${k}>${escapeXml(String(v))}</${k}>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${METADATA_NS}">\n${body}\n</${root}>\n`;
}
