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
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 0x05 && bytes[i + 3] === 0x06) return true;
  }
  return false;
}

/**
 * Every entry of the zip by name: its bytes when `wanted(name)` is true, otherwise null (listed,
 * never decompressed). Throws ImportLimitError past a limit, and Error for a zip that cannot be read.
 */
export function unzipBounded(bytes: Uint8Array, wanted: (name: string) => boolean): Record<string, Uint8Array | null> {
  if (!hasEndRecord(bytes)) throw new Error('the zip has no end-of-central-directory record: it is truncated, or not a zip');
  const L = IMPORT_LIMITS;
  // No prototype: an entry named `__proto__` is just a name.
  const files: Record<string, Uint8Array | null> = Object.create(null);
  const pending = new Set<string>();
  let entries = 0;
  let total = 0;
  let fed = 0;
  let failure: Error | null = null;
  const fail = (err: Error): void => void (failure ??= err);

  const onFile = (file: UnzipFile): void => {
    if (failure) return;
    if (++entries > L.maxEntries) return fail(new ImportLimitError('maxEntries', L.maxEntries, `the zip holds more than ${L.maxEntries} entries`));
    const name = file.name;
    if (!wanted(name)) return void (files[name] = null);
    if (file.originalSize !== undefined && file.originalSize > L.maxEntryBytes)
      return fail(new ImportLimitError('maxEntryBytes', L.maxEntryBytes, `the file declares ${file.originalSize} bytes, more than ${L.maxEntryBytes}`, name));
    // The compressed bytes consumed so far: at most what has been fed since the entry began (and
    // never more than the entry's compressed size, when its header gives it).
    const startedAt = fed;
    const chunks: Uint8Array[] = [];
    let size = 0;
    pending.add(name);
    file.ondata = (err, data, final) => {
      if (failure) return;
      if (err) return fail(new Error(`${name}: ${err.message}`));
      size += data.length;
      total += data.length;
      if (size > L.maxEntryBytes) return fail(new ImportLimitError('maxEntryBytes', L.maxEntryBytes, `the file expands to more than ${L.maxEntryBytes} bytes`, name));
      if (total > L.maxTotalBytes) return fail(new ImportLimitError('maxTotalBytes', L.maxTotalBytes, `the files read expand to more than ${L.maxTotalBytes} bytes in all`, name));
      const compressed = Math.max(1, Math.min(file.size ?? Infinity, fed + SLICE_BYTES - startedAt));
      if (size > RATIO_FLOOR_BYTES && size / compressed > L.maxCompressionRatio)
        return fail(new ImportLimitError('maxCompressionRatio', L.maxCompressionRatio, `the file expands more than ${L.maxCompressionRatio} times (a zip bomb?)`, name));
      if (data.length) chunks.push(data);
      if (final) {
        files[name] = concat(chunks, size);
        pending.delete(name);
      }
    };
    file.start();
  };

  const unzip = new Unzip(onFile);
  unzip.register(UnzipInflate);
  for (fed = 0; fed < bytes.length && !failure; fed += SLICE_BYTES) {
    unzip.push(bytes.subarray(fed, fed + SLICE_BYTES), fed + SLICE_BYTES >= bytes.length);
  }
  if (failure) throw failure;
  if (pending.size) throw new Error(`the zip ends inside ${[...pending][0]}`);
  return files;
}
