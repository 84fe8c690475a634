/**
 * A proxy worker's side of the state messages (protocol.ts). A whole state arrives in pieces, each
 * applied as it comes, the next asked for only when the previous is applied (one turn of the event
 * loop per piece); a newer version abandons an older one. The primary checked and packed the
 * allowlist: a piece of the exact origins is one memory copy, and only the few other patterns are
 * compiled here, a slice at a time.
 *
 * A `state-delta` changes a few exact origins of the state in force. The worker keeps two tables:
 * the one in force, never changed, and a spare one, which the delta changes (after the change that
 * the spare lacks, kept from the previous delta) before a snapshot around it is swapped in with one
 * assignment. A request therefore never meets a half-changed table, and a one-entry change costs a
 * few entries, not a copy of the allowlist. Messages are handled one at a time, in order.
 */
import type { Logger } from 'pino';
import { OriginTable } from 'corsgate/internal/origin/origin-table.js';
import type { StoreState } from '../store/types.js';
import { AllowlistBuilder, SLICE, type TableOps } from './compile.js';
import { engine, pickCors } from './engine.js';
import type { Metrics } from './metrics.js';
import {
  BYTES_CHUNK,
  type FromWorker,
  type TableField,
  type ToWorker,
  type WorkerConfig,
} from './protocol.js';
import { assembleSnapshot, infoOf, type Snapshot } from './snapshot.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

type Begin = Extract<ToWorker, { t: 'state-begin' }>;
type Delta = Extract<ToWorker, { t: 'state-delta' }>;

interface TableArrays {
  arena: Uint8Array;
  offsets: Uint32Array;
  lengths: Uint16Array;
  hashes: Uint32Array;
}

/** A state being received: the exact origins' arrays filled as their bytes arrive, the other patterns compiled as they come. */
interface Pending {
  header: Begin;
  builder: AllowlistBuilder;
  table: TableArrays;
  others: string[];
}

/** A table this worker holds, the version it holds, and the other patterns of that version. */
interface Held {
  table: OriginTable;
  version: number;
  others: readonly string[];
}

/** The table not in force: its arrays (for reuse), and its contents when known. */
interface Spare {
  arrays: TableArrays;
  held: Held | null;
  /** The change that brings `held` to the version in force. */
  behind: TableOps | null;
}

