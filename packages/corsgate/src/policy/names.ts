/**
 * The policy engine's own name rules (the shared Fetch/RFC 9110 ones are in src/http/names.ts): the
 * CORS protocol's header names, and the bounded parser for `Access-Control-Request-Headers`.
 */

import { TCHAR } from '../http/names.js';

/** Response headers the CORS protocol itself sets; allowing or exposing them makes no sense. */
export function isCorsProtocolHeader(lowerName: string): boolean {
  return lowerName.startsWith('access-control-');
}

/** Upper bound on the `Access-Control-Request-Headers` value we look at (browsers send far less). */
export const MAX_ACRH_LENGTH = 4096;
/** Upper bound on the number of names in one `Access-Control-Request-Headers` value. */
export const MAX_ACRH_NAMES = 64;
/** Empty elements tolerated (`a,,b`), as jub0bs/cors does; more is refused as malformed. */
export const MAX_ACRH_EMPTY = 16;
/** Upper bound on an `Access-Control-Request-Method` value worth comparing (methods are short tokens). */
export const MAX_ACRM_LENGTH = 256;

export type AcrhResult = { ok: true; names: string[]; joined: string } | { ok: false; malformed: true };

/**
 * Parses `Access-Control-Request-Headers` (`1#field-name`) with bounded work: values longer than
 * MAX_ACRH_LENGTH, with more than MAX_ACRH_NAMES names or MAX_ACRH_EMPTY empty elements, or with an
 * element that is not a token are malformed. Names come back lower-cased, de-duplicated, in order.
 * The length check comes first, so a 1 MiB value is refused without being scanned.
 */
export function parseRequestHeaderNames(value: string): AcrhResult {
  if (value.length > MAX_ACRH_LENGTH) return { ok: false, malformed: true };
  const names: string[] = [];
  let empty = 0;
  let clean = true; // already lower-case, no OWS, no empty element, no duplicate: echo as is
  let i = 0;
  const n = value.length;
  while (i <= n) {
    // Skip OWS (SP / HTAB).
    while (i < n && (value.charCodeAt(i) === 32 || value.charCodeAt(i) === 9)) {
      i++;
      clean = false;
    }
    const start = i;
    while (i < n) {
      const c = value.charCodeAt(i);
      if (c === 44 /* , */ || c === 32 || c === 9) break;
      if (c >= 128 || TCHAR[c] !== 1) return { ok: false, malformed: true };
      if (c >= 65 && c <= 90) clean = false;
      i++;
    }
    const end = i;
    while (i < n && (value.charCodeAt(i) === 32 || value.charCodeAt(i) === 9)) {
      i++;
      clean = false;
    }
    if (i < n && value.charCodeAt(i) !== 44) return { ok: false, malformed: true }; // `a b`
    if (end === start) {
      clean = false;
      if (++empty > MAX_ACRH_EMPTY) return { ok: false, malformed: true };
    } else {
      const slice = value.slice(start, end);
      const name = clean ? slice : slice.toLowerCase();
      if (!names.includes(name)) {
        if (names.length >= MAX_ACRH_NAMES) return { ok: false, malformed: true };
        names.push(name);
      } else clean = false;
    }
    i++; // past the comma (or past the end)
  }
  return { ok: true, names, joined: clean ? value : names.join(',') };
}
