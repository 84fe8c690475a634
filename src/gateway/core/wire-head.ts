/**
 * The HTTP/1.1 head of an empty 204 answer (an allowed preflight, `OPTIONS *`), serialised once per
 * answer: the status line and the answer's own fields, without Date and Connection, which depend on
 * the moment and the connection (the writer adds them, answer-write.ts). Node's `writeHead` checks
 * every field of every response it sends; here each field is checked once, with the same rules
 * (a name is a token, RFC 9110 §5.1; a value holds no control character but HTAB, §5.5), so the
 * answers a route remembers are sent without being checked again. Pure: no I/O.
 */

import { isToken } from 'corsgate/internal/http/names.js';

/** Node's rule for a value `writeHead` refuses (lib/_http_common.js, `checkInvalidHeaderChar`). */
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** Fields whose presence changes how Node frames a response: such a head is left to `writeHead`. */
const FRAMING = new Set(['connection', 'content-length', 'date', 'transfer-encoding', 'trailer', 'expect']);

/**
 * `HTTP/1.1 204 No Content` and the fields of `list` (flat name/value pairs), each line ending in
 * CRLF, or null when the answer is no 204 or a field is one `writeHead` would refuse or frame itself.
 */
export function emptyAnswerHead(status: number, list: readonly string[]): string | null {
  if (status !== 204) return null;
  let head = 'HTTP/1.1 204 No Content\r\n';
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i]!;
    const value = list[i + 1]!;
    if (!isToken(name) || INVALID_VALUE.test(value) || FRAMING.has(name.toLowerCase())) return null;
    head += `${name}: ${value}\r\n`;
  }
  return head;
}
