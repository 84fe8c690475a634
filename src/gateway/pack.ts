/**
 * The primary's half of a state change: check the allowlist once, a slice at a time (the primary
 * also serves the admin API), and cut the result into the messages every worker receives. The
 * exact origins go as the bytes of the OriginTable the check filled, so the workers, which serve
 * the proxy, never check or hash them again (issue 19 §6: a write must not stall the proxy).
 *
 * A state the store gives as a small delta of the one checked before (`allowlistDelta`) is applied
 * to that check's table instead (compile.ts `applyDelta`), and the workers receive only the table's
 * changes (`state-delta`): a one-entry change costs one entry, whatever the allowlist's size.
 */
import type { StoreState } from '../store/types.js';
import { AllowlistBuilder, SLICE, type TableOps } from './compile.js';
import type { AllowlistOverrides } from './engine.js';
import { BYTES_CHUNK, CHUNK, type TableField, type ToWorker } from './protocol.js';

/** Past this many changed entries, a state is checked whole (a delta is applied in one turn). */
export const DELTA_MAX_ENTRIES = 2_000;

export interface PackedState {
  readonly version: number;
  readonly begin: Extract<ToWorker, { t: 'state-begin' }>;
  /** Everything after `begin`, in order; `state-end` last. */
  readonly pieces: readonly ToWorker[];
}

/** The allowlist checked for one version: what later deltas are applied to. */
export interface CheckedState {
  version: number;
  readonly builder: AllowlistBuilder;
  readonly overrides: AllowlistOverrides;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function bytesOf(a: Uint8Array | Uint16Array | Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Checks `state`'s whole allowlist in slices; null when `wanted()` turns false meanwhile (a newer state came). */
export async function checkState(
  state: StoreState,
  overrides: AllowlistOverrides,
  wanted: () => boolean,
): Promise<CheckedState | null> {
  const list = state.allowlist;
  const builder = new AllowlistBuilder(overrides, list.length);
  for (let i = 0; i < list.length; i += SLICE) {
    builder.add(list, i, Math.min(list.length, i + SLICE));
    if (i + SLICE < list.length) await nextTurn();
    if (!wanted()) return null;
  }
  return { version: state.version, builder, overrides };
}

/**
 * Applies `state`'s allowlist delta to `base` (which then holds `state`); null when the delta does
 * not follow `base` or does not fit one (see applyDelta): `base` is then unusable, check anew.
 */
export function applyStateDelta(
  base: CheckedState,
  state: StoreState,
  overrides: AllowlistOverrides,
): TableOps | null {
  const d = state.allowlistDelta;
  if (d === undefined || d.from !== base.version || overrides !== base.overrides || base.builder.wasteful)
    return null;
  if (d.removed.length + d.added.length > DELTA_MAX_ENTRIES) return null;
  const ops = base.builder.applyDelta(d.removed, d.added);
  if (ops !== null) base.version = state.version;
  return ops;
}

function header(
  state: StoreState,
  checked: CheckedState,
): Omit<Extract<ToWorker, { t: 'state-begin' }>, 't' | 'table'> {
  const { version, routes, settings, trustedSites } = state;
  return {
    version,
    routes,
    settings,
    trustedSites,
    overrides: checked.overrides,
    warnings: [...checked.builder.warnings],
  };
}

/** The whole state as its messages (views of the checked table's arrays: send them before the next delta). */
export function packState(state: StoreState, checked: CheckedState): PackedState {
  const packed = checked.builder.packed();
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
    for (let at = 0; at < bytes.length; at += BYTES_CHUNK)
      pieces.push({
        t: 'state-bytes',
        version,
        field,
        at,
        bytes: bytes.subarray(at, Math.min(bytes.length, at + BYTES_CHUNK)),
      });
  }
  for (let i = 0; i < packed.others.length; i += CHUNK)
    pieces.push({ t: 'state-chunk', version, items: packed.others.slice(i, i + CHUNK) });
  pieces.push({ t: 'state-end', version });
  const table = {
    size: packed.exact.size,
    capacity: packed.exact.offsets.length,
    arenaBytes: packed.exact.arena.length,
  };
  return { version, begin: { t: 'state-begin', ...header(state, checked), table }, pieces };
}

/** The message that brings a worker holding version `from` to `state` (`ops` from applyStateDelta). */
export function packDelta(
  state: StoreState,
  from: number,
  checked: CheckedState,
  ops: TableOps,
): Extract<ToWorker, { t: 'state-delta' }> {
  return {
    t: 'state-delta',
    ...header(state, checked),
    from,
    size: checked.builder.packed().exact.size,
    del: [...ops.del],
    add: [...ops.add],
  };
}
