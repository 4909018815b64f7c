// Every frame of a capture, indexed by typed arrays (34 bytes a frame) instead of one object each; a store
// that carries on from another holds the frames from its `first` on, under the same indexes.
// A file's bytes stay in the file and are read again on demand; bytes from a stream or a live source
// are kept in large chunks up to a memory budget, then spilled to a temporary pcapng file that the
// same index points into.
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteSink } from './byte-sink.js';
import { RECALLED_OWNERS, type Frame, type InterfaceInfo } from './frame.js';
import { PcapngWriter } from './pcapng-writer.js';
import { doubled, sharedColumn } from '../util/typed-arrays.js';

const INITIAL_CAPACITY = 1 << 16;
const CHUNK_SIZE = 4 << 20;
/** Default memory for the bytes of frames that have no file behind them. */
export const DEFAULT_MEMORY_BUDGET = 512 << 20;

/** Where a snapshot's frame bytes are: a file, or memory chunks shared with the thread that has it. */
export type BytesSnapshot = { file: string } | { chunks: Uint8Array[] };

/** Where the frame bytes live; offsets in the index are this backing's. */
interface Backing {
  /** Stores a copy of the bytes, or notes where they already are; returns the offset to index. */
  keep(frame: Frame, iface: InterfaceInfo): number;
  read(offset: number, length: number, target: Uint8Array): void;
  /** Where another thread reads the bytes kept so far. */
  share(): BytesSnapshot;
  close(): void;
}

/**
 * The frames of a store, for another thread to read (FrameStore.fromSnapshot): the index columns are
 * shared, valid up to `count`.
 */
export interface StoreSnapshot {
  count: number;
  first: number;
  interfaces: InterfaceInfo[];
  offsets: Float64Array;
  capturedLengths: Uint32Array;
  originalLengths: Uint32Array;
  tsSec: Float64Array;
  tsNsec: Uint32Array;
  interfaceIds: Uint16Array;
  flags: Uint32Array;
  comments: [number, string][];
  bytes: BytesSnapshot;
}

/** Bytes a file-backed store reads at once: a pass over consecutive frames makes one read per block. */
const READ_BLOCK = 64 << 10;

/**
 * The capture file itself: frames are read back from the offsets the reader reported, through a block of
 * the file (a system call per frame was a third of a filter's time on a million frames).
 */
class FileBacking implements Backing {
  private readonly fd: number;
  private readonly block = new Uint8Array(READ_BLOCK);
  private blockStart = 0;
  private blockEnd = 0;

  constructor(private readonly path: string) {
    this.fd = openSync(path, 'r');
  }

  keep(frame: Frame): number {
    return frame.dataOffset;
  }

  share(): BytesSnapshot {
    return { file: this.path };
  }

  read(offset: number, length: number, target: Uint8Array): void {
    if (offset < this.blockStart || offset + length > this.blockEnd) {
      if (length > READ_BLOCK) {
        this.readInto(target, length, offset);
        return;
      }
      this.blockStart = offset;
      this.blockEnd = offset + this.readInto(this.block, READ_BLOCK, offset, length);
    }
    target.set(this.block.subarray(offset - this.blockStart, offset - this.blockStart + length));
  }

  /** Reads up to `length` bytes at `offset` into `target`, at least `needed`; how many it read. */
  private readInto(target: Uint8Array, length: number, offset: number, needed = length): number {
    let done = 0;
    while (done < needed) {
      const got = readSync(this.fd, target, done, length - done, offset + done);
      if (got === 0) throw new Error(`capture file ended at byte ${offset + done} while re-reading a frame`);
      done += got;
    }
    return done;
  }

  close(): void {
    closeSync(this.fd);
  }
}

function readChunks(chunks: readonly Uint8Array[], offset: number, length: number, target: Uint8Array): void {
  const chunk = chunks[Math.floor(offset / CHUNK_SIZE)];
  const at = offset % CHUNK_SIZE;
  target.set(chunk.subarray(at, at + length));
}

