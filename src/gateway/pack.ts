/**
 * The primary's half of a state change: check the allowlist once, a slice at a time (the primary
 * also serves the admin API), and cut the result into the messages every worker receives. The
 * exact origins go as the bytes of the OriginTable the check filled, so the workers, which serve
 * the proxy, never check or hash them again (issue 19 §6: a write must not stall the proxy).
 */
import type { StoreState } from '../store/types.js';
import { AllowlistBuilder, SLICE } from './compile.js';
import type { AllowlistOverrides } from './engine.js';
import { BYTES_CHUNK, CHUNK, type TableField, type ToWorker } from './protocol.js';

export interface PackedState {
  readonly version: number;
  readonly begin: Extract<ToWorker, { t: 'state-begin' }>;
  /** Everything after `begin`, in order; `state-end` last. */
  readonly pieces: readonly ToWorker[];
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function bytesOf(a: Uint8Array | Uint16Array | Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Checks and packs `state`; null when `wanted()` turns false meanwhile (a newer state came). */
export async function packState(state: StoreState, overrides: AllowlistOverrides, wanted: () => boolean): Promise<PackedState | null> {
  const list = state.allowlist;
  const builder = new AllowlistBuilder(overrides, list.length);
  for (let i = 0; i < list.length; i += SLICE) {
    builder.add(list, i, Math.min(list.length, i + SLICE));
    if (i + SLICE < list.length) await nextTurn();
    if (!wanted()) return null;
  }
  const packed = builder.packed();
  const version = state.version;
  const pieces: ToWorker[] = [];
  const fields: Array<[TableField, Uint8Array]> = [
    ['arena', packed.exact.arena],
    ['offsets', bytesOf(packed.exact.offsets)],
    ['lengths', bytesOf(packed.exact.lengths)],
    ['hashes', bytesOf(packed.exact.hashes)],
  ];
  for (const [field, bytes] of fields) {
    // Views, not copies: the serializer writes only each view's bytes.
    for (let at = 0; at < bytes.length; at += BYTES_CHUNK) pieces.push({ t: 'state-bytes', version, field, at, bytes: bytes.subarray(at, Math.min(bytes.length, at + BYTES_CHUNK)) });
  }
  for (let i = 0; i < packed.others.length; i += CHUNK) pieces.push({ t: 'state-chunk', version, items: packed.others.slice(i, i + CHUNK) });
  pieces.push({ t: 'state-end', version });
  const begin: PackedState['begin'] = {
    t: 'state-begin',
    version,
    routes: state.routes,
    settings: state.settings,
    trustedSites: state.trustedSites,
    overrides,
    table: { size: packed.exact.size, capacity: packed.exact.offsets.length, arenaBytes: packed.exact.arena.length },
    warnings: [...packed.warnings],
  };
  return { version, begin, pieces };
}
