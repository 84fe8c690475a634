/**
 * The compiled origin matcher. Exact origins live in a hash set keyed by their serialization, or,
 * for a builder told to keep them off the heap (a gateway's million-entry allowlist), in an
 * OriginTable (origin-table.ts): the one place an exact origin is looked up either way;
 * `scheme://host:*` patterns in a second set keyed by `scheme://host`; subdomain wildcards in a
 * trie keyed by host labels from the right (`com` → `example` → …). A lookup costs one or two hash
 * probes plus one step per label of the request's host: it does not grow with the number of
 * patterns. Request-time origins are matched byte-exact; anything that is not a serialized origin
 * is refused without being normalised.
 */
import { DEFAULT_PORTS } from '../http/url.js';
import { findHostEnd } from './authority.js';
import { OriginTable, type OriginTableParts } from './origin-table.js';
import { MAX_ORIGIN_LENGTH, parseOrigin } from './parse.js';
import type { OriginPattern } from './pattern.js';

/** One wildcard rule hung on a trie node: scheme and port ('' = default port, '*' = any). */
interface WildRule {
  scheme: string;
  port: string;
}

class TrieNode {
  children: Map<string, TrieNode> | null = null;
  rules: WildRule[] | null = null;
}

export interface OriginMatcher {
  /** Whether the request-time `Origin` value is allowed. Never throws. */
  allows(origin: string): boolean;
  /** Number of distinct patterns compiled (for diagnostics). */
  readonly size: number;
}

// Character classes as lookup tables (no regex on the request path).
const LABEL_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[a-z0-9_-]/.test(ch)) LABEL_CHAR[c] = 1;
}

/**
 * Validates that `origin[start, end)` is a lower-case host made of non-empty LDH/underscore labels.
 * Bounded by MAX_ORIGIN_LENGTH, checked before.
 */
function isPlainDomain(origin: string, start: number, end: number): boolean {
  if (end <= start) return false;
  let labelLength = 0;
  for (let i = start; i < end; i++) {
    const c = origin.charCodeAt(i);
    if (c === 46 /* . */) {
      if (labelLength === 0) return false;
      labelLength = 0;
    } else if (c < 128 && LABEL_CHAR[c] === 1) {
      if (++labelLength > 63) return false;
    } else return false;
  }
  return labelLength > 0;
}

/**
 * Checks the port after the `:` at index `colon` of `origin` (-1: no port). Returns the port text
 * ('' when absent), or null if it is not a canonical port other than the scheme's default.
 */
function portOf(origin: string, colon: number, scheme: string): string | null {
  if (colon < 0) return '';
  const len = origin.length - colon - 1;
  if (len < 1 || len > 5) return null;
  let n = 0;
  for (let i = colon + 1; i < origin.length; i++) {
    const c = origin.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    if (i === colon + 1 && c === 48) return null; // leading zero, or port 0
    n = n * 10 + (c - 48);
  }
  if (n > 65535 || n === DEFAULT_PORTS[scheme]) return null;
  return origin.slice(colon + 1);
}

/**
 * Whether `value` is exactly a serialized origin (`null` included), checked without allocating
 * for the common shapes. Equivalent to `parseOrigin(value) !== null`; used to tell a malformed
 * Origin from one that is merely not allowed.
 */
export function isSerializedOrigin(value: string): boolean {
  if (typeof value !== 'string' || value.length > MAX_ORIGIN_LENGTH) return false;
  if (value === 'null') return true;
  const sep = value.indexOf('://');
  if (sep <= 0 || sep > 64) return false;
  for (let i = 0; i < sep; i++) {
    const c = value.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (i > 0 && ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46));
    if (!ok) return false;
  }
  const hostStart = sep + 3;
  if (value.charCodeAt(hostStart) === 91 /* [ */) return parseOrigin(value) !== null; // IPv6: rare, full check
  const hostEnd = findHostEnd(value, hostStart);
  const colon = hostEnd === value.length ? -1 : hostEnd;
  if (!isPlainDomain(value, hostStart, hostEnd)) return false;
  if (value.includes('xn--', hostStart)) return parseOrigin(value) !== null; // punycode must decode
  if (portOf(value, colon, value.slice(0, sep)) === null) return false;
  // A numeric last label makes the host an IPv4 address, which must be a canonical dotted quad.
  const c = value.charCodeAt(hostEnd - 1);
  if (c >= 48 && c <= 57) return parseOrigin(value) !== null;
  return true;
}

/**
 * Builds a matcher one pattern at a time, so a policy's validation can add each pattern as it checks
 * it (and learn about duplicates) without keeping a million pattern objects alive.
 */
/** Whether an exact pattern's source fits an OriginTable (one byte per character). */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

export interface MatcherBuilderOptions {
  /**
   * Keep exact origins in an OriginTable sized for this many entries (off the JavaScript heap:
   * nothing for the garbage collector to scan, no rehash of a huge Set, and the table can be
   * moved to another process as bytes). Without it, a Set (the fastest lookup for small lists).
   */
  offHeapExact?: number;
}

export class OriginMatcherBuilder {
  private readonly exact = new Set<string>();
  private table: OriginTable | null;
  private readonly anyPort = new Set<string>();
  private readonly root = new TrieNode();
  private wildcards = 0;
  private any = false;

  constructor(options: MatcherBuilderOptions = {}) {
    this.table = options.offHeapExact === undefined ? null : new OriginTable(options.offHeapExact);
  }

  /** Whether `origin` is one of the exact origins added (byte-exact, as `allows` compares them). */
  hasExact(origin: string): boolean {
    return this.exact.has(origin) || (this.table !== null && this.table.has(origin));
  }