/** A snapshot's chunks, read in another thread: nothing more is kept. */
class SharedChunks implements Backing {
  constructor(private readonly chunks: readonly Uint8Array[]) {}

  keep(): number {
    throw new Error('a snapshot of a frame store keeps no frames');
  }

  read(offset: number, length: number, target: Uint8Array): void {
    readChunks(this.chunks, offset, length, target);
  }

  share(): BytesSnapshot {
    return { chunks: [...this.chunks] };
  }

  close(): void {}
}

/** Memory chunks until the budget, then a temporary pcapng file for all frames. */
class SpillingBacking implements Backing {
  private chunks: Uint8Array[] = [];
  private used = CHUNK_SIZE;
  private spill: { dir: string; path: string; writer: PcapngWriter; sink: ByteSink; fd: number } | undefined;

  constructor(
    private readonly budget: number,
    private readonly store: FrameStore,
  ) {}

  get spilled(): boolean {
    return this.spill !== undefined;
  }

  keep(frame: Frame, iface: InterfaceInfo): number {
    if (this.spill) return this.spill.writer.write(frame, iface);
    if (this.chunks.length * CHUNK_SIZE + frame.capturedLength > this.budget) {
      this.spillAll();
      return this.keep(frame, iface);
    }
    if (this.used + frame.capturedLength > CHUNK_SIZE) {
      // Shared memory: a snapshot hands the chunks to worker threads without copying them.
      this.chunks.push(new Uint8Array(new SharedArrayBuffer(CHUNK_SIZE)));
      this.used = 0;
    }
    const offset = (this.chunks.length - 1) * CHUNK_SIZE + this.used;
    this.chunks[this.chunks.length - 1].set(frame.data, this.used);
    this.used += frame.capturedLength;
    return offset;
  }

  read(offset: number, length: number, target: Uint8Array): void {
    if (this.spill) {
      if (offset + length > this.spill.sink.flushedBytes) this.spill.sink.flush();
      readSync(this.spill.fd, target, 0, length, offset);
      return;
    }
    const chunk = this.chunks[Math.floor(offset / CHUNK_SIZE)];
    const at = offset % CHUNK_SIZE;
    target.set(chunk.subarray(at, at + length));
  }

  share(): BytesSnapshot {
    if (!this.spill) return { chunks: this.chunks };
    this.spill.sink.flush();
    return { file: this.spill.path };
  }

  close(): void {
    if (!this.spill) return;
    this.spill.sink.close();
    closeSync(this.spill.fd);
    rmSync(this.spill.dir, { recursive: true, force: true });
    this.spill = undefined;
  }

  /** Moves every frame kept so far into the temporary file and re-points the index at it. */
  private spillAll(): void {
    const dir = mkdtempSync(join(tmpdir(), 'tsshark-'));
    const path = join(dir, 'spill.pcapng');
    const sink = new ByteSink(path);
    const writer = new PcapngWriter(sink);
    const memory = this.chunks;
    const spill = { dir, path, writer, sink, fd: openSync(path, 'r') };
    this.store.relocate((frame, iface, oldOffset) => {
      const chunk = memory[Math.floor(oldOffset / CHUNK_SIZE)];
      const at = oldOffset % CHUNK_SIZE;
      frame.data = chunk.subarray(at, at + frame.capturedLength);
      return writer.write(frame, iface);
    });
    this.spill = spill;
    this.chunks = [];
  }
}

export interface FrameStoreOptions {
  /** The capture file the frames come from; without one their bytes are kept by the store. */
  file?: string;
  memoryBudget?: number;
  /** A snapshot's chunks (fromSnapshot). */
  chunks?: readonly Uint8Array[];
  /**
   * The index of the first frame it holds: a store that carries on from another, whose older frames were
   * let go (--keep), numbers its frames as that one did.
   */
  first?: number;
}

