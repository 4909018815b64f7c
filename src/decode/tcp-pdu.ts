// A PDU above TCP gathered from its segments: the bytes while it waits (bounded by the caller's budget),
// which frames carried which part, and the holes a lost segment left, so a late segment can still fill
// them as Wireshark's reassembly does.
import { rememberedClass, type CaptureMemory } from './capture-memory.js';

/** What a protocol asks for when it cannot tell its PDU's length yet: at least one more segment. */
export const MORE_BYTES_UNKNOWN = -1;
/** A PDU larger than this is not reassembled. */
export const MAX_PDU = 16 * 1024 * 1024;
/** Bytes held for all unfinished PDUs of a capture; past it the longest-idle are given up. */
export const MAX_WAITING = 64 * 1024 * 1024;
/** A PDU's first buffer: most are small; one that says it is larger grows by doubling as its bytes come. */
const INITIAL_CAPACITY = 16 * 1024;
/** A PDU of known size up to this is given its whole buffer at once. */
const UPFRONT_CAPACITY = 4 * 1024 * 1024;
/** What a piece of a PDU that keeps no bytes is counted as: its record. */
const PIECE_BYTES = 64;

/**
 * One segment's part of a PDU: `length` bytes at `offset` in the PDU, from bytes [at, at+length) of a
 * frame's data, or a copy when they were not a frame's own (a reassembled IP datagram).
 */
interface Piece {
  frame: number;
  offset: number;
  at: number;
  length: number;
  copy: Uint8Array | undefined;
}

/** A PDU over several segments; one of known length goes on across a lost segment, as Wireshark's does. */
export class Pdu {
  pieces: Piece[] = [];
  /** The bytes while the PDU waits, and the whole PDU once complete (released when frames can rebuild it). */
  bytes: Uint8Array | undefined;
  /** Bytes known from the start without a hole; `length` once complete. */
  covered = 0;
  /** Pieces past a hole, as [offset, end) ranges, until the hole is filled. */
  private readonly ahead: [number, number][] = [];
  length = 0;
  completedIn = 0;

  /**
   * `start`, `end`: relative sequence numbers of its first byte and the byte after it (end unknown:
   * MORE_BYTES_UNKNOWN). `byReference`: it keeps only where its bytes are in which frames (the UI's frame
   * store has them), and is rebuilt from them when complete.
   */
  constructor(
    readonly start: number,
    public end: number,
    readonly byReference = false,
  ) {
    this.bytes = byReference ? undefined : new Uint8Array(0);
  }

  /** Bytes allocated for it while it waits. */
  get capacity(): number {
    return this.byReference ? this.pieces.length * PIECE_BYTES : (this.bytes?.length ?? 0);
  }

  /** How many bytes more than it holds its buffer would take to hold up to offset `end`. */
  growthFor(end: number): number {
    if (this.byReference) return PIECE_BYTES;
    const capacity = this.capacity;
    if (end <= capacity) return 0;
    // A PDU that says its size gets it at once (one allocation, no copies as it grows), up to a bound.
    if (this.end !== MORE_BYTES_UNKNOWN && this.end - this.start <= UPFRONT_CAPACITY) return this.end - this.start - capacity;
    const limit = this.end === MORE_BYTES_UNKNOWN ? MAX_PDU : this.end - this.start;
    return Math.min(limit, Math.max(end, capacity * 2, INITIAL_CAPACITY)) - capacity;
  }

  /** Adds `length` bytes from `source` at `at` as the PDU's bytes from `offset` (room claimed with growthFor). */
  add(frame: number, offset: number, source: Uint8Array, at: number, length: number, frameBytes: boolean): void {
    if (!this.byReference) this.store(offset, source, at, length);
    this.pieces.push({ frame, offset, at, length, copy: frameBytes ? undefined : source.slice(at, at + length) });
    this.cover(offset, offset + length);
    this.length = Math.max(this.length, offset + length);
  }

  private store(offset: number, source: Uint8Array, at: number, length: number): void {
    let bytes = this.bytes as Uint8Array;
    const growth = this.growthFor(offset + length);
    if (growth > 0) {
      const grown = new Uint8Array(bytes.length + growth);
      grown.set(bytes.subarray(0, this.length));
      bytes = this.bytes = grown;
    }
    bytes.set(source.subarray(at, at + length), offset);
  }

  /** Marks [from, to) as held: in order (the usual case) it extends what is covered, else it waits past the hole. */
  private cover(from: number, to: number): void {
    const ahead = this.ahead;
    if (from <= this.covered) {
      this.covered = Math.max(this.covered, to);
      // The hole may be filled now.
      while (ahead.length > 0 && ahead[0][0] <= this.covered) this.covered = Math.max(this.covered, (ahead.shift() as [number, number])[1]);
      return;
    }
    const last = ahead[ahead.length - 1];
    if (last !== undefined && from >= last[0]) {
      if (from <= last[1]) last[1] = Math.max(last[1], to);
      else ahead.push([from, to]);
      return;
    }
    ahead.push([from, to]);
    ahead.sort((x, y) => x[0] - y[0]);
    // Ranges past the hole may overlap each other; merged, they count once.
    for (let i = 1; i < ahead.length; ) {
      if (ahead[i][0] <= ahead[i - 1][1]) {
        ahead[i - 1][1] = Math.max(ahead[i - 1][1], ahead[i][1]);
        ahead.splice(i, 1);
      } else i++;
    }
  }

  /** Whether `length` bytes from relative sequence number `seq` lie within the PDU (of known length). */
  holds(seq: number, length: number): boolean {
    return this.end !== MORE_BYTES_UNKNOWN && seq >= this.start && seq + length <= this.end;
  }

  /** Whether every byte up to the known end is there (an unknown end: whatever came, without a hole). */
  get whole(): boolean {
    return this.ahead.length === 0 && (this.end === MORE_BYTES_UNKNOWN || this.covered >= this.end - this.start);
  }

  /** The PDU's first `length` bytes: kept, or rebuilt from the frames that carried them. */
  contents(memory: CaptureMemory, length: number): Uint8Array {
    if (this.bytes !== undefined) return this.bytes.subarray(0, length);
    const whole = new Uint8Array(length);
    for (const piece of this.pieces) {
      if (piece.offset >= length) continue;
      const from = piece.copy ?? memory.frameData?.(piece.frame).subarray(piece.at, piece.at + piece.length);
      if (from !== undefined) whole.set(from.subarray(0, length - piece.offset), piece.offset);
    }
    return whole;
  }
}

rememberedClass('Pdu', Pdu);
