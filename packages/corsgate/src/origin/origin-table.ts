/**
 * A set of exact origins kept off the JavaScript heap: the bytes of every origin in one arena and
 * an open-addressing hash index in typed arrays, sized once for the count the snapshot announces.
 * A million allowlist entries then cost the garbage collector nothing to keep (nothing in an
 * ArrayBuffer is scanned) and never a rehash of a million-entry Set in one go, so a compile can
 * be sliced finely. A lookup hashes the request's Origin (FNV-1a) and compares bytes: no allocation.
 * Only canonical ASCII origins go in (the entry check accepts nothing else as an exact origin).
 */
/** A table's typed arrays, as the process that filled it hands them to another (see `OriginTable.fromParts`). */
export interface OriginTableParts {
  readonly size: number;
  /** The bytes of every origin (only the used part). */
  readonly arena: Uint8Array;
  readonly offsets: Uint32Array;
  readonly lengths: Uint16Array;
  readonly hashes: Uint32Array;
}

export class OriginTable {
  private arena: Uint8Array;
  private used = 0;
  private readonly mask: number;
  /** Per slot: arena offset + 1 (0 = empty). */
  private readonly offsets: Uint32Array;
  private readonly lengths: Uint16Array;
  private readonly hashes: Uint32Array;
  size = 0;

  constructor(expected: number, parts?: OriginTableParts) {
    if (parts !== undefined) {
      const capacity = parts.offsets.length;
      if (
        capacity < 16 ||
        (capacity & (capacity - 1)) !== 0 ||
        parts.lengths.length !== capacity ||
        parts.hashes.length !== capacity
      )
        throw new Error('OriginTable: parts of mismatched sizes');
      this.mask = capacity - 1;
      this.offsets = parts.offsets;
      this.lengths = parts.lengths;
      this.hashes = parts.hashes;
      // The whole buffer behind the arena's view: room to add origins to an adopted table.
      this.arena = new Uint8Array(
        parts.arena.buffer,
        parts.arena.byteOffset,
        parts.arena.buffer.byteLength - parts.arena.byteOffset,
      );
      this.used = parts.arena.length;
      this.size = parts.size;
      return;
    }
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.mask = capacity - 1;
    this.offsets = new Uint32Array(capacity);
    this.lengths = new Uint16Array(capacity);
    this.hashes = new Uint32Array(capacity);
    this.arena = new Uint8Array(Math.max(1024, expected * 32));
  }

  /**
   * A table rebuilt around arrays another process filled (moved as bytes: no origin is hashed or
   * copied one by one, so a million entries cost the receiver a few memory copies). Read-only use.
   */
  static fromParts(parts: OriginTableParts): OriginTable {
    return new OriginTable(0, parts);
  }

  /** Views of this table's arrays (not copies): send them, do not alter them. */
  parts(): OriginTableParts {
    return {
      size: this.size,
      arena: this.arena.subarray(0, this.used),
      offsets: this.offsets,
      lengths: this.lengths,
      hashes: this.hashes,
    };
  }

  private static hash(s: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }

  private equals(slot: number, s: string): boolean {
    if (this.lengths[slot] !== s.length) return false;
    const at = this.offsets[slot]! - 1;
    const a = this.arena;
    for (let i = 0; i < s.length; i++) if (a[at + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  has(s: string): boolean {
    if (s.length > 0xffff) return false;
    const h = OriginTable.hash(s);
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      if (this.offsets[i] === 0) return false;
      if (this.hashes[i] === h && this.equals(i, s)) return true;
    }
  }

  /** Whether one more origin fits while keeping the index at most half full. */
  get hasRoom(): boolean {
    return (this.size + 1) * 2 <= this.mask + 1;
  }

  /** Adds an ASCII origin; false when it was there already. Check `hasRoom` first. */
  add(s: string): boolean {
    if (!this.hasRoom) throw new Error('OriginTable: more entries than it was sized for');
    const h = OriginTable.hash(s);
    let i = h & this.mask;
    for (; this.offsets[i] !== 0; i = (i + 1) & this.mask)
      if (this.hashes[i] === h && this.equals(i, s)) return false;
    if (this.used + s.length > this.arena.length) {
      const bigger = new Uint8Array(Math.max(this.arena.length * 2, this.used + s.length));
      bigger.set(this.arena.subarray(0, this.used));
      this.arena = bigger;
    }
    for (let k = 0; k < s.length; k++) this.arena[this.used + k] = s.charCodeAt(k);
    this.offsets[i] = this.used + 1;
    this.lengths[i] = s.length;
    this.hashes[i] = h;
    this.used += s.length;
    this.size++;
    return true;
  }

  /**
   * Removes an origin; false when it was not there. Its bytes stay in the arena, unused, until the
   * table is built anew. Backward-shift deletion for linear probing (Knuth, The Art of
   * Computer Programming vol. 3, §6.4, Algorithm R): each later entry of the probe run whose home
   * slot does not lie cyclically in (hole, its slot] moves into the hole, so no lookup meets an
   * empty slot before its entry and no tombstone is left.
   */
  delete(s: string): boolean {
    if (s.length > 0xffff) return false;
    const h = OriginTable.hash(s);
    let hole = h & this.mask;
    for (; ; hole = (hole + 1) & this.mask) {
      if (this.offsets[hole] === 0) return false;
      if (this.hashes[hole] === h && this.equals(hole, s)) break;
    }
    for (let j = (hole + 1) & this.mask; this.offsets[j] !== 0; j = (j + 1) & this.mask) {
      const home = this.hashes[j]! & this.mask;
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      this.offsets[hole] = this.offsets[j]!;
      this.lengths[hole] = this.lengths[j]!;
      this.hashes[hole] = this.hashes[j]!;
      hole = j;
    }
    this.offsets[hole] = 0;
    this.lengths[hole] = 0;
    this.hashes[hole] = 0;
    this.size--;
    return true;
  }

  /** Every origin, in no particular order (for `policy.options.origins`, built only when read). */
  list(): string[] {
    const out: string[] = [];
    const decoder = new TextDecoder('latin1');
    for (let i = 0; i <= this.mask; i++) {
      const off = this.offsets[i]!;
      if (off !== 0) out.push(decoder.decode(this.arena.subarray(off - 1, off - 1 + this.lengths[i]!)));
    }
    return out;
  }
}
