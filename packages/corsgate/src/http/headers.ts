/**
 * Header primitives of the Fetch Standard (#terminology-headers, #concept-header-list-get,
 * #concept-header-extract-mime-type neighbours) on a simple ordered header list. Pure and
 * browser-safe: used by `explain`, and by anything else that needs Fetch's exact parsing.
 */

import { isToken } from './names.js';

export { isToken } from './names.js';

/** An ordered header list: names keep their case, repeated names keep their order. */
export type HeaderList = ReadonlyArray<readonly [string, string]>;

/** Headers given as an object (one value or several per name) or as [name, value] pairs. */
export type HeadersInput =
  HeaderList | Readonly<Record<string, string | readonly string[] | number | boolean>>;

/** Turns any accepted header shape into an ordered list; values are trimmed of HTTP whitespace as parsers do. */
export function toHeaderList(input: HeadersInput | undefined | null): [string, string][] {
  if (input === undefined || input === null) return [];
  const out: [string, string][] = [];
  if (Array.isArray(input)) {
    for (const pair of input as HeaderList) {
      if (Array.isArray(pair) && pair.length >= 2) out.push([String(pair[0]), trimOws(String(pair[1]))]);
    }
    return out;
  }
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    if (Array.isArray(value)) for (const v of value) out.push([name, trimOws(String(v))]);
    else if (value !== undefined && value !== null) out.push([name, trimOws(String(value))]);
  }
  return out;
}

export function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** #concept-header-list-get: every value of `name` (case-insensitive), joined with ", "; null if absent. */
export function getHeader(list: HeaderList, name: string): string | null {
  const lower = name.toLowerCase();
  let out: string | null = null;
  for (const [n, v] of list) {
    if (n.toLowerCase() !== lower) continue;
    out = out === null ? v : `${out}, ${v}`;
  }
  return out;
}

/**
 * "Extract header list values" for the `#token` lists of CORS headers (`#method`, `#field-name`):
 * null when absent, 'failure' when an element is not a token. Empty elements are allowed and dropped
 * (RFC 9110 §5.6.1), as Chromium does (net::HttpUtil::ValuesIterator with ignore_empty).
 */
export function extractTokenList(list: HeaderList, name: string): string[] | null | 'failure' {
  const value = getHeader(list, name);
  if (value === null) return null;
  const out: string[] = [];
  for (const raw of value.split(',')) {
    const item = trimOws(raw);
    if (item === '') continue;
    if (!isToken(item)) return 'failure';
    out.push(item);
  }
  return out;
}

/** #cors-unsafe-request-header-byte */
export function hasCorsUnsafeByte(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
    switch (c) {
      case 0x22:
      case 0x28:
      case 0x29:
      case 0x3a:
      case 0x3c:
      case 0x3e:
      case 0x3f:
      case 0x40:
      case 0x5b:
      case 0x5c:
      case 0x5d:
      case 0x7b:
      case 0x7d:
        return true;
    }
  }
  return false;
}

/**
 * Byte length of a header value as sent. Header values are byte strings: fetch() takes each code unit
 * up to U+00FF as one byte (isomorphic encoding) and refuses anything above; a value that does hold
 * such characters (a server's header written as UTF-8) is counted in UTF-8.
 */
export function byteLength(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0xff) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const UTF8 = new TextEncoder();

/** The bytes of a header value: code units up to U+00FF as themselves, anything above as UTF-8. */
export function headerValueBytes(value: string): number[] {
  const out: number[] = [];
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (c <= 0xff) out.push(c);
    else out.push(...UTF8.encode(ch));
  }
  return out;
}

/**
 * The essence of a MIME type per WHATWG MIME Sniffing "parse a MIME type" (type/subtype, lower-cased),
 * or null when it does not parse. Parameters are not needed by CORS and are not returned.
 */
export function mimeEssence(value: string): string | null {
  const s = value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  const slash = s.indexOf('/');
  if (slash <= 0) return null;
  const type = s.slice(0, slash);
  if (!isToken(type)) return null;
  const semi = s.indexOf(';', slash + 1);
  const subtype = (semi === -1 ? s.slice(slash + 1) : s.slice(slash + 1, semi)).replace(/[\t\n\r ]+$/, '');
  if (subtype === '' || !isToken(subtype)) return null;
  return `${type}/${subtype}`.toLowerCase();
}

/** "Parse a single range header value" with allowWhitespace false: `bytes=start-[end]`; null on failure. */
export function parseSingleRange(value: string): { start: number | null; end: number | null } | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(value);
  if (!m) return null;
  const start = m[1] === '' ? null : Number(m[1]);
  const end = m[2] === '' ? null : Number(m[2]);
  if (start === null && end === null) return null;
  if (start !== null && end !== null && start > end) return null;
  return { start, end };
}