export class FrameStore {
  /** Frames appended since the capture began, those let go before `first` included: the next frame's index. */
  count = 0;
  /** The first frame held: indexes below it were let go (a store that carries on, --keep). */
  readonly first: number;
  /** The captured bytes of the frames held. */
  bytesHeld = 0;
  readonly interfaces: InterfaceInfo[] = [];
  private capacity = INITIAL_CAPACITY;
  private offsets: Float64Array = sharedColumn(Float64Array, INITIAL_CAPACITY);
  private capturedLengths: Uint32Array = sharedColumn(Uint32Array, INITIAL_CAPACITY);
  private originalLengths: Uint32Array = sharedColumn(Uint32Array, INITIAL_CAPACITY);
  private tsSec: Float64Array = sharedColumn(Float64Array, INITIAL_CAPACITY);
  private tsNsec: Uint32Array = sharedColumn(Uint32Array, INITIAL_CAPACITY);
  /** A frame's link type is its interface's: no column of its own. */
  private interfaceIds: Uint16Array = sharedColumn(Uint16Array, INITIAL_CAPACITY);
  private flags: Uint32Array = sharedColumn(Uint32Array, INITIAL_CAPACITY);
  /** Comments are rare: kept by slot (index - first) rather than in a column. */
  private readonly comments = new Map<number, string>();
  private readonly backing: Backing;

  constructor(options: FrameStoreOptions = {}) {
    this.first = options.first ?? 0;
    this.count = this.first;
    this.backing =
      options.file !== undefined ? new FileBacking(options.file)
      : options.chunks !== undefined ? new SharedChunks(options.chunks)
      : new SpillingBacking(options.memoryBudget ?? DEFAULT_MEMORY_BUDGET, this);
  }

  /** The frames so far, for a worker thread to read: the index shared, the bytes where they are. */
  snapshot(): StoreSnapshot {
    return {
      count: this.count,
      first: this.first,
      // A flow's process is recalled in the thread that replays the frames, never looked up there.
      interfaces: this.interfaces.map((iface) => (iface.socketOwners === undefined ? iface : { ...iface, socketOwners: RECALLED_OWNERS })),
      offsets: this.offsets,
      capturedLengths: this.capturedLengths,
      originalLengths: this.originalLengths,
      tsSec: this.tsSec,
      tsNsec: this.tsNsec,
      interfaceIds: this.interfaceIds,
      flags: this.flags,
      comments: [...this.comments],
      bytes: this.backing.share(),
    };
  }

  /** A read-only store over a snapshot (in a worker thread). */
  static fromSnapshot(snapshot: StoreSnapshot): FrameStore {
    const bytes = snapshot.bytes;
    const store = new FrameStore('file' in bytes ? { file: bytes.file, first: snapshot.first } : { chunks: bytes.chunks, first: snapshot.first });
    store.count = snapshot.count;
    store.capacity = snapshot.offsets.length;
    store.interfaces.push(...snapshot.interfaces);
    store.offsets = snapshot.offsets;
    store.capturedLengths = snapshot.capturedLengths;
    store.originalLengths = snapshot.originalLengths;
    store.tsSec = snapshot.tsSec;
    store.tsNsec = snapshot.tsNsec;
    store.interfaceIds = snapshot.interfaceIds;
    store.flags = snapshot.flags;
    for (const [slot, comment] of snapshot.comments) store.comments.set(slot, comment);
    return store;
  }

  /** Whether frame bytes moved from memory to a temporary file. */
  get spilled(): boolean {
    return this.backing instanceof SpillingBacking && this.backing.spilled;
  }

  /** Bytes the index uses per frame (the typed-array columns). */
  static readonly INDEX_BYTES_PER_FRAME = 8 + 4 + 4 + 8 + 4 + 2 + 4;