  /** How many exact origins the off-heap table holds. */
  get tableSize(): number {
    return this.table === null ? 0 : this.table.size;
  }

  /** The off-heap exact origins' arrays (null without `offHeapExact`), to move them elsewhere. */
  tableParts(): OriginTableParts | null {
    return this.table === null ? null : this.table.parts();
  }

  /** Takes exact origins a builder elsewhere checked and packed (see `tableParts`); before any is added. */
  adoptTable(parts: OriginTableParts): void {
    if (this.table === null || this.table.size > 0)
      throw new Error('OriginMatcherBuilder: a table is adopted only by an off-heap builder still empty');
    this.table = OriginTable.fromParts(parts);
  }

  /** Removes an exact origin from the off-heap table (an allowlist delta); false when the table does not hold it. */
  deleteExact(source: string): boolean {
    return this.table !== null && this.table.delete(source);
  }

  /** The exact origins held off the heap (listed only when asked for: a million strings are not kept for nothing). */
  tableOrigins(): string[] {
    return this.table === null ? [] : this.table.list();
  }

  /** Adds a checked pattern; returns false when the same pattern was added before. */
  add(p: OriginPattern): boolean {
    if (p.kind === 'any') {
      if (this.any) return false;
      return (this.any = true);
    }
    if (p.kind === 'exact') {
      // checkOriginPattern accepts only canonical spellings, so an exact pattern's source is the
      // serialized origin itself (with `:*` for any port): no string is built per pattern.
      if (p.port !== '*' && this.table !== null && isAscii(p.source)) {
        // More entries than announced (a store that grew meanwhile): a table twice the size, once.
        if (!this.table.hasRoom) this.table = grown(this.table);
        return this.table.add(p.source);
      }
      const set = p.port === '*' ? this.anyPort : this.exact;
      const key = p.port === '*' ? p.source.slice(0, -2) : p.source;
      const before = set.size;
      set.add(key);
      return set.size !== before;
    }
    // Subdomain wildcard: walk/create the reversed-label path of the base domain.
    let node = this.root;
    const labels = p.host.split('.');
    for (let i = labels.length - 1; i >= 0; i--) {
      const label = labels[i]!;
      node.children ??= new Map();
      let next = node.children.get(label);
      if (next === undefined) {
        next = new TrieNode();
        node.children.set(label, next);
      }
      node = next;
    }
    const port = p.port === null ? '' : String(p.port);
    node.rules ??= [];
    if (node.rules.some((r) => r.scheme === p.scheme && r.port === port)) return false;
    node.rules.push({ scheme: p.scheme, port });
    this.wildcards++;
    return true;
  }

  build(): OriginMatcher {
    return buildMatcher(this.exact, this.table, this.anyPort, this.root, this.wildcards, this.any);
  }
}

function grown(table: OriginTable): OriginTable {
  const bigger = new OriginTable(table.size * 2 + 16);
  for (const o of table.list()) bigger.add(o);
  return bigger;
}

export function compileOriginMatcher(patterns: Iterable<OriginPattern>): OriginMatcher {
  const builder = new OriginMatcherBuilder();
  for (const p of patterns) builder.add(p);
  return builder.build();
}

function buildMatcher(
  exact: ReadonlySet<string>,
  table: OriginTable | null,
  anyPort: ReadonlySet<string>,
  root: TrieNode,
  wildcards: number,
  any: boolean,
): OriginMatcher {
  const size = (any ? 1 : 0) + exact.size + (table === null ? 0 : table.size) + anyPort.size + wildcards;
  if (any) return { allows: () => true, size };
  const hasAnyPort = anyPort.size > 0;
  const hasWild = wildcards > 0;

  function allows(origin: string): boolean {
    if (typeof origin !== 'string' || origin.length > MAX_ORIGIN_LENGTH) return false;
    if (exact.has(origin) || (table !== null && table.has(origin))) return true;
    if (!hasAnyPort && !hasWild) return false;
    // Split `scheme://host[:port]` (the shared authority rule) without allocating beyond a few short slices.
    const sep = origin.indexOf('://');
    if (sep <= 0) return false;
    const hostStart = sep + 3;
    const hostEnd = findHostEnd(origin, hostStart);
    if (hostEnd < 0) return false;
    let colon = -1;
    if (hostEnd < origin.length) {
      if (origin.charCodeAt(hostEnd) !== 58 /* : */) return false; // `[…]` followed by anything but a port
      colon = hostEnd;
    }
    const scheme = origin.slice(0, sep);
    const port = portOf(origin, colon, scheme);
    if (port === null) return false;
    // `scheme://host:*`: the origin without its port must be a listed exact host (the implicit port included).
    if (hasAnyPort && anyPort.has(colon < 0 ? origin : origin.slice(0, colon))) return true;
    if (!hasWild || !isPlainDomain(origin, hostStart, hostEnd)) return false;
    if (origin.includes('xn--', hostStart) && parseOrigin(origin) === null) return false; // punycode must decode
    // Walk the trie from the last label; a rule on a node applies when at least one label is left over.
    let node: TrieNode | undefined = root;
    let labelEnd = hostEnd;
    while (node !== undefined && node.children !== null) {
      const dot = origin.lastIndexOf('.', labelEnd - 1);
      const labelStart = dot < hostStart ? hostStart : dot + 1;
      node = node.children.get(origin.slice(labelStart, labelEnd));
      if (node === undefined || labelStart === hostStart) return false;
      if (node.rules !== null) {
        for (const rule of node.rules) {
          if (rule.scheme === scheme && (rule.port === '*' || rule.port === port)) return true;
        }
      }
      labelEnd = dot;
    }
    return false;
  }
  return { allows, size };
}
