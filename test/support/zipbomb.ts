/**
 * Builds zips for the upload-limit tests without holding what they expand to: a DEFLATE stream of
 * N MiB of one repeated byte is the same fully-flushed 1 MiB block N times (Z_FULL_FLUSH resets the
 * window, so the blocks are independent) followed by an empty final block (RFC 1951 §3.2.3).
 * Entries carry their real sizes and CRC-32, so every reader sees a valid zip (APPNOTE 4.3.7, 4.3.12).
 */
import { constants, crc32, deflateRawSync } from 'node:zlib';

export interface BombEntry {
  name: string;
  /** MiB of the byte `fill` (default `<`, so it is not even valid XML) */
  mib?: number;
  /** or literal content */
  content?: string | Uint8Array;
  fill?: number;
  /** the size written in the headers (default: the real one); a lying header */
  declaredSize?: number;
  /** sizes and CRC after the data (flag bit 3), as streaming zip writers do (APPNOTE 4.3.9) */
  dataDescriptor?: boolean;
}

const MIB = 1024 * 1024;
/** BFINAL=1, BTYPE=01 (fixed Huffman), then end-of-block (code 256 = seven 0 bits): 0x03 0x00. */
const EMPTY_FINAL_BLOCK = Buffer.from([0x03, 0x00]);

function deflated(entry: BombEntry): { data: Buffer; size: number; crc: number } {
  if (entry.content !== undefined) {
    const raw = typeof entry.content === 'string' ? Buffer.from(entry.content) : Buffer.from(entry.content);
    return { data: deflateRawSync(raw), size: raw.length, crc: crc32(raw) };
  }
  const block = Buffer.alloc(MIB, entry.fill ?? 0x3c);
  const flushed = deflateRawSync(block, { finishFlush: constants.Z_FULL_FLUSH });
  const n = entry.mib ?? 1;
  let crc = 0;
  for (let i = 0; i < n; i++) crc = crc32(block, crc);
  return {
    data: Buffer.concat([...Array.from({ length: n }, () => flushed), EMPTY_FINAL_BLOCK]),
    size: n * MIB,
    crc,
  };
}

export function buildZip(entries: readonly BombEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const { data, size, crc } = deflated(e);
    const name = Buffer.from(e.name);
    const declared = e.declaredSize ?? size;
    const dd = e.dataDescriptor === true;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(dd ? 8 : 0, 6); // flags
    local.writeUInt16LE(8, 8); // deflate
    if (!dd) {
      local.writeUInt32LE(crc >>> 0, 14);
      local.writeUInt32LE(data.length, 18);
      local.writeUInt32LE(declared, 22);
    }
    local.writeUInt16LE(name.length, 26);
    const descriptor = Buffer.alloc(dd ? 16 : 0);
    if (dd) {
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc >>> 0, 4);
      descriptor.writeUInt32LE(data.length, 8);
      descriptor.writeUInt32LE(declared, 12);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(dd ? 8 : 0, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(declared, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data, descriptor);
    centrals.push(central, name);
    offset += local.length + name.length + data.length + descriptor.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}
