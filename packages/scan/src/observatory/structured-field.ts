/**
 * RFC 8941 §4.2.3 "Parsing an Item", enough to tell whether a header is one well-formed Item whose bare
 * item is a Token: the HTML Standard reads Cross-Origin-Embedder-Policy and Cross-Origin-Opener-Policy
 * that way (§7.1.3.2, §7.1.4.2), so `"require-corp"` (a String) or `require-corp; report-to=a b`
 * (malformed) count as no policy at all. Parameters are checked for syntax only.
 */

const TOKEN = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*/;
const KEY = /^[a-z*][a-z0-9_\-.*]*/;
const NUMBER = /^-?\d{1,15}(?:\.\d{1,3})?/;
const BYTES = /^:[A-Za-z0-9+/=]*:/;

/** Length of the bare item at the start of `s` (RFC 8941 §4.2.3.1), or -1 when there is none. */
function bareItem(s: string): number {
  const m = TOKEN.exec(s) ?? NUMBER.exec(s) ?? BYTES.exec(s) ?? /^\?[01]/.exec(s);
  if (m) return m[0].length;
  if (s[0] !== '"') return -1;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (s[i] === '\\') {
      if (s[i + 1] !== '"' && s[i + 1] !== '\\') return -1;
      i++;
    } else if (s[i] === '"') return i + 1;
    else if (c < 0x20 || c > 0x7e) return -1;
  }
  return -1;
}

/** The Token of a header value that is exactly one Item with a Token bare item, else null. */
export function itemToken(value: string): string | null {
  const s = value.replace(/^ +| +$/g, '');
  const token = TOKEN.exec(s)?.[0];
  if (token === undefined) return null;
  let rest = s.slice(token.length);
  // §4.2.3.2 parameters: *( ";" *SP key [ "=" bare-item ] )
  while (rest.startsWith(';')) {
    rest = rest.slice(1).replace(/^ +/, '');
    const key = KEY.exec(rest)?.[0];
    if (key === undefined) return null;
    rest = rest.slice(key.length);
    if (rest.startsWith('=')) {
      const n = bareItem(rest.slice(1));
      if (n < 0) return null;
      rest = rest.slice(1 + n);
    }
  }
  return rest === '' ? token : null;
}