function bytesOf(a: Uint8Array | Uint16Array | Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function arraysOf(table: OriginTable): TableArrays {
  const p = table.parts();
  return { arena: p.arena, offsets: p.offsets, lengths: p.lengths, hashes: p.hashes };
}

function applyOps(table: OriginTable, ops: TableOps): void {
  for (const s of ops.del)
    if (!table.delete(s)) throw new Error(`the table change removes '${s}', which the table does not hold`);
  for (const s of ops.add)
    if (!table.add(s)) throw new Error(`the table change adds '${s}', which the table holds already`);
}

export function send(message: FromWorker): void {
  process.send?.(message);
}

export class StateReceiver {
  private pending: Pending | null = null;
  private live: Held | null = null;
  private spare: Spare | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: WorkerConfig,
    private readonly metrics: Metrics,
    private readonly publish: (s: Snapshot) => boolean,
    private readonly log: Logger,
  ) {}

  on(m: ToWorker): void {
    this.queue = this.queue
      .then(() => this.handle(m))
      .catch((err: Error) => this.log.error({ err: err.message }, 'a state message could not be applied'));
  }

  private async handle(m: ToWorker): Promise<void> {
    if (m.t === 'state-begin') return this.begin(m);
    if (m.t === 'state-delta') return this.delta(m);
    const p = this.pending;
    if (
      (m.t !== 'state-bytes' && m.t !== 'state-chunk' && m.t !== 'state-end') ||
      p === null ||
      m.version !== p.header.version
    )
      return;
    if (m.t === 'state-bytes') return this.bytes(p, m.field, m.at, m.bytes);
    if (m.t === 'state-chunk') return this.compileChunk(p, m.items);
    return this.finish(p);
  }

  private begin(m: Begin): void {
    const abandoned = this.pending;
    if (abandoned !== null) this.spare = { arrays: abandoned.table, held: null, behind: null };
    const builder = new AllowlistBuilder(m.overrides ?? this.config.overrides, 0, pickCors(m.settings));
    this.pending = {
      header: m,
      builder,
      table: this.arrays(m.table.capacity, m.table.arenaBytes),
      others: [],
    };
    send({ t: 'more', version: m.version });
  }

  private bytes(p: Pending, field: TableField, at: number, bytes: Uint8Array): void {
    const into = bytesOf(p.table[field]);
    if (at + bytes.length > into.length) {
      this.pending = null;
      send({
        t: 'compile-failed',
        version: p.header.version,
        message: `the packed allowlist's ${field} overruns its announced size`,
      });
      return;
    }
    into.set(bytes, at);
    void nextTurn().then(() => this.pending === p && send({ t: 'more', version: p.header.version }));
  }

  /**
   * Arrays for a table of `capacity` slots: the spare table's when they fit (every byte of the index
   * arrays is sent again, so nothing needs clearing), else new ones. Reusing them keeps a large
   * change from adding tens of MB of external memory, each time, that only a full garbage
   * collection would give back. The spare table is never consulted: every decision reads the
   * snapshot in force, synchronously, when its request arrives.
   */
  private arrays(capacity: number, arenaBytes: number): TableArrays {
    const s =
      this.spare === null
        ? null
        : this.spare.held !== null
          ? arraysOf(this.spare.held.table)
          : this.spare.arrays;
    this.spare = null;
    if (s !== null && s.offsets.length === capacity && s.arena.buffer.byteLength >= arenaBytes) {
      return {
        arena: new Uint8Array(s.arena.buffer, 0, arenaBytes),
        offsets: s.offsets,
        lengths: s.lengths,
        hashes: s.hashes,
      };
    }
    return {
      arena: new Uint8Array(Math.ceil(arenaBytes * 1.125)).subarray(0, arenaBytes),
      offsets: new Uint32Array(capacity),
      lengths: new Uint16Array(capacity),
      hashes: new Uint32Array(capacity),
    };
  }

  /** A chunk of other patterns in slices of SLICE entries, letting requests through between slices, then asks for the next. */
  private async compileChunk(p: Pending, items: string[]): Promise<void> {
    await this.compileOthers(p.builder, items, () => this.pending === p);
    p.others.push(...items);
    if (this.pending === p) send({ t: 'more', version: p.header.version });
  }

  private async compileOthers(
    builder: AllowlistBuilder,
    items: readonly string[],
    wanted: () => boolean,
  ): Promise<void> {
    for (let i = 0; i < items.length && wanted(); i += SLICE) {
      builder.add(items, i, Math.min(items.length, i + SLICE));
      await nextTurn();
    }
  }

  private async finish(p: Pending): Promise<void> {
    this.pending = null;
    const h = p.header;
    const held: Held = {
      table: OriginTable.fromParts({ size: h.table.size, ...p.table }),
      version: h.version,
      others: p.others,
    };
    const published = await this.assemble(h, p.builder, held, h.warnings);
    // The table in force before stays as the spare one, its change to this version unknown.
    if (published) this.swap(held, null);
    else this.spare = { arrays: p.table, held: null, behind: null };
  }

  /**
   * A change of the state in force: the spare table is brought to the version in force (the change
   * it lacks), or made a copy of the table in force; the delta is applied to it; a snapshot around it
   * replaces the one in force.
   */
  private async delta(m: Delta): Promise<void> {
    const live = this.live;
    if (live === null || live.version !== m.from || this.pending !== null)
      return send({ t: 'resync', version: m.version });
    let table: OriginTable;
    try {
      table = await this.spareAt(live);
      applyOps(table, m);
    } catch (err) {
      this.spare = null;
      this.log.warn(
        { err: (err as Error).message, version: m.version },
        "the allowlist change could not be applied to this worker's table; asking for the whole state",
      );
      return send({ t: 'resync', version: m.version });
    }
    const held: Held = { table, version: m.version, others: live.others };
    const builder = new AllowlistBuilder(m.overrides ?? this.config.overrides, 0, pickCors(m.settings));
    await this.compileOthers(builder, live.others, () => true);
    if (await this.assemble(m, builder, held, m.warnings)) this.swap(held, { del: m.del, add: m.add });
    else this.spare = { arrays: arraysOf(table), held: null, behind: null };
  }

  /** The spare table holding the version in force: changed by what it lacks, else copied from the one in force. */
  private async spareAt(live: Held): Promise<OriginTable> {
    const s = this.spare;
    this.spare = null;
    if (s !== null && s.held !== null && s.held.version !== live.version && s.behind !== null)
      applyOps(s.held.table, s.behind);
    else if (s === null || s.held === null || s.held.version !== live.version)
      return this.copyOf(live.table, s === null ? null : s.held !== null ? arraysOf(s.held.table) : s.arrays);
    return s.held.table;
  }

  /** A copy of `from` in `into` when it fits, else in new arrays: a memory copy per turn of the event loop. */
  private async copyOf(from: OriginTable, into: TableArrays | null): Promise<OriginTable> {
    const src = from.parts();
    this.spare = into === null ? null : { arrays: into, held: null, behind: null };
    const to = this.arrays(src.offsets.length, src.arena.length);
    for (const field of ['arena', 'offsets', 'lengths', 'hashes'] as const) {
      const bytes = bytesOf(src[field]);
      const target = bytesOf(to[field]);
      for (let at = 0; at < bytes.length; at += BYTES_CHUNK) {
        target.set(bytes.subarray(at, Math.min(bytes.length, at + BYTES_CHUNK)), at);
        if (at + BYTES_CHUNK < bytes.length) await nextTurn();
      }
    }
    return OriginTable.fromParts({ size: src.size, ...to });
  }

  /** The table in force becomes `held`; the one it replaces the spare one, `behind` short of it. */
  private swap(held: Held, behind: TableOps | null): void {
    const old = this.live;
    this.live = held;
    this.spare = old === null ? null : { arrays: arraysOf(old.table), held: old, behind };
  }

  /** Builds the snapshot of `h` around `held` and publishes it; false when it could not be compiled. */
  private async assemble(
    h: Pick<Begin, 'version' | 'trustedSites' | 'routes' | 'settings'>,
    builder: AllowlistBuilder,
    held: Held,
    warnings: readonly string[],
  ): Promise<boolean> {
    try {
      builder.adoptExact(held.table.parts());
      const state: StoreState = {
        version: h.version,
        allowlist: [],
        trustedSites: h.trustedSites,
        routes: h.routes,
        settings: h.settings,
      };
      const allowlist = { policy: builder.build(), size: builder.size, entryOf: builder.entryResolver() };
      const snap = await assembleSnapshot(
        engine,
        state,
        allowlist,
        [...warnings, ...builder.warnings],
        this.metrics,
        this.config.cspReportPath,
      );
      const inForce = this.publish(snap);
      send({ t: 'published', version: snap.version, info: infoOf(snap) });
      return inForce;
    } catch (err) {
      this.log.error(
        { err: (err as Error).message, version: h.version },
        'the policy could not be compiled; the previous one stays in force',
      );
      send({ t: 'compile-failed', version: h.version, message: (err as Error).message });
      return false;
    }
  }
}
