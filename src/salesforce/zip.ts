/**
 * Reads a zip as a stream (fflate's Unzip), decompressing only the entries asked for and checking
 * IMPORT_LIMITS as the bytes come out: the number of entries, each entry's declared and actual
 * size, the total, and the compression ratio. The zip is fed in small slices, so the decompressor
 * never produces much more than a limit before it is stopped (DEFLATE expands at most about
 * 1032:1, RFC 1951, so one slice yields at most ~4 MB).
 */
import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';
import { IMPORT_LIMITS, ImportLimitError, RATIO_FLOOR_BYTES } from './limits.js';

const SLICE_BYTES = 4096;

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Whether the zip ends with its end-of-central-directory record (APPNOTE 4.3.16), i.e. is complete. */
function hasEndRecord(bytes: Uint8Array): boolean {
  const last = bytes.length - 22;
  for (let i = last; i >= 0 && i >= last - 0xffff; i--) {
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 0x05 && bytes[i + 3] === 0x06)
      return true;
  }
  return false;
}

/** What a read has seen so far, shared by the entries' data callbacks. */
class BoundedRead {
  // No prototype: an entry named `__proto__` is just a name.
  readonly files: Record<string, Uint8Array | null> = Object.create(null);
  readonly pending = new Set<string>();
  entries = 0;
  total = 0;
  /** Where in the zip the next slice starts. */
  fed = 0;
  failure: Error | null = null;

  constructor(private readonly wanted: (name: string) => boolean) {}

  fail(err: Error): void {
    this.failure ??= err;
  }

  /** An entry begins: list it, or check its declared size and start decompressing it. */
  onFile(file: UnzipFile): void {
    const L = IMPORT_LIMITS;
    if (this.failure) return;
    if (++this.entries > L.maxEntries)
      return this.fail(
        new ImportLimitError('maxEntries', L.maxEntries, `the zip holds more than ${L.maxEntries} entries`),
      );
    const name = file.name;
    if (!this.wanted(name)) return void (this.files[name] = null);
    if (file.originalSize !== undefined && file.originalSize > L.maxEntryBytes)
      return this.fail(
        new ImportLimitError(
          'maxEntryBytes',
          L.maxEntryBytes,
          `the file declares ${file.originalSize} bytes, more than ${L.maxEntryBytes}`,
          name,
        ),
      );
    // The compressed bytes consumed so far: at most what has been fed since the entry began (and
    // never more than the entry's compressed size, when its header gives it).
    const startedAt = this.fed;
    const chunks: Uint8Array[] = [];
    let size = 0;
    this.pending.add(name);
    file.ondata = (err, data, final) => {
      if (this.failure) return;
      if (err) return this.fail(new Error(`${name}: ${err.message}`));
      size += data.length;
      this.total += data.length;
      const compressed = Math.max(1, Math.min(file.size ?? Infinity, this.fed + SLICE_BYTES - startedAt));
      const over = this.overLimit(name, size, compressed);
      if (over) return this.fail(over);
      if (data.length) chunks.push(data);
      if (final) {
        this.files[name] = concat(chunks, size);
        this.pending.delete(name);
      }
    };
    file.start();
  }

  /** The limit an entry's output passes, in the order they are checked: its size, the total, the ratio. */
  private overLimit(name: string, size: number, compressed: number): ImportLimitError | null {
    const L = IMPORT_LIMITS;
    if (size > L.maxEntryBytes)
      return new ImportLimitError(
        'maxEntryBytes',
        L.maxEntryBytes,
        `the file expands to more than ${L.maxEntryBytes} bytes`,
        name,
      );
    if (this.total > L.maxTotalBytes)
      return new ImportLimitError(
        'maxTotalBytes',
        L.maxTotalBytes,
        `the files read expand to more than ${L.maxTotalBytes} bytes in all`,
        name,
      );
    if (size > RATIO_FLOOR_BYTES && size / compressed > L.maxCompressionRatio)
      return new ImportLimitError(
        'maxCompressionRatio',
        L.maxCompressionRatio,
        `the file expands more than ${L.maxCompressionRatio} times (a zip bomb?)`,
        name,
      );
    return null;
  }
}

/**
 * Every entry of the zip by name: its bytes when `wanted(name)` is true, otherwise null (listed,
 * never decompressed). Throws ImportLimitError past a limit, and Error for a zip that cannot be read.
 */
export function unzipBounded(
  bytes: Uint8Array,
  wanted: (name: string) => boolean,
): Record<string, Uint8Array | null> {
  if (!hasEndRecord(bytes))
    throw new Error('the zip has no end-of-central-directory record: it is truncated, or not a zip');
  const read = new BoundedRead(wanted);
  const unzip = new Unzip((file) => read.onFile(file));
  unzip.register(UnzipInflate);
  for (read.fed = 0; read.fed < bytes.length && !read.failure; read.fed += SLICE_BYTES) {
    unzip.push(bytes.subarray(read.fed, read.fed + SLICE_BYTES), read.fed + SLICE_BYTES >= bytes.length);
  }
  if (read.failure) throw read.failure;
  if (read.pending.size) throw new Error(`the zip ends inside ${[...read.pending][0]}`);
  return read.files;
}