  /** Adds a frame (its bytes are copied or located now; the reader may reuse them after). */
  append(frame: Frame, interfaces: readonly InterfaceInfo[]): number {
    while (this.interfaces.length < interfaces.length) this.interfaces.push(interfaces[this.interfaces.length]);
    const slot = this.count - this.first;
    if (slot === this.capacity) this.grow();
    this.capturedLengths[slot] = frame.capturedLength;
    this.originalLengths[slot] = frame.originalLength;
    this.tsSec[slot] = frame.tsSec;
    this.tsNsec[slot] = frame.tsNsec;
    this.interfaceIds[slot] = frame.interfaceId;
    this.flags[slot] = frame.flags;
    this.bytesHeld += frame.capturedLength;
    if (frame.comment !== undefined) this.comments.set(slot, frame.comment);
    this.count++;
    // Kept first: keeping may spill, which replaces the offsets column.
    const offset = this.backing.keep(frame, this.interfaces[frame.interfaceId]);
    this.offsets[slot] = offset;
    return this.count - 1;
  }

  /** Frame `index` (0-based) with its bytes read into `target` when it is large enough. */
  frame(index: number, target?: Uint8Array): Frame {
    const slot = this.slotOf(index);
    const length = this.capturedLengths[slot];
    const data = target && target.length >= length ? target.subarray(0, length) : new Uint8Array(length);
    this.backing.read(this.offsets[slot], length, data);
    return {
      tsSec: this.tsSec[slot],
      tsNsec: this.tsNsec[slot],
      capturedLength: length,
      originalLength: this.originalLengths[slot],
      linkType: this.interfaces[this.interfaceIds[slot]].linkType,
      interfaceId: this.interfaceIds[slot],
      flags: this.flags[slot],
      comment: this.comments.get(slot),
      data,
      dataOffset: this.offsets[slot],
    };
  }

  /** Where frame `index` is in the columns; a RangeError for one let go or not yet appended. */
  private slotOf(index: number): number {
    if (index < this.first || index >= this.count) throw new RangeError(`frame index ${index} is outside ${this.first}..${this.count - 1}`);
    return index - this.first;
  }

  capturedLengthOf(index: number): number {
    return this.capturedLengths[this.slotOf(index)];
  }

  originalLengthOf(index: number): number {
    return this.originalLengths[this.slotOf(index)];
  }

  /** Frame `index`'s timestamp, written into `into` (no bytes are read). */
  timestampOf(index: number, into: { tsSec: number; tsNsec: number }): void {
    const slot = this.slotOf(index);
    into.tsSec = this.tsSec[slot];
    into.tsNsec = this.tsNsec[slot];
  }

  close(): void {
    this.backing.close();
  }

  /**
   * For the spilling backing: rewrites every offset through `move`, which receives each frame's metadata,
   * into a new column (a snapshot handed to a worker keeps the old offsets, which its chunks match).
   */
  relocate(move: (frame: Frame, iface: InterfaceInfo, oldOffset: number) => number): void {
    const offsets = sharedColumn(Float64Array, this.capacity);
    for (let slot = 0; slot < this.count - this.first; slot++) {
      const frame: Frame = {
        tsSec: this.tsSec[slot],
        tsNsec: this.tsNsec[slot],
        capturedLength: this.capturedLengths[slot],
        originalLength: this.originalLengths[slot],
        linkType: this.interfaces[this.interfaceIds[slot]].linkType,
        interfaceId: this.interfaceIds[slot],
        flags: this.flags[slot],
        comment: this.comments.get(slot),
        data: new Uint8Array(0),
        dataOffset: 0,
      };
      offsets[slot] = move(frame, this.interfaces[frame.interfaceId], this.offsets[slot]);
    }
    this.offsets = offsets;
  }

  private grow(): void {
    this.capacity *= 2;
    this.offsets = doubled(this.offsets);
    this.capturedLengths = doubled(this.capturedLengths);
    this.originalLengths = doubled(this.originalLengths);
    this.tsSec = doubled(this.tsSec);
    this.tsNsec = doubled(this.tsNsec);
    this.interfaceIds = doubled(this.interfaceIds);
    this.flags = doubled(this.flags);
  }
}
